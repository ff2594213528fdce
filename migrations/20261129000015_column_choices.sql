-- What an organization chose when it matched a file's columns to the template's (the
-- Import page's matching step), so its next file from the same source is matched the same
-- way. Keyed by the header as `import::columns::header_key` reduces it; `template_column`
-- NULL means "ignore this column".
CREATE TABLE column_choices (
    organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    header_key text NOT NULL,
    template_column text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, header_key),
    CONSTRAINT column_choices_key_length CHECK (length(header_key) BETWEEN 1 AND 200),
    CONSTRAINT column_choices_column_valid CHECK (template_column IN (
        'user_id', 'first_name', 'last_name', 'email', 'job_title',
        'mos_enable', 'mos_opportunity', 'course_enrollments'))
);
