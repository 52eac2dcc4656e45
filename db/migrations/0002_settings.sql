-- Per-guild and per-user preferences, plus small bot bookkeeping values.
-- Discord ids are 64-bit snowflakes: BIGINT has INTEGER affinity in SQLite and is
-- the right width in PostgreSQL.
-- timezone is an IANA name (validated by the bot), region an ISO 3166-1 alpha-2 code.

CREATE TABLE guild_settings (
    guild_id   BIGINT PRIMARY KEY,
    timezone   TEXT,
    region     CHAR(2) CHECK (region IS NULL OR (length(region) = 2 AND region = upper(region))),
    updated_at TEXT NOT NULL
);

CREATE TABLE user_settings (
    user_id    BIGINT PRIMARY KEY,
    timezone   TEXT,
    region     CHAR(2) CHECK (region IS NULL OR (length(region) = 2 AND region = upper(region))),
    updated_at TEXT NOT NULL
);

-- e.g. the hash of the last application-command tree synced to Discord.
CREATE TABLE bot_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
