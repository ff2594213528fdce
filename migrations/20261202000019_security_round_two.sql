-- Security round two (issue 19).

-- An organization never loses its last active administrator, whatever path changes the
-- members (the member page, a file, an undo, the command line, a hand-written UPDATE):
-- checked at commit, so a transaction may promote someone and demote the old
-- administrator in either order. An organization being deleted takes its members along
-- and is not checked; one whose first administrator is still invited has none to lose.
CREATE FUNCTION organization_keeps_an_active_admin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id)
       AND NOT EXISTS (SELECT 1 FROM members
                        WHERE organization_id = OLD.organization_id
                          AND permission = 'admin' AND status = 'active') THEN
        RAISE EXCEPTION 'organization % would have no active administrator', OLD.organization_id
            USING ERRCODE = '23514', CONSTRAINT = 'organization_keeps_an_active_admin';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER organization_keeps_an_active_admin
    AFTER UPDATE OF permission, status OR DELETE ON members
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.permission = 'admin' AND OLD.status = 'active')
    EXECUTE FUNCTION organization_keeps_an_active_admin();

-- A change set's parts: at most 100 (200,000 rows in parts of 2,000), numbered from 0.
ALTER TABLE roster_apply_rows ADD CONSTRAINT roster_apply_rows_part_bounded CHECK (part < 100);
-- Each part's size as sent: what a key holds is their sum, so a part beyond the bytes
-- allowed is refused before it is kept.
ALTER TABLE roster_apply_rows ADD COLUMN bytes integer NOT NULL DEFAULT 0;
CREATE INDEX roster_apply_progress_by_organization ON roster_apply_progress (organization_id);
CREATE INDEX roster_apply_progress_by_age ON roster_apply_progress (updated_at);

-- The sweeps of the tables anyone can add rows to go by time.
CREATE INDEX link_failures_by_age ON link_failures (failed_at);
CREATE INDEX password_resets_by_expiry ON password_resets (expires_at);

-- Keys every server instance shares (each made once, by whichever instance starts first):
-- `error_links` signs the error a form's redirect carries in its address, so a page shows
-- only messages the server made.
CREATE TABLE server_keys (
    name text PRIMARY KEY,
    key  bytea NOT NULL CHECK (octet_length(key) = 32)
);

-- Addresses are compared one way, here and in Rust (domain::email::key): ASCII letters
-- without case, every other character as it is. lower() follows the database's locale
-- and Rust's to_lowercase() Unicode's rules; they differ (final sigma, dotted İ), so an
-- address one side called new the other called taken, and the insert failed.
CREATE FUNCTION email_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');

DROP INDEX members_email_unique_per_organization;
CREATE UNIQUE INDEX members_email_unique_per_organization ON members (organization_id, email_key(email));
DROP INDEX members_email_lookup;
CREATE INDEX members_email_lookup ON members (email_key(email));

-- An organization's mail is paced (outbox::PER_ORGANIZATION_PER_HOUR): counted by when
-- each message is due.
CREATE INDEX email_outbox_pace ON email_outbox (organization_id, next_attempt_at) WHERE kind = 'invitation';
-- Resends are counted per member.
CREATE INDEX email_outbox_by_member ON email_outbox (member_id, created_at) WHERE member_id IS NOT NULL;
