-- Catalogue: everything loaded from content packs.
-- Portable SQL only (SQLite today, PostgreSQL later): TEXT/INTEGER columns, ISO-8601
-- date strings, explicit primary keys, CHECKs built from LIKE/length/upper/IN.
-- One statement per semicolon: db/migrate.py splits the file with sqlite3.complete_statement.

CREATE TABLE packs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    loaded_at   TEXT NOT NULL
);

-- Sources are per pack: two packs may both call their Wikipedia source "wp_mi1".
CREATE TABLE sources (
    pack_id     TEXT NOT NULL REFERENCES packs (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    ref         TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (pack_id, key)
);

CREATE TABLE franchises (
    id      INTEGER PRIMARY KEY,
    key     TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    pack_id TEXT NOT NULL REFERENCES packs (id)
);

CREATE TABLE films (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    franchise_id    INTEGER REFERENCES franchises (id),
    franchise_order INTEGER CHECK (franchise_order IS NULL OR franchise_order >= 1),
    title           TEXT NOT NULL,
    original_title  TEXT NOT NULL,
    year            INTEGER NOT NULL CHECK (year BETWEEN 1870 AND 2200),
    runtime_minutes INTEGER CHECK (runtime_minutes IS NULL OR runtime_minutes BETWEEN 1 AND 600),
    synopsis        TEXT,
    tagline         TEXT,
    imdb_id         TEXT,
    tmdb_id         INTEGER,
    pack_id         TEXT NOT NULL REFERENCES packs (id),
    source          TEXT NOT NULL
);
-- franchise_order is not UNIQUE in SQL: reordering films inside one load would
-- trip an immediate constraint half-way. The pack validator enforces it instead.
CREATE INDEX films_franchise_order ON films (franchise_id, franchise_order);
CREATE INDEX films_pack ON films (pack_id);

CREATE TABLE film_titles (
    film_id INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    title   TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('title', 'original', 'alias')),
    PRIMARY KEY (film_id, title)
);

CREATE TABLE people (
    id      INTEGER PRIMARY KEY,
    key     TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    pack_id TEXT NOT NULL REFERENCES packs (id),
    source  TEXT
);
CREATE INDEX people_pack ON people (pack_id);

CREATE TABLE person_aliases (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    PRIMARY KEY (person_id, alias)
);

CREATE TABLE companies (
    id      INTEGER PRIMARY KEY,
    key     TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    pack_id TEXT NOT NULL REFERENCES packs (id)
);
CREATE INDEX companies_pack ON companies (pack_id);

CREATE TABLE company_aliases (
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    PRIMARY KEY (company_id, alias)
);

CREATE TABLE film_companies (
    film_id    INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    position   INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (film_id, company_id)
);
CREATE INDEX film_companies_company ON film_companies (company_id);

CREATE TABLE cast_credits (
    film_id       INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people (id),
    character     TEXT,
    billing_order INTEGER NOT NULL CHECK (billing_order >= 1),
    source        TEXT NOT NULL,
    PRIMARY KEY (film_id, billing_order)
);
CREATE INDEX cast_credits_person ON cast_credits (person_id);

CREATE TABLE crew_credits (
    film_id    INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    department TEXT NOT NULL,
    job        TEXT NOT NULL,
    position   INTEGER NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (film_id, person_id, job)
);
CREATE INDEX crew_credits_person ON crew_credits (person_id);

-- release_type follows TMDB: 1 premiere, 2 limited theatrical, 3 theatrical,
-- 4 digital, 5 physical, 6 TV.
CREATE TABLE releases (
    film_id      INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    country      CHAR(2) NOT NULL CHECK (length(country) = 2 AND country = upper(country)),
    release_date TEXT NOT NULL CHECK (release_date LIKE '____-__-__'),
    release_type INTEGER NOT NULL CHECK (release_type BETWEEN 1 AND 6),
    note         TEXT,
    source       TEXT NOT NULL,
    PRIMARY KEY (film_id, country, release_type, release_date)
);
CREATE INDEX releases_date ON releases (release_date);

-- date_text keeps the precision the source gives: YYYY, YYYY-MM or YYYY-MM-DD.
CREATE TABLE film_milestones (
    film_id     INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    date_text   TEXT NOT NULL CHECK (
        date_text LIKE '____' OR date_text LIKE '____-__' OR date_text LIKE '____-__-__'
    ),
    description TEXT NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (film_id, position)
);

CREATE TABLE trivia_questions (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    film_id      INTEGER REFERENCES films (id) ON DELETE CASCADE,
    question     TEXT NOT NULL,
    answers_json TEXT NOT NULL,
    wrong_json   TEXT NOT NULL,
    difficulty   TEXT NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    category     TEXT NOT NULL,
    source       TEXT NOT NULL,
    fact         TEXT,
    spoiler      INTEGER NOT NULL DEFAULT 0 CHECK (spoiler IN (0, 1)),
    pack_id      TEXT NOT NULL REFERENCES packs (id)
);
CREATE INDEX trivia_questions_film ON trivia_questions (film_id);
CREATE INDEX trivia_questions_difficulty ON trivia_questions (difficulty);
CREATE INDEX trivia_questions_pack ON trivia_questions (pack_id);
