-- The trivia question pool as built (packed questions, `PackedQuestions.state`), kept so that a start
-- with an unchanged catalogue reads it back rather than reading every credit and generating every question
-- again, which takes the bot's memory far above what it keeps. Used only while `made_from` (the pool's
-- format, a digest of the code that writes the questions, and the packs' digest) is the current one; one
-- row at most: storing a pool replaces any other.
CREATE TABLE trivia_pools (
    made_from TEXT PRIMARY KEY,
    pool      BLOB NOT NULL
);
