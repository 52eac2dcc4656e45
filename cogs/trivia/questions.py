"""Trivia questions: the pack's hand-written ones, ones generated from the catalogue, and picking a game's set.

Everything here is pure: no Discord, no database, no clock, and randomness only
through an injected :class:`random.Random`, so a seeded game is reproducible.

* :class:`Question` is one question in the form every other trivia module uses.
* :func:`from_pack` turns a stored :class:`~db.repositories.models.TriviaQuestion`
  into a ``Question``; given a :class:`NameBook` it also learns which films the
  question names (for the spoiler gate) and whether the answer is a person, a film,
  a character or a year (for answer checking).
* :func:`generate` writes questions from the catalogue itself (seven templates), so
  any franchise pack gets trivia without hand-written questions.
* :func:`choices` shuffles four buttons; :func:`select_questions` picks a game's
  questions (filters, spoiler gate, no repeats, recently asked questions last).
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from rapidfuzz import fuzz

from cogs.films.search.characters import Character, CharacterIndex
from cogs.films.search.text import normalise, normalise_answer, search_key
from db.repositories.models import CastCredit, CrewCredit, Film, FilmTitle, Person, TriviaQuestion

__all__ = [
    "DIFFICULTIES",
    "MAX_QUESTIONS",
    "MAX_WRONG",
    "MIN_QUESTIONS",
    "AnswerKind",
    "Difficulty",
    "DifficultyChoice",
    "Mode",
    "NameBook",
    "Question",
    "build_pool",
    "choices",
    "film_order",
    "from_pack",
    "generate",
    "question_json",
    "select_questions",
]

Difficulty = Literal["easy", "medium", "hard"]
DifficultyChoice = Literal["easy", "medium", "hard", "mixed"]
AnswerKind = Literal["person", "film", "year", "character", "text"]
Mode = Literal["buttons", "typed"]

DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
MIN_QUESTIONS = 1
MAX_QUESTIONS = 30
MAX_WRONG = 5
"""Wrong choices kept per generated question: more than the three shown, so the buttons vary between games."""
_MIN_WRONG = 3


@dataclass(frozen=True)
class Question:
    """One trivia question.

    ``answer`` is the canonical answer shown on reveal; ``accepted`` every spelling
    accepted as typed (the answer included); ``wrong`` the wrong choices (at least
    three, all distinct from every accepted spelling). ``film_key`` is the film the
    question is about (shown on reveal, used by the film filter); ``reveals`` every
    film the question, its answer or its choices name, which the spoiler gate checks.

    ``answer_kind`` tells the answer checker what the answer names: a ``person``
    (surname and small typos accepted), a ``film`` (any alias of that film), a
    ``character``, a ``year`` or other ``text`` (exact after normalising). When
    known, ``answer_ref`` is the catalogue key of that person, film or character.
    ``needs_choices`` marks "which of these…" questions that typed mode cannot ask;
    ``topic`` groups questions a game should not ask twice ("who plays Ethan Hunt"
    in two films); ``spoiler`` is the pack's flag for plot reveals.
    """

    key: str
    text: str
    answer: str
    accepted: tuple[str, ...]
    wrong: tuple[str, ...]
    difficulty: Difficulty
    category: str
    film_key: str | None
    reveals: frozenset[str]
    answer_kind: AnswerKind
    answer_ref: str | None = None
    needs_choices: bool = False
    topic: str = ""
    spoiler: bool = False

    @property
    def group(self) -> str:
        """The topic used to avoid near-duplicates in one game (the key when no topic is set)."""
        return self.topic or self.key


# --------------------------------------------------------------------------- film order


def _film_sort_key(film: Film) -> tuple[bool, int, int, str, str]:
    """Franchise order, then year: the order the spoiler gate and "introduced" questions use."""
    return (film.franchise_order is None, film.franchise_order or 0, film.year, normalise(film.title), film.key)


def film_order(films: Iterable[Film]) -> dict[str, int]:
    """Each film key's position (0 = first) by franchise order, then year, as the spoiler gate needs it."""
    return {film.key: position for position, film in enumerate(sorted(films, key=_film_sort_key))}


# --------------------------------------------------------------------------- pack questions


