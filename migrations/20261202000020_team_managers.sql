-- Team managers, and one place where queries meet the scope of who acts (issue 21).

-- A third permission: a manager sees and acts on the members of the teams and regions
-- they manage (manager_scopes), nothing else of the organization.
ALTER TABLE members DROP CONSTRAINT members_permission_valid;
ALTER TABLE members ADD CONSTRAINT members_permission_valid
    CHECK (permission IN ('admin', 'manager', 'member'));

-- What a manager manages: a team, or a region (and so every team in it, today's and
-- tomorrow's). The composite keys keep a team or region inside the organization;
-- deleting a team or region drops it from every scope.
CREATE TABLE manager_scopes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL,
    member_id        bigint NOT NULL,
    team_id          bigint,
    region_id        bigint,
    CONSTRAINT manager_scopes_one_kind CHECK ((team_id IS NULL) <> (region_id IS NULL)),
    -- (members has no unique (id, organization_id) any more, see 20261122000008: the
    -- scope is written from the member's own row, server/managers.rs.)
    CONSTRAINT manager_scopes_member_fk FOREIGN KEY (member_id)
        REFERENCES members (id) ON DELETE CASCADE,
    CONSTRAINT manager_scopes_team_fk FOREIGN KEY (team_id, organization_id)
        REFERENCES teams (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT manager_scopes_region_fk FOREIGN KEY (region_id, organization_id)
        REFERENCES regions (id, organization_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX manager_scopes_team_unique ON manager_scopes (member_id, team_id)
    WHERE team_id IS NOT NULL;
CREATE UNIQUE INDEX manager_scopes_region_unique ON manager_scopes (member_id, region_id)
    WHERE region_id IS NOT NULL;
CREATE INDEX manager_scopes_by_team ON manager_scopes (team_id) WHERE team_id IS NOT NULL;
CREATE INDEX manager_scopes_by_region ON manager_scopes (region_id) WHERE region_id IS NOT NULL;

-- Whether managers may invite members into the teams they manage (administrators decide).
ALTER TABLE organizations ADD COLUMN managers_may_invite boolean NOT NULL DEFAULT false;

-- What an API key may do. Keys made before scopes existed keep what they did: progress.
ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['progress']
    CONSTRAINT api_keys_scopes_known
        CHECK (scopes <@ ARRAY['progress', 'members:read', 'members:write']
               AND cardinality(scopes) BETWEEN 1 AND 3);

-- The members who acts may see: the organization's, narrowed to `teams` when it is not
-- NULL (a manager's teams, regions resolved to their teams). Every query that reads an
-- organization's members goes through here (app/src/server/scope.rs binds the two
-- arguments from the caller's Access). A plain SQL function, STABLE and not STRICT, so
-- PostgreSQL inlines it into the calling query: the indexes on members are used as if the
-- condition were written in place.
CREATE FUNCTION scoped_members(organization bigint, teams bigint[])
    RETURNS SETOF members LANGUAGE sql STABLE AS $$
    SELECT * FROM members
     WHERE organization_id = organization
       AND (scoped_members.teams IS NULL OR team_id = ANY (scoped_members.teams))
$$;

-- The teams who acts may see (for a team filter or a report's choices), by the same rule.
CREATE FUNCTION scoped_teams(organization bigint, teams bigint[])
    RETURNS SETOF teams LANGUAGE sql STABLE AS $$
    SELECT * FROM teams
     WHERE organization_id = organization
       AND (scoped_teams.teams IS NULL OR id = ANY (scoped_teams.teams))
$$;
