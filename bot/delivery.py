"""Delivering outbox rows to Discord: pacing, telling lasting failures from passing ones, and backoff.

Features keep their own outbox tables (what to send is theirs); this module holds what every
sender shares:

- `Pacer` keeps bulk sends under Discord's global limit of 50 requests a second (the rate is the
  `delivery.pace` setting), so a burst of due posts never meets a 429;
- `classify` decides whether a failed send may be tried again;
- `retry_delay` is the exponential backoff between tries;
- `DueWorkRunner` runs a feature's "deliver what is due" step when its alarm rings, one run at a
  time, and re-arms the alarm for the next due row.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import discord

from bot.clock import Clock
from bot.scheduler import AlarmClock
from db.connection import Database
from db.repositories.rate_budget import RateBudgetRepository

log = logging.getLogger(__name__)

FIRST_RETRY = dt.timedelta(seconds=30)
MAX_ATTEMPTS = 8

# Lasting errors that mean the server's setup is broken (the channel is gone or hidden, a permission is
# missing, Marquee was removed): no other post to that place can succeed either, so a server's scheduled
# posts (announcements, the daily question) pause after one of these until an admin fixes the setup.
BROKEN_SETUP_ERRORS = {
    10003: "the channel was deleted",
    10004: "Marquee is no longer in the server",
    50001: "Marquee cannot see the channel (View Channel is missing)",
    50013: "Marquee is missing a permission in the channel (Send Messages or Embed Links)",
}
# Lasting errors about one member: only what is sent to that member fails.
UNREACHABLE_MEMBER_ERRORS = {
    10013: "the member's account no longer exists",
    50007: "the member does not accept direct messages from Marquee",
    50278: "the member does not accept direct messages from Marquee",
}
# Discord error codes that no retry can fix, in words an admin can act on.
LASTING_ERRORS = BROKEN_SETUP_ERRORS | UNREACHABLE_MEMBER_ERRORS


@dataclass(frozen=True)
class Failure:
    lasting: bool  # True: do not retry; False: retry later
    reason: str
    code: int | None = None


def classify(error: BaseException) -> Failure:
    """What a failed send means for the next try."""
    if isinstance(error, discord.HTTPException):
        if error.code in LASTING_ERRORS:
            return Failure(True, LASTING_ERRORS[error.code], error.code)
        if isinstance(error, discord.Forbidden):
            return Failure(True, f"Discord refused the message (403, code {error.code})", error.code)
        if error.status >= 500 or error.status == 429:
            return Failure(False, f"Discord answered {error.status}", error.code)
        return Failure(True, f"Discord rejected the message ({error.status}, code {error.code})", error.code)
    if isinstance(error, CannotTell):
        return Failure(True, error.reason)
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return Failure(False, f"network error ({type(error).__name__})")
    return Failure(True, f"unexpected error ({type(error).__name__})")


def retry_delay(attempts: int) -> dt.timedelta:
    """The pause after the `attempts`-th failed try: 30 s, 1 min, 2 min, … doubling."""
    return FIRST_RETRY * (2 ** max(attempts - 1, 0))


# The most of the pace that sends which may be skipped (progress edits) can take.
SPARE_SHARE = 0.5


# The shared budget's unit of time is a tick, a tenth of a second. Ten ticks hold the pace between them, so
# any one second overlaps at most eleven: the whole bot sends at most the pace and a tenth in any second
# (44 at the default 40, under Discord's 50), however its processes' sends fall.
TICKS_PER_SECOND = 10
# How often (in ticks) a process deletes the budget's past ticks, and how many of the latest it keeps.
FORGET_EVERY = 600
KEEP_TICKS = 100
# The most of a tick's slots one claim takes: a process that always answers first (the nearest to the
# database) must leave the others some, so a busy process claims its tick in two halves.
CLAIM_SHARE = 0.5
# A request that leaves this long (seconds) after its turn was given takes a new one: its turn's tick is over,
# and its place in the bot's rate with it.
STALE_TURN = 1 / TICKS_PER_SECOND
# After the budget's database failed to answer, how long a send waits before asking again.
BUDGET_RETRY = 1.0


def tick_limit(tick: int, rate: float) -> int:
    """How many sends the whole bot may make in tick number ``tick`` at ``rate`` a second: any ten
    consecutive ticks hold ``rate`` between them (to a whole send), spread as evenly as whole sends allow."""
    return int((tick + 1) * rate // TICKS_PER_SECOND) - int(tick * rate // TICKS_PER_SECOND)


class BudgetStore(Protocol):
    """Where the shared budget is counted: `db.repositories.rate_budget.RateBudgetRepository`."""

    async def take(self, tick: int, wanted: int, limit: int) -> int:
        """Take up to ``wanted`` of tick ``tick``'s ``limit`` slots; returns how many were taken."""

    async def forget_before(self, tick: int) -> int:
        """Delete the ticks before ``tick``."""


