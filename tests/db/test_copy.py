"""db.copy on real databases: what each backend says of its tables, the key order both read in (the same,
whatever the server's collation), the values made plain, and a copy whose transaction fails."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from db import Database, connect_database, migrate
from db.copy import (
    CopyFailedError,
    CopyRefusedError,
    TableCheck,
    TableShape,
    TableSum,
    _plain,
    copy_database,
    foreign_key_order,
    ordered_pages,
    shapes,
    table_sum,
    verify_copy,
)
from tests.db.conftest import OpenDatabase
from tests.postgres import fresh_schema

# Keys whose order differs between a code-point comparison and a language's collation (case, accents, marks).
KEYS = ["b", "B", "a", "Z", "_x", "é", "e", "É", "z", "Ω", "a b", "ab", "10", "9", "✓"]


async def test_the_foreign_key_order_puts_every_table_after_those_it_refers_to(db: Database) -> None:
    found = await shapes(db)
    order = foreign_key_order(found)
    assert sorted(order) == sorted(found)
    assert "schema_version" not in found and not any(name.startswith("sqlite_") for name in found)
    for position, name in enumerate(order):
        assert found[name].references <= set(order[:position]), name
    assert order.index("packs") < order.index("films") < order.index("cast_credits")
    assert order.index("trivia_games") < order.index("trivia_rounds") < order.index("trivia_answers")


async def test_each_backend_describes_the_tables_alike(db: Database) -> None:
    found = await shapes(db)
    assert found["films"].key == ("id",)
    assert found["cast_credits"].key == ("film_id", "billing_order")
    assert found["releases"].key == ("film_id", "country", "release_type", "release_date")
    assert {"country"} <= found["releases"].text_columns and "film_id" not in found["releases"].text_columns
    assert found["search_indexes"].blob_columns == {"data"}
    assert found["cast_credits"].references == {"films", "people"}
    # The ids the database hands out and must never hand out twice.
    assert found["guild_events"].numbered == "id" and found["reminders"].numbered == "id"
    assert found["cast_credits"].numbered is None


def test_a_foreign_key_cycle_is_refused() -> None:
    def shape(name: str, refers: set[str]) -> TableShape:
        return TableShape(name, ("id",), ("id",), frozenset(), frozenset(), None, frozenset(refers))

    with pytest.raises(CopyRefusedError, match="cycle"):
        foreign_key_order({"a": shape("a", {"b"}), "b": shape("b", {"a"}), "c": shape("c", set())})


async def test_both_backends_read_text_keys_in_code_point_order_page_by_page(tmp_path: Path, postgres_url: str) -> None:
    async with (
        fresh_schema(postgres_url) as schema,
        connect_database(postgres_url, schema=schema) as pg,
        connect_database(tmp_path / "m.db") as sqlite,
    ):
        read: list[list[str]] = []
        for database in (sqlite, pg):
            await migrate(database)
            # member_erasures' key is text of the server's default collation on PostgreSQL (its own migration);
            # a language's collation, as on many servers (the test server's may be C.UTF-8), sorts "a" before "B".
            if database is pg and await pg.fetch_value("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'"):
                await pg.execute('ALTER TABLE member_erasures ALTER COLUMN member_key TYPE TEXT COLLATE "und-x-icu"')
            await database.executemany(
                "INSERT INTO member_erasures (member_key, erased_at) VALUES (?, '2024-01-01')", [(k,) for k in KEYS]
            )
            shape = (await shapes(database))["member_erasures"]
            pages = [page async for page in ordered_pages(database, shape, ["member_key"], page_rows=4)]
            assert [len(page) for page in pages] == [4, 4, 4, 3]
            read.append([row[0] for page in pages for row in page])
            assert (await table_sum(database, shape, ["member_key", "erased_at"])).rows == len(KEYS)
        assert read[0] == read[1] == sorted(KEYS, key=lambda key: key.encode())
        sums = [
            await table_sum(d, (await shapes(d))["member_erasures"], ["member_key", "erased_at"]) for d in (sqlite, pg)
        ]
        assert sums[0] == sums[1]


def test_values_are_made_plain_alike_and_never_confused() -> None:
    assert _plain(True) == _plain(1) and _plain(False) == _plain(0)
    distinct = [None, 0, 1, "1", b"1", "", b"", 1.0, "None", "N;", b"N;", "a", "ab"]
    assert len({_plain(value) for value in distinct}) == len(distinct)
    # One row's values must not run into the next: lengths are part of text and bytes.
    assert _plain("ab") + _plain("c") != _plain("a") + _plain("bc")
    with pytest.raises(CopyFailedError):
        _plain(object())


def test_a_table_check_says_what_differs() -> None:
    same = TableSum(3, "abc")
    assert TableCheck("films", same, same).describe() == "films: 3 rows, ok"
    assert TableCheck("packs", TableSum(1, "x"), TableSum(1, "x")).describe() == "packs: 1 row, ok"
    assert not TableCheck("films", same, TableSum(3, "abd")).ok
    assert TableCheck("films", same, TableSum(2, "abc")).describe() == (
        "films: mismatch (3 rows in the source, 2 in the target)"
    )
    assert TableCheck("films", same, None).describe() == "films: mismatch (missing in the target)"
    assert not TableCheck("films", None, None, problem="its columns or primary key differ").ok


async def test_a_copy_that_fails_half_way_leaves_the_target_empty(tmp_path: Path, postgres_url: str) -> None:
    async with (
        fresh_schema(postgres_url) as schema,
        connect_database(postgres_url, schema=schema) as target,
        connect_database(tmp_path / "source.db") as source,
    ):
        await migrate(source)
        await source.execute("INSERT INTO bot_state (key, value, updated_at) VALUES ('k', 'v', 'now')")
        # A value SQLite keeps but PostgreSQL's column cannot take: the whole copy rolls back.
        await source.execute(
            "INSERT INTO guild_settings (guild_id, timezone, region, updated_at) "
            "VALUES ('not a number', 'UTC', 'FR', 'x')"
        )
        with pytest.raises(CopyFailedError, match="copying table guild_settings failed after 0 rows"):
            await copy_database(source, target)
        assert await target.fetch_value("SELECT count(*) FROM bot_state") == 0
        # Nothing was written, so a second try needs no --replace.
        await source.execute("DELETE FROM guild_settings")
        result = await copy_database(source, target)
        assert result.rows["bot_state"] == 1
        assert all(check.ok for check in await verify_copy(source, target))


async def test_a_copy_refuses_a_target_with_rows_and_replaces_them_when_asked(
    open_db: OpenDatabase, tmp_path: Path
) -> None:
    target = await open_db("target")
    await migrate(target)
    await target.execute("INSERT INTO bot_state (key, value, updated_at) VALUES ('old', 'v', 'then')")
    async with connect_database(tmp_path / "source.db") as source:
        await migrate(source)
        await source.execute("INSERT INTO bot_state (key, value, updated_at) VALUES ('new', 'v', 'now')")
        with pytest.raises(CopyRefusedError, match=r"rows in bot_state.*--replace"):
            await copy_database(source, target)
        if target.dialect == "sqlite":
            return  # the CLI copies only between the two kinds; the rest is for PostgreSQL
        result = await copy_database(source, target, replace=True)
        assert dataclasses.asdict(result)["replaced"] is True
        assert [row[0] for row in await target.fetch_all("SELECT key FROM bot_state")] == ["new"]
