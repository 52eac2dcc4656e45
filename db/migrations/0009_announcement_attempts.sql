-- When an announcement was first tried. Discord de-duplicates a nonce only for a few minutes, so a
-- retry long after the first try that may have created the post must first look for that post
-- (bot.delivery.find_earlier_post) instead of trusting the nonce. NULL: never tried.
ALTER TABLE announcement_posts ADD COLUMN first_try_at TEXT;

-- Something an admin configured that has since gone (the role to ping was deleted): the bot carries on
-- without it and tells the next admin who uses it, once. NULL: nothing to tell.
ALTER TABLE announcement_settings ADD COLUMN warning TEXT;
