-- The audit log: append-only, each entry chained to the one before by the
-- SHA-256 of its contents and the previous entry's hash, so that a changed,
-- deleted, inserted or reordered entry breaks the chain.

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY NOT NULL,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT,
    detail    TEXT NOT NULL,
    ip        TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
