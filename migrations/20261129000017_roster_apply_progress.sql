-- How far a change set's apply has got, for the page's progress bar. Written outside the
-- apply's transaction (whose work no one can see until it commits) and read by whichever
-- instance the page's poll reaches; the row goes when the apply ends.
CREATE TABLE roster_apply_progress (
    key uuid PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    done integer NOT NULL DEFAULT 0,
    total integer NOT NULL DEFAULT 0,
    stage text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
