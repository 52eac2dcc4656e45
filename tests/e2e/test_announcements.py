"""Release countdowns and scheduled announcements, end to end on the shared clock.

The clock only moves when a test moves it, and a post goes out when the clock reaches (or has
passed) its time, stamped with the clock's time. So a test steps the clock to the exact instant a
post is due and checks that exactly then, and only then, one post appeared, not marked late.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.discord_sim import Reply, Sim, SimError
from tests.discord_sim.harness import GuildHandle

DAY = timedelta(days=1)
NOT_A_TIME = "is not a time of day; use 24-hour HH:MM such as 09:00 or 18:30."
POST = "POST /channels/{channel_id}/messages"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
DEFAULT_DAYS = (100, 60, 30, 21, 14, 7, 6, 5, 4, 3, 2, 1, 0)
LATE = "Posted late"


# ---- helpers ------------------------------------------------------------------------------------------------
def at(day: str | date, hhmm: str, tz: ZoneInfo | Any = UTC) -> datetime:
    """The UTC instant of wall time `hhmm` on `day` in `tz`."""
    when = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(when, time.fromisoformat(hhmm), tz).astimezone(UTC)


async def advance_to(sim: Sim, instant: datetime) -> None:
    delta = instant - sim.now()
    assert delta >= timedelta(0), f"{instant} is already past (now {sim.now()})"
    await sim.advance(delta)


def posts(sim: Sim, channel: Any) -> list[Any]:
    """The bot's own posts with an embed in `channel` (not answers to commands), oldest first."""
    bot_id = sim.world.bot_user.id
    return [
        m
        for m in sim.channel_messages(channel)
        if m.author.id == bot_id and m.embeds and m.interaction_id is None and m.type == 0
    ]


def text(message: Any) -> str:
    return str(message.embeds[0].get("description", ""))


def footer(message: Any) -> str:
    return str((message.embeds[0].get("footer") or {}).get("text", ""))


def sends_to(sim: Sim, channel: Any) -> list[Any]:
    """Every attempt to post in `channel`, whatever the answer."""
    return [r for r in sim.requests_to(POST) if r.params.get("channel_id") == str(channel.id)]


def field(embed: dict[str, Any], name: str) -> str:
    for item in embed.get("fields") or []:
        if name in item["name"]:
            return str(item["value"])
    raise AssertionError(f"no field {name!r} in {embed}")


def has_field(embed: dict[str, Any], name: str) -> bool:
    return any(name in item["name"] for item in embed.get("fields") or [])


def stamp(instant: datetime) -> str:
    return f"<t:{int(instant.timestamp())}:f>"


def said(reply: Reply) -> str:
    """The text of a command's answer ("" for an embed-only one)."""
    return reply.content or ""


def followup_texts(reply: Reply) -> list[str]:
    return [m.content for m in reply.followups]


async def server(sim: Sim, name: str = "MI Fans") -> tuple[GuildHandle, Any, Any, Any]:
    # Discord's 5 posts per 5 s per channel is real time; these tests post a season's worth in
    # seconds, which no server ever sees. Relax it so the bot never waits real seconds on it.
    sim.ratelimits.configure(POST, 50, 1.0)
    guild = await sim.create_guild(name)
    news = await guild.create_channel("news")
    admin = await sim.create_user(f"{name.split()[0].lower()}-admin", guild=guild, admin=True)
    return guild, guild.channel("general"), news, admin


async def add_event(sim: Sim, admin: Any, channel: Any, name: str, day: str, **options: Any) -> None:
    added = await sim.slash(admin, channel, "event add", name=name, date=day, **options)
    assert not added.ephemeral and said(added) == f"Added **{name}**.", said(added)


async def announce(sim: Sim, admin: Any, channel: Any, news: Any, **options: Any) -> Reply:
    options.setdefault("time", "09:00")
    options.setdefault("timezone", "UTC")
    reply = await sim.slash(admin, channel, "settings announcements set", channel=news, **options)
    assert reply.ephemeral and f"• Channel: <#{news.id}>" in said(reply), said(reply)
    return reply


async def status(sim: Sim, admin: Any, channel: Any) -> dict[str, Any]:
    reply = await sim.slash(admin, channel, "settings announcements status")
    assert reply.ephemeral and len(reply.embeds) == 1, reply.embeds
    return reply.embeds[0]


async def next_post_at(sim: Sim, admin: Any, channel: Any) -> datetime:
    """When the first of the status's "Next posts" is due."""
    first = field(await status(sim, admin, channel), "Next posts").splitlines()[0]
    return datetime.fromtimestamp(int(first.split(":")[1]), UTC)


async def expect_one_post_at(sim: Sim, news: Any, instant: datetime, wanted: str) -> Any:
    """Step the clock to `instant`: exactly one new post, stamped then, on time, saying `wanted`."""
    before = len(posts(sim, news))
    await advance_to(sim, instant)
    new = posts(sim, news)[before:]
    assert len(new) == 1, f"at {instant}: expected one post, got {[text(m) for m in new]}"
    message = new[0]
    assert message.timestamp == instant
    assert wanted in text(message), text(message)
    assert LATE not in footer(message)
    return message


