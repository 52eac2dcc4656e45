"""The catalogue template from the code: `python -m bot.i18n_extract` (`--check` only compares).

Two sources make `bot/locales/marquee.pot`: Babel's extractor over bot/ and cogs/ with Marquee's keywords
(`KEYWORDS`: `t("...")`, `t.plural(...)`, `t.context(...)`, `N_("...")`, `UserFacingError("...")`), and
every command string of the command tree as discord.py hands it to the translator at sync (names and
descriptions of commands, groups, options and choices, each with its context, e.g. "command name").
Writing the template also brings each shipped .po up to date with it (new messages untranslated, gone
ones kept as obsolete), so a volunteer only ever edits .po files.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, SHIPPED_LANGUAGES, SOURCE_LANGUAGE, Catalogues, placeholders, po_path, shipped_directory
from bot.translator import NAME_CONTEXTS

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FOLDERS = ("bot", "cogs")
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "t": None,
    "N_": None,
    "UserFacingError": None,
    "plural": (1, 2),
    "context": ((1, "c"), 2),
}
"""Babel's keyword specs; on the command line: `-k t -k N_ -k UserFacingError -k plural:1,2 -k context:1c,2`."""


@dataclass(frozen=True)
class Extracted:
    """One message for the template: its id (a (singular, plural) pair for a plural), context, and where."""

    id: str | tuple[str, str]
    context: str | None
    locations: tuple[tuple[str, int], ...]
    comments: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str | None, str]:
        """(context, singular id): how a catalogue finds it."""
        return self.context, self.id[0] if isinstance(self.id, tuple) else self.id


def source_messages(root: Path = ROOT) -> list[Extracted]:
    """Every marked message of bot/ and cogs/, found by Babel's Python extractor."""
    found: list[Extracted] = []
    for folder in SOURCE_FOLDERS:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(root / folder), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            message_id: str | tuple[str, str] = (message[0], message[1]) if isinstance(message, tuple) else message
            found.append(Extracted(message_id, context, ((f"{folder}/{filename}", lineno),), tuple(comments)))
    return found


async def command_messages() -> list[Extracted]:
    """Every string of the command tree that Discord shows, as the translator is asked for it at sync:
    the cogs loaded into a bot that never connects, on a throwaway database."""
    from bot.client import MarqueeBot
    from bot.clock import SystemClock
    from bot.settings import load_settings
    from bot.translator import RecordingTranslator
    from db import Database, migrate

    settings = load_settings(None, {}, require_token=False)
    recorder = RecordingTranslator()
    with tempfile.TemporaryDirectory(prefix="marquee-extract-") as folder:
        async with Database.connect(Path(folder) / "extract.db") as database:
            await migrate(database)
            bot = MarqueeBot(
                settings=settings, database=database, clock=SystemClock(), packs=[], catalogues=Catalogues(())
            )
            async with bot:
                await bot.load_cogs()
                if bot.failed_extensions:
                    raise RuntimeError(f"cogs failed to load: {bot.failed_extensions}")
                for command in bot.tree.get_commands():
                    await command.get_translated_payload(bot.tree, recorder)
    # The commands a string belongs to go in a comment for the translator: "/remind list".
    return [
        Extracted(message, context, (), tuple(sorted(wheres)))
        for (context, message), wheres in sorted(recorder.seen.items())
    ]


HEADER = """\
# {language} catalogue of Marquee's messages and command names.
# Distributed under the same licence as Marquee (MIT). How to translate: docs/translating.md.
#"""


def new_catalogue(language: str) -> Catalog:
    """An empty catalogue for a new language, its header filled in."""
    return Catalog(
        locale=language,
        domain=DOMAIN,
        header_comment=HEADER.format(language=language),
        project="Marquee",
        copyright_holder="Marquee's contributors",
        msgid_bugs_address=BUGS,
        fuzzy=False,
    )


BUGS = "Marquee's issue tracker"


def template(messages: Iterable[Extracted]) -> Catalog:
    """The template catalogue of `messages` (one entry per id and context, every location kept)."""
    catalog = Catalog(
        domain=DOMAIN,
        project="Marquee",
        copyright_holder="Marquee's contributors",
        msgid_bugs_address=BUGS,
        fuzzy=False,
    )
    for message in messages:
        catalog.add(
            message.id,
            locations=list(message.locations),
            auto_comments=message.comments,
            context=message.context,
        )
    return catalog


async def current_template() -> Catalog:
    """The template the code asks for now."""
    return template([*source_messages(), *await command_messages()])


def template_keys(catalog: Catalog) -> set[tuple[str | None, str | tuple[str, ...]]]:
    """(context, id) of every message of a catalogue: what a stale template differs in."""
    return {
        (message.context, tuple(message.id) if isinstance(message.id, list | tuple) else message.id)
        for message in catalog
        if message.id
    }


