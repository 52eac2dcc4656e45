"""The daily question: one question a day per server, chosen once, answered once per member, revealed
the next day, and posted on its own at the server's chosen time.

The post is an outbox row (`trivia_daily_posts`) delivered by an alarm per server, with the retries
and failure triage of `bot.delivery`; a failure an admin must fix pauses the server's daily question
and tells an admin once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import random
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.delivery import BROKEN_SETUP_ERRORS, MAX_ATTEMPTS, CannotTell, classify, earlier_try_posted, retry_delay
from bot.errors import UserFacingError
from bot.formatting import quote
from bot.i18n import N_, Speech
from bot.localtime import at_local_time, local_day, next_local_time, parse_hhmm, zone
from cogs.trivia.game import DEFAULT_DAILY_TIME
from cogs.trivia.questions import choices, in_language, question_json, select_questions
from cogs.trivia.render import LETTERS, daily_embed, daily_reveal_embed
from cogs.trivia.views import daily_view
from db import GuildSettingsRepository, TriviaRepository
from db.repositories.trivia import TriviaDaily, TriviaDailyPost

if TYPE_CHECKING:
    from bot.client import MarqueeBot
    from cogs.trivia.pool import QuestionPool

log = logging.getLogger(__name__)

DAILY_LATE_AFTER = dt.timedelta(minutes=5)  # a daily post this much after its time is recorded as late
DAILY_CLOSED = N_("That daily question has closed; try `/trivia daily` for today's.")


def daily_alarm(guild_id: int) -> str:
    return f"trivia-daily:{guild_id}"


def daily_nonce(guild_id: int, day: dt.date) -> str:
    """The nonce of a server's daily post for one day (24 characters; Discord allows 25)."""
    return hashlib.blake2b(f"trivia-daily|{guild_id}|{day.isoformat()}".encode(), digest_size=12).hexdigest()