# ---- milestones, times and DST ------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_posts_go_out_at_the_local_time_on_listed_milestones_or_daily_across_dst(sim: Sim) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Watch party", "2026-04-20")
    reply = await announce(sim, admin, general, news, timezone="Europe/London", milestones="30, 7,1 ,0")
    assert "• Time: 09:00 (Europe/London)" in said(reply)
    assert "• Posts: 30, 7, 1 days before, and release day" in said(reply)
    _, daily_general, daily_news, daily_admin = await server(sim, "Daily Fans")
    await add_event(sim, daily_admin, daily_general, "Marathon", "2026-03-05")
    reply = await announce(sim, daily_admin, daily_general, daily_news, milestones="daily", time="18:30")
    assert "• Posts: every day from 100 days before release" in said(reply)
    # London moves to summer time on 29 March: 09:00 local is 09:00 UTC before, 08:00 UTC after.
    expected = [
        (at("2026-03-21", "09:00", LONDON), "**30 days to go.**"),
        (at("2026-04-13", "09:00", LONDON), "**7 days to go.**"),
        (at("2026-04-19", "09:00", LONDON), "**1 day to go.**"),
        (at("2026-04-20", "09:00", LONDON), "**Today!** Watch party"),
    ]
    assert expected[0][0].hour == 9 and expected[1][0].hour == 8
    upcoming = field(await status(sim, admin, general), "Next posts")
    assert upcoming.splitlines() == [
        f"{stamp(expected[0][0])}: Watch party: 30 days to go",
        f"{stamp(expected[1][0])}: Watch party: 7 days to go",
        f"{stamp(expected[2][0])}: Watch party: 1 day to go",
        f"{stamp(expected[3][0])}: Watch party: release day",
    ]
    # Daily: today's 18:30 is still to come; the days from 100 to 5 before are past.
    for day, wanted in [
        ("2026-03-01", "**4 days to go.**"),
        ("2026-03-02", "**3 days to go.**"),
        ("2026-03-03", "**2 days to go.**"),
        ("2026-03-04", "**1 day to go.**"),
        ("2026-03-05", "**Today!** Marathon"),
    ]:
        await expect_one_post_at(sim, daily_news, at(day, "18:30"), wanted)
    assert posts(sim, news) == []
    for instant, wanted in expected:
        message = await expect_one_post_at(sim, news, instant, wanted)
        assert message.timestamp.astimezone(LONDON).time() == time(9, 0)
    await sim.advance(3 * DAY)
    assert len(posts(sim, news)) == 4 == len(sends_to(sim, news))
    assert len(posts(sim, daily_news)) == 5 == len(sends_to(sim, daily_news))
    assert posts(sim, general) == posts(sim, daily_general) == []  # nothing strays into another channel


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_two_servers_in_different_timezones_each_get_every_default_milestone_once(sim: Sim) -> None:
    _, uk_general, uk_news, uk_admin = await server(sim, "UK Fans")
    _, us_general, us_news, us_admin = await server(sim, "US Fans")
    for admin, general in ((uk_admin, uk_general), (us_admin, us_general)):
        await add_event(sim, admin, general, "Summer premiere", "2026-06-10")
    await announce(sim, uk_admin, uk_general, uk_news, timezone="Europe/London")
    await announce(sim, us_admin, us_general, us_news, timezone="America/New_York")
    # 100 days before is 2 March: New York changes clocks on 8 March, London on 29 March.
    due = sorted(
        [(at(date(2026, 6, 10) - d * DAY, "09:00", LONDON), uk_news, d) for d in DEFAULT_DAYS]
        + [(at(date(2026, 6, 10) - d * DAY, "09:00", NEW_YORK), us_news, d) for d in DEFAULT_DAYS],
        key=lambda item: item[0],
    )
    seen: dict[int, list[int]] = {uk_news.id: [], us_news.id: []}
    for instant, channel, days in due:
        other = us_news if channel is uk_news else uk_news
        others_before = len(posts(sim, other))
        wanted = "**Today!**" if days == 0 else f"**{days} day{'s' if days > 1 else ''} to go.**"
        await expect_one_post_at(sim, channel, instant, wanted)
        assert len(posts(sim, other)) == others_before, f"#{other.name} posted off schedule by {instant}"
        seen[channel.id].append(days)
    await sim.advance(2 * DAY)
    for channel, tz in ((uk_news, LONDON), (us_news, NEW_YORK)):
        sent = posts(sim, channel)
        assert len(sent) == len(DEFAULT_DAYS) == len(sends_to(sim, channel))
        assert {m.timestamp.astimezone(tz).time() for m in sent} == {time(9, 0)}
        assert seen[channel.id] == list(DEFAULT_DAYS)
    # Standard time for the first post, summer time for the rest: the UTC hour moved, the local one did not.
    assert [m.timestamp.hour for m in posts(sim, uk_news)] == [9] + [8] * 12
    assert [m.timestamp.hour for m in posts(sim, us_news)] == [14] + [13] * 12


# ---- pings -------------------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_only_the_chosen_role_is_pinged_and_a_preview_pings_nobody(sim: Sim) -> None:
    guild, general, news, admin = await server(sim)
    fans = await guild.create_role("Fans", mentionable=True)
    fan = await sim.create_user("fan", guild=guild, roles=[fans])
    bystander = await sim.create_user("bystander", guild=guild)
    not_set = await sim.slash(admin, general, "settings announcements test")
    assert not_set.ephemeral and said(not_set).startswith("Announcements are not set up"), said(not_set)
    # The event's own text names a member and @everyone: only the chosen role is ever pinged.
    await add_event(sim, admin, general, "Premiere", "2026-03-03", description=f"Bring <@{bystander.id}>, @everyone!")
    reply = await announce(sim, admin, general, news, milestones="1,0", role=fans)
    assert f"• Ping: <@&{fans.id}>" in said(reply)
    tested = await sim.slash(admin, general, "settings announcements test")
    assert tested.ephemeral
    assert said(tested) == f"Posted a preview in <#{news.id}>. Real posts will ping <@&{fans.id}>."
    (preview,) = posts(sim, news)
    assert footer(preview) == "Preview: scheduled posts look like this."
    assert preview.embeds[0]["title"] == "📅 Premiere" and "**2 days** to go" in text(preview)
    assert sim.pings(fan) == [] and sim.pings(bystander) == [] and sim.pings(admin) == []
    first = await expect_one_post_at(sim, news, at("2026-03-02", "09:00"), "**1 day to go.**")
    assert first.content == f"<@&{fans.id}>"
    assert sim.pings(fan) == [first]
    assert sim.pings(bystander) == [] and sim.pings(admin) == []
    cleared = await announce(sim, admin, general, news, clear_role=True)
    assert "• Ping: nobody" in said(cleared)
    second = await expect_one_post_at(sim, news, at("2026-03-03", "09:00"), "**Today!** Premiere")
    assert second.content == ""
    assert sim.pings(fan) == [first] and sim.pings(bystander) == [] and sim.pings(admin) == []


