"""Name matching for every option that names a film, a person or a character.

One matcher serves slash-command options, their autocomplete and free-typed values.
It is built once from plain catalogue data (``FilmIndex.build``, ``PersonIndex.build``,
``CharacterIndex.build``) and rebuilt when a pack loads, so a keystroke never costs a
database query.

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
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

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
_NOT_ALNUM = re.compile(r"[\W_]+")
# "mi3" -> "mi 3", "x2" -> "x 2": digits glued to letters are separate tokens.
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
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


def _tokens(text: str) -> list[str]:
    """Search-key tokens of ``text``; see :func:`search_key`."""
    words = _LETTER_DIGIT.sub(" ", normalise(text)).split()
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
        elif word in _NUMBER_WORDS:
            tokens.append(_NUMBER_WORDS[word])
        elif (value := _roman(word)) is not None:
            tokens.append(str(value))
        else:
            tokens.append(word)
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


@dataclass(frozen=True)
class _Name:
    """One name of one item, as handed to :class:`SearchIndex`."""

    item: int
    text: str
    tier: int


@dataclass(frozen=True)
class _Entry:
    """One precomputed searchable name: its match key, numbers, words and size."""

    key: str
    item: int
    tier: int
    text: str
    numbers: frozenset[int]
    words: str
    size: int


@dataclass
class _Best:
    """The best score an item reached during one resolution."""

    score: float
    tier: int
    text: str
    conflict: bool = field(default=False)


class SearchIndex(Generic[T]):
    """An immutable in-memory index of named items; see the module docstring.

    Subclasses build one with a ``build`` class method; the constructor takes the
    items already flattened into names.
    """

    def __init__(
        self,
        items: Sequence[T],
        names: Iterable[_Name],
        *,
        keys: Sequence[str],
        labels: Sequence[str],
        years: Sequence[int | None] | None = None,
        extra_numbers: Sequence[frozenset[int]] | None = None,
        browse_order: Sequence[int] | None = None,
    ) -> None:
        self._items = tuple(items)
        count = len(self._items)
        self._labels = tuple(_clip(label) for label in labels)
        self._years: tuple[int | None, ...] = tuple(years) if years is not None else (None,) * count
        extras = tuple(extra_numbers) if extra_numbers is not None else (frozenset(),) * count
        self._browse = tuple(browse_order) if browse_order is not None else tuple(range(count))
        self._browse_position = {item: rank for rank, item in enumerate(self._browse)}
        self._values = tuple(_value_for(key) for key in keys)
        self._by_value = {value: index for index, value in enumerate(self._values)}
        # Case-insensitive fallback so a key typed by hand ("MI7") also resolves.
        self._by_folded_value = {value.casefold(): index for index, value in enumerate(self._values)}

        best_tier: dict[tuple[str, int], _Name] = {}
        for name in names:
            key = " ".join(_match_tokens(name.text))
            if not key:
                continue
            seen = best_tier.get((key, name.item))
            if seen is None or name.tier < seen.tier:
                best_tier[(key, name.item)] = name
        self._entries: tuple[_Entry, ...] = tuple(
            _Entry(key, name.item, name.tier, name.text, numbers_in(key) | extras[name.item], _words(key), _size(key))
            for (key, _), name in best_tier.items()
        )
        # rapidfuzz scores against this plain list; processor=None because it is
        # already normalised.
        self._keys: list[str] = [entry.key for entry in self._entries]
        self._exact: dict[str, list[int]] = defaultdict(list)
        for position, entry in enumerate(self._entries):
            self._exact[entry.key].append(position)
        # Every name from each of its word starts ("mission impossible ghost
        # protocol", "impossible ghost protocol", "ghost protocol", "protocol"),
        # sorted, so a word-prefix look-up while typing is a bisection.
        suffixes: list[tuple[str, int, bool]] = []
        for position, entry in enumerate(self._entries):
            words = entry.key.split(" ")
            suffixes.extend((" ".join(words[start:]), position, start == 0) for start in range(len(words)))
        suffixes.sort()
        self._suffixes = suffixes
        self._suffix_keys = [suffix for suffix, _, _ in suffixes]
        # Every number of each item, as text, for number-only autocomplete ("2023").
        item_numbers: list[set[int]] = [set(extra) for extra in extras]
        for entry in self._entries:
            item_numbers[entry.item].update(entry.numbers)
        self._item_numbers = tuple(tuple(str(n) for n in sorted(numbers)) for numbers in item_numbers)

    # ------------------------------------------------------------------ accessors

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> tuple[T, ...]:
        """Every indexed item, in build order."""
        return self._items

    def label(self, item_index: int) -> str:
        """The display label of the item at ``item_index`` (≤ 100 characters)."""
        return self._labels[item_index]

    def get(self, value: str) -> T | None:
        """The item whose autocomplete value (key) is ``value``, or None."""
        index = self._by_value.get(value.strip())
        if index is None:
            index = self._by_folded_value.get(value.strip().casefold())
        return None if index is None else self._items[index]

    # ------------------------------------------------------------------ resolve

    def resolve(self, query: str) -> Match[T]:
        """Resolve a typed or autocompleted value to one item, a shortlist or nothing."""
        stripped = query.strip()
        direct = self._by_value.get(stripped)
        if direct is None:
            direct = self._by_folded_value.get(stripped.casefold())
        if direct is not None:
            return Match("found", query, (self._scored(direct, 100.0, self._labels[direct]),))
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
            same_year = [index for index in self._browse if self._years[index] == year]
            if same_year:
                status: Status = "found" if len(same_year) == 1 else "ambiguous"
                picked = same_year[:MAX_CANDIDATES]
                return Match(status, query, tuple(self._scored(i, 100.0, str(year)) for i in picked))

        best = self._fuzzy(key, year, year_free)
        ranked = sorted(best.items(), key=lambda pair: (-pair[1].score, pair[1].tier, self._browse_rank(pair[0])))
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
        if not any(year is not None for year in self._years):
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
        hits = [self._entries[pos] for pos in self._exact.get(key, ())]
        if not hits and year is not None and year_free is not None:
            hits = [
                self._entries[pos]
                for pos in self._exact.get(year_free, ())
                if self._years[self._entries[pos].item] == year
            ]
        if not hits:
            return None
        top = min(entry.tier for entry in hits)
        chosen: dict[int, _Entry] = {}
        for entry in hits:
            if entry.tier == top:
                chosen.setdefault(entry.item, entry)
        ordered = sorted(chosen.values(), key=lambda entry: self._browse_rank(entry.item))
        scored = tuple(self._scored(entry.item, 100.0, entry.text) for entry in ordered[:MAX_CANDIDATES])
        return ("found" if len(chosen) == 1 else "ambiguous"), scored

    def _fuzzy(self, key: str, year: int | None, year_free: str | None) -> dict[int, _Best]:
        """Best fuzzy score per item, with number conflicts and weak fragments marked."""
        best: dict[int, _Best] = {}
        variants: list[tuple[str, int | None]] = [(key, None)]
        if year is not None and year_free is not None:
            # "Fallout 2018": the year may be the film's, so also score "fallout"
            # against films of 2018 only.
            variants.append((year_free, year))
        for text, only_year in variants:
            wanted = numbers_in(text)
            words = _words(text)
            size = _size(text)
            results = process.extract(
                text, self._keys, scorer=fuzz.WRatio, processor=None, limit=_FUZZY_POOL, score_cutoff=SUGGEST_CUTOFF
            )
            for _, score, position in results:
                entry = self._entries[position]
                if only_year is not None and self._years[entry.item] != only_year:
                    continue
                conflict = not wanted <= entry.numbers
                begins = _words_begin(words, entry.words)
                if begins:
                    # Every word begins a word of the name, in order ("chris
                    # mcquarrie"): as good as a close spelling whatever the lengths.
                    score = max(score, _WORD_PREFIX_SCORE)
                if size < MIN_FRAGMENT_COVERAGE * entry.size and not (begins and " " in words):
                    # Too small a piece of this name to stand for it (see the
                    # constant), unless two or more words begin its words ("mi rogue").
                    score = min(score, CUTOFF - 1.0)
                elif score >= CUTOFF and not _words_explained(words, entry.words):
                    # A query word this name lacks means another name is meant:
                    # "mission impossible rogue" is not "Mission: Impossible", and
                    # "Part Two" is not "MI 2" however well the number matches.
                    score = min(score, CUTOFF - 1.0)
                current = best.get(entry.item)
                candidate = _Best(score, entry.tier, entry.text, conflict)
                if current is None or _better(candidate, current):
                    best[entry.item] = candidate
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
        limit = max(0, min(limit, MAX_CHOICES))
        tokens = _match_tokens(query)
        if not tokens or limit == 0:
            return [self._choice(index) for index in self._browse[:limit]]
        key = " ".join(tokens)
        # A trailing space means the last word is finished.
        last_done = query[-1:].isspace()
        whole_numbers = frozenset(int(token) for token in tokens[: None if last_done else -1] if token.isdecimal())
        partial_number = tokens[-1] if tokens[-1].isdecimal() and not last_done else None
        ranks: dict[int, tuple[int, float]] = {}

        def offer(position: int, bucket: int, score: float) -> None:
            entry = self._entries[position]
            if not whole_numbers <= entry.numbers:
                return
            if partial_number is not None and not any(
                str(number).startswith(partial_number) for number in entry.numbers
            ):
                return
            current = ranks.get(entry.item)
            if current is None or (bucket, score) > current:
                ranks[entry.item] = (bucket, score)

        for position in self._exact.get(key, ()):
            offer(position, 3, 100.0)
        start = bisect.bisect_left(self._suffix_keys, key)
        for suffix, position, whole in self._suffixes[start:]:
            if not suffix.startswith(key):
                break
            offer(position, 2 if whole else 1, 100.0 * len(key) / len(self._entries[position].key))
        if all(token.isdecimal() for token in tokens) and len(tokens) == 1:
            # A bare number is a year or a position: list the items that carry it.
            for item, numbers in enumerate(self._item_numbers):
                if item not in ranks and any(number.startswith(key) for number in numbers):
                    ranks[item] = (0, 0.0)
        elif len(ranks) < limit and _size(key) >= 2:
            # Typos: only needed while word prefixes have not filled the list, which
            # keeps large catalogues fast (the fuzzy pass is the costly part).
            results = process.extract(
                key, self._keys, scorer=fuzz.WRatio, processor=None, limit=_FUZZY_POOL, score_cutoff=COMPLETE_CUTOFF
            )
            for _, score, position in results:
                offer(position, 0, score)
        ordered = sorted(ranks, key=lambda item: (-ranks[item][0], -ranks[item][1], self._browse_rank(item)))
        return [self._choice(index) for index in ordered[:limit]]

    # ------------------------------------------------------------------ helpers

    def _browse_rank(self, item_index: int) -> int:
        return self._browse_position.get(item_index, len(self._items))

    def _choice(self, item_index: int) -> Choice:
        return Choice(self._labels[item_index], self._values[item_index])

    def _scored(self, item_index: int, score: float, text: str) -> Scored[T]:
        return Scored(self._items[item_index], round(score, 1), text, self._labels[item_index])


_WORD_TYPO_CUTOFF = 75.0
"""Two words this similar (``fuzz.ratio``) count as one misspelt ("rouge", "rogue" = 80)."""


def _words_explained(query_words: str, name_words: str) -> bool:
    """Whether every word of the query is in the name: equal, its beginning or misspelt."""
    names = name_words.split()
    return all(
        any(name.startswith(word) or fuzz.ratio(word, name) >= _WORD_TYPO_CUTOFF for name in names)
        for word in query_words.split()
    )


_WORD_PREFIX_SCORE = 90.0
"""Score of a query whose words all begin the name's words in order (WRatio's substring score)."""


def _words_begin(query_words: str, name_words: str) -> bool:
    """Whether each query word begins a word of the name, in the same order."""
    wanted = query_words.split()
    if not wanted:
        return False
    names = iter(name_words.split())
    return all(any(name.startswith(word) for name in names) for word in wanted)


def _better(candidate: _Best, current: _Best) -> bool:
    """Whether ``candidate`` should replace ``current`` as an item's best score."""
    # A name whose numbers agree beats any score of one whose numbers conflict.
    if candidate.conflict != current.conflict:
        return not candidate.conflict
    return (candidate.score, -candidate.tier) > (current.score, -current.tier)


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


