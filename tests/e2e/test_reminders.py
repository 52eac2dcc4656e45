"""Opt-in DM reminders end to end on the shared clock.

A member asks for reminders (by command or a "Remind me" button), the clock moves, and the DMs
arrive at the exact instants the answer promised: as one digest when several are due together,
moved out of the member's quiet hours (release reminders excepted), held while DMs cannot be
delivered and resumed when the member says so. Stop and cancel buttons, the per-member limit,
`/preferences` and `/privacy` are covered here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.discord_sim import Reply, Sim
from tests.discord_sim.errors import SimError
from tests.discord_sim.harness import GuildHandle

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
DM_POST = "POST /channels/{channel_id}/messages"
OPEN_DM = "POST /users/@me/channels"
INTRODUCTION = "👋 You asked Marquee to remind you about a release"
STOP = "Stop these reminders"
RETRY = "I fixed it, try again"
LATE = "Sent late: this reminder could not be delivered at its time."

# A content pack with one film still to come, so film reminders have something to count down to.
FUTURE_PACK = """
[pack]
id = "reminder-tests"
name = "Reminder test films"
version = "1.0.0"

[[source]]
key = "notes"
ref = "tests/e2e/test_reminders.py"

[[film]]
key = "lnh1"
title = "The Long Night Heist"
year = 2026
aliases = ["Long Night Heist"]
source = "notes"

[[film.release]]
country = "GB"
date = "2026-03-18"
type = 3
source = "notes"

