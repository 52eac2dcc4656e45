"""What the local stand-ins for Discord and TMDB share about the OpenAPI descriptions they check against."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


def find_spec(relative: Path, variable: str, env: dict[str, str] | None = None) -> Path | None:
    """The description at `$variable`; else `relative` beside the repository, or in the first folder
    above it that has it; None when there is none."""
    env = dict(os.environ) if env is None else env
    explicit = env.get(variable)
    if explicit:
        path = Path(explicit)
        return path if path.is_file() else None
    for parent in [REPO_ROOT.parent, REPO_ROOT, *REPO_ROOT.parents]:
        candidate = parent / relative
        if candidate.is_file():
            return candidate
    return None


def strict(node: Any) -> Any:
    """Every object schema that lists `properties` (and says nothing of others) refuses fields it does not list."""
    if isinstance(node, dict):
        out = {k: strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out and "unevaluatedProperties" not in out:
            out["unevaluatedProperties"] = False
        return out
    if isinstance(node, list):
        return [strict(v) for v in node]
    return node
