"""The bot's shared rate budget on both backends: the repository's atomic claims, and `bot.delivery`'s
`SharedBudget` and `Pacer` over it. Two handles on one database are two processes of one bot.

Time is virtual where the code takes a clock (`VirtualTime`: a sleep moves the clock, once every process
waits), so the counts are exact; the `Pacer` runs on real time, and its sends are counted per tick from the
instants the budget gave, never timed.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time as wall_clock
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest

from bot.delivery import STALE_TURN, TICKS_PER_SECOND, Pacer, SharedBudget, pacer_for, tick_limit
from db import Database, migrate
from db.repositories.rate_budget import RateBudgetRepository
from tests.db.conftest import OpenDatabase

TICK = 5_000_000_000  # a tick number far from 0, as the epoch gives


# ---- the repository ----------------------------------------------------------------------------------------


async def test_one_claimant_alone_gets_the_whole_limit(db: Database) -> None:
    budget = RateBudgetRepository(db)
    assert await budget.take(TICK, 3, 4) == 3
    assert await budget.take(TICK, 1, 4) == 1
    assert await budget.take(TICK, 1, 4) == 0
    assert await budget.used(TICK) == 4
    assert await budget.take(TICK + 1, 9, 4) == 4
    assert await budget.used(TICK + 1) == 4


async def test_a_claim_larger_than_what_is_left_gets_the_rest(db: Database) -> None:
    budget = RateBudgetRepository(db)
    assert await budget.take(TICK, 3, 5) == 3
    assert await budget.take(TICK, 3, 5) == 2
    assert await budget.take(TICK, 3, 5) == 0
    assert await budget.used(TICK) == 5


async def test_nothing_is_taken_of_an_empty_claim_or_limit(db: Database) -> None:
    budget = RateBudgetRepository(db)
    assert await budget.take(TICK, 0, 4) == 0
    assert await budget.take(TICK, 2, 0) == 0
    assert await budget.used(TICK) == 0


async def test_past_ticks_are_forgotten(db: Database) -> None:
    budget = RateBudgetRepository(db)
    for tick in range(TICK, TICK + 5):
        await budget.take(tick, 1, 4)
    assert await budget.forget_before(TICK + 3) == 3
    assert [await budget.used(tick) for tick in range(TICK, TICK + 5)] == [0, 0, 0, 1, 1]


async def two_processes(open_db: OpenDatabase) -> tuple[Database, Database]:
    first = await open_db("bot")
    await migrate(first)
    return first, await open_db("bot")


async def test_processes_claiming_at_once_never_take_more_than_the_limit(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    budgets = [RateBudgetRepository(first), RateBudgetRepository(second)]
    limit = 7
    claims = [budgets[n % 2].take(TICK + n % 3, 1 + n % 3, limit) for n in range(60)]
    granted = await asyncio.gather(*claims)
    per_tick = Counter[int]()
    for n, got in enumerate(granted):
        per_tick[TICK + n % 3] += got
    assert per_tick == {TICK: limit, TICK + 1: limit, TICK + 2: limit}
    for tick in per_tick:
        assert await budgets[0].used(tick) == limit
        assert await budgets[1].used(tick) == limit


# ---- the ticks' limits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [40.0, 45.0, 5.0, 0.5, 1000.0, 37.5])
def test_any_ten_ticks_hold_the_rate(rate: float) -> None:
    limits = [tick_limit(TICK + n, rate) for n in range(40)]
    assert all(limit >= 0 for limit in limits)
    sums = {sum(limits[start : start + TICKS_PER_SECOND]) for start in range(30)}
    assert sums <= {math.floor(rate), math.ceil(rate)}
    # What a second can hold is spread over its ticks: none gets more than its share, rounded up.
    assert max(limits) <= math.ceil(rate / TICKS_PER_SECOND)


# ---- SharedBudget on virtual time --------------------------------------------------------------------------


class VirtualTime:
    """A clock and a sleep for several tasks: the clock moves to the earliest wake-up once every task
    sleeps (a task waiting for the database is not asleep, so the clock waits for it)."""

    def __init__(self, start: float) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), wake))
        await wake

    async def run(self, *work: Coroutine[Any, Any, None]) -> None:
        tasks = [asyncio.create_task(one) for one in work]
        while not all(task.done() for task in tasks):
            live = sum(1 for task in tasks if not task.done())
            if self._sleepers and len(self._sleepers) == live:
                when, _, wake = heapq.heappop(self._sleepers)
                self.now = max(self.now, when)
                wake.set_result(None)
            # Real time for the database's answers (and for the woken task to go on).
            await asyncio.sleep(0.0005)
        await asyncio.gather(*tasks)


START = TICK / TICKS_PER_SECOND  # a tick's first instant


def budget_on(db: Database, rate: float, time: VirtualTime) -> SharedBudget:
    return SharedBudget(RateBudgetRepository(db), rate, clock=time.clock, sleep=time.sleep)


def busy(budget: SharedBudget, given: list[float], until: float, waiting: int) -> Callable[[], Awaitable[None]]:
    """A process that always has ``waiting`` sends waiting, until the clock passes ``until``."""

    async def send() -> None:
        while True:
            at = await budget.turn(waiting)
            if at >= until:
                return
            given.append(at)

    return send


def per_tick(given: list[float]) -> Counter[int]:
    return Counter(math.floor(at * TICKS_PER_SECOND) for at in given)


def busiest_second(given: list[float]) -> int:
    ordered = sorted(given)
    return max(sum(1 for at in ordered if first <= at < first + 1.0) for first in ordered)


async def test_a_busy_process_alone_gets_the_whole_budget(db: Database) -> None:
    rate, seconds = 40.0, 3
    time = VirtualTime(START)
    given: list[float] = []
    await time.run(busy(budget_on(db, rate, time), given, START + seconds, waiting=4)())
    assert len(given) >= 0.95 * rate * seconds
    counts = per_tick(given)
    assert all(counts[tick] <= tick_limit(tick, rate) for tick in counts)
    assert busiest_second(given) <= rate
    # Its sends are spaced as its own pace spaces them (the clock reads 5e8 s: its resolution is 6e-8 s).
    ordered = sorted(given)
    assert min(b - a for a, b in itertools.pairwise(ordered)) >= 1 / rate - 1e-6


async def test_a_lone_sequential_sender_still_gets_the_whole_budget(db: Database) -> None:
    rate, seconds = 40.0, 2
    time = VirtualTime(START)
    given: list[float] = []
    await time.run(busy(budget_on(db, rate, time), given, START + seconds, waiting=1)())
    assert len(given) >= 0.95 * rate * seconds


@pytest.mark.parametrize("processes", [2, 4])
async def test_busy_processes_together_keep_to_the_budget_and_use_it(open_db: OpenDatabase, processes: int) -> None:
    rate, seconds = 40.0, 3
    first = await open_db("bot")
    await migrate(first)
    handles = [first] + [await open_db("bot") for _ in range(processes - 1)]
    time = VirtualTime(START)
    given: list[list[float]] = [[] for _ in handles]
    processes_at_work = (
        busy(budget_on(db, rate, time), mine, START + seconds, waiting=4)()
        for db, mine in zip(handles, given, strict=True)
    )
    await time.run(*processes_at_work)
    everything = [at for mine in given for at in mine]
    counts = per_tick(everything)
    assert all(counts[tick] <= tick_limit(tick, rate) for tick in counts), counts
    assert busiest_second(everything) <= rate + math.ceil(rate / TICKS_PER_SECOND)
    assert len(everything) >= 0.95 * rate * seconds
    # No process is starved by one that always asks first.
    assert all(len(mine) >= 0.2 * len(everything) / processes for mine in given), [len(mine) for mine in given]


async def test_a_busy_process_beside_a_quiet_one_gets_nearly_all(open_db: OpenDatabase) -> None:
    rate, seconds = 40.0, 3
    first, second = await two_processes(open_db)
    time = VirtualTime(START)
    loud: list[float] = []
    quiet: list[float] = []

    async def now_and_then() -> None:
        budget = budget_on(second, rate, time)
        while time.clock() < START + seconds:
            quiet.append(await budget.turn(1))
            await time.sleep(0.5)

    await time.run(busy(budget_on(first, rate, time), loud, START + seconds, waiting=4)(), now_and_then())
    counts = per_tick(loud + quiet)
    assert all(counts[tick] <= tick_limit(tick, rate) for tick in counts)
    assert len(loud) + len(quiet) >= 0.95 * rate * seconds
    assert len(loud) >= 0.95 * rate * seconds - len(quiet)


async def test_a_slow_pace_waits_for_ticks_with_a_slot(db: Database) -> None:
    rate, seconds = 5.0, 4
    time = VirtualTime(START)
    given: list[float] = []
    await time.run(busy(budget_on(db, rate, time), given, START + seconds, waiting=3)())
    assert len(given) == rate * seconds
    counts = per_tick(given)
    assert all(counts[tick] <= tick_limit(tick, rate) for tick in counts)


async def test_only_slots_claimed_and_unneeded_are_spare(db: Database) -> None:
    rate = 40.0
    time = VirtualTime(START)
    budget = budget_on(db, rate, time)
    assert not budget.spare()  # nothing claimed: a spare turn never asks the database
    await time.run(_one_turn(budget, waiting=3))  # claims half the tick's four slots, uses one
    repository = RateBudgetRepository(db)
    assert await repository.used(TICK) == 2
    assert not budget.spare()  # the held slot is a pace's interval away
    time.now += 1 / rate
    assert budget.spare()
    time.now += 1 / rate
    assert not budget.spare()  # both taken
    assert await repository.used(TICK) == 2


async def _one_turn(budget: SharedBudget, waiting: int) -> None:
    await budget.turn(waiting)


async def test_a_failing_budget_holds_the_sends_until_it_answers(db: Database) -> None:
    time = VirtualTime(START)
    budget = budget_on(db, 40.0, time)
    await db.execute("ALTER TABLE rate_budget RENAME TO rate_budget_away")
    given: list[float] = []

    async def send() -> None:
        given.append(await budget.turn(1))

    async def repair() -> None:
        await time.sleep(5.0)
        await db.execute("ALTER TABLE rate_budget_away RENAME TO rate_budget")

    await time.run(send(), repair())
    assert len(given) == 1 and given[0] >= START + 5.0
    assert await RateBudgetRepository(db).used(math.floor(given[0] * TICKS_PER_SECOND)) == 1


# ---- the Pacer with a shared budget, on real time ----------------------------------------------------------


class RecordingBudget(SharedBudget):
    """The real budget, keeping the instants it gave."""

    def __init__(self, db: Database, rate: float) -> None:
        super().__init__(RateBudgetRepository(db), rate)
        self.given: list[float] = []

    async def turn(self, waiting: int = 1) -> float:
        at = await super().turn(waiting)
        self.given.append(at)
        return at


async def test_pacers_of_two_processes_share_one_budget(open_db: OpenDatabase) -> None:
    rate, senders = 100.0, 40
    first, second = await two_processes(open_db)
    budgets = [RecordingBudget(first, rate), RecordingBudget(second, rate)]
    pacers = [Pacer(rate, budget) for budget in budgets]

    async def send(pacer: Pacer) -> None:
        await pacer.wait_turn()

    await asyncio.gather(*(send(pacer) for pacer in pacers for _ in range(senders)))
    everything = budgets[0].given + budgets[1].given
    assert len(everything) == 2 * senders
    counts = per_tick(everything)
    assert all(counts[tick] <= tick_limit(tick, rate) for tick in counts), counts
    repository = RateBudgetRepository(first)
    for tick, sent in counts.items():
        assert sent <= await repository.used(tick) <= tick_limit(tick, rate)


async def test_a_request_leaving_well_after_its_turn_takes_a_new_one(db: Database) -> None:
    budget = RecordingBudget(db, 100.0)
    pacer = Pacer(100.0, budget)
    await pacer.wait_turn()
    await pacer.before_request()  # leaving at once: in its turn
    assert len(budget.given) == 1
    await pacer.wait_turn()
    wall_clock.sleep(3 * STALE_TURN)  # noqa: ASYNC251 - the point: the event loop stalls between the turn and the request
    await pacer.before_request()
    assert len(budget.given) == 3
    # A request without a turn of its own in hand (the turn was used, or none was taken) is left alone.
    wall_clock.sleep(3 * STALE_TURN)  # noqa: ASYNC251
    await pacer.before_request()
    assert len(budget.given) == 3


async def test_a_pacer_with_a_budget_gives_spare_turns_only_from_slots_it_holds(db: Database) -> None:
    budget = SharedBudget(RateBudgetRepository(db), 10.0)
    pacer = Pacer(10.0, budget)
    assert not pacer.spare_turn()  # idle, but no slot held: it would have to ask the database
    await pacer.wait_turn()
    assert not pacer.spare_turn()  # the pace is not idle yet: the next slot is an interval away


async def test_a_spare_turn_may_ask_the_budget_for_a_slot_of_the_current_tick(db: Database) -> None:
    # The budget's clock stands still: the claim cannot straddle a tick's end, which would lose the slot.
    pacer = Pacer(10.0, budget_on(db, 10.0, VirtualTime(START)))
    assert await pacer.try_spare_turn()
    assert await RateBudgetRepository(db).used(TICK) == 1
    assert not await pacer.try_spare_turn()  # the pace is busy for an interval now
    assert await db.fetch_value("SELECT sum(used) FROM rate_budget") == 1


async def test_a_spare_slot_is_never_waited_for(db: Database) -> None:
    time = VirtualTime(START)
    budget = budget_on(db, 40.0, time)
    repository = RateBudgetRepository(db)
    await repository.take(TICK, 4, tick_limit(TICK, 40.0))
    assert not await budget.spare_now()  # the tick is full; the next one is not waited for
    assert time.now == START
    time.now += 1 / TICKS_PER_SECOND
    assert await budget.spare_now()
    assert await repository.used(TICK + 1) == 1
    assert not await budget.spare_now()  # one pace's interval after its own last send


async def test_the_pacer_is_shared_only_on_postgresql(db: Database) -> None:
    pacer = pacer_for(db, 40.0)
    if db.dialect == "sqlite":
        assert pacer.budget is None
        await pacer.wait_turn()
        assert await db.fetch_value("SELECT count(*) FROM rate_budget") == 0
    else:
        assert isinstance(pacer.budget, SharedBudget)
        await pacer.wait_turn()
        assert await db.fetch_value("SELECT sum(used) FROM rate_budget") >= 1


async def test_one_claim_leaves_half_the_tick_to_the_other_processes(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    time = VirtualTime(START)
    nearest = budget_on(first, 40.0, time)
    await time.run(_one_turn(nearest, waiting=10))
    repository = RateBudgetRepository(second)
    assert await repository.used(TICK) == 2
    assert await repository.take(TICK, 10, tick_limit(TICK, 40.0)) == 2


async def test_a_process_busy_in_the_last_tick_claims_for_as_many_sends_again(db: Database) -> None:
    rate = 40.0
    time = VirtualTime(START)
    given: list[float] = []
    # One send waiting at a time; the turn given in the next tick ends the run.
    await time.run(busy(budget_on(db, rate, time), given, START + 1 / TICKS_PER_SECOND, waiting=1)())
    repository = RateBudgetRepository(db)
    assert len(given) == await repository.used(TICK) == tick_limit(TICK, rate)
    # Its first turn of the next tick took half that tick, not only the one send waiting then.
    assert await repository.used(TICK + 1) == math.ceil(tick_limit(TICK + 1, rate) / 2)


class DistantStore:
    """The budget's repository answering ``delay`` of virtual time after it is asked: a database a round
    trip away, as every real one is."""

    def __init__(self, db: Database, time: VirtualTime, delay: float) -> None:
        self._repository = RateBudgetRepository(db)
        self._time = time
        self._delay = delay

    async def take(self, tick: int, wanted: int, limit: int) -> int:
        granted = await self._repository.take(tick, wanted, limit)
        self._time.now += self._delay
        return granted

    async def forget_before(self, tick: int) -> int:
        return await self._repository.forget_before(tick)


@pytest.mark.parametrize("delay", [0.001, 0.004])
async def test_a_claims_round_trip_is_not_lost_to_the_pace(db: Database, delay: float) -> None:
    # Each claim answers a little after the send it was made for was due: that send goes late, and the next
    # keeps to the pace's own grid instead of starting a new one from the late send (which lost a round trip
    # of the pace at every claim, two a tick: 4 % of it at a millisecond).
    rate, seconds = 45.0, 4
    time = VirtualTime(START)
    budget = SharedBudget(DistantStore(db, time, delay), rate, clock=time.clock, sleep=time.sleep)
    given: list[float] = []
    await time.run(busy(budget, given, START + seconds, waiting=4)())
    assert len(given) >= 0.99 * rate * seconds, len(given)
    counts = per_tick(given)
    assert all(counts[tick] <= tick_limit(tick, rate) for tick in counts)
    assert busiest_second(given) <= rate