[[film.release]]
country = "US"
date = "2026-03-20"
type = 3
source = "notes"
"""


# ---- helpers ------------------------------------------------------------------------------------------------
def at(day: str | date, hhmm: str, tz: ZoneInfo | Any = UTC) -> datetime:
    """The UTC instant of wall time `hhmm` on `day` in `tz`."""
    when = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(when, time.fromisoformat(hhmm), tz).astimezone(UTC)


def stamp(instant: datetime, style: str = "F") -> str:
    return f"<t:{int(instant.timestamp())}:{style}>"


def english_list(items: Any) -> str:
    """Items as /remind list joins them for an English reader (Babel's CLDR list: "a, b, and c")."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def promised(reply: Reply) -> list[datetime]:
    """The reminder times an answer to subscribing lists, in order."""
    text = reply.content or ""
    return [datetime.fromtimestamp(int(ts), UTC) for ts in re.findall(r"^• <t:(\d+):F> \(<t:\1:R>\)$", text, re.M)]


async def advance_to(sim: Sim, instant: datetime) -> None:
    delta = instant - sim.now()
    assert delta >= timedelta(0), f"{instant} is already past (now {sim.now()})"
    await sim.advance(delta)


async def pass_through(sim: Sim, *instants: datetime) -> None:
    """Step the clock to each instant in turn, so whatever is due then goes out then (not all at the last)."""
    for instant in instants:
        await advance_to(sim, instant)


def described(message: Any) -> str:
    return "\n".join(str(embed.get("description", "")) for embed in message.embeds)


def footer(message: Any) -> str:
    return str((message.embeds[0].get("footer") or {}).get("text", ""))


def labels(target: Any) -> list[str]:
    return [button.get("label") for button in target.buttons()]


def dm_sends(sim: Sim, user: Any) -> list[Any]:
    """Every attempt to post in `user`'s DM with the bot, whatever the answer."""
    channel_id = sim.world.dm_channels.get(user.id)
    return [r for r in sim.requests_to(DM_POST) if channel_id and r.params.get("channel_id") == str(channel_id)]


async def community(sim: Sim) -> tuple[GuildHandle, Any, Any]:
    # Discord's 5 messages per 5 s per channel is real time; these tests send weeks of DMs in
    # seconds, which no member ever sees. Relax it so the bot never waits real seconds on it.
    sim.ratelimits.configure(DM_POST, 50, 1.0)
    guild = await sim.create_guild("MI Fans")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    return guild, guild.channel("general"), admin


async def add_event(sim: Sim, admin: Any, channel: Any, name: str, day: str, **options: Any) -> None:
    added = await sim.slash(admin, channel, "event add", name=name, date=day, **options)
    assert added.content == f"Added **{name}**.", added.content


async def subscribe(sim: Sim, user: Any, channel: Any, name: str, when: str | None = None) -> list[datetime]:
    options = {"when": when} if when is not None else {}
    reply = await sim.slash(user, channel, "remind event", name=name, **options)
    assert reply.ephemeral and (reply.content or "").startswith(f"I'll remind you about **{name}** by DM:"), reply
    return promised(reply)


# ---- subscribing ---------------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_subscribing_by_command_lists_the_exact_times_and_each_dm_comes_then(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event(sim, admin, general, "Watch party", "2026-03-11", time="20:00", timezone="UTC")
    await add_event(sim, admin, general, "Trailer drop", "2026-03-06")
    reply = await sim.slash(fan, general, "remind event", name="watch PARTY", when="1 week; 1d  release")
    expected = [at("2026-03-04", "20:00"), at("2026-03-10", "20:00"), at("2026-03-11", "20:00")]
    assert reply.ephemeral
    assert reply.content == (
        "I'll remind you about **Watch party** by DM:\n"
        + "".join(f"• {stamp(t)} ({stamp(t, 'R')})\n" for t in expected)
        + "Stop them with `/remind cancel` or the button in each DM."
    )
    # The DM channel is opened as soon as they subscribe, so that each reminder later costs one request.
    await sim.settle()
    assert [r.status for r in sim.requests_to(OPEN_DM)] == [200]
    # An all-day event: the default is 1 day before and on the day, at 09:00 in the member's timezone.
    assert await subscribe(sim, fan, general, "Trailer drop") == [at("2026-03-05", "09:00"), at("2026-03-06", "09:00")]
    # Asking again changes the times rather than adding a second subscription.
    again = await sim.slash(fan, general, "remind event", name="Watch party", when="week")
    assert again.ephemeral and again.content.startswith("Updated your reminders for **Watch party**:"), again.content
    assert promised(again) == expected
    # Refusals say what was wrong.
    # The offset parser's messages are written as markdown (code spans for what was typed), so they are
    # shown as they are: escaping them again would show the member literal backticks and backslashes.
    presets = "`default`, `week`, `countdown`, `release-day`"
    cases = [
        ({"name": "Nope"}, "This server has no event called “Nope”."),
        (
            {"name": "Watch party", "when": "yesterday"},
            "`yesterday` is not a reminder time. Use days (`3d`), hours (`2h`), weeks (`1w`) or `release`, "
            f"like `7d, 1d, release`, or a preset: {presets}.",
        ),
        (
            {"name": "Watch party", "when": "-2d"},
            "`-2d` is negative: reminders count time before, from `release` upwards.",
        ),
        (
            {"name": "Watch party", "when": "1d, 400d"},
            "`400d` is too far ahead: reminders go up to 365 days (52 weeks) before.",
        ),
        ({"name": "Watch party", "when": "`*a*`"}, "`'*a*'` is not a reminder time."),
    ]
    for options, message in cases:
        refused = await sim.slash(fan, general, "remind event", **options)
        assert refused.ephemeral and (refused.content or "").startswith(message), (options, refused.content)
    # Each reminder comes exactly when promised, and not a moment before.
    due = sorted([*expected, at("2026-03-05", "09:00"), at("2026-03-06", "09:00")])
    for instant in due:
        before = len(sim.dms(fan))
        await advance_to(sim, instant - timedelta(minutes=11))
        assert len(sim.dms(fan)) == before, f"a DM came before {instant}"
        await advance_to(sim, instant)
        new = sim.dms(fan)[before:]
        assert len(new) == 1 and new[0].timestamp == instant, (instant, [described(m) for m in new])
    first, *rest = sim.dms(fan)
    assert first.content.startswith(INTRODUCTION) and all(not m.content for m in rest)
    assert all(labels(m) == [STOP] for m in sim.dms(fan))
    texts = [described(m) for m in sim.dms(fan)]
    starts = stamp(at("2026-03-11", "20:00"))
    assert texts[0] == f"📅 **Watch party** starts <t:{int(at('2026-03-11', '20:00').timestamp())}:R> ({starts})."
    assert texts[-1] == f"📅 **Watch party** is today: <t:{int(at('2026-03-11', '20:00').timestamp())}:R> ({starts})."
    # The DM channel is opened once and remembered.
    assert len(sim.requests_to(OPEN_DM)) == 1
    await sim.advance(3 * DAY)
    assert len(sim.dms(fan)) == 5


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_the_remind_me_button_on_countdowns_subscribes_whoever_presses_it(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    news = await guild.create_channel("news")
    fan = await sim.create_user("fan", guild=guild)
    friend = await sim.create_user("friend", guild=guild)
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="19:00", timezone="UTC")
    times = [at("2026-03-04", "19:00"), at("2026-03-05", "19:00")]
    # On a /countdown answer.
    answer = await sim.slash(fan, general, "countdown", target="Premiere")
    assert not answer.ephemeral and labels(answer) == ["Remind me"]
    pressed = await sim.click(fan, answer, label="Remind me")
    assert pressed.ephemeral and pressed.content.startswith("I'll remind you about **Premiere** by DM:")
    assert promised(pressed) == times
    assert labels(answer) == ["Remind me"]  # the public answer stays as it was, for everyone else
    # On a countdown post in the announcements channel.
    configured = await sim.slash(
        admin, general, "settings announcements set", channel=news, time="09:00", timezone="UTC", milestones="3"
    )
    assert configured.ephemeral, configured.content
    await advance_to(sim, at("2026-03-02", "09:00"))
    (post,) = [m for m in sim.channel_messages(news) if m.embeds]
    assert "Remind me" in labels(post)
    joined = await sim.click(friend, post, label="Remind me")
    assert joined.ephemeral and promised(joined) == times
    # Pressing again changes nothing: still one subscription, one DM per reminder.
    again = await sim.click(fan, post, label="Remind me")
    assert again.ephemeral and again.content.startswith("Updated your reminders for **Premiere**:"), again.content
    for instant in times:
        await advance_to(sim, instant)
    await sim.advance(DAY)
    for member in (fan, friend):
        assert [m.timestamp for m in sim.dms(member)] == times
        assert "**Premiere**" in described(sim.dms(member)[0])


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_pack_loaded_into_the_running_bot_re_times_the_reminders(sim: Sim, tmp_path: Path) -> None:
    from db import load_pack, parse_pack

    pack = tmp_path / "future-films.toml"
    pack.write_text(FUTURE_PACK, encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    guild, general, _ = await community(sim)
    fan = await sim.create_user("us-fan", guild=guild)
    subscribed = await sim.slash(fan, general, "remind film", title="The Long Night Heist")
    assert promised(subscribed) == [at("2026-03-19", "09:00"), at("2026-03-20", "09:00")]
    # The US release moves a week later, loaded without a restart: the announcer's dates, then the reminders.
    pack.write_text(FUTURE_PACK.replace('date = "2026-03-20"', 'date = "2026-03-27"'), encoding="utf-8")
    await load_pack(sim.client.database, parse_pack(pack), source_path=str(pack))
    await sim.client.services.catalogue_changed()
    moved = [at("2026-03-26", "09:00"), at("2026-03-27", "09:00")]
    listed = await sim.slash(fan, general, "remind list")
    assert listed.embeds[0]["description"] == "• **The Long Night Heist**: " + english_list(
        stamp(t, "f") for t in moved
    )


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_film_reminders_from_the_card_and_the_command_follow_each_members_region(
    sim: Sim, tmp_path: Path
) -> None:
    pack = tmp_path / "future-films.toml"
    pack.write_text(FUTURE_PACK, encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    guild, general, _ = await community(sim)
    us_fan = await sim.create_user("us-fan", guild=guild)  # en-US: the US release, 20 March
    uk_fan = await sim.create_user("uk-fan", guild=guild, locale="en-GB")  # the UK release, 18 March
    card = await sim.slash(us_fan, general, "film info", title="Long Night Heist")
    assert card.embeds[0]["title"] == "The Long Night Heist (2026)"
    assert "Remind me" in labels(card)
    pressed = await sim.click(us_fan, card, label="Remind me")
    assert pressed.ephemeral and pressed.content.startswith("I'll remind you about **The Long Night Heist** by DM:")
    assert promised(pressed) == [at("2026-03-19", "09:00"), at("2026-03-20", "09:00")]
    # From a DM with the bot, where there is no server: the region comes from their Discord language.
    by_command = await sim.slash(uk_fan, None, "remind film", title="The Long Night Heist", when="release day")
    assert promised(by_command) == [at("2026-03-18", "09:00")]
    # A film that is already out has no button, and the command says why there is nothing to do.
    released = await sim.slash(us_fan, general, "film info", title="Fallout")
    assert "Remind me" not in labels(released)
    refused = await sim.slash(us_fan, general, "remind film", title="Fallout")
    assert refused.ephemeral and refused.content.endswith("is already out; there is nothing to remind you of.")
    # The US release moves a week later in the content pack: after the restart that loads it, the
    # reminders follow the new date; the UK ones stay.
    pack.write_text(FUTURE_PACK.replace('date = "2026-03-20"', 'date = "2026-03-27"'), encoding="utf-8")
    await sim.restart_bot()
    moved = [at("2026-03-26", "09:00"), at("2026-03-27", "09:00")]
    listed = await sim.slash(us_fan, general, "remind list")
    assert listed.embeds[0]["description"] == "• **The Long Night Heist**: " + english_list(
        stamp(t, "f") for t in moved
    )
    await advance_to(sim, at("2026-03-18", "09:00"))
    (uk_dm,) = sim.dms(uk_fan)
    assert uk_dm.timestamp == at("2026-03-18", "09:00")
    assert described(uk_dm).startswith("🎬 **The Long Night Heist** is out today"), described(uk_dm)
    await pass_through(sim, at("2026-03-19", "09:00"), at("2026-03-20", "09:00"))
    assert sim.dms(us_fan) == []
    await pass_through(sim, *moved)
    assert [m.timestamp for m in sim.dms(us_fan)] == moved
    assert described(sim.dms(us_fan)[0]).startswith("🎬 **The Long Night Heist** opens")
    assert len(sim.dms(uk_fan)) == 1


# ---- the digest ----------------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_reminders_due_within_ten_minutes_come_as_one_dm_and_later_ones_separately(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    for name, hhmm in (("Q&A", "18:00"), ("Screening", "18:09"), ("Afterparty", "18:30")):
        await add_event(sim, admin, general, name, "2026-03-03", time=hhmm, timezone="UTC")
        await subscribe(sim, fan, general, name, "release")
    await advance_to(sim, at("2026-03-03", "17:59"))
    assert sim.dms(fan) == []
    await advance_to(sim, at("2026-03-03", "18:00"))
    (digest,) = sim.dms(fan)
    assert digest.embeds[0]["title"] == "2 reminders"
    lines = described(digest).splitlines()
    assert len(lines) == 2 and "**Q&A** is today" in lines[0] and "**Screening** is today" in lines[1], lines
    assert labels(digest) == [STOP]
    await advance_to(sim, at("2026-03-03", "18:29"))
    assert len(sim.dms(fan)) == 1
    await advance_to(sim, at("2026-03-03", "18:30"))
    single = sim.dms(fan)[1]
    assert single.embeds[0]["title"] == "Reminder" and "**Afterparty** is today" in described(single)
    assert not single.content  # only the first DM introduces itself
    await sim.advance(DAY)
    assert len(sim.dms(fan)) == 2 == len(dm_sends(sim, fan))


# ---- quiet hours ---------------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_quiet_hours_hold_reminders_to_their_local_end_across_the_spring_dst_change(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    owl = await sim.create_user("owl", guild=guild)
    for member in (fan, owl):
        reply = await sim.slash(member, general, "preferences timezone", timezone="America/New_York")
        assert reply.content == "Your timezone is now America/New_York."
    # New York springs forward at 02:00 on Sunday 8 March 2026 (EST, UTC-5, to EDT, UTC-4).
    await add_event(sim, admin, general, "Night launch", "2026-03-09", time="01:30", timezone="America/New_York")
    starts = at("2026-03-09", "01:30", NEW_YORK)
    one_day = at("2026-03-08", "01:30", NEW_YORK)  # still EST: 06:30 UTC
    assert starts == at("2026-03-09", "05:30") and one_day == at("2026-03-08", "06:30")
    assert await subscribe(sim, fan, general, "Night launch", "1d, 2h, release") == [
        one_day,
        starts - 2 * HOUR,
        starts,
    ]
    assert await subscribe(sim, owl, general, "Night launch", "1d") == [one_day]
    # Quiet hours set afterwards move the reminders already planned.
    quiet = await sim.slash(fan, general, "preferences quiet-hours", start="22:00", end="08:00")
    assert quiet.content.startswith("Quiet hours: 22:00–08:00 in your timezone."), quiet.content
    await sim.slash(owl, general, "preferences quiet-hours", start="23:00", end="02:30")
    # 1 day before (01:30 EST) waits until 08:00 that morning, which is already EDT: 12:00 UTC, not 13:00.
    # 2 hours before (23:30 EDT) would wait until 08:00 on the day, after the launch: it is dropped.
    # The release reminder at 01:30 is inside the quiet hours and comes anyway.
    held = at("2026-03-08", "08:00", NEW_YORK)
    assert held == at("2026-03-08", "12:00")
    listed = await sim.slash(fan, general, "remind list")
    assert listed.embeds[0]["description"] == f"• **Night launch**: {stamp(held, 'f')} and {stamp(starts, 'f')}"
    # The owl's quiet hours end at 02:30, a time 8 March never has: the first minute after the gap, 03:00 EDT.
    listed = await sim.slash(owl, general, "remind list")
    assert listed.embeds[0]["description"] == f"• **Night launch**: {stamp(at('2026-03-08', '07:00'), 'f')}"
    await advance_to(sim, at("2026-03-08", "06:59"))
    assert sim.dms(fan) == [] and sim.dms(owl) == []
    await advance_to(sim, at("2026-03-08", "07:00"))
    assert [m.timestamp.astimezone(NEW_YORK).time() for m in sim.dms(owl)] == [time(3, 0)]
    await advance_to(sim, held - timedelta(minutes=1))
    assert sim.dms(fan) == []
    await advance_to(sim, held)
    (first,) = sim.dms(fan)
    assert first.timestamp.astimezone(NEW_YORK).time() == time(8, 0)
    assert "**Night launch** starts" in described(first)
    await advance_to(sim, starts)
    assert [m.timestamp for m in sim.dms(fan)] == [held, starts]
    assert sim.dms(fan)[1].timestamp.astimezone(NEW_YORK).time() == time(1, 30)
    await sim.advance(DAY)
    assert len(sim.dms(fan)) == 2 and len(sim.dms(owl)) == 1


# ---- restarts ------------------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_restarts_lose_no_reminder_and_send_none_twice(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event(sim, admin, general, "Premiere", "2026-03-09", time="20:00", timezone="UTC")
    await add_event(sim, admin, general, "Encore", "2026-03-10", time="20:00", timezone="UTC")
    due = await subscribe(sim, fan, general, "Premiere", "7d, 3d, 1d, release")
    assert due == [at(d, "20:00") for d in ("2026-03-02", "2026-03-06", "2026-03-08", "2026-03-09")]
    assert await subscribe(sim, fan, general, "Encore", "release") == [at("2026-03-10", "20:00")]
    await advance_to(sim, due[0])
    await sim.restart_bot()
    await advance_to(sim, due[1])
    assert [m.timestamp for m in sim.dms(fan)] == due[:2]
    # Offline when the 1-day reminder is due, back within the grace window: it comes late, once.
    await advance_to(sim, due[2] - HOUR)
    await sim.stop_bot()
    await advance_to(sim, due[2] + HOUR)
    await sim.start_bot()
    await sim.advance(timedelta(seconds=1))
    late = sim.dms(fan)[2]
    assert late.timestamp == due[2] + HOUR
    assert footer(late) == LATE
    # Discord takes the release reminder but its answer is lost (503), and the bot restarts before
    # the retry: the retry after the restart is the same batch with the same nonce, so one message.
    sim.fail_next(DM_POST, status=503, after_commit=True)
    await advance_to(sim, due[3])
    assert len(sim.dms(fan)) == 4 and dm_sends(sim, fan)[-1].status == 503
    await sim.restart_bot()
    await sim.advance(timedelta(minutes=1))
    lost, resent = dm_sends(sim, fan)[-2:]
    assert resent.status == 200 and resent.body["nonce"] == lost.body["nonce"]
    assert [m.timestamp for m in sim.dms(fan)] == [*due[:2], due[2] + HOUR, due[3]]
    assert footer(sim.dms(fan)[3]) != LATE
    # Offline past the grace window (6 hours): the missed reminder is skipped, not sent a day late.
    await sim.stop_bot()
    await advance_to(sim, at("2026-03-11", "03:00"))
    await sim.start_bot()
    await sim.advance(DAY)
    assert len(sim.dms(fan)) == 4
    listed = await sim.slash(fan, general, "remind list")
    assert "• **Encore**: nothing left to send" in listed.embeds[0]["description"]
    # The DM channel was opened once and remembered across restarts.
    assert len(sim.requests_to(OPEN_DM)) == 1


# ---- DMs that cannot be delivered ---------------------------------------------------------------------------
NOTICE = (
    "⚠️ I couldn't send you a reminder: {reason}. Your reminders are on hold. Allow direct messages "
    "from this server's members (Privacy Settings), then press the button."
)


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_closed_dms_hold_reminders_and_the_next_command_says_so_once(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild, dms_closed=True)
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    due = await subscribe(sim, fan, general, "Premiere", "1d, 2h, release")
    assert due == [at("2026-03-04", "20:00"), at("2026-03-05", "18:00"), at("2026-03-05", "20:00")]
    await advance_to(sim, due[0])
    (refused,) = dm_sends(sim, fan)
    assert refused.status == 403 and sim.dms(fan) == []
    # On hold: the next reminder is not even tried.
    await advance_to(sim, due[1] + timedelta(minutes=30))
    assert len(dm_sends(sim, fan)) == 1
    # The member's next command is answered as usual, plus one notice only they see.
    answered = await sim.slash(fan, general, "remind list")
    assert answered.ephemeral and answered.embeds[0]["title"] == "Your reminders"
    (notice,) = answered.followups
    assert notice.ephemeral
    assert notice.content == NOTICE.format(reason="your privacy settings do not allow direct messages from Marquee")
    assert labels(notice) == [RETRY]
    assert (await sim.slash(fan, general, "remind list")).followups == []  # once
    # Fixed: the reminder due half an hour ago comes now; the one a day overdue is past the grace window.
    fan.dms_closed = False
    resumed = await sim.click(fan, notice, label=RETRY)
    assert resumed.ephemeral and resumed.content == "Thanks. I'll try your reminders again now."
    await sim.advance(timedelta(seconds=1))
    (held,) = sim.dms(fan)
    assert held.content.startswith(INTRODUCTION)
    assert "**Premiere** starts" in described(held)
    again = await sim.click(fan, notice, label=RETRY)
    assert again.ephemeral and again.content == "Your reminders are not on hold."
    await advance_to(sim, due[2])
    assert [m.timestamp for m in sim.dms(fan)] == [due[1] + timedelta(minutes=30), due[2]]
    assert "**Premiere** is today" in described(sim.dms(fan)[1])
    await sim.advance(DAY)
    assert len(sim.dms(fan)) == 2 and len(dm_sends(sim, fan)) == 3


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_member_who_shares_no_server_any_more_is_held_and_told_after_rejoining(
    sim: Sim, tmp_path: Path
) -> None:
    pack = tmp_path / "future-films.toml"
    pack.write_text(FUTURE_PACK, encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    guild, general, _ = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    subscribed = await sim.slash(fan, general, "remind film", title="The Long Night Heist", when="7d, 1d, release")
    due = promised(subscribed)
    assert len(due) == 3, subscribed.content
    # The member leaves the only server they share with the bot.
    guild.model.members.pop(fan.id)
    await sim.server.gateway.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": fan.to_dict()})
    await sim.settle()
    await advance_to(sim, due[0])
    (refused,) = dm_sends(sim, fan)
    assert refused.status == 403 and sim.dms(fan) == []
    await advance_to(sim, due[1] - timedelta(minutes=30))
    # They come back; the bot restarts in between; the notice still comes, once.
    await sim.add_member(guild, fan)
    await sim.restart_bot()
    assert len(dm_sends(sim, fan)) == 1
    answered = await sim.slash(fan, general, "remind list")
    (notice,) = answered.followups
    assert notice.ephemeral and notice.content == NOTICE.format(reason="you no longer share a server with Marquee")
    assert (await sim.slash(fan, general, "remind list")).followups == []
    resumed = await sim.click(fan, notice, label=RETRY)
    assert resumed.content == "Thanks. I'll try your reminders again now."
    await pass_through(sim, due[1], due[2])
    # The 7-day reminder is days overdue (past the grace window); the others come on time.
    assert [m.timestamp for m in sim.dms(fan)] == due[1:]
    assert len(dm_sends(sim, fan)) == 3


MEMBER = "GET /guilds/{guild_id}/members/{user_id}"
LEFT_SERVER = "you are no longer a member of the server whose event this is"


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_member_who_left_the_events_server_is_not_dmed_about_it_until_they_come_back(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    other = await sim.create_guild("Elsewhere")
    fan = await sim.create_user("fan", guild=guild)
    await sim.add_member(other, fan)  # they still share a server with the bot, so a DM would go through
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    due = await subscribe(sim, fan, general, "Premiere", "1d, 1h, release")
    # The bot has no member events: nothing tells it that the member leaves.
    guild.model.members.pop(fan.id)
    await advance_to(sim, due[0])
    assert dm_sends(sim, fan) == [] and sim.dms(fan) == []
    # Asked through the gateway (Request Guild Members), not one REST request per member.
    (asked,) = sim.member_requests()
    assert (asked["guild_id"], asked["user_ids"]) == (guild.id, [fan.id])
    assert sim.requests_to(MEMBER) == []
    assert reminder_rows(sim.database_path, fan.id)[0] == (
        "1d",
        "skipped",
        "you are no longer a member of the server whose event this is",
    )
    # Back in the server: the next reminders come (and one answer about membership serves the next hour).
    await sim.add_member(guild, fan)
    await pass_through(sim, due[1], due[2])
    assert [m.timestamp for m in sim.dms(fan)] == due[1:]
    assert len(sim.member_requests()) == 2 and sim.requests_to(MEMBER) == []


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_an_event_fan_out_asks_the_gateway_about_members_by_the_hundred_not_rest_per_dm(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    # Straight into the world: a slash command per member would take minutes.
    fans = [sim.world.add_user(f"fan{i:03d}") for i in range(250)]
    for fan in fans:
        sim.world.add_member(guild.model, fan)
    gone = fans[7]
    (due,) = await subscribe(sim, fans[0], general, "Premiere", "release")
    engine = sim.client.services.reminders
    first = await engine.repository.subscriptions(fans[0].id)
    for fan in fans[1:]:
        subscription, new = await engine.repository.subscribe(
            fan.id,
            guild.id,
            first[0].target_key,
            first[0].offsets,
            sim.now(),
            region=first[0].region,
            timezone=first[0].timezone,
            limit=sim.client.settings.reminders.max_per_member,
        )
        assert new and len(await engine.plan(subscription)) == 1
        await engine.repository.set_dm_channel(fan.id, sim.world.dm_channel(fan).id, sim.now())
    guild.model.members.pop(gone.id)
    await advance_to(sim, due)
    assert all(len(sim.dms(fan)) == 1 for fan in fans if fan is not gone)
    assert sim.dms(gone) == [] and dm_sends(sim, gone) == []
    assert reminder_rows(sim.database_path, gone.id) == [("release", "skipped", LEFT_SERVER)]
    assert sim.requests_to(MEMBER) == []
    asked = sim.member_requests()
    # One request per claimed set of (at most) 100 DMs: 250 DMs are three requests, or a few more.
    assert 3 <= len(asked) <= 5, [len(a["user_ids"]) for a in asked]
    assert all(a["guild_id"] == guild.id and 1 <= len(a["user_ids"]) <= 100 for a in asked)
    assert sorted(u for a in asked for u in a["user_ids"]) == sorted(fan.id for fan in fans)


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_server_the_bot_cannot_ask_through_the_gateway_is_asked_over_rest_or_trusted(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    other = await sim.create_guild("Elsewhere")
    fan = await sim.create_user("fan", guild=guild)
    await sim.add_member(other, fan)
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    due = await subscribe(sim, fan, general, "Premiere", "1d, release")
    # An outage: the server is unavailable, no gateway answer can come; the member is not dropped on a guess.
    await sim.remove_bot(guild, unavailable=True)
    await advance_to(sim, due[0])
    assert [m.timestamp for m in sim.dms(fan)] == due[:1]
    assert sim.member_requests() == [] and sim.requests_to(MEMBER) == []
    # The bot removed from the server: not in its cache, so REST is asked, and says the bot is not there.
    await sim.restore_guild(guild)
    await sim.remove_bot(guild)
    await advance_to(sim, due[1])
    assert [m.timestamp for m in sim.dms(fan)] == due[:1]
    (asked,) = sim.requests_to(MEMBER)
    assert asked.status in (403, 404) and sim.member_requests() == []
    assert reminder_rows(sim.database_path, fan.id)[1] == ("release", "skipped", LEFT_SERVER)


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_membership_question_cut_short_by_a_new_gateway_session_is_no_answer(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    (due,) = await subscribe(sim, fan, general, "Premiere", "release")
    sim.server.gateway.member_answers_held = True
    advancing = asyncio.create_task(advance_to(sim, due))
    for _ in range(500):
        if sim.member_requests():
            break
        await asyncio.sleep(0.01)
    assert len(sim.member_requests()) == 1
    sim.server.gateway.member_answers_held = False
    # discord.py ends the old session's member requests with what had arrived (nothing): not "they left".
    await sim.invalidate_session()
    await advancing
    assert [m.timestamp for m in sim.dms(fan)] == [due]
    assert reminder_rows(sim.database_path, fan.id) == [("release", "sent", None)]


def reminder_rows(database: Path, user_id: int) -> list[tuple[str, str, str | None]]:
    """The member's reminders as (offset, status, reason), soonest first."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT offset_text, status, reason FROM reminders WHERE user_id = ? ORDER BY due_at", (user_id,)
        ).fetchall()
    return [tuple(row) for row in rows]


# ---- stopping ------------------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_the_stop_button_in_a_dm_works_after_a_restart_and_stops_only_what_the_dm_was_about(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event(sim, admin, general, "Q&A", "2026-03-04", time="18:00", timezone="UTC")
    await add_event(sim, admin, general, "Screening", "2026-03-04", time="18:05", timezone="UTC")
    await add_event(sim, admin, general, "Encore", "2026-03-10")
    for name in ("Q&A", "Screening", "Encore"):
        await subscribe(sim, fan, general, name)  # 1 day before and on the day
    await advance_to(sim, at("2026-03-03", "18:00"))
    (digest,) = sim.dms(fan)
    assert digest.embeds[0]["title"] == "2 reminders" and labels(digest) == [STOP]
    await sim.restart_bot()
    stopped = await sim.click(fan, digest, label=STOP)
    assert stopped.ephemeral
    assert stopped.content == "Stopped your reminders about **Q&A** and **Screening**. `/remind list` shows any others."
    twice = await sim.click(fan, digest, label=STOP)
    assert twice.ephemeral and twice.content == "These reminders were already stopped."
    await pass_through(sim, at("2026-03-04", "18:00"), at("2026-03-09", "09:00"), at("2026-03-10", "09:00"))
    assert [m.timestamp for m in sim.dms(fan)] == [
        at("2026-03-03", "18:00"),
        at("2026-03-09", "09:00"),
        at("2026-03-10", "09:00"),
    ]
    assert all("**Encore**" in described(m) for m in sim.dms(fan)[1:])


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_remind_list_shows_each_reminder_with_a_cancel_button(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    empty = await sim.slash(fan, general, "remind list")
    assert empty.ephemeral and empty.content == "You have no reminders. Add one with `/remind film`."
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    await add_event(sim, admin, general, "Encore", "2026-03-10")
    premiere = await subscribe(sim, fan, general, "Premiere", "2d, 1d, release")
    encore = await subscribe(sim, fan, general, "Encore")
    listed = await sim.slash(fan, general, "remind list")
    assert listed.ephemeral and listed.embeds[0]["title"] == "Your reminders"
    assert listed.embeds[0]["description"].splitlines() == [
        "• **Premiere**: " + english_list(stamp(t, "f") for t in premiere),
        "• **Encore**: " + english_list(stamp(t, "f") for t in encore),
    ]
    assert labels(listed) == ["Cancel Premiere", "Cancel Encore"]
    cancelled = await sim.click(fan, listed, label="Cancel Premiere")
    assert cancelled.ephemeral and cancelled.content == "No more reminders about **Premiere**."
    again = await sim.click(fan, listed, label="Cancel Premiere")
    assert again.content == "You had no reminder for **Premiere**."
    listed = await sim.slash(fan, general, "remind list")
    assert listed.embeds[0]["description"] == "• **Encore**: " + english_list(stamp(t, "f") for t in encore)
    assert labels(listed) == ["Cancel Encore"]
    # /remind cancel offers what the member follows, by name.
    (choice,) = await sim.autocomplete(fan, general, "remind cancel", "target", "enc")
    assert choice["name"] == "Encore"
    by_command = await sim.slash(fan, general, "remind cancel", target=choice["value"])
    assert by_command.ephemeral and by_command.content == "No more reminders about **Encore**."
    gone = await sim.slash(fan, general, "remind list")
    assert gone.content == "You have no reminders. Add one with `/remind film`."
    await sim.advance(10 * DAY)
    assert sim.dms(fan) == [] and dm_sends(sim, fan) == []


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_stop_all_and_removing_the_event_stop_reminders(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    friend = await sim.create_user("friend", guild=guild)
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    await add_event(sim, admin, general, "Encore", "2026-03-06", time="20:00", timezone="UTC")
    for member in (fan, friend):
        for name in ("Premiere", "Encore"):
            await subscribe(sim, member, general, name, "release")
    stopped = await sim.slash(fan, general, "remind stop-all")
    assert stopped.ephemeral and stopped.content == "Stopped 2 reminders."
    nothing = await sim.slash(fan, general, "remind stop-all")
    assert nothing.ephemeral and nothing.content == "You had no reminders."
    # An event the server removes takes its reminders with it.
    removed = await sim.slash(admin, general, "event remove", name="Encore")
    assert removed.content == "Removed **Encore**."
    listed = await sim.slash(friend, general, "remind list")
    assert labels(listed) == ["Cancel Premiere"]
    await pass_through(sim, at("2026-03-05", "20:00"), at("2026-03-06", "20:00"))
    assert sim.dms(fan) == [] and dm_sends(sim, fan) == []
    assert [m.timestamp for m in sim.dms(friend)] == [at("2026-03-05", "20:00")]


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_member_can_follow_at_most_the_configured_number_of_films_and_events(sim: Sim) -> None:
    sim.extra_env["MARQUEE_REMINDERS_MAX_PER_MEMBER"] = "2"
    await sim.restart_bot()
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    friend = await sim.create_user("friend", guild=guild)
    for name, day in (("Premiere", "2026-03-05"), ("Encore", "2026-03-06"), ("Finale", "2026-03-07")):
        await add_event(sim, admin, general, name, day)
    await subscribe(sim, fan, general, "Premiere")
    await subscribe(sim, fan, general, "Encore")
    limit = (
        "You already follow 2 films and events, the most Marquee keeps for one member. "
        "Cancel one with `/remind cancel` first."
    )
    refused = await sim.slash(fan, general, "remind event", name="Finale")
    assert refused.ephemeral and refused.content == limit
    by_button = await sim.click(fan, await sim.slash(fan, general, "countdown", target="Finale"), label="Remind me")
    assert by_button.ephemeral and by_button.content == limit
    # Changing the times of one already followed is not a new one.
    changed = await sim.slash(fan, general, "remind event", name="Encore", when="release")
    assert changed.content.startswith("Updated your reminders for **Encore**:"), changed.content
    await subscribe(sim, friend, general, "Finale")  # the limit is per member
    # With one cancelled there is room again.
    (premiere,) = await sim.autocomplete(fan, general, "remind cancel", "target", "Prem")
    cancelled = await sim.slash(fan, general, "remind cancel", target=premiere["value"])
    assert cancelled.content == "No more reminders about **Premiere**."
    await subscribe(sim, fan, general, "Finale")
    listed = await sim.slash(fan, general, "remind list")
    assert labels(listed) == ["Cancel Encore", "Cancel Finale"]


# ---- /preferences --------------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_preferences_round_trip_refuse_bad_values_and_move_planned_reminders(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event(sim, admin, general, "Encore", "2026-03-10")
    assert await subscribe(sim, fan, general, "Encore") == [at("2026-03-09", "09:00"), at("2026-03-10", "09:00")]

    async def says(command: str, **options: Any) -> str:
        reply = await sim.slash(fan, general, f"preferences {command}", **options)
        assert reply.ephemeral, (command, options, reply.content)
        return reply.content or ""

    assert await says("timezone") == "Your timezone: not set (using UTC or the server's)."
    assert await says("timezone", timezone="asia/tokyo") == "Your timezone is now Asia/Tokyo."
    assert await says("timezone") == "Your timezone: Asia/Tokyo."
    # What was typed is echoed inert (markdown escaped), so "New_York" goes out as "New\_York" and shows right.
    assert await says("timezone", timezone="Mars/Olympus") == (
        "“Mars/Olympus” is not a timezone; pick one from the list, e.g. Europe/London or America/New\\_York."
    )
    assert await says("timezone") == "Your timezone: Asia/Tokyo."
    # The reminders already planned move to 09:00 in Tokyo.
    listed = await sim.slash(fan, general, "remind list")
    tokyo = [at("2026-03-09", "09:00", TOKYO), at("2026-03-10", "09:00", TOKYO)]
    assert listed.embeds[0]["description"] == "• **Encore**: " + english_list(stamp(t, "f") for t in tokyo)

    assert await says("region") == "Your region: not set (your Discord language's country, else the server's)."
    assert await says("region", region="gb") == "Your region is now United Kingdom: release dates there count for you."
    assert await says("region") == "Your region: United Kingdom."
    assert await says("region", region="Narnia") == (
        "“Narnia” is not a country; pick one from the list (a two-letter code such as US or GB)."
    )
    assert (await says("region", region="*GB*")).startswith("“\\*GB\\*” is not a country")  # what was typed stays inert

    assert await says("quiet-hours") == "Your quiet hours: none."
    assert await says("quiet-hours", start="22:00", end="7:00") == (
        "Quiet hours: 22:00–07:00 in your timezone. Reminders due then come at 07:00; "
        "release-day reminders are never held back."
    )
    assert await says("quiet-hours") == "Your quiet hours: 22:00–07:00."
    # The parser's messages are markdown written for the member (code spans), shown as they are.
    for options, message in [
        ({"start": "22:00"}, "Give both start and end, e.g. start 22:00 end 07:00."),
        (
            {"start": "25:00", "end": "07:00"},
            "`25:00` is not a time for the start of quiet hours; use 24-hour HH:MM, like `22:00`.",
        ),
        (
            {"start": "22:00", "end": "7pm"},
            "`7pm` is not a time for the end of quiet hours; use 24-hour HH:MM, like `22:00`.",
        ),
        (
            {"start": "22:00", "end": "22:00"},
            "Quiet hours need different start and end times, like `22:00` to `07:00`.",
        ),
    ]:
        assert await says("quiet-hours", **options) == message, options
    assert await says("quiet-hours") == "Your quiet hours: 22:00–07:00."
    assert await says("quiet-hours", off=True) == "Quiet hours are off."
    assert await says("quiet-hours") == "Your quiet hours: none."
    await pass_through(sim, *tokyo)
    assert [m.timestamp for m in sim.dms(fan)] == tokyo


# ---- /privacy ------------------------------------------------------------------------------------------------
@pytest.fixture
def uploads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The files the bot uploads, by name. The simulator keeps only an attachment's size; keep its bytes here."""
    from aiohttp import BodyPartReader

    seen: dict[str, bytes] = {}
    original = BodyPartReader.read

    async def read(self: BodyPartReader, *, decode: bool = False) -> bytes:
        data = await original(self, decode=decode)
        if self.filename:
            seen[self.filename] = bytes(data)
        return data

    monkeypatch.setattr(BodyPartReader, "read", read)
    return seen


def holders(database: Path, user_id: int) -> dict[str, list[str]]:
    """Every table and column of the database holding `user_id`, as a number or inside text.

    The tables and columns come from the schema itself, so a table added later is searched too.
    """
    found: dict[str, list[str]] = {}
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert "reminders" in tables and "user_settings" in tables, tables
        for table in tables:
            for column in [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]:
                hits = db.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ? OR CAST("{column}" AS TEXT) LIKE ?',
                    (user_id, f"%{user_id}%"),
                ).fetchone()[0]
                if hits:
                    found.setdefault(table, []).append(column)
    return found


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_privacy_show_sends_a_json_file_of_the_members_rows(sim: Sim, uploads: dict[str, bytes]) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    friend = await sim.create_user("friend", guild=guild)
    await add_event(sim, admin, general, "Premiere", "2026-03-03", time="20:00", timezone="UTC")
    await sim.slash(fan, general, "preferences timezone", timezone="Europe/Paris")
    await sim.slash(fan, general, "preferences quiet-hours", start="23:00", end="07:00")
    for member in (fan, friend):
        await subscribe(sim, member, general, "Premiere")
    await advance_to(sim, at("2026-03-02", "20:00"))
    assert len(sim.dms(fan)) == 1
    shown = await sim.slash(fan, general, "privacy show")
    assert shown.ephemeral and shown.message is not None
    (attachment,) = shown.message.attachments
    assert attachment.filename == f"marquee-data-{fan.id}.json"
    raw = uploads[attachment.filename]
    document = json.loads(raw)
    assert document["user_id"] == fan.id
    tables = document["tables"]
    count = sum(len(rows) for rows in tables.values())
    assert shown.content == f"Marquee stores {count} records about you; here they all are."
    (settings,) = tables["user_settings"]
    assert (settings["timezone"], settings["quiet_start"], settings["quiet_end"]) == ("Europe/Paris", "23:00", "07:00")
    (subscription,) = tables["reminder_subscriptions"]
    assert subscription["target_key"].startswith("event:") and subscription["offsets"] == "1d,release"
    assert sorted((r["offset_text"], r["status"]) for r in tables["reminders"]) == [
        ("1d", "sent"),
        ("release", "scheduled"),
    ]
    (recipient,) = tables["dm_recipients"]
    assert recipient["dm_channel_id"] == sim.world.dm_channels[fan.id] and recipient["introduced"]
    assert all(fan.id in row.values() for rows in tables.values() for row in rows)
    assert str(friend.id).encode() not in raw  # nothing about anyone else


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_privacy_delete_leaves_the_members_id_in_no_table_and_no_column(sim: Sim) -> None:
    guild, general, _ = await community(sim)
    fan = await sim.create_user("fan", guild=guild, admin=True)  # an admin, so the events they add name them
    friend = await sim.create_user("friend", guild=guild)
    await add_event(sim, fan, general, "Fan meetup", "2026-03-03", time="20:00", timezone="UTC")
    await sim.slash(fan, general, "preferences timezone", timezone="Europe/Paris")
    await sim.slash(fan, general, "preferences region", region="FR")
    await sim.slash(fan, general, "preferences quiet-hours", start="23:00", end="07:00")
    for member in (fan, friend):
        await subscribe(sim, member, general, "Fan meetup")
    # One question of trivia that they start and win: the game names them twice, and their answer once.
    started = await sim.slash(fan, general, "trivia start", questions=1)
    assert not started.ephemeral, started.content
    question = sim.channel_messages(general)[-1]
    right = sim.client.services.trivia.games[general.id].state.current.right_index
    for member, letter in ((fan, "ABCD"[right]), (friend, "ABCD"[(right + 1) % 4])):
        label = next(b["label"] for b in question.buttons() if b["label"].startswith(f"{letter}. "))
        await sim.click(member, question, label=label)
    await sim.advance(timedelta(seconds=21))
    assert f"🏆 Winner: {fan.mention}" in described(sim.channel_messages(general)[-1])
    await advance_to(sim, at("2026-03-02", "20:00"))
    assert len(sim.dms(fan)) == 1
    before = holders(sim.database_path, fan.id)
    assert {
        "user_settings": ["user_id"],
        "reminder_subscriptions": ["user_id"],
        "reminders": ["user_id"],
        "dm_recipients": ["user_id"],
        "guild_events": ["created_by"],
        "trivia_games": ["starter_id", "winner_id"],
        "trivia_answers": ["user_id"],
    }.items() <= before.items(), before
    # Asked first; keeping changes nothing.
    asked = await sim.slash(fan, general, "privacy delete")
    assert asked.ephemeral and labels(asked) == ["Delete everything", "Keep my data"]
    kept = await sim.click(fan, asked, label="Keep my data")
    assert kept.content == "Nothing was deleted."
    assert holders(sim.database_path, fan.id) == before
    asked = await sim.slash(fan, general, "privacy delete")
    done = await sim.click(fan, asked, label="Delete everything")
    assert re.fullmatch(r"Done: \d+ records about you were deleted or anonymised\.", done.content or ""), done.content
    assert holders(sim.database_path, fan.id) == {}
    # Everyone else keeps theirs: the event stays (anonymised), and the friend's reminder still comes.
    assert {"reminder_subscriptions", "reminders", "dm_recipients"} <= set(holders(sim.database_path, friend.id))
    await advance_to(sim, at("2026-03-03", "20:00"))
    assert len(sim.dms(fan)) == 1 and len(sim.dms(friend)) == 2
    assert "**Fan meetup** is today" in described(sim.dms(friend)[1])
    assert holders(sim.database_path, fan.id) == {}


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_refused_token_shuts_the_bot_down_and_the_reminder_waits_for_the_next_start(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    (due,) = await subscribe(sim, fan, general, "Premiere", "1d")
    sim.fail_next(DM_POST, status=401)
    client = sim.client
    # The bot closes itself: serve() returns while nobody asked it to, which the harness reports.
    with pytest.raises(SimError, match=r"serve\(\) returned without bot\.close"):
        await advance_to(sim, due)
    assert client.is_closed()
    assert sim.dms(fan) == []
    await sim.stop_bot()
    await sim.start_bot()
    await sim.advance(timedelta(seconds=1))
    (reminder,) = sim.dms(fan)
    assert "**Premiere** starts" in described(reminder)
