"""The search index core: resolving a query, fuzzy candidates and autocomplete, for any named items.

One matcher serves slash-command options, their autocomplete and free-typed values.
It is built once from plain catalogue data (``FilmIndex.build``, ``PersonIndex.build``,
``CharacterIndex.build``) and rebuilt when a pack loads, so a keystroke never costs a
database query. A built index can be kept as bytes (``snapshot``) and read back
(``restore``) in a fraction of the time building takes.

How a query is resolved (``SearchIndex.resolve``):

1. A value handed out by autocomplete (normally the item's key) resolves exactly.
2. Exact name: the query's *search key* equals the key of a title, an alias, a
   generated alias or, for people and characters, a first name or surname (a title
   beats an alias, an alias a name part). Films' generated aliases (``films.py``):
   "MI 7" and "Mission Impossible 7" of a declared series, "Jaws 4" of a series
   worked out from titles, the subtitle of a declared series ("Ghost Protocol"),
   initialisms ("BTTF", "ROTJ", "TWOK", "T2"), a title's year ("2001"). Search keys
   are normalised text with numbers unified (``text.py``): "III", "three" and "3"
   are all ``3``, so "M:I:III", "MI3" and "Mission Impossible 3" share the key ``mi
   3``; "Part V: A New Beginning" is ``part 5 a new beginning``, "The X-Files" keeps
   its letter, "10,000 B.C." is ``10000 bc``, "2½" is ``2 half`` and "Net, The" is
   "The Net". A year in the query ("Fallout 2018", "Lolita (1997)") may stand for the
   film's year; a query that is only a year lists that year's films, unless a film is
   titled so ("1917"). Two films with one name (remakes) are ambiguous, never picked;
   names that share a key but are spelt apart go to the one spelt as typed ("The
   Final Destination", "Final Destination").
3. Fuzzy: rapidfuzz ``WRatio`` over every precomputed key, with a cutoff. Numbers
   must agree: a name is never matched by a query holding a number that is neither
   in that name nor the item's year or franchise position ("Mission Impossible 3"
   never reaches the second film, "Part Two" never "Part One", "... 1997" nothing).
   A query that is only a small fragment of a name ("ghost" of "Ghost Protocol")
   is too weak to pick an item on its own and only suggests it.
   Films are stricter (``_typos_only``, `_TypoJudge`), since a catalogue of thousands
   holds titles a letter or a word apart: a fuzzy name identifies a film only if the
   query is a slip of a finger from it or from one part of its title (`_typo_of`,
   `_slip`: two letters swapped, one dropped, doubled, or added or changed for a
   neighbouring key; two such slips in two words of a long name; never a number
   changed; articles counted, so "Te Hoax" is "The Hoax"), or if the query's words
   begin the title's words and reach past its main title ("mi rogue"), or it is a
   fragment of a pack's alias or a declared subtitle ("rogue" of "Rogue Nation").
   So whole words missing ("Moonlight" of "Moonlight Mile"), a letter far on the
   keyboard ("Crow", "Crew"), the first letter of a short title dropped ("Argo",
   "Fargo"), a plural "s" ("The Brother") and a main title without its number ("The
   Lord of the Rings") only suggest. Initials ("L.I.E." and the generated ones) only
   ever match exactly (``EXACT_ONLY``): "Lire" is not "L.I.E." mistyped.
4. Two best candidates within ``MARGIN`` points are ambiguous ("Did you mean…");
   below the cutoff there is no match, with the closest names as suggestions. A
   title met by a typo beats a part of another title or a generated alias met so
   ("The Sorcerer", "Highlander III: The Sorcerer") by more than ``MARGIN``.

``WRatio`` was measured against ``token_set_ratio`` on the cases in the tests:
``token_set_ratio`` scores any subset 100 ("mission impossible" ties with all eight
films, "the reckoning" is a perfect match for "The Final Reckoning"), and its
typo scores on long names are worse ("rouge nation" vs the full title 67 against
86), so ``WRatio`` is used.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import re
import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, groupby, islice
from operator import itemgetter, sub
from typing import ClassVar, Generic, Literal, NamedTuple, Self, TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.memory import collector_paused
from cogs.films.search.tables import Picked, find_raw, packed, prefix_range
from cogs.films.search.text import (
    ARTICLES,
    DIGIT,
    YEAR_RANGE,
    TextKeys,
    match_tokens,
    normalise,
    numbers_in,
    size_of,
    tokens_of,
    words_of,
)
from db.packed import PackedStrings, numbers_of

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


def clip(text: str, limit: int = MAX_CHOICE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def value_for(key: str) -> str:
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


# --------------------------------------------------------------------------- the index

# How a name was obtained: lower tiers win exact matches.
TIER_NAME = 1  # a title, original title, pack alias, person name or character name
TIER_GENERATED = 2  # an alias derived from the franchise or from a title's subtitle
TIER_PART = 3  # a first name or surname
EXACT_ONLY = 8
"""Added to a tier: the name only ever matches exactly, never as a fuzzy target (initials such as
"L.I.E." or a generated "BTTF", where one changed letter is another word)."""
SHORT_NAME = 16
"""Added to a tier: a pack's alias or a declared series' subtitle ("Rogue Nation"), a short name
already, which a fragment of ("rogue") may name the film by."""
TIER_MASK = 7
"""The tier itself, without the flags above."""

Name = tuple[int, str, int]
"""One name of one item, as handed to :class:`SearchIndex`: item index, text, tier."""


def names_and_parts(
    main_names: Sequence[str], alias_offsets: Sequence[int], aliases: Sequence[str], keys: TextKeys
) -> Iterator[Name]:
    """Each item's main name and aliases (item ``i``'s are ``aliases[alias_offsets[i]:alias_offsets[i + 1]]``),
    with their first names and surnames, made as the index takes them: a list of them all would hold
    millions of tuples at once."""
    for index, name in enumerate(main_names):
        first, last = alias_offsets[index], alias_offsets[index + 1]
        for text in (name, *aliases[first:last]) if last > first else (name,):
            yield index, text, TIER_NAME
            for part in keys.name_parts(text):
                yield index, part, TIER_PART


SCAN_ALL = 2_000
"""Indexes with at most this many names are fuzzy-scored name by name, all of them.

Larger ones first pick candidates by shared trigrams (``SearchIndex._candidates``):
scoring every name of a large catalogue with ``WRatio`` takes far too long per keystroke.
"""
_GRAM_BUDGET = 3_000
"""Trigram postings read per fuzzy query, rarest trigrams first (past the first few)."""
_MIN_GRAMS = 3
"""Trigrams always read, however common: a typo spoils up to three of a word's."""
_FUZZY_SCORED = 400
"""Most candidate names scored with ``WRatio`` per fuzzy query (those sharing most trigrams)."""


