"""What tables, columns and foreign keys a test database has, read the same way from SQLite (sqlite_master,
PRAGMA) and PostgreSQL (its catalogs, in the schema on the search path)."""

from __future__ import annotations

from db import Database


async def table_names(db: Database, *, like: str = "%") -> list[str]:
    """The names of Marquee's tables whose name matches the LIKE pattern ``like``, sorted (PostgreSQL's
    migration bookkeeping table ``schema_version`` left out, as SQLite's own tables are)."""
    if db.dialect == "sqlite":
        rows = await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            " AND name LIKE ? ESCAPE '\\' ORDER BY name",
            (like,),
        )
    else:
        rows = await db.fetch_all(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' AND table_name LIKE ? ESCAPE '\\'"
            ' ORDER BY table_name COLLATE "C"',
            (like,),
        )
    return [row["name"] for row in rows]


async def column_names(db: Database, table: str) -> list[str]:
    """The columns of ``table``, in their order."""
    if db.dialect == "sqlite":
        return [row["name"] for row in await db.fetch_all(f"PRAGMA table_info({table})")]
    rows = await db.fetch_all(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [row["column_name"] for row in rows]


async def foreign_keys(db: Database, table: str) -> list[tuple[str, str]]:
    """Each foreign key of ``table``, column by column: (the table it refers to, its ON DELETE action as
    SQLite spells it)."""
    if db.dialect == "sqlite":
        rows = await db.fetch_all(f"PRAGMA foreign_key_list({table})")
        return [(row["table"], row["on_delete"]) for row in rows]
    actions = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
    rows = await db.fetch_all(
        "SELECT c.confrelid::regclass::text AS parent, c.confdeltype::text AS action, cardinality(c.conkey) AS width"
        " FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = to_regclass(?) ORDER BY c.conname",
        (table,),
    )
    return [(row["parent"], actions[row["action"]]) for row in rows for _ in range(row["width"])]


async def foreign_key_problems(db: Database) -> list[str]:
    """Rows whose foreign keys name no row (SQLite's foreign_key_check; SQLite can hold such rows when its
    checks were off). PostgreSQL checks every key as it is written; here, its constraints left unchecked."""
    if db.dialect == "sqlite":
        return [repr(tuple(row)) for row in await db.fetch_all("PRAGMA foreign_key_check")]
    rows = await db.fetch_all(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
        " AND connamespace = current_schema()::regnamespace"
    )
    return [row["conname"] for row in rows]


def row_address(db: Database) -> str:
    """The column naming where a row is stored: SQLite's rowid, PostgreSQL's ctid. An update keeps a
    rowid but gives the row a new ctid: compare snapshots by it only to find rows changed or deleted."""
    return "rowid" if db.dialect == "sqlite" else "ctid"
