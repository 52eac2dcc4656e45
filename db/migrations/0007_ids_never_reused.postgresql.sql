-- PostgreSQL's side of 0007_ids_never_reused.sql. Its identity columns (what the migrations' INTEGER PRIMARY
-- KEY becomes here, see db/migrate.py postgresql_ddl) draw from sequences, which never hand out an id twice:
-- there is nothing to rebuild. Only the table of erasures is new.

-- ---- erasures ------------------------------------------------------------------------------------------
-- A member who deleted their data, by a one-way key of their id (never the id itself), and when.
-- Work that was in flight then (a DM being sent, a trivia game running) writes nothing about them
-- once it finishes: every write of member data checks for an erasure since that work began. A row
-- is dropped a day later, far longer than any such work lasts.
CREATE TABLE member_erasures (
    member_key TEXT PRIMARY KEY,
    erased_at  TEXT NOT NULL
);
CREATE INDEX member_erasures_time ON member_erasures (erased_at);
