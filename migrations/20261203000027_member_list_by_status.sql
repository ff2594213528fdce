-- The member list filtered by status (with or without a seat, team or permission filter)
-- walks its members in name order within the status, instead of walking the whole
-- organization in name order and testing each row: at 1,000,000 members "invited with an
-- Enable seat" (matches sorting late in the alphabet) took 348 ms, 1.7 ms with this index.
-- It replaces members_by_status, whose (organization_id, status) it begins with, so a
-- member write updates as many indexes as before.
CREATE INDEX members_list_by_status_name
    ON members (organization_id, status, lower(last_name), lower(first_name), id);
DROP INDEX members_by_status;
