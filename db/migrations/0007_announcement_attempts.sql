-- When an announcement was first tried. Discord de-duplicates a nonce only for a few minutes, so a
-- retry long after the first try that may have created the post must first look for that post
-- (bot.delivery.find_earlier_post) instead of trusting the nonce. NULL: never tried.
ALTER TABLE announcement_posts ADD COLUMN first_try_at TEXT;

-- Something an admin configured that has since gone (the role to ping was deleted): the bot carries on
-- without it and tells the next admin who uses it, once. NULL: nothing to tell.
ALTER TABLE announcement_settings ADD COLUMN warning TEXT;

-- Event ids leave the database (autocomplete values, "Remind me" button ids, reminder targets, post
-- nonces): AUTOINCREMENT so that an id, once handed out, is never handed out again after a removal.
CREATE TABLE guild_events_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO guild_events_new (id, guild_id, name, name_key, event_date, start_time, timezone, description,
                              created_by, created_at)
    SELECT id, guild_id, name, name_key, event_date, start_time, timezone, description, created_by, created_at
    FROM guild_events;
DROP TABLE guild_events;
ALTER TABLE guild_events_new RENAME TO guild_events;
