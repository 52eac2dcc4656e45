"""The film index: films by title, original title, pack aliases and generated aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

from cogs.films.search.index import MAX_CHOICE_CHARS, TIER_GENERATED, TIER_NAME, Name, clip
from cogs.films.search.snapshots import KeptIndex
from cogs.films.search.text import ARTICLES, TextKeys, normalise

F = TypeVar("F", bound="FilmLike")


class FilmLike(Protocol):
    """What the film index needs of a film (``db`` ``Film`` and ``FilmSummary`` fit).

    A ``franchise_name`` attribute, when the object has one (``Film`` does), is
    used to generate franchise aliases; ``FilmIndex.build`` can also be given names.
    """

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def franchise_order(self) -> int | None: ...


class FilmTitleLike(Protocol):
    """One title of a film (``db`` ``FilmTitle`` fits); ``kind`` is title, original or alias."""

    @property
    def film_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...


_SEPARATORS = " \t:–—-−|/,."


def _initials(franchise: str, keys: TextKeys | None = None) -> str | None:
    """Initials of a franchise name ("Mission: Impossible" -> "mi"), if two or more."""
    normal = keys.normalise(franchise) if keys is not None else normalise(franchise)
    words = [word for word in normal.split() if word not in ARTICLES and word not in {"of", "and"}]
    initials = "".join(word[0] for word in words if word[0].isalpha())
    return initials if len(initials) >= 2 else None


def _subtitle(title: str, franchise: str, keys: TextKeys | None = None) -> str | None:
    """The part of ``title`` after the franchise name ("Ghost Protocol"), if it has words."""
    keys = keys or TextKeys()
    title_key, franchise_key = keys.search_key(title), keys.search_key(franchise)
    if not franchise_key or not title_key.startswith(franchise_key + " "):
        return None
    if title.casefold().startswith(franchise.casefold()):
        rest = title[len(franchise) :].strip(_SEPARATORS)
    else:
        rest = title_key[len(franchise_key) + 1 :]
    # A bare number ("2", "III") is not a subtitle: it would make "2" name a film.
    return rest if any(not token.isdecimal() for token in keys.tokens(rest)) else None


def film_label(title: str, year: int | None) -> str:
    """ "Title (year)" cut to fit 100 characters, the year always kept."""
    suffix = f" ({year})" if year is not None else ""
    return clip(title, MAX_CHOICE_CHARS - len(suffix)) + suffix


class FilmIndex(KeptIndex[F]):
    """Films by title, original title, pack aliases and generated aliases."""

    # Films have no first names or surnames, the short shared names that crowd the fuzzy pool of
    # people and characters ("Ana" of a thousand Anas): a smaller pool holds a whole franchise's
    # names (39 films × about 3 names at most in the synthetic catalogue), and a typo'd title is
    # resolved sooner for scoring fewer names.
    _fuzzy_pool = 150
    # A fuzzy match names a film only when it looks like a typo of one of its names: the catalogue
    # holds thousands of titles one word or two letters from each other ("Argo", "Fargo").
    _typos_only = True

    @classmethod
    def build(
        cls,
        films: Iterable[F],
        titles: Iterable[FilmTitleLike] = (),
        *,
        franchise_names: Mapping[int, str] | None = None,
    ) -> FilmIndex[F]:
        """Index ``films`` with their ``titles`` (from ``CatalogueRepository.film_titles``).

        ``franchise_names`` maps a film id to its franchise name when the film
        objects carry none (``FilmSummary``). From a franchise name and position
        the aliases "MI 7", "Mission Impossible 7" (and so "MI7", "M:I-7",
        "Mission: Impossible VII"...) and the subtitle ("Dead Reckoning Part One")
        are generated.
        """
        film_list = list(films)
        title_list = list(titles)
        franchises = dict(franchise_names or {})
        return cls._deferred(lambda: cls._index(film_list, title_list, franchises))

    @classmethod
    def restore(cls, films: Iterable[F], snapshot: bytes) -> FilmIndex[F]:
        """The index a `snapshot` holds, for the same ``films`` in the same order; read on first use
        (or by `prepare`), which raises `SnapshotMismatch` if it does not fit them."""
        return cls._restore_keyed(films, snapshot)

    @classmethod
    def _index(cls, film_list: list[F], titles: list[FilmTitleLike], franchises: dict[int, str]) -> FilmIndex[F]:
        keys = TextKeys()
        position = {film.id: index for index, film in enumerate(film_list)}
        names: list[Name] = []
        for index, film in enumerate(film_list):
            names.append((index, film.title, TIER_NAME))
            names.extend(_without_part(index, film.title, keys))
            franchise = franchises.get(film.id) or getattr(film, "franchise_name", None)
            if isinstance(franchise, str) and franchise.strip():
                names.extend(_franchise_names(index, film, franchise, keys))
        for title in titles:
            if title.film_id in position:
                names.append((position[title.film_id], title.title, TIER_NAME))
                if title.kind != "alias":
                    names.extend(_without_part(position[title.film_id], title.title, keys))

        def browse(index: int) -> tuple[bool, int, int, str]:
            film = film_list[index]
            order = film.franchise_order
            return (order is None, order or 0, film.year, keys.normalise(film.title))

        return cls(
            film_list,
            names,
            keys=[film.key for film in film_list],
            labels=[film_label(film.title, film.year) for film in film_list],
            years=[film.year for film in film_list],
            extra_numbers=[
                frozenset({film.year} | ({film.franchise_order} if film.franchise_order is not None else set()))
                for film in film_list
            ],
            browse_order=sorted(range(len(film_list)), key=browse),
            cache=keys,
        )


def _franchise_names(index: int, film: FilmLike, franchise: str, keys: TextKeys) -> list[Name]:
    """Aliases generated from a film's franchise name and position."""
    generated: list[Name] = []
    order = film.franchise_order
    initials = _initials(franchise, keys)
    if order is not None:
        generated.append((index, f"{franchise} {order}", TIER_GENERATED))
        if initials:
            generated.append((index, f"{initials.upper()} {order}", TIER_GENERATED))
    if initials and keys.search_key(film.title) == keys.search_key(franchise):
        # The eponymous first film is also plain "MI" / "M:I".
        generated.append((index, initials.upper(), TIER_GENERATED))
    subtitle = _subtitle(film.title, franchise, keys)
    if subtitle:
        generated.append((index, subtitle, TIER_GENERATED))
        generated.extend(_without_part(index, subtitle, keys))
    return generated


_PART_SUFFIX = re.compile(r"^(.+?)\s+(?:part|chapter|volume|vol)\s+\d+$")


def _without_part(index: int, title: str, keys: TextKeys) -> list[Name]:
    """The title without a closing "Part One" / "Chapter 2", as people often say it.

    Only titles and subtitles get one, never pack aliases: "Dead Reckoning Part
    Two" (an alias of the eighth film) must not also claim "Dead Reckoning".
    """
    key = keys.search_key(title)
    if " " not in key:
        return []
    found = _PART_SUFFIX.match(key)
    return [(index, found.group(1), TIER_GENERATED)] if found else []
