-- Citizens, the means of identity linked to them, and login sessions.
-- Times are Unix seconds (UTC); identifiers are UUIDs in text form.

CREATE TABLE citizens (
    id          TEXT PRIMARY KEY NOT NULL,
    given_name  TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date  TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE identity_links (
    provider      TEXT NOT NULL,
    subject       TEXT NOT NULL,
    citizen_id    TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    linked_at     BIGINT NOT NULL,
    last_login_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX identity_links_citizen ON identity_links (citizen_id);

-- The session token never reaches the database: only its SHA-256.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY NOT NULL,
    citizen_id   TEXT REFERENCES citizens (id) ON DELETE CASCADE,
    loa          TEXT,
    provider     TEXT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_citizen ON sessions (citizen_id);
