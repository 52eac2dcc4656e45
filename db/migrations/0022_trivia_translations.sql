-- A pack's hand-written trivia question in other languages (`[[trivia.translation]]`, issue 17): a server
-- speaking one of them is asked it in its language. `country` is '' for the language as a whole, or the
-- country of a variety ('BR' for pt-BR). The answers are accepted besides the original's.
CREATE TABLE trivia_translations (
    question_id  INTEGER NOT NULL REFERENCES trivia_questions (id) ON DELETE CASCADE,
    language     TEXT NOT NULL,
    country      TEXT NOT NULL DEFAULT '',
    question     TEXT NOT NULL,
    answers_json TEXT NOT NULL,
    wrong_json   TEXT NOT NULL,
    fact         TEXT,
    PRIMARY KEY (question_id, language, country)
);
