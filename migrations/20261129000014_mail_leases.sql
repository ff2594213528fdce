-- Exactly-once mail: a worker claims one message at a time with a lease (no transaction
-- held while it talks to the mail server), marks it sent on its own as soon as the server
-- accepts it, and a permanent refusal (5xx) ends as `failed` with the server's reason.
ALTER TABLE email_outbox
    ADD COLUMN lease_owner text,
    ADD COLUMN lease_until timestamptz;
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_status_valid;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_status_valid
    CHECK (status IN ('pending', 'sent', 'kept', 'failed'));
DROP INDEX email_outbox_due;
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at, id) WHERE status = 'pending';
