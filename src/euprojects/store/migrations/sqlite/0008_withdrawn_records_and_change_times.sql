-- A record that its source file no longer holds is withdrawn, not deleted: its fragment keeps its
-- last content with the time it went missing, and a project whose every record is withdrawn is
-- kept, shown as withdrawn and left out of search. A record that comes back is live again.
ALTER TABLE fragments ADD COLUMN withdrawn TEXT;
-- When each project last changed, for the change feeds (`/api/v1/changes`, `/changes.atom`) and
-- a project's "modified" date; changes logged before have the time of the last finished ingest.
ALTER TABLE changes ADD COLUMN changed TEXT;
UPDATE changes SET changed = COALESCE((SELECT MAX(finished) FROM ingest_runs), '1970-01-01T00:00:00+00:00');
CREATE INDEX changes_changed ON changes (changed);
