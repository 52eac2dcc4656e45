"""Marquee's words in the member's or the server's language: gettext catalogues read with Babel.

`Catalogues` reads every shipped catalogue once at start (`bot/locales/<language>/LC_MESSAGES/marquee.po`,
no compile step) and hands out a `Speech` per locale: the messages translated (`speech("English {name}",
name=...)`, `speech.plural(...)`, `speech.context(...)`) and Babel's CLDR formatting of dates, times,
numbers, durations and lists. English is the source language: its catalogue is the messages themselves.

A message is English text with `str.format` named placeholders; it is formatted only when values are
given, so a message without any may hold a brace. A fuzzy or empty translation is no translation: the
English is shown. Nothing here imports discord: a locale is Discord's code as a string (`fr`, `pt-BR`).
"""

from __future__ import annotations

import datetime as dt
import gettext
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "en"
SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt_BR", "ja")
"""Every language Marquee speaks, as catalogue names (Babel's locale identifiers). The one list: the
`/settings language` choices, the command translator and the catalogue checks all read it."""

DOMAIN = "marquee"

# (context, msgid) -> the translation: a string, or one string per plural form for a plural message.
Key = tuple[str | None, str]
Translation = str | tuple[str, ...]

_ENGLISH_PLURAL = "(n != 1)"
Unit = Literal["day", "hour", "minute", "second"]
Width = Literal["narrow", "short", "medium", "long"]
ListStyle = Literal["standard", "standard-short", "or", "or-short", "unit", "unit-short", "unit-narrow"]
_UNITS: tuple[tuple[Unit, int], ...] = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def N_(message: str) -> str:
    """Mark a message kept in a constant for extraction; it is translated where it is shown."""
    return message


def placeholders(message: str) -> frozenset[str]:
    """The named `str.format` fields of `message` ("{name}" and "{count:,}" both give their name)."""
    names: set[str] = set()
    for _literal, name, _spec, _conversion in string.Formatter().parse(message):
        if name is not None:
            names.add(name.split(".")[0].split("[")[0])
    return frozenset(names)


def catalogue_name(code: str) -> str:
    """Babel's spelling of a locale code: Discord's `pt-BR` is `pt_BR`."""
    return code.strip().replace("-", "_")


@dataclass(frozen=True)
class Catalogue:
    """One language's translations, as read from its .po file."""

    language: str
    messages: Mapping[Key, Translation] = field(default_factory=dict)
    plural_expression: str = _ENGLISH_PLURAL

    @classmethod
    def read(cls, language: str, path: Path) -> Catalogue:
        """Read `path` (a .po file); fuzzy and untranslated entries are left out, so they show in English."""
        with path.open("rb") as file:
            po = read_po(file, locale=language, domain=DOMAIN)
        messages: dict[Key, Translation] = {}
        for message in po:
            if not message.id or message.fuzzy:
                continue
            msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
            if isinstance(message.string, tuple | list):
                forms = tuple(message.string)
                if all(forms):
                    messages[(message.context, msgid)] = forms
            elif message.string:
                messages[(message.context, msgid)] = message.string
        return cls(language, messages, po.plural_expr)


class Catalogues:
    """Every shipped catalogue, read once at start and handed to whatever speaks to members."""

    def __init__(self, catalogues: Iterable[Catalogue]) -> None:
        self._catalogues = {catalogue.language: catalogue for catalogue in catalogues}
        self._catalogues.setdefault(SOURCE_LANGUAGE, Catalogue(SOURCE_LANGUAGE))
        self._speech: dict[str, Speech] = {}

    @classmethod
    def load(cls, directory: Path | None = None, languages: Iterable[str] = SHIPPED_LANGUAGES) -> Catalogues:
        """Read the catalogues of `languages` from `directory` (default: the ones shipped in the package)."""
        root = directory if directory is not None else shipped_directory()
        found = []
        for language in languages:
            path = po_path(root, language)
            if language != SOURCE_LANGUAGE:
                found.append(Catalogue.read(language, path))
        return cls(found)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages held, English first."""
        return (SOURCE_LANGUAGE, *sorted(language for language in self._catalogues if language != SOURCE_LANGUAGE))

    def language_for(self, code: str | None) -> str:
        """The catalogue that serves a Discord locale: the exact one (`pt-BR`), else one of the same
        language (`es-419` gets `es`), else English."""
        return self.serving(code) or SOURCE_LANGUAGE

    def serving(self, code: str | None) -> str | None:
        """The catalogue made for a Discord locale or its language, or None when English stands in."""
        if not code:
            return None
        name = catalogue_name(code)
        if name in self._catalogues:
            return name
        language = name.split("_")[0].lower()
        if language in self._catalogues:
            return language
        return next((held for held in self._catalogues if held.split("_")[0].lower() == language), None)

    def speech(self, code: str | None) -> Speech:
        """How Marquee speaks to someone whose Discord locale is `code` (None: English)."""
        key = code or SOURCE_LANGUAGE
        speech = self._speech.get(key)
        if speech is None:
            catalogue = self._catalogues[self.language_for(code)]
            speech = Speech(catalogue, formatting_locale(catalogue.language, code))
            self._speech[key] = speech
        return speech

    def catalogue(self, language: str) -> Catalogue:
        """One held catalogue, by its name (KeyError if none)."""
        return self._catalogues[language]


def shipped_directory() -> Path:
    """The catalogues shipped in the package (package data, found wherever the bot is installed)."""
    return Path(str(resources.files("bot").joinpath("locales")))


def po_path(root: Path, language: str) -> Path:
    """Where a language's catalogue lives under `root`."""
    return root / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def formatting_locale(language: str, code: str | None) -> Locale:
    """The locale dates and numbers follow: the member's own when it is a variety of the catalogue's
    language (`en-GB` reads English with British dates), else the catalogue's (a `ko` member reads
    English, and English dates beside it)."""
    if code:
        try:
            requested = Locale.parse(catalogue_name(code))
        except (UnknownLocaleError, ValueError):
            requested = None
        if requested is not None and requested.language == Locale.parse(language).language:
            return requested
    return Locale.parse(language)


