-- Sign-in attempts are counted before the password is checked: an attempt is recorded as
-- a failure when it is admitted (under a lock per account and client address) and removed
-- if the password was right. `settled` tells a finished failure from one still being
-- checked, so a success forgives only the failures that came before it.
ALTER TABLE sign_in_failures ADD COLUMN settled boolean NOT NULL DEFAULT true;
CREATE INDEX sign_in_failures_by_pair ON sign_in_failures (email_lower, ip_address, failed_at);

-- Invitation and reset links that could not be used, per client address: guessing links
-- is throttled before any look-up or password hashing.
CREATE TABLE link_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ip_address  text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX link_failures_by_ip ON link_failures (ip_address, failed_at);
