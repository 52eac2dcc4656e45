"""The issue's API catalogue, run against the simulator's test bot; plus odds and ends."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest

from tests.discord_sim import Sim
from tests.discord_sim.schema import find_spec, load_validator


async def test_catalogue(testbot_sim: Sim) -> None:
    sim = testbot_sim
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    alice = await sim.create_user("alice", guild=guild, admin=True)
    fans = await guild.create_role("Fans")
    bob = await sim.create_user("bob", guild=guild, roles=[fans])
    erin = await sim.create_user("erin", guild=guild, dms_closed=True)
    assert (await sim.slash(erin, general, "dm")).content == "failed: 403 50007"
    sim.fail_next("POST /channels/{channel_id}/messages", status=502, after_commit=True)
    await sim.drop_gateway()
    reply = await sim.slash(alice, general, "film info", title="Fallout")
    assert (reply.content, reply.embeds, reply.ephemeral, reply.components) == ("Film: Fallout", [], False, [])
    choices = await sim.autocomplete(alice, general, "film info", "title", "dead")
    assert choices == [{"name": "Dead Reckoning Part One", "value": "Dead Reckoning Part One"}]
    pages = await sim.slash(bob, general, "pager")
    page2 = await sim.click(bob, pages, label="Next")
    assert page2.content == "page 2"
    await sim.slash(alice, general, "say", text=f"<@{bob.id}> look")  # stored, 502, retried with its nonce
    assert [m.content for m in sim.channel_messages(general)] == ["Film: Fallout", "page 2", f"<@{bob.id}> look"]
    assert sim.dms(alice) == [] and [m.content for m in sim.pings(bob)] == [f"<@{bob.id}> look"]
    before = sim.now()
    await sim.advance(timedelta(days=1))
    assert sim.now() - before == timedelta(days=1)
    await sim.restart_bot()
    await sim.set_bot_permissions(general, send_messages=False)
    await sim.delete_channel(general)
    await sim.remove_bot(guild, unavailable=False)
    assert {r.key for r in sim.requests} >= {"POST /interactions/{interaction_id}/{interaction_token}/callback"}
    assert all(r.status for r in sim.requests)


async def test_slash_in_a_dm(testbot_sim: Sim) -> None:
    sim = testbot_sim
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    reply = await sim.slash(alice, None, "about")
    assert reply.embeds and reply.message.channel_id == sim.world.dm_channels[alice.id]


async def test_ban_after_too_many_invalid_requests(testbot_sim: Sim) -> None:
    sim = testbot_sim
    sim.ratelimits.ban_threshold = 2
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    alice = await sim.create_user("alice", guild=guild)
    await sim.set_bot_permissions(general, send_messages=False)
    await sim.slash(alice, general, "say", text="a")
    await sim.slash(alice, general, "say", text="b")
    assert sim.invalid_request_count() == 2 and sim.ratelimits.banned
    await sim.advance(timedelta(minutes=11))
    assert sim.invalid_request_count() == 0


def test_spec_missing_means_one_warning_and_no_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.discord_sim import schema

    monkeypatch.setattr(schema, "_warned", False)
    env = {"MARQUEE_DISCORD_SPEC": "/nonexistent/openapi.json"}
    assert find_spec(env) is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert load_validator(env) is None
        assert load_validator(env) is None
    assert len(caught) == 1 and "skips request schema checks" in str(caught[0].message)


def test_spec_check_reports_like_discord() -> None:
    validator = load_validator()
    if validator is None:
        pytest.skip("Discord's OpenAPI description is not available")
    errors = validator.validate(
        "POST",
        "/channels/{channel_id}/messages",
        {"embeds": [{"title": "t" * 257, "fields": [{"name": "n"}]}], "sparkle": True},
    )
    assert errors == {
        "embeds": {
            "0": {
                "title": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]},
                "fields": {
                    "0": {"value": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]}}
                },
            }
        },
        "sparkle": {"_errors": [{"code": "UNKNOWN_FIELD", "message": "Unknown field 'sparkle'."}]},
    }