@dataclass(frozen=True)
class NameBook:
    """Known names of films, people and characters by key, for reading hand-written questions.

    ``films`` maps a film key to its title, original title and aliases; ``people`` a
    person key to name and aliases; ``characters`` a character key (as
    ``CharacterIndex`` makes it) to its name and nicknames. ``titles`` maps a film
    key to its title alone: only an answer equal to a film's own title makes a
    question a film question (an alias may be the very thing a question asks
    about, such as a working title).
    """

    films: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    characters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        films: Sequence[Film],
        titles: Iterable[FilmTitle] = (),
        people: Iterable[Person] = (),
        cast: Iterable[CastCredit] = (),
        characters: Sequence[Character] | None = None,
    ) -> NameBook:
        """A name book from the catalogue as ``CatalogueRepository`` returns it.

        ``characters`` (from a ``CharacterIndex`` already built) saves building one again from ``cast``.
        """
        key_of = {film.id: film.key for film in films}
        film_names: dict[str, list[str]] = {film.key: [film.title, film.original_title] for film in films}
        for title in titles:
            if title.film_id in key_of:
                film_names[key_of[title.film_id]].append(title.title)
        if characters is None:
            characters = CharacterIndex.build(cast, films).items
        return cls(
            films={key: tuple(dict.fromkeys(names)) for key, names in film_names.items()},
            titles={film.key: film.title for film in films},
            people={person.key: (person.name, *person.aliases) for person in people},
            characters={character.key: (character.name, *character.aliases) for character in characters},
        )

    @cached_property
    def _film_names_by_first_word(self) -> dict[str, list[tuple[int, tuple[str, ...], str]]]:
        """Film spellings as search-key tokens, grouped by their first token.

        Built once per book: a pack's questions ask hundreds of times, and a large catalogue
        has tens of thousands of titles, so each text only looks at names starting with one of
        its own words. The int is the name's rank (longest first) for the greedy match.
        """
        names: list[tuple[tuple[str, ...], str]] = []
        for key, spellings in self.films.items():
            for spelling in spellings:
                tokens = tuple(search_key(spelling).split())
                if tokens and not (len(tokens) == 1 and len(tokens[0]) < 3):
                    names.append((tokens, key))
        names.sort(key=lambda pair: -len(pair[0]))
        by_first: dict[str, list[tuple[int, tuple[str, ...], str]]] = defaultdict(list)
        for rank, (tokens, key) in enumerate(names):
            by_first[tokens[0]].append((rank, tokens, key))
        return dict(by_first)

    @cached_property
    def person_by_answer(self) -> dict[str, str]:
        """Every normalised spelling of a person's name to their key (first person wins)."""
        found: dict[str, str] = {}
        for key, spellings in self.people.items():
            for spelling in spellings:
                found.setdefault(normalise_answer(spelling), key)
        return found

    @cached_property
    def film_by_title(self) -> dict[str, str]:
        """Each film's own title, normalised, to its key."""
        found: dict[str, str] = {}
        for key, title in self.titles.items():
            found.setdefault(normalise(title), key)
        return found

    @cached_property
    def character_by_answer(self) -> dict[str, str]:
        """Each character's main name, normalised, to its key."""
        found: dict[str, str] = {}
        for key, spellings in self.characters.items():
            found.setdefault(normalise_answer(spellings[0]), key)
        return found

    def films_named_in(self, texts: Iterable[str]) -> frozenset[str]:
        """Keys of the films whose title or alias appears in any of ``texts``.

        Names are found as whole runs of search-key tokens, longest first and without
        overlaps, so "Mission: Impossible – Fallout" names Fallout and not also the
        first film "Mission: Impossible". One-token names shorter than three
        characters ("M:I" -> "mi") are ignored: they are too easily plain words.
        """
        found: set[str] = set()
        by_first = self._film_names_by_first_word
        for text in texts:
            words = search_key(text).split()
            matches = [
                (rank, start, len(tokens), key)
                for start, word in enumerate(words)
                for rank, tokens, key in by_first.get(word, ())
                if tuple(words[start : start + len(tokens)]) == tokens
            ]
            taken = [False] * len(words)
            # Longest names first, then left to right, never overlapping.
            for _rank, start, size, key in sorted(matches):
                if not any(taken[start : start + size]):
                    found.add(key)
                    taken[start : start + size] = [True] * size
        return frozenset(found)


