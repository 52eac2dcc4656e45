"""A game's standings name every player who fits, and say how many did not, however many played."""

from __future__ import annotations

from bot.formatting import EMBED_DESCRIPTION
from bot.translator import english
from cogs.trivia.render import standings_embed
from cogs.trivia.scoring import Standing


def test_standings_of_a_crowded_game_say_how_many_are_not_shown() -> None:
    players = 200
    standings = [
        Standing(user_id=10**18 + n, rank=n + 1, points=1000 - n, correct=10, answered=20, total_time_ms=123_456)
        for n in range(players)
    ]
    embed = standings_embed(english(), "Trivia results", standings, winner=10**18)
    description = embed.description or ""
    assert len(description) <= EMBED_DESCRIPTION
    lines = description.splitlines()
    shown = sum(1 for line in lines if "pts" in line)
    # Whole lines only (no line cut in the middle), and the rest counted.
    assert all(line.endswith(" s)") for line in lines if "pts" in line)
    assert lines[-1] == f"…and {players - shown} more players"
