"""Database: pragmas, transactions, serialisation, backup and closing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest

from db import BackupVerificationError, Database, DatabaseClosedError
from db.connection import _verify_integrity

COUNTER_SCHEMA = (
    "CREATE TABLE entries (seq INTEGER PRIMARY KEY, task INTEGER NOT NULL)",
    "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO counter (id, value) VALUES (1, 0)",
)


async def _create_counter(db: Database) -> None:
    async with db.transaction() as tx:
        for sql in COUNTER_SCHEMA:
            await tx.execute(sql)


async def _add_pair(db: Database, task: int) -> None:
    """Read the counter, yield to the loop between writes, then bump it by two."""
    async with db.transaction() as tx:
        value = await tx.fetch_value("SELECT value FROM counter WHERE id = 1")
        await tx.execute("INSERT INTO entries (seq, task) VALUES (?, ?)", (value + 1, task))
        await asyncio.sleep(0)
        await tx.execute("INSERT INTO entries (seq, task) VALUES (?, ?)", (value + 2, task))
        await asyncio.sleep(0)
        await tx.execute("UPDATE counter SET value = ? WHERE id = 1", (value + 2,))


async def _assert_pairs(db: Database, expected_pairs: int) -> None:
    rows = await db.fetch_all("SELECT seq, task FROM entries ORDER BY seq")
    assert [row["seq"] for row in rows] == list(range(1, 2 * expected_pairs + 1))
    for first, second in zip(rows[::2], rows[1::2], strict=True):
        assert first["task"] == second["task"], "two transactions interleaved"
    assert await db.fetch_value("SELECT value FROM counter") == 2 * expected_pairs


async def test_open_creates_parent_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "marquee.db"
    async with await Database.open(path) as db:
        assert db.path == path
        assert path.parent.is_dir()
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA busy_timeout") == 5000
        assert await db.fetch_value("PRAGMA synchronous") == 1  # NORMAL
    assert db.closed


async def test_connect_context_manager_closes(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        assert await db.fetch_value("SELECT 1 + 1") == 2
    assert db.closed


async def test_transaction_commits_on_success(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        async with db.transaction() as tx:
            assert await tx.executemany("INSERT INTO t (v) VALUES (?)", [("a",), ("b",)]) == 2
            assert await tx.fetch_value("SELECT COUNT(*) FROM t") == 2
    async with Database.connect(tmp_path / "a.db") as reopened:
        rows = await reopened.fetch_all("SELECT v FROM t ORDER BY id")
        assert [row["v"] for row in rows] == ["a", "b"]


async def test_transaction_rolls_back_on_exception(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        with pytest.raises(ZeroDivisionError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t (v) VALUES (?)", ("lost",))
                _ = 1 / 0
        assert await db.fetch_value("SELECT COUNT(*) FROM t") == 0
        # The connection is usable again after a rollback.
        assert await db.execute("INSERT INTO t (v) VALUES (?)", ("kept",)) == 1
        assert await db.fetch_value("SELECT v FROM t") == "kept"


async def test_failed_statement_rolls_back_whole_transaction(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        with pytest.raises(aiosqlite.IntegrityError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t (id, v) VALUES (1, 'x')")
                await tx.execute("INSERT INTO t (id, v) VALUES (1, 'duplicate')")
        assert await db.fetch_value("SELECT COUNT(*) FROM t") == 0


async def test_fetch_helpers_outside_transactions(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        assert await db.fetch_one("SELECT * FROM t") is None
        assert await db.fetch_value("SELECT v FROM t WHERE id = ?", (1,)) is None
        assert await db.fetch_all("SELECT * FROM t") == []
        await db.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, "x"))
        row = await db.fetch_one("SELECT id, v FROM t WHERE id = ?", (1,))
        assert row is not None and (row["id"], row["v"]) == (1, "x")


async def test_fifty_concurrent_transactions_never_interleave(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await _create_counter(db)

        async def reader() -> None:
            # Reads must never observe a half-done pair from another coroutine.
            for _ in range(30):
                count = await db.fetch_value("SELECT COUNT(*) FROM entries")
                assert count % 2 == 0
                assert count == await db.fetch_value("SELECT value FROM counter")
                await asyncio.sleep(0)

        await asyncio.gather(*(_add_pair(db, task) for task in range(50)), reader(), reader())
        await _assert_pairs(db, 50)


async def test_two_connections_on_one_file_serialise(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE makes separate connections (as separate processes would) queue up."""
    path = tmp_path / "shared.db"
    async with Database.connect(path) as first, Database.connect(path) as second:
        await _create_counter(first)
        await asyncio.gather(*(_add_pair(first if i % 2 else second, i) for i in range(20)))
        await _assert_pairs(second, 20)


