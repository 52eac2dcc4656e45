"""The simulated world: users, guilds, roles, channels, members, messages, commands, events.

Everything here is plain data plus the permission algorithm; REST and gateway code mutate it.
Ids are snowflakes made from the shared clock, so they sort by creation time like Discord's.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

DISCORD_EPOCH_MS = 1420070400000


class Perm:
    """Discord permission bits the simulator checks."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    CREATE_EVENTS = 1 << 44
    ALL = (1 << 51) - 1

    # What @everyone gets in a new guild (Discord's default, roughly).
    DEFAULT_EVERYONE = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | CONNECT
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | CREATE_EVENTS
    )
    # What the bot's managed role gets (what Marquee's invite link asks for).
    DEFAULT_BOT = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | MANAGE_EVENTS

    NAMES: ClassVar[dict[str, int]] = {}  # filled below


Perm.NAMES = {
    name.lower(): value
    for name, value in vars(Perm).items()
    if name.isupper() and isinstance(value, int) and name not in {"ALL", "DEFAULT_EVERYONE", "DEFAULT_BOT"}
}


class ClockLike(Protocol):
    def now(self) -> datetime: ...


class Snowflakes:
    """Real-looking, strictly increasing snowflakes whose timestamp is the shared clock's."""

    def __init__(self, clock: ClockLike) -> None:
        self._clock = clock
        self._last = 0
        self._increment = itertools.count()

    def next(self) -> int:
        ms = int(self._clock.now().timestamp() * 1000) - DISCORD_EPOCH_MS
        value = (max(ms, 0) << 22) | (1 << 17) | (next(self._increment) & 0xFFF)
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value


def iso(dt: datetime) -> str:
    """Discord's timestamp format."""
    return dt.isoformat(timespec="microseconds")


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_closed: bool = False
    locale: str = "en-US"  # the Discord client language, sent with each interaction

    @property
    def name(self) -> str:
        return self.username

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if self.bot:
            out["bot"] = True
        return out


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    color: int = 0

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


TEXT, DM, VOICE, CATEGORY, ANNOUNCEMENT, STAGE, FORUM = 0, 1, 2, 4, 5, 13, 15
GUILD_CHANNEL_TYPES = (TEXT, VOICE, CATEGORY, ANNOUNCEMENT, STAGE, FORUM)


@dataclass
class Channel:
    id: int
    type: int
    name: str | None
    guild_id: int | None = None
    position: int = 0
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    recipient_ids: list[int] = field(default_factory=list)
    deleted: bool = False
    parent_id: int | None = None
    topic: str | None = None
    bitrate: int = 64000
    user_limit: int = 0

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_dict(self, world: World | None = None) -> dict[str, Any]:
        """The channel as Discord sends it; which fields appear depends on the type, as on Discord."""
        if self.type == DM:
            recipients = [world.users[u].to_dict() for u in self.recipient_ids] if world else []
            return {"id": str(self.id), "type": DM, "last_message_id": None, "flags": 0, "recipients": recipients}
        out: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.to_dict() for o in self.overwrites.values()],
            "parent_id": str(self.parent_id) if self.parent_id is not None else None,
            "nsfw": False,
            "flags": 0,
        }
        if self.type != CATEGORY:
            # Every channel that holds messages (voice and stage channels have a text chat too).
            out.update(last_message_id=None, rate_limit_per_user=0)
        if self.type in (TEXT, ANNOUNCEMENT, STAGE, FORUM):
            out["topic"] = self.topic
        if self.type in (VOICE, STAGE):
            # discord.py reads bitrate and user_limit unconditionally (VocalGuildChannel._update).
            out.update(bitrate=self.bitrate, user_limit=self.user_limit, rtc_region=None)
        if self.type == FORUM:
            out.update(
                available_tags=[],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        if self.guild_id is not None:
            out["guild_id"] = str(self.guild_id)
        return out

    def resolved_dict(self, world: World, user_id: int) -> dict[str, Any]:
        """The channel in an interaction's ``resolved`` data: ``permissions`` are the invoking user's."""
        out = self.to_dict(world)
        out["permissions"] = str(world.permissions(user_id, self))
        return out


@dataclass
class Member:
    user_id: int
    guild_id: int
    roles: list[int] = field(default_factory=list)
    joined_at: datetime | None = None
    nick: str | None = None

    def to_dict(self, world: World, *, with_user: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "joined_at": iso(self.joined_at) if self.joined_at else None,
            "nick": self.nick,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            out["user"] = world.users[self.user_id].to_dict()
        return out


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    bot_present: bool = True
    unavailable: bool = False
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)
    locale: str = "en-US"  # the server's Discord language (preferred_locale; guild_locale in interactions)


@dataclass
class Attachment:
    id: int
    filename: str
    size: int
    content_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": f"https://cdn.discordapp.test/attachments/{self.id}/{self.filename}",
            "proxy_url": f"https://media.discordapp.test/attachments/{self.id}/{self.filename}",
            "content_type": self.content_type,
        }


EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass
class Message:
    """A message as users see it. Mutated in place by edits; ``deleted`` set on delete."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    timestamp: datetime | None = None
    edited_timestamp: datetime | None = None
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    pinged: list[int] = field(default_factory=list)
    nonce: str | int | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_user_id: int | None = None
    # Type-specific fields of interaction_metadata (interaction type, target_user, interacted_message_id, ...).
    interaction_extra: dict[str, Any] = field(default_factory=dict)
    message_reference: dict[str, Any] | None = None
    ephemeral_for: int | None = None
    tts: bool = False
    type: int = 0
    deleted: bool = False
    edits: int = 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    def buttons(self) -> list[dict[str, Any]]:
        """Every button in the message, in order."""
        return [c for c in iter_components(self.components) if c.get("type") == 2]

    def to_dict(self, world: World, *, gateway: bool = False, with_nonce: bool = False) -> dict[str, Any]:
        """The message as Discord returns it (REST), or as a gateway event (``guild_id`` and ``member`` added).

        Discord does not store a ``nonce``: it is only in the answer to the create request and in the
        MESSAGE_CREATE event (``with_nonce``), never when the message is fetched later.
        """
        out: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.to_dict(),
            "content": self.content,
            "timestamp": iso(self.timestamp) if self.timestamp else None,
            "edited_timestamp": iso(self.edited_timestamp) if self.edited_timestamp else None,
            "tts": self.tts,
            "mention_everyone": self.mention_everyone,
            "mentions": [world.users[u].to_dict() for u in self.mentions if u in world.users],
            "mention_roles": [str(r) for r in self.mention_roles],
            "attachments": [a.to_dict() for a in self.attachments],
            "embeds": self.embeds,
            "components": numbered_components(self.components),
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
        }
        if gateway and self.guild_id is not None:
            out["guild_id"] = str(self.guild_id)
            member = world.guilds[self.guild_id].members.get(self.author.id) if self.webhook_id is None else None
            if member is not None:
                out["member"] = member.to_dict(world, with_user=False)
        if with_nonce and self.nonce is not None:
            out["nonce"] = self.nonce
        if self.webhook_id is not None:
            out["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            out["application_id"] = str(self.application_id)
        if self.message_reference is not None:
            out["message_reference"] = self.message_reference
        if self.interaction_id is not None and self.interaction_user_id is not None:
            out["interaction_metadata"] = {
                "id": str(self.interaction_id),
                "type": 2,
                "user": world.users[self.interaction_user_id].to_dict(),
                "authorizing_integration_owners": {"0": str(self.guild_id or 0)},
                **self.interaction_extra,
            }
        return out


def numbered_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of ``components`` where each one has the numeric ``id`` Discord assigns when absent."""
    counter = iter(range(1, 10_000))

    def walk(comp: Any) -> Any:
        if not isinstance(comp, dict):
            return comp
        out = {k: (walk(v) if k in ("component", "accessory") else v) for k, v in comp.items()}
        if out.get("type") in (3, 5, 6, 7, 8):
            # `required` means something only in a modal; a message's select menu comes back without it.
            out.pop("required", None)
        if isinstance(comp.get("components"), list):
            out["components"] = [walk(c) for c in comp["components"]]
        if out.get("id") is None:
            out["id"] = next(counter)
        return out

    return [walk(c) for c in components]


