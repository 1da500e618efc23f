-- Filed submissions (podání). A submission is the office's record: it opens
-- a file (spis) under its form's class, its content is sealed under that
-- file's data key, and it outlives the citizen's account (citizen_id becomes
-- NULL) until the file's disposal.
CREATE TABLE submission_counters (
    year BIGINT PRIMARY KEY NOT NULL,
    last BIGINT NOT NULL
);

CREATE TABLE submissions (
    id             TEXT PRIMARY KEY NOT NULL,
    -- "PO-<n>/<year>", shown on the receipt.
    reference      TEXT NOT NULL UNIQUE,
    -- The draft it was filed from: filing the same draft again finds it.
    draft_id       TEXT NOT NULL UNIQUE,
    citizen_id     TEXT REFERENCES citizens (id) ON DELETE SET NULL,
    form_id        TEXT NOT NULL,
    form_version   BIGINT NOT NULL,
    agenda         TEXT NOT NULL,
    record_file_id TEXT NOT NULL UNIQUE REFERENCES record_files (id),
    content        BLOB NOT NULL,
    -- SHA-256 (hex) of the content as filed, shown on the receipt.
    content_sha256 TEXT NOT NULL,
    submitted_at   BIGINT NOT NULL,
    -- The statutory deadline, YYYY-MM-DD.
    deadline_on    TEXT NOT NULL,
    -- received | in_progress | waiting | resolved | rejected | withdrawn
    state          TEXT NOT NULL,
    assigned_to    TEXT,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX submissions_citizen ON submissions (citizen_id, submitted_at);
CREATE INDEX submissions_queue ON submissions (agenda, state, submitted_at);

-- The timeline: what happened to a submission, in order. Texts (messages,
-- notes) are sealed under the file's data key; notes are the office's only.
CREATE TABLE submission_events (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    -- 'citizen', 'staff:<id>' or 'system'.
    actor         TEXT NOT NULL,
    state         TEXT,
    text          BLOB,
    -- 1 when the citizen sees it in their timeline, 0 for the office only.
    for_citizen   BIGINT NOT NULL,
    PRIMARY KEY (submission_id, seq)
);
