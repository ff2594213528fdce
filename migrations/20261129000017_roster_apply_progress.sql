-- How far a change set's apply has got, for the page's progress bar. Written outside the
-- apply's transaction (whose work no one can see until it commits) and read by whichever
-- instance the page's poll reaches; the row goes when the apply ends. No foreign key to
-- organizations: its check would wait for the organization's lock (FOR UPDATE), the very
-- wait the bar is there to show; rows an apply left behind go after a day.
CREATE TABLE roster_apply_progress (
    key uuid PRIMARY KEY,
    organization_id bigint NOT NULL,
    done integer NOT NULL DEFAULT 0,
    total integer NOT NULL DEFAULT 0,
    stage text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
