-- Every film's card text (what /film info shows, made from its credits, releases and companies), kept
-- so that neither a card nor a start costs reading and rendering credits again, and so that the bot's
-- memory does not hold a card for each of 100,000 films. A card is used only while `made_from` (the
-- card format and a digest of the loaded packs) is the current one: any pack load makes every card stale.
CREATE TABLE film_cards (
    film_id   INTEGER PRIMARY KEY REFERENCES films (id) ON DELETE CASCADE,
    made_from TEXT NOT NULL,
    card      BLOB NOT NULL
);

CREATE INDEX film_cards_made_from ON film_cards (made_from);

-- Counts pack loads (each load takes the next number), so that the packs' digest changes with every load,
-- even two within one second (`loaded_at` keeps seconds).
ALTER TABLE packs ADD COLUMN load_number INTEGER NOT NULL DEFAULT 0;

-- The look-up reads every person by name, and every alias, at start: in index order, with no sort.
CREATE INDEX people_by_name ON people (name, key);
CREATE INDEX person_aliases_by_alias ON person_aliases (alias, person_id);
