"""The ``tmdb_sim`` fixture (registered for the whole suite by ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.tmdb_sim import TmdbSim, TmdbWorld


@pytest.fixture
async def tmdb_sim() -> AsyncIterator[TmdbSim]:
    """A started simulator on an empty world (add films to ``tmdb_sim.world``).

    The test fails at teardown if a request or an answer broke TMDB's spec; a test that provokes a
    problem on purpose takes it with ``tmdb_sim.take_problems()``.
    """
    async with TmdbSim(TmdbWorld()) as sim:
        yield sim
        if sim.problems:
            pytest.fail("TMDB simulator problems:\n" + "\n".join(sim.problems), pytrace=False)
