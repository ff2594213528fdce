-- The invitations' keys, lighter (issue 25). An import of 100,000 members writes 100,000
-- invitations; each row's two keys cost a query and a row lock apiece (0.9 s of
-- invitation inserts, half of it the keys; docs/BENCHMARKS.md).
--
-- 1. `invited_by` goes. It was written by every invitation and read by nothing: who
--    invited whom is in the Activity log, by name as it was then (`actor_label`, and the
--    import's entry). Its ON DELETE SET NULL also scanned the whole invitations table for
--    every member deleted (the column had no index): an organization of 100,000 members
--    deleted meant 100,000 scans.
ALTER TABLE invitations DROP COLUMN invited_by;

-- 2. `member_id` is checked once per statement, as migration 33 did for the log, the
--    outbox and the undo records: the members the statement's rows name are locked
--    FOR KEY SHARE in one query (5 ms for 5,000 rows against 18 ms for the key's 5,000
--    look-ups) and a row naming none is refused under the key's name (SQLSTATE 23503).
--    A member's deletion takes their invitation along (ON DELETE CASCADE, as before), a
--    member named by an invitation cannot be renumbered, and an invitation's member is
--    fixed (nothing ever changed it).
ALTER TABLE invitations DROP CONSTRAINT invitations_member_id_fkey;
CREATE TRIGGER invitations_member_id_fkey AFTER INSERT ON invitations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rows_name_their_parents('invitations_member_id_fkey', 'member_id', 'members');
CREATE TRIGGER invitations_member_id_fixed BEFORE UPDATE OF member_id ON invitations
    FOR EACH ROW WHEN (OLD.member_id IS DISTINCT FROM NEW.member_id)
    EXECUTE FUNCTION parent_is_fixed('member_id', 'invitations_member_id_fkey');

CREATE FUNCTION member_takes_their_invitation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id <> OLD.id AND EXISTS (SELECT 1 FROM invitations WHERE member_id = OLD.id) THEN
            RAISE EXCEPTION 'update on table "members" violates foreign key constraint "invitations_member_id_fkey" on table "invitations"'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'invitations_member_id_fkey',
                      TABLE = 'invitations', DETAIL = format('Member %s is still named by an invitation.', OLD.id);
        END IF;
        RETURN NEW;
    END IF;
    DELETE FROM invitations WHERE member_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER member_takes_their_invitation BEFORE DELETE OR UPDATE OF id ON members
    FOR EACH ROW EXECUTE FUNCTION member_takes_their_invitation();
