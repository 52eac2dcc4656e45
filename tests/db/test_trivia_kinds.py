"""Pack questions of kind "typed", their author, and `[pack] requires` for questions about another pack's films."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from db import CatalogueRepository, Database, PackConflictError, PackValidationError, load_pack, parse_pack

WritePack = Callable[..., Path]

QUESTIONS_PACK = """
[pack]
id = "fan-questions"
name = "Fan questions"
version = "1.0.0"
{requires}

[[source]]
key = "fans"
ref = "a fan list"

[[trivia]]
key = "fan-q1"
{film}
kind = "typed"
question = "What is the hero's code name in Film One?"
answers = ["Nightjar", "The Nightjar"]
difficulty = "medium"
category = "community"
source = "fans"
author = "Ada Writer"

[[trivia]]
key = "fan-q2"
question = "How many heists are in the whole test franchise?"
answers = ["3"]
wrong = ["2", "4", "5"]
difficulty = "easy"
category = "community"
source = "fans"
"""


def _questions_pack(write_pack: WritePack, *, requires: str = "", film: str = "") -> Path:
    return write_pack(QUESTIONS_PACK.format(requires=requires, film=film), "fan-questions.toml")


def _problems(path: Path) -> list[str]:
    with pytest.raises(PackValidationError) as caught:
        parse_pack(path)
    return [str(problem) for problem in caught.value.problems]


def test_typed_question_needs_no_wrong_choices_and_keeps_kind_and_author(write_pack: WritePack) -> None:
    pack = parse_pack(_questions_pack(write_pack))
    typed, choice = pack.trivia
    assert (typed.kind, typed.wrong, typed.author) == ("typed", (), "Ada Writer")
    assert (choice.kind, choice.author) == ("choice", None)


def test_typed_question_with_an_empty_wrong_list_is_valid(write_pack: WritePack) -> None:
    text = QUESTIONS_PACK.format(requires="", film="").replace('kind = "typed"', 'kind = "typed"\nwrong = []')
    assert parse_pack(write_pack(text, "fan-questions.toml")).trivia[0].wrong == ()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('kind = "typed"', 'kind = "typed"\nwrong = ["Kestrel"]', 'field "wrong": must list at least 3 wrong choices'),
        (
            'kind = "typed"',
            'kind = "typed"\nwrong = ["nightjar", "Kestrel", "Swift"]',
            'field "wrong": "nightjar" is also an accepted answer',
        ),
        ('kind = "typed"', 'kind = "open"', 'field "kind": must be one of "choice", "typed", got "open"'),
        ('kind = "typed"\n', "", 'trivia "fan-q1" (trivia[0]) field "wrong": is required'),
        ('author = "Ada Writer"', f'author = "{"x" * 101}"', 'field "author": must be at most 100 characters'),
        ('author = "Ada Writer"', "author = 7", 'field "author": must be a non-empty string'),
    ],
)
def test_kind_and_author_rules(write_pack: WritePack, old: str, new: str, expected: str) -> None:
    text = QUESTIONS_PACK.format(requires="", film="")
    assert old in text
    problems = _problems(write_pack(text.replace(old, new, 1), "fan-questions.toml"))
    assert any(expected in problem for problem in problems), problems


def test_without_requires_a_film_must_be_the_packs_own(write_pack: WritePack) -> None:
    problems = _problems(_questions_pack(write_pack, film='film = "one"'))
    assert any('field "film": unknown film "one"' in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        ('requires = ["Test_Pack"]', "'Test_Pack' is not a pack id"),
        ('requires = ["fan-questions"]', "a pack cannot require itself"),
        ('requires = "test-pack"', 'field "requires": must be a list of non-empty strings'),
    ],
)
def test_requires_rules(write_pack: WritePack, requires: str, expected: str) -> None:
    problems = _problems(_questions_pack(write_pack, requires=requires))
    assert any(expected in problem for problem in problems), problems


def test_with_requires_a_film_key_of_another_pack_parses(write_pack: WritePack) -> None:
    pack = parse_pack(_questions_pack(write_pack, requires='requires = ["test-pack"]', film='film = "one"'))
    assert pack.requires == ("test-pack",)
    assert pack.trivia[0].film == "one"


def test_with_requires_a_film_must_still_be_a_key(write_pack: WritePack) -> None:
    problems = _problems(_questions_pack(write_pack, requires='requires = ["test-pack"]', film='film = "Film One"'))
    assert any('field "film": must be a slug' in problem for problem in problems), problems


async def _count(db: Database, sql: str) -> int:
    return int(await db.fetch_value(sql))


async def test_loading_stores_kind_and_author_and_reads_them_back(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = write_pack(base_pack_text)
    await load_pack(db, parse_pack(base))
    fans = _questions_pack(write_pack, requires='requires = ["test-pack"]', film='film = "one"')
    report = await load_pack(db, parse_pack(fans))
    assert report.questions == 2
    questions = {q.key: q for q in await CatalogueRepository(db).trivia_questions()}
    typed = questions["fan-q1"]
    assert (typed.kind, typed.author, typed.wrong, typed.film_key) == ("typed", "Ada Writer", (), "one")
    assert (questions["fan-q2"].kind, questions["fan-q2"].author) == ("choice", None)
    # The base pack's own questions are choice questions by default.
    assert questions["one-director"].kind == "choice"


async def test_load_refuses_a_film_not_in_the_database_and_writes_nothing(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    await load_pack(db, parse_pack(write_pack(base_pack_text)))
    fans = _questions_pack(write_pack, requires='requires = ["test-pack"]', film='film = "three"')
    with pytest.raises(PackConflictError, match='its questions name film "three", which is not in the database'):
        await load_pack(db, parse_pack(fans))
    assert await _count(db, "SELECT count(*) FROM packs WHERE id = 'fan-questions'") == 0
    assert await _count(db, "SELECT count(*) FROM trivia_questions WHERE pack_id = 'fan-questions'") == 0


async def test_load_refuses_when_a_required_pack_is_not_loaded(db: Database, write_pack: WritePack) -> None:
    fans = _questions_pack(write_pack, requires='requires = ["test-pack"]', film='film = "one"')
    with pytest.raises(PackConflictError) as caught:
        await load_pack(db, parse_pack(fans))
    assert 'it requires pack "test-pack", which is not loaded' in str(caught.value)
    assert 'film "one", which is not in the database' in str(caught.value)
    assert await _count(db, "SELECT count(*) FROM packs") == 0
