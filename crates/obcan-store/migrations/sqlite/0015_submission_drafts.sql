-- A citizen's unfinished form. The answers are sealed under the citizen's
-- data key and go with the account; the form's version is kept, so that a
-- draft begun before the operator changed the form can be explained.
CREATE TABLE submission_drafts (
    id           TEXT PRIMARY KEY NOT NULL,
    citizen_id   TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    form_id      TEXT NOT NULL,
    form_version BIGINT NOT NULL,
    -- The step the citizen is on (0-based); the review page is one past the last.
    step         BIGINT NOT NULL,
    answers      BLOB NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX submission_drafts_citizen ON submission_drafts (citizen_id, updated_at);
