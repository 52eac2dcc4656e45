"""A pack's trivia question with a French translation (`[[trivia.translation]]`), through the local Discord:
a French server is asked it in French, with French choices, and its reveal is French; an English server is
asked the question as written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.discord_sim import Sim

SECONDS = timedelta(seconds=21)  # just past the default 20 s per question
LETTERS = "ABCD"
FRENCH = "Dans quelle ville la mission tourne-t-elle mal au début de Mission impossible (1996) ?"
ENGLISH = "In which city does the IMF operation go wrong at the start of Mission: Impossible (1996)?"


def open_round(sim: Sim, channel: Any) -> Any:
    """The question being asked now, as the bot knows it (the test's answer key)."""
    return sim.client.services.trivia.games[channel.id].state.current


async def asked(sim: Sim, locale: str, key: str) -> tuple[Any, Any, list[str]]:
    """Start easy games about the first film in a server of `locale` and answer on until the pack question
    `key` comes up; its round, its message and every key asked. A game of 30 asks every easy question of the
    film that fits (a game never asks two of one topic, so how many depends on the draw); the next game asks
    the questions not asked lately first, so a few games always reach `key`."""
    sim.quiet = 0.15
    guild = await sim.create_guild("Ciné-club", locale=locale)
    member = await sim.create_user("amelie", guild=guild, locale=locale)
    general = guild.channel("general")
    keys: list[str] = []
    for _ in range(4):
        await sim.slash(member, general, "trivia start", film="mi1", difficulty="easy", questions=30)
        for _ in range(30):
            if general.id not in sim.client.services.trivia.games:
                break  # the game ran out of questions
            round_ = open_round(sim, general)
            message = sim.channel_messages(general)[-1]
            keys.append(round_.question.key)
            # Answered every time: a game nobody answers stops after a few questions.
            right = f"{LETTERS[round_.right_index]}. "
            label = next(b["label"] for b in message.buttons() if b["label"].startswith(right))
            await sim.click(member, message, label=label)
            if round_.question.key == key:
                return round_, message, keys
            await sim.advance(SECONDS)
        await sim.advance(SECONDS)
    raise AssertionError(f"{key} was not asked: {keys}")


async def test_a_french_server_is_asked_the_packs_french_question(sim: Sim) -> None:
    round_, message, _ = await asked(sim, "fr", "mi1-prague")
    assert message.embeds[0]["description"].splitlines()[0] == FRENCH
    labels = sorted(button["label"].split(". ", 1)[1] for button in message.buttons())
    assert labels == ["Berlin", "Budapest", "Prague", "Vienne"]
    assert round_.question.answer == "Prague"
    await sim.advance(SECONDS)
    reveal = message.embeds[0]["description"].splitlines()
    assert reveal[0] == FRENCH and reveal[2] == "✅ **Prague**"
    assert ENGLISH not in message.embeds[0]["description"] and "Vienna" not in message.embeds[0]["description"]


async def test_an_english_server_is_asked_it_as_written(sim: Sim) -> None:
    _, message, _ = await asked(sim, "en-US", "mi1-prague")
    assert message.embeds[0]["description"].splitlines()[0] == ENGLISH
    assert any(button["label"].endswith(". Vienna") for button in message.buttons())