_EMPTY: frozenset[int] = frozenset()


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
        self.words = words_of(text)
        self.size = size_of(text)
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
        name_words = words_of(key)
        begins = self.begins.get(name_words)
        if begins is None:
            begins = self.begins[name_words] = _words_begin(words, name_words)
        if begins:
            # Every word begins a word of the name, in order ("chris mcquarrie"): as good as a
            # close spelling whatever the lengths.
            score = max(score, _WORD_PREFIX_SCORE)
        if self.size < MIN_FRAGMENT_COVERAGE * size_of(key) and not (begins and self.several_words):
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


_TYPO_SCORE = 95.0
"""Score of a name a typo away from the query: above any fragment's, as sure as a close spelling."""
_LESSER = 4.0
"""Taken from that score for a part of a title or a generated alias: more than `MARGIN`."""
_TYPO_FLOOR = 80.0
"""Names scored lower than this (``WRatio``) and of another length are no typo of the query."""
_SPELLINGS_KEPT = 16_384
"""Names whose other spellings are kept between queries (franchise siblings meet many queries)."""
_NEAR_LENGTH = 8
"""Raw names (or parts) further than this from the query's length are no typo of it, unnormalised."""
_SHORT = 6
"""Names of at most this many letters and digits are short: dropping their first letter makes another."""
_PARTS = re.compile(r"\s*(?:[:;(\[–—|/]|\s-\s|\.\.\.)\s*")
"""What separates a title's parts ("Mission: Impossible – Fallout"): each part may be typed alone."""
_LONG = 15
"""Names of this many letters and digits or more may take two typos ("mision imposible")."""


def typo_budget(size: int) -> int:
    """Edits (letters added, dropped, changed or swapped, spaces counted) that a name of ``size``
    letters and digits still identifies: none under four, where one edit makes another word, two
    in a long name."""
    return 0 if size < 4 else 1 if size < _LONG else 2


def _typo_of(query: str, name: str) -> int | None:
    """The edits from ``name`` to ``query`` if they look like a typo of it, else None.

    Within `typo_budget`, and only the edit a finger makes (`_slip`): one edit is often another real
    title ("Crew", "Crow"; "Argo", "Fargo"; "The Mask of Zorro", "The Mark of Zorro"). The numbers
    must be the same: "Universal Soldier" is two edits from "Universal Soldier 2".
    """
    distance = OSA.distance(query, name, score_cutoff=2)
    if distance > typo_budget(size_of(name)) or (distance and _digits(query) != _digits(name)):
        return None
    if distance == 1 and not _slip(query, name):
        return None
    if distance == 2:
        # Two slips, in two words: "mision imposible", not "In Her Line of Fire" for "In the Line of Fire".
        pairs = list(zip(query.split(), name.split(), strict=False))
        changed = [(typed, word) for typed, word in pairs if typed != word]
        if len(query.split()) != len(name.split()) or len(changed) != 2:
            return None
        if not all(OSA.distance(typed, word) == 1 and _slip(typed, word) for typed, word in changed):
            return None
    return distance


def _digits(text: str) -> str:
    """The digits of a key, in order: a typo never adds, drops or changes a number."""
    return "".join(char for char in text if char.isdecimal())


_KEY_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_AT = {char: (row, column) for row, keys in enumerate(_KEY_ROWS) for column, char in enumerate(keys)}


def _near(one: str, other: str) -> bool:
    """Whether two keys are next to each other on a QWERTY keyboard, a row up or down included (counted
    by column, generously: rows are staggered, and fingers slip both ways)."""
    first, second = _KEY_AT.get(one), _KEY_AT.get(other)
    if first is None or second is None:
        return False
    return one != other and abs(second[0] - first[0]) <= 1 and abs(second[1] - first[1]) <= 1


def _plural(text: str, at: int) -> bool:
    """Whether ``text[at]`` is an "s" that ends a word: without it the word is another ("Phantoms")."""
    return text[at] == "s" and text[at + 1 : at + 2] in ("", " ") and at > 0 and text[at - 1] != "s"


def _slip(query: str, name: str) -> bool:
    """Whether ``query`` is ``name`` with one slip of a finger.

    Two letters swapped, one dropped (not the first of a short name: "Argo" is not "Fargo"), one doubled
    or one added (inside a word) or changed for a key next to it; but never a word's closing "s" added
    or dropped ("The Brother", "The Brothers"). A letter changed or added anywhere else
    on the keyboard ("Crow" for "Crew") is how another word is spelt, not a slip.
    """
    at = 0
    while at < min(len(query), len(name)) and query[at] == name[at]:
        at += 1
    if len(query) == len(name):
        if query[at + 1 :] == name[at + 1 :]:
            return _near(query[at], name[at])
        return query[at : at + 2] == name[at : at + 2][::-1] and query[at + 2 :] == name[at + 2 :]
    if len(query) + 1 == len(name):
        return (at > 0 or size_of(name) > _SHORT) and query[at:] == name[at + 1 :] and not _plural(name, at)
    if len(query) == len(name) + 1 and query[at + 1 :] == name[at:] and not _plural(query, at):
        added = query[at]
        if at == len(name) or name[at] == " ":
            # After the end of a word only a doubled letter: "Wilde" is not "Wild" mistyped.
            return added == name[at - 1]
        neighbours = name[max(0, at - 1) : at + 1]
        return added == " " or any(added == char or _near(added, char) for char in neighbours)
    return False


_UNJUDGED = -1.0


