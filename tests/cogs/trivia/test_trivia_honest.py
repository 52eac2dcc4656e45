"""Generated trivia at real scale: exactly one right answer, plausible peers, balanced buttons, linear cost."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest

from bench.trivia_vega import catalogue_from_records
from cogs.films.search.text import normalise_answer
from cogs.trivia.answers import AnswerChecker
from cogs.trivia.questions import (
    CHOICE_COUNT,
    Catalogue,
    Claim,
    Question,
    choices,
    generate,
    generate_from,
    settle,
    trivia_quality,
)
from db.repositories.models import CastCredit, CrewCredit, Film

GENRES = ("Drama", "Comedy", "Horror", "Western", "Musical", "Documentary")


def _film(film_id: int, title: str, year: int, genres: tuple[str, ...] = (), series: str | None = None) -> Film:
    return Film(film_id, f"f{film_id}", title, title, year, series, series, None,
                None, None, None, None, None, "test", "", genres=genres)  # fmt: skip


def _crew(film_id: int, name: str, job: str = "Director") -> CrewCredit:
    return CrewCredit(film_id, 0, name.casefold().replace(" ", "-"), name, "Crew", job, "")


def _cast(film_id: int, order: int, name: str, character: str | None) -> CastCredit:
    return CastCredit(film_id, order, 0, name.casefold().replace(" ", "-"), name, character, "")


@dataclass
class Small:
    films: list[Film]
    cast: dict[int, list[CastCredit]]
    crew: dict[int, list[CrewCredit]]

    def catalogue(self) -> Catalogue:
        return Catalogue(self.films, self.cast, self.crew)


def _remakes_and_ties() -> Small:
    """Remakes, a co-directed film, films of one year, a role two actors share, and plenty of other directors."""
    films = [
        _film(1, "Lolita", 1962, ("Drama",)),
        _film(2, "Lolita", 1997, ("Drama",)),
        _film(3, "Two Hands", 1980, ("Comedy",)),
        _film(4, "Same Year One", 2001),
        _film(5, "Same Year Two", 2001),
        _film(6, "Twins", 1988, ("Comedy",)),
        _film(7, "Stand Alone", 1975),
        *(_film(10 + n, f"Filler {n}", 1950 + 5 * n, ("Drama",)) for n in range(10)),
    ]
    crew = {
        1: [_crew(1, "Stanley Kubrick")],
        2: [_crew(2, "Adrian Lyne")],
        3: [_crew(3, "Ann Codirector"), _crew(3, "Bob Codirector")],
        4: [_crew(4, "Cy Director")],
        5: [_crew(5, "Di Director")],
        6: [_crew(6, "Ivan Reitman")],
        7: [_crew(7, "Eve Director")],
        **{10 + n: [_crew(10 + n, f"Filler Director {n}")] for n in range(10)},
    }
    cast = {
        6: [_cast(6, 0, "Arnold Big", "Julius"), _cast(6, 1, "Danny Small", "Julius"),
            _cast(6, 2, "Kelly P", "Marnie")],
        7: [_cast(7, 0, "Sam Lone", "Hero"), _cast(7, 1, "Tia Two", "Aide"), _cast(7, 2, "Uma Three", "Boss"),
            _cast(7, 3, "Vic Four", "Guard")],
    }  # fmt: skip
    return Small(films, cast, crew)


def _question(text: str, answer: str, wrong: Sequence[str], *, needs_choices: bool = False) -> Question:
    return Question(
        key="test",
        text=text,
        answer=answer,
        accepted=(answer,),
        wrong=tuple(wrong),
        difficulty="medium",
        category="test",
        film_key=None,
        reveals=frozenset(),
        answer_kind="person",
        needs_choices=needs_choices,
    )


FILLERS = ("Filler Director 1", "Filler Director 2", "Filler Director 3")

# (case, claim, answer, wrong choices, kept?, also accepted as typed)
SETTLE_CASES = [
    ("remake named by title alone", Claim("director", film="Lolita"), "Stanley Kubrick", FILLERS, False, ()),
    ("remake named with its year", Claim("director", film="Lolita (1997)"), "Adrian Lyne", FILLERS, True, ()),
    ("the remake's director is a fair wrong choice", Claim("director", film="Lolita (1997)"), "Adrian Lyne",
     ("Stanley Kubrick", *FILLERS[:2]), True, ()),
    ("answer is the other remake's director", Claim("director", film="Lolita (1962)"), "Adrian Lyne", FILLERS,
     False, ()),
    ("a co-director among the wrong choices", Claim("director", film="Two Hands"), "Ann Codirector",
     ("Bob Codirector", *FILLERS[:2]), False, ()),
    ("co-directed: each co-director accepted", Claim("director", film="Two Hands"), "Ann Codirector", FILLERS,
     True, ("Bob Codirector",)),
    ("the answer under another spelling", Claim("director", film="Stand Alone"), "Eve Director",
     ("EVE DIRECTOR.", *FILLERS[:2]), False, ()),
    ("a film the catalogue does not hold", Claim("director", film="Tenet"), "Eve Director", FILLERS, False, ()),
    ("year of a title two films share", Claim("year", film="Lolita"), "1962", ("1960", "1961", "1963"), False, ()),
    ("year of a film with its own title", Claim("year", film="Stand Alone"), "1975", ("1974", "1976", "1977"),
     True, ()),
    ("came first, two films of one year", Claim("first"), "Same Year One", ("Same Year Two", "Twins", "Lolita (1997)"),
     False, ()),
    ("came first, a choice naming two films", Claim("first"), "Filler 0", ("Lolita", "Twins", "Same Year One"),
     False, ()),
    ("came first, every year different", Claim("first"), "Filler 0", ("Lolita (1962)", "Twins", "Same Year One"),
     True, ()),
    ("came first, the answer is not first", Claim("first"), "Twins", ("Filler 0", "Same Year One", "Stand Alone"),
     False, ()),
    ("two actors credited as one role in one film", Claim("plays", film="Twins", role="Julius"), "Arnold Big",
     ("Kelly P", "Sam Lone", "Tia Two"), False, ()),
    ("one actor for the role", Claim("plays", film="Twins", role="Marnie"), "Kelly P",
     ("Arnold Big", "Sam Lone", "Tia Two"), True, ()),
    ("not in the cast, and it is not", Claim("notcast", film="Stand Alone"), "Kelly P",
     ("Sam Lone", "Tia Two", "Uma Three"), True, ()),
    ("not in the cast, but two choices are not", Claim("notcast", film="Stand Alone"), "Kelly P",
     ("Arnold Big", "Tia Two", "Uma Three"), False, ()),
    ("not in the cast, but the answer is", Claim("notcast", film="Stand Alone"), "Sam Lone",
     ("Tia Two", "Uma Three", "Vic Four"), False, ()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("claim", "answer", "wrong", "kept", "also_accepted"),
    [case[1:] for case in SETTLE_CASES],
    ids=[case[0] for case in SETTLE_CASES],
)
def test_settle_keeps_only_questions_with_one_right_answer(
    claim: Claim, answer: str, wrong: tuple[str, ...], kept: bool, also_accepted: tuple[str, ...]
) -> None:
    cat = _remakes_and_ties().catalogue()
    question = _question("(the template's wording)", answer, wrong, needs_choices=claim.asks in ("first", "notcast"))
    settled = settle(question, claim, cat)
    assert (settled is not None) == kept
    if settled is not None:
        assert set(settled.accepted) == {answer, *also_accepted}
    assert sum(cat.dropped.values()) == (0 if kept else 1)


def test_introduced_with_a_tie_is_dropped() -> None:
    # "Ghost" in two unrelated films of one year: neither introduced the role.
    films = [
        _film(1, "First Haunt", 1990),
        _film(2, "Second Haunt", 1990),
        *(_film(3 + n, f"F{n}", 1980 + n) for n in range(3)),
    ]
    cast = {1: [_cast(1, 0, "Pat Ghost", "Ghost")], 2: [_cast(2, 0, "Pat Ghost", "Ghost")]}
    cat = Catalogue(films, cast, {})
    question = _question("(the template's wording)", "First Haunt", ("F0", "F1", "F2"), needs_choices=True)
    assert settle(question, Claim("introduced", role="Ghost"), cat) is None


def test_generated_remakes_are_told_apart_by_year() -> None:
    small = _remakes_and_ties()
    questions = {q.key: q for q in generate(small.films, small.cast, small.crew)}
    assert questions["gen:director:f1"].text == "Who directed Lolita (1962)?"
    assert questions["gen:director:f2"].text == "Who directed Lolita (1997)?"
    assert questions["gen:director:f7"].text == "Who directed Stand Alone?"
    # The year would be the answer: a title two films share gets no year question.
    assert "gen:year:f1" not in questions and "gen:year:f2" not in questions
    assert "gen:year:f7" in questions
    for q in questions.values():
        if q.key.startswith("gen:first:"):
            assert "Lolita" not in (q.answer, *q.wrong)


def test_a_co_directed_film_accepts_each_director_typed() -> None:
    small = _remakes_and_ties()
    question = {q.key: q for q in generate(small.films, small.cast, small.crew)}["gen:director:f3"]
    assert question.answer == "Ann Codirector"
    assert "Bob Codirector" not in question.wrong
    checker = AnswerChecker()
    assert checker.check(question, "Bob Codirector") and checker.check(question, "ann codirector")
    assert not checker.check(question, question.wrong[0])


# --------------------------------------------------------------------------- plausible peers


def _synthetic(films_count: int, seed: int = 1) -> Small:
    """A catalogue of a given size: careers of about ten years, genres, series, casts of four."""
    rng = random.Random(seed)
    directors = [(f"Director {n}", rng.randrange(1920, 2020), rng.choice(GENRES)) for n in range(films_count // 4)]
    composers = [f"Composer {n}" for n in range(films_count // 8)]
    films: list[Film] = []
    cast: dict[int, list[CastCredit]] = {}
    crew: dict[int, list[CrewCredit]] = {}
    for film_id in range(1, films_count + 1):
        name, start, genre = rng.choice(directors)
        series = f"series-{film_id % 50}" if film_id % 7 == 0 else None
        films.append(_film(film_id, f"Film {film_id}", start + rng.randrange(10), (genre,), series))
        crew[film_id] = [_crew(film_id, name), _crew(film_id, rng.choice(composers), "Original Music Composer")]
        cast[film_id] = [_cast(film_id, order, f"Actor {rng.randrange(films_count)}", f"Role {film_id}-{order}")
                         for order in range(4)]  # fmt: skip
    return Small(films, cast, crew)


def test_wrong_directors_are_peers_and_vary() -> None:
    small = _synthetic(1200)
    cat = small.catalogue()
    questions = [q for q in generate_from(cat) if q.key.startswith("gen:director:")]
    directors = {c.person_name for credits in small.crew.values() for c in credits if c.job == "Director"}
    career = {c.name: c for c in cat.director_peers.candidates}
    film_of = {film.key: film for film in small.films}
    assert len(questions) > 1000
    wrong_sets = Counter(frozenset(q.wrong) for q in questions)
    # Different from question to question: hardly two questions show the same five.
    assert len(wrong_sets) >= 0.95 * len(questions)
    gaps, same_genre = [], 0
    for q in questions:
        assert set(q.wrong) <= directors and q.answer not in q.wrong
        film = film_of[q.film_key or ""]
        for name in q.wrong:
            gaps.append(abs(career[name].year - film.year))
            same_genre += bool(set(career[name].genres) & set(film.genres))
    gaps.sort()
    # Of the era and genre: over a century of careers, the wrong ones sit within a few years of the film.
    assert gaps[len(gaps) // 2] <= 5 and gaps[int(0.9 * len(gaps))] <= 15
    assert same_genre >= 0.8 * len(gaps)


def test_a_namesake_of_the_answer_is_never_a_wrong_choice() -> None:
    films = [_film(n, f"Film {n}", 2000 + n, ("Drama",)) for n in range(1, 9)]
    crew = {n: [_crew(n, f"Other Director {n}")] for n in range(1, 9)}
    crew[1] = [CrewCredit(1, 0, "jo-lee-1", "Jo Lee", "Crew", "Director", "")]
    crew[2] = [CrewCredit(2, 0, "jo-lee-2", "JO LEE.", "Crew", "Director", "")]
    questions = {q.key: q for q in generate(films, {}, crew)}
    for key in ("gen:director:f1", "gen:director:f2"):
        assert not {normalise_answer(name) for name in questions[key].wrong} & {"jo lee"}


# --------------------------------------------------------------------------- the right answer's button


def _balanced_per_game(positions: Sequence[int], game: int) -> bool:
    """Each game of ``game`` questions puts the answer on each button game/4 times, give or take one,
    and never three times running."""
    for start in range(0, len(positions) - game + 1, game):
        counts = Counter(positions[start : start + game])
        if any(abs(counts[n] - game / CHOICE_COUNT) > 1 for n in range(CHOICE_COUNT)):
            return False
    return all(len(set(positions[i : i + 3])) > 1 for i in range(len(positions) - 2))


def _balanced_overall(positions: Sequence[int]) -> bool:
    """Each button within four standard deviations of a quarter (binomial)."""
    expected = len(positions) / CHOICE_COUNT
    spread = 4 * (len(positions) * 0.25 * 0.75) ** 0.5
    counts = Counter(positions)
    return all(abs(counts[n] - expected) <= spread for n in range(CHOICE_COUNT))


@pytest.fixture(scope="module")
def asked() -> list[Question]:
    return [q for q in generate_from(_synthetic(400).catalogue()) if len(q.wrong) >= 3]


def test_the_answer_is_on_every_button_equally_over_a_game(asked: list[Question]) -> None:
    for seed in range(50):
        rng = random.Random(seed)
        game = random.Random(seed).sample(asked, 20)
        positions = [choices(q, rng).index(q.answer) for q in game]
        assert _balanced_per_game(positions, 20), positions


def test_the_answer_is_on_every_button_equally_over_the_pool(asked: list[Question]) -> None:
    # One generator for the whole pool (one long game), and a fresh one per question (the daily question).
    rng = random.Random(3)
    assert _balanced_overall([choices(q, rng).index(q.answer) for q in asked])
    assert _balanced_overall([choices(q, random.Random(n)).index(q.answer) for n, q in enumerate(asked)])


def test_the_balance_bounds_catch_clustered_and_rigged_positions() -> None:
    rigged = [0] * 400
    assert not _balanced_overall(rigged) and not _balanced_per_game(rigged, 20)
    # A plain shuffle per question is balanced on average but clusters within games.
    rng = random.Random(5)
    shuffled = [rng.randrange(CHOICE_COUNT) for _ in range(20 * 50)]
    assert _balanced_overall(shuffled) and not _balanced_per_game(shuffled, 20)


# --------------------------------------------------------------------------- cost


def test_peer_comparisons_grow_linearly_with_the_catalogue() -> None:
    costs = {}
    for size in (500, 2000):
        cat = _synthetic(size, seed=size).catalogue()
        generate_from(cat)
        costs[size] = cat.comparisons
    # Four times the films: about four times the work (a quadratic step would be sixteen).
    assert 2.5 * costs[500] <= costs[2000] <= 6 * costs[500], costs


# --------------------------------------------------------------------------- a real catalogue's shape

VEGA_LIKE: list[dict[str, Any]] = [
    {"Title": "Lolita", "Release Date": "Jun 13 1962", "Director": "Stanley Kubrick", "Major Genre": "Drama"},
    {"Title": "Lolita", "Release Date": "Sep 25 1998", "Director": "Adrian Lyne", "Major Genre": "Drama"},
    {"Title": "Spartacus", "Release Date": "Oct 07 1960", "Director": "Stanley Kubrick", "Major Genre": "Drama"},
    {"Title": "Psycho", "Release Date": "Jun 16 2060", "Director": "Alfred Hitchcock", "Major Genre": "Horror"},
    {"Title": "The Birds", "Release Date": "Mar 28 1963", "Director": "Alfred Hitchcock", "Major Genre": "Horror"},
    {"Title": "Jaws", "Release Date": "Jun 20 1975", "Director": "Steven Spielberg", "Major Genre": "Adventure"},
    {"Title": "Fatal Attraction", "Release Date": "Sep 18 1987", "Director": "Adrian Lyne", "Major Genre": "Drama"},
    {"Title": "Halloween", "Release Date": "Oct 25 1978", "Director": "John Carpenter", "Major Genre": "Horror"},
    {"Title": "The Fog", "Release Date": "Feb 08 1980", "Director": "John Carpenter", "Major Genre": "Horror"},
    {"Title": 1941, "Release Date": "Dec 14 1979", "Director": "Steven Spielberg", "Major Genre": "Comedy"},
    {"Title": "Untitled", "Release Date": None, "Director": None, "Major Genre": None},
]


def test_trivia_quality_over_a_vega_style_catalogue() -> None:
    films, cast, crew = catalogue_from_records(VEGA_LIKE)
    assert len(films) == 10  # no date, no film
    assert {f.title: f.year for f in films}["Psycho"] == 1960  # a two-digit year read a century late
    figures = trivia_quality(films, cast, crew)
    assert figures["director_questions"] == 10
    assert figures["director_wrong_sets"] >= 5 and figures["director_top_wrong_set_share"] <= 0.5
    assert figures["dropped_not_unique"] == 2  # "In which year was Lolita released?", twice
    assert sum(figures[f"position_{n}_share"] for n in range(CHOICE_COUNT)) == pytest.approx(1.0)
    texts = {q.text for q in generate(films, cast, crew)}
    assert {"Who directed Lolita (1962)?", "Who directed Lolita (1998)?", "Who directed 1941?"} <= texts


def test_which_film_introduced_offers_films_of_the_same_series() -> None:
    # Two series loaded side by side: their films interleave in the catalogue's order (first films, then seconds...).
    films = [_film(n, f"Alpha {n}", 1990 + n, series="alpha") for n in range(1, 5)]
    films += [_film(10 + n, f"Beta {n}", 1990 + n, series="beta") for n in range(1, 5)]
    films = [replace(film, franchise_order=int(film.title.split()[1])) for film in films]
    cast = {2: [_cast(2, 0, "Ann Hero", "Captain Alpha")], 3: [_cast(3, 0, "Ann Hero", "Captain Alpha")]}
    question = {q.key: q for q in generate(films, cast, {})}["gen:introduced:captain-alpha"]
    assert question.answer == "Alpha 2"
    assert set(question.wrong) == {"Alpha 1", "Alpha 3", "Alpha 4"}
    assert question.difficulty == "hard"  # in two films only


def test_who_plays_asks_about_the_top_of_the_billing_only() -> None:
    films = [_film(1, "Crowded", 2000)]
    cast = {1: [_cast(1, order, f"Actor {order}", f"Part {order}") for order in range(14)]}
    asked = {q.key for q in generate(films, cast, {}) if q.key.startswith("gen:plays:")}
    assert "gen:plays:f1:part-0" in asked and "gen:plays:f1:part-9" in asked
    assert "gen:plays:f1:part-10" not in asked and "gen:plays:f1:part-13" not in asked


def test_not_in_the_cast_names_someone_from_the_same_series() -> None:
    films = [_film(n, f"Alpha {n}", 1990 + n, series="alpha") for n in range(1, 4)]
    films += [_film(10 + n, f"Beta {n}", 1990 + n, series="beta") for n in range(1, 4)]
    films = [replace(film, franchise_order=int(film.title.split()[1])) for film in films]
    cast = {
        film.id: [_cast(film.id, order, f"{film.title} Actor {order}", f"Part {order}") for order in range(4)]
        for film in films
    }
    question = {q.key: q for q in generate(films, cast, {})}["gen:notcast:f3"]
    # Before, the nearest earlier film of the whole catalogue: Beta 2, another series.
    assert question.answer.startswith("Alpha 2 ")


def test_a_large_catalogue_asks_about_its_best_known_films_only() -> None:
    small = _remakes_and_ties()
    # Only the second Lolita and the stand-alone film are asked about; the whole catalogue still decides
    # whether a question has one right answer, so the remake keeps its year.
    more_credits = {**small.cast, 2: [_cast(2, n, f"Star {n}", f"Part {n}") for n in range(6)]}
    questions = generate(small.films, more_credits, small.crew, most_subjects=2)
    assert questions and {q.film_key for q in questions} == {"f2", "f7"}
    directed = {q.key: q for q in questions}["gen:director:f2"]
    assert directed.text == "Who directed Lolita (1997)?"
    # Wrong choices come from the films not asked about too (the two asked about have one other director).
    assert len(directed.wrong) >= 3 and set(directed.wrong) - {"Eve Director"}
    everything = generate(small.films, more_credits, small.crew)
    assert len({q.film_key for q in everything}) > 2
