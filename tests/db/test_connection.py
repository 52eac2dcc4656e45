"""Database: pragmas, transactions, serialisation, backup and closing."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

import aiosqlite
import pytest

from db import BackupDestinationError, BackupVerificationError, Database, DatabaseClosedError, DatabaseFileError
from db.aiosqlite_internals import run_on_worker
from db.connection import _verify_integrity, new_database_parts, remove_new_database
from tests.read_only import read_only

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


async def test_blobs_are_read_by_key(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "a.db") as db:
        await db.execute("CREATE TABLE t (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
        blobs = {"big": bytes(range(256)) * 4000, "empty": b"", "small": b"\x00x"}
        async with db.transaction() as tx:
            await tx.executemany("INSERT INTO t (name, data) VALUES (?, ?)", list(blobs.items()))
        whole = await db.read_blobs("t", "data", "SELECT name, rowid FROM t", lambda read: read(-1))
        assert whole == blobs

        def in_pieces(read: Callable[[int], bytes]) -> list[bytes]:
            return list(iter(lambda: read(1000), b""))

        pieces = await db.read_blobs("t", "data", "SELECT name, rowid FROM t WHERE name = ?", in_pieces, ("big",))
        assert list(pieces) == ["big"] and b"".join(pieces["big"]) == blobs["big"] and len(pieces["big"]) == 1024
        assert await db.read_blobs("t", "data", "SELECT name, rowid FROM t WHERE name = 'none'", in_pieces) == {}


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
        with pytest.raises(BackupDestinationError, match="live database itself"):
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


async def _make_database(path: Path) -> None:
    async with Database.connect(path) as db:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"not a database, just some notes\n" * 10, "is not a SQLite database"), (b"SQLite", "is not a SQLite database")],
)
async def test_a_file_that_is_not_a_database_is_refused_by_name(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(DatabaseFileError) as caught:
        await Database.open(path)
    assert str(caught.value) == f"database {path}: {fragment}"
    assert path.read_bytes() == content
    assert not path.with_name("notes.txt-wal").exists()


async def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseFileError, match="is a folder, not a database file"):
        await Database.open(tmp_path)


async def test_a_path_below_a_regular_file_names_the_file_and_creates_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where a folder should be")
    path = blocker / "sub" / "marquee.db"
    with pytest.raises(DatabaseFileError) as caught:
        await Database.open(path)
    assert str(caught.value) == f"database {path}: cannot be created: {blocker} is a file, not a folder"
    assert blocker.read_text() == "a file where a folder should be"


async def test_a_read_only_database_is_refused_before_any_write(tmp_path: Path) -> None:
    path = tmp_path / "marquee.db"
    await _make_database(path)
    with read_only(path), pytest.raises(DatabaseFileError, match="is read-only; Marquee must be able to write it"):
        await Database.open(path)


async def test_a_database_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    await _make_database(folder / "marquee.db")
    with read_only(folder):
        with pytest.raises(DatabaseFileError, match=f"its folder {folder} is read-only"):
            await Database.open(folder / "marquee.db")
        with pytest.raises(DatabaseFileError, match=f"cannot be created: the folder {folder} is read-only"):
            await Database.open(folder / "new" / "marquee.db")


async def test_backup_refuses_a_folder_a_document_and_the_live_files(tmp_path: Path) -> None:
    document = tmp_path / "thesis.odt"
    document.write_bytes(b"PK\x03\x04 years of work")
    folder = tmp_path / "backups"
    folder.mkdir()
    async with Database.connect(tmp_path / "live.db") as db:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        with pytest.raises(BackupDestinationError, match="it is a folder; give the backup a file name"):
            await db.backup(folder)
        with pytest.raises(BackupDestinationError, match="it exists and is not a SQLite database; refusing"):
            await db.backup(document)
        with pytest.raises(BackupDestinationError, match="it is the live database itself"):
            await db.backup(tmp_path / "." / "live.db")
        with pytest.raises(BackupDestinationError, match="it is the live database itself"):
            await db.backup(tmp_path / "live.db-wal")
        with pytest.raises(BackupDestinationError, match=f"{document} is a file, not a folder"):
            await db.backup(document / "copy.db")
        # A backup may replace an older backup: that is a SQLite database.
        await db.backup(folder / "copy.db")
        await db.execute("INSERT INTO t (id) VALUES (1)")
        await db.backup(folder / "copy.db")
    assert document.read_bytes() == b"PK\x03\x04 years of work"
    async with aiosqlite.connect(folder / "copy.db") as copy:
        assert await copy.execute_fetchall("SELECT id FROM t") == [(1,)]


async def test_backup_refuses_a_hard_link_to_the_live_file(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "live.db") as db:
        (tmp_path / "alias.db").hardlink_to(tmp_path / "live.db")
        with pytest.raises(BackupDestinationError, match="it is the live database itself"):
            await db.backup(tmp_path / "alias.db")


def test_what_opening_creates_is_named_and_can_be_removed(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "marquee.db"
    parts = new_database_parts(path)
    assert parts == [path, tmp_path / "a" / "b", tmp_path / "a"]
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    path.with_name("marquee.db-wal").write_bytes(b"")
    remove_new_database(parts)
    assert not (tmp_path / "a").exists()
    assert new_database_parts(tmp_path) == []


def test_removing_keeps_folders_someone_else_filled(tmp_path: Path) -> None:
    path = tmp_path / "a" / "marquee.db"
    parts = new_database_parts(path)
    path.parent.mkdir()
    path.write_bytes(b"")
    (tmp_path / "a" / "notes.txt").write_text("mine")
    remove_new_database(parts)
    assert not path.exists() and (tmp_path / "a" / "notes.txt").exists()


async def test_a_transaction_cancelled_during_its_commit_commits_whole_and_stays_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Database.connect(tmp_path / "c.db") as db:
        await db.execute("CREATE TABLE t (x INTEGER)")
        connection = db._conn
        real_execute = connection.execute
        commit_sent = asyncio.Event()

        async def execute(sql: str, *args: object) -> object:
            if sql != "COMMIT":
                return await real_execute(sql, *args)
            queued = asyncio.ensure_future(real_execute(sql, *args))  # on the database thread from here on
            commit_sent.set()
            await asyncio.sleep(0.05)  # the bot stopping cancels the task here
            return await queued

        # aiosqlite's connection is what is slowed down, so that the cancellation meets the COMMIT in flight.
        monkeypatch.setattr(connection, "execute", execute)

        async def write() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t (x) VALUES (1)")

        task = asyncio.create_task(write())
        await commit_sent.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        monkeypatch.undo()
        assert await db.fetch_value("SELECT count(*) FROM t") == 1
        await db.execute("INSERT INTO t (x) VALUES (2)")  # the connection is not left in a transaction
        assert await db.fetch_value("SELECT count(*) FROM t") == 2


async def test_aiosqlite_still_has_the_private_names_run_on_worker_uses(tmp_path: Path) -> None:
    # db/aiosqlite_internals.py relies on them: a release that renames or changes them must fail here.
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute), "aiosqlite changed Connection._execute"
    async with aiosqlite.connect(tmp_path / "internals.db") as conn:
        assert isinstance(conn._conn, sqlite3.Connection), "aiosqlite changed Connection._conn"
        await conn.execute("CREATE TABLE t (x INTEGER)")
        await conn.execute("INSERT INTO t (x) VALUES (7)")

        def on_the_worker(connection: sqlite3.Connection) -> tuple[int, int]:
            return connection.execute("SELECT x FROM t").fetchone()[0], threading.get_ident()

        value, thread = await run_on_worker(conn, on_the_worker)
        # The same connection aiosqlite's own statements use, on its thread, never the event loop's.
        assert value == 7 and thread != threading.get_ident()
        assert thread == await conn._execute(threading.get_ident)


async def test_the_worker_thread_lets_go_of_what_it_handed_over(tmp_path: Path) -> None:
    class Result:
        """Something weakly referable, as large as the reads it stands for."""

    async with aiosqlite.connect(tmp_path / "handed.db") as conn:
        result = await run_on_worker(conn, lambda connection: Result())
        handed = weakref.ref(result)
        del result
        # No further task has run on the thread: only it could still hold the result.
        assert handed() is None


async def test_columns_come_as_one_tuple_each(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "columns.db") as db:
        await db.execute("CREATE TABLE pairs (number INTEGER, text TEXT)")
        assert await db.fetch_columns("SELECT number, text FROM pairs", 2) == [(), ()]
        async with db.transaction() as tx:
            await tx.executemany("INSERT INTO pairs VALUES (?, ?)", [(1, "one"), (2, "twö")])
        assert await db.fetch_columns("SELECT number, CAST(text AS BLOB) FROM pairs ORDER BY number", 2) == [
            (1, 2),
            (b"one", "twö".encode()),
        ]
