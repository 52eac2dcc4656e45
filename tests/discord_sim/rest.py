"""The REST v10 API and the aiohttp server that also carries the gateway.

One :class:`SimServer` per simulator. A middleware does what every Discord request goes through
(authentication, rate limits, injected faults, schema and limit checks, recording); handlers below
implement the routes Marquee uses, statefully, on :class:`~.state.World`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from . import limits
from .errors import (
    ALREADY_ACKNOWLEDGED,
    CANNOT_DM,
    INVALID_FORM_BODY,
    INVALID_WEBHOOK_TOKEN,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    NO_MUTUAL_GUILDS,
    UNKNOWN_CHANNEL,
    UNKNOWN_COMMAND,
    UNKNOWN_EVENT,
    UNKNOWN_GUILD,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    UNKNOWN_WEBHOOK,
    HTTPError,
    Violation,
    form_error,
    merge_errors,
)
from .gateway import Gateway
from .interactions import AUTOCOMPLETE, COMPONENT, MODAL_SUBMIT, InteractionRecord
from .ratelimit import RateLimiter
from .schema import SpecValidator
from .state import (
    CATEGORY,
    DM,
    EPHEMERAL,
    FORUM,
    LOADING,
    STAGE,
    VOICE,
    Attachment,
    Channel,
    Command,
    Message,
    Perm,
    World,
    iso,
)

log = logging.getLogger("discord_sim.rest")
API_PREFIX = "/api/v10"
JSON = "application/json"
NONCE_WINDOW = timedelta(minutes=5)
TOKEN_LIFETIME = timedelta(minutes=15)
NO_AUTH_PREFIXES = ("/interactions/", "/webhooks/")


@dataclass
class RequestRecord:
    """One REST call the bot made."""

    method: str
    route: str  # the template, e.g. /channels/{channel_id}/messages
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    status: int = 0
    response: Any = None
    at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"


@dataclass
class Fault:
    """An injected answer for the next matching request(s)."""

    route: str  # "METHOD /template"
    status: int | None = None
    after_commit: bool = False
    times: int = 1
    delay: float = 0.0
    retry_after: float = 0.5
    is_global: bool = False
    body: dict[str, Any] | None = None
    hits: int = 0


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A response with ``Content-Type: application/json`` exactly, as discord.py needs."""
    body = b"" if data is None else json.dumps(data).encode()
    out = web.Response(body=body, status=status, headers={"Content-Type": JSON, **(headers or {})})
    return out


Handler = Callable[["Ctx"], Awaitable[Any]]


@dataclass
class Ctx:
    request: web.Request
    params: dict[str, str]
    body: Any
    files: list[Attachment] = field(default_factory=list)
    status: int = 200
    extra_headers: dict[str, str] = field(default_factory=dict)

    def query(self, key: str, default: str | None = None) -> str | None:
        return self.request.query.get(key, default)


