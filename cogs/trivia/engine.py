"""The trivia engine: the live games and their round cycle, the answer queue; it holds the question
pool (`pool.py`) and the daily question (`daily.py`).

The game rules (`game.py`) decide; the engine does the I/O around them: it posts questions, feeds
clicks and typed answers to the rules, stores every accepted answer, and closes each question when
its alarm rings or when every player has answered. The cog and the components have this one
service to call, the daily question's work included.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import discord

from bot.delivery import classify
from bot.errors import UserFacingError
from bot.formatting import quote
from bot.i18n import N_, Speech
from cogs.trivia.answers import AnswerChecker
from cogs.trivia.daily import DailySchedule
from cogs.trivia.game import DEFAULT_SECONDS, GameState, Mode, RoundResult
from cogs.trivia.pool import QuestionPool
from cogs.trivia.questions import (
    DifficultyChoice,
    Question,
    choices,
    in_language,
    question_json,
    select_questions,
)
from cogs.trivia.render import (
    FINAL_STANDINGS,
    INTERRUPTED,
    LETTERS,
    question_embed,
    reveal_embed,
    standings_embed,
)
from cogs.trivia.scoring import standings, winner
from cogs.trivia.views import CLOSED, question_view
from db import TriviaRepository
from db.repositories.trivia import TriviaAnswer, TriviaDaily, TriviaGame

if TYPE_CHECKING:
    from bot.client import MarqueeBot
    from cogs.films.service import LookupService

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_GAME = N_("No trivia game is running in this channel.")
# Seconds between "N answered" edits: a channel allows 5 edits per 5 s, and the reveal needs one of them.
COUNT_EDIT_INTERVAL = 1.25
START_COOLDOWN = 20.0
# A burst (every channel's question closing at once) can exceed Discord's global rate limit for
# longer than discord.py's own retries last; a post that still fails is retried after these pauses.
RETRY_DELAYS = (1.0, 2.0, 4.0)

Reply = Callable[[str], Awaitable[None]]


class HeldBackError(Exception):
    """Not sent: Discord has refused too many of the bot's requests lately (see bot.breaker)."""


