-- Entity resolution of organisations (euprojects.orgs.resolve). Each organisation as the sources
-- name it (a mention: a row of `organisations`) is linked to the canonical organisation it is,
-- with how (method) and how sure (confidence); `hash` is the mention as it was resolved, so the
-- next run resolves only mentions that are new or changed. A canonical organisation's id is one
-- of its mentions' ids; every other mention's id redirects to it.
CREATE TABLE org_links (
    org_id TEXT PRIMARY KEY,
    canonical TEXT NOT NULL,
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    hash TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX org_links_canonical ON org_links (canonical);

-- The canonical organisations: details merged over their mentions (data, as `organisations`),
-- and what a reader is shown of all of them (extra: identifiers by kind, name variants, type labels).
CREATE TABLE org_canonical (
    id TEXT PRIMARY KEY,
    name TEXT,
    country TEXT,
    city TEXT,
    type TEXT,
    data BLOB NOT NULL,
    extra BLOB NOT NULL
);
CREATE INDEX org_canonical_country ON org_canonical (country);