class _TypoJudge:
    """Which names a query may identify, for indexes where a look-alike must never be taken.

    A name identifies when the query is a typo of it (`_typo_of`, counted with articles: "Te Hoax"
    is one edit from "The Hoax") or of one part of it ("Rogue Nation"; a first part only if it
    carries a number, "Terminator 3": "The Lord of the Rings" names none of its films). A query
    whose words begin the name's words also does if it reaches a later part ("mission impossible
    rogue", "mi rogue"). Anything else (whole words missing, "Moonlight" of "Moonlight Mile"; edits
    no finger makes; initials) is as often another film as this one, and only suggests it.
    """

    def __init__(self, text: str, whole: str, plain: str) -> None:
        self.text = text
        self.whole = whole
        self.texts = (text,) if whole == text else (text, whole)
        # The query as typed, numbers unread, for names met the same way ("Nine 1/2 Weeks").
        self.plain = tuple(dict.fromkeys((*self.texts, normalise(plain))))
        self.words = words_of(text)
        self.judged: dict[tuple[str, int], float | None] = {}

    def score(self, key: str, name: str, tier: int, score: float) -> float:
        if tier & EXACT_ONLY:
            return 0.0  # initials are not spelt: "Lire" is not "L.I.E." mistyped, nor like it
        if score < _TYPO_FLOOR and abs(len(key) - len(self.text)) > 2:
            # Far from a typo: a typo scores high, or, in a short name, is of about its length.
            return score * (CUTOFF - 1.0) / 100.0
        judged = self.judged.get((name, tier), _UNJUDGED)
        if judged == _UNJUDGED:
            judged = self.judged[(name, tier)] = self._judge(key, name, tier)
        if judged is None:
            # Only a suggestion; scaled rather than capped, so the closest are still suggested first.
            return score * (CUTOFF - 1.0) / 100.0
        return max(score, judged) if judged else score

    def _near(self, text: str) -> bool:
        """Whether raw ``text`` is long enough and short enough to be a typo of the query once
        normalised (punctuation, articles and number words change a length by a few characters)."""
        return abs(len(text) - len(self.whole)) <= _NEAR_LENGTH

    def _judge(self, key: str, name: str, tier: int) -> float | None:
        """The score a name earns (0.0: its own fuzzy score), or None if it cannot identify."""
        # A whole title beats a part of another's ("The Sorcerer", "Highlander III: The Sorcerer"),
        # as a title beats a generated alias ("Back to the Future Part II").
        lesser = _LESSER * (tier & TIER_MASK == TIER_GENERATED)
        best = self._earned(key, self.texts, lesser)
        if best is not None and best >= _TYPO_SCORE - lesser:
            return best  # no other form of the name earns more
        spellings = _spellings(name, key)
        if spellings.forms and self._near(name):
            for form in spellings.forms:
                earned = self._earned(form, self.plain, lesser)
                if earned is not None and (best is None or earned > best):
                    best = earned
        for length, forms in spellings.parts:
            if abs(length - len(self.whole)) > _NEAR_LENGTH:
                continue
            for form in forms:
                # A part is met with the query's article: "The Final Cut" is not "Urban Legends: Final Cut".
                earned = self._earned(form, (self.whole,), lesser + _LESSER)
                if earned is not None and (best is None or earned > best):
                    best = earned
        if best is not None:
            return best
        if tier & SHORT_NAME:
            return 0.0
        if spellings.first_part and _reaches(self.words, words_of(key), spellings.first_part):
            return 0.0
        return None

    @staticmethod
    def _earned(form: str, texts: tuple[str, ...], lesser: float) -> float | None:
        """The score of a name's form that one of the query's ``texts`` is a typo of, if one is."""
        found: float | None = None
        for text in texts:
            distance = _typo_of(text, form)
            if distance is not None:
                earned = (100.0 if distance == 0 else _TYPO_SCORE) - lesser
                found = earned if found is None else max(found, earned)
        return found


class _Spellings(NamedTuple):
    """A name's spellings besides its key, for `_TypoJudge`."""

    forms: tuple[str, ...]
    """Where they differ from the key: as written, numbers unread ("thirteen"), and with its article."""
    parts: tuple[tuple[int, tuple[str, ...]], ...]
    """Each part that may be typed alone (the first only with its number), by its raw length."""
    first_part: int
    """The words of the first part, if the name has several parts; else 0."""


@lru_cache(maxsize=_SPELLINGS_KEPT)
def _spellings(name: str, key: str) -> _Spellings:
    """A name's `_Spellings`: worked out once per name for every query that meets it."""
    plain = normalise(name) if _digits(key) != _digits(name) or not name.isascii() else key
    forms = [plain] if plain != key else []
    if name[:4].casefold().split(" ")[0] in ARTICLES:
        forms.append(" ".join(tokens_of(name)))
        if plain != key and " " in plain:
            forms.append(plain.split(" ", 1)[1])
    if _PARTS.search(name) is None:
        return _Spellings(tuple(forms), (), 0)
    pieces = [piece for piece in _PARTS.split(name) if piece]
    if len(pieces) < 2:
        return _Spellings(tuple(forms), (), 0)
    parts: list[tuple[int, tuple[str, ...]]] = []
    for place, piece in enumerate(pieces):
        tokens = tokens_of(piece)
        if place == 0 and not any(token.isdecimal() for token in tokens):
            continue
        parts.append((len(piece), tuple(dict.fromkeys((" ".join(tokens), normalise(piece))))))
    first = len(words_of(" ".join(tokens_of(pieces[0]))).split())
    return _Spellings(tuple(forms), tuple(parts), first)


def _reaches(query_words: str, name_words: str, first_part: int) -> bool:
    """Whether each query word begins a name word, in order, from the first name word to one past the
    ``first_part`` words."""
    wanted = query_words.split()
    if not wanted:
        return False
    names = name_words.split()
    if not names or not names[0].startswith(wanted[0]):
        return False
    at = 0
    for word in wanted:
        while at < len(names) and not names[at].startswith(word):
            at += 1
        if at == len(names):
            return False
        at += 1
    return at > first_part


_NO_ENTRY = 0xFFFF_FFFF
"""No entry (an entry number never reaches it): the end of a key's chain, an item not met yet."""


def _numbers_of_key(key: str) -> frozenset[int]:
    """The numbers a search key holds: `numbers_in` the key, read off its words where that is the same.

    A key's words are tokens already (numerals and number words made digits, digits split from letters),
    so only a lone letter (initials, a numeral letter) or three digits after a number ("1 500", read
    as one) are read again; an ASCII key without a digit holds no number.
    """
    if key.isascii():
        if DIGIT.search(key) is None:
            return _EMPTY
        if _READ_AGAIN.search(key) is None:
            # A key's ASCII words are all digits or all letters: its runs of digits are its numbers.
            return frozenset(map(int, _DIGIT_RUN.findall(key)))
    return numbers_in(key)


_READ_AGAIN = re.compile(r"(?:^| )[a-z](?: |$)|\d \d{3}(?: |$)")
"""What `tokens_of` may read otherwise in a key: a lone letter, three digits after a number."""
_DIGIT_RUN = re.compile(r"\d+")


_FEW_PREFIXED = 512
"""Autocomplete finds up to this many keys (or word starts) that begin with the query among all at once,
and groups them by length; past it, it looks among the keys of each length in turn until the list is
full (a short query: "j")."""