class DailySchedule:
    """Every server's daily question: choosing it, revealing yesterday's, and posting it on time."""

    def __init__(self, bot: MarqueeBot, repository: TriviaRepository, pool: QuestionPool) -> None:
        self.bot = bot
        self.repository = repository
        self.pool = pool
        self.alarms: set[int] = set()
        self.locks: dict[int, asyncio.Lock] = {}
        self.notices: set[int] = set()  # guilds whose admins have not yet been told of a pause

    async def start(self) -> None:
        """Resend posts a restart interrupted and aim every server's alarm."""
        # One bot per SQLite file (bot.database_lock.sole_holder_of): there, a post being sent was a dead run's.
        sole = self.bot.database.dialect == "sqlite"
        resumed = await self.repository.resume_daily_posts(self.bot.clock.now(), sole=sole)
        if resumed:
            log.info("trivia: %d daily posts interrupted by a restart will be resent", resumed)
        self.notices = set(await self.repository.guilds_with_daily_notices())
        for daily in await self.repository.daily_enabled():
            self.schedule(daily.guild_id)

    def stop(self) -> None:
        for guild_id in self.alarms:
            self.bot.alarms.cancel(daily_alarm(guild_id))

    async def guild_zone(self, guild_id: int) -> ZoneInfo:
        place = await GuildSettingsRepository(self.bot.database, self.bot.clock.now).get(guild_id)
        return zone(place.timezone if place else None, self.bot.settings.defaults.timezone)

    async def today(self, guild_id: int) -> dt.date:
        """The server's date now, in its timezone."""
        return local_day(self.bot.clock.now(), await self.guild_zone(guild_id))

    async def todays_question(self, guild_id: int) -> tuple[TriviaDaily, list[tuple[TriviaDaily, discord.Embed]]]:
        """Today's question, and the earlier ones this revealed (`close_revealed` shows their answers)."""
        today = await self.today(guild_id)
        revealed = await self.reveal_due(guild_id, today)
        return await self.question_for(guild_id, today), revealed

    async def question_for(self, guild_id: int, day: dt.date) -> TriviaDaily:
        """The day's question, chosen once (the same for everyone, even across processes)."""
        existing = await self.repository.daily(guild_id, day)
        if existing is not None:
            return existing
        settings = await self.repository.get_settings(guild_id, 0)
        rng = random.Random(f"{guild_id}:{day.isoformat()}")
        picked = select_questions(
            await self.pool.ready(),
            count=1,
            newest_allowed=settings.newest_film_key,
            film_order=self.pool.order,
            recent=await self.repository.recent_questions(guild_id),
            rng=rng,
        )
        if not picked:
            raise UserFacingError("No question is available for today (check the server's spoiler gate).")
        # Asked in the server's language once, for the whole day: the stored question is what is shown.
        t = await self.bot.languages.for_server(guild_id)
        question = in_language(picked[0], t.language)
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
        t = await self.bot.languages.for_server(guild_id)
        for daily in await self.repository.dailies_to_reveal(today):
            if daily.guild_id != guild_id:
                continue
            if not await self.repository.mark_daily_revealed(guild_id, daily.day, self.bot.clock.now()):
                continue  # another process revealed it first
            answers = await self.repository.daily_answers(guild_id, daily.day)
            shown = json.loads(daily.question_json)
            revealed.append((daily, daily_reveal_embed(t, daily.day, shown, answers)))
        return revealed

    async def close_revealed(self, revealed: list[tuple[TriviaDaily, discord.Embed]]) -> None:
        """Put the answer on revealed questions' posts and close their buttons, at the shared pace."""
        for daily, embed in revealed:
            if not (daily.channel_id and daily.message_id):
                continue
            shown = json.loads(daily.question_json)
            message = self.bot.get_partial_messageable(daily.channel_id).get_partial_message(daily.message_id)
            closed = daily_view(daily.day.isoformat(), shown["choices"], closed=True)
            if self.bot.breaker.open:
                return
            await self.bot.pacer.wait_turn()
            with contextlib.suppress(discord.HTTPException):
                await message.edit(embed=embed, view=closed)

    async def answer(self, guild_id: int | None, user_id: int, day_text: str, choice: int, t: Speech) -> str:
        """A click on a daily question's choice (the day comes from the button, the server from the
        click); returns what the member is told, in their language `t`."""
        if guild_id is None:
            return t(DAILY_CLOSED)
        day = dt.date.fromisoformat(day_text)
        daily = await self.repository.daily(guild_id, day)
        shown = json.loads(daily.question_json) if daily is not None else None
        if shown is None or day != await self.today(guild_id) or choice >= len(shown["choices"]):
            return t(DAILY_CLOSED)
        picked = shown["choices"][choice]
        stored = await self.repository.record_daily_answer(
            guild_id,
            day,
            user_id,
            answer=picked,
            correct=choice == shown["right_index"],
            now=self.bot.clock.now(),
        )
        if not stored:
            return t("You have already answered today's question. The answer comes tomorrow.")
        locked = f"{LETTERS[choice]}. {quote(picked)}"
        return t("Locked in: {answer}. The answer is revealed tomorrow.", answer=locked)

    async def take_notice(self, guild_id: int) -> str | None:
        """Why the server's daily question is paused, once: for the first admin seen after the pause."""
        self.notices.discard(guild_id)
        return await self.repository.take_daily_notice(guild_id)

    async def settings_changed(self, guild_id: int) -> None:
        daily = await self.repository.daily_settings(guild_id)
        if daily is None or daily.paused_reason is None:
            self.notices.discard(guild_id)  # saving the daily settings lifted the pause
        self.schedule(guild_id)

    def schedule(self, guild_id: int) -> None:
        """Look at the server's daily post now: it goes out if due, else the alarm is aimed at it."""
        self.arm(guild_id, self.bot.clock.now())

    def arm(self, guild_id: int, when: dt.datetime | None) -> None:
        if when is None:
            self.bot.alarms.cancel(daily_alarm(guild_id))
            self.alarms.discard(guild_id)
            return
        self.alarms.add(guild_id)
        self.bot.alarms.set(daily_alarm(guild_id), when, functools.partial(self.post, guild_id))

    async def post(self, guild_id: int) -> None:
        """The daily alarm rang: deliver what is due, then aim the alarm at what comes next."""
        lock = self.locks.setdefault(guild_id, asyncio.Lock())
        async with lock:
            try:
                wake = await self.deliver(guild_id)
            except Exception:
                log.exception("trivia: the daily question of guild %s failed; looking again in a minute", guild_id)
                wake = self.bot.clock.now() + dt.timedelta(minutes=1)
            self.arm(guild_id, wake)

    async def deliver(self, guild_id: int) -> dt.datetime | None:
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
        if self.pool.task is not None and not self.pool.task.done():
            # Just started: the question pool is still being built. Not a failure: wait for it.
            await self.pool.built()
            now = self.bot.clock.now()
        post = await self.repository.claim_daily_post(
            guild_id, today, channel_id=settings.channel_id, due_at=due, nonce=daily_nonce(guild_id, today), now=now
        )
        if post is None:
            waiting = await self.repository.daily_post(guild_id, today)
            if waiting is not None and waiting.status == "scheduled":
                return waiting.wake_at
            if waiting is not None and waiting.status == "sending" and waiting.lease_until is not None:
                # Another process is sending it: look again when its lease runs out, in case that process died.
                return waiting.lease_until
            return tomorrow
        grace = dt.timedelta(hours=self.bot.settings.delivery.grace_hours)
        if now - post.due_at > grace:
            hours = f"{self.bot.settings.delivery.grace_hours:g}"
            reason = f"missed: it was more than {hours} hours overdue when it could be sent"
            await self.repository.finish_daily_post(guild_id, today, "skipped", reason, now)
            return tomorrow
        try:
            revealed = await self.reveal_due(guild_id, today)
            daily = await self.question_for(guild_id, today)
        except UserFacingError as error:
            await self.repository.finish_daily_post(guild_id, today, "failed", str(error), now)
            return tomorrow
        shown = json.loads(daily.question_json)
        late = now - post.due_at > DAILY_LATE_AFTER
        t = await self.bot.languages.for_server(guild_id)
        question = daily_embed(t, today, shown)
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
                self.notices.add(guild_id)
                log.warning("daily trivia paused in guild %s: %s", guild_id, unknown.reason)
            return None if unknown.admin_can_fix else tomorrow
        except Exception as error:
            return await self.failed(post, error, tomorrow)
        if not await self.repository.mark_daily_post_sent(
            guild_id, today, channel_id=post.channel_id, message_id=message.id, late=late, now=self.bot.clock.now()
        ):
            # Its lease ran out mid-send and another process took it over: that one records it (and finds
            # this message by its nonce, or the earlier-try check, instead of posting a second).
            log.warning("daily question of guild %s: sent, but another process had taken it over", guild_id)
        await self.close_revealed(revealed)
        return tomorrow

    async def failed(self, post: TriviaDailyPost, error: Exception, tomorrow: dt.datetime) -> dt.datetime | None:
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
        if failure.code in BROKEN_SETUP_ERRORS:
            if await self.repository.pause_daily(post.guild_id, reason):
                self.notices.add(post.guild_id)
                log.warning("daily trivia paused in guild %s: %s", post.guild_id, reason)
            return None
        if failure.reason.startswith("unexpected"):
            log.error("daily question of guild %s failed", post.guild_id, exc_info=error)
        return tomorrow
