"""Trivia questions: the pack's hand-written ones, ones generated from the catalogue, and picking a game's set.

Everything here is pure: no Discord, no database, no clock, and randomness only
through an injected :class:`random.Random`, so a seeded game is reproducible.

* :class:`Question` is one question in the form every other trivia module uses.
* :func:`from_pack` turns a stored :class:`~db.repositories.models.TriviaQuestion`
  into a ``Question``; given a :class:`NameBook` it also learns which films the
  question names (for the spoiler gate) and whether the answer is a person, a film,
  a character or a year (for answer checking).
* :func:`generate` writes questions from the catalogue itself (seven templates), so
  any franchise pack gets trivia without hand-written questions. Wrong choices are
  peers of the answer (:mod:`cogs.trivia.peers`), and every generated question
  goes through :func:`settle`, which keeps it only with exactly one right answer
  in the whole catalogue.
* :func:`choices` deals four buttons, the answer's place balanced over a game;
  :func:`select_questions` picks a game's questions (filters, spoiler gate, no
  repeats, recently asked questions last).
* :func:`trivia_quality` measures a catalogue's generated trivia for ``bench/``.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Literal, NamedTuple, Protocol, TypedDict, TypeVar, runtime_checkable
from typing import cast as typing_cast

from rapidfuzz import fuzz

from bot.i18n import N_
from cogs.films.search.characters import CastCreditLike, Character, CharacterAppearance, CharacterIndex
from cogs.films.search.text import normalise, normalise_answer, search_key
from cogs.trivia.credits import CastShelf
from cogs.trivia.peers import Candidate, PeerIndex
from db.repositories.models import CastCredit, Film, FilmTitle, Person, TriviaQuestion

__all__ = [
    "CHOICE_COUNT",
    "DIFFICULTIES",
    "MAX_QUESTIONS",
    "MAX_WRONG",
    "MIN_QUESTIONS",
    "AnswerKind",
    "CastLike",
    "Catalogue",
    "Claim",
    "CrewLike",
    "Difficulty",
    "DifficultyChoice",
    "Mode",
    "NameBook",
    "Question",
    "QuestionTranslation",
    "Shelf",
    "Wording",
    "answer_position",
    "build_pool",
    "choices",
    "enough_wrong",
    "film_order",
    "fits_buttons",
    "from_pack",
    "generate",
    "generate_from",
    "in_language",
    "pool_questions",
    "question_json",
    "select_questions",
    "settle",
    "trivia_quality",
    "worded",
]


class CastLike(Protocol):
    """What generated trivia needs of a cast credit (``db`` ``CastCredit`` and ``CastLine`` fit)."""

    @property
    def film_id(self) -> int: ...
    @property
    def billing_order(self) -> int: ...
    @property
    def person_key(self) -> str: ...
    @property
    def person_name(self) -> str: ...


class CrewLike(Protocol):
    """What generated trivia needs of a crew credit (``db`` ``CrewCredit`` and ``CrewLine`` fit)."""

    @property
    def film_id(self) -> int: ...
    @property
    def person_key(self) -> str: ...
    @property
    def person_name(self) -> str: ...
    @property
    def job(self) -> str: ...


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

# The generated questions' wordings: asked in each server's language (the English is also `Question.text`).
WHO_DIRECTED = N_("Who directed {film}?")
WHO_COMPOSED = N_("Who composed the score for {film}?")
WHICH_YEAR = N_("In which year was {film} released?")
WHO_PLAYS = N_("Who plays {character} in {film}?")
WHICH_INTRODUCED = N_("Which film introduced {character}?")
NOT_IN_CAST = N_("Which of these people is not in the cast of {film}?")
CAME_FIRST = N_("Which of these films came out first?")


class QuestionTranslation(NamedTuple):
    """A pack question written in another language (`[[trivia.translation]]`): its text, its answers
    (``answers[0]`` shown on reveal) and its wrong choices. ``country`` is "" for the whole language."""

    language: str
    country: str
    text: str
    answers: tuple[str, ...]
    wrong: tuple[str, ...]


@dataclass(frozen=True, slots=True)
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
    in two films); ``spoiler`` is the pack's flag for plot reveals. ``typed_only`` marks a pack question
    of kind "typed", never asked with buttons; ``author`` is who wrote a pack question (pack text).

    A generated question also keeps how it is worded: ``template``, an English message of the catalogue
    (``N_``-marked, with ``{named}`` placeholders), and the ``values`` that fill it, so that it is asked in
    each server's language; ``text`` is that template filled in English. A pack question keeps instead its
    ``translations``, which :func:`in_language` asks it in.
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
    typed_only: bool = False
    author: str | None = None
    template: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    translations: tuple[QuestionTranslation, ...] = ()

    @property
    def group(self) -> str:
        """The topic used to avoid near-duplicates in one game (the key when no topic is set)."""
        return self.topic or self.key


class Wording(TypedDict):
    """How a generated question is worded: its English text, and the template and values it came from."""

    text: str
    template: str
    values: tuple[tuple[str, str], ...]


def _translation_for(question: Question, language: str) -> QuestionTranslation | None:
    """The translation for a catalogue language ("fr", "pt_BR"): the country's variety first, then the
    language as a whole, then any variety of it."""
    code, _, country = language.replace("-", "_").partition("_")
    same = [found for found in question.translations if found.language == code.lower()]
    for wanted in (country.upper(), ""):
        for found in same:
            if found.country == wanted:
                return found
    return same[0] if same else None


def in_language(question: Question, language: str) -> Question:
    """The question as asked in ``language`` (a catalogue language): a pack question with a translation
    into it shows that text, answer and wrong choices, and accepts the translated answers besides the
    original ones (a member may know the original title); any other question is returned as it is."""
    found = _translation_for(question, language) if question.translations else None
    if found is None:
        return question
    return replace(
        question,
        text=found.text,
        answer=found.answers[0],
        accepted=tuple(dict.fromkeys((*found.answers, *question.accepted))),
        wrong=tuple(dict.fromkeys(found.wrong)),
    )


def worded(template: str, **values: str) -> Wording:
    """A generated question's wording from one of the templates below, filled with `values`."""
    return Wording(text=template.format_map(values), template=template, values=tuple(values.items()))


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
        *,
        answers: Collection[str] | None = None,
    ) -> NameBook:
        """A name book from the catalogue as ``CatalogueRepository`` returns it.

        ``characters`` (from a ``CharacterIndex`` already built) saves building one again from ``cast``.
        With ``answers`` (normalised as by ``normalise_answer``), the book knows only the people and
        characters a name of whom is one of them: all that reading questions with these answers asks of
        it, where a large catalogue has hundreds of thousands of names.
        """

        def answered(spellings: tuple[str, ...]) -> bool:
            return answers is None or any(normalise_answer(spelling) in answers for spelling in spellings)

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
            people={
                person.key: spellings for person in people if answered(spellings := (person.name, *person.aliases))
            },
            characters={
                character.key: (character.name, *character.aliases)
                for character in characters
                if answered((character.name,))
            },
        )

    @cached_property
    def _film_names(self) -> tuple[dict[tuple[str, ...], list[tuple[int, str]]], int]:
        """Film spellings as search-key tokens, each to its films with the name's rank (longest first, for
        the greedy match), and the most tokens a name has.

        Built once per book: a pack's questions ask hundreds of times, and a large catalogue has tens of
        thousands of titles, so a text looks up its own runs of words instead of reading the names (a
        hundred thousand films hold tens of thousands of titles starting with "the").
        """
        names: list[tuple[tuple[str, ...], str]] = []
        for key, spellings in self.films.items():
            for spelling in spellings:
                tokens = tuple(search_key(spelling).split())
                if tokens and not (len(tokens) == 1 and len(tokens[0]) < 3):
                    names.append((tokens, key))
        names.sort(key=lambda pair: -len(pair[0]))
        by_tokens: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
        for rank, (tokens, key) in enumerate(names):
            by_tokens[tokens].append((rank, key))
        return dict(by_tokens), max((len(tokens) for tokens, _ in names), default=0)

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
        by_tokens, longest = self._film_names
        for text in texts:
            words = search_key(text).split()
            matches = [
                (rank, start, size, key)
                for start in range(len(words))
                for size in range(1, min(longest, len(words) - start) + 1)
                for rank, key in by_tokens.get(tuple(words[start : start + size]), ())
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
    # A translation is asked in place of the question, so what it names counts for the spoiler gate too.
    translated = [text for found in q.translations for text in (found.question, *found.answers, *found.wrong)]
    reveals |= book.films_named_in([q.question, *q.answers, *q.wrong, *translated])
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
        typed_only=q.kind == "typed",
        author=q.author,
        translations=tuple(
            QuestionTranslation(found.language, found.country, found.question, found.answers, found.wrong)
            for found in q.translations
        ),
    )


