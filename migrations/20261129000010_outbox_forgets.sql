-- A delivered message keeps what was sent, to whom and when (its subject), never its body
-- or data: an invitation link must not outlive its delivery in the database.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_has_content;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_has_content CHECK (
    status = 'sent'
    OR payload IS NOT NULL
    OR (subject IS NOT NULL AND body_text IS NOT NULL AND body_html IS NOT NULL));

-- Messages delivered before this: keep a subject, drop the rest.
UPDATE email_outbox
   SET subject = COALESCE(subject, CASE kind
           WHEN 'invitation' THEN (payload->>'inviter') || ' invited you to ' || (payload->>'organization') || ' on Roster'
           ELSE kind END),
       payload = NULL, body_text = NULL, body_html = NULL
 WHERE status = 'sent';
