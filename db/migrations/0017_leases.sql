-- Leases on the outboxes, so that several bot processes sharing one database never send a row twice.
-- A process claiming a row (scheduled -> sending) writes its owner, an id random per process start, and
-- when its lease runs out (ISO-8601 UTC text, so text order is time order). Only a row whose lease ran out
-- (its process died or hung) goes back in the queue; the owner must match to record the outcome.
-- Rows being sent before this migration have no lease: they count as expired.
ALTER TABLE announcement_posts ADD COLUMN lease_owner TEXT;
ALTER TABLE announcement_posts ADD COLUMN lease_until TEXT;
ALTER TABLE reminders ADD COLUMN lease_owner TEXT;
ALTER TABLE reminders ADD COLUMN lease_until TEXT;
ALTER TABLE trivia_daily_posts ADD COLUMN lease_owner TEXT;
ALTER TABLE trivia_daily_posts ADD COLUMN lease_until TEXT;
