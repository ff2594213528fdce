-- Imports at the speed of COPY (issue 25, target 2): what PostgreSQL's own statement
-- timings (auto_explain with triggers) showed an import of 99,999 rows spending beyond the
-- member rows themselves.

-- 1. The enrollment counts joined the enrollments a statement wrote to `members` as the
--    planner saw fit. During an import the members' statistics lag (the table grows by
--    5,000 rows a batch faster than autovacuum analyzes it), and it hashed every member of
--    every organization for each batch: 55 ms per 5,000 enrollments, growing with the
--    table. A lateral look-up by primary key is one index probe per enrollment whatever the
--    statistics say. `LIMIT 1` keeps it from being flattened back into a join; the primary
--    key makes it exact. As before, an enrollment whose member is gone (a member's deletion
--    cascades after the member's own row is gone) finds nothing.
CREATE OR REPLACE FUNCTION enrollment_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO enrollment_counts
        SELECT m.organization_id, e.program_id, progress_bucket(e.progress_basis_points),
               count(*), sum(e.progress_basis_points)
          FROM new_rows e
         CROSS JOIN LATERAL (SELECT organization_id FROM members WHERE id = e.member_id LIMIT 1) m
         GROUP BY 1, 2, 3;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO enrollment_counts
        SELECT m.organization_id, e.program_id, progress_bucket(e.progress_basis_points),
               -count(*), -sum(e.progress_basis_points)
          FROM old_rows e
         CROSS JOIN LATERAL (SELECT organization_id FROM members WHERE id = e.member_id LIMIT 1) m
         GROUP BY 1, 2, 3;
    ELSE
        INSERT INTO enrollment_counts
        SELECT m.organization_id, c.program_id, c.bucket, sum(c.n), sum(c.progress)
          FROM (SELECT member_id, program_id, progress_bucket(progress_basis_points) AS bucket,
                       1 AS n, progress_basis_points::bigint AS progress FROM new_rows
                UNION ALL
                SELECT member_id, program_id, progress_bucket(progress_basis_points), -1,
                       -progress_basis_points::bigint FROM old_rows) c
         CROSS JOIN LATERAL (SELECT organization_id FROM members WHERE id = c.member_id LIMIT 1) m
         GROUP BY 1, 2, 3
        HAVING sum(c.n) <> 0 OR sum(c.progress) <> 0;
    END IF;
    RETURN NULL;
END;
$$;

-- 2. The outbox's pace counts an organization's invitations *and reminders* due within the
--    hour; the partial index covered invitations only, so the count read the organization's
--    whole outbox (by `email_outbox_by_organization`) and tested each row — 5,000 more rows
--    for each batch of an import. The index now covers both kinds the count asks for (what
--    asked for invitations alone is still implied by it).
CREATE INDEX email_outbox_pace_both ON email_outbox (organization_id, next_attempt_at)
    WHERE kind IN ('invitation', 'reminder');
DROP INDEX email_outbox_pace;
ALTER INDEX email_outbox_pace_both RENAME TO email_outbox_pace;

-- 3. Enrollments by program alone: read by no query (every look-up starts from the member;
--    the reports read `enrollment_counts`; programs are a catalog never deleted), updated by
--    every enrollment written.
DROP INDEX enrollments_by_program;

-- 4. Invitations are one per member: the member is the key. The surrogate `id` (read by one
--    statement, the acceptance's update) cost every invitation an identity value and one
--    more index entry, beside the unique index on `member_id` that says the same.
ALTER TABLE invitation_links DROP CONSTRAINT invitation_links_member_id_fkey;
ALTER TABLE invitations DROP CONSTRAINT invitations_member_id_key;
ALTER TABLE invitations DROP COLUMN id;
ALTER TABLE invitations ADD CONSTRAINT invitations_pkey PRIMARY KEY (member_id);
ALTER TABLE invitation_links ADD CONSTRAINT invitation_links_member_id_fkey
    FOREIGN KEY (member_id) REFERENCES invitations (member_id) ON DELETE CASCADE;
