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
