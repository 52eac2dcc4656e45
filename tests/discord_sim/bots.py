"""How the simulator runs a bot: in-process (the production ``serve`` as a task) or as a child process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from .errors import SimError, SimTimeout

# serve(env, clock, started) -> runs until bot.close()
ServeFn = Callable[[Mapping[str, str], Any, Callable[[Any], None]], Awaitable[None]]

GUILD_READY_TIMEOUT = 0.05
REPO = Path(__file__).resolve().parents[2]


class BotDriver(Protocol):
    client: Any

    async def start(self, env: Mapping[str, str], clock: Any, limit: float) -> None: ...

    async def stop(self, limit: float) -> None: ...

    @property
    def running(self) -> bool: ...


class InProcessBot:
    """Runs ``serve`` as an asyncio task on the test's loop; ``client`` is the discord.py client.

    The one change to the bot: ``guild_ready_timeout`` (how long discord.py waits after the last
    GUILD_CREATE before ``on_ready``; 2 s by default) is set to 0.05 s in the ``started`` hook, because
    the simulator sends every GUILD_CREATE at once. Everything else runs exactly as in production.
    """

    def __init__(self, serve: ServeFn) -> None:
        self._serve = serve
        self.client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def crashed(self) -> BaseException | None:
        """The exception (or a note) if ``serve`` returned while nobody asked the bot to stop."""
        task = self._task
        if task is None or not task.done() or self._stopping:
            return None
        if task.cancelled():
            return RuntimeError("serve() was cancelled")
        return task.exception() or RuntimeError("serve() returned without bot.close()")

    async def start(self, env: Mapping[str, str], clock: Any, limit: float) -> None:
        started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def on_started(bot: Any) -> None:
            conn = getattr(bot, "_connection", None)
            if conn is not None:
                conn.guild_ready_timeout = GUILD_READY_TIMEOUT
            self.client = bot
            if not started.done():
                started.set_result(bot)

        self._task = asyncio.create_task(self._serve(env, clock, on_started), name="sim-bot")
        bot = await self._race(started, limit, "serve() to construct the bot and call started(bot)")
        await self._race(asyncio.ensure_future(bot.wait_until_ready()), limit, "the bot to be ready (on_ready)")
        synced = getattr(bot, "commands_synced", None)
        if isinstance(synced, asyncio.Event):
            await self._race(asyncio.ensure_future(synced.wait()), limit, "bot.commands_synced")

    async def _race(self, fut: asyncio.Future[Any], limit: float, what: str) -> Any:
        assert self._task is not None
        done, _ = await asyncio.wait({fut, self._task}, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
        if fut in done:
            return fut.result()
        fut.cancel()
        if self._task in done:
            exc = self._task.exception()
            raise SimError(f"the bot stopped while waiting for {what}: {exc!r}") from exc
        raise SimTimeout(f"timed out after {limit} s waiting for {what}")

    async def stop(self, limit: float) -> None:
        self._stopping = True
        if self.client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.client.close(), limit)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, limit)
            except TimeoutError:
                self._task.cancel()
                raise SimTimeout(f"the bot's serve() did not return within {limit} s of bot.close()") from None
            finally:
                self._task = None
        self.client = None


class ChildProcessBot:
    """Runs the bot as ``sys.executable -m <module> <args>`` with the simulator's env; output to a log."""

    def __init__(self, argv: list[str], log_path: Path, env: Mapping[str, str] | None = None) -> None:
        self.argv = argv
        self.log_path = log_path
        # Settings of this child only, over the simulator's (say, another shard range).
        self.env: dict[str, str] = dict(env or {})
        self.client: Any = None
        self.process: asyncio.subprocess.Process | None = None
        self._log: Any = None
        self.killed = False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, env: Mapping[str, str], clock: Any, limit: float) -> None:
        self._log = open(self.log_path, "ab")  # noqa: SIM115, ASYNC230 - a local file; closed in stop()
        full_env = {**os.environ, **env, **self.env}
        repo = str(REPO)
        full_env["PYTHONPATH"] = repo + os.pathsep + full_env.get("PYTHONPATH", "")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.argv,
            env=full_env,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=repo,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.killed = True
            self.process.send_signal(signal.SIGKILL)

    async def stop(self, limit: float) -> None:
        if self.process is not None:
            if self.process.returncode is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(self.process.wait(), limit)
                except TimeoutError:
                    self.process.kill()
                    await self.process.wait()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    async def wait_exit(self, limit: float) -> int:
        """Wait for the process to end (after `kill`), reap it and close its log; returns its exit code."""
        if self.process is None:
            raise SimError("no child process")
        code = await asyncio.wait_for(self.process.wait(), limit)
        await self.stop(limit)
        return code

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""
