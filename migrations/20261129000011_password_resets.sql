-- A way back in: single-use password-reset links, stored hashed, valid 60 minutes.
CREATE TABLE password_resets (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL CONSTRAINT password_resets_token_unique UNIQUE,
    -- The administrator who sent it, or NULL when the member asked.
    requested_by  bigint REFERENCES members (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX password_resets_by_member ON password_resets (member_id);

-- "Forgot password?" requests, counted per address typed and per client address, so the
-- form cannot be used to flood someone's mailbox.
CREATE TABLE password_reset_requests (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_lower   text NOT NULL,
    ip_address    text NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_requests_recent ON password_reset_requests (requested_at);
CREATE INDEX password_reset_requests_by_email ON password_reset_requests (email_lower, requested_at);
CREATE INDEX password_reset_requests_by_ip ON password_reset_requests (ip_address, requested_at);
