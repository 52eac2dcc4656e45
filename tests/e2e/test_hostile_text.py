"""Hostile text in every free-text option of every command: every answer is one Discord accepts.

The commands are those the bot really synced (the simulator's record of them), so a new command or
option is covered without touching this file. The text comes from hypothesis: very long runs,
markdown, mentions, invisible and right-to-left characters, newlines. The simulator rejects an answer
over Discord's limits (content over 2,000 characters, an embed over its limits) as a violation, which
fails the test; an answer that never comes fails it too.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.tree import APOLOGY
from tests.discord_sim import Sim
from tests.discord_sim.interactions import BOOLEAN, CHANNEL, INTEGER, NUMBER, ROLE, STRING, SUB_COMMAND
from tests.discord_sim.interactions import SUB_COMMAND_GROUP as GROUP
from tests.hostile import HOSTILE_PARTS

HOSTILE = st.one_of(
    st.text(min_size=1, max_size=200),
    st.lists(HOSTILE_PARTS, min_size=1, max_size=300).map("".join),
    st.builds(lambda part, n: part * n, HOSTILE_PARTS, st.integers(min_value=1, max_value=2100)),
)
# The attacks that failed before, whatever hypothesis draws.
KNOWN = ["*" * 1000, "m" * 2000, "@everyone " * 150, "\u200b" * 500, "<@123>" * 300, "_\n" * 700]
EXAMPLES = 12
# The mentions the attacks type (the bot's own answers may mention channels and roles on purpose).
MENTION = re.compile(r"@(everyone|here)|<@!?123>|<@&42>|<#7>")

# A value a member would plausibly give each option that is not under attack, so that the attacked
# one reaches as deep into the command as it can (an event with a hostile name is really added).
PLAUSIBLE = {
    "title": "dead reckoning",
    "film": "fallout",
    "date": "2031-05-23",
    "time": "20:00",
    "timezone": "UTC",
    "region": "GB",
    "country": "GB",
    "first": "Tom Cruise",
    "second": "Ving Rhames",
    "when": "1d",
    "milestones": "default",
    "targets": "all",
}


def hostile_texts() -> list[str]:
    drawn: list[str] = []

    @settings(max_examples=EXAMPLES, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(HOSTILE)
    def draw(text: str) -> None:
        drawn.append(text)

    draw()
    return KNOWN + drawn


def leaf_commands(sim: Sim) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every chat command the bot synced, as ("name sub", its options)."""
    leaves: list[tuple[str, list[dict[str, Any]]]] = []

    def walk(path: str, options: list[dict[str, Any]]) -> None:
        subs = [o for o in options if o["type"] in (SUB_COMMAND, GROUP)]
        if not subs:
            leaves.append((path, options))
        for sub in subs:
            walk(f"{path} {sub['name']}", sub.get("options") or [])

    for command in sim.world.commands.values():
        if command.type == 1:
            walk(command.name, command.data.get("options") or [])
    return sorted(leaves, key=lambda leaf: leaf[0])


def free_text(option: dict[str, Any]) -> bool:
    return option["type"] == STRING and not option.get("choices")


def plausible(option: dict[str, Any], guild: Any) -> Any:
    kind = option["type"]
    if option.get("choices"):
        return option["choices"][0]["value"]
    if kind == STRING:
        return PLAUSIBLE.get(option["name"], "x")
    if kind in (INTEGER, NUMBER):
        return option.get("min_value") if option.get("min_value") is not None else 1
    if kind == BOOLEAN:
        return False
    if kind == CHANNEL:
        return guild.channel("general")
    if kind == ROLE:
        return guild.everyone
    raise AssertionError(f"no plausible value for option type {kind}")


def fitted(text: str, option: dict[str, Any]) -> str:
    """What Discord's client lets a member send: the option's length bounds."""
    text = text[: option.get("max_length", 6000)]
    return text.ljust(option.get("min_length", 1), "x")


@pytest.fixture
async def world(sim: Sim) -> tuple[Sim, Any, Any]:
    guild = await sim.create_guild("Hostile")
    admin = await sim.create_user("mallory", guild=guild, admin=True)
    return sim, guild, admin


