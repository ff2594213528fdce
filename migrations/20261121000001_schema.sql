-- Roster's schema (SPEC §1). The invariants that count are held by the database itself,
-- so that no code path, concurrent request or hand-written SQL can break them.

-- ---------------------------------------------------------------------------------------
-- Organizations and their seats
-- ---------------------------------------------------------------------------------------
CREATE TABLE organizations (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                    text NOT NULL
        CONSTRAINT organizations_name_valid CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 200),
    enable_seats            integer NOT NULL CONSTRAINT organizations_enable_seats_nonnegative CHECK (enable_seats >= 0),
    opportunity_seats       integer NOT NULL CONSTRAINT organizations_opportunity_seats_nonnegative CHECK (opportunity_seats >= 0),
    -- Seats held, kept by the statement triggers on members below. Because they live on the
    -- organization row, every transaction that takes a seat updates (and so locks) that row:
    -- two concurrent grants of the last seat serialize here and the CHECK refuses the second.
    enable_seats_held       integer NOT NULL DEFAULT 0,
    opportunity_seats_held  integer NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_enable_seats_within_bought
        CHECK (enable_seats_held BETWEEN 0 AND enable_seats),
    CONSTRAINT organizations_opportunity_seats_within_bought
        CHECK (opportunity_seats_held BETWEEN 0 AND opportunity_seats)
);

-- ---------------------------------------------------------------------------------------
-- The program catalog (SPEC §3): the same for every organization
-- ---------------------------------------------------------------------------------------
CREATE TABLE programs (
    id        smallint PRIMARY KEY,
    slug      text NOT NULL UNIQUE CONSTRAINT programs_slug_lowercase CHECK (slug = lower(slug)),
    name      text NOT NULL UNIQUE,
    position  smallint NOT NULL
);

INSERT INTO programs (id, slug, name, position) VALUES
    (1, 'meddpicc-leadership-and-enablement-toolkit', 'MEDDPICC Leadership and Enablement Toolkit', 1),
    (2, 'meddpicc-leadership-and-enablement-program', 'MEDDPICC Leadership and Enablement Program', 2),
    (3, 'meddicc-value-program',                      'MEDDICC Value Program',                      3),
    (4, 'meddpicc-masterclass',                       'MEDDPICC Masterclass',                       4),
    (5, 'meddicc-go-live-plan',                       'MEDDICC Go Live Plan',                       5),
    (6, 'value-pyramid-program',                      'MEDDICC Value Pyramid Program',              6);

-- ---------------------------------------------------------------------------------------
-- Regions and teams
-- ---------------------------------------------------------------------------------------
CREATE TABLE regions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text NOT NULL
        CONSTRAINT regions_name_valid CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 100),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- Lets teams reference (id, organization_id) so a team can never sit in another tenant's region.
    CONSTRAINT regions_id_organization_unique UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX regions_name_unique_per_organization ON regions (organization_id, lower(name));

CREATE TABLE teams (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL,
    region_id        bigint NOT NULL,
    name             text NOT NULL
        CONSTRAINT teams_name_valid CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 100),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- RESTRICT: a region with teams cannot be deleted (SPEC rule 8).
    CONSTRAINT teams_region_fk FOREIGN KEY (region_id, organization_id)
        REFERENCES regions (id, organization_id) ON DELETE RESTRICT,
    CONSTRAINT teams_id_organization_unique UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX teams_name_unique_per_region ON teams (region_id, lower(name));

