-- Notes. The id is chosen by the application before the first insert attempt, so a retried
-- insert names the same row (INSERT ... ON CONFLICT (id) DO NOTHING).
CREATE TABLE notes (
    id         uuid        PRIMARY KEY,
    text       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- GET /api/notes lists the newest first.
CREATE INDEX notes_created_at_idx ON notes (created_at DESC);
