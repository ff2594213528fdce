-- Seats bought are the vendor's to set (by the operator's command line); an organization's
-- administrators ask for more. A request is open until the operator raises that kind of
-- seat, which marks it granted.
CREATE TABLE seat_requests (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    requested_by     bigint REFERENCES members (id) ON DELETE SET NULL,
    requester_label  text NOT NULL,
    kind             text NOT NULL CONSTRAINT seat_requests_kind_valid CHECK (kind IN ('enable', 'opportunity')),
    seats            integer NOT NULL CONSTRAINT seat_requests_seats_valid CHECK (seats BETWEEN 1 AND 100000),
    note             text NOT NULL DEFAULT '' CONSTRAINT seat_requests_note_valid CHECK (length(note) <= 1000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    granted_at       timestamptz
);
CREATE INDEX seat_requests_by_organization ON seat_requests (organization_id, created_at DESC);

-- The outbox carries more than invitations now: each kind of mail renders itself.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_valid;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_valid
    CHECK (kind IN ('invitation', 'seat_request', 'password_reset'));
