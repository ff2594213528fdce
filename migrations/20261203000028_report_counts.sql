-- The organization report from kept sums (issue 25, target 4): at 1,000,000 members the
-- report aggregated 1.3 million enrollments and a million members on every request
-- (about 1.1 s). Both are now kept the way `member_counts` (migration 26) keeps the
-- member list's counts: each statement appends what it changed, the license worker folds
-- the rows, and a report sums a handful of rows its snapshot sees.

-- 1. The report counts used Enable licenses (SPEC rule 3): `member_counts` keys them too.
--    The table is rebuilt under a lock that holds member writes for the recount only.
LOCK TABLE members IN SHARE MODE;
ALTER TABLE member_counts ADD COLUMN license_used boolean NOT NULL DEFAULT false;
DELETE FROM member_counts;
INSERT INTO member_counts (organization_id, team_id, status, permission, enable_seat, opportunity_seat,
                           license_used, n)
SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, license_used, count(*)
  FROM members GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE OR REPLACE FUNCTION member_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the tables this statement has: INSERT has no old rows, DELETE no new ones.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO member_counts (organization_id, team_id, status, permission, enable_seat,
                                   opportunity_seat, license_used, n)
        SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, license_used, count(*)
          FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO member_counts (organization_id, team_id, status, permission, enable_seat,
                                   opportunity_seat, license_used, n)
        SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, license_used, -count(*)
          FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
    ELSE
        -- An update that changes none of the keys (names, job titles, sign-ins) writes
        -- nothing.
        INSERT INTO member_counts (organization_id, team_id, status, permission, enable_seat,
                                   opportunity_seat, license_used, n)
        SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, license_used, sum(n)
          FROM (SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, license_used, 1 AS n
                  FROM new_rows
                UNION ALL
                SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, license_used, -1
                  FROM old_rows) changed
         GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END;
$$;

-- 2. Enrollments summed per organization, program and progress bucket (the report's
--    buckets: 0, 1–9, 10–49, 50–99 and 100 %, `domain::report::PROGRESS_BUCKETS`), with
--    their progress summed for the average. Per organization only: a member's
--    organization never changes, so an enrollment's row is known from the enrollment
--    alone, and no team move has to carry sums along. A region's or team's report is a
--    fraction of the organization and still reads its enrollments.
CREATE FUNCTION progress_bucket(basis_points integer) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN basis_points <= 0 THEN 0
                WHEN basis_points < 1000 THEN 1
                WHEN basis_points < 5000 THEN 2
                WHEN basis_points < 10000 THEN 3
                ELSE 4 END::smallint
$$;

CREATE TABLE enrollment_counts (
    -- No foreign key, as member_counts: the fold drops the rows of organizations gone.
    organization_id  bigint NOT NULL,
    program_id       smallint NOT NULL,
    bucket           smallint NOT NULL,
    n                bigint NOT NULL,
    progress         bigint NOT NULL
);
CREATE INDEX enrollment_counts_by_organization ON enrollment_counts (organization_id);

CREATE FUNCTION enrollment_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The member gives the organization. When members are deleted, their enrollments go
    -- by the foreign key's cascade after the members are gone, so the join finds nothing:
    -- `enrollment_counts_member_deleted` has already taken them off.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO enrollment_counts
        SELECT m.organization_id, e.program_id, progress_bucket(e.progress_basis_points),
               count(*), sum(e.progress_basis_points)
          FROM new_rows e JOIN members m ON m.id = e.member_id GROUP BY 1, 2, 3;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO enrollment_counts
        SELECT m.organization_id, e.program_id, progress_bucket(e.progress_basis_points),
               -count(*), -sum(e.progress_basis_points)
          FROM old_rows e JOIN members m ON m.id = e.member_id GROUP BY 1, 2, 3;
    ELSE
        INSERT INTO enrollment_counts
        SELECT m.organization_id, c.program_id, c.bucket, sum(c.n), sum(c.progress)
          FROM (SELECT member_id, program_id, progress_bucket(progress_basis_points) AS bucket,
                       1 AS n, progress_basis_points::bigint AS progress FROM new_rows
                UNION ALL
                SELECT member_id, program_id, progress_bucket(progress_basis_points), -1,
                       -progress_basis_points::bigint FROM old_rows) c
          JOIN members m ON m.id = c.member_id
         GROUP BY 1, 2, 3
        HAVING sum(c.n) <> 0 OR sum(c.progress) <> 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER enrollment_counts_insert AFTER INSERT ON enrollments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enrollment_counts_changed();
CREATE TRIGGER enrollment_counts_update AFTER UPDATE ON enrollments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enrollment_counts_changed();
CREATE TRIGGER enrollment_counts_delete AFTER DELETE ON enrollments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enrollment_counts_changed();

-- A member deleted: their enrollments come off before the cascade deletes them. Per row,
-- but members are deleted only with their organization (whose rows the fold drops: the
-- organization is gone first, so nothing is written) and by hand.
CREATE FUNCTION enrollment_counts_member_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id) THEN
        INSERT INTO enrollment_counts
        SELECT OLD.organization_id, program_id, progress_bucket(progress_basis_points),
               -count(*), -sum(progress_basis_points)
          FROM enrollments WHERE member_id = OLD.id GROUP BY 2, 3;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER enrollment_counts_member_deleted BEFORE DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION enrollment_counts_member_deleted();

-- The enrollments there are now.
LOCK TABLE enrollments IN SHARE MODE;
INSERT INTO enrollment_counts
SELECT m.organization_id, e.program_id, progress_bucket(e.progress_basis_points), count(*),
       sum(e.progress_basis_points)
  FROM enrollments e JOIN members m ON m.id = e.member_id GROUP BY 1, 2, 3;
