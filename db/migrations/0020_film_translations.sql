-- A film's synopsis in other languages (`[[film.translation]]` in packs, issue 17): a card shows the
-- reader's. `country` is '' for the language as a whole, or the country of a variety ('BR' for pt-BR).
-- The translated titles are film_titles aliases with their language, so the look-up finds them too.
CREATE TABLE film_translations (
    film_id  INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    country  TEXT NOT NULL DEFAULT '',
    synopsis TEXT NOT NULL,
    source   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (film_id, language, country)
);