async def test_nested_use_in_the_same_task_fails_loudly(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db, db.transaction() as tx:
        with pytest.raises(RuntimeError, match="already holds a transaction"):
            await db.fetch_value("SELECT 1")
        with pytest.raises(RuntimeError, match="already holds a transaction"):
            async with db.transaction():
                pass
        assert await tx.fetch_value("SELECT 1") == 1


async def test_transaction_handle_is_dead_after_the_block(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        async with db.transaction() as tx:
            pass
        with pytest.raises(DatabaseClosedError):
            await tx.execute("SELECT 1")


async def test_close_is_idempotent_and_final(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await db.close()
    await db.close()
    with pytest.raises(DatabaseClosedError):
        await db.fetch_value("SELECT 1")
    with pytest.raises(DatabaseClosedError):
        await db.execute("SELECT 1")


async def test_backup_copies_live_database_and_verifies_it(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "live.db") as db:
        await _create_counter(db)
        await asyncio.gather(*(_add_pair(db, task) for task in range(5)))
        dest = await db.backup(tmp_path / "backups" / "copy.db")
        assert dest == tmp_path / "backups" / "copy.db"
        # The live database keeps working after the backup.
        await _add_pair(db, 99)
    async with Database.connect(dest) as copy:
        assert await copy.fetch_value("PRAGMA integrity_check") == "ok"
        await _assert_pairs(copy, 5)


async def test_integrity_problems_of_a_sound_file(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "live.db") as db:
        await _create_counter(db)
        assert await db.integrity_problems() == []
        assert await db.integrity_problems(quick=True) == []


async def test_backup_refuses_to_overwrite_itself(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "live.db") as db:
        with pytest.raises(ValueError, match="onto itself"):
            await db.backup(tmp_path / "live.db")


async def test_integrity_verification_rejects_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    async with Database.connect(path) as db:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        async with db.transaction() as tx:
            await tx.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 500,) for _ in range(200)])
        await db.execute("CREATE INDEX t_v ON t (v)")
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 : page_size * 4] = b"\xff" * (page_size * 2)
    path.write_bytes(bytes(data))
    with pytest.raises(BackupVerificationError, match="integrity check"):
        await _verify_integrity(path)


async def test_fetch_one_takes_the_first_row_and_fetch_each_reads_every_query(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await _create_counter(db)
        for task in (3, 1, 2):
            await db.execute("INSERT INTO entries (task) VALUES (?)", (task,))
        first = await db.fetch_one("SELECT task FROM entries ORDER BY task DESC")
        assert first is not None and first["task"] == 3
        assert await db.fetch_one("SELECT task FROM entries WHERE task > 9") is None
        tasks, counter, nothing = await db.fetch_each(
            [
                ("SELECT task FROM entries ORDER BY task", ()),
                ("SELECT value FROM counter WHERE id = ?", (1,)),
                ("SELECT task FROM entries WHERE task > ?", (9,)),
            ]
        )
        assert [row["task"] for row in tasks] == [1, 2, 3]
        assert [row["value"] for row in counter] == [0]
        assert nothing == []
        assert await db.fetch_each([]) == []
        # Read in a transaction of its own, which is over afterwards: a write can follow at once.
        await db.execute("UPDATE counter SET value = 7")
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO entries (task) VALUES (4)")
            # Inside a transaction the reads see its own uncommitted rows.
            (seen,) = await tx.fetch_each([("SELECT count(*) AS n FROM entries", ())])
            assert seen[0]["n"] == 4


async def test_fetch_each_ends_its_read_transaction_when_a_query_fails(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await _create_counter(db)
        with pytest.raises(aiosqlite.OperationalError):
            await db.fetch_each([("SELECT value FROM counter", ()), ("SELECT nope FROM counter", ())])
        assert await db.execute("UPDATE counter SET value = 5") == 1
        assert await db.fetch_value("SELECT value FROM counter") == 5


async def test_fetch_all_as_makes_each_row_with_the_factory(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await _create_counter(db)
        for task in (2, 1):
            await db.execute("INSERT INTO entries (task) VALUES (?)", (task,))
        made = await db.fetch_all_as(lambda seq, task: (task, seq), "SELECT seq, task FROM entries ORDER BY task")
        assert made == [(1, 2), (2, 1)]
        assert await db.fetch_all_as(int, "SELECT task FROM entries WHERE task > ?", (9,)) == []
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO entries (task) VALUES (3)")
            assert await tx.fetch_all_as(int, "SELECT task FROM entries ORDER BY task") == [1, 2, 3]


async def test_digest_changes_exactly_when_the_rows_do(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await _create_counter(db)
        for task in (2, 1):
            await db.execute("INSERT INTO entries (task) VALUES (?)", (task,))
        queries = [("SELECT task FROM entries ORDER BY task", ()), ("SELECT value FROM counter", ())]
        first = await db.digest(queries)
        assert len(first) == 64 and first == await db.digest(queries)
        assert await db.digest(queries[:1]) != first
        await db.execute("UPDATE counter SET value = 1")
        changed = await db.digest(queries)
        assert changed != first
        await db.execute("UPDATE counter SET value = 0")
        assert await db.digest(queries) == first
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO entries (task) VALUES (3)")
            assert await tx.digest(queries) != first  # inside a transaction: its own rows
        # Its read transaction is over: a write can follow at once.
        assert await db.execute("DELETE FROM entries WHERE task = 3") == 1
        assert await db.digest(queries) == first
