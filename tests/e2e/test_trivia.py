"""Trivia end to end: games in both modes, stop, skip, late clicks, leaderboards, the daily question."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.discord_sim import Sim
from tests.discord_sim.harness import open_sim
from tests.e2e.running import eventually, marquee_serve

POST = "POST /channels/{channel_id}/messages"
SECONDS = timedelta(seconds=21)  # just past the default 20 s per question
LETTERS = "ABCD"


@pytest.fixture
async def room(sim: Sim) -> tuple[Sim, Any, Any, Any, Any]:
    # A game's next request can follow the interaction's answer after a few database writes and a
    # turn of the shared pace: on a loaded machine that is more than the default 50 ms of quiet.
    sim.quiet = 0.15
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    bob = await sim.create_user("bob", guild=guild)
    return sim, guild, guild.channel("general"), alice, bob


def trivia(sim: Sim) -> Any:
    return sim.client.services.trivia


def open_round(sim: Sim, channel: Any) -> Any:
    """The question being asked now, as the bot knows it (the test's answer key)."""
    return trivia(sim).games[channel.id].state.current


def latest(sim: Sim, channel: Any) -> Any:
    return sim.channel_messages(channel)[-1]


def titles(sim: Sim, channel: Any) -> list[str]:
    return [embed.get("title", "") for message in sim.channel_messages(channel) for embed in message.embeds]


def wrong_letter(round_: Any) -> str:
    return LETTERS[(round_.right_index + 1) % len(round_.choices)]


async def pick(sim: Sim, user: Any, message: Any, letter: str) -> Any:
    """Press the choice button whose label starts with `letter` ("A. Tom Cruise")."""
    label = next(button["label"] for button in message.buttons() if button["label"].startswith(f"{letter}. "))
    return await sim.click(user, message, label=label)


async def test_a_buttons_game_with_two_players(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, bob = room
    started = await sim.slash(alice, general, "trivia start", questions=2)
    assert not started.ephemeral and "2 questions" in started.content
    question = latest(sim, general)
    assert question.embeds[0]["title"] == "Question 1 of 2"
    first = open_round(sim, general)
    mine = await pick(sim, alice, question, LETTERS[first.right_index])
    assert mine.ephemeral and mine.content.startswith("Locked in:")
    await pick(sim, bob, question, wrong_letter(first))
    again = await pick(sim, bob, question, LETTERS[first.right_index])
    assert again.ephemeral and again.content == "You have already answered this question."
    # Nobody knows who plays until the first question closes: it runs to its time limit.
    assert question.embeds[0]["title"] == "Question 1 of 2"
    await sim.advance(SECONDS)
    reveal = question.embeds[0]
    assert reveal["title"] == "Question 1 of 2 — closed"
    assert "50% (1)" in reveal["description"]
    assert {"name": "Right", "value": alice.mention, "inline": False} in reveal["fields"]
    assert all(button["disabled"] for button in question.buttons())
    # Round two closes as soon as both players have answered, without waiting.
    second_question = latest(sim, general)
    second = open_round(sim, general)
    await pick(sim, bob, second_question, wrong_letter(second))
    await pick(sim, alice, second_question, LETTERS[second.right_index])
    assert second_question.embeds[0]["title"] == "Question 2 of 2 — closed"
    standings = latest(sim, general).embeds[0]
    assert standings["title"] == "Trivia — final standings"
    assert f"🏆 Winner: {alice.mention}" in standings["description"]
    assert sim.pings(alice) == [] and sim.pings(bob) == []


async def test_a_solo_game_has_no_winner(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.slash(alice, general, "trivia start", questions=1)
    await pick(sim, alice, latest(sim, general), LETTERS[open_round(sim, general).right_index])
    await sim.advance(SECONDS)
    assert "No winner: a win needs at least two players" in latest(sim, general).embeds[0]["description"]


async def test_typed_mode(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=1, mode="typed")
    question = latest(sim, general)
    assert [button["label"] for button in question.buttons()] == ["Answer"]
    answer = open_round(sim, general).question.answer
    form = await sim.click(alice, question, label="Answer")
    assert form.modal is not None
    locked = await sim.submit_modal(alice, form, answer=f"  {answer.upper()}!! ")
    assert locked.ephemeral and locked.content.startswith("Locked in:")
    form = await sim.click(bob, question, label="Answer")
    await sim.submit_modal(bob, form, answer=f"{answer}, Tom Cruise")  # two guesses: wrong
    await sim.advance(SECONDS)
    reveal = question.embeds[0]
    assert {"name": "Right", "value": alice.mention, "inline": False} in reveal["fields"]


async def test_one_game_per_channel(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=3)
    second = await sim.slash(bob, general, "trivia start")
    assert second.ephemeral and second.content.startswith(
        "A game is already running here: https://discord.com/channels/"
    )
    elsewhere = await guild.create_channel("trivia")
    other = await sim.slash(bob, elsewhere, "trivia start", questions=1)
    assert not other.ephemeral


async def test_stop_and_skip(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=5)
    refused = await sim.slash(bob, general, "trivia skip")
    assert refused.ephemeral and "Only the member who started" in refused.content
    first = latest(sim, general)
    skipped = await sim.slash(alice, general, "trivia skip")
    assert skipped.ephemeral and skipped.content == "Question skipped."
    assert first.embeds[0]["title"] == "Question 1 of 5 — closed"
    assert latest(sim, general).embeds[0]["title"] == "Question 2 of 5"
    await pick(sim, bob, latest(sim, general), LETTERS[open_round(sim, general).right_index])
    not_allowed = await sim.slash(bob, general, "trivia stop")
    assert not_allowed.ephemeral and "Manage Messages" in not_allowed.content
    stopped = await sim.slash(alice, general, "trivia stop")
    assert not stopped.ephemeral and stopped.content.startswith("Trivia stopped by")
    assert titles(sim, general)[-2:] == ["Question 2 of 5 — closed", "Trivia — final standings"]
    assert trivia(sim).games == {}
    nothing = await sim.slash(alice, general, "trivia stop")
    assert nothing.ephemeral and nothing.content == "No trivia game is running in this channel."


async def test_a_moderator_can_stop_any_game(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, alice, _ = room
    moderators = await guild.create_role("Mods", manage_messages=True)
    mod = await sim.create_user("mod", guild=guild, roles=[moderators])
    await sim.slash(alice, general, "trivia start", questions=3)
    stopped = await sim.slash(mod, general, "trivia stop")
    assert not stopped.ephemeral
    assert titles(sim, general)[-1] == "Trivia — final standings"


async def test_three_unanswered_questions_end_the_game(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.slash(alice, general, "trivia start", questions=10)
    for _ in range(3):
        await sim.advance(SECONDS)
    assert titles(sim, general)[-1] == "Trivia — final standings"
    assert sum(title.startswith("Question") for title in titles(sim, general)) == 3


async def test_a_restart_interrupts_the_game_and_old_buttons_say_closed(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=5)
    question = latest(sim, general)
    await pick(sim, alice, question, "A")
    await sim.restart_bot()
    notice = latest(sim, general).embeds[0]
    assert notice["title"] == "Trivia — final standings"
    assert "interrupted by a restart" in notice["description"]
    late = await pick(sim, bob, question, "B")
    assert late.ephemeral and late.content == "This question is closed."
    fresh = await sim.slash(alice, general, "trivia start", questions=1)
    assert not fresh.ephemeral


async def test_losing_send_messages_ends_the_game(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.slash(alice, general, "trivia start", questions=5)
    await sim.set_bot_permissions(general, send_messages=False)
    await sim.advance(SECONDS)
    assert trivia(sim).games == {}
    await sim.set_bot_permissions(general, send_messages=True)
    restarted = await sim.slash(alice, general, "trivia start", questions=1)
    assert not restarted.ephemeral


async def test_start_is_refused_where_the_bot_cannot_post(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.set_bot_permissions(general, embed_links=False)
    refused = await sim.slash(alice, general, "trivia start")
    assert refused.ephemeral and "I need Embed Links" in refused.content


async def test_start_has_a_cooldown(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.slash(alice, general, "trivia start", questions=1)
    await sim.slash(alice, general, "trivia stop")
    again = await sim.slash(alice, general, "trivia start", questions=1)
    assert again.ephemeral and again.content.startswith("Slow down")


async def test_leaderboard_by_period(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=1)
    await pick(sim, alice, latest(sim, general), LETTERS[open_round(sim, general).right_index])
    await pick(sim, bob, latest(sim, general), wrong_letter(open_round(sim, general)))
    await sim.advance(SECONDS)
    board = await sim.slash(bob, general, "trivia leaderboard")
    lines = board.embeds[0]["description"].splitlines()
    assert lines[0].startswith(f"🥇 {alice.mention} — ")
    assert bob.mention in lines[1] and lines[1].startswith("**")  # the viewer's own row stands out
    stats = await sim.slash(alice, general, "trivia stats")
    values = {field["name"]: field["value"] for field in stats.embeds[0]["fields"]}
    assert values["Games"] == "1" and values["Accuracy"] == "100%" and values["Best streak"] == "1"
    await sim.advance(timedelta(days=8))
    week = await sim.slash(alice, general, "trivia leaderboard", period="week")
    assert week.embeds[0]["description"] == "Nobody has played yet."
    month = await sim.slash(alice, general, "trivia leaderboard", period="month")
    assert alice.mention in month.embeds[0]["description"]


@pytest.mark.sim_start("2024-05-01T12:00:00+00:00")
async def test_the_daily_question_over_two_days(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, bob = room
    daily = await sim.slash(alice, general, "trivia daily")
    assert daily.embeds[0]["title"] == "Daily question — May 1, 2024"
    same = await sim.slash(bob, general, "trivia daily")
    assert same.embeds[0]["description"] == daily.embeds[0]["description"]
    locked = await pick(sim, alice, daily, "A")
    assert locked.ephemeral and "revealed tomorrow" in locked.content
    twice = await pick(sim, alice, daily, "B")
    assert twice.ephemeral and "already answered" in twice.content
    await sim.restart_bot()
    after_restart = await pick(sim, bob, daily, "B")
    assert after_restart.ephemeral and after_restart.content.startswith("Locked in:")
    await sim.advance(timedelta(days=1))
    yesterday = await pick(sim, bob, daily, "C")
    assert yesterday.ephemeral and "has closed" in yesterday.content
    today = await sim.slash(alice, general, "trivia daily")
    assert [embed["title"] for embed in today.embeds] == [
        "Daily question — May 1, 2024 — answer",
        "Daily question — May 2, 2024",
    ]
    assert "answered correctly" in today.embeds[0]["description"]


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_the_daily_question_posts_itself(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, _, _ = room
    admin = await sim.create_user("admin", guild=guild, admin=True)
    daily_channel = await guild.create_channel("daily")
    await sim.slash(admin, general, "settings trivia set", daily_channel=daily_channel, daily_time="09:00")
    assert sim.channel_messages(daily_channel) == []
    await sim.advance(timedelta(hours=3, minutes=1))
    posted = sim.channel_messages(daily_channel)
    assert [embed["title"] for embed in posted[-1].embeds] == ["Daily question — May 1, 2024"]
    await sim.advance(timedelta(days=1))
    posted = sim.channel_messages(daily_channel)
    assert [embed["title"] for embed in posted[-1].embeds] == [
        "Daily question — May 1, 2024 — answer",
        "Daily question — May 2, 2024",
    ]


async def test_a_rate_limited_question_is_posted_late_not_lost(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.slash(alice, general, "trivia start", questions=2)
    first = latest(sim, general)
    await pick(sim, alice, first, "A")
    # More 429s than discord.py retries by itself: the cog must retry, not abandon the game.
    # (A roomier bucket keeps the injected failures from also exhausting the real per-channel limit.)
    sim.ratelimits.configure("POST /channels/{channel_id}/messages", 50, 5.0)
    sim.fail_next("POST /channels/{channel_id}/messages", status=429, times=5, retry_after=0.01)
    await sim.advance(SECONDS)
    for _ in range(100):
        if latest(sim, general).embeds and latest(sim, general).embeds[0]["title"] == "Question 2 of 2":
            break
        await asyncio.sleep(0.05)
    assert first.embeds[0]["title"] == "Question 1 of 2 — closed"
    second = latest(sim, general)
    assert second.embeds[0]["title"] == "Question 2 of 2"
    await pick(sim, alice, second, "B")
    # Past the "N answered" throttle: the count lands on question 2 only.
    await eventually(lambda: second.embeds[0]["footer"]["text"].startswith("1 answered"), "the answer count")
    await sim.settle()
    assert first.embeds[0]["title"] == "Question 1 of 2 — closed"
    assert second.embeds[0]["footer"]["text"].startswith("1 answered")


async def test_racing_closers_close_only_their_question(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=3)
    for player in (alice, bob):
        await pick(sim, player, latest(sim, general), "A")
    await sim.advance(SECONDS)
    second = latest(sim, general)
    live = trivia(sim).games[general.id]
    # The last answers of a burst and the timer can all ask to close question 2 at once (seen in
    # bench/trivia.py): the first closes it and asks question 3; the others must leave 3 alone.
    await asyncio.gather(*(trivia(sim).close_round(live, 2) for _ in range(3)))
    await sim.settle()
    assert second.embeds[0]["title"] == "Question 2 of 3 — closed"
    third = latest(sim, general)
    assert third.embeds[0]["title"] == "Question 3 of 3"
    assert not any(button["disabled"] for button in third.buttons())


async def test_an_answer_form_left_open_across_a_restart_is_answered(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.slash(alice, general, "trivia start", questions=3, mode="typed")
    form = await sim.click(alice, latest(sim, general), label="Answer")
    await sim.restart_bot()
    late = await sim.submit_modal(alice, form, answer="Tom Cruise")
    assert late.ephemeral and late.content == "This question is closed."


async def test_ten_simultaneous_starts_by_one_member_make_one_game(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, _, alice, _ = room
    channels = [await guild.create_channel(f"room-{n}") for n in range(10)]
    replies = await asyncio.gather(*(sim.slash(alice, channel, "trivia start", questions=1) for channel in channels))
    started = [reply for reply in replies if not reply.ephemeral]
    assert len(started) == 1, [reply.content for reply in replies]
    assert all(reply.content.startswith("Slow down") for reply in replies if reply.ephemeral)
    assert len(trivia(sim).games) == 1


async def test_a_refused_start_does_not_count_towards_the_cooldown(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    await sim.set_bot_permissions(general, embed_links=False)
    refused = await sim.slash(alice, general, "trivia start", questions=1)
    assert refused.ephemeral and "I need Embed Links" in refused.content
    await sim.set_bot_permissions(general, embed_links=True)
    started = await sim.slash(alice, general, "trivia start", questions=1)
    assert not started.ephemeral, started.content


async def test_a_question_created_but_answered_503_is_retried_as_the_same_message(
    room: tuple[Sim, Any, Any, Any, Any],
) -> None:
    sim, _, general, alice, _ = room
    # Discord creates the question, then answers 503 (which discord.py does not retry): the cog's
    # retry must carry the same nonce, so that Discord hands back that message instead of a second.
    sim.fail_next("POST /channels/{channel_id}/messages", status=503, after_commit=True)
    await sim.slash(alice, general, "trivia start", questions=2)
    for _ in range(100):
        if len(sim.requests_to("POST /channels/{channel_id}/messages")) >= 2:
            break
        await asyncio.sleep(0.05)
    await sim.settle()
    posts = sim.requests_to("POST /channels/{channel_id}/messages")
    assert len(posts) == 2 and posts[0].body["nonce"] == posts[1].body["nonce"]
    assert titles(sim, general).count("Question 1 of 2") == 1
    live = trivia(sim).games[general.id]
    assert live.message is not None and live.message.id == latest(sim, general).id


async def test_questions_of_many_games_share_the_bots_pace(sim: Sim) -> None:
    from bot.delivery import Pacer

    guild = await sim.create_guild("MI Fans")
    players = [await sim.create_user(f"player{n}", guild=guild) for n in range(8)]
    channels = [await guild.create_channel(f"room-{n}") for n in range(8)]
    # Scaled down: Discord allows 50 requests a second and the bot paces at 40; here 5 and 4.
    sim.ratelimits.global_limit = 5
    sim.client.pacer = Pacer(4)
    sim.client.request_window.per_second = 4
    await asyncio.gather(
        *(
            sim.slash(player, channel, "trivia start", questions=1)
            for player, channel in zip(players, channels, strict=True)
        )
    )
    await eventually(lambda: len(sim.requests_to(POST)) >= 8, "every game's question to be posted")
    assert len(sim.requests_to(POST)) == 8
    # Every game's only player answers at once ("N answered" edits); then every question closes at
    # once: eight reveals (edits) and eight standings (posts).
    await asyncio.gather(
        *(pick(sim, player, latest(sim, channel), "A") for player, channel in zip(players, channels, strict=True))
    )
    await sim.advance(SECONDS)
    await eventually(lambda: len(sim.requests_to(POST)) >= 16, "every game's standings to be posted")
    await sim.settle()
    assert len(sim.requests_to(POST)) == 16
    assert len(sim.requests_to("PATCH /channels/{channel_id}/messages/{message_id}")) >= 8
    assert [r.key for r in sim.requests if r.status == 429] == []


# ---- the daily question's automatic post: the outbox discipline --------------------------------------------


def daily_posts(sim: Sim, channel: Any) -> list[Any]:
    return [r for r in sim.requests_to(POST) if r.params.get("channel_id") == str(channel.id)]


async def daily_post_row(sim: Sim, guild: Any) -> Any:
    rows = await sim.client.database.fetch_all(
        "SELECT day, status, attempts, reason, message_id FROM trivia_daily_posts WHERE guild_id = ? ORDER BY day",
        (guild.id,),
    )
    return [tuple(row) for row in rows]


async def daily_channel_at_nine(sim: Sim, guild: Any, general: Any) -> tuple[Any, Any]:
    admin = await sim.create_user("admin", guild=guild, admin=True)
    daily_channel = await guild.create_channel("daily")
    await sim.slash(admin, general, "settings trivia set", daily_channel=daily_channel, daily_time="09:00")
    return admin, daily_channel


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
@pytest.mark.parametrize("broken", ["permission", "deleted"])
async def test_a_broken_daily_channel_is_tried_once_and_an_admin_told_once(
    room: tuple[Sim, Any, Any, Any, Any], broken: str
) -> None:
    sim, guild, general, alice, _ = room
    admin, daily_channel = await daily_channel_at_nine(sim, guild, general)
    if broken == "permission":
        await sim.set_bot_permissions(daily_channel, send_messages=False)
    else:
        await sim.delete_channel(daily_channel)
    await sim.advance(timedelta(hours=3, minutes=1))
    for _ in range(6):  # the rest of the grace window, and the next day
        await sim.advance(timedelta(hours=1))
    await sim.advance(timedelta(days=1))
    (attempt,) = daily_posts(sim, daily_channel)
    assert attempt.status in (403, 404)
    reason = "Marquee is missing a permission" if broken == "permission" else "the channel was deleted"
    ((day, status, attempts, why, message_id),) = await daily_post_row(sim, guild)
    assert (day, status, attempts, message_id) == ("2024-05-01", "failed", 1, None)
    assert why.startswith(reason)
    # A member's command says nothing; the first admin command tells, once.
    quiet = await sim.slash(alice, general, "trivia leaderboard")
    await sim.settle()
    assert quiet.followups == []
    told = await sim.slash(admin, general, "trivia leaderboard")
    await sim.settle()
    (notice,) = told.followups
    assert notice.ephemeral and notice.content.startswith(f"⚠️ The daily trivia question is paused: {reason}")
    again = await sim.slash(admin, general, "trivia leaderboard")
    await sim.settle()
    assert again.followups == []
    shown = await sim.slash(admin, general, "settings trivia show")
    assert f"(paused: {reason}" in shown.content


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_saving_the_daily_settings_again_resumes_a_paused_daily(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, _, _ = room
    admin, daily_channel = await daily_channel_at_nine(sim, guild, general)
    await sim.set_bot_permissions(daily_channel, send_messages=False)
    await sim.advance(timedelta(hours=3, minutes=1))
    assert len(daily_posts(sim, daily_channel)) == 1
    await sim.set_bot_permissions(daily_channel, send_messages=True)
    await sim.slash(admin, general, "settings trivia set", daily_channel=daily_channel)
    await sim.advance(timedelta(days=1))
    assert [embed["title"] for embed in sim.channel_messages(daily_channel)[-1].embeds][-1] == (
        "Daily question — May 2, 2024"
    )


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_a_passing_error_on_the_daily_post_backs_off(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, _, _ = room
    _, daily_channel = await daily_channel_at_nine(sim, guild, general)
    sim.fail_next(POST, status=503)  # discord.py does not retry a 503 by itself
    await sim.advance(timedelta(hours=3, minutes=1))
    await sim.settle()
    assert [r.status for r in daily_posts(sim, daily_channel)] == [503]
    await sim.advance(timedelta(seconds=20))
    assert len(daily_posts(sim, daily_channel)) == 1  # the first retry waits 30 s
    await sim.advance(timedelta(seconds=15))
    assert [r.status for r in daily_posts(sim, daily_channel)] == [503, 200]
    assert len(sim.channel_messages(daily_channel)) == 1
    ((_, status, attempts, _, message_id),) = await daily_post_row(sim, guild)
    assert (status, attempts, message_id) == ("sent", 2, sim.channel_messages(daily_channel)[0].id)


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_a_daily_retry_after_the_nonce_window_finds_the_post_instead_of_doubling_it(
    room: tuple[Sim, Any, Any, Any, Any],
) -> None:
    sim, guild, general, _, _ = room
    _, daily_channel = await daily_channel_at_nine(sim, guild, general)
    # Discord creates the post but answers 503, then 503 again at +30 s; every later try may come after
    # Discord has forgotten the nonce (bot.delivery.NONCE_TRUSTED_FOR), so it looks for the post first.
    sim.fail_next(POST, status=503, after_commit=True)
    sim.fail_next(POST, status=503, times=3)
    await sim.advance(timedelta(hours=3, minutes=1))
    for pause in (30, 60, 120, 240):
        await sim.advance(timedelta(seconds=pause + 1))
    assert [r.status for r in daily_posts(sim, daily_channel)] == [503, 503]
    (message,) = sim.channel_messages(daily_channel)
    ((_, status, attempts, _, message_id),) = await daily_post_row(sim, guild)
    assert (status, attempts, message_id) == ("sent", 3, message.id)
    await sim.advance(timedelta(hours=1))
    assert len(sim.channel_messages(daily_channel)) == 1


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_a_late_daily_retry_that_cannot_look_gives_up_rather_than_risk_a_double(
    room: tuple[Sim, Any, Any, Any, Any],
) -> None:
    sim, guild, general, _, _ = room
    _, daily_channel = await daily_channel_at_nine(sim, guild, general)
    await sim.set_bot_permissions(daily_channel, read_message_history=False)
    sim.fail_next(POST, status=503, after_commit=True)
    sim.fail_next(POST, status=503, times=3)
    await sim.advance(timedelta(hours=3, minutes=1))
    for pause in (30, 60, 120, 240):
        await sim.advance(timedelta(seconds=pause + 1))
    assert [r.status for r in daily_posts(sim, daily_channel)] == [503, 503]
    assert len(sim.channel_messages(daily_channel)) == 1
    ((_, status, _, why, _),) = await daily_post_row(sim, guild)
    assert status == "failed" and "Read Message History" in why


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_the_daily_post_waits_while_the_breaker_is_open(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, _, _ = room
    _, daily_channel = await daily_channel_at_nine(sim, guild, general)
    breaker = sim.client.breaker
    for _ in range(breaker.limit):
        breaker.record(429)
    assert breaker.open
    await sim.advance(timedelta(hours=3, minutes=1))
    assert daily_posts(sim, daily_channel) == []
    assert await daily_post_row(sim, guild) == []


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_a_daily_post_past_the_grace_window_is_skipped_even_while_running(
    room: tuple[Sim, Any, Any, Any, Any],
) -> None:
    sim, guild, general, _, _ = room
    _, daily_channel = await daily_channel_at_nine(sim, guild, general)
    # The clock jumps (or the loop stalls) from 06:00 to 16:00: the 09:00 post is 7 h late, past 6 h of grace.
    await sim.advance(timedelta(hours=10))
    assert daily_posts(sim, daily_channel) == []
    ((day, status, _, why, _),) = await daily_post_row(sim, guild)
    assert (day, status) == ("2024-05-01", "skipped") and why.startswith("missed:")
    await sim.advance(timedelta(hours=17, minutes=1))
    assert [embed["title"] for embed in sim.channel_messages(daily_channel)[-1].embeds] == [
        "Daily question — May 2, 2024"
    ]


async def test_a_daily_post_killed_between_send_and_record_is_posted_exactly_once(tmp_path: Path) -> None:
    """SIGKILL after Discord created the daily post but before the bot recorded it: one message.

    The child runs on the real clock, so the simulator's starts ten minutes in the past: the
    in-process bot is set up for a post due five minutes ago in real time, which the child finds
    overdue (within the grace window) as soon as it starts.
    """
    real_now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = real_now - timedelta(minutes=5)
    if due.date() != real_now.date():
        pytest.skip("the daily time must fall on today's date (UTC) for this test")
    sim: Sim = await open_sim(tmp_path, start=real_now - timedelta(minutes=10), serve=marquee_serve)
    try:
        guild = await sim.create_guild("MI Fans")
        general = guild.channel("general")
        daily_channel = await guild.create_channel("daily")
        admin = await sim.create_user("admin", guild=guild, admin=True)
        await sim.slash(
            admin, general, "settings trivia set", daily_channel=daily_channel, daily_time=due.strftime("%H:%M")
        )
        await sim.stop_bot()

        def rows() -> list[tuple[str, int | None, int]]:
            with contextlib.closing(sqlite3.connect(f"file:{sim.database_path}?mode=ro", uri=True)) as db:
                return db.execute("SELECT status, message_id, attempts FROM trivia_daily_posts").fetchall()

        # Discord creates the message, then the answer is held back while the bot is killed.
        sim.slow_next(POST, 3.0, after_commit=True)
        spawning = asyncio.create_task(sim.spawn_bot())
        await eventually(lambda: len(sim.channel_messages(daily_channel)) == 1, "the daily post to reach the channel")
        sim.kill_bot()
        with contextlib.suppress(Exception):
            await spawning
        assert await sim.wait_bot_exit() == -9
        assert rows() == [("sending", None, 1)]

        await sim.settle()
        await sim.spawn_bot()
        await eventually(lambda: rows()[0][0] == "sent", "the daily post to be recorded as sent")
        (message,) = sim.channel_messages(daily_channel)
        assert rows() == [("sent", message.id, 2)]
        sends = daily_posts(sim, daily_channel)
        assert len(sends) == 2 and sends[0].body["nonce"] == sends[1].body["nonce"]
        await sim.stop_bot()
        sim.check_violations()
    finally:
        await sim.close()


# ---- settings ----------------------------------------------------------------------------------------------


@pytest.mark.sim_start("2024-05-01T16:00:00+00:00")
async def test_the_server_timezone_can_be_set_and_dates_the_daily_question(
    room: tuple[Sim, Any, Any, Any, Any],
) -> None:
    sim, guild, general, alice, _ = room
    admin = await sim.create_user("admin", guild=guild, admin=True)
    offered = await sim.autocomplete(admin, general, "settings trivia set", "timezone", "tokyo")
    assert {"name": "Asia/Tokyo", "value": "Asia/Tokyo"} in offered
    bad = await sim.slash(admin, general, "settings trivia set", timezone="Mars/Olympus_Mons")
    assert bad.ephemeral and "is not a timezone" in bad.content
    shown = await sim.slash(admin, general, "settings trivia set", timezone="asia/tokyo")
    assert shown.ephemeral and "• Timezone: Asia/Tokyo" in shown.content
    assert "• Timezone: Asia/Tokyo" in (await sim.slash(admin, general, "settings trivia show")).content
    # 16:00 UTC on 1 May is 01:00 on 2 May in Tokyo.
    daily = await sim.slash(alice, general, "trivia daily")
    assert daily.embeds[0]["title"] == "Daily question — May 2, 2024"


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_the_daily_time_is_in_the_server_timezone(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, _, _ = room
    admin = await sim.create_user("admin", guild=guild, admin=True)
    daily_channel = await guild.create_channel("daily")
    # 09:00 in New York (EDT) is 13:00 UTC.
    await sim.slash(
        admin,
        general,
        "settings trivia set",
        daily_channel=daily_channel,
        daily_time="09:00",
        timezone="America/New_York",
    )
    await sim.advance(timedelta(hours=6, minutes=59))
    assert sim.channel_messages(daily_channel) == []
    await sim.advance(timedelta(minutes=2))
    assert [embed["title"] for embed in sim.channel_messages(daily_channel)[-1].embeds] == [
        "Daily question — May 1, 2024"
    ]


@pytest.mark.sim_start("2024-05-01T06:00:00+00:00")
async def test_the_daily_time_follows_a_timezone_set_for_the_whole_server(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, guild, general, _, _ = room
    admin = await sim.create_user("admin", guild=guild, admin=True)
    daily_channel = await guild.create_channel("daily")
    await sim.slash(admin, general, "settings trivia set", daily_channel=daily_channel, daily_time="09:00")
    # /settings server set, not /settings trivia set: the alarm aimed at 09:00 UTC moves to 07:00 UTC (09:00
    # in Berlin, CEST).
    await sim.slash(admin, general, "settings server set", timezone="Europe/Berlin")
    await sim.advance(timedelta(minutes=59))
    assert sim.channel_messages(daily_channel) == []
    await sim.advance(timedelta(minutes=2))
    assert [embed["title"] for embed in sim.channel_messages(daily_channel)[-1].embeds] == [
        "Daily question — May 1, 2024"
    ]


async def test_a_pack_load_builds_the_question_pool_again(sim: Sim) -> None:
    engine = trivia(sim)
    await engine.ready_pool()
    before = engine.pool.task
    await sim.client.services.catalogue_changed()
    assert engine.pool.task is not None and engine.pool.task is not before
    await engine.pool.task
    assert await engine.ready_pool()


async def test_trivia_settings_refuse_another_servers_channel(sim: Sim) -> None:
    from tests.discord_sim.errors import SimError

    guild = await sim.create_guild("MI Fans")
    other = await sim.create_guild("Elsewhere")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    await sim.add_member(other, admin)
    foreign = other.channel("general")
    for option in ("daily_channel", "channel"):
        try:
            reply = await sim.slash(
                admin, guild.channel("general"), "settings trivia set", seconds=30, **{option: foreign}
            )
        except SimError:
            continue  # the local Discord refused it, as Discord does
        # discord.py resolves a channel option within the interaction's server and refuses others.
        assert reply.ephemeral and "is not a valid channel" in reply.content, reply.content
    settings = sim.client.services.trivia.repository
    assert await settings.daily_settings(guild.id) is None
    assert await settings.stored_settings(guild.id, foreign.id) is None


async def test_no_game_starts_while_the_invalid_request_breaker_is_open(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    sim, _, general, alice, _ = room
    breaker = sim.client.breaker
    for _ in range(breaker.limit):
        breaker.record(429)
    refused = await sim.slash(alice, general, "trivia start", questions=1)
    assert refused.ephemeral and "Discord has refused too many of my requests" in refused.content
    assert sim.requests_to(POST) == [] and trivia(sim).games == {}


async def test_an_old_question_never_answers_a_new_game_that_got_its_id(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    from db.repositories.guilds import GuildDataRepository

    sim, guild, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=3)
    old_question = latest(sim, general)
    await sim.restart_bot()  # the game is interrupted; its message keeps its buttons
    # The server's data is deleted (it removed Marquee, then came back). Game ids are never handed out
    # twice (AUTOINCREMENT); the sequence is wound back here as in a database from before that, so that
    # the next game gets the old id and its first question the same button ids as the old message.
    await GuildDataRepository(sim.client.database).purge(guild.id)
    await sim.client.database.execute("UPDATE sqlite_sequence SET seq = 0 WHERE name = 'trivia_games'")
    await sim.advance(timedelta(minutes=1))
    await sim.slash(bob, general, "trivia start", questions=3)
    new_id = trivia(sim).games[general.id].record.id
    assert f"trivia:{new_id}:1:0" in [button["custom_id"] for button in old_question.buttons()]
    stale = await pick(sim, alice, old_question, "A")
    assert stale.ephemeral and stale.content == "This question is closed."
    assert not trivia(sim).games[general.id].state.records


async def test_a_new_game_never_gets_the_id_of_a_deleted_one(room: tuple[Sim, Any, Any, Any, Any]) -> None:
    from db.repositories.guilds import GuildDataRepository

    sim, guild, general, alice, bob = room
    await sim.slash(alice, general, "trivia start", questions=3)
    old_question = latest(sim, general)
    await sim.restart_bot()
    await GuildDataRepository(sim.client.database).purge(guild.id)
    await sim.advance(timedelta(minutes=1))
    await sim.slash(bob, general, "trivia start", questions=3)
    new_id = trivia(sim).games[general.id].record.id
    assert f"trivia:{new_id}:1:0" not in [button["custom_id"] for button in old_question.buttons()]
    stale = await pick(sim, alice, old_question, "A")
    assert stale.ephemeral
    assert not trivia(sim).games[general.id].state.records


FAN_QUESTIONS = """
[pack]
id = "fan-questions"
name = "Fan questions"
version = "1.0.0"
requires = ["mission-impossible"]

[[source]]
key = "fans"
ref = "a fan list"

[[trivia]]
key = "fan-codename"
film = "mi1"
kind = "typed"
question = "What does the fan club call the briefcase of the first film?"
answers = ["The Lunchbox", "Lunchbox Prime"]
difficulty = "medium"
category = "community"
source = "fans"
author = "Ada <@123> @everyone"
"""


async def test_a_typed_question_of_a_pack_is_played_in_typed_mode_only(sim: Sim) -> None:
    pack = sim.tmp_path / "fan-questions.toml"
    pack.write_text(FAN_QUESTIONS, encoding="utf-8")
    # The pack names the bundled pack's film "mi1": it loads after the pack it requires.
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    sim.quiet = 0.15
    guild = await sim.create_guild("Fan club")
    alice = await sim.create_user("alice", guild=guild)
    general = guild.channel("general")
    engine = trivia(sim)
    pool = await engine.ready_pool()
    about_mi1 = [question for question in pool if question.film_key == "mi1"]
    ours = next(question for question in about_mi1 if question.key == "fan-codename")
    assert ours.typed_only and ours.author
    # Every other question about the film asked lately: a game picks the fresh one first, when it may ask it.
    others = [question.key for question in about_mi1 if question.key != ours.key]
    await engine.repository.mark_asked(guild.id, others, sim.client.clock.now(), keep=len(others) + 1)

    await sim.slash(alice, general, "trivia start", film="mi1", questions=1)
    assert ours.key not in [question.key for question in engine.games[general.id].questions]
    assert open_round(sim, general).choices  # buttons
    await sim.slash(alice, general, "trivia stop")
    await sim.advance(SECONDS)

    await sim.slash(alice, general, "trivia start", film="mi1", questions=1, mode="typed")
    asked = latest(sim, general)
    assert open_round(sim, general).question.key == ours.key
    form = await sim.click(alice, asked, label="Answer")
    locked = await sim.submit_modal(alice, form, answer="lunchbox prime")  # the second accepted answer
    assert locked.ephemeral and locked.content.startswith("Locked in:")
    await sim.advance(SECONDS)
    reveal = asked.embeds[0]
    assert reveal["title"] == "Question 1 of 1 — closed"
    assert {"name": "Right", "value": alice.mention, "inline": False} in reveal["fields"]
    author = next(field["value"] for field in reveal["fields"] if field["name"] == "Question by")
    assert author.startswith("Ada") and "<@123>" not in author and "@everyone" not in author
