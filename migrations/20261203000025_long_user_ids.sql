-- user_ids go on past EXT99999 (issue 25): EXT and five digits, or six to nine digits
-- without a leading zero (EXT100000 …), so that one number has one spelling and an
-- organization can hold a million members. The domain's ExternalId::parse says the same.
ALTER TABLE members DROP CONSTRAINT members_external_id_format;
ALTER TABLE members ADD CONSTRAINT members_external_id_format
    CHECK (external_id ~ '^EXT([0-9]{5}|[1-9][0-9]{5,8})$');
