"""bot/i18n: which catalogue serves a Discord locale, fallbacks, plurals, placeholders, Babel's formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.i18n import N_, SHIPPED_LANGUAGES, Catalogues, native_name, placeholders, po_path


@pytest.fixture(scope="module")
def shipped() -> Catalogues:
    return Catalogues.load()


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("fr", "fr"),
        ("de", "de"),
        ("ja", "ja"),
        ("pt-BR", "pt_BR"),
        ("es-ES", "es"),
        ("es-419", "es"),  # Latin American Spanish reads the Spanish catalogue, not English
        ("en-US", "en"),
        ("en-GB", "en"),
        ("ko", "en"),  # no Korean catalogue: English
        ("zh-TW", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_discord_locale_gets_its_catalogue_else_its_language_else_english(
    shipped: Catalogues, code: str | None, language: str
) -> None:
    assert shipped.speech(code).language == language


def test_every_shipped_language_is_held(shipped: Catalogues) -> None:
    assert set(shipped.languages) == set(SHIPPED_LANGUAGES)
    assert shipped.languages[0] == "en"
    assert [native_name(code) for code in ("fr", "ja", "pt_BR")] == ["Français", "日本語", "Português (Brasil)"]


def test_messages_are_translated_and_filled(shipped: Catalogues) -> None:
    assert shipped.speech("fr")("Cancel {title}", title="Fallout") == "Annuler Fallout"
    assert shipped.speech("de")("Cancel {title}", title="Fallout") == "Fallout abbrechen"
    assert shipped.speech("ko")("Cancel {title}", title="Fallout") == "Cancel Fallout"
    assert shipped.speech("fr").context("command name", "cancel") == "annuler"
    # A message no catalogue has is shown as written, braces and all when no values are given.
    assert shipped.speech("ja")("not {in} any catalogue") == "not {in} any catalogue"
    assert N_("kept for later") == "kept for later"


def test_plural_forms_follow_each_language(shipped: Catalogues) -> None:
    singular, plural = "Slow down: try again in {n} second.", "Slow down: try again in {n} seconds."
    en, fr, ja = shipped.speech("en-US"), shipped.speech("fr"), shipped.speech("ja")
    assert en.plural(singular, plural, 1) == "Slow down: try again in 1 second."
    assert en.plural(singular, plural, 0) == "Slow down: try again in 0 seconds."
    # French counts 0 and 1 as singular; Japanese has one form.
    assert fr.plural(singular, plural, 0) == "Doucement : réessaie dans 0 seconde."
    assert fr.plural(singular, plural, 2) == "Doucement : réessaie dans 2 secondes."
    assert ja.plural(singular, plural, 5) == ja.plural(singular, plural, 1).replace("1", "5")


def _write_po(folder: Path, body: str) -> None:
    path = po_path(folder, "fr")
    path.parent.mkdir(parents=True)
    header = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
    )
    path.write_text(header + body, encoding="utf-8")


def test_fuzzy_and_empty_translations_fall_back_to_english(tmp_path: Path) -> None:
    _write_po(
        tmp_path,
        'msgid "Hello"\nmsgstr "Bonjour"\n\n'
        '#, fuzzy\nmsgid "Goodbye"\nmsgstr "Au revoir"\n\n'
        'msgid "Thanks"\nmsgstr ""\n\n'
        'msgid "{n} film"\nmsgid_plural "{n} films"\nmsgstr[0] "{n} film"\nmsgstr[1] ""\n',
    )
    t = Catalogues.load(tmp_path, languages=("en", "fr")).speech("fr")
    assert (t("Hello"), t("Goodbye"), t("Thanks")) == ("Bonjour", "Goodbye", "Thanks")
    # A plural with a form missing is not used at all: English, rather than a sentence half translated.
    assert t.plural("{n} film", "{n} films", 3) == "3 films"


def test_babel_formats_in_the_members_locale(shipped: Catalogues) -> None:
    fr, ja, gb, us = (shipped.speech(code) for code in ("fr", "ja", "en-GB", "en-US"))
    day = dt.date(2026, 3, 1)
    assert fr.date(day, "long") == "1 mars 2026"
    assert ja.date(day, "long") == "2026年3月1日"
    assert gb.date(day, "short") == "01/03/2026"  # English words, British dates
    assert us.date(day, "short") == "3/1/26"
    assert fr.number(12345.5).replace("\u202f", " ").replace("\xa0", " ") == "12 345,5"
    assert fr.list(["Ethan", "Luther", "Benji"]) == "Ethan, Luther et Benji"
    assert ja.list(["Ethan", "Luther", "Benji"]) == "Ethan、Luther、Benji"
    span = dt.timedelta(days=2, hours=3, minutes=4)
    assert us.duration(span) == "2 days, 3 hours"
    assert fr.duration(span) == "2\xa0jours et 3\xa0heures"
    assert ja.duration(span).startswith("2 日") and "3 時間" in ja.duration(span)
    assert us.duration(dt.timedelta(seconds=-5)) == "0 seconds"
    de = shipped.speech("de")
    assert de.duration(span, parts=3) == "2 Tage, 3 Stunden und 4 Minuten"  # Babel has no German "unit" list
    assert de.list(["a", "b", "c"], style="unit") == "a, b und c"
    assert fr.language_name("ja") == "japonais"


def test_placeholders_are_the_named_fields() -> None:
    assert placeholders("{a} and {b:,} of {c.d} {{literal}}") == {"a", "b", "c"}
    assert placeholders("none") == frozenset()
