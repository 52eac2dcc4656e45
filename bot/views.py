"""Component building blocks shared by every feature: error reporting and paging."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

import discord

from bot.formatting import BUTTON_LABEL, truncate
from bot.i18n import N_
from bot.replies import send_ephemeral
from bot.translator import member_speech
from bot.tree import report_error

NOT_YOURS = N_("Only the member who asked can turn these pages.")
PREVIOUS = N_("Previous")
NEXT = N_("Next")
PAGE_TIMEOUT = 300.0

ItemT = TypeVar("ItemT")
ComponentCallback = Callable[[ItemT, discord.Interaction[Any]], Coroutine[Any, Any, None]]


def reports_errors(callback: ComponentCallback[ItemT]) -> ComponentCallback[ItemT]:
    """Route a component callback's errors to the command tree's handler.

    discord.py only logs errors from dynamic items, leaving the member with "interaction
    failed"; this gives them the same one-line answer a slash command would.
    """

    @functools.wraps(callback)
    async def wrapper(self: ItemT, interaction: discord.Interaction[Any]) -> None:
        try:
            await callback(self, interaction)
        except Exception as error:
            await report_error(interaction, error)

    return wrapper


CogT = TypeVar("CogT")


def cog_of(interaction: discord.Interaction[Any], name: str, kind: type[CogT]) -> CogT:
    """The loaded cog `name` that a component belongs to (components outlive views, not cogs)."""
    cog = interaction.client.get_cog(name)
    if not isinstance(cog, kind):
        raise RuntimeError(f"the {name} cog is not loaded")
    return cog


class MarqueeView(discord.ui.View):
    """A view whose errors are answered like command errors.

    It holds no dynamic items: when a view ends, discord.py takes the dynamic item classes it held
    out of its registry, and every such button on every message would stop answering until a restart.
    """

    def add_item(self, item: discord.ui.Item[Any]) -> MarqueeView:
        if isinstance(item, discord.ui.DynamicItem):
            raise TypeError(f"{type(item).__name__} is a dynamic item: send it in a view that never ends")
        super().add_item(item)
        return self

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class PagedView(MarqueeView):
    """Previous/Next through embeds; only `owner_id` may turn pages; buttons disable on timeout."""

    def __init__(self, owner_id: int, pages: Sequence[discord.Embed], *, timeout: float = PAGE_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("a paged view needs at least one page")
        self.owner_id = owner_id
        self.pages = list(pages)
        self.index = 0
        self._interaction: discord.Interaction[Any] | None = None
        self._message: discord.WebhookMessage | None = None
        self._sync_buttons()

    async def send(self, interaction: discord.Interaction[Any], *, ephemeral: bool = False) -> None:
        """Show the first page (with the buttons when there is more than one) as the answer or a follow-up.
        The buttons speak the language of the member who asked (the only one who may press them)."""
        self._interaction = interaction
        t = member_speech(interaction)
        self.previous.label, self.next.label = t(PREVIOUS), t(NEXT)
        view: discord.ui.View = self
        if len(self.pages) == 1:
            self.stop()
            view = discord.utils.MISSING
        if interaction.response.is_done():
            self._message = await interaction.followup.send(
                embed=self.pages[0], view=view, ephemeral=ephemeral, wait=True
            )
        else:
            await interaction.response.send_message(embed=self.pages[0], view=view, ephemeral=ephemeral)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await send_ephemeral(interaction, member_speech(interaction)(NOT_YOURS))
        return False

    @discord.ui.button(label=PREVIOUS, style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], button: discord.ui.Button[PagedView]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label=NEXT, style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[PagedView]) -> None:
        await self._turn(interaction, 1)

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.index = min(max(self.index + step, 0), len(self.pages) - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self._interaction is not None:
            # The message may be gone or the token expired: then there is nothing left to disable.
            with contextlib.suppress(discord.HTTPException):
                if self._message is not None:
                    await self._message.edit(view=self)
                else:
                    await self._interaction.edit_original_response(view=self)


class DynamicButtons(discord.ui.View):
    """A row of buttons given as (dynamic item class or its template, custom id, label, emoji), sent as
    Discord's JSON.

    For messages whose buttons are all dynamic items: the classes registered with
    ``bot.add_dynamic_items`` answer the clicks from the custom id alone, so the message needs no
    item objects of its own, and building five of them cost more than the rest of a film card.
    Each custom id is still checked against its class's template, as ``DynamicItem`` would.
    """

    def __init__(
        self,
        buttons: Sequence[tuple[type[discord.ui.DynamicItem[Any]] | re.Pattern[str], str, str, str | None]],
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(timeout=None)
        if len(buttons) > 5:
            raise ValueError("a row holds at most five buttons")
        row: list[dict[str, Any]] = []
        for kind, custom_id, label, emoji in buttons:
            template = kind if isinstance(kind, re.Pattern) else kind.__discord_ui_compiled_template__
            if not template.fullmatch(custom_id):
                raise ValueError(f"custom id {custom_id!r} does not match the template {template.pattern!r}")
            button: dict[str, Any] = {
                "type": 2,
                "style": style.value,
                "disabled": False,
                "label": truncate(label, BUTTON_LABEL),
                "custom_id": custom_id,
            }
            if emoji is not None:
                button["emoji"] = {"id": None, "name": emoji}
            row.append(button)
        self._rows = [{"type": 1, "components": row}] if row else []

    def to_components(self) -> list[dict[str, Any]]:
        return self._rows
