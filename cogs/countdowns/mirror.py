"""Upcoming releases and server events mirrored as native Discord scheduled events.

Discord shows scheduled events at the top of the channel list, with an "Interested" button, so
fans see what is coming without a command. Marquee creates one EXTERNAL event per upcoming target
(Discord requires a location and an end time for those), edits it when the date moves, deletes it
when the target is gone, and never holds more than Discord's limit of 100 per server, nearest first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.delivery import Pacer
from bot.formatting import truncate
from bot.i18n import Speech
from bot.localtime import at_local_time, parse_hhmm, zone
from bot.targets import TargetDates
from db.repositories.announcements import AnnouncementRepository, AnnouncementSettings, Mirror

log = logging.getLogger(__name__)

GUILD_EVENT_LIMIT = 100
EVENT_LENGTH = dt.timedelta(hours=3)
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 1000


@dataclass(frozen=True)
class WantedEvent:
    target_key: str
    name: str
    start: dt.datetime
    end: dt.datetime
    location: str
    description: str | None


def wanted_events(
    settings: AnnouncementSettings, all_dates: Sequence[TargetDates], now: dt.datetime, room: int, t: Speech
) -> list[WantedEvent]:
    """The scheduled events the server should have: upcoming targets still to start, nearest first; their
    location is written in the server's language `t`."""
    tz = zone(settings.timezone)
    wanted = []
    for dates in all_dates:
        target = dates.target
        if target.starts_at is not None:
            start, end = target.starts_at, target.starts_at + EVENT_LENGTH
        else:
            # A release lasts its whole day; the event opens at the server's posting time.
            start = at_local_time(target.day, parse_hhmm(settings.post_time), tz)
            end = at_local_time(target.day + dt.timedelta(days=1), dt.time(0, 0), tz)
        if start <= now:
            continue
        location = t("In cinemas") if target.kind == "film" else t("On this server")
        wanted.append(
            WantedEvent(target.key, truncate(target.title, NAME_LIMIT), start, end, location, dates.description)
        )
    wanted.sort(key=lambda event: (event.start, event.target_key))
    return wanted[: max(room, 0)]


async def sync_mirrors(
    guild: discord.Guild,
    repository: AnnouncementRepository,
    settings: AnnouncementSettings | None,
    all_dates: Sequence[TargetDates],
    now: dt.datetime,
    pacer: Pacer,
    t: Speech,
) -> None:
    """Make the server's mirrored events match `all_dates` (or remove them all when `settings` is None/off).

    Creating an event is not idempotent (no nonce), and its answer can be lost, or discord.py can retry
    a 5xx by itself after Discord created it. So the server's events are listed first: one of ours that
    no mirror records is adopted when it matches a wanted event, and removed otherwise.
    Every request takes its turn in the shared pace: the bot starts them on its own.
    """
    mirrors = await repository.mirrors(guild.id)
    enabled = settings is not None and settings.mirror_events and guild.me.guild_permissions.manage_events
    if not enabled and not mirrors:
        return
    wanted: dict[str, WantedEvent] = {}
    strays: list[discord.ScheduledEvent] = []
    if enabled:
        assert settings is not None
        await pacer.wait_turn()
        listed = await guild.fetch_scheduled_events()
        strays = _strays(guild, listed, mirrors)
        recorded = {mirror.discord_event_id for mirror in mirrors.values()}
        stray_ids = {event.id for event in strays}
        others = [event for event in listed if event.id not in recorded and event.id not in stray_ids]
        room = GUILD_EVENT_LIMIT - len(others)
        wanted = {event.target_key: event for event in wanted_events(settings, all_dates, now, room, t)}
    for key, mirror in mirrors.items():
        if key not in wanted:
            await _delete(guild, mirror, pacer)
            await repository.forget_mirror(guild.id, key)
    created = False
    for key, event in wanted.items():
        known = mirrors.get(key)
        if known is not None and known.starts_at == event.start:
            continue
        adopted = _adopt(strays, event) if known is None else None
        if adopted is not None:
            await repository.save_mirror(guild.id, Mirror(key, adopted.id, event.start))
            continue
        discord_event = await _upsert(guild, known, event, pacer)
        if discord_event is not None:
            created = created or known is None or discord_event.id != known.discord_event_id
            await repository.save_mirror(guild.id, Mirror(key, discord_event.id, event.start))
    if created:
        # discord.py retries a 5xx by itself: a create whose first answer was lost may have made two.
        await pacer.wait_turn()
        strays = _strays(guild, await guild.fetch_scheduled_events(), await repository.mirrors(guild.id))
    for stray in strays:
        await pacer.wait_turn()
        await _remove_stray(stray)


def _strays(
    guild: discord.Guild, listed: Sequence[discord.ScheduledEvent], mirrors: dict[str, Mirror]
) -> list[discord.ScheduledEvent]:
    """Live events Marquee created that no mirror records (it creates events only as mirrors)."""
    recorded = {mirror.discord_event_id for mirror in mirrors.values()}
    return [
        event
        for event in listed
        if event.creator_id == guild.me.id
        and event.id not in recorded
        and event.status in (discord.EventStatus.scheduled, discord.EventStatus.active)
    ]


def _adopt(strays: list[discord.ScheduledEvent], event: WantedEvent) -> discord.ScheduledEvent | None:
    """Take from `strays` the one an earlier, unanswered create made for `event`."""
    for stray in strays:
        if stray.name == event.name and stray.start_time == event.start and stray.location == event.location:
            strays.remove(stray)
            return stray
    return None


async def _remove_stray(event: discord.ScheduledEvent) -> None:
    with contextlib.suppress(discord.NotFound):  # gone already
        await event.delete()


async def _delete(guild: discord.Guild, mirror: Mirror, pacer: Pacer) -> None:
    try:
        await pacer.wait_turn()
        event = await guild.fetch_scheduled_event(mirror.discord_event_id)
        if event.status in (discord.EventStatus.scheduled, discord.EventStatus.active):
            await pacer.wait_turn()
            await event.delete()
    except discord.NotFound:
        pass  # an admin deleted it already


async def _upsert(
    guild: discord.Guild, mirror: Mirror | None, event: WantedEvent, pacer: Pacer
) -> discord.ScheduledEvent | None:
    description = truncate(event.description, DESCRIPTION_LIMIT) if event.description else discord.utils.MISSING
    if mirror is not None:
        try:
            await pacer.wait_turn()
            existing = await guild.fetch_scheduled_event(mirror.discord_event_id)
            await pacer.wait_turn()
            return await existing.edit(
                name=event.name, start_time=event.start, end_time=event.end, location=event.location
            )
        except discord.NotFound:
            pass  # deleted by an admin: create it again
    await pacer.wait_turn()
    return await guild.create_scheduled_event(
        name=event.name,
        start_time=event.start,
        end_time=event.end,
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        location=event.location,
        description=description,
    )
