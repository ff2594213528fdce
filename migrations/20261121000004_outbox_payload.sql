-- Invitation emails are stored as the data they are made of (a few hundred bytes) and
-- rendered when delivered or shown, instead of as rendered text and HTML (1.7 KB each):
-- an import of 100,000 members writes 100,000 of them in its transaction.
ALTER TABLE email_outbox
    ADD COLUMN payload jsonb,
    ALTER COLUMN subject DROP NOT NULL,
    ALTER COLUMN body_text DROP NOT NULL,
    ALTER COLUMN body_html DROP NOT NULL,
    ADD CONSTRAINT email_outbox_has_content CHECK (payload IS NOT NULL OR (subject IS NOT NULL AND body_text IS NOT NULL AND body_html IS NOT NULL));
