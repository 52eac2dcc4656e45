"""Countries: their names, and which one's release dates count for a member."""

from __future__ import annotations

from functools import cache
from importlib import resources

from babel import Locale

from bot.i18n import SOURCE_LANGUAGE, Speech
from db.names import one_line
from db.packs.countries import ISO_3166_ALPHA2

# tzdata's names are terse ("Britain (UK)"); fans expect the usual ones for the big markets.
_PREFERRED_NAMES = {
    "GB": "United Kingdom",
    "KR": "South Korea",
    "KP": "North Korea",
    "RU": "Russia",
    "VN": "Vietnam",
    "IR": "Iran",
    "SY": "Syria",
    "LA": "Laos",
    "TW": "Taiwan",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "MD": "Moldova",
    "CZ": "Czechia",
}

# Discord locales without a country part, mapped to the country most of their speakers live in.
# Locales that span many countries ("es-419", bare "en") have no entry: they fall back.
_LANGUAGE_COUNTRIES = {
    "bg": "BG",
    "cs": "CZ",
    "da": "DK",
    "de": "DE",
    "el": "GR",
    "fi": "FI",
    "fr": "FR",
    "hi": "IN",
    "hr": "HR",
    "hu": "HU",
    "id": "ID",
    "it": "IT",
    "ja": "JP",
    "ko": "KR",
    "lt": "LT",
    "nl": "NL",
    "no": "NO",
    "pl": "PL",
    "ro": "RO",
    "ru": "RU",
    "th": "TH",
    "tr": "TR",
    "uk": "UA",
    "vi": "VN",
}


@cache
def country_names() -> dict[str, str]:
    """Every country code content packs accept (`ISO_3166_ALPHA2`, the one list settings, packs
    and members choose from) to its English name, named by the tzdata package we already depend on."""
    text = resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text(encoding="utf-8")
    tz_names: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            tz_names[code] = name.strip()
    names = tz_names | _PREFERRED_NAMES
    return {code: names.get(code, code) for code in sorted(ISO_3166_ALPHA2)}


def country_name(code: str, t: Speech | None = None) -> str:
    """The name of a country code in `t`'s language (CLDR's, through Babel), else in English; the code
    itself when unknown."""
    code = code.upper()
    if t is not None and t.language != SOURCE_LANGUAGE:
        local = localised_names(t.locale).get(code)
        if local:
            return local
    return country_names().get(code, code)


def localised_names(locale: Locale) -> dict[str, str]:
    """Every country code packs accept to its name in `locale` (CLDR); codes CLDR does not name are left out."""
    return _localised_names(str(locale))


@cache
def _localised_names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {code: territories[code] for code in country_names() if code in territories}


def country_from_locale(locale: str | None) -> str | None:
    """The country a Discord locale points at: "en-GB" → "GB", "fr" → "FR", "es-419" → None."""
    if not locale:
        return None
    language, _, region = locale.partition("-")
    if len(region) == 2 and region.isalpha():
        code = region.upper()
        return code if code in country_names() else None
    return _LANGUAGE_COUNTRIES.get(language.lower()) if not region else None


def pick_region(*preferences: str | None, available: set[str] | None = None, default: str = "US") -> str:
    """The first preference that is set (and has dates, when `available` is given), else `default`.

    Callers pass, in order: the member's own choice, their locale's country, the server's choice.
    """
    for region in preferences:
        if region and (available is None or region in available):
            return region
    return default


def member_region(
    own: str | None,
    locale: str | None,
    server: str | None,
    *,
    default: str,
    available: set[str] | None = None,
) -> str:
    """Whose release dates a member sees: their own region, else their Discord locale's country, else
    their server's region, else `default`. With `available` (the countries a film has dates in), a
    choice without dates is skipped, so nobody sees an empty "Released in" while another country has dates.
    """
    return pick_region(own, country_from_locale(locale), server, available=available, default=default)


def names_for(t: Speech | None) -> dict[str, str]:
    """Every country code to its name in `t`'s language (English when None or unnamed there)."""
    names = country_names()
    if t is None or t.language == SOURCE_LANGUAGE:
        return names
    return names | localised_names(t.locale)


def valid_region(text: str, t: Speech | None = None) -> str:
    """The country code `text` names ("gb", "United Kingdom", or its name in `t`'s language: "Royaume-Uni"),
    or ValueError with a message for the user (`invalid_region` says it in the member's language)."""
    cleaned = text.strip()
    names = country_names()
    if cleaned.upper() in names:
        return cleaned.upper()
    for table in (names, names_for(t)):
        for code, name in table.items():
            if name.casefold() == cleaned.casefold():
                return code
    raise ValueError(
        f"“{one_line(cleaned)[:60]}” is not a country; pick one from the list (a two-letter code such as US or GB)."
    )


def search_regions(text: str, limit: int = 25, *, t: Speech | None = None) -> list[tuple[str, str]]:
    """(code, name) of countries matching what was typed, by code or name (English, or in `t`'s language,
    in which the names are given)."""
    needle = text.strip().casefold()
    english = country_names()
    found = sorted(
        (
            (code, name)
            for code, name in names_for(t).items()
            if not needle
            or code.casefold() == needle
            or needle in name.casefold()
            or needle in english[code].casefold()
        ),
        key=lambda item: (item[0].casefold() != needle, not item[1].casefold().startswith(needle), item[1]),
    )
    return found[:limit]
