-- An outbox row's member_id says whom the mail was for; nothing follows it back to the
-- member. As a foreign key it made every queued invitation lock its member row: importing
-- 100,000 rows spent 1.2 s on those checks (docs/BENCHMARKS.md). Members are never deleted
-- on their own (they are deactivated); deleting an organization deletes its members and its
-- outbox rows alike (organization_id keeps its foreign key with ON DELETE CASCADE).
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_member_id_fkey;

-- Nothing references members by (id, organization_id) (teams and regions are referenced
-- that way; members are not), so this unique index was maintained for nothing on every
-- member insert.
ALTER TABLE members DROP CONSTRAINT members_id_organization_unique;
