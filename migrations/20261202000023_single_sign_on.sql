-- Single sign-on with OpenID Connect (issue 23): one connection per organization, email
-- domains proved by DNS, identities linked by (issuer, subject), sign-ins in flight.

-- The organization's identity provider. The client secret is needed to redeem codes at
-- the provider, so it is kept (never shown again after saving; never logged).
CREATE TABLE sso_connections (
    organization_id        bigint PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    issuer                 text NOT NULL CONSTRAINT sso_connections_issuer_valid
                               CHECK (issuer = btrim(issuer) AND char_length(issuer) BETWEEN 8 AND 500),
    client_id              text NOT NULL CONSTRAINT sso_connections_client_id_valid
                               CHECK (client_id = btrim(client_id) AND char_length(client_id) BETWEEN 1 AND 255),
    client_secret          text NOT NULL CONSTRAINT sso_connections_client_secret_valid
                               CHECK (char_length(client_secret) BETWEEN 1 AND 1000),
    -- A test sign-in succeeded with these settings (cleared when they change).
    tested_at              timestamptz,
    -- Passwords are off, except for the way-back-in administrator.
    required               boolean NOT NULL DEFAULT false,
    way_back_in_member_id  bigint REFERENCES members (id) ON DELETE SET NULL,
    -- Create a member on a first sign-in (follows the seat policy); off by default.
    create_on_first_sign_in boolean NOT NULL DEFAULT false,
    changed_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sso_connections_required_tested CHECK (NOT required OR tested_at IS NOT NULL),
    CONSTRAINT sso_connections_required_way_back CHECK (NOT required OR way_back_in_member_id IS NOT NULL)
);

-- Email domains an organization claims; proved by a TXT record. A domain proved by one
-- organization cannot be proved by another.
CREATE TABLE sso_domains (
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain           text NOT NULL CONSTRAINT sso_domains_domain_valid
                         CHECK (domain = lower(btrim(domain)) AND char_length(domain) BETWEEN 3 AND 253),
    -- The value to publish (random; not a secret: it is public in DNS).
    proof            text NOT NULL,
    verified_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, domain)
);
CREATE UNIQUE INDEX sso_domains_proved_once ON sso_domains (domain) WHERE verified_at IS NOT NULL;
CREATE INDEX sso_domains_by_domain ON sso_domains (domain);

-- A member's company account: never linked by address alone.
CREATE TABLE identities (
    issuer           text NOT NULL,
    subject          text NOT NULL CONSTRAINT identities_subject_valid CHECK (char_length(subject) BETWEEN 1 AND 255),
    member_id        bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    -- One person may belong to several organizations that share a provider.
    PRIMARY KEY (issuer, subject, organization_id)
);
CREATE INDEX identities_by_member ON identities (member_id);

-- Sign-ins in flight, found by the hash of their `state`, used once, gone after ten
-- minutes (swept by maintenance). The nonce and PKCE verifier are redeemed with the code.
CREATE TABLE sso_logins (
    state_hash       bytea PRIMARY KEY CONSTRAINT sso_logins_state_hash_length CHECK (octet_length(state_hash) = 32),
    organization_id  bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    purpose          text NOT NULL CONSTRAINT sso_logins_purpose_known CHECK (purpose IN ('sign_in', 'test', 'accept')),
    nonce            text NOT NULL,
    pkce_verifier    text NOT NULL,
    -- The invited member (accept) or the administrator testing (test).
    member_id        bigint,
    -- The connection's settings when the sign-in began (a test counts for those only).
    changed_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sso_logins_by_age ON sso_logins (created_at);
CREATE INDEX sso_logins_by_organization ON sso_logins (organization_id, created_at);

-- A member who accepted by SSO has no password: active means a password or a company account.
ALTER TABLE members ADD COLUMN signs_in_with_sso boolean NOT NULL DEFAULT false;
ALTER TABLE members DROP CONSTRAINT members_active_has_password;
ALTER TABLE members ADD CONSTRAINT members_active_has_password
    CHECK (status <> 'active' OR password_hash IS NOT NULL OR signs_in_with_sso);
