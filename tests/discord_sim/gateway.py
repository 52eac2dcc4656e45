"""The JSON gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME, dispatches filtered by intents."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .state import Guild, World, iso

if TYPE_CHECKING:
    pass

log = logging.getLogger("discord_sim.gateway")

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, ACK = (
    0,
    1,
    2,
    3,
    6,
    7,
    8,
    9,
    10,
    11,
)


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


class AppFlag:
    GATEWAY_PRESENCE = 1 << 12
    GATEWAY_PRESENCE_LIMITED = 1 << 13
    GATEWAY_GUILD_MEMBERS = 1 << 14
    GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
    GATEWAY_MESSAGE_CONTENT = 1 << 18
    GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19


PRIVILEGED = {
    Intent.GUILD_PRESENCES: AppFlag.GATEWAY_PRESENCE | AppFlag.GATEWAY_PRESENCE_LIMITED,
    Intent.GUILD_MEMBERS: AppFlag.GATEWAY_GUILD_MEMBERS | AppFlag.GATEWAY_GUILD_MEMBERS_LIMITED,
    Intent.MESSAGE_CONTENT: AppFlag.GATEWAY_MESSAGE_CONTENT | AppFlag.GATEWAY_MESSAGE_CONTENT_LIMITED,
}

EVENT_INTENTS: dict[str, int] = {
    "GUILD_CREATE": Intent.GUILDS,
    "GUILD_UPDATE": Intent.GUILDS,
    "GUILD_DELETE": Intent.GUILDS,
    "GUILD_ROLE_CREATE": Intent.GUILDS,
    "GUILD_ROLE_UPDATE": Intent.GUILDS,
    "GUILD_ROLE_DELETE": Intent.GUILDS,
    "CHANNEL_CREATE": Intent.GUILDS,
    "CHANNEL_UPDATE": Intent.GUILDS,
    "CHANNEL_DELETE": Intent.GUILDS,
    "GUILD_MEMBER_ADD": Intent.GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": Intent.GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": Intent.GUILD_MEMBERS,
    "GUILD_SCHEDULED_EVENT_CREATE": Intent.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": Intent.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": Intent.GUILD_SCHEDULED_EVENTS,
}


def event_allowed(event: str, data: dict[str, Any], intents: int) -> bool:
    """Whether a session that identified with ``intents`` receives ``event``."""
    if event == "MESSAGE_CREATE" or event == "MESSAGE_UPDATE" or event == "MESSAGE_DELETE":
        needed = Intent.GUILD_MESSAGES if data.get("guild_id") else Intent.DIRECT_MESSAGES
        return bool(intents & needed)
    needed = EVENT_INTENTS.get(event)
    return needed is None or bool(intents & needed)


MESSAGE_CONTENT_FIELDS = ("content", "embeds", "attachments", "components", "poll")


def without_content(event: str, data: dict[str, Any], intents: int, bot_id: int) -> dict[str, Any]:
    """``data`` as a session with ``intents`` receives it: without the Message Content intent, a message's
    content, embeds, attachments, components and poll arrive empty unless the bot wrote it, it is in a DM,
    or it mentions the bot (Discord's documented exceptions)."""
    if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or intents & Intent.MESSAGE_CONTENT:
        return data
    author = str((data.get("author") or {}).get("id"))
    mentioned = {str(u.get("id")) for u in data.get("mentions") or []}
    if not data.get("guild_id") or author == str(bot_id) or str(bot_id) in mentioned:
        return data
    out = dict(data)
    for key in MESSAGE_CONTENT_FIELDS:
        if key in out:
            out[key] = "" if key == "content" else (None if key == "poll" else [])
    return out


def as_session_sees(event: str, data: dict[str, Any], intents: int, bot_id: int) -> dict[str, Any]:
    """``data`` as a session with ``intents`` receives it.

    GUILD_CREATE lists only the bot (and members in voice, none here) without the Guild Presences intent,
    as Discord documents: such a bot cannot learn who is a member from its cache. Messages lose their
    content without the Message Content intent (:func:`without_content`).
    """
    if event == "GUILD_CREATE" and not intents & Intent.GUILD_PRESENCES and "members" in data:
        mine = [m for m in data["members"] if str((m.get("user") or {}).get("id")) == str(bot_id)]
        return {**data, "members": mine, "presences": []}
    return without_content(event, data, intents, bot_id)


def event_guild_id(event: str, data: dict[str, Any]) -> int | None:
    """The guild an event belongs to, or None (a DM, the bot's own user): what decides its shard."""
    raw = data.get("id") if event in GUILD_EVENTS_BY_ID else data.get("guild_id")
    return int(raw) if raw is not None else None


# Events whose data is the guild itself, so its `id` is the guild's.
GUILD_EVENTS_BY_ID = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})