_YEAR = re.compile(r"\d{4}")
_WHICH_OF_THESE = re.compile(r"\bwhich of th(?:ese|e following)\b", re.IGNORECASE)


def _answer_kind(answer: str, names: NameBook) -> tuple[AnswerKind, str | None]:
    """What a hand-written answer names, with the catalogue key when it is a person, film or character.

    Only an exact full name counts (normalised, numbers not unified for films): a
    question whose answer merely resembles a title, like the on-screen title
    "Mission: Impossible II", stays plain text and is checked exactly.
    """
    if _YEAR.fullmatch(answer.strip()) and 1870 <= int(answer) <= 2100:
        return "year", None
    wanted = normalise_answer(answer)
    if wanted in names.person_by_answer:
        return "person", names.person_by_answer[wanted]
    plain = normalise(answer)
    if plain in names.film_by_title:
        return "film", names.film_by_title[plain]
    # One-word answers stay text: "Paris" the premiere city is not the character Paris,
    # and a one-word name has no surname to infer anyway.
    if len(wanted.split()) >= 2 and wanted in names.character_by_answer:
        return "character", names.character_by_answer[wanted]
    return "text", None


def from_pack(q: TriviaQuestion, names: NameBook | None = None) -> Question:
    """A hand-written question as a :class:`Question`.

    Without ``names`` the answer is plain text (checked against the pack's accepted
    spellings only) and the question reveals only its own film.
    """
    book = names or NameBook()
    kind, ref = _answer_kind(q.answers[0], book)
    reveals = {q.film_key} if q.film_key else set()
    reveals |= book.films_named_in([q.question, *q.answers, *q.wrong])
    difficulty: Difficulty = "medium"
    for known in DIFFICULTIES:
        if q.difficulty == known:
            difficulty = known
    return Question(
        key=q.key,
        text=q.question,
        answer=q.answers[0],
        accepted=tuple(dict.fromkeys(q.answers)),
        wrong=tuple(dict.fromkeys(q.wrong)),
        difficulty=difficulty,
        category=q.category,
        film_key=q.film_key,
        reveals=frozenset(reveals),
        answer_kind=kind,
        answer_ref=ref,
        needs_choices=bool(_WHICH_OF_THESE.search(q.question)),
        spoiler=q.spoiler,
    )


# --------------------------------------------------------------------------- generated questions

_DIRECTOR_JOBS = frozenset({"director"})
_COMPOSER_JOBS = frozenset({"original music composer", "composer", "music", "music composer", "original music"})
_SAME_CHARACTER_RATIO = 85.0
"""One person's two spellings of a character this alike are one role ("Erica Sloan", "Erika Sloane" = 87)."""


@dataclass(frozen=True)
class _PersonRef:
    key: str
    name: str


def _slug(text: str) -> str:
    """A key fragment: the search key with hyphens ("Ethan Hunt" -> "ethan-hunt")."""
    return search_key(text).replace(" ", "-")


