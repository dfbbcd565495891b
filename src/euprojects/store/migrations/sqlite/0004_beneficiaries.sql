-- Beneficiary lists (Kohesio): what an organisation received over its operations in one region,
-- as the publisher totals it. Kept beside the fragments with the same life cycle (keyed by file
-- and record, removed when a fully read file no longer holds them), but never merged into projects.
CREATE TABLE beneficiaries (
    id INTEGER PRIMARY KEY,
    format TEXT NOT NULL,
    file TEXT NOT NULL,
    record_key TEXT NOT NULL,
    org_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    payload BLOB NOT NULL,
    line INTEGER,
    run_id INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    source TEXT NOT NULL,
    country TEXT,
    projects INTEGER,
    total_budget_eur REAL,
    eu_contribution_eur REAL
);
CREATE UNIQUE INDEX beneficiaries_key ON beneficiaries (format, file, record_key);
CREATE INDEX beneficiaries_org ON beneficiaries (org_id);