async def delete_role(sim: Sim, guild: GuildHandle, role: Any) -> None:
    """An admin deletes a role in Discord: it leaves the server and its members, and the gateway says so."""
    del guild.model.roles[role.id]
    for member in guild.model.members.values():
        if role.id in member.roles:
            member.roles.remove(role.id)
    await sim.server.gateway.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)})
    await sim.settle()


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_ping_role_deleted_after_it_was_set_is_no_longer_mentioned_and_an_admin_is_told_once(
    sim: Sim,
) -> None:
    guild, general, news, admin = await server(sim)
    fans = await guild.create_role("Fans", mentionable=True)
    await sim.create_user("fan", guild=guild, roles=[fans])
    await add_event(sim, admin, general, "Premiere", "2026-03-04")
    await announce(sim, admin, general, news, milestones="2,1,0", role=fans)
    first = await expect_one_post_at(sim, news, at("2026-03-02", "09:00"), "**2 days to go.**")
    assert first.content == f"<@&{fans.id}>"
    await delete_role(sim, guild, fans)
    second = await expect_one_post_at(sim, news, at("2026-03-03", "09:00"), "**1 day to go.**")
    assert second.content == "" and str(fans.id) not in repr(second.mention_roles)
    told = await sim.slash(admin, general, "event list")
    (notice,) = told.followups
    assert notice.ephemeral and "the role to ping was deleted" in (notice.content or ""), notice.content
    assert followup_texts(await sim.slash(admin, general, "event list")) == []
    assert "• Ping: nobody" in (await status(sim, admin, general))["description"]
    third = await expect_one_post_at(sim, news, at("2026-03-04", "09:00"), "**Today!**")
    assert third.content == ""


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_event_list_pages_through_every_event_instead_of_dropping_those_past_the_embed_limit(sim: Sim) -> None:
    _, general, _, admin = await server(sim)
    names = [f"{number:02d} " + "Watch party at the old Odeon with friends " * 2 for number in range(40)]
    for number, name in enumerate(names):
        await add_event(sim, admin, general, name.strip(), (date(2026, 4, 1) + timedelta(days=number)).isoformat())
    reply = await sim.slash(admin, general, "event list")
    assert reply.ephemeral
    seen = [reply.embeds[0]]
    while True:
        buttons = {button.get("label"): button for button in reply.buttons()}
        if not buttons or buttons["Next"].get("disabled"):
            break
        reply = await sim.click(admin, reply, label="Next")
        seen.append(reply.embeds[0])
    assert len(seen) == 2 and seen[0]["title"] == "Server events (1 of 2)"
    listed = "\n".join(page["description"] for page in seen)
    assert [line.split("**")[1] for line in listed.splitlines()] == [name.strip() for name in names]


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_preview_post_takes_its_turn_in_the_shared_pace(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    _, general, news, admin = await server(sim)
    await announce(sim, admin, general, news)
    pacer = sim.client.pacer
    turns = 0
    wait_turn = pacer.wait_turn

    async def counted() -> float:
        nonlocal turns
        turns += 1
        return await wait_turn()

    monkeypatch.setattr(pacer, "wait_turn", counted)
    tested = await sim.slash(admin, general, "settings announcements test")
    assert tested.ephemeral and len(sends_to(sim, news)) == 1 and turns == 1


# ---- restarts, downtime and the grace window ---------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_restarts_mid_span_neither_lose_nor_double_a_post(sim: Sim) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-09")
    await announce(sim, admin, general, news, milestones="7,3,1,0")
    await expect_one_post_at(sim, news, at("2026-03-02", "09:00"), "**7 days to go.**")
    await advance_to(sim, at("2026-03-06", "08:59"))
    await sim.restart_bot()  # with one post sent and one due in a minute
    assert len(posts(sim, news)) == 1
    await expect_one_post_at(sim, news, at("2026-03-06", "09:00"), "**3 days to go.**")
    # The 1-day post falls due while the bot restarts: it goes out as it comes back, once, on time.
    await advance_to(sim, at("2026-03-08", "08:59:30"))
    await sim.stop_bot()
    await advance_to(sim, at("2026-03-08", "09:00"))
    await sim.start_bot()
    await sim.advance(timedelta(0))
    (third,) = posts(sim, news)[2:]
    assert "**1 day to go.**" in text(third) and LATE not in footer(third)
    assert third.timestamp == at("2026-03-08", "09:00")
    await expect_one_post_at(sim, news, at("2026-03-09", "09:00"), "**Today!**")
    await sim.restart_bot()
    await sim.advance(2 * DAY)
    assert len(posts(sim, news)) == 4 == len(sends_to(sim, news))
    recent = field(await status(sim, admin, general), "Last posts")
    assert recent.count("✅ sent") == 4 and "late" not in recent


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_after_downtime_a_post_within_the_grace_window_goes_out_late_and_an_older_one_is_skipped(
    sim: Sim,
) -> None:
    _, early_general, early_news, early_admin = await server(sim, "Early Fans")
    _, late_general, late_news, late_admin = await server(sim, "Late Fans")
    for admin, general, news, hhmm in (
        (early_admin, early_general, early_news, "08:29"),
        (late_admin, late_general, late_news, "09:00"),
    ):
        await add_event(sim, admin, general, "Premiere", "2026-03-04")
        await announce(sim, admin, general, news, milestones="1,0", time=hhmm)
    await advance_to(sim, at("2026-03-03", "02:00"))
    await sim.stop_bot()
    # Back at 14:30: the 1-day posts were due 6 h 01 (08:29) and 5 h 30 (09:00) ago; the grace is 6 h.
    await advance_to(sim, at("2026-03-03", "14:30"))
    assert posts(sim, early_news) == posts(sim, late_news) == []
    await sim.start_bot()
    await sim.advance(timedelta(seconds=1))
    (late,) = posts(sim, late_news)
    assert "**1 day to go.** Premiere" in text(late)
    assert footer(late) == "Posted late: Marquee was offline at the planned time."
    recent = field(await status(sim, late_admin, late_general), "Last posts")
    assert recent.startswith("⏰ sent late ") and recent.endswith(": Premiere: 1 day to go"), recent
    assert posts(sim, early_news) == [] and sends_to(sim, early_news) == []
    embed = await status(sim, early_admin, early_general)
    (skipped,) = field(embed, "Last posts").splitlines()
    assert skipped.startswith("⏭️ skipped ") and skipped.endswith(
        ": Premiere: 1 day to go (missed: Marquee was offline when it was due, and the grace window had passed)"
    )
    assert field(embed, "Next posts") == f"{stamp(at('2026-03-04', '08:29'))}: Premiere: release day"
    # The skipped post never comes back and the late one is not repeated; the next ones are on time.
    await expect_one_post_at(sim, early_news, at("2026-03-04", "08:29"), "**Today!** Premiere")
    await expect_one_post_at(sim, late_news, at("2026-03-04", "09:00"), "**Today!** Premiere")
    await sim.advance(DAY)
    assert len(posts(sim, early_news)) == 1 == len(sends_to(sim, early_news))
    assert len(posts(sim, late_news)) == 2 == len(sends_to(sim, late_news))


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_the_grace_window_holds_at_every_send_when_the_clock_jumps_while_the_bot_runs(sim: Sim) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-06")
    await announce(sim, admin, general, news, milestones="4,3,2,1,0")
    await sim.advance(timedelta(0))
    # The clock jumps (or the loop stalls) from before the 4-day post to 5 h after the 2-day one.
    await advance_to(sim, at("2026-03-04", "14:00"))
    (late,) = posts(sim, news)
    assert "**2 days to go.**" in text(late) and LATE in footer(late)
    lines = field(await status(sim, admin, general), "Last posts").splitlines()
    skipped = [line for line in lines if line.startswith("⏭️ skipped ")]
    assert len(skipped) == 2 and all("past the grace window" in line for line in skipped), lines
    await expect_one_post_at(sim, news, at("2026-03-05", "09:00"), "**1 day to go.**")
    assert len(sends_to(sim, news)) == 2


# ---- lasting failures: pause, tell an admin once, resume -----------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_deleted_channel_pauses_announcements_and_an_admin_is_told_once(sim: Sim) -> None:
    guild, general, news, admin = await server(sim)
    member = await sim.create_user("member", guild=guild)
    await add_event(sim, admin, general, "Premiere", "2026-03-10")
    await announce(sim, admin, general, news, milestones="7,3,1,0")
    await sim.delete_channel(news)
    await advance_to(sim, at("2026-03-03", "09:00"))
    (attempt,) = sends_to(sim, news)
    assert attempt.status == 404
    # Past the 3-day post (7 March 09:00) and its grace window: paused, so not even tried.
    await advance_to(sim, at("2026-03-07", "16:00"))
    assert len(sends_to(sim, news)) == 1
    # A member's command says nothing; the first admin command after the failure tells, once.
    quiet = await sim.slash(member, general, "countdown")
    assert not quiet.ephemeral and followup_texts(quiet) == []
    told = await sim.slash(admin, general, "event list")
    assert told.ephemeral
    (notice,) = told.followups
    assert notice.ephemeral
    assert notice.content == (
        "⚠️ Release announcements are paused: the channel was deleted. "
        "Fix that, then run `/settings announcements set` to resume them."
    )
    assert followup_texts(await sim.slash(admin, general, "event list")) == []
    await sim.restart_bot()
    assert followup_texts(await sim.slash(admin, general, "countdown")) == []
    # The restart came 7 h after the 3-day post's time, but the bot was not offline then: the post
    # waits for the pause to end like the others, and is not recorded as missed while offline.
    embed = await status(sim, admin, general)
    assert field(embed, "Paused").startswith("the channel was deleted.")
    (failed,) = field(embed, "Last posts").splitlines()
    assert failed.startswith("❌ failed ") and failed.endswith("Premiere: 7 days to go (the channel was deleted)")
    # Setting a channel that works resumes. The post due while paused is past its grace window.
    fresh = await guild.create_channel("news-2")
    await announce(sim, admin, general, fresh)
    embed = await status(sim, admin, general)
    assert not has_field(embed, "Paused")
    assert (
        field(embed, "Last posts")
        .splitlines()[0]
        .endswith("Premiere: 3 days to go (missed: announcements were paused when it was due)")
    )
    await expect_one_post_at(sim, fresh, at("2026-03-09", "09:00"), "**1 day to go.**")
    await expect_one_post_at(sim, fresh, at("2026-03-10", "09:00"), "**Today!**")
    await sim.advance(DAY)
    assert len(posts(sim, fresh)) == 2 and len(sends_to(sim, news)) == 1
    assert followup_texts(await sim.slash(admin, general, "event list")) == []


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_removed_permission_pauses_announcements_until_they_are_set_again(sim: Sim) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-05")
    await announce(sim, admin, general, news, milestones="3,2,1,0")
    await sim.set_bot_permissions(news, send_messages=False)
    await advance_to(sim, at("2026-03-02", "09:00"))
    (attempt,) = sends_to(sim, news)
    assert attempt.status == 403
    await advance_to(sim, at("2026-03-03", "11:00"))  # 2 h after the 2-day post's time
    assert len(sends_to(sim, news)) == 1 and posts(sim, news) == []
    embed = await status(sim, admin, general)
    assert field(embed, "Paused").startswith("Marquee is missing a permission in the channel")
    # status showed the pause, so no separate notice follows.
    assert followup_texts(await sim.slash(admin, general, "event list")) == []
    refused = await sim.slash(admin, general, "settings announcements set", channel=news)
    assert refused.ephemeral and said(refused).startswith(f"I can't post in <#{news.id}>"), said(refused)
    assert has_field(await status(sim, admin, general), "Paused")
    await sim.set_bot_permissions(news, send_messages=True)
    await announce(sim, admin, general, news)
    # Resumed: the post that fell due during the pause is within the grace window and goes out now, late.
    (late,) = posts(sim, news)
    assert "**2 days to go.**" in text(late) and LATE in footer(late)
    assert late.timestamp == at("2026-03-03", "11:00")
    await expect_one_post_at(sim, news, at("2026-03-04", "09:00"), "**1 day to go.**")
    await expect_one_post_at(sim, news, at("2026-03-05", "09:00"), "**Today!**")
    assert len(sends_to(sim, news)) == 4


# ---- passing failures: backoff and giving up ---------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_passing_failure_is_retried_after_backoff_and_eight_of_them_fail_the_post(sim: Sim) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-04")
    await announce(sim, admin, general, news, milestones="2,1,0")
    # One 503: tried again 30 s later, and posted once.
    sim.fail_next(POST, status=503)
    await advance_to(sim, at("2026-03-02", "09:00"))
    assert [r.status for r in sends_to(sim, news)] == [503] and posts(sim, news) == []
    await sim.advance(timedelta(seconds=29))
    assert len(sends_to(sim, news)) == 1
    await sim.advance(timedelta(seconds=1))
    assert [r.status for r in sends_to(sim, news)] == [503, 200]
    (message,) = posts(sim, news)
    assert "**2 days to go.**" in text(message)
    assert message.timestamp == at("2026-03-02", "09:00:30") and LATE not in footer(message)
    assert field(await status(sim, admin, general), "Last posts").startswith("✅ sent")
    # Eight 503s: the post is failed after the eighth try, and nothing else is held up.
    sim.fail_next(POST, status=503, times=8)
    await advance_to(sim, at("2026-03-03", "09:00"))
    # Backoff doubles from 30 s (the seventh wait is 32 minutes); each retry is made when it is due,
    # well within the grace window (a retry past it would be skipped as overdue).
    for tries in range(1, 8):
        await sim.advance(timedelta(seconds=30 * 2 ** (tries - 1)))
    assert [r.status for r in sends_to(sim, news)] == [503, 200] + [503] * 8
    assert len(posts(sim, news)) == 1
    embed = await status(sim, admin, general)
    assert not has_field(embed, "Paused")
    assert field(embed, "Next posts") == f"{stamp(at('2026-03-04', '09:00'))}: Premiere: release day"
    failed = field(embed, "Last posts").splitlines()[0]
    assert failed.startswith("❌ failed ")
    assert failed.endswith(": Premiere: 1 day to go (gave up after 8 tries: Discord answered 503)")
    # Not tried a ninth time; the next post goes out as planned.
    await expect_one_post_at(sim, news, at("2026-03-04", "09:00"), "**Today!**")
    assert [r.status for r in sends_to(sim, news)] == [503, 200] + [503] * 8 + [200]


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_retry_after_the_nonce_window_finds_the_post_an_unanswered_try_made_instead_of_posting_again(
    sim: Sim,
) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-04")
    await announce(sim, admin, general, news, milestones="2,1,0")
    sim.timeout = 40.0  # discord.py retries a 502 four times itself, 16 real seconds
    # Discord creates the post but answers 502 (to discord.py's own retries too: the nonce returns the same
    # message each time), then 503 to the bot's retries at +30 s, +90 s and +210 s.
    sim.fail_next(POST, status=502, after_commit=True, times=5)
    refusals = sim.fail_next(POST, status=503, times=3)
    due = at("2026-03-02", "09:00")
    await advance_to(sim, due)
    (created,) = posts(sim, news)
    for seconds in (30, 90, 210, 450):
        await advance_to(sim, due + timedelta(seconds=seconds))
    # By +450 s Discord has forgotten the nonce (5 minutes): a blind resend would post again. From the
    # first retry more than a minute after the first try, the bot looks for the post first and keeps it.
    assert posts(sim, news) == [created]
    assert [r.status for r in sends_to(sim, news)] == [502] * 5 + [503]
    assert [r for r in sim.requests_to("GET /channels/{channel_id}/messages") if r.status == 200]
    recent = field(await status(sim, admin, general), "Last posts")
    assert recent.startswith("✅ sent ") and recent.endswith(": Premiere: 2 days to go"), recent
    sim.server.faults.remove(refusals)
    # Nothing else is held up or doubled: the next post goes out once, on time.
    await expect_one_post_at(sim, news, at("2026-03-03", "09:00"), "**1 day to go.**")
    assert len(posts(sim, news)) == 2


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_without_read_message_history_a_late_retry_gives_up_and_tells_rather_than_risk_a_double(
    sim: Sim,
) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-04")
    await announce(sim, admin, general, news, milestones="2,1,0")
    await sim.set_bot_permissions(news, read_message_history=False)
    sim.fail_next(POST, status=503, after_commit=True)
    refusal = sim.fail_next(POST, status=503)
    due = at("2026-03-02", "09:00")
    await advance_to(sim, due)
    (created,) = posts(sim, news)
    await advance_to(sim, due + timedelta(seconds=30))
    await advance_to(sim, due + timedelta(hours=6))
    # Discord would list no messages at all: the bot cannot tell, so it does not post again.
    assert posts(sim, news) == [created] and [r.status for r in sends_to(sim, news)] == [503, 503]
    assert refusal not in sim.server.faults
    told = await sim.slash(admin, general, "event list")
    (notice,) = told.followups
    assert notice.ephemeral and "Read Message History" in (notice.content or ""), notice.content
    refused = await sim.slash(admin, general, "settings announcements set", channel=news)
    assert refused.ephemeral and "Read Message History" in said(refused), said(refused)
    await sim.set_bot_permissions(news, read_message_history=True)
    await announce(sim, admin, general, news)
    await expect_one_post_at(sim, news, at("2026-03-03", "09:00"), "**1 day to go.**")


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_channel_too_busy_to_check_fails_that_post_alone_without_pausing(
    sim: Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import delivery

    # Two messages, one a page, stand in for a thousand: the look-up gives up after reading them.
    monkeypatch.setattr(delivery, "HISTORY_PAGE", 1)
    monkeypatch.setattr(delivery, "HISTORY_LIMIT", 2)
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-04")
    await announce(sim, admin, general, news, milestones="2,1,0")
    sim.fail_next(POST, status=503, times=2)
    due = at("2026-03-02", "09:00")
    await advance_to(sim, due)
    for _ in range(3):
        await sim.slash(admin, news, "countdown")  # answers in the channel, newer than the first try
    await advance_to(sim, due + timedelta(seconds=30))
    await advance_to(sim, due + timedelta(seconds=90))
    assert posts(sim, news) == [] and [r.status for r in sends_to(sim, news)] == [503, 503]
    embed = await status(sim, admin, general)
    assert not has_field(embed, "Paused")
    (failed,) = field(embed, "Last posts").splitlines()
    assert failed.startswith("❌ failed ") and "whether it was posted is unknown" in failed, failed
    await expect_one_post_at(sim, news, at("2026-03-03", "09:00"), "**1 day to go.**")


# ---- release date changes ----------------------------------------------------------------------------------
PACK = """\
[pack]
id = "e2e-vault-line"
name = "Vault Line (test pack)"
version = "{version}"

[[source]]
key = "notes"
ref = "https://example.com/vault-line"

[[film]]
key = "vault-line"
title = "Vault Line"
year = 2026
source = "notes"

[[film.release]]
country = "US"
date = "{day}"
type = 3
source = "notes"
"""


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_release_date_change_is_announced_once_and_the_countdown_follows_it(sim: Sim) -> None:
    pack = Path(sim.tmp_path) / "vault-line.toml"
    pack.write_text(PACK.format(version="1.0.0", day="2026-03-20"), encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    _, general, news, admin = await server(sim)
    await announce(sim, admin, general, news, milestones="14,7,1,0", region="US")
    await expect_one_post_at(sim, news, at("2026-03-06", "09:00"), "**14 days to go.** Vault Line opens in")
    await advance_to(sim, at("2026-03-08", "12:00"))
    pack.write_text(PACK.format(version="1.0.1", day="2026-04-03"), encoding="utf-8")
    await sim.restart_bot()
    await sim.advance(timedelta(seconds=1))
    changed = [m for m in posts(sim, news) if "Release date changed" in text(m)]
    assert len(changed) == 1, [text(m) for m in posts(sim, news)]
    assert "Friday, March 20, 2026 → Friday, April 3, 2026" in text(changed[0])
    assert LATE not in footer(changed[0])
    await sim.restart_bot()
    await sim.advance(DAY)
    assert len(posts(sim, news)) == 2  # no second notice, nothing for the old 7-day mark (13 March)
    # The countdown now follows 3 April: 14 days before is 20 March, the old release day.
    await expect_one_post_at(sim, news, at("2026-03-20", "09:00"), "**14 days to go.**")
    await expect_one_post_at(sim, news, at("2026-03-27", "09:00"), "**7 days to go.**")
    await expect_one_post_at(sim, news, at("2026-04-02", "09:00"), "**1 day to go.**")
    await expect_one_post_at(sim, news, at("2026-04-03", "09:00"), "**Out today in")
    await sim.advance(2 * DAY)
    assert len(posts(sim, news)) == 6 == len(sends_to(sim, news))


TMDB_PACK = """\
[pack]
id = "e2e-from-tmdb"
name = "Harbour Lights (test pack from TMDB)"
version = "1.0.0"

[tmdb]
language = "en-US"
movies = [4242]

[[source]]
key = "tmdb"
ref = "https://www.themoviedb.org/movie/4242"

[[film]]
key = "harbour-lights"
title = "Harbour Lights"
year = 2026
tmdb_id = 4242
poster = "https://image.tmdb.org/t/p/w500/harbour-lights.jpg"
source = "tmdb"

[[film.alias]]
title = "Hafenlichter"
language = "de"
kind = "translation"
source = "tmdb"

[[film.release]]
country = "US"
date = "2026-03-20"
type = 3
source = "tmdb"
"""


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_film_with_a_poster_is_announced_with_it_and_its_card_carries_tmdbs_notice(sim: Sim) -> None:
    pack = Path(sim.tmp_path) / "from-tmdb.toml"
    pack.write_text(TMDB_PACK, encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    _, general, news, admin = await server(sim)
    await announce(sim, admin, general, news, milestones="14", region="US")
    post = await expect_one_post_at(sim, news, at("2026-03-06", "09:00"), "**14 days to go.** Harbour Lights opens")
    assert post.embeds[0]["thumbnail"]["url"] == "https://image.tmdb.org/t/p/w500/harbour-lights.jpg"
    card = (await sim.slash(admin, general, "film info", title="Hafenlichter")).embeds[0]
    assert card["title"] == "Harbour Lights (2026)"
    assert card["thumbnail"]["url"] == "https://image.tmdb.org/t/p/w500/harbour-lights.jpg"
    assert card["footer"]["text"].endswith("This product uses the TMDB API but is not endorsed or certified by TMDB.")
    bundled = (await sim.slash(admin, general, "film info", title="fallout")).embeds[0]
    assert "thumbnail" not in bundled and "TMDB" not in bundled["footer"]["text"]


# ---- servers that remove the bot ---------------------------------------------------------------------------
GUILD_DATA = ("announcement_settings", "announcement_dates", "announcement_posts", "guild_events")


def rows_for(database: Path, table: str, guild_id: int) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?", (guild_id,)).fetchone()[0])


def data_of(sim: Sim, guild: GuildHandle) -> dict[str, int]:
    return {table: rows_for(sim.database_path, table, guild.id) for table in GUILD_DATA}


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_removed_servers_data_goes_after_the_grace_an_unavailable_or_returning_ones_stays(sim: Sim) -> None:
    names = ("Gone Fans", "Outage Fans", "Back Fans", "Returning Fans")
    servers = [await server(sim, name) for name in names]
    for _, general, news, admin in servers:
        await add_event(sim, admin, general, "Far premiere", "2026-03-20")
        await announce(sim, admin, general, news, milestones="10,0")
    (gone, _, gone_news, _), (outage, *_), (back, *_), (returning, *_) = servers
    stored = {guild.id: data_of(sim, guild) for guild, *_ in servers}
    assert all(count > 0 for counts in stored.values() for count in counts.values()), stored
    await sim.remove_bot(gone)
    await sim.remove_bot(outage, unavailable=True)
    await sim.remove_bot(back)
    await sim.remove_bot(returning)
    await sim.advance(3 * DAY)
    await sim.restore_guild(back)  # added back within the grace, while the bot runs
    await sim.restore_guild(outage)  # the outage ends
    await sim.stop_bot()
    await sim.restore_guild(returning)  # added back within the grace, while the bot is offline
    await sim.start_bot()
    await sim.advance(5 * DAY)  # 8 days after the removals
    assert set(data_of(sim, gone).values()) == {0}
    assert rows_for(sim.database_path, "guild_departures", gone.id) == 0
    for kept in (outage, back, returning):
        assert data_of(sim, kept) == stored[kept.id], kept.name
        assert rows_for(sim.database_path, "guild_departures", kept.id) == 0, kept.name
    # The servers that added the bot back are announced to again; the one that removed it never is.
    for _, general, _, admin in servers[1:]:
        assert not has_field(await status(sim, admin, general), "Paused")
    await advance_to(sim, at("2026-03-10", "09:00"))
    for _, _, news, _ in servers[1:]:
        (post,) = posts(sim, news)
        assert "**10 days to go.**" in text(post) and post.timestamp == sim.now() and LATE not in footer(post)
    assert sends_to(sim, gone_news) == []


# ---- /countdown, /event, and what /settings announcements set accepts -------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_countdown_shows_the_next_target_or_the_one_asked_for(sim: Sim) -> None:
    guild, general, _, admin = await server(sim)
    fan = await sim.create_user("fan", guild=guild)
    nothing = await sim.slash(fan, general, "countdown")
    assert nothing.ephemeral and said(nothing).startswith("Nothing is coming up."), said(nothing)
    await add_event(sim, admin, general, "Watch party", "2026-03-11", time="20:00")
    await add_event(sim, admin, general, "Trailer drop", "2026-03-04")
    nearest = await sim.slash(fan, general, "countdown")
    assert not nearest.ephemeral
    assert nearest.embeds[0]["title"] == "📅 Trailer drop" and "**3 days** to go" in nearest.embeds[0]["description"]
    chosen = await sim.slash(fan, general, "countdown", target="watch PARTY")
    assert chosen.embeds[0]["title"] == "📅 Watch party"
    starts = int(at("2026-03-11", "20:00").timestamp())
    assert chosen.embeds[0]["description"] == f"Watch party starts <t:{starts}:R> (<t:{starts}:F>): **10 days** to go."
    film = await sim.slash(fan, general, "countdown", target="Fallout")
    assert film.embeds[0]["title"] == "🎬 Mission: Impossible – Fallout"
    assert film.embeds[0]["description"].startswith("Out in United States since Friday, July 27, 2018")
    unknown = await sim.slash(fan, general, "countdown", target="Zzyzx Road Trip")
    assert unknown.ephemeral and not unknown.embeds, unknown.embeds
    assert "“Zzyzx Road Trip”" in said(unknown), said(unknown)
    assert sim.pings(fan) == []


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_commands_refuse_bad_input_with_clear_private_messages(sim: Sim) -> None:
    guild, general, news, admin = await server(sim)
    member = await sim.create_user("member", guild=guild)
    with pytest.raises(SimError, match="cannot see /event"):
        await sim.slash(member, general, "event add", name="Party", date="2026-03-05")
    with pytest.raises(SimError, match="cannot see /settings"):
        await sim.slash(member, general, "settings announcements set", channel=news)
    past = "That is in the past; events count down to something still to come."
    cases = [
        ({"date": "2026-13-01"}, "“2026-13-01” is not a date; use YYYY-MM-DD, e.g. 2026-05-23."),
        ({"date": "next friday"}, "“next friday” is not a date; use YYYY-MM-DD, e.g. 2026-05-23."),
        ({"date": "2026-03-05", "time": "25:00"}, f"“25:00” {NOT_A_TIME}"),
        ({"date": "2026-03-05", "time": "7pm"}, f"“7pm” {NOT_A_TIME}"),
        ({"date": "2026-02-28"}, past),
        ({"date": "2026-03-01", "time": "11:59"}, past),
    ]
    for options, message in cases:
        reply = await sim.slash(admin, general, "event add", name="Party", **options)
        assert reply.ephemeral and said(reply) == message, (options, said(reply))
    await add_event(sim, admin, general, "Party", "2026-03-01", time="12:30")
    duplicate = await sim.slash(admin, general, "event add", name="  PARTY ", date="2026-04-01")
    assert duplicate.ephemeral and said(duplicate) == "There is already an event called “PARTY”.", said(duplicate)
    listed = await sim.slash(admin, general, "event list")
    assert listed.ephemeral and listed.embeds[0]["description"].count("•") == 1
    for options, message in [
        ({"time": "9am"}, "“9am” is not a time of day; use 24-hour HH:MM such as 09:00 or 18:30."),
        ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a timezone"),
        ({"region": "Atlantis"}, "“Atlantis” is not a country"),
        # Shown as written: the days in code spans, not with escaped backticks.
        ({"milestones": "30,-7"}, "`-7` is negative: milestones count days before release, from 0 upwards."),
        ({"milestones": "often"}, "`often` is not a whole number of days. Use a list like `30,7,1,0` or a preset:"),
    ]:
        reply = await sim.slash(admin, general, "settings announcements set", channel=news, **options)
        assert reply.ephemeral and said(reply).startswith(message), (options, said(reply))
    assert (await status(sim, admin, general))["description"].startswith("Release announcements are off.")
    assert posts(sim, general) == posts(sim, news) == []


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_event_names_that_only_look_different_are_one_name_and_an_invisible_name_is_none(sim: Sim) -> None:
    _, general, _, admin = await server(sim)
    await add_event(sim, admin, general, "Caf\u00e9 night", "2026-04-01")
    for name in ("Cafe\u0301 night", "Caf\u00e9 night\u200b", "\ufeffCAF\u00c9  NIGHT"):
        reply = await sim.slash(admin, general, "event add", name=name, date="2026-04-02")
        assert reply.ephemeral and said(reply).startswith("There is already an event called"), (name, said(reply))
    for name in ("\u200b", "\u3164\u200d", "\u2800"):
        reply = await sim.slash(admin, general, "event add", name=name, date="2026-04-02")
        wanted = "Give the event a name with something visible in it."
        assert reply.ephemeral and said(reply) == wanted, (name, said(reply))
    listed = await sim.slash(admin, general, "event list")
    assert listed.embeds[0]["description"].count("•") == 1


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_dates_at_the_edges_of_the_calendar_are_refused_in_words_not_with_an_internal_error(sim: Sim) -> None:
    _, general, _, admin = await server(sim)
    cases = [
        ({"date": "9999-12-31", "time": "23:59", "timezone": "America/New_York"}, "more than ten years away"),
        ({"date": "9999-12-31", "timezone": "Pacific/Kiritimati"}, "more than ten years away"),
        ({"date": "0001-01-01", "time": "00:00", "timezone": "Asia/Tokyo"}, "in the past"),
        ({"date": "0001-01-01", "timezone": "America/Los_Angeles"}, "in the past"),
    ]
    for options, wanted in cases:
        reply = await sim.slash(admin, general, "event add", name="x", **options)
        assert reply.ephemeral and wanted in said(reply) and "went wrong" not in said(reply), (options, said(reply))
    listed = await sim.slash(admin, general, "event list")
    assert "No events yet" in listed.embeds[0]["description"]


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_targets_event_removal_and_off_decide_what_is_posted(sim: Sim) -> None:
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-05")
    await add_event(sim, admin, general, "Trailer drop", "2026-03-06")
    await add_event(sim, admin, general, "Quiz night", "2026-03-07")
    reply = await announce(sim, admin, general, news, milestones="1,0", targets="premiere, Trailer Drop")
    assert "• Targets: Premiere, Trailer drop" in said(reply), said(reply)
    upcoming = field(await status(sim, admin, general), "Next posts")
    assert upcoming.count("Premiere:") == 2 and upcoming.count("Trailer drop:") == 2 and "Quiz" not in upcoming
    unknown = await sim.slash(admin, general, "event remove", name="Premier")
    assert unknown.ephemeral and said(unknown).startswith("There is no event called “Premier”."), said(unknown)
    removed = await sim.slash(admin, general, "event remove", name="premiere")
    assert removed.ephemeral and removed.content == "Removed **Premiere**."
    upcoming = field(await status(sim, admin, general), "Next posts")
    assert upcoming.splitlines() == [
        f"{stamp(at('2026-03-05', '09:00'))}: Trailer drop: 1 day to go",
        f"{stamp(at('2026-03-06', '09:00'))}: Trailer drop: release day",
    ]
    await expect_one_post_at(sim, news, at("2026-03-05", "09:00"), "**1 day to go.** Trailer drop")
    off = await sim.slash(admin, general, "settings announcements off")
    assert off.ephemeral and said(off) == "Release announcements are off."
    embed = await status(sim, admin, general)
    assert embed["description"].startswith("Release announcements are off.")
    assert field(embed, "Next posts") == "Nothing scheduled."
    await sim.advance(3 * DAY)
    assert len(posts(sim, news)) == 1 == len(sends_to(sim, news))


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_targets_never_reach_another_servers_events(sim: Sim) -> None:
    _, general, news, admin = await server(sim, "MI Fans")
    _, other_general, _, other_admin = await server(sim, "Other Fans")
    await add_event(sim, other_admin, other_general, "Secret screening", "2026-03-20")
    secret = await sim.autocomplete(other_admin, other_general, "event remove", "name", "Secret")
    event_key = secret[0]["value"]
    assert event_key.startswith("event:")
    reply = await sim.slash(admin, general, "settings announcements set", channel=news, targets=event_key)
    assert reply.ephemeral and "No single film called" in said(reply), said(reply)
    await add_event(sim, admin, general, "Watch party", "2026-03-21")
    offered = await sim.autocomplete(admin, general, "settings announcements set", "targets", "Dead Reckoning, wat")
    assert offered[0]["value"] == "Dead Reckoning, Watch party"  # this server's event first, then films
    others = await sim.autocomplete(admin, general, "settings announcements set", "targets", "Secret scr")
    assert all("Secret screening" not in choice["value"] for choice in others)
    mine = await announce(sim, admin, general, news, targets="Watch party")
    assert "• Targets: Watch party" in said(mine)
    shown = await status(sim, admin, general)
    assert "Watch party" in str(shown) and "Secret" not in str(shown)


@pytest.mark.sim_start("2026-05-21T12:00:00+00:00")
async def test_anniversaries_are_posted_once_a_year_on_the_day(sim: Sim) -> None:
    _, general, news, admin = await server(sim)
    await announce(sim, admin, general, news, anniversaries=True)
    await advance_to(sim, at("2026-05-22", "09:00"))
    (first,) = posts(sim, news)
    assert "**Mission: Impossible turned 30 today.**" in text(first)
    assert "Friday, May 22, 1996" not in text(first) and "Wednesday, May 22, 1996" in text(first)
    await advance_to(sim, at("2026-05-23", "09:00"))
    assert "**Mission: Impossible – The Final Reckoning turned 1 today.**" in text(posts(sim, news)[-1])
    assert len(posts(sim, news)) == 2
    # The next year's comes the next year, and only then; the other six films' come in between, each at its time.
    while (upcoming := await next_post_at(sim, admin, general)) < at("2027-05-21", "09:00"):
        await advance_to(sim, upcoming)
    await advance_to(sim, at("2027-05-21", "09:00"))
    assert len(posts(sim, news)) == 2 + 6
    assert all(LATE not in footer(message) for message in posts(sim, news))
    await advance_to(sim, at("2027-05-22", "09:00"))
    assert "**Mission: Impossible turned 31 today.**" in text(posts(sim, news)[-1])


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_film_just_out_gets_its_first_anniversary_planned_and_an_event_none(sim: Sim) -> None:
    pack = Path(sim.tmp_path) / "vault-line.toml"
    pack.write_text(PACK.format(version="1.0.0", day="2026-03-03"), encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = str(pack)
    await sim.restart_bot()
    _, general, news, admin = await server(sim)
    await add_event(sim, admin, general, "Fan premiere", "2026-03-04")
    await announce(
        sim, admin, general, news, milestones="release-day", targets="Vault Line, Fan premiere", anniversaries=True
    )
    await expect_one_post_at(sim, news, at("2026-03-03", "09:00"), "**Out today in")
    await expect_one_post_at(sim, news, at("2026-03-04", "09:00"), "**Today!** Fan premiere")
    upcoming = field(await status(sim, admin, general), "Next posts")
    assert upcoming == f"{stamp(at('2027-03-03', '09:00'))}: Vault Line: 1st anniversary", upcoming


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_server_that_removed_the_bot_while_it_was_offline_is_found_at_ready(sim: Sim) -> None:
    gone, general, news, admin = await server(sim, "Gone Fans")
    await add_event(sim, admin, general, "Far premiere", "2026-03-20")
    await announce(sim, admin, general, news, milestones="10,0")
    assert rows_for(sim.database_path, "announcement_settings", gone.id) == 1
    await sim.stop_bot()
    await sim.remove_bot(gone)  # no bot connected: it never sees a GUILD_DELETE
    await sim.start_bot()
    # on_ready's check runs as its own task, with no request to wait for: watch the database.
    for _ in range(200):
        if rows_for(sim.database_path, "guild_departures", gone.id):
            break
        await asyncio.sleep(0.01)
    assert rows_for(sim.database_path, "guild_departures", gone.id) == 1
    await sim.advance(6 * DAY)
    assert rows_for(sim.database_path, "announcement_settings", gone.id) == 1  # still within the grace
    await sim.advance(2 * DAY)
    assert set(data_of(sim, gone).values()) == {0}
    assert sends_to(sim, news) == []


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_events_added_at_once_never_pass_the_servers_limit(sim: Sim) -> None:
    from cogs.countdowns.cog import MAX_EVENTS

    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    repository = sim.client.services.announcer.repository
    for number in range(MAX_EVENTS - 1):
        await repository.add_event(
            guild.id, f"party {number}", date(2026, 6, 1), start_time=None, timezone=None, description=None,
            created_by=admin.id, now=sim.clock.now(), limit=MAX_EVENTS,
        )  # fmt: skip
    replies = await asyncio.gather(
        *(sim.slash(admin, general, "event add", name=f"rush {number}", date="2026-07-01") for number in range(6))
    )
    assert await repository.event_count(guild.id) == MAX_EVENTS
    assert sum("already" in (reply.content or "") for reply in replies) == 5
