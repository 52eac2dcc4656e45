"""Questions: generated ones checked against the parsed pack, pack ones read right, and a game's selection."""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from cogs.films.search.text import normalise, normalise_answer
from cogs.trivia.questions import (
    MAX_QUESTIONS,
    Question,
    build_pool,
    choices,
    film_order,
    generate,
    select_questions,
)
from db.packs import Pack, PackFilm
from db.repositories.models import CastCredit, CrewCredit, Film

if TYPE_CHECKING:
    from .conftest import TriviaCatalogue

TEMPLATES = ("director", "composer", "year", "plays", "introduced", "notcast", "first")

# --------------------------------------------------------------------------- generated: every question checked


def _tokens(text: str | None) -> list[str]:
    return normalise(text or "").split()


def _contains(haystack: str | None, needle: str) -> bool:
    """Whether the words of ``needle`` appear in order in a credited character name.

    Not necessarily side by side: ``Janik "Bone Doctor" Vinter`` is Janik Vinter.
    """
    remaining = iter(_tokens(haystack))
    words = _tokens(needle)
    return bool(words) and all(word in remaining for word in words)


class PackFacts:
    """Facts read straight from the parsed pack, independently of the code under test."""

    def __init__(self, pack: Pack) -> None:
        self.films = sorted(pack.films, key=lambda f: (f.franchise_order, f.year))
        self.by_title = {f.title: f for f in pack.films}
        self.name = {p.key: p.name for p in pack.people}

    def film_in_text(self, text: str, pattern: str) -> tuple[PackFilm, str]:
        found = re.fullmatch(pattern, text)
        assert found, text
        groups = found.groupdict()
        return self.by_title[groups["title"]], groups.get("who", "")

    def jobs(self, film: PackFilm, job: str) -> list[str]:
        return [self.name[c.person] for c in film.crew if c.job == job]

    def cast_names(self, film: PackFilm) -> set[str]:
        return {self.name[c.person] for c in film.cast}

    def performers(self, film: PackFilm, character: str) -> set[str]:
        return {self.name[c.person] for c in film.cast if _contains(c.character, character)}


@pytest.fixture(scope="module")
def facts(mi_pack: Pack) -> PackFacts:
    return PackFacts(mi_pack)


def test_every_template_generates(generated: list[Question]) -> None:
    kinds = Counter(q.key.split(":")[1] for q in generated)
    assert set(kinds) == set(TEMPLATES), kinds
    assert all(q.key.startswith("gen:") for q in generated)
    assert len({q.key for q in generated}) == len(generated), "keys are unique"


def test_generation_is_deterministic(mi: TriviaCatalogue, generated: list[Question]) -> None:
    assert generate(mi.films, mi.cast, mi.crew) == generated
    # Credit order in the mappings does not matter either.
    shuffled = {film_id: list(reversed(credits)) for film_id, credits in mi.cast.items()}
    assert {q.key for q in generate(list(reversed(mi.films)), shuffled, mi.crew)} == {q.key for q in generated}


def test_generated_shape(generated: list[Question]) -> None:
    for q in generated:
        assert q.difficulty in ("easy", "medium", "hard"), q.key
        assert len(q.wrong) >= 3 and len(set(q.wrong)) == len(q.wrong), q.key
        accepted = {normalise_answer(text) for text in (q.answer, *q.accepted)}
        assert not accepted & {normalise_answer(w) for w in q.wrong}, q.key
        assert q.film_key in q.reveals, q.key
    difficulties = Counter(q.difficulty for q in generated)
    assert all(difficulties[d] > 0 for d in ("easy", "medium", "hard")), difficulties


