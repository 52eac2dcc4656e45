-- The language of a server's public posts (announcements, trivia, the daily question), chosen with
-- `/settings language set`: a catalogue name such as 'fr' or 'pt_BR'. NULL: the server's Discord language.
ALTER TABLE guild_settings ADD COLUMN language TEXT;