-- ---------------------------------------------------------------------------------------
-- Members
-- ---------------------------------------------------------------------------------------
CREATE TABLE members (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id   bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    external_id       text
        CONSTRAINT members_external_id_format CHECK (external_id ~ '^EXT[0-9]{5}$'),
    first_name        text NOT NULL
        CONSTRAINT members_first_name_valid CHECK (first_name = btrim(first_name) AND char_length(first_name) BETWEEN 1 AND 100),
    last_name         text NOT NULL
        CONSTRAINT members_last_name_valid CHECK (last_name = btrim(last_name) AND char_length(last_name) BETWEEN 1 AND 100),
    email             text NOT NULL
        CONSTRAINT members_email_valid CHECK (
            email = btrim(email) AND char_length(email) BETWEEN 3 AND 254 AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    job_title         text NOT NULL DEFAULT ''
        CONSTRAINT members_job_title_valid CHECK (job_title = btrim(job_title) AND char_length(job_title) <= 150),
    permission        text NOT NULL
        CONSTRAINT members_permission_valid CHECK (permission IN ('admin', 'member')),
    status            text NOT NULL DEFAULT 'invited'
        CONSTRAINT members_status_valid CHECK (status IN ('invited', 'active', 'deactivated')),
    enable_seat       boolean NOT NULL DEFAULT false,
    opportunity_seat  boolean NOT NULL DEFAULT false,
    team_id           bigint,
    password_hash     text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    activated_at      timestamptz,
    deactivated_at    timestamptz,
    -- An active member has set a password; an invited one has not yet.
    CONSTRAINT members_active_has_password CHECK (status <> 'active' OR password_hash IS NOT NULL),
    CONSTRAINT members_invited_has_no_password CHECK (status <> 'invited' OR password_hash IS NULL),
    -- The team must belong to the member's own organization; deleting a team unassigns.
    CONSTRAINT members_team_fk FOREIGN KEY (team_id, organization_id)
        REFERENCES teams (id, organization_id) ON DELETE SET NULL (team_id),
    CONSTRAINT members_id_organization_unique UNIQUE (id, organization_id)
);
-- One member per address and organization, compared case-insensitively (SPEC §1).
CREATE UNIQUE INDEX members_email_unique_per_organization ON members (organization_id, lower(email));
CREATE UNIQUE INDEX members_external_id_unique_per_organization ON members (organization_id, external_id)
    WHERE external_id IS NOT NULL;
-- Sign-in looks a member up by address across organizations.
CREATE INDEX members_email_lookup ON members (lower(email));
-- The member list: keyset pagination by name within an organization.
CREATE INDEX members_list_by_name ON members (organization_id, lower(last_name), lower(first_name), id);
CREATE INDEX members_by_status ON members (organization_id, status);
CREATE INDEX members_by_team ON members (team_id) WHERE team_id IS NOT NULL;

-- Seats held per organization, maintained per statement (not per row) so a bulk import
-- of 100,000 members updates the organization row once. Transition tables carry the rows.
CREATE FUNCTION members_count_seats_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations o
       SET enable_seats_held      = o.enable_seats_held + d.enable,
           opportunity_seats_held = o.opportunity_seats_held + d.opportunity
      FROM (SELECT organization_id,
                   count(*) FILTER (WHERE enable_seat)      AS enable,
                   count(*) FILTER (WHERE opportunity_seat) AS opportunity
              FROM new_members GROUP BY organization_id) d
     WHERE o.id = d.organization_id AND (d.enable <> 0 OR d.opportunity <> 0);
    RETURN NULL;
END $$;

CREATE FUNCTION members_count_seats_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations o
       SET enable_seats_held      = o.enable_seats_held + d.enable,
           opportunity_seats_held = o.opportunity_seats_held + d.opportunity
      FROM (SELECT organization_id, sum(enable) AS enable, sum(opportunity) AS opportunity
              FROM (SELECT organization_id, enable_seat::int AS enable, opportunity_seat::int AS opportunity FROM new_members
                    UNION ALL
                    SELECT organization_id, -enable_seat::int, -opportunity_seat::int FROM old_members) changes
             GROUP BY organization_id) d
     WHERE o.id = d.organization_id AND (d.enable <> 0 OR d.opportunity <> 0);
    RETURN NULL;
END $$;

CREATE FUNCTION members_count_seats_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations o
       SET enable_seats_held      = o.enable_seats_held - d.enable,
           opportunity_seats_held = o.opportunity_seats_held - d.opportunity
      FROM (SELECT organization_id,
                   count(*) FILTER (WHERE enable_seat)      AS enable,
                   count(*) FILTER (WHERE opportunity_seat) AS opportunity
              FROM old_members GROUP BY organization_id) d
     WHERE o.id = d.organization_id AND (d.enable <> 0 OR d.opportunity <> 0);
    RETURN NULL;
END $$;

CREATE TRIGGER members_seats_insert AFTER INSERT ON members
    REFERENCING NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_count_seats_after_insert();
CREATE TRIGGER members_seats_update AFTER UPDATE ON members
    REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_count_seats_after_update();
CREATE TRIGGER members_seats_delete AFTER DELETE ON members
    REFERENCING OLD TABLE AS old_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_count_seats_after_delete();

-- ---------------------------------------------------------------------------------------
-- Enrollments and progress
-- ---------------------------------------------------------------------------------------
CREATE TABLE enrollments (
    member_id              bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    program_id             smallint NOT NULL REFERENCES programs (id),
    -- Hundredths of a percent (0..10000): 9.99 % and 10 % stay exact (SPEC rule 3).
    progress_basis_points  integer NOT NULL DEFAULT 0
        CONSTRAINT enrollments_progress_range CHECK (progress_basis_points BETWEEN 0 AND 10000),
    enrolled_at            timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member_id, program_id)
);
CREATE INDEX enrollments_by_program ON enrollments (program_id);

