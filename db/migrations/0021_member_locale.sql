-- The member's Discord language as last seen when they used Marquee (a locale such as 'fr' or 'pt-BR'):
-- reminder DMs are sent on a schedule, with no interaction to tell it. NULL: unknown, DMs in English.
ALTER TABLE dm_recipients ADD COLUMN locale TEXT;
