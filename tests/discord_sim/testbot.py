"""A tiny discord.py bot used to test the simulator itself (Marquee is tested with its own bot).

It is configured like Marquee, from the same environment variables, and can run in-process
(:func:`serve`) or as a child process (``python -m tests.discord_sim.testbot``).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

FILMS = [
    "Mission: Impossible",
    "Dead Reckoning Part One",
    "Fallout",
    "Ghost Protocol",
    "Rogue Nation",
    "The Final Reckoning",
    "Mission: Impossible II",
    "Mission: Impossible III",
]


class Pager(discord.ui.View):
    def __init__(self, page: int = 1) -> None:
        super().__init__(timeout=None)
        self.page = page

    @discord.ui.button(label="Prev", style=discord.ButtonStyle.secondary, custom_id="pager:prev")
    async def prev(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        self.page = max(1, self.page - 1)
        await interaction.response.edit_message(content=f"page {self.page}", view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, custom_id="pager:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        self.page += 1
        await interaction.response.edit_message(content=f"page {self.page}", view=self)


class FilmSelect(discord.ui.View):
    @discord.ui.select(
        custom_id="films",
        placeholder="Pick films",
        min_values=1,
        max_values=2,
        options=[discord.SelectOption(label=f, value=str(i)) for i, f in enumerate(FILMS[:4])],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[FilmSelect]) -> None:
        names = ", ".join(FILMS[int(v)] for v in select.values)
        await interaction.response.send_message(f"you picked {names}", ephemeral=True)


class Feedback(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[Feedback] = discord.ui.TextInput(label="Your thoughts", custom_id="text", max_length=200)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class ChannelPicker(discord.ui.View):
    @discord.ui.select(cls=discord.ui.ChannelSelect, custom_id="where", placeholder="Pick a channel")
    async def pick(self, interaction: discord.Interaction, select: discord.ui.ChannelSelect[ChannelPicker]) -> None:
        await interaction.response.send_message(f"picked <#{select.values[0].id}>", ephemeral=True)


class SimTestBot(commands.Bot):
    """Commands that exercise every interaction path the simulator supports."""

    def __init__(self, *, intents: int | None = None, **kwargs: Any) -> None:
        chosen = discord.Intents(guilds=True) if intents is None else discord.Intents._from_value(intents)
        super().__init__(command_prefix=commands.when_mentioned, intents=chosen, **kwargs)
        self.commands_synced = asyncio.Event()
        self.events: list[str] = []
        self.seen_messages: list[discord.Message] = []
        self._register()

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)

    async def setup_hook(self) -> None:
        self.add_view(Pager())
        await self.tree.sync()
        self.commands_synced.set()

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.events.append(f"remove:{guild.id}")

    async def on_guild_unavailable(self, guild: discord.Guild) -> None:
        self.events.append(f"unavailable:{guild.id}")

    def _register(self) -> None:
        tree = self.tree

        @tree.command(name="about", description="About this bot")
        async def about(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="Marquee test bot", description="A bot for film fans.")
            embed.add_field(name="Version", value="0.0")
            await interaction.response.send_message(embed=embed)

        film = app_commands.Group(name="film", description="Films")

        @film.command(name="info", description="Look up a film")
        @app_commands.describe(title="Film title")
        async def info(interaction: discord.Interaction, title: str) -> None:
            await interaction.response.send_message(f"Film: {title}")

        @info.autocomplete("title")
        async def info_ac(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f, value=f) for f in FILMS if current.lower() in f.lower()][:25]

        tree.add_command(film)

        @tree.command(name="pager", description="Pages")
        async def pager(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("page 1", view=Pager())

        @tree.command(name="pick", description="Pick films")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick some", view=FilmSelect())

        @tree.command(name="feedback", description="Send feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Feedback())

        @tree.command(name="slow", description="Defer, then answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await asyncio.sleep(0.05)
            await interaction.followup.send("done thinking")
            await interaction.followup.send("and one more")

        @tree.command(name="say", description="Say something in the channel")
        @app_commands.describe(text="What to say", nonce="Nonce", mentions="Allow user mentions")
        async def say(
            interaction: discord.Interaction, text: str, nonce: str | None = None, mentions: bool = True
        ) -> None:
            await interaction.response.send_message("ok", ephemeral=True)
            allowed = discord.AllowedMentions(users=mentions, roles=False, everyone=False)
            assert interaction.channel is not None
            try:
                await interaction.channel.send(text, nonce=nonce, allowed_mentions=allowed)  # type: ignore[union-attr]
            except discord.HTTPException as exc:
                await interaction.followup.send(f"failed: {exc.status} {exc.code}", ephemeral=True)

        @tree.command(name="dm", description="DM me")
        async def dm(interaction: discord.Interaction) -> None:
            try:
                await interaction.user.send("hello in your DMs")
            except discord.HTTPException as exc:
                await interaction.response.send_message(f"failed: {exc.status} {exc.code}", ephemeral=True)
            else:
                await interaction.response.send_message("sent", ephemeral=True)

        @tree.command(name="greet", description="Greet a member")
        async def greet(
            interaction: discord.Interaction, member: discord.Member, role: discord.Role | None = None
        ) -> None:
            extra = f" of {role.name}" if role else ""
            await interaction.response.send_message(f"hello {member.mention}{extra}")

        @tree.command(name="later", description="Answer, pause, then follow up")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            await asyncio.sleep(0.2)  # longer than the harness's quiet window
            await interaction.followup.send("second")

        @tree.command(name="whois", description="Name a user")
        async def whois(interaction: discord.Interaction, user: discord.User | discord.Member) -> None:
            await interaction.response.send_message(f"{user.name} member={isinstance(user, discord.Member)}")

        @tree.command(name="where", description="Name a channel")
        async def where(interaction: discord.Interaction, channel: discord.TextChannel | discord.VoiceChannel) -> None:
            perms = interaction.namespace.channel.permissions.value  # the invoking member's, from `resolved`
            await interaction.response.send_message(f"channel {channel.mention} in {channel.guild.id} perms={perms}")

        @tree.command(name="pickchannel", description="Pick a channel from a menu")
        async def pickchannel(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick one", view=ChannelPicker())

        @tree.context_menu(name="Wave")
        async def wave(interaction: discord.Interaction, member: discord.Member | discord.User) -> None:
            await interaction.response.send_message(f"waved at {member.mention}", ephemeral=True)

        @tree.context_menu(name="Quote")
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"quoted {message.author.name}: {message.content}")

        @tree.command(name="bigembed", description="Send an oversized embed (invalid)")
        async def bigembed(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message(embed=discord.Embed(description="x" * 5000))
            except discord.HTTPException as exc:
                await interaction.followup.send(f"failed: {exc.code}") if interaction.response.is_done() else None

        @tree.command(name="rawsend", description="Send a body with an unknown field (invalid)")
        async def rawsend(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            route = Route("POST", "/channels/{channel_id}/messages", channel_id=interaction.channel_id)
            try:
                await self.http.request(route, json={"content": "hi", "colour_of_sky": "blue"})
            except discord.HTTPException as exc:
                await interaction.followup.send(f"failed: {exc.status} {exc.code}")

        @tree.command(name="event", description="Create a scheduled event")
        async def event(interaction: discord.Interaction, name: str) -> None:
            assert interaction.guild is not None
            start = discord.utils.utcnow() + __import__("datetime").timedelta(days=2)
            ev = await interaction.guild.create_scheduled_event(
                name=name,
                start_time=start,
                end_time=start + __import__("datetime").timedelta(hours=2),
                entity_type=discord.EntityType.external,
                location="Cinema",
                privacy_level=discord.PrivacyLevel.guild_only,
            )
            await interaction.response.send_message(f"event {ev.id}")

        @tree.command(name="twice", description="Answer twice (invalid)")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("one")
            try:
                await self.http.request(
                    Route("POST", "/interactions/{i}/{t}/callback", i=interaction.id, t=interaction.token),
                    json={"type": 4, "data": {"content": "two"}},
                )
            except discord.HTTPException as exc:
                await interaction.followup.send(f"failed: {exc.code}")


def configure(env: Mapping[str, str]) -> None:
    """Point discord.py at the URLs from the environment, as Marquee's runner does."""
    Route.BASE = env["MARQUEE_DISCORD_API_BASE_URL"]
    DiscordWebSocket.DEFAULT_GATEWAY = __import__("yarl").URL(env["MARQUEE_DISCORD_GATEWAY_URL"])


async def serve(env: Mapping[str, str], clock: Any = None, started: Callable[[Any], None] | None = None) -> None:
    """Run the test bot until ``bot.close()``; the same contract as ``bot.runner.serve``."""
    configure(env)
    # SIM_TESTBOT_INTENTS: the gateway intents as an integer (default: guilds only, like Marquee).
    raw = env.get("SIM_TESTBOT_INTENTS")
    bot = SimTestBot(intents=int(raw) if raw else None)
    if started is not None:
        started(bot)
    async with bot:
        await bot.start(env["DISCORD_TOKEN"])


def main() -> None:
    asyncio.run(serve(dict(os.environ)))


if __name__ == "__main__":
    sys.exit(main())