def iter_components(components: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Walk a component tree (action rows, containers, sections, labels) depth first."""
    for comp in components:
        yield comp
        children = comp.get("components")
        if isinstance(children, list):
            yield from iter_components(children)
        child = comp.get("component")
        if isinstance(child, dict):
            yield from iter_components([child])
        accessory = comp.get("accessory")
        if isinstance(accessory, dict):
            yield from iter_components([accessory])


@dataclass
class Command:
    """An application command as the bot last synced it."""

    id: int
    application_id: int
    guild_id: int | None
    data: dict[str, Any]
    version: int

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def type(self) -> int:
        return int(self.data.get("type") or 1)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **{k: v for k, v in self.data.items() if v is not None},
            "id": str(self.id),
            "application_id": str(self.application_id),
            "version": str(self.version),
        }
        if out.get("default_member_permissions") is not None:
            out["default_member_permissions"] = str(out["default_member_permissions"])
        if self.guild_id is not None:
            out["guild_id"] = str(self.guild_id)
        return out


MENTION_USER = re.compile(r"<@!?(\d+)>")
MENTION_ROLE = re.compile(r"<@&(\d+)>")


class World:
    """All the state of the simulated Discord."""

    def __init__(self, clock: ClockLike) -> None:
        self.clock = clock
        self.ids = Snowflakes(clock)
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.commands: dict[int, Command] = {}
        self.application_id = self.ids.next()
        self.bot_user = self.add_user("Marquee", bot=True, user_id=self.application_id)
        self.owner = self.add_user("marquee-owner")
        self.token = "sim-token." + str(self.application_id)
        self.application_flags = 0
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id

    # ---- construction -------------------------------------------------
    def add_user(
        self, username: str, *, bot: bool = False, dms_closed: bool = False, user_id: int | None = None
    ) -> User:
        user = User(
            user_id or self.ids.next(),
            username,
            global_name=None if bot else username.title(),
            bot=bot,
            dms_closed=dms_closed,
        )
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: User | None = None) -> Guild:
        gid = self.ids.next()
        guild = Guild(id=gid, name=name, owner_id=(owner or self.owner).id)
        guild.roles[gid] = Role(gid, gid, "@everyone", Perm.DEFAULT_EVERYONE, position=0)
        self.guilds[gid] = guild
        self.add_member(guild, self.users[guild.owner_id])
        bot_role = self.add_role(guild, self.bot_user.username, Perm.DEFAULT_BOT, managed=True)
        self.add_member(guild, self.bot_user, roles=[bot_role.id])
        self.add_channel(guild, "general")
        return guild

    def add_role(
        self, guild: Guild, name: str, permissions: int = 0, *, mentionable: bool = False, managed: bool = False
    ) -> Role:
        role = Role(
            self.ids.next(),
            guild.id,
            name,
            permissions,
            position=len(guild.roles),
            mentionable=mentionable,
            managed=managed,
        )
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User, *, roles: Iterable[int] = ()) -> Member:
        member = Member(user.id, guild.id, list(roles), joined_at=self.clock.now())
        guild.members[user.id] = member
        return member

    def add_channel(self, guild: Guild, name: str, *, type: int = TEXT, parent: Channel | None = None) -> Channel:
        if type not in GUILD_CHANNEL_TYPES:
            raise ValueError(f"the simulator has no guild channel type {type}; known: {GUILD_CHANNEL_TYPES}")
        if parent is not None and (parent.type != CATEGORY or parent.guild_id != guild.id or type == CATEGORY):
            raise ValueError("a channel's parent must be a category of the same guild, and categories do not nest")
        channel = Channel(
            self.ids.next(),
            type,
            name,
            guild.id,
            position=len(guild.channel_ids),
            parent_id=parent.id if parent is not None else None,
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        return channel

    def dm_channel(self, user: User) -> Channel:
        cid = self.dm_channels.get(user.id)
        if cid is None:
            channel = Channel(self.ids.next(), DM, None, recipient_ids=[user.id])
            self.channels[channel.id] = channel
            self.dm_channels[user.id] = channel.id
            cid = channel.id
        return self.channels[cid]

    # ---- queries -------------------------------------------------------
    def guild_channels(self, guild: Guild) -> list[Channel]:
        return [self.channels[c] for c in guild.channel_ids if not self.channels[c].deleted]

    def mutual_guilds(self, user_id: int) -> list[Guild]:
        return [
            g for g in self.guilds.values() if g.bot_present and user_id in g.members and self.bot_user.id in g.members
        ]

    def base_permissions(self, guild: Guild, user_id: int) -> int:
        if user_id == guild.owner_id:
            return Perm.ALL
        member = guild.members.get(user_id)
        if member is None:
            return 0
        perms = guild.roles[guild.id].permissions
        for rid in member.roles:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        return perms

    def permissions(self, user_id: int, channel: Channel) -> int:
        """Discord's algorithm: base role permissions, then @everyone/role/member overwrites."""
        if channel.guild_id is None:
            return (
                Perm.VIEW_CHANNEL
                | Perm.SEND_MESSAGES
                | Perm.EMBED_LINKS
                | Perm.ATTACH_FILES
                | Perm.READ_MESSAGE_HISTORY
                | Perm.ADD_REACTIONS
                | Perm.USE_EXTERNAL_EMOJIS
            )
        guild = self.guilds[channel.guild_id]
        base = self.base_permissions(guild, user_id)
        if base & Perm.ADMINISTRATOR:
            return Perm.ALL
        perms = base
        everyone = channel.overwrites.get(guild.id)
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        member = guild.members.get(user_id)
        roles = member.roles if member else []
        allow = deny = 0
        for rid in roles:
            ow = channel.overwrites.get(rid)
            if ow and ow.type == 0:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        ow = channel.overwrites.get(user_id)
        if ow and ow.type == 1:
            perms = (perms & ~ow.deny) | ow.allow
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        if not perms & Perm.SEND_MESSAGES:
            perms &= ~(Perm.MENTION_EVERYONE | Perm.EMBED_LINKS | Perm.ATTACH_FILES)
        return perms

    def visible_messages(self, channel: Channel) -> list[Message]:
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel_id == channel.id and not m.deleted and m.ephemeral_for is None
            ),
            key=lambda m: m.id,
        )

    # ---- mentions ------------------------------------------------------
    def resolve_pings(self, message: Message, allowed: dict[str, Any] | None, *, author_id: int) -> None:
        """Fill ``mentions``/``mention_roles``/``pinged`` as Discord would for ``allowed_mentions``."""
        content = message.content or ""
        user_ids = [int(u) for u in MENTION_USER.findall(content)]
        role_ids = [int(r) for r in MENTION_ROLE.findall(content)]
        everyone = "@everyone" in content or "@here" in content
        if allowed is None:
            parse = {"users", "roles", "everyone"}
            allowed_users: set[int] = set()
            allowed_roles: set[int] = set()
            replied_user = True
        else:
            parse = set(allowed.get("parse") or [])
            allowed_users = {int(u) for u in allowed.get("users") or []}
            allowed_roles = {int(r) for r in allowed.get("roles") or []}
            replied_user = bool(allowed.get("replied_user", False))
        channel = self.channels.get(message.channel_id)
        guild = self.guilds.get(message.guild_id) if message.guild_id else None
        author_perms = self.permissions(author_id, channel) if channel else 0

        mentioned_users = [u for u in user_ids if u in self.users]
        message.mentions = list(dict.fromkeys(mentioned_users))
        message.mention_roles = [r for r in dict.fromkeys(role_ids) if guild and r in guild.roles]
        pinged: list[int] = []
        for uid in message.mentions:
            if "users" in parse or uid in allowed_users:
                pinged.append(uid)
        if guild is not None:
            for rid in message.mention_roles:
                role = guild.roles[rid]
                if ("roles" in parse or rid in allowed_roles) and (
                    role.mentionable or author_perms & Perm.MENTION_EVERYONE
                ):
                    pinged.extend(m.user_id for m in guild.members.values() if rid in m.roles)
            if everyone and "everyone" in parse and author_perms & Perm.MENTION_EVERYONE:
                message.mention_everyone = True
                pinged.extend(guild.members)
        if message.message_reference and replied_user:
            ref = self.messages.get(int(message.message_reference.get("message_id") or 0))
            if ref is not None:
                pinged.append(ref.author.id)
        visible: list[int] = []
        for uid in dict.fromkeys(pinged):
            if uid == author_id or uid not in self.users:
                continue
            if channel is not None and channel.guild_id is not None:
                if not self.permissions(uid, channel) & Perm.VIEW_CHANNEL:
                    continue
            elif channel is not None and uid not in channel.recipient_ids:
                continue
            visible.append(uid)
        message.pinged = [] if message.ephemeral else visible