class SearchIndex(Generic[T]):
    """An immutable in-memory index of named items; see the module docstring.

    Subclasses build one with a ``build`` class method; the constructor takes the
    items already flattened into names.

    The ``build`` methods only take the data in: the index itself is worked out on
    first use (any method or property), so loading a catalogue stays quick and an
    index nobody queries costs nothing. :meth:`prepare` does that work at a time of
    the caller's choosing: for a large catalogue it takes seconds (the character index
    most), and the trigram table of the first fuzzy look-up is built with it. Run it
    early (``asyncio.to_thread(index.prepare)``) so no user waits.
    """

    _fuzzy_pool: ClassVar[int] = _FUZZY_POOL
    _typos_only: ClassVar[bool] = False
    """Whether a fuzzy match must look like a typo of a name (`_TypoJudge`) to identify an item."""
    _few_prefixed: ClassVar[int] = _FEW_PREFIXED
    # Held as flat tables (``tables.py``), not an object per name: a large catalogue has millions.
    _items: Sequence[T]
    _labels: PackedStrings | None
    """Each item's label, when given; else they are made by ``_make_label`` and kept in ``_made_labels``."""
    _made_labels: dict[int, str]
    _make_label: Callable[[T], str] | None
    _years: array[int]
    """Each item's year (`_NO_YEAR` for none), if any item has one; else empty."""
    _has_years: bool
    _by_year: dict[int, array[int]]
    _browse: array[int]
    _rank: array[int]
    _values: PackedStrings
    _by_value: array[int]
    """The items sorted by value (the last of equal values last), for bisection."""
    _by_folded_value: dict[str, int]
    _entry_key: array[int]
    """Each entry's key, as its number in ``_key_table``."""
    _entry_item: array[int]
    _entry_tier: array[int]
    _entry_text: array[int]
    """Each entry's name as written, as its number in ``_texts``."""
    _texts: PackedStrings
    _entry_numbers: array[int]
    """Each entry's numbers (of the name and the item), as a number in ``_number_sets``."""
    _number_sets: list[frozenset[int]]
    _key_table: PackedStrings
    """Every distinct key, numbered in the order of their first entries."""
    _key_order: array[int]
    """The key numbers sorted by key, for bisection."""
    _key_start: array[int]
    """Where each key's entries start in ``_key_entries`` (and, at the end, where the last ends)."""
    _key_entries: array[int]
    """The entries of each key in turn, each key's in browse order of their items."""
    _crowded: dict[str, array[int]]
    _lengths: list[int]
    """The distinct lengths of keys, ascending."""
    _length_start: array[int]
    """Where the keys of each of ``_lengths`` start in ``_by_length`` (and where the last end)."""
    _by_length: array[int]
    """Key numbers sorted by length, then by key."""
    _tail_start: array[int]
    """Where the word starts of the keys of each of ``_lengths`` start in ``_tail_key``."""
    _tail_key: array[int]
    _tail_at: array[int]
    """The word starts after a key's first word: each the key's number and the byte it starts at, sorted
    by the key's length, then by the text from there, then by key."""
    _tail_order: array[int]
    """The word starts (their places in ``_tail_key``) sorted by the text from there alone."""
    _number_texts: PackedStrings
    _number_items: array[int]
    _grams: Trigrams | None
    _scan_keys: list[str] | None
    """Every entry's key, for indexes small enough to fuzzy-score them all (made on first use)."""

    def __init__(
        self,
        items: Sequence[T],
        names: Iterable[Name],
        *,
        keys: Sequence[str],
        labels: Sequence[str] | Callable[[T], str],
        years: Sequence[int | None] | None = None,
        extra_numbers: Sequence[frozenset[int]] | None = None,
        browse_order: Sequence[int] | None = None,
        cache: TextKeys | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._pending: Callable[[], SearchIndex[T]] | None = None
        self._grams = None
        self._scan_keys = None
        self._setup(items, names, keys, labels, years, extra_numbers, browse_order, cache or TextKeys())

    @classmethod
    def _deferred(cls, make: Callable[[], SearchIndex[T]]) -> Self:
        """An index that calls ``make`` for its contents on first use."""
        index = cls.__new__(cls)
        index._lock = threading.RLock()
        index._pending = make
        index._grams = None
        index._scan_keys = None
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
        if len(self._entry_item) > SCAN_ALL:
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
        names: Iterable[Name],
        keys: Sequence[str],
        labels: Sequence[str] | Callable[[T], str],
        years: Sequence[int | None] | None,
        extra_numbers: Sequence[frozenset[int]] | None,
        browse_order: Sequence[int] | None,
        cache: TextKeys,
    ) -> None:
        self._items = items
        count = len(self._items)
        extras: Sequence[frozenset[int]] = extra_numbers if extra_numbers is not None else (_EMPTY,) * count
        self._set_labels(labels)
        self._set_years_and_order(years, browse_order)
        self._set_values(keys)
        key_list = self._set_entries(names, extras, cache)
        self._set_prefix_tables(key_list)
        self._set_number_table(extras)

    def _set_labels(self, labels: Sequence[str] | Callable[[T], str]) -> None:
        # Labels may be made on demand (``labels`` a function of the item): most are never shown.
        self._made_labels = {}
        if callable(labels):
            self._make_label = labels
            self._labels = None
        else:
            self._make_label = None
            self._labels = PackedStrings.of(clip(label) for label in labels)

    def _set_years_and_order(self, years: Sequence[int | None] | None, browse_order: Sequence[int] | None) -> None:
        """Each item's year, the browse order and each item's rank in it, and the items of each year."""
        count = len(self._items)
        self._has_years = years is not None and any(year is not None for year in years)
        known = years if years is not None and self._has_years else ()
        self._years = array("i", [_NO_YEAR if year is None else year for year in known])
        self._browse = array("I", browse_order if browse_order is not None else range(count))
        self._rank = array("I", [count]) * count
        for rank, item in enumerate(self._browse):
            self._rank[item] = rank
        self._by_year = {}
        if self._has_years:
            for item in self._browse:
                year = self._years[item]
                if year != _NO_YEAR:
                    self._by_year.setdefault(year, array("I")).append(item)

    def _set_values(self, keys: Sequence[str]) -> None:
        """The autocomplete value of each item, and the items sorted by value."""
        values = [value_for(key) for key in keys]
        self._values = PackedStrings.of(values)
        # Sorted is stable: of equal values (none are expected) the last item is found, as a dict would.
        self._by_value = array("I", sorted(range(len(values)), key=values.__getitem__))
        # Case-insensitive fallback so a key typed by hand ("MI7") also resolves. Most keys are their own
        # casefold, which `_by_value` already finds: only the others are kept (see `_item_of_value`).
        folded = {value.casefold(): index for index, value in enumerate(values)}
        # What `_item_valued` finds for each value (the last item holding it), without a bisection each.
        last = {value: index for index, value in enumerate(values)}
        self._by_folded_value = {value: index for value, index in folded.items() if last.get(value) != index}
        del last, folded

    def _set_entries(self, names: Iterable[Name], extras: Sequence[frozenset[int]], cache: TextKeys) -> list[str]:
        """One entry per (key, item): the name of the lowest tier, the first on a tie. Returns the distinct
        keys in the order of their numbers.

        Entries are parallel arrays of numbers: there are millions in a large catalogue. Keys, texts and
        sets of numbers are held once each and numbered: first names, surnames, character names and
        years repeat across items.
        """
        entry_key = array("I")
        entry_item = array("I")
        entry_tier = array("B")
        entry_text = array("I")
        entry_numbers = array("I")
        key_number: dict[str, int] = {}
        key_list: list[str] = []
        key_numbers: list[frozenset[int]] = []
        text_number: dict[str, int] = {}
        number_sets: dict[frozenset[int], int] = {}
        # Each key's entries as a chain through the arrays (its last entry, each entry the one before
        # it), and each item's first entry: an item's entry for a key is found by walking the key's chain
        # back to that first entry, without a dictionary or list per item or key. The builders list an
        # item's names together (films add their other titles later, and have few names per key).
        none = _NO_ENTRY
        last_of_key = array("I")
        before = array("I")
        first_of_item = array("I", [none]) * len(self._items)
        known = cache.known_match_keys
        key_numbers_of = _numbers_of_key
        for item, text, tier in names:
            key = known.get(text)
            if key is None:
                key = cache.match_key(text)
            if not key:
                continue
            number = key_number.get(key)
            position = none
            if number is not None:
                first = first_of_item[item]
                if first != none:
                    at = last_of_key[number]
                    while at != none and at >= first:
                        if entry_item[at] == item:
                            position = at
                            break
                        at = before[at]
            if position == none:
                written = text_number.setdefault(text, len(text_number))
                position = len(entry_item)
                if first_of_item[item] == none:
                    first_of_item[item] = position
                if number is None:
                    number = key_number[key] = len(key_list)
                    key_list.append(key)
                    last_of_key.append(none)
                    key_numbers.append(key_numbers_of(key))
                before.append(last_of_key[number])
                last_of_key[number] = position
                numbers = key_numbers[number]
                entry_key.append(number)
                entry_item.append(item)
                entry_tier.append(tier)
                entry_text.append(written)
                # The numbers of the name and of its item (year, franchise position).
                extra = extras[item]
                joined = numbers | extra if numbers and extra else numbers or extra
                # One set per distinct set of numbers: films of one year and place share it.
                entry_numbers.append(number_sets.setdefault(joined, len(number_sets)))
            elif tier < entry_tier[position]:
                entry_tier[position] = tier
                entry_text[position] = text_number.setdefault(text, len(text_number))
        del first_of_item, key_number, key_numbers
        self._entry_key = packed(entry_key, len(key_list))
        self._entry_item = entry_item
        self._entry_tier = entry_tier
        self._entry_text = packed(entry_text, len(text_number))
        self._texts = PackedStrings.of(text_number)
        del text_number, entry_text
        self._entry_numbers = packed(entry_numbers, len(number_sets))
        self._number_sets = list(number_sets)
        del entry_numbers, number_sets
        self._key_table = PackedStrings.of(key_list)
        self._key_order = packed(sorted(range(len(key_list)), key=key_list.__getitem__), len(key_list))
        # A key's entries are listed in browse order, which autocomplete lists them in (see `complete`):
        # each chain read back to front, then sorted by rank where it holds more than one entry.
        rank = self._rank
        count = len(entry_item)
        listed = array("I", bytes(4 * count))
        starts = array("I", [0])
        # A key shared by more names than a fuzzy pool holds (a first name: every John) adds at most
        # its first pool of entries to one (see `_fuzzy_hits`): those are kept ready.
        pool = self._fuzzy_pool
        crowded: dict[str, array[int]] = {}
        end = 0
        for number, at in enumerate(last_of_key):
            if before[at] == none:
                listed[end] = at
                end += 1
            else:
                chain = []
                while at != none:
                    chain.append(at)
                    at = before[at]
                chain.reverse()
                if len(chain) > pool:
                    crowded[key_list[number]] = array("I", chain[:pool])
                listed[end : end + len(chain)] = array("I", sorted(chain, key=lambda pos: rank[entry_item[pos]]))
                end += len(chain)
            starts.append(end)
        del before, last_of_key
        self._key_start = packed(starts, count)
        self._key_entries = listed
        self._crowded = crowded
        return key_list

    def _entries_of(self, number: int) -> array[int]:
        """The entries of the key numbered ``number``, their items in browse order."""
        starts = self._key_start
        return self._key_entries[starts[number] : starts[number + 1]]

    def _key_number(self, key: str) -> int | None:
        """The number of ``key``, if it is a key."""
        order = self._key_order
        at = find_raw(self._sorted_key, key.encode(), 0, len(order))
        return None if at is None else order[at]

    def _sorted_key(self, at: int) -> bytes:
        """The raw key at ``at`` in key order."""
        number = self._key_order[at]
        ends = self._key_table.offsets
        return self._key_table.data[ends[number] : ends[number + 1]]

    def _positions(self, key: str) -> Sequence[int]:
        """The entries whose key is ``key`` (none if it is no key), their items in browse order."""
        number = self._key_number(key)
        return () if number is None else self._entries_of(number)

    def _set_prefix_tables(self, key_list: list[str]) -> None:
        """For typing: every distinct key, and each of its word starts after the first ("impossible
        ghost protocol", "ghost protocol", "protocol"), sorted and grouped by the key's length, so the
        best prefix matches (the shortest names) are found by bisection without looking at the others."""
        lengths = [len(key) for key in key_list]
        by_length = sorted(self._key_order, key=lengths.__getitem__)
        self._lengths = sorted(set(lengths))
        place = {length: at for at, length in enumerate(self._lengths)}
        counts = [0] * len(self._lengths)
        for length in lengths:
            counts[place[length]] += 1
        tails: list[tuple[int, str, str, int, int]] = []
        for number, key in enumerate(key_list):
            start = key.find(" ")
            while start >= 0:
                at = start + 1 if key.isascii() else len(key[: start + 1].encode())
                tails.append((len(key), key[start + 1 :], key, number, at))
                start = key.find(" ", start + 1)
        tails.sort()
        tail_counts = [0] * len(self._lengths)
        for tail in tails:
            tail_counts[place[tail[0]]] += 1
        self._by_length = packed(by_length, len(key_list))
        self._length_start = packed([0, *accumulate(counts)], len(key_list))
        self._tail_start = packed([0, *accumulate(tail_counts)], len(tails))
        self._tail_key = packed([tail[3] for tail in tails], len(key_list))
        self._tail_at = packed([tail[4] for tail in tails])
        self._tail_order = packed(sorted(range(len(tails)), key=lambda at: tails[at][1]), len(tails))

    def _set_number_table(self, extras: Sequence[frozenset[int]]) -> None:
        """Every number of each item, as text, sorted, for number-only autocomplete ("2023")."""
        # Only the items that have numbers (a set each): most characters and people have none.
        item_numbers: dict[int, set[int]] = {item: set(extra) for item, extra in enumerate(extras) if extra}
        entry_item, sets = self._entry_item, self._number_sets
        for position, found in enumerate(self._entry_numbers):
            numbers = sets[found]
            if numbers:
                item = entry_item[position]
                held = item_numbers.get(item)
                if held is None:
                    item_numbers[item] = set(numbers)
                else:
                    held.update(numbers)
        pairs_by_number = sorted((str(number), item) for item, found in item_numbers.items() for number in found)
        del item_numbers
        self._number_texts = PackedStrings.of(text for text, _ in pairs_by_number)
        self._number_items = array("I", [item for _, item in pairs_by_number])

    # ------------------------------------------------------------------ accessors

    def __len__(self) -> int:
        self._ready()
        return len(self._items)

    @property
    def _keys(self) -> Sequence[str]:
        """The match key of every indexed name (what the fuzzy pass scores)."""
        self._ready()
        return self._entry_keys

    @property
    def _entry_keys(self) -> Sequence[str]:
        """Each entry's key (decoded as it is read)."""
        return Picked(self._key_table, self._entry_key)

    @property
    def items(self) -> Sequence[T]:
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
        index = self._item_of_value(value.strip())
        return None if index is None else self._items[index]

    def _item_valued(self, value: str) -> int | None:
        """The item whose autocomplete value is exactly ``value`` (the last, were two equal)."""
        order, values = self._by_value, self._values
        wanted = value.encode()
        at = bisect.bisect_right(range(len(order)), wanted, key=lambda at: values.raw(order[at])) - 1
        return order[at] if at >= 0 and values.raw(order[at]) == wanted else None

    def _item_of_value(self, value: str) -> int | None:
        """The item whose autocomplete value is ``value``, or failing that is ``value`` whatever the case."""
        found = self._item_valued(value)
        if found is None:
            folded = value.casefold()
            found = self._by_folded_value.get(folded)
            if found is None:
                found = self._item_valued(folded)
        return found

    # ------------------------------------------------------------------ resolve

    def resolve(self, query: str) -> Match[T]:
        """Resolve a typed or autocompleted value to one item, a shortlist or nothing."""
        self._ready()
        direct = self._item_of_value(query.strip())
        if direct is not None:
            return Match("found", query, (self._scored(direct, 100.0, self._label(direct)),))
        whole = tokens_of(query)
        tokens = whole[1:] if len(whole) > 1 and whole[0] in ARTICLES else whole
        if not tokens:
            return Match("none", query)
        key = " ".join(tokens)
        year, year_free = self._split_year(tokens)

        exact = self._exact_match(key, year, year_free, query)
        if exact is not None:
            return Match(exact[0], query, exact[1])

        if year is not None and year_free is None:
            # The query is only a year and no film is titled so (unlike "1917"):
            # the films of that year, if there are any.
            same_year = self._by_year.get(year, ())
            if same_year:
                status: Status = "found" if len(same_year) == 1 else "ambiguous"
                picked = same_year[:MAX_CANDIDATES]
                return Match(status, query, tuple(self._scored(i, 100.0, str(year)) for i in picked))

        best = self._fuzzy(key, " ".join(whole), query, year, year_free)
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
            if token.isdecimal() and int(token) in YEAR_RANGE:
                rest = tokens[:position] + tokens[position + 1 :]
                return int(token), " ".join(rest) or None
        return None, None

    def _exact_match(
        self, key: str, year: int | None, year_free: str | None, typed: str = ""
    ) -> tuple[Status, tuple[Scored[T], ...]] | None:
        """An exact hit on the whole key, or on the key without the item's year.

        Names that share a key but are spelt apart ("The Final Destination" and "Final Destination",
        "Halloween II" and "Halloween 2") are told apart by the query spelt as one of them exactly.
        """
        items, tiers, texts, entry_text = self._entry_item, self._entry_tier, self._texts, self._entry_text
        hits = list(self._positions(key))
        if not hits and year is not None and year_free is not None:
            hits = [pos for pos in self._positions(year_free) if self._years[items[pos]] == year]
        if not hits:
            return None
        top = min(tiers[pos] & TIER_MASK for pos in hits)
        chosen: dict[int, int] = {}
        for pos in hits:
            if tiers[pos] & TIER_MASK == top:
                chosen.setdefault(items[pos], pos)
        if len(chosen) > 1 and typed:
            spelt = normalise(typed)
            literal = {items[pos]: pos for pos in hits if normalise(texts[entry_text[pos]]) == spelt}
            if len(literal) == 1:
                chosen = literal
        ordered = sorted(chosen.items(), key=lambda pair: self._rank[pair[0]])
        scored = tuple(self._scored(item, 100.0, texts[entry_text[pos]]) for item, pos in ordered[:MAX_CANDIDATES])
        return ("found" if len(chosen) == 1 else "ambiguous"), scored

    def _fuzzy(self, key: str, whole: str, typed: str, year: int | None, year_free: str | None) -> dict[int, _Best]:
        """Best fuzzy score per item, with number conflicts and weak fragments marked.

        ``whole`` is ``key`` with its leading article, if the query had one; ``typed`` the query.
        """
        best: dict[int, _Best] = {}
        variants: list[tuple[str, str, str, int | None]] = [(key, whole, typed, None)]
        if year is not None and year_free is not None:
            # "Fallout 2018": the year may be the film's, so also score "fallout"
            # against films of 2018 only.
            variants.append((year_free, year_free, year_free, year))
        items, entry_key, tiers, entry_text, entry_numbers = (
            self._entry_item,
            self._entry_key,
            self._entry_tier,
            self._entry_text,
            self._entry_numbers,
        )
        # Read here rather than by the tables' methods: hundreds of names per query.
        key_blob, key_ends = self._key_table.data, self._key_table.offsets
        text_blob, text_ends = self._texts.data, self._texts.offsets
        sets = self._number_sets
        for text, whole_text, typed_text, only_year in variants:
            wanted = numbers_in(text)
            scorer = _NameScorer(text)
            typos = _TypoJudge(text, whole_text, typed_text) if self._typos_only else None
            for score, position in self._fuzzy_hits(text, SUGGEST_CUTOFF):
                item = items[position]
                if only_year is not None and self._years[item] != only_year:
                    continue
                number = entry_key[position]
                name_key = key_blob[key_ends[number] : key_ends[number + 1]].decode()
                number = entry_text[position]
                written = text_blob[text_ends[number] : text_ends[number + 1]].decode()
                final = scorer.score(name_key, score)
                conflict = not wanted <= sets[entry_numbers[position]]
                tier = tiers[position]
                if typos is not None:
                    final = typos.score(name_key, written, tier, final)
                elif tier & EXACT_ONLY:
                    final = min(final, CUTOFF - 1.0)
                current = best.get(item)
                # A name whose numbers agree beats any score of one whose numbers conflict.
                if (
                    current is None
                    or (conflict != current.conflict and not conflict)
                    or (conflict == current.conflict and (final, -tier) > (current.score, -current.tier))
                ):
                    best[item] = _Best(final, tier, written, conflict)
        return best

    # ------------------------------------------------------------------ fuzzy candidates

    def _fuzzy_hits(self, text: str, cutoff: float) -> list[tuple[float, int]]:
        """(``WRatio`` score, entry position) of the best names for ``text``, best first.

        At most ``_fuzzy_pool`` of them, equal scores in entry order. A small index
        scores every name; a large one only the candidates of :meth:`_candidates`.
        """
        if len(self._entry_item) <= SCAN_ALL:
            every = self._scan_keys
            if every is None:
                every = self._scan_keys = self._key_table.pick(self._entry_key)
            results = process.extract(
                text, every, scorer=fuzz.WRatio, processor=None, limit=self._fuzzy_pool, score_cutoff=cutoff
            )
            return [(score, position) for _, score, position in results]
        numbers = self._candidate_numbers(text)
        found = process.extract(
            text,
            self._key_table.pick(numbers),
            scorer=fuzz.WRatio,
            processor=None,
            limit=self._fuzzy_pool,
            score_cutoff=cutoff,
        )
        hits: list[tuple[float, int]] = []
        last = None
        for key, score, at in found:
            if len(hits) >= self._fuzzy_pool and score != last:
                break
            positions = self._crowded.get(key) or self._entries_of(numbers[at])
            hits.extend((score, position) for position in positions)
            last = score
        hits.sort(key=lambda hit: (-hit[0], hit[1]))
        return hits[: self._fuzzy_pool]

    def _gram_index(self) -> Trigrams:
        """Each trigram of the padded keys (" mission impossible ") with the numbers of the keys holding it."""
        grams = self._grams
        if grams is None:
            with self._lock:
                grams = self._grams
                if grams is None:
                    grams = self._grams = Trigrams.of(self._key_table)
        return grams

    def _candidates(self, text: str) -> list[str]:
        """Keys worth a ``WRatio`` score for ``text`` (see `_candidate_numbers`)."""
        return self._key_table.pick(self._candidate_numbers(text))

    def _candidate_numbers(self, text: str) -> list[int]:
        """The numbers of the keys worth a ``WRatio`` score for ``text``: those sharing most of its trigrams.

        Trigrams are read rarest first, within ``_GRAM_BUDGET`` postings (always at
        least ``_MIN_GRAMS`` of them): a name close to the query shares most of them
        and so some rare one, while the common ones ("an ", "the") would only add
        thousands of names that share nothing else. The ``_FUZZY_SCORED`` keys
        sharing the most are kept.
        """
        grams = self._gram_index()
        padded = f" {text} "
        places = grams.places
        found = sorted(
            (
                place
                for gram in {padded[at : at + 3] for at in range(len(padded) - 2)}
                if (place := places.get(gram)) is not None
            ),
            key=grams.size,
        )
        chosen: list[Iterator[int]] = []
        total = 0
        for place in found:
            size = grams.size(place)
            if len(chosen) >= _MIN_GRAMS and total + size > _GRAM_BUDGET:
                break
            chosen.append(grams.keys(place))
            total += size
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
        best = [number for number, count in shared.items() if count > least]
        best.extend(islice((number for number, count in shared.items() if count == least), _FUZZY_SCORED - len(best)))
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
        tokens = match_tokens(query)
        if not tokens or limit == 0:
            return [self._choice(index) for index in self._browse[:limit]]
        key = " ".join(tokens)
        # A trailing space means the last word is finished.
        last_done = query[-1:].isspace()
        whole_numbers = frozenset(int(token) for token in tokens[: None if last_done else -1] if token.isdecimal())
        partial_number = tokens[-1] if tokens[-1].isdecimal() and not last_done else None
        entry_numbers, number_sets, entry_item, rank = (
            self._entry_numbers,
            self._number_sets,
            self._entry_item,
            self._rank,
        )

        def fits(position: int) -> bool:
            numbers = number_sets[entry_numbers[position]]
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

        def take(level: Iterable[Sequence[int]]) -> bool:
            # Each key's entries are in browse order: merged, a level's items come best first, and a
            # crowded level ("j": every John) fills the list without the rest of it being looked at.
            for pos in heapq.merge(*level, key=lambda pos: rank[entry_item[pos]]):
                item = entry_item[pos]
                if item in taken or (check and not fits(pos)):
                    continue
                taken.add(item)
                chosen.append(item)
                if len(chosen) >= limit:
                    return True
            return False

        for level in self._prefix_levels(key):
            if take(level):
                return [self._choice(index) for index in chosen[:limit]]
        if len(tokens) == 1 and tokens[0].isdecimal():
            # A bare number is a year or a position: list the items that carry it.
            numbers = self._number_texts
            start, end = prefix_range(numbers.raw, key.encode(), 0, len(numbers))
            fresh = set(self._number_items[start:end]) - taken
            chosen.extend(sorted(fresh, key=rank.__getitem__))
        elif size_of(key) >= 2:
            # Typos: only needed while word prefixes have not filled the list, which
            # keeps large catalogues fast (the fuzzy pass is the costly part).
            scores: dict[int, float] = {}
            for score, position in self._fuzzy_hits(key, COMPLETE_CUTOFF):
                item = entry_item[position]
                if item not in taken and (not check or fits(position)) and score > scores.get(item, -1.0):
                    scores[item] = score
            chosen.extend(sorted(scores, key=lambda item: (-scores[item], rank[item])))
        return [self._choice(index) for index in chosen[:limit]]

    def _prefix_levels(self, key: str) -> Iterator[list[array[int]]]:
        """The entries of the keys that begin with ``key``, a level at a time, as `complete` takes them:
        the key itself, then the keys that start with it, then the keys with a later word that does,
        each a length at a time (shortest first) and within it in key order, one array per key."""
        prefix = key.encode()
        table = self._key_table
        blob, ends = table.data, table.offsets
        order, sorted_key, entries_of = self._key_order, self._sorted_key, self._entries_of
        start, end = prefix_range(sorted_key, prefix, 0, len(order))
        if start < end and sorted_key(start) == prefix:
            yield [entries_of(order[start])]
        first_longer = bisect.bisect_right(self._lengths, len(key))
        few = self._few_prefixed
        if end - start <= few:
            # Few keys start with the query: found at once among all keys, then grouped by length.
            by_size = sorted(zip(map(len, table.pick(order[start:end])), range(start, end), strict=True))
            for length, keys in groupby(by_size, key=itemgetter(0)):
                if length > len(key):
                    yield [entries_of(order[at]) for _, at in keys]
        else:
            by_length, length_start = self._by_length, self._length_start

            def key_by_length(at: int) -> bytes:
                number = by_length[at]
                return blob[ends[number] : ends[number + 1]]

            for place in range(first_longer, len(self._lengths)):
                start, end = prefix_range(key_by_length, prefix, length_start[place], length_start[place + 1])
                if end > start:
                    yield [entries_of(number) for number in by_length[start:end]]
        tail_key, tail_at, tail_start, tail_order = self._tail_key, self._tail_at, self._tail_start, self._tail_order

        def tail(at: int) -> bytes:
            number = tail_key[at]
            return blob[ends[number] + tail_at[at] : ends[number + 1]]

        start, end = prefix_range(lambda at: tail(tail_order[at]), prefix, 0, len(tail_order))
        if end - start <= few:
            # In order of their places, word starts come by the key's length, then as the levels list them.
            places = sorted(tail_order[start:end])
            for place, starts in groupby(places, key=lambda at: bisect.bisect_right(tail_start, at) - 1):
                if place >= first_longer:
                    yield [entries_of(tail_key[at]) for at in starts]
        else:
            for place in range(first_longer, len(self._lengths)):
                start, end = prefix_range(tail, prefix, tail_start[place], tail_start[place + 1])
                if end > start:
                    yield [entries_of(number) for number in tail_key[start:end]]

    # ------------------------------------------------------------------ helpers

    def _browse_rank(self, item_index: int) -> int:
        return self._rank[item_index]

    def _choice(self, item_index: int) -> Choice:
        return Choice(self._label(item_index), self._values[item_index])

    def _scored(self, item_index: int, score: float, text: str) -> Scored[T]:
        return Scored(self._items[item_index], round(score, 1), text, self._label(item_index))

    def _label(self, item_index: int) -> str:
        if self._labels is not None:
            return self._labels[item_index]
        label = self._made_labels.get(item_index)
        if label is None:
            assert self._make_label is not None
            label = self._made_labels[item_index] = clip(self._make_label(self._items[item_index]))
        return label


