"""Text helpers keep every embed inside Discord's limits."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.formatting import (
    EMBED_FIELDS,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    QUOTE_LIMIT,
    add_fields_within_limits,
    chunk_lines,
    fit_lines,
    format_duration,
    format_latency,
    quote,
    safe,
    truncate,
)
from db.names import NAME_LIMIT, clean_name, name_key
from tests.hostile import HOSTILE_PARTS

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.lists(HOSTILE_PARTS, max_size=200).map("".join),
    st.builds(lambda part, n: part * n, HOSTILE_PARTS, st.integers(min_value=0, max_value=2100)),
)
_PING = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")


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


@given(HOSTILE, st.integers(min_value=1, max_value=2000))
def test_a_quote_is_short_inert_and_on_one_line(text: str, limit: int) -> None:
    quoted = quote(text, limit)
    assert len(quoted) <= limit
    assert _PING.search(quoted) is None
    assert "\n" not in quoted and "\r" not in quoted
    assert not any(unicodedata.category(char) == "Cf" for char in quoted.replace("\u200b", "").replace("\u200d", ""))
    # Every markdown character is escaped, so nothing the member typed formats the answer.
    # (Inside a URL they are part of the link, not markup.)
    assert re.search(r"(?<!\\)(\\\\)*[*_`~|]", re.sub(r"https?://\S+", "", quoted)) is None


def test_a_long_quote_is_cut_after_escaping() -> None:
    assert len(safe("*" * 1000)) == 2000  # why the cut must come after the escaping
    quoted = quote("*" * 1000)
    assert len(quoted) <= QUOTE_LIMIT and quoted.endswith("…") and quoted.startswith("\\*\\*")
    assert quote("Top Gun") == "Top Gun"
    assert quote("a\\") == "a\\\\"  # a trailing backslash cannot escape the markup after it


def test_names_that_look_alike_are_one_name() -> None:
    same = [
        "Café party",
        "Cafe\u0301 party",
        "Café party\u200b",
        "  café\u00a0 PARTY ",
        "Ca\u200dfé\u202e party",
        "Café\nparty",
        "\ufeffCAFÉ PARTY",
    ]
    assert {name_key(name) for name in same} == {"café party"}
    assert clean_name("Cafe\u0301   party\u200b") == "Café party"
    assert name_key("Watch Party") != name_key("WatchParty")
    assert name_key("Straße") == name_key("STRASSE")
    assert clean_name("👨‍👩‍👧 night") == "👨‍👩‍👧 night"  # the joiner inside an emoji stays


@given(HOSTILE)
def test_a_clean_name_is_visible_short_and_stable(text: str) -> None:
    name = clean_name(text)
    assert len(name) <= NAME_LIMIT
    assert name == name.strip() and "\n" not in name and "  " not in name
    assert unicodedata.is_normalized("NFC", name)
    assert clean_name(name) == name and name_key(name) == name_key(text)


def test_a_name_of_nothing_visible_is_empty() -> None:
    for blank in ("\u200b", "\u200b\u200c\u200d\u2060", " \u3164 ", "\u202e\n\t", "\ufeff\u2800"):
        assert clean_name(blank) == ""


@given(st.lists(st.text(min_size=1, max_size=300).filter(lambda t: "\n" not in t), max_size=60), st.integers(20, 4096))
def test_fit_lines_keeps_whole_lines_and_counts_the_rest(lines: list[str], limit: int) -> None:
    text = fit_lines(lines, limit)
    assert len(text) <= limit
    kept = text.split("\n") if text else []
    if kept and kept[-1].startswith("…and ") and kept[-1] not in lines:
        left_out = int(kept[-1].split()[1])
        assert kept[:-1] == [truncate(line, limit) for line in lines[: len(lines) - left_out]]
    else:
        assert kept == [truncate(line, limit) for line in lines]
