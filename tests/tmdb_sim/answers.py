"""TMDB's answers for a world's films, built on the spec's own example answers.

Each answer starts from the example of its operation (so keys keep TMDB's order and any field the
simulator has no opinion on keeps TMDB's value) and every field a film defines is overwritten. Without the
spec the same answers are built from the fields alone.

Appended parts (``append_to_response``) are shaped like their endpoint's answer without ``id``, as TMDB
sends them. ``language`` ("fr-FR", "fr") swaps in the title, overview and tagline of the film's matching
translation where those are not empty; ``en`` (the world's own language) changes nothing.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from .spec import TmdbSpec
from .world import SimCollection, SimMovie

APPENDABLE = ("credits", "release_dates", "alternative_titles", "translations", "external_ids")

_CONFIGURATION = {
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
    "change_keys": ["alternative_titles", "cast", "crew", "releases", "title", "translations"],
}
_COUNTRIES = {"US": "United States of America", "GB": "United Kingdom", "FR": "France", "DE": "Germany"}


def _fill(base: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The example's keys in its order, each overwritten by ``values``, then any key it lacks."""
    out = dict(base) if isinstance(base, dict) else {}
    out.update(values)
    return out


def _first(node: Any, key: str) -> Any:
    items = node.get(key) if isinstance(node, dict) else None
    return items[0] if isinstance(items, list) and items else {}


def credit_id(movie_id: int, kind: str, index: int, person_id: int) -> str:
    """A stable 24-hex-digit credit id, shaped like TMDB's."""
    return hashlib.sha1(f"{movie_id}/{kind}/{index}/{person_id}".encode()).hexdigest()[:24]


