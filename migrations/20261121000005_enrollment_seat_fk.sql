-- SPEC rule 2 (programs need an Enable seat) as a foreign key instead of a PL/pgSQL
-- trigger: an enrollment references its member's (id, enable_seat = true). Checked at the
-- end of the transaction like the trigger was, but by the database's own RI code, once per
-- row with no query plan to run: a 100,000-member import's enrollments commit faster.
ALTER TABLE members ADD CONSTRAINT members_id_enable_seat_unique UNIQUE (id, enable_seat);

ALTER TABLE enrollments
    ADD COLUMN member_has_enable_seat boolean NOT NULL DEFAULT true
        CONSTRAINT enrollments_member_has_enable_seat_true CHECK (member_has_enable_seat);

DROP TRIGGER enrollments_need_enable_seat ON enrollments;
DROP TRIGGER members_enable_seat_keeps_programs ON members;
DROP FUNCTION enrollments_need_enable_seat();

ALTER TABLE enrollments DROP CONSTRAINT enrollments_member_id_fkey;
ALTER TABLE enrollments ADD CONSTRAINT enrollments_need_enable_seat
    FOREIGN KEY (member_id, member_has_enable_seat) REFERENCES members (id, enable_seat)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
