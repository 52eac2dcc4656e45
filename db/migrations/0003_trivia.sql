-- Trivia: settings, games with their rounds and answers, recently asked questions, and the
-- daily question. Portable SQL only (SQLite today, PostgreSQL later). Discord ids are BIGINT;
-- times are ISO-8601 UTC text with microseconds (fixed width, so text order is time order),
-- always supplied by the caller; days are 'YYYY-MM-DD'.
-- Every row that belongs to a guild stores guild_id, so leaderboards never need member lists.
-- Question keys are plain text, not foreign keys: generated questions have no trivia_questions
-- row, and reloading a pack must not touch play history. The question as shown is kept in
-- question_json.

-- channel_id 0 is the whole server; a channel row overrides it field by field (NULL = inherit).
CREATE TABLE trivia_settings (
    guild_id        BIGINT NOT NULL,
    channel_id      BIGINT NOT NULL,
    seconds         INTEGER CHECK (seconds IS NULL OR seconds BETWEEN 10 AND 60),
    newest_film_key TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

-- post_time is 'HH:MM' in the guild's timezone; channel_id NULL means the daily question is off.
CREATE TABLE trivia_daily_settings (
    guild_id   BIGINT PRIMARY KEY,
    channel_id BIGINT,
    post_time  TEXT CHECK (post_time IS NULL OR (post_time LIKE '__:__' AND length(post_time) = 5)),
    updated_at TEXT NOT NULL
);

-- id is assigned by the database (INSERT ... RETURNING id); a PostgreSQL port makes it an
-- identity column.
CREATE TABLE trivia_games (
    id             INTEGER PRIMARY KEY,
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
CREATE INDEX trivia_games_guild_ended ON trivia_games (guild_id, ended_at);
CREATE INDEX trivia_games_starter ON trivia_games (starter_id);
CREATE INDEX trivia_games_winner ON trivia_games (winner_id);

-- At most one running game per channel, without a partial unique index: a game is running
-- exactly while its row here exists. Starting inserts it and finishing deletes it, each in
-- the same transaction as the trivia_games change, so a second start in the channel fails
-- on the primary key even from another process.
CREATE TABLE trivia_running (
    channel_id BIGINT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    game_id    INTEGER NOT NULL UNIQUE REFERENCES trivia_games (id) ON DELETE CASCADE
);

-- film_key is the asked question's film (NULL for general questions), for the film filter
-- of leaderboards and members' favourite films.
CREATE TABLE trivia_rounds (
    game_id       INTEGER NOT NULL REFERENCES trivia_games (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL CHECK (number >= 1),
    question_key  TEXT NOT NULL,
    film_key      TEXT,
    question_json TEXT NOT NULL,
    asked_at      TEXT NOT NULL,
    closed_at     TEXT,
    PRIMARY KEY (game_id, number)
);

-- The primary key makes "one answer per member per question" a database guarantee.
CREATE TABLE trivia_answers (
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
    FOREIGN KEY (game_id, round_number) REFERENCES trivia_rounds (game_id, number) ON DELETE CASCADE
);
CREATE INDEX trivia_answers_guild_time ON trivia_answers (guild_id, answered_at);
CREATE INDEX trivia_answers_user ON trivia_answers (user_id, guild_id, answered_at);

-- The last questions asked per guild (the repository keeps at most 200), to avoid repeats.
CREATE TABLE trivia_recent_questions (
    guild_id     BIGINT NOT NULL,
    question_key TEXT NOT NULL,
    asked_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, question_key)
);
CREATE INDEX trivia_recent_questions_time ON trivia_recent_questions (guild_id, asked_at);

-- One daily question per guild and day ('YYYY-MM-DD' in the guild's timezone).
CREATE TABLE trivia_daily (
    guild_id      BIGINT NOT NULL,
    day           TEXT NOT NULL CHECK (day LIKE '____-__-__'),
    question_key  TEXT NOT NULL,
    film_key      TEXT,
    question_json TEXT NOT NULL,
    channel_id    BIGINT,
    message_id    BIGINT,
    posted_at     TEXT NOT NULL,
    revealed_at   TEXT,
    PRIMARY KEY (guild_id, day)
);
CREATE INDEX trivia_daily_unrevealed ON trivia_daily (revealed_at, day);

CREATE TABLE trivia_daily_answers (
    guild_id    BIGINT NOT NULL,
    day         TEXT NOT NULL,
    user_id     BIGINT NOT NULL,
    answer      TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, day, user_id),
    FOREIGN KEY (guild_id, day) REFERENCES trivia_daily (guild_id, day) ON DELETE CASCADE
);
CREATE INDEX trivia_daily_answers_user ON trivia_daily_answers (user_id, guild_id, day);
