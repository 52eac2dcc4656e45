"""Name matching for every option that names a film, a person or a character.

One matcher serves slash-command options, their autocomplete and free-typed values.
It is built once from plain catalogue data (``FilmIndex.build``, ``PersonIndex.build``,
``CharacterIndex.build``) and rebuilt when a pack loads, so a keystroke never costs a
database query. A built index can be kept as bytes (``snapshot``) and read back
(``restore``) in a fraction of the time building takes.

How a query is resolved (``SearchIndex.resolve``):

1. A value handed out by autocomplete (normally the item's key) resolves exactly.
2. Exact name: the query's *search key* equals the key of a title, an alias, a
   generated alias ("MI 7", "Mission Impossible 7", the subtitle "Ghost Protocol"...)
   or, for people and characters, a first name or surname. Search keys are
   normalised text with numbers unified: "III", "three" and "3" are all ``3``, so
   "M:I:III", "MI3" and "Mission Impossible 3" share the key ``mi 3`` / ``mission
   impossible 3``. A year in the query ("Fallout 2018", "Mission: Impossible
   (1996)") may stand for the film's year.
3. Fuzzy: rapidfuzz ``WRatio`` over every precomputed key, with a cutoff. Numbers
   must agree: a name is never matched by a query holding a number that is neither
   in that name nor the item's year or franchise position ("Mission Impossible 3"
   never reaches the second film, "Part Two" never "Part One", "... 1997" nothing).
   A query that is only a small fragment of a name ("ghost" of "Ghost Protocol")
   is too weak to pick a film on its own and only suggests it.
4. Two best candidates within ``MARGIN`` points are ambiguous ("Did you mean…");
   below the cutoff there is no match, with the closest names as suggestions.

``WRatio`` was measured against ``token_set_ratio`` on the cases in the tests:
``token_set_ratio`` scores any subset 100 ("mission impossible" ties with all eight
films, "the reckoning" is a perfect match for "The Final Reckoning"), and its
typo scores on long names are worse ("rouge nation" vs the full title 67 against
86), so ``WRatio`` is used.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import marshal
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, ClassVar, Generic, Literal, NamedTuple, Protocol, Self, TypeVar

from rapidfuzz import fuzz, process

__all__ = [
    "CUTOFF",
    "MARGIN",
    "MAX_CANDIDATES",
    "MAX_CHOICES",
    "MAX_CHOICE_CHARS",
    "CastCreditLike",
    "Character",
    "CharacterAppearance",
    "CharacterIndex",
    "Choice",
    "FilmIndex",
    "FilmLike",
    "FilmTitleLike",
    "Match",
    "PersonIndex",
    "PersonLike",
    "Resolution",
    "Scored",
    "SearchIndex",
    "SnapshotMismatch",
    "Status",
    "film_label",
    "normalise",
    "normalise_answer",
    "numbers_in",
    "search_key",
]

CUTOFF = 85.0
"""Lowest fuzzy score that can identify an item."""
MARGIN = 3.0
"""Two candidates above the cutoff this close to each other are ambiguous."""
SUGGEST_CUTOFF = 60.0
"""Lowest score worth offering as a "Did you mean" suggestion."""
COMPLETE_CUTOFF = 60.0
"""Lowest score listed by autocomplete (it may be shown half-typed words)."""
MIN_FRAGMENT_COVERAGE = 0.42
"""A query shorter than this share of a name (letters and digits) only suggests it.

Measured on the bundled pack: "rogue" is 45 % of "Rogue Nation" and "nation" 55 %,
which users type to mean the film; "ghost" is 38 % of "Ghost Protocol", "dead"
31 % of "Dead Reckoning" and "final" 36 % of "Final Reckoning", words that name other
films too. The line is a judgement call, kept in one place so it can be tuned.
"""
_FUZZY_POOL = 250
"""Best fuzzy names looked at per query: plenty for 5 candidates, bounded for speed."""
MAX_CANDIDATES = 5
"""At most this many candidates in a "Did you mean" or suggestion list."""
MAX_CHOICES = 25
"""Discord accepts at most 25 autocomplete choices."""
MAX_CHOICE_CHARS = 100
"""Discord limits a choice's name and value to 100 characters."""

Status = Literal["found", "ambiguous", "none"]
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
F = TypeVar("F", bound="FilmLike")
P = TypeVar("P", bound="PersonLike")

# --------------------------------------------------------------------------- normalising

# Letters NFD does not split into a base letter plus accent.
_FOLD_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ŀ": "l"}
)
# Apostrophes join ("Ocean's" -> "oceans"); every other non-alphanumeric separates.
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_ASCII_APOSTROPHES = re.compile(r"['`]")
_NOT_ALNUM = re.compile(r"[\W_]+")
# "mi3" -> "mi 3", "x2" -> "x 2": digits glued to letters are separate tokens.
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_DIGIT = re.compile(r"\d")
_ARTICLES = frozenset({"the", "a", "an"})
_NUMBER_WORD_LIST = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)  # fmt: skip
_NUMBER_WORDS = {word: str(value) for value, word in enumerate(_NUMBER_WORD_LIST)}
# Roman numerals 1-39 written with I, V and X only: wider ranges would turn words
# such as "mix", "dim" or "civil" (and "mi", the franchise initials) into numbers.
_ROMAN = re.compile(r"x{0,3}(ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_YEAR_RANGE = range(1870, 2101)


def normalise(text: str) -> str:
    """Text as compared by people: NFKC, casefolded, accents and punctuation dropped.

    "&" reads as "and", apostrophes join their word ("Ocean's" -> "oceans") and any
    other run of punctuation, symbols or spaces becomes a single space.

    >>> normalise("Mission: Impossible – Dead Reckoning Part One")
    'mission impossible dead reckoning part one'
    >>> normalise("  Ingeborga Dapkūnaitė & co. ")
    'ingeborga dapkunaite and co'
    """
    if text.isascii():
        # The same steps, less those that cannot change ASCII text (most names):
        # NFKC and NFD leave it alone and casefold() is lower().
        if text.replace(" ", "").isalpha():
            return " ".join(text.lower().split())
        text = _ASCII_APOSTROPHES.sub("", text.lower().replace("&", " and "))
        return " ".join(_NOT_ALNUM.sub(" ", text).split())
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.translate(_FOLD_LETTERS))
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


def _roman(token: str) -> int | None:
    """The value of a Roman numeral from 1 to 39, or None for any other token."""
    if not token or not _ROMAN.fullmatch(token):
        return None
    total = 0
    for index, char in enumerate(token):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[token[index + 1]] if index + 1 < len(token) else 0
        total += -value if value < following else value
    return total


# Every numeral _ROMAN accepts (x{0,3} then one of ten endings), as digits: a dict
# look-up per word instead of a regular expression.
_ROMAN_DIGITS = {
    numeral: str(_roman(numeral))
    for tens in ("", "x", "xx", "xxx")
    for units in ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")
    if (numeral := tens + units)
}


def _tokens(text: str) -> list[str]:
    """Search-key tokens of ``text``; see :func:`search_key`."""
    return _tokens_of_normal(normalise(text))