class SharedBudget:
    """One rate for the whole bot, however many processes send: each claims slots of the current tick
    in the database (a few at a time, as many as its waiting sends can use before the tick ends) and
    spaces its own sends `1/rate` apart within them; a full tick sends it to the next.

    Ticks are numbered from the Unix epoch on this machine's clock (`clock`), so the processes must
    share a clock (one host, or hosts kept in time by NTP). A busy process alone gets every slot.
    """

    def __init__(
        self,
        store: BudgetStore,
        rate: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("the pace must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self._store = store
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._tick = -1
        self._held = 0
        self._next_at = 0.0
        self._forgotten_at: int | None = None
        # Slots given in tick `_given_tick`, and in the tick before it.
        self._given_tick = -1
        self._given = 0
        self._given_before = 0
        self._failing = False

    async def turn(self, waiting: int = 1) -> float:
        """Wait for one slot of the shared budget; returns the `clock` instant it was given at.

        ``waiting`` is how many of this process's sends are waiting now (this one included): a claim
        takes no more slots than they can use, so that idle slots are left to the other processes.
        """
        async with self._lock:
            claimed_for: float | None = None  # when the send was due that the last claim was made for
            while True:
                now = self._clock()
                tick = math.floor(now * TICKS_PER_SECOND)
                at = max(now, self._next_at)
                end = (tick + 1) / TICKS_PER_SECOND
                if at >= end:
                    # This process's own spacing puts its next send in a later tick.
                    await self._sleep(at - now)
                    continue
                if self._tick == tick and self._held > 0:
                    self._held -= 1
                    # A send made late by the claim it waited for keeps the next on the instant it was planned
                    # for: spacing from the answer would lose a round trip of the pace at every claim (two a
                    # tick). Half an interval at most, so that no two sends ever go out closer than that.
                    base = at if claimed_for is None else max(claimed_for, at - self.interval / 2)
                    self._next_at = base + self.interval
                    self._count_given(tick)
                    if at > now:
                        await self._sleep(at - now)
                    return at
                self._held = 0
                limit = tick_limit(tick, self.rate)
                # The slots this process can still use in the tick, `interval` apart from `at`.
                room = max(math.ceil((end - at) / self.interval - 1e-9), 1)
                # A process as busy as in its last tick will want as many again, whoever is waiting now.
                demand = max(waiting, self._given_lately(tick), 1)
                wanted = min(math.ceil(limit * CLAIM_SHARE), demand, room)
                claimed_for = at
                granted = await self._claim(tick, wanted, limit) if wanted > 0 else 0
                if granted > 0:
                    self._tick, self._held = tick, granted
                    continue
                await self._sleep(max(end - self._clock(), 0.0))

    def _count_given(self, tick: int) -> None:
        if tick != self._given_tick:
            self._given_before = self._given if self._given_tick == tick - 1 else 0
            self._given_tick, self._given = tick, 0
        self._given += 1

    def _given_lately(self, tick: int) -> int:
        """How many slots this process was given in the tick before ``tick``."""
        if self._given_tick == tick - 1:
            return self._given
        return self._given_before if self._given_tick == tick else 0

    def spare(self) -> bool:
        """A slot now, without waiting or asking the database: only one this process claimed for the
        current tick and did not need (a send that may as well be skipped takes it)."""
        if self._lock.locked():
            return False
        now = self._clock()
        if self._tick != math.floor(now * TICKS_PER_SECOND) or self._held <= 0 or self._next_at > now:
            return False
        self._held -= 1
        self._next_at = now + self.interval
        self._count_given(self._tick)
        return True

    async def spare_now(self) -> bool:
        """A slot now for a send that may as well be skipped: one held and unneeded (`spare`), else one
        claimed of the current tick while it has one left; never a wait, for a later tick or behind this
        process's sends (False instead)."""
        if self.spare():
            return True
        if self._lock.locked():
            return False
        async with self._lock:
            now = self._clock()
            tick = math.floor(now * TICKS_PER_SECOND)
            limit = tick_limit(tick, self.rate)
            if self._next_at > now or limit == 0 or await self._claim(tick, 1, limit, patient=False) == 0:
                return False
            self._tick, self._held = tick, 0
            at = self._clock()
            if math.floor(at * TICKS_PER_SECOND) != tick:
                return False  # the answer came after its tick: the slot is gone
            self._next_at = at + self.interval
            self._count_given(tick)
            return True

    async def _claim(self, tick: int, wanted: int, limit: int, *, patient: bool = True) -> int:
        try:
            if self._forgotten_at is None or tick - self._forgotten_at >= FORGET_EVERY:
                self._forgotten_at = tick
                await self._store.forget_before(tick - KEEP_TICKS)
            granted = await self._store.take(tick, wanted, limit)
        except Exception:
            # Sending without the budget could break the bot-wide limit: the sends wait for the database.
            if not self._failing:
                log.exception("the shared rate budget cannot be read; bulk sends wait until it can")
            self._failing = True
            if patient:
                await self._sleep(BUDGET_RETRY)
            return 0
        if self._failing:
            log.warning("the shared rate budget answers again; bulk sends resume")
            self._failing = False
        return granted


class Pacer:
    """At most `rate` sends in any one second, evenly spaced (real time: Discord's limits are in real seconds).

    Concurrent senders each reserve the next free slot, `1/rate` after the previous one; then each
    also waits until fewer than `rate` sends were made in the last second: when the event loop
    stalls (a long garbage collection, say), the sends whose slots passed meanwhile must not all
    go out at once. With a `budget` (several processes of one bot), each send then also takes a slot
    of the bot's shared budget, so that all the processes together keep to the rate.
    """

    def __init__(self, rate: float, budget: SharedBudget | None = None) -> None:
        if rate <= 0:
            raise ValueError("the pace must be positive")
        self.interval = 1.0 / rate
        self.per_second = max(int(rate), 1)
        self.budget = budget
        self._next_slot = 0.0
        self._recent: deque[float] = deque()
        self._waiting = 0
        # When the calling task's last turn was given, until its request leaves (`before_request`). The
        # request is made in the task that took the turn, so the turn and its request meet there.
        self._given: contextvars.ContextVar[float | None] = contextvars.ContextVar("pace_turn_given", default=None)

    async def wait_turn(self) -> float:
        """Wait for this send's turn; returns the `time.monotonic()` instant the turn was given at."""
        self._waiting += 1
        try:
            given = await self._local_turn()
            if self.budget is not None:
                await self.budget.turn(self._waiting)
                given = time.monotonic()
            self._given.set(given)
            return given
        finally:
            self._waiting -= 1

    async def before_request(self) -> None:
        """Called as a request of the bot's own leaves: if the turn this task took for it was given more than
        `STALE_TURN` ago, take a new one. With a shared budget the processes' turns add up to the rate
        only if each request leaves in its turn's tick; a process whose event loop stalled between the two
        (a busy machine, a long garbage collection) would otherwise send late, in one burst with the sends
        the other processes were given meanwhile, and Discord counts where requests arrive."""
        given = self._given.get()
        if given is None or self.budget is None:
            return
        self._given.set(None)
        if time.monotonic() - given > STALE_TURN:
            await self.wait_turn()
            self._given.set(None)

    async def _local_turn(self) -> float:
        now = time.monotonic()
        slot = max(self._next_slot, now)
        self._next_slot = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)
        while True:
            now = time.monotonic()
            self._forget_before(now - 1.0)
            if len(self._recent) < self.per_second:
                self._recent.append(now)
                return now
            await asyncio.sleep(self._recent[0] + 1.0 - now)

    def spare_turn(self, share: float = SPARE_SHARE) -> bool:
        """A turn now for a send that may as well be skipped (a progress edit), only while the pace is
        idle and less than `share` of the last second's sends were taken: it never delays a send that
        must go out, nor uses the headroom left for bursts. With a shared budget it also needs a slot
        this process already holds and no send needs (see `SharedBudget.spare`)."""
        if not self._idle(share) or (self.budget is not None and not self.budget.spare()):
            return False
        now = time.monotonic()
        self._next_slot = now + self.interval
        self._recent.append(now)
        return True

    async def try_spare_turn(self, share: float = SPARE_SHARE) -> bool:
        """`spare_turn` for a pace that may be shared: with a shared budget and no slot held, it asks the
        budget for one of the current tick (one database round trip, never a wait) rather than refusing."""
        if self.budget is None:
            return self.spare_turn(share)
        if not self._idle(share) or not await self.budget.spare_now():
            return False
        now = time.monotonic()
        # Sends may have reserved slots during the round trip: never move their spacing back.
        self._next_slot = max(self._next_slot, now + self.interval)
        self._recent.append(now)
        return True

    def _idle(self, share: float) -> bool:
        """Whether the pace is idle (no send waiting or due) and less than `share` of the last second's
        sends were taken."""
        now = time.monotonic()
        self._forget_before(now - 1.0)
        return self._waiting == 0 and self._next_slot <= now and len(self._recent) < self.per_second * share

    def _forget_before(self, cutoff: float) -> None:
        while self._recent and self._recent[0] <= cutoff:
            self._recent.popleft()


def pacer_for(database: Database, rate: float) -> Pacer:
    """The pacer of a bot whose database is ``database``: on SQLite (one process per file) the pace is
    this process's alone, with no database round trip; on PostgreSQL, where several processes may run
    one bot, every send also takes a slot of the budget they share in the database."""
    if database.dialect == "sqlite":
        return Pacer(rate)
    return Pacer(rate, SharedBudget(RateBudgetRepository(database), rate))


class RequestWindow:
    """At most `per_second` of the bot's own REST requests leave in any one second (real time).

    Counted where requests leave, in discord.py's HTTP client (`trace_config`), because Discord counts
    where they arrive: between a pacer turn and its request, a busy event loop can hold several sends that
    then leave together, and some requests take no turn (discord.py's own retries, a history read).
    Interaction responses and follow-ups are left out: Discord exempts them, and they must stay immediate.
    """

    def __init__(self, per_second: float, api_base: str) -> None:
        self.per_second = max(int(per_second), 1)
        self._api_base = api_base.rstrip("/") + "/"
        self._recent: deque[float] = deque()

    def counts(self, url: str) -> bool:
        """Whether a request to `url` is one of the bot's own (not the gateway, not an interaction's)."""
        if not url.startswith(self._api_base):
            return False
        path = url[len(self._api_base) - 1 :]
        return not path.startswith(("/interactions/", "/webhooks/"))

    async def wait(self) -> None:
        while True:
            now = time.monotonic()
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) < self.per_second:
                self._recent.append(now)
                return
            await asyncio.sleep(self._recent[0] + 1.0 - now)

    def trace_config(self, breaker: InvalidRequestBreaker, pacer: Pacer | None = None) -> aiohttp.TraceConfig:
        """discord.py's HTTP hook (`Client(http_trace=...)`): every request waits its place in the window
        before it leaves (and, with `pacer`, takes a new turn if its own is stale: `Pacer.before_request`),
        and every answer is counted by `breaker`."""
        trace = breaker.trace_config()

        async def on_request_start(
            session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestStartParams
        ) -> None:
            if self.counts(str(params.url)):
                if pacer is not None:
                    await pacer.before_request()
                await self.wait()

        trace.on_request_start.append(on_request_start)
        return trace


