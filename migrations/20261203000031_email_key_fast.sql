-- email_key() (migration 19) compares addresses as domain::email::key does: ASCII letters
-- without case, every other character as it is. It did so with translate(), which finds
-- each character of the address in a 26-letter list, character by character: 4.8 µs an
-- address, and it runs for both address indexes of every member written (an import, a
-- change set) and for every address a roster or an import looks up — 0.5 s of each
-- 100,000 rows (EXPLAIN ANALYZE; docs/BENCHMARKS.md, issue 25). lower() under the "C"
-- collation lowercases exactly the ASCII letters, byte by byte (PostgreSQL's
-- str_tolower), so the results are the same for every text and the indexes stay valid:
-- 0.5 µs an address. The result keeps the caller's collation (an inlined SQL function's
-- result is relabelled to it), so nothing that compares or sorts keys changes either.
CREATE OR REPLACE FUNCTION email_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower($1 COLLATE "C");

-- A session keeps each index's expression as it was when it first read the index, with
-- the SQL function inlined, and replacing the function does not tell it otherwise: in the
-- connection that ran this migration (the app migrates through its pool and then serves
-- from it) the planner went on seeing translate() in these indexes, matched no query's
-- lower() to them and read every member for each address an import looked up (55 s for
-- a batch of 5,000 at 100,000 members). Rebuilding the two indexes makes every session
-- read them anew; their contents are the same.
REINDEX INDEX members_email_lookup;
REINDEX INDEX members_email_unique_per_organization;
