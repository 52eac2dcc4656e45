"""Keeping Python's cyclic garbage collector off the large data Marquee builds once and keeps.

The look-up indexes, the film cards and the trivia question pool are built at start (and at a pack
load) and kept until the next one: hundreds of thousands of small containers, none of them garbage.
The collector's passes over them slow a build down, and a full pass over a large catalogue's objects
pauses the bot (docs/benchmarks.md). `gc.freeze` is the standard tool, but it moves *everything* alive
in the process out of the collector's reach, so it is called from here only, once per build of such data.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Iterator
from functools import cache

log = logging.getLogger(__name__)


@contextlib.contextmanager
def collector_paused(*, keep: bool = False) -> Iterator[None]:
    """The cyclic collector off while long-lived data is built.

    With `keep`, everything alive at the end is moved out of the collector's reach before it is turned
    back on (see `keep_out_of_collections`): otherwise its first pass walks every object made meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if keep:
                keep_out_of_collections()
            gc.enable()


def keep_out_of_collections() -> None:
    """Move every object alive now out of the collector's reach (`gc.freeze`), after building data kept
    until the next pack load. Frozen objects are still freed when nothing refers to them any more; only
    reference cycles among them wait (for `gc.unfreeze`), and the indexes hold none worth a pass."""
    gc.freeze()
    log.debug("%d objects kept out of garbage collections", gc.get_freeze_count())


@cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


def release_free_memory() -> None:
    """Hand the memory freed by a large build back to the system (glibc's ``malloc_trim``), so the
    process's resident memory is what it keeps rather than its peak while building. Does nothing where
    the C library has no such call."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
