"""Film lookups end to end: what a fan sees for every command and button."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from typing import Any

import pytest

from tests.discord_sim import Sim
from tests.e2e.running import eventually

NOT_YOURS = "Only the member who asked can turn these pages."


@pytest.fixture
async def fans(sim: Sim) -> tuple[Sim, Any, Any, Any]:
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    bob = await sim.create_user("bob", guild=guild)
    return sim, guild.channel("general"), alice, bob


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


def labels(reply: Any) -> list[str]:
    return [button.get("label") for button in reply.buttons()]


async def test_film_card(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "film info", title="fallout")
    assert not reply.ephemeral
    card = reply.embeds[0]
    assert card["title"] == "Mission: Impossible – Fallout (2018)"
    values = fields(card)
    assert values["Directed by"] == "Christopher McQuarrie"
    assert values["Runtime"] == "147 min"
    assert "Tom Cruise as Ethan Hunt" in values["Cast"]
    assert len(values["Cast"].splitlines()) == 10
    assert values["Franchise"] == "6th of 8 in Mission: Impossible"
    assert "<t:" in values["Released in United States"] and ":D>" in values["Released in United States"]
    assert ":R>" not in values["Released in United States"]  # long out: no countdown
    assert labels(reply) == ["Full cast", "Release dates", "Previous film", "Next film"]


async def test_first_film_has_no_previous_button(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "film info", title="Mission: Impossible")
    assert reply.embeds[0]["title"] == "Mission: Impossible (1996)"
    assert labels(reply) == ["Full cast", "Release dates", "Next film"]


@pytest.mark.sim_start("2025-03-01T12:00:00+00:00")
async def test_upcoming_release_counts_down(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "film info", title="MI8")
    assert reply.embeds[0]["title"].startswith("Mission: Impossible – The Final Reckoning")
    assert ":R>" in fields(reply.embeds[0])["Released in United States"]


async def test_region_follows_the_member_locale(sim: Sim) -> None:
    guild = await sim.create_guild("Fans abroad")
    general = guild.channel("general")
    brit = await sim.create_user("brit", guild=guild, locale="en-GB")
    reply = await sim.slash(brit, general, "film info", title="dead reckoning")
    assert "Released in United Kingdom" in fields(reply.embeds[0])
    nomad = await sim.create_user("nomad", guild=guild, locale="es-419")
    reply = await sim.slash(nomad, general, "film info", title="dead reckoning")
    # Latin American Spanish reads the Spanish catalogue (and the United States' dates).
    assert "Estreno en Estados Unidos" in fields(reply.embeds[0])
    # A country with no known date for the film falls back to the United States.
    dane = await sim.create_user("dane", guild=guild, locale="da")
    reply = await sim.slash(dane, general, "film info", title="dead reckoning")
    assert "Released in United States" in fields(reply.embeds[0])


async def test_a_region_chosen_with_preferences_shows_on_the_next_card(sim: Sim) -> None:
    guild = await sim.create_guild("Fans abroad")
    general = guild.channel("general")
    fan = await sim.create_user("fan", guild=guild, locale="en-US")
    reply = await sim.slash(fan, general, "film info", title="dead reckoning")
    assert "Released in United States" in fields(reply.embeds[0])
    await sim.slash(fan, general, "preferences region", region="GB")
    reply = await sim.slash(fan, general, "film info", title="dead reckoning")
    assert "Released in United Kingdom" in fields(reply.embeds[0])
    # Deleting their data deletes the chosen region too: back to their language's country.
    question = await sim.slash(fan, general, "privacy delete")
    await sim.click(fan, question, label="Delete everything")
    reply = await sim.slash(fan, general, "film info", title="dead reckoning")
    assert "Released in United States" in fields(reply.embeds[0])


async def test_did_you_mean_then_pick(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    question = await sim.slash(alice, general, "film info", title="reckoning")
    assert question.ephemeral and question.content.startswith("Did you mean")
    assert labels(question) == [
        "Mission: Impossible – Dead Reckoning Part One (2023)",
        "Mission: Impossible – The Final Reckoning (2025)",
    ]
    picked = await sim.click(alice, question, label="Mission: Impossible – The Final Reckoning (2025)")
    assert question.message.components == []  # the question is closed
    card = picked.followups[0]
    assert not card.ephemeral
    assert card.embeds[0]["title"] == "Mission: Impossible – The Final Reckoning (2025)"


async def test_no_match_suggests_and_never_guesses(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    for decoy in ("Top Gun", "Barbie", "Mission Impossible 9"):
        reply = await sim.slash(alice, general, "film info", title=decoy)
        assert reply.ephemeral
        assert reply.content.startswith(f"No film called “{decoy}”.")
        assert not reply.embeds


async def test_a_film_not_in_the_catalogue_offers_the_closest_as_choices(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    question = await sim.slash(alice, general, "film info", title="Ghost")
    assert question.ephemeral and question.content == "No film called “Ghost”. Closest in the catalogue:"
    assert labels(question)[0] == "Mission: Impossible – Ghost Protocol (2011)"
    picked = await sim.click(alice, question, label="Mission: Impossible – Ghost Protocol (2011)")
    assert picked.followups[0].embeds[0]["title"] == "Mission: Impossible – Ghost Protocol (2011)"
    nothing = await sim.slash(alice, general, "film info", title="Barbie")
    assert nothing.ephemeral and nothing.content == "No film called “Barbie”. It is not in the catalogue."


async def test_sequel_numbers_are_exact(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "film info", title="Mission: Impossible 3")
    assert reply.embeds[0]["title"] == "Mission: Impossible III (2006)"
    reply = await sim.slash(alice, general, "film info", title="m:i:iii")
    assert reply.embeds[0]["title"] == "Mission: Impossible III (2006)"


async def test_autocomplete(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    choices = await sim.autocomplete(alice, general, "film info", "title", "dead")
    assert choices[0] == {"name": "Mission: Impossible – Dead Reckoning Part One (2023)", "value": "mi7"}
    everything = await sim.autocomplete(alice, general, "film info", "title", "")
    assert [choice["value"] for choice in everything] == [f"mi{n}" for n in range(1, 9)]
    assert all(len(choice["name"]) <= 100 for choice in everything)
    picked = await sim.slash(alice, general, "film info", title=choices[0]["value"])
    assert picked.embeds[0]["title"] == choices[0]["name"]


async def test_card_buttons(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, bob = fans
    card = await sim.slash(alice, general, "film info", title="ghost protocol")
    cast = await sim.click(bob, card, label="Full cast")
    assert cast.ephemeral and "Tom Cruise as Ethan Hunt" in cast.text()
    dates = await sim.click(bob, card, label="Release dates")
    assert dates.ephemeral and "United States" in fields(dates.embeds[0])
    # Someone else browsing gets their own card; the shared one does not move.
    other = await sim.click(bob, card, label="Next film")
    assert other.ephemeral and other.embeds[0]["title"] == "Mission: Impossible – Rogue Nation (2015)"
    assert card.embeds[0]["title"] == "Mission: Impossible – Ghost Protocol (2011)"
    # The member who asked browses in place.
    await sim.click(alice, card, label="Next film")
    assert card.embeds[0]["title"] == "Mission: Impossible – Rogue Nation (2015)"
    await sim.click(alice, card, label="Previous film")
    assert card.embeds[0]["title"] == "Mission: Impossible – Ghost Protocol (2011)"


async def test_cast_pages_belong_to_the_asker(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, bob = fans
    pages = await sim.slash(alice, general, "film cast", title="MI7")
    assert pages.embeds[0]["footer"]["text"].startswith("Page 1 of ")
    refused = await sim.click(bob, pages, label="Next")
    assert refused.ephemeral and refused.content == NOT_YOURS
    assert pages.embeds[0]["footer"]["text"].startswith("Page 1 of ")
    await sim.click(alice, pages, label="Next")
    assert pages.embeds[0]["footer"]["text"].startswith("Page 2 of ")
    text = "\n".join(embed["description"] for embed in pages.embeds)
    assert "Directing" in text or "Cast (continued)" in text


async def test_cast_by_department(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "film cast", title="fallout", department="Directing")
    assert reply.embeds[0]["description"].startswith("**Directing**")
    assert "Christopher McQuarrie — Director" in reply.embeds[0]["description"]
    assert "Ethan Hunt" not in reply.text()


async def test_expired_pages_disable_their_buttons(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    sim.client.get_cog("Films").page_timeout = 0.3
    pages = await sim.slash(alice, general, "film cast", title="MI7")
    assert any(not button["disabled"] for button in pages.buttons())
    for _ in range(50):
        if all(button["disabled"] for button in pages.buttons()):
            break
        await asyncio.sleep(0.05)
    assert all(button["disabled"] for button in pages.buttons())


async def test_releases_are_local_calendar_dates(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "film releases", title="dead reckoning")
    values = fields(reply.embeds[0])
    assert values["United States"] == "Theatrical: 12 July 2023"
    assert "Theatrical: 10 July 2023" in values["United Kingdom"]
    only_uk = await sim.slash(alice, general, "film releases", title="dead reckoning", country="gb")
    assert list(fields(only_uk.embeds[0])) == ["United Kingdom"]
    bad = await sim.slash(alice, general, "film releases", title="dead reckoning", country="Narnia")
    assert bad.ephemeral and "not a country code" in bad.content


async def test_timeline_and_its_menu(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, bob = fans
    reply = await sim.slash(alice, general, "film timeline")
    lines = reply.embeds[0]["description"].splitlines()
    assert len(lines) == 8
    assert lines[0] == "**1.** Mission: Impossible (1996) · 110 min · Brian De Palma"
    opened = await sim.select(bob, reply, ["mi3"])
    assert opened.ephemeral and opened.embeds[0]["title"] == "Mission: Impossible III (2006)"


async def test_random_film(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "film random")
    assert reply.embeds[0]["title"].startswith("Mission: Impossible")
    assert "Full cast" in labels(reply)


async def test_person_by_surname(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "person", name="mcquarrie")
    assert reply.embeds[0]["title"] == "Christopher McQuarrie"
    assert "2023 · Mission: Impossible – Dead Reckoning Part One — Director" in reply.text()
    lines = reply.embeds[0]["description"].splitlines()[1:]
    assert lines == sorted(lines, key=lambda line: line[:4])  # in film order


async def test_person_did_you_mean(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    question = await sim.slash(alice, general, "person", name="michael")
    assert question.ephemeral and question.content.startswith("Did you mean")
    first = labels(question)[0]
    assert first.startswith("Michael ")
    picked = await sim.click(alice, question, label=first)
    assert picked.followups and picked.followups[0].embeds[0]["title"] == first


async def test_character(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "character", name="Luther Stickell")
    assert reply.embeds[0]["title"] == "Luther Stickell"
    assert reply.embeds[0]["description"].count("Ving Rhames in") == 8
    benji = await sim.slash(alice, general, "character", name="benji")
    assert benji.embeds[0]["title"] == "Benji Dunn"
    choices = await sim.autocomplete(alice, general, "character", "name", "luth")
    assert choices[0]["name"].startswith("Luther Stickell")


async def test_costars(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    reply = await sim.slash(alice, general, "costars", first="Tom Cruise", second="pegg")
    text = reply.text()
    assert "Simon Pegg as Benji Dunn" in text
    assert "**Mission: Impossible III** (2006)" in text
    assert "**Mission: Impossible 2**" not in text  # Pegg joined in the third film
    same = await sim.slash(alice, general, "costars", first="cruise", second="Tom Cruise")
    assert same.ephemeral and same.content == "Pick two different people."


async def test_user_text_cannot_format_or_ping(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, bob = fans
    reply = await sim.slash(alice, general, "film info", title=f"@everyone **bold** {bob.mention}")
    assert reply.ephemeral
    assert "**bold**" not in reply.content and "\\*\\*bold\\*\\*" in reply.content
    assert sim.pings(bob) == [] and sim.pings(alice) == []


async def test_buttons_still_work_after_a_restart(fans: tuple[Sim, Any, Any, Any]) -> None:
    sim, general, alice, _ = fans
    card = await sim.slash(alice, general, "film info", title="rogue nation")
    await sim.restart_bot()
    await sim.click(alice, card, label="Next film")
    assert card.embeds[0]["title"] == "Mission: Impossible – Fallout (2018)"


def _stored_sizes(sim: Sim) -> dict[str, int]:
    """The size of each look-up index the bot keeps in its database, by kind."""
    with contextlib.closing(sqlite3.connect(sim.database_path)) as db:
        return dict(db.execute("SELECT kind, length(data) FROM search_indexes"))


async def test_a_restart_reads_the_kept_indexes_back_and_rebuilds_damaged_ones(
    fans: tuple[Sim, Any, Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    sim, general, alice, _ = fans
    caplog.set_level(logging.INFO, logger="cogs.films.service")
    await eventually(lambda: len(_stored_sizes(sim)) == 4, "the indexes kept after the first start")
    caplog.clear()  # the first start's own build may have been logged after set_level
    await sim.restart_bot()
    reply = await sim.slash(alice, general, "character", name="luther stickel")
    assert reply.embeds[0]["title"] == "Luther Stickell"
    assert "look-up indexes read back from the database" in caplog.text
    assert "look-up indexes built" not in caplog.text

    with contextlib.closing(sqlite3.connect(sim.database_path)) as db, db:
        db.execute("UPDATE search_indexes SET data = x'00'")
    caplog.clear()
    await sim.restart_bot()
    reply = await sim.slash(alice, general, "film info", title="mision imposible fallout")
    assert reply.embeds[0]["title"] == "Mission: Impossible – Fallout (2018)"
    assert "do not fit the catalogue" in caplog.text and "look-up indexes built" in caplog.text
    # Kept again, whole, for the next start.
    await eventually(lambda: all(size > 1 for size in _stored_sizes(sim).values()), "the indexes kept again")
    assert len(_stored_sizes(sim)) == 4
