-- Packs that meet each other (issue 14): a film or person two packs both list is stored once, owned by
-- the pack that loaded it first, and the other pack may add titles or aliases of its own to it. Each
-- such row records the pack that wrote it, so that a pack's reload replaces exactly its own rows and
-- never another pack's. Existing rows belong to the pack that owns their film, person or company.
--
-- The column is nullable only because SQLite cannot add a NOT NULL column without a default; the
-- loader always writes it and this migration fills every existing row.

ALTER TABLE film_titles ADD COLUMN pack_id TEXT REFERENCES packs (id);
UPDATE film_titles SET pack_id = (SELECT films.pack_id FROM films WHERE films.id = film_titles.film_id);
CREATE INDEX film_titles_pack ON film_titles (pack_id);

ALTER TABLE person_aliases ADD COLUMN pack_id TEXT REFERENCES packs (id);
UPDATE person_aliases SET pack_id = (SELECT people.pack_id FROM people WHERE people.id = person_aliases.person_id);
CREATE INDEX person_aliases_pack ON person_aliases (pack_id);

ALTER TABLE company_aliases ADD COLUMN pack_id TEXT REFERENCES packs (id);
UPDATE company_aliases SET pack_id = (
    SELECT companies.pack_id FROM companies WHERE companies.id = company_aliases.company_id
);
CREATE INDEX company_aliases_pack ON company_aliases (pack_id);

-- Which entries of a pack are another pack's film or person, by the pack's own key: when the owner
-- stops listing one, it is handed over to a pack that merged it, keeping its id and key, instead of
-- being deleted with everything the other pack hung on it; the row then tells that pack's next load
-- which stored film or person its key names.
CREATE TABLE film_merges (
    pack_id TEXT NOT NULL REFERENCES packs (id),
    key     TEXT NOT NULL,
    film_id INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    PRIMARY KEY (pack_id, key)
);
CREATE INDEX film_merges_film ON film_merges (film_id);

CREATE TABLE person_merges (
    pack_id   TEXT NOT NULL REFERENCES packs (id),
    key       TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (pack_id, key)
);
CREATE INDEX person_merges_person ON person_merges (person_id);
