-- A file applied as a change set ("this is my team now"): what each member was before and
-- is after, so that the file can be undone within 24 hours when nothing since depends on it.
CREATE TABLE roster_changes (
    id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    file_name text NOT NULL,
    -- The fingerprint of the file's text (import::digest).
    digest text NOT NULL,
    actor_label text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    undone_at timestamptz,
    invited integer NOT NULL DEFAULT 0,
    changed integer NOT NULL DEFAULT 0,
    deactivated integer NOT NULL DEFAULT 0
);
CREATE INDEX roster_changes_by_organization ON roster_changes (organization_id, id DESC);

-- One member a file touched: `kind` invite, change or deactivate; `before` and `after`
-- hold the fields it changed (import::roster::FieldChange), as the file's cells.
CREATE TABLE roster_change_members (
    change_id bigint NOT NULL REFERENCES roster_changes (id) ON DELETE CASCADE,
    member_id bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('invite', 'change', 'deactivate')),
    changes jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (change_id, member_id)
);