def assert_fine(reply: Any, what: str) -> None:
    assert reply.response_type is not None, f"{what}: no answer"
    text = reply.text()
    assert APOLOGY not in text, f"{what}: internal error"
    for message in reply.messages:
        assert len(message.content or "") <= 2000
        assert not (message.mention_everyone or message.pinged or message.mention_roles), f"{what}: pinged"
        # A mention shown outside a code span must be broken, so the text does not even look like one.
        outside_code = re.sub(r"`[^`]*`", "", message.content or "")
        assert MENTION.search(outside_code) is None, f"{what}: a mention in {outside_code[:200]!r}"


async def test_a_long_title_is_quoted_short(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    for title in ("*" * 1000, "m" * 2000):
        reply = await sim.slash(admin, guild.channel("general"), "film info", title=title)
        assert reply.ephemeral and reply.content.startswith("No film called “")
        assert len(reply.content) < 400


async def test_every_free_text_option_answers_within_discords_limits(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    general = guild.channel("general")
    sim.quiet = 0.01  # hundreds of commands, each answered at once: no need to wait long for stragglers
    texts = hostile_texts()
    attacked = 0
    for path, options in leaf_commands(sim):
        for target in (o for o in options if free_text(o)):
            attacked += 1
            for text in texts:
                values = {o["name"]: plausible(o, guild) for o in options if o.get("required")}
                values[target["name"]] = fitted(text, target)
                what = f"/{path} {target['name']}={values[target['name']][:40]!r}"
                reply = await sim.slash(admin, general, path, **values)
                assert_fine(reply, what)
                if target.get("autocomplete"):
                    choices = await sim.autocomplete(admin, general, path, target["name"], values[target["name"]])
                    assert len(choices) <= 25, what
    # The issue counted 14 such options; fewer means the walk missed some.
    assert attacked >= 14


async def test_an_event_name_is_echoed_inert(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    general = guild.channel("general")
    name = "**@everyone** <@123>\n# big" + "_" * 80
    description = "\u202eesrever ni\n\n\u200b# not a heading"
    reply = await sim.slash(admin, general, "event add", name=name[:100], date="2031-05-23", description=description)
    assert reply.content.startswith("Added **")
    assert "@everyone" not in reply.content and "<@123>" not in reply.content and "\n" not in reply.content
    about = next(field["value"] for field in reply.embeds[0]["fields"] if field["name"] == "About")
    assert about == "esrever ni # not a heading"


async def test_a_button_whose_handler_fails_gets_one_apology(
    world: tuple[Sim, Any, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    sim, guild, admin = world
    card = await sim.slash(admin, guild.channel("general"), "film info", title="fallout")

    async def broken(*args: Any) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(sim.client.get_cog("Films"), "show_film_part", broken)
    with caplog.at_level(logging.ERROR, logger="bot.tree"):
        answer = await sim.click(admin, card, label="Full cast")
    assert answer.ephemeral and answer.content == APOLOGY
    assert len(answer.messages) == 1
    assert any("film:fullcast" in record.getMessage() for record in caplog.records)


async def test_event_names_that_look_alike_are_one_name(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    general = guild.channel("general")
    added = await sim.slash(admin, general, "event add", name="Café party", date="2031-05-23")
    assert added.content == "Added **Café party**."
    for lookalike in (
        "Cafe\u0301 party",
        "Café party\u200b",
        "CAFÉ\u00a0PARTY",
        "Ca\u200bfé \u202eparty",
        "\ufeffcafé party",
    ):
        reply = await sim.slash(admin, general, "event add", name=lookalike, date="2031-06-01")
        assert reply.ephemeral, lookalike
        assert reply.content.casefold() == "there is already an event called “café party”.", reply.content
    for blank in ("\u200b", "\u200b\u200c\u2060", "\u3164", "\u202e\u200f"):
        reply = await sim.slash(admin, general, "event add", name=blank, date="2031-06-01")
        assert reply.ephemeral and reply.content == "Give the event a name with something visible in it."
    # Any way of writing it names the one event.
    removed = await sim.slash(admin, general, "event remove", name="CAFE\u0301 PARTY\u200b")
    assert removed.content == "Removed **Café party**."


async def test_event_list_pages_instead_of_dropping_events(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    general = guild.channel("general")
    names = [f"{number:03d} " + "Ω*" * 48 for number in range(60)]
    for number, name in enumerate(names):
        await sim.slash(
            admin, general, "event add", name=name, date=f"2031-{1 + number // 28:02d}-{1 + number % 28:02d}"
        )
    listed = await sim.slash(admin, general, "event list")
    seen = listed.embeds[0]["description"].count("•")
    pages = 1
    while seen < len(names):
        assert any(button["label"] == "Next" and not button.get("disabled") for button in listed.buttons())
        listed = await sim.click(admin, listed, label="Next")
        seen += listed.embeds[0]["description"].count("•")
        pages += 1
    assert seen == len(names) and pages > 1


async def long_named_events(sim: Sim, guild: Any, admin: Any, count: int) -> list[str]:
    """`count` events whose names are as long as allowed and double in length when escaped."""
    names = [f"{number:02d} " + "*_" * 48 for number in range(count)]
    for number, name in enumerate(names):
        added = await sim.slash(
            admin, guild.channel("general"), "event add", name=name, date=f"2031-03-{1 + number:02d}"
        )
        assert added.content.startswith("Added **")
    return names


async def test_announcement_settings_naming_25_long_targets_fit_one_answer(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    news = await guild.create_channel("news")
    names = await long_named_events(sim, guild, admin, 25)
    reply = await sim.slash(
        admin, guild.channel("general"), "settings announcements set", channel=news, targets=", ".join(names)
    )
    assert reply.ephemeral and "• Targets: " in reply.content and len(reply.content) <= 2000
    status = await sim.slash(admin, guild.channel("general"), "settings announcements status")
    assert status.embeds and "Targets" in status.embeds[0]["description"]


async def test_remind_list_shows_every_reminder(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    names = await long_named_events(sim, guild, admin, 25)
    for name in names:
        reply = await sim.slash(admin, guild.channel("general"), "remind event", name=name)
        assert reply.content.startswith("I'll remind you about"), reply.content
    listed = await sim.slash(admin, guild.channel("general"), "remind list")
    shown = "\n".join(embed["description"] for message in listed.messages for embed in message.embeds)
    lines = shown.splitlines()
    assert len(lines) == 25 and all(line.endswith((">", "nothing left to send")) for line in lines), shown[-300:]


TWO_FRANCHISES = """\
[pack]
id = "e2e-vault-line"
name = "Vault Line (test pack)"
version = "1.0.0"

[[source]]
key = "notes"
ref = "https://example.com/vault-line"

[[film]]
key = "vault-line"
title = "Vault Line"
year = 2026
source = "notes"
"""


async def test_a_timeline_longer_than_a_page_pages_and_each_page_opens_its_films(sim: Sim) -> None:
    pack = sim.tmp_path / "vault-line.toml"
    pack.write_text(TWO_FRANCHISES, encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    guild = await sim.create_guild("Two franchises")
    alice = await sim.create_user("alice", guild=guild)
    bob = await sim.create_user("bob", guild=guild)
    general = guild.channel("general")
    reply = await sim.slash(alice, general, "film timeline")
    assert len(reply.embeds) == 1 and "Next" in [button["label"] for button in reply.buttons()]
    turned = await sim.click(alice, reply, label="Next")
    assert "Vault Line (2026)" in turned.embeds[0]["description"]
    opened = await sim.select(bob, turned, ["vault-line"], placeholder="Open a film…")
    assert opened.ephemeral and opened.embeds[0]["title"] == "Vault Line (2026)"
    refused = await sim.click(bob, turned, label="Previous")
    assert refused.ephemeral and refused.content == "Only the member who asked can turn these pages."


async def test_autocomplete_finds_an_event_however_its_name_is_typed(world: tuple[Sim, Any, Any]) -> None:
    sim, guild, admin = world
    general = guild.channel("general")
    await sim.slash(admin, general, "event add", name="Café party", date="2031-05-23")
    for typed in ("cafe\u0301", "CAFÉ\u200b P", "café  party"):
        choices = await sim.autocomplete(admin, general, "event remove", "name", typed)
        assert [choice["name"] for choice in choices] == ["📅 Café party (2031-05-23)"], typed
