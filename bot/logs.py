"""Logging setup: one handler on stderr, with secrets scrubbed from every record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

REDACTED = "[redacted]"


class RedactingFilter(logging.Filter):
    """Replace every secret in a record's message (and traceback) before any handler writes it.

    Filtering the formatted message, not just `msg`, catches secrets passed as arguments,
    inside reprs of objects, or in exception text.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Very short values would redact ordinary words; real tokens are ~70 characters.
        self._secrets = [secret for secret in secrets if len(secret) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        scrubbed = self._scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        return True

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(level: str, secrets: Iterable[str] = (), stream: object = None) -> logging.Handler:
    """Send every log record at `level` or above to stderr (or `stream`), scrubbed of `secrets`.

    Returns the handler so that a caller (a test, or a second start in one process) can remove it.
    """
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
