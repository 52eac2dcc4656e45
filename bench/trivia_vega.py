"""Generated trivia over a real catalogue: vega-datasets' movies.json (3,201 US films).

Source: the npm package vega-datasets 3.2.1 (BSD-3-Clause), ``data/movies.json``: title, release date,
director and major genre of each film; it has no cast, so the director, year and "came first" templates
are the ones measured. Run from the repository root::

    .venv/bin/python -m bench.trivia_vega /work/data/vega-movies.json

It prints :func:`cogs.trivia.questions.trivia_quality`: how many distinct wrong-choice sets the "Who
directed X?" questions have, where the right answer lands over the pool, and how many questions were
dropped for not having exactly one right answer. Films are read and cleaned by
``bench.quality.catalogue_films`` (dates a century late read back, films listed twice left out). A helper,
not a timed benchmark (no ``--quick``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.quality import catalogue_films
from cogs.films.search.text import search_key
from cogs.trivia.questions import trivia_quality
from db.repositories.models import CastCredit, CrewCredit, Film

__all__ = ["catalogue_from_records", "report_file"]


def catalogue_from_records(
    records: Iterable[dict[str, Any]],
) -> tuple[list[Film], dict[int, list[CastCredit]], dict[int, list[CrewCredit]]]:
    """Films and their directors from vega-style records, cleaned as ``bench.quality`` cleans them."""
    films: list[Film] = []
    crew: dict[int, list[CrewCredit]] = {}
    real_films, _cleaned = catalogue_films(records)
    for film_id, real in enumerate(real_films, start=1):
        genres = (real.genre,) if real.genre else ()
        films.append(
            Film(film_id, real.key, real.title, real.title, real.year, None, None, None,
                 None, None, None, None, None, "vega", "vega-datasets", genres=genres)
        )  # fmt: skip
        if real.director:
            person_key = search_key(real.director).replace(" ", "-")
            crew[film_id] = [CrewCredit(film_id, 0, person_key, real.director, "Directing", "Director", "vega")]
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
