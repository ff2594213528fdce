-- Members by status, maintained instead of recounted (issue 25): My Organization showed
-- them by counting every member on each request (about 40 ms of a request's CPU at
-- 100,000 members, and linear in them).
--
-- Each statement that writes members appends what it changed per organization (a row of
-- +/- per status) from its transition tables: appends never wait for each other, so no
-- write takes a lock it did not take before. The counts of an organization are the sum of
-- its rows; the license worker folds them into one row per organization every 15 s, so a
-- read sums a handful of rows. Rows are visible with the transaction that wrote them: a
-- read sees exactly the members its snapshot sees.
CREATE TABLE member_counts (
    -- No foreign key: an organization's deletion deletes its members, whose trigger
    -- writes here while the organization is going; the fold drops such rows.
    organization_id bigint NOT NULL,
    active bigint NOT NULL DEFAULT 0,
    invited bigint NOT NULL DEFAULT 0,
    deactivated bigint NOT NULL DEFAULT 0
);
CREATE INDEX member_counts_by_organization ON member_counts (organization_id);

CREATE FUNCTION member_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the tables this statement has: INSERT has no old rows, DELETE no new ones.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO member_counts (organization_id, active, invited, deactivated)
        SELECT organization_id,
               count(*) FILTER (WHERE status = 'active'),
               count(*) FILTER (WHERE status = 'invited'),
               count(*) FILTER (WHERE status = 'deactivated')
          FROM new_rows GROUP BY organization_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO member_counts (organization_id, active, invited, deactivated)
        SELECT organization_id,
               -count(*) FILTER (WHERE status = 'active'),
               -count(*) FILTER (WHERE status = 'invited'),
               -count(*) FILTER (WHERE status = 'deactivated')
          FROM old_rows GROUP BY organization_id;
    ELSE
        -- An update that changes no status (names, seats, teams) writes nothing.
        INSERT INTO member_counts (organization_id, active, invited, deactivated)
        SELECT organization_id, sum(active), sum(invited), sum(deactivated)
          FROM (SELECT organization_id,
                       (status = 'active')::int AS active,
                       (status = 'invited')::int AS invited,
                       (status = 'deactivated')::int AS deactivated
                  FROM new_rows
                UNION ALL
                SELECT organization_id,
                       -(status = 'active')::int,
                       -(status = 'invited')::int,
                       -(status = 'deactivated')::int
                  FROM old_rows) changed
         GROUP BY organization_id
        HAVING sum(active) <> 0 OR sum(invited) <> 0 OR sum(deactivated) <> 0;
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
INSERT INTO member_counts (organization_id, active, invited, deactivated)
SELECT organization_id,
       count(*) FILTER (WHERE status = 'active'),
       count(*) FILTER (WHERE status = 'invited'),
       count(*) FILTER (WHERE status = 'deactivated')
  FROM members GROUP BY organization_id;
