"""Building INTERACTION_CREATE payloads from synced commands, and what the user sees back (`Reply`)."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import SimError
from .state import DM, Channel, Command, Message, Perm, Role, User, World, iter_components

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11


@dataclass
class InteractionRecord:
    """One interaction the simulator sent, and everything the bot did in answer."""

    id: int
    token: str
    type: int
    user_id: int
    channel_id: int
    guild_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    created_mono: float = field(default_factory=time.monotonic)
    source_message_id: int | None = None
    label: str = ""
    parent_id: int | None = None  # a modal submit: the interaction that opened the modal
    response_type: int | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    activity: int = 0

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)


class Reply:
    """What the user sees after an interaction: the response message (live), follow-ups, a modal or choices.

    ``content``, ``embeds``, ``components`` and ``ephemeral`` describe the primary message: the
    original response (or, for a button that updated its message, that message), else the first
    follow-up. Embeds and components are the dicts the bot sent.
    """

    def __init__(self, world: World, record: InteractionRecord) -> None:
        self._world = world
        self.interaction = record

    @property
    def original(self) -> Message | None:
        rid = self.interaction.original_id
        return self._world.messages.get(rid) if rid is not None else None

    @property
    def followups(self) -> list[Message]:
        return [self._world.messages[i] for i in self.interaction.followup_ids if i in self._world.messages]

    @property
    def messages(self) -> list[Message]:
        """The original response (if any) and then each follow-up."""
        out = [self.original] if self.original is not None else []
        return [m for m in out + self.followups if not m.deleted]

    @property
    def message(self) -> Message | None:
        msgs = self.messages
        return msgs[0] if msgs else None

    @property
    def content(self) -> str | None:
        return self.message.content if self.message else None

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def ephemeral(self) -> bool:
        return bool(self.message and self.message.ephemeral)

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.interaction.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.interaction.choices

    @property
    def deferred(self) -> bool:
        return self.interaction.deferred

    @property
    def response_type(self) -> int | None:
        return self.interaction.response_type

    def buttons(self) -> list[dict[str, Any]]:
        return self.message.buttons() if self.message else []

    def text(self) -> str:
        """Content plus every embed's title, description and fields, for loose assertions."""
        parts: list[str] = []
        for m in self.messages:
            parts.append(m.content or "")
            parts.extend(embed_text(e) for e in m.embeds)
        return "\n".join(p for p in parts if p)

    def __repr__(self) -> str:
        return (
            f"<Reply type={self.response_type} content={self.content!r} embeds={len(self.embeds)} "
            f"ephemeral={self.ephemeral} followups={len(self.followups)} modal={bool(self.modal)}>"
        )


def embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title") or "", embed.get("description") or ""]
    for f in embed.get("fields") or []:
        parts += [f.get("name") or "", f.get("value") or ""]
    parts.append((embed.get("footer") or {}).get("text") or "")
    parts.append((embed.get("author") or {}).get("name") or "")
    return "\n".join(p for p in parts if p)


# ---- building payloads ----------------------------------------------------------------------------
def find_command(world: World, path: str, channel: Channel, *, type: int = 1) -> tuple[Command, list[str]]:
    """The synced command for ``"name sub ..."`` as the user's client would offer it there."""
    # A user or message command's name is one name, spaces and all.
    parts = path.strip().lstrip("/").split() if type == 1 else [p for p in [path.strip()] if p]
    if not parts:
        raise SimError("empty command path")
    name, rest = parts[0], parts[1:]
    candidates = [c for c in world.commands.values() if c.name == name and c.type == type]
    guild_cmds = [c for c in candidates if c.guild_id is not None and c.guild_id == channel.guild_id]
    global_cmds = [c for c in candidates if c.guild_id is None]
    chosen = (guild_cmds or global_cmds or [None])[0]
    if chosen is None:
        synced = sorted({c.name for c in world.commands.values() if c.type == type})
        kind = {1: "command /", 2: "user command ", 3: "message command "}.get(type, f"type {type} command ")
        raise SimError(f"no {kind}{name} was synced for this channel (synced: {synced})")
    if channel.type == DM:
        contexts = chosen.data.get("contexts")
        allowed = (1 in contexts) if contexts is not None else chosen.data.get("dm_permission", True) is not False
        if chosen.guild_id is not None or not allowed:
            raise SimError(f"/{name} is not available in DMs")
    elif chosen.data.get("contexts") is not None and 0 not in chosen.data["contexts"]:
        raise SimError(f"/{name} is not available in servers")
    return chosen, rest


def _check_visible(world: World, command: Command, user: User, channel: Channel) -> None:
    if channel.guild_id is not None and not world.permissions(user.id, channel) & Perm.USE_APPLICATION_COMMANDS:
        raise SimError(f"{user.username} may not use application commands in #{channel.name}")
    required = command.data.get("default_member_permissions")
    if required is None or channel.guild_id is None:
        return
    perms = world.base_permissions(world.guilds[channel.guild_id], user.id)
    required = int(required)
    if perms & Perm.ADMINISTRATOR:
        return
    if required == 0 or perms & required != required:
        raise SimError(f"{user.username} cannot see /{command.name} (default_member_permissions={required})")


