"""Target keys and ids as they arrive from options, autocomplete values and custom ids."""

from __future__ import annotations

import pytest

from bot.targets import MAX_ID, parse_id, parse_target_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("film:mi7", "film:mi7"),
        ("event:1", "event:1"),
        ("event:007", "event:7"),
        (f"event:{MAX_ID}", f"event:{MAX_ID}"),
        (f"event:{MAX_ID + 1}", None),
        ("event:99999999999999999999999", None),
        ("event:0", None),
        ("event:-1", None),
        ("event:١٢", None),  # digits, but not ASCII ones
        ("event:", None),
        ("film:", None),
        ("film:Top Gun", None),
        ("film:" + "a" * 81, None),
        ("person:1", None),
        ("event", None),
    ],
)
def test_only_keys_that_can_name_a_row_are_accepted(text: str, expected: str | None) -> None:
    assert parse_target_key(text) == expected


def test_ids_stay_within_sqlites_integer_range() -> None:
    assert parse_id("1") == 1
    assert parse_id(str(MAX_ID)) == MAX_ID == 2**63 - 1
    assert parse_id(str(MAX_ID + 1)) is None
    assert parse_id("0") is None
    assert parse_id("1" * 20) is None
    assert parse_id("") is None
