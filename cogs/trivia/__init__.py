"""Trivia: the cog, its components, and the engine (questions, answers, scoring, game)."""

from __future__ import annotations

from bot.client import MarqueeBot
from cogs.trivia.cog import Trivia
from cogs.trivia.views import AnswerButton, DailyButton


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Trivia(bot))
    bot.add_dynamic_items(AnswerButton, DailyButton)
