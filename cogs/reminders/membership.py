"""Whether members are still in the servers whose events they asked to be reminded of.

Without the members intent the bot hears nothing when a member leaves, so it asks Discord before a DM
about a server's event. It asks the gateway (Request Guild Members, op 8, by user id: no privileged intent,
up to 100 members a request, not counted against REST limits, paced by discord.py's gateway limiter), in
one request per server and hundred members for a whole claimed set of reminders, never once per DM. Only
a server the bot does not have in its cache is asked over REST, one member at a time at the shared pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import logging
from collections import defaultdict
from collections.abc import Iterable

import aiohttp
import discord

from bot.clock import Clock
from bot.delivery import Pacer

log = logging.getLogger(__name__)

# A "yes" is trusted this long (a digest and its follow-ups an hour later cost one ask).
MEMBERSHIP_FRESH = dt.timedelta(hours=1)
# A "no", or no answer at all, holds only while the set it was asked for is being sent: a member who comes
# back gets the next reminders, and a server that did not answer is not asked again for every DM.
VERDICT_FRESH = dt.timedelta(minutes=10)
MEMBERSHIP_MEMORY = 50_000  # answers kept before the stale ones are dropped
PER_REQUEST = 100  # user ids one Request Guild Members may name
READY_WAIT = 60.0  # seconds a question at start waits for the gateway to bring the servers
# REST answers that say the member is not in the server (or the bot is not).
NOT_A_MEMBER = {10004, 10007, 10013, 50001}

Pair = tuple[int, int]  # (guild id, user id)


class Answer(enum.Enum):
    MEMBER = "member"
    LEFT = "left"
    UNKNOWN = "unknown"  # Discord did not answer: still a member, not asked again at once
    ASK = "ask"  # nothing remembered that still holds


class Membership:
    """Answers about who is in which server, asked in batches and remembered for a while."""

    def __init__(self, client: discord.Client, clock: Clock, pacer: Pacer) -> None:
        self.client = client
        self.clock = clock
        self.pacer = pacer
        # (guild id, user id) -> what Discord said, and when
        self._answers: dict[Pair, tuple[Answer, dt.datetime]] = {}

    def _known(self, pair: Pair, now: dt.datetime) -> Answer:
        """The remembered answer while it holds, else ASK."""
        remembered = self._answers.get(pair)
        if remembered is None:
            return Answer.ASK
        answer, at = remembered
        fresh = MEMBERSHIP_FRESH if answer is Answer.MEMBER else VERDICT_FRESH
        return answer if dt.timedelta(0) <= now - at <= fresh else Answer.ASK

    async def check(self, pairs: Iterable[Pair]) -> None:
        """Ask about every pair without a fresh answer: per server, up to 100 members a gateway request."""
        now = self.clock.now()
        wanted: dict[int, list[int]] = defaultdict(list)
        for guild_id, user_id in set(pairs):
            if self._known((guild_id, user_id), now) is Answer.ASK:
                wanted[guild_id].append(user_id)
        if not wanted:
            return
        asks = []
        for guild_id, user_ids in wanted.items():
            user_ids.sort()
            for start in range(0, len(user_ids), PER_REQUEST):
                asks.append(self._ask(guild_id, user_ids[start : start + PER_REQUEST]))
        await asyncio.gather(*asks)

    async def left(self, user_id: int, guild_ids: set[int]) -> set[int]:
        """Which of these servers the member is no longer in; asks only what `check` did not answer.

        No answer counts as still a member: a reminder is not dropped on a guess.
        """
        await self.check((guild_id, user_id) for guild_id in guild_ids)
        now = self.clock.now()
        return {guild_id for guild_id in guild_ids if self._known((guild_id, user_id), now) is Answer.LEFT}

    def _remember(self, guild_id: int, user_ids: Iterable[int], verdict: Answer) -> None:
        now = self.clock.now()
        if len(self._answers) >= MEMBERSHIP_MEMORY:
            self._answers = {
                pair: answer for pair, answer in self._answers.items() if self._known(pair, now) is not Answer.ASK
            }
        for user_id in user_ids:
            self._answers[(guild_id, user_id)] = (verdict, now)

    async def _ask(self, guild_id: int, user_ids: list[int]) -> None:
        guild = self.client.get_guild(guild_id)
        if guild is None and not self.client.is_ready():
            # At a start the reminders that fell due meanwhile are claimed before the gateway has brought the
            # servers: wait for them (a while) rather than ask over REST, one request per DM of the pace.
            with contextlib.suppress(TimeoutError, RuntimeError):
                await asyncio.wait_for(self.client.wait_until_ready(), READY_WAIT)
            guild = self.client.get_guild(guild_id)
        if guild is None:
            # Not in the cache (the bot was removed, or has not seen it yet): REST can say so.
            for user_id in user_ids:
                await self._ask_rest(guild_id, user_id)
            return
        if guild.unavailable:
            log.info("guild %s is unavailable: its %d members count as still in it", guild_id, len(user_ids))
            self._remember(guild_id, user_ids, Answer.UNKNOWN)
            return
        session = self._session()
        try:
            members = await guild.query_members(user_ids=user_ids, limit=len(user_ids), cache=False)
        except (TimeoutError, discord.ClientException, OSError, RuntimeError) as error:
            log.info("could not ask whether %d members are in guild %s: %r", len(user_ids), guild_id, error)
            self._remember(guild_id, user_ids, Answer.UNKNOWN)
            return
        if self._session() != session:
            # A new gateway session ends the requests of the old one with whatever had arrived (often
            # nothing): that is no answer, not "nobody is a member".
            log.info("the gateway session changed while asking about guild %s: no answer", guild_id)
            self._remember(guild_id, user_ids, Answer.UNKNOWN)
            return
        present = {member.id for member in members}
        gone = [user_id for user_id in user_ids if user_id not in present]
        self._remember(guild_id, present, Answer.MEMBER)
        self._remember(guild_id, gone, Answer.LEFT)
        for user_id in gone:
            log.info("user %s left guild %s: its event reminders are skipped", user_id, guild_id)

    def _session(self) -> tuple[int, str | None]:
        ws = self.client.ws
        return id(ws), getattr(ws, "session_id", None)

    async def _ask_rest(self, guild_id: int, user_id: int) -> None:
        await self.pacer.wait_turn()
        try:
            await self.client.http.get_member(guild_id, user_id)
        except discord.HTTPException as error:
            if error.code in NOT_A_MEMBER:
                self._remember(guild_id, [user_id], Answer.LEFT)
                log.info("user %s is not in guild %s: its event reminders are skipped", user_id, guild_id)
            else:
                self._remember(guild_id, [user_id], Answer.UNKNOWN)
            return
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            log.info("could not ask whether user %s is in guild %s: %r", user_id, guild_id, error)
            self._remember(guild_id, [user_id], Answer.UNKNOWN)
            return
        self._remember(guild_id, [user_id], Answer.MEMBER)
