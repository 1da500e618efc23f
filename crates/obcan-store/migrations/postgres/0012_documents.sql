-- Envelope encryption and citizens' documents.

-- One row: the master key's id and a known text sealed under it, to refuse
-- at start a master key other than the one the data keys are wrapped with.
CREATE TABLE vault_check (
    id            BIGINT PRIMARY KEY NOT NULL,
    master_key_id TEXT NOT NULL,
    check_value   BYTEA NOT NULL
);

-- Each owner's data key, wrapped by the master key. Deleting the row makes
-- everything sealed under the key unreadable (crypto-shredding).
CREATE TABLE data_keys (
    owner         TEXT PRIMARY KEY NOT NULL,
    master_key_id TEXT NOT NULL,
    wrapped       BYTEA NOT NULL,
    created_at    BIGINT NOT NULL
);

-- A document exists once its row does; its content (sealed) is the blob.
-- Name and folder are sealed under the citizen's data key. blob_sha256 is
-- of the sealed bytes, so the integrity check needs no key.
CREATE TABLE documents (
    id          TEXT PRIMARY KEY NOT NULL,
    citizen_id  TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    name        BYTEA NOT NULL,
    folder      BYTEA,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    -- 'upload' (the citizen's) or 'office' (delivered; read-only).
    origin      TEXT NOT NULL,
    sender      TEXT,
    blob        TEXT NOT NULL UNIQUE,
    blob_size   BIGINT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    stored_at   BIGINT NOT NULL,
    checked_at  BIGINT,
    damaged_at  BIGINT
);
CREATE INDEX documents_citizen ON documents (citizen_id, stored_at);
CREATE INDEX documents_checked ON documents (checked_at);

-- Blobs whose document is gone, until the blob store confirms removal.
CREATE TABLE blob_removals (
    blob      TEXT PRIMARY KEY NOT NULL,
    queued_at BIGINT NOT NULL
);
