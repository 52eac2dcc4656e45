-- What real catalogues carry beside titles and credits (issue 14): external ids for people and a
-- film's Wikidata id (identity across packs), genres, age ratings per country, and distributors as a
-- company role beside production.

ALTER TABLE films ADD COLUMN wikidata_id TEXT;
CREATE INDEX films_imdb ON films (imdb_id);
CREATE INDEX films_tmdb ON films (tmdb_id);
CREATE INDEX films_wikidata ON films (wikidata_id);

ALTER TABLE people ADD COLUMN imdb_id TEXT;
ALTER TABLE people ADD COLUMN tmdb_id INTEGER;
ALTER TABLE people ADD COLUMN wikidata_id TEXT;
CREATE INDEX people_imdb ON people (imdb_id);
CREATE INDEX people_tmdb ON people (tmdb_id);
CREATE INDEX people_wikidata ON people (wikidata_id);

CREATE TABLE film_genres (
    film_id  INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 1),
    genre    TEXT NOT NULL,
    PRIMARY KEY (film_id, genre)
);
CREATE INDEX film_genres_genre ON film_genres (genre);

CREATE TABLE film_certifications (
    film_id INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    country CHAR(2) NOT NULL CHECK (length(country) = 2 AND country = upper(country)),
    rating  TEXT NOT NULL,
    source  TEXT NOT NULL,
    PRIMARY KEY (film_id, country)
);

-- A company may both produce and distribute one film, so the role joins the primary key: the table
-- is rebuilt (SQLite cannot change a primary key in place), keeping its rows as production credits.
CREATE TABLE film_companies_new (
    film_id    INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    role       TEXT NOT NULL DEFAULT 'production' CHECK (role IN ('production', 'distribution')),
    position   INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (film_id, role, company_id)
);
INSERT INTO film_companies_new (film_id, company_id, role, position)
    SELECT film_id, company_id, 'production', position FROM film_companies;
DROP TABLE film_companies;
ALTER TABLE film_companies_new RENAME TO film_companies;
CREATE INDEX film_companies_company ON film_companies (company_id);
