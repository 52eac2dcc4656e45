"""Settings: defaults, then `config.toml`, then environment variables.

Every setting is declared once in `SPEC`; `config.example.toml` documents the same list and a
test keeps the two in step. Problems are reported as `SettingsError` naming the key, which
`__main__` turns into one line and exit status 2.
"""

from __future__ import annotations

import math
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.sharding import ShardCount, shard_count_problem
from db.packs.countries import ISO_3166_ALPHA2

TOKEN_ENV = "DISCORD_TOKEN"
ENV_PREFIX = "MARQUEE_"
DEFAULT_CONFIG_FILE = Path("config.toml")
# Variables with our prefix that are not settings: the config path itself, and the test suite's.
TMDB_TOKEN_ENV = "MARQUEE_TMDB_TOKEN"
TMDB_REFRESH = ("off", "daily")
NOT_SETTINGS = frozenset({"MARQUEE_CONFIG", "MARQUEE_DISCORD_SPEC"})


class SettingsError(Exception):
    """A setting is missing, unknown or invalid."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"setting {key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class DiscordSettings:
    token: str = field(repr=False)
    api_base_url: str
    gateway_url: str


@dataclass(frozen=True)
class DatabaseSettings:
    path: Path
    removed_guild_days: float
    url: str = field(default="", repr=False)
    """A PostgreSQL URL; when set, the database is there and `path` is not used."""

    @property
    def password(self) -> str:
        """The URL's password, if it holds one (kept out of logs)."""
        return urllib.parse.urlsplit(self.url).password or "" if self.url else ""

    @property
    def target(self) -> str | Path:
        """What to open: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.url or self.path

    @property
    def shown(self) -> str:
        """The database for a message: the SQLite file, or the URL without its password."""
        if not self.url:
            return str(self.path)
        password = self.password
        return self.url.replace(f":{password}@", ":***@", 1) if password else self.url


@dataclass(frozen=True)
class LoggingSettings:
    level: str


@dataclass(frozen=True)
class PacksSettings:
    load: tuple[str, ...]


@dataclass(frozen=True)
class CommandsSettings:
    sync: bool
    dev_guild_id: int


@dataclass(frozen=True)
class DeliverySettings:
    pace: float
    grace_hours: float
    invalid_request_limit: int
    lease_seconds: float


@dataclass(frozen=True)
class RemindersSettings:
    max_per_member: int


@dataclass(frozen=True)
class DefaultsSettings:
    timezone: str
    region: str


@dataclass(frozen=True)
class TmdbSettings:
    token: str = field(repr=False)
    api_url: str
    refresh: str
    cache_path: Path


@dataclass(frozen=True)
class ShardingSettings:
    count: ShardCount


@dataclass(frozen=True)
class Settings:
    discord: DiscordSettings
    database: DatabaseSettings
    logging: LoggingSettings
    packs: PacksSettings
    commands: CommandsSettings
    delivery: DeliverySettings
    reminders: RemindersSettings
    defaults: DefaultsSettings
    tmdb: TmdbSettings
    sharding: ShardingSettings


# --- validators: each takes the typed value and returns a problem, or None when fine ---


def _url(schemes: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: str) -> str | None:
        if not any(value.startswith(f"{scheme}://") for scheme in schemes):
            return f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}"
        try:
            parts = urllib.parse.urlsplit(value)
            host = parts.hostname if parts.port is None or parts.port > 0 else None
        except ValueError:  # a port out of range, a malformed IPv6 address
            host = None
        if not host or any(character.isspace() for character in value):
            return f"{value!r} is not a URL with a host name"
        return None

    return check


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{value!r} is not an IANA timezone (for example Europe/London)"
    return None


def _region(value: str) -> str | None:
    # The same list content packs are checked against: a region they cannot have dates for is useless.
    if value not in ISO_3166_ALPHA2:
        return f"{value!r} is not an ISO 3166-1 alpha-2 country code (for example US, GB; the UK is GB)"
    return None


def _file_path(value: str) -> str | None:
    if not value.strip():
        return "must name a file"
    if "\0" in value:
        return "must not contain a NUL character"
    return None


def _log_level(value: str) -> str | None:
    if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        return "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    return None


def _between(low: float, high: float, why: str = "") -> Callable[[Any], str | None]:
    """A number from `low` to `high`; `inf`, `nan` and the like are refused (TOML and float() accept them)."""

    def check(value: float) -> str | None:
        if math.isfinite(value) and low <= value <= high:
            return None
        return f"must be a number from {low:g} to {high:g}{why}, not {value!r}"

    return check


# Discord's snowflakes: real ids have 17 to 19 digits and fit in a signed 64-bit integer.
SNOWFLAKE_MIN, SNOWFLAKE_MAX = 10**16, 2**63 - 1


def _guild_id(value: int) -> str | None:
    if value == 0 or SNOWFLAKE_MIN <= value <= SNOWFLAKE_MAX:
        return None
    return f"must be 0 or a server id (a Discord snowflake of 17 to 19 digits), not {value}"


def _database_url(value: str) -> str | None:
    if not value:
        return None
    if not value.startswith(("postgresql://", "postgres://")):
        return "must be empty (SQLite, database.path) or a PostgreSQL URL: postgresql://user@host/database"
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 (a port out of range raises here)
    except ValueError as error:
        return f"is not a PostgreSQL URL ({error})"
    if not parts.hostname and "host=" not in parts.query:
        return "names no host: postgresql://user@host/database"
    return None


def _refresh(value: str) -> str | None:
    return None if value in TMDB_REFRESH else f"must be one of {', '.join(TMDB_REFRESH)}, not {value!r}"


def _packs(value: list[str]) -> str | None:
    if any(not isinstance(item, str) or not item.strip() or "\0" in item for item in value):
        return "must be a list of pack names or file paths"
    return None


@dataclass(frozen=True)
class _Spec:
    kind: type | tuple[type, ...]
    """The TOML type, or types: `(int, str)` takes a number or a word ("auto"); from the environment, a
    number's text becomes the number."""
    default: Any
    check: Callable[[Any], str | None] | None = None


