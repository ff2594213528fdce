-- The open platform (issue 24): the REST API's keys and idempotency, webhooks delivered
-- through an outbox of their own, and the activity log filtered and exported.

-- API keys: read (members, teams, programs, seats), write (invite, change, deactivate),
-- progress, activity (the log and its export), or provisioning alone (SCIM). The stored
-- names of the first two stay what they were, so keys made before keep working.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_known;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known
    CHECK (scopes <@ ARRAY['progress', 'members:read', 'members:write', 'provisioning', 'activity']
           AND cardinality(scopes) BETWEEN 1 AND 5);

-- A create sent twice with the same Idempotency-Key is done once: the first answer is
-- kept and given again. `answer_status` is NULL while the first request is at work.
-- Swept after a day (maintenance).
CREATE TABLE api_idempotency (
    api_key_id     bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
    -- SHA-256 of the method, the path and the body: the same key with another request is
    -- refused rather than answered with the first one's result.
    request_hash   bytea NOT NULL,
    answer_status  smallint,
    answer_body    jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, idempotency_key)
);
CREATE INDEX api_idempotency_by_age ON api_idempotency (created_at);

-- Where an organization's events go. The secret signs each delivery (Standard Webhooks:
-- `whsec_` and base64); it is shown once, when the endpoint is added.
CREATE TABLE webhook_endpoints (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url              text NOT NULL CHECK (char_length(url) BETWEEN 8 AND 2000),
    secret           text NOT NULL,
    events           text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 16),
    description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 200),
    enabled          boolean NOT NULL DEFAULT true,
    created_by_label text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_by_organization ON webhook_endpoints (organization_id);

-- One event for one endpoint: written in the transaction of the change that causes it
-- (so an event is never sent for a change rolled back, nor lost for one committed), then
-- claimed by a worker with a lease (`next_attempt_at` moved past the try), retried with a
-- growing wait over about a day. `event_id` is the Standard Webhooks `webhook-id`: the
-- same on every try, so a receiver can drop what it has already acknowledged.
CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL,
    event_type       text NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    -- The receiver's last HTTP status (NULL: no answer, see last_answer) and the start of
    -- its body or the connection error, bounded.
    last_status      smallint,
    last_answer      text CHECK (char_length(last_answer) <= 500),
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_by_age ON webhook_deliveries (created_at) WHERE status <> 'pending';

-- The Activity page's filters and export walk the log newest first by id, per
-- organization, and per member.
CREATE INDEX audit_log_by_organization_id ON audit_log (organization_id, id DESC);
CREATE INDEX audit_log_by_subject ON audit_log (subject_member_id, id DESC)
    WHERE subject_member_id IS NOT NULL;
