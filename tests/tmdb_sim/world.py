"""The films a simulated TMDB knows, and the change log that ``/3/movie/changes`` serves.

A world is plain data: tests build it before (or while) the simulator serves it, and every answer is
computed from it at request time, so a change made mid-test is visible on the next request.

Defaults worth knowing:
- a film's ``imdb_id``, ``wikidata_id``, ``poster_path`` and ``backdrop_path`` default to None (served as
  null, as TMDB serves what it does not know); ``runtime`` to 0, ``tagline`` and ``overview`` to "";
- ``releases=None`` gives a film one US theatrical release (type 3) on its ``release_date`` with no
  certification; ``releases={}`` gives it none.
- adding a film or a collection logs no change; ``move_release``, ``rename`` and ``touch`` do, at ``world.now``.
- ``move_release`` leaves ``release_date`` (the primary date of the details answer) as it is: TMDB keeps
  the two apart too. Set ``movie.release_date`` yourself (and ``touch``) when a test needs both.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

Release = tuple[int, str, str, str]  # (type, "YYYY-MM-DD", note, certification)
Translation = tuple[str, str, dict[str, str]]  # (iso_639_1, iso_3166_1, {"title", "overview", "tagline"})

_FIRST_NAMES = (
    "Ada", "Bruno", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Marco", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamsin",
)  # fmt: skip
_LAST_NAMES = (
    "Abara", "Brennan", "Castell", "Duval", "Ekberg", "Fontaine", "Gallo", "Haddad", "Ivers", "Jansen",
    "Kowalski", "Laurent", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rinaldi", "Sato", "Torres",
)  # fmt: skip
_GENRES = ((28, "Action"), (12, "Adventure"), (18, "Drama"), (878, "Science Fiction"), (53, "Thriller"), (35, "Comedy"))
_US_CERTS = ("G", "PG", "PG-13", "R")
_GB_CERTS = ("U", "PG", "12A", "15")
_FR_CERTS = ("U", "12", "16")


@dataclass
class SimMovie:
    """One film as TMDB holds it; every field is served as given (see :mod:`tests.tmdb_sim.answers`)."""

    id: int
    title: str
    release_date: str = ""
    original_title: str | None = None
    original_language: str = "en"
    overview: str = ""
    tagline: str = ""
    runtime: int = 0
    genres: list[tuple[int, str]] = field(default_factory=list)
    imdb_id: str | None = None
    wikidata_id: str | None = None
    poster_path: str | None = None
    backdrop_path: str | None = None
    collection: tuple[int, str] | None = None
    production_companies: list[tuple[int, str]] = field(default_factory=list)
    cast: list[tuple[int, str, str]] = field(default_factory=list)
    crew: list[tuple[int, str, str, str]] = field(default_factory=list)
    releases: dict[str, list[Release]] | None = None
    alternative_titles: list[tuple[str, str, str]] = field(default_factory=list)
    translations: list[Translation] = field(default_factory=list)
    missing: tuple[str, ...] = ()
    nulls: tuple[str, ...] = ()
    popularity: float = 10.0
    vote_average: float = 0.0
    vote_count: int = 0
    adult: bool = False
    status: str = "Released"
    budget: int = 0
    revenue: int = 0
    homepage: str = ""

    def __post_init__(self) -> None:
        if self.original_title is None:
            self.original_title = self.title

    def release_table(self) -> dict[str, list[Release]]:
        """The releases by country, with the default of the module docstring applied."""
        if self.releases is not None:
            return self.releases
        return {"US": [(3, self.release_date, "", "")]} if self.release_date else {}


@dataclass
class SimCollection:
    """A TMDB collection: its parts are served in ``part_ids`` order (TMDB's order is not chronological)."""

    id: int
    name: str
    part_ids: list[int]
    overview: str = ""
    poster_path: str | None = None
    backdrop_path: str | None = None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class TmdbWorld:
    """Films, collections and the change log; ``now`` is the simulator's clock (settable)."""

    movies: dict[int, SimMovie] = field(default_factory=dict)
    collections: dict[int, SimCollection] = field(default_factory=dict)
    changes: list[tuple[int, datetime]] = field(default_factory=list)
    now: datetime = field(default_factory=_now)

    def add_movie(self, movie_id: int, title: str, *, release_date: str = "", **fields: Any) -> SimMovie:
        """Add (or replace) a film; ``fields`` are :class:`SimMovie`'s."""
        movie = SimMovie(movie_id, title, release_date, **fields)
        self.movies[movie_id] = movie
        return movie

    def movie(self, movie_id: int) -> SimMovie:
        """The film with this id (KeyError if there is none)."""
        return self.movies[movie_id]

    def add_collection(self, collection_id: int, name: str, part_ids: list[int], **fields: Any) -> SimCollection:
        """A collection of films already added; each part's ``collection`` is set to it."""
        unknown = [i for i in part_ids if i not in self.movies]
        if unknown:
            raise KeyError(f"add the films first: {unknown}")
        collection = SimCollection(collection_id, name, list(part_ids), **fields)
        self.collections[collection_id] = collection
        for movie_id in part_ids:
            self.movies[movie_id].collection = (collection_id, name)
        return collection

    def make_collection(
        self, collection_id: int, name: str, *, count: int = 30, first_year: int = 1990
    ) -> list[SimMovie]:
        """Generate ``count`` films (ids ``collection_id * 1000 + 1 ..``), one a year, and their collection.

        Every film has genres, a cast (a recurring lead plus others), a director, writer, composer and
        producer, US/GB/FR theatrical releases with certifications (and a US premiere, and a digital
        release for every third film), French and German alternative titles and translations. The same
        arguments always give the same films; the collection lists its parts in a shuffled order.
        """
        rng = random.Random(collection_id * 7919 + count)
        base = collection_id * 1000
        clashes = [base + i for i in range(1, count + 1) if base + i in self.movies]
        if clashes:
            raise ValueError(f"film ids already used: {clashes[:5]}")
        people = [
            (base * 10 + k, f"{_FIRST_NAMES[k % len(_FIRST_NAMES)]} {_LAST_NAMES[(k * 7 + 3) % len(_LAST_NAMES)]}")
            for k in range(1, 61)
        ]
        lead, rival = people[0], people[1]
        saga = name.removesuffix(" Collection")
        films: list[SimMovie] = []
        for i in range(1, count + 1):
            movie_id = base + i
            day = date(first_year + i - 1, (i % 12) + 1, (i * 7) % 28 + 1)
            title = f"{saga} {i}"
            extras = rng.sample(people[2:40], 3)
            crew_pool = rng.sample(people[40:], 4)
            cast = [(lead[0], lead[1], "The Hero"), (rival[0], rival[1], "The Rival")]
            cast += [(pid, pname, f"Character {movie_id}-{n}") for n, (pid, pname) in enumerate(extras, 1)]
            crew = [
                (crew_pool[0][0], crew_pool[0][1], "Directing", "Director"),
                (crew_pool[1][0], crew_pool[1][1], "Writing", "Screenplay"),
                (crew_pool[2][0], crew_pool[2][1], "Sound", "Original Music Composer"),
                (crew_pool[3][0], crew_pool[3][1], "Production", "Producer"),
            ]
            iso = day.isoformat()
            us: list[Release] = [
                (1, (day - timedelta(days=7)).isoformat(), "Premiere", ""),
                (3, iso, "", _US_CERTS[i % len(_US_CERTS)]),
            ]
            if i % 3 == 0:
                us.append((4, (day + timedelta(days=120)).isoformat(), "", _US_CERTS[i % len(_US_CERTS)]))
            releases: dict[str, list[Release]] = {
                "US": us,
                "GB": [(3, (day + timedelta(days=14)).isoformat(), "", _GB_CERTS[i % len(_GB_CERTS)])],
                "FR": [(3, (day + timedelta(days=21)).isoformat(), "", _FR_CERTS[i % len(_FR_CERTS)])],
            }
            genre = _GENRES[i % len(_GENRES)]
            movie = self.add_movie(
                movie_id,
                title,
                release_date=iso,
                overview=f"Chapter {i} of {saga}.",
                tagline=f"Part {i}.",
                runtime=90 + (i * 13) % 60,
                genres=[genre, _GENRES[(i + 2) % len(_GENRES)]],
                imdb_id=f"tt{9000000 + movie_id}",
                wikidata_id=f"Q{7000000 + movie_id}",
                poster_path=f"/poster{movie_id}.jpg",
                backdrop_path=f"/backdrop{movie_id}.jpg",
                production_companies=[(collection_id * 10 + 1, f"{saga} Pictures")],
                cast=cast,
                crew=crew,
                releases=releases,
                alternative_titles=[("FR", f"{saga} : chapitre {i}", ""), ("DE", f"{saga} – Teil {i}", "")],
                translations=[
                    ("fr", "FR", {"title": f"{saga} : chapitre {i}", "overview": f"Chapitre {i}.", "tagline": ""}),
                    ("de", "DE", {"title": f"{saga} – Teil {i}", "overview": f"Teil {i}.", "tagline": ""}),
                ],
                popularity=round(5 + rng.random() * 50, 3),
                vote_average=round(5 + rng.random() * 4, 3),
                vote_count=rng.randrange(10, 5000),
            )
            films.append(movie)
        order = [m.id for m in films]
        rng.shuffle(order)
        self.add_collection(collection_id, name, order, overview=f"All {count} chapters of {saga}.")
        return films

    def log_change(self, movie_id: int) -> None:
        """Record that this film changed now (as TMDB's change log does)."""
        self.changes.append((movie_id, self.now))

    def move_release(self, movie_id: int, country: str, *, type: int, new_date: str) -> None:
        """Move the first release of this type in ``country`` (adding one if there is none); logs a change."""
        movie = self.movies[movie_id]
        table = {c: list(rs) for c, rs in movie.release_table().items()}
        rows = table.setdefault(country, [])
        for n, (kind, _old, note, cert) in enumerate(rows):
            if kind == type:
                rows[n] = (kind, new_date, note, cert)
                break
        else:
            rows.append((type, new_date, "", ""))
        movie.releases = table
        self.log_change(movie_id)

    def rename(self, movie_id: int, title: str) -> None:
        """Give the film a new title; logs a change."""
        self.movies[movie_id].title = title
        self.log_change(movie_id)

    def touch(self, movie_id: int) -> None:
        """Log a change without changing anything (TMDB logs edits that change nothing one imports)."""
        if movie_id not in self.movies:
            raise KeyError(movie_id)
        self.log_change(movie_id)

    def changed_between(self, start: datetime, end: datetime) -> list[int]:
        """Ids of films changed in [start, end), each once, most recent change first."""
        latest: dict[int, datetime] = {}
        for movie_id, when in self.changes:
            if start <= when < end:
                latest[movie_id] = max(when, latest.get(movie_id, when))
        return sorted(latest, key=lambda i: (latest[i], i), reverse=True)
