"""Countdowns and announcements in the server's and the member's language, through the local Discord.

Posts in the announcement channel, and answers everyone sees, follow the server's language (its Discord
language, or the one its admins chose); what only a member sees follows their own client's language.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.discord_sim import Sim

POST = "POST /channels/{channel_id}/messages"
PACK = """\
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

[[film.release]]
country = "US"
date = "2026-03-20"
type = 3
source = "notes"
"""


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time.fromisoformat(hhmm), UTC)


def posts(sim: Sim, channel: Any) -> list[Any]:
    """The bot's own posts with an embed in `channel` (not answers to commands), oldest first."""
    bot_id = sim.world.bot_user.id
    return [
        m
        for m in sim.channel_messages(channel)
        if m.author.id == bot_id and m.embeds and m.interaction_id is None and m.type == 0
    ]


def description(message: Any) -> str:
    return str(message.embeds[0].get("description", ""))


async def with_vault_line(sim: Sim) -> None:
    pack = Path(sim.tmp_path) / "vault-line.toml"
    pack.write_text(PACK, encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    sim.ratelimits.configure(POST, 50, 1.0)


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_japanese_servers_countdown_posts_are_in_japanese_with_japanese_dates(sim: Sim) -> None:
    await with_vault_line(sim)
    guild = await sim.create_guild("映画ファン", locale="ja")
    news = await guild.create_channel("news")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)  # an English client
    answer = await sim.slash(
        admin, general, "settings announcements set", channel=news, time="09:00", timezone="UTC", milestones="7,0"
    )
    # The admin reads their own answer in English; the posts are the server's.
    assert answer.ephemeral and "• Posts: 7 days before, and release day" in (answer.content or ""), answer.content

    await sim.advance(at("2026-03-13", "09:00") - sim.now())
    (week,) = posts(sim, news)
    assert description(week).startswith("**あと7日。** 「Vault Line」は<t:"), description(week)
    assert description(week).endswith("に公開です（アメリカ合衆国）。")

    await sim.advance(at("2026-03-20", "09:00") - sim.now())
    release = posts(sim, news)[-1]
    # The date written the Japanese way (Babel's full date), the country in Japanese.
    assert description(release) == "**本日公開（アメリカ合衆国）！** 「Vault Line」は2026年3月20日金曜日に公開です。"

    # /countdown answers everyone in the channel: the server's language too, whoever asks.
    fan = await sim.create_user("fan", guild=guild, locale="en-US")
    since = await sim.slash(fan, general, "countdown", target="Vault Line")
    assert not since.ephemeral
    assert since.embeds[0]["description"] == "**本日公開（アメリカ合衆国）！**"


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_server_that_chooses_japanese_gets_its_posts_in_japanese_from_then_on(sim: Sim) -> None:
    await with_vault_line(sim)
    guild = await sim.create_guild("Film Fans")  # Discord language: English (en-US)
    news = await guild.create_channel("news")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    await sim.slash(
        admin, general, "settings announcements set", channel=news, time="09:00", timezone="UTC", milestones="14,7"
    )
    await sim.advance(at("2026-03-06", "09:00") - sim.now())
    assert description(posts(sim, news)[-1]).startswith("**14 days to go.** Vault Line opens in United States <t:")

    chosen = await sim.slash(admin, general, "settings language set", language="ja")
    assert chosen.ephemeral
    await sim.advance(at("2026-03-13", "09:00") - sim.now())
    assert description(posts(sim, news)[-1]).startswith("**あと7日。** 「Vault Line」は<t:")


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_french_member_reads_the_announcement_answers_in_french(sim: Sim) -> None:
    guild = await sim.create_guild("Ciné-club")  # an English server
    news = await guild.create_channel("news")
    general = guild.channel("general")
    amelie = await sim.create_user("amelie", guild=guild, admin=True, locale="fr")

    nothing = await sim.slash(amelie, general, "event list")
    assert nothing.ephemeral
    assert nothing.embeds[0]["title"] == "Événements du serveur"
    assert nothing.embeds[0]["description"] == "Aucun événement pour l'instant. Ajoute-en un avec `/événement ajouter`."

    # The answer to /event add is public: the server's language (English), not Amélie's.
    added = await sim.slash(amelie, general, "event add", name="Séance", date="2026-03-11")
    assert not added.ephemeral and added.content == "Added **Séance**."
    again = await sim.slash(amelie, general, "event add", name="séance", date="2026-03-12")
    assert again.ephemeral and again.content == "Il existe déjà un événement nommé « séance »."
    past = await sim.slash(amelie, general, "event add", name="Hier", date="2026-02-27")
    assert past.content == "C'est déjà passé : un événement compte à rebours vers quelque chose à venir."

    refused = await sim.slash(amelie, general, "settings announcements set", channel=news, milestones="7,-3")
    assert refused.ephemeral
    assert refused.content == "`-3` est négatif : les étapes comptent les jours avant la sortie, à partir de 0."

    answer = await sim.slash(
        amelie, general, "settings announcements set", channel=news, time="09:00", timezone="UTC", milestones="7,1,0"
    )
    assert answer.ephemeral
    lines = (answer.content or "").splitlines()
    assert lines[:4] == [
        f"• Salon : <#{news.id}>",
        "• Heure : 09:00 (UTC)",
        "• Dates de sortie : États-Unis",
        "• Publications : 7, 1 jours avant, et le jour de la sortie",
    ]
    assert "• Anniversaires : non" in lines

    status = await sim.slash(amelie, general, "settings announcements status")
    embed = status.embeds[0]
    assert status.ephemeral and embed["title"] == "Annonces"
    assert [f["name"] for f in embed["fields"]] == ["Prochaines publications", "Dernières publications"]
    upcoming = embed["fields"][0]["value"].splitlines()
    assert upcoming[0].endswith(": Séance : plus que 7 jours"), upcoming
    assert upcoming[-1].endswith(": Séance : le jour de la sortie"), upcoming
    assert embed["fields"][1]["value"] == "Aucune pour l'instant."

    listed = await sim.slash(amelie, general, "event list")
    assert listed.embeds[0]["title"] == "Événements du serveur"
    assert listed.embeds[0]["description"].startswith("• **Séance**: <t:")

    # The post itself is the server's: English.
    await sim.advance(at("2026-03-04", "09:00") - sim.now() + timedelta(seconds=1))
    assert description(posts(sim, news)[-1]).startswith("**7 days to go.** Séance starts <t:")
