"""The question pool kept compactly: questions packed in compressed blocks, made again when asked for.

A large catalogue's pool holds hundreds of thousands of questions for the bot's lifetime, and a game
picks a few dozen of them. :class:`PackedQuestions` keeps each block of questions as one zlib-compressed
``marshal`` string, and beside them, one small number per question, what
:func:`~cogs.trivia.questions.select_questions` filters on (difficulty, film, "which of these", the films
the spoiler gate checks) and a hash of each key for finding recently asked questions. Filtering reads
those numbers only; a question is made (`Question`) only when a game looks at it.

Pure: no Discord, no database.
"""

from __future__ import annotations

import hashlib
import marshal
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

from cogs.trivia.questions import DIFFICULTIES, DifficultyChoice, Mode, Question, QuestionTranslation, fits_buttons
from db.packed import numbers_of

__all__ = ["PackedQuestions"]

BLOCK = 64
"""Questions per compressed block: enough for their shared words to compress, few enough that making one
question again (decompressing its block) costs a fraction of a millisecond."""
_CACHED_BLOCKS = 8
"""Blocks kept made after use: a game's picking looks at the same few questions twice."""

_NEEDS_CHOICES = 1
_ENOUGH_WRONG = 2
"""Buttons can ask it (`fits_buttons`): enough wrong choices, and not a typed-only question."""
_FIRST_OF_KEY = 4
_NO_FILM = -1
_SEVERAL_FILMS = -2

Fields = tuple[Any, ...]


def _fields(question: Question) -> Fields:
    return (
        question.key,
        question.text,
        question.answer,
        question.accepted,
        question.wrong,
        question.difficulty,
        question.category,
        question.film_key,
        tuple(question.reveals),
        question.answer_kind,
        question.answer_ref,
        question.needs_choices,
        question.topic,
        question.spoiler,
        question.typed_only,
        question.author,
        question.template,
        question.values,
        # marshal takes plain tuples only, not the NamedTuple.
        tuple(tuple(found) for found in question.translations),
    )


