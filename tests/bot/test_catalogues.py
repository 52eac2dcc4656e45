"""The shipped catalogues: the template is what the code asks for, every shipped language has every
message with the English placeholders, and the command names and descriptions they give are ones Discord
takes (checked by the local Discord's own rules too)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import MarqueeBot
from bot.clock import ManualClock
from bot.i18n import DOMAIN, SHIPPED_LANGUAGES, SOURCE_LANGUAGE, Catalogues, po_path, shipped_directory
from bot.i18n_extract import current_template, problems, read_catalogue, template_keys, update, valid_name
from bot.settings import load_settings
from bot.translator import MarqueeTranslator
from db import Database, migrate
from tests.discord_sim.limits import check_commands, valid_command_name

TRANSLATED = [language for language in SHIPPED_LANGUAGES if language != SOURCE_LANGUAGE]


def _template() -> Any:
    return read_catalogue(shipped_directory() / f"{DOMAIN}.pot")


async def test_the_template_holds_what_the_code_asks_for() -> None:
    """Stale when a marked message or a command string was added, changed or removed since the last
    `python -m bot.i18n_extract`."""
    wanted = template_keys(await current_template())
    shipped = template_keys(_template())
    assert not wanted - shipped, f"missing from marquee.pot: {sorted(map(str, wanted - shipped))[:20]}"
    assert not shipped - wanted, f"no longer in the code: {sorted(map(str, shipped - wanted))[:20]}"
    # Both sources are in: messages of the code and the command tree's strings.
    contexts = {context for context, _id in shipped}
    assert {None, "command name", "command description", "parameter name", "choice name"} <= contexts


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_shipped_catalogue_is_complete_and_safe(language: str) -> None:
    catalogue = read_catalogue(po_path(shipped_directory(), language), language)
    assert problems(_template(), catalogue) == []


def test_the_check_finds_each_kind_of_problem() -> None:
    template = _template()
    catalogue = read_catalogue(po_path(shipped_directory(), "fr"), "fr")
    catalogue.get("cancel", context="command name").string = "Annuler"  # capital
    catalogue.get("list", context="command name").string = "la liste"  # a space
    catalogue.get("Cancel {title}").string = "Annuler {titre}"  # a renamed placeholder
    catalogue.get("Your reminders").flags.add("fuzzy")
    catalogue.get("Stop one reminder.", context="command description").string = "x" * 101
    catalogue.delete("Uptime")
    found = "\n".join(problems(template, catalogue))
    for expected in ("'Annuler' is not a name", "'la liste' is not a name", "placeholders ['titre']", "fuzzy"):
        assert expected in found
    assert "101 characters" in found and "'Uptime': missing" in found
    assert len(problems(template, catalogue)) == 6


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("film", True),
        ("à-propos", True),
        ("今日の問題", True),
        ("stop_all", True),
        ("नमस्ते", True),
        ("Film", False),
        ("two words", False),
        ("", False),
        ("x" * 33, False),
        ("why?", False),
    ],
)
def test_the_name_rule_is_discords(name: str, valid: bool) -> None:
    # Ours (for volunteers' check) and the local Discord's agree.
    assert valid_name(name) is valid
    assert valid_command_name(name) is valid


async def test_the_synced_tree_carries_the_localisations_discord_takes(tmp_path: Path) -> None:
    """The payload sync sends: every shipped language's names, each level's names distinct in every
    locale (Discord refuses two options or subcommands of one name), and nothing the local Discord refuses."""
    settings = load_settings(None, {}, require_token=False)
    async with Database.connect(tmp_path / "tree.db") as database:
        await migrate(database)
        bot = MarqueeBot(
            settings=settings, database=database, clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)), packs=[]
        )
        async with bot:
            await bot.load_cogs()
            assert not bot.failed_extensions
            translator = MarqueeTranslator(Catalogues.load())
            payload = [
                await command.get_translated_payload(bot.tree, translator) for command in bot.tree.get_commands()
            ]
    assert check_commands(payload) == {}
    remind = next(command for command in payload if command["name"] == "remind")
    assert remind["name_localizations"] == {
        "fr": "rappel",
        "de": "erinnern",
        "es-ES": "recordar",
        "es-419": "recordar",
        "pt-BR": "lembrar",
        "ja": "リマインダー",
    }
    listing = next(option for option in remind["options"] if option["name"] == "list")
    assert listing["description_localizations"]["fr"].startswith("Tes rappels")

    def distinct(items: list[dict[str, Any]], where: str) -> None:
        for locale in ("fr", "de", "es-ES", "pt-BR", "ja"):
            names = Counter((item.get("name_localizations") or {}).get(locale, item["name"]) for item in items)
            twice = [name for name, count in names.items() if count > 1]
            assert not twice, f"{where} in {locale}: {twice}"
        for item in items:
            if item.get("type", 1) in (1, 2):  # (sub)commands and groups hold options
                distinct(item.get("options") or [], f"{where} /{item['name']}")

    distinct([command for command in payload if command.get("type", 1) == 1], "top level")


def test_the_local_discord_refuses_what_discord_refuses_in_localisations() -> None:
    good = {"name": "remind", "description": "x", "name_localizations": {"fr": "rappel"}, "options": []}
    assert check_commands([good]) == {}
    bad = [
        good | {"name_localizations": {"fr": "Rappel"}},  # capital
        good | {"name_localizations": {"xx": "rappel"}},  # no such Discord locale
        good | {"options": [{"type": 3, "name": "title", "description": "t", "name_localizations": {"de": "ti tel"}}]},
        good | {"name": "Remind"},
    ]
    errors = check_commands(bad)
    assert errors["0"]["name_localizations"]["fr"]["_errors"][0]["code"] == "APPLICATION_COMMAND_INVALID_NAME"
    assert errors["1"]["name_localizations"]["xx"]["_errors"][0]["code"] == "BASE_TYPE_CHOICES"
    assert "de" in errors["2"]["options"]["0"]["name_localizations"]
    assert "name" in errors["3"]
    # A user or message command may have capitals and spaces, in its name and its localisations.
    assert check_commands([{"type": 2, "name": "Film card", "name_localizations": {"fr": "Fiche du film"}}]) == {}


async def test_extracting_again_changes_no_file(tmp_path: Path) -> None:
    """The shipped files are exactly what `python -m bot.i18n_extract` writes from the code (so a volunteer's
    diff is only their translations), and a run that finds nothing new rewrites nothing, not even a date."""
    shutil.copytree(shipped_directory(), tmp_path / "locales")
    update(tmp_path / "locales", await current_template())
    for path in sorted(shipped_directory().rglob("*.po*")):
        copy = tmp_path / "locales" / path.relative_to(shipped_directory())
        assert copy.read_bytes() == path.read_bytes(), f"{path.name} differs after extraction"
