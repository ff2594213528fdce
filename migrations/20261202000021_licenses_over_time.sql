-- Licenses over time (issue 22): the license ledger, invitations that remind and expire,
-- scheduled deactivation, seat alerts.

-- ---------------------------------------------------------------------------------------
-- Per-organization settings
-- ---------------------------------------------------------------------------------------
ALTER TABLE organizations
    -- Days after the invitation on which a reminder goes out; empty: no reminders.
    ADD COLUMN reminder_days smallint[] NOT NULL DEFAULT ARRAY[3, 6]::smallint[]
        CONSTRAINT organizations_reminder_days_valid
        CHECK (cardinality(reminder_days) <= 3 AND 1 <= ALL (reminder_days) AND 6 >= ALL (reminder_days)),
    -- What an expired invitation does with its seats: 'release' (the default) or 'keep'.
    ADD COLUMN expired_seats text NOT NULL DEFAULT 'release'
        CONSTRAINT organizations_expired_seats_valid CHECK (expired_seats IN ('release', 'keep')),
    -- The seat alert last sent per kind ('low' or 'out'), NULL while seats are above the
    -- threshold: one mail per crossing, again only after seats rose above it.
    ADD COLUMN enable_alert text
        CONSTRAINT organizations_enable_alert_valid CHECK (enable_alert IN ('low', 'out')),
    ADD COLUMN opportunity_alert text
        CONSTRAINT organizations_opportunity_alert_valid CHECK (opportunity_alert IN ('low', 'out'));

-- ---------------------------------------------------------------------------------------
-- Invitations: reminders with links of their own, expiry marked once
-- ---------------------------------------------------------------------------------------
ALTER TABLE invitations
    ADD COLUMN reminders_sent smallint NOT NULL DEFAULT 0,
    -- Set once, by the worker that expires it (and returns its seats).
    ADD COLUMN expired_at timestamptz;
-- The worker's two questions, each through a partial index of open invitations.
CREATE INDEX invitations_open_by_creation ON invitations (created_at)
    WHERE accepted_at IS NULL AND expired_at IS NULL;
CREATE INDEX invitations_open_by_expiry ON invitations (expires_at)
    WHERE accepted_at IS NULL AND expired_at IS NULL;

