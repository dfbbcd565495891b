-- Whether a merged project is listed (in search, facets, statistics and exports): a record named
-- only by tables that describe a project others establish (a topic, a web link) is kept but not
-- listed. Existing projects are rebuilt by the next ingest, which sets it.
ALTER TABLE projects ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
INSERT OR IGNORE INTO dirty (project_id) SELECT id FROM projects;