-- SPEC rule 2: only a member holding an Enable seat can be enrolled, and an Enable seat
-- cannot be dropped while programs remain. Both checked at the end of the transaction so a
-- single transaction may drop programs and then the seat, or grant the seat and enroll.
CREATE FUNCTION enrollments_need_enable_seat() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked_member bigint;
BEGIN
    -- Deferred: re-read the member's state as it is at commit, not as the row was.
    IF TG_TABLE_NAME = 'enrollments' THEN
        checked_member := NEW.member_id;
    ELSE
        checked_member := NEW.id;
    END IF;
    IF EXISTS (SELECT 1 FROM enrollments e JOIN members m ON m.id = e.member_id
                WHERE e.member_id = checked_member AND NOT m.enable_seat) THEN
        RAISE EXCEPTION 'member % has programs but no Enable seat', checked_member
            USING ERRCODE = '23514', CONSTRAINT = 'enrollments_need_enable_seat';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER enrollments_need_enable_seat AFTER INSERT OR UPDATE OF member_id ON enrollments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION enrollments_need_enable_seat();
CREATE CONSTRAINT TRIGGER members_enable_seat_keeps_programs AFTER UPDATE OF enable_seat ON members
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.enable_seat AND NOT NEW.enable_seat)
    EXECUTE FUNCTION enrollments_need_enable_seat();

-- ---------------------------------------------------------------------------------------
-- Invitations, sessions and sign-in throttling
-- ---------------------------------------------------------------------------------------
CREATE TABLE invitations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- One live invitation per member: resending replaces the row, so the old link dies.
    member_id     bigint NOT NULL UNIQUE REFERENCES members (id) ON DELETE CASCADE,
    -- SHA-256 of the random token; the token itself only ever exists in the email.
    token_hash    bytea NOT NULL UNIQUE CONSTRAINT invitations_token_hash_length CHECK (octet_length(token_hash) = 32),
    invited_by    bigint REFERENCES members (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    CONSTRAINT invitations_expiry_after_creation CHECK (expires_at > created_at)
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's random value: a database leak yields no usable session.
    token_hash    bytea PRIMARY KEY CONSTRAINT sessions_token_hash_length CHECK (octet_length(token_hash) = 32),
    member_id     bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_by_member ON sessions (member_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed sign-ins, kept in the database so every server instance throttles alike.
CREATE TABLE sign_in_failures (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_lower   text NOT NULL,
    ip_address    text NOT NULL,
    failed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email_lower, failed_at);
CREATE INDEX sign_in_failures_by_ip ON sign_in_failures (ip_address, failed_at);

-- ---------------------------------------------------------------------------------------
-- The transactional outbox (SPEC §5) and the audit log
-- ---------------------------------------------------------------------------------------
CREATE TABLE email_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id        bigint REFERENCES members (id) ON DELETE SET NULL,
    kind             text NOT NULL CONSTRAINT email_outbox_kind_valid CHECK (kind IN ('invitation')),
    to_address       text NOT NULL,
    subject          text NOT NULL,
    body_text        text NOT NULL,
    body_html        text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
        CONSTRAINT email_outbox_status_valid CHECK (status IN ('pending', 'sent', 'kept')),
    attempts         integer NOT NULL DEFAULT 0 CONSTRAINT email_outbox_attempts_nonnegative CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    CONSTRAINT email_outbox_sent_has_time CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_by_organization ON email_outbox (organization_id, created_at DESC);

CREATE TABLE audit_log (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id    bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    actor_member_id    bigint REFERENCES members (id) ON DELETE SET NULL,
    -- Who acted when there is no member (the command line, the demo seed).
    actor_label        text NOT NULL,
    action             text NOT NULL,
    subject_member_id  bigint REFERENCES members (id) ON DELETE SET NULL,
    details            jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_by_organization ON audit_log (organization_id, created_at DESC);