def shard_for(guild_id: int, shard_count: int) -> int:
    """Discord's rule: a guild is served by shard ``(guild_id >> 22) % shard_count``."""
    return (guild_id >> 22) % shard_count


@dataclass
class Session:
    id: str
    intents: int
    token: str
    # (shard_id, shard_count) from IDENTIFY; None: unsharded, which receives everything, like [0, 1].
    shard: tuple[int, int] | None = None
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    buffer: list[dict[str, Any]] = field(default_factory=list)
    identifies: int = 0
    resumes: int = 0
    invalid: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session receives the events of ``guild_id`` (None: events outside any guild, which
        Discord sends to shard 0 only)."""
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        if guild_id is None:
            return shard_id == 0
        return shard_for(guild_id, shard_count) == shard_id


class Gateway:
    """Gateway sessions of the (single) bot application; events go to every live session."""

    def __init__(
        self, world: World, base_ws_url: Callable[[], str], on_activity: Callable[[], None] | None = None
    ) -> None:
        self.world = world
        self._base = base_ws_url
        # Called when a client's request is answered over the socket (op 8), so `settle()` counts it as work.
        self._on_activity = on_activity or (lambda: None)
        self.sessions: dict[str, Session] = {}
        self.heartbeat_interval_ms = 41250
        self.log: list[dict[str, Any]] = []  # everything received from clients
        self.close_codes: list[int] = []
        self.changed = asyncio.Event()
        self.connections = 0
        self._sockets: set[web.WebSocketResponse] = set()
        # A fault: op 8 is received (and logged) but not answered, as when the answer is slow or lost;
        # `release_member_answers()` answers what was held.
        self.member_answers_held = False
        self._held: list[tuple[web.WebSocketResponse, Session | None, Any]] = []
        # Sharding, as `GET /gateway/bot` tells it: the shard count Discord recommends, and how many
        # sessions may IDENTIFY at once (`max_concurrency`).
        self.recommended_shards = 1
        self.max_concurrency = 1
        # Discord closes with 4011 (sharding required) when a session would serve too many guilds; None
        # (the default) never does. With N, an IDENTIFY whose shard count leaves more than N guilds per
        # shard on average, or an unsharded one with more than N guilds, is closed.
        self.max_guilds_per_shard: int | None = None
        self.session_start_total = 1000

    # ---- helpers --------------------------------------------------------------
    def _notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if not s.invalid]

    def guild_payload(self, guild: Guild, *, joined: bool = False) -> dict[str, Any]:
        """GUILD_CREATE data. ``joined``: the bot was just added, and Discord leaves ``unavailable`` out
        (discord.py then reports a join, not a guild becoming available again)."""
        world = self.world
        bot_member = guild.members.get(world.bot_user.id)
        payload = {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": guild.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "features": [],
            "application_id": None,
            "unavailable": False,
            "large": False,
            "lazy": True,
            "member_count": len(guild.members),
            "joined_at": iso(bot_member.joined_at) if bot_member and bot_member.joined_at else None,
            "roles": [r.to_dict() for r in guild.roles.values()],
            "channels": [c.to_dict() for c in world.guild_channels(guild)],
            "members": [m.to_dict(world) for m in guild.members.values()],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": list(guild.scheduled_events.values()),
            "soundboard_sounds": [],
        }
        if joined:
            del payload["unavailable"]
        return payload

    # ---- sending ----------------------------------------------------------------
    async def _send(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        if not ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(json.dumps(payload))

    async def _dispatch_to(self, session: Session, event: str, data: dict[str, Any]) -> None:
        async with session.lock:
            session.seq += 1
            payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
            session.buffer.append(payload)
            del session.buffer[:-1000]
            if session.ws is not None:
                await self._send(session.ws, payload)

    def wanted(self, event: str, data: dict[str, Any]) -> bool:
        """Whether any live session would receive ``event`` (``data`` needs only what intents and shards
        look at: ``guild_id``, or ``id`` for the guild events)."""
        guild_id = event_guild_id(event, data)
        return any(
            event_allowed(event, data, session.intents) and session.serves(guild_id) for session in self.live_sessions()
        )

    def sessions_for(self, guild_id: int | None) -> list[Session]:
        """The live sessions that receive the events of ``guild_id`` (None: DMs, shard 0 only)."""
        return [session for session in self.live_sessions() if session.serves(guild_id)]

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send ``event`` to every session whose intents ask for it and whose shard serves its guild (DMs and
        other events outside a guild: shard 0); return how many got it."""
        sent = 0
        guild_id = event_guild_id(event, data)
        for session in self.live_sessions():
            if event_allowed(event, data, session.intents) and session.serves(guild_id):
                seen = as_session_sees(event, data, session.intents, self.world.bot_user.id)
                await self._dispatch_to(session, event, seen)
                sent += 1
        return sent

    # ---- faults -----------------------------------------------------------------
    async def drop(self, code: int = 4000) -> None:
        """Close every socket as a dying connection would; sessions stay resumable."""
        for session in self.live_sessions():
            ws, session.ws = session.ws, None
            if ws is not None:
                await self._close(ws, code, "simulated drop")
        self._notify()

    async def send_reconnect(self) -> None:
        for session in self.live_sessions():
            if session.ws is not None:
                await self._send(session.ws, {"op": RECONNECT, "d": None})

    async def invalidate(self, resumable: bool = False) -> None:
        for session in self.live_sessions():
            if not resumable:
                session.invalid = True
            if session.ws is not None:
                await self._send(session.ws, {"op": INVALID_SESSION, "d": resumable})

    async def _close(self, ws: web.WebSocketResponse, code: int, reason: str) -> None:
        self.close_codes.append(code)
        await ws.close(code=code, message=reason.encode())

    async def close_all(self, code: int = 1001) -> None:
        for ws in list(self._sockets):
            await ws.close(code=code)

    # ---- the socket ---------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        self.connections += 1
        session: Session | None = None
        try:
            await self._send(
                ws, {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                self.log.append(payload)
                op = payload.get("op")
                data = payload.get("d")
                if op == HEARTBEAT:
                    await self._send(ws, {"op": ACK})
                elif op == IDENTIFY:
                    session = await self._identify(ws, data)
                elif op == RESUME:
                    session = await self._resume(ws, data)
                elif op == REQUEST_MEMBERS:
                    self._on_activity()
                    await self._request_members(ws, session, data)
                    self._on_activity()
                self._notify()
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
            self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        world = self.world
        if data.get("token") != world.token and data.get("token") != "Bot " + world.token:
            await self._close(ws, 4004, "Authentication failed.")
            return None
        intents = int(data.get("intents") or 0)
        for intent, flags in PRIVILEGED.items():
            if intents & intent and not world.application_flags & flags:
                await self._close(ws, 4014, "Disallowed intent(s).")
                return None
        try:
            shard = _shard(data.get("shard"))
        except ValueError:
            await self._close(ws, 4010, "Invalid shard.")
            return None
        present = [g for g in world.guilds.values() if g.bot_present]
        limit = self.max_guilds_per_shard
        if limit is not None and len(present) > limit * (shard[1] if shard else 1):
            await self._close(ws, 4011, "Sharding required.")
            return None
        session = Session(
            id=secrets.token_hex(16), intents=intents, token=data["token"], shard=shard, ws=ws, identifies=1
        )
        self.sessions[session.id] = session
        guilds = [g for g in present if session.serves(g.id)]
        ready = {
            "v": 10,
            "user": world.bot_user.to_dict() | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self._base() + "-resume",
            "application": {"id": str(world.application_id), "flags": world.application_flags},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["discord-sim"],
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self._dispatch_to(session, "READY", ready)
        for guild in guilds:
            if not guild.unavailable and event_allowed("GUILD_CREATE", {}, intents):
                payload = as_session_sees("GUILD_CREATE", self.guild_payload(guild), intents, world.bot_user.id)
                await self._dispatch_to(session, "GUILD_CREATE", payload)
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalid or data.get("token") != session.token:
            await self._send(ws, {"op": INVALID_SESSION, "d": False})
            return None
        last = int(data.get("seq") or 0)
        async with session.lock:
            old, session.ws = session.ws, ws
            session.resumes += 1
            missed = [p for p in session.buffer if p["s"] > last]
        if old is not None and old is not ws:
            await old.close(code=4000)
        for payload in missed:
            await self._send(ws, payload)
        await self._dispatch_to(session, "RESUMED", {"_trace": ["discord-sim"]})
        return session

    # ---- Request Guild Members (op 8) ---------------------------------------------------------
    def member_requests(self) -> list[dict[str, Any]]:
        """Every op 8 payload's data clients sent, in order."""
        return [p.get("d") or {} for p in self.log if p.get("op") == REQUEST_MEMBERS]

    async def release_member_answers(self) -> None:
        """Stop holding op 8 answers and answer those held (to sockets still open)."""
        self.member_answers_held = False
        held, self._held = self._held, []
        for ws, session, data in held:
            if not ws.closed:
                await self._request_members(ws, session, data)
        self._on_activity()

    async def _request_members(self, ws: web.WebSocketResponse, session: Session | None, data: Any) -> None:
        """Answer op 8 with GUILD_MEMBERS_CHUNK events, as Discord documents it.

        One guild per request; `user_ids` (one snowflake or a list of at most 100) or `query` with `limit`
        (at most 100 members; `query` "" with `limit` 0, the whole list, needs the Guild Members intent and
        gets no answer without it); `presences` needs the Guild Presences intent, else it is false; a `nonce`
        over 32 bytes is dropped. A payload Discord cannot use closes the socket with 4001 (an invalid payload
        for an opcode). A guild the session does not have, or one that is unavailable, gets no answer.
        """
        if session is None or session.ws is not ws:
            await self._close(ws, 4003, "Not authenticated.")
            return
        if self.member_answers_held:
            self._held.append((ws, session, data))
            return
        request = _member_request(data)
        if request is None:
            await self._close(ws, 4001, "Invalid payload for opcode 8.")
            return
        guild_id, user_ids, query, limit, presences, nonce = request
        guild = self.world.guilds.get(guild_id)
        if guild is None or not guild.bot_present or guild.unavailable or not session.serves(guild.id):
            return
        found: list[Any] = []
        not_found: list[str] = []
        if user_ids is not None:
            for user_id in dict.fromkeys(user_ids):
                member = guild.members.get(user_id)
                if member is None:
                    not_found.append(str(user_id))
                else:
                    found.append(member)
        else:
            assert query is not None
            if query == "" and limit == 0:
                if not session.intents & Intent.GUILD_MEMBERS:
                    return
                found = list(guild.members.values())
            else:
                wanted = query.casefold()
                found = [
                    m
                    for m in guild.members.values()
                    if self.world.users[m.user_id].username.casefold().startswith(wanted)
                    or (m.nick or "").casefold().startswith(wanted)
                ][: min(limit or MEMBER_QUERY_MAX, MEMBER_QUERY_MAX)]
        presences = presences and bool(session.intents & Intent.GUILD_PRESENCES)
        chunks = [found[i : i + MEMBERS_PER_CHUNK] for i in range(0, len(found), MEMBERS_PER_CHUNK)] or [[]]
        for index, chunk in enumerate(chunks):
            event: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [m.to_dict(self.world) for m in chunk],
                "chunk_index": index,
                "chunk_count": len(chunks),
            }
            if index == 0 and not_found:
                event["not_found"] = not_found
            if presences:
                # Nobody is online in the simulator: offline members have no presence to send.
                event["presences"] = []
            if nonce is not None:
                event["nonce"] = nonce
            await self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", event)


MEMBER_QUERY_MAX = 100  # members one op 8 may ask for by id, or return for a prefix
MEMBERS_PER_CHUNK = 1000
NONCE_MAX_BYTES = 32


def _shard(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's ``shard`` as (shard_id, shard_count), None when absent. ValueError when Discord refuses it
    (4010): not a pair of integers, a count below 1, or an id outside 0..count-1."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(value)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValueError(value)
    shard_id, shard_count = value
    if shard_count < 1 or not 0 <= shard_id < shard_count:
        raise ValueError(value)
    return shard_id, shard_count


def _snowflake(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _member_request(
    data: Any,
) -> tuple[int, list[int] | None, str | None, int, bool, str | None] | None:
    """An op 8 payload as (guild, user ids, query, limit, presences, nonce), or None if Discord refuses it."""
    if not isinstance(data, dict):
        return None
    guild_id = _snowflake(data.get("guild_id"))
    if guild_id is None:
        return None
    raw_ids, query = data.get("user_ids"), data.get("query")
    user_ids: list[int] | None = None
    if raw_ids is not None:
        listed = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        parsed = [_snowflake(v) for v in listed]
        if not listed or len(listed) > MEMBER_QUERY_MAX or any(v is None for v in parsed):
            return None
        user_ids = [v for v in parsed if v is not None]
    elif not isinstance(query, str):
        return None  # one of query or user_ids
    limit = data.get("limit", 0 if user_ids is not None else None)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        return None  # limit is required with a query
    presences = data.get("presences") is True
    nonce = data.get("nonce")
    if not isinstance(nonce, str) or len(nonce.encode()) > NONCE_MAX_BYTES:
        nonce = None  # documented: an invalid nonce is ignored and the chunks carry none
    return guild_id, user_ids, None if user_ids is not None else query, limit, presences, nonce
