-- CSV imports (SPEC §4): one row per file, for the import history and so that the same
-- file submitted twice imports nothing the second time.
CREATE TABLE imports (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    file_name        text NOT NULL,
    -- FNV-1a of the file's bytes, computed by the same code in the browser and the CLI.
    digest           text NOT NULL,
    rows_total       integer NOT NULL CONSTRAINT imports_rows_total_nonnegative CHECK (rows_total >= 0),
    imported         integer NOT NULL DEFAULT 0,
    skipped          integer NOT NULL DEFAULT 0,
    created_by       bigint REFERENCES members (id) ON DELETE SET NULL,
    actor_label      text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_by_organization ON imports (organization_id, created_at DESC);
CREATE INDEX imports_by_digest ON imports (organization_id, digest);
