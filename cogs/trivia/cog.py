"""`/trivia`: games in a channel, the daily question, leaderboards and stats.

The engine (`game.py`) decides; this cog does the I/O: it posts questions, feeds clicks and typed
answers to the engine, stores every accepted answer, and closes each question when its alarm
rings or when every player has answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import gc
import hashlib
import json
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import MarqueeBot
from bot.delivery import MAX_ATTEMPTS, CannotTell, classify, earlier_try_posted, retry_delay
from bot.errors import UserFacingError
from bot.formatting import quote
from bot.localtime import at_local_time, local_day, next_local_time, parse_hhmm, zone
from bot.permissions import missing_post_permissions
from bot.replies import send_ephemeral
from bot.tree import report_error
from cogs.countdowns.engine import PAUSING_CODES
from cogs.films.service import LookupService
from cogs.trivia import render
from cogs.trivia.answers import AnswerChecker
from cogs.trivia.game import DEFAULT_SECONDS, GameState, RoundResult
from cogs.trivia.questions import Question, build_pool, choices, film_order, select_questions
from cogs.trivia.scoring import standings, winner
from cogs.trivia.views import FORM, AnswerForm, daily_view, question_view, submitted_text
from db import GuildSettingsRepository, TriviaRepository
from db.repositories.models import CastCredit, CrewCredit
from db.repositories.trivia import TriviaAnswer, TriviaDaily, TriviaDailyPost, TriviaGame

log = logging.getLogger(__name__)
T = TypeVar("T")

CLOSED = "This question is closed."
NO_GAME = "No trivia game is running in this channel."
# Seconds between "N answered" edits: a channel allows 5 edits per 5 s, and the reveal needs one of them.
COUNT_EDIT_INTERVAL = 1.25
START_COOLDOWN = 20.0
DEFAULT_DAILY_TIME = "09:00"
DAILY_LATE_AFTER = dt.timedelta(minutes=5)  # a daily post this much after its time is recorded as late
# Discord de-duplicates a nonce for only a few minutes: a retry later than this looks before it posts.
POOL_WAIT = 2.0  # seconds a command waits for a question pool still being built
# A burst (every channel's question closing at once) can exceed Discord's global rate limit for
# longer than discord.py's own retries last; a post that still fails is retried after these pauses.
RETRY_DELAYS = (1.0, 2.0, 4.0)


class HeldBackError(Exception):
    """Not sent: Discord has refused too many of the bot's requests lately (see bot.breaker)."""


