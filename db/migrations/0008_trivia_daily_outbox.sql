-- The daily question's automatic posts as an outbox, as announcements have (announcement_posts):
-- one row per server and day, moved from scheduled to sending to sent, failed or skipped, with a
-- reason. The nonce is fixed by the row, so a post caught mid-send by a crash is sent again with
-- it and Discord hands back the message it already made. Times are ISO-8601 UTC text.
CREATE TABLE trivia_daily_posts (
    guild_id    BIGINT NOT NULL,
    day         TEXT NOT NULL CHECK (day LIKE '____-__-__'),
    channel_id  BIGINT NOT NULL,
    due_at      TEXT NOT NULL,
    wake_at     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'sent', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- when the first try began: a retry long after it may come after Discord forgot the nonce
    first_try_at TEXT,
    late        BOOLEAN NOT NULL DEFAULT FALSE,
    reason      TEXT,
    nonce       TEXT NOT NULL,
    message_id  BIGINT,
    finished_at TEXT,
    PRIMARY KEY (guild_id, day)
);
CREATE INDEX trivia_daily_posts_status ON trivia_daily_posts (status, wake_at);

-- A failure no retry can fix (channel deleted, permission removed) pauses the daily question until
-- an admin sets it again; notice_pending until an admin has been told.
ALTER TABLE trivia_daily_settings ADD COLUMN paused_reason TEXT;
ALTER TABLE trivia_daily_settings ADD COLUMN notice_pending BOOLEAN NOT NULL DEFAULT FALSE;

-- Dailies posted before this migration were recorded on trivia_daily only: they count as sent, so
-- the day of the upgrade is not posted twice. (Their nonce is never sent again.)
INSERT INTO trivia_daily_posts
    (guild_id, day, channel_id, due_at, wake_at, status, attempts, late, reason, nonce, message_id, finished_at)
SELECT guild_id, day, channel_id, posted_at, posted_at, 'sent', 1, FALSE, NULL, 'before-outbox', message_id, posted_at
FROM trivia_daily WHERE channel_id IS NOT NULL AND message_id IS NOT NULL;
