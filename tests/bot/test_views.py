"""DynamicButtons: buttons given as JSON are exactly those discord.py would send for the items."""

from __future__ import annotations

import discord
import pytest

from bot.translator import english
from bot.views import DynamicButtons
from cogs.films.views import FilmButton, PickButton, card_view, choices_view, pick_view
from cogs.reminders.views import RemindButton


async def test_the_json_is_what_the_dynamic_items_would_send() -> None:
    built = discord.ui.View(timeout=None)
    built.add_item(FilmButton("fullcast", "mi-7", "Full cast"))
    built.add_item(RemindButton("film:mi-7"))
    built.add_item(FilmButton("open", "mi-8", "Next film"))
    given = DynamicButtons(
        [
            (FilmButton, "film:fullcast:mi-7", "Full cast", None),
            (RemindButton, "remind:film:mi-7", "Remind me", "🔔"),
            (FilmButton, "film:open:mi-8", "Next film", None),
        ]
    )
    assert given.to_components() == built.to_components()
    assert not given.is_dispatchable()  # nothing for discord.py to keep per message


async def test_a_film_card_has_its_buttons_in_order() -> None:
    row = card_view("mi-7", "mi-6", None, upcoming=True, t=english()).to_components()[0]["components"]
    assert [button["custom_id"] for button in row] == [
        "film:fullcast:mi-7",
        "film:dates:mi-7",
        "remind:film:mi-7",
        "film:open:mi-6",
    ]
    assert card_view("mi-1", None, None, t=english()).to_components()[0]["components"][-1]["label"] == "Release dates"


async def test_a_custom_id_its_class_would_not_answer_is_refused() -> None:
    with pytest.raises(ValueError, match="template"):
        DynamicButtons([(FilmButton, "film:fullcast:Not A Key", "Full cast", None)])
    with pytest.raises(ValueError, match="five"):
        DynamicButtons([(FilmButton, f"film:open:k{n}", "Film", None) for n in range(6)])


async def test_did_you_mean_buttons_are_what_the_dynamic_items_would_send() -> None:
    long_label = "Mission: Impossible – " + "Very Long Subtitle " * 6 + "(2031)"
    films = [("mi-7", "Dead Reckoning (2023)"), ("mi-8", long_label)]
    built = discord.ui.View(timeout=None)
    for key, label in films:
        built.add_item(FilmButton("info", key, label, discord.ButtonStyle.primary))
    assert choices_view("info", films).to_components() == built.to_components()

    people = [("ving-rhames", "Ving Rhames"), ("x" * 90, "Too long a key to fit a custom id"), ("a" * 88, "Fits")]
    built = discord.ui.View(timeout=None)
    for value, label in (people[0], people[2]):
        built.add_item(PickButton("person", value, label))
    assert pick_view("person", people).to_components() == built.to_components()


def _subclasses(kind: type) -> list[type]:
    found = []
    for sub in kind.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


async def test_every_component_of_every_feature_answers_its_errors() -> None:
    """discord.py only logs what a dynamic item's callback raises, and the member's click then fails
    silently: each one must go through `reports_errors`; views through `MarqueeView.on_error`."""
    import importlib
    import pkgutil

    import cogs
    from bot.views import MarqueeView

    for module in pkgutil.walk_packages(cogs.__path__, "cogs."):
        importlib.import_module(module.name)
    items = [kind for kind in _subclasses(discord.ui.DynamicItem) if kind.__module__.startswith("cogs.")]
    assert len(items) >= 7
    for kind in items:
        assert hasattr(kind.callback, "__wrapped__"), f"{kind.__qualname__}.callback is not @reports_errors"
    for view in _subclasses(discord.ui.View):
        if view.__module__.startswith(("cogs.", "bot.")):
            has_items = any(getattr(v, "__discord_ui_model_type__", None) for v in vars(view).values())
            assert not has_items or issubclass(view, MarqueeView), f"{view.__qualname__} must be a MarqueeView"


def test_help_pages_keep_every_command() -> None:
    from bot.formatting import EMBED_TOTAL
    from cogs.help import help_pages

    groups = {f"Feature {n}": [f"`/command{n}-{k}` — " + "a description " * 7 for k in range(12)] for n in range(20)}
    pages = help_pages(groups)
    assert len(pages) > 1
    shown = "\n".join(field.value or "" for page in pages for field in page.fields)
    assert all(line in shown for lines in groups.values() for line in lines)
    assert all(len(page) <= EMBED_TOTAL and len(page.fields) <= 25 for page in pages)
    assert len(help_pages({})) == 1


async def test_a_view_that_ends_refuses_dynamic_items() -> None:
    """A PagedView that times out would take FilmButton out of discord.py's registry with it."""
    from bot.views import MarqueeView, PagedView

    with pytest.raises(TypeError, match="dynamic item"):
        PagedView(1, [discord.Embed(title="a")]).add_item(FilmButton("open", "mi-7", "Next film"))
    with pytest.raises(TypeError, match="dynamic item"):
        MarqueeView().add_item(FilmButton("open", "mi-7", "Next film"))


async def test_timeline_pages_each_offer_their_own_films() -> None:
    from cogs.films.views import TimelineView

    pages = [
        (
            discord.Embed(title=f"page {n}"),
            [discord.SelectOption(label=f"Film {n}-{k}", value=f"f{n}-{k}") for k in range(25)],
        )
        for n in range(3)
    ]
    view = TimelineView(1, pages, english())
    assert view.menu is not None and [o.value for o in view.menu.options][:1] == ["f0-0"]
    view.index = 2
    view._sync_buttons()
    assert [o.value for o in view.menu.options][:1] == ["f2-0"] and view.next.disabled
