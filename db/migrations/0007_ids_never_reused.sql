-- Ids that leave the database are never handed out again.
--
-- An INTEGER PRIMARY KEY without AUTOINCREMENT reuses the largest id once its row is deleted, so a
-- button, a target key ("event:<id>"), a DM's batch (and so its nonce) or a trivia answer button
-- that named the deleted row would then name a new, unrelated row, perhaps another server's. Every
-- table whose ids are shown to Discord or written into keys is rebuilt with AUTOINCREMENT, keeping
-- its rows, ids, indexes and foreign keys.
--
-- Migrations run in one transaction with foreign keys on, so a parent cannot simply be dropped (its
-- implicit DELETE would cascade into its children): each family is copied into new tables, the old
-- children are dropped before their parent, and the renames carry the foreign keys over.
--
-- Rows are copied with SELECT *: should another migration have added a column to one of these tables
-- before this one runs, the copy fails (more values than columns) instead of silently dropping it.
--
-- Ids deleted before this migration left no trace in their own table, so the sequences start above the
-- largest id still mentioned anywhere (target keys, batch ids), not only above the largest row.

-- ---- server events -------------------------------------------------------------------------------------
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
SELECT * FROM guild_events;
DROP TABLE guild_events;
ALTER TABLE guild_events_new RENAME TO guild_events;

-- ---- the announcement outbox ---------------------------------------------------------------------------
CREATE TABLE announcement_posts_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO announcement_posts_new (id, guild_id, target_key, release_date, milestone, kind, detail, due_at, wake_at,
                                    status, attempts, late, reason, nonce, channel_id, message_id, finished_at)
SELECT * FROM announcement_posts;
DROP TABLE announcement_posts;
ALTER TABLE announcement_posts_new RENAME TO announcement_posts;
CREATE INDEX announcement_posts_wake ON announcement_posts (status, wake_at);
CREATE INDEX announcement_posts_guild ON announcement_posts (guild_id, status, due_at);

-- ---- reminders: subscriptions and the DM outbox (a child of the subscriptions) ---------------------------
CREATE TABLE reminder_subscriptions_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL,
    guild_id   BIGINT,
    target_key TEXT NOT NULL,
    offsets    TEXT NOT NULL,
    region     CHAR(2) NOT NULL CHECK (length(region) = 2 AND region = upper(region)),
    timezone   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, target_key)
);
INSERT INTO reminder_subscriptions_new (id, user_id, guild_id, target_key, offsets, region, timezone, created_at)
SELECT * FROM reminder_subscriptions;

CREATE TABLE reminders_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id INTEGER NOT NULL REFERENCES reminder_subscriptions_new (id) ON DELETE CASCADE,
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
INSERT INTO reminders_new (id, subscription_id, user_id, target_key, release_date, offset_text, due_at, wake_at,
                           status, attempts, late, reason, batch_id, nonce, message_id, finished_at)
SELECT * FROM reminders;
DROP TABLE reminders;
DROP TABLE reminder_subscriptions;
ALTER TABLE reminder_subscriptions_new RENAME TO reminder_subscriptions;
ALTER TABLE reminders_new RENAME TO reminders;
CREATE INDEX reminder_subscriptions_target ON reminder_subscriptions (target_key);
CREATE INDEX reminders_wake ON reminders (status, wake_at);
CREATE INDEX reminders_user ON reminders (user_id, status, due_at);

-- ---- trivia games and the tables hanging on them -------------------------------------------------------
CREATE TABLE trivia_games_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id       BIGINT NOT NULL,
    channel_id     BIGINT NOT NULL,
    starter_id     BIGINT NOT NULL,
    mode           TEXT NOT NULL CHECK (mode IN ('buttons', 'typed')),
    difficulty     TEXT NOT NULL,
    film_key       TEXT,
    question_count INTEGER NOT NULL CHECK (question_count >= 1),
    seconds        INTEGER NOT NULL CHECK (seconds >= 1),
    status         TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped', 'interrupted', 'failed')),
    end_reason     TEXT,
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    winner_id      BIGINT,
    message_id     BIGINT,
    CHECK ((status = 'running') = (ended_at IS NULL))
);
INSERT INTO trivia_games_new (id, guild_id, channel_id, starter_id, mode, difficulty, film_key, question_count,
                              seconds, status, end_reason, started_at, ended_at, winner_id, message_id)
SELECT * FROM trivia_games;

CREATE TABLE trivia_running_new (
    channel_id BIGINT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    game_id    INTEGER NOT NULL UNIQUE REFERENCES trivia_games_new (id) ON DELETE CASCADE
);
INSERT INTO trivia_running_new (channel_id, guild_id, game_id) SELECT * FROM trivia_running;

