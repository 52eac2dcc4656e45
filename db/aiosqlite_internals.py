"""The one place Marquee uses aiosqlite's private names: several steps in one hand-off to its thread.

aiosqlite runs every statement on one worker thread, and each hand-off to that thread and back costs
more than a small indexed query; its own `execute` + `fetchone` + cursor close take three. It has no
public way to run several steps in one, so `run_on_worker` uses `Connection._execute` and
`Connection._conn`, the two names its own methods are built on. `tests/db/test_connection.py` fails
when an aiosqlite release changes them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import aiosqlite

T = TypeVar("T")


async def run_on_worker(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work(sqlite3 connection)`` on aiosqlite's worker thread, in one hand-off."""
    # The thread holds on to the last result it handed over until its next task: handed over in a list
    # emptied here, a large read (every credit of a catalogue) is freed as soon as its caller drops it.
    handed: list[T] = await conn._execute(lambda: [work(conn._conn)])
    return handed.pop()
