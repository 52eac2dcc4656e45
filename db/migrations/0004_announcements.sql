-- Release countdowns: server events, announcement settings, and the announcement outbox.
-- Times are ISO-8601 UTC text with microseconds (text order is time order); days are YYYY-MM-DD.

-- Watch parties, re-releases, trailer drops: dated things a server counts down to like films.
-- name_key is the case-folded name, so "Watch Party" and "watch party" are one event.
CREATE TABLE guild_events (
    id          INTEGER PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    event_date  TEXT NOT NULL CHECK (event_date LIKE '____-__-__'),
    start_time  TEXT CHECK (start_time IS NULL OR start_time LIKE '__:__'),
    timezone    TEXT,
    description TEXT,
    created_by  BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (guild_id, name_key)
);

-- One row per server that announces. paused_reason is set when a post failed in a way that
-- retrying cannot fix (channel deleted, permission removed); notice_pending until an admin is told.
CREATE TABLE announcement_settings (
    guild_id       BIGINT PRIMARY KEY,
    channel_id     BIGINT NOT NULL,
    post_time      TEXT NOT NULL CHECK (post_time LIKE '__:__'),
    timezone       TEXT NOT NULL,
    region         CHAR(2) NOT NULL CHECK (length(region) = 2 AND region = upper(region)),
    milestones     TEXT NOT NULL,
    role_id        BIGINT,
    anniversaries  BOOLEAN NOT NULL DEFAULT FALSE,
    mirror_events  BOOLEAN NOT NULL DEFAULT FALSE,
    paused_reason  TEXT,
    notice_pending BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at     TEXT NOT NULL
);

-- The chosen targets ("film:<key>", "event:<id>"); no rows means every upcoming release and event.
CREATE TABLE announcement_targets (
    guild_id   BIGINT NOT NULL REFERENCES announcement_settings (guild_id) ON DELETE CASCADE,
    target_key TEXT NOT NULL,
    PRIMARY KEY (guild_id, target_key)
);

-- The date each target had when this server's posts were last planned: a change is noticed once.
CREATE TABLE announcement_dates (
    guild_id     BIGINT NOT NULL REFERENCES announcement_settings (guild_id) ON DELETE CASCADE,
    target_key   TEXT NOT NULL,
    release_date TEXT NOT NULL CHECK (release_date LIKE '____-__-__'),
    PRIMARY KEY (guild_id, target_key)
);

-- The outbox. One row per post; the unique key makes planning idempotent. A row moves
-- scheduled -> sending -> sent | failed | skipped. wake_at is when the runner may next try it
-- (the due time, or a retry after a transient failure). nonce is derived from the key, so a
-- post resent after a crash is recognised by Discord as the same message.
CREATE TABLE announcement_posts (
    id           INTEGER PRIMARY KEY,
    guild_id     BIGINT NOT NULL,
    target_key   TEXT NOT NULL,
    release_date TEXT NOT NULL CHECK (release_date LIKE '____-__-__'),
    milestone    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('countdown', 'release', 'anniversary', 'date_change')),
    detail       TEXT,
    due_at       TEXT NOT NULL,
    wake_at      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'sent', 'failed', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    late         BOOLEAN NOT NULL DEFAULT FALSE,
    reason       TEXT,
    nonce        TEXT NOT NULL,
    channel_id   BIGINT,
    message_id   BIGINT,
    finished_at  TEXT,
    UNIQUE (guild_id, target_key, release_date, milestone)
);
CREATE INDEX announcement_posts_wake ON announcement_posts (status, wake_at);
CREATE INDEX announcement_posts_guild ON announcement_posts (guild_id, status, due_at);

-- Native Discord scheduled events this bot created to mirror targets, so they are edited, not duplicated.
CREATE TABLE announcement_mirrors (
    guild_id         BIGINT NOT NULL REFERENCES announcement_settings (guild_id) ON DELETE CASCADE,
    target_key       TEXT NOT NULL,
    discord_event_id BIGINT NOT NULL,
    starts_at        TEXT NOT NULL,
    PRIMARY KEY (guild_id, target_key)
);

-- Servers that removed the bot: their data is deleted once the grace period has passed.
CREATE TABLE guild_departures (
    guild_id BIGINT PRIMARY KEY,
    left_at  TEXT NOT NULL
);