def _initials(franchise: str) -> str | None:
    """Initials of a franchise name ("Mission: Impossible" -> "mi"), if two or more."""
    words = [word for word in normalise(franchise).split() if word not in _ARTICLES and word not in {"of", "and"}]
    initials = "".join(word[0] for word in words if word[0].isalpha())
    return initials if len(initials) >= 2 else None


def _subtitle(title: str, franchise: str) -> str | None:
    """The part of ``title`` after the franchise name ("Ghost Protocol"), if it has words."""
    title_key, franchise_key = search_key(title), search_key(franchise)
    if not franchise_key or not title_key.startswith(franchise_key + " "):
        return None
    if title.casefold().startswith(franchise.casefold()):
        rest = title[len(franchise) :].strip(_SEPARATORS)
    else:
        rest = title_key[len(franchise_key) + 1 :]
    # A bare number ("2", "III") is not a subtitle: it would make "2" name a film.
    return rest if any(not token.isdecimal() for token in _tokens(rest)) else None


def film_label(title: str, year: int | None) -> str:
    """ "Title (year)" cut to fit 100 characters, the year always kept."""
    suffix = f" ({year})" if year is not None else ""
    return _clip(title, MAX_CHOICE_CHARS - len(suffix)) + suffix


class FilmIndex(SearchIndex[F]):
    """Films by title, original title, pack aliases and generated aliases."""

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
        position = {film.id: index for index, film in enumerate(film_list)}
        names: list[_Name] = []
        for index, film in enumerate(film_list):
            names.append(_Name(index, film.title, _TIER_NAME))
            names.extend(_without_part(index, film.title))
            franchise = (franchise_names or {}).get(film.id) or getattr(film, "franchise_name", None)
            if isinstance(franchise, str) and franchise.strip():
                names.extend(_franchise_names(index, film, franchise))
        for title in titles:
            if title.film_id in position:
                names.append(_Name(position[title.film_id], title.title, _TIER_NAME))
                if title.kind != "alias":
                    names.extend(_without_part(position[title.film_id], title.title))

        def browse(index: int) -> tuple[bool, int, int, str]:
            film = film_list[index]
            order = film.franchise_order
            return (order is None, order or 0, film.year, normalise(film.title))

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
        )


