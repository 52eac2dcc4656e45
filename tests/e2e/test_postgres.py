"""The unmodified bot on PostgreSQL (`database.url`), end to end against the local Discord: a moved release
date loaded while it runs is announced once per server, reminders follow it, and nothing is sent twice
across a restart. The tables live in a fresh schema of the test server (`?search_path=` in the URL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from db import connect_database, load_pack, parse_pack
from tests.discord_sim import Sim
from tests.postgres import fresh_schema, require_postgres, test_database_url

POST = "POST /channels/{channel_id}/messages"
PACK = """\
[pack]
id = "pg-vault-line"
name = "Vault Line (test pack)"
version = "{version}"

[[source]]
key = "notes"
ref = "https://example.com/vault-line"

[[film]]
key = "pg-vault-line"
title = "Vault Line"
year = 2026
source = "notes"

[[film.release]]
country = "US"
date = "{day}"
type = 3
source = "notes"
"""


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), UTC)


def posts(sim: Sim, channel: Any) -> list[str]:
    bot_id = sim.world.bot_user.id
    return [
        str(m.embeds[0].get("description", ""))
        for m in sim.channel_messages(channel)
        if m.author.id == bot_id and m.embeds and m.interaction_id is None and m.type == 0
    ]


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    server = test_database_url()
    require_postgres(server)
    async with fresh_schema(server) as schema:
        yield f"{server}{'&' if '?' in server else '?'}search_path={schema}"


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_the_bot_on_postgresql_announces_a_moved_date_once_and_sends_nothing_twice(
    sim: Sim, postgres_url: str, tmp_path: Path
) -> None:
    pack = tmp_path / "vault-line.toml"
    pack.write_text(PACK.format(version="1.0.0", day="2026-03-20"), encoding="utf-8")
    sim.extra_env.update(MARQUEE_DATABASE_URL=postgres_url, MARQUEE_PACKS_LOAD=f"mission-impossible,{pack}")
    await sim.restart_bot()
    assert sim.client.database.dialect == "postgresql"
    sim.ratelimits.configure(POST, 50, 1.0)
    channels = []
    for name in ("Heist Fans", "Vault Club"):
        guild = await sim.create_guild(name)
        news = await guild.create_channel("news")
        admin = await sim.create_user(f"{name.split()[0].lower()}-admin", guild=guild, admin=True)
        await sim.slash(
            admin, guild.channel("general"), "settings announcements set", channel=news, time="09:00",
            timezone="UTC", milestones="14,7,1,0", region="US",
        )  # fmt: skip
        channels.append((guild, news))
    fan = await sim.create_user("fan", guild=channels[0][0])
    await sim.slash(fan, channels[0][0].channel("general"), "remind film", title="Vault Line")

    # `pack load` from another process while the bot runs: the watch notices it within a minute.
    pack.write_text(PACK.format(version="1.0.1", day="2026-04-03"), encoding="utf-8")
    async with connect_database(postgres_url) as other_process:
        await load_pack(other_process, parse_pack(pack), source_path=str(pack))
    await sim.advance(timedelta(minutes=1))
    for _, news in channels:
        assert [p for p in posts(sim, news) if "Release date changed" in p] != [], posts(sim, news)
    await sim.restart_bot()
    for day in ("2026-03-06", "2026-03-13", "2026-03-20", "2026-03-27", "2026-04-02", "2026-04-03"):
        await sim.advance(at(day, "09:00") - sim.now())
    for _, news in channels:
        texts = posts(sim, news)
        # The notice, then 14, 7 and 1 days before 3 April and the day itself; nothing at the old dates.
        assert [t.split("**")[1].split(" in ")[0] for t in texts] == [
            "Release date changed",
            "14 days to go.",
            "7 days to go.",
            "1 day to go.",
            "Out today",
        ], texts
    assert [m.timestamp for m in sim.dms(fan)] == [at("2026-04-02", "09:00"), at("2026-04-03", "09:00")]