async def retrying(bot: MarqueeBot, action: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a request the bot starts on its own, at the shared pace, retrying rate limits and server
    errors; permission errors are final, and nothing is tried while the invalid-request breaker is
    open. A post must carry a fixed nonce, so that a retry of one Discord created but whose answer
    was lost comes back as the same message."""
    for delay in (*RETRY_DELAYS, None):
        if bot.breaker.open:
            raise HeldBackError(what)
        await bot.pacer.wait_turn()
        try:
            return await action()
        except (discord.Forbidden, discord.NotFound):
            raise
        except discord.HTTPException as error:
            if delay is None:
                raise
            log.info("%s failed with %s; retrying in %.0f s", what, error.status, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


Period = Literal["all", "month", "week"]
PERIOD_DAYS = {"week": 7, "month": 30}


@dataclass
class LiveGame:
    """A running game: the stored record, the engine, and the message of the open question."""

    record: TriviaGame
    state: GameState
    questions: list[Question]
    channel: discord.PartialMessageable
    rng: random.Random
    message: discord.Message | None = None
    message_round: int = 0  # the question `message` shows
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    count_task: asyncio.Task[None] | None = None
    last_count_edit: float = 0.0

    @property
    def alarm(self) -> str:
        return f"trivia:{self.record.channel_id}"


def _log_pool_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("trivia: building the question pool failed", exc_info=task.exception())


def post_nonce(game: TriviaGame, part: str) -> str:
    """A deterministic nonce (24 characters; Discord allows 25) for one post of a game, e.g. "q3".

    The start instant is in it as well as the id: a game id can be handed out again after its
    row is deleted, and the nonce must not name the earlier game's post.
    """
    key = f"trivia|{game.guild_id}|{game.channel_id}|{game.id}|{game.started_at.isoformat()}|{part}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def daily_alarm(guild_id: int) -> str:
    return f"trivia-daily:{guild_id}"


def daily_nonce(guild_id: int, day: dt.date) -> str:
    """The nonce of a server's daily post for one day (24 characters; Discord allows 25)."""
    return hashlib.blake2b(f"trivia-daily|{guild_id}|{day.isoformat()}".encode(), digest_size=12).hexdigest()


def question_json(question: Question, options: tuple[str, ...], right_index: int | None) -> str:
    """The question exactly as asked, kept with the round (generated questions exist nowhere else)."""
    return json.dumps(
        {
            "key": question.key,
            "text": question.text,
            "answer": question.answer,
            "choices": list(options),
            "right_index": right_index,
            "difficulty": question.difficulty,
            "film_key": question.film_key,
        },
        ensure_ascii=False,
    )


@app_commands.guild_only()
class Trivia(commands.GroupCog, group_name="trivia", group_description="Film trivia: games, daily question, scores."):
    """Trivia games, the daily question, leaderboards."""

    def __init__(self, bot: MarqueeBot, lookup: LookupService) -> None:
        self.bot = bot
        self.lookup = lookup
        self.games: dict[int, LiveGame] = {}
        self.pool: list[Question] = []
        self.order: dict[str, int] = {}
        self.daily_alarms: set[int] = set()
        self.daily_locks: dict[int, asyncio.Lock] = {}
        self.daily_notices: set[int] = set()  # guilds whose admins have not yet been told of a pause
        self.last_start: dict[tuple[int, int], dt.datetime] = {}
        self.pool_task: asyncio.Task[None] | None = None
        self.answer_queue: list[TriviaAnswer] = []
        self.answer_task: asyncio.Task[None] | None = None
        super().__init__()

    @property
    def repository(self) -> TriviaRepository:
        return TriviaRepository(self.bot.database)

    async def cog_load(self) -> None:
        self.refresh_pool()
        await self.close_interrupted_games()
        resumed = await self.repository.resume_daily_posts()
        if resumed:
            log.info("trivia: %d daily posts interrupted by a restart will be resent", resumed)
        self.daily_notices = set(await self.repository.guilds_with_daily_notices())
        for daily in await self.repository.daily_enabled():
            await self.schedule_daily(daily.guild_id)

    async def cog_unload(self) -> None:
        await self.answers_stored()
        if self.pool_task is not None:
            self.pool_task.cancel()
        for guild_id in self.daily_alarms:
            self.bot.alarms.cancel(daily_alarm(guild_id))
        for live in self.games.values():
            self.bot.alarms.cancel(live.alarm)
            if live.count_task is not None:
                live.count_task.cancel()

    def refresh_pool(self) -> None:
        """Build the question pool in the background: a large catalogue takes seconds, and the
        bot must keep answering meanwhile."""
        if self.pool_task is not None:
            self.pool_task.cancel()
        self.pool_task = asyncio.create_task(self.build_pool(), name="trivia-pool")
        self.pool_task.add_done_callback(_log_pool_failure)

    async def ready_pool(self) -> list[Question]:
        """The question pool, waiting briefly when it is still being built (interactions allow 3 s)."""
        if self.pool_task is not None and not self.pool_task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.pool_task), POOL_WAIT)
        if not self.pool:
            raise UserFacingError("Trivia questions are still being prepared; try again in a moment.")
        return self.pool

    async def build_pool(self) -> None:
        """Every question of the catalogue, from two bulk reads and the film lookup's indexes.

        It waits for those indexes to be built first, then works in a worker thread.
        """
        catalogue = self.bot.catalogue
        lookup = await self.lookup.indexed()
        all_cast = await catalogue.all_cast()
        all_crew = await catalogue.all_crew()
        pack_questions = await catalogue.trivia_questions()
        titles = await catalogue.film_titles()

        def build() -> tuple[list[Question], dict[str, int]]:
            cast: dict[int, list[CastCredit]] = defaultdict(list)
            for credit in all_cast:
                cast[credit.film_id].append(credit)
            crew: dict[int, list[CrewCredit]] = defaultdict(list)
            for crew_credit in all_crew:
                crew[crew_credit.film_id].append(crew_credit)
            films = list(lookup.by_id.values())
            pool = build_pool(
                pack_questions,
                films,
                cast,
                crew,
                titles=titles,
                people=lookup.people.items,
                characters=lookup.characters.items,
            )
            return pool, film_order(films)

        self.pool, self.order = await asyncio.to_thread(build)
        gc.freeze()  # the pool lives until the next pack load; see Films.index_catalogue
        log.info("trivia: %d questions ready", len(self.pool))

    def checker(self) -> AnswerChecker:
        lookup = self.lookup.current
        return AnswerChecker(films=lookup.films, people=lookup.people, characters=lookup.characters)

    def film_title(self, key: str | None) -> str | None:
        film = self.lookup.film(key) if key else None
        return film.title if film else None

    async def close_interrupted_games(self) -> None:
        """Games left running by a crash or restart end now, with their standings and a notice."""
        for game in await self.repository.running_games():
            answers = await self.repository.game_answers(game.id)
            table = standings(answers)
            won = winner(table, {answer.user_id for answer in answers})
            ended = await self.repository.finish_game(
                game.id, status="interrupted", end_reason="restart", winner_id=won, now=self.bot.clock.now()
            )
            if ended is None:
                continue
            embed = render.standings_embed(
                "Trivia — final standings", table, won, note="This game was interrupted by a restart of the bot."
            )
            channel = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)
            if await self.my_turn():
                with contextlib.suppress(discord.HTTPException):
                    await channel.send(embed=embed, nonce=post_nonce(game, "end"))

    async def my_turn(self) -> bool:
        """Wait for the shared pace; False (send nothing) while the invalid-request breaker is open."""
        if self.bot.breaker.open:
            return False
        await self.bot.pacer.wait_turn()
        return True

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
        channel_id, guild_id = interaction.channel_id, interaction.guild.id
        if self.bot.breaker.open:
            raise UserFacingError(
                "Trivia is taking a short break: Discord has refused too many of my requests lately. "
                "Try again in a few minutes."
            )
        # Reserved before the first await: a member's simultaneous starts must see each other.
        reserved = self.reserve_start(guild_id, interaction.user.id)
        try:
            running = await self.repository.running_game(channel_id)
            if running is not None:
                raise UserFacingError(f"A game is already running here: {self.game_link(running)}")
            if isinstance(interaction.channel, discord.abc.GuildChannel):
                missing = missing_post_permissions(interaction.channel, interaction.guild.me)
                if missing:
                    raise UserFacingError(f"I can't run a game here: I need {', '.join(missing)} in this channel.")
            film_key = self.lookup.film_key(film) if film else None
            settings = await self.repository.get_settings(guild_id, channel_id, default_seconds=DEFAULT_SECONDS)
            seconds = settings.seconds or DEFAULT_SECONDS
            rng = random.Random()
            picked = select_questions(
                await self.ready_pool(),
                count=questions,
                difficulty=difficulty,
                film_key=film_key,
                newest_allowed=settings.newest_film_key,
                film_order=self.order,
                recent=await self.repository.recent_questions(guild_id),
                rng=rng,
                mode=mode,
            )
            if not picked:
                raise UserFacingError(
                    "No questions match those choices (film, difficulty and the server's spoiler gate)."
                )
            now = self.bot.clock.now()
            record = await self.repository.start_game(
                guild_id=guild_id,
                channel_id=channel_id,
                starter_id=interaction.user.id,
                mode=mode,
                difficulty=difficulty,
                film_key=film_key,
                question_count=len(picked),
                seconds=seconds,
                now=now,
            )
            if record is None:
                raise UserFacingError("A game has just started in this channel.")
        except BaseException:
            self.release_start(guild_id, interaction.user.id, reserved)
            raise
        await self.repository.mark_asked(guild_id, [question.key for question in picked], now)
        state = GameState(
            mode=mode,
            question_count=len(picked),
            time_limit_s=seconds,
            checker=self.checker().check if mode == "typed" else None,
        )
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        live = LiveGame(record, state, picked, channel, rng)
        self.games[channel_id] = live
        about = f" about {quote(self.film_title(film_key))}" if film_key else ""
        how = "pick A, B, C or D" if mode == "buttons" else "press Answer and type one guess"
        await interaction.response.send_message(
            f"🎬 Trivia{about}: {len(picked)} question{'s' if len(picked) != 1 else ''}, {difficulty}, "
            f"{seconds} s each — {how}. Started by {interaction.user.mention}."
        )
        with contextlib.suppress(discord.HTTPException):
            original = await interaction.original_response()
            await self.repository.set_game_message(record.id, original.id)
        async with live.lock:
            await self.ask_next(live)

    @app_commands.command(name="stop")
    async def stop(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Stop this channel's game; it still ends with standings and a winner."""
        live = self.live_game(interaction)
        permissions = interaction.permissions
        if interaction.user.id != live.record.starter_id and not permissions.manage_messages:
            raise UserFacingError("Only the member who started the game, or someone with Manage Messages, can stop it.")
        await interaction.response.send_message(f"Trivia stopped by {interaction.user.mention}.")
        async with live.lock:
            result = live.state.stop(self.bot.clock.now())
            if result is not None:
                await self.show_reveal(live, result)
            await self.end_game(live, "stopped")

    @app_commands.command(name="skip")
    async def skip(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Skip the current question (the member who started the game)."""
        live = self.live_game(interaction)
        if interaction.user.id != live.record.starter_id:
            raise UserFacingError("Only the member who started the game can skip a question.")
        current = live.state.current
        if current is None:
            raise UserFacingError("There is no open question to skip.")
        await interaction.response.send_message("Question skipped.", ephemeral=True)
        await self.close_round(live, current.number)

    @start.autocomplete("film")
    async def film_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return self.lookup.film_choices(current)

    def reserve_start(self, guild_id: int, user_id: int) -> tuple[dt.datetime, dt.datetime | None]:
        """Claim the member's one start per START_COOLDOWN, checked and taken with no await between.

        Returns (this reservation, the one it replaced), to hand back to `release_start` if the
        start is then refused: refused starts do not count.
        """
        now = self.bot.clock.now()
        last = self.last_start.get((guild_id, user_id))
        if last is not None:
            wait = START_COOLDOWN - (now - last).total_seconds()
            if wait > 0:
                raise UserFacingError(f"Slow down: you can start another game in {wait:.0f} s.")
        self.last_start[(guild_id, user_id)] = now
        return now, last

    def release_start(self, guild_id: int, user_id: int, reservation: tuple[dt.datetime, dt.datetime | None]) -> None:
        """Give back a reservation whose start was refused, unless a later one replaced it."""
        reserved, previous = reservation
        if self.last_start.get((guild_id, user_id)) != reserved:
            return
        if previous is None:
            del self.last_start[(guild_id, user_id)]
        else:
            self.last_start[(guild_id, user_id)] = previous

    def live_game(self, interaction: discord.Interaction[Any]) -> LiveGame:
        live = self.games.get(interaction.channel_id or 0)
        if live is None:
            raise UserFacingError(NO_GAME)
        return live

    def game_link(self, game: TriviaGame) -> str:
        if game.message_id is None:
            return f"<#{game.channel_id}>"
        return f"https://discord.com/channels/{game.guild_id}/{game.channel_id}/{game.message_id}"

    # ---- the round cycle (always called with live.lock held) ----------------------------------

    async def ask_next(self, live: LiveGame) -> None:
        question = live.questions[live.state.asked]
        options = tuple(choices(question, live.rng)) if live.state.mode == "buttons" else None
        round_ = live.state.ask(question, options, self.bot.clock.now())
        await self.repository.add_round(
            live.record.id,
            round_.number,
            question.key,
            question_json(question, round_.choices, round_.right_index),
            round_.asked_at,
            film_key=question.film_key,
        )
        embed = render.question_embed(round_, live.state.question_count, int(live.state.time_limit_s), 0)
        view = question_view(live.record.id, round_.number, round_.choices, typed=live.state.mode == "typed")
        live.message, live.message_round = None, 0
        try:
            nonce = post_nonce(live.record, f"q{round_.number}")
            live.message = await retrying(
                self.bot,
                lambda: live.channel.send(embed=embed, view=view, nonce=nonce),
                f"posting question {round_.number}",
            )
            live.message_round = round_.number
        except (discord.HTTPException, HeldBackError) as error:
            log.warning("trivia game %s ended: cannot post in channel %s (%r)", live.record.id, live.channel.id, error)
            live.state.stop(self.bot.clock.now())
            why = "held back: too many refused requests" if isinstance(error, HeldBackError) else None
            await self.end_game(live, "failed", reason=why or "cannot post in the channel", announce=False)
            return
        self.bot.alarms.set(live.alarm, round_.deadline, functools.partial(self.close_round, live, round_.number))

    async def close_round(self, live: LiveGame, number: int) -> None:
        """Close question `number` (time up, everyone answered, or skipped), reveal it, go on.

        Several closers can race (the last clicks of a burst, the alarm): only the first closes
        the question; the others find it closed and must not close the next one.
        """
        async with live.lock:
            current = live.state.current
            if current is None or current.number != number or self.games.get(live.record.channel_id) is not live:
                return
            self.bot.alarms.cancel(live.alarm)
            result = live.state.close(self.bot.clock.now())
            await self.show_reveal(live, result)
            if live.state.finished:
                await self.end_game(live, "finished")
            else:
                await self.ask_next(live)

    async def show_reveal(self, live: LiveGame, result: RoundResult) -> None:
        await self.answers_stored()
        await self.repository.close_round(live.record.id, result.number, result.closed_at)
        if live.message is None or live.message_round != result.number:
            return
        embed = render.reveal_embed(result, live.state.question_count, self.film_title)
        view = question_view(
            live.record.id, result.number, result.choices, typed=live.state.mode == "typed", closed=True
        )
        message = live.message
        try:
            await retrying(
                self.bot, lambda: message.edit(embed=embed, view=view), f"revealing question {result.number}"
            )
        except (discord.HTTPException, HeldBackError):
            log.warning("could not reveal question %s of game %s", result.number, live.record.id, exc_info=True)

    async def end_game(self, live: LiveGame, status: str, *, reason: str | None = None, announce: bool = True) -> None:
        self.bot.alarms.cancel(live.alarm)
        if self.games.get(live.record.channel_id) is live:
            del self.games[live.record.channel_id]
        table = live.state.standings()
        won = live.state.winner()
        await self.answers_stored()
        ended = await self.repository.finish_game(
            live.record.id,
            status=status,  # type: ignore[arg-type]
            end_reason=reason or live.state.end_reason,
            winner_id=won,
            now=self.bot.clock.now(),
        )
        if ended is None or not announce:
            return
        embed = render.standings_embed("Trivia — final standings", table, won)
        try:
            nonce = post_nonce(live.record, "end")
            await retrying(self.bot, lambda: live.channel.send(embed=embed, nonce=nonce), "posting the final standings")
        except (discord.HTTPException, HeldBackError):
            log.warning("could not post the standings of game %s", live.record.id, exc_info=True)

    # ---- answers -------------------------------------------------------------------------------

    async def answer(
        self, interaction: discord.Interaction[Any], game_id: int, round_number: int, value: int | str
    ) -> None:
        """A click (choice index) or a typed answer for a game's question."""
        live = self.open_question(interaction, game_id, round_number)
        current = live.state.current if live else None
        if live is None or current is None:
            await send_ephemeral(interaction, CLOSED)
            return
        outcome = live.state.answer(interaction.user.id, value, self.bot.clock.now())
        if outcome.status == "already_answered":
            await send_ephemeral(interaction, "You have already answered this question.")
            return
        if outcome.record is None:
            await send_ephemeral(interaction, CLOSED)
            return
        record = outcome.record
        self.store_answer(
            TriviaAnswer(
                game_id=game_id,
                round_number=round_number,
                guild_id=live.record.guild_id,
                user_id=record.user_id,
                answer=record.answer,
                correct=record.correct,
                time_ms=record.time_ms,
                points=record.points,
                answered_at=record.answered_at,
            )
        )
        if record.choice is not None:
            locked = f"{render.LETTERS[record.choice]}. {quote(record.answer)}"
        else:
            locked = f"“{quote(record.answer)}”"
        await send_ephemeral(interaction, f"Locked in: {locked}. The answer is revealed when the question closes.")
        if live.state.everyone_answered():
            await self.close_round(live, round_number)
        else:
            self.schedule_count_update(live, round_number)

    async def open_answer_form(self, interaction: discord.Interaction[Any], game_id: int, round_number: int) -> None:
        if self.open_question(interaction, game_id, round_number) is None:
            await send_ephemeral(interaction, CLOSED)
            return
        await interaction.response.send_modal(AnswerForm(game_id, round_number))

    def open_question(self, interaction: discord.Interaction[Any], game_id: int, round_number: int) -> LiveGame | None:
        """The game of the caller's channel, if the custom id names its open question.

        A game id can come back after its row was deleted (a server's data purged), so the id is
        not enough: a click must also come from the message that asks the question now.
        """
        live = self.games.get(interaction.channel_id or 0)
        current = live.state.current if live else None
        if live is None or live.record.id != game_id or current is None or current.number != round_number:
            return None
        clicked = interaction.message
        # While the post's answer is still on its way the message is not known yet: the click counts.
        if clicked is not None and live.message is not None and clicked.id != live.message.id:
            return None
        return live

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
            await self.answer(interaction, int(form["game"]), int(form["round"]), submitted_text(data))
        except Exception as error:
            await report_error(interaction, error)

    def store_answer(self, answer: TriviaAnswer) -> None:
        """Queue an accepted answer for the database; a burst of clicks is written in one transaction.

        The engine already holds the answer, so the member is told at once; every round and game
        waits for the queue (`answers_stored`) before it closes, so no reveal or score misses one.
        """
        self.answer_queue.append(answer)
        if self.answer_task is None or self.answer_task.done():
            self.answer_task = asyncio.create_task(self.write_answers(), name="trivia-answers")

    async def write_answers(self) -> None:
        while self.answer_queue:
            batch, self.answer_queue = self.answer_queue, []
            try:
                await self.repository.record_answers(batch)
            except Exception:
                log.exception("could not store %d trivia answers", len(batch))

    async def answers_stored(self) -> None:
        """Wait until every queued answer is in the database."""
        while self.answer_task is not None and not self.answer_task.done():
            await asyncio.shield(self.answer_task)
        if self.answer_queue:
            await self.write_answers()

    def schedule_count_update(self, live: LiveGame, round_number: int) -> None:
        if live.count_task is None or live.count_task.done():
            live.count_task = asyncio.create_task(self.update_count(live, round_number))

    async def update_count(self, live: LiveGame, round_number: int) -> None:
        """Show "N answered" on the open question, at most once per COUNT_EDIT_INTERVAL.

        One such task per game at a time: answers arriving while it waits or edits are shown by
        its next edit (the latest count wins), never by a second edit in flight.
        """
        loop = asyncio.get_running_loop()
        shown = -1
        while True:
            await asyncio.sleep(max(0.0, live.last_count_edit + COUNT_EDIT_INTERVAL - loop.time()))
            async with live.lock:
                current = live.state.current
                # The question may have closed meanwhile, or its message failed to post: leave it be.
                if current is None or current.number != round_number or live.message_round != round_number:
                    return
                if live.message is None:
                    return
                answered = sum(1 for record in live.state.records if record.round_number == current.number)
                if answered == shown:
                    return
                embed = render.question_embed(
                    current, live.state.question_count, int(live.state.time_limit_s), answered
                )
                # A count is a nicety: shown only with the pace's spare turns, so that posts and reveals
                # never wait behind it and a burst keeps its headroom; the next edit shows the latest count.
                if self.bot.breaker.open or not self.bot.pacer.spare_turn():
                    live.last_count_edit = loop.time()
                    shown = -1
                    continue
                with contextlib.suppress(discord.HTTPException):
                    await live.message.edit(embed=embed)
                live.last_count_edit = loop.time()
                shown = answered

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
        span = {"all": "all time", "month": "last 30 days", "week": "last 7 days"}[period]
        about = f" · {self.film_title(film_key)}" if film_key else ""
        embed = render.leaderboard_embed(f"Trivia leaderboard — {span}{about}", rows, own, interaction.user.id)
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
        embed = render.stats_embed(who.id, stats, self.film_title(stats.favourite_film_key))
        await interaction.response.send_message(embed=embed)

    # ---- the daily question ----------------------------------------------------------------------

    @app_commands.command(name="daily")
    async def daily(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Today's question for this server: one answer each, revealed tomorrow."""
        assert interaction.guild_id is not None
        today = await self.today(interaction.guild_id)
        revealed = await self.reveal_due(interaction.guild_id, today)
        daily = await self.daily_for(interaction.guild_id, today)
        shown = json.loads(daily.question_json)
        embeds = [*[embed for _, embed in revealed[-1:]], render.daily_embed(today, shown)]
        await interaction.response.send_message(embeds=embeds, view=daily_view(today.isoformat(), shown["choices"]))
        await self.close_revealed(revealed)

    async def guild_zone(self, guild_id: int) -> ZoneInfo:
        place = await GuildSettingsRepository(self.bot.database, self.bot.clock.now).get(guild_id)
        return zone(place.timezone if place else None, self.bot.settings.defaults.timezone)

    async def today(self, guild_id: int) -> dt.date:
        """The server's date now, in its timezone."""
        return local_day(self.bot.clock.now(), await self.guild_zone(guild_id))

    async def daily_for(self, guild_id: int, day: dt.date) -> TriviaDaily:
        """The day's question, chosen once (the same for everyone, even across processes)."""
        existing = await self.repository.daily(guild_id, day)
        if existing is not None:
            return existing
        settings = await self.repository.get_settings(guild_id, 0)
        rng = random.Random(f"{guild_id}:{day.isoformat()}")
        picked = select_questions(
            await self.ready_pool(),
            count=1,
            newest_allowed=settings.newest_film_key,
            film_order=self.order,
            recent=await self.repository.recent_questions(guild_id),
            rng=rng,
        )
        if not picked:
            raise UserFacingError("No question is available for today (check the server's spoiler gate).")
        question = picked[0]
        options = tuple(choices(question, rng))
        now = self.bot.clock.now()
        created = await self.repository.create_daily(
            guild_id,
            day,
            question.key,
            question_json(question, options, options.index(question.answer)),
            film_key=question.film_key,
            now=now,
        )
        await self.repository.mark_asked(guild_id, [created.question_key], now)
        return created

    async def reveal_due(self, guild_id: int, today: dt.date) -> list[tuple[TriviaDaily, discord.Embed]]:
        """Mark this server's earlier daily questions that are still open as revealed; returns them
        with their reveal embeds (`close_revealed` then shows the answer on their messages)."""
        revealed = []
        for daily in await self.repository.dailies_to_reveal(today):
            if daily.guild_id != guild_id:
                continue
            if not await self.repository.mark_daily_revealed(guild_id, daily.day, self.bot.clock.now()):
                continue  # another process revealed it first
            answers = await self.repository.daily_answers(guild_id, daily.day)
            shown = json.loads(daily.question_json)
            revealed.append((daily, render.daily_reveal_embed(daily.day, shown, answers)))
        return revealed

    async def close_revealed(self, revealed: list[tuple[TriviaDaily, discord.Embed]]) -> None:
        """Put the answer on revealed questions' posts and close their buttons, at the shared pace."""
        for daily, embed in revealed:
            if not (daily.channel_id and daily.message_id):
                continue
            shown = json.loads(daily.question_json)
            message = self.bot.get_partial_messageable(daily.channel_id).get_partial_message(daily.message_id)
            closed = daily_view(daily.day.isoformat(), shown["choices"], closed=True)
            if not await self.my_turn():
                return
            with contextlib.suppress(discord.HTTPException):
                await message.edit(embed=embed, view=closed)

    async def answer_daily(self, interaction: discord.Interaction[Any], day_text: str, choice: int) -> None:
        """A click on a daily question's choice; the day comes from the button, the server from the click."""
        if interaction.guild_id is None:
            await send_ephemeral(interaction, "That daily question has closed; try `/trivia daily` for today's.")
            return
        day = dt.date.fromisoformat(day_text)
        daily = await self.repository.daily(interaction.guild_id, day)
        shown = json.loads(daily.question_json) if daily is not None else None
        if shown is None or day != await self.today(interaction.guild_id) or choice >= len(shown["choices"]):
            await send_ephemeral(interaction, "That daily question has closed; try `/trivia daily` for today's.")
            return
        picked = shown["choices"][choice]
        stored = await self.repository.record_daily_answer(
            interaction.guild_id,
            day,
            interaction.user.id,
            answer=picked,
            correct=choice == shown["right_index"],
            now=self.bot.clock.now(),
        )
        if not stored:
            await send_ephemeral(interaction, "You have already answered today's question. The answer comes tomorrow.")
            return
        letter = render.LETTERS[choice]
        await send_ephemeral(interaction, f"Locked in: {letter}. {quote(picked)}. The answer is revealed tomorrow.")

    @commands.Cog.listener()
    async def on_server_place_changed(self, guild_id: int) -> None:
        # The daily question's day and time follow the server's timezone.
        await self.schedule_daily(guild_id)

    @commands.Cog.listener()
    async def on_trivia_settings_changed(self, guild_id: int) -> None:
        daily = await self.repository.daily_settings(guild_id)
        if daily is None or daily.paused_reason is None:
            self.daily_notices.discard(guild_id)  # saving the daily settings lifted the pause
        await self.schedule_daily(guild_id)

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction[Any], command: Any) -> None:
        """Tell an admin, once, that the daily question was paused by a failure they can fix."""
        guild_id = interaction.guild_id
        if guild_id is None or guild_id not in self.daily_notices:
            return
        if not isinstance(interaction.user, discord.Member) or not interaction.user.guild_permissions.manage_guild:
            return
        self.daily_notices.discard(guild_id)
        reason = await self.repository.take_daily_notice(guild_id)
        if reason:
            await send_ephemeral(
                interaction,
                f"⚠️ The daily trivia question is paused: {reason}. "
                "Fix that, then run `/settings trivia set daily_channel:` to resume it.",
            )

    async def schedule_daily(self, guild_id: int) -> None:
        """Look at the server's daily post now: it goes out if due, else the alarm is aimed at it."""
        self.arm_daily(guild_id, self.bot.clock.now())

    def arm_daily(self, guild_id: int, when: dt.datetime | None) -> None:
        if when is None:
            self.bot.alarms.cancel(daily_alarm(guild_id))
            self.daily_alarms.discard(guild_id)
            return
        self.daily_alarms.add(guild_id)
        self.bot.alarms.set(daily_alarm(guild_id), when, functools.partial(self.post_daily, guild_id))

    async def post_daily(self, guild_id: int) -> None:
        """The daily alarm rang: deliver what is due, then aim the alarm at what comes next."""
        lock = self.daily_locks.setdefault(guild_id, asyncio.Lock())
        async with lock:
            try:
                wake = await self.deliver_daily(guild_id)
            except Exception:
                log.exception("trivia: the daily question of guild %s failed; looking again in a minute", guild_id)
                wake = self.bot.clock.now() + dt.timedelta(minutes=1)
            self.arm_daily(guild_id, wake)

    async def deliver_daily(self, guild_id: int) -> dt.datetime | None:
        """Post today's question if it is due and not yet posted; returns when to look again (None: not
        until the settings change).

        The post is an outbox row: claimed (scheduled → sending) before it is sent with a nonce fixed
        by the server and day, so a post caught mid-send by a crash is resent as the same message.
        The grace window is checked at every send: a post more than `delivery.grace_hours` late,
        whether after downtime, a stalled loop or a clock jump, is skipped, not sent.
        """
        settings = await self.repository.daily_settings(guild_id)
        if settings is None or settings.channel_id is None or settings.paused_reason is not None:
            return None
        now = self.bot.clock.now()
        if self.bot.breaker.open:
            return now + dt.timedelta(seconds=max(self.bot.breaker.seconds_until_closed(), 1.0))
        tz = await self.guild_zone(guild_id)
        post_at = parse_hhmm(settings.post_time or DEFAULT_DAILY_TIME)
        today = local_day(now, tz)
        tomorrow = next_local_time(now, post_at, tz)
        await self.repository.skip_daily_posts_before(guild_id, today, now)
        due = at_local_time(today, post_at, tz)
        if now < due:
            return due
        if self.pool_task is not None and not self.pool_task.done():
            # Just started: the question pool is still being built. Not a failure: wait for it.
            with contextlib.suppress(Exception):
                await asyncio.shield(self.pool_task)
            now = self.bot.clock.now()
        post = await self.repository.claim_daily_post(
            guild_id, today, channel_id=settings.channel_id, due_at=due, nonce=daily_nonce(guild_id, today), now=now
        )
        if post is None:
            waiting = await self.repository.daily_post(guild_id, today)
            return waiting.wake_at if waiting is not None and waiting.status == "scheduled" else tomorrow
        grace = dt.timedelta(hours=self.bot.settings.delivery.grace_hours)
        if now - post.due_at > grace:
            hours = f"{self.bot.settings.delivery.grace_hours:g}"
            reason = f"missed: it was more than {hours} hours overdue when it could be sent"
            await self.repository.finish_daily_post(guild_id, today, "skipped", reason, now)
            return tomorrow
        try:
            revealed = await self.reveal_due(guild_id, today)
            daily = await self.daily_for(guild_id, today)
        except UserFacingError as error:
            await self.repository.finish_daily_post(guild_id, today, "failed", str(error), now)
            return tomorrow
        shown = json.loads(daily.question_json)
        late = now - post.due_at > DAILY_LATE_AFTER
        question = render.daily_embed(today, shown)
        view = daily_view(today.isoformat(), shown["choices"])
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=guild_id)
        try:
            # Discord may have forgotten the nonce of an earlier try that it carried out but whose answer
            # was lost: that try's post, if it exists, is found before posting again.
            message = await earlier_try_posted(
                self.bot,
                self.bot.pacer,
                post.channel_id,
                guild_id=guild_id,
                first_try_at=post.first_try_at,
                attempts=post.attempts,
                now=now,
                nonce=post.nonce,
                content=None,
                embed=question,
                view=view,
            )
            if message is None:
                await self.bot.pacer.wait_turn()
                message = await channel.send(
                    embeds=[*[embed for _, embed in revealed[-1:]], question], view=view, nonce=post.nonce
                )
        except CannotTell as unknown:
            await self.repository.finish_daily_post(guild_id, today, "failed", unknown.reason, now)
            if unknown.admin_can_fix and await self.repository.pause_daily(guild_id, unknown.reason):
                self.daily_notices.add(guild_id)
                log.warning("daily trivia paused in guild %s: %s", guild_id, unknown.reason)
            return None if unknown.admin_can_fix else tomorrow
        except Exception as error:
            return await self.daily_failed(post, error, tomorrow)
        await self.repository.mark_daily_post_sent(
            guild_id, today, channel_id=post.channel_id, message_id=message.id, late=late, now=self.bot.clock.now()
        )
        await self.close_revealed(revealed)
        return tomorrow

    async def daily_failed(self, post: TriviaDailyPost, error: Exception, tomorrow: dt.datetime) -> dt.datetime | None:
        """Passing errors are retried with backoff; lasting ones are recorded once, and those an admin
        must fix (a deleted channel, a missing permission) pause the daily question until they do."""
        failure = classify(error)
        now = self.bot.clock.now()
        if not failure.lasting and post.attempts < MAX_ATTEMPTS:
            wake = now + retry_delay(post.attempts)
            log.info(
                "daily question of guild %s: %s; try %d at %s", post.guild_id, failure.reason, post.attempts + 1, wake
            )
            await self.repository.retry_daily_post_later(post.guild_id, post.day, wake, failure.reason)
            return wake
        reason = failure.reason if failure.lasting else f"gave up after {post.attempts} tries: {failure.reason}"
        await self.repository.finish_daily_post(post.guild_id, post.day, "failed", reason, now)
        if failure.code in PAUSING_CODES:
            if await self.repository.pause_daily(post.guild_id, reason):
                self.daily_notices.add(post.guild_id)
                log.warning("daily trivia paused in guild %s: %s", post.guild_id, reason)
            return None
        if failure.reason.startswith("unexpected"):
            log.error("daily question of guild %s failed", post.guild_id, exc_info=error)
        return tomorrow
