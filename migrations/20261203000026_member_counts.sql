-- Members counted by what the member list filters on, maintained instead of recounted
-- (issue 25): My Organization counted its members by status on every request, and the
-- list counted the members matching its filter (about 40 ms of a request's CPU at
-- 100,000 members, 120–300 ms at 1,000,000, and linear in them).
--
-- A row says: n members of this organization and team with this status, permission and
-- seats. Each statement that writes members appends what it changed (+/- n per key) from
-- its transition tables: appends never wait for each other, so no write takes a lock it
-- did not take before. A count is a sum of rows (`app::server::member_counts`); the
-- license worker folds the rows to one per key every 15 s, so a sum reads at most one row
-- per (team, status, permission, seats) the organization has. Rows are visible with the
-- transaction that wrote them: a read sees exactly the members its snapshot sees.
CREATE TABLE member_counts (
    -- No foreign key: an organization's deletion deletes its members, whose trigger
    -- writes here while the organization is going; the fold drops such rows.
    organization_id  bigint NOT NULL,
    team_id          bigint,
    status           text NOT NULL,
    permission       text NOT NULL,
    enable_seat      boolean NOT NULL,
    opportunity_seat boolean NOT NULL,
    n                bigint NOT NULL
);
CREATE INDEX member_counts_by_organization ON member_counts (organization_id);

CREATE FUNCTION member_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the tables this statement has: INSERT has no old rows, DELETE no new ones.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO member_counts
        SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, count(*)
          FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO member_counts
        SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, -count(*)
          FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6;
    ELSE
        -- An update that changes none of the keys (names, job titles, sign-ins) writes
        -- nothing.
        INSERT INTO member_counts
        SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, sum(n)
          FROM (SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, 1 AS n
                  FROM new_rows
                UNION ALL
                SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, -1
                  FROM old_rows) changed
         GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER member_counts_insert AFTER INSERT ON members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_counts_changed();
CREATE TRIGGER member_counts_update AFTER UPDATE ON members
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_counts_changed();
CREATE TRIGGER member_counts_delete AFTER DELETE ON members
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_counts_changed();

-- The members there are now.
INSERT INTO member_counts
SELECT organization_id, team_id, status, permission, enable_seat, opportunity_seat, count(*)
  FROM members GROUP BY 1, 2, 3, 4, 5, 6;
