"""Generated trivia over a real catalogue: vega-datasets' movies.json (3,201 US films).

Source: the npm package vega-datasets 3.2.1 (BSD-3-Clause), ``data/movies.json``: title, release date,
director and major genre of each film; it has no cast, so the director, year and "came first" templates
are the ones measured. Run from the repository root::

    .venv/bin/python -m bench.trivia_vega /work/data/vega-movies.json

It prints :func:`cogs.trivia.questions.trivia_quality`: how many distinct wrong-choice sets the "Who
directed X?" questions have, where the right answer lands over the pool, and how many questions were
dropped for not having exactly one right answer. A helper, not a timed benchmark (no ``--quick``):
``bench/quality.py`` may call :func:`catalogue_from_records` and ``trivia_quality`` on the same file.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cogs.films.search.text import search_key
from cogs.trivia.questions import trivia_quality
from db.repositories.models import CastCredit, CrewCredit, Film

__all__ = ["catalogue_from_records", "report_file"]

_YEAR = re.compile(r"\b(\d{4})$")
LATEST_YEAR = 2011
"""The newest film the dataset holds; its dates were read with two-digit years, so later ones are a century off."""


def _year(date: object) -> int | None:
    found = _YEAR.search(str(date or "").strip())
    if found is None:
        return None
    year = int(found.group(1))
    return year - 100 if year > LATEST_YEAR else year


def catalogue_from_records(
    records: Iterable[Mapping[str, Any]],
) -> tuple[list[Film], dict[int, list[CastCredit]], dict[int, list[CrewCredit]]]:
    """Films and their directors from vega-style records ("Title", "Release Date", "Director", "Major Genre")."""
    films: list[Film] = []
    crew: dict[int, list[CrewCredit]] = {}
    for record in records:
        title, year = str(record.get("Title") or "").strip(), _year(record.get("Release Date"))
        if not title or year is None:
            continue
        film_id = len(films) + 1
        genre = str(record.get("Major Genre") or "").strip()
        films.append(
            Film(film_id, f"vega-{film_id}", title, title, year, None, None, None,
                 None, None, None, None, None, "vega", "vega-datasets", genres=(genre,) if genre else ())
        )  # fmt: skip
        director = str(record.get("Director") or "").strip()
        if director:
            person_key = search_key(director).replace(" ", "-")
            crew[film_id] = [CrewCredit(film_id, 0, person_key, director, "Directing", "Director", "vega")]
    return films, {}, crew


def report_file(path: Path) -> dict[str, float]:
    """The trivia figures of the catalogue in the vega-style JSON file at ``path``."""
    records = json.loads(path.read_text(encoding="utf-8"))
    films, cast, crew = catalogue_from_records(records)
    return trivia_quality(films, cast, crew)


if __name__ == "__main__":
    figures = report_file(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/data/vega-movies.json"))
    for name, value in figures.items():
        print(f"{name}: {value:.4g}")