_NO_YEAR = -(2**31)
"""The year of an item without one (no year is so)."""


class Trigrams(NamedTuple):
    """Each trigram of the padded keys (" mission impossible ") with the numbers of the keys holding it.

    The trigrams sorted; of each, the first key number and then the gaps to the next ones in turn (the
    numbers ascend), all gaps in one blob: as 2-byte numbers when all of a trigram's are below 65,536,
    else as 4-byte ones. Millions of numbers take half the room they would as they are.
    """

    grams: PackedStrings
    firsts: array[int]
    """The first key number of each trigram."""
    ends: array[int]
    """Where the gaps of each trigram start in ``gaps`` (bytes; and, at the end, where the last end)."""
    wide: bytes
    """Of each trigram, 1 if its gaps are 4-byte numbers, else 0."""
    gaps: bytes
    places: dict[str, int]
    """Each trigram's place in ``grams``: a query looks up a dozen, and there are only thousands."""

    @classmethod
    def of(cls, keys: Sequence[str]) -> Trigrams:
        """The trigrams of ``keys``, by their numbers (positions)."""
        found: defaultdict[str, array[int]] = defaultdict(lambda: array("I"))
        with collector_paused():
            for number, key in enumerate(keys):
                padded = f" {key} "
                for gram in {padded[at : at + 3] for at in range(len(padded) - 2)}:
                    found[gram].append(number)
        ordered = sorted(found)
        firsts = array("I")
        ends = array("I", [0])
        wide = bytearray()
        parts: list[bytes] = []
        size = 0
        for gram in ordered:
            numbers = found.pop(gram)
            firsts.append(numbers[0])
            gaps = array("I", map(sub, numbers[1:], numbers[:-1]))
            if max(gaps, default=0) < 1 << 16:
                gaps = array("H", gaps)
            wide.append(gaps.typecode == "I")
            parts.append(gaps.tobytes())
            size += len(parts[-1])
            ends.append(size)
        return cls(PackedStrings.of(ordered), firsts, ends, bytes(wide), b"".join(parts), _places(ordered))

    def size(self, place: int) -> int:
        """How many keys hold the trigram at ``place``."""
        return 1 + (self.ends[place + 1] - self.ends[place]) // (4 if self.wide[place] else 2)

    def keys(self, place: int) -> Iterator[int]:
        """The numbers of the keys holding the trigram at ``place``, ascending."""
        gaps = memoryview(self.gaps)[self.ends[place] : self.ends[place + 1]].cast("I" if self.wide[place] else "H")
        return accumulate(gaps, initial=self.firsts[place])

    def state(self) -> tuple[tuple[bytes, bytes], bytes, bytes, bytes, bytes]:
        """The table as plain data for ``marshal`` (read back by `from_state`)."""
        return self.grams.state(), self.firsts.tobytes(), self.ends.tobytes(), self.wide, self.gaps

    @classmethod
    def from_state(cls, state: object, *, checked: bool = True) -> Trigrams:
        """The table `state` made; ValueError or TypeError if it is not one (``checked=False``: if its
        parts do not fit together, leaving each trigram's gaps unchecked; see `PackedStrings.from_state`)."""
        if not isinstance(state, tuple) or len(state) != 5:
            raise TypeError("a trigram table is kept as (trigrams, firsts, ends, wide, gaps)")
        grams, firsts, ends, wide, gaps = state
        if not isinstance(wide, bytes) or not isinstance(gaps, bytes):
            raise TypeError("a trigram table's gaps are bytes")
        table = PackedStrings.from_state(grams, checked=checked)
        found = cls(table, numbers_of("I", firsts), numbers_of("I", ends), wide, gaps, _places(table))
        count = len(table)
        if not len(found.firsts) == len(found.wide) == len(found.ends) - 1 == count or found.ends[-1] != len(gaps):
            raise ValueError("the trigram table's parts do not fit together")
        if checked and any((found.ends[at + 1] - found.ends[at]) % (4 if wide[at] else 2) for at in range(count)):
            raise ValueError("the trigram table's gaps are cut")
        return found


def _places(grams: Iterable[str]) -> dict[str, int]:
    """Each of ``grams`` by its place."""
    return {gram: place for place, gram in enumerate(grams)}


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
