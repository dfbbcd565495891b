-- An organisation's details come from the best-ranked mention of it (the most complete, from the
-- most recent source, in the latest project), not from the first one seen; the rank of the mention
-- each detail came from is kept beside it, so a later mention can be weighed against it.
-- Organisations stored before have no ranks, and any mention replaces their details: projects are
-- rebuilt by the next ingest, and beneficiary rows are taken as changed when their file is read
-- again, so every organisation still named somewhere is ranked anew.
ALTER TABLE organisations ADD COLUMN ranks BLOB;
INSERT OR IGNORE INTO dirty (project_id) SELECT id FROM projects;
UPDATE beneficiaries SET hash = '';
-- ... and their file is read again by the next ingest, even if it has not changed since.
UPDATE ingest_files SET report = json_remove(report, '$.fingerprint') WHERE format = 'kohesio-beneficiaries';
