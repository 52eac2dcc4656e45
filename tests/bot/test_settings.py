"""Settings: defaults, file, environment, and every way they can be wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.settings import SPEC, SettingsError, load_settings

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
        "MARQUEE_COMMANDS_DEV_GUILD_ID": "1234",
        "MARQUEE_COMMANDS_SYNC": "false",
        "MARQUEE_PACKS_LOAD": "mission-impossible, /srv/packs/extra.toml",
        "MARQUEE_DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
        "MARQUEE_LOGGING_LEVEL": "debug",
    }
    settings = load_settings(None, env)
    assert settings.commands.dev_guild_id == 1234
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
        ("[delivery]\npace = 0\n", "delivery.pace", "greater than 0"),
        ("[discord]\napi_base_url = 'discord.com/api'\n", "discord.api_base_url", "must be a URL"),
        ("[discord]\ngateway_url = 'https://gateway.discord.gg'\n", "discord.gateway_url", "wss://"),
        ("database = 3\n", "database", "must be a table"),
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
