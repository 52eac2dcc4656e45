"""The benchmarks cannot rot unnoticed: what they import exists, CI runs every one, quick runs judge correctness.

The benchmarks reach into the bot, the database layer and the simulator (often from inside functions, so
importing a module proves little); these tests read every import statement of every bench module and
resolve it. Running the benchmarks themselves is `.ci/run`'s job (each one's quick mode, after the tests).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
from pathlib import Path

import pytest

from bench.common import Report

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
CI_RUN = REPO / ".ci" / "run"


def bench_modules() -> list[Path]:
    return sorted(path for path in BENCH.glob("*.py") if path.name != "__init__.py")


def benchmarks() -> list[str]:
    """The bench modules that are benchmarks: those with a ``main`` (common.py and synthetic.py are helpers)."""
    names = []
    for path in bench_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            names.append(path.stem)
    return names


def imports(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name or None) for every import statement in the file, at any depth."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
    return found


def test_the_benchmarks_are_found() -> None:
    assert {"lookup", "trivia", "announce", "fanout", "quality"} <= set(benchmarks())


@pytest.mark.parametrize("path", bench_modules(), ids=lambda path: path.name)
def test_every_import_in_a_bench_module_resolves(path: Path) -> None:
    """`from db.repositories.announcements import _stamp` inside a function broke bench.announce for good
    when `_stamp` moved; nothing noticed until someone ran it."""
    missing = []
    for line, module, name in imports(path):
        try:
            imported = importlib.import_module(module)
        except ImportError as error:
            missing.append(f"{path.name}:{line}: import {module}: {error}")
            continue
        if name is None or hasattr(imported, name):
            continue
        try:
            importlib.import_module(f"{module}.{name}")
        except ImportError:
            missing.append(f"{path.name}:{line}: from {module} import {name}: no such name")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("name", benchmarks())
def test_every_benchmark_has_a_quick_mode(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    quick = module.parse_args(["--quick"])
    full = module.parse_args([])
    assert quick.quick and not full.quick
    sizes = [key for key, value in vars(full).items() if isinstance(value, int) and not isinstance(value, bool)]
    assert any(getattr(quick, key) < getattr(full, key) for key in sizes), f"bench.{name} --quick changes no size"


def test_ci_runs_every_benchmark_in_its_quick_mode() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    run = {match.group(1) for match in re.finditer(r"-m bench\.(\w+)\s+--quick\b", script)}
    assert set(benchmarks()) <= run, f"not run by .ci/run: {sorted(set(benchmarks()) - run)}"


def test_ci_keeps_the_readme_test_command() -> None:
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert command in CI_RUN.read_text(encoding="utf-8")
    assert command in (REPO / "README.md").read_text(encoding="utf-8")


def _report(quick: bool) -> Report:
    return Report("bench", argparse.Namespace(quick=quick, write=False))


def test_a_quick_run_shows_a_missed_timing_target_but_does_not_fail_on_it() -> None:
    report = _report(quick=True)
    report.check("ratio to the baseline", "3.0", "≤ 1.15", False, full_only=True)
    report.check("informative", "1 s", "none", None)
    assert report.failed() == []
    assert "fail (quick run: not judged)" in report.markdown()


def test_a_quick_run_fails_when_the_benchmark_breaks_or_finds_a_wrong_result() -> None:
    report = _report(quick=True)
    report.check("ratio to the baseline", "1.0", "≤ 1.15", True, full_only=True)
    report.check("nothing lost, nothing doubled", "2 DMs for 1 member", "exactly 1 each", False)
    assert [check.name for check in report.failed()] == ["nothing lost, nothing doubled"]


def test_a_full_run_judges_its_timing_targets() -> None:
    report = _report(quick=False)
    report.check("ratio to the baseline", "3.0", "≤ 1.15", False, full_only=True)
    assert [check.name for check in report.failed()] == ["ratio to the baseline"]
    assert "| **FAIL** |" in report.markdown()


def test_a_hook_into_the_bot_that_is_gone_stops_the_bench() -> None:
    """A renamed attribute must fail the bench (and so CI's quick run), not make it time nothing."""
    from types import SimpleNamespace

    from bench.common import hook

    assert hook(SimpleNamespace(indexing="task"), "indexing") == "task"
    assert hook(None, "indexing") is None  # a cog left out with --exclude-cog
    with pytest.raises(RuntimeError, match="bench hook gone"):
        hook(SimpleNamespace(), "indexing")