def _plural_function(expression: str) -> Callable[[int], int]:
    # gettext's own reader of the C expression in a catalogue's Plural-Forms header.
    return gettext.c2py(expression)


class Speech:
    """Marquee's words and formats in one locale; built by `Catalogues.speech`."""

    def __init__(self, catalogue: Catalogue, locale: Locale) -> None:
        self.catalogue = catalogue
        self.locale = locale
        self._plural = _plural_function(catalogue.plural_expression)

    @property
    def language(self) -> str:
        """The catalogue's name ("fr", "pt_BR", "en")."""
        return self.catalogue.language

    def lookup(self, context: str | None, message: str) -> str | None:
        """The translation of a (singular) message, or None when this catalogue has none."""
        found = self.catalogue.messages.get((context, message))
        return found if isinstance(found, str) else None

    def __call__(self, message: str, /, **values: Any) -> str:
        """`message` (English, with `{named}` placeholders) in this language, formatted with `values`."""
        return _fill(self.lookup(None, message) or message, values)

    def context(self, context: str, message: str, /, **values: Any) -> str:
        """Like calling the speech, for a message whose meaning depends on `context` (gettext's msgctxt)."""
        return _fill(self.lookup(context, message) or message, values)

    def plural(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The form for `n` of a message with plural forms; `{n}` is `n` formatted for the locale."""
        forms = self.catalogue.messages.get((None, singular))
        values = {"n": self.number(n), **values}
        if isinstance(forms, tuple):
            index = self._plural(n)
            if 0 <= index < len(forms):
                return _fill(forms[index], values)
        return _fill(singular if n == 1 else plural, values)

    # ---- formatting (Babel, CLDR) ---------------------------------------------------------------------------
    def number(self, value: float) -> str:
        """A number with the locale's digits grouping and decimal sign."""
        return babel_numbers.format_decimal(value, locale=self.locale)

    def date(self, value: dt.date, format: str = "medium") -> str:
        """A date ("short", "medium", "long", "full" or a CLDR pattern)."""
        return babel_dates.format_date(value, format=format, locale=self.locale)

    def time(self, value: dt.time | dt.datetime, format: str = "short", tzinfo: dt.tzinfo | None = None) -> str:
        """A time of day; an aware datetime is shown in `tzinfo` when given."""
        return babel_dates.format_time(value, format=format, tzinfo=tzinfo, locale=self.locale)

    def datetime(self, value: dt.datetime, format: str = "medium", tzinfo: dt.tzinfo | None = None) -> str:
        """A date and time; an aware datetime is shown in `tzinfo` when given."""
        return babel_dates.format_datetime(value, format=format, tzinfo=tzinfo, locale=self.locale)

    def duration(self, value: dt.timedelta, parts: int = 2, format: Width = "long") -> str:
        """A length of time in its largest `parts` units, never negative: "2 days, 3 hours", "2 jours et
        3 heures", "2 日 3 時間"; under a second is "0 seconds"."""
        remaining = max(int(value.total_seconds()), 0)
        pieces: list[str] = []
        for unit, seconds in _UNITS:
            amount, remaining = divmod(remaining, seconds)
            if amount and len(pieces) < parts:
                pieces.append(
                    babel_dates.format_timedelta(
                        dt.timedelta(seconds=amount * seconds), granularity=unit, format=format, locale=self.locale
                    )
                )
            elif pieces:
                break
        if not pieces:
            return babel_dates.format_timedelta(
                dt.timedelta(0), granularity="second", format=format, locale=self.locale
            )
        return self.list(pieces, style="unit")

    def list(self, items: Iterable[str], style: ListStyle = "standard") -> str:
        """Items joined as the language joins them ("a, b, and c", "a, b et c", "a、b、c")."""
        listed = list(items)
        try:
            return babel_lists.format_list(listed, style=style, locale=self.locale)
        except KeyError:
            # Babel's CLDR data lacks some styles' patterns for some languages (German "unit" for three
            # items): the standard style every language has.
            return babel_lists.format_list(listed, style="standard", locale=self.locale)

    def language_name(self, language: str) -> str:
        """A catalogue's language named in this locale ("French" / "français")."""
        return Locale.parse(language).get_display_name(self.locale) or language


def native_name(language: str) -> str:
    """A language as its speakers name it, capitalised for a menu: "Français", "日本語"."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def _fill(message: str, values: Mapping[str, Any]) -> str:
    return message.format_map(values) if values else message
