"""`Sim`: the simulator plus the bot, driven the way a fan uses Discord.

Time: the world and the bot share one :class:`bot.clock.ManualClock` (``sim.clock``); timestamps,
snowflakes, nonce windows, the 15-minute interaction token and the invalid-request window read it.
Two things use real monotonic time on purpose, because discord.py waits real time for them: rate-limit
buckets and the 3-second window to answer an interaction (``sim.server.interaction_deadline``).
Every wait has a timeout (``sim.timeout``, 10 s) and raises :class:`SimTimeout` naming what it awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .bots import BotDriver, ChildProcessBot, InProcessBot, ServeFn
from .errors import SimError, SimTimeout, SimViolationError, Violation
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    CHANNEL,
    COMPONENT,
    MENTIONABLE,
    MODAL_SUBMIT,
    ROLE,
    USER,
    InteractionRecord,
    Reply,
    base_payload,
    build_command_data,
    build_context_menu_data,
    find_command,
    find_component,
    pasted_id,
    resolve_entity,
)
from .rest import Fault, RequestRecord, SimServer
from .schema import load_validator
from .state import (
    CATEGORY,
    DISCORD_EPOCH_MS,
    DM,
    FORUM,
    TEXT,
    Channel,
    Guild,
    Message,
    Overwrite,
    Perm,
    Role,
    User,
    World,
)

try:  # the bot's clock; the simulator only needs now/advance/subscribe
    from bot.clock import ManualClock
except ImportError:  # pragma: no cover - before bot/ exists
    ManualClock = None  # type: ignore[assignment,misc]


class _FallbackClock:
    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)
        self._subs: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += delta
        for cb in list(self._subs):
            cb()
        return self._now

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._subs.append(callback)
        return lambda: self._subs.remove(callback) if callback in self._subs else None


def make_clock(start: datetime) -> Any:
    return ManualClock(start) if ManualClock is not None else _FallbackClock(start)


class GuildHandle:
    """A guild as a test sees it."""

    def __init__(self, sim: Sim, model: Guild) -> None:
        self._sim = sim
        self.model = model

    @property
    def id(self) -> int:
        return self.model.id

    @property
    def name(self) -> str:
        return self.model.name

    def channel(self, name: str) -> Channel:
        for channel in self._sim.world.guild_channels(self.model):
            if channel.name == name:
                return channel
        raise SimError(f"{self.name} has no channel #{name}")

    def role(self, name: str) -> Role:
        for role in self.model.roles.values():
            if role.name == name:
                return role
        raise SimError(f"{self.name} has no role {name}")

    async def delete_role(self, role: Role) -> None:
        """The role is deleted (GUILD_ROLE_DELETE): members lose it, and a mention of it pings nobody."""
        if role.id == self.id or role.managed:
            raise SimError("@everyone and managed roles cannot be deleted")
        if self.model.roles.pop(role.id, None) is None:
            raise SimError(f"{self.name} has no role {role.name}")
        for member in self.model.members.values():
            if role.id in member.roles:
                member.roles.remove(role.id)
        await self._sim._event("GUILD_ROLE_DELETE", {"guild_id": str(self.id), "role_id": str(role.id)})

    @property
    def everyone(self) -> Role:
        return self.model.roles[self.model.id]

    async def create_role(self, name: str, *, permissions: int = 0, mentionable: bool = False, **perms: bool) -> Role:
        for key, value in perms.items():
            if value:
                permissions |= _perm_bit(key)
        role = self._sim.world.add_role(self.model, name, permissions, mentionable=mentionable)
        await self._sim._event("GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.to_dict()})
        return role

    async def create_channel(self, name: str, *, type: int = TEXT, parent: Channel | None = None) -> Channel:
        """A new channel (CHANNEL_CREATE): ``type`` 0 text, 2 voice, 4 category, 5 announcement, 13 stage,
        15 forum; ``parent`` a category."""
        try:
            channel = self._sim.world.add_channel(self.model, name, type=type, parent=parent)
        except ValueError as exc:
            raise SimError(str(exc)) from None
        await self._sim._event("CHANNEL_CREATE", channel.to_dict())
        return channel

    def __repr__(self) -> str:
        return f"<Guild {self.name} {self.id}>"


def _perm_bit(name: str) -> int:
    key = name.lower()
    aliases = {"manage_server": "manage_guild", "read_messages": "view_channel"}
    key = aliases.get(key, key)
    if key not in Perm.NAMES:
        raise SimError(f"unknown permission {name!r}; known: {sorted(Perm.NAMES)}")
    return Perm.NAMES[key]


def _id(obj: Any) -> int:
    obj = getattr(obj, "model", obj)
    return int(getattr(obj, "id", obj))


class Sim:
    """A simulated Discord and the bot logged in to it. See ``tests/e2e/conftest.py`` for the fixtures."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        start: datetime | None = None,
        serve: ServeFn | None = None,
        spawn_argv: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        quiet: float = 0.05,
    ) -> None:
        self.tmp_path = Path(tmp_path)
        self.clock = make_clock(start or datetime.now(UTC))
        self.world = World(self.clock)
        self.validator = load_validator()
        self.server = SimServer(self.world, self.validator)
        self.timeout = timeout
        self.quiet = quiet
        self.database_path = self.tmp_path / "marquee.db"
        self.extra_env = dict(env or {})
        self._serve = serve
        self._spawn_argv = spawn_argv or ["-m", "bot", "run"]
        self.bot_driver: BotDriver | None = None
        # More in-process bots against the same simulator (say, each running some of the shards).
        self.other_bots: list[InProcessBot] = []
        # More child-process bots running side by side (`spawn_child`), each with its own handle.
        self.children: list[ChildProcessBot] = []
        self._handled = 0
        self._expecting = 0
        self.expected_violations: list[Violation] = []
        self._spawns = 0

    # ---- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.server.start()
        if self._serve is not None:
            await self.start_bot()

    async def close(self) -> None:
        try:
            while self.children:
                await self.children.pop().stop(self.timeout)
            while self.other_bots:
                await self.other_bots.pop().stop(self.timeout)
            if self.bot_driver is not None:
                await self.bot_driver.stop(self.timeout)
                self.bot_driver = None
        finally:
            await self.server.stop()

    def env(self) -> dict[str, str]:
        """The settings the bot is started with: production settings but for the two base URLs."""
        return {
            "DISCORD_TOKEN": self.world.token,
            "MARQUEE_DATABASE_PATH": str(self.database_path),
            "MARQUEE_DISCORD_API_BASE_URL": self.server.api_url,
            "MARQUEE_DISCORD_GATEWAY_URL": self.server.ws_url,
            "MARQUEE_COMMANDS_DEV_GUILD_ID": "0",
            "MARQUEE_LOGGING_LEVEL": "WARNING",
            **self.extra_env,
        }

    @property
    def client(self) -> Any:
        """The in-process bot (a discord.py client), or None."""
        return self.bot_driver.client if self.bot_driver is not None else None

    @property
    def clients(self) -> list[Any]:
        """Every in-process bot: the one ``start_bot`` started, then those of ``start_another_bot``."""
        drivers = [self.bot_driver, *self.other_bots]
        return [d.client for d in drivers if isinstance(d, InProcessBot) and d.client is not None]

    async def start_another_bot(self, serve: ServeFn, env: Mapping[str, str] | None = None) -> Any:
        """Run one more in-process bot against this simulator (``env`` added to :meth:`env`), as a second
        process of the same application would, e.g. with other shards; returns its client once ready."""
        driver = InProcessBot(serve)
        await driver.start({**self.env(), **(env or {})}, self.clock, self.timeout)
        self.other_bots.append(driver)
        await self.settle()
        self._raise_new_violations()
        return driver.client

    async def start_bot(self) -> None:
        if self._serve is None:
            raise SimError("this Sim was made without a serve function")
        if self.bot_driver is not None and self.bot_driver.running:
            raise SimError("the bot is already running")
        self.bot_driver = InProcessBot(self._serve)
        await self.bot_driver.start(self.env(), self.clock, self.timeout)
        await self.settle()
        self._raise_new_violations()

    async def stop_bot(self) -> None:
        if self.bot_driver is not None:
            await self.bot_driver.stop(self.timeout)
            self.bot_driver = None
        await self.settle()

    async def restart_bot(self) -> None:
        """Stop the bot (``bot.close()``) and start it again on the same database."""
        await self.stop_bot()
        await self.start_bot()

    async def spawn_bot(self, argv: list[str] | None = None) -> None:
        """Run the bot as a child process (default ``python -m bot run``) and wait until it is connected.

        A running in-process bot is stopped first (both use the same database); a killed child is reaped.
        """
        current = self.bot_driver
        if isinstance(current, ChildProcessBot):
            if current.running and not current.killed:
                raise SimError("a child-process bot is already running; kill_bot() or stop_bot() first")
            await current.stop(self.timeout)
            self.bot_driver = None
        elif current is not None:
            await self.stop_bot()
        driver = ChildProcessBot(argv or self._spawn_argv, self._next_log())
        self.bot_driver = driver
        await self._start_child(driver)

    def _next_log(self) -> Path:
        self._spawns += 1
        return self.tmp_path / f"bot-{self._spawns}.log"

    async def _start_child(self, driver: ChildProcessBot, *, settle: bool = True) -> None:
        """Start ``driver`` and wait until its process identifies on the gateway (one start at a time);
        then, with ``settle``, until the bots are idle."""
        sessions_before = {s.id for s in self.server.gateway.sessions.values()}
        await driver.start(self.env(), self.clock, self.timeout)
        deadline = time.monotonic() + max(self.timeout, 20.0)

        def identified() -> bool:
            return any(s.id not in sessions_before for s in self.server.gateway.sessions.values())

        # discord.py runs setup_hook (where a bot syncs its commands) before it connects, so an
        # IDENTIFY means the child is set up; READY follows at once.
        while not identified():
            if not driver.running:
                raise SimError(
                    f"the child bot exited with {driver.process and driver.process.returncode}:\n"
                    + driver.log_text()[-3000:]
                )
            if time.monotonic() > deadline:
                raise SimTimeout(
                    "timed out waiting for the child bot to identify on the gateway:\n" + driver.log_text()[-3000:]
                )
            await asyncio.sleep(0.02)
        if settle:
            await self.settle()

    async def spawn_child(self, argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> ChildProcessBot:
        """Run one more bot as a child process beside any others (``env`` over :meth:`env`, e.g. its own
        shards through ``argv``), as another process of the same application; returns its handle once it
        has identified (the others may be busy: nothing waits for them to go idle). ``kill()`` it, then
        :meth:`respawn_child` starts it again as it was started."""
        driver = ChildProcessBot(argv or self._spawn_argv, self._next_log(), env)
        self.children.append(driver)
        await self._start_child(driver, settle=False)
        return driver

    async def respawn_child(self, child: ChildProcessBot) -> ChildProcessBot:
        """Start again, with the same arguments and settings (and a log of its own), a child of
        :meth:`spawn_child` that was killed or stopped; reaps it first. Returns the new handle."""
        if child.running and not child.killed:
            raise SimError("that child is still running; kill() it first")
        if child.process is not None:
            await child.wait_exit(self.timeout)
        fresh = ChildProcessBot(child.argv, self._next_log(), child.env)
        self.children[self.children.index(child)] = fresh
        await self._start_child(fresh, settle=False)
        return fresh

    def kill_bot(self) -> None:
        """SIGKILL the child-process bot (no clean shutdown)."""
        driver = self.bot_driver
        if not isinstance(driver, ChildProcessBot):
            raise SimError("kill_bot() needs a bot started with spawn_bot()")
        driver.kill()

    async def wait_bot_exit(self) -> int:
        driver = self.bot_driver
        if not isinstance(driver, ChildProcessBot) or driver.process is None:
            raise SimError("no child-process bot")
        code = await asyncio.wait_for(driver.process.wait(), self.timeout)
        await driver.stop(self.timeout)
        self.bot_driver = None
        return code

    # ---- violations ----------------------------------------------------------------------------------
    @property
    def violations(self) -> list[Violation]:
        return self.server.violations

    def _raise_new_violations(self) -> None:
        if self._expecting:
            return
        new = self.server.violations[self._handled :]
        if new:
            self._handled = len(self.server.violations)
            raise SimViolationError(new)

    def check_violations(self) -> None:
        """Raise if the bot made an invalid request no test expected (the fixture calls this at teardown)."""
        self._raise_new_violations()

    @contextlib.contextmanager
    def expect_violation(self) -> Iterator[list[Violation]]:
        """Inside, invalid requests are expected: they are collected into the yielded list, not raised.

        At least one must happen, else the block fails.
        """
        start = len(self.server.violations)
        got: list[Violation] = []
        self._expecting += 1
        try:
            yield got
        finally:
            self._expecting -= 1
            got.extend(self.server.violations[start:])
            self.expected_violations.extend(got)
            self._handled = max(self._handled, len(self.server.violations))
        if not got:
            raise AssertionError("expected the bot to make an invalid request, but it made none")

    def take_violations(self) -> list[Violation]:
        """The violations not yet reported; they no longer fail the test."""
        new = self.server.violations[self._handled :]
        self._handled = len(self.server.violations)
        return list(new)

    # ---- waiting -------------------------------------------------------------------------------------
    async def _wait_until(self, predicate: Callable[[], bool], what: str, within: float | None = None) -> None:
        timeout = self.timeout if within is None else within
        deadline = time.monotonic() + timeout
        while not predicate():
            self._check_bot_alive(what)
            if self.server.violations[self._handled :] and not self._expecting:
                self._raise_new_violations()
            if time.monotonic() > deadline:
                raise SimTimeout(f"timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.005)

    def _check_bot_alive(self, what: str) -> None:
        for driver in (self.bot_driver, *self.other_bots):
            if isinstance(driver, InProcessBot) and driver.crashed is not None:
                raise SimError(f"the bot stopped unexpectedly while waiting for {what}: {driver.crashed!r}")

    async def settle(self, quiet: float | None = None) -> None:
        """Wait until the bot is idle: no REST call in flight and none for ``quiet`` seconds (default 0.05).

        After a 429 or a retryable 5xx it also waits until the client's retry is due (real time).
        """
        quiet = self.quiet if quiet is None else quiet
        server = self.server

        def idle() -> bool:
            now = time.monotonic()
            return server.in_flight == 0 and now - server.last_activity >= quiet and now >= server.retry_expected_until

        await asyncio.sleep(0)
        await self._wait_until(idle, "the bot to go idle (no REST calls in flight)")
        self._raise_new_violations()

    async def _event(self, event: str, data: dict[str, Any]) -> None:
        await self.server.gateway.dispatch(event, data)
        await self._await_delivered()

    # ---- world -----------------------------------------------------------------------------------------
    async def create_guild(self, name: str, *, locale: str = "en-US") -> GuildHandle:
        """A guild with the bot in it and a text channel #general; GUILD_CREATE reaches the bot.
        ``locale``: the server's Discord language (``preferred_locale``, and ``guild_locale`` in interactions)."""
        guild = self.world.add_guild(name)
        guild.locale = locale
        await self.server.gateway.dispatch("GUILD_CREATE", self.server.gateway.guild_payload(guild, joined=True))
        await self._await_client_guild(guild.id, present=True)
        return GuildHandle(self, guild)

    async def create_guild_on_shard(self, name: str, shard_id: int, shard_count: int) -> GuildHandle:
        """A guild (as :meth:`create_guild`) whose id falls on shard ``shard_id`` of ``shard_count``.

        A snowflake's shard comes from its millisecond (``(id >> 22) % shard_count``), so the shared clock
        is first moved forward to the next millisecond that gives that shard (at most ``shard_count - 1`` ms).
        """
        if not 0 <= shard_id < shard_count:
            raise SimError(f"there is no shard {shard_id} of {shard_count}")
        while (int(self.clock.now().timestamp() * 1000) - DISCORD_EPOCH_MS) % shard_count != shard_id:
            self.clock.advance(timedelta(milliseconds=1))
        guild = await self.create_guild(name)
        if (guild.id >> 22) % shard_count != shard_id:
            raise SimError(f"guild {guild.id} landed on another shard than {shard_id} of {shard_count}")
        return guild

    async def _await_client_guild(self, guild_id: int, *, present: bool, unavailable: bool = False) -> None:
        sessions = self.server.gateway.sessions_for(guild_id)
        if not sessions or not sessions[0].intents & 1:
            await self.settle()
            return
        what = "unavailable" if unavailable else ("available" if present else "gone")
        for client in self.clients:
            if hasattr(client, "get_guild") and guild_id in _ShardsOf(client):
                seen = _guild_seen(client, guild_id, present=present, unavailable=unavailable)
                await self._wait_until(seen, f"the bot to see guild {guild_id} {what}")
        await self.settle()

    async def create_user(
        self,
        name: str,
        *,
        guild: GuildHandle | None = None,
        roles: list[Role] | None = None,
        admin: bool = False,
        dms_closed: bool = False,
        locale: str = "en-US",
    ) -> User:
        """A user; with ``guild`` a member (``roles``; ``admin=True`` adds a role with Manage Server).

        ``locale`` is the language their Discord client sends with each interaction.
        """
        user = self.world.add_user(name, dms_closed=dms_closed)
        user.locale = locale
        if guild is not None:
            await self.add_member(guild, user, roles=roles or [], admin=admin)
        return user

    async def add_member(
        self, guild: GuildHandle, user: User, *, roles: list[Role] | None = None, admin: bool = False
    ) -> None:
        role_ids = [_id(r) for r in roles or []]
        if admin:
            admin_role = next((r for r in guild.model.roles.values() if r.name == "Admins"), None)
            if admin_role is None:
                admin_role = await guild.create_role("Admins", permissions=Perm.MANAGE_GUILD | Perm.MANAGE_EVENTS)
            role_ids.append(admin_role.id)
        member = self.world.add_member(guild.model, user, roles=role_ids)
        await self._event("GUILD_MEMBER_ADD", member.to_dict(self.world) | {"guild_id": str(guild.id)})

    async def remove_member(self, guild: GuildHandle, user: User) -> None:
        """``user`` leaves ``guild`` (GUILD_MEMBER_REMOVE, received only with the Guild Members intent)."""
        if user.id == self.world.bot_user.id:
            raise SimError("use remove_bot() for the bot")
        if guild.model.members.pop(user.id, None) is None:
            raise SimError(f"{user.username} is not a member of {guild.name}")
        await self._event("GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": user.to_dict()})

    async def set_bot_permissions(self, target: Channel | GuildHandle, **perms: bool) -> None:
        """Grant (True) or revoke (False) permissions for the bot in a channel (overwrite) or guild (its role)."""
        if not perms:
            raise SimError("name at least one permission, e.g. send_messages=False")
        bot_id = self.world.bot_user.id
        if isinstance(target, GuildHandle):
            role = next(
                r for r in target.model.roles.values() if r.managed and r.id in target.model.members[bot_id].roles
            )
            for name, value in perms.items():
                bit = _perm_bit(name)
                role.permissions = role.permissions | bit if value else role.permissions & ~bit
            await self._event("GUILD_ROLE_UPDATE", {"guild_id": str(target.id), "role": role.to_dict()})
            return
        channel = target
        ow = channel.overwrites.setdefault(bot_id, Overwrite(bot_id, 1))
        for name, value in perms.items():
            bit = _perm_bit(name)
            if value:
                ow.allow |= bit
                ow.deny &= ~bit
            else:
                ow.deny |= bit
                ow.allow &= ~bit
        await self._event("CHANNEL_UPDATE", channel.to_dict())

    async def delete_channel(self, channel: Channel) -> None:
        """The channel disappears (later sends get 404 10003)."""
        channel.deleted = True
        await self._event("CHANNEL_DELETE", channel.to_dict())

    async def remove_bot(self, guild: GuildHandle, *, unavailable: bool = False) -> None:
        """GUILD_DELETE: ``unavailable=True`` is an outage, False a removal (kick) of the bot."""
        if unavailable:
            guild.model.unavailable = True
            await self.server.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id), "unavailable": True})
            await self._await_client_guild(guild.id, present=True, unavailable=True)
            return
        else:
            guild.model.bot_present = False
            guild.model.members.pop(self.world.bot_user.id, None)
            await self.server.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)})
        await self._await_client_guild(guild.id, present=False)

    async def restore_guild(self, guild: GuildHandle) -> None:
        """End an outage (or re-add a removed bot): GUILD_CREATE again."""
        model = guild.model
        joined = not model.bot_present
        if joined:
            role = next(r for r in model.roles.values() if r.managed)
            self.world.add_member(model, self.world.bot_user, roles=[role.id])
            model.bot_present = True
        model.unavailable = False
        await self.server.gateway.dispatch("GUILD_CREATE", self.server.gateway.guild_payload(model, joined=joined))
        await self._await_client_guild(guild.id, present=True)

    # ---- faults -------------------------------------------------------------------------------------------
    def fail_next(
        self,
        route: str,
        *,
        status: int = 500,
        after_commit: bool = False,
        times: int = 1,
        delay: float = 0.0,
        retry_after: float = 0.2,
        is_global: bool = False,
    ) -> Fault:
        """The next ``times`` calls of ``"METHOD /template"`` get ``status``; ``after_commit`` stores first.

        ``status=429`` answers a proper rate limit (``retry_after``, ``global``, ``Via``).
        """
        fault = Fault(_route_key(route), status, after_commit, times, delay, retry_after, is_global)
        self.server.faults.append(fault)
        return fault

    def slow_next(self, route: str, seconds: float, *, times: int = 1, after_commit: bool = False) -> Fault:
        """The next call(s) of ``route`` are answered normally but ``seconds`` late (real time).

        ``after_commit=True`` carries the request out first and then holds the answer back: the
        window in which a client has sent something but not yet heard that it worked.
        """
        fault = Fault(_route_key(route), None, after_commit, times, seconds)
        self.server.faults.append(fault)
        return fault

    async def drop_gateway(self, code: int = 4000) -> None:
        """The socket dies; the client reconnects and resumes. Returns once it has resumed."""
        before = sum(s.resumes for s in self.server.gateway.sessions.values())
        await self.server.gateway.drop(code)
        await self._wait_until(
            lambda: (
                sum(s.resumes for s in self.server.gateway.sessions.values()) > before
                and any(s.ws is not None for s in self.server.gateway.live_sessions())
            ),
            "the bot to resume its gateway session",
        )
        await self.settle()

    async def gateway_reconnect(self) -> None:
        """Send op 7 RECONNECT; wait for the resume."""
        before = sum(s.resumes for s in self.server.gateway.sessions.values())
        await self.server.gateway.send_reconnect()
        await self._wait_until(
            lambda: sum(s.resumes for s in self.server.gateway.sessions.values()) > before,
            "the bot to resume after RECONNECT",
        )
        await self.settle()

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; wait for the new IDENTIFY (or RESUME)."""
        before_ids = len(self.server.gateway.sessions)
        before_res = sum(s.resumes for s in self.server.gateway.sessions.values())
        await self.server.gateway.invalidate(resumable)
        await self._wait_until(
            lambda: (
                len(self.server.gateway.sessions) > before_ids
                or sum(s.resumes for s in self.server.gateway.sessions.values()) > before_res
            ),
            "the bot to identify or resume after INVALID_SESSION",
        )
        await self.settle()

    # ---- interactions -----------------------------------------------------------------------------------
    def _new_record(
        self, itype: int, user: User, channel: Channel, data: dict[str, Any], label: str, message: Message | None = None
    ) -> InteractionRecord:
        iid = self.world.ids.next()
        payload, token = base_payload(self.world, itype, user, channel, data, interaction_id=iid)
        if message is not None:
            payload["message"] = message.to_dict(self.world)
        record = InteractionRecord(
            iid,
            token,
            itype,
            user.id,
            channel.id,
            channel.guild_id,
            payload,
            self.clock.now(),
            source_message_id=message.id if message else None,
            label=label,
        )
        self.server.register(record)
        return record

    def _channel_for(self, user: User, channel: Channel | None) -> Channel:
        """The channel ``user`` interacts in, refused where Discord's client would give them no way to."""
        if channel is None:
            return self.world.dm_channel(user)
        if channel.deleted:
            raise SimError(f"#{channel.name} was deleted")
        if channel.type == DM and user.id not in channel.recipient_ids:
            raise SimError(f"{user.username} is not in that DM (it is between the bot and {channel.recipient_ids})")
        if channel.type in (CATEGORY, FORUM):
            raise SimError(f"#{channel.name} is a category or forum: nobody can type or click in it")
        if channel.guild_id is not None:
            guild = self.world.guilds[channel.guild_id]
            if not guild.bot_present or guild.unavailable:
                raise SimError(f"the bot is not in {guild.name} (or it is unavailable)")
            if user.id not in guild.members:
                raise SimError(f"{user.username} is not a member of {guild.name}")
            if not self.world.permissions(user.id, channel) & Perm.VIEW_CHANNEL:
                raise SimError(f"{user.username} cannot see #{channel.name}")
        return channel

    async def _run(self, record: InteractionRecord) -> Reply:
        sent = await self.server.gateway.dispatch("INTERACTION_CREATE", record.payload)
        if not sent:
            raise SimError("no gateway session is connected to receive the interaction")
        deadline = self.server.interaction_deadline + 0.5
        await self._wait_until(
            lambda: record.acked.is_set(),
            f"the bot to answer {record.label} (Discord shows 'The application "
            f"did not respond' after {self.server.interaction_deadline:g} s)",
            within=deadline,
        )
        if record.response_type == 5:

            def answered() -> bool:
                original = self.world.messages.get(record.original_id or 0)
                return bool(record.followup_ids) or original is None or not original.loading

            await self._wait_until(answered, f"the deferred answer to {record.label}")
        # A handler may go on after answering (follow-ups, on_app_command_completion): the reply is what the
        # member sees once the bot is done, not whatever a quiet moment under load happened to catch.
        await self._wait_until(lambda: not self._handling_interactions(), f"the bot to finish handling {record.label}")
        await self.settle()
        return Reply(self.world, record)

    def _handling_interactions(self) -> bool:
        """Whether an in-process bot still runs a discord.py task that handles an interaction."""
        if not isinstance(self.bot_driver, InProcessBot) and not self.other_bots:
            return False
        return any(not t.done() and t.get_name().startswith(INTERACTION_TASKS) for t in asyncio.all_tasks())

    async def slash(self, user: User, channel: Channel | None, path: str, /, **options: Any) -> Reply:
        """Run ``/path`` as ``user`` in ``channel`` (None: in the user's DM with the bot)."""
        channel = self._channel_for(user, channel)
        command, rest = find_command(self.world, path, channel)
        data = build_command_data(self.world, command, rest, options, user, channel)
        return await self._run(self._new_record(APPLICATION_COMMAND, user, channel, data, "/" + path))

    async def autocomplete(
        self, user: User, channel: Channel | None, path: str, option: str, value: str, /, **options: Any
    ) -> list[dict[str, Any]]:
        """The choices the bot offers while ``user`` types ``value`` into ``option`` of ``/path``."""
        channel = self._channel_for(user, channel)
        command, rest = find_command(self.world, path, channel)
        data = build_command_data(self.world, command, rest, {**options, option: value}, user, channel, focused=option)
        reply = await self._run(self._new_record(AUTOCOMPLETE, user, channel, data, f"autocomplete /{path}"))
        return list(reply.choices or [])

    async def user_command(self, user: User, channel: Channel | None, name: str, target: User, /) -> Reply:
        """Run the user context-menu command ``name`` (Apps → name) on ``target`` as ``user`` in ``channel``.

        As in Discord's client, the target is someone there: a member of the server, or in a DM its people.
        """
        channel = self._channel_for(user, channel)
        command, _ = find_command(self.world, name, channel, type=2)
        resolved: dict[str, dict[str, Any]] = {}
        target_id = resolve_entity(self.world, USER, target, user, channel, resolved, what=f"user command {name!r}")
        data = build_context_menu_data(self.world, command, user, channel, int(target_id), resolved)
        return await self._run(self._new_record(APPLICATION_COMMAND, user, channel, data, f"user command {name!r}"))

    async def message_command(self, user: User, target: Reply | Message, name: str, /) -> Reply:
        """Run the message context-menu command ``name`` on ``target`` as ``user``, in the target's channel."""
        msg = self._message_of(target)
        if msg.ephemeral_for is not None:
            raise SimError("Discord offers no apps on an ephemeral message")
        channel = self._channel_for(user, self.world.channels[msg.channel_id])
        command, _ = find_command(self.world, name, channel, type=3)
        # Message commands get the content even without the Message Content intent (documented exception).
        resolved = {"messages": {str(msg.id): msg.to_dict(self.world)}}
        data = build_context_menu_data(self.world, command, user, channel, msg.id, resolved)
        return await self._run(self._new_record(APPLICATION_COMMAND, user, channel, data, f"message command {name!r}"))

    async def post(self, user: User, channel: Channel | None, content: str, /) -> Message:
        """``user`` writes ``content`` in ``channel`` (None: their DM with the bot), as a member can.

        Refused where their client would not let them (no Send Messages, a channel they cannot see,
        someone else's DM, more than 2,000 characters). The message is stored (GET returns it) and
        MESSAGE_CREATE goes to the bot only if its intents ask for it, its content only with the
        Message Content intent (or in a DM, or when it mentions the bot).
        """
        if user.bot:
            raise SimError("post() is for members; the bot sends through the REST API")
        if not content.strip():
            raise SimError("Discord's client sends no empty message")
        if len(content) > 2000:
            raise SimError(f"Discord's client refuses a message of {len(content)} characters (limit 2000)")
        if channel is None and user.id not in self.world.dm_channels and not self.world.mutual_guilds(user.id):
            raise SimError(f"{user.username} shares no server with the bot, so cannot open a DM with it")
        channel = self._channel_for(user, channel)
        if channel.guild_id is not None and not self.world.permissions(user.id, channel) & Perm.SEND_MESSAGES:
            raise SimError(f"{user.username} may not send messages in #{channel.name}")
        msg = Message(
            id=self.world.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=user,
            content=content,
            timestamp=self.clock.now(),
            # Discord's client sends a nonce with each message; it shows up in MESSAGE_CREATE only.
            nonce=str(self.world.ids.next()),
        )
        self.world.resolve_pings(msg, None, author_id=user.id)
        self.world.messages[msg.id] = msg
        await self.server.gateway.dispatch("MESSAGE_CREATE", msg.to_dict(self.world, gateway=True, with_nonce=True))
        await self._await_delivered()
        return msg

    async def _await_delivered(self) -> None:
        """Wait until the in-process bots have read every event sent so far (their handlers then run), then settle.

        Each of a bot's sockets (one per shard) is matched to its gateway session by session id.
        """
        sessions = {s.id: s for s in self.server.gateway.live_sessions() if s.ws is not None}
        pending: list[tuple[Any, int]] = []
        for client in self.clients:
            for ws in _sockets_of(client):
                session = sessions.get(getattr(ws, "session_id", None) or "")
                if session is not None and hasattr(ws, "sequence"):
                    pending.append((ws, session.seq))
        if pending:

            def read() -> bool:
                return all((ws.sequence or 0) >= sent for ws, sent in pending)

            await self._wait_until(read, "the bot to read the gateway events sent")
            await asyncio.sleep(0)
        await self.settle()

    def _message_of(self, target: Reply | Message) -> Message:
        msg = target.message if isinstance(target, Reply) else target
        if msg is None:
            raise SimError(f"{target!r} has no message to interact with")
        if msg.deleted:
            raise SimError(f"message {msg.id} was deleted")
        return msg

    async def click(
        self, user: User, target: Reply | Message, *, label: str | None = None, custom_id: str | None = None
    ) -> Reply:
        """Press a button (by label or custom_id) on a reply or message; returns what the user sees."""
        msg = self._message_of(target)
        comp = find_component(msg, label=label, custom_id=custom_id, types=(2,))
        if msg.ephemeral_for is not None and msg.ephemeral_for != user.id:
            raise SimError(f"{user.username} cannot see that ephemeral message")
        channel = self._channel_for(user, self.world.channels[msg.channel_id])
        data = {"custom_id": comp["custom_id"], "component_type": 2}
        record = self._new_record(
            COMPONENT, user, channel, data, f"button {comp.get('label') or comp['custom_id']!r}", message=msg
        )
        return await self._run(record)

    async def select(
        self,
        user: User,
        target: Reply | Message,
        values: list[Any],
        *,
        custom_id: str | None = None,
        placeholder: str | None = None,
    ) -> Reply:
        """Choose ``values`` in a select menu (string values, or users/roles/channels for those menus)."""
        msg = self._message_of(target)
        comp = find_component(msg, custom_id=custom_id, placeholder=placeholder, types=(3, 5, 6, 7, 8))
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise SimError(f"select {comp['custom_id']!r} takes {lo}..{hi} values, got {len(values)}")
        channel = self._channel_for(user, self.world.channels[msg.channel_id])
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": comp["type"]}
        if comp["type"] == 3:
            allowed = [o["value"] for o in comp.get("options") or []]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise SimError(f"{bad} are not options of {comp['custom_id']!r}: {allowed}")
            data["values"] = list(values)
        else:
            kind = {5: USER, 6: ROLE, 7: MENTIONABLE, 8: CHANNEL}[comp["type"]]
            resolved: dict[str, dict[str, Any]] = {}
            what = f"select {comp['custom_id']!r}"
            types = comp.get("channel_types")
            data["values"] = [
                resolve_entity(self.world, kind, v, user, channel, resolved, what=what, channel_types=types)
                for v in values
            ]
            data["resolved"] = resolved
        record = self._new_record(COMPONENT, user, channel, data, f"select {comp['custom_id']!r}", message=msg)
        return await self._run(record)

    async def submit_modal(
        self, user: User, reply: Reply, values: Mapping[str, Any] | None = None, **more: Any
    ) -> Reply:
        """Fill the modal the bot opened in ``reply`` (text inputs by custom_id) and submit it."""
        modal = reply.modal
        if modal is None:
            raise SimError(f"{reply!r} opened no modal")
        if reply.interaction.user_id != user.id:
            raise SimError("only the user who opened the modal can submit it")
        given = {**(values or {}), **more}
        used: set[str] = set()

        def fill(comp: dict[str, Any]) -> dict[str, Any]:
            ctype = comp.get("type")
            if ctype == 1:
                return {"type": 1, "components": [fill(c) for c in comp.get("components") or []]}
            if ctype == 18:
                return {"type": 18, "component": fill(comp["component"])}
            cid = comp.get("custom_id")
            if ctype == 4:
                value = given.get(cid, comp.get("value") or "")
                used.add(cid or "")
                if comp.get("required", True) and not value:
                    raise SimError(f"text input {cid!r} is required")
                if comp.get("max_length") and len(value) > comp["max_length"]:
                    raise SimError(f"text input {cid!r} allows {comp['max_length']} characters")
                if comp.get("min_length") and value and len(value) < comp["min_length"]:
                    raise SimError(f"text input {cid!r} needs {comp['min_length']} characters")
                return {"type": 4, "custom_id": cid, "value": value}
            if ctype in (3, 5, 6, 7, 8):
                used.add(cid or "")
                return {"type": ctype, "custom_id": cid, "values": [str(v) for v in given.get(cid, [])]}
            return {k: v for k, v in comp.items() if k in ("type", "id")}

        components = [fill(c) for c in modal.get("components") or []]
        unknown = set(given) - used
        if unknown:
            raise SimError(f"the modal has no inputs {sorted(unknown)}")
        origin = reply.interaction
        channel = self.world.channels[origin.channel_id]
        source = self.world.messages.get(origin.source_message_id or 0)
        data = {"custom_id": modal["custom_id"], "components": components}
        record = self._new_record(MODAL_SUBMIT, user, channel, data, f"modal {modal['custom_id']!r}", message=source)
        record.parent_id = origin.id
        return await self._run(record)

    # ---- what users see ------------------------------------------------------------------------------
    def channel_messages(self, channel: Channel) -> list[Message]:
        """The messages everyone sees in ``channel`` now, oldest first (no ephemeral ones)."""
        return self.world.visible_messages(channel)

    def dms(self, user: User) -> list[Message]:
        """The messages in ``user``'s DM with the bot, oldest first."""
        cid = self.world.dm_channels.get(user.id)
        return self.world.visible_messages(self.world.channels[cid]) if cid else []

    def pings(self, user: User) -> list[Message]:
        """Messages whose mentions really notified ``user`` (after ``allowed_mentions``)."""
        return sorted(
            (m for m in self.world.messages.values() if user.id in m.pinged and not m.deleted), key=lambda m: m.id
        )

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST call: ``method``, ``route`` (template), ``path``, ``body``, ``status``."""
        return self.server.requests

    def requests_to(self, route: str) -> list[RequestRecord]:
        key = _route_key(route)
        return [r for r in self.server.requests if r.key == key]

    def member_requests(self) -> list[dict[str, Any]]:
        """Every Request Guild Members (gateway op 8) the bot sent: its data (`guild_id`, `user_ids`, ...)."""
        return self.server.gateway.member_requests()

    def invalid_request_count(self) -> int:
        """401/403/429 answers in the last 10 minutes (Discord bans at 10,000)."""
        return self.server.ratelimits.invalid_count()

    @property
    def ratelimits(self) -> Any:
        return self.server.ratelimits

    def commands(self, guild: GuildHandle | None = None) -> list[dict[str, Any]]:
        """The commands the bot synced (global, or for ``guild``)."""
        scope = guild.id if guild is not None else None
        return [c.to_dict() for c in self.world.commands.values() if c.guild_id == scope]

    # ---- time ---------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()  # type: ignore[no-any-return]

    async def advance(self, delta: timedelta) -> None:
        """Move the shared clock forward; the bot runs what became due; then wait until it is idle."""
        self.clock.advance(delta)
        await asyncio.sleep(0)
        every_alarm = [a for a in (getattr(c, "alarms", None) for c in self.clients) if a is not None]
        if every_alarm:
            # Marquee's alarm clocks: wait until every alarm that became due has rung and finished.
            await self._wait_until(
                lambda: not any(a.busy for a in every_alarm), "the bot's due alarms to ring and finish"
            )
        await self.settle(max(self.quiet, 0.1))


# The names discord.py 2.7 gives the tasks that run interaction handlers (app_commands/tree.py, ui/view.py,
# ui/modal.py, client.py _schedule_event).
INTERACTION_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-modal-dispatch-",
    "discord-ui-dynamic-item-",
    "discord.py: on_interaction",
    "discord.py: on_app_command_completion",
    "discord.py: on_app_command_error",
)


def _guild_seen(client: Any, guild_id: int, *, present: bool, unavailable: bool) -> Callable[[], bool]:
    def seen() -> bool:
        guild = client.get_guild(guild_id)
        if unavailable:
            return guild is not None and bool(guild.unavailable)
        return (guild is not None and not guild.unavailable) == present

    return seen


class _ShardsOf:
    """The guilds a discord.py client serves: all when unsharded; else those of its shards (an
    ``AutoShardedClient``'s ``shard_ids``, all of ``shard_count`` when None; a ``Client``'s ``shard_id``)."""

    def __init__(self, client: Any) -> None:
        self.count = getattr(client, "shard_count", None) or 1
        ids = getattr(client, "shard_ids", None)
        shard_id = getattr(client, "shard_id", None)
        if ids is None:
            ids = [shard_id] if shard_id is not None else range(self.count)
        self.ids = frozenset(ids)

    def __contains__(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids


def _sockets_of(client: Any) -> list[Any]:
    """A discord.py client's gateway sockets: one per shard of an ``AutoShardedClient``, else ``client.ws``."""
    shards = getattr(client, "shards", None)
    if isinstance(shards, dict) and hasattr(client, "_get_websocket"):
        return [client._get_websocket(shard_id=shard_id) for shard_id in shards]
    ws = getattr(client, "ws", None)
    return [ws] if ws is not None else []


def _route_key(route: str) -> str:
    method, _, path = route.strip().partition(" ")
    if not path:
        raise SimError(f"routes look like 'POST /channels/{{channel_id}}/messages', got {route!r}")
    if path.startswith("/api/v10"):
        path = path[len("/api/v10") :]
    return f"{method.upper()} {path}"


async def open_sim(tmp_path: Path, **kwargs: Any) -> Sim:
    """Create and start a :class:`Sim` (the caller must ``await sim.close()``)."""
    sim = Sim(tmp_path, **kwargs)
    await sim.start()
    return sim


__all__ = ["GuildHandle", "Reply", "Sim", "open_sim", "pasted_id"]
_ = Awaitable
