"""The look-up's plain modules import no discord.py: the offline commands (`python -m bot pack load`,
which builds the indexes) and the plain logic built on the matcher stay light."""

from __future__ import annotations

import subprocess
import sys

import pytest

PLAIN = [
    "cogs.films",
    "cogs.films.search.characters",
    "cogs.films.search.films",
    "cogs.films.search.people",
    "cogs.films.lookup",
    "cogs.films.region_cache",
    "bot.offline",
]


@pytest.mark.parametrize("module", PLAIN)
def test_a_plain_module_imports_no_discord(module: str) -> None:
    check = f"import sys, {module}; assert 'discord' not in sys.modules, sorted(sys.modules)"
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
