"""`[[trivia.translation]]`: a hand-written trivia question in another language: validation, loading
(`trivia_translations`, read back with the questions), reloading and writing back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from db import CatalogueRepository, Database, PackValidationError, load_pack, parse_pack
from db.packs.model import Pack, PackTriviaTranslation
from db.packs.write import pack_document, pack_toml
from db.repositories.models import TriviaTranslation

WritePack = Callable[..., Path]

TRANSLATIONS = """fact = "film.one.directors"

[[trivia.translation]]
language = "fr"
question = "Qui a réalisé Film One ?"
answers = ["John Roe", "Roe"]
wrong = ["Jane Doe", "Max Mustermann", "Erika Musterfrau"]

[[trivia.translation]]
language = "pt"
country = "BR"
question = "Quem dirigiu Film One?"
answers = ["John Roe"]
wrong = ["Jane Doe", "Max Mustermann", "Erika Musterfrau"]
fact = "Dirigido por John Roe."
"""


@pytest.fixture
def translated_text(base_pack_text: str) -> str:
    return _replace(base_pack_text, 'fact = "film.one.directors"\n', TRANSLATIONS)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: {old!r} not in the pack"
    return text.replace(old, new, 1)


def test_trivia_translations_parse(write_pack: WritePack, translated_text: str) -> None:
    questions = {q.key: q for q in parse_pack(write_pack(translated_text)).trivia}
    people = ("Jane Doe", "Max Mustermann", "Erika Musterfrau")
    assert questions["one-director"].translations == (
        PackTriviaTranslation("fr", "Qui a réalisé Film One ?", ("John Roe", "Roe"), people),
        PackTriviaTranslation("pt", "Quem dirigiu Film One?", ("John Roe",), people, "BR", "Dirigido por John Roe."),
    )
    assert questions["two-year"].translations == ()


THREE = 'wrong = ["Jane Doe", "Max Mustermann", "Erika Musterfrau"]'
WHERE = 'test-pack.toml: trivia "one-director" (trivia[0]) translation'
BROKEN = [
    ("language not ISO 639-1", 'language = "fr"', 'language = "fra"',
     f'{WHERE}[0] field "language": must be two lowercase letters (ISO 639-1)'),
    ("a language twice", 'language = "pt"\ncountry = "BR"', 'language = "fr"',
     f'{WHERE}[1] field "language": duplicate translation into fr'),
    ("unknown country", 'country = "BR"', 'country = "XZ"',
     f'{WHERE}[1] field "country": "XZ" is not an assigned ISO 3166-1 alpha-2 country code'),
    ("question missing", 'question = "Qui a réalisé Film One ?"\n', "",
     f'{WHERE}[0] field "question": is required'),
    ("question too long", 'question = "Qui a réalisé Film One ?"', f'question = "{"a" * 301}"',
     f'{WHERE}[0] field "question": '),
    ("no answers", 'answers = ["John Roe"]', "answers = []",
     f'{WHERE}[1] field "answers": must list at least one answer'),
    ("an answer twice", 'One ?"\nanswers = ["John Roe", "Roe"]', 'One ?"\nanswers = ["John Roe", "john roe"]',
     f'{WHERE}[0] field "answers": lists'),
    ("wrong choices missing", 'answers = ["John Roe"]\nwrong = ["Jane Doe", "Max Mustermann", "Erika Musterfrau"]\n',
     'answers = ["John Roe"]\n', f'{WHERE}[1] field "wrong": is required'),
    ("more wrong choices than the question", f'answers = ["John Roe"]\n{THREE}',
     f'answers = ["John Roe"]\n{THREE[:-1]}, "Otto Normal"]',
     f'{WHERE}[1] field "wrong": must list as many wrong choices as the question (3, has 4)'),
    ("a wrong choice that is an answer", 'wrong = ["Jane Doe", "Max Mustermann", "Erika Musterfrau"]\n\n',
     'wrong = ["Jane Doe", "Max Mustermann", "roe"]\n\n', f'{WHERE}[0] field "wrong": '),
    ("unknown field", 'language = "fr"', 'language = "fr"\ndifficulty = "easy"',
     f'{WHERE}[0] field "difficulty": unknown field'),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_each_trivia_translation_problem_names_file_entry_and_field(
    write_pack: WritePack, translated_text: str, old: str, new: str, expected: str
) -> None:
    with pytest.raises(PackValidationError) as caught:
        parse_pack(write_pack(_replace(translated_text, old, new)))
    problems = [str(problem) for problem in caught.value.problems]
    assert any(line.startswith(expected) for line in problems), "\n".join(problems)


def test_a_typed_question_without_wrong_choices_is_translated_without_them(
    write_pack: WritePack, base_pack_text: str
) -> None:
    typed = _replace(
        base_pack_text,
        'answers = ["Two", "2"]\nwrong = ["One", "Three", "Four"]\n',
        'answers = ["Two", "2"]\nkind = "typed"\n',
    )
    typed += (
        '\n[[trivia.translation]]\nlanguage = "de"\nquestion = "Wie viele Filme hat die Testreihe?"\n'
        'answers = ["Zwei", "2"]\n'
    )
    question = {q.key: q for q in parse_pack(write_pack(typed)).trivia}["general"]
    assert question.translations == (
        PackTriviaTranslation("de", "Wie viele Filme hat die Testreihe?", ("Zwei", "2"), ()),
    )


async def test_loading_stores_the_translations_with_their_question(
    db: Database, write_pack: WritePack, translated_text: str
) -> None:
    await load_pack(db, parse_pack(write_pack(translated_text)))
    questions = {q.key: q for q in await CatalogueRepository(db).trivia_questions()}
    people = ("Jane Doe", "Max Mustermann", "Erika Musterfrau")
    assert questions["one-director"].translations == (
        TriviaTranslation("fr", "", "Qui a réalisé Film One ?", ("John Roe", "Roe"), people),
        TriviaTranslation("pt", "BR", "Quem dirigiu Film One?", ("John Roe",), people, "Dirigido por John Roe."),
    )
    assert questions["two-year"].translations == ()


async def test_reloading_replaces_the_translations(db: Database, write_pack: WritePack, translated_text: str) -> None:
    await load_pack(db, parse_pack(write_pack(translated_text)))
    changed = _replace(translated_text, "Qui a réalisé Film One ?", "Qui est le réalisateur de Film One ?")
    changed = _replace(changed, 'language = "pt"\ncountry = "BR"', 'language = "es"')
    await load_pack(db, parse_pack(write_pack(changed)))
    question = {q.key: q for q in await CatalogueRepository(db).trivia_questions()}["one-director"]
    assert [(t.language, t.country, t.question) for t in question.translations] == [
        ("es", "", "Quem dirigiu Film One?"),
        ("fr", "", "Qui est le réalisateur de Film One ?"),
    ]
    await load_pack(db, parse_pack(write_pack(translated_text.replace(TRANSLATIONS, 'fact = "film.one.directors"\n'))))
    assert await db.fetch_value("SELECT count(*) FROM trivia_translations") == 0


def _round_trip(pack: Pack, folder: Path) -> Pack:
    path = folder / "written.toml"
    path.write_text(pack_toml(pack_document(pack), ["written by a test"]), encoding="utf-8")
    return dataclasses.replace(parse_pack(path), path=pack.path, checksum=pack.checksum)


def test_trivia_translations_are_written_back_as_they_parse(
    tmp_path: Path, write_pack: WritePack, translated_text: str
) -> None:
    pack = parse_pack(write_pack(translated_text))
    assert pack.trivia[0].translations
    assert _round_trip(pack, tmp_path) == pack
    written = pack_document(pack)["trivia"][0]["translation"][0]
    assert written == {
        "language": "fr",
        "question": "Qui a réalisé Film One ?",
        "answers": ["John Roe", "Roe"],
        "wrong": ["Jane Doe", "Max Mustermann", "Erika Musterfrau"],
    }
