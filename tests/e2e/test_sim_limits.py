"""Discord's documented limits, checked on top of the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from tests.discord_sim import limits


def _codes(errors: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in errors.items():
        if key == "_errors":
            out.extend(e["code"] for e in value)
        elif isinstance(value, dict):
            out.extend(f"{key}.{c}" for c in _codes(value))
    return out


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"content": "x" * 2000}, []),
        ({"content": "x" * 2001}, ["content.BASE_TYPE_MAX_LENGTH"]),
        ({"embeds": [{"title": "t" * 257}]}, ["embeds.0.title.BASE_TYPE_MAX_LENGTH"]),
        ({"embeds": [{"description": "d" * 4097}]}, ["embeds.0.description.BASE_TYPE_MAX_LENGTH"]),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, ["embeds.0.fields.BASE_TYPE_MAX_LENGTH"]),
        (
            {"embeds": [{"fields": [{"name": "n" * 257, "value": "v" * 1025}]}]},
            ["embeds.0.fields.0.name.BASE_TYPE_MAX_LENGTH", "embeds.0.fields.0.value.BASE_TYPE_MAX_LENGTH"],
        ),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, ["embeds.0.footer.text.BASE_TYPE_MAX_LENGTH"]),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, ["embeds.MAX_EMBED_SIZE_EXCEEDED"]),
        ({"embeds": [{"title": "t"}] * 11}, ["embeds.BASE_TYPE_MAX_LENGTH"]),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": f"a{i}"}]} for i in range(6)
                ]
            },
            ["components.BASE_TYPE_MAX_LENGTH"],
        ),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": f"a{i}"} for i in range(6)]}
                ]
            },
            ["components.0.components.BASE_TYPE_MAX_LENGTH"],
        ),
        (
            {"components": [{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "same"}] * 2}]},
            ["components.COMPONENT_CUSTOM_ID_DUPLICATED"],
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 3, "custom_id": "s", "options": [{"label": "l", "value": "v"}]},
                            {"type": 2, "style": 1, "custom_id": "b"},
                        ],
                    }
                ]
            },
            ["components.0.components.COMPONENT_LAYOUT_WIDTH_EXCEEDED"],
        ),
        (
            {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
            ["allowed_mentions.users.MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"],
        ),
        ({"content": "hi", "allowed_mentions": {"parse": ["everyone"], "users": ["1"], "roles": ["2"]}}, []),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 3, "custom_id": "s", "options": [{"label": "l", "value": "v"}] * 26}],
                    }
                ]
            },
            ["components.0.components.0.options.BASE_TYPE_MAX_LENGTH"],
        ),
    ],
)
def test_message_limits(body: dict[str, Any], expected: list[str]) -> None:
    assert _codes(limits.check_message(body)) == expected


def test_autocomplete_and_command_choice_limits() -> None:
    ok = {"type": 8, "data": {"choices": [{"name": "n" * 100, "value": "v"}] * 25}}
    assert limits.check_callback(ok) == {}
    too_many = {"type": 8, "data": {"choices": [{"name": "n", "value": "v"}] * 26}}
    assert _codes(limits.check_callback(too_many)) == ["data.choices.BASE_TYPE_MAX_LENGTH"]
    too_long = {"type": 8, "data": {"choices": [{"name": "n" * 101, "value": "v"}]}}
    assert _codes(limits.check_callback(too_long)) == ["data.choices.0.name.BASE_TYPE_MAX_LENGTH"]
    commands = [{"name": "c", "options": [{"name": "o", "type": 3, "choices": [{"name": "a", "value": "a"}] * 26}]}]
    assert _codes(limits.check_commands(commands)) == ["0.options.0.choices.BASE_TYPE_MAX_LENGTH"]
