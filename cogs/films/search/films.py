"""The film index: films by title, original title, pack aliases and generated aliases.

Generated aliases: a declared series' ("Mission Impossible 7", "MI 7", the subtitle "Ghost
Protocol"); a series worked out from titles where the catalogue declares none ("Jaws 4" for "Jaws:
The Revenge", "LOTR 2", see `_series_names`); initialisms of a title and of its parts ("BTTF", "ROTJ", "TWOK",
"T2", see `_initialisms`), which only match exactly, as titles made of initials do ("L.I.E."); a
title's own year ("2001" for "2001: A Space Odyssey"); a title without a closing "Part One". Labels
are "Title (year)", with the pack (or key) added when two films share a title and year.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from cogs.films.search.index import EXACT_ONLY, MAX_CHOICE_CHARS, SHORT_NAME, TIER_GENERATED, TIER_NAME, Name, clip
from cogs.films.search.snapshots import Kept, KeptIndex
from cogs.films.search.text import ARTICLES, ROMAN_DIGITS, YEAR_RANGE, TextKeys, normalise

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


def film_label(title: str, year: int | None, detail: str | None = None) -> str:
    """ "Title (year)" cut to fit 100 characters, the year always kept (and not repeated when the
    title already ends with it); ``detail`` tells apart two films of one title and year."""
    if year is not None and detail is None and title.endswith(f"({year})"):
        return clip(title)
    inside = ", ".join(str(part) for part in (year, detail) if part is not None)
    suffix = f" ({inside})" if inside else ""
    return clip(title, MAX_CHOICE_CHARS - len(suffix)) + suffix


def shorten_label(label: str, limit: int) -> str:
    """A `film_label` cut to ``limit`` characters (a button's 80) with its "(year…)" kept, so remakes
    stay told apart however long their title."""
    if len(label) <= limit:
        return label
    title, opening, suffix = label.rpartition(" (")
    if not opening or not suffix.endswith(")") or len(suffix) + 3 >= limit:
        return clip(label, limit)
    return clip(title, limit - len(suffix) - 2) + " (" + suffix


def film_labels(films: Sequence[FilmLike]) -> list[str]:
    """Each film's `film_label`; films of one title and year (the same film in two packs, or two
    films of one pack) also named by their pack, or else their key, so no two labels are equal."""
    labels = [film_label(film.title, film.year) for film in films]
    for detail in (lambda film: getattr(film, "pack_id", None), lambda film: film.key):
        counts = Counter(labels)
        labels = [
            label if counts[label] == 1 else film_label(film.title, film.year, detail(film) or film.key)
            for label, film in zip(labels, films, strict=True)
        ]
    return labels


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
    def restore(cls, films: Iterable[F], snapshot: Kept) -> FilmIndex[F]:
        """The index a `snapshot` holds, for the same ``films`` in the same order; read on first use
        (or by `prepare`), which raises `SnapshotMismatch` if it does not fit them."""
        return cls._restore_keyed(films, snapshot)

    @classmethod
    def _index(cls, film_list: list[F], titles: list[FilmTitleLike], franchises: dict[int, str]) -> FilmIndex[F]:
        keys = TextKeys()
        position = {film.id: index for index, film in enumerate(film_list)}
        names: list[Name] = []
        in_series: list[int] = []
        for index, film in enumerate(film_list):
            # A title made of initials ("L.I.E.") is met exactly: one letter off is another word.
            names.append((index, film.title, TIER_NAME | EXACT_ONLY if _is_initials(film.title, keys) else TIER_NAME))
            names.extend(_without_part(index, film.title, keys))
            names.extend(_initialisms(index, film.title, keys))
            names.extend(_number_titles(index, film.title, film.year))
            franchise = franchises.get(film.id) or getattr(film, "franchise_name", None)
            if isinstance(franchise, str) and franchise.strip():
                names.extend(_franchise_names(index, film, franchise, keys))
            else:
                in_series.append(index)
        names.extend(_series_names(film_list, in_series, keys))
        for title in titles:
            if title.film_id in position:
                names.append(
                    (
                        position[title.film_id],
                        title.title,
                        TIER_NAME | SHORT_NAME if title.kind == "alias" else TIER_NAME,
                    )
                )
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
            labels=film_labels(film_list),
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
        generated.append((index, subtitle, TIER_GENERATED | SHORT_NAME))
        generated.extend((item, text, tier | SHORT_NAME) for item, text, tier in _without_part(index, subtitle, keys))
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


_TRAILING_ARTICLE = re.compile(r",\s*(?:the|a|an)\s*$", re.IGNORECASE)
_YEAR_AFTER = re.compile(r"^(.+?)\s*\((\d{4})\)$")
_NUMBER_FIRST = re.compile(r"^(\d{4})\s*[:–—-]")


def _number_titles(index: int, title: str, year: int) -> list[Name]:
    """A title's own name without its year ("Lolita (1962)" is "Lolita" of 1962), the year that a
    title begins with ("2001: A Space Odyssey" is what "2001" names, before the films of 2001), and
    a title with its article after it as typed without the comma ("Net The")."""
    names: list[Name] = []
    if _TRAILING_ARTICLE.search(title):
        names.append((index, title.replace(",", " "), TIER_NAME))  # "Net, The" typed without its comma
    found = _YEAR_AFTER.match(title)
    if found and int(found[2]) == year:
        names.append((index, found[1], TIER_NAME))
    first = _NUMBER_FIRST.match(title)
    if first and int(first[1]) in YEAR_RANGE:
        names.append((index, first[1], TIER_GENERATED))
    return names


def _is_initials(title: str, keys: TextKeys) -> bool:
    """Whether a title is initials only ("L.I.E.", "M*A*S*H"): two letters or more, each a word."""
    words = keys.normalise(title).split()
    return len(words) >= 2 and all(len(word) == 1 and word.isalpha() for word in words)


_PARTS = re.compile(r"\s*(?:[:;(\[–—|/]|\s-\s)\s*")
"""What separates a title's main title and subtitles ("Star Wars: Episode VI - Return of the Jedi")."""
_MIN_INITIALS = 3
"""Fewer initials than this name too many films ("DH", "TG") to be worth an alias."""