-- A reminder's link: valid as long as its invitation (accepted, revoked, replaced by a
-- resend or expired, every link of it dies). The first mail's token stays on invitations.
CREATE TABLE invitation_links (
    token_hash  bytea PRIMARY KEY CONSTRAINT invitation_links_token_hash_length CHECK (octet_length(token_hash) = 32),
    member_id   bigint NOT NULL REFERENCES invitations (member_id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitation_links_by_member ON invitation_links (member_id);

ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_valid;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_valid
    CHECK (kind IN ('invitation', 'seat_request', 'password_reset', 'reminder', 'seat_alert', 'digest'));

-- ---------------------------------------------------------------------------------------
-- Scheduled deactivation
-- ---------------------------------------------------------------------------------------
ALTER TABLE members ADD COLUMN deactivate_on date;
CREATE INDEX members_deactivate_on ON members (deactivate_on) WHERE deactivate_on IS NOT NULL;

-- ---------------------------------------------------------------------------------------
-- The license ledger: every seat event, appended by triggers in the transaction of the
-- change, so that no path (page, file, command line, worker, hand-written SQL) can change
-- seats without a line here. Who and how come from transaction-local settings the server
-- sets (`roster.via`, `roster.actor`, `roster.actor_member`, `roster.detail`, `roster.at`).
-- No foreign keys: the history outlives what it tells of.
-- ---------------------------------------------------------------------------------------
CREATE TABLE license_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL,
    member_id        bigint,
    seat             text NOT NULL CONSTRAINT license_events_seat_valid CHECK (seat IN ('enable', 'opportunity')),
    event            text NOT NULL CONSTRAINT license_events_event_valid
        CHECK (event IN ('granted', 'used', 'freed', 'kept', 'returned', 'bought')),
    -- What the event did to the counts: summing them up to a date answers for that date.
    held_delta       smallint NOT NULL DEFAULT 0,
    used_delta       smallint NOT NULL DEFAULT 0,
    bought_delta     integer NOT NULL DEFAULT 0,
    -- Why a seat was freed: removed, deactivated, revoked, deleted.
    reason           text,
    via              text NOT NULL,
    actor_label      text NOT NULL,
    actor_member_id  bigint,
    detail           jsonb NOT NULL DEFAULT '{}'::jsonb,
    at               timestamptz NOT NULL DEFAULT now()
);
-- As-of sums and monthly peaks read only this index.
CREATE INDEX license_events_by_organization ON license_events (organization_id, at, id)
    INCLUDE (seat, held_delta, used_delta, bought_delta);
CREATE INDEX license_events_by_member ON license_events (member_id, at) WHERE member_id IS NOT NULL;

CREATE FUNCTION license_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the license ledger is append-only: % is refused', TG_OP
        USING ERRCODE = '55000', CONSTRAINT = 'license_events_append_only';
END $$;
CREATE TRIGGER license_events_append_only BEFORE UPDATE OR DELETE ON license_events
    FOR EACH STATEMENT EXECUTE FUNCTION license_events_refuse_change();
CREATE TRIGGER license_events_no_truncate BEFORE TRUNCATE ON license_events
    FOR EACH STATEMENT EXECUTE FUNCTION license_events_refuse_change();

-- A transaction-local setting, NULL when unset.
CREATE FUNCTION ledger_setting(name text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('roster.' || name, true), '')
$$;

CREATE FUNCTION ledger_at() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce(ledger_setting('at')::timestamptz, now())
$$;

CREATE FUNCTION members_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    via     text   := coalesce(ledger_setting('via'), 'database');
    actor   text   := coalesce(ledger_setting('actor'), current_user);
    actor_m bigint := ledger_setting('actor_member')::bigint;
    detail  jsonb  := coalesce(ledger_setting('detail')::jsonb, '{}'::jsonb);
    crossed jsonb  := ledger_setting('crossed')::jsonb;
    at      timestamptz := ledger_at();
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO license_events (organization_id, member_id, seat, event, held_delta, used_delta,
                                    via, actor_label, actor_member_id, detail, at)
        SELECT n.organization_id, n.id, k.seat, 'granted', 1, (k.seat = 'enable' AND n.license_used)::int,
               via, actor, actor_m, detail, at
          FROM new_members n
         CROSS JOIN LATERAL (VALUES ('enable', n.enable_seat), ('opportunity', n.opportunity_seat)) k(seat, held)
         WHERE k.held;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO license_events (organization_id, member_id, seat, event, held_delta, used_delta, reason,
                                    via, actor_label, actor_member_id, detail, at)
        SELECT o.organization_id, o.id, k.seat, 'freed', -1, -(k.seat = 'enable' AND o.license_used)::int,
               'deleted', via, actor, actor_m, detail, at
          FROM old_members o
         CROSS JOIN LATERAL (VALUES ('enable', o.enable_seat), ('opportunity', o.opportunity_seat)) k(seat, held)
         WHERE k.held;
    ELSE
        INSERT INTO license_events (organization_id, member_id, seat, event, held_delta, used_delta, reason,
                                    via, actor_label, actor_member_id, detail, at)
        SELECT c.organization_id, c.id, c.seat,
               CASE WHEN c.new_held AND NOT c.old_held THEN 'granted'
                    WHEN c.old_held AND NOT c.new_held AND via = 'expiry' THEN 'returned'
                    WHEN c.old_held AND NOT c.new_held THEN 'freed'
                    WHEN c.new_used AND NOT c.old_used THEN 'used'
                    ELSE 'kept' END,
               c.new_held::int - c.old_held::int,
               c.new_used::int - c.old_used::int,
               CASE WHEN c.old_held AND NOT c.new_held THEN
                    CASE WHEN via = 'expiry' THEN 'expired'
                         WHEN c.new_status = 'deactivated' AND c.old_status = 'invited' THEN 'revoked'
                         WHEN c.new_status = 'deactivated' AND c.old_status <> 'deactivated' THEN 'deactivated'
                         ELSE 'removed' END END,
               via, actor, actor_m,
               CASE WHEN c.new_used AND NOT c.old_used AND crossed IS NOT NULL THEN detail || crossed
                    WHEN c.new_held AND NOT c.old_held AND c.old_status = 'deactivated' AND c.new_status <> 'deactivated'
                         THEN detail || '{"reactivated": true}'::jsonb
                    ELSE detail END,
               at
          FROM (SELECT n.organization_id, n.id, k.seat, k.old_held, k.new_held, k.old_used, k.new_used,
                       o.status AS old_status, n.status AS new_status
                  FROM new_members n JOIN old_members o ON o.id = n.id
                 CROSS JOIN LATERAL (VALUES
                       ('enable', o.enable_seat, n.enable_seat,
                        o.enable_seat AND o.license_used, n.enable_seat AND n.license_used),
                       ('opportunity', o.opportunity_seat, n.opportunity_seat, false, false))
                       k(seat, old_held, new_held, old_used, new_used)
                 WHERE o.enable_seat IS DISTINCT FROM n.enable_seat
                    OR o.opportunity_seat IS DISTINCT FROM n.opportunity_seat
                    OR o.license_used IS DISTINCT FROM n.license_used
                    OR o.status IS DISTINCT FROM n.status) c
         WHERE c.old_held <> c.new_held OR c.old_used <> c.new_used
            -- A used license kept through a deactivation (SPEC rule 3) is an event too.
            OR (c.seat = 'enable' AND c.new_used AND c.new_status = 'deactivated'
                AND c.old_status <> 'deactivated');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER members_ledger_insert AFTER INSERT ON members
    REFERENCING NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_ledger();
CREATE TRIGGER members_ledger_update AFTER UPDATE ON members
    REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_ledger();
CREATE TRIGGER members_ledger_delete AFTER DELETE ON members
    REFERENCING OLD TABLE AS old_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_ledger();

-- The program and progress that made a license used travel to the member's ledger line.
CREATE OR REPLACE FUNCTION enrollments_mark_license_used() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('roster.crossed', jsonb_build_object(
        'program', (SELECT slug FROM programs WHERE id = NEW.program_id),
        'progress_basis_points', NEW.progress_basis_points)::text, true);
    UPDATE members SET license_used = true WHERE id = NEW.member_id AND NOT license_used;
    PERFORM set_config('roster.crossed', '', true);
    RETURN NULL;
END $$;

-- Seats bought, as the vendor changes them.
CREATE FUNCTION organizations_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    via     text   := coalesce(ledger_setting('via'), 'database');
    actor   text   := coalesce(ledger_setting('actor'), current_user);
    actor_m bigint := ledger_setting('actor_member')::bigint;
    at      timestamptz := ledger_at();
    old_enable integer := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.enable_seats END;
    old_opportunity integer := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.opportunity_seats END;
BEGIN
    INSERT INTO license_events (organization_id, seat, event, bought_delta, via, actor_label,
                                actor_member_id, detail, at)
    SELECT NEW.id, k.seat, 'bought', k.new - k.old, via, actor, actor_m,
           jsonb_build_object('from', k.old, 'to', k.new), at
      FROM (VALUES ('enable', old_enable, NEW.enable_seats),
                   ('opportunity', old_opportunity, NEW.opportunity_seats)) k(seat, old, new)
     WHERE k.old <> k.new;
    RETURN NULL;
END $$;

CREATE TRIGGER organizations_ledger_insert AFTER INSERT ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_ledger();
CREATE TRIGGER organizations_ledger_update AFTER UPDATE OF enable_seats, opportunity_seats ON organizations
    FOR EACH ROW WHEN (OLD.enable_seats <> NEW.enable_seats OR OLD.opportunity_seats <> NEW.opportunity_seats)
    EXECUTE FUNCTION organizations_ledger();

-- The opening balance of what exists: bought at the organization's creation, held at
-- each member's, used when they became active (the nearest date known).
INSERT INTO license_events (organization_id, seat, event, bought_delta, via, actor_label, detail, at)
SELECT o.id, k.seat, 'bought', k.n, 'migration', 'opening balance', '{}'::jsonb, o.created_at
  FROM organizations o
 CROSS JOIN LATERAL (VALUES ('enable', o.enable_seats), ('opportunity', o.opportunity_seats)) k(seat, n)
 WHERE k.n > 0;
INSERT INTO license_events (organization_id, member_id, seat, event, held_delta, via, actor_label, at)
SELECT m.organization_id, m.id, k.seat, 'granted', 1, 'migration', 'opening balance', m.created_at
  FROM members m
 CROSS JOIN LATERAL (VALUES ('enable', m.enable_seat), ('opportunity', m.opportunity_seat)) k(seat, held)
 WHERE k.held;
INSERT INTO license_events (organization_id, member_id, seat, event, used_delta, via, actor_label, at)
SELECT m.organization_id, m.id, 'enable', 'used', 1, 'migration', 'opening balance',
       greatest(m.created_at, coalesce(m.activated_at, m.created_at))
  FROM members m
 WHERE m.license_used AND m.enable_seat;

-- The invitation a token opens: its first mail's or a reminder's (a token hash is unique
-- in each table, and 256 random bits make a hash shared by both not happen).
CREATE FUNCTION invitation_holding(token bytea) RETURNS TABLE (member_id bigint) LANGUAGE sql STABLE AS $$
    SELECT member_id FROM invitations WHERE token_hash = token
    UNION ALL
    SELECT member_id FROM invitation_links WHERE token_hash = token
    LIMIT 1
$$;

-- The weekly digest, for administrators and managers who opt in.
ALTER TABLE members
    ADD COLUMN weekly_digest boolean NOT NULL DEFAULT false,
    ADD COLUMN digest_sent_at timestamptz;
CREATE INDEX members_weekly_digest ON members (digest_sent_at NULLS FIRST) WHERE weekly_digest;

-- Who acts and how, for the ledger's triggers, for the rest of the transaction (callable
-- inside the statement that locks the organization: no round trip of its own).
CREATE FUNCTION ledger_note(via text, actor text, actor_member text, detail text, at text)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('roster.via', via, true), set_config('roster.actor', actor, true),
            set_config('roster.actor_member', actor_member, true),
            set_config('roster.detail', detail, true), set_config('roster.at', at, true);
END $$;

-- The teams a manager manages, their regions' teams included: the sessions' scope and the
-- weekly digest's.
CREATE FUNCTION managed_teams(member bigint) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT ARRAY(SELECT DISTINCT t.id FROM manager_scopes s
                   JOIN teams t ON t.id = s.team_id OR t.region_id = s.region_id
                  WHERE s.member_id = managed_teams.member ORDER BY t.id)
$$;
