-- The learner's side (SPEC rule 6): each program is a list of lessons; completing a
-- lesson raises the enrollment's progress (never lowers it).
CREATE TABLE lessons (
    id          smallint PRIMARY KEY,
    program_id  smallint NOT NULL REFERENCES programs (id),
    position    smallint NOT NULL CONSTRAINT lessons_position_positive CHECK (position > 0),
    title       text NOT NULL,
    minutes     smallint NOT NULL CONSTRAINT lessons_minutes_positive CHECK (minutes > 0),
    CONSTRAINT lessons_position_unique UNIQUE (program_id, position),
    CONSTRAINT lessons_id_program_unique UNIQUE (id, program_id)
);

-- Which lessons a member completed. Tied to the enrollment: unassigning a program (only
-- possible below 10 %) removes its completions with it.
CREATE TABLE lesson_completions (
    member_id     bigint NOT NULL,
    program_id    smallint NOT NULL,
    lesson_id     smallint NOT NULL,
    completed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member_id, lesson_id),
    CONSTRAINT lesson_completions_enrollment_fk FOREIGN KEY (member_id, program_id)
        REFERENCES enrollments (member_id, program_id) ON DELETE CASCADE,
    CONSTRAINT lesson_completions_lesson_fk FOREIGN KEY (lesson_id, program_id)
        REFERENCES lessons (id, program_id)
);

-- Twelve lessons per program: one lesson is 8.33 %, two pass the 10 % of SPEC rule 3.
INSERT INTO lessons (id, program_id, position, title, minutes)
SELECT (p.program_id - 1) * 12 + l.position, p.program_id, l.position, l.title, l.minutes
  FROM (VALUES
    (1, 1, 'Why MEDDPICC: qualifying to win', 15), (1, 2, 'Metrics that matter to the buyer', 20),
    (1, 3, 'Finding the Economic Buyer', 20), (1, 4, 'Decision Criteria and how to shape them', 25),
    (1, 5, 'Mapping the Decision Process', 20), (1, 6, 'The Paper Process: from yes to signature', 15),
    (1, 7, 'Identifying Pain that moves a deal', 25), (1, 8, 'Building and testing a Champion', 25),
    (1, 9, 'Competition: seeing the whole field', 20), (1, 10, 'Deal reviews with MEDDPICC', 30),
    (1, 11, 'Coaching your team on qualification', 30), (1, 12, 'Toolkit wrap-up and templates', 10),
    (2, 1, 'Leading with MEDDPICC', 15), (2, 2, 'Setting the qualification standard', 20),
    (2, 3, 'Forecasting on evidence, not hope', 25), (2, 4, 'Running a MEDDPICC pipeline review', 30),
    (2, 5, 'Coaching conversations that stick', 25), (2, 6, 'Champion development as a team habit', 20),
    (2, 7, 'Inspecting Decision Process and Paper Process', 20), (2, 8, 'Spotting risk early', 20),
    (2, 9, 'Enablement plans for new hires', 25), (2, 10, 'Measuring adoption', 15),
    (2, 11, 'Leadership role-play workshop', 40), (2, 12, 'Your 90-day leadership plan', 20),
    (3, 1, 'What buyers value', 15), (3, 2, 'Discovery that uncovers value', 25),
    (3, 3, 'Quantifying business impact', 25), (3, 4, 'Building the value hypothesis', 20),
    (3, 5, 'Tying value to Metrics', 20), (3, 6, 'Value with the Economic Buyer', 25),
    (3, 7, 'Defending price with value', 20), (3, 8, 'Value in competitive deals', 20),
    (3, 9, 'Writing the business case', 30), (3, 10, 'Presenting the business case', 25),
    (3, 11, 'Value after the signature', 15), (3, 12, 'Value Program assessment', 20),
    (4, 1, 'Masterclass kickoff', 10), (4, 2, 'Advanced Metrics', 30),
    (4, 3, 'Access to power', 30), (4, 4, 'Engineering Decision Criteria', 30),
    (4, 5, 'Compressing the Decision Process', 30), (4, 6, 'Procurement and legal without surprises', 25),
    (4, 7, 'Pain chains across the organization', 30), (4, 8, 'Champions who sell when you are not there', 30),
    (4, 9, 'Winning against the status quo', 25), (4, 10, 'Multi-threading large deals', 30),
    (4, 11, 'Masterclass deal clinic', 45), (4, 12, 'Certification', 30),
    (5, 1, 'Go-live goals and owners', 15), (5, 2, 'Configuring your CRM for MEDDICC', 25),
    (5, 3, 'Opportunity fields and stages', 20), (5, 4, 'Manager dashboards', 20),
    (5, 5, 'First deal reviews', 25), (5, 6, 'Rolling out to the field', 20),
    (5, 7, 'Week-one coaching cadence', 15), (5, 8, 'Adoption metrics', 15),
    (5, 9, 'Fixing common rollout problems', 20), (5, 10, 'Thirty-day retrospective', 20),
    (5, 11, 'Embedding MEDDICC in onboarding', 20), (5, 12, 'Go-live sign-off', 10),
    (6, 1, 'The Value Pyramid explained', 15), (6, 2, 'Company objectives at the top', 20),
    (6, 3, 'Business drivers and initiatives', 20), (6, 4, 'Required capabilities', 20),
    (6, 5, 'Your solution''s differentiators', 20), (6, 6, 'Proof points that convince', 20),
    (6, 7, 'Building a pyramid for a live deal', 30), (6, 8, 'Pyramids for the Economic Buyer', 25),
    (6, 9, 'Pyramids in competitive deals', 25), (6, 10, 'From pyramid to proposal', 25),
    (6, 11, 'Peer review workshop', 35), (6, 12, 'Value Pyramid assessment', 20)
  ) AS l(program_id_v, position, title, minutes)
  JOIN (SELECT id AS program_id FROM programs) p ON p.program_id = l.program_id_v;

-- Keys an external course player uses to report progress (POST /api/v1/progress).
-- Only a SHA-256 of the key is stored; the key itself is shown once, when created.
CREATE TABLE api_keys (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text NOT NULL
        CONSTRAINT api_keys_name_valid CHECK (name = btrim(name) AND char_length(name) BETWEEN 1 AND 100),
    -- The first characters of the key, so administrators can tell keys apart.
    prefix           text NOT NULL,
    key_hash         bytea NOT NULL UNIQUE CONSTRAINT api_keys_key_hash_length CHECK (octet_length(key_hash) = 32),
    created_by       bigint REFERENCES members (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz
);
CREATE INDEX api_keys_by_organization ON api_keys (organization_id, created_at DESC);

-- The seats page lists holders of each kind.
CREATE INDEX members_enable_holders ON members (organization_id) WHERE enable_seat;
CREATE INDEX members_opportunity_holders ON members (organization_id) WHERE opportunity_seat;
