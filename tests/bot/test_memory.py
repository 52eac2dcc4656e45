"""`bot.memory` relies on CPython's `gc.freeze`: these fail if the interpreter stops providing it."""

from __future__ import annotations

import gc

from bot.memory import collector_paused, keep_out_of_collections


def test_keeping_out_of_collections_moves_live_objects_to_the_permanent_generation() -> None:
    kept = [[index] for index in range(1000)]
    before = gc.get_freeze_count()
    try:
        keep_out_of_collections()
        assert gc.get_freeze_count() >= before + len(kept)
    finally:
        gc.unfreeze()


def test_the_collector_is_off_during_a_build_and_back_on_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_kept_build_is_frozen_when_the_collector_comes_back() -> None:
    try:
        with collector_paused(keep=True):
            built = {str(index): [index] for index in range(1000)}
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()


def test_a_paused_collector_stays_off_when_it_was_off_before() -> None:
    gc.disable()
    try:
        with collector_paused(keep=False):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
