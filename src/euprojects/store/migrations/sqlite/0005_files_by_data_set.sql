-- A file is known by its data set (the folder it came in) and its name, no longer by its name
-- alone: two erc_starting.csv from different folders replaced each other's records. Each stored
-- name takes the folder of the path it was last ingested from.
CREATE TEMP TABLE renamed AS
    WITH latest AS (
        SELECT format, file, path FROM ingest_files f
        WHERE run_id = (SELECT MAX(run_id) FROM ingest_files g WHERE g.format = f.format AND g.file = f.file)
    ),
    folders AS (
        -- rtrim(x, replace(x, '/', '')) keeps x up to its last '/': the path's folder, then its name
        SELECT format, file, rtrim(path, replace(path, '/', '')) AS folder FROM latest
        WHERE instr(file, '/') = 0
    ),
    bare AS (
        SELECT format, file, substr(folder, 1, length(folder) - 1) AS folder FROM folders WHERE length(folder) > 1
    )
    SELECT format, file, replace(folder, rtrim(folder, replace(folder, '/', '')), '') || '/' || file AS key FROM bare;

UPDATE fragments SET file = (SELECT key FROM renamed r WHERE r.format = fragments.format AND r.file = fragments.file)
    WHERE EXISTS (SELECT 1 FROM renamed r WHERE r.format = fragments.format AND r.file = fragments.file);
UPDATE aliases SET file = (SELECT key FROM renamed r WHERE r.format = aliases.format AND r.file = aliases.file)
    WHERE EXISTS (SELECT 1 FROM renamed r WHERE r.format = aliases.format AND r.file = aliases.file);
UPDATE rejects SET file = (SELECT key FROM renamed r WHERE r.format = rejects.format AND r.file = rejects.file)
    WHERE EXISTS (SELECT 1 FROM renamed r WHERE r.format = rejects.format AND r.file = rejects.file);
UPDATE beneficiaries SET file = (SELECT key FROM renamed r WHERE r.format = beneficiaries.format AND r.file = beneficiaries.file)
    WHERE EXISTS (SELECT 1 FROM renamed r WHERE r.format = beneficiaries.format AND r.file = beneficiaries.file);
UPDATE ingest_files SET file = (SELECT key FROM renamed r WHERE r.format = ingest_files.format AND r.file = ingest_files.file)
    WHERE EXISTS (SELECT 1 FROM renamed r WHERE r.format = ingest_files.format AND r.file = ingest_files.file);
DROP TABLE renamed;
