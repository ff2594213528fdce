-- The activity log and a change set's undo record are history: they name members by id,
-- and each of their rows was checked against `members` by a foreign key as it was written
-- — a query and a row lock per row, 7–10 µs each (auto_explain, 100,000 rows: 1.05 s for
-- the log's subject, 0.9 s for the undo record's member; docs/BENCHMARKS.md, issue 25).
-- The rows are written in the statement after the members they name were written or
-- locked, under the organization's lock, so the check never refused anything; and
-- members are only ever deleted with their organization, which takes its log and its
-- undo records along (organization_id and change_id keep their keys). Readers already
-- treat an id that names no member as none: the log joins members with LEFT JOIN, the
-- undo skips a member it cannot find.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_subject_member_id_fkey;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_member_id_fkey;
ALTER TABLE roster_change_members DROP CONSTRAINT roster_change_members_member_id_fkey;
