-- The contact details a citizen proved in the portal: one verified e-mail
-- address and one verified telephone number (E.164) at most, each with when
-- it was proved.

CREATE TABLE contacts (
    citizen_id   TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    -- 'email' or 'phone'.
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    verified_at  BIGINT NOT NULL,
    PRIMARY KEY (citizen_id, kind)
);

-- A verification under way, one per citizen and kind: the value being
-- proved and the code sent there, kept only as a salted HMAC-SHA-256.
CREATE TABLE contact_verifications (
    citizen_id     TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    value          TEXT NOT NULL,
    code_salt      TEXT NOT NULL,
    code_hash      TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    attempts_left  BIGINT NOT NULL,
    sent_at        BIGINT NOT NULL,
    PRIMARY KEY (citizen_id, kind)
);
CREATE INDEX contact_verifications_expiry ON contact_verifications (expires_at);
