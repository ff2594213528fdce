-- The license ledger summed by day (issue 25, target 4): the Licenses page's answer for
-- a date summed every line before it and ran a window over a year of lines for the
-- monthly peaks (1.4 s at 2.7 million lines). The license worker now keeps, per
-- organization, seat kind and day, what the day's lines changed and how far held and used
-- seats rose within it; a date's answer is a few hundred such rows plus the lines not
-- summed yet (the last minute or so).
--
-- A day's peak depends on the order of its lines (by `at`, then `id`), so it cannot be
-- appended to by each writer the way the member counts are: the worker sums lines that
-- are already committed, and `license_summaries.through` says up to where.
CREATE TABLE license_days (
    organization_id  bigint NOT NULL,
    seat             text NOT NULL,
    day              date NOT NULL,
    lines            bigint NOT NULL,
    bought_change    bigint NOT NULL,
    held_change      bigint NOT NULL,
    used_change      bigint NOT NULL,
    -- How far held and used seats rose above where the day began (0 if never above).
    held_rise        bigint NOT NULL,
    used_rise        bigint NOT NULL,
    PRIMARY KEY (organization_id, seat, day)
);

-- Lines of the organization before `through` are in license_days (the day holding
-- `through` up to it). No foreign key: the ledger outlives an organization, as
-- license_events does.
CREATE TABLE license_summaries (
    organization_id  bigint PRIMARY KEY,
    through          timestamptz NOT NULL
);

-- A line stamped before `through` (a transaction that began before the worker's last
-- pass, a worker's clock behind the database's) sends `through` back to the start of its
-- day, and the worker sums that day again. Every statement that writes lines holds the
-- organization's ledger lock in shared mode until it commits; the worker tries to take it
-- exclusively, so it sums only when no writer of the organization is under way, and a
-- writer that comes meanwhile waits for that pass (a minute of lines), then sees where the
-- worker got to. Shared locks do not wait for each other: writers never wait on writers.
CREATE FUNCTION license_summaries_behind() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    line record;
BEGIN
    FOR line IN SELECT organization_id, min(at) AS earliest FROM new_lines GROUP BY 1 LOOP
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('license days ' || line.organization_id, 0));
        UPDATE license_summaries
           SET through = date_trunc('day', line.earliest AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
         WHERE organization_id = line.organization_id AND through > line.earliest;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER license_summaries_behind AFTER INSERT ON license_events
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION license_summaries_behind();