class Answers:
    """Build every answer the simulator serves; the spec (or None) supplies the example answers."""

    def __init__(self, spec: TmdbSpec | None) -> None:
        self._spec = spec
        self.languages: dict[str, tuple[str, str]] = {"en": ("English", "English")}
        for row in self._example("/3/movie/{movie_id}/translations").get("translations", []):
            if isinstance(row, dict) and row.get("name") and row.get("iso_639_1") not in self.languages:
                self.languages[row["iso_639_1"]] = (row["name"], row.get("english_name") or row["name"])

    def _example(self, template: str) -> Any:
        example = self._spec.example(template) if self._spec is not None else None
        return example if isinstance(example, dict) else {}

    # ---- the film, as the details answer and lists show it ---------------------------------------------

    @staticmethod
    def _localised(movie: SimMovie, language: str | None) -> dict[str, str]:
        texts = {"title": movie.title, "overview": movie.overview, "tagline": movie.tagline}
        if not language:
            return texts
        lang, _, country = language.partition("-")
        if lang == "en":
            return texts
        rows = [t for t in movie.translations if t[0] == lang]
        rows.sort(key=lambda t: t[1] != country)
        if rows:
            for key, value in rows[0][2].items():
                if key in texts and value:
                    texts[key] = value
        return texts

    @staticmethod
    def _nulled(movie: SimMovie, out: dict[str, Any]) -> dict[str, Any]:
        for key in movie.nulls:
            if key in out:
                out[key] = None
        return out

    def configuration(self) -> dict[str, Any]:
        """``/3/configuration``: the spec's example as it is."""
        example = self._example("/3/configuration")
        return example or copy.deepcopy(_CONFIGURATION)

    def details(self, movie: SimMovie, language: str | None) -> dict[str, Any]:
        """``/3/movie/{id}`` without appended parts."""
        texts = self._localised(movie, language)
        name, english = self.languages.get(movie.original_language, (movie.original_language, movie.original_language))
        collection = (
            None
            if movie.collection is None
            else {"id": movie.collection[0], "name": movie.collection[1], "poster_path": None, "backdrop_path": None}
        )
        out = _fill(
            self._example("/3/movie/{movie_id}"),
            {
                "adult": movie.adult,
                "backdrop_path": movie.backdrop_path,
                "belongs_to_collection": collection,
                "budget": movie.budget,
                "genres": [{"id": gid, "name": gname} for gid, gname in movie.genres],
                "homepage": movie.homepage,
                "id": movie.id,
                "imdb_id": movie.imdb_id,
                "original_language": movie.original_language,
                "original_title": movie.original_title,
                "overview": texts["overview"],
                "popularity": movie.popularity,
                "poster_path": movie.poster_path,
                "production_companies": [
                    {"id": cid, "logo_path": None, "name": cname, "origin_country": ""}
                    for cid, cname in movie.production_companies
                ],
                "production_countries": [{"iso_3166_1": "US", "name": _COUNTRIES["US"]}],
                "release_date": movie.release_date,
                "revenue": movie.revenue,
                "runtime": movie.runtime,
                "spoken_languages": [{"english_name": english, "iso_639_1": movie.original_language, "name": name}],
                "status": movie.status,
                "tagline": texts["tagline"],
                "title": texts["title"],
                "video": False,
                "vote_average": movie.vote_average,
                "vote_count": movie.vote_count,
            },
        )
        for key in movie.missing:
            out.pop(key, None)
        return self._nulled(movie, out)

    def _list_item(self, base: Any, movie: SimMovie, language: str | None) -> dict[str, Any]:
        texts = self._localised(movie, language)
        return self._nulled(
            movie,
            _fill(
                base,
                {
                    "adult": movie.adult,
                    "backdrop_path": movie.backdrop_path,
                    "genre_ids": [gid for gid, _ in movie.genres],
                    "id": movie.id,
                    "original_language": movie.original_language,
                    "original_title": movie.original_title,
                    "overview": texts["overview"],
                    "popularity": movie.popularity,
                    "poster_path": movie.poster_path,
                    "release_date": movie.release_date,
                    "title": texts["title"],
                    "video": False,
                    "vote_average": movie.vote_average,
                    "vote_count": movie.vote_count,
                },
            ),
        )

    # ---- the parts of a film -----------------------------------------------------------------------------

    def part(self, name: str, movie: SimMovie, language: str | None, *, appended: bool = False) -> dict[str, Any]:
        """One of :data:`APPENDABLE` for ``movie``: its own endpoint's answer, without ``id`` when appended."""
        body: dict[str, Any] = getattr(self, f"_{name}")(movie, language)
        if appended:
            body.pop("id", None)
        return body

    def _credits(self, movie: SimMovie, language: str | None) -> dict[str, Any]:
        example = self._example("/3/movie/{movie_id}/credits")
        cast_base, crew_base = _first(example, "cast"), _first(example, "crew")
        cast = [
            _fill(
                cast_base,
                {
                    "adult": False,
                    "gender": 0,
                    "id": pid,
                    "known_for_department": "Acting",
                    "name": pname,
                    "original_name": pname,
                    "popularity": 1.0,
                    "profile_path": None,
                    "cast_id": n + 1,
                    "character": character,
                    "credit_id": credit_id(movie.id, "cast", n, pid),
                    "order": n,
                },
            )
            for n, (pid, pname, character) in enumerate(movie.cast)
        ]
        crew = [
            _fill(
                crew_base,
                {
                    "adult": False,
                    "gender": 0,
                    "id": pid,
                    "known_for_department": department,
                    "name": pname,
                    "original_name": pname,
                    "popularity": 1.0,
                    "profile_path": None,
                    "credit_id": credit_id(movie.id, "crew", n, pid),
                    "department": department,
                    "job": job,
                },
            )
            for n, (pid, pname, department, job) in enumerate(movie.crew)
        ]
        return _fill(example, {"id": movie.id, "cast": cast, "crew": crew})

    def _release_dates(self, movie: SimMovie, language: str | None) -> dict[str, Any]:
        example = self._example("/3/movie/{movie_id}/release_dates")
        country_base = _first(example, "results")
        date_base = _first(country_base, "release_dates")
        results = [
            _fill(
                country_base,
                {
                    "iso_3166_1": country,
                    "release_dates": [
                        _fill(
                            date_base,
                            {
                                "certification": cert,
                                "descriptors": [],
                                "iso_639_1": "",
                                "note": note,
                                "release_date": f"{day}T00:00:00.000Z",
                                "type": kind,
                            },
                        )
                        for kind, day, note, cert in rows
                    ],
                },
            )
            for country, rows in movie.release_table().items()
        ]
        return _fill(example, {"id": movie.id, "results": results})

    def _alternative_titles(self, movie: SimMovie, language: str | None, country: str | None = None) -> dict[str, Any]:
        example = self._example("/3/movie/{movie_id}/alternative_titles")
        base = _first(example, "titles")
        titles = [
            _fill(base, {"iso_3166_1": iso, "title": title, "type": kind})
            for iso, title, kind in movie.alternative_titles
            if country is None or iso == country
        ]
        return _fill(example, {"id": movie.id, "titles": titles})

    def alternative_titles(self, movie: SimMovie, country: str | None) -> dict[str, Any]:
        """``/3/movie/{id}/alternative_titles``, optionally for one country."""
        return self._alternative_titles(movie, None, country)

    def _translations(self, movie: SimMovie, language: str | None) -> dict[str, Any]:
        example = self._example("/3/movie/{movie_id}/translations")
        base = _first(example, "translations")
        data_base = base.get("data") if isinstance(base, dict) else None
        rows = []
        for lang, country, data in movie.translations:
            name, english = self.languages.get(lang, (lang, lang))
            fields = {"homepage": "", "overview": "", "runtime": 0, "tagline": "", "title": ""}
            fields.update(data)
            rows.append(
                _fill(
                    base,
                    {
                        "iso_3166_1": country,
                        "iso_639_1": lang,
                        "name": name,
                        "english_name": english,
                        "data": _fill(data_base, fields),
                    },
                )
            )
        return _fill(example, {"id": movie.id, "translations": rows})

    def _external_ids(self, movie: SimMovie, language: str | None) -> dict[str, Any]:
        out = _fill(
            self._example("/3/movie/{movie_id}/external_ids"),
            {
                "id": movie.id,
                "imdb_id": movie.imdb_id,
                "wikidata_id": movie.wikidata_id,
                "facebook_id": None,
                "instagram_id": None,
                "twitter_id": None,
            },
        )
        return self._nulled(movie, out)

    # ---- lists ---------------------------------------------------------------------------------------------

    def collection(self, collection: SimCollection, parts: list[SimMovie], language: str | None) -> dict[str, Any]:
        """``/3/collection/{id}``: parts in the collection's own order, with TMDB's ``title`` fields."""
        example = self._example("/3/collection/{collection_id}")
        part_base = {k: v for k, v in _first(example, "parts").items() if k not in ("name", "original_name")}
        rows = []
        for movie in parts:
            row = self._list_item(part_base, movie, language)
            row["media_type"] = "movie"
            rows.append(row)
        return _fill(
            example,
            {
                "id": collection.id,
                "name": collection.name,
                "original_language": "en",
                "original_name": collection.name,
                "overview": collection.overview,
                "poster_path": collection.poster_path,
                "backdrop_path": collection.backdrop_path,
                "parts": rows,
            },
        )

    def search(
        self, movies: list[SimMovie], page: int, total: int, per_page: int, language: str | None
    ) -> dict[str, Any]:
        """One page of ``/3/search/movie`` (``movies`` are that page's films); no match is still one page."""
        example = self._example("/3/search/movie")
        base = _first(example, "results")
        return _fill(
            example,
            {
                "page": page,
                "results": [self._list_item(base, m, language) for m in movies],
                "total_pages": max(1, (total + per_page - 1) // per_page),
                "total_results": total,
            },
        )

    def changes(self, rows: list[SimMovie | int], page: int, total: int, per_page: int) -> dict[str, Any]:
        """One page of ``/3/movie/changes``; a film no longer in the world is listed with ``adult: null``."""
        example = self._example("/3/movie/changes")
        base = _first(example, "results")
        results = [
            _fill(base, {"id": r.id, "adult": r.adult} if isinstance(r, SimMovie) else {"id": r, "adult": None})
            for r in rows
        ]
        return _fill(
            example,
            {
                "results": results,
                "page": page,
                "total_pages": max(1, (total + per_page - 1) // per_page),
                "total_results": total,
            },
        )