# --------------------------------------------------------------------------- generated questions

_DIRECTOR_JOBS = frozenset({"director"})
_COMPOSER_JOBS = frozenset({"original music composer", "composer", "music", "music composer", "original music"})
_SAME_CHARACTER_RATIO = 85.0
"""One person's two spellings of a character this alike are one role ("Erica Sloan", "Erika Sloane" = 87)."""
_TOP_BILLING = 3
"""Cast members billed this high count twice towards an actor's fame."""
_PLAYS_BILLING_LIMIT = 10
"""Only the top of the billing is asked about: "who plays Reporter #2" is no trivia, and a real catalogue's
long cast lists would otherwise make most of the pool (and of its memory) such questions."""
_FIRST_SPREAD = 40
"""How many later release years a spread-out "came first" question may draw its wrong films from."""
_FILMS_SCANNED_PER_YEAR = 8
"""Films of one year looked at for a same-genre wrong choice: bounded, so a crowded year costs no more."""
_NAMED_DATE = re.compile(r"(?P<title>.+) \((?P<year>\d{4})\)")

Asks = Literal["director", "composer", "year", "plays", "introduced", "notcast", "first"]
_SEVERAL_RIGHT_ALLOWED: frozenset[Asks] = frozenset({"director", "composer"})
"""Questions where a film's co-credited people are each right: typed mode accepts them all and no button shows
another one; every other question must have exactly one right answer."""


@dataclass(frozen=True)
class _PersonRef:
    key: str
    name: str


@dataclass(frozen=True)
class Claim:
    """What a generated question asks, in the very words it shows.

    ``film`` is the film as the question names it ("Lolita (1997)"), ``role`` the character.
    :func:`settle` reads these names back against the whole catalogue, as a player would.
    """

    asks: Asks
    film: str = ""
    role: str = ""


def _slug(text: str) -> str:
    """A key fragment: the search key with hyphens ("Ethan Hunt" -> "ethan-hunt")."""
    return search_key(text).replace(" ", "-")


# Pure and called for the same few thousand names over and over while generating; bounded.
# Cleared after each generation, so a large catalogue's names are not kept for the life of the bot.
_answer_key = lru_cache(maxsize=1 << 18)(normalise_answer)


def _question_rng(key: str) -> random.Random:
    """Randomness of one generated question: seeded by its key, so a pool is the same on every build."""
    return random.Random(key)


