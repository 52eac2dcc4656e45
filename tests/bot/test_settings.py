"""Settings: defaults, file, environment, and every way they can be wrong."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from bot.regions import country_names
from bot.settings import SPEC, SettingsError, load_settings
from db.packs.countries import ISO_3166_ALPHA2

TOKEN = {"DISCORD_TOKEN": "test-token-abcdefghijklmnop"}
ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_only_a_token() -> None:
    settings = load_settings(None, TOKEN)
    assert settings.discord.token == TOKEN["DISCORD_TOKEN"]
    assert settings.discord.api_base_url == "https://discord.com/api/v10"
    assert settings.database.path == Path("data/marquee.db")
    assert settings.packs.load == ("mission-impossible",)
    assert settings.defaults.timezone == "UTC"
    assert settings.commands.dev_guild_id == 0


def test_missing_token_names_the_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, {})
    assert caught.value.key == "discord.token"
    assert "DISCORD_TOKEN" in str(caught.value)


def test_offline_commands_do_not_need_a_token() -> None:
    assert load_settings(None, {}, require_token=False).discord.token == ""


def test_file_overrides_defaults_and_env_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\npath = "from-file.db"\n[delivery]\npace = 10\n[defaults]\nregion = "GB"\n')
    settings = load_settings(path, {**TOKEN, "MARQUEE_DATABASE_PATH": "from-env.db"})
    assert settings.database.path == Path("from-env.db")
    assert settings.delivery.pace == 10.0
    assert settings.defaults.region == "GB"


def test_environment_values_are_typed() -> None:
    env = {
        **TOKEN,
        "MARQUEE_COMMANDS_DEV_GUILD_ID": "81384788765712384",
        "MARQUEE_COMMANDS_SYNC": "false",
        "MARQUEE_PACKS_LOAD": "mission-impossible, /srv/packs/extra.toml",
        "MARQUEE_DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
        "MARQUEE_LOGGING_LEVEL": "debug",
    }
    settings = load_settings(None, env)
    assert settings.commands.dev_guild_id == 81384788765712384
    assert settings.commands.sync is False
    assert settings.packs.load == ("mission-impossible", "/srv/packs/extra.toml")
    assert settings.discord.api_base_url == "http://127.0.0.1:9/api/v10"
    assert settings.logging.level == "DEBUG"


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[database]\nfile = 'x.db'\n", "database.file", "unknown key"),
        ("[databse]\npath = 'x.db'\n", "databse", "unknown section"),
        ("[delivery]\npace = 'fast'\n", "delivery.pace", "must be a number"),
        ("[commands]\ndev_guild_id = true\n", "commands.dev_guild_id", "must be an integer"),
        ("[commands]\nsync = 'yes'\n", "commands.sync", "true or false"),
        ("[packs]\nload = 'mission-impossible'\n", "packs.load", "must be a list"),
        ("[packs]\nload = ['']\n", "packs.load", "list of pack names"),
        ("[defaults]\ntimezone = 'Mars/Olympus_Mons'\n", "defaults.timezone", "not an IANA timezone"),
        ("[defaults]\nregion = 'usa'\n", "defaults.region", "ISO 3166-1"),
        ("[logging]\nlevel = 'LOUD'\n", "logging.level", "one of DEBUG"),
        ("[delivery]\npace = 0\n", "delivery.pace", "from 0.1 to 1000"),
        ("[discord]\napi_base_url = 'discord.com/api'\n", "discord.api_base_url", "must be a URL"),
        ("[discord]\ngateway_url = 'https://gateway.discord.gg'\n", "discord.gateway_url", "wss://"),
        ("[discord]\napi_base_url = 'http://'\n", "discord.api_base_url", "not a URL with a host name"),
        ("[discord]\napi_base_url = 'http://127.0.0.1:99999999/api'\n", "discord.api_base_url", "host name"),
        ("[discord]\napi_base_url = 'http://exa mple.com/api'\n", "discord.api_base_url", "host name"),
        ("[discord]\ngateway_url = 'wss:///path'\n", "discord.gateway_url", "not a URL with a host name"),
        ("database = 3\n", "database", "must be a table"),
        ("[database]\npath = ''\n", "database.path", "must name a file"),
        ('[database]\npath = "a\\u0000b.db"\n', "database.path", "NUL"),
        ('[packs]\nload = ["a\\u0000b.toml"]\n', "packs.load", "list of pack names"),
    ],
)
def test_file_errors_name_the_key(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, text), TOKEN)
    assert caught.value.key == key
    assert fragment in str(caught.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(write(tmp_path, "[database\n"), TOKEN)


def test_missing_config_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", TOKEN)


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("MARQUEE_DELIVERY_PACE", "fast", "delivery.pace"),
        ("MARQUEE_COMMANDS_DEV_GUILD_ID", "12x", "commands.dev_guild_id"),
        ("MARQUEE_COMMANDS_SYNC", "maybe", "commands.sync"),
        ("MARQUEE_DEFAULTS_TIMEZONE", "Europe/Atlantis", "defaults.timezone"),
        ("MARQUEE_NOT_A_SETTING", "1", "MARQUEE_NOT_A_SETTING"),
    ],
)
def test_environment_errors_name_the_key(name: str, value: str, key: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, {**TOKEN, name: value})
    assert caught.value.key == key


def test_token_is_not_in_the_settings_repr() -> None:
    settings = load_settings(None, TOKEN)
    assert TOKEN["DISCORD_TOKEN"] not in repr(settings)


def test_example_file_documents_every_setting_with_its_default() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    documented = {(section, key): value for section, table in example.items() for key, value in table.items()}
    declared = {(section, key): spec.default for section, keys in SPEC.items() for key, spec in keys.items()}
    assert documented == declared


def test_example_file_loads_as_is() -> None:
    load_settings(ROOT / "config.example.toml", TOKEN)


NUMERIC = [(section, key) for section, keys in SPEC.items() for key, spec in keys.items() if spec.kind in (int, float)]


@pytest.mark.parametrize(("section", "key"), NUMERIC)
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e300", "-1e300", "99999999999999999999"])
def test_every_number_has_a_sane_range_from_the_environment(section: str, key: str, value: str) -> None:
    name = f"MARQUEE_{section.upper()}_{key.upper()}"
    with pytest.raises(SettingsError) as caught:
        load_settings(None, {**TOKEN, name: value})
    assert caught.value.key == f"{section}.{key}"


@pytest.mark.parametrize(("section", "key"), NUMERIC)
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e300", "1000000", "-1"])
def test_every_number_has_a_sane_range_in_the_file(tmp_path: Path, section: str, key: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, f"[{section}]\n{key} = {value}\n"), TOKEN)
    assert caught.value.key == f"{section}.{key}"
    assert "Traceback" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("MARQUEE_DELIVERY_PACE", "inf", "from 0.1 to 1000"),
        ("MARQUEE_DELIVERY_PACE", "1001", "from 0.1 to 1000"),
        ("MARQUEE_DELIVERY_GRACE_HOURS", "inf", "from 0 to 168"),
        ("MARQUEE_DELIVERY_GRACE_HOURS", "-1", "from 0 to 168"),
        ("MARQUEE_DELIVERY_LEASE_SECONDS", "9.5", "from 10 to 3600"),
        ("MARQUEE_DELIVERY_LEASE_SECONDS", "3601", "from 10 to 3600"),
        ("MARQUEE_DELIVERY_LEASE_SECONDS", "nan", "from 10 to 3600"),
        ("MARQUEE_DATABASE_REMOVED_GUILD_DAYS", "nan", "from 0 to 365"),
        ("MARQUEE_DELIVERY_INVALID_REQUEST_LIMIT", "10000", "Discord bans at 10,000"),
        ("MARQUEE_DELIVERY_INVALID_REQUEST_LIMIT", "0", "from 1 to 9999"),
        ("MARQUEE_REMINDERS_MAX_PER_MEMBER", "0", "from 1 to 1000"),
        ("MARQUEE_COMMANDS_DEV_GUILD_ID", "1234", "snowflake"),
        ("MARQUEE_COMMANDS_DEV_GUILD_ID", str(2**63), "snowflake"),
        ("MARQUEE_COMMANDS_DEV_GUILD_ID", "-5", "snowflake"),
    ],
)
def test_out_of_range_numbers_say_the_range(name: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        load_settings(None, {**TOKEN, name: value})


@pytest.mark.parametrize(
    ("name", "value", "attribute"),
    [
        ("MARQUEE_DELIVERY_PACE", "1000", ("delivery", "pace")),
        ("MARQUEE_DELIVERY_PACE", "0.1", ("delivery", "pace")),
        ("MARQUEE_DELIVERY_GRACE_HOURS", "0", ("delivery", "grace_hours")),
        ("MARQUEE_DELIVERY_GRACE_HOURS", "168", ("delivery", "grace_hours")),
        ("MARQUEE_DELIVERY_LEASE_SECONDS", "10", ("delivery", "lease_seconds")),
        ("MARQUEE_DELIVERY_LEASE_SECONDS", "3600", ("delivery", "lease_seconds")),
        ("MARQUEE_DATABASE_REMOVED_GUILD_DAYS", "0", ("database", "removed_guild_days")),
        ("MARQUEE_DELIVERY_INVALID_REQUEST_LIMIT", "9999", ("delivery", "invalid_request_limit")),
        ("MARQUEE_REMINDERS_MAX_PER_MEMBER", "1000", ("reminders", "max_per_member")),
        ("MARQUEE_COMMANDS_DEV_GUILD_ID", str(2**63 - 1), ("commands", "dev_guild_id")),
    ],
)
def test_the_ends_of_each_range_are_accepted(name: str, value: str, attribute: tuple[str, str]) -> None:
    settings = load_settings(None, {**TOKEN, name: value})
    loaded = getattr(getattr(settings, attribute[0]), attribute[1])
    assert math.isclose(loaded, float(value))


@pytest.mark.parametrize("region", ["UK", "XX", "EU", "XK", "uk", "gb"])
def test_region_must_be_a_country_packs_accept(tmp_path: Path, region: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, f"[defaults]\nregion = '{region}'\n"), TOKEN)
    assert caught.value.key == "defaults.region" and "ISO 3166-1" in str(caught.value)


def test_settings_packs_and_members_choose_from_one_country_list() -> None:
    assert set(country_names()) == ISO_3166_ALPHA2
    for code in sorted(ISO_3166_ALPHA2):
        assert load_settings(None, {**TOKEN, "MARQUEE_DEFAULTS_REGION": code}).defaults.region == code


def test_a_config_file_that_is_not_utf8_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes('[defaults]\ntimezone = "Europe/Zürich"\n'.encode("latin-1"))
    with pytest.raises(SettingsError) as caught:
        load_settings(path, TOKEN)
    assert caught.value.key == str(path)
    assert "not UTF-8" in str(caught.value)


def test_a_config_path_that_is_a_folder_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file is a folder, not a file"):
        load_settings(tmp_path, TOKEN)


def test_a_top_level_token_says_where_it_belongs_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, 'token = "secret-token-value"\n'), {})
    message = str(caught.value)
    assert caught.value.key == "token"
    assert "[discord]" in message and "DISCORD_TOKEN" in message
    assert "unknown section" not in message and "secret-token-value" not in message


def test_a_top_level_key_names_its_section(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"must be in the \[delivery\] section"):
        load_settings(write(tmp_path, "pace = 10\n"), TOKEN)
    with pytest.raises(SettingsError, match="settings belong in a \\[section\\]"):
        load_settings(write(tmp_path, "colour = 'red'\n"), TOKEN)


def test_a_config_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf[defaults]\nregion = 'GB'\n")
    assert load_settings(path, TOKEN).defaults.region == "GB"


@pytest.mark.parametrize(
    "url", ["mysql://db/x", "postgresql://", "postgresql://host:99999/db", "sqlite:///data/marquee.db"]
)
def test_a_database_url_must_be_a_postgresql_url_with_a_host(url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, {**TOKEN, "MARQUEE_DATABASE_URL": url})
    assert caught.value.key == "database.url"


def test_a_database_urls_password_is_in_no_repr_and_is_known_as_a_secret() -> None:
    settings = load_settings(None, {**TOKEN, "MARQUEE_DATABASE_URL": "postgresql://marquee:s3cret-pw@db.example/m"})
    assert settings.database.url.endswith("@db.example/m") and "s3cret-pw" not in repr(settings)
    assert settings.database.password == "s3cret-pw"
    assert load_settings(None, TOKEN).database.password == ""
