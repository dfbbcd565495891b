-- Records of truth: the fragments each source file contributed, keyed by where they came from.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('seq', '0');

CREATE TABLE fragments (
    format TEXT NOT NULL,
    file TEXT NOT NULL,
    record_key TEXT NOT NULL,
    project_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    payload BLOB NOT NULL,
    line INTEGER,
    run_id INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (format, file, record_key)
) WITHOUT ROWID;
CREATE INDEX fragments_project ON fragments (project_id);

-- Key columns first: SQLite 3.40's integrity check misreads a WITHOUT ROWID table whose
-- NOT NULL columns sit between its key columns.
CREATE TABLE aliases (
    alias TEXT NOT NULL,
    format TEXT NOT NULL,
    file TEXT NOT NULL,
    record_key TEXT NOT NULL,
    project_id TEXT NOT NULL,
    PRIMARY KEY (alias, format, file, record_key)
) WITHOUT ROWID;
CREATE INDEX aliases_project ON aliases (project_id);
CREATE INDEX aliases_origin ON aliases (format, file, record_key);

-- Project ids whose fragments changed and whose merged record must be rebuilt.
CREATE TABLE dirty (
    project_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Merged records, rebuilt from fragments; columns beside `data` serve listings and statistics.
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    acronym TEXT,
    title TEXT,
    start_date TEXT,
    end_date TEXT,
    status TEXT,
    programme TEXT,
    period TEXT,
    fund TEXT,
    eu_contribution_eur REAL,
    total_cost_eur REAL,
    partner_count INTEGER,
    lead_country TEXT,
    lead_name TEXT,
    countries TEXT NOT NULL DEFAULT '[]',
    data BLOB NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX projects_programme ON projects (programme, period);
CREATE INDEX projects_source ON projects (source);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT,
    country TEXT,
    city TEXT,
    type TEXT,
    data BLOB NOT NULL
);
CREATE INDEX organisations_country ON organisations (country);

CREATE TABLE participations (
    project_id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    org_id TEXT NOT NULL,
    role TEXT NOT NULL,
    country TEXT,
    eu_contribution_eur REAL,
    data BLOB NOT NULL,
    PRIMARY KEY (project_id, ord)
) WITHOUT ROWID;
CREATE INDEX participations_org ON participations (org_id);

-- The latest change of each project, for keeping search indexes in step.
CREATE TABLE changes (
    project_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX changes_seq ON changes (seq);

CREATE TABLE rejects (
    format TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (format, file, line, reason)
);

CREATE TABLE ingest_runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT
);

CREATE TABLE ingest_files (
    run_id INTEGER NOT NULL,
    format TEXT NOT NULL,
    file TEXT NOT NULL,
    path TEXT NOT NULL,
    report TEXT NOT NULL,
    PRIMARY KEY (run_id, path)
);
