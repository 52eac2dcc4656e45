"""Load every cog into a bot that never connects, in a process of its own: `python -m bot.cog_check`.

`check` runs this in a child process so that the command itself never imports discord.py: the child
reads the settings, the parsed packs, the cogs to try and where to import them from (a pickled tuple on
stdin, see `request`) and writes back one JSON line per cog it tried (`{"cog": name, "error": one line
or null}`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings
from db import Database
from db.packs.model import Pack


def request(settings: Settings, packs: Sequence[Pack], extensions: Sequence[str] | None) -> bytes:
    """What the child reads on stdin: all it needs to build the bot `run` would build, and this
    process's import path, so that it finds every cog this one names. Plain types only (no class of
    this module), since the child runs this module as `__main__`."""
    import_path = [entry or os.getcwd() for entry in sys.path]
    return pickle.dumps((settings, tuple(packs), None if extensions is None else tuple(extensions), import_path))


async def load_each_cog(
    settings: Settings, packs: Sequence[Pack], extensions: Sequence[str] | None
) -> dict[str, str | None]:
    """Each cog tried (`extensions`, default every cog), with why it failed to load in one line, or
    None when it loaded; on a throwaway database holding the packs, so nothing is written where the
    bot keeps its data."""
    from bot.client import MarqueeBot, cog_extensions
    from bot.clock import SystemClock

    wanted = list(cog_extensions() if extensions is None else extensions)
    with tempfile.TemporaryDirectory(prefix="marquee-check-") as folder:
        async with Database.connect(Path(folder) / "check.db") as database:
            bot = MarqueeBot(settings=settings, database=database, clock=SystemClock(), packs=packs)
            # The failures are reported one line each: the bot's log would add tracebacks.
            logging.getLogger("bot.client").disabled = True
            async with bot:
                await bot.prepare()
                await bot.load_cogs(wanted)
    return {name: bot.failed_extensions.get(name) for name in wanted}


def main(argv: Sequence[str] | None = None) -> int:
    del argv  # everything comes on stdin: the settings hold the token, which must not be on a command line
    settings, packs, extensions, import_path = pickle.load(sys.stdin.buffer)
    if not isinstance(settings, Settings):
        raise TypeError(f"expected the settings first on stdin, got {type(settings).__name__}")
    sys.path[:] = import_path  # the same interpreter: only what the parent added differs
    for name, error in asyncio.run(load_each_cog(settings, packs, extensions)).items():
        print(json.dumps({"cog": name, "error": error}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