def _initialisms(index: int, title: str, keys: TextKeys) -> list[Name]:
    """The initials fans type for a title and for each of its parts ("BTTF", "ROTJ", "TWOK"), and the
    first word's initial with a number that follows it ("T2" for "Terminator 2: Judgment Day").

    Every word counts, articles and "of" included ("LOTR"); a leading article may be left out or
    not. Only words of letters make initials: "Part II" or "3-D" would make guesses. Exact-only.
    """
    found: set[str] = set()
    normal = keys.normalise(title)
    words = normal.split()
    if len(words) >= 2 and words[0].isalpha() and len(words[0]) > 1 and (number := _numeral(words[1])):
        found.add(f"{words[0][0]}{number}")
    parts = {normal} if _PARTS.search(title) is None else {normal, *map(keys.normalise, _PARTS.split(title))}
    for part in parts:
        part_words = part.split()
        if not part_words or not all(_initial_word(word) for word in part_words):
            continue
        for chosen in (part_words, part_words[1:] if part_words[0] in ARTICLES else part_words):
            if len(chosen) >= _MIN_INITIALS:
                found.add("".join(word[0] for word in chosen))
    return [(index, short.upper(), TIER_GENERATED | EXACT_ONLY) for short in sorted(found)]


_SERIES_WORDS = frozenset({"part", "chapter", "episode", "ep", "vol", "volume"})


def _own_title(title: str, year: int) -> str:
    """The title without the film's own year after it ("Lolita (1962)" of 1962 is "Lolita")."""
    found = _YEAR_AFTER.match(title)
    return found[1] if found and int(found[2]) == year else title


def _match_tokens(text: str, keys: TextKeys) -> list[str]:
    tokens = keys.tokens(text)
    return tokens[1:] if len(tokens) > 1 and tokens[0] in ARTICLES else tokens


def _numbered(title: str, keys: TextKeys) -> tuple[str, int] | None:
    """The base and number of a numbered title: the words before a number that ends one of its
    parts, less "Part" or "Episode" ("Friday the 13th Part VII: The New Blood" -> "friday the 13
    th", 7; "Star Wars: Episode VI - Return of the Jedi" -> "star wars", 6; "Jaws 3-D" -> "jaws",
    3). Not a number word ("Ocean's Eleven") nor one inside a phrase ("Around the World in 80 Days")."""
    before: list[str] = []
    for part in _PARTS.split(title):
        tokens = keys.tokens(part) if before else _match_tokens(part, keys)
        body = tokens[:-1] if len(tokens) > 2 and tokens[-2].isdecimal() and len(tokens[-1]) == 1 else tokens
        written = {_numeral(word) for word in keys.normalise(part).split()}
        if body and body[-1].isdecimal() and len(body[-1]) <= 2 and body[-1] in written:
            base = before + body[:-1]
            while base and base[-1] in _SERIES_WORDS:
                base = base[:-1]
            return (" ".join(base), int(body[-1])) if base else None
        before += tokens
    return None