def _tokens_of_normal(normal: str) -> list[str]:
    """Search-key tokens of text already passed through :func:`normalise`."""
    if _DIGIT.search(normal) is None:
        words = normal.split()
        if words and min(map(len, words)) > 1:
            # No digit and no single letter (most names): only numerals and number words change.
            return [_NUMBER_WORDS.get(word) or _ROMAN_DIGITS.get(word) or word for word in words]
    else:
        words = _LETTER_DIGIT.sub(" ", normal).split()
    # Initials typed with dots, colons or spaces become one word ("M:I" -> "mi",
    # "J. J." -> "jj") so they meet the same initials typed without punctuation.
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if run:
            # "M:I:V" is "MI 5": a numeral letter after two or more initials is a number.
            if len(run) >= 3 and run[-1] in _ROMAN_VALUES:
                joined.extend(["".join(run[:-1]), run[-1]])
            else:
                joined.append("".join(run))
            run = []
        if word:
            joined.append(word)
    tokens: list[str] = []
    for word in joined:
        if word.isdecimal():
            tokens.append(str(int(word)))  # "07" and "7" are the same number
        else:
            tokens.append(_NUMBER_WORDS.get(word) or _ROMAN_DIGITS.get(word) or word)
    return tokens


def search_key(text: str) -> str:
    """The form names are matched in: :func:`normalise`, then numbers unified.

    Roman numerals (I-XXXIX) and number words (zero-twenty) become digits, digits
    glued to letters are split off ("MI3" -> "mi 3") and initials are joined
    ("M:I" -> "mi"), so "M:I:III", "MI3" and "mi three" all read ``mi 3``.
    Leading articles are kept: this is the key of a name, not of an answer.
    """
    return " ".join(_tokens(text))


def normalise_answer(text: str) -> str:
    """The search key of a trivia answer without a leading "the", "a" or "an".

    Two answers are the same when their ``normalise_answer`` forms are equal:
    "The Entity" = "entity", "Mission: Impossible III" = "mission impossible 3".
    """
    return " ".join(_match_tokens(text))


def _match_tokens(text: str) -> list[str]:
    """Tokens names are compared by: the search key without a leading article."""
    tokens = _tokens(text)
    return tokens[1:] if len(tokens) > 1 and tokens[0] in _ARTICLES else tokens


def _words(key: str) -> str:
    """The words of a key without its numbers: what the spelling check compares."""
    return " ".join(token for token in key.split() if not token.isdecimal())


def numbers_in(text: str) -> frozenset[int]:
    """The numbers a name carries once numerals and number words are read as digits."""
    return frozenset(int(token) for token in _tokens(text) if token.isdecimal())


def _size(key: str) -> int:
    """Letters and digits in a key: the length used to judge fragments."""
    return len(key) - key.count(" ")


