"""Trivia components. Answer buttons are dynamic items: a click on a question from before a
restart still reaches the trivia engine, which answers "this question is closed" instead of failing."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

import discord

from bot.formatting import BUTTON_LABEL, truncate
from bot.i18n import N_, Speech
from bot.replies import send_ephemeral
from bot.translator import member_speech
from bot.views import reports_errors
from cogs.trivia.render import LETTERS

ANSWER_LENGTH = 200
CLOSED = N_("This question is closed.")


@runtime_checkable
class TriviaAnswers(Protocol):
    """What the trivia components call: the engine, found in the bot's services."""

    def question_open(
        self, channel_id: int | None, clicked_id: int | None, game_id: int, round_number: int
    ) -> bool: ...

    async def answer(
        self,
        channel_id: int | None,
        clicked_id: int | None,
        user_id: int,
        game_id: int,
        round_number: int,
        value: int | str,
        reply: Callable[[str], Awaitable[None]],
        t: Speech,
    ) -> None: ...

    async def answer_daily(self, guild_id: int | None, user_id: int, day_text: str, choice: int, t: Speech) -> str: ...


def trivia_answers(interaction: discord.Interaction[Any]) -> TriviaAnswers:
    """The trivia engine: a component outlives its view, never the bot's services."""
    engine = interaction.client.services.trivia
    if not isinstance(engine, TriviaAnswers):
        raise RuntimeError("the trivia engine is not running")
    return engine


def message_id(interaction: discord.Interaction[Any]) -> int | None:
    return interaction.message.id if interaction.message is not None else None


async def answer_game(interaction: discord.Interaction[Any], game_id: int, round_number: int, value: int | str) -> None:
    """A member's click or typed answer on a game's question: the engine decides, the member is told."""

    async def reply(text: str) -> None:
        await send_ephemeral(interaction, text)

    await trivia_answers(interaction).answer(
        interaction.channel_id,
        message_id(interaction),
        interaction.user.id,
        game_id,
        round_number,
        value,
        reply,
        member_speech(interaction),
    )


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trivia:(?P<game>\d+):(?P<round>\d+):(?P<choice>[0-3]|typed)",
):
    """A choice of a game's question (A–D), or the "Answer" button of typed mode."""

    def __init__(self, game_id: int, round_number: int, choice: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, BUTTON_LABEL),
                style=discord.ButtonStyle.primary,
                custom_id=f"trivia:{game_id}:{round_number}:{choice}",
            )
        )
        self.game_id, self.round_number, self.choice = game_id, round_number, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["game"]), int(match["round"]), match["choice"], label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if self.choice != "typed":
            await answer_game(interaction, self.game_id, self.round_number, int(self.choice))
            return
        engine = trivia_answers(interaction)
        t = member_speech(interaction)
        if not engine.question_open(interaction.channel_id, message_id(interaction), self.game_id, self.round_number):
            await send_ephemeral(interaction, t(CLOSED))
            return
        await interaction.response.send_modal(AnswerForm(t, self.game_id, self.round_number))


class DailyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"trivia-daily:(?P<day>\d{4}-\d\d-\d\d):(?P<choice>[0-3])"
):
    """A choice of the server's daily question; works for as long as that day lasts, restarts included."""

    def __init__(self, day: str, choice: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, BUTTON_LABEL),
                style=discord.ButtonStyle.secondary,
                custom_id=f"trivia-daily:{day}:{choice}",
            )
        )
        self.day, self.choice = day, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DailyButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["day"], int(match["choice"]), label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        engine = trivia_answers(interaction)
        reply = await engine.answer_daily(
            interaction.guild_id, interaction.user.id, self.day, self.choice, member_speech(interaction)
        )
        await send_ephemeral(interaction, reply)


def question_view(
    t: Speech, game_id: int, round_number: int, choices: tuple[str, ...], *, typed: bool, closed: bool = False
) -> discord.ui.View:
    """A question's buttons (A–D, or Answer in typed mode, labelled in `t`); all disabled once it has closed."""
    buttons = (
        [AnswerButton(game_id, round_number, "typed", t.context("button", "Answer"))]
        if typed
        else [
            AnswerButton(game_id, round_number, str(index), f"{LETTERS[index]}. {choice}")
            for index, choice in enumerate(choices)
        ]
    )
    view = discord.ui.View(timeout=None)
    for button in buttons:
        button.item.disabled = closed
        view.add_item(button)
    return view


def daily_view(day: str, choices: list[str], *, closed: bool = False) -> discord.ui.View:
    """The daily question's buttons (A–D); disabled once it has been revealed."""
    view = discord.ui.View(timeout=None)
    for index, choice in enumerate(choices):
        button = DailyButton(day, index, f"{LETTERS[index]}. {choice}")
        button.item.disabled = closed
        view.add_item(button)
    return view


FORM = re.compile(r"trivia-form:(?P<game>\d+):(?P<round>\d+)")


class AnswerForm(discord.ui.Modal):
    """Typed mode: one text field, in the member's language; no Message Content intent needed.

    Submissions are handled by the trivia cog's interaction listener, found by the form's custom id, so a
    form left open across a restart is still answered ("this question is closed") instead of
    vanishing; this class only describes the form.
    """

    def __init__(self, t: Speech, game_id: int, round_number: int) -> None:
        super().__init__(title=t("Your answer"), timeout=300, custom_id=f"trivia-form:{game_id}:{round_number}")
        self.answer: discord.ui.TextInput[AnswerForm] = discord.ui.TextInput(
            label=t.context("form field", "Answer"),
            custom_id="answer",
            max_length=ANSWER_LENGTH,
            placeholder=t("One guess: a name, a title or a year"),
        )
        self.add_item(self.answer)


def submitted_text(data: Any) -> str:
    """The text typed into a submitted form (its first text input), from the raw interaction data."""
    for row in data.get("components") or []:
        for component in [*(row.get("components") or []), row.get("component") or {}]:
            if component.get("type") == discord.ComponentType.text_input.value:
                return str(component.get("value") or "")
    return ""
