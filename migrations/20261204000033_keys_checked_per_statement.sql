-- Three keys checked once per statement rather than once per row (issue 25).
--
-- A foreign key checks each row written with a query and a lock of the row it names:
-- 6–7 µs a row (auto_explain, docs/BENCHMARKS.md): 0.67 s for the 100,000 activity
-- entries of a change set of 100,000 changes, as much for its 100,000 undo rows, and
-- 0.6 s for an import's 100,000 invitation mails. All the rows of such a statement name
-- the same organization, or the same change set. These keys are now checked by a trigger
-- once per statement, over the rows it wrote: the parents they name are locked as a key
-- locks them (FOR KEY SHARE: none can be deleted until the writing transaction ends), and
-- a row naming none is refused with the key's own error (SQLSTATE 23503, the same
-- constraint name). Deleting a parent takes the rows along, as ON DELETE CASCADE did; the
-- columns cannot be changed afterwards (nothing ever did).

-- The parents `new_rows` name exist, locked until this transaction ends. TG_ARGV: the
-- key's name, the column, the parent table (keyed by `id`). `new_rows`, the statement's
-- transition table, is seen by the dynamic queries too.
CREATE FUNCTION rows_name_their_parents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named bigint[];
    found integer;
BEGIN
    EXECUTE format('SELECT array_agg(id) FROM (SELECT DISTINCT %I AS id FROM new_rows) d', TG_ARGV[1])
        INTO named;
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I WHERE id = ANY ($1) FOR KEY SHARE) p', TG_ARGV[2])
        INTO found USING named;
    IF found < coalesce(cardinality(named), 0) THEN
        RAISE EXCEPTION 'insert on table "%" violates foreign key constraint "%"', TG_TABLE_NAME, TG_ARGV[0]
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[0], TABLE = TG_TABLE_NAME,
                  DETAIL = format('A row''s %s names no row of %s.', TG_ARGV[1], TG_ARGV[2]);
    END IF;
    RETURN NULL;
END $$;

-- A row's parent never changes.
CREATE FUNCTION parent_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'update on table "%" changes the row''s %, which names its parent', TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[1], TABLE = TG_TABLE_NAME;
END $$;

ALTER TABLE audit_log DROP CONSTRAINT audit_log_organization_id_fkey;
CREATE TRIGGER audit_log_organization_id_fkey AFTER INSERT ON audit_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rows_name_their_parents('audit_log_organization_id_fkey', 'organization_id', 'organizations');
CREATE TRIGGER audit_log_organization_id_fixed BEFORE UPDATE OF organization_id ON audit_log
    FOR EACH ROW WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION parent_is_fixed('organization_id', 'audit_log_organization_id_fkey');

ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_organization_id_fkey;
CREATE TRIGGER email_outbox_organization_id_fkey AFTER INSERT ON email_outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rows_name_their_parents('email_outbox_organization_id_fkey', 'organization_id', 'organizations');
CREATE TRIGGER email_outbox_organization_id_fixed BEFORE UPDATE OF organization_id ON email_outbox
    FOR EACH ROW WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION parent_is_fixed('organization_id', 'email_outbox_organization_id_fkey');

ALTER TABLE roster_change_members DROP CONSTRAINT roster_change_members_change_id_fkey;
CREATE TRIGGER roster_change_members_change_id_fkey AFTER INSERT ON roster_change_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rows_name_their_parents('roster_change_members_change_id_fkey', 'change_id', 'roster_changes');
CREATE TRIGGER roster_change_members_change_id_fixed BEFORE UPDATE OF change_id ON roster_change_members
    FOR EACH ROW WHEN (OLD.change_id IS DISTINCT FROM NEW.change_id)
    EXECUTE FUNCTION parent_is_fixed('change_id', 'roster_change_members_change_id_fkey');

-- ON DELETE CASCADE, as the keys had it.
CREATE FUNCTION organization_takes_its_log_and_mail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM audit_log WHERE organization_id = OLD.id;
    DELETE FROM email_outbox WHERE organization_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER organization_takes_its_log_and_mail BEFORE DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION organization_takes_its_log_and_mail();

CREATE FUNCTION change_set_takes_its_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM roster_change_members WHERE change_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER change_set_takes_its_members BEFORE DELETE ON roster_changes
    FOR EACH ROW EXECUTE FUNCTION change_set_takes_its_members();
