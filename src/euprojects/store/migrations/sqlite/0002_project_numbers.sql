-- A small stable number per project id, never reused while the id lives: the search index
-- appends it to sort keys so that sorting is a total order and page cursors are exact.
CREATE TABLE project_numbers (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE
);
INSERT INTO project_numbers (id) SELECT id FROM projects ORDER BY id;