class Catalogue:
    """The catalogue rearranged for generating and checking questions: films in order, names, peers.

    ``dropped`` counts, by template, the questions :func:`settle` refused as not having exactly one
    right answer.
    """

    def __init__(
        self,
        films: Sequence[Film],
        cast: Mapping[int, Sequence[CastLike]],
        crew: Mapping[int, Sequence[CrewLike]],
        characters: Sequence[Character] | None = None,
        subjects: Collection[str] | None = None,
    ) -> None:
        self.films = sorted(films, key=_film_sort_key)
        self.subjects = None if subjects is None else frozenset(subjects)
        """The keys of the films questions are asked about (None: every film); every film still serves
        for wrong choices and for the check that a question has exactly one right answer."""
        self.position = {film.key: index for index, film in enumerate(self.films)}
        self.by_key = {film.key: film for film in self.films}
        self.series: defaultdict[str, list[Film]] = defaultdict(list)
        for film in self.films:
            if film.franchise_key:
                self.series[film.franchise_key].append(film)
        # A `CastShelf` is every film's cast in billing order already, made a film at a time when read: not
        # copied, which would hold every credit as a tuple at once.
        self.cast: Mapping[int, Sequence[CastLike]] = (
            cast
            if isinstance(cast, CastShelf)
            else {film.id: sorted(cast.get(film.id, ()), key=lambda c: c.billing_order) for film in self.films}
        )
        self.crew = {film.id: list(crew.get(film.id, ())) for film in self.films}
        # Not copied: the look-up's characters are packed and made one at a time as they are read. Without
        # them, the credits must name the characters: `CastCredit` does (`CastLine` does not).
        if characters is None:
            credits = [credit for film in self.films for credit in self.cast[film.id]]
            characters = CharacterIndex.build(typing_cast(list[CastCreditLike], credits), self.films).items
            del credits
        self.characters: Sequence[Character] = characters
        self.dropped: Counter[str] = Counter()
        self.films_scanned = 0
        self._reveals: dict[str, frozenset[str]] = {}
        self._films_by_name: defaultdict[str, list[Film]] = defaultdict(list)
        for film in self.films:
            for name in dict.fromkeys((_answer_key(film.title), _answer_key(film.original_title))):
                if name:
                    self._films_by_name[name].append(film)
        # Every name's hash beside its character's place in `characters`, sorted by hash: a large catalogue
        # has a million names, which a dictionary of names would hold as a million strings. Places rather
        # than the characters: the look-up's are made when read, and all of them at once would outweigh
        # the pool.
        hashes, places = array("q"), array("I")
        for index, character in enumerate(self.characters):
            for role_name in dict.fromkeys(_answer_key(name) for name in (character.name, *character.aliases)):
                hashes.append(hash(role_name))
                places.append(index)
        by_hash = sorted(range(len(hashes)), key=hashes.__getitem__)  # stable: places stay in order
        self._role_hashes = array("q", map(hashes.__getitem__, by_hash))
        self._role_places = array("I", map(places.__getitem__, by_hash))
        del hashes, places, by_hash
        self.person_names = {c.person_key: c.person_name for film in self.films for c in self.crew[film.id]}
        self.person_names.update((c.person_key, c.person_name) for film in self.films for c in self.cast[film.id])

    def asks_about(self, film: Film) -> bool:
        """Whether questions are asked about ``film`` (see ``subjects``)."""
        return self.subjects is None or film.key in self.subjects

    def reveals_only(self, film: Film) -> frozenset[str]:
        """The one-film ``reveals`` of most questions, one object per film: a large pool has millions."""
        found = self._reveals.get(film.key)
        if found is None:
            found = self._reveals[film.key] = frozenset({film.key})
        return found

    def crew_with(self, film: Film, jobs: frozenset[str]) -> list[_PersonRef]:
        """The film's crew members with one of ``jobs``, each once, in credit order."""
        people = [_PersonRef(c.person_key, c.person_name) for c in self.crew[film.id] if c.job.casefold() in jobs]
        return list(dict.fromkeys(people))

    def cast_keys(self, film: Film) -> set[str]:
        return {credit.person_key for credit in self.cast[film.id]}

    def crew_keys(self, film: Film) -> set[str]:
        return {credit.person_key for credit in self.crew[film.id]}

    # ------------------------------------------------------------------ names as questions show them

    def shares_title(self, film: Film) -> bool:
        """Whether another film goes by this film's title (a remake, or a namesake)."""
        return len(self._films_by_name[_answer_key(film.title)]) > 1

    def display(self, film: Film) -> str:
        """The film as a question names it: with its year when another film shares its title."""
        return f"{film.title} ({film.year})" if self.shares_title(film) else film.title

    def films_called(self, name: str) -> list[Film]:
        """Every film ``name`` may mean: by title or original title, or "Title (year)"."""
        found = list(self._films_by_name.get(_answer_key(name), ()))
        dated = _NAMED_DATE.fullmatch(name)
        if dated:
            year = int(dated["year"])
            found.extend(f for f in self._films_by_name.get(_answer_key(dated["title"]), ()) if f.year == year)
        return list({film.key: film for film in found}.values())

    def _appearances_as(self, role: str) -> Iterator[CharacterAppearance]:
        """Every appearance of every character called ``role`` (by name or alias)."""
        wanted = _answer_key(role)
        value = hash(wanted)
        hashes, places = self._role_hashes, self._role_places
        at, last = bisect_left(hashes, value), -1
        while at < len(hashes) and hashes[at] == value:
            place = places[at]
            at += 1
            if place == last:
                continue
            last = place
            character = self.characters[place]
            # Another name may share the hash: only the characters really called so.
            if any(_answer_key(name) == wanted for name in (character.name, *character.aliases)):
                yield from character.appearances

    def performers(self, film: Film, role: str) -> set[str]:
        """Keys of everyone credited as a character called ``role`` in ``film``."""
        return {appearance.person_key for appearance in self._appearances_as(role) if appearance.film_key == film.key}

    def films_with_role(self, role: str) -> set[str]:
        return {appearance.film_key for appearance in self._appearances_as(role)}

    # ------------------------------------------------------------------ peers

    @property
    def comparisons(self) -> int:
        """Candidates scored or films scanned while choosing wrong answers so far (every peer index built)."""
        built = (self.__dict__.get(name) for name in ("director_peers", "composer_peers", "actor_peers"))
        return self.films_scanned + sum(index.comparisons for index in built if isinstance(index, PeerIndex))

    def _people_index(self, people_of: Callable[[Film], Iterable[tuple[_PersonRef, int]]]) -> PeerIndex:
        """Everyone ``people_of`` credits, as peer candidates: career middle, usual genres, series and fame."""
        years: defaultdict[str, list[int]] = defaultdict(list)
        genres: defaultdict[str, Counter[str]] = defaultdict(Counter)
        series: defaultdict[str, set[str]] = defaultdict(set)
        fame: Counter[str] = Counter()
        names: dict[str, str] = {}
        for film in self.films:
            for person, weight in people_of(film):
                names.setdefault(person.key, person.name)
                years[person.key].append(film.year)
                genres[person.key].update(film.genres[:2])
                if film.franchise_key:
                    series[person.key].add(film.franchise_key)
                fame[person.key] += weight
        return PeerIndex(
            Candidate(
                key=key,
                name=name,
                year=sorted(years[key])[len(years[key]) // 2],
                genres=tuple(genre for genre, _count in genres[key].most_common(3)),
                series=frozenset(series[key]),
                fame=fame[key],
            )
            for key, name in names.items()
        )

    @cached_property
    def director_peers(self) -> PeerIndex:
        return self._people_index(lambda film: ((p, 1) for p in self.crew_with(film, _DIRECTOR_JOBS)))

    @cached_property
    def composer_peers(self) -> PeerIndex:
        return self._people_index(lambda film: ((p, 1) for p in self.crew_with(film, _COMPOSER_JOBS)))

    @cached_property
    def actor_peers(self) -> PeerIndex:
        return self._people_index(
            lambda film: (
                (_PersonRef(c.person_key, c.person_name), 2 if rank < _TOP_BILLING else 1)
                for rank, c in enumerate(dict.fromkeys(self.cast[film.id]))
            )
        )

    def peers_of(
        self, index: PeerIndex, answer: _PersonRef, film: Film, right: Collection[_PersonRef], rng: random.Random
    ) -> list[str]:
        """Up to ``MAX_WRONG`` peers of ``answer`` as credited on ``film``: names no right answer shares."""
        known = index.lookup(answer.key)
        target = Candidate(
            key=answer.key,
            name=answer.name,
            year=film.year,
            genres=film.genres or (known.genres if known else ()),
            series=frozenset({film.franchise_key} if film.franchise_key else ()),
            fame=known.fame if known else 1,
        )
        found = index.peers(
            target,
            count=MAX_WRONG,
            rng=rng,
            exclude_keys={person.key for person in right},
            exclude_names={_answer_key(person.name) for person in right},
            name_key=_answer_key,
        )
        return [candidate.name for candidate in found]


# --------------------------------------------------------------------------- exactly one right answer


def _right_answers(claim: Claim, question: Question, cat: Catalogue) -> dict[str, str] | None:
    """Every right answer in the whole catalogue, normalised to as shown; None when a name shown is ambiguous."""
    named = cat.films_called(claim.film) if claim.film else []
    if claim.film and len(named) != 1:
        return None  # the question's film could be either of two films (or none)
    options = (question.answer, *question.wrong)
    if claim.asks in ("director", "composer"):
        jobs = _DIRECTOR_JOBS if claim.asks == "director" else _COMPOSER_JOBS
        return {_answer_key(p.name): p.name for p in cat.crew_with(named[0], jobs)}
    if claim.asks == "year":
        return {str(named[0].year): str(named[0].year)}
    if claim.asks == "plays":
        names = (cat.person_names.get(key, "") for key in cat.performers(named[0], claim.role))
        return {_answer_key(name): name for name in names}
    if claim.asks == "notcast":
        in_cast = {_answer_key(c.person_name) for c in cat.cast[named[0].id]}
        return {_answer_key(option): option for option in options if _answer_key(option) not in in_cast}
    # "introduced" and "first" ask which of the films shown is the earliest of a kind.
    films: dict[str, Film] = {}
    for option in options:
        called = cat.films_called(option)
        if len(called) != 1:
            return None  # a choice that reads as two films
        films[option] = called[0]
    if claim.asks == "introduced":
        with_role = cat.films_with_role(claim.role)
        first = min((cat.by_key[key] for key in with_role), key=_film_sort_key, default=None)
        if first is None:
            return {}
        # Films in the same place of a series, or of one year outside any, leave "first" undecided.
        place = _film_sort_key(first)[:3]
        tied = [cat.by_key[key] for key in with_role if _film_sort_key(cat.by_key[key])[:3] == place]
        return {_answer_key(cat.display(film)): cat.display(film) for film in tied}
    earliest = min(film.year for film in films.values())
    return {_answer_key(option): option for option, film in films.items() if film.year == earliest}


def settle(question: Question, claim: Claim, cat: Catalogue) -> Question | None:
    """``question`` if it has exactly one right answer in the whole catalogue, else None (counted as dropped).

    Every generated question goes through here. The names it shows are read back against the
    catalogue: its film must name one film, its answer must be right and no wrong choice may be
    right under any spelling. Only a co-credited director or composer may leave several right
    answers; then typed mode accepts each of them (and no button shows another).
    """
    right = _right_answers(claim, question, cat)
    answer = _answer_key(question.answer)
    if (
        right is None
        or answer not in right
        or any(_answer_key(wrong) in right for wrong in question.wrong)
        or (len(right) > 1 and claim.asks not in _SEVERAL_RIGHT_ALLOWED)
    ):
        cat.dropped[claim.asks] += 1
        return None
    others = tuple(name for key, name in right.items() if key != answer)
    if not others:
        return question
    return replace(question, accepted=tuple(dict.fromkeys((*question.accepted, *others))))


# --------------------------------------------------------------------------- templates


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


def _crew_questions(cat: Catalogue, asks: Literal["director", "composer"]) -> Iterable[Question]:
    """ "Who directed X?" and "Who composed the score for X?": peers of the answer as wrong choices.

    A co-credited film is asked too: its first credited person is the answer, the others are
    accepted as typed and never offered as wrong choices.
    """
    jobs, index = (_DIRECTOR_JOBS, cat.director_peers) if asks == "director" else (_COMPOSER_JOBS, cat.composer_peers)
    for film in cat.films:
        if not cat.asks_about(film):
            continue
        people = cat.crew_with(film, jobs)
        if not people:
            continue
        answer = people[0]
        key = f"gen:{asks}:{film.key}"
        wrong = cat.peers_of(index, answer, film, people, _question_rng(key))
        if len(wrong) < _MIN_WRONG:
            continue
        shown = cat.display(film)
        known = index.lookup(answer.key)
        if asks == "director":
            wording = worded(WHO_DIRECTED, film=shown)
            # A director with several films in the catalogue is among its best-known names.
            difficulty: Difficulty = "easy" if known is not None and known.fame >= 2 else "medium"
        else:
            wording, difficulty = worded(WHO_COMPOSED, film=shown), "medium"
        question = Question(
            key=key,
            **wording,
            answer=answer.name,
            accepted=(answer.name,),
            wrong=tuple(wrong),
            difficulty=difficulty,
            category="crew" if asks == "director" else "music",
            film_key=film.key,
            reveals=cat.reveals_only(film),
            answer_kind="person",
            answer_ref=answer.key,
        )
        settled = settle(question, Claim(asks, film=shown), cat)
        if settled is not None:
            yield settled


def _director_questions(cat: Catalogue) -> Iterable[Question]:
    return _crew_questions(cat, "director")


def _composer_questions(cat: Catalogue) -> Iterable[Question]:
    return _crew_questions(cat, "composer")


def _year_questions(cat: Catalogue) -> Iterable[Question]:
    """ "In which year was X released?" with nearby catalogue years as wrong choices.

    How many wrong years lie before the answer is drawn evenly, so the right year is not
    always the middle one of those shown.
    """
    years = sorted({film.year for film in cat.films})
    for film in cat.films:
        if not cat.asks_about(film):
            continue
        here = bisect_left(years, film.year)
        earlier = years[max(0, here - MAX_WRONG) : here][::-1]
        later = years[here + 1 : here + 1 + MAX_WRONG]
        key = f"gen:year:{film.key}"
        fewest_earlier = max(0, MAX_WRONG - len(later))
        most_earlier = min(MAX_WRONG, len(earlier))
        if fewest_earlier <= most_earlier:
            count_earlier = _question_rng(key).randint(fewest_earlier, most_earlier)
        else:
            count_earlier = len(earlier)  # fewer than MAX_WRONG other years: every one of them
        wrong = [str(year) for year in sorted(earlier[:count_earlier] + later[: MAX_WRONG - count_earlier])]
        if len(wrong) < _MIN_WRONG:
            continue
        question = Question(
            key=key,
            # The year is never added to the title here: it is the answer. A shared title is dropped instead.
            **worded(WHICH_YEAR, film=film.title),
            answer=str(film.year),
            accepted=(str(film.year),),
            wrong=tuple(wrong),
            difficulty="medium",
            category="release",
            film_key=film.key,
            reveals=cat.reveals_only(film),
            answer_kind="year",
        )
        settled = settle(question, Claim("year", film=film.title), cat)
        if settled is not None:
            yield settled


def _plays_questions(cat: Catalogue) -> Iterable[Question]:
    """ "Who plays C in X?" for every named character with exactly one performer in X, billed in its top ten.

    Characters come from ``CharacterIndex`` (credited names parsed: "Kurt Hendricks
    ("Cobalt")" is Kurt Hendricks); credits without a character are never asked about.
    Wrong choices are the film's own cast nearest in billing, then the actor's peers.
    """
    for character in cat.characters:
        performers: dict[str, set[str]] = defaultdict(set)
        for appearance in character.appearances:
            performers[appearance.film_key].add(appearance.person_key)
        for film_key, people in performers.items():
            if len(people) != 1:
                continue  # played by several people in this film: no single answer
            film = cat.by_key[film_key]
            if not cat.asks_about(film):
                continue
            credits = cat.cast[film.id]
            person_key = next(iter(people))
            rank, credit = next((i, c) for i, c in enumerate(credits) if c.person_key == person_key)
            if rank >= _PLAYS_BILLING_LIMIT:
                continue
            answer = _PersonRef(credit.person_key, credit.person_name)
            key = f"gen:plays:{film.key}:{_slug(character.name)}"
            # Same-film cast first, nearest in billing: the most plausible wrong answers.
            near = sorted(
                (c for c in credits if c.person_key != answer.key),
                key=lambda c: (abs(c.billing_order - credit.billing_order), c.billing_order),
            )
            wrong = _pick_people(answer, [[_PersonRef(c.person_key, c.person_name) for c in near]], set())
            if len(wrong) < MAX_WRONG:
                # A small cast: the actor's peers elsewhere in the catalogue fill the choices.
                taken = {_answer_key(name) for name in wrong}
                peers = cat.peers_of(cat.actor_peers, answer, film, [answer], _question_rng(key))
                wrong.extend(name for name in peers if _answer_key(name) not in taken)
                wrong = wrong[:MAX_WRONG]
            if len(wrong) < _MIN_WRONG:
                continue
            difficulty: Difficulty = "easy" if rank < 2 else "medium" if rank < 6 else "hard"
            shown = cat.display(film)
            question = Question(
                key=key,
                **worded(WHO_PLAYS, character=character.name, film=shown),
                answer=answer.name,
                accepted=(answer.name,),
                wrong=tuple(wrong),
                difficulty=difficulty,
                category="cast",
                film_key=film.key,
                reveals=cat.reveals_only(film),
                answer_kind="person",
                answer_ref=answer.key,
                topic=f"plays:{character.key}",
            )
            settled = settle(question, Claim("plays", film=shown, role=character.name), cat)
            if settled is not None:
                yield settled


@dataclass(frozen=True)
class _Role:
    """A character across films, after merging spellings of one person's role (each value once)."""

    name: str
    key: str
    people: tuple[str, ...]
    films: tuple[str, ...]
    series: tuple[str | None, ...]

    @property
    def recurring(self) -> bool:
        """One character rather than namesakes ("Narrator" in a hundred unrelated films): one series
        throughout, or one performer in every film."""
        return (len(self.series) == 1 and None not in self.series) or len(self.people) == 1


_Some = TypeVar("_Some")


def _one_or_all(values: Iterable[_Some]) -> _Some | tuple[_Some, ...]:
    """The one value, or a tuple of them, each once, when there are none or several (see `_roles`)."""
    found = tuple(dict.fromkeys(values))
    return found[0] if len(found) == 1 else found


def _each(value: _Some | tuple[_Some, ...]) -> tuple[_Some, ...]:
    """The values `_one_or_all` made, as a tuple."""
    return value if isinstance(value, tuple) else (value,)


def _by_distance(films: Sequence[Film], here: int) -> Iterator[Film]:
    """The other films of ``films`` by distance from position ``here``, lazily (callers stop after a few).

    Nearest first, an earlier film before a later one at the same distance. Sorting the whole
    catalogue for each question would be quadratic in the number of films.
    """
    for distance in range(1, len(films)):
        if here - distance >= 0:
            yield films[here - distance]
        if here + distance < len(films):
            yield films[here + distance]
        if here - distance < 0 and here + distance >= len(films):
            return


def _roles(cat: Catalogue) -> list[_Role]:
    """Characters seen in two or more films, with those films.

    ``CharacterIndex`` groups credits by exact character name; two spellings played
    by the same person that are nearly equal ("Erica Sloan" in one film, "Erika
    Sloane" in a later one) are one role here, or "which film introduced" would name
    the later film. The role is named as in its first film.

    Every character is a role while they merge, most with one film and one performer: each role is a
    place in a few lists, and its people, films and series each one value until it takes in another, then
    a tuple (a set costs several times as much), so that a large catalogue's million characters cost little.
    """
    named_as = array("I")
    """The place in `cat.characters` of the character each role is named as (its name and key): not a
    copy of every name and key."""
    plains: list[str] = []
    """The names normalised once: each is compared again with each later role of its people."""
    people: list[str | tuple[str, ...]] = []
    films: list[str | tuple[str, ...]] = []
    series: list[str | tuple[str | None, ...] | None] = []
    # Only roles sharing a performer can merge: index them by person instead of comparing all pairs.
    roles_of: defaultdict[str, array[int]] = defaultdict(lambda: array("I"))
    for source, character in enumerate(cat.characters):
        appearances = sorted(character.appearances, key=lambda a: cat.position[a.film_key])
        performers = dict.fromkeys(a.person_key for a in appearances)
        plain = normalise(character.name)
        first_film = appearances[0].film_key if appearances else None
        candidates = sorted({index for person in performers for index in roles_of[person]})
        for position in candidates:
            if fuzz.ratio(plains[position], plain) >= _SAME_CHARACTER_RATIO:
                if first_film is not None and all(
                    cat.position[first_film] < cat.position[f] for f in _each(films[position])
                ):
                    named_as[position], plains[position] = source, plain
                merged = set(_each(people[position]))
                for person in performers:
                    if person not in merged:
                        roles_of[person].append(position)
                people[position] = _one_or_all((*_each(people[position]), *performers))
                films[position] = _one_or_all((*_each(films[position]), *(a.film_key for a in appearances)))
                series[position] = _one_or_all(
                    (*_each(series[position]), *(cat.by_key[a.film_key].franchise_key for a in appearances))
                )
                break
        else:
            index = len(plains)
            for person in performers:
                roles_of[person].append(index)
            named_as.append(source)
            plains.append(plain)
            people.append(_one_or_all(performers))
            films.append(_one_or_all(a.film_key for a in appearances))
            series.append(_one_or_all(cat.by_key[a.film_key].franchise_key for a in appearances))
    roles: list[_Role] = []
    for i in range(len(plains)):
        if len(_each(films[i])) >= 2:
            named = cat.characters[named_as[i]]
            roles.append(_Role(named.name, named.key, _each(people[i]), _each(films[i]), _each(series[i])))
    return roles


def _introduced_questions(cat: Catalogue) -> Iterable[Question]:
    """ "Which film introduced C?" for characters seen in two or more films: the earliest is the answer."""
    for role in _roles(cat):
        if len(role.films) < 2 or not role.recurring:
            continue  # "introduced" only means something for a returning character
        ordered = sorted(role.films, key=lambda key: cat.position[key])
        answer = cat.by_key[ordered[0]]
        if not cat.asks_about(answer):
            continue
        series = cat.series.get(answer.franchise_key or "", [answer])
        # Exactly three wrong films, the nearest to the answer and earlier ones first, from its own
        # series before any other: every film shown is revealed to the spoiler gate, so fewer and
        # earlier keeps it askable.
        nearby = itertools.chain(
            _by_distance(series, series.index(answer)), _by_distance(cat.films, cat.position[answer.key])
        )
        titles = {_answer_key(cat.display(answer))}
        wrong_films: list[Film] = []
        for film in nearby:
            cat.films_scanned += 1
            if len(wrong_films) >= _MIN_WRONG:
                break
            if _answer_key(cat.display(film)) not in titles:
                titles.add(_answer_key(cat.display(film)))
                wrong_films.append(film)
        wrong = [cat.display(film) for film in wrong_films]
        if len(wrong) < _MIN_WRONG:
            continue
        # A regular from the very first film is common knowledge; a late or brief arrival is not.
        regular = len(role.films) >= 3
        first_of_series = answer.key == series[0].key
        difficulty: Difficulty = "easy" if regular and first_of_series else "medium" if regular else "hard"
        shown = cat.display(answer)
        question = Question(
            key=f"gen:introduced:{_slug(role.name)}",
            **worded(WHICH_INTRODUCED, character=role.name),
            answer=shown,
            accepted=tuple(dict.fromkeys((shown, answer.title, answer.original_title))),
            wrong=tuple(wrong),
            difficulty=difficulty,
            category="cast",
            film_key=answer.key,
            reveals=frozenset({answer.key, *(f.key for f in wrong_films)}),
            answer_kind="film",
            answer_ref=answer.key,
        )
        settled = settle(question, Claim("introduced", role=role.name), cat)
        if settled is not None:
            yield settled


def _not_in_cast_questions(cat: Catalogue) -> Iterable[Question]:
    """ "Which of these people is not in X's cast?": someone from a nearby film against three of X's cast."""
    for film in cat.films:
        if not cat.asks_about(film):
            continue
        in_film = cat.cast_keys(film) | cat.crew_keys(film)
        cast_names = {_answer_key(c.person_name) for c in cat.cast[film.id]}
        here = cat.position[film.key]
        series = cat.series.get(film.franchise_key or "", [film])
        at = series.index(film)
        # Earlier films first (nearest first), so the question passes the spoiler gate of anyone who has
        # seen X; the film's own series before the rest, so the odd one out is as familiar as the others.
        nearby = itertools.chain(
            reversed(series[:at]),
            (cat.films[index] for index in range(here - 1, -1, -1)),
            series[at + 1 :],
            (cat.films[index] for index in range(here + 1, len(cat.films))),
        )
        answer: _PersonRef | None = None
        source: Film | None = None
        for other in nearby:
            cat.films_scanned += 1
            for credit in cat.cast[other.id]:
                if credit.person_key not in in_film and _answer_key(credit.person_name) not in cast_names:
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
        shown = cat.display(film)
        question = Question(
            key=f"gen:notcast:{film.key}",
            **worded(NOT_IN_CAST, film=shown),
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
        settled = settle(question, Claim("notcast", film=shown), cat)
        if settled is not None:
            yield settled


def _later_film(cat: Catalogue, of_year: Sequence[Film], like: Film, rng: random.Random) -> Film:
    """A film of one later year, sharing a genre with ``like`` when one of a bounded few does."""
    start = rng.randrange(len(of_year))
    scanned = [of_year[(start + step) % len(of_year)] for step in range(min(len(of_year), _FILMS_SCANNED_PER_YEAR))]
    cat.films_scanned += len(scanned)
    genres = set(like.genres)
    alike = [film for film in scanned if genres & set(film.genres)]
    return (alike or scanned)[0]


def _came_first_questions(cat: Catalogue) -> Iterable[Question]:
    """ "Which of these films came out first?" by release year, never with a tie.

    Two per film with at least three later release years in the catalogue: against films
    of the next three years (hard) and against films of three later years drawn from the
    next few dozen (easier the further off the nearest is). Films whose title another film
    shares are left out: a choice must name one film, and a year beside it would answer.
    """
    by_year: defaultdict[int, list[Film]] = defaultdict(list)
    for film in cat.films:
        if not cat.shares_title(film):
            by_year[film.year].append(film)
    years = sorted(by_year)
    for film in cat.films:
        if cat.shares_title(film) or not cat.asks_about(film):
            continue
        later = years[bisect_right(years, film.year) : bisect_right(years, film.year) + _FIRST_SPREAD]
        if len(later) < _MIN_WRONG:
            continue
        rng = _question_rng(f"gen:first:{film.key}")
        variants: list[tuple[list[int], Difficulty]] = [(later[:_MIN_WRONG], "hard")]
        spread = sorted(rng.sample(later[1:], _MIN_WRONG)) if len(later) > _MIN_WRONG else []
        if spread and spread != later[:_MIN_WRONG]:
            gap = later.index(spread[0]) + 1  # films between the answer and the nearest wrong choice, plus one
            variants.append((spread, "easy" if gap >= 3 else "medium"))
        for wrong_years, difficulty in variants:
            wrong_films = [_later_film(cat, by_year[year], film, rng) for year in wrong_years]
            question = Question(
                key=f"gen:first:{film.key}:{'-'.join(f.key for f in wrong_films)}",
                **worded(CAME_FIRST),
                answer=film.title,
                accepted=(film.title,),
                wrong=tuple(f.title for f in wrong_films),
                difficulty=difficulty,
                category="release",
                film_key=film.key,
                reveals=frozenset({film.key, *(f.key for f in wrong_films)}),
                answer_kind="film",
                answer_ref=film.key,
                needs_choices=True,
            )
            settled = settle(question, Claim("first"), cat)
            if settled is not None:
                yield settled


_TEMPLATES: tuple[Callable[[Catalogue], Iterable[Question]], ...] = (
    _director_questions,
    _composer_questions,
    _year_questions,
    _plays_questions,
    _introduced_questions,
    _not_in_cast_questions,
    _came_first_questions,
)


MAX_SUBJECTS = 20_000
"""Films generated questions are asked about, at most. A catalogue yields about sixteen questions a film, and
the pool lives in memory for the bot's lifetime: beyond this many films, the best-known ones are asked about
(a game needs thirty questions, and players know them), and the pool stops growing with the catalogue."""


def best_known(
    films: Sequence[Film], cast: Mapping[int, Sequence[CastLike]], crew: Mapping[int, Sequence[CrewLike]], most: int
) -> frozenset[str] | None:
    """The keys of the ``most`` best-known films (most credited, then in a series, then the newest), or None
    when there are no more films than that."""
    if len(films) <= most:
        return None

    def known(film: Film) -> tuple[int, bool, int, str]:
        return (
            len(cast.get(film.id, ())) + len(crew.get(film.id, ())),
            film.franchise_key is not None,
            film.year,
            film.key,
        )

    return frozenset(film.key for film in sorted(films, key=known, reverse=True)[:most])


def generate_from(cat: Catalogue) -> list[Question]:
    """Every template's questions from an already arranged catalogue (its ``dropped`` counts them)."""
    try:
        return [question for template in _TEMPLATES for question in template(cat)]
    finally:
        _answer_key.cache_clear()


def generate(
    films: Sequence[Film],
    cast: Mapping[int, Sequence[CastLike]],
    crew: Mapping[int, Sequence[CrewLike]],
    characters: Sequence[Character] | None = None,
    *,
    most_subjects: int = MAX_SUBJECTS,
) -> list[Question]:
    """Questions written from the catalogue: deterministic, keys stable across runs.

    Questions are asked about ``most_subjects`` films at most (see `MAX_SUBJECTS`): the best known.

    ``cast`` and ``crew`` map a film id to its credits. Templates (key prefix):
    who directed X (``gen:director:``), who composed X's score (``gen:composer:``),
    in which year was X released (``gen:year:``), who plays C in X (``gen:plays:``),
    which film introduced C (``gen:introduced:``), which of these people is not in
    X's cast (``gen:notcast:``) and which of these films came first (``gen:first:``).
    Wrong choices are peers of the answer from the same catalogue, drawn per question
    with a seed from its key; a question the catalogue cannot give three wrong choices,
    or that has not exactly one right answer (:func:`settle`), is skipped.
    """
    return generate_from(Catalogue(films, cast, crew, characters, best_known(films, cast, crew, most_subjects)))


def build_pool(
    pack_questions: Iterable[TriviaQuestion],
    films: Sequence[Film],
    cast: Mapping[int, Sequence[CastLike]],
    crew: Mapping[int, Sequence[CrewLike]],
    *,
    titles: Iterable[FilmTitle] = (),
    people: Iterable[Person] = (),
    characters: Sequence[Character] | None = None,
) -> list[Question]:
    """Every question of the catalogue: the pack's own, then generated ones (keys never clash)."""
    return list(pool_questions(pack_questions, films, cast, crew, titles=titles, people=people, characters=characters))


def pool_questions(
    pack_questions: Iterable[TriviaQuestion],
    films: Sequence[Film],
    cast: Mapping[int, Sequence[CastLike]],
    crew: Mapping[int, Sequence[CrewLike]],
    *,
    titles: Iterable[FilmTitle] = (),
    people: Iterable[Person] = (),
    characters: Sequence[Character] | None = None,
) -> Iterator[Question]:
    """The questions of :func:`build_pool`, one at a time: a caller keeping them compactly never holds
    them all as `Question` objects."""
    # The look-up's characters are not all made at once (`CharacterTable`): each reader makes them one at a
    # time, which costs a few passes but never holds every `Character`.
    yield from _pack_questions(pack_questions, films, cast, titles=titles, people=people, characters=characters)
    cat = Catalogue(films, cast, crew, characters, best_known(films, cast, crew, MAX_SUBJECTS))
    try:
        for template in _TEMPLATES:
            yield from template(cat)
    finally:
        _answer_key.cache_clear()


def _pack_questions(
    pack_questions: Iterable[TriviaQuestion],
    films: Sequence[Film],
    cast: Mapping[int, Sequence[CastLike]],
    *,
    titles: Iterable[FilmTitle],
    people: Iterable[Person],
    characters: Sequence[Character] | None,
) -> list[Question]:
    """The pack's questions, read with a name book of the catalogue: the book is gone when they are, before
    the catalogue's questions are generated (for a large catalogue it holds every name, normalised)."""
    questions = list(pack_questions)
    all_cast = [] if characters is not None else [credit for credits in cast.values() for credit in credits]
    answers = {normalise_answer(q.answers[0]) for q in questions}
    book = NameBook.build(films, titles, people, typing_cast(list[CastCredit], all_cast), characters, answers=answers)
    return [from_pack(q, book) for q in questions]


# --------------------------------------------------------------------------- asking


CHOICE_COUNT = _MIN_WRONG + 1

# Positions still to be dealt, per random generator: a game (or a daily question) asks all its
# questions with one generator, so the bag rides on it; dropped with the generator.
_position_bags: weakref.WeakKeyDictionary[random.Random, list[int]] = weakref.WeakKeyDictionary()


def answer_position(rng: random.Random) -> int:
    """Where the right answer goes in the next question asked with ``rng``.

    Dealt from a shuffled bag of the four positions, refilled when empty: over any game each
    button holds the answer as often as any other (give or take one), and never three times
    running, yet a player cannot tell the next position from the last ones.
    """
    bag = _position_bags.setdefault(rng, [])
    if not bag:
        bag.extend(rng.sample(range(CHOICE_COUNT), CHOICE_COUNT))
    return bag.pop()


def choices(question: Question, rng: random.Random) -> list[str]:
    """Four choices: three of the wrong ones in random order, the answer at :func:`answer_position`."""
    if not fits_buttons(question):
        raise ValueError(f"question {question.key!r} is typed only or has fewer than {_MIN_WRONG} wrong choices")
    options = rng.sample(list(question.wrong), _MIN_WRONG)
    options.insert(answer_position(rng), question.answer)
    return options


def enough_wrong(question: Question) -> bool:
    """Whether ``question`` has the wrong choices buttons need."""
    return len(question.wrong) >= _MIN_WRONG


def fits_buttons(question: Question) -> bool:
    """Whether ``question`` may be asked with four buttons: enough wrong choices, and not typed only."""
    return enough_wrong(question) and not question.typed_only


def _allowed(question: Question, newest: int | None, order: Mapping[str, int]) -> bool:
    """Whether the spoiler gate lets ``question`` through: every film it names is at most the newest allowed.

    A film missing from ``order`` is unknown to the gate and so held back while a gate is set.
    """
    if newest is None:
        return True
    films = set(question.reveals) | ({question.film_key} if question.film_key else set())
    return all(key in order and order[key] <= newest for key in films)


@runtime_checkable
class Shelf(Protocol):
    """Questions that filter themselves for :func:`select_questions` by position, without making every
    question (``cogs.trivia.packed.PackedQuestions``); any other sequence of questions is read whole."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> Question: ...

    def eligible(
        self,
        *,
        difficulty: DifficultyChoice,
        film_key: str | None,
        mode: Mode,
        newest: int | None,
        film_order: Mapping[str, int],
    ) -> list[int]:
        """Positions of the first question of each key that passes the filters, in order."""
        ...

    def positions_of(self, keys: Collection[str]) -> dict[str, int]:
        """The position of the first question with each of ``keys`` that there is."""
        ...


class _Listed:
    """A plain sequence of questions as a `Shelf`."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = questions
        self.first: dict[str, int] = {}
        for position, question in enumerate(questions):
            self.first.setdefault(question.key, position)

    def __len__(self) -> int:
        return len(self.questions)

    def __getitem__(self, index: int, /) -> Question:
        return self.questions[index]

    def eligible(
        self,
        *,
        difficulty: DifficultyChoice,
        film_key: str | None,
        mode: Mode,
        newest: int | None,
        film_order: Mapping[str, int],
    ) -> list[int]:
        questions = self.questions
        return [
            position
            for position in self.first.values()
            if (difficulty == "mixed" or questions[position].difficulty == difficulty)
            and (film_key is None or questions[position].film_key == film_key)
            and (mode == "buttons" or not questions[position].needs_choices)
            and (mode == "typed" or fits_buttons(questions[position]))
            and _allowed(questions[position], newest, film_order)
        ]

    def positions_of(self, keys: Collection[str]) -> dict[str, int]:
        return {key: self.first[key] for key in keys if key in self.first}


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

    A `Shelf` (the bot's packed pool) is filtered by position; only the questions looked at are made.
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

    shelf: Shelf = pool if isinstance(pool, Shelf) else _Listed(pool)
    eligible = shelf.eligible(difficulty=difficulty, film_key=film_key, mode=mode, newest=newest, film_order=film_order)
    if isinstance(recent, Sequence) and not isinstance(recent, str):
        recency = {key: rank for rank, key in reversed(list(enumerate(recent)))}
    else:
        recency = dict.fromkeys(recent, 0)
    rank_at = {position: recency[key] for key, position in shelf.positions_of(recency).items()}
    fresh = [position for position in eligible if position not in rank_at]
    stale = [position for position in eligible if position in rank_at]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    # Stable sort after shuffling: least recent (largest rank) first, equal ranks in random order.
    stale.sort(key=lambda position: -rank_at[position])

    picked: list[Question] = []
    keys: set[str] = set()
    groups: set[str] = set()
    # Not recently asked beats a new topic: the recent list is the contract, topics a nicety.
    for tier in (fresh, stale):
        for allow_same_topic in (False, True):
            for position in tier:
                if len(picked) >= count:
                    return picked
                question = shelf[position]
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
            **({"author": question.author} if question.author else {}),
            **({"template": question.template, "values": dict(question.values)} if question.template else {}),
        },
        ensure_ascii=False,
    )


# --------------------------------------------------------------------------- measuring


def trivia_quality(
    films: Sequence[Film],
    cast: Mapping[int, Sequence[CastLike]],
    crew: Mapping[int, Sequence[CrewLike]],
    *,
    seed: int = 14,
) -> dict[str, float]:
    """How honest the generated trivia of a catalogue is, for ``bench/quality.py``.

    ``director_questions``; ``director_wrong_sets`` (distinct sets of wrong choices among them)
    and ``director_top_wrong_set_share`` (the most common set's share, 0-1); ``position_N_share``
    (how often the answer lands on button N when every question of the pool is asked once with
    one seeded generator); ``questions`` and ``dropped_not_unique`` (questions refused by
    :func:`settle`, every template).
    """
    cat = Catalogue(films, cast, crew)
    pool = generate_from(cat)
    directed = [q for q in pool if q.key.startswith("gen:director:")]
    wrong_sets = Counter(frozenset(q.wrong) for q in directed)
    rng = random.Random(seed)
    positions = Counter(choices(q, rng).index(q.answer) for q in pool)
    asked = sum(positions.values()) or 1
    figures: dict[str, float] = {
        "questions": float(len(pool)),
        "director_questions": float(len(directed)),
        "director_wrong_sets": float(len(wrong_sets)),
        "director_top_wrong_set_share": max(wrong_sets.values(), default=0) / (len(directed) or 1),
        "dropped_not_unique": float(sum(cat.dropped.values())),
    }
    figures.update({f"position_{n}_share": positions[n] / asked for n in range(CHOICE_COUNT)})
    return figures
