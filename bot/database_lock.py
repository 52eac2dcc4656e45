"""One holder at a time for a SQLite file: the running bot, or a copy that must see the data stand still."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class DatabaseInUseError(Exception):
    """Another process (a running bot, or a copy of the database) holds this SQLite file."""


@contextlib.contextmanager
def sole_holder_of(path: Path, advice: str) -> Iterator[None]:
    """Hold `<database>.lock` for the duration: a SQLite file serves one bot process (two would both send
    every scheduled post), and a copy taken while a bot writes would catch it halfway. The lock is the
    operating system's (flock): a process that dies loses it. `advice` ends the refusal's one line.

    Not the database file itself: closing another descriptor of it would drop SQLite's own locks."""
    if fcntl is None:  # Windows: no flock; one process per file is then the operator's to keep
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    created = not lock_path.exists()
    with open(lock_path, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip()[:20] or "unknown"
            raise DatabaseInUseError(
                f"database {path} is in use by another running Marquee (process {holder}); {advice}"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        try:
            yield
        finally:
            if created:
                lock_path.unlink(missing_ok=True)