class DueWorkRunner:
    """Runs `deliver_due` when alarm `name` rings, never twice at once, and re-aims the alarm.

    `deliver_due` sends whatever is due and returns when the next row will be (None: nothing is
    scheduled). `poke()` asks for a run now, e.g. after new rows were planned.
    """

    def __init__(
        self,
        name: str,
        alarms: AlarmClock,
        clock: Clock,
        deliver_due: Callable[[], Awaitable[dt.datetime | None]],
    ) -> None:
        self.name = name
        self._alarms = alarms
        self._clock = clock
        self._deliver_due = deliver_due
        self._lock = asyncio.Lock()
        self._again = False

    def poke(self, when: dt.datetime | None = None) -> None:
        """Run at `when` (default: now), unless a run is already set for earlier."""
        if self._lock.locked():
            # A run is in progress: go once more after it (it re-aims the alarm from the queue). An alarm
            # set now would ring while the ringing one is still running, and the scheduler drops such rings.
            self._again = True
            return
        when = when or self._clock.now()
        current = self._alarms.next_alarm(self.name)
        if current is None or when < current:
            self._alarms.set(self.name, when, self.run)

    async def run(self) -> None:
        if self._lock.locked():
            # A run is in progress: it may have read the queue before the new rows; go once more after it.
            self._again = True
            return
        async with self._lock:
            while True:
                self._again = False
                try:
                    upcoming = await self._deliver_due()
                except Exception:
                    log.exception("%s: delivering due work failed; trying again in a minute", self.name)
                    upcoming = self._clock.now() + dt.timedelta(minutes=1)
                if not self._again:
                    break
        if upcoming is not None:
            self.poke(upcoming)

    def stop(self) -> None:
        self._alarms.cancel(self.name)


