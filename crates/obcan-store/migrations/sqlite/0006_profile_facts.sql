-- What identity providers have said about a citizen (name, date of birth,
-- address, e-mail), each with which provider said it and when. The latest
-- statement of each fact wins.

CREATE TABLE profile_facts (
    citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    fact       TEXT NOT NULL,
    value      TEXT NOT NULL,
    source     TEXT NOT NULL,
    stated_at  BIGINT NOT NULL,
    PRIMARY KEY (citizen_id, fact)
);
