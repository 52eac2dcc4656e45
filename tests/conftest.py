"""Suite-wide test settings."""

from __future__ import annotations

import os

from hypothesis import settings

# The TMDB simulator's fixture (`tmdb_sim`) for any test that talks to TMDB.
pytest_plugins = ["tests.tmdb_sim.fixtures"]

# CI runs each property test on the same examples every time, so a submission is judged on the code,
# not on the luck of the draw; locally the examples vary (and failures are saved for replay).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
