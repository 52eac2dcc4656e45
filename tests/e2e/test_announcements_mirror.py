"""Upcoming releases and events mirrored as Discord scheduled events, kept in step and within the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.discord_sim import Sim


def mirrored(guild: Any) -> dict[str, dict[str, Any]]:
    """The guild's live scheduled events by name."""
    return {e["name"]: e for e in guild.model.scheduled_events.values() if e["status"] in (1, 2)}


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_events_are_mirrored_edited_and_removed(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    await sim.slash(admin, general, "event add", name="Watch party", date="2026-03-20", time="20:00", timezone="UTC")
    await sim.slash(admin, general, "event add", name="Trailer drop", date="2026-04-02")
    reply = await sim.slash(
        admin, general, "settings announcements set", channel=general, timezone="UTC", discord_events=True
    )
    assert "Discord events: mirrored" in reply.content, reply.content
    await sim.settle()
    events = mirrored(guild)
    assert set(events) == {"Watch party", "Trailer drop"}
    party = events["Watch party"]
    assert party["entity_type"] == 3 and party["entity_metadata"]["location"] == "On this server"
    assert datetime.fromisoformat(party["scheduled_start_time"]) == datetime(2026, 3, 20, 20, 0, tzinfo=UTC)
    assert datetime.fromisoformat(party["scheduled_end_time"]) - datetime(2026, 3, 20, 20, 0, tzinfo=UTC) == timedelta(
        hours=3
    )
    drop = events["Trailer drop"]
    assert datetime.fromisoformat(drop["scheduled_start_time"]) == datetime(2026, 4, 2, 9, 0, tzinfo=UTC)

    # Saving the settings again with a new posting time moves the all-day event's start; nothing is duplicated.
    await sim.slash(admin, general, "settings announcements set", channel=general, time="10:30")
    await sim.settle()
    events = mirrored(guild)
    assert len(events) == 2
    assert datetime.fromisoformat(events["Trailer drop"]["scheduled_start_time"]) == datetime(
        2026, 4, 2, 10, 30, tzinfo=UTC
    )

    removed = await sim.slash(admin, general, "event remove", name="Trailer drop")
    assert "Removed" in removed.content
    await sim.settle()
    assert set(mirrored(guild)) == {"Watch party"}

    await sim.slash(admin, general, "settings announcements off")
    await sim.settle()
    assert mirrored(guild) == {}


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_mirroring_needs_manage_events(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    await sim.set_bot_permissions(guild, manage_events=False)
    reply = await sim.slash(admin, general, "settings announcements set", channel=general, discord_events=True)
    assert reply.ephemeral and "Manage Events" in reply.content
    assert mirrored(guild) == {}


CREATE_EVENT = "POST /guilds/{guild_id}/scheduled-events"


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
@pytest.mark.parametrize("status", [503, 502])
async def test_a_mirror_whose_create_answer_was_lost_is_found_not_created_twice(sim: Sim, status: int) -> None:
    """503: the answer is lost and the next sync creates again; 502: discord.py itself retries the create."""
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    await sim.slash(admin, general, "event add", name="Watch party", date="2026-03-20", time="20:00", timezone="UTC")
    sim.fail_next(CREATE_EVENT, status=status, after_commit=True)
    await sim.slash(admin, general, "settings announcements set", channel=general, timezone="UTC", discord_events=True)
    await sim.settle()
    # Anything that replans syncs the mirrors again.
    await sim.slash(admin, general, "event add", name="Trailer drop", date="2026-04-02")
    await sim.settle()
    live = [e for e in guild.model.scheduled_events.values() if e["status"] in (1, 2)]
    assert sorted(e["name"] for e in live) == ["Trailer drop", "Watch party"]
    await sim.slash(admin, general, "settings announcements off")
    await sim.settle()
    assert mirrored(guild) == {}


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_every_request_mirroring_makes_takes_its_turn_in_the_shared_pace(
    sim: Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    await sim.slash(admin, general, "event add", name="Watch party", date="2026-03-20", time="20:00", timezone="UTC")
    await sim.slash(admin, general, "event add", name="Trailer drop", date="2026-04-02")
    pacer = sim.client.pacer
    turns = 0
    wait_turn = pacer.wait_turn

    async def counted() -> float:
        nonlocal turns
        turns += 1
        return await wait_turn()

    monkeypatch.setattr(pacer, "wait_turn", counted)
    await sim.slash(admin, general, "settings announcements set", channel=general, timezone="UTC", discord_events=True)
    await sim.settle()
    await sim.slash(admin, general, "settings announcements set", channel=general, time="10:30")
    await sim.settle()
    await sim.slash(admin, general, "settings announcements off")
    await sim.settle()
    made = [r for r in sim.requests if "/scheduled-events" in r.route]
    assert {r.method for r in made} == {"GET", "POST", "PATCH", "DELETE"}
    assert turns >= len(made)
