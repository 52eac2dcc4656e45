"""Shard plans: `sharding.count`, `run --shards A-B --shard-count N`, and which process syncs commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from bot.sharding import ShardingError, ShardPlan, parse_shard_count, parse_shard_ids, shard_of, shard_plan

TOKEN = {"DISCORD_TOKEN": "test-token-abcdefghijklmnop"}


@pytest.mark.parametrize(
    ("text", "count", "ids"),
    [
        ("0-3", 8, (0, 1, 2, 3)),
        ("4-7", 8, (4, 5, 6, 7)),
        ("5", 8, (5,)),
        ("0,2,5", 8, (0, 2, 5)),
        (" 6 , 1-2,2 ", 8, (1, 2, 6)),
        ("0-0", 1, (0,)),
    ],
)
def test_shard_ids_are_a_range_or_a_list(text: str, count: int, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text, count) == ids


@pytest.mark.parametrize(
    ("text", "count", "fragment"),
    [
        ("0-8", 8, "there is no shard 8 of 8 (shard ids are 0 to 7)"),
        ("8", 8, "no shard 8 of 8"),
        ("1", 1, "no shard 1 of 1"),
        ("3-1", 8, "range 3-1 runs backwards; write 1-3"),
        ("", 8, "a range like 0-3 or a list like 0,2,5"),
        ("a-b", 8, "a range like 0-3"),
        ("-1", 8, "a range like 0-3"),
        ("1,,2", 8, "a range like 0-3"),
        ("0-3-5", 8, "a range like 0-3"),
        ("٣", 8, "a range like 0-3"),
    ],
)
def test_bad_shard_ids_say_what_is_wrong(text: str, count: int, fragment: str) -> None:
    with pytest.raises(ShardingError) as caught:
        parse_shard_ids(text, count)
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("--shards")


@pytest.mark.parametrize(("text", "count"), [("8", 8), (" auto ", "auto"), ("AUTO", "auto"), ("1", 1)])
def test_shard_count_is_a_number_or_auto(text: str, count: object) -> None:
    assert parse_shard_count(text) == count


@pytest.mark.parametrize("text", ["0", "-2", "many", "2.5", "", "1000001"])
def test_a_bad_shard_count_is_refused(text: str) -> None:
    with pytest.raises(ShardingError, match="--shard-count must be auto or a whole number"):
        parse_shard_count(text)


def test_plans_from_the_setting_and_the_command_line() -> None:
    assert shard_plan(1) == ShardPlan(1, None)
    assert not shard_plan(1).sharded
    assert shard_plan(4) == ShardPlan(4, None)
    assert shard_plan("auto") == ShardPlan(None, None)
    assert shard_plan(1, "0-3", "8") == ShardPlan(8, (0, 1, 2, 3))
    assert shard_plan(8, "4-7") == ShardPlan(8, (4, 5, 6, 7))
    assert shard_plan(8, None, "auto") == ShardPlan(None, None)
    assert shard_plan("auto", None, "2") == ShardPlan(2, None)


def test_shards_need_a_numeric_count() -> None:
    with pytest.raises(ShardingError, match="--shards needs a shard count"):
        shard_plan("auto", "0-1")
    with pytest.raises(ShardingError, match="--shards needs a shard count"):
        shard_plan(2, "0-1", "auto")
    with pytest.raises(ShardingError, match="no shard 1 of 1"):
        shard_plan(1, "0-1")


def test_only_the_process_with_shard_0_syncs_commands() -> None:
    assert ShardPlan().syncs_commands
    assert ShardPlan(None).syncs_commands
    assert ShardPlan(8).syncs_commands
    assert ShardPlan(8, (0, 1)).syncs_commands
    assert not ShardPlan(8, (1, 2)).syncs_commands
    assert ShardPlan(8, (1, 2)).sharded and ShardPlan(None).sharded and ShardPlan(2).sharded


def test_a_process_owns_the_guilds_of_its_shards() -> None:
    on_3_of_8 = (1_000_000 * 8 + 3) << 22 | 12345
    assert shard_of(on_3_of_8, 8) == 3
    assert ShardPlan(8, (2, 3)).owns(on_3_of_8)
    assert not ShardPlan(8, (0, 1)).owns(on_3_of_8)
    assert ShardPlan(8).owns(on_3_of_8) and ShardPlan(None).owns(on_3_of_8)


def test_plans_describe_themselves() -> None:
    assert ShardPlan(8, (0, 1)).describe() == "shards 0,1 of 8"
    assert ShardPlan(4).describe() == "all 4 shards"
    assert ShardPlan().describe() == "unsharded"
    assert "auto" in ShardPlan(None).describe()


def test_the_setting_defaults_to_one_shard() -> None:
    assert load_settings(None, TOKEN).sharding.count == 1


@pytest.mark.parametrize(("text", "count"), [("count = 4", 4), ('count = "auto"', "auto"), ("count = 1", 1)])
def test_the_setting_in_the_file(tmp_path: Path, text: str, count: object) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[sharding]\n{text}\n", encoding="utf-8")
    assert load_settings(path, TOKEN).sharding.count == count


@pytest.mark.parametrize(("value", "count"), [("4", 4), ("auto", "auto"), (" 2 ", 2)])
def test_the_setting_from_the_environment(value: str, count: object) -> None:
    assert load_settings(None, {**TOKEN, "MARQUEE_SHARDING_COUNT": value}).sharding.count == count


@pytest.mark.parametrize("value", ["0", "-1", "many", "2.5", "inf", "", "1000001"])
def test_a_bad_setting_from_the_environment_names_it(value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, {**TOKEN, "MARQUEE_SHARDING_COUNT": value})
    assert caught.value.key == "sharding.count"
    assert '"auto" or a whole number of shards' in caught.value.problem


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("count = 0", '"auto" or a whole number'),
        ("count = true", "must be an integer or a string, not true or false"),
        ("count = 2.0", "must be an integer or a string, not a number"),
        ('count = "four"', '"auto" or a whole number'),
        ("count = [1]", "must be an integer or a string, not a list"),
    ],
)
def test_a_bad_setting_in_the_file_names_it(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[sharding]\n{text}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(path, TOKEN)
    assert caught.value.key == "sharding.count"
    assert fragment in str(caught.value)
