-- The office's records management (spisová služba) as a client of the
-- portal: its token (only the SHA-256 is kept), the agendas it serves,
-- where its webhooks go and the secret they are signed with (sealed under
-- the client's data key). A revoked client keeps its row, for the record.
CREATE TABLE integration_clients (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    token_sha256   TEXT NOT NULL UNIQUE,
    webhook_url    TEXT,
    webhook_secret BLOB NOT NULL,
    created_at     BIGINT NOT NULL,
    -- 'staff:<id>' or 'system'.
    created_by     TEXT NOT NULL,
    revoked_at     BIGINT
);

CREATE TABLE integration_client_agendas (
    client_id TEXT NOT NULL REFERENCES integration_clients (id),
    -- An agenda's key, as forms name it (agendas.form_key).
    agenda    TEXT NOT NULL,
    PRIMARY KEY (client_id, agenda)
);
CREATE INDEX integration_client_agendas_agenda ON integration_client_agendas (agenda);

-- A submission's číslo jednací in the office's records, given once.
CREATE TABLE submission_registrations (
    submission_id TEXT PRIMARY KEY NOT NULL REFERENCES submissions (id),
    number        TEXT NOT NULL,
    client_id     TEXT NOT NULL REFERENCES integration_clients (id),
    registered_at BIGINT NOT NULL
);

-- A client's state change under its Idempotency-Key: a retry with the
-- same key finds the first answer; the same key with another request is
-- refused.
CREATE TABLE integration_requests (
    client_id       TEXT NOT NULL REFERENCES integration_clients (id),
    idempotency_key TEXT NOT NULL,
    request_sha256  TEXT NOT NULL,
    submission_id   TEXT NOT NULL,
    state           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (client_id, idempotency_key)
);

-- Webhooks to send, written in the transaction of the change they tell
-- of. The body is fixed when written, so every attempt sends the same
-- event. A node claims a row by a conditional update that sets its lease;
-- another node takes it only once the lease has run out.
CREATE TABLE webhook_outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    client_id       TEXT NOT NULL REFERENCES integration_clients (id),
    event_type      TEXT NOT NULL,
    submission_id   TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT,
    delivered_at    BIGINT,
    -- Given up after the last attempt.
    failed_at       BIGINT,
    -- What the last attempt got: a status or a transport error.
    last_error      TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_outbox_client ON webhook_outbox (client_id, created_at);