def _key_hash(key: str) -> int:
    """A hash of a question's key that is the same in every process (``hash`` of a string is not): a pool
    kept in the database finds its keys by the hashes it was built with."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)


_NUMBER_PARTS = {"difficulty": "B", "flags": "B", "film": "i", "gate": "i", "hashes": "q", "hashed_at": "i"}
"""The parts of a `PackedQuestions` that are arrays of numbers, with their type codes."""


def _question(fields: Fields) -> Question:
    (key, text, answer, accepted, wrong, difficulty, category, film_key, reveals, kind, ref, needs, topic, spoiler) = (
        fields[:14]
    )
    # A generated question's wording (template, values) came later: a pool packed before it has none.
    typed_only, author, template, values = (*fields[14:18], None, ())[:4]
    translations = fields[18] if len(fields) > 18 else ()
    return Question(
        key=key,
        text=text,
        answer=answer,
        accepted=accepted,
        wrong=wrong,
        difficulty=difficulty,
        category=category,
        film_key=film_key,
        reveals=frozenset(reveals),
        answer_kind=kind,
        answer_ref=ref,
        needs_choices=needs,
        topic=topic,
        spoiler=spoiler,
        typed_only=typed_only,
        author=author,
        template=template,
        values=tuple(tuple(pair) for pair in values),
        translations=tuple(QuestionTranslation(*found) for found in translations),
    )


class PackedQuestions(Sequence[Question]):
    """Questions in their order, packed; ``pool[i]`` makes question ``i`` again (an equal `Question`)."""

    def __init__(self, questions: Iterable[Question]) -> None:
        """Pack ``questions`` as they come: a generator's questions are never all made at once."""
        self._blocks: list[bytes] = []
        self._difficulty = bytearray()
        self._flags = bytearray()
        self._film = array("i")
        self._gate = array("i")
        """The one film the spoiler gate checks (an index of `_film_keys`), `_NO_FILM`, or `_SEVERAL_FILMS`
        (then in `_gate_films`)."""
        self._gate_films: dict[int, tuple[int, ...]] = {}
        self._film_keys: list[str] = []
        film_index: dict[str, int] = {}
        key_hashes = array("q")
        pending: list[Fields] = []

        def film(key: str) -> int:
            found = film_index.get(key)
            if found is None:
                found = film_index[key] = len(self._film_keys)
                self._film_keys.append(key)
            return found

        for position, question in enumerate(questions):
            self._difficulty.append(DIFFICULTIES.index(question.difficulty))
            flags = _NEEDS_CHOICES if question.needs_choices else 0
            flags |= _ENOUGH_WRONG if fits_buttons(question) else 0
            key_hashes.append(_key_hash(question.key))
            self._flags.append(flags)
            self._film.append(_NO_FILM if question.film_key is None else film(question.film_key))
            gated = sorted({film(key) for key in question.reveals})
            if question.film_key:
                gated = sorted({*gated, film(question.film_key)})
            if not gated:
                self._gate.append(_NO_FILM)
            elif len(gated) == 1:
                self._gate.append(gated[0])
            else:
                self._gate.append(_SEVERAL_FILMS)
                self._gate_films[position] = tuple(gated)
            pending.append(_fields(question))
            if len(pending) == BLOCK:
                self._blocks.append(zlib.compress(marshal.dumps(pending)))
                pending = []
        if pending:
            self._blocks.append(zlib.compress(marshal.dumps(pending)))
        self._length = len(self._flags)
        self._made: dict[int, list[Fields]] = {}
        self._hashes = array("q")
        self._hashed_at = array("i")
        """Where the first question with a key of each hash is (of one of its keys; see `_hash_clash`)."""
        self._hash_clash: dict[int, list[tuple[str, int]]] = {}
        # Keys are found by their hashes, in order: keeping every key (or a set of them while packing)
        # would cost more than the packed questions themselves.
        by_hash = sorted(range(self._length), key=key_hashes.__getitem__)
        start = 0
        while start < len(by_hash):
            value = key_hashes[by_hash[start]]
            end = start + 1
            while end < len(by_hash) and key_hashes[by_hash[end]] == value:
                end += 1
            firsts: dict[str, int] = {}
            if end - start == 1:
                firsts[""] = by_hash[start]
            else:
                for position in by_hash[start:end]:  # in order: sorting by hash kept it
                    firsts.setdefault(self._key_at(position), position)
                if len(firsts) > 1:
                    self._hash_clash[value] = list(firsts.items())
            for position in firsts.values():
                self._flags[position] |= _FIRST_OF_KEY
            self._hashes.append(value)
            self._hashed_at.append(next(iter(firsts.values())))
            start = end

    # ------------------------------------------------------------------ kept in the database

    def state(self) -> dict[str, Any]:
        """The packed questions as plain data for ``marshal`` (see `from_state`)."""
        state: dict[str, Any] = {name: bytes(getattr(self, f"_{name}")) for name in _NUMBER_PARTS}
        state.update(
            blocks=self._blocks,
            gate_films=self._gate_films,
            film_keys=self._film_keys,
            hash_clash=self._hash_clash,
        )
        return state

    @classmethod
    def from_state(cls, state: object) -> PackedQuestions:
        """The questions `state` kept; ValueError if it is not such data or its parts do not fit together."""
        if not isinstance(state, dict):
            raise ValueError("questions are kept as a dictionary")
        pool = cls(())
        try:
            numbers = {name: numbers_of(code, state[name]) for name, code in _NUMBER_PARTS.items()}
            blocks, gate_films, film_keys, hash_clash = (
                state[name] for name in ("blocks", "gate_films", "film_keys", "hash_clash")
            )
        except KeyError as error:
            raise ValueError(f"questions kept without their {error}") from error
        length = len(numbers["flags"])
        if (
            not isinstance(blocks, list)
            or not all(isinstance(block, bytes) for block in blocks)
            or len(blocks) != -(-length // BLOCK)
            or not isinstance(gate_films, dict)
            or not isinstance(film_keys, list)
            or not isinstance(hash_clash, dict)
            or not len(numbers["difficulty"]) == len(numbers["film"]) == len(numbers["gate"]) == length
            or len(numbers["hashes"]) != len(numbers["hashed_at"])
            or any(not _SEVERAL_FILMS <= film < len(film_keys) for part in ("film", "gate") for film in numbers[part])
            or any(not 0 <= position < length for position in numbers["hashed_at"])
        ):
            raise ValueError("questions kept with parts that do not fit together")
        pool._blocks = blocks
        pool._difficulty = bytearray(numbers["difficulty"])
        pool._flags = bytearray(numbers["flags"])
        pool._film, pool._gate = numbers["film"], numbers["gate"]
        pool._gate_films, pool._film_keys, pool._hash_clash = gate_films, film_keys, hash_clash
        pool._hashes, pool._hashed_at = numbers["hashes"], numbers["hashed_at"]
        pool._length = length
        return pool

    # ------------------------------------------------------------------ a sequence of questions

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Question: ...
    @overload
    def __getitem__(self, index: slice) -> list[Question]: ...
    def __getitem__(self, index: int | slice) -> Question | list[Question]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("question index out of range")
        block, offset = divmod(index, BLOCK)
        return _question(self._block(block)[offset])

    def __iter__(self) -> Iterator[Question]:
        for block in range(len(self._blocks)):
            yield from map(_question, self._unpacked(block))

    def _key_at(self, position: int) -> str:
        block, offset = divmod(position, BLOCK)
        key: str = self._block(block)[offset][0]
        return key

    def _unpacked(self, block: int) -> list[Fields]:
        fields: list[Fields] = marshal.loads(zlib.decompress(self._blocks[block]))
        return fields

    def _block(self, block: int) -> list[Fields]:
        made = self._made.get(block)
        if made is None:
            if len(self._made) >= _CACHED_BLOCKS:
                del self._made[next(iter(self._made))]
            made = self._made[block] = self._unpacked(block)
        return made

    # ------------------------------------------------------------------ what select_questions asks

    def eligible(
        self,
        *,
        difficulty: DifficultyChoice,
        film_key: str | None,
        mode: Mode,
        newest: int | None,
        film_order: Mapping[str, int],
    ) -> list[int]:
        """Positions of the first question of each key that passes the filters, in order (see
        :func:`~cogs.trivia.questions.select_questions`)."""
        wanted_film: int | None = None
        if film_key is not None:
            try:
                wanted_film = self._film_keys.index(film_key)
            except ValueError:
                return []
        wanted_difficulty = None if difficulty == "mixed" else DIFFICULTIES.index(difficulty)
        required = _FIRST_OF_KEY | (_ENOUGH_WRONG if mode == "buttons" else 0)
        refused = _NEEDS_CHOICES if mode == "typed" else 0
        shown: list[bool] | None = None
        if newest is not None:
            shown = [key in film_order and film_order[key] <= newest for key in self._film_keys]
        found: list[int] = []
        flags, levels, films, gates = self._flags, self._difficulty, self._film, self._gate
        for position in range(self._length):
            flag = flags[position]
            if (
                flag & required != required
                or flag & refused
                or (wanted_difficulty is not None and levels[position] != wanted_difficulty)
                or (wanted_film is not None and films[position] != wanted_film)
            ):
                continue
            if shown is not None:
                gate = gates[position]
                if gate >= 0:
                    if not shown[gate]:
                        continue
                elif gate == _SEVERAL_FILMS and not all(shown[film] for film in self._gate_films[position]):
                    continue
            found.append(position)
        return found

    def positions_of(self, keys: Collection[str]) -> dict[str, int]:
        """The position of the first question with each of ``keys`` the pool holds."""
        found: dict[str, int] = {}
        for key in keys:
            value = _key_hash(key)
            clash = self._hash_clash.get(value)
            if clash is not None:
                found.update((known, position) for known, position in clash if known == key)
                continue
            index = bisect_left(self._hashes, value)
            if index < len(self._hashes) and self._hashes[index] == value:
                position = self._hashed_at[index]
                if self._key_at(position) == key:
                    found[key] = position
        return found
