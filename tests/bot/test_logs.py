"""The token never reaches a log line, whatever logs it and however."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.not-a-real-token-but-long-enough"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    output = io.StringIO()
    root = logging.getLogger()
    previous = root.level
    handler = configure_logging("DEBUG", secrets=[TOKEN], stream=output)
    try:
        yield output
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_token_in_message_arguments_and_tracebacks_is_redacted(stream: io.StringIO) -> None:
    log = logging.getLogger("discord.http")
    log.debug("Authorization: Bot %s", TOKEN)
    log.info(f"token inline {TOKEN}")
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError:
        log.exception("request failed")
    text = stream.getvalue()
    assert TOKEN not in text
    assert text.count(REDACTED) >= 3
    assert "request failed" in text


def test_debug_records_are_written(stream: io.StringIO) -> None:
    logging.getLogger("bot.test").debug("hello %s", "world")
    assert "hello world" in stream.getvalue()