class _Catalogue:
    """The catalogue rearranged for generating questions: films in order and people pools."""

    def __init__(
        self,
        films: Sequence[Film],
        cast: Mapping[int, Sequence[CastCredit]],
        crew: Mapping[int, Sequence[CrewCredit]],
        characters: Sequence[Character] | None = None,
    ) -> None:
        self.films = sorted(films, key=_film_sort_key)
        self.position = {film.key: index for index, film in enumerate(self.films)}
        self.cast = {film.id: sorted(cast.get(film.id, ()), key=lambda c: c.billing_order) for film in self.films}
        self.crew = {film.id: list(crew.get(film.id, ())) for film in self.films}
        credits = [credit for film in self.films for credit in self.cast[film.id]]
        self.characters: tuple[Character, ...] = (
            tuple(characters) if characters is not None else CharacterIndex.build(credits, self.films).items
        )
        self.directors = self._pool(lambda film: self.crew_with(film, _DIRECTOR_JOBS))
        self.composers = self._pool(lambda film: self.crew_with(film, _COMPOSER_JOBS))
        self.all_crew = self._pool(lambda film: [_PersonRef(c.person_key, c.person_name) for c in self.crew[film.id]])
        self.all_cast = self._pool(lambda film: [_PersonRef(c.person_key, c.person_name) for c in self.cast[film.id]])

    def crew_with(self, film: Film, jobs: frozenset[str]) -> list[_PersonRef]:
        """The film's crew members with one of ``jobs``, each once, in credit order."""
        people = [_PersonRef(c.person_key, c.person_name) for c in self.crew[film.id] if c.job.casefold() in jobs]
        return list(dict.fromkeys(people))

    def _pool(self, people_of: Callable[[Film], Iterable[_PersonRef]]) -> list[_PersonRef]:
        """Everyone ``people_of(film)`` lists, each once, in film order."""
        pool: dict[str, _PersonRef] = {}
        for film in self.films:
            for person in people_of(film):
                pool.setdefault(person.key, person)
        return list(pool.values())

    def cast_keys(self, film: Film) -> set[str]:
        return {credit.person_key for credit in self.cast[film.id]}

    def crew_keys(self, film: Film) -> set[str]:
        return {credit.person_key for credit in self.crew[film.id]}


# Pure and called for the same few thousand names over and over while generating; bounded.
_answer_key = lru_cache(maxsize=1 << 16)(normalise_answer)


def _pick_people(
    answer: _PersonRef, pools: Iterable[Iterable[_PersonRef]], exclude: Collection[str], limit: int = MAX_WRONG
) -> list[str]:
    """Up to ``limit`` wrong names from ``pools`` in order: never the answer, anyone excluded or a name twice.

    Names are compared normalised, so a namesake of the answer (another person
    spelled the same) is never a wrong choice: it would read as the answer.
    """
    seen = {_answer_key(answer.name)}
    picked: list[str] = []
    for pool in pools:
        for person in pool:
            if len(picked) >= limit:
                return picked
            name_key = _answer_key(person.name)
            if person.key == answer.key or person.key in exclude or name_key in seen or not name_key:
                continue
            seen.add(name_key)
            picked.append(person.name)
    return picked


def _director_questions(cat: _Catalogue) -> Iterable[Question]:
    """ "Who directed X?" for films with exactly one director."""
    directed: dict[str, int] = defaultdict(int)
    for film in cat.films:
        for person in cat.crew_with(film, _DIRECTOR_JOBS):
            directed[person.key] += 1
    for film in cat.films:
        directors = cat.crew_with(film, _DIRECTOR_JOBS)
        if len(directors) != 1:
            continue  # co-directed (or unknown): one answer would be only half right
        answer = directors[0]
        wrong = _pick_people(answer, [cat.directors, cat.all_crew, cat.all_cast], exclude=set())
        if len(wrong) < _MIN_WRONG:
            continue
        yield Question(
            key=f"gen:director:{film.key}",
            text=f"Who directed {film.title}?",
            answer=answer.name,
            accepted=(answer.name,),
            wrong=tuple(wrong),
            # A director of several of the franchise's films is its best-known name.
            difficulty="easy" if directed[answer.key] >= 2 else "medium",
            category="crew",
            film_key=film.key,
            reveals=frozenset({film.key}),
            answer_kind="person",
            answer_ref=answer.key,
        )


def _composer_questions(cat: _Catalogue) -> Iterable[Question]:
    """ "Who composed the score for X?" for films with exactly one composer."""
    for film in cat.films:
        composers = cat.crew_with(film, _COMPOSER_JOBS)
        if len(composers) != 1:
            continue  # a shared score would make either name half an answer
        answer = composers[0]
        wrong = _pick_people(answer, [cat.composers, cat.all_crew, cat.all_cast], exclude=set())
        if len(wrong) < _MIN_WRONG:
            continue
        yield Question(
            key=f"gen:composer:{film.key}",
            text=f"Who composed the score for {film.title}?",
            answer=answer.name,
            accepted=(answer.name,),
            wrong=tuple(wrong),
            difficulty="medium",
            category="music",
            film_key=film.key,
            reveals=frozenset({film.key}),
            answer_kind="person",
            answer_ref=answer.key,
        )


