"""Wrong trivia choices that look like the right answer: peers by era, genre, series and fame.

Candidates of one kind (directors, composers, actors) sit in buckets by decade × genre and by series,
each bucket sorted by fame. A question looks only at a bounded window of a few buckets around its
answer, so finding peers costs about the same for every question whatever the size of the catalogue:
building a pool stays linear in the number of questions, never quadratic in films or people.

Pure: no Discord, no database; randomness only through the :class:`random.Random` a caller passes.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

__all__ = ["Candidate", "PeerIndex"]

ANY_GENRE = ""
WINDOW = 8
"""Candidates looked at on each side of the answer's fame in one bucket."""
SHORTLIST = 12
"""How many of the best-scored peers the seeded draw picks from: enough that two questions about one
person rarely show the same wrong choices, few enough that every one of them is a plausible peer."""
GENRES_PER_CANDIDATE = 3
WIDEST_DECADES = 4
"""How far (in decades either side) the search widens when the answer's own era has too few peers."""


@dataclass(frozen=True)
class Candidate:
    """Someone (or something) a wrong choice may name, with what makes two of them alike.

    ``year`` is the era (the year of the film in question, or the middle of a career); ``genres``
    the most telling first; ``series`` the franchise keys; ``fame`` how much the catalogue has of
    them (films, with top billing counting extra for actors).
    """

    key: str
    name: str
    year: int
    genres: tuple[str, ...]
    series: frozenset[str]
    fame: int


@dataclass
class _Bucket:
    members: list[int]
    negated_fame: list[int]


class PeerIndex:
    """Candidates of one kind in buckets, for picking an answer's peers quickly.

    ``comparisons`` counts every candidate scored against an answer, so tests can check that
    the work grows with the number of questions and not with the square of the catalogue.
    """

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.candidates = list(candidates)
        self.comparisons = 0
        self._position = {candidate.key: index for index, candidate in enumerate(self.candidates)}
        grouped: defaultdict[tuple[str, int | str, str], list[int]] = defaultdict(list)
        for index, candidate in enumerate(self.candidates):
            decade = candidate.year // 10
            grouped[("era", decade, ANY_GENRE)].append(index)
            for genre in candidate.genres[:GENRES_PER_CANDIDATE]:
                grouped[("era", decade, genre)].append(index)
            for series in candidate.series:
                grouped[("series", series, ANY_GENRE)].append(index)
        self._buckets: dict[tuple[str, int | str, str], _Bucket] = {}
        for bucket_key, members in grouped.items():
            members.sort(key=lambda i: (-self.candidates[i].fame, self.candidates[i].key))
            self._buckets[bucket_key] = _Bucket(members, [-self.candidates[i].fame for i in members])

    def __len__(self) -> int:
        return len(self.candidates)

    def lookup(self, key: str) -> Candidate | None:
        """The candidate with ``key``, if indexed."""
        position = self._position.get(key)
        return None if position is None else self.candidates[position]

    def _window(self, bucket_key: tuple[str, int | str, str], fame: int) -> list[int]:
        """The bucket's members nearest to ``fame``: at most ``2 * WINDOW``."""
        bucket = self._buckets.get(bucket_key)
        if bucket is None:
            return []
        here = bisect_left(bucket.negated_fame, -fame)
        return bucket.members[max(0, here - WINDOW) : here + WINDOW]

    def _score(self, target: Candidate, other: Candidate) -> float:
        self.comparisons += 1
        shared_genres = len(set(target.genres[:GENRES_PER_CANDIDATE]) & set(other.genres[:GENRES_PER_CANDIDATE]))
        same_series = bool(target.series & other.series)
        fame_gap = abs(math.log2(1 + target.fame) - math.log2(1 + other.fame))
        return 3.0 * same_series + 2.0 * min(shared_genres, 2) - abs(target.year - other.year) / 8 - fame_gap

    def peers(
        self,
        target: Candidate,
        *,
        count: int,
        rng: random.Random,
        exclude_keys: Collection[str],
        exclude_names: Collection[str],
        name_key: Callable[[str], str],
    ) -> list[Candidate]:
        """Up to ``count`` peers of ``target``: drawn by ``rng`` among the best-scored few, best first.

        Never ``target`` itself, a key in ``exclude_keys``, or a name whose ``name_key`` is in
        ``exclude_names`` (the right answers under any spelling); never one name twice.
        """
        seen_names = set(exclude_names) | {name_key(target.name)}
        scored: dict[int, float] = {}
        decade = target.year // 10
        genres = (*target.genres[:2], ANY_GENRE)
        bucket_keys: list[tuple[str, int | str, str]] = [("series", series, ANY_GENRE) for series in target.series]
        for spread in range(WIDEST_DECADES + 1):
            decades = (decade,) if spread == 0 else (decade - spread, decade + spread)
            bucket_keys.extend(("era", d, genre) for d in decades for genre in genres)
            for bucket_key in bucket_keys:
                for index in self._window(bucket_key, target.fame):
                    if index not in scored:
                        scored[index] = self._score(target, self.candidates[index])
            bucket_keys = []
            if len(scored) > 2 * SHORTLIST:
                break
        shortlist: list[Candidate] = []
        for index in sorted(scored, key=lambda i: (-scored[i], self.candidates[i].key)):
            candidate = self.candidates[index]
            name = name_key(candidate.name)
            if candidate.key == target.key or candidate.key in exclude_keys or not name or name in seen_names:
                continue
            seen_names.add(name)
            shortlist.append(candidate)
            if len(shortlist) >= SHORTLIST:
                break
        picked = set(rng.sample(range(len(shortlist)), min(count, len(shortlist))))
        return [candidate for position, candidate in enumerate(shortlist) if position in picked]