SPEC: dict[str, dict[str, _Spec]] = {
    "discord": {
        "token": _Spec(str, ""),
        "api_base_url": _Spec(str, "https://discord.com/api/v10", _url(("https", "http"))),
        "gateway_url": _Spec(str, "wss://gateway.discord.gg/", _url(("wss", "ws"))),
    },
    "database": {
        "path": _Spec(str, "data/marquee.db", _file_path),
        "removed_guild_days": _Spec(float, 7.0, _between(0, 365, " days")),
        "url": _Spec(str, "", _database_url),
    },
    "logging": {"level": _Spec(str, "INFO", _log_level)},
    "packs": {"load": _Spec(list, ["mission-impossible"], _packs)},
    "commands": {
        "sync": _Spec(bool, True),
        "dev_guild_id": _Spec(int, 0, _guild_id),
    },
    "delivery": {
        # Discord allows a bot 50 requests a second in all, more for a large bot it raised the limit
        # for (and the test suite's local Discord); beyond 1,000 it is a typo.
        "pace": _Spec(float, 40.0, _between(0.1, 1000, " requests per second")),
        "grace_hours": _Spec(float, 6.0, _between(0, 168, " hours")),
        # Discord bans a bot for an hour at 10,000 refused requests in 10 minutes.
        "invalid_request_limit": _Spec(int, 1000, _between(1, 9999, " (Discord bans at 10,000)")),
        # Long enough for one send with its retries (a holder renews at half of it); a dead process's
        # claims wait this long before another process takes them over.
        "lease_seconds": _Spec(float, 120.0, _between(10, 3600, " seconds")),
    },
    "reminders": {
        "max_per_member": _Spec(int, 25, _between(1, 1000)),
    },
    "defaults": {
        "timezone": _Spec(str, "UTC", _timezone),
        "region": _Spec(str, "US", _region),
    },
    "tmdb": {
        # A TMDB "API Read Access Token"; only the importer and the daily refresh use it.
        "token": _Spec(str, ""),
        "api_url": _Spec(str, "https://api.themoviedb.org/3", _url(("https", "http"))),
        "refresh": _Spec(str, "off", _refresh),
        "cache_path": _Spec(str, "data/tmdb-cache.db", _file_path),
    },
    "sharding": {
        # Shards this bot runs: 1 (unsharded), a number, or "auto" (Discord's recommended count, one process).
        "count": _Spec((int, str), 1, shard_count_problem),
    },
}


