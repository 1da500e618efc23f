-- A login in progress at an outside identity provider: what its return must
-- match. Single use: taken (deleted) when the person comes back, so a replayed
-- return finds nothing. The state is stored as its SHA-256.

CREATE TABLE login_attempts (
    state_hash    TEXT PRIMARY KEY NOT NULL,
    session_hash  TEXT NOT NULL,
    provider      TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path     TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX login_attempts_expires_at ON login_attempts (expires_at);
