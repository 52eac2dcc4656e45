-- The film, person and character look-up indexes as last built, so that a restart loads them
-- instead of building them again (seconds of work for a large catalogue). A row is used only
-- when `inputs` (a digest of the catalogue rows the index is built from) and `format` (a digest
-- of the code that built it) both match; otherwise the index is built and the row replaced.
CREATE TABLE search_indexes (
    kind     TEXT PRIMARY KEY,
    inputs   TEXT NOT NULL,
    format   TEXT NOT NULL,
    data     BLOB NOT NULL,
    saved_at TEXT NOT NULL
);
