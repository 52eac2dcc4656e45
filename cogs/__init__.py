"""One module or package per feature; `bot.client.cog_extensions` loads every one found here."""
