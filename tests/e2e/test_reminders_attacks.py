"""Reminders and privacy under attack: ids from other servers, ids out of range, erasure racing work in flight,
a confirmation outliving a restart, and a clock that jumps past the grace window.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.discord_sim import Sim
from tests.e2e.test_reminders import (
    DM_POST,
    advance_to,
    at,
    community,
    dm_sends,
    holders,
    labels,
    reminder_rows,
    subscribe,
)
from tests.e2e.test_reminders import add_event as add_event_as

ERASE = "Delete everything"
DONE = re.compile(r"Done: \d+ records? about you were deleted or anonymised\.")


async def until(condition: Callable[[], object], what: str, *, tries: int = 500) -> None:
    """Let the bot run until `condition` holds (a bounded wait, never a timing assertion)."""
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


# ---- ids from options that name another server's rows -------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_an_event_id_from_another_server_names_nothing_and_leaks_no_name(sim: Sim) -> None:
    guild_a, general_a, admin_a = await community(sim)
    await add_event_as(sim, admin_a, general_a, "Secret Premiere", "2026-03-05", time="20:00", timezone="UTC")
    (choice,) = await sim.autocomplete(admin_a, general_a, "remind event", "name", "secret")
    key = choice["value"]
    assert key.startswith("event:")
    guild_b = await sim.create_guild("Other server")
    stranger = await sim.create_user("stranger", guild=guild_b)
    general_b = guild_b.channel("general")

    cancelled = await sim.slash(stranger, general_b, "remind cancel", target=key)
    assert cancelled.ephemeral and cancelled.content == "You had no reminder for that."
    followed = await sim.slash(stranger, general_b, "remind event", name=key)
    assert followed.ephemeral and "Secret Premiere" not in (followed.content or "")
    assert reminder_rows(sim.database_path, stranger.id) == []
    # In its own server the name is shown, to a member who never followed it too.
    member_a = await sim.create_user("member", guild=guild_a)
    own = await sim.slash(member_a, general_a, "remind cancel", target=key)
    assert own.content == "You had no reminder for **Secret Premiere**."


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
@pytest.mark.parametrize(
    "target", ["event:99999999999999999999999", "event:9223372036854775808", "event:0", "event:-1", "event:1x"]
)
async def test_an_event_id_beyond_sqlites_range_gets_a_plain_answer(sim: Sim, target: str) -> None:
    guild, general, _ = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    cancelled = await sim.slash(fan, general, "remind cancel", target=target)
    assert cancelled.ephemeral and cancelled.content == "You had no reminder for that."


# ---- erasure racing the work in flight -----------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_privacy_delete_during_a_slow_first_dm_is_not_undone_by_it(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event_as(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    (due,) = await subscribe(sim, fan, general, "Premiere", "1d")
    await advance_to(sim, due - timedelta(minutes=1))
    asked = await sim.slash(fan, general, "privacy delete")
    # Discord creates the DM but its answer is slow; the member confirms the deletion meanwhile.
    sim.slow_next(DM_POST, 1.0, after_commit=True)
    advancing = asyncio.create_task(advance_to(sim, due))
    await until(lambda: sim.dms(fan), "the first DM to be created")
    done = await sim.click(fan, asked, label=ERASE)
    await advancing
    await sim.settle()
    assert DONE.fullmatch(done.content or ""), done.content
    assert len(sim.dms(fan)) == 1
    assert holders(sim.database_path, fan.id) == {}


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_privacy_delete_during_a_trivia_game_is_not_undone_when_it_ends(sim: Sim) -> None:
    guild, general, _ = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    friend = await sim.create_user("friend", guild=guild)
    started = await sim.slash(friend, general, "trivia start", questions=1)
    assert not started.ephemeral, started.content
    question = sim.channel_messages(general)[-1]
    right = sim.client.services.trivia.games[general.id].state.current.right_index
    for member, letter in ((fan, "ABCD"[right]), (friend, "ABCD"[(right + 1) % 4])):
        label = next(b["label"] for b in question.buttons() if b["label"].startswith(f"{letter}. "))
        await sim.click(member, question, label=label)
    asked = await sim.slash(fan, general, "privacy delete")
    done = await sim.click(fan, asked, label=ERASE)
    assert DONE.fullmatch(done.content or ""), done.content
    await sim.advance(timedelta(seconds=21))  # the game ends with the answers it kept in memory
    assert holders(sim.database_path, fan.id) == {}
    assert "trivia_answers" in holders(sim.database_path, friend.id)


# ---- the confirmation outlives a restart, for a while --------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_the_privacy_confirmation_answers_after_a_restart_and_expires(sim: Sim) -> None:
    guild, general, _ = await community(sim)
    fan = await sim.create_user("fan", guild=guild, admin=True)
    await sim.slash(fan, general, "preferences timezone", timezone="Europe/Paris")
    asked = await sim.slash(fan, general, "privacy delete")
    assert labels(asked) == [ERASE, "Keep my data"]
    await sim.restart_bot()
    done = await sim.click(fan, asked, label=ERASE)
    assert DONE.fullmatch(done.content or ""), done.content
    assert holders(sim.database_path, fan.id) == {}

    await sim.slash(fan, general, "preferences timezone", timezone="Europe/Paris")
    stale = await sim.slash(fan, general, "privacy delete")
    await sim.advance(timedelta(minutes=16))
    expired = await sim.click(fan, stale, label=ERASE)
    assert expired.content == "This confirmation has expired; nothing was deleted. Run `/privacy delete` again."
    assert "user_settings" in holders(sim.database_path, fan.id)


# ---- grace at every send -------------------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_clock_jump_past_the_grace_window_skips_the_reminder_instead_of_sending_it_days_late(
    sim: Sim,
) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event_as(sim, admin, general, "Premiere", "2026-03-08", time="20:00", timezone="UTC")
    due = await subscribe(sim, fan, general, "Premiere", "3d, release")
    assert due == [at("2026-03-05", "20:00"), at("2026-03-08", "20:00")]
    # The bot keeps running, but its clock jumps two days past the first reminder in one step.
    await advance_to(sim, due[0] + timedelta(days=2))
    assert sim.dms(fan) == []
    assert reminder_rows(sim.database_path, fan.id)[0] == (
        "3d",
        "skipped",
        "missed: it could not be sent within the grace window after it was due",
    )
    await advance_to(sim, due[1])
    assert [m.timestamp for m in sim.dms(fan)] == [due[1]]


# ---- ids that outlive their rows -----------------------------------------------------------------------------
@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_an_old_remind_me_button_never_names_another_servers_new_event(sim: Sim) -> None:
    _, general_a, admin_a = await community(sim)
    await add_event_as(sim, admin_a, general_a, "Old party", "2026-03-05", time="20:00", timezone="UTC")
    shown = await sim.slash(admin_a, general_a, "countdown", target="Old party")
    assert "Remind me" in labels(shown)
    removed = await sim.slash(admin_a, general_a, "event remove", name="Old party")
    assert removed.content == "Removed **Old party**."
    # Another server adds an event: it must not get the removed event's id.
    guild_b = await sim.create_guild("Other server")
    admin_b = await sim.create_user("admin-b", guild=guild_b, admin=True)
    await add_event_as(sim, admin_b, guild_b.channel("general"), "Their party", "2026-03-06")
    pressed = await sim.click(admin_a, shown, label="Remind me")
    assert pressed.ephemeral and "Their party" not in (pressed.content or ""), pressed.content
    assert reminder_rows(sim.database_path, admin_a.id) == []


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_stop_button_naming_a_batch_beyond_sqlites_range_gets_a_plain_answer(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event_as(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    (due,) = await subscribe(sim, fan, general, "Premiere", "1d")
    await advance_to(sim, due)
    (dm,) = sim.dms(fan)
    # An old or tampered message: its Stop button names a batch no database can hold.
    dm.components[0]["components"][0]["custom_id"] = "remind-stop:99999999999999999999"
    stopped = await sim.click(fan, dm, label="Stop these reminders")
    assert stopped.ephemeral and stopped.content == "These reminders were already stopped."


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_reminder_on_its_way_when_the_member_erases_their_data_is_not_sent(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    fan = await sim.create_user("fan", guild=guild)
    await add_event_as(sim, admin, general, "Premiere", "2026-03-05", time="20:00", timezone="UTC")
    (due,) = await subscribe(sim, fan, general, "Premiere", "1d")
    await advance_to(sim, due - timedelta(minutes=1))
    asked = await sim.slash(fan, general, "privacy delete")
    # The batch is claimed and the bot is asking whether the member is still in the server (slowly)...
    sim.server.gateway.member_answers_held = True
    advancing = asyncio.create_task(advance_to(sim, due))
    await until(lambda: sim.member_requests(), "the membership question to be in flight")
    # ... when the member confirms the deletion.
    done = await sim.click(fan, asked, label=ERASE)
    await sim.server.gateway.release_member_answers()
    await advancing
    await sim.settle()
    assert DONE.fullmatch(done.content or ""), done.content
    assert sim.dms(fan) == [] and dm_sends(sim, fan) == []
    assert holders(sim.database_path, fan.id) == {}