def test_every_generated_question_is_right_against_the_pack(generated: list[Question], facts: PackFacts) -> None:
    """Each answer is true and each wrong choice false, checked from the parsed pack alone."""
    for q in generated:
        template = q.key.split(":")[1]
        if template == "director":
            film, _ = facts.film_in_text(q.text, r"Who directed (?P<title>.+)\?")
            assert facts.jobs(film, "Director") == [q.answer], q.key
            assert not set(q.wrong) & set(facts.jobs(film, "Director")), q.key
        elif template == "composer":
            film, _ = facts.film_in_text(q.text, r"Who composed the score for (?P<title>.+)\?")
            # A shared score: the first composer is the answer, each of them is accepted, none is a wrong choice.
            composers = facts.jobs(film, "Original Music Composer")
            assert composers[0] == q.answer and set(composers) <= set(q.accepted), q.key
            assert not set(q.wrong) & set(composers), q.key
        elif template == "year":
            film, _ = facts.film_in_text(q.text, r"In which year was (?P<title>.+) released\?")
            assert q.answer == str(film.year), q.key
            assert all(w != str(film.year) and int(w) in {f.year for f in facts.films} for w in q.wrong), q.key
        elif template == "plays":
            film, character = facts.film_in_text(q.text, r"Who plays (?P<who>.+) in (?P<title>.+)\?")
            assert facts.performers(film, character) == {q.answer}, q.key
            assert not set(q.wrong) & facts.performers(film, character), q.key
            assert all(w in facts.name.values() for w in q.wrong), q.key
        elif template == "introduced":
            found = re.fullmatch(r"Which film introduced (?P<who>.+)\?", q.text)
            assert found, q.key
            with_character = [f for f in facts.films if facts.performers(f, found["who"])]
            assert with_character and with_character[0].title == q.answer, q.key
            assert all(w in facts.by_title and w != q.answer for w in q.wrong), q.key
        elif template == "notcast":
            film, _ = facts.film_in_text(q.text, r"Which of these people is not in the cast of (?P<title>.+)\?")
            assert q.answer not in facts.cast_names(film), q.key
            assert set(q.wrong) <= facts.cast_names(film), q.key
            assert q.needs_choices, q.key
        elif template == "first":
            answer = facts.by_title[q.answer]
            assert all(facts.by_title[w].year > answer.year for w in q.wrong), q.key
            assert q.needs_choices, q.key
        else:  # pragma: no cover - a new template needs a check here
            pytest.fail(f"unchecked template {template}")


def test_introduced_uses_the_earliest_film_even_across_spellings(by_key: dict[str, Question]) -> None:
    # Angela Bassett is "Erica Sloan" in Fallout and "Erika Sloane" in The Final Reckoning: one role.
    assert by_key["gen:introduced:erica-sloan"].answer == "Mission: Impossible – Fallout"
    assert "gen:introduced:erika-sloane" not in by_key
    assert by_key["gen:introduced:benji-dunn"].answer == "Mission: Impossible III"
    assert by_key["gen:introduced:ethan-hunt"].answer == "Mission: Impossible"
    assert by_key["gen:introduced:william-donloe"].answer == "Mission: Impossible"  # back in the eighth film


def test_plays_skips_uncredited_characters(generated: list[Question]) -> None:
    # Josh Holloway (Ghost Protocol) has no confirmed character: never asked about.
    assert not [q for q in generated if q.key.startswith("gen:plays:") and q.answer == "Josh Holloway"]


def _film(film_id: int, key: str, year: int, order: int | None = None) -> Film:
    return Film(film_id, key, f"Film {key.upper()}", f"Film {key.upper()}", year, None, None, order,
                None, None, None, None, None, "test", "")  # fmt: skip


def _cast(film_id: int, order: int, person: str, character: str | None) -> CastCredit:
    return CastCredit(film_id, order, hash(person) % 10_000, person, person.title(), character, "")


def _crew(film_id: int, person: str, job: str) -> CrewCredit:
    return CrewCredit(film_id, hash(person) % 10_000, person, person.title(), "Crew", job, "")


def test_synthetic_catalogue_edge_cases() -> None:
    films = [_film(1, "a", 2001), _film(2, "b", 2003), _film(3, "c", 2005), _film(4, "d", 2005)]
    cast = {
        1: [_cast(1, 0, "ann", "Hero"), _cast(1, 1, "bob", "The Twins"), _cast(1, 2, "cat", "The Twins"),
            _cast(1, 3, "dan", None), _cast(1, 4, "eve", "Villain")],
        2: [_cast(2, 0, "ann", "Hero"), _cast(2, 1, "fay", "Sidekick"), _cast(2, 2, "gus", "Boss"),
            _cast(2, 3, "hal", "Guard")],
        3: [_cast(3, 0, "ann", "Hero"), _cast(3, 1, "fay", "Sidekick"), _cast(3, 2, "ivy", "Pilot")],
        4: [_cast(4, 0, "jon", "Hero"), _cast(4, 1, "kim", "Medic")],
    }  # fmt: skip
    crew = {
        1: [_crew(1, "dir1", "Director")],
        2: [_crew(2, "dir1", "Director"), _crew(2, "dir2", "Director")],  # co-directed: skipped
        3: [_crew(3, "dir3", "Director"), _crew(3, "mus1", "Original Music Composer")],
        4: [_crew(4, "dir4", "Director")],
    }
    questions = {q.key: q for q in generate(films, cast, crew)}
    # Several performers of one character in one film, and no character: no "who plays".
    assert not any(key.startswith("gen:plays:a:the-twins") for key in questions)
    assert not any(q.answer == "Dan" for q in questions.values())
    assert "gen:plays:a:hero" in questions
    # "Hero" is played by Jon in film d: two performers overall, but one per film, so both are asked.
    assert questions["gen:plays:d:hero"].answer == "Jon"
    # Co-directed by two of the four directors: only two others are left to be wrong choices.
    assert "gen:director:b" not in questions
    assert questions["gen:introduced:sidekick"].answer == "Film B"
    assert "gen:introduced:villain" not in questions  # only in one film
    # Films c and d share 2005: a "came first" never pits them against each other as answer and choice.
    for q in questions.values():
        if q.key.startswith("gen:first:"):
            years = [f.year for f in films if f.title in q.wrong]
            answer_year = next(f.year for f in films if f.title == q.answer)
            assert all(year > answer_year for year in years) and len(set(years)) == len(years)
    # Only three distinct years (2001, 2003, 2005): no film has three other years to offer as wrong choices.
    assert not any(key.startswith("gen:year:") for key in questions)
    # No other composer: a director or an actor is no plausible wrong composer, so no question.
    assert "gen:composer:c" not in questions


