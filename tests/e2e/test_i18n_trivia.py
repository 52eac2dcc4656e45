"""Trivia in the server's language (its posts, buttons, reveals, generated questions) and the member's (what
only they see: answers, forms, stats), through the local Discord."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.discord_sim import Sim

SECONDS = timedelta(seconds=21)  # just past the default 20 s per question
LETTERS = "ABCD"

# The generated questions' wordings in the Japanese catalogue, written out here so that a changed or lost
# translation fails the test.
JAPANESE = {
    "Who directed {film}?": "{film} の監督は誰ですか？",
    "Who composed the score for {film}?": "{film} の音楽を作曲したのは誰ですか？",
    "In which year was {film} released?": "{film} が公開されたのは何年ですか？",
    "Who plays {character} in {film}?": "{film} で {character} を演じているのは誰ですか？",
    "Which film introduced {character}?": "{character} が初めて登場した映画はどれですか？",
    "Which of these people is not in the cast of {film}?": "次のうち、{film} に出演していない人は誰ですか？",
    "Which of these films came out first?": "次のうち、最も早く公開された映画はどれですか？",
}


def open_round(sim: Sim, channel: Any) -> Any:
    """The question being asked now, as the bot knows it (the test's answer key)."""
    return sim.client.services.trivia.games[channel.id].state.current


def latest(sim: Sim, channel: Any) -> Any:
    return sim.channel_messages(channel)[-1]


async def pick(sim: Sim, user: Any, message: Any, letter: str) -> Any:
    label = next(button["label"] for button in message.buttons() if button["label"].startswith(f"{letter}. "))
    return await sim.click(user, message, label=label)


async def test_a_japanese_server_plays_trivia_in_japanese_and_a_french_member_answers_in_french(sim: Sim) -> None:
    sim.quiet = 0.15
    guild = await sim.create_guild("映画ファン", locale="ja")
    yuki = await sim.create_user("yuki", guild=guild, locale="ja")
    amelie = await sim.create_user("amelie", guild=guild, locale="fr")
    general = guild.channel("general")

    started = await sim.slash(yuki, general, "trivia start", questions=2, mode="typed")
    assert not started.ephemeral
    assert started.content.startswith("🎬 トリビア: 全 2 問、難易度 ミックス、1 問 20 秒 — ")
    assert started.content.endswith(f"。開始: {yuki.mention}")
    question = latest(sim, general)
    embed = question.embeds[0]
    assert embed["title"] == "第 1 問（全 2 問）"
    assert [field["name"] for field in embed["fields"]] == ["締め切り", "難易度"]
    assert embed["footer"]["text"] == "回答 0 件 · 1 問 20 秒"
    assert [button["label"] for button in question.buttons()] == ["回答する"]

    # The form and the answer are for one member: in her own language.
    form = await sim.click(amelie, question, label="回答する")
    assert form.modal is not None and form.modal["title"] == "Ta réponse"
    answer = open_round(sim, general).question.answer
    locked = await sim.submit_modal(amelie, form, answer=answer)
    assert locked.ephemeral and locked.content.startswith("Réponse enregistrée : ")
    await sim.advance(SECONDS)
    reveal = question.embeds[0]
    assert reveal["title"] == "第 1 問（全 2 問）— 締め切り"
    assert {"name": "正解者", "value": amelie.mention, "inline": False} in reveal["fields"]
    assert reveal["footer"]["text"] == "回答 1 件"
    await sim.advance(SECONDS)
    standings = latest(sim, general).embeds[0]
    assert standings["title"] == "トリビア — 最終結果"
    assert "勝者なし: 勝敗がつくには、回答したプレイヤーが 2 人以上必要です。" in standings["description"]

    stats = await sim.slash(amelie, general, "trivia stats")
    fields = {field["name"]: field["value"] for field in stats.embeds[0]["fields"]}
    assert stats.embeds[0]["title"] == "Statistiques du quiz"
    assert fields["Parties"] == "1" and fields["Précision"] == "100\xa0%" and fields["Série quotidienne"] == "0 jour"

    # A member whose language has no catalogue reads English.
    minji = await sim.create_user("minji", guild=guild, locale="ko")
    english = await sim.slash(minji, general, "trivia stats", member=amelie)
    assert english.embeds[0]["title"] == "Trivia stats" and "Accuracy" in str(english.embeds[0]["fields"])


async def test_a_japanese_server_is_asked_generated_questions_in_japanese(sim: Sim) -> None:
    sim.quiet = 0.15
    guild = await sim.create_guild("映画ファン", locale="ja")
    yuki = await sim.create_user("yuki", guild=guild, locale="ja")
    general = guild.channel("general")
    await sim.slash(yuki, general, "trivia start", questions=30)
    # Pack questions are asked as written: answer on until a generated one comes up (bounded by the game's 30).
    generated = None
    for _ in range(30):
        round_ = open_round(sim, general)
        question = latest(sim, general)
        if round_.question.template is None:
            await pick(sim, yuki, question, LETTERS[round_.right_index])
            await sim.advance(SECONDS)
        else:
            generated = round_, question
            break
    assert generated is not None, "no generated question in 30"
    round_, question = generated
    expected = JAPANESE[round_.question.template].format(**dict(round_.question.values))
    assert question.embeds[0]["title"].startswith("第 ") and not question.embeds[0]["title"].endswith("— 締め切り")
    assert question.embeds[0]["description"].splitlines()[0] == expected
    await sim.advance(SECONDS)
    reveal = question.embeds[0]
    assert reveal["title"].endswith("— 締め切り")
    assert reveal["description"].splitlines()[0] == expected
    assert round_.question.text not in reveal["description"]  # the English wording is not shown

    # The server's admins choose French: the next game speaks French, its generated questions too.
    admin = await sim.create_user("admin", guild=guild, admin=True)
    await sim.slash(yuki, general, "trivia stop")
    chosen = await sim.slash(admin, general, "settings language set", language="fr")
    assert chosen.content.endswith("French.")
    await sim.advance(timedelta(seconds=30))  # past the member's start cooldown
    started = await sim.slash(yuki, general, "trivia start", questions=1)
    assert started.content.startswith("🎬 Quiz : 1 question, difficulté mélangé, 20 s chacune — choisis A, B, C ou D.")
    assert latest(sim, general).embeds[0]["title"] == "Question 1 sur 1"


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_japanese_servers_daily_question_is_in_japanese_and_a_french_members_answer_in_french(
    sim: Sim,
) -> None:
    sim.quiet = 0.15
    guild = await sim.create_guild("映画ファン", locale="ja")
    amelie = await sim.create_user("amelie", guild=guild, locale="fr")
    general = guild.channel("general")
    daily = await sim.slash(amelie, general, "trivia daily")
    assert not daily.ephemeral
    embed = daily.embeds[0]
    assert embed["title"] == "今日の問題 — 2026年3月1日"
    assert embed["footer"]["text"] == "回答は 1 人 1 回です。正解と結果は明日発表されます。"
    label = daily.buttons()[0]["label"]
    locked = await sim.click(amelie, daily, label=label)
    assert locked.ephemeral and locked.content == f"Réponse enregistrée : {label}. La solution sera dévoilée demain."
    again = await sim.click(amelie, daily, label=label)
    assert again.content == "Tu as déjà répondu à la question d'aujourd'hui. La solution arrive demain."

    # Skipping is answered to the member alone, in her language; the game's posts stay Japanese.
    await sim.slash(amelie, general, "trivia start", questions=2)
    skipped = await sim.slash(amelie, general, "trivia skip")
    assert skipped.ephemeral and skipped.content == "Question passée."
    assert sim.channel_messages(general)[-1].embeds[0]["title"] == "第 2 問（全 2 問）"
