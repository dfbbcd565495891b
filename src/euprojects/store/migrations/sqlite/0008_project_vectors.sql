-- Semantic search: each listed project's sentence embedding, kept in the store so that a node
-- rebuilds its vector index without embedding again. ``key`` is the number the vector index
-- knows the project by; ``text_hash`` fingerprints the model and the text embedded, so a project
-- whose text did not change is never embedded again. Vectors are float32, little-endian.
CREATE TABLE project_vectors (
    key INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL UNIQUE,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL
);
