"""Send helpers that cope with interactions already answered or expired."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

# Discord's error codes for an interaction that can no longer take an initial response.
UNKNOWN_INTERACTION = 10062
ALREADY_ACKNOWLEDGED = 40060


async def send_ephemeral(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> bool:
    """Show `content` to the member only; returns False when the interaction had expired.

    Uses the initial response when it is still free, a follow-up otherwise, and falls back to a
    follow-up when another task answered first.
    """
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
        else:
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        return True
    except discord.NotFound as error:
        if error.code == UNKNOWN_INTERACTION:
            log.info("interaction %s expired before we could answer", interaction.id)
            return False
        raise
    except discord.HTTPException as error:
        if error.code != ALREADY_ACKNOWLEDGED:
            raise
    try:
        await interaction.followup.send(content, ephemeral=True, **kwargs)
        return True
    except discord.NotFound:
        log.info("interaction %s expired before we could answer", interaction.id)
        return False
