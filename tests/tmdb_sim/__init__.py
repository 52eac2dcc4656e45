"""A local TMDB (API v3) for tests: the films of a :class:`TmdbWorld`, served and checked against TMDB's spec.

See ``tests/tmdb_sim/README.md``; the ``tmdb_sim`` fixture is in :mod:`tests.tmdb_sim.fixtures`.
"""

from .server import SimRequest, TmdbSim
from .world import SimCollection, SimMovie, TmdbWorld

__all__ = ["SimCollection", "SimMovie", "SimRequest", "TmdbSim", "TmdbWorld"]
