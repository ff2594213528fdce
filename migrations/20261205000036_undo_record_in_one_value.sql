-- A change set's undo record, one value on the change set rather than a row per member
-- (issue 25). A file of 100,000 changes wrote 100,000 rows of `roster_change_members`:
-- each row a heap tuple, a primary-key entry and a `jsonb` parsed from text, 0.56 s of a
-- 7.7 s apply (docs/BENCHMARKS.md). Only the undo ever reads them, all at once, and the
-- sweep drops them all at once, so they are now one `json` array on `roster_changes`
-- (`server::roster::record::UndoItem`: the member, what the file did to them, and the
-- fields it changed). Written in one statement with the change set's counts: 12 MB of
-- JSON for 100,000 changes, checked as JSON and stored compressed (lz4, 0.5 MB) in
-- 35 ms. `json`, not `jsonb`: nothing queries inside it, and `jsonb` would parse and
-- rebuild all of it (0.3 s for 100,000 items).
ALTER TABLE roster_changes ADD COLUMN undo_record json;
-- lz4 compresses the record 25:1 at memory speed; PostgreSQL built without it keeps
-- its default (pglz: three times slower, as small).
DO $$
BEGIN
    ALTER TABLE roster_changes ALTER COLUMN undo_record SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available: the undo record keeps the default compression';
END $$;

-- The records kept so far move over, in the order the undo reads them.
UPDATE roster_changes c
   SET undo_record = r.items
  FROM (SELECT change_id,
               json_agg(json_build_object('member', member_id, 'kind', kind, 'changes', changes)
                        ORDER BY member_id) AS items
          FROM roster_change_members GROUP BY change_id) r
 WHERE r.change_id = c.id;

-- The table goes with its per-statement key (migration 33) and the trigger that took its
-- rows along with their change set: the record now goes with its row.
DROP TRIGGER change_set_takes_its_members ON roster_changes;
DROP FUNCTION change_set_takes_its_members();
DROP TABLE roster_change_members;
