-- Data from the public registers, per citizen account.

-- Which register person an account is: matched once, through one of the
-- account's means of identity, by the rule configured for its provider.
CREATE TABLE register_links (
    citizen_id TEXT PRIMARY KEY NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    reference  TEXT NOT NULL,
    matched_by TEXT NOT NULL,
    matched_at BIGINT NOT NULL
);

-- The last answer of each register section (JSON), shown with its time when
-- the register is slow or down, and reused while it is fresh.
CREATE TABLE register_cache (
    citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    section    TEXT NOT NULL,
    payload    TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (citizen_id, section)
);

-- Extracts the citizen asked for (a PDF each), with the hashes printed on them.
CREATE TABLE register_extracts (
    id             TEXT PRIMARY KEY NOT NULL,
    citizen_id     TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    content_sha256 TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    pdf            BLOB NOT NULL
);
CREATE INDEX register_extracts_citizen ON register_extracts (citizen_id, issued_at);