class SimServer:
    """The simulated Discord's HTTP side, its interaction registry and its books."""

    def __init__(self, world: World, validator: SpecValidator | None) -> None:
        self.world = world
        self.validator = validator
        self.gateway = Gateway(world, lambda: self.ws_url, self._touch)
        self.ratelimits = RateLimiter(world.clock.now)
        self.requests: list[RequestRecord] = []
        self.violations: list[Violation] = []
        # The simulator's own 2xx answers checked against the spec's response schemas (self-test aid).
        self.check_responses = True
        self.response_problems: list[tuple[str, dict[str, Any]]] = []
        self.faults: list[Fault] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self.interaction_deadline = 3.0  # real seconds, see README of the harness
        self.in_flight = 0
        # Real-time instant before which the client is expected to come back (a 429's retry_after,
        # discord.py's 1 s wait before retrying a 5xx); settle() waits for it.
        self.retry_expected_until = 0.0
        self.last_activity = time.monotonic()
        self.activity = asyncio.Event()
        self.nonces: dict[tuple[int, str], tuple[int, datetime]] = {}
        self.app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes()

    # ---- lifecycle ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _touch(self) -> None:
        self.last_activity = time.monotonic()
        self.activity.set()
        self.activity = asyncio.Event()

    # ---- routing -------------------------------------------------------------------------------
    def _routes(self) -> None:
        r = self.app.router
        r.add_get("/gateway", self.gateway.handle)
        r.add_get("/gateway-resume", self.gateway.handle)
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/users/{user_id}", self.get_user),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/applications/{application_id}/commands", self.list_commands),
            ("PUT", "/applications/{application_id}/commands", self.put_commands),
            ("POST", "/applications/{application_id}/commands", self.upsert_command),
            ("GET", "/applications/{application_id}/commands/{command_id}", self.get_command),
            ("PATCH", "/applications/{application_id}/commands/{command_id}", self.patch_command),
            ("DELETE", "/applications/{application_id}/commands/{command_id}", self.delete_command),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.list_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands),
            ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self.upsert_command),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self.get_command),
            ("PATCH", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self.patch_command),
            ("DELETE", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self.delete_command),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self.followup),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self.get_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self.edit_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self.delete_webhook_message),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.get_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.edit_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.delete_webhook_message),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.list_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.get_guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("GET", "/guilds/{guild_id}/scheduled-events", self.list_events),
            ("POST", "/guilds/{guild_id}/scheduled-events", self.create_event),
            ("GET", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", self.get_event),
            ("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", self.edit_event),
            ("DELETE", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", self.delete_event),
        ]
        for method, template, handler in routes:
            r.add_route(method, API_PREFIX + template, self._wrap(template, handler))
        r.add_route("*", API_PREFIX + "/{tail:.*}", self._not_found)

    async def _not_found(self, request: web.Request) -> web.Response:
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    def _wrap(self, template: str, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            return await self._handle(request, template, handler)

        endpoint.__name__ = handler.__name__
        return endpoint

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)  # the gateway socket is not a REST call
        self.in_flight += 1
        self._touch()
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1
            self._touch()

    # ---- the pipeline every request goes through ---------------------------------------------------
    async def _read_body(self, request: web.Request) -> tuple[Any, list[Attachment]]:
        files: list[Attachment] = []
        if not request.can_read_body:
            return None, files
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                name = getattr(part, "name", None)
                data = await part.read()  # type: ignore[union-attr]
                if name == "payload_json":
                    body = json.loads(data)
                elif name and name.startswith("files["):
                    files.append(
                        Attachment(
                            self.world.ids.next(),
                            getattr(part, "filename", None) or "file",
                            len(data),
                            part.headers.get("Content-Type"),
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            raise HTTPError(400, 50109, "The request body contains invalid JSON.") from None

    async def _handle(self, request: web.Request, template: str, handler: Handler) -> web.StreamResponse:
        params = dict(request.match_info)
        route = f"{request.method} {template}"
        record = RequestRecord(
            request.method, template, request.path, params, dict(request.query), None, at=self.world.clock.now()
        )
        self.requests.append(record)
        headers: dict[str, str] = {}
        after: Fault | None = None
        try:
            record.body, files = await self._read_body(request)
            if not template.startswith(NO_AUTH_PREFIXES):
                auth = request.headers.get("Authorization", "")
                if auth != "Bot " + self.world.token:
                    raise HTTPError(401, 0, "401: Unauthorized")
            if self.ratelimits.banned:
                record.status = 429
                return web.Response(status=429, text="error code: 1015", headers={"Content-Type": "text/plain"})
            decision = self.ratelimits.check(route, params)
            headers.update(decision.headers)
            if not decision.allowed:
                return self._too_many(record, decision.retry_after, decision.is_global, headers)
            fault = self._take_fault(route)
            if fault is not None:
                if fault.delay and not fault.after_commit:
                    await asyncio.sleep(fault.delay)
                if fault.status == 429:
                    return self._too_many(record, fault.retry_after, fault.is_global, headers)
                if fault.status is not None and not fault.after_commit:
                    raise HTTPError(fault.status, 0, f"{fault.status}: simulated failure")
                if fault.after_commit:
                    after = fault
            self._check_body(request.method, template, record.body)
            ctx = Ctx(request, params, record.body, files)
            result = await handler(ctx)
            if after is not None and after.delay:
                # The request took effect; the answer is held back (a client killed now never learns of it).
                await asyncio.sleep(after.delay)
            if after is not None and after.status is not None:
                raise HTTPError(after.status, 0, f"{after.status}: simulated failure after commit")
            record.status = ctx.status if result is not None or ctx.status != 200 else 204
            if result is None and ctx.status == 200:
                record.status = 204
            record.response = result
            if self.check_responses and self.validator is not None and result is not None:
                problems = self.validator.validate_response(request.method, template, record.status, result)
                if problems:
                    self.response_problems.append((route, problems))
            self.ratelimits.record_status(record.status)
            headers.update(ctx.extra_headers)
            if record.status == 204:
                return web.Response(status=204, headers=headers)
            return json_response(result, status=record.status, headers=headers)
        except HTTPError as exc:
            record.status = exc.status
            record.response = exc.body()
            self.ratelimits.record_status(exc.status)
            if exc.violation:
                self.violations.append(
                    Violation(
                        request.method, template, exc.status, exc.code, exc.message, exc.errors or {}, record.body
                    )
                )
                log.warning("invalid request %s %s: %s %s", request.method, template, exc.message, exc.errors)
            if exc.status in (500, 502, 504, 524):
                self._expect_retry(1.0 + 0.1)
            if exc.status >= 500:
                return web.Response(status=exc.status, text=exc.message, headers={"Content-Type": "text/plain"})
            return json_response(exc.body(), status=exc.status, headers=headers)

    def _too_many(
        self, record: RequestRecord, retry_after: float, is_global: bool, headers: dict[str, str]
    ) -> web.Response:
        record.status = 429
        self._expect_retry(retry_after + 0.05)
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        record.response = body
        self.ratelimits.record_status(429)
        headers = {**headers, "Retry-After": str(max(1, int(retry_after + 0.999))), "Via": "1.1 google"}
        if is_global:
            headers["X-RateLimit-Global"] = "true"
            headers["X-RateLimit-Scope"] = "global"
        return json_response(body, status=429, headers=headers)

    def _expect_retry(self, seconds: float) -> None:
        self.retry_expected_until = max(self.retry_expected_until, time.monotonic() + seconds)

    def _take_fault(self, route: str) -> Fault | None:
        for fault in self.faults:
            if fault.route == route:
                fault.hits += 1
                if fault.hits >= fault.times:
                    self.faults.remove(fault)
                return fault
        return None

    def _check_body(self, method: str, template: str, body: Any) -> None:
        if body is None and method in ("GET", "DELETE"):
            return
        errors: dict[str, Any] = {}
        if self.validator is not None and body is not None:
            errors = self.validator.validate(method, template, body) or {}
        if isinstance(body, dict):
            if template == "/interactions/{interaction_id}/{interaction_token}/callback":
                merge_errors(errors, limits.check_callback(body))
            elif method in ("POST", "PATCH") and ("/messages" in template or template.startswith("/webhooks/")):
                merge_errors(errors, limits.check_message(body))
        elif isinstance(body, list) and template.endswith("/commands"):
            merge_errors(errors, limits.check_commands(body))
        if errors:
            raise HTTPError(400, INVALID_FORM_BODY, "Invalid Form Body", errors, violation=True)

    # ---- small helpers -----------------------------------------------------------------------------
    def _channel(self, channel_id: str) -> Channel:
        channel = self.world.channels.get(int(channel_id))
        if channel is None or channel.deleted:
            raise HTTPError(404, UNKNOWN_CHANNEL, "Unknown Channel")
        if channel.guild_id is not None:
            guild = self.world.guilds[channel.guild_id]
            if not guild.bot_present:
                raise HTTPError(403, MISSING_ACCESS, "Missing Access")
            if not self.world.permissions(self.world.bot_user.id, channel) & Perm.VIEW_CHANNEL:
                raise HTTPError(403, MISSING_ACCESS, "Missing Access")
        return channel

    def _guild(self, guild_id: str) -> Any:
        guild = self.world.guilds.get(int(guild_id))
        if guild is None or not guild.bot_present:
            raise HTTPError(404, UNKNOWN_GUILD, "Unknown Guild")
        return guild

    def _message(self, channel: Channel, message_id: str) -> Message:
        msg = self.world.messages.get(int(message_id))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral_for is not None:
            raise HTTPError(404, UNKNOWN_MESSAGE, "Unknown Message")
        return msg

    async def _dispatch_message(self, event: str, msg: Message) -> None:
        # Most bots ask for no message events: skip building a payload nobody receives.
        if msg.ephemeral_for is None and self.gateway.wanted(event, {"guild_id": msg.guild_id}):
            data = msg.to_dict(self.world, gateway=True, with_nonce=event == "MESSAGE_CREATE")
            await self.gateway.dispatch(event, data)

    def _new_message(
        self,
        channel: Channel,
        body: dict[str, Any],
        files: list[Attachment],
        *,
        webhook: bool = False,
        record: InteractionRecord | None = None,
        flags: int = 0,
    ) -> Message:
        world = self.world
        requested = int(body.get("flags") or 0) & ~LOADING
        if record is None:
            requested &= ~EPHEMERAL  # only interaction responses can be ephemeral
        msg = Message(
            id=world.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=world.bot_user,
            content=body.get("content") or "",
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            attachments=list(files),
            flags=flags | requested,
            timestamp=world.clock.now(),
            tts=bool(body.get("tts")),
            message_reference=body.get("message_reference"),
        )
        if webhook:
            msg.webhook_id = world.application_id
            msg.application_id = world.application_id
        if record is not None:
            msg.interaction_id = record.id
            msg.interaction_user_id = record.user_id
            msg.interaction_extra = self._metadata_extra(record)
            # 20 CHAT_INPUT_COMMAND, 23 CONTEXT_MENU_COMMAND (user and message commands)
            command_type = int(record.payload["data"].get("type") or 1) if record.type == 2 else 0
            msg.type = {1: 20, 2: 23, 3: 23}.get(command_type, 0)
            if msg.ephemeral:
                msg.ephemeral_for = record.user_id
        world.resolve_pings(msg, body.get("allowed_mentions"), author_id=world.bot_user.id)
        world.messages[msg.id] = msg
        return msg

    def _metadata_extra(self, record: InteractionRecord) -> dict[str, Any]:
        """The fields of a response message's ``interaction_metadata`` that depend on the interaction's type."""
        data = record.payload.get("data") or {}
        if record.type == COMPONENT:
            return {"type": COMPONENT, "interacted_message_id": str(record.source_message_id)}
        if record.type == MODAL_SUBMIT:
            parent = self.interactions.get(record.parent_id or 0)
            triggering: dict[str, Any] = {"id": str(record.parent_id or record.id), "type": 2}
            if parent is not None:
                triggering = {
                    "id": str(parent.id),
                    "type": parent.type,
                    "user": self.world.users[parent.user_id].to_dict(),
                    "authorizing_integration_owners": {"0": str(parent.guild_id or 0)},
                    **self._metadata_extra(parent),
                }
            return {"type": MODAL_SUBMIT, "triggering_interaction_metadata": triggering}
        if data.get("type") == 2 and data.get("target_id"):
            return {"target_user": self.world.users[int(data["target_id"])].to_dict()}
        if data.get("type") == 3 and data.get("target_id"):
            return {"target_message_id": str(data["target_id"])}
        return {}

    def _apply_edit(self, msg: Message, body: dict[str, Any], files: list[Attachment]) -> None:
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body:
            msg.embeds = list(body["embeds"] or [])
        if "components" in body:
            msg.components = list(body["components"] or [])
        if "attachments" in body:
            keep = {int(a["id"]) for a in body["attachments"] or [] if str(a.get("id", "")).isdigit()}
            msg.attachments = [a for a in msg.attachments if a.id in keep]
        msg.attachments.extend(files)
        if "flags" in body and body["flags"] is not None:
            msg.flags = (msg.flags & (EPHEMERAL | (1 << 15))) | (int(body["flags"]) & ~(EPHEMERAL | LOADING))
        msg.flags &= ~LOADING
        msg.edited_timestamp = self.world.clock.now()
        msg.edits += 1
        pinged_before = msg.pinged
        self.world.resolve_pings(msg, body.get("allowed_mentions"), author_id=self.world.bot_user.id)
        msg.pinged = pinged_before  # an edit never notifies again

    def _check_send_permissions(self, channel: Channel, body: dict[str, Any], files: list[Attachment]) -> None:
        if channel.type == DM:
            recipient = self.world.users[channel.recipient_ids[0]]
            if recipient.dms_closed or recipient.bot:  # a bot cannot DM another bot
                raise HTTPError(403, CANNOT_DM, "Cannot send messages to this user")
            if not self.world.mutual_guilds(recipient.id):
                raise HTTPError(
                    403, NO_MUTUAL_GUILDS, "Cannot send messages to this user due to having no mutual guilds"
                )
            return
        perms = self.world.permissions(self.world.bot_user.id, channel)
        if not perms & Perm.VIEW_CHANNEL:
            raise HTTPError(403, MISSING_ACCESS, "Missing Access")
        if not perms & Perm.SEND_MESSAGES:
            raise HTTPError(403, MISSING_PERMISSIONS, "Missing Permissions")
        if body.get("embeds") and not perms & Perm.EMBED_LINKS:
            raise HTTPError(403, MISSING_PERMISSIONS, "Missing Permissions")
        if files and not perms & Perm.ATTACH_FILES:
            raise HTTPError(403, MISSING_PERMISSIONS, "Missing Permissions")

    # ---- identity ------------------------------------------------------------------------------------
    async def get_me(self, ctx: Ctx) -> Any:
        return self.world.bot_user.to_dict() | {"verified": True, "mfa_enabled": False, "locale": "en-US"}

    async def get_application(self, ctx: Ctx) -> Any:
        w = self.world
        return {
            "id": str(w.application_id),
            "name": w.bot_user.username,
            "icon": None,
            "description": "Marquee (simulated)",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": w.application_flags,
            "owner": w.owner.to_dict(),
            "team": None,
            "bot": w.bot_user.to_dict(),
            "rpc_origins": [],
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len([g for g in w.guilds.values() if g.bot_present]),
            "flags_new": str(w.application_flags),
            "role_connections_verification_url": None,
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
        }

    async def get_gateway(self, ctx: Ctx) -> Any:
        return {"url": self.ws_url}

    async def get_gateway_bot(self, ctx: Ctx) -> Any:
        gateway = self.gateway
        started = sum(session.identifies for session in gateway.sessions.values())
        return {
            "url": self.ws_url,
            "shards": gateway.recommended_shards,
            "session_start_limit": {
                "total": gateway.session_start_total,
                "remaining": max(gateway.session_start_total - started, 0),
                "reset_after": 14400000,
                "max_concurrency": gateway.max_concurrency,
            },
        }

    async def get_user(self, ctx: Ctx) -> Any:
        user = self.world.users.get(int(ctx.params["user_id"]))
        if user is None:
            raise HTTPError(404, UNKNOWN_USER, "Unknown User")
        return user.to_dict()

    async def create_dm(self, ctx: Ctx) -> Any:
        body = ctx.body or {}
        user = self.world.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error(["recipient_id"], "USER_NOT_FOUND", "Unknown user"),
                violation=True,
            )
        return self.world.dm_channel(user).to_dict(self.world)

    # ---- commands ---------------------------------------------------------------------------------
    def _scope(self, ctx: Ctx) -> int | None:
        if int(ctx.params["application_id"]) != self.world.application_id:
            raise HTTPError(403, 50001, "Missing Access")
        gid = ctx.params.get("guild_id")
        if gid is None:
            return None
        guild = self.world.guilds.get(int(gid))
        if guild is None or not guild.bot_present:
            raise HTTPError(403, MISSING_ACCESS, "Missing Access")
        return guild.id

    def _commands_in(self, scope: int | None) -> list[Command]:
        return [c for c in self.world.commands.values() if c.guild_id == scope]

    def _store_command(self, scope: int | None, data: dict[str, Any]) -> Command:
        existing = next(
            (c for c in self._commands_in(scope) if c.name == data["name"] and c.type == int(data.get("type") or 1)),
            None,
        )
        cid = existing.id if existing else self.world.ids.next()
        version = self.world.ids.next()
        cmd = Command(cid, self.world.application_id, scope, dict(data), version)
        self.world.commands[cid] = cmd
        return cmd

    async def list_commands(self, ctx: Ctx) -> Any:
        return [c.to_dict() for c in self._commands_in(self._scope(ctx))]

    async def put_commands(self, ctx: Ctx) -> Any:
        scope = self._scope(ctx)
        body = ctx.body or []
        keep: set[int] = set()
        out = []
        for data in body:
            cmd = self._store_command(scope, data)
            keep.add(cmd.id)
            out.append(cmd.to_dict())
        for cmd in self._commands_in(scope):
            if cmd.id not in keep:
                del self.world.commands[cmd.id]
        return out

    async def upsert_command(self, ctx: Ctx) -> Any:
        ctx.status = 201
        return self._store_command(self._scope(ctx), ctx.body).to_dict()

    def _command(self, ctx: Ctx) -> Command:
        scope = self._scope(ctx)
        cmd = self.world.commands.get(int(ctx.params["command_id"]))
        if cmd is None or cmd.guild_id != scope:
            raise HTTPError(404, UNKNOWN_COMMAND, "Unknown application command")
        return cmd

    async def get_command(self, ctx: Ctx) -> Any:
        return self._command(ctx).to_dict()

    async def patch_command(self, ctx: Ctx) -> Any:
        cmd = self._command(ctx)
        cmd.data.update(ctx.body or {})
        cmd.version = self.world.ids.next()
        return cmd.to_dict()

    async def delete_command(self, ctx: Ctx) -> Any:
        del self.world.commands[self._command(ctx).id]
        return None

    # ---- interactions ------------------------------------------------------------------------------
    def register(self, record: InteractionRecord) -> None:
        self.interactions[record.id] = record
        self._by_token[record.token] = record

    def _record_for_webhook(self, ctx: Ctx) -> InteractionRecord:
        if int(ctx.params["webhook_id"]) != self.world.application_id:
            raise HTTPError(404, UNKNOWN_WEBHOOK, "Unknown Webhook")
        record = self._by_token.get(ctx.params["webhook_token"])
        if record is None:
            raise HTTPError(404, UNKNOWN_WEBHOOK, "Unknown Webhook")
        if self.world.clock.now() - record.created_at > TOKEN_LIFETIME:
            raise HTTPError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        return record

    def _bump(self, record: InteractionRecord) -> None:
        record.activity += 1
        self._touch()

    async def callback(self, ctx: Ctx) -> Any:
        record = self.interactions.get(int(ctx.params["interaction_id"]))
        if record is None or record.token != ctx.params["interaction_token"]:
            raise HTTPError(404, UNKNOWN_INTERACTION, "Unknown interaction")
        if record.response_type is not None:
            raise HTTPError(400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.", violation=True)
        if time.monotonic() - record.created_mono > self.interaction_deadline:
            raise HTTPError(404, UNKNOWN_INTERACTION, "Unknown interaction")
        body = ctx.body or {}
        rtype = int(body.get("type") or 0)
        data = body.get("data") or {}
        allowed = {
            2: {4, 5, 9},
            COMPONENT: {4, 5, 6, 7, 9},
            AUTOCOMPLETE: {8},
            MODAL_SUBMIT: {4, 5, 6, 7},
        }.get(record.type, set())
        if rtype not in allowed:
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error(
                    ["type"],
                    "INTERACTION_RESPONSE_TYPE_INVALID",
                    f"Callback type {rtype} is not valid for interaction type {record.type}",
                ),
                violation=True,
            )
        if rtype in (6, 7) and record.source_message_id is None:
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error(["type"], "INTERACTION_RESPONSE_TYPE_INVALID", "This interaction has no message to update"),
                violation=True,
            )
        channel = self.world.channels[record.channel_id]
        message: Message | None = None
        if rtype == 4:
            message = self._new_message(channel, data, ctx.files, webhook=True, record=record)
            record.original_id = message.id
        elif rtype == 5:
            flags = LOADING | (EPHEMERAL if int(data.get("flags") or 0) & EPHEMERAL else 0)
            message = self._new_message(channel, {}, [], webhook=True, record=record, flags=flags)
            if flags & EPHEMERAL:
                message.ephemeral_for = record.user_id
            record.original_id = message.id
        elif rtype in (6, 7):
            assert record.source_message_id is not None
            message = self.world.messages[record.source_message_id]
            record.original_id = message.id
            if rtype == 7:
                self._apply_edit(message, data, ctx.files)
        elif rtype == 8:
            record.choices = list(data.get("choices") or [])
        elif rtype == 9:
            record.modal = dict(data)
        record.response_type = rtype
        record.acked.set()
        self._bump(record)
        if message is not None and rtype in (4, 5):
            await self._dispatch_message("MESSAGE_CREATE", message)
        elif message is not None and rtype == 7:
            await self._dispatch_message("MESSAGE_UPDATE", message)
        if ctx.query("with_response") not in ("1", "true", "True"):
            return None
        interaction: dict[str, Any] = {
            "id": str(record.id),
            "type": record.type,
            "channel_id": str(record.channel_id),
            "response_message_loading": rtype == 5,
            "response_message_ephemeral": bool(message and message.ephemeral),
        }
        if record.guild_id is not None:
            interaction["guild_id"] = str(record.guild_id)
        if message is not None:
            interaction["response_message_id"] = str(message.id)
        out: dict[str, Any] = {"interaction": interaction}
        if message is not None and rtype in (4, 7):  # Discord returns a resource only for these
            out["resource"] = {"type": rtype, "message": message.to_dict(self.world)}
        return out

    async def followup(self, ctx: Ctx) -> Any:
        record = self._record_for_webhook(ctx)
        if record.response_type is None:
            raise HTTPError(404, UNKNOWN_WEBHOOK, "Unknown Webhook")
        body = ctx.body or {}
        channel = self.world.channels[record.channel_id]
        original = self.world.messages.get(record.original_id or 0)
        if record.response_type == 5 and original is not None and original.loading:
            # Discord: the first follow-up after a deferral fills the "thinking" message.
            self._apply_edit(original, body, ctx.files)
            msg = original
            await self._dispatch_message("MESSAGE_UPDATE", msg)
        else:
            msg = self._new_message(channel, body, ctx.files, webhook=True, record=record)
            record.followup_ids.append(msg.id)
            await self._dispatch_message("MESSAGE_CREATE", msg)
        self._bump(record)
        if ctx.query("wait") in ("1", "true", "True"):
            return msg.to_dict(self.world)
        return None

    def _webhook_message(self, ctx: Ctx, record: InteractionRecord) -> Message:
        mid = ctx.params.get("message_id")
        if mid is None:
            if record.original_id is None:
                raise HTTPError(404, UNKNOWN_MESSAGE, "Unknown Message")
            msg = self.world.messages.get(record.original_id)
        else:
            msg = self.world.messages.get(int(mid))
            if msg is not None and msg.id != record.original_id and msg.id not in record.followup_ids:
                msg = None
        if msg is None or msg.deleted:
            raise HTTPError(404, UNKNOWN_MESSAGE, "Unknown Message")
        return msg

    async def get_webhook_message(self, ctx: Ctx) -> Any:
        record = self._record_for_webhook(ctx)
        return self._webhook_message(ctx, record).to_dict(self.world)

    async def edit_webhook_message(self, ctx: Ctx) -> Any:
        record = self._record_for_webhook(ctx)
        msg = self._webhook_message(ctx, record)
        self._apply_edit(msg, ctx.body or {}, ctx.files)
        self._bump(record)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return msg.to_dict(self.world)

    async def delete_webhook_message(self, ctx: Ctx) -> Any:
        record = self._record_for_webhook(ctx)
        msg = self._webhook_message(ctx, record)
        msg.deleted = True
        self._bump(record)
        if msg.ephemeral_for is None:
            await self.gateway.dispatch(
                "MESSAGE_DELETE",
                {
                    "id": str(msg.id),
                    "channel_id": str(msg.channel_id),
                    **({"guild_id": str(msg.guild_id)} if msg.guild_id else {}),
                },
            )
        return None

    # ---- channels and messages ---------------------------------------------------------------------
    async def get_channel(self, ctx: Ctx) -> Any:
        return self._channel(ctx.params["channel_id"]).to_dict(self.world)

    async def list_messages(self, ctx: Ctx) -> Any:
        channel = self._channel(ctx.params["channel_id"])
        perms = self.world.permissions(self.world.bot_user.id, channel)
        if channel.type in (VOICE, STAGE) and not perms & Perm.CONNECT:
            raise HTTPError(403, MISSING_ACCESS, "Missing Access")
        if channel.guild_id is not None and not perms & Perm.READ_MESSAGE_HISTORY:
            # Documented: no error, just no messages (a reader must not take [] for "nothing was sent").
            return []
        anchors = [key for key in ("around", "before", "after") if ctx.query(key)]
        if len(anchors) > 1:
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error([anchors[1]], "BASE_TYPE_INVALID", "around, before and after are mutually exclusive"),
                violation=True,
            )
        raw_limit = ctx.query("limit") or "50"
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error(["limit"], "NUMBER_TYPE_MAX", "int value should be between 1 and 100."),
                violation=True,
            )
        limit = int(raw_limit)
        msgs = self.world.visible_messages(channel)
        anchor = int(ctx.query(anchors[0]) or 0) if anchors else 0
        if not anchors:
            msgs = msgs[-limit:]
        elif anchors[0] == "before":
            msgs = [m for m in msgs if m.id < anchor][-limit:]
        elif anchors[0] == "after":
            msgs = [m for m in msgs if m.id > anchor][:limit]
        else:  # around: the anchor (if it exists) with up to half the limit on each side
            older = [m for m in msgs if m.id < anchor][-(limit // 2) :] if limit > 1 else []
            rest = [m for m in msgs if m.id >= anchor][: limit - len(older)]
            msgs = older + rest
        return [m.to_dict(self.world) for m in reversed(msgs)]

    async def create_message(self, ctx: Ctx) -> Any:
        channel = self._channel(ctx.params["channel_id"])
        if channel.type in (CATEGORY, FORUM):
            # A category holds no messages; a forum only threads (POST /channels/{id}/threads).
            raise HTTPError(400, 50008, "Cannot send messages in a non-text channel")
        body = ctx.body or {}
        if not (
            body.get("content")
            or body.get("embeds")
            or body.get("components")
            or ctx.files
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise HTTPError(400, 50006, "Cannot send an empty message", violation=True)
        self._check_send_permissions(channel, body, ctx.files)
        nonce = body.get("nonce")
        now = self.world.clock.now()
        if nonce is not None and body.get("enforce_nonce"):
            key = (self.world.bot_user.id, str(nonce))
            seen = self.nonces.get(key)
            if seen is not None and now - seen[1] < NONCE_WINDOW:
                earlier = self.world.messages.get(seen[0])
                if earlier is not None:
                    return earlier.to_dict(self.world, with_nonce=True)
        ref = body.get("message_reference")
        if ref and ref.get("fail_if_not_exists", True):
            target = self.world.messages.get(int(ref.get("message_id") or 0))
            if target is None or target.deleted:
                raise HTTPError(
                    400,
                    INVALID_FORM_BODY,
                    "Invalid Form Body",
                    form_error(["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"),
                )
        msg = self._new_message(channel, body, ctx.files)
        msg.nonce = nonce
        if nonce is not None and body.get("enforce_nonce"):
            self.nonces[(self.world.bot_user.id, str(nonce))] = (msg.id, now)
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return msg.to_dict(self.world, with_nonce=True)

    async def get_message(self, ctx: Ctx) -> Any:
        channel = self._channel(ctx.params["channel_id"])
        if channel.guild_id is not None and not (
            self.world.permissions(self.world.bot_user.id, channel) & Perm.READ_MESSAGE_HISTORY
        ):
            raise HTTPError(403, MISSING_ACCESS, "Missing Access")
        return self._message(channel, ctx.params["message_id"]).to_dict(self.world)

    async def edit_message(self, ctx: Ctx) -> Any:
        channel = self._channel(ctx.params["channel_id"])
        msg = self._message(channel, ctx.params["message_id"])
        if msg.author.id != self.world.bot_user.id:
            raise HTTPError(403, 50005, "Cannot edit a message authored by another user")
        body = ctx.body or {}
        if (
            body.get("embeds")
            and channel.guild_id is not None
            and not (self.world.permissions(self.world.bot_user.id, channel) & Perm.EMBED_LINKS)
        ):
            raise HTTPError(403, MISSING_PERMISSIONS, "Missing Permissions")
        self._apply_edit(msg, body, ctx.files)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return msg.to_dict(self.world)

    async def delete_message(self, ctx: Ctx) -> Any:
        channel = self._channel(ctx.params["channel_id"])
        msg = self._message(channel, ctx.params["message_id"])
        if (
            msg.author.id != self.world.bot_user.id
            and channel.guild_id is not None
            and not (self.world.permissions(self.world.bot_user.id, channel) & Perm.MANAGE_MESSAGES)
        ):
            raise HTTPError(403, MISSING_PERMISSIONS, "Missing Permissions")
        msg.deleted = True
        await self.gateway.dispatch(
            "MESSAGE_DELETE",
            {
                "id": str(msg.id),
                "channel_id": str(msg.channel_id),
                **({"guild_id": str(msg.guild_id)} if msg.guild_id else {}),
            },
        )
        return None

    # ---- guilds -----------------------------------------------------------------------------------
    async def get_guild(self, ctx: Ctx) -> Any:
        guild = self._guild(ctx.params["guild_id"])
        payload = self.gateway.guild_payload(guild)
        gateway_only = (
            "channels",
            "members",
            "threads",
            "voice_states",
            "presences",
            "joined_at",
            "large",
            "guild_scheduled_events",
            "lazy",
            "member_count",
            "soundboard_sounds",
            "stage_instances",
            "unavailable",
        )
        for key in gateway_only:
            payload.pop(key, None)
        payload.update(
            home_header=None,
            region="deprecated",
            widget_enabled=False,
            widget_channel_id=None,
            max_presences=None,
            max_members=500000,
            max_stage_video_channel_users=50,
            max_video_channel_users=25,
            safety_alerts_channel_id=None,
            premium_progress_bar_enabled=False,
            nsfw=False,
            incidents_data=None,
        )
        return payload

    async def get_guild_channels(self, ctx: Ctx) -> Any:
        guild = self._guild(ctx.params["guild_id"])
        return [c.to_dict() for c in self.world.guild_channels(guild)]

    async def get_guild_roles(self, ctx: Ctx) -> Any:
        return [r.to_dict() for r in self._guild(ctx.params["guild_id"]).roles.values()]

    async def get_member(self, ctx: Ctx) -> Any:
        guild = self._guild(ctx.params["guild_id"])
        member = guild.members.get(int(ctx.params["user_id"]))
        if member is None:
            raise HTTPError(404, 10007, "Unknown Member")
        return member.to_dict(self.world)

    # ---- scheduled events --------------------------------------------------------------------------
    def _events_guild(self, ctx: Ctx, *, manage: bool) -> Any:
        guild = self._guild(ctx.params["guild_id"])
        if manage:
            perms = self.world.base_permissions(guild, self.world.bot_user.id)
            if not perms & (Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS):
                raise HTTPError(403, MISSING_PERMISSIONS, "Missing Permissions")
        return guild

    async def list_events(self, ctx: Ctx) -> Any:
        return list(self._events_guild(ctx, manage=False).scheduled_events.values())

    async def create_event(self, ctx: Ctx) -> Any:
        guild = self._events_guild(ctx, manage=True)
        body = ctx.body or {}
        scheduled = [e for e in guild.scheduled_events.values() if e["status"] in (1, 2)]
        if len(scheduled) >= 100:
            raise HTTPError(400, 30038, "Maximum number of guild scheduled events reached (100)")
        if body.get("entity_type") == 3 and (
            not (body.get("entity_metadata") or {}).get("location") or not body.get("scheduled_end_time")
        ):
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error(
                    ["scheduled_end_time"],
                    "BASE_TYPE_REQUIRED",
                    "External events need entity_metadata.location and scheduled_end_time",
                ),
                violation=True,
            )
        self._check_event_channel(guild, body.get("entity_type"), body.get("channel_id"))
        start = datetime.fromisoformat(str(body.get("scheduled_start_time")))
        if start <= self.world.clock.now():
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error(
                    ["scheduled_start_time"],
                    "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
                    "Cannot schedule event in the past.",
                ),
            )
        eid = self.world.ids.next()
        event = {
            "id": str(eid),
            "guild_id": str(guild.id),
            "channel_id": body.get("channel_id"),
            "creator_id": str(self.world.bot_user.id),
            "creator": self.world.bot_user.to_dict(),
            "name": body.get("name"),
            "description": body.get("description"),
            "scheduled_start_time": iso(start),
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level", 2),
            "status": 1,
            "entity_type": body.get("entity_type"),
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": None,
            "recurrence_rule": None,
            "guild_scheduled_event_exceptions": [],
        }
        guild.scheduled_events[eid] = event
        await self.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event)
        return event

    def _check_event_channel(self, guild: Any, entity_type: Any, channel_id: Any) -> None:
        """Stage (1) and voice (2) events name a stage or voice channel of the guild; external (3) ones none."""
        wanted = {1: STAGE, 2: VOICE}.get(int(entity_type or 0))
        channel = self.world.channels.get(int(channel_id)) if str(channel_id or "").isdigit() else None
        if wanted is None:
            ok = channel_id is None
        else:
            ok = channel is not None and not channel.deleted and channel.guild_id == guild.id and channel.type == wanted
        if not ok:
            raise HTTPError(
                400,
                INVALID_FORM_BODY,
                "Invalid Form Body",
                form_error(["channel_id"], "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL", "Invalid channel for this event."),
                violation=True,
            )

    def _event(self, guild: Any, ctx: Ctx) -> dict[str, Any]:
        event = guild.scheduled_events.get(int(ctx.params["guild_scheduled_event_id"]))
        if event is None:
            raise HTTPError(404, UNKNOWN_EVENT, "Unknown Guild Scheduled Event")
        return event  # type: ignore[no-any-return]

    async def get_event(self, ctx: Ctx) -> Any:
        return self._event(self._events_guild(ctx, manage=False), ctx)

    async def edit_event(self, ctx: Ctx) -> Any:
        guild = self._events_guild(ctx, manage=True)
        event = self._event(guild, ctx)
        for key, value in (ctx.body or {}).items():
            event[key] = value
        await self.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return event

    async def delete_event(self, ctx: Ctx) -> Any:
        guild = self._events_guild(ctx, manage=True)
        event = self._event(guild, ctx)
        del guild.scheduled_events[int(event["id"])]
        await self.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event)
        return None