def _year_questions(cat: _Catalogue) -> Iterable[Question]:
    """ "In which year was X released?" with the catalogue's nearest other years as wrong choices."""
    years = sorted({film.year for film in cat.films})
    for film in cat.films:
        others = sorted((year for year in years if year != film.year), key=lambda year: (abs(year - film.year), year))
        wrong = [str(year) for year in others[:MAX_WRONG]]
        if len(wrong) < _MIN_WRONG:
            continue
        yield Question(
            key=f"gen:year:{film.key}",
            text=f"In which year was {film.title} released?",
            answer=str(film.year),
            accepted=(str(film.year),),
            wrong=tuple(wrong),
            # Wrong years are the franchise's own, so a fan cannot rule them out as off-era.
            difficulty="medium",
            category="release",
            film_key=film.key,
            reveals=frozenset({film.key}),
            answer_kind="year",
        )


def _plays_questions(cat: _Catalogue) -> Iterable[Question]:
    """ "Who plays C in X?" for every named character with exactly one performer in X.

    Characters come from ``CharacterIndex`` (credited names parsed: "Kurt Hendricks
    ("Cobalt")" is Kurt Hendricks); credits without a character are never asked about.
    """
    for character in cat.characters:
        performers: dict[str, set[str]] = defaultdict(set)
        for appearance in character.appearances:
            performers[appearance.film_key].add(appearance.person_key)
        for film_key, people in performers.items():
            if len(people) != 1:
                continue  # played by several people in this film: no single answer
            film = cat.films[cat.position[film_key]]
            credits = cat.cast[film.id]
            person_key = next(iter(people))
            rank, credit = next((i, c) for i, c in enumerate(credits) if c.person_key == person_key)
            answer = _PersonRef(credit.person_key, credit.person_name)
            # Same-film cast first, nearest in billing: the most plausible wrong answers.
            near = sorted(
                (c for c in credits if c.person_key != answer.key),
                key=lambda c: (abs(c.billing_order - credit.billing_order), c.billing_order),
            )
            wrong = _pick_people(answer, [[_PersonRef(c.person_key, c.person_name) for c in near], cat.all_cast], set())
            if len(wrong) < _MIN_WRONG:
                continue
            difficulty: Difficulty = "easy" if rank < 2 else "medium" if rank < 6 else "hard"
            yield Question(
                key=f"gen:plays:{film.key}:{_slug(character.name)}",
                text=f"Who plays {character.name} in {film.title}?",
                answer=answer.name,
                accepted=(answer.name,),
                wrong=tuple(wrong),
                difficulty=difficulty,
                category="cast",
                film_key=film.key,
                reveals=frozenset({film.key}),
                answer_kind="person",
                answer_ref=answer.key,
                topic=f"plays:{character.key}",
            )


@dataclass
class _Role:
    """A character across films, after merging spellings of one person's role."""

    name: str
    key: str
    people: set[str]
    films: set[str]


def _films_by_distance(cat: _Catalogue, here: int, *, earlier_first: bool) -> Iterator[Film]:
    """The other films by distance from position `here`, lazily (callers stop after a few).

    `earlier_first`: every earlier film (nearest first) before any later one; otherwise nearest
    first, an earlier film before a later one at the same distance. Sorting the whole catalogue
    for each question would be quadratic in the number of films.
    """
    films = cat.films
    if earlier_first:
        yield from (films[index] for index in range(here - 1, -1, -1))
        yield from (films[index] for index in range(here + 1, len(films)))
        return
    for distance in range(1, len(films)):
        if here - distance >= 0:
            yield films[here - distance]
        if here + distance < len(films):
            yield films[here + distance]
        if here - distance < 0 and here + distance >= len(films):
            return


