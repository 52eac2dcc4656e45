"""Reminder DMs and the member's own commands in the member's language, through the local Discord.

A DM is sent on a schedule, with no interaction to tell the member's language: Marquee keeps the Discord
locale the member last used it with (stored with how to reach them, exported and erased with their data)
and writes each digest in it, in English when no catalogue speaks it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.discord_sim import Sim
from tests.e2e.test_reminders import FUTURE_PACK, advance_to, at, community, described, labels, stamp
from tests.e2e.test_reminders import uploads as uploads  # the fixture keeping what the bot uploads

# The pack's film opens in France too, on the day the UK sees it.
PACK = (
    FUTURE_PACK
    + """
[[film.release]]
country = "FR"
date = "2026-03-18"
type = 3
source = "notes"
"""
)


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_french_members_reminder_dms_arrive_in_french_and_a_korean_members_in_english(
    sim: Sim, tmp_path: Path
) -> None:
    pack = tmp_path / "future-films.toml"
    pack.write_text(PACK, encoding="utf-8")
    sim.extra_env["MARQUEE_PACKS_LOAD"] = f"mission-impossible,{pack}"
    await sim.restart_bot()
    guild, general, admin = await community(sim)
    amelie = await sim.create_user("amelie", guild=guild, locale="fr")
    minji = await sim.create_user("minji", guild=guild, locale="ko")
    subscribed = await sim.slash(amelie, general, "remind film", title="The Long Night Heist", when="1d, release")
    assert subscribed.ephemeral
    assert (subscribed.content or "").startswith("Je te rappellerai **The Long Night Heist** par MP :\n• <t:")
    assert subscribed.content.endswith("Arrête-les avec `/rappel annuler` ou le bouton de chaque MP.")
    await sim.slash(admin, general, "event add", name="Séance", date="2026-03-20", time="20:00", timezone="UTC")
    for member in (amelie, minji):
        assert (await sim.slash(member, general, "remind event", name="Séance", when="2d")).ephemeral

    await advance_to(sim, at("2026-03-17", "09:00"))
    (eve,) = sim.dms(amelie)
    assert (eve.content or "").startswith("👋 Tu as demandé à Marquee de te rappeler une sortie")
    assert "**Arrêter ces rappels**" in eve.content and "`/rappel tout-arrêter`" in eve.content
    assert eve.embeds[0]["title"] == "Rappel"
    # France's release (her Discord language's country), named in French; Discord's timestamps stay as they are.
    opens = at("2026-03-18", "00:00")  # in her timezone: none chosen, the bot's default (UTC)
    assert described(eve) == f"🎬 **The Long Night Heist** sort (France) {stamp(opens, 'R')} ({stamp(opens, 'D')})."
    assert labels(eve) == ["Arrêter ces rappels"]

    await advance_to(sim, at("2026-03-18", "09:00"))
    release = sim.dms(amelie)[-1]
    assert release.content is None or release.content == ""
    assert described(release) == "🎬 **The Long Night Heist** sort aujourd'hui (France) !"

    await advance_to(sim, at("2026-03-18", "20:00"))
    french, korean = sim.dms(amelie)[-1], sim.dms(minji)[-1]
    assert french.embeds[0]["title"] == "Rappel" and korean.embeds[0]["title"] == "Reminder"
    assert re.fullmatch(r"📅 \*\*Séance\*\* commence <t:\d+:R> \(<t:\d+:F>\)\.", described(french)), described(french)
    assert re.fullmatch(r"📅 \*\*Séance\*\* starts <t:\d+:R> \(<t:\d+:F>\)\.", described(korean)), described(korean)
    assert (korean.content or "").startswith("👋 You asked Marquee to remind you about a release")
    assert labels(korean) == ["Stop these reminders"]

    # The stop button answers in the presser's language, and lists what it stopped the French way.
    stopped = await sim.click(amelie, french, label="Arrêter ces rappels")
    assert stopped.ephemeral
    assert stopped.content == "J'ai arrêté tes rappels pour **Séance**. `/rappel liste` montre les autres."


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_digest_follows_the_language_the_member_last_used(sim: Sim) -> None:
    guild, general, admin = await community(sim)
    gerd = await sim.create_user("gerd", guild=guild, locale="en-US")
    await sim.slash(admin, general, "event add", name="Premiere", date="2026-03-05", time="20:00", timezone="UTC")
    assert (await sim.slash(gerd, general, "remind event", name="Premiere", when="1d")).ephemeral
    # They switch their Discord client to German and set a preference: their DMs follow.
    gerd.locale = "de"
    region = await sim.slash(gerd, general, "preferences region", region="Vereinigtes Königreich")
    assert (
        region.content
        == "Deine Region ist jetzt Vereinigtes Königreich: Dort geltende Erscheinungstermine zählen für dich."
    )
    await advance_to(sim, at("2026-03-04", "20:00"))
    (dm,) = sim.dms(gerd)
    assert dm.embeds[0]["title"] == "Erinnerung"
    assert labels(dm) == ["Diese Erinnerungen beenden"]
    assert re.fullmatch(r"📅 \*\*Premiere\*\* beginnt <t:\d+:R> \(<t:\d+:F>\)\.", described(dm)), described(dm)


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_preferences_and_privacy_answer_in_the_members_language(sim: Sim, uploads: dict[str, bytes]) -> None:
    guild, general, _admin = await community(sim)
    yuki = await sim.create_user("yuki", guild=guild, locale="ja")
    shown = await sim.slash(yuki, general, "preferences region")
    assert shown.content == "地域：未設定です（Discord の言語の国、なければサーバーの地域を使います）。"
    chosen = await sim.slash(yuki, general, "preferences region", region="gb")
    assert chosen.content == "地域を イギリス に設定しました。今後はこの国の公開日が使われます。"
    refused = await sim.slash(yuki, general, "preferences region", region="Atlantis")
    assert refused.ephemeral and refused.content == (
        "「Atlantis」は国ではありません。一覧から選んでください（US や GB のような2文字のコード）。"
    )
    quiet = await sim.slash(yuki, general, "preferences quiet-hours", start="23:00", end="07:00")
    assert quiet.content.startswith("おやすみ時間：あなたのタイムゾーンで 23:00–07:00 です。")
    # The language kept for DMs is the member's data: exported, and erased with the rest.
    exported = await sim.slash(yuki, general, "privacy show")
    (attachment,) = exported.message.attachments
    document = json.loads(uploads[attachment.filename])
    assert [row["locale"] for row in document["tables"]["dm_recipients"]] == ["ja"]
    count = sum(len(rows) for rows in document["tables"].values())
    assert exported.content == f"Marquee が保存しているあなたに関する記録は {count} 件です。すべてこちらにあります。"
    warning = await sim.slash(yuki, general, "privacy delete")
    assert warning.content.startswith("リマインダー、設定、トリビアの回答とスコアを削除し")
    assert labels(warning) == ["すべて削除", "データを残す"]
    done = await sim.click(yuki, warning, label="すべて削除")
    assert re.fullmatch(r"完了しました。あなたに関する \d+ 件の記録を削除または匿名化しました。", done.content or "")
    again = await sim.slash(yuki, general, "privacy show")
    document = json.loads(uploads[again.message.attachments[0].filename])
    assert document["tables"]["dm_recipients"] == []
