"""A pack question with `[[trivia.translation]]`s: asked, answered and revealed in the server's language;
English servers (and languages it has no translation into) get it as written."""

from __future__ import annotations

import dataclasses
import random

import pytest

from bot.i18n import Catalogues
from cogs.trivia.answers import AnswerChecker
from cogs.trivia.packed import PackedQuestions
from cogs.trivia.questions import NameBook, Question, choices, from_pack, in_language
from cogs.trivia.render import question_text
from db.repositories.models import TriviaQuestion, TriviaTranslation


@pytest.fixture(scope="module")
def catalogues() -> Catalogues:
    return Catalogues.load()


@pytest.fixture
def question() -> Question:
    return from_pack(
        TriviaQuestion(
            id=1,
            key="mi6-city",
            film_key=None,
            film_id=None,
            question="In which city does the film's rooftop chase end?",
            answers=("London", "The City of London"),
            wrong=("Paris", "Berlin", "Vienna"),
            difficulty="easy",
            category="story",
            source="wp",
            fact=None,
            spoiler=False,
            pack_id="test",
            translations=(
                TriviaTranslation(
                    "fr",
                    "",
                    "Dans quelle ville finit la poursuite sur les toits ?",
                    ("Londres",),
                    ("Paris", "Berlin", "Vienne"),
                ),
                TriviaTranslation(
                    "pt", "PT", "Em que cidade acaba a perseguição?", ("Londres",), ("Paris", "Berlim", "Viena")
                ),
                TriviaTranslation(
                    "pt", "BR", "Em que cidade termina a perseguição?", ("Londres",), ("Paris", "Berlim", "Viena")
                ),
            ),
        )
    )


def test_a_french_server_is_asked_the_french_question_and_its_typed_french_answer_is_right(
    question: Question, catalogues: Catalogues
) -> None:
    t = catalogues.speech("fr")
    asked = in_language(question, t.language)
    assert question_text(t, asked) == "Dans quelle ville finit la poursuite sur les toits ?"
    assert asked.answer == "Londres"
    assert sorted(choices(asked, random.Random(3))) == ["Berlin", "Londres", "Paris", "Vienne"]
    checker = AnswerChecker()
    assert checker.check(asked, "londres")
    # The original answers stay right: a French member may know the city by its English name.
    assert checker.check(asked, "The City of London")
    assert not checker.check(asked, "Vienne")
    assert not checker.check(question, "Londres")  # an English server takes only the pack's answers


def test_english_and_untranslated_languages_are_asked_as_written(question: Question, catalogues: Catalogues) -> None:
    assert in_language(question, catalogues.speech("en-US").language) == question
    assert in_language(question, catalogues.speech("de").language) == question


def test_a_countrys_variety_is_preferred(question: Question, catalogues: Catalogues) -> None:
    assert in_language(question, catalogues.speech("pt-BR").language).text == "Em que cidade termina a perseguição?"
    # No variety for the country (or none given): the language as a whole, else its first variety.
    assert in_language(question, "pt").text == "Em que cidade acaba a perseguição?"


def test_the_packed_pool_keeps_the_translations(question: Question) -> None:
    packed = PackedQuestions([question])
    assert packed[0] == question
    assert in_language(packed[0], "fr").answer == "Londres"


def test_a_film_named_only_in_a_translation_counts_for_the_spoiler_gate() -> None:
    book = NameBook(films={"mi4": ("Ghost Protocol", "Protocole fantôme")})
    stored = TriviaQuestion(
        id=2,
        key="mi-sequel",
        film_key=None,
        film_id=None,
        question="Which later film sends Ethan to Dubai?",
        answers=("The fourth one",),
        wrong=("The first one", "The second one", "The third one"),
        difficulty="easy",
        category="story",
        source="wp",
        fact=None,
        spoiler=False,
        pack_id="test",
    )
    assert from_pack(stored, book).reveals == frozenset()
    french = TriviaTranslation(
        "fr",
        "",
        "Quel film envoie Ethan à Dubaï ?",
        ("Protocole fantôme",),
        ("Le premier", "Le deuxième", "Le troisième"),
    )
    assert from_pack(dataclasses.replace(stored, translations=(french,)), book).reveals == {"mi4"}
