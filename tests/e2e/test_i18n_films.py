"""Film look-ups in the member's language, through the local Discord: labels, numbers and buttons in the
language their Discord client sends, the film's title in that language beside the original, and its
synopsis when the pack has one; English for a language Marquee has no catalogue for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.discord_sim import Sim

GHOST_PROTOCOL = "Mission: Impossible – Ghost Protocol"
FRENCH_SYNOPSIS = "Un attentat au Kremlin est imputé à l'IMF"


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


def labels(reply: Any) -> list[str]:
    return [button.get("label") for button in reply.buttons()]


@pytest.fixture
async def members(sim: Sim) -> tuple[Sim, Any, dict[str, Any]]:
    guild = await sim.create_guild("Ciné-club")
    people = {
        locale: await sim.create_user(f"member-{locale}", guild=guild, locale=locale)
        for locale in ("fr", "ko", "ja", "de", "en-US")
    }
    return sim, guild.channel("general"), people


async def test_a_french_member_reads_the_card_in_french_with_the_french_title(
    members: tuple[Sim, Any, dict[str, Any]],
) -> None:
    sim, general, people = members
    card = await sim.slash(people["fr"], general, "film info", title="Ghost Protocol")
    embed = card.embeds[0]
    # The French release title, the film's own beside it; the pack's French synopsis, without the
    # English tagline.
    assert embed["title"] == f"Mission impossible : Protocole fantôme ({GHOST_PROTOCOL}, 2011)"
    assert embed["description"].startswith(FRENCH_SYNOPSIS) and "*" not in embed["description"]
    values = fields(embed)
    assert values["Durée"] == "133 min"
    assert values["Réalisation"] == "Brad Bird"
    assert "Tom Cruise dans le rôle de Ethan Hunt" in values["Distribution"]
    assert values["Franchise"] == "4e sur 8 de Mission: Impossible"
    # A French member with no region of their own reads France's dates, the country named in French.
    assert "Sortie (France)" in values
    assert embed["footer"]["text"].startswith("Distribution complète, dates de chaque pays")
    assert labels(card) == ["Distribution complète", "Dates de sortie", "Film précédent", "Film suivant"]

    # The French title finds the film too, and the release dates come in French words.
    found = await sim.slash(people["fr"], general, "film info", title="Protocole fantôme")
    assert found.embeds[0]["title"] == embed["title"]
    dates = await sim.click(people["fr"], card, label="Dates de sortie")
    assert dates.ephemeral
    shown = fields(dates.embeds[0])
    assert "États-Unis" in shown and "Cinéma : 21 décembre 2011 — Wide release" in shown["États-Unis"]
    assert dates.embeds[0]["footer"]["text"] == "Les dates sont celles du calendrier local de chaque pays."


async def test_a_film_with_only_a_french_synopsis_keeps_its_title(members: tuple[Sim, Any, dict[str, Any]]) -> None:
    sim, general, people = members
    card = await sim.slash(people["fr"], general, "film info", title="fallout")
    embed = card.embeds[0]
    assert embed["title"] == "Mission: Impossible – Fallout (2018)"
    assert embed["description"].startswith("Une mission qui tourne mal")


async def test_a_korean_member_gets_english(members: tuple[Sim, Any, dict[str, Any]]) -> None:
    sim, general, people = members
    for locale in ("ko", "en-US"):
        card = await sim.slash(people[locale], general, "film info", title="Ghost Protocol")
        embed = card.embeds[0]
        assert embed["title"] == f"{GHOST_PROTOCOL} (2011)"
        assert embed["description"].startswith("*Disowned by their own country")
        values = fields(embed)
        assert values["Runtime"] == "133 min" and values["Franchise"] == "4th of 8 in Mission: Impossible"
        assert labels(card) == ["Full cast", "Release dates", "Previous film", "Next film"]
    refused = await sim.slash(people["ko"], general, "film releases", title="MI4", country="XX")
    assert refused.ephemeral and refused.content == "“XX” is not a country code; use two letters such as US, GB or FR."


async def test_japanese_and_german_members(members: tuple[Sim, Any, dict[str, Any]]) -> None:
    sim, general, people = members
    card = await sim.slash(people["ja"], general, "film info", title="Ghost Protocol")
    embed = card.embeds[0]
    assert embed["title"] == f"ミッション：インポッシブル／ゴースト・プロトコル ({GHOST_PROTOCOL}, 2011)"
    assert embed["description"].startswith("クレムリンで起きた爆破事件")
    values = fields(embed)
    assert values["上映時間"] == "133分"
    assert values["シリーズ"] == "Mission: Impossibleの第4作（全8作）"
    assert labels(card)[:2] == ["全キャスト", "公開日"]
    # German: no German title in the pack, so the film's own, with German labels.
    german = await sim.slash(people["de"], general, "film info", title="Ghost Protocol")
    assert german.embeds[0]["title"] == f"{GHOST_PROTOCOL} (2011)"
    assert fields(german.embeds[0])["Laufzeit"] == "133 Min."
    refused = await sim.slash(people["de"], general, "film info", title="zzqqxx")
    assert refused.ephemeral
    assert refused.content == "Kein Film heißt „zzqqxx“. Er ist nicht im Katalog."


async def test_autocomplete_shows_the_members_title_beside_the_films_own(
    members: tuple[Sim, Any, dict[str, Any]],
) -> None:
    sim, general, people = members
    french = await sim.autocomplete(people["fr"], general, "film info", "title", "protocole")
    assert french[0]["name"] == f"Mission impossible : Protocole fantôme — {GHOST_PROTOCOL} (2011)"
    assert french[0]["value"] == "mi4"
    # A film with no French title keeps its label; a Korean member sees the films' own titles.
    fallout = await sim.autocomplete(people["fr"], general, "film info", "title", "fallout")
    assert fallout[0] == {"name": "Mission: Impossible – Fallout (2018)", "value": "mi6"}
    korean = await sim.autocomplete(people["ko"], general, "film info", "title", "ghost")
    assert korean[0]["name"] == f"{GHOST_PROTOCOL} (2011)"
    japanese = await sim.autocomplete(people["ja"], general, "film info", "title", "")
    names = [choice["name"] for choice in japanese]
    assert "ミッション：インポッシブル — Mission: Impossible (1996)" in names
    assert "Mission: Impossible III (2006)" in names


async def test_cast_pages_people_and_refusals_in_french(members: tuple[Sim, Any, dict[str, Any]]) -> None:
    sim, general, people = members
    french = people["fr"]
    pages = await sim.slash(french, general, "film cast", title="MI4")
    page = pages.embeds[0]
    assert page["description"].startswith("**Distribution**\n1. Tom Cruise dans le rôle de Ethan Hunt")
    assert page["footer"]["text"].startswith("Page 1 sur ")
    refused = await sim.slash(french, general, "costars", first="zzqqxx", second="Tom Cruise")
    assert refused.ephemeral and refused.content == "Personne ne s'appelle « zzqqxx » dans le catalogue."
    timeline = await sim.slash(french, general, "film timeline")
    assert timeline.embeds[0]["title"] == "Mission: Impossible : les films dans l'ordre"
    assert "· 133 min · Brad Bird" in timeline.embeds[0]["description"]
