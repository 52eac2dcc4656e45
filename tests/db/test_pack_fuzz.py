"""Property test: whatever a pack file contains, the validator reports problems, never crashes."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from db.packs.parse import _PackParser, _Problems

# Fixtures cannot feed @given, so the pack files are read directly: the small franchise pack and the
# catalogue-style one (series, external ids, genres, certifications, distributors).
DOCS: dict[str, dict[str, Any]] = {
    name: tomllib.loads(Path(__file__).with_name(name).read_text("utf-8"))
    for name in ("base_pack.toml", "catalogue_pack.toml")
}

scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(["", "one", "jane-doe", "wp_one", "US", "2001-02-30", "easy", "acme"]),
)
toml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path inside the document."""
    found = [prefix] if prefix else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        found.extend(_paths(child, (*prefix, key)))
    return found


ALL_PATHS = [(name, path) for name, doc in DOCS.items() for path in _paths(doc)]


def _mutated(name: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOCS[name])
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


@settings(max_examples=500, deadline=None)
@given(path=st.sampled_from(ALL_PATHS), value=toml_values)
def test_validator_never_crashes(path: tuple[str, tuple[Any, ...]], value: Any) -> None:
    problems = _Problems("fuzz.toml")
    pack = _PackParser(problems, _mutated(*path, value)).build(Path("fuzz.toml"), "0" * 64)
    assert pack.path == Path("fuzz.toml")
    for problem in problems.items:
        assert str(problem).startswith("fuzz.toml: ")