def _roles(cat: _Catalogue) -> list[_Role]:
    """Characters with the films they appear in.

    ``CharacterIndex`` groups credits by exact character name; two spellings played
    by the same person that are nearly equal ("Erica Sloan" in one film, "Erika
    Sloane" in a later one) are one role here, or "which film introduced" would name
    the later film. The role is named as in its first film.
    """
    roles: list[_Role] = []
    # Only roles sharing a performer can merge: index them by person instead of comparing all pairs.
    roles_of: defaultdict[str, list[int]] = defaultdict(list)
    for character in cat.characters:
        appearances = sorted(character.appearances, key=lambda a: cat.position[a.film_key])
        role = _Role(
            name=character.name,
            key=character.key,
            people={a.person_key for a in appearances},
            films={a.film_key for a in appearances},
        )
        first_film = appearances[0].film_key if appearances else None
        candidates = sorted({index for person in role.people for index in roles_of[person]})
        for position in candidates:
            other = roles[position]
            if fuzz.ratio(normalise(other.name), normalise(role.name)) >= _SAME_CHARACTER_RATIO:
                if first_film is not None and all(cat.position[first_film] < cat.position[f] for f in other.films):
                    other.name, other.key = role.name, role.key
                for person in role.people - other.people:
                    roles_of[person].append(position)
                other.people |= role.people
                other.films |= role.films
                break
        else:
            for person in role.people:
                roles_of[person].append(len(roles))
            roles.append(role)
    return roles


def _introduced_questions(cat: _Catalogue) -> Iterable[Question]:
    """ "Which film introduced C?" for characters seen in two or more films: the earliest is the answer."""
    first_film = cat.films[0].key if cat.films else None
    for role in _roles(cat):
        if len(role.films) < 2:
            continue  # "introduced" only means something for a returning character
        ordered = sorted(role.films, key=lambda key: cat.position[key])
        answer = cat.films[cat.position[ordered[0]]]
        here = cat.position[answer.key]
        # Exactly three wrong films, the nearest to the answer and earlier ones first: every
        # film shown is revealed to the spoiler gate, so fewer and earlier keeps it askable.
        titles = {normalise_answer(answer.title)}
        wrong_films: list[Film] = []
        for film in _films_by_distance(cat, here, earlier_first=False):
            if len(wrong_films) >= _MIN_WRONG:
                break
            if normalise_answer(film.title) not in titles:
                titles.add(normalise_answer(film.title))
                wrong_films.append(film)
        wrong = [film.title for film in wrong_films]
        if len(wrong) < _MIN_WRONG:
            continue
        # A regular from the very first film is common knowledge; a late or brief arrival is not.
        regular = len(role.films) >= 3
        difficulty: Difficulty = "easy" if regular and answer.key == first_film else "medium" if regular else "hard"
        yield Question(
            key=f"gen:introduced:{_slug(role.name)}",
            text=f"Which film introduced {role.name}?",
            answer=answer.title,
            accepted=tuple(dict.fromkeys((answer.title, answer.original_title))),
            wrong=tuple(wrong),
            difficulty=difficulty,
            category="cast",
            film_key=answer.key,
            reveals=frozenset({answer.key, *(f.key for f in wrong_films)}),
            answer_kind="film",
            answer_ref=answer.key,
        )


def _not_in_cast_questions(cat: _Catalogue) -> Iterable[Question]:
    """ "Which of these people is not in X's cast?": someone from a nearby film against three of X's cast."""
    for film in cat.films:
        in_film = cat.cast_keys(film) | cat.crew_keys(film)
        cast_names = {normalise_answer(c.person_name) for c in cat.cast[film.id]}
        here = cat.position[film.key]
        # Earlier films first (nearest first), so the question passes the spoiler gate of anyone who has seen X.
        answer: _PersonRef | None = None
        source: Film | None = None
        for other in _films_by_distance(cat, here, earlier_first=True):
            for credit in cat.cast[other.id]:
                if credit.person_key not in in_film and normalise_answer(credit.person_name) not in cast_names:
                    answer, source = _PersonRef(credit.person_key, credit.person_name), other
                    break
            if answer is not None:
                break
        if answer is None or source is None:
            continue
        members = [_PersonRef(c.person_key, c.person_name) for c in cat.cast[film.id]]
        wrong = _pick_people(answer, [members], exclude=set())
        if len(wrong) < _MIN_WRONG:
            continue
        yield Question(
            key=f"gen:notcast:{film.key}",
            text=f"Which of these people is not in the cast of {film.title}?",
            answer=answer.name,
            accepted=(answer.name,),
            wrong=tuple(wrong),
            difficulty="medium",
            category="cast",
            film_key=film.key,
            reveals=frozenset({film.key, source.key}),
            answer_kind="person",
            answer_ref=answer.key,
            needs_choices=True,
        )