def _franchise_names(index: int, film: FilmLike, franchise: str) -> list[_Name]:
    """Aliases generated from a film's franchise name and position."""
    generated: list[_Name] = []
    order = film.franchise_order
    initials = _initials(franchise)
    if order is not None:
        generated.append(_Name(index, f"{franchise} {order}", _TIER_GENERATED))
        if initials:
            generated.append(_Name(index, f"{initials.upper()} {order}", _TIER_GENERATED))
    if initials and search_key(film.title) == search_key(franchise):
        # The eponymous first film is also plain "MI" / "M:I".
        generated.append(_Name(index, initials.upper(), _TIER_GENERATED))
    subtitle = _subtitle(film.title, franchise)
    if subtitle:
        generated.append(_Name(index, subtitle, _TIER_GENERATED))
        generated.extend(_without_part(index, subtitle))
    return generated


_PART_SUFFIX = re.compile(r"^(.+?)\s+(?:part|chapter|volume|vol)\s+\d+$")


def _without_part(index: int, title: str) -> list[_Name]:
    """The title without a closing "Part One" / "Chapter 2", as people often say it.

    Only titles and subtitles get one, never pack aliases: "Dead Reckoning Part
    Two" (an alias of the eighth film) must not also claim "Dead Reckoning".
    """
    found = _PART_SUFFIX.match(search_key(title))
    return [_Name(index, found.group(1), _TIER_GENERATED)] if found else []


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


