-- Leases on whole jobs the bot runs on its own (the daily TMDB pack refresh), so that of several bot processes
-- sharing one database exactly one runs each, and another takes a job over when its runner died mid-way: the
-- holder (an id random per process start) and when its lease runs out (ISO-8601 UTC text: text order is time
-- order). A finished run gives its lease up.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    lease_owner TEXT NOT NULL,
    lease_until TEXT NOT NULL
);
