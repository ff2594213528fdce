-- An import is completed when its last batch arrived; until then it is in progress, or
-- (no batch for a while) interrupted, and the same file again continues it.
ALTER TABLE imports
    ADD COLUMN completed_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN already integer NOT NULL DEFAULT 0;
-- Imports from before this change ran to their end or refused the file again anyway.
UPDATE imports SET completed_at = created_at, updated_at = created_at;
