"""TMDB's answers turned into a content pack document (the dict a pack's TOML reads as).

Plain Python: no network and no discord. `bot.tmdb.fetch` asks TMDB; this module decides what of it
goes into the pack, and fixes or leaves out (and reports) whatever the pack format would refuse, so an
import always writes a pack that validates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from db.packs.countries import ISO_3166_ALPHA2

SITE = "https://www.themoviedb.org"
DEFAULT_CAST_LIMIT = 30
POSTER_SIZE, BACKDROP_SIZE = "w342", "w780"
FALLBACK_IMAGE_BASE = "https://image.tmdb.org/t/p/"

# The crew a card, a trivia question or a fan asks about; TMDB credits hundreds more on a large film.
CREW_JOBS: dict[str, frozenset[str]] = {
    "Directing": frozenset({"Director"}),
    "Writing": frozenset({"Screenplay", "Writer", "Story", "Novel", "Characters", "Author"}),
    "Sound": frozenset({"Original Music Composer", "Music"}),
    "Production": frozenset({"Producer"}),
    "Camera": frozenset({"Director of Photography"}),
    "Editing": frozenset({"Editor"}),
}
_SHORT_TEXT, _SYNOPSIS_TEXT, _GENRE_TEXT, _RATING_TEXT = 200, 1500, 40, 20
_CENTURY, _FUTURE_YEARS = 100, 10
_EARLY_TYPES = (1, 2)
_IMDB_FILM = re.compile(r"tt[0-9]{7,10}")
_IMDB_PERSON = re.compile(r"nm[0-9]{7,10}")
_WIKIDATA = re.compile(r"Q[1-9][0-9]{0,11}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_MIN_YEAR = 1870


@dataclass(frozen=True)
class ImportRequest:
    """What to import, as the `[tmdb]` table of the pack records it for a refresh."""

    language: str = "en-US"
    collections: tuple[int, ...] = ()
    movies: tuple[int, ...] = ()
    cast_limit: int = DEFAULT_CAST_LIMIT


@dataclass
class Answers:
    """Everything fetched for one pack: `/configuration`, each collection, each film with its
    appended credits, release dates, alternative titles, translations and external ids."""

    configuration: dict[str, Any]
    collections: list[dict[str, Any]]
    films: list[dict[str, Any]]


@dataclass
class Names:
    """Keys an earlier import gave, by TMDB id, so a refresh keeps them (a renamed film keeps its key,
    and with it every trivia question, reminder and announcement that points at it)."""

    films: dict[int, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)


@dataclass
class Built:
    """The pack document and one line for everything that was fixed or left out."""

    document: dict[str, Any]
    notes: list[str]


def slug(text: str) -> str:
    """ASCII-folded, lowercase, hyphenated: "Emmanuelle Béart" → "emmanuelle-beart" ("" if nothing is left)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def _text(value: Any, limit: int) -> str | None:
    """A clean one-line-ish string of at most `limit` characters, or None for empty/missing/non-text."""
    if not isinstance(value, str):
        return None
    cleaned = value.strip()
    if not cleaned:
        return None
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def _day(value: Any) -> dt.date | None:
    """TMDB's dates come as "1999-10-15" or "1999-10-15T00:00:00.000Z"; "" and null mean none."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _series_name(collection: Mapping[str, Any]) -> str:
    name = _text(collection.get("name"), _SHORT_TEXT) or f"TMDB collection {collection.get('id')}"
    return name.removesuffix(" Collection").strip() or name


def film_source(movie_id: int) -> str:
    return f"tmdb-movie-{movie_id}"


def collection_source(collection_id: int) -> str:
    return f"tmdb-collection-{collection_id}"


class _Builder:
    def __init__(self, answers: Answers, request: ImportRequest, names: Names, today: dt.date) -> None:
        self.answers = answers
        self.request = request
        self.names = names
        self.today = today
        self.notes: list[str] = []
        self.sources: dict[str, dict[str, Any]] = {}
        self.people: dict[int, dict[str, Any]] = {}
        self.companies: dict[int, dict[str, Any]] = {}
        self.taken_people = set(names.people.values())
        self.taken_companies: set[str] = set()
        self.taken_films = set(names.films.values())
        images = answers.configuration.get("images") or {}
        base = images.get("secure_base_url") if isinstance(images, Mapping) else None
        self.image_base = base if isinstance(base, str) and base.startswith("https://") else FALLBACK_IMAGE_BASE

    # ---- keys --------------------------------------------------------------------------------------------
    @staticmethod
    def _unique(wanted: str, fallback: str, taken: set[str]) -> str:
        """`wanted` (or `fallback` when the name slugs to nothing), numbered if another entry has it."""
        key = base = wanted or fallback
        number = 2
        while key in taken:
            key, number = f"{base}-{number}", number + 1
        taken.add(key)
        return key

    def person(self, credit: Mapping[str, Any]) -> str | None:
        person_id, name = credit.get("id"), _text(credit.get("name"), _SHORT_TEXT)
        if not isinstance(person_id, int) or name is None:
            return None
        if person_id in self.people:
            return str(self.people[person_id]["key"])
        key = self.names.people.get(person_id) or self._unique(slug(name), f"person-{person_id}", self.taken_people)
        self.people[person_id] = {"key": key, "name": name, "tmdb_id": person_id}
        return key

    def company(self, company: Mapping[str, Any]) -> str | None:
        company_id, name = company.get("id"), _text(company.get("name"), _SHORT_TEXT)
        if not isinstance(company_id, int) or name is None:
            return None
        if company_id not in self.companies:
            key = self._unique(slug(name), f"company-{company_id}", self.taken_companies)
            self.companies[company_id] = {"key": key, "name": name}
        return str(self.companies[company_id]["key"])

    # ---- the pack ----------------------------------------------------------------------------------------
    def build(self, pack: Mapping[str, Any], fetched: dt.datetime) -> dict[str, Any]:
        series, order_of = self.series()
        films = []
        titles_by_year: dict[tuple[int, str], str] = {}
        for answer in sorted(self.answers.films, key=lambda a: (order_of.get(a["id"], (0, 0)), a["id"])):
            film = self.film(answer, order_of.get(answer["id"]), series)
            if film is not None:
                self.drop_clashing_titles(film, titles_by_year)
                films.append(film)
        tmdb: dict[str, Any] = {
            "language": self.request.language,
            "collections": list(self.request.collections),
            "movies": list(self.request.movies),
            "cast_limit": self.request.cast_limit,
            "image_base_url": self.image_base,
            "fetched": fetched.replace(microsecond=0),
        }
        document: dict[str, Any] = {"pack": dict(pack), "tmdb": tmdb}
        if len(series) == 1 and all(film.get("series") == series[0]["key"] for film in films):
            document["franchise"] = series[0]
            for film in films:
                del film["series"]
        elif series:
            document["series"] = series
        document["source"] = list(self.sources.values())
        if self.companies:
            document["company"] = sorted(self.companies.values(), key=lambda c: str(c["key"]))
        if self.people:
            document["person"] = sorted(self.people.values(), key=lambda p: str(p["key"]))
        document["film"] = films
        return document

    def series(self) -> tuple[list[dict[str, str]], dict[int, tuple[int, int]]]:
        """One series per collection; each film's (collection position, place in release order)."""
        series = []
        taken: set[str] = set()
        order_of: dict[int, tuple[int, int]] = {}
        self.series_of: dict[int, str] = {}
        for position, collection in enumerate(self.answers.collections):
            collection_id = collection["id"]
            key = self._unique(slug(_series_name(collection)), f"collection-{collection_id}", taken)
            series.append({"key": key, "name": _series_name(collection)})
            self.sources[collection_source(collection_id)] = {
                "key": collection_source(collection_id),
                "ref": f"{SITE}/collection/{collection_id}",
                "description": f"TMDB: {_series_name(collection)}",
            }
            parts = [part for part in collection.get("parts") or [] if isinstance(part.get("id"), int)]
            # Release order; films without a date yet (announced) come last, in TMDB's id order.
            parts.sort(key=lambda part: (_day(part.get("release_date")) or dt.date.max, part["id"]))
            for place, part in enumerate(parts, start=1):
                order_of.setdefault(part["id"], (position, place))
                self.series_of.setdefault(part["id"], key)
        return series, order_of

    def film(
        self, answer: Mapping[str, Any], order: tuple[int, int] | None, series: Sequence[Mapping[str, str]]
    ) -> dict[str, Any] | None:
        movie_id = answer["id"]
        title = _text(answer.get("title"), _SHORT_TEXT) or _text(answer.get("original_title"), _SHORT_TEXT)
        if title is None:
            self.notes.append(f"film {movie_id}: left out, TMDB gives it no title")
            return None
        source = film_source(movie_id)
        self.sources[source] = {"key": source, "ref": f"{SITE}/movie/{movie_id}", "description": f"TMDB: {title}"}
        releases, certifications = self.releases(answer, title)
        year = self.year(answer, releases, title)
        if year is None:
            self.notes.append(f"{title} (TMDB {movie_id}): left out, it has no release date yet")
            return None
        releases = self.within_reach(releases, year, title)
        readable = f"{slug(title)}-{year}" if slug(title) else ""
        key = self.names.films.get(movie_id) or self._unique(readable, f"tmdb-{movie_id}", self.taken_films)
        film: dict[str, Any] = {"key": key}
        if order is not None:
            film["series"] = self.series_of[movie_id]
            film["franchise_order"] = order[1]
        film["title"] = title
        original = _text(answer.get("original_title"), _SHORT_TEXT)
        if original and original != title:
            film["original_title"] = original
        film["year"] = year
        runtime = answer.get("runtime")
        if isinstance(runtime, int) and 1 <= runtime <= 600:
            film["runtime"] = runtime
        for name, value, limit in (
            ("synopsis", answer.get("overview"), _SYNOPSIS_TEXT),
            ("tagline", answer.get("tagline"), _SHORT_TEXT),
        ):
            text = _text(value, limit)
            if text:
                film[name] = text
        genres = self.genres(answer)
        if genres:
            film["genres"] = genres
        companies = [self.company(company) for company in answer.get("production_companies") or []]
        if any(companies):
            film["companies"] = list(dict.fromkeys(key for key in companies if key))
        film.update(self.external_ids(answer, title))
        for name, path, size in (("poster", "poster_path", POSTER_SIZE), ("backdrop", "backdrop_path", BACKDROP_SIZE)):
            image = answer.get(path)
            if isinstance(image, str) and re.fullmatch(r"/[A-Za-z0-9._-]+", image):
                film[name] = f"{self.image_base}{size}{image}"
        film["source"] = source
        film["crew"] = self.crew(answer, source)
        film["cast"] = self.cast(answer, source)
        film["release"] = [{**release, "source": source} for release in releases]
        film["certification"] = [
            {"country": country, "rating": rating, "source": source}
            for country, rating in sorted(certifications.items())
        ]
        film["alias"] = self.aliases(answer, title, original, source)
        film["translation"] = self.translations(answer, film.get("synopsis"), source)
        return {name: value for name, value in film.items() if value != []}

    def genres(self, answer: Mapping[str, Any]) -> list[str]:
        seen: dict[str, str] = {}
        for genre in answer.get("genres") or []:
            name = _text(genre.get("name") if isinstance(genre, Mapping) else None, _GENRE_TEXT)
            if name:
                seen.setdefault(name.casefold(), name)
        return list(seen.values())

    def external_ids(self, answer: Mapping[str, Any], title: str) -> dict[str, Any]:
        ids: dict[str, Any] = {"tmdb_id": answer["id"]}
        external = answer.get("external_ids") or {}
        imdb = external.get("imdb_id") or answer.get("imdb_id")
        if isinstance(imdb, str) and imdb:
            if _IMDB_FILM.fullmatch(imdb):
                ids["imdb_id"] = imdb
            else:
                self.notes.append(f"{title}: IMDb id {imdb[:20]!r} left out, not an IMDb film id")
        wikidata = external.get("wikidata_id")
        if isinstance(wikidata, str) and _WIKIDATA.fullmatch(wikidata):
            ids["wikidata_id"] = wikidata
        return ids

    def releases(self, answer: Mapping[str, Any], title: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Every release TMDB gives with a known country, type and date; each country's age rating
        (its theatrical release's, else the first given)."""
        releases: dict[tuple[str, int, dt.date], dict[str, Any]] = {}
        ratings: dict[str, tuple[int, str]] = {}
        unknown: set[str] = set()
        for country_entry in (answer.get("release_dates") or {}).get("results") or []:
            country = country_entry.get("iso_3166_1")
            if country not in ISO_3166_ALPHA2:
                unknown.add(str(country)[:8])
                continue
            for entry in country_entry.get("release_dates") or []:
                day, kind = _day(entry.get("release_date")), entry.get("type")
                if day is None or not isinstance(kind, int) or not 1 <= kind <= 6:
                    continue
                note = _text(entry.get("note"), _SHORT_TEXT)
                release = releases.setdefault((country, kind, day), {"country": country, "date": day, "type": kind})
                if note and "note" not in release:
                    release["note"] = note
                rating = _text(entry.get("certification"), _RATING_TEXT)
                if rating:
                    rank = 0 if kind == 3 else 1
                    if country not in ratings or rank < ratings[country][0]:
                        ratings[country] = (rank, rating)
        if unknown:
            self.notes.append(
                f"{title}: releases in {', '.join(sorted(unknown))} left out (not an assigned ISO 3166-1 country)"
            )
        ordered = sorted(releases.values(), key=lambda r: (r["date"], r["country"], r["type"]))
        return ordered, {country: rating for country, (_, rating) in ratings.items()}

    def year(self, answer: Mapping[str, Any], releases: list[dict[str, Any]], title: str) -> int | None:
        """TMDB's year when the releases allow it, else the nearest year that does (see the pack format's
        rules on dates: the earliest release falls in the year; only premieres and limited releases may
        come the year before)."""
        wanted = _day(answer.get("release_date"))
        latest = self.today.year + _FUTURE_YEARS
        kept = [r for r in releases if r["date"].year <= latest]
        if wanted is None and not kept:
            return None
        year = wanted.year if wanted else min(r["date"].year for r in kept)
        near = [r for r in kept if r["date"].year <= year + _CENTURY]
        if near:
            general = min((r["date"].year for r in near if r["type"] not in _EARLY_TYPES), default=None)
            early = min((r["date"].year for r in near if r["type"] in _EARLY_TYPES), default=None)
            low = min(y for y in (general, early) if y is not None)
            high = min(y for y in (general, None if early is None else early + 1) if y is not None)
            if not low <= year <= high:
                fixed = max(low, min(year, high))
                self.notes.append(f"{title}: year {year} from TMDB does not fit its releases; {fixed} used")
                year = fixed
        if not _MIN_YEAR <= year <= latest:
            return None
        return year

    def within_reach(self, releases: list[dict[str, Any]], year: int, title: str) -> list[dict[str, Any]]:
        """Releases a pack accepts for a film of `year`; the rest are reported."""
        latest = min(year + _CENTURY, self.today.year + _FUTURE_YEARS)
        kept = [r for r in releases if r["date"].year <= latest]
        if len(kept) < len(releases):
            self.notes.append(f"{title}: {len(releases) - len(kept)} release(s) after {latest} left out")
        return kept

    def crew(self, answer: Mapping[str, Any], source: str) -> list[dict[str, Any]]:
        crew = []
        seen: set[tuple[str, str]] = set()
        for credit in (answer.get("credits") or {}).get("crew") or []:
            department, job = credit.get("department"), credit.get("job")
            if job not in CREW_JOBS.get(department, ()):
                continue
            person = self.person(credit)
            if person is None or (person, job) in seen:
                continue
            seen.add((person, job))
            crew.append({"person": person, "department": department, "job": job, "source": source})
        return crew

    def cast(self, answer: Mapping[str, Any], source: str) -> list[dict[str, Any]]:
        """The cast in billing order, at most `cast_limit`; an actor TMDB lists twice gets one entry
        naming both characters."""
        credits = [c for c in (answer.get("credits") or {}).get("cast") or [] if isinstance(c, Mapping)]
        credits.sort(key=_billing)
        cast: dict[str, dict[str, Any]] = {}
        for credit in credits:
            person = self.person(credit)
            if person is None:
                continue
            character = _text(credit.get("character"), _SHORT_TEXT)
            if person in cast:
                earlier = cast[person].get("character")
                if character and earlier and character not in earlier:
                    cast[person]["character"] = _text(f"{earlier} / {character}", _SHORT_TEXT)
                continue
            if len(cast) == self.request.cast_limit:
                continue
            entry: dict[str, Any] = {"person": person, "order": len(cast) + 1}
            if character:
                entry["character"] = character
            entry["source"] = source
            cast[person] = entry
        return list(cast.values())

    def aliases(self, answer: Mapping[str, Any], title: str, original: str | None, source: str) -> list[dict[str, Any]]:
        """Alternative titles (by country) and translated titles (by language and country)."""
        seen = {title.casefold(), (original or title).casefold()}
        aliases = []

        def add(text: Any, kind: str, language: Any, country: Any) -> None:
            name = _text(text, _SHORT_TEXT)
            if name is None or name.casefold() in seen:
                return
            entry: dict[str, Any] = {"title": name, "kind": kind}
            if isinstance(language, str) and _LANGUAGE.fullmatch(language):
                entry["language"] = language
            if country in ISO_3166_ALPHA2:
                entry["country"] = country
            if "language" in entry or "country" in entry:
                seen.add(name.casefold())
                aliases.append({**entry, "source": source})

        for translation in (answer.get("translations") or {}).get("translations") or []:
            data = translation.get("data") or {}
            add(data.get("title"), "translation", translation.get("iso_639_1"), translation.get("iso_3166_1"))
        for alternative in (answer.get("alternative_titles") or {}).get("titles") or []:
            add(alternative.get("title"), "alternative", None, alternative.get("iso_3166_1"))
        return aliases

    def translations(self, answer: Mapping[str, Any], synopsis: str | None, source: str) -> list[dict[str, Any]]:
        """The synopsis in each other language TMDB has one in (its titles are aliases already): one per
        language and country, none repeating the film's own."""
        seen = {synopsis} if synopsis else set()
        places: set[tuple[str, str | None]] = set()
        translations = []
        for translation in (answer.get("translations") or {}).get("translations") or []:
            language, country = translation.get("iso_639_1"), translation.get("iso_3166_1")
            overview = _text((translation.get("data") or {}).get("overview"), _SYNOPSIS_TEXT)
            if not (isinstance(language, str) and _LANGUAGE.fullmatch(language)) or overview is None:
                continue
            place = (language, country if country in ISO_3166_ALPHA2 else None)
            if overview in seen or place in places:
                continue
            seen.add(overview)
            places.add(place)
            entry: dict[str, Any] = {"language": language}
            if place[1] is not None:
                entry["country"] = place[1]
            translations.append({**entry, "synopsis": overview, "source": source})
        return translations

    def drop_clashing_titles(self, film: dict[str, Any], titles_by_year: dict[tuple[int, str], str]) -> None:
        """A pack may not give two films of one year the same title or alias: a later film's clashing
        aliases are left out (its own title is kept; two same-year namesakes differ by their TMDB id)."""
        year = film["year"]
        for name in (film["title"], film.get("original_title")):
            if name:
                titles_by_year.setdefault((year, name.casefold()), film["key"])
        kept = []
        for alias in film.get("alias", []):
            owner = titles_by_year.setdefault((year, alias["title"].casefold()), film["key"])
            if owner == film["key"]:
                kept.append(alias)
            else:
                self.notes.append(f"{film['title']}: alias {alias['title']!r} left out, {owner} has it too")
        if kept:
            film["alias"] = kept
        else:
            film.pop("alias", None)


def _billing(credit: Mapping[str, Any]) -> int:
    order = credit.get("order")
    return order if isinstance(order, int) else 10_000


def build_document(
    answers: Answers,
    request: ImportRequest,
    pack: Mapping[str, Any],
    *,
    fetched: dt.datetime,
    names: Names | None = None,
) -> Built:
    """The pack document for `answers`; `pack` is the `[pack]` table (id, name, version, description)."""
    builder = _Builder(answers, request, names or Names(), fetched.date())
    document = builder.build(pack, fetched)
    return Built(document, builder.notes)


def default_pack_table(answers: Answers, pack_id: str | None) -> dict[str, str]:
    """A `[pack]` table named after the first collection, else the first film."""
    if answers.collections:
        name = _series_name(answers.collections[0])
    elif answers.films:
        name = _text(answers.films[0].get("title"), _SHORT_TEXT) or "TMDB films"
    else:
        name = "TMDB films"
    what = ", ".join(_series_name(c) for c in answers.collections[:3]) or name
    return {
        "id": pack_id or f"{slug(name) or 'films'}-tmdb",
        "name": name,
        "version": "1.0.0",
        "description": f"Imported from TMDB: {what}.",
    }


def known_names(document: Mapping[str, Any]) -> Names:
    """The keys a pack document gave each TMDB id (an earlier import's file)."""
    names = Names()
    for film in document.get("film") or []:
        if isinstance(film, Mapping) and isinstance(film.get("tmdb_id"), int):
            names.films[film["tmdb_id"]] = str(film.get("key"))
    for person in document.get("person") or []:
        if isinstance(person, Mapping) and isinstance(person.get("tmdb_id"), int):
            names.people[person["tmdb_id"]] = str(person.get("key"))
    return names
