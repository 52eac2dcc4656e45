-- Packs imported from TMDB (issue 15): a pack says where it came from and how to fetch it again (its
-- `[tmdb]` table, kept as JSON: the refresh reads it back whole, nothing queries inside it), films carry
-- their poster and backdrop (full image URLs), and a film's localized titles say their language and
-- country. `origin` is NULL for a pack written by hand.
ALTER TABLE packs ADD COLUMN origin TEXT CHECK (origin IN ('tmdb'));
ALTER TABLE packs ADD COLUMN origin_json TEXT;

ALTER TABLE films ADD COLUMN poster TEXT;
ALTER TABLE films ADD COLUMN backdrop TEXT;

ALTER TABLE film_titles ADD COLUMN language TEXT;
ALTER TABLE film_titles ADD COLUMN country TEXT;
