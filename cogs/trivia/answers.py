"""Checking typed trivia answers.

Typed answers are compared the way the lookup commands compare names: with the
shared matcher's :func:`~cogs.films.search.text.normalise_answer` (case, accents,
punctuation, extra spaces and a leading article do not matter; "III", "three" and
"3" are one number). On top of that, by what the answer names:

* **text** (places, objects, dates, numbers): the normalised submission must equal
  one of the question's accepted spellings. No fuzziness at all, so "the red
  armada" is not "Red Arm" and "Job 31:4" is not "Job 3:14".
* **year**: exact, like text.
* **film**: any name of that film the film index knows (title, pack alias,
  generated alias such as "MI 7" or the subtitle "Fallout"), resolved by the
  index, whose numbers must agree: "Mission: Impossible 3" never names the second
  film and "Part Two" never "Part One". A bare number is never a film.
* **person** / **character**: the full name or an alias; the surname alone when
  the person (or character) index says no one else has it ("McQuarrie" yes,
  "Wilkinson" no: two Wilkinsons); shortened first names with the exact surname
  ("Chris McQuarrie"); and a small typo in a long name (see :data:`FUZZY_RATIO`).
  A first name alone is not accepted unless the question lists it.

Always: one guess per submission (:func:`is_single_guess`); a submission that is
exactly a wrong choice is wrong; and the submission is compared whole, never by
"contains" or token-set scores, so "ethan hunt luther stickell" is no answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from rapidfuzz import fuzz

from cogs.films.search.index import Match
from cogs.films.search.text import normalise_answer, numbers_in
from cogs.trivia.questions import Question

__all__ = ["FUZZY_MIN_LENGTH", "FUZZY_RATIO", "AnswerChecker", "Resolver", "is_single_guess", "surnames"]

FUZZY_RATIO = 90.0
"""Lowest ``fuzz.ratio`` between a typed name and an accepted one for a typo to pass.

