-- Citizens registered at the counter: a local login, the one-time code that
-- activates it, and who checked the person's identity document and when.
-- Of the document only its type and the last four characters of its number.

CREATE TABLE local_accounts (
    citizen_id             TEXT PRIMARY KEY NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    login                  TEXT NOT NULL,
    credential_id          TEXT NOT NULL REFERENCES credentials (id),
    document_type          TEXT NOT NULL,
    document_last4         TEXT NOT NULL,
    verified_by            TEXT NOT NULL REFERENCES staff (id),
    verified_at            BIGINT NOT NULL,
    -- SHA-256 of the activation code; NULL once used.
    activation_code_hash   TEXT,
    activation_expires_at  BIGINT,
    activated_at           BIGINT,
    CONSTRAINT local_accounts_login_key UNIQUE (login)
);
CREATE UNIQUE INDEX local_accounts_activation ON local_accounts (activation_code_hash);
