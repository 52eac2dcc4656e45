"""Exceptions and records the simulator raises or keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class SimError(Exception):
    """Something a test asked of the simulator cannot be done (e.g. no such button)."""


class SimTimeout(SimError):
    """A wait in the harness ran out; the message names what was awaited."""


@dataclass
class Violation:
    """A request the bot made that real Discord would reject as a bug (50035, 40060, ...)."""

    method: str
    route: str
    status: int
    code: int
    message: str
    errors: dict[str, Any] = field(default_factory=dict)
    body: Any = None

    def __str__(self) -> str:
        detail = f" errors={self.errors}" if self.errors else ""
        return f"{self.method} {self.route} -> {self.status} {self.code} {self.message}{detail}"


class SimViolationError(AssertionError):
    """Raised in the test when the bot sent a request Discord would have rejected."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = list(violations)
        lines = "\n  ".join(str(v) for v in self.violations)
        super().__init__(f"the bot sent {len(self.violations)} invalid request(s):\n  {lines}")


class HTTPError(Exception):
    """Raised inside a REST handler to answer with a Discord-style JSON error."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        *,
        violation: bool = False,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.violation = violation

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


# Discord's JSON error codes used by the simulator.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_COMMAND = 10063
UNKNOWN_INTERACTION = 10062
UNKNOWN_EVENT = 10070
ALREADY_ACKNOWLEDGED = 40060
MISSING_ACCESS = 50001
CANNOT_DM = 50007
MISSING_PERMISSIONS = 50013
INVALID_WEBHOOK_TOKEN = 50027
INVALID_FORM_BODY = 50035
NO_MUTUAL_GUILDS = 50278


def form_error(path: list[str | int], code: str, message: str) -> dict[str, Any]:
    """Build Discord's nested ``errors`` object for one problem at ``path``."""
    node: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        node = {str(key): node}
    return node


def merge_errors(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Merge two ``errors`` objects in place (Discord reports every problem at once)."""
    for key, value in other.items():
        if key == "_errors":
            into.setdefault("_errors", []).extend(value)
        elif key in into and isinstance(into[key], dict):
            merge_errors(into[key], value)
        else:
            into[key] = value
    return into