INVALID_STATUSES = frozenset({401, 403, 429})
INVALID_WINDOW = 600.0  # Discord counts invalid requests over 10 minutes


class InvalidRequestBreaker:
    """Stops bulk sending when too many requests are refused, long before Discord's ban.

    Discord bans a bot for an hour once 10,000 requests in 10 minutes end in 401, 403 or 429. Every
    answer the HTTP client receives is counted (through an aiohttp trace); past `limit` in the
    window the breaker is open and bulk senders hold off until enough refusals have aged out.
    Real time, because Discord's window is.
    """

    def __init__(self, limit: int, window: float = INVALID_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._refusals: deque[float] = deque()
        self._tripped = False

    def record(self, status: int) -> None:
        if status not in INVALID_STATUSES:
            return
        self._refusals.append(time.monotonic())
        self._forget_old()
        if len(self._refusals) >= self.limit and not self._tripped:
            self._tripped = True
            log.error(
                "%d requests were refused (401/403/429) in the last %.0f minutes: bulk sending stops until that "
                "falls below %d (Discord bans a bot at 10,000). Check the token and the bot's permissions.",
                len(self._refusals),
                self.window / 60,
                self.limit,
            )

    @property
    def open(self) -> bool:
        self._forget_old()
        if len(self._refusals) < self.limit and self._tripped:
            self._tripped = False
            log.warning(
                "refused requests are back under %d in %.0f minutes; bulk sending resumes", self.limit, self.window / 60
            )
        return self._tripped

    def seconds_until_closed(self) -> float:
        """How long until enough refusals have aged out for sending to resume (0 when closed)."""
        if not self.open:
            return 0.0
        excess = len(self._refusals) - self.limit
        return max(self._refusals[excess] + self.window - time.monotonic(), 0.0)

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - self.window
        while self._refusals and self._refusals[0] < cutoff:
            self._refusals.popleft()

    def trace_config(self) -> aiohttp.TraceConfig:
        """Hook for discord.py's HTTP client (`Client(http_trace=...)`): sees every response status."""
        trace = aiohttp.TraceConfig()

        async def on_request_end(
            session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
        ) -> None:
            self.record(params.response.status)

        trace.on_request_end.append(on_request_end)
        return trace


# ---- retries that may land after Discord's nonce window ----------------------------------------------------
# Discord returns the earlier message for a reused nonce only for "a few minutes" (the local test Discord:
# 5). A retry sooner than this after the first try relies on the nonce; a later one looks first.
NONCE_TRUSTED_FOR = dt.timedelta(minutes=1)
# Snowflakes carry Discord's clock, the first try ours: look back this much before it.
CLOCK_SKEW = dt.timedelta(minutes=2)
HISTORY_PAGE = 100
HISTORY_LIMIT = 1000  # messages since the first try; a channel busier than that cannot be checked
NO_HISTORY = (
    "Marquee cannot read the channel's history (Read Message History is missing), so it cannot check whether "
    "an earlier try, whose answer was lost, was posted"
)
BUSY_HISTORY = f"more than {HISTORY_LIMIT} messages came since the first try, so whether it was posted is unknown"


class CannotTell(Exception):
    """Whether an earlier try created the message cannot be found out; sending again could double it.

    `admin_can_fix`: the cause is the bot's configuration (a missing permission), worth pausing for.
    """

    def __init__(self, reason: str, *, admin_can_fix: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.admin_can_fix = admin_can_fix


def must_look_first(first_try_at: dt.datetime | None, attempts: int, now: dt.datetime) -> bool:
    """Whether try number `attempts` must first look for an earlier try's message.

    True when an earlier try may have created it (a lost answer, a crash mid-send) so long ago that
    Discord may no longer recognise the nonce and would post a second message.
    """
    return first_try_at is not None and attempts > 1 and now - first_try_at > NONCE_TRUSTED_FOR


Fingerprint = tuple[str, str, str, tuple[str, ...]]


def post_fingerprint(content: str | None, embed: discord.Embed | None, view: discord.ui.View | None) -> Fingerprint:
    """What identifies a message the bot is about to send, leaving out what may differ between tries
    (the footer says whether it is late). `embed` is the message's last: any before it recap others."""
    custom_ids = tuple(sorted(str(cid) for item in (view.children if view else []) if (cid := item_custom_id(item))))
    return (content or "", (embed.title or "") if embed else "", (embed.description or "") if embed else "", custom_ids)


def item_custom_id(item: Any) -> str | None:
    custom_id = getattr(item, "custom_id", None)
    return custom_id if isinstance(custom_id, str) else None


def message_fingerprint(message: discord.Message) -> Fingerprint:
    embed = message.embeds[-1] if message.embeds else None
    custom_ids = tuple(
        sorted(
            cid
            for row in message.components
            for item in getattr(row, "children", [row])
            if (cid := item_custom_id(item))
        )
    )
    return (
        message.content or "",
        (embed.title or "") if embed else "",
        (embed.description or "") if embed else "",
        custom_ids,
    )


async def find_earlier_post(
    client: discord.Client,
    pacer: Pacer,
    channel_id: int,
    *,
    guild_id: int | None,
    since: dt.datetime,
    nonce: str,
    fingerprint: Fingerprint,
) -> discord.Message | None:
    """The bot's own message an earlier try created in the channel since `since`, if there is one.

    Matched by nonce when Discord returns it, else by what the message says (content, embed title and
    description, button ids): Discord does not promise the nonce in message lists. Raises `CannotTell`
    when it cannot be found out, and the request's own errors (a deleted channel, 5xx) as they come.
    Each page read takes its turn in the shared pace.
    """
    me = client.user
    if me is None:
        raise CannotTell("Marquee is not connected")
    guild = client.get_guild(guild_id) if guild_id is not None else None
    if guild is not None:
        known = guild.get_channel_or_thread(channel_id)
        # Without Read Message History Discord answers with an empty list: that would look like "not posted".
        if known is not None and not known.permissions_for(guild.me).read_message_history:
            raise CannotTell(NO_HISTORY, admin_can_fix=True)
    channel = client.get_partial_messageable(
        channel_id, guild_id=guild_id, type=None if guild_id is not None else discord.ChannelType.private
    )
    after: discord.abc.Snowflake = discord.Object(id=discord.utils.time_snowflake(since - CLOCK_SKEW))
    seen = 0
    while seen < HISTORY_LIMIT:
        await pacer.wait_turn()
        page = [message async for message in channel.history(limit=HISTORY_PAGE, after=after, oldest_first=True)]
        for message in page:
            if message.author.id != me.id or message.interaction_metadata is not None:
                continue
            if (message.nonce is not None and str(message.nonce) == nonce) or message_fingerprint(
                message
            ) == fingerprint:
                return message
        if len(page) < HISTORY_PAGE:
            return None
        seen += len(page)
        after = page[-1]
    raise CannotTell(BUSY_HISTORY)


async def earlier_try_posted(
    client: discord.Client,
    pacer: Pacer,
    channel_id: int,
    *,
    guild_id: int | None,
    first_try_at: dt.datetime | None,
    attempts: int,
    now: dt.datetime,
    nonce: str,
    content: str | None,
    embed: discord.Embed | None,
    view: discord.ui.View | None,
) -> discord.Message | None:
    """Before try number `attempts` of an outbox row: the message an earlier try created, if this try may
    come after Discord forgot the nonce and that message exists; None means "send it" (with the same nonce).

    `first_try_at` is when the row was first tried (or an instant no try can precede, such as its due
    time). Raises `CannotTell` when it cannot be found out: record the row as failed with that reason.
    """
    if first_try_at is None or not must_look_first(first_try_at, attempts, now):
        return None
    return await find_earlier_post(
        client,
        pacer,
        channel_id,
        guild_id=guild_id,
        since=first_try_at,
        nonce=nonce,
        fingerprint=post_fingerprint(content, embed, view),
    )
