-- Pack questions of two kinds: "choice" (four buttons or typed) and "typed" (asked only where members type
-- their answer; it may have no wrong choices). `author` is who wrote the question (a Red-DiscordBot list's
-- AUTHOR), shown on reveal; NULL for none.
ALTER TABLE trivia_questions ADD COLUMN kind TEXT NOT NULL DEFAULT 'choice' CHECK (kind IN ('choice', 'typed'));
ALTER TABLE trivia_questions ADD COLUMN author TEXT;