def _series_names(films: list[F], candidates: list[int], keys: TextKeys) -> list[Name]:
    """ "Base N" for films of series the catalogue does not declare, worked out from titles.

    A base is a numbered title's words before its number (`_numbered`), a title that others begin
    with, then a separator ("Jaws", "Jaws: The Revenge"), or a main title several films share ("The
    Lord of the Rings: …"). Films of one base form a series when one of them is more than the base.
    The film titled the base itself is the first if it is the earliest ("Jaws"); a later one is a
    remake or a reboot and takes no number. The others take the number in their title, or else their
    place in release order ("Jaws: The Revenge" after Jaws, Jaws 2 and Jaws 3-D is 4), but only while
    every number before it agreed with that order: past a gap (a film the catalogue lacks) a place is
    a guess. The base's initials name them too ("LOTR 2"), exactly
    only. Linear in the films, less sorting within each series.
    """
    own = {index: _own_title(films[index].title, films[index].year) for index in candidates}
    own_keys = {index: " ".join(_match_tokens(title, keys)) for index, title in own.items()}
    numbered = {index: place for index in candidates if (place := _numbered(own[index], keys))}
    # Main titles two films or more share ("The Lord of the Rings: …") are bases too.
    mains = Counter(
        " ".join(_match_tokens(_PARTS.split(own[index], maxsplit=1)[0], keys))
        for index in candidates
        if index not in numbered and _PARTS.search(own[index])
    )
    shared = {main for main, count in mains.items() if count > 1 and main}
    bases = {base for base, _ in numbered.values()} | set(own_keys.values()) | shared
    series: dict[str, list[tuple[int, int | None]]] = {}
    for index in candidates:
        if index in numbered:
            base, number = numbered[index]
            series.setdefault(base, []).append((index, number))
            continue
        # The longest leading parts of the title that are a base ("Mission: Impossible" of
        # "Mission: Impossible – Ghost Protocol"), or the whole title.
        pieces = _PARTS.split(own[index])
        found = own_keys[index]
        for cut in range(len(pieces) - 1, 0, -1):
            leading = " ".join(_match_tokens(" ".join(pieces[:cut]), keys))
            if leading in bases:
                found = leading
                break
        series.setdefault(found, []).append((index, None))
    names: list[Name] = []
    for base, members in series.items():
        if len(members) < 2 or base.replace(" ", "").isdecimal():
            continue  # alone, or a number ("xXx" reads 30): no series to count in
        if all(number is None and own_keys[i] == base for i, number in members):
            continue  # remakes only
        members.sort(key=lambda member: (films[member[0]].year, member[1] or 0))
        words = base.split()
        # "BTTF 2", "LOTR 3": the base's initials, when it has two words or more, all of letters.
        initials = "".join(word[0] for word in words) if len(words) > 1 and all(map(_initial_word, words)) else ""
        expected = 1
        certain = True
        for index, given in members:
            if given is None and own_keys[index] == base:
                if expected != 1:
                    continue  # a remake or reboot of the first film: no number
                number = 1
            elif given is None:
                if not certain:
                    continue
                number = expected
            elif given < expected:
                continue  # numbered again ("Halloween 2" of 2009): its title says it already
            else:
                certain = certain and given == expected
                number = given
            expected = number + 1
            alias = f"{base} {number}"
            if keys.match_key(alias) != own_keys[index]:
                names.append((index, alias, TIER_GENERATED))
            if initials:
                names.append((index, f"{initials} {number}", TIER_GENERATED | EXACT_ONLY))
    return names


def _initial_word(word: str) -> bool:
    """Whether a word gives its initial to an initialism: letters, not a numeral, not a lone letter but "a"."""
    return word.isalpha() and (len(word) > 1 or word == "a") and not _numeral(word)


def _numeral(word: str) -> str | None:
    """The number a word writes in digits or Roman numerals ("2", "vii"), as digits; None otherwise."""
    if word.isdecimal():
        return str(int(word))
    return ROMAN_DIGITS.get(word)
