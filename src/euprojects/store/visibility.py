"""What readers see of a store while an ingest writes to it: nothing of the run until it ends.

An ingest writes its files batch by batch and rebuilds projects batch by batch, each batch a
transaction, so that a killed run loses nothing it finished (ingest/pipeline.py). The readers of
the change log (each node's index sync, the embedding of vectors, the feed of changes) must not
show half a file all the same: a search would list some of a file's projects and not the rest.
So a run begins by holding the change log at its current number (``held`` in ``meta``); readers
see the changes up to the hold, a fresh index is built from the projects saved up to it, and the
run's end releases it. A run that dies keeps the hold: the next run to finish, which completes
what the dead one left, releases it. One SQL for both backends.
"""

from __future__ import annotations

# Taken in the run's first transaction; a hold a dead run left stays where it was.
HOLD = "INSERT INTO meta (key, value) SELECT 'held', value FROM meta WHERE key = 'seq' ON CONFLICT (key) DO NOTHING"
RELEASE = "DELETE FROM meta WHERE key = 'held'"
# The last change readers may see: the hold while there is one, else the latest change.
VISIBLE = (
    "COALESCE((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'held'),"
    " (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'seq'))"
)