def _name_parts(name: str) -> list[str]:
    """First name, surname and surname with particles of a name ("Brian De Palma" -> brian, palma, de palma)."""
    words = [word for word in name.replace("/", " ").split() if normalise(word)]
    words = [word for word in words if normalise(word) not in _NAME_STOPWORDS]
    if len(words) < 2:
        return []
    parts = [words[0], words[-1]]
    if len(words) > 2:
        parts.append(" ".join(words[1:]))
    return [part for part in parts if _size(search_key(part)) >= 3]


class PersonIndex(SearchIndex[P]):
    """People by name, aliases, first name and surname."""

    @classmethod
    def build(cls, people: Iterable[P]) -> PersonIndex[P]:
        """Index ``people`` (from ``CatalogueRepository.people``)."""
        person_list = list(people)
        names: list[_Name] = []
        for index, person in enumerate(person_list):
            for text in (person.name, *person.aliases):
                names.append(_Name(index, text, _TIER_NAME))
                names.extend(_Name(index, part, _TIER_PART) for part in _name_parts(text))
        counts: dict[str, int] = defaultdict(int)
        for person in person_list:
            counts[normalise(person.name)] += 1
        # Two people with one name are told apart by their key in the label.
        labels = [
            person.name if counts[normalise(person.name)] == 1 else f"{person.name} ({person.key})"
            for person in person_list
        ]
        browse = sorted(range(len(person_list)), key=lambda i: (normalise(person_list[i].name), person_list[i].key))
        return cls(person_list, names, keys=[p.key for p in person_list], labels=labels, browse_order=browse)


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