def test_too_small_a_catalogue_generates_nothing_wrong() -> None:
    films = [_film(1, "a", 2001)]
    cast = {1: [_cast(1, 0, "ann", "Hero"), _cast(1, 1, "bob", "Friend")]}
    crew = {1: [_crew(1, "dir1", "Director")]}
    assert generate(films, cast, crew) == []


# --------------------------------------------------------------------------- pack questions


def test_pack_question_kinds(pack_questions: dict[str, Question]) -> None:
    assert pack_questions["mi1-director"].answer_kind == "person"
    assert pack_questions["mi1-director"].answer_ref == "brian-de-palma"
    assert pack_questions["mi1-year"].answer_kind == "year"
    assert pack_questions["mi6-first-returning-director"].answer_ref == "mi6"
    assert pack_questions["mi3-benji-debut"].answer_kind == "character"
    # Questions about a title's exact form are text, checked exactly, never by film alias.
    assert pack_questions["mi2-onscreen-title"].answer_kind == "text"
    assert pack_questions["mi8-former-title"].answer_kind == "text"
    # "Paris" the premiere city is not the character Paris.
    assert pack_questions["mi6-paris-premiere"].answer_kind == "text"
    assert pack_questions["mi8-briggs-father"].spoiler


def test_pack_question_reveals(pack_questions: dict[str, Question]) -> None:
    assert pack_questions["mi1-director"].reveals == {"mi1"}
    # Wrong choices name later films; the longest title wins, so not the first film.
    assert pack_questions["mi6-first-returning-director"].reveals == {"mi5", "mi6", "mi7", "mi8"}
    assert {"mi5", "mi6"} <= pack_questions["mi4-imax"].reveals
    assert "mi8" in pack_questions["mi8-former-title"].reveals


def test_every_pack_question_is_read(mi: TriviaCatalogue, pack_questions: dict[str, Question]) -> None:
    assert len(pack_questions) == len(mi.questions) >= 150
    for source in mi.questions:
        q = pack_questions[source.key]
        assert (q.answer, q.accepted[0], q.wrong) == (source.answers[0], source.answers[0], source.wrong)


# --------------------------------------------------------------------------- choices


def test_choices_are_four_shuffled_with_the_answer(by_key: dict[str, Question]) -> None:
    q = by_key["gen:director:mi6"]
    seen_positions = set()
    for seed in range(40):
        options = choices(q, random.Random(seed))
        assert len(options) == 4 and len(set(options)) == 4
        assert options.count(q.answer) == 1
        assert set(options) - {q.answer} <= set(q.wrong)
        seen_positions.add(options.index(q.answer))
    assert seen_positions == {0, 1, 2, 3}
    assert choices(q, random.Random(7)) == choices(q, random.Random(7))


# --------------------------------------------------------------------------- selecting


def _select(pool: list[Question], order: dict[str, int], seed: int = 0, **kwargs: object) -> list[Question]:
    options: dict[str, object] = {"count": 10, "film_order": order, "rng": random.Random(seed)}
    options.update(kwargs)
    return select_questions(pool, **options)  # type: ignore[arg-type]


def test_no_repeats_and_count(pool: list[Question], order: dict[str, int]) -> None:
    for seed in range(20):
        picked = _select(pool + pool, order, seed, count=MAX_QUESTIONS)  # duplicates in the pool too
        assert len(picked) == MAX_QUESTIONS
        assert len({q.key for q in picked}) == MAX_QUESTIONS


def test_count_limits(pool: list[Question], order: dict[str, int]) -> None:
    for count in (0, MAX_QUESTIONS + 1):
        with pytest.raises(ValueError):
            _select(pool, order, count=count)
    assert len(_select(pool, order, count=1)) == 1


def test_same_seed_same_game(pool: list[Question], order: dict[str, int]) -> None:
    assert _select(pool, order, 5) == _select(pool, order, 5)
    assert _select(pool, order, 5) != _select(pool, order, 6)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_difficulty_filter(pool: list[Question], order: dict[str, int], difficulty: str) -> None:
    picked = _select(pool, order, count=MAX_QUESTIONS, difficulty=difficulty)
    assert len(picked) == MAX_QUESTIONS and {q.difficulty for q in picked} == {difficulty}


