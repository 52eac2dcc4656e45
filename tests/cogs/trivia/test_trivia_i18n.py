"""Trivia in other languages: generated questions keep their template and values and are asked in the
server's language; English reads exactly as before; stored questions from before still show."""

from __future__ import annotations

import json
import random

import pytest

from bot.i18n import Catalogues, Speech
from bot.translator import english
from cogs.trivia.packed import _fields, _question
from cogs.trivia.questions import WHO_DIRECTED, Question, choices, question_json
from cogs.trivia.render import percent, question_text, seconds, shown_text


@pytest.fixture(scope="module")
def catalogues() -> Catalogues:
    return Catalogues.load()


def speech(catalogues: Catalogues, code: str) -> Speech:
    return catalogues.speech(code)


def test_every_generated_question_keeps_its_template_and_reads_in_english_as_before(
    generated: list[Question],
) -> None:
    assert generated
    for question in generated:
        assert question.template is not None, question.key
        assert question_text(english(), question) == question.text
        assert question.template.format(**dict(question.values)) == question.text


def test_pack_questions_are_asked_as_written(pack_questions: dict[str, Question], catalogues: Catalogues) -> None:
    for question in pack_questions.values():
        assert question.template is None
        assert question_text(speech(catalogues, "ja"), question) == question.text


def test_a_generated_question_is_asked_in_the_servers_language(
    by_key: dict[str, Question], catalogues: Catalogues
) -> None:
    question = by_key["gen:director:mi5"]
    assert question.template == WHO_DIRECTED
    film = dict(question.values)["film"]
    assert question.text == f"Who directed {film}?"
    assert question_text(speech(catalogues, "fr"), question) == f"Qui a réalisé {film} ?"
    assert question_text(speech(catalogues, "ja"), question) == f"{film} の監督は誰ですか？"
    assert question_text(speech(catalogues, "ko"), question) == question.text  # no catalogue: English


def test_a_stored_question_shows_in_the_servers_language_and_an_older_one_as_asked(
    by_key: dict[str, Question], catalogues: Catalogues
) -> None:
    question = by_key["gen:director:mi5"]
    options = tuple(choices(question, random.Random(1)))
    shown = json.loads(question_json(question, options, options.index(question.answer)))
    assert shown["text"] == question.text and shown["template"] == WHO_DIRECTED
    assert shown_text(speech(catalogues, "de"), shown).startswith("Wer führte bei ")
    older = {key: value for key, value in shown.items() if key not in ("template", "values")}
    assert shown_text(speech(catalogues, "de"), older) == question.text


def test_a_question_packed_before_templates_still_reads(by_key: dict[str, Question]) -> None:
    question = by_key["gen:director:mi5"]
    assert _question(_fields(question)) == question
    older = _question(_fields(question)[:16])
    assert older.template is None and older.values == () and older.text == question.text


def test_numbers_in_the_locale(catalogues: Catalogues) -> None:
    assert seconds(english(), 1500) == "1.5 s" and seconds(speech(catalogues, "fr"), 1500) == "1,5 s"
    assert seconds(speech(catalogues, "ja"), 2000) == "2.0 秒"
    assert percent(english(), 0.5) == "50%" and percent(speech(catalogues, "de"), 0.5) == "50\xa0%"
