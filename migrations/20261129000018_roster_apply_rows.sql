-- A change set's rows, sent by the page in parts before it is applied: no request carries
-- the whole file, and the page shows how much of it has been sent. The parts go with their
-- progress row (when the apply ends, or after a day for one never applied).
CREATE TABLE roster_apply_rows (
    key uuid NOT NULL REFERENCES roster_apply_progress (key) ON DELETE CASCADE,
    part integer NOT NULL CHECK (part >= 0),
    -- The part's rows as the page sends them (import::RowCells, as JSON).
    rows jsonb NOT NULL,
    PRIMARY KEY (key, part)
);
