"""A local Discord (REST v10 + JSON gateway) for Marquee's end-to-end tests.

The simulator is an aiohttp server on 127.0.0.1 that the unmodified discord.py client logs in to.
Tests drive it through :class:`~tests.discord_sim.harness.Sim` (see ``tests/e2e/conftest.py``).
"""

from .errors import SimError, SimTimeout, SimViolationError, Violation
from .harness import Reply, Sim, pasted_id

__all__ = ["Reply", "Sim", "SimError", "SimTimeout", "SimViolationError", "Violation", "pasted_id"]