def write_catalogue(catalog: Catalog, path: Path) -> None:
    """Write a .po/.pot the same way every time: sorted, no line numbers, no wrapping mid-sentence; a file
    whose only change would be its creation date is left alone, so extracting twice changes nothing."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_output=True, include_lineno=False, ignore_obsolete=True)
    written = buffer.getvalue()
    if path.exists() and _undated(path.read_bytes()) == _undated(written):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(written)


def _undated(text: bytes) -> bytes:
    return re.sub(rb'^"POT-Creation-Date: [^"]*"$', b"", text, flags=re.M)


def read_catalogue(path: Path, language: str | None = None) -> Catalog:
    """Read a .po or .pot file."""
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def update(directory: Path, catalog: Catalog, languages: Sequence[str] = SHIPPED_LANGUAGES) -> None:
    """Write the template and bring every shipped catalogue up to date with it, translations kept."""
    write_catalogue(catalog, directory / f"{DOMAIN}.pot")
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        path = po_path(directory, language)
        po = read_catalogue(path, language) if path.exists() else new_catalogue(language)
        # No guessing from similar messages: a near-miss would be shown as a translation once un-fuzzied.
        po.update(catalog, no_fuzzy_matching=True, update_header_comment=False)
        write_catalogue(po, path)


DESCRIPTION_CONTEXTS = frozenset({"command description", "group description", "parameter description", "choice name"})
"""Contexts whose translations Discord limits to 100 characters."""
DESCRIPTION_LENGTH = 100
NAME_LENGTH = 32


def valid_name(name: str) -> bool:
    """Discord's rule for a slash command, group or option name in any language: 1-32 characters, each a
    letter, digit, - or _ (or a Devanagari or Thai mark), lowercase wherever a letter has a lowercase form.
    (Discord writes it `^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`.)"""
    if not 1 <= len(name) <= NAME_LENGTH:
        return False
    for char in name:
        if char.lower() != char:
            return False
        if not (char in "-_" or char.isalpha() or char.isnumeric() or _indic_mark(char)):
            return False
    return True


def _indic_mark(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("DEVANAGARI", "THAI"))


def problems(template: Catalog, catalogue: Catalog) -> list[str]:
    """What keeps a shipped catalogue from being complete and safe: a message of the template missing,
    untranslated or fuzzy; a placeholder set differing from the English; a plural form missing; a command
    name Discord would refuse; a description or choice longer than Discord takes. Empty: all is well."""
    found: list[str] = []
    language = str(catalogue.locale)
    for message in template:
        if not message.id:
            continue
        singular = message.id[0] if isinstance(message.id, list | tuple) else message.id
        where = f"{language}: {message.context + ' | ' if message.context else ''}{singular!r}"
        translated = catalogue.get(singular, context=message.context)
        if translated is None or translated.fuzzy:
            found.append(f"{where}: {'fuzzy' if translated is not None else 'missing'}")
            continue
        strings = translated.string
        forms = [str(form or "") for form in (strings if isinstance(strings, list | tuple) else [strings])]
        if isinstance(message.id, list | tuple) and len(forms) != catalogue.num_plurals:
            found.append(f"{where}: {len(forms)} plural forms, the language has {catalogue.num_plurals}")
        if not all(forms):
            found.append(f"{where}: untranslated")
            continue
        english = placeholders(singular)
        if isinstance(message.id, list | tuple):
            english |= placeholders(message.id[1])
        for form in forms:
            if placeholders(form) != english:
                found.append(f"{where}: placeholders {sorted(placeholders(form))}, English has {sorted(english)}")
            if message.context in NAME_CONTEXTS and not valid_name(form):
                found.append(f"{where}: {form!r} is not a name Discord takes (lowercase, 1-32 letters, digits, - _)")
            if message.context in DESCRIPTION_CONTEXTS and not 1 <= len(form) <= DESCRIPTION_LENGTH:
                found.append(f"{where}: {len(form)} characters, Discord takes 1-{DESCRIPTION_LENGTH}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n_extract", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the template is stale")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    catalog = asyncio.run(current_template())
    directory = shipped_directory()
    if arguments.check:
        pot = directory / f"{DOMAIN}.pot"
        if not pot.exists() or template_keys(read_catalogue(pot)) != template_keys(catalog):
            print(f"{pot} is stale: run python -m bot.i18n_extract", file=sys.stderr)
            return 1
        found = [
            problem
            for language in SHIPPED_LANGUAGES
            if language != SOURCE_LANGUAGE
            for problem in problems(catalog, read_catalogue(po_path(directory, language), language))
        ]
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    update(directory, catalog)
    print(f"{len(catalog)} messages in {directory / (DOMAIN + '.pot')}; catalogues updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
