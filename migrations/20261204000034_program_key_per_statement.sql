-- An enrollment's program checked once per statement rather than once per row (issue 25),
-- as migration 33 did for the log, the outbox and the undo records: an import of 100,000
-- members writes up to 100,000 enrollments that all name one of the catalog's six
-- programs, and the key checked each with a query and a lock of the program's row
-- (37 ms for 5,000 rows; docs/BENCHMARKS.md). The trigger locks the programs the
-- statement's rows name FOR KEY SHARE and refuses a row naming none under the key's name
-- (SQLSTATE 23503). A program that enrollments name can be neither deleted nor renumbered
-- (the key had no ON DELETE action), and an enrollment's program is fixed.
ALTER TABLE enrollments DROP CONSTRAINT enrollments_program_id_fkey;
CREATE TRIGGER enrollments_program_id_fkey AFTER INSERT ON enrollments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rows_name_their_parents('enrollments_program_id_fkey', 'program_id', 'programs');
CREATE TRIGGER enrollments_program_id_fixed BEFORE UPDATE OF program_id ON enrollments
    FOR EACH ROW WHEN (OLD.program_id IS DISTINCT FROM NEW.program_id)
    EXECUTE FUNCTION parent_is_fixed('program_id', 'enrollments_program_id_fkey');

CREATE FUNCTION program_kept_while_enrolled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM enrollments WHERE program_id = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "programs" violates foreign key constraint "enrollments_program_id_fkey" on table "enrollments"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'enrollments_program_id_fkey',
                  TABLE = 'enrollments', DETAIL = format('Program %s is still named by enrollments.', OLD.id);
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER program_kept_while_enrolled BEFORE DELETE OR UPDATE OF id ON programs
    FOR EACH ROW EXECUTE FUNCTION program_kept_while_enrolled();
