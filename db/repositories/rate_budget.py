"""The bot's shared rate budget: how many sends its processes together took in each tick of time.

A process claims slots of one tick with one atomic statement, so that any number of processes on one
database together never take more than the tick's limit; what a tick is and what its limit is are the
caller's (`bot.delivery.SharedBudget`).
"""

from __future__ import annotations

from db.connection import Database

# One statement takes what is left of the wanted slots, up to the limit, and says how many it took: every
# right-hand side of the SET reads the row as it was before the update (both dialects), so `granted` is
# the difference. A full tick is left alone and returns no row.
_TAKE = """
INSERT INTO rate_budget (tick, used, granted) VALUES (?, ?, ?)
ON CONFLICT (tick) DO UPDATE SET
    used = CASE WHEN rate_budget.used + ? <= ? THEN rate_budget.used + ? ELSE ? END,
    granted = CASE WHEN rate_budget.used + ? <= ? THEN ? ELSE ? - rate_budget.used END
WHERE rate_budget.used < ?
RETURNING granted
"""


class RateBudgetRepository:
    """Slots of the bot's shared rate budget, claimed tick by tick."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def take(self, tick: int, wanted: int, limit: int) -> int:
        """Take up to ``wanted`` slots of tick ``tick``, of which all processes together may take ``limit``;
        returns how many were taken (0 when the tick is full)."""
        if wanted <= 0 or limit <= 0:
            return 0
        first = min(wanted, limit)
        params = (tick, first, first, wanted, limit, wanted, limit, wanted, limit, wanted, limit, limit)
        if self._db.dialect == "postgresql":
            # One statement is atomic on its own: on PostgreSQL it runs on a pooled connection of its own, in
            # one round trip, and sends never wait behind this process's other writes (the facade serialises
            # its transactions). SQLite's one connection may be inside another task's transaction: only a
            # transaction of our own keeps the claim out of it.
            row = await self._db.fetch_one(_TAKE, params)
        else:
            async with self._db.transaction() as tx:
                row = await tx.fetch_one(_TAKE, params)
        return 0 if row is None else int(row[0])

    async def used(self, tick: int) -> int:
        """How many slots of tick ``tick`` were taken (0 for a tick nobody claimed)."""
        value = await self._db.fetch_value("SELECT used FROM rate_budget WHERE tick = ?", (tick,))
        return 0 if value is None else int(value)

    async def forget_before(self, tick: int) -> int:
        """Delete the ticks before ``tick`` (past ones: nobody claims them again); returns how many."""
        return await self._db.execute("DELETE FROM rate_budget WHERE tick < ?", (tick,))