async def retrying(bot: MarqueeBot, action: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a request the bot starts on its own, at the shared pace, retrying what `bot.delivery.classify`
    calls passing (rate limits, server errors); lasting failures are final, and nothing is tried while
    the invalid-request breaker is open. A post must carry a fixed nonce, so that a retry of one
    Discord created but whose answer was lost comes back as the same message."""
    for delay in (*RETRY_DELAYS, None):
        if bot.breaker.open:
            raise HeldBackError(what)
        await bot.pacer.wait_turn()
        try:
            return await action()
        except discord.HTTPException as error:
            if delay is None or classify(error).lasting:
                raise
            log.info("%s failed with %s; retrying in %.0f s", what, error.status, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def post_nonce(game: TriviaGame, part: str) -> str:
    """A deterministic nonce (24 characters; Discord allows 25) for one post of a game, e.g. "q3".

    The start instant is in it as well as the id: a game id can be handed out again after its
    row is deleted, and the nonce must not name the earlier game's post.
    """
    key = f"trivia|{game.guild_id}|{game.channel_id}|{game.id}|{game.started_at.isoformat()}|{part}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


@dataclass
class LiveGame:
    """A running game: the stored record, the rules' state, and the message of the open question."""

    record: TriviaGame
    state: GameState
    questions: list[Question]
    channel: discord.PartialMessageable
    rng: random.Random
    speech: Speech  # the server's language when the game started: every post of the game speaks it
    message: discord.Message | None = None
    message_round: int = 0  # the question `message` shows
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    count_task: asyncio.Task[None] | None = None
    last_count_edit: float = 0.0

    @property
    def alarm(self) -> str:
        return f"trivia:{self.record.channel_id}"

    @property
    def open_round(self) -> int | None:
        """The number of the question open now (None between questions)."""
        current = self.state.current
        return current.number if current is not None else None


class TriviaEngine:
    """Trivia's long-lived state and work: the question pool, the games running in every channel, the
    answer queue and the daily question. Built once with the bot; the cog and components call it."""

    def __init__(self, bot: MarqueeBot, lookup: LookupService) -> None:
        self.bot = bot
        self.lookup = lookup
        self.repository = TriviaRepository(bot.database, bot.lease)
        self.pool = QuestionPool(bot.catalogue, lookup)
        self.daily = DailySchedule(bot, self.repository, self.pool)
        self.games: dict[int, LiveGame] = {}
        self.last_start: dict[tuple[int, int], dt.datetime] = {}
        self.answer_queue: list[TriviaAnswer] = []
        self.answer_task: asyncio.Task[None] | None = None

    # ---- lifecycle --------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Build the question pool (in the background), end the games a restart interrupted and aim
        the daily questions' alarms."""
        self.pool.refresh()
        await self.close_interrupted_games()
        await self.daily.start()

    def stop(self) -> None:
        self.pool.stop()
        self.daily.stop()
        for live in self.games.values():
            self.bot.alarms.cancel(live.alarm)
            if live.count_task is not None:
                live.count_task.cancel()

    async def ready_pool(self) -> Sequence[Question]:
        return await self.pool.ready()

    def catalogue_changed(self) -> None:
        """A pack loaded: the questions are built again, from the look-up's new indexes once they are."""
        self.pool.refresh()

    def checker(self) -> AnswerChecker:
        lookup = self.lookup.current
        return AnswerChecker(films=lookup.films, people=lookup.people, characters=lookup.characters)

    def film_title(self, key: str | None) -> str | None:
        film = self.lookup.film(key) if key else None
        return film.title if film else None

    async def close_interrupted_games(self) -> None:
        """Games left running by a crash or restart end now, with their standings and a notice.

        Only the games of this process's shards: another process's are still being played."""
        for game in await self.repository.running_games():
            if game.guild_id is not None and not self.bot.shard_plan.owns(game.guild_id):
                continue
            answers = await self.repository.game_answers(game.id)
            table = standings(answers)
            won = winner(table, {answer.user_id for answer in answers})
            ended = await self.repository.finish_game(
                game.id, status="interrupted", end_reason="restart", winner_id=won, now=self.bot.clock.now()
            )
            if ended is None:
                continue
            t = await self.bot.languages.for_server(game.guild_id)
            embed = standings_embed(t, t(FINAL_STANDINGS), table, won, note=t(INTERRUPTED))
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

    # ---- starting, stopping ---------------------------------------------------------------------------

    async def open_game(
        self,
        guild_id: int,
        channel_id: int,
        starter_id: int,
        *,
        film: str | None,
        count: int,
        difficulty: DifficultyChoice,
        mode: Mode,
        missing_permissions: list[str],
    ) -> LiveGame:
        """Check and record a new game in the channel (`play` then asks its questions).

        `missing_permissions` are the bot's permissions the channel lacks, which refuse the game.
        """
        if self.bot.breaker.open:
            raise UserFacingError(
                "Trivia is taking a short break: Discord has refused too many of my requests lately. "
                "Try again in a few minutes."
            )
        # Reserved before the first await: a member's simultaneous starts must see each other.
        reserved = self.reserve_start(guild_id, starter_id)
        try:
            running = await self.repository.running_game(channel_id)
            if running is not None:
                raise UserFacingError("A game is already running here: {link}", link=game_link(running))
            if missing_permissions:
                raise UserFacingError(
                    "I can't run a game here: I need {permissions} in this channel.",
                    permissions=", ".join(missing_permissions),
                )
            film_key = self.lookup.film_key(film) if film else None
            settings = await self.repository.get_settings(guild_id, channel_id, default_seconds=DEFAULT_SECONDS)
            seconds = settings.seconds or DEFAULT_SECONDS
            rng = random.Random()
            picked = select_questions(
                await self.pool.ready(),
                count=count,
                difficulty=difficulty,
                film_key=film_key,
                newest_allowed=settings.newest_film_key,
                film_order=self.pool.order,
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
                starter_id=starter_id,
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
            self.release_start(guild_id, starter_id, reserved)
            raise
        await self.repository.mark_asked(guild_id, [question.key for question in picked], now)
        state = GameState(
            mode=mode,
            question_count=len(picked),
            time_limit_s=seconds,
            checker=self.checker().check if mode == "typed" else None,
        )
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        t = await self.bot.languages.for_server(guild_id)
        # Pack questions translated into the server's language are asked, revealed and checked in it.
        asked = [in_language(question, t.language) for question in picked]
        live = LiveGame(record, state, asked, channel, rng, t)
        self.games[channel_id] = live
        return live

    async def play(self, live: LiveGame, announcement_id: int | None) -> None:
        """The game was announced (in the message `announcement_id`, when known): ask its first question."""
        if announcement_id is not None:
            await self.repository.set_game_message(live.record.id, announcement_id)
        async with live.lock:
            await self.ask_next(live)

    async def stop_game(self, live: LiveGame) -> None:
        """End the game now; it still ends with standings and a winner."""
        async with live.lock:
            result = live.state.stop(self.bot.clock.now())
            if result is not None:
                await self.show_reveal(live, result)
            await self.end_game(live, "stopped")

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
                raise UserFacingError("Slow down: you can start another game in {seconds} s.", seconds=round(wait))
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

    def live_game(self, channel_id: int | None) -> LiveGame:
        """The game running in the channel; refused with a message when there is none."""
        live = self.games.get(channel_id or 0)
        if live is None:
            raise UserFacingError(NO_GAME)
        return live

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
        embed = question_embed(live.speech, round_, live.state.question_count, int(live.state.time_limit_s), 0)
        view = question_view(
            live.speech, live.record.id, round_.number, round_.choices, typed=live.state.mode == "typed"
        )
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
        embed = reveal_embed(live.speech, result, live.state.question_count, self.film_title)
        view = question_view(
            live.speech, live.record.id, result.number, result.choices, typed=live.state.mode == "typed", closed=True
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
        embed = standings_embed(live.speech, live.speech(FINAL_STANDINGS), table, won)
        try:
            nonce = post_nonce(live.record, "end")
            await retrying(self.bot, lambda: live.channel.send(embed=embed, nonce=nonce), "posting the final standings")
        except (discord.HTTPException, HeldBackError):
            log.warning("could not post the standings of game %s", live.record.id, exc_info=True)

    # ---- answers -------------------------------------------------------------------------------

    async def answer(
        self,
        channel_id: int | None,
        clicked_id: int | None,
        user_id: int,
        game_id: int,
        round_number: int,
        value: int | str,
        reply: Reply,
        t: Speech,
    ) -> None:
        """A click (choice index) or a typed answer for a game's question, from the message `clicked_id`.

        The member is told (`reply`, in their language `t`) before the question closes on their answer.
        """
        live = self.open_question(channel_id, clicked_id, game_id, round_number)
        current = live.state.current if live else None
        if live is None or current is None:
            await reply(t(CLOSED))
            return
        outcome = live.state.answer(user_id, value, self.bot.clock.now())
        if outcome.status == "already_answered":
            await reply(t("You have already answered this question."))
            return
        if outcome.record is None:
            await reply(t(CLOSED))
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
            locked = f"{LETTERS[record.choice]}. {quote(record.answer)}"
        else:
            locked = f"“{quote(record.answer)}”"
        await reply(t("Locked in: {answer}. The answer is revealed when the question closes.", answer=locked))
        if live.state.everyone_answered():
            await self.close_round(live, round_number)
        else:
            self.schedule_count_update(live, round_number)

    def question_open(self, channel_id: int | None, clicked_id: int | None, game_id: int, round_number: int) -> bool:
        return self.open_question(channel_id, clicked_id, game_id, round_number) is not None

    def open_question(
        self, channel_id: int | None, clicked_id: int | None, game_id: int, round_number: int
    ) -> LiveGame | None:
        """The channel's game, if the custom id names its open question.

        A game id can come back after its row was deleted (a server's data purged), so the id is
        not enough: a click must also come from the message that asks the question now.
        """
        live = self.games.get(channel_id or 0)
        current = live.state.current if live else None
        if live is None or live.record.id != game_id or current is None or current.number != round_number:
            return None
        # While the post's answer is still on its way the message is not known yet: the click counts.
        if clicked_id is not None and live.message is not None and clicked_id != live.message.id:
            return None
        return live

    def store_answer(self, answer: TriviaAnswer) -> None:
        """Queue an accepted answer for the database; a burst of clicks is written in one transaction.

        The rules already hold the answer, so the member is told at once; every round and game
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
                embed = question_embed(
                    live.speech, current, live.state.question_count, int(live.state.time_limit_s), answered
                )
                # A count is a nicety: shown only with the pace's spare turns, so that posts and reveals
                # never wait behind it and a burst keeps its headroom; the next edit shows the latest count.
                if self.bot.breaker.open or not await self.bot.pacer.try_spare_turn():
                    live.last_count_edit = loop.time()
                    shown = -1
                    continue
                with contextlib.suppress(discord.HTTPException):
                    await live.message.edit(embed=embed)
                live.last_count_edit = loop.time()
                shown = answered

    # ---- the daily question ---------------------------------------------------------------------

    async def todays_question(self, guild_id: int) -> tuple[TriviaDaily, list[tuple[TriviaDaily, discord.Embed]]]:
        """Today's question of the server, and the earlier ones this revealed (`close_revealed` next)."""
        return await self.daily.todays_question(guild_id)

    async def close_revealed(self, revealed: list[tuple[TriviaDaily, discord.Embed]]) -> None:
        await self.daily.close_revealed(revealed)

    async def answer_daily(self, guild_id: int | None, user_id: int, day_text: str, choice: int, t: Speech) -> str:
        return await self.daily.answer(guild_id, user_id, day_text, choice, t)

    def daily_notice_pending(self, guild_id: int) -> bool:
        return guild_id in self.daily.notices

    async def take_daily_notice(self, guild_id: int) -> str | None:
        """Why the server's daily question is paused, once (English: a reason recorded as it happened)."""
        return await self.daily.take_notice(guild_id)

    async def settings_changed(self, guild_id: int) -> None:
        """The server's trivia settings were saved: the daily question follows them."""
        await self.daily.settings_changed(guild_id)

    def server_place_changed(self, guild_id: int) -> None:
        """The daily question's day and time follow the server's timezone."""
        self.daily.schedule(guild_id)


def game_link(game: TriviaGame) -> str:
    if game.message_id is None:
        return f"<#{game.channel_id}>"
    return f"https://discord.com/channels/{game.guild_id}/{game.channel_id}/{game.message_id}"
