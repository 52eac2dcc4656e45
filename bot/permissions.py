"""What the bot may do in a channel, in the words Discord's client shows to admins."""

from __future__ import annotations

import discord


def missing_post_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """What the bot lacks to post embeds in `channel`: View Channel, Send Messages, Embed Links."""
    permissions = channel.permissions_for(me)
    needed = {
        "View Channel": permissions.view_channel,
        "Send Messages": permissions.send_messages,
        "Embed Links": permissions.embed_links,
    }
    return [name for name, granted in needed.items() if not granted]