CREATE TABLE trivia_rounds_new (
    game_id       INTEGER NOT NULL REFERENCES trivia_games_new (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL CHECK (number >= 1),
    question_key  TEXT NOT NULL,
    film_key      TEXT,
    question_json TEXT NOT NULL,
    asked_at      TEXT NOT NULL,
    closed_at     TEXT,
    PRIMARY KEY (game_id, number)
);
INSERT INTO trivia_rounds_new (game_id, number, question_key, film_key, question_json, asked_at, closed_at)
SELECT * FROM trivia_rounds;

CREATE TABLE trivia_answers_new (
    game_id      INTEGER NOT NULL,
    round_number INTEGER NOT NULL,
    guild_id     BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    answer       TEXT NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    time_ms      INTEGER NOT NULL CHECK (time_ms >= 0),
    points       INTEGER NOT NULL,
    answered_at  TEXT NOT NULL,
    PRIMARY KEY (game_id, round_number, user_id),
    FOREIGN KEY (game_id, round_number) REFERENCES trivia_rounds_new (game_id, number) ON DELETE CASCADE
);
INSERT INTO trivia_answers_new (game_id, round_number, guild_id, user_id, answer, correct, time_ms, points,
                                answered_at)
SELECT * FROM trivia_answers;

DROP TABLE trivia_answers;
DROP TABLE trivia_rounds;
DROP TABLE trivia_running;
DROP TABLE trivia_games;
ALTER TABLE trivia_games_new RENAME TO trivia_games;
ALTER TABLE trivia_running_new RENAME TO trivia_running;
ALTER TABLE trivia_rounds_new RENAME TO trivia_rounds;
ALTER TABLE trivia_answers_new RENAME TO trivia_answers;
CREATE INDEX trivia_games_guild_ended ON trivia_games (guild_id, ended_at);
CREATE INDEX trivia_games_starter ON trivia_games (starter_id);
CREATE INDEX trivia_games_winner ON trivia_games (winner_id);
CREATE INDEX trivia_answers_guild_time ON trivia_answers (guild_id, answered_at);
CREATE INDEX trivia_answers_user ON trivia_answers (user_id, guild_id, answered_at);

-- ---- sequences above every id still named anywhere ------------------------------------------------------
INSERT INTO sqlite_sequence (name, seq) SELECT 'guild_events', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'guild_events');
INSERT INTO sqlite_sequence (name, seq) SELECT 'announcement_posts', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'announcement_posts');
INSERT INTO sqlite_sequence (name, seq) SELECT 'reminder_subscriptions', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'reminder_subscriptions');
INSERT INTO sqlite_sequence (name, seq) SELECT 'reminders', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'reminders');
INSERT INTO sqlite_sequence (name, seq) SELECT 'trivia_games', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'trivia_games');
UPDATE sqlite_sequence SET seq = max(
    seq,
    coalesce((SELECT max(id) FROM guild_events), 0),
    coalesce((SELECT max(CAST(substr(target_key, 7) AS INTEGER)) FROM reminder_subscriptions
              WHERE target_key LIKE 'event:%'), 0),
    coalesce((SELECT max(CAST(substr(target_key, 7) AS INTEGER)) FROM reminders WHERE target_key LIKE 'event:%'), 0),
    coalesce((SELECT max(CAST(substr(target_key, 7) AS INTEGER)) FROM announcement_posts
              WHERE target_key LIKE 'event:%'), 0),
    coalesce((SELECT max(CAST(substr(target_key, 7) AS INTEGER)) FROM announcement_targets
              WHERE target_key LIKE 'event:%'), 0),
    coalesce((SELECT max(CAST(substr(target_key, 7) AS INTEGER)) FROM announcement_dates
              WHERE target_key LIKE 'event:%'), 0),
    coalesce((SELECT max(CAST(substr(target_key, 7) AS INTEGER)) FROM announcement_mirrors
              WHERE target_key LIKE 'event:%'), 0)
) WHERE name = 'guild_events';
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(id) FROM announcement_posts), 0))
WHERE name = 'announcement_posts';
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(id) FROM reminder_subscriptions), 0),
                                     coalesce((SELECT max(subscription_id) FROM reminders), 0))
WHERE name = 'reminder_subscriptions';
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(id) FROM reminders), 0),
                                     coalesce((SELECT max(batch_id) FROM reminders), 0))
WHERE name = 'reminders';
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(id) FROM trivia_games), 0))
WHERE name = 'trivia_games';

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
