"""Back up a PostgreSQL database with PostgreSQL's own tools: ``pg_dump --format=custom``, then
``pg_restore --list`` to prove the file readable and complete.

The password never goes on a command line (other users of the machine can read those): the URL given to
the tools is without it, and the child gets it in its ``PGPASSWORD`` environment variable. The dump is
written beside the destination first and moved over it only once verified, so a failed backup never
destroys an older one.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from db.connection import Database
from db.postgres import redacted_url

CUSTOM_FORMAT_MAGIC = b"PGDMP"
"""How a file written by ``pg_dump --format=custom`` starts."""


class DumpError(Exception):
    """The backup could not be made or did not verify; one line saying why (never a password)."""


@dataclass(frozen=True)
class DumpResult:
    """A verified dump: where, of which schema (None: the whole database), and the tables whose data it holds."""

    path: Path
    schema: str | None
    tables: int


def url_without_password(url: str) -> tuple[str, str | None]:
    """``url`` with its password taken out, and the password, percent-decoded as libpq reads it from a URL
    (None when it has none)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment)), unquote(parts.password)


def missing_tool_message(tool: str) -> str:
    """The one line said when ``tool`` (pg_dump, pg_restore) is not on PATH."""
    return (
        f"{tool} is not on PATH: install PostgreSQL's client tools (Debian: apt-get install postgresql-client, "
        "of the server's major version or newer), then run `marquee db backup PATH` again"
    )


def dump_command(url: str, dest: Path, schema: str | None) -> tuple[list[str], dict[str, str]]:
    """The ``pg_dump`` arguments and the child's environment: the URL without its password, which
    goes in ``PGPASSWORD``. ``schema`` limits the dump to Marquee's schema (None: the whole database)."""
    bare, password = url_without_password(url)
    arguments = ["pg_dump", "--format=custom", "--file", str(dest), "--no-password"]
    if schema is not None:
        arguments += ["--schema", schema]
    arguments += ["--dbname", bare]
    environment = dict(os.environ)
    if password is not None:
        environment["PGPASSWORD"] = password
    return arguments, environment


def destination_problem(dest: Path) -> str | None:
    """Why a dump may not be written to ``dest``; None when it may. Only a new file or an older dump is
    overwritten: a mistyped path must not destroy someone's document."""
    try:
        if dest.is_dir():
            return "it is a folder; give the backup a file name, for example " + str(dest / "marquee.dump")
        if not os.path.lexists(dest):
            return None
        if not dest.is_file():
            return "it is not a regular file"
        with dest.open("rb") as file:
            if file.read(len(CUSTOM_FORMAT_MAGIC)) not in (b"", CUSTOM_FORMAT_MAGIC):
                return "it exists and is not a pg_dump file; refusing to overwrite it"
    except OSError as error:
        return error.strerror or str(error)
    return None


async def marquee_schema(db: Database) -> str | None:
    """The schema Marquee's tables are in; None for ``public`` (the whole database is then dumped)."""
    schema = str(await db.fetch_value("SELECT current_schema()"))
    return None if schema == "public" else schema


async def _run(arguments: list[str], environment: dict[str, str]) -> tuple[int, str, str]:
    child = await asyncio.create_subprocess_exec(
        *arguments,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )
    out, err = await child.communicate()
    return child.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


def _last_line(text: str, fallback: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else fallback


async def dump_database(db: Database, url: str, dest: Path, tables: list[str]) -> DumpResult:
    """Dump the PostgreSQL database ``db`` (opened from ``url``) to ``dest`` in pg_dump's custom format
    and verify it with ``pg_restore --list``: every one of ``tables`` must have its data there.

    Raises :class:`DumpError` (one line) when a tool is missing, fails, or the listing lacks a table."""
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise DumpError(missing_tool_message(tool))
    problem = await asyncio.to_thread(destination_problem, dest)
    if problem is not None:
        raise DumpError(f"cannot back up to {dest}: {problem}")
    schema = await marquee_schema(db)
    partial = dest.with_name(dest.name + ".partial")
    try:
        await asyncio.to_thread(dest.parent.mkdir, parents=True, exist_ok=True)
        arguments, environment = dump_command(url, partial, schema)
        status, _, err = await _run(arguments, environment)
        if status != 0:
            raise DumpError(f"pg_dump of {redacted_url(url)} failed: {_last_line(err, f'exit status {status}')}")
        status, listing, err = await _run(["pg_restore", "--list", str(partial)], dict(os.environ))
        if status != 0:
            raise DumpError(f"pg_restore --list {dest} failed: {_last_line(err, f'exit status {status}')}")
        held = {fields[-2] for fields in (line.split() for line in listing.splitlines()) if _is_table_data(fields)}
        if missing := sorted(set(tables) - held):
            raise DumpError(f"the dump at {dest} lacks the data of {len(missing)} table(s): {', '.join(missing[:5])}")
        await asyncio.to_thread(os.replace, partial, dest)
    except OSError as error:
        raise DumpError(f"cannot back up to {dest}: {error.strerror or error}") from error
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
    return DumpResult(path=dest, schema=schema, tables=len(held))


def _is_table_data(fields: list[str]) -> bool:
    # A listing line: "<id>; <oid> <oid> TABLE DATA <schema> <table> <owner>"; comments start with ";".
    return len(fields) >= 7 and not fields[0].startswith(";") and fields[3:5] == ["TABLE", "DATA"]
