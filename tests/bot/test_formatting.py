"""Text helpers keep every embed inside Discord's limits."""

from __future__ import annotations

from datetime import timedelta

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.formatting import (
    EMBED_FIELDS,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    add_fields_within_limits,
    chunk_lines,
    format_duration,
    format_latency,
    truncate,
)


def test_format_duration() -> None:
    assert format_duration(timedelta(0)) == "0s"
    assert format_duration(timedelta(seconds=59)) == "59s"
    assert format_duration(timedelta(minutes=5, seconds=6)) == "5m 6s"
    assert format_duration(timedelta(days=2, hours=3, minutes=4, seconds=5)) == "2d 3h 4m"
    assert format_duration(timedelta(seconds=-5)) == "0s"


def test_format_latency() -> None:
    assert format_latency(float("inf")) == "—"
    assert format_latency(float("nan")) == "—"
    assert format_latency(0.0423) == "42 ms"


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_truncate_respects_the_limit(text: str, limit: int) -> None:
    result = truncate(text, limit)
    assert len(result) <= limit
    assert result == text or result.endswith("…")


@given(st.lists(st.text(min_size=0, max_size=3000), max_size=40), st.integers(min_value=10, max_value=1024))
def test_chunk_lines_never_exceeds_the_limit(lines: list[str], limit: int) -> None:
    assert all(len(block) <= limit for block in chunk_lines(lines, limit))


@given(st.lists(st.tuples(st.text(max_size=400), st.text(max_size=2000)), max_size=40))
def test_fields_stay_within_embed_limits(fields: list[tuple[str, str]]) -> None:
    embed = discord.Embed(title="t", description="d")
    left_out = add_fields_within_limits(embed, fields)
    assert len(embed.fields) + left_out == len(fields)
    assert len(embed.fields) <= EMBED_FIELDS
    assert len(embed) <= EMBED_TOTAL
    for field in embed.fields:
        assert field.name is not None and len(field.name) <= FIELD_NAME
        assert field.value is not None and 0 < len(field.value) <= FIELD_VALUE