def _option_value(
    world: World,
    opt: dict[str, Any],
    value: Any,
    user: User,
    channel: Channel,
    resolved: dict[str, dict[str, Any]],
    *,
    focused: bool,
) -> Any:
    otype = opt["type"]
    name = opt["name"]
    if focused:
        return str(value)
    if otype in (USER, CHANNEL, ROLE, MENTIONABLE):
        return resolve_entity(
            world, otype, value, user, channel, resolved, what=f"option {name}", channel_types=opt.get("channel_types")
        )
    if otype == STRING:
        if not isinstance(value, str):
            raise SimError(f"option {name} takes text, got {value!r}")
        if "min_length" in opt and len(value) < opt["min_length"]:
            raise SimError(f"option {name}: shorter than {opt['min_length']}")
        if "max_length" in opt and len(value) > opt["max_length"]:
            raise SimError(f"option {name}: longer than {opt['max_length']}")
    elif otype == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SimError(f"option {name} takes an integer, got {value!r}")
    elif otype == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SimError(f"option {name} takes a number, got {value!r}")
    elif otype == BOOLEAN and not isinstance(value, bool):
        raise SimError(f"option {name} takes true/false, got {value!r}")
    if otype in (INTEGER, NUMBER):
        if opt.get("min_value") is not None and value < opt["min_value"]:
            raise SimError(f"option {name}: below {opt['min_value']}")
        if opt.get("max_value") is not None and value > opt["max_value"]:
            raise SimError(f"option {name}: above {opt['max_value']}")
    choices = opt.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise SimError(f"option {name}: {value!r} is not one of the choices {[c['value'] for c in choices]}")
    return value


@dataclass(frozen=True)
class PastedId:
    """A user given by pasting their id into a user option: Discord resolves it even when they are not a
    member (``resolved.users`` only, no ``members``), e.g. someone who left. Build with :func:`pasted_id`."""

    user: User


def pasted_id(user: User) -> PastedId:
    """Use as a user/mentionable option value for a user who is not (or no longer) a member."""
    return PastedId(user)


def resolve_entity(
    world: World,
    kind: int,
    value: Any,
    user: User,
    channel: Channel,
    resolved: dict[str, dict[str, Any]],
    *,
    what: str,
    channel_types: list[int] | None = None,
) -> str:
    """The id of a user/role/channel picked in ``channel``, added to ``resolved``; ``kind`` is an option type.

    Discord's client offers only what belongs where the interaction happens: in a server its members,
    its roles and the channels the user can see; in a DM the people in it and the DM itself. Anything
    else is refused, as no member could send it.
    """
    if isinstance(value, PastedId):
        if kind not in (USER, MENTIONABLE) or value.user.id not in world.users:
            raise SimError(f"{what}: only a user option takes a pasted user id")
        resolved.setdefault("users", {})[str(value.user.id)] = value.user.to_dict()
        return str(value.user.id)
    obj = getattr(value, "model", value)
    try:
        oid = int(getattr(obj, "id", obj))
    except (TypeError, ValueError):
        raise SimError(f"{what}: {value!r} is not a user, role or channel") from None
    guild = world.guilds.get(channel.guild_id) if channel.guild_id is not None else None
    where = guild.name if guild is not None else "this DM"
    if kind in (USER, MENTIONABLE) and oid in world.users:
        picked = world.users[oid]
        if guild is not None:
            member = guild.members.get(oid)
            if member is None:
                raise SimError(f"{what}: {picked.username} is not a member of {where}; Discord offers only members")
            m = member.to_dict(world, with_user=False)
            m["permissions"] = str(world.permissions(oid, channel))
            resolved.setdefault("members", {})[str(oid)] = m
        elif oid not in channel.recipient_ids and oid != world.bot_user.id:
            raise SimError(f"{what}: {picked.username} is not in {where}")
        resolved.setdefault("users", {})[str(oid)] = picked.to_dict()
        return str(oid)
    if kind in (ROLE, MENTIONABLE) and any(oid in g.roles for g in world.guilds.values()):
        if guild is None or oid not in guild.roles:
            raise SimError(f"{what}: role {oid} is not a role of {where}")
        role: Role = guild.roles[oid]
        resolved.setdefault("roles", {})[str(oid)] = role.to_dict()
        return str(oid)
    if kind == CHANNEL and oid in world.channels:
        picked_channel = world.channels[oid]
        if picked_channel.deleted:
            raise SimError(f"{what}: channel {oid} was deleted")
        if guild is None:
            if picked_channel.id != channel.id:
                raise SimError(f"{what}: in a DM only that DM can be picked, not channel {oid}")
        elif picked_channel.guild_id != guild.id:
            raise SimError(f"{what}: #{picked_channel.name} is not a channel of {where}")
        elif not world.permissions(user.id, picked_channel) & Perm.VIEW_CHANNEL:
            raise SimError(f"{what}: {user.username} cannot see #{picked_channel.name}")
        if channel_types and picked_channel.type not in channel_types:
            raise SimError(f"{what}: channel type {picked_channel.type} not in {channel_types}")
        resolved.setdefault("channels", {})[str(oid)] = picked_channel.resolved_dict(world, user.id)
        return str(oid)
    kinds = {USER: "user", ROLE: "role", CHANNEL: "channel", MENTIONABLE: "user or role"}
    raise SimError(f"{what}: {value!r} is not a valid {kinds.get(kind, kind)} here")


