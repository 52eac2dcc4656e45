"""`/trivia`: games in a channel, the daily question, leaderboards and stats.

A thin adapter: the commands check who may do what, call the trivia engine (`engine.py`, one for
the bot, which runs the games and the daily question) and show its answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Literal, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.formatting import quote
from bot.i18n import N_
from bot.permissions import missing_post_permissions
from bot.replies import send_ephemeral
from bot.tree import report_error
from cogs.films.service import LookupService
from cogs.trivia.engine import TriviaEngine
from cogs.trivia.render import daily_embed, difficulty_name, leaderboard_embed, stats_embed
from cogs.trivia.views import FORM, answer_game, daily_view, submitted_text
from db import TriviaRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot

Period = Literal["all", "month", "week"]
PERIOD_DAYS = {"week": 7, "month": 30}
PERIOD_NAMES = {"all": N_("all time"), "month": N_("last 30 days"), "week": N_("last 7 days")}


@app_commands.guild_only()
class Trivia(commands.GroupCog, group_name="trivia", group_description="Film trivia: games, daily question, scores."):
    """Trivia games, the daily question, leaderboards."""

    def __init__(self, bot: MarqueeBot, engine: TriviaEngine, lookup: LookupService) -> None:
        self.bot = bot
        self.engine = engine
        self.lookup = lookup
        self.repository = TriviaRepository(bot.database)
        super().__init__()

    async def cog_unload(self) -> None:
        # Answers still queued are written before the database closes: the bot unloads its cogs when it
        # closes, and `Services.stop` cannot wait for them.
        await self.engine.answers_stored()

    # ---- /trivia start | stop | skip ------------------------------------------------------------

    @app_commands.command(name="start")
    @app_commands.describe(
        film="Only questions about this film",
        questions="How many questions (1 to 30)",
        difficulty="easy, medium, hard or mixed",
        mode="Buttons with four choices, or type your answers",
    )
    async def start(
        self,
        interaction: discord.Interaction[MarqueeBot],
        film: str | None = None,
        questions: app_commands.Range[int, 1, 30] = 10,
        difficulty: Literal["easy", "medium", "hard", "mixed"] = "mixed",
        mode: Literal["buttons", "typed"] = "buttons",
    ) -> None:
        """Start a game of trivia in this channel."""
        assert interaction.guild is not None and interaction.channel_id is not None
        missing: list[str] = []
        if isinstance(interaction.channel, discord.abc.GuildChannel):
            missing = missing_post_permissions(interaction.channel, interaction.guild.me)
        live = await self.engine.open_game(
            interaction.guild.id,
            interaction.channel_id,
            interaction.user.id,
            film=film,
            count=questions,
            difficulty=difficulty,
            mode=mode,
            missing_permissions=missing,
        )
        count, seconds, film_key = live.record.question_count, live.record.seconds, live.record.film_key
        t = live.speech  # a public post: the server's language
        how = t("pick A, B, C or D") if mode == "buttons" else t("press Answer and type one guess")
        values = {
            "questions": t.plural("{n} question", "{n} questions", count),
            "difficulty": difficulty_name(t, difficulty).lower(),
            "seconds": t.number(seconds),
            "how": how,
            "member": interaction.user.mention,
        }
        if film_key:
            announcement = t(
                "🎬 Trivia about {film}: {questions}, {difficulty}, {seconds} s each — {how}. Started by {member}.",
                film=quote(self.engine.film_title(film_key)),
                **values,
            )
        else:
            announcement = t(
                "🎬 Trivia: {questions}, {difficulty}, {seconds} s each — {how}. Started by {member}.", **values
            )
        await interaction.response.send_message(announcement)
        announcement_id = None
        with contextlib.suppress(discord.HTTPException):
            announcement_id = (await interaction.original_response()).id
        await self.engine.play(live, announcement_id)

    @app_commands.command(name="stop")
    async def stop(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Stop this channel's game; it still ends with standings and a winner."""
        live = self.engine.live_game(interaction.channel_id)
        permissions = interaction.permissions
        if interaction.user.id != live.record.starter_id and not permissions.manage_messages:
            raise UserFacingError("Only the member who started the game, or someone with Manage Messages, can stop it.")
        t = await self.bot.languages.for_server(interaction.guild_id)
        await interaction.response.send_message(t("Trivia stopped by {member}.", member=interaction.user.mention))
        await self.engine.stop_game(live)

    @app_commands.command(name="skip")
    async def skip(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Skip the current question (the member who started the game)."""
        live = self.engine.live_game(interaction.channel_id)
        if interaction.user.id != live.record.starter_id:
            raise UserFacingError("Only the member who started the game can skip a question.")
        number = live.open_round
        if number is None:
            raise UserFacingError("There is no open question to skip.")
        t = self.bot.languages.for_member(interaction)
        await interaction.response.send_message(t("Question skipped."), ephemeral=True)
        await self.engine.close_round(live, number)

    @start.autocomplete("film")
    async def film_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return self.lookup.film_choices(current)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Typed answers: every submitted answer form, including forms opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data = cast(dict[str, Any], interaction.data or {})
        form = FORM.fullmatch(str(data.get("custom_id", "")))
        if form is None:
            return
        try:
            await answer_game(interaction, int(form["game"]), int(form["round"]), submitted_text(data))
        except Exception as error:
            await report_error(interaction, error)

    # ---- leaderboards and stats ------------------------------------------------------------------

    @app_commands.command(name="leaderboard")
    @app_commands.describe(
        period="All time, the last 30 days or the last 7 days", film="Only questions about this film"
    )
    async def leaderboard(
        self, interaction: discord.Interaction[MarqueeBot], period: Period = "all", film: str | None = None
    ) -> None:
        """This server's best trivia players."""
        assert interaction.guild_id is not None
        days = PERIOD_DAYS.get(period)
        since = self.bot.clock.now() - dt.timedelta(days=days) if days else None
        film_key = self.lookup.film_key(film) if film else None
        rows = await self.repository.leaderboard(interaction.guild_id, since=since, film_key=film_key)
        own = await self.repository.rank_of(interaction.guild_id, interaction.user.id, since=since, film_key=film_key)
        # A public answer: the server's language.
        t = await self.bot.languages.for_server(interaction.guild_id)
        heading = t("Trivia leaderboard — {period}", period=t(PERIOD_NAMES[period]))
        if film_key:
            heading += f" · {self.engine.film_title(film_key)}"
        embed = leaderboard_embed(t, heading, rows, own, interaction.user.id)
        await interaction.response.send_message(embed=embed)

    @leaderboard.autocomplete("film")
    async def leaderboard_film_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return self.lookup.film_choices(current)

    @app_commands.command(name="stats")
    @app_commands.describe(member="Whose stats (you by default)")
    async def stats(
        self, interaction: discord.Interaction[MarqueeBot], member: discord.User | discord.Member | None = None
    ) -> None:
        """Games, accuracy, streaks and favourite film of a member."""
        assert interaction.guild_id is not None
        who = member or interaction.user
        stats = await self.repository.member_stats(interaction.guild_id, who.id)
        # A public answer, but asked for by one member about one member: in the language of the one who asked.
        t = self.bot.languages.for_member(interaction)
        embed = stats_embed(t, who.id, stats, self.engine.film_title(stats.favourite_film_key))
        await interaction.response.send_message(embed=embed)

    # ---- the daily question ----------------------------------------------------------------------

    @app_commands.command(name="daily")
    async def daily(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Today's question for this server: one answer each, revealed tomorrow."""
        assert interaction.guild_id is not None
        daily, revealed = await self.engine.todays_question(interaction.guild_id)
        shown = json.loads(daily.question_json)
        t = await self.bot.languages.for_server(interaction.guild_id)
        embeds = [*[embed for _, embed in revealed[-1:]], daily_embed(t, daily.day, shown)]
        await interaction.response.send_message(embeds=embeds, view=daily_view(daily.day.isoformat(), shown["choices"]))
        await self.engine.close_revealed(revealed)

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction[Any], command: Any) -> None:
        """Tell an admin, once, that the daily question was paused by a failure they can fix."""
        guild_id = interaction.guild_id
        if guild_id is None or not self.engine.daily_notice_pending(guild_id):
            return
        if not isinstance(interaction.user, discord.Member) or not interaction.user.guild_permissions.manage_guild:
            return
        reason = await self.engine.take_daily_notice(guild_id)
        if reason:
            t = self.bot.languages.for_member(interaction)
            await send_ephemeral(
                interaction,
                t(
                    "⚠️ The daily trivia question is paused: {reason}. "
                    "Fix that, then run `/settings trivia set daily_channel:` to resume it.",
                    reason=reason,
                ),
            )
