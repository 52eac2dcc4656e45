"""A film imported from TMDB, end to end: the running bot's daily refresh finds its release date moved,
and every server announcing it is told once, the countdown and the reminders follow the new date."""

from __future__ import annotations

import argparse
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.settings import load_settings
from bot.tmdb.commands import import_tmdb, refresh_packs
from tests.discord_sim import Reply, Sim
from tests.tmdb_sim import TmdbSim, TmdbWorld

DAY = timedelta(days=1)
POST = "POST /channels/{channel_id}/messages"
NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
FILM = 424242


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), UTC)


def posts(sim: Sim, channel: Any) -> list[Any]:
    bot_id = sim.world.bot_user.id
    return [
        m
        for m in sim.channel_messages(channel)
        if m.author.id == bot_id and m.embeds and m.interaction_id is None and m.type == 0
    ]


def text(message: Any) -> str:
    return str(message.embeds[0].get("description", ""))


def promised(reply: Reply) -> list[datetime]:
    found = re.findall(r"^• <t:(\d+):F> \(<t:\1:R>\)$", reply.content or "", re.M)
    return [datetime.fromtimestamp(int(stamp), UTC) for stamp in found]


@pytest.fixture
async def tmdb(sim: Sim) -> AsyncIterator[TmdbSim]:
    world = TmdbWorld()
    world.now = sim.now()
    world.add_movie(
        FILM,
        "Vault Line",
        release_date="2026-03-20",
        overview="A crew of retired safecrackers takes one last job.",
        poster_path="/vaultline.jpg",
        cast=[(7001, "Ann Actor", "Mara Vance"), (7002, "Ben Player", "Otto Kline")],
        crew=[(7003, "Dee Rector", "Directing", "Director")],
        releases={"US": [(3, "2026-03-20", "", "PG-13")], "GB": [(3, "2026-03-18", "", "12A")]},
    )
    async with TmdbSim(world) as sim_tmdb:
        yield sim_tmdb
        assert sim_tmdb.problems == []


async def start_with_imported_film(sim: Sim, tmdb: TmdbSim, tmp_path: Path, refresh: str = "daily") -> Path:
    env = {
        "MARQUEE_TMDB_TOKEN": tmdb.token,
        "MARQUEE_TMDB_API_URL": tmdb.api_url,
        "MARQUEE_TMDB_CACHE_PATH": str(tmp_path / "tmdb-cache.db"),
    }
    pack = tmp_path / "vault-line.toml"
    settings = load_settings(None, {**env, "MARQUEE_DATABASE_PATH": str(sim.database_path)}, require_token=False)
    arguments = argparse.Namespace(
        pack_command="import", collection=[], movie=[FILM], search=None, year=None, pick=None, output=pack,
        language="en-US", pack_id="vault-line",
    )  # fmt: skip
    assert await import_tmdb(settings, arguments) == 0
    sim.extra_env.update(env, MARQUEE_TMDB_REFRESH=refresh, MARQUEE_PACKS_LOAD=f"mission-impossible,{pack}")
    await sim.restart_bot()
    return pack


async def announcing_server(sim: Sim, name: str) -> tuple[Any, Any, Any, Any]:
    sim.ratelimits.configure(POST, 50, 1.0)
    guild = await sim.create_guild(name)
    news = await guild.create_channel("news")
    admin = await sim.create_user(f"{name.split()[0].lower()}-admin", guild=guild, admin=True)
    general = guild.channel("general")
    reply = await sim.slash(
        admin, general, "settings announcements set", channel=news, time="09:00", timezone="UTC",
        milestones="14,7,1,0", region="US",
    )  # fmt: skip
    assert reply.ephemeral
    return guild, general, news, admin


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_date_moved_on_tmdb_is_announced_once_per_server_and_reminders_follow(
    sim: Sim, tmdb: TmdbSim, tmp_path: Path
) -> None:
    pack = await start_with_imported_film(sim, tmdb, tmp_path)
    servers = [await announcing_server(sim, name) for name in ("Heist Fans", "Vault Club")]
    guild, general, _, _ = servers[0]
    fan = await sim.create_user("fan", guild=guild)
    card = await sim.slash(fan, general, "film info", title="Vault Line")
    (embed,) = card.embeds
    assert embed["title"] == "Vault Line (2026)"
    assert embed["thumbnail"]["url"].endswith("/vaultline.jpg")
    assert NOTICE in str(embed)
    subscribed = await sim.slash(fan, general, "remind film", title="Vault Line")
    assert promised(subscribed) == [at("2026-03-19", "09:00"), at("2026-03-20", "09:00")]

    # TMDB moves the US release two weeks later; the next daily refresh (a day after the first, at start) sees it.
    tmdb.world.now = sim.now()
    tmdb.world.move_release(FILM, "US", type=3, new_date="2026-04-03")
    asked = len(tmdb.requests)
    await sim.advance(DAY)
    assert [r.path for r in tmdb.requests[asked:]][:1] == ["/3/movie/changes"]
    for _, _, news, _ in servers:
        changed = [m for m in posts(sim, news) if "Release date changed" in text(m)]
        assert len(changed) == 1, [text(m) for m in posts(sim, news)]
        assert "March 20, 2026 → Friday, April 3, 2026" in text(changed[0])
    listed = await sim.slash(fan, general, "remind list")
    moved = [at("2026-04-02", "09:00"), at("2026-04-03", "09:00")]
    assert all(f"<t:{int(t.timestamp())}:f>" in listed.embeds[0]["description"] for t in moved)
    assert "2026-04-03" in pack.read_text(encoding="utf-8")

    # Nothing is said twice: not by the next refresh, nor after a restart, nor at the old dates.
    await sim.advance(DAY)
    await sim.restart_bot()
    for instant in (at("2026-03-06", "09:00"), at("2026-03-13", "09:00"), at("2026-03-20", "09:00")):
        await sim.advance(instant - sim.now())
    for _, _, news, _ in servers:
        texts = [text(m) for m in posts(sim, news)]
        assert sum("Release date changed" in t for t in texts) == 1, texts
        assert [t for t in texts if "to go" in t] == [t for t in texts if "**14 days to go.**" in t], texts
        assert len(texts) == 2, texts  # the notice, then 14 days before 3 April: nothing at the old 14 and 7 days
    assert sim.dms(fan) == []  # both reminders are now in April
    for instant in moved:
        await sim.advance(instant - sim.now())
    assert [m.timestamp for m in sim.dms(fan)] == moved


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_refresh_from_the_command_line_reaches_the_running_bot_within_a_minute(
    sim: Sim, tmdb: TmdbSim, tmp_path: Path
) -> None:
    await start_with_imported_film(sim, tmdb, tmp_path, refresh="off")
    _, _, news, _ = await announcing_server(sim, "Heist Fans")
    tmdb.world.move_release(FILM, "US", type=3, new_date="2026-04-03")
    settings = load_settings(None, {**sim.env(), "MARQUEE_DATABASE_PATH": str(sim.database_path)})
    assert await refresh_packs(settings, [], apply=True) == 0
    assert [m for m in posts(sim, news) if "Release date changed" in text(m)] == []
    await sim.advance(timedelta(minutes=1))
    changed = [m for m in posts(sim, news) if "Release date changed" in text(m)]
    assert len(changed) == 1 and "Friday, April 3, 2026" in text(changed[0])
    await sim.advance(timedelta(minutes=5))
    assert len([m for m in posts(sim, news) if "Release date changed" in text(m)]) == 1
