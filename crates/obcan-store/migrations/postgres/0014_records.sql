-- The office's records: files (spisy) filed under a class of the filing
-- plan, their documents, legal holds and disposal (skartace).

-- The last file reference number given in each year ("SP-17/2026").
CREATE TABLE record_counters (
    year BIGINT PRIMARY KEY NOT NULL,
    last BIGINT NOT NULL
);

-- A file keeps its class's mark, title, sign and period as they were when
-- it was opened. Its title and hold reason are sealed under the file's own
-- data key ('record-file:<id>'), which disposal destroys; what stays of a
-- destroyed file is its reference, class and dates.
CREATE TABLE record_files (
    id            TEXT PRIMARY KEY NOT NULL,
    reference     TEXT NOT NULL UNIQUE,
    title         BYTEA,
    class_mark    TEXT NOT NULL,
    class_title   TEXT NOT NULL,
    sign          TEXT NOT NULL,
    years         BIGINT NOT NULL,
    -- 'open', 'closed', 'archived' or 'destroyed'.
    state         TEXT NOT NULL,
    opened_at     BIGINT NOT NULL,
    opened_by     TEXT NOT NULL,
    closed_at     BIGINT,
    closed_by     TEXT,
    -- The first day of disposal, YYYY-MM-DD; set on closing.
    disposal_from TEXT,
    hold_reason   BYTEA,
    hold_at       BIGINT,
    hold_by       TEXT,
    disposed_at   BIGINT,
    proposal_id   TEXT
);
CREATE INDEX record_files_due ON record_files (state, disposal_from);

-- A filed document. sha256 is of the content (for the archival package's
-- checksums), sealed; blob_sha256 is of the sealed bytes, for the
-- integrity check.
CREATE TABLE record_documents (
    id          TEXT PRIMARY KEY NOT NULL,
    file_id     TEXT NOT NULL REFERENCES record_files (id),
    name        BYTEA NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      BYTEA NOT NULL,
    blob        TEXT NOT NULL UNIQUE,
    blob_size   BIGINT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    filed_at    BIGINT NOT NULL,
    filed_by    TEXT NOT NULL,
    checked_at  BIGINT,
    damaged_at  BIGINT
);
CREATE INDEX record_documents_file ON record_documents (file_id, filed_at);
CREATE INDEX record_documents_checked ON record_documents (checked_at);

-- A disposal proposal (skartační návrh): 'proposed', 'approved' or 'rejected'.
CREATE TABLE disposal_proposals (
    id          TEXT PRIMARY KEY NOT NULL,
    proposed_at BIGINT NOT NULL,
    state       TEXT NOT NULL,
    decided_at  BIGINT,
    decided_by  TEXT
);

-- The files of a proposal; outcome is set on approval: 'archive',
-- 'destroy', or 'held' for a file put on hold after it was proposed.
CREATE TABLE disposal_items (
    proposal_id TEXT NOT NULL REFERENCES disposal_proposals (id),
    file_id     TEXT NOT NULL REFERENCES record_files (id),
    outcome     TEXT,
    PRIMARY KEY (proposal_id, file_id)
);
CREATE INDEX disposal_items_file ON disposal_items (file_id);

-- Write-once, enforced below the program too: a filed document never
-- changes (only its integrity check marks do) and leaves only with its file
-- in disposal; an archived or destroyed file never changes; no file is ever
-- deleted.
CREATE FUNCTION record_documents_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF (SELECT state FROM record_files WHERE id = NEW.file_id) IS DISTINCT FROM 'open' THEN
            RAISE EXCEPTION 'documents are filed only into open files';
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.file_id, NEW.name, NEW.media_type, NEW.size, NEW.sha256, NEW.blob,
            NEW.blob_size, NEW.blob_sha256, NEW.filed_at, NEW.filed_by)
           IS DISTINCT FROM
           (OLD.id, OLD.file_id, OLD.name, OLD.media_type, OLD.size, OLD.sha256, OLD.blob,
            OLD.blob_size, OLD.blob_sha256, OLD.filed_at, OLD.filed_by) THEN
            RAISE EXCEPTION 'filed documents are write-once';
        END IF;
        RETURN NEW;
    ELSE
        IF (SELECT state FROM record_files WHERE id = OLD.file_id) IS DISTINCT FROM 'closed' THEN
            RAISE EXCEPTION 'filed documents leave only when their closed file is destroyed';
        END IF;
        RETURN OLD;
    END IF;
END;
$$;

CREATE TRIGGER record_documents_guard
BEFORE INSERT OR UPDATE OR DELETE ON record_documents
FOR EACH ROW EXECUTE FUNCTION record_documents_guard();

CREATE FUNCTION record_files_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'files are never deleted';
    END IF;
    IF OLD.state IN ('archived', 'destroyed') THEN
        RAISE EXCEPTION 'archived and destroyed files are write-once';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER record_files_guard
BEFORE UPDATE OR DELETE ON record_files
FOR EACH ROW EXECUTE FUNCTION record_files_guard();
