"""Which country's release dates a member sees."""

from __future__ import annotations

import pytest

from bot.regions import country_from_locale, country_name, pick_region


@pytest.mark.parametrize(
    ("locale", "country"),
    [
        ("en-US", "US"),
        ("en-GB", "GB"),
        ("pt-BR", "BR"),
        ("sv-SE", "SE"),
        ("zh-TW", "TW"),
        ("fr", "FR"),
        ("ja", "JP"),
        ("es-419", None),
        ("en", None),
        (None, None),
        ("", None),
        ("xx-ZZ", None),
    ],
)
def test_country_from_locale(locale: str | None, country: str | None) -> None:
    assert country_from_locale(locale) == country


def test_country_names() -> None:
    assert country_name("US") == "United States"
    assert country_name("gb") == "United Kingdom"
    assert country_name("FR") == "France"
    assert country_name("ZZ") == "ZZ"


def test_pick_region_order_and_availability() -> None:
    assert pick_region(None, "GB", "FR") == "GB"
    assert pick_region("DE", "GB", available={"US", "GB"}) == "GB"
    assert pick_region(None, None, None) == "US"
    assert pick_region("JP", available={"US"}, default="US") == "US"


def test_country_names_in_the_members_language() -> None:
    from bot.i18n import Catalogues

    catalogues = Catalogues.load()
    assert country_name("gb", catalogues.speech("fr")) == "Royaume-Uni"
    assert country_name("US", catalogues.speech("ja")) == "アメリカ合衆国"
    assert country_name("DE", catalogues.speech("pt-BR")) == "Alemanha"
    # English keeps the usual names Marquee chose; a language without a catalogue reads English.
    assert country_name("KR", catalogues.speech("en-US")) == "South Korea"
    assert country_name("KR", catalogues.speech("ko")) == "South Korea"
    assert country_name("kr") == "South Korea"


def test_a_region_is_found_by_its_name_in_the_members_language_or_in_english() -> None:
    from bot.i18n import Catalogues
    from bot.regions import search_regions, valid_region

    french = Catalogues.load().speech("fr")
    assert valid_region("royaume-uni", french) == "GB"
    assert valid_region("United Kingdom", french) == "GB"
    assert valid_region("gb", french) == "GB"
    with pytest.raises(ValueError):
        valid_region("Royaume-Uni")  # without the member's language, only English names and codes
    assert ("DE", "Allemagne") in search_regions("allem", t=french)
    assert ("DE", "Allemagne") in search_regions("germ", t=french)
    assert ("DE", "Germany") in search_regions("germ")
