-- Opt-in DM reminders: what members asked for, the DM outbox, and what we know about reaching them.
-- Times are ISO-8601 UTC text with microseconds; days YYYY-MM-DD; wall times HH:MM.

-- Quiet hours of a member, as wall times in their timezone (start may be after end: overnight).
ALTER TABLE user_settings ADD COLUMN quiet_start TEXT CHECK (quiet_start IS NULL OR quiet_start LIKE '__:__');
ALTER TABLE user_settings ADD COLUMN quiet_end TEXT CHECK (quiet_end IS NULL OR quiet_end LIKE '__:__');

-- One row per member and thing they follow. offsets is the canonical list ("7d,1d,release").
-- guild_id is where they subscribed (a server event belongs to it; for a film it may be NULL, from a DM).
-- region and timezone are what applied when they subscribed (their Discord language, the server's
-- settings); the member's own /preferences, when set, win over them.
CREATE TABLE reminder_subscriptions (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    guild_id   BIGINT,
    target_key TEXT NOT NULL,
    offsets    TEXT NOT NULL,
    region     CHAR(2) NOT NULL CHECK (length(region) = 2 AND region = upper(region)),
    timezone   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, target_key)
);
CREATE INDEX reminder_subscriptions_target ON reminder_subscriptions (target_key);

-- The DM outbox: one row per reminder, keyed so that planning twice never reminds twice.
-- batch_id groups the reminders sent together in one digest DM (the id of the batch's first row);
-- it is fixed when the batch is claimed, so a batch resent after a crash is the same message.
-- Cancelling a subscription removes its reminders with it (sent ones too: a reminder planned
-- again is only ever in the future, so nothing is sent twice).
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES reminder_subscriptions (id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL,
    target_key   TEXT NOT NULL,
    release_date TEXT NOT NULL CHECK (release_date LIKE '____-__-__'),
    offset_text  TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    wake_at      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'sent', 'failed', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    late         BOOLEAN NOT NULL DEFAULT FALSE,
    reason       TEXT,
    batch_id     INTEGER,
    nonce        TEXT,
    message_id   BIGINT,
    finished_at  TEXT,
    UNIQUE (user_id, target_key, release_date, offset_text)
);
CREATE INDEX reminders_wake ON reminders (status, wake_at);
CREATE INDEX reminders_user ON reminders (user_id, status, due_at);

-- How to reach a member: their DM channel (so a DM is one request, not two), whether the first DM
-- (which explains why it came) went out, and why DMs cannot be delivered, if they cannot.
CREATE TABLE dm_recipients (
    user_id            BIGINT PRIMARY KEY,
    dm_channel_id      BIGINT,
    introduced         BOOLEAN NOT NULL DEFAULT FALSE,
    undeliverable      TEXT,
    notice_pending     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at         TEXT NOT NULL
);