def test_mixed_takes_every_difficulty(pool: list[Question], order: dict[str, int]) -> None:
    picked = _select(pool, order, count=MAX_QUESTIONS, difficulty="mixed")
    assert {q.difficulty for q in picked} == {"easy", "medium", "hard"}


def test_film_filter(pool: list[Question], order: dict[str, int]) -> None:
    picked = _select(pool, order, count=MAX_QUESTIONS, film_key="mi3")
    assert picked and {q.film_key for q in picked} == {"mi3"}


def test_typed_mode_leaves_out_which_of_these(pool: list[Question], order: dict[str, int]) -> None:
    for seed in range(10):
        assert not any(q.needs_choices for q in _select(pool, order, seed, count=MAX_QUESTIONS, mode="typed"))


@pytest.mark.parametrize("newest", ["mi1", "mi2", "mi3", "mi5", "mi7"])
def test_spoiler_gate(pool: list[Question], order: dict[str, int], newest: str) -> None:
    limit = order[newest]
    for seed in range(15):
        for q in _select(pool, order, seed, count=MAX_QUESTIONS, newest_allowed=newest):
            films = set(q.reveals) | ({q.film_key} if q.film_key else set())
            assert all(order[f] <= limit for f in films), (newest, q.key, q.reveals)


def test_spoiler_gate_by_example(by_key: dict[str, Question], order: dict[str, int]) -> None:
    def allowed(key: str, newest: str) -> bool:
        picked = _select([by_key[key]], order, count=1, newest_allowed=newest)
        return [q.key for q in picked] == [key]

    assert allowed("gen:introduced:benji-dunn", "mi4")  # choices: MI 1 to 4
    assert not allowed("gen:introduced:benji-dunn", "mi3")  # its choices name Ghost Protocol
    assert not allowed("mi8-briggs-father", "mi7")  # about the eighth film (and a spoiler)
    assert allowed("mi8-briggs-father", "mi8")
    assert not allowed("mi4-imax", "mi4")  # names Fallout among its choices
    assert not allowed("gen:notcast:mi1", "mi1")  # its answer comes from the second film
    assert allowed("gen:notcast:mi2", "mi2")  # answer from the first film: asked as soon as MI2 is seen
    assert allowed("franchise-schifrin", "mi1")  # about no film


def test_unknown_gate_film_is_an_error(pool: list[Question], order: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        _select(pool, order, newest_allowed="top-gun")


def test_recent_questions_are_avoided(pool: list[Question], order: dict[str, int]) -> None:
    rng = random.Random(1)
    recent = [q.key for q in rng.sample(pool, 200)]
    for seed in range(10):
        picked = _select(pool, order, seed, count=MAX_QUESTIONS, recent=recent)
        assert not {q.key for q in picked} & set(recent)


def test_small_pool_falls_back_to_the_least_recent(by_key: dict[str, Question], order: dict[str, int]) -> None:
    small = [by_key[f"gen:year:mi{n}"] for n in range(1, 9)]
    # Newest first, as TriviaRepository.recent_questions returns them: mi1 is the newest, mi6 the oldest.
    recent = [f"gen:year:mi{n}" for n in range(1, 7)]
    picked = {q.key for q in _select(small, order, count=4, recent=recent)}
    # The two never-asked ones, then the two asked longest ago.
    assert picked == {"gen:year:mi7", "gen:year:mi8", "gen:year:mi6", "gen:year:mi5"}
    # An unordered collection of recent keys still puts fresh questions first.
    picked = {q.key for q in _select(small, order, count=3, recent=set(recent))}
    assert {"gen:year:mi7", "gen:year:mi8"} <= picked
    # Asking for more than the pool gives the whole pool, once each.
    assert len(_select(small, order, count=30, recent=recent)) == 8


def test_one_question_per_topic_while_others_are_left(pool: list[Question], order: dict[str, int]) -> None:
    for seed in range(20):
        picked = _select(pool, order, seed, count=MAX_QUESTIONS)
        topics = [q.group for q in picked]
        assert len(topics) == len(set(topics))


def test_film_order(mi: TriviaCatalogue) -> None:
    assert film_order(mi.films) == {f"mi{n}": n - 1 for n in range(1, 9)}
    assert film_order(reversed(mi.films)) == film_order(mi.films)


def test_build_pool(mi: TriviaCatalogue, pool: list[Question]) -> None:
    built = build_pool(mi.questions, mi.films, mi.cast, mi.crew, titles=mi.titles, people=mi.people)
    assert built == pool
    assert len({q.key for q in built}) == len(built)  # pack and generated keys never clash
