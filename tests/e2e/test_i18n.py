"""Marquee in the member's and the server's language, through the local Discord.

Commands are synced with their localisations; what only a member sees follows the language their Discord
client sends (`locale`), with English for a language Marquee has no catalogue for; what everyone sees
follows the server's chosen language (`/settings language`), else its Discord language.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.discord_sim import Sim
from tests.discord_sim.harness import GuildHandle


def command(sim: Sim, name: str) -> dict[str, Any]:
    return next(c for c in sim.commands() if c["name"] == name)


def option(parent: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in parent.get("options") or [] if o["name"] == name)


async def community(sim: Sim, locale: str = "en-US") -> tuple[GuildHandle, Any, Any]:
    guild = await sim.create_guild("Ciné-club", locale=locale)
    admin = await sim.create_user("admin", guild=guild, admin=True)
    return guild, guild.channel("general"), admin


async def test_commands_are_synced_with_their_localisations(sim: Sim) -> None:
    remind = command(sim, "remind")
    assert remind["name_localizations"]["fr"] == "rappel"
    assert remind["name_localizations"]["ja"] == "リマインダー"
    assert remind["description_localizations"]["de"] == "Erinnerungen per DM zu Kinostarts und Events."
    # English is the default: no en-US or en-GB localisation; es-419 reads the Spanish catalogue.
    assert "en-US" not in remind["name_localizations"] and remind["name_localizations"]["es-419"] == "recordar"
    listing = option(remind, "list")
    assert listing["name_localizations"]["pt-BR"] == "lista"
    settings = command(sim, "settings")
    language_set = option(option(settings, "language"), "set")
    choices = option(language_set, "language")["choices"]
    # Each language is offered in its own name, never translated; the last choice is translated.
    assert [c["name"] for c in choices][:6] == [
        "English",
        "Español",
        "Français",
        "Deutsch",
        "Português (Brasil)",
        "日本語",
    ]
    assert all("name_localizations" not in c or not c["name_localizations"] for c in choices[:6])
    assert choices[6]["name_localizations"]["fr"] == "La langue Discord du serveur"


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_french_member_reads_remind_list_in_french_and_a_korean_one_in_english(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    amelie = await sim.create_user("amelie", guild=guild, locale="fr")
    minji = await sim.create_user("minji", guild=guild, locale="ko")
    empty = await sim.slash(amelie, general, "remind list")
    assert empty.ephemeral and empty.content == "Tu n'as aucun rappel. Ajoutes-en un avec `/rappel film`."
    added = await sim.slash(admin, general, "event add", name="Séance", date="2026-03-11", time="20:00", timezone="UTC")
    assert added.content == "Added **Séance**."
    for member in (amelie, minji):
        subscribed = await sim.slash(member, general, "remind event", name="Séance", when="7d, 1d, release")
        assert subscribed.ephemeral, subscribed

    french = await sim.slash(amelie, general, "remind list")
    assert french.ephemeral and french.embeds[0]["title"] == "Tes rappels"
    # Discord timestamps show in the member's own language; the list around them is French ("a, b et c").
    line = french.embeds[0]["description"]
    assert re.fullmatch(r"• \*\*Séance\*\*: <t:\d+:f>, <t:\d+:f> et <t:\d+:f>", line), line
    assert [b.get("label") for b in french.buttons()] == ["Annuler Séance"]

    korean = await sim.slash(minji, general, "remind list")
    assert korean.embeds[0]["title"] == "Your reminders"
    assert re.fullmatch(r"• \*\*Séance\*\*: <t:\d+:f>, <t:\d+:f>, and <t:\d+:f>", korean.embeds[0]["description"])
    assert [b.get("label") for b in korean.buttons()] == ["Cancel Séance"]


async def test_errors_and_help_follow_the_members_language(sim: Sim) -> None:
    guild, general, _admin = await community(sim)
    gerd = await sim.create_user("gerd", guild=guild, admin=True, locale="de")
    refused = await sim.slash(gerd, general, "settings server set")
    assert refused.ephemeral and refused.content == "Gib eine Zeitzone, eine Region oder beides an."
    helped = await sim.slash(gerd, general, "help")
    page = helped.embeds[0]
    assert page["title"] == "Marquee-Befehle"
    shown = "\n".join(field["value"] for field in page["fields"])
    # Each command as the German client shows it: its localised path and description.
    assert "`/erinnern liste` — Deine Erinnerungen und wann jede DM kommt" in shown
    assert any(field["name"] == "Erinnerungen" for field in page["fields"])
    # Pages turn with buttons in the asker's language; someone else is told off in their own.
    pages = await sim.slash(gerd, general, "film cast", title="MI7")
    assert [button.get("label") for button in pages.buttons()] == ["Zurück", "Weiter"]
    yuki = await sim.create_user("yuki", guild=guild, locale="ja")
    refused = await sim.click(yuki, pages, label="Weiter")
    assert refused.ephemeral and refused.content == "このページをめくれるのは、依頼したメンバーだけです。"


async def test_a_japanese_server_posts_in_japanese_until_its_admins_choose_otherwise(sim: Sim) -> None:
    _guild, general, admin = await community(sim, locale="ja")
    # An English-speaking admin reads the answer in English, about the server's language.
    shown = await sim.slash(admin, general, "settings language show")
    assert shown.ephemeral
    assert (
        shown.content
        == "Public posts here (announcements, trivia, the daily question): Japanese (the server's Discord language)."
    )
    about = await sim.slash(admin, general, "about")
    assert not about.ephemeral
    assert (
        about.embeds[0]["description"]
        == "ファンコミュニティのための映画検索、トリビア、公開カウントダウン、リマインダー。"
    )
    assert [f["name"] for f in about.embeds[0]["fields"]][:2] == ["バージョン", "映画"]

    chosen = await sim.slash(admin, general, "settings language set", language="fr")
    assert chosen.content == "Public posts here (announcements, trivia, the daily question): French."
    about = await sim.slash(admin, general, "about")
    assert about.embeds[0]["description"].startswith("Fiches de films, quiz")
    place = await sim.slash(admin, general, "settings server show")
    assert "• Language: French\n" in place.content

    back = await sim.slash(admin, general, "settings language set", language="discord")
    assert back.content.endswith("Japanese (the server's Discord language).")