@dataclass(frozen=True)
class CharacterAppearance:
    """One film in which one person played a character."""

    person_key: str
    person_name: str
    film_key: str
    film_title: str
    year: int


@dataclass(frozen=True)
class Character:
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


def _character_names(raw: str) -> tuple[str, list[str]] | None:
    """The main name of a credited character and its other names.

    ``Kurt Hendricks ("Cobalt")`` -> Kurt Hendricks + Cobalt; ``Janik "Bone Doctor"
    Vinter`` -> Janik Vinter + Bone Doctor; ``Alanna Mitsopolis / The White Widow``
    -> Alanna Mitsopolis + The White Widow. An unquoted parenthesis is a note
    ("William Donloe (CIA analyst)") and is dropped; None when only a note is
    left ("(uncredited)").
    """
    aliases: list[str] = []
    for inner in _PARENTHESIS.findall(raw):
        aliases.extend(_QUOTED.findall(inner))
    text = _PARENTHESIS.sub(" ", raw)
    aliases.extend(_QUOTED.findall(text))
    text = _QUOTED.sub(" ", text)
    parts = [" ".join(part.split()) for part in text.split("/")]
    parts = [part for part in parts if normalise(part)]
    if not parts:
        return None
    return parts[0], [*parts[1:], *aliases]


@dataclass
class _CharacterGroup:
    """Credits gathered under one character key while building the index."""

    spellings: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    appearances: list[CharacterAppearance] = field(default_factory=list)


class CharacterIndex(SearchIndex[Character]):
    """Characters by name, nicknames, first name and surname."""

    @classmethod
    def build(cls, credits: Iterable[CastCreditLike], films: Iterable[FilmLike]) -> CharacterIndex:
        """Group cast ``credits`` by character name; credits of unknown films are skipped."""
        film_by_id = {film.id: film for film in films}
        groups: dict[str, _CharacterGroup] = {}
        for credit in credits:
            film = film_by_id.get(credit.film_id)
            spelled = _character_names(credit.character or "")
            if film is None or spelled is None:
                continue
            main, aliases = spelled
            group = groups.setdefault(search_key(main), _CharacterGroup())
            group.spellings.append(main)
            group.aliases.extend(alias for alias in aliases if normalise(alias))
            appearance = CharacterAppearance(credit.person_key, credit.person_name, film.key, film.title, film.year)
            if appearance not in group.appearances:
                group.appearances.append(appearance)
        characters: list[Character] = []
        for key, group in groups.items():
            # The most used spelling names the character; ties go to the first seen.
            name = max(dict.fromkeys(group.spellings), key=group.spellings.count)
            appearances = sorted(group.appearances, key=lambda a: (a.year, a.film_key))
            characters.append(Character(key, name, tuple(dict.fromkeys(group.aliases)), tuple(appearances)))
        names: list[_Name] = []
        for index, character in enumerate(characters):
            for text in (character.name, *character.aliases):
                names.append(_Name(index, text, _TIER_NAME))
                names.extend(_Name(index, part, _TIER_PART) for part in _name_parts(text))
        # Browsing lists the characters seen in most films first (Ethan Hunt, Luther...).
        browse = sorted(
            range(len(characters)), key=lambda i: (-len(characters[i].appearances), normalise(characters[i].name))
        )
        return cls(
            characters,
            names,
            keys=[character.key for character in characters],
            labels=[_character_label(character) for character in characters],
            browse_order=browse,
        )


def _character_label(character: Character) -> str:
    """ "Luther Stickell (Ving Rhames)": the name and up to three performers."""
    people = character.people
    shown = ", ".join(people[:3]) + (f" +{len(people) - 3}" if len(people) > 3 else "")
    suffix = f" ({shown})" if shown else ""
    if len(suffix) > MAX_CHOICE_CHARS // 2:
        suffix = _clip(suffix[:-1], MAX_CHOICE_CHARS // 2 - 1) + ")"
    return _clip(character.name, MAX_CHOICE_CHARS - len(suffix)) + suffix