def _came_first_questions(cat: _Catalogue) -> Iterable[Question]:
    """ "Which of these films came out first?" by release year, never with a tie.

    Two per film with at least three films released in later years: against the
    three films right after it (hard) and against the three latest (easier when
    they are far off). Years must all differ so there is exactly one right answer.
    """
    by_year = sorted(cat.films, key=lambda f: (f.year, cat.position[f.key]))
    for index, film in enumerate(by_year):
        later: list[Film] = []
        seen_years = {film.year}
        for other in by_year[index + 1 :]:
            if other.year not in seen_years:
                seen_years.add(other.year)
                later.append(other)
        if len(later) < _MIN_WRONG:
            continue
        variants: list[tuple[list[Film], Difficulty]] = [(later[:3], "hard")]
        spread = later[-3:]
        if spread != later[:3]:
            gap = later.index(spread[0]) + 1  # films between the answer and the nearest wrong choice, plus one
            variants.append((spread, "easy" if gap >= 3 else "medium"))
        for wrong_films, difficulty in variants:
            titles = [f.title for f in wrong_films]
            if len({normalise_answer(t) for t in [film.title, *titles]}) != 4:
                continue  # two films with one title would make the choices unreadable
            yield Question(
                key=f"gen:first:{film.key}:{'-'.join(f.key for f in wrong_films)}",
                text="Which of these films came out first?",
                answer=film.title,
                accepted=(film.title,),
                wrong=tuple(titles),
                difficulty=difficulty,
                category="release",
                film_key=film.key,
                reveals=frozenset({film.key, *(f.key for f in wrong_films)}),
                answer_kind="film",
                answer_ref=film.key,
                needs_choices=True,
            )


def generate(
    films: Sequence[Film],
    cast: Mapping[int, Sequence[CastCredit]],
    crew: Mapping[int, Sequence[CrewCredit]],
    characters: Sequence[Character] | None = None,
) -> list[Question]:
    """Questions written from the catalogue: deterministic, keys stable across runs.

    ``cast`` and ``crew`` map a film id to its credits. Templates (key prefix):
    who directed X (``gen:director:``), who composed X's score (``gen:composer:``),
    in which year was X released (``gen:year:``), who plays C in X (``gen:plays:``),
    which film introduced C (``gen:introduced:``), which of these people is not in
    X's cast (``gen:notcast:``) and which of these films came first (``gen:first:``).
    Wrong choices come from the same catalogue and are of the answer's kind; a
    question the catalogue cannot give three wrong choices is skipped.
    """
    cat = _Catalogue(films, cast, crew, characters)
    questions: list[Question] = []
    for template in (
        _director_questions,
        _composer_questions,
        _year_questions,
        _plays_questions,
        _introduced_questions,
        _not_in_cast_questions,
        _came_first_questions,
    ):
        questions.extend(template(cat))
    return questions


def build_pool(
    pack_questions: Iterable[TriviaQuestion],
    films: Sequence[Film],
    cast: Mapping[int, Sequence[CastCredit]],
    crew: Mapping[int, Sequence[CrewCredit]],
    *,
    titles: Iterable[FilmTitle] = (),
    people: Iterable[Person] = (),
    characters: Sequence[Character] | None = None,
) -> list[Question]:
    """Every question of the catalogue: the pack's own, then generated ones (keys never clash)."""
    all_cast = [credit for credits in cast.values() for credit in credits]
    book = NameBook.build(films, titles, people, all_cast, characters)
    pool = [from_pack(q, book) for q in pack_questions]
    pool.extend(generate(films, cast, crew, characters))
    return pool


# --------------------------------------------------------------------------- asking


def choices(question: Question, rng: random.Random) -> list[str]:
    """Four shuffled choices: the answer and three of the wrong ones, picked by ``rng``."""
    if len(question.wrong) < _MIN_WRONG:
        raise ValueError(f"question {question.key!r} has fewer than {_MIN_WRONG} wrong choices")
    options = [question.answer, *rng.sample(list(question.wrong), _MIN_WRONG)]
    rng.shuffle(options)
    return options


