-- What a member held when deactivated, so that reactivation asks for the same seats again
-- (SPEC rule 5: "Reactivation needs free seats again for what the member held").
ALTER TABLE members
    ADD COLUMN restore_enable_seat      boolean NOT NULL DEFAULT false,
    ADD COLUMN restore_opportunity_seat boolean NOT NULL DEFAULT false;

-- Searching the member list by name or email stays fast at 100,000 members.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX members_search ON members
    USING gin ((lower(first_name || ' ' || last_name || ' ' || email)) gin_trgm_ops);
CREATE INDEX members_list_by_created ON members (organization_id, created_at DESC, id DESC);
-- The member list sorted by billing status (active, invited, inactive), then name.
CREATE INDEX members_list_by_status ON members (
    organization_id,
    (CASE status WHEN 'active' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END),
    lower(last_name), lower(first_name), id);
