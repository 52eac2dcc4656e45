"""Buttons and menus of the lookup commands, as dynamic items: they keep working after a restart.

Each component carries everything it needs in its custom id (an action and a film key), so no
view state has to survive in memory.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, cast, runtime_checkable

import discord

from bot.components import REMIND_EMOJI, REMIND_LABEL, REMIND_TEMPLATE, remind_custom_id
from bot.formatting import BUTTON_LABEL, truncate
from bot.i18n import N_, Speech
from bot.views import PAGE_TIMEOUT, DynamicButtons, PagedView, cog_of, reports_errors
from cogs.films.search.films import shorten_label

# info/cast/releases: a did-you-mean pick, answered like the command would have been.
# open: browse to another film's card. fullcast/dates: extras of a card, shown to the clicker only.
# pick (the timeline menu): the chosen film's card, shown to whoever picked it.
SELECT_LABEL = 100
OPEN_A_FILM = N_("Open a film…")
REMIND_ME = N_("Remind me")
"""`bot.components.REMIND_LABEL`, marked here for the catalogue."""


@runtime_checkable
class FilmPartHandler(Protocol):
    """What the film buttons and menus call: the Films cog (which imports this module, not the reverse)."""

    async def show_film_part(self, interaction: discord.Interaction[Any], action: str, key: str) -> None: ...


@runtime_checkable
class PickHandler(Protocol):
    """What a person or character "Did you mean…" button calls: the People cog."""

    async def open_picked(self, interaction: discord.Interaction[Any], kind: str, value: str) -> None: ...


# mypy takes only concrete classes for `type[...]`; a runtime-checkable protocol is what isinstance needs here.
def film_parts(interaction: discord.Interaction[Any]) -> FilmPartHandler:
    return cog_of(interaction, "Films", FilmPartHandler)  # type: ignore[type-abstract]


def picks(interaction: discord.Interaction[Any]) -> PickHandler:
    return cog_of(interaction, "People", PickHandler)  # type: ignore[type-abstract]


class FilmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"film:(?P<action>info|cast|releases|open|fullcast|dates):(?P<key>[a-z0-9_-]{1,80})",
):
    """A button that runs one lookup action for one film."""

    def __init__(
        self, action: str, key: str, label: str, style: discord.ButtonStyle = discord.ButtonStyle.secondary
    ) -> None:
        super().__init__(
            # Cut as the "Did you mean" list cuts it, year kept, so the rebuilt item matches what was sent.
            discord.ui.Button(label=shorten_label(label, BUTTON_LABEL), style=style, custom_id=f"film:{action}:{key}")
        )
        self.action = action
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FilmButton:
        if isinstance(item, discord.ui.Button):
            return cls(match["action"], match["key"], item.label or "", item.style)
        return cls(match["action"], match["key"], "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await film_parts(interaction).show_film_part(interaction, self.action, self.key)


class FilmMenu(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"film:menu"):
    """The timeline's menu: opens the chosen film's card for whoever picked it."""

    def __init__(self, options: list[discord.SelectOption], placeholder: str = OPEN_A_FILM) -> None:
        super().__init__(discord.ui.Select(custom_id="film:menu", placeholder=placeholder, options=options[:25]))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FilmMenu:
        options = list(item.options) if isinstance(item, discord.ui.Select) else []
        return cls(options or [discord.SelectOption(label="film", value="none")])

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        data = cast(dict[str, Any], interaction.data or {})
        values = data.get("values") or []
        if values:
            await film_parts(interaction).show_film_part(interaction, "pick", str(values[0]))


class PickButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pick:(?P<kind>person|character):(?P<value>.{1,90})"
):
    """A "Did you mean…" button for a person or a character."""

    def __init__(self, kind: str, value: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=truncate(label, BUTTON_LABEL), style=discord.ButtonStyle.primary, custom_id=f"pick:{kind}:{value}"
            )
        )
        self.kind = kind
        self.value = value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PickButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["kind"], match["value"], label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await picks(interaction).open_picked(interaction, self.kind, self.value)


def pick_view(kind: str, candidates: list[tuple[str, str]]) -> discord.ui.View:
    """Up to five "Did you mean…" buttons for people or characters (value, label)."""
    buttons = [(PickButton, f"pick:{kind}:{value}", label, None) for value, label in candidates[:5]]
    # A custom id holds at most 100 characters: a longer one could not be sent.
    fitting = [button for button in buttons if len(button[1]) <= 100]
    return DynamicButtons(fitting, style=discord.ButtonStyle.primary)


def choices_view(action: str, films: list[tuple[str, str]]) -> discord.ui.View:
    """Up to five "Did you mean…" buttons, one per candidate film (key, label)."""
    buttons = [
        (FilmButton, f"film:{action}:{key}", shorten_label(label, BUTTON_LABEL), None) for key, label in films[:5]
    ]
    return DynamicButtons(buttons, style=discord.ButtonStyle.primary)


def card_view(
    key: str, previous: str | None, following: str | None, *, upcoming: bool = False, t: Speech
) -> discord.ui.View:
    """The film card's buttons, in the reader's language: full cast, every release date, the films
    either side, and "Remind me" while the film has a release still to come."""
    buttons: list[tuple[type[discord.ui.DynamicItem[Any]] | re.Pattern[str], str, str, str | None]] = [
        (FilmButton, f"film:fullcast:{key}", t("Full cast"), None),
        (FilmButton, f"film:dates:{key}", t("Release dates"), None),
    ]
    if upcoming:
        buttons.append((REMIND_TEMPLATE, remind_custom_id(f"film:{key}"), t(REMIND_LABEL), REMIND_EMOJI))
    if previous:
        buttons.append((FilmButton, f"film:open:{previous}", t("Previous film"), None))
    if following:
        buttons.append((FilmButton, f"film:open:{following}", t("Next film"), None))
    return DynamicButtons(buttons)


class TimelineView(PagedView):
    """The timeline in pages, each with a menu of its own films: only the asker turns pages, anyone
    may open a film. (A plain menu, not `FilmMenu`: a view that ends must hold no dynamic items.)"""

    def __init__(
        self,
        owner_id: int,
        pages: list[tuple[discord.Embed, list[discord.SelectOption]]],
        t: Speech,
        *,
        timeout: float = PAGE_TIMEOUT,
    ) -> None:
        self.page_options = [options[:25] for _, options in pages]
        self.menu: discord.ui.Select[TimelineView] | None = None
        super().__init__(owner_id, [embed for embed, _ in pages], timeout=timeout)
        self.menu = discord.ui.Select(placeholder=t(OPEN_A_FILM), options=self.page_options[0])
        self.menu.callback = self.pick  # type: ignore[method-assign]
        self.add_item(self.menu)

    def _sync_buttons(self) -> None:
        super()._sync_buttons()
        if self.menu is not None:
            self.menu.options = self.page_options[self.index]

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        data = cast(dict[str, Any], interaction.data or {})
        if self.menu is not None and data.get("custom_id") == self.menu.custom_id:
            return True
        return await super().interaction_check(interaction)

    async def pick(self, interaction: discord.Interaction[Any]) -> None:
        if self.menu is not None and self.menu.values:
            await film_parts(interaction).show_film_part(interaction, "pick", self.menu.values[0])

    async def on_timeout(self) -> None:
        if self.menu is not None:
            self.menu.disabled = True
        await super().on_timeout()


def menu_view(options: list[discord.SelectOption], t: Speech) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FilmMenu(options, t(OPEN_A_FILM)))
    return view
