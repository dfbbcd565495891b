-- Fragments move to an ordinary rowid table with the key as a unique index. Their payloads are
-- large for a B-tree row (JSON of 900 bytes on average, 4 KB for a Horizon Europe consortium): in
-- a WITHOUT ROWID table every key lookup and page split carries them, while a rowid table appends
-- them and keeps the key index small. Measured on the real data: inserting the 206,000 records
-- takes 40 % less time, reading a project's records is 2-3 times faster, and the file is a third
-- smaller.
CREATE TABLE fragments_rowid (
    id INTEGER PRIMARY KEY,
    format TEXT NOT NULL,
    file TEXT NOT NULL,
    record_key TEXT NOT NULL,
    project_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    payload BLOB NOT NULL,
    line INTEGER,
    run_id INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
INSERT INTO fragments_rowid (format, file, record_key, project_id, hash, payload, line, run_id, first_seen, last_seen)
    SELECT format, file, record_key, project_id, hash, payload, line, run_id, first_seen, last_seen FROM fragments;
DROP TABLE fragments;
ALTER TABLE fragments_rowid RENAME TO fragments;
CREATE UNIQUE INDEX fragments_key ON fragments (format, file, record_key);
CREATE INDEX fragments_project ON fragments (project_id);