def _clip(text: str, limit: int = MAX_CHOICE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _value_for(key: str) -> str:
    """An autocomplete value for an item key: the key itself unless it is too long.

    Over-long keys keep a recognisable prefix and a stable hash, so the value still
    names exactly one item after the index is rebuilt.
    """
    if len(key) <= MAX_CHOICE_CHARS:
        return key
    digest = hashlib.blake2s(key.encode()).hexdigest()[:8]
    return f"{key[: MAX_CHOICE_CHARS - 9]}~{digest}"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Choice:
    """One autocomplete choice: ``label`` is shown, ``value`` is sent back (both ≤ 100 chars)."""

    label: str
    value: str


@dataclass(frozen=True)
class Scored(Generic[T_co]):
    """An item with its score (0-100) and the name of it that matched best."""

    item: T_co
    score: float
    name: str
    label: str


@dataclass(frozen=True)
class Match(Generic[T_co]):
    """The outcome of resolving a query.

    ``status`` is "found" (``best`` is the item, ``candidates[0]`` its score),
    "ambiguous" (``candidates`` holds the close contenders for "Did you mean…") or
    "none" (``candidates`` holds the closest names below the cutoff, maybe none).
    ``candidates`` never holds more than ``MAX_CANDIDATES`` entries.
    """

    status: Status
    query: str
    candidates: tuple[Scored[T_co], ...] = ()

    @property
    def best(self) -> T_co | None:
        """The resolved item, or None unless ``status`` is "found"."""
        return self.candidates[0].item if self.status == "found" else None

    @property
    def score(self) -> float:
        """Score of the first candidate (100 for an exact name), 0 without one."""
        return self.candidates[0].score if self.candidates else 0.0

    @property
    def found(self) -> bool:
        """True when exactly one item was identified."""
        return self.status == "found"


Resolution = Match


# --------------------------------------------------------------------------- the index

# How a name was obtained: lower tiers win exact matches.
_TIER_NAME = 1  # a title, original title, pack alias, person name or character name
_TIER_GENERATED = 2  # an alias derived from the franchise or from a title's subtitle
_TIER_PART = 3  # a first name or surname

_Name = tuple[int, str, int]
"""One name of one item, as handed to :class:`SearchIndex`: item index, text, tier."""

_SCAN_ALL = 2_000
"""Indexes with at most this many names are fuzzy-scored name by name, all of them.

Larger ones first pick candidates by shared trigrams (``SearchIndex._candidates``):
scoring 160,000 names with ``WRatio`` takes about 80 ms, far too long per keystroke.
"""
_GRAM_BUDGET = 3_000
"""Trigram postings read per fuzzy query, rarest trigrams first (past the first few)."""
_MIN_GRAMS = 3
"""Trigrams always read, however common: a typo spoils up to three of a word's."""
_FUZZY_SCORED = 400
"""Most candidate names scored with ``WRatio`` per fuzzy query (those sharing most trigrams)."""


class _Keys:
    """Search keys of the texts met while building one index, each worked out once.

    Names repeat a great deal (first names, surnames, a character in every film of
    a franchise), and normalising is the costly part of a build.
    """

    __slots__ = ("_name_words", "_normal", "_part_sizes", "_parts", "_tokens", "known_match_keys")

    def __init__(self) -> None:
        self._normal: dict[str, str] = {}
        self._tokens: dict[str, list[str]] = {}
        self.known_match_keys: dict[str, str] = {}
        """Text to :meth:`match_key`, for look-ups in the hottest loop."""
        self._parts: dict[str, list[str]] = {}
        self._name_words: dict[str, bool] = {}
        self._part_sizes: dict[str, bool] = {}

    def normalise(self, text: str) -> str:
        found = self._normal.get(text)
        if found is None:
            found = self._normal[text] = normalise(text)
        return found

    def tokens(self, text: str) -> list[str]:
        """:func:`_tokens` of ``text`` (shared: do not change the list)."""
        found = self._tokens.get(text)
        if found is None:
            found = self._tokens[text] = _tokens_of_normal(self.normalise(text))
        return found

    def search_key(self, text: str) -> str:
        return " ".join(self.tokens(text))

    def match_key(self, text: str) -> str:
        """The key names are indexed by: :func:`_match_tokens` joined."""
        found = self.known_match_keys.get(text)
        if found is None:
            tokens = self.tokens(text)
            if len(tokens) > 1 and tokens[0] in _ARTICLES:
                tokens = tokens[1:]
            found = self.known_match_keys[text] = " ".join(tokens)
        return found

    def is_name_word(self, word: str) -> bool:
        """Whether a word of a name can be a first name or surname: not empty once normalised, nor a title."""
        found = self._name_words.get(word)
        if found is None:
            normal = self.normalise(word)
            found = self._name_words[word] = bool(normal) and normal not in _NAME_STOPWORDS
        return found

    def is_part(self, part: str) -> bool:
        """Whether a first name or surname is long enough to be indexed (three letters or digits)."""
        found = self._part_sizes.get(part)
        if found is None:
            found = self._part_sizes[part] = _size(self.search_key(part)) >= 3
        return found

    def name_parts(self, name: str) -> list[str]:
        """:func:`_name_parts` of ``name`` (shared: do not change the list)."""
        found = self._parts.get(name)
        if found is None:
            found = self._parts[name] = _name_parts(name, self)
        return found


_EMPTY: frozenset[int] = frozenset()


@contextlib.contextmanager
def collector_paused(*, keep: bool = False) -> Iterator[None]:
    """The cyclic garbage collector off while an index is built.

    A build makes hundreds of thousands of small containers, none of them garbage,
    and the collector's passes over them took half of the build's time. With ``keep``
    (for what lives until the next pack load), everything then tracked is moved out of
    the collector's reach (``gc.freeze``) before it is turned back on: otherwise its first
    pass walks every object made meanwhile (0.3 s after the character index of 10,000 films).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if keep:
                gc.freeze()
            gc.enable()


@dataclass
class _Best:
    """The best score an item reached during one resolution."""

    score: float
    tier: int
    text: str
    conflict: bool = field(default=False)


class _NameScorer:
    """The fuzzy score of names for one query, adjusted by how their words meet the query's.

    Hundreds of names are scored per query and many share a key or words ("mission", "ana"):
    each key, each name's words and each pair of words are worked out once.
    """

    def __init__(self, text: str) -> None:
        self.words = _words(text)
        self.size = _size(text)
        self.several_words = " " in self.words
        self.scores: dict[str, float] = {}
        self.begins: dict[str, bool] = {}
        self.explained: dict[str, bool] = {}
        self.pairs: dict[tuple[str, str], bool] = {}

    def score(self, key: str, score: float) -> float:
        """``score`` (the key's ``WRatio``) raised or capped as the module docstring explains."""
        found = self.scores.get(key)
        if found is not None:
            return found
        words = self.words
        name_words = _words(key)
        begins = self.begins.get(name_words)
        if begins is None:
            begins = self.begins[name_words] = _words_begin(words, name_words)
        if begins:
            # Every word begins a word of the name, in order ("chris mcquarrie"): as good as a
            # close spelling whatever the lengths.
            score = max(score, _WORD_PREFIX_SCORE)
        if self.size < MIN_FRAGMENT_COVERAGE * _size(key) and not (begins and self.several_words):
            # Too small a piece of this name to stand for it (see the constant), unless two or
            # more words begin its words ("mi rogue").
            score = min(score, CUTOFF - 1.0)
        elif score >= CUTOFF:
            explained = self.explained.get(name_words)
            if explained is None:
                explained = self.explained[name_words] = _words_explained(words, name_words, self.pairs)
            if not explained:
                # A query word this name lacks means another name is meant: "mission impossible
                # rogue" is not "Mission: Impossible", and "Part Two" is not "MI 2" however well
                # the number matches.
                score = min(score, CUTOFF - 1.0)
        self.scores[key] = score
        return score


_STATE_FIELDS = (
    "_labels", "_years", "_has_years", "_by_year", "_browse", "_rank", "_values", "_by_value",
    "_by_folded_value", "_entry_keys", "_entry_item", "_entry_tier", "_entry_text", "_entry_numbers",
    "_exact", "_lengths", "_whole", "_tails", "_number_texts", "_number_items", "_grams",
)  # fmt: skip
"""What a built index holds besides its items and lock: all plain data, so ``marshal`` can keep it."""


class SnapshotMismatch(ValueError):
    """A stored index that cannot be read back, or that does not fit the items it is given."""


class SearchIndex(Generic[T]):
    """An immutable in-memory index of named items; see the module docstring.

    Subclasses build one with a ``build`` class method; the constructor takes the
    items already flattened into names.

    The ``build`` methods only take the data in: the index itself is worked out on
    first use (any method or property), so loading a catalogue stays quick and an
    index nobody queries costs nothing. :meth:`prepare` does that work at a time of
    the caller's choosing. Measured on two cores for 10,000 films and 50,000 people:
    about 0.5 s (films), 0.9 s (people) and 3 s (their 200,000 credits, 120,000
    characters), plus 0.07, 0.14 and 0.32 s for the trigram table of the first fuzzy
    look-up. Run it early (``asyncio.to_thread(index.prepare)``) so no user waits.
    """

    _fuzzy_pool: ClassVar[int] = _FUZZY_POOL
    _items: tuple[T, ...]
    _labels: list[str | None]
    _make_label: Callable[[T], str] | None
    _years: tuple[int | None, ...]
    _has_years: bool
    _by_year: dict[int, list[int]]
    _browse: tuple[int, ...]
    _rank: list[int]
    _values: list[str]
    _by_value: dict[str, int]
    _by_folded_value: dict[str, int]
    _entry_keys: list[str]
    _entry_item: list[int]
    _entry_tier: list[int]
    _entry_text: list[str]
    _entry_numbers: list[frozenset[int]]
    _exact: dict[str, list[int]]
    _lengths: list[int]
    _whole: dict[int, list[str]]
    _tails: dict[int, tuple[list[str], list[str]]]
    _number_texts: list[str]
    _number_items: list[int]

    def __init__(
        self,
        items: Sequence[T],
        names: Iterable[_Name],
        *,
        keys: Sequence[str],
        labels: Sequence[str] | Callable[[T], str],
        years: Sequence[int | None] | None = None,
        extra_numbers: Sequence[frozenset[int]] | None = None,
        browse_order: Sequence[int] | None = None,
        cache: _Keys | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._pending: Callable[[], SearchIndex[T]] | None = None
        self._grams: dict[str, list[str]] | None = None
        self._setup(items, names, keys, labels, years, extra_numbers, browse_order, cache or _Keys())

    @classmethod
    def _deferred(cls, make: Callable[[], SearchIndex[T]]) -> Self:
        """An index that calls ``make`` for its contents on first use."""
        index = cls.__new__(cls)
        index._lock = threading.RLock()
        index._pending = make
        index._grams = None
        return index

    @property
    def ready(self) -> bool:
        """True once the index is built, so a look-up will not wait for the build."""
        return self._pending is None

    def prepare(self) -> Self:
        """Build now everything otherwise built on first use; returns the index.

        Safe to call from a worker thread (``asyncio.to_thread``) while the event
        loop keeps answering: a look-up that needs the index waits for it.
        """
        self._ready()
        if len(self._entry_keys) > _SCAN_ALL:
            self._gram_index()
        return self

    def _ready(self) -> None:
        if self._pending is not None:
            with self._lock:
                make = self._pending
                if make is not None:
                    with collector_paused():
                        built = make()
                    built._pending = None
                    self.__dict__.update({k: v for k, v in built.__dict__.items() if k != "_lock"})
                    self._pending = None

    def _setup(
        self,
        items: Sequence[T],
        names: Iterable[_Name],
        keys: Sequence[str],
        labels: Sequence[str] | Callable[[T], str],
        years: Sequence[int | None] | None,
        extra_numbers: Sequence[frozenset[int]] | None,
        browse_order: Sequence[int] | None,
        cache: _Keys,
    ) -> None:
        self._items = tuple(items)
        count = len(self._items)
        # Labels may be made on demand (``labels`` a function of the item): most are never shown.
        if callable(labels):
            self._make_label = labels
            self._labels = [None] * count
        else:
            self._make_label = None
            self._labels = [_clip(label) for label in labels]
        self._years = tuple(years) if years is not None else (None,) * count
        self._has_years = any(year is not None for year in self._years)
        extras: Sequence[frozenset[int]] = extra_numbers if extra_numbers is not None else (_EMPTY,) * count
        self._browse = tuple(browse_order) if browse_order is not None else tuple(range(count))
        self._rank = [count] * count
        for rank, item in enumerate(self._browse):
            self._rank[item] = rank
        self._by_year = {}
        if self._has_years:
            for item in self._browse:
                year = self._years[item]
                if year is not None:
                    self._by_year.setdefault(year, []).append(item)
        self._values = [_value_for(key) for key in keys]
        self._by_value = {value: index for index, value in enumerate(self._values)}
        # Case-insensitive fallback so a key typed by hand ("MI7") also resolves.
        self._by_folded_value = {value.casefold(): index for index, value in enumerate(self._values)}

        # One entry per (key, item): the name of the lowest tier, the first on a tie.
        # Entries are parallel lists, not objects: there are hundreds of thousands.
        entry_keys: list[str] = []
        entry_item: list[int] = []
        entry_tier: list[int] = []
        entry_text: list[str] = []
        entry_numbers: list[frozenset[int]] = []
        exact: dict[str, list[int]] = {}
        key_numbers: dict[str, frozenset[int]] = {}
        slots: list[dict[str, int] | None] = [None] * count
        known = cache.known_match_keys
        for item, text, tier in names:
            key = known.get(text)
            if key is None:
                key = cache.match_key(text)
            if not key:
                continue
            slot = slots[item]
            if slot is None:
                slot = slots[item] = {}
            position = slot.get(key)
            if position is None:
                position = slot[key] = len(entry_keys)
                entry_keys.append(key)
                entry_item.append(item)
                entry_tier.append(tier)
                entry_text.append(text)
                same = exact.get(key)
                if same is None:
                    exact[key] = [position]
                    # An ASCII key without a digit holds no number: its numerals and
                    # number words were turned into digits when it was made.
                    numbers = numbers_in(key) if not key.isascii() or _DIGIT.search(key) else _EMPTY
                    key_numbers[key] = numbers
                else:
                    same.append(position)
                    numbers = key_numbers[key]
                # The numbers of the name and of its item (year, franchise position).
                extra = extras[item]
                entry_numbers.append(numbers | extra if numbers and extra else numbers or extra)
            elif tier < entry_tier[position]:
                entry_tier[position] = tier
                entry_text[position] = text
        del slots
        # rapidfuzz scores against this plain list; processor=None because it is
        # already normalised.
        self._entry_keys = entry_keys
        self._entry_item = entry_item
        self._entry_tier = entry_tier
        self._entry_text = entry_text
        del key_numbers
        self._entry_numbers = entry_numbers
        self._exact = exact
        # For typing: every distinct key, and each of its word starts after the
        # first ("impossible ghost protocol", "ghost protocol", "protocol"), sorted
        # and grouped by the key's length, so the best prefix matches (the shortest
        # names) are found by bisection without looking at the others.
        whole: dict[int, list[str]] = {}
        tails: dict[int, list[tuple[str, str]]] = {}
        for key in exact:
            length = len(key)
            found_keys = whole.get(length)
            if found_keys is None:
                whole[length] = [key]
            else:
                found_keys.append(key)
            start = key.find(" ")
            while start >= 0:
                tails.setdefault(length, []).append((key[start + 1 :], key))
                start = key.find(" ", start + 1)
        for found_keys in whole.values():
            found_keys.sort()
        self._whole = whole
        self._tails = {}
        for length, pairs in tails.items():
            pairs.sort()
            self._tails[length] = ([tail for tail, _ in pairs], [key for _, key in pairs])
        self._lengths = sorted(whole)
        # Every number of each item, as text, sorted, for number-only autocomplete ("2023").
        item_numbers: list[set[int]] = [set(extra) for extra in extras]
        for position, numbers in enumerate(entry_numbers):
            if numbers:
                item_numbers[entry_item[position]].update(numbers)
        pairs_by_number = sorted((str(number), item) for item, found in enumerate(item_numbers) for number in found)
        self._number_texts = [text for text, _ in pairs_by_number]
        self._number_items = [item for _, item in pairs_by_number]

    # ------------------------------------------------------------------ accessors

    def __len__(self) -> int:
        self._ready()
        return len(self._items)

    @property
    def _keys(self) -> list[str]:
        """The match key of every indexed name (what the fuzzy pass scores)."""
        self._ready()
        return self._entry_keys

    @property
    def items(self) -> tuple[T, ...]:
        """Every indexed item, in build order."""
        self._ready()
        return self._items

    def label(self, item_index: int) -> str:
        """The display label of the item at ``item_index`` (≤ 100 characters)."""
        self._ready()
        return self._label(item_index)

    def get(self, value: str) -> T | None:
        """The item whose autocomplete value (key) is ``value``, or None."""
        self._ready()
        index = self._by_value.get(value.strip())
        if index is None:
            index = self._by_folded_value.get(value.strip().casefold())
        return None if index is None else self._items[index]

    # ------------------------------------------------------------------ resolve

    def resolve(self, query: str) -> Match[T]:
        """Resolve a typed or autocompleted value to one item, a shortlist or nothing."""
        self._ready()
        stripped = query.strip()
        direct = self._by_value.get(stripped)
        if direct is None:
            direct = self._by_folded_value.get(stripped.casefold())
        if direct is not None:
            return Match("found", query, (self._scored(direct, 100.0, self._label(direct)),))
        tokens = _match_tokens(query)
        if not tokens:
            return Match("none", query)
        key = " ".join(tokens)
        year, year_free = self._split_year(tokens)

        exact = self._exact_match(key, year, year_free)
        if exact is not None:
            return Match(exact[0], query, exact[1])

        if year is not None and year_free is None:
            # The query is only a year and no film is titled so (unlike "1917"):
            # the films of that year, if there are any.
            same_year = self._by_year.get(year, [])
            if same_year:
                status: Status = "found" if len(same_year) == 1 else "ambiguous"
                picked = same_year[:MAX_CANDIDATES]
                return Match(status, query, tuple(self._scored(i, 100.0, str(year)) for i in picked))

        best = self._fuzzy(key, year, year_free)
        ranked = sorted(best.items(), key=lambda pair: (-pair[1].score, pair[1].tier, self._rank[pair[0]]))
        eligible = [(index, b) for index, b in ranked if not b.conflict and b.score >= CUTOFF]
        if eligible:
            top_score = eligible[0][1].score
            close = [pair for pair in eligible if top_score - pair[1].score <= MARGIN]
            if len(close) == 1:
                index, b = close[0]
                return Match("found", query, (self._scored(index, b.score, b.text),))
            shortlist = eligible[:MAX_CANDIDATES]
            return Match("ambiguous", query, tuple(self._scored(i, b.score, b.text) for i, b in shortlist))
        # No match: the closest names, numbers that disagree included ("Mission
        # Impossible 9" still suggests the films), because they are only suggestions.
        # Names whose numbers agree come first.
        suggestions = sorted(
            ((i, b) for i, b in ranked if b.score >= SUGGEST_CUTOFF), key=lambda pair: pair[1].conflict
        )[:MAX_CANDIDATES]
        return Match("none", query, tuple(self._scored(i, b.score, b.text) for i, b in suggestions))

    def _split_year(self, tokens: list[str]) -> tuple[int | None, str | None]:
        """The last year-like number of the query and the query without it, if any."""
        if not self._has_years:
            return None, None
        for position in range(len(tokens) - 1, -1, -1):
            token = tokens[position]
            if token.isdecimal() and int(token) in _YEAR_RANGE:
                rest = tokens[:position] + tokens[position + 1 :]
                return int(token), " ".join(rest) or None
        return None, None

    def _exact_match(
        self, key: str, year: int | None, year_free: str | None
    ) -> tuple[Status, tuple[Scored[T], ...]] | None:
        """An exact hit on the whole key, or on the key without the item's year."""
        items, tiers = self._entry_item, self._entry_tier
        hits = list(self._exact.get(key, ()))
        if not hits and year is not None and year_free is not None:
            hits = [pos for pos in self._exact.get(year_free, ()) if self._years[items[pos]] == year]
        if not hits:
            return None
        top = min(tiers[pos] for pos in hits)
        chosen: dict[int, int] = {}
        for pos in hits:
            if tiers[pos] == top:
                chosen.setdefault(items[pos], pos)
        ordered = sorted(chosen.items(), key=lambda pair: self._rank[pair[0]])
        scored = tuple(self._scored(item, 100.0, self._entry_text[pos]) for item, pos in ordered[:MAX_CANDIDATES])
        return ("found" if len(chosen) == 1 else "ambiguous"), scored

    def _fuzzy(self, key: str, year: int | None, year_free: str | None) -> dict[int, _Best]:
        """Best fuzzy score per item, with number conflicts and weak fragments marked."""
        best: dict[int, _Best] = {}
        variants: list[tuple[str, int | None]] = [(key, None)]
        if year is not None and year_free is not None:
            # "Fallout 2018": the year may be the film's, so also score "fallout"
            # against films of 2018 only.
            variants.append((year_free, year))
        items, keys, tiers, texts, numbers = (
            self._entry_item,
            self._entry_keys,
            self._entry_tier,
            self._entry_text,
            self._entry_numbers,
        )
        for text, only_year in variants:
            wanted = numbers_in(text)
            scorer = _NameScorer(text)
            for score, position in self._fuzzy_hits(text, SUGGEST_CUTOFF):
                item = items[position]
                if only_year is not None and self._years[item] != only_year:
                    continue
                final = scorer.score(keys[position], score)
                conflict = not wanted <= numbers[position]
                tier = tiers[position]
                current = best.get(item)
                # A name whose numbers agree beats any score of one whose numbers conflict.
                if (
                    current is None
                    or (conflict != current.conflict and not conflict)
                    or (conflict == current.conflict and (final, -tier) > (current.score, -current.tier))
                ):
                    best[item] = _Best(final, tier, texts[position], conflict)
        return best

    # ------------------------------------------------------------------ fuzzy candidates

    def _fuzzy_hits(self, text: str, cutoff: float) -> list[tuple[float, int]]:
        """(``WRatio`` score, entry position) of the best names for ``text``, best first.

        At most ``_fuzzy_pool`` of them, equal scores in entry order. A small index
        scores every name; a large one only the candidates of :meth:`_candidates`.
        """
        if len(self._entry_keys) <= _SCAN_ALL:
            results = process.extract(
                text, self._entry_keys, scorer=fuzz.WRatio, processor=None, limit=self._fuzzy_pool, score_cutoff=cutoff
            )
            return [(score, position) for _, score, position in results]
        found = process.extract(
            text,
            self._candidates(text),
            scorer=fuzz.WRatio,
            processor=None,
            limit=self._fuzzy_pool,
            score_cutoff=cutoff,
        )
        hits: list[tuple[float, int]] = []
        last = None
        for key, score, _ in found:
            if len(hits) >= self._fuzzy_pool and score != last:
                break
            hits.extend((score, position) for position in self._exact[key])
            last = score
        hits.sort(key=lambda hit: (-hit[0], hit[1]))
        return hits[: self._fuzzy_pool]

    def _gram_index(self) -> dict[str, list[str]]:
        """Each trigram of the padded keys (" mission impossible ") to the keys holding it."""
        grams = self._grams
        if grams is None:
            with self._lock:
                grams = self._grams
                if grams is None:
                    postings: defaultdict[str, list[str]] = defaultdict(list)
                    with collector_paused():
                        for key in self._exact:
                            padded = f" {key} "
                            for gram in {padded[at : at + 3] for at in range(len(padded) - 2)}:
                                postings[gram].append(key)
                    grams = self._grams = dict(postings)
        return grams

    def _candidates(self, text: str) -> list[str]:
        """Keys worth a ``WRatio`` score for ``text``: those sharing most of its trigrams.

        Trigrams are read rarest first, within ``_GRAM_BUDGET`` postings (always at
        least ``_MIN_GRAMS`` of them): a name close to the query shares most of them
        and so some rare one, while the common ones ("an ", "the") would only add
        thousands of names that share nothing else. The ``_FUZZY_SCORED`` keys
        sharing the most are kept.
        """
        postings = self._gram_index()
        padded = f" {text} "
        lists = sorted(
            (found for gram in {padded[at : at + 3] for at in range(len(padded) - 2)} if (found := postings.get(gram))),
            key=len,
        )
        chosen: list[list[str]] = []
        total = 0
        for found in lists:
            if len(chosen) >= _MIN_GRAMS and total + len(found) > _GRAM_BUDGET:
                break
            chosen.append(found)
            total += len(found)
        shared = Counter(chain.from_iterable(chosen))
        if len(shared) <= _FUZZY_SCORED:
            return list(shared)
        # The fewest shared trigrams still kept, counted from the most.
        histogram = Counter(shared.values())
        kept = 0
        least = 0
        for count in sorted(histogram, reverse=True):
            least = count
            kept += histogram[count]
            if kept >= _FUZZY_SCORED:
                break
        best = [key for key, count in shared.items() if count > least]
        best.extend(islice((key for key, count in shared.items() if count == least), _FUZZY_SCORED - len(best)))
        return best

    # ------------------------------------------------------------------ complete

    def complete(self, query: str, limit: int = MAX_CHOICES) -> list[Choice]:
        """Autocomplete choices for a half-typed ``query``, best first (at most 25).

        An empty query lists items in browse order (films in franchise order).
        Otherwise: the exact name first, then names that start with the query,
        then names with a word that does ("ghost pr"), shorter names first, then
        fuzzy matches for typos. The last token may be half-typed, so a number only
        needs to begin one of the item's numbers ("mission impossible 19" still
        lists the 1996 film, "20" the films of the 2000s) unless a space follows it.
        """
        self._ready()
        limit = max(0, min(limit, MAX_CHOICES))
        tokens = _match_tokens(query)
        if not tokens or limit == 0:
            return [self._choice(index) for index in self._browse[:limit]]
        key = " ".join(tokens)
        # A trailing space means the last word is finished.
        last_done = query[-1:].isspace()
        whole_numbers = frozenset(int(token) for token in tokens[: None if last_done else -1] if token.isdecimal())
        partial_number = tokens[-1] if tokens[-1].isdecimal() and not last_done else None
        entry_numbers, entry_item, rank, exact = self._entry_numbers, self._entry_item, self._rank, self._exact

        def fits(position: int) -> bool:
            numbers = entry_numbers[position]
            if not whole_numbers <= numbers:
                return False
            return partial_number is None or any(str(number).startswith(partial_number) for number in numbers)

        check = whole_numbers or partial_number is not None
        # Items best first. Names are taken a level at a time (the exact name, then
        # whole names starting with the query, shortest first, then names with a
        # later word that does, shortest first); within a level the browse order
        # decides. A level that fills the list ends the search: no later name can
        # rank above what is already taken.
        chosen: list[int] = []
        taken: set[int] = set()

        def take(positions: Iterable[int]) -> bool:
            fresh = {entry_item[pos] for pos in positions if not check or fits(pos)} - taken
            if fresh:
                chosen.extend(sorted(fresh, key=rank.__getitem__))
                taken.update(fresh)
            return len(chosen) >= limit

        if take(exact.get(key, ())):
            return [self._choice(index) for index in chosen[:limit]]
        longer = self._lengths[bisect.bisect_right(self._lengths, len(key)) :]
        for length in longer:
            names = self._whole[length]
            start = bisect.bisect_left(names, key)
            end = start
            while end < len(names) and names[end].startswith(key):
                end += 1
            if end > start and take(chain.from_iterable(exact[name] for name in names[start:end])):
                return [self._choice(index) for index in chosen[:limit]]
        for length in longer:
            found = self._tails.get(length)
            if found is None:
                continue
            tails, owners = found
            start = bisect.bisect_left(tails, key)
            end = start
            while end < len(tails) and tails[end].startswith(key):
                end += 1
            if end > start and take(chain.from_iterable(exact[name] for name in owners[start:end])):
                return [self._choice(index) for index in chosen[:limit]]
        if len(tokens) == 1 and tokens[0].isdecimal():
            # A bare number is a year or a position: list the items that carry it.
            start = bisect.bisect_left(self._number_texts, key)
            end = start
            while end < len(self._number_texts) and self._number_texts[end].startswith(key):
                end += 1
            fresh = set(self._number_items[start:end]) - taken
            chosen.extend(sorted(fresh, key=rank.__getitem__))
        elif _size(key) >= 2:
            # Typos: only needed while word prefixes have not filled the list, which
            # keeps large catalogues fast (the fuzzy pass is the costly part).
            scores: dict[int, float] = {}
            for score, position in self._fuzzy_hits(key, COMPLETE_CUTOFF):
                item = entry_item[position]
                if item not in taken and (not check or fits(position)) and score > scores.get(item, -1.0):
                    scores[item] = score
            chosen.extend(sorted(scores, key=lambda item: (-scores[item], rank[item])))
        return [self._choice(index) for index in chosen[:limit]]

    # ------------------------------------------------------------------ snapshots

    def snapshot(self) -> bytes:
        """The built index, all but its items, as bytes that `restore` reads back.

        ``marshal`` holds only plain data (no code runs when it is read) and reads it back
        several times faster than the index is built. Its format belongs to one Python version:
        whoever stores a snapshot must note the version with it.
        """
        self.prepare()
        return marshal.dumps({name: getattr(self, name) for name in _STATE_FIELDS} | self._snapshot_extra())

    def _snapshot_extra(self) -> dict[str, Any]:
        """More of the index for the snapshot: the items, when they are made by the index itself."""
        return {}

    @classmethod
    def _restore_keyed(cls, items: Iterable[Any], snapshot: bytes) -> Self:
        """A deferred index read from `snapshot` for ``items`` that carry their own ``key``."""
        item_list = list(items)
        return cls._deferred(
            lambda: cls._from_state(item_list, [item.key for item in item_list], cls._read_snapshot(snapshot))
        )

    @classmethod
    def _read_snapshot(cls, data: bytes) -> dict[str, Any]:
        try:
            state = marshal.loads(data)
        except (EOFError, ValueError, TypeError) as error:
            raise SnapshotMismatch(f"unreadable {cls.__name__} snapshot") from error
        if not isinstance(state, dict) or any(name not in state for name in _STATE_FIELDS):
            raise SnapshotMismatch(f"incomplete {cls.__name__} snapshot")
        return state

    @classmethod
    def _from_state(
        cls,
        items: Sequence[T],
        keys: Sequence[str],
        state: dict[str, Any],
        make_label: Callable[[T], str] | None = None,
    ) -> Self:
        """An index from a snapshot's state, if it was built from items with exactly these keys."""
        if state["_values"] != [_value_for(key) for key in keys]:
            raise SnapshotMismatch(f"the {cls.__name__} snapshot was built from other items")
        if make_label is None and None in state["_labels"]:
            raise SnapshotMismatch(f"the {cls.__name__} snapshot lacks labels")
        index = cls.__new__(cls)
        index._lock = threading.RLock()
        index._pending = None
        for name in _STATE_FIELDS:
            setattr(index, name, state[name])
        index._items = tuple(items)
        index._make_label = make_label
        return index

    # ------------------------------------------------------------------ helpers

    def _browse_rank(self, item_index: int) -> int:
        return self._rank[item_index]

    def _choice(self, item_index: int) -> Choice:
        return Choice(self._label(item_index), self._values[item_index])

    def _scored(self, item_index: int, score: float, text: str) -> Scored[T]:
        return Scored(self._items[item_index], round(score, 1), text, self._label(item_index))

    def _label(self, item_index: int) -> str:
        label = self._labels[item_index]
        if label is None:
            assert self._make_label is not None
            label = self._labels[item_index] = _clip(self._make_label(self._items[item_index]))
        return label


_WORD_TYPO_CUTOFF = 75.0
"""Two words this similar (``fuzz.ratio``) count as one misspelt ("rouge", "rogue" = 80)."""


def _words_explained(query_words: str, name_words: str, pairs: dict[tuple[str, str], bool] | None = None) -> bool:
    """Whether every word of the query is in the name: equal, its beginning or misspelt.

    ``pairs`` remembers each (query word, name word) verdict across calls for one query.
    """
    names = name_words.split()
    known = pairs if pairs is not None else {}
    for word in query_words.split():
        for name in names:
            verdict = known.get((word, name))
            if verdict is None:
                verdict = known[(word, name)] = name.startswith(word) or fuzz.ratio(word, name) >= _WORD_TYPO_CUTOFF
            if verdict:
                break
        else:
            return False
    return True


_WORD_PREFIX_SCORE = 90.0
"""Score of a query whose words all begin the name's words in order (WRatio's substring score)."""


def _words_begin(query_words: str, name_words: str) -> bool:
    """Whether each query word begins a word of the name, in the same order."""
    wanted = query_words.split()
    if not wanted:
        return False
    names = iter(name_words.split())
    return all(any(name.startswith(word) for name in names) for word in wanted)


# --------------------------------------------------------------------------- films


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


def _initials(franchise: str, keys: _Keys | None = None) -> str | None:
    """Initials of a franchise name ("Mission: Impossible" -> "mi"), if two or more."""
    normal = keys.normalise(franchise) if keys is not None else normalise(franchise)
    words = [word for word in normal.split() if word not in _ARTICLES and word not in {"of", "and"}]
    initials = "".join(word[0] for word in words if word[0].isalpha())
    return initials if len(initials) >= 2 else None


def _subtitle(title: str, franchise: str, keys: _Keys | None = None) -> str | None:
    """The part of ``title`` after the franchise name ("Ghost Protocol"), if it has words."""
    keys = keys or _Keys()
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
    return _clip(title, MAX_CHOICE_CHARS - len(suffix)) + suffix


class FilmIndex(SearchIndex[F]):
    """Films by title, original title, pack aliases and generated aliases."""

    # Films have no first names or surnames, the short shared names that crowd the fuzzy pool of
    # people and characters ("Ana" of a thousand Anas): a smaller pool holds a whole franchise's
    # names (39 films × about 3 names at most in the synthetic catalogue) and a typo'd title is
    # resolved in about two thirds of the time.
    _fuzzy_pool = 150

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
        keys = _Keys()
        position = {film.id: index for index, film in enumerate(film_list)}
        names: list[_Name] = []
        for index, film in enumerate(film_list):
            names.append((index, film.title, _TIER_NAME))
            names.extend(_without_part(index, film.title, keys))
            franchise = franchises.get(film.id) or getattr(film, "franchise_name", None)
            if isinstance(franchise, str) and franchise.strip():
                names.extend(_franchise_names(index, film, franchise, keys))
        for title in titles:
            if title.film_id in position:
                names.append((position[title.film_id], title.title, _TIER_NAME))
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


def _franchise_names(index: int, film: FilmLike, franchise: str, keys: _Keys) -> list[_Name]:
    """Aliases generated from a film's franchise name and position."""
    generated: list[_Name] = []
    order = film.franchise_order
    initials = _initials(franchise, keys)
    if order is not None:
        generated.append((index, f"{franchise} {order}", _TIER_GENERATED))
        if initials:
            generated.append((index, f"{initials.upper()} {order}", _TIER_GENERATED))
    if initials and keys.search_key(film.title) == keys.search_key(franchise):
        # The eponymous first film is also plain "MI" / "M:I".
        generated.append((index, initials.upper(), _TIER_GENERATED))
    subtitle = _subtitle(film.title, franchise, keys)
    if subtitle:
        generated.append((index, subtitle, _TIER_GENERATED))
        generated.extend(_without_part(index, subtitle, keys))
    return generated


_PART_SUFFIX = re.compile(r"^(.+?)\s+(?:part|chapter|volume|vol)\s+\d+$")


def _without_part(index: int, title: str, keys: _Keys) -> list[_Name]:
    """The title without a closing "Part One" / "Chapter 2", as people often say it.

    Only titles and subtitles get one, never pack aliases: "Dead Reckoning Part
    Two" (an alias of the eighth film) must not also claim "Dead Reckoning".
    """
    key = keys.search_key(title)
    if " " not in key:
        return []
    found = _PART_SUFFIX.match(key)
    return [(index, found.group(1), _TIER_GENERATED)] if found else []


# --------------------------------------------------------------------------- people


class PersonLike(Protocol):
    """What the person index needs (``db`` ``Person`` and the pack's ``PackPerson`` fit)."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> Sequence[str]: ...


_NAME_STOPWORDS = _ARTICLES | {
    "of", "and", "dr", "mr", "mrs", "ms", "sir", "captain", "general", "admiral", "agent", "director",
    "jr", "sr", "ii", "iii",
}  # fmt: skip


def _name_parts(name: str, keys: _Keys | None = None) -> list[str]:
    """First name, surname and surname with particles of a name ("Brian De Palma" -> brian, palma, de palma)."""
    keys = keys or _Keys()
    words = [word for word in name.replace("/", " ").split() if keys.is_name_word(word)]
    if len(words) < 2:
        return []
    parts = [words[0], words[-1]]
    if len(words) > 2:
        parts.append(" ".join(words[1:]))
    return [part for part in parts if keys.is_part(part)]


class PersonIndex(SearchIndex[P]):
    """People by name, aliases, first name and surname."""

    @classmethod
    def build(cls, people: Iterable[P]) -> PersonIndex[P]:
        """Index ``people`` (from ``CatalogueRepository.people``)."""
        person_list = list(people)
        return cls._deferred(lambda: cls._index(person_list))

    @classmethod
    def restore(cls, people: Iterable[P], snapshot: bytes) -> PersonIndex[P]:
        """The index a `snapshot` holds, for the same ``people`` in the same order (see `FilmIndex.restore`)."""
        return cls._restore_keyed(people, snapshot)

    @classmethod
    def _index(cls, person_list: list[P]) -> PersonIndex[P]:
        keys = _Keys()
        names: list[_Name] = []
        for index, person in enumerate(person_list):
            for text in (person.name, *person.aliases):
                names.append((index, text, _TIER_NAME))
                names.extend((index, part, _TIER_PART) for part in keys.name_parts(text))
        normal = [keys.normalise(person.name) for person in person_list]
        counts = Counter(normal)
        # Two people with one name are told apart by their key in the label.
        labels = [
            person.name if counts[name] == 1 else f"{person.name} ({person.key})"
            for person, name in zip(person_list, normal, strict=True)
        ]
        browse = sorted(range(len(person_list)), key=[person.key for person in person_list].__getitem__)
        browse.sort(key=normal.__getitem__)
        return cls(
            person_list, names, keys=[p.key for p in person_list], labels=labels, browse_order=browse, cache=keys
        )


# --------------------------------------------------------------------------- characters


class CastCreditLike(Protocol):
    """What the character index needs of a cast credit (``db`` ``CastCredit`` fits)."""

    @property
    def film_id(self) -> int: ...
    @property
    def person_key(self) -> str: ...
    @property
    def person_name(self) -> str: ...
    @property
    def character(self) -> str | None: ...


# Tuples rather than dataclasses: a large catalogue has 120,000 characters in 200,000 appearances,
# and a tuple is made in half the time (at every build, and when a kept index is read back).
class CharacterAppearance(NamedTuple):
    """One film in which one person played a character."""

    person_key: str
    person_name: str
    film_key: str
    film_title: str
    year: int


class Character(NamedTuple):
    """A character name with every (person, film) that played it."""

    key: str
    name: str
    aliases: tuple[str, ...]
    appearances: tuple[CharacterAppearance, ...]

    @property
    def people(self) -> tuple[str, ...]:
        """Names of the people who played the character, first appearance first."""
        return tuple(dict.fromkeys(appearance.person_name for appearance in self.appearances))


_PARENTHESIS = re.compile(r"\(([^)]*)\)")
_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")


_CHARACTER_MARKS = re.compile(r"[()\"“”/]")


def _character_names(raw: str, keys: _Keys | None = None) -> tuple[str, list[str]] | None:
    """The main name of a credited character and its other names.

    ``Kurt Hendricks ("Cobalt")`` -> Kurt Hendricks + Cobalt; ``Janik "Bone Doctor"
    Vinter`` -> Janik Vinter + Bone Doctor; ``Alanna Mitsopolis / The White Widow``
    -> Alanna Mitsopolis + The White Widow. An unquoted parenthesis is a note
    ("William Donloe (CIA analyst)") and is dropped; None when only a note is
    left ("(uncredited)").
    """
    normal = keys.normalise if keys is not None else normalise
    if not _CHARACTER_MARKS.search(raw):
        # No parenthesis, quote or slash (most names): the name itself.
        text = " ".join(raw.split())
        return (text, []) if normal(text) else None
    aliases: list[str] = []
    for inner in _PARENTHESIS.findall(raw):
        aliases.extend(_QUOTED.findall(inner))
    text = _PARENTHESIS.sub(" ", raw)
    aliases.extend(_QUOTED.findall(text))
    text = _QUOTED.sub(" ", text)
    parts = [" ".join(part.split()) for part in text.split("/")]
    parts = [part for part in parts if normal(part)]
    if not parts:
        return None
    return parts[0], [*parts[1:], *aliases]


class _CharacterGroup(NamedTuple):
    """Credits gathered under one character key while building the index."""

    spellings: list[str]
    aliases: list[str]
    appearances: dict[tuple[str, str, str, str, int], CharacterAppearance]


class CharacterIndex(SearchIndex[Character]):
    """Characters by name, nicknames, first name and surname."""

    @classmethod
    def build(cls, credits: Iterable[CastCreditLike], films: Iterable[FilmLike]) -> CharacterIndex:
        """Group cast ``credits`` by character name; credits of unknown films are skipped."""
        credit_list = list(credits)
        return cls.build_later(lambda: credit_list, films)

    @classmethod
    def build_later(cls, credits: Callable[[], Iterable[CastCreditLike]], films: Iterable[FilmLike]) -> CharacterIndex:
        """Like `build`, but the credits themselves are only made when the index is built (in a worker
        thread, by `prepare`): turning 200,000 database rows into credits need not delay the start."""
        film_list = list(films)
        return cls._deferred(lambda: cls._index(list(credits()), film_list))

    @classmethod
    def restore(cls, snapshot: bytes) -> CharacterIndex:
        """The index a `snapshot` holds, characters included (see `FilmIndex.restore`)."""
        return cls._deferred(lambda: cls._restored(cls._read_snapshot(snapshot)))

    @classmethod
    def _restored(cls, state: dict[str, Any]) -> CharacterIndex:
        try:
            appearance = CharacterAppearance._make
            characters = [
                Character(key, name, aliases, tuple(map(appearance, appearances)))
                for key, name, aliases, appearances in state["characters"]
            ]
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotMismatch("the CharacterIndex snapshot holds no readable characters") from error
        return cls._from_state(characters, [c.key for c in characters], state, _character_label)

    def _snapshot_extra(self) -> dict[str, Any]:
        # marshal keeps plain tuples only, not their subclasses.
        return {"characters": [(c.key, c.name, c.aliases, tuple(map(tuple, c.appearances))) for c in self._items]}

    @classmethod
    def _index(cls, credits: list[CastCreditLike], films: list[FilmLike]) -> CharacterIndex:
        keys = _Keys()
        film_by_id = {film.id: film for film in films}
        groups: dict[str, _CharacterGroup] = {}
        # Each credited text once: its character key, main name and (usable) other names.
        by_raw: dict[str, tuple[str, str, list[str]] | None] = {}
        for credit in credits:
            film = film_by_id.get(credit.film_id)
            if film is None:
                continue
            raw = credit.character or ""
            if raw in by_raw:
                read = by_raw[raw]
            else:
                spelled = _character_names(raw, keys)
                if spelled is None:
                    read = by_raw[raw] = None
                else:
                    main, aliases = spelled
                    usable = [alias for alias in aliases if keys.normalise(alias)]
                    read = by_raw[raw] = (keys.search_key(main), main, usable)
            if read is None:
                continue
            key, main, aliases = read
            group = groups.get(key)
            if group is None:
                group = groups[key] = _CharacterGroup([], [], {})
            group.spellings.append(main)
            if aliases:
                group.aliases.extend(aliases)
            seen = (credit.person_key, credit.person_name, film.key, film.title, film.year)
            if seen not in group.appearances:
                group.appearances[seen] = CharacterAppearance(*seen)
        characters: list[Character] = []
        for key, group in groups.items():
            spellings = group.spellings
            # The most used spelling names the character; ties go to the first seen.
            name = spellings[0] if len(spellings) == 1 else max(dict.fromkeys(spellings), key=spellings.count)
            found = list(group.appearances.values())
            appearances = found if len(found) == 1 else sorted(found, key=lambda a: (a.year, a.film_key))
            characters.append(Character(key, name, tuple(dict.fromkeys(group.aliases)), tuple(appearances)))
        names: list[_Name] = []
        for index, character in enumerate(characters):
            for text in (character.name, *character.aliases):
                names.append((index, text, _TIER_NAME))
                names.extend((index, part, _TIER_PART) for part in keys.name_parts(text))
        # Browsing lists the characters seen in most films first (Ethan Hunt, Luther...).
        browse = sorted(range(len(characters)), key=[keys.normalise(c.name) for c in characters].__getitem__)
        browse.sort(key=[-len(c.appearances) for c in characters].__getitem__)
        return cls(
            characters,
            names,
            keys=[character.key for character in characters],
            labels=_character_label,
            browse_order=browse,
            cache=keys,
        )


def _character_label(character: Character) -> str:
    """ "Luther Stickell (Ving Rhames)": the name and up to three performers."""
    people = character.people
    shown = ", ".join(people[:3]) + (f" +{len(people) - 3}" if len(people) > 3 else "")
    suffix = f" ({shown})" if shown else ""
    if len(suffix) > MAX_CHOICE_CHARS // 2:
        suffix = _clip(suffix[:-1], MAX_CHOICE_CHARS // 2 - 1) + ")"
    return _clip(character.name, MAX_CHOICE_CHARS - len(suffix)) + suffix
