-- SCIM 2.0 provisioning (issue 23): the identity provider creates, changes and deactivates
-- members and maps its groups to teams; a seat policy gives seats when free and a first-come
-- waitlist serves the rest as seats free.

-- A provisioning token is an API key with the scope 'provisioning' (the API keys page).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_known;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known
    CHECK (scopes <@ ARRAY['progress', 'members:read', 'members:write', 'provisioning']
           AND cardinality(scopes) BETWEEN 1 AND 4);

-- A member as the identity provider knows them. `scim_user_name` is the provider's
-- userName (Entra's UPN may differ from the mail address, which is the member's email);
-- `scim_deleted_at`: the provider deleted the user, which Roster carries out as a
-- deactivation; through SCIM the user is gone (404) until the provider creates them again.
ALTER TABLE members
    ADD COLUMN scim_user_name text
        CONSTRAINT members_scim_user_name_valid
        CHECK (scim_user_name = btrim(scim_user_name) AND char_length(scim_user_name) BETWEEN 1 AND 254),
    ADD COLUMN scim_external_id text
        CONSTRAINT members_scim_external_id_valid
        CHECK (char_length(scim_external_id) BETWEEN 1 AND 255),
    ADD COLUMN scim_deleted_at timestamptz;
CREATE UNIQUE INDEX members_scim_user_name_unique ON members (organization_id, lower(scim_user_name))
    WHERE scim_user_name IS NOT NULL AND scim_deleted_at IS NULL;
CREATE UNIQUE INDEX members_scim_external_id_unique ON members (organization_id, scim_external_id)
    WHERE scim_external_id IS NOT NULL AND scim_deleted_at IS NULL;

-- The organization's seat policy for members the provider creates or brings back:
-- 'none', 'enable', 'opportunity', 'both' (given when free), or 'groups' (what the
-- groups the member is in grant, teams.grants_*).
ALTER TABLE organizations
    ADD COLUMN seat_policy text NOT NULL DEFAULT 'enable'
        CONSTRAINT organizations_seat_policy_known
        CHECK (seat_policy IN ('none', 'enable', 'opportunity', 'both', 'groups'));

-- A SCIM group is a team. Groups the provider creates become teams of one region
-- (named in server/scim/groups.rs, made on first use); a team may grant seats to
-- its group's members under the 'groups' policy.
ALTER TABLE teams
    ADD COLUMN scim_external_id text
        CONSTRAINT teams_scim_external_id_valid CHECK (char_length(scim_external_id) BETWEEN 1 AND 255),
    ADD COLUMN grants_enable boolean NOT NULL DEFAULT false,
    ADD COLUMN grants_opportunity boolean NOT NULL DEFAULT false;

-- Who the provider put in which group. A member belongs to one team at most: the group
-- they were put in first (of those they are still in) gives it.
CREATE TABLE group_members (
    team_id          bigint NOT NULL,
    member_id        bigint NOT NULL,
    organization_id  bigint NOT NULL,
    added_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (team_id, member_id),
    CONSTRAINT group_members_team_fk FOREIGN KEY (team_id, organization_id)
        REFERENCES teams (id, organization_id) ON DELETE CASCADE,
    -- (Members are referenced by id alone, as manager_scopes does: organization_id is
    -- written from the member's own row, server/scim/groups.rs.)
    CONSTRAINT group_members_member_fk FOREIGN KEY (member_id)
        REFERENCES members (id) ON DELETE CASCADE
);
CREATE INDEX group_members_by_member ON group_members (member_id, added_at);

-- The first-come seat waitlist: a member the policy would give a seat, when none was
-- free. Served in order of `id` as seats free (app/src/server/waitlist.rs); an entry goes
-- when the seat is granted, the member is deactivated or no longer asks for it.
CREATE TABLE seat_waitlist (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL,
    member_id        bigint NOT NULL,
    seat             text NOT NULL CONSTRAINT seat_waitlist_seat_known CHECK (seat IN ('enable', 'opportunity')),
    since            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT seat_waitlist_once UNIQUE (member_id, seat),
    CONSTRAINT seat_waitlist_member_fk FOREIGN KEY (member_id)
        REFERENCES members (id) ON DELETE CASCADE
);
CREATE INDEX seat_waitlist_queue ON seat_waitlist (organization_id, seat, id);