def build_command_data(
    world: World,
    command: Command,
    rest: list[str],
    values: dict[str, Any],
    user: User,
    channel: Channel,
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    """``data`` of an application command (or autocomplete) interaction, checked as Discord's client does."""
    _check_visible(world, command, user, channel)
    options: list[dict[str, Any]] = command.data.get("options") or []
    resolved: dict[str, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    target = top
    label = "/" + command.name
    for part in rest:
        sub = next((o for o in options if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
        if sub is None:
            raise SimError(f"{label} has no subcommand {part!r}")
        node: dict[str, Any] = {"name": part, "type": sub["type"], "options": []}
        target.append(node)
        target = node["options"]
        options = sub.get("options") or []
        label += " " + part
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options):
        raise SimError(f"{label} needs a subcommand: {[o['name'] for o in options]}")
    known = {o["name"]: o for o in options}
    for key, value in values.items():
        if key not in known:
            raise SimError(f"{label} has no option {key!r} (options: {list(known)})")
        opt = known[key]
        is_focused = key == focused
        if is_focused and not opt.get("autocomplete"):
            raise SimError(f"{label} option {key!r} has no autocomplete")
        entry: dict[str, Any] = {
            "name": key,
            "type": opt["type"],
            "value": _option_value(world, opt, value, user, channel, resolved, focused=is_focused),
        }
        if is_focused:
            entry["focused"] = True
        target.append(entry)
    if focused is None:
        missing = [o["name"] for o in options if o.get("required") and o["name"] not in values]
        if missing:
            raise SimError(f"{label} is missing required option(s) {missing}")
    elif focused not in values:
        raise SimError(f"autocomplete: the focused option {focused!r} needs a value")
    data: dict[str, Any] = {"id": str(command.id), "name": command.name, "type": command.type, "options": top}
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    if resolved:
        data["resolved"] = resolved
    return data


def build_context_menu_data(
    world: World, command: Command, user: User, channel: Channel, target_id: int, resolved: dict[str, Any]
) -> dict[str, Any]:
    """``data`` of a user (type 2) or message (type 3) command on ``target_id``, checked as Discord's client does."""
    _check_visible(world, command, user, channel)
    data: dict[str, Any] = {
        "id": str(command.id),
        "name": command.name,
        "type": command.type,
        "target_id": str(target_id),
        "resolved": resolved,
    }
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    return data


def base_payload(
    world: World, itype: int, user: User, channel: Channel, data: dict[str, Any], *, interaction_id: int
) -> tuple[dict[str, Any], str]:
    token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": itype,
        "data": data,
        "token": token,
        "version": 1,
        "locale": user.locale,
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "channel_id": str(channel.id),
        "channel": channel.to_dict(world),
        "app_permissions": str(world.permissions(world.bot_user.id, channel)),
    }
    if channel.guild_id is not None:
        guild = world.guilds[channel.guild_id]
        member = guild.members.get(user.id)
        if member is None:
            raise SimError(f"{user.username} is not a member of {guild.name}")
        m = member.to_dict(world)
        m["permissions"] = str(world.permissions(user.id, channel))
        payload.update(
            guild_id=str(guild.id),
            member=m,
            guild_locale=guild.locale,
            guild={"id": str(guild.id), "locale": guild.locale, "features": []},
            authorizing_integration_owners={"0": str(guild.id)},
            context=0,
        )
    else:
        payload.update(user=user.to_dict(), authorizing_integration_owners={"0": "0"}, context=1)
    return payload, token


def find_component(
    message: Message,
    *,
    label: str | None = None,
    custom_id: str | None = None,
    types: tuple[int, ...] = (2,),
    placeholder: str | None = None,
) -> dict[str, Any]:
    """The component a user would click, by label or custom_id (or the only one of that type)."""
    found = [c for c in iter_components(message.components) if c.get("type") in types]
    if label is not None:
        found = [c for c in found if c.get("label") == label]
    if custom_id is not None:
        found = [c for c in found if c.get("custom_id") == custom_id]
    if placeholder is not None:
        found = [c for c in found if c.get("placeholder") == placeholder]
    if not found:
        present = [
            (c.get("label") or c.get("placeholder"), c.get("custom_id"))
            for c in iter_components(message.components)
            if c.get("type") in types
        ]
        raise SimError(
            f"no component label={label!r} custom_id={custom_id!r} on message {message.id}; present: {present}"
        )
    if len(found) > 1:
        raise SimError(f"{len(found)} components match label={label!r} custom_id={custom_id!r}; be specific")
    comp = found[0]
    if comp.get("disabled"):
        raise SimError(f"component {comp.get('label') or comp.get('custom_id')!r} is disabled")
    if comp.get("type") == 2 and comp.get("style") == 5:
        raise SimError("a link button opens a URL; it sends no interaction")
    return comp
