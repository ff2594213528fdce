-- SPEC rule 3 as a recorded fact: a member's license is *used* from the moment progress on
-- any of their programs reaches 10 %. It never becomes unused again (progress never goes
-- down, and a program at 10 % or more can be neither unassigned nor freed), so it is kept
-- on the member instead of being recomputed from every enrollment: reports and the seats
-- page count used licenses with one scan of members.
ALTER TABLE members ADD COLUMN license_used boolean NOT NULL DEFAULT false;

UPDATE members m SET license_used = true
 WHERE EXISTS (SELECT 1 FROM enrollments e WHERE e.member_id = m.id AND e.progress_basis_points >= 1000);

-- Fires only when an enrollment crosses 10 % (the WHEN clause is evaluated without calling
-- the function), so imports of enrollments at 0 % pay nothing. Whoever raises progress
-- locks the member row first, then the enrollment: the same order as every other writer,
-- so this update of the member never deadlocks with an unassign or a deactivation.
CREATE FUNCTION enrollments_mark_license_used() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE members SET license_used = true WHERE id = NEW.member_id AND NOT license_used;
    RETURN NULL;
END $$;

CREATE TRIGGER enrollments_license_used_on_insert AFTER INSERT ON enrollments
    FOR EACH ROW WHEN (NEW.progress_basis_points >= 1000)
    EXECUTE FUNCTION enrollments_mark_license_used();
CREATE TRIGGER enrollments_license_used_on_update AFTER UPDATE OF progress_basis_points ON enrollments
    FOR EACH ROW WHEN (NEW.progress_basis_points >= 1000 AND OLD.progress_basis_points < 1000)
    EXECUTE FUNCTION enrollments_mark_license_used();
