-- RFC 3161 time stamps of the audit log's head. A stamp proves that entry
-- `seq` had `hash` no later than `gen_time`; the chain alone cannot show that
-- its last entries were removed, or that it was rewritten whole, a stamp can.
-- No foreign key to audit_log: a stamp must outlive the entries it covers.

CREATE TABLE audit_stamps (
    seq        BIGINT PRIMARY KEY NOT NULL,
    hash       TEXT NOT NULL,
    -- The authority's token (a CMS ContentInfo), DER, as received.
    token      BLOB NOT NULL,
    gen_time   BIGINT NOT NULL,
    serial     TEXT NOT NULL,
    stamped_at BIGINT NOT NULL
);