def load_settings(
    config_path: Path | None = None, env: Mapping[str, str] | None = None, *, require_token: bool = True
) -> Settings:
    """Build the settings from defaults, an optional TOML file and the environment.

    `config_path=None` reads no file. Commands that never connect pass `require_token=False`.
    Raises `SettingsError` for the first problem found.
    """
    values = {section: {key: spec.default for key, spec in keys.items()} for section, keys in SPEC.items()}
    if config_path is not None:
        _merge_file(values, config_path)
    _merge_env(values, env or {})
    for section, keys in SPEC.items():
        for key, spec in keys.items():
            problem = spec.check(values[section][key]) if spec.check else None
            if problem:
                raise SettingsError(f"{section}.{key}", problem)
    if require_token and not values["discord"]["token"]:
        raise SettingsError("discord.token", f"missing; set the {TOKEN_ENV} environment variable")
    return _build(values)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(str(path), "config file not found") from None
    except IsADirectoryError:
        raise SettingsError(str(path), "config file is a folder, not a file") from None
    except OSError as error:
        raise SettingsError(str(path), f"cannot read the config file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")  # editors on Windows may start the file with a byte-order mark
    except UnicodeDecodeError as error:
        raise SettingsError(str(path), f"config file is not UTF-8 text (byte {error.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(str(path), f"not valid TOML: {error}") from None


def _misplaced_key(key: str, file_name: str) -> SettingsError:
    """A key written above every [section]: say which section it belongs in, if any."""
    homes = [section for section, keys in SPEC.items() if key in keys]
    if not homes:
        return SettingsError(key, f"unknown setting in {file_name}; settings belong in a [section]")
    if key == "token":  # most likely Discord's; the other token has its own variable too
        return SettingsError(
            key,
            f"must be in the [discord] section of {file_name} ([tmdb] for a TMDB token); "
            f"better, set the {TOKEN_ENV} (or {TMDB_TOKEN_ENV}) environment variable",
        )
    where = " or ".join(f"[{home}]" for home in homes)
    return SettingsError(key, f"must be in the {where} section of {file_name}")


def _merge_file(values: dict[str, dict[str, Any]], path: Path) -> None:
    data = _read_file(path)
    for section, table in data.items():
        if section not in SPEC:
            if not isinstance(table, dict):
                raise _misplaced_key(section, path.name)
            raise SettingsError(section, f"unknown section in {path.name}")
        if not isinstance(table, dict):
            raise SettingsError(section, "must be a table ([section])")
        for key, raw in table.items():
            spec = SPEC[section].get(key)
            if spec is None:
                raise SettingsError(f"{section}.{key}", f"unknown key in {path.name}")
            values[section][key] = _typed(f"{section}.{key}", spec, raw)


def _merge_env(values: dict[str, dict[str, Any]], env: Mapping[str, str]) -> None:
    if env.get(TOKEN_ENV):
        values["discord"]["token"] = env[TOKEN_ENV]
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or name in NOT_SETTINGS:
            continue
        section, key = _split_env_name(name)
        values[section][key] = _from_text(f"{section}.{key}", SPEC[section][key], raw, name)


def _split_env_name(name: str) -> tuple[str, str]:
    rest = name[len(ENV_PREFIX) :].lower()
    for section, keys in SPEC.items():
        if rest.startswith(section + "_") and rest[len(section) + 1 :] in keys:
            return section, rest[len(section) + 1 :]
    raise SettingsError(name, "unknown environment variable (see config.example.toml for the settings)")


def _typed(key: str, spec: _Spec, raw: Any) -> Any:
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if float in kinds and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if (isinstance(raw, bool) and bool not in kinds) or not isinstance(raw, kinds):
        raise SettingsError(key, f"must be {_kind_name(spec.kind)}, not {_kind_name(type(raw))}")
    return raw


def _from_text(key: str, spec: _Spec, raw: str, source: str) -> Any:
    text = raw.strip()
    try:
        if spec.kind is bool:
            lowered = text.lower()
            if lowered not in {"true", "false", "1", "0", "yes", "no"}:
                raise ValueError
            return lowered in {"true", "1", "yes"}
        if spec.kind is int:
            return int(text)
        if spec.kind is float:
            return float(text)
        if spec.kind is list:
            return [item.strip() for item in text.split(",") if item.strip()]
        if isinstance(spec.kind, tuple) and int in spec.kind and text.lstrip("-").isdigit():
            return int(text)
    except ValueError:
        raise SettingsError(key, f"{source} must be {_kind_name(spec.kind)}, got {raw!r}") from None
    return text


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(_kind_name(one) for one in kind)
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list"}.get(
        kind, kind.__name__
    )


def _build(values: dict[str, dict[str, Any]]) -> Settings:
    return Settings(
        discord=DiscordSettings(**values["discord"]),
        database=DatabaseSettings(
            path=Path(values["database"]["path"]),
            removed_guild_days=values["database"]["removed_guild_days"],
            url=values["database"]["url"],
        ),
        logging=LoggingSettings(level=values["logging"]["level"].upper()),
        packs=PacksSettings(load=tuple(values["packs"]["load"])),
        commands=CommandsSettings(**values["commands"]),
        delivery=DeliverySettings(**values["delivery"]),
        reminders=RemindersSettings(**values["reminders"]),
        defaults=DefaultsSettings(**values["defaults"]),
        tmdb=TmdbSettings(
            token=values["tmdb"]["token"],
            api_url=values["tmdb"]["api_url"].rstrip("/"),
            refresh=values["tmdb"]["refresh"],
            cache_path=Path(values["tmdb"]["cache_path"]),
        ),
        sharding=ShardingSettings(count=values["sharding"]["count"]),
    )