def _allowed(question: Question, newest: int | None, order: Mapping[str, int]) -> bool:
    """Whether the spoiler gate lets ``question`` through: every film it names is at most the newest allowed.

    A film missing from ``order`` is unknown to the gate and so held back while a gate is set.
    """
    if newest is None:
        return True
    films = set(question.reveals) | ({question.film_key} if question.film_key else set())
    return all(key in order and order[key] <= newest for key in films)


def select_questions(
    pool: Sequence[Question],
    *,
    count: int,
    difficulty: DifficultyChoice = "mixed",
    film_key: str | None = None,
    newest_allowed: str | None = None,
    film_order: Mapping[str, int],
    recent: Collection[str] = (),
    rng: random.Random,
    mode: Mode = "buttons",
) -> list[Question]:
    """Up to ``count`` questions for one game, never the same key twice.

    Filters: ``difficulty`` ("mixed" takes any), ``film_key`` (questions about that
    film), ``mode`` ("typed" leaves out "which of these" questions) and the spoiler
    gate: with ``newest_allowed`` set, every question about or naming a film after
    it in ``film_order`` is removed (an unknown ``newest_allowed`` raises).

    ``recent`` holds the keys asked lately in the server, newest first (as
    ``TriviaRepository.recent_questions`` returns them). Questions not in it are
    picked first, at random; only when those run out are recent ones used, the
    least recently asked first, so a small pool repeats its oldest questions rather
    than failing. An unordered collection counts all its keys as equally recent.
    Questions sharing a topic ("who plays Ethan Hunt" in two films) are avoided in
    one game unless nothing else is left. Fewer than ``count`` questions come back
    only when fewer pass the filters.
    """
    if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise ValueError(f"count must be {MIN_QUESTIONS}..{MAX_QUESTIONS}, not {count}")
    if difficulty != "mixed" and difficulty not in DIFFICULTIES:
        raise ValueError(f"unknown difficulty {difficulty!r}")
    newest: int | None = None
    if newest_allowed is not None:
        if newest_allowed not in film_order:
            raise ValueError(f"unknown film {newest_allowed!r} for the spoiler gate")
        newest = film_order[newest_allowed]

    unique: dict[str, Question] = {}
    for question in pool:
        unique.setdefault(question.key, question)
    eligible = [
        q
        for q in unique.values()
        if (difficulty == "mixed" or q.difficulty == difficulty)
        and (film_key is None or q.film_key == film_key)
        and (mode == "buttons" or not q.needs_choices)
        and (mode == "typed" or len(q.wrong) >= _MIN_WRONG)
        and _allowed(q, newest, film_order)
    ]
    if isinstance(recent, Sequence) and not isinstance(recent, str):
        recency = {key: rank for rank, key in reversed(list(enumerate(recent)))}
    else:
        recency = dict.fromkeys(recent, 0)
    fresh = [q for q in eligible if q.key not in recency]
    stale = [q for q in eligible if q.key in recency]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    # Stable sort after shuffling: least recent (largest rank) first, equal ranks in random order.
    stale.sort(key=lambda q: -recency[q.key])

    picked: list[Question] = []
    keys: set[str] = set()
    groups: set[str] = set()
    # Not recently asked beats a new topic: the recent list is the contract, topics a nicety.
    for tier in (fresh, stale):
        for allow_same_topic in (False, True):
            for question in tier:
                if len(picked) >= count:
                    return picked
                if question.key in keys or (question.group in groups and not allow_same_topic):
                    continue
                picked.append(question)
                keys.add(question.key)
                groups.add(question.group)
    return picked


def question_json(question: Question, options: tuple[str, ...], right_index: int | None) -> str:
    """The question exactly as asked, kept with the round (generated questions exist nowhere else)."""
    return json.dumps(
        {
            "key": question.key,
            "text": question.text,
            "answer": question.answer,
            "choices": list(options),
            "right_index": right_index,
            "difficulty": question.difficulty,
            "film_key": question.film_key,
        },
        ensure_ascii=False,
    )
