"""Trivia: the cog, its components, the engine and daily question, and the plain rules (questions,
answers, scoring, game)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import MarqueeBot


async def setup(bot: MarqueeBot) -> None:
    from cogs.trivia.cog import Trivia
    from cogs.trivia.views import AnswerButton, DailyButton

    await bot.add_cog(Trivia(bot, bot.services.trivia, bot.services.lookup))
    bot.add_dynamic_items(AnswerButton, DailyButton)