At 90 one wrong, missing or swapped letter passes in a name of 10+ characters
("christopher mcquarie" = 97.6, "mcquarie" = 94.1, "philip seymour hofman" = 97.6), while a different person
with a shared name part stays out ("tom wilkinson" / "matthew wilkinson" = 73).
"""
FUZZY_MIN_LENGTH = 9
"""Names shorter than this (normalised, spaces included) get no typo tolerance: in "pegg" or "q" one letter is a lot."""

_NAME_STOPWORDS = frozenset({"the", "a", "an", "of", "jr", "sr", "dr", "mr", "mrs", "ms", "sir", "ii", "iii"})

# Markdown a member may wrap an answer in (spoiler bars, bold, code): not separators.
_MARKDOWN = re.compile(r"\|\||\*\*|__|`+|~~")
# Digit groups: "3,012", "1.5", "24/7" are one number, not two guesses.
_DIGIT_GROUP = re.compile(r"(?<=\d)[,./:](?=\d)")
_SEPARATORS = re.compile(r"[,;/|\\+\n]|\b(?:or|vs|versus)\b", re.IGNORECASE)


def is_single_guess(submission: str) -> bool:
    """Whether ``submission`` offers one answer rather than a list of them.

    Lists written with a comma, semicolon, slash, pipe, plus sign, a new line, "or"
    or "vs" are several guesses ("Luther, Benji", "Luther or Benji", "Luther /
    Benji"). Digit groups ("3,012") and Markdown ("||Ethan Hunt||") are not
    separators. "and" is not one either: answers themselves contain it ("Larry
    Mullen Jr. and Adam Clayton"). Names listed with only spaces ("hunt stickell
    dunn") cannot be told from one long name here; :class:`AnswerChecker` rejects
    them by comparing whole submissions.
    """
    text = _DIGIT_GROUP.sub("", _MARKDOWN.sub(" ", submission))
    return _SEPARATORS.search(text) is None


def surnames(name: str) -> frozenset[str]:
    """The normalised forms of a name a surname guess may take.

    The last word, plus everything after the first name when there are three or
    more words: "Brian De Palma" -> "palma", "de palma"; "J. J. Abrams" ->
    "abrams". Titles and suffixes (Dr, Jr...) are left out; a one-word name or a
    surname shorter than three characters gives nothing ("Maggie Q").
    """
    words = [word for word in normalise_answer(name).split() if word not in _NAME_STOPWORDS]
    if len(words) < 2:
        return frozenset()
    forms = {words[-1]}
    if len(words) > 2:
        forms.add(" ".join(words[1:]))
    return frozenset(form for form in forms if len(form.replace(" ", "")) >= 3 and not form.isdecimal())


class Resolver(Protocol):
    """What the checker needs of an index: ``SearchIndex.resolve`` (``FilmIndex``, ``PersonIndex``, ``CharacterIndex``).

    Items must have a ``key`` attribute; people and characters also ``name`` and ``aliases``.
    """

    def resolve(self, query: str) -> Match[Any]: ...


class AnswerChecker:
    """Checks typed answers; built once from the catalogue's search indexes.

    Every index is optional: without ``films`` a film answer must be one of the
    question's accepted spellings; without ``people`` / ``characters`` there is no
    surname inference (nothing says whether a surname is shared), though typo
    tolerance still applies to the accepted spellings.
    """

    def __init__(
        self,
        *,
        films: Resolver | None = None,
        people: Resolver | None = None,
        characters: Resolver | None = None,
    ) -> None:
        self._films = films
        self._people = people
        self._characters = characters

    def check(self, question: Question, submission: str) -> bool:
        """Whether ``submission`` is a right answer to ``question``."""
        typed = normalise_answer(submission)
        if not typed:
            return False
        accepted = {normalise_answer(text) for text in (question.answer, *question.accepted)} - {""}
        if typed in accepted:
            # Before the one-guess rule: an answer may itself hold a slash ("Cruise/Wagner").
            return True
        if typed in {normalise_answer(text) for text in question.wrong}:
            return False
        if not is_single_guess(submission):
            return False
        kind = question.answer_kind
        if kind == "film":
            return self._film_matches(question, submission, typed)
        if kind == "person":
            return self._name_matches(question, submission, typed, accepted, self._people)
        if kind == "character":
            return self._name_matches(question, submission, typed, accepted, self._characters)
        return False  # text and years: exact only

    # ------------------------------------------------------------------ films

    def _film_matches(self, question: Question, submission: str, typed: str) -> bool:
        """Any name the film index resolves to the answer's film; a bare number never."""
        if self._films is None or all(token.isdecimal() for token in typed.split()):
            # "1996" or "7" would resolve to a film by year or position: not a title.
            return False
        ref = question.answer_ref or _exact_key(self._films, question.answer)
        if ref is None:
            return False
        match = self._films.resolve(submission)
        if match.status != "found" or match.best is None or match.best.key != ref:
            return False
        # The name that matched must be (nearly) all that was typed: "Mission: Impossible Mission:
        # Impossible III" also resolves to the third film, but it is two guesses.
        return len(typed.split()) <= len(normalise_answer(match.candidates[0].name).split()) + 1

    # ------------------------------------------------------------------ people and characters

    def _name_matches(
        self, question: Question, submission: str, typed: str, accepted: set[str], index: Resolver | None
    ) -> bool:
        """Full name or alias, an unshared surname, a shortened first name, or a small typo in a long name."""
        wrong = [normalise_answer(text) for text in question.wrong]
        if index is not None:
            ref = question.answer_ref or _exact_key(index, question.answer)
            match = index.resolve(submission)
            item = match.best
            if match.status != "none" and match.score >= 100.0:
                # The submission is exactly some name in the catalogue.
                if item is None or item.key != ref:
                    return False  # someone else's name, or a name several share ("wilkinson")
                names = [item.name, *getattr(item, "aliases", ())]
                if typed in {normalise_answer(name) for name in names}:
                    return True
                # A unique surname, unless a wrong choice has it too (possible with pack-written choices).
                own = frozenset().union(*(surnames(name) for name in names))
                shared = frozenset().union(*(surnames(name) for name in question.wrong))
                return typed in own and typed not in shared
            if item is not None and ref is not None and item.key != ref:
                return False  # the index takes this near-miss for someone else: no benefit of the doubt
            if item is not None and item.key == ref:
                # "chris mcquarrie": the start of each first name and the exact surname, and the
                # index agrees it is this person; pack-written wrong choices may not fit it too.
                names = [item.name, *getattr(item, "aliases", ())]
                if any(_shortened(typed, name) for name in names) and not any(
                    _shortened(typed, other) for other in question.wrong
                ):
                    return True
        return _close_name(typed, accepted, wrong)


def _shortened(typed: str, name: str) -> bool:
    """Whether ``typed`` is ``name`` with its first names shortened: "chris mcquarrie", "j abrams"."""
    typed_words = typed.split()
    name_words = [word for word in normalise_answer(name).split() if word not in _NAME_STOPWORDS]
    return (
        len(typed_words) == len(name_words) >= 2
        and typed_words[-1] == name_words[-1]
        and all(whole.startswith(part) for part, whole in zip(typed_words[:-1], name_words[:-1], strict=True))
    )


def _exact_key(index: Resolver, text: str) -> str | None:
    """The key of the item ``text`` names exactly (a full name, not a fuzzy guess), if any."""
    match = index.resolve(text)
    if match.status != "found" or match.best is None or match.score < 100.0:
        return None
    return match.best.key if isinstance(match.best.key, str) else None


def _close_name(typed: str, accepted: set[str], wrong: Sequence[str]) -> bool:
    """Whether ``typed`` is a small typo of a long accepted name and closer to it than to any wrong choice.

    Numbers must be equal: "Ronald D. Moore" may lose a letter, a "2" may not become a "3".
    """
    typed_numbers = numbers_in(typed)
    best = 0.0
    for name in accepted:
        if len(name) >= FUZZY_MIN_LENGTH and numbers_in(name) == typed_numbers:
            best = max(best, fuzz.ratio(typed, name))
    if best < FUZZY_RATIO:
        return False
    return all(fuzz.ratio(typed, other) < best for other in wrong)
