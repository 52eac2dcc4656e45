"""Pack questions of kind "typed": never asked with buttons (games and the daily question), asked in typed mode
with every accepted answer counting, kept through the packed pool, and their author shown on reveal."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import random

import pytest

from bot.translator import english
from cogs.trivia.answers import AnswerChecker
from cogs.trivia.game import RoundResult
from cogs.trivia.packed import PackedQuestions
from cogs.trivia.questions import Mode, Question, choices, fits_buttons, from_pack, question_json, select_questions
from cogs.trivia.render import daily_reveal_embed, reveal_embed
from db.repositories.models import TriviaQuestion


def _stored(
    key: str, *, kind: str = "choice", wrong: tuple[str, ...] = (), author: str | None = None
) -> TriviaQuestion:
    return TriviaQuestion(
        id=1,
        key=key,
        film_id=None,
        film_key=None,
        question=f"What is the code name in {key}?",
        answers=("Nightjar", "The Nightjar", "Agent Nightjar"),
        wrong=wrong,
        difficulty="medium",
        category="community",
        source="fans",
        fact=None,
        spoiler=False,
        pack_id="fans",
        kind=kind,
        author=author,
    )


THREE_WRONG = ("Kestrel", "Swift", "Heron")
TYPED_BARE = from_pack(_stored("typed-bare", kind="typed", author="Ada Writer"))
TYPED_WITH_WRONG = from_pack(_stored("typed-wrong", kind="typed", wrong=THREE_WRONG))
CHOICE = from_pack(_stored("choice", wrong=THREE_WRONG))
POOL = [TYPED_BARE, TYPED_WITH_WRONG, CHOICE]


def test_from_pack_reads_kind_and_author() -> None:
    assert (TYPED_BARE.typed_only, TYPED_BARE.author) == (True, "Ada Writer")
    assert (TYPED_WITH_WRONG.typed_only, CHOICE.typed_only, CHOICE.author) == (True, False, None)


def test_only_choice_questions_fit_buttons() -> None:
    assert [fits_buttons(question) for question in POOL] == [False, False, True]
    with pytest.raises(ValueError, match="typed only"):
        choices(TYPED_WITH_WRONG, random.Random(1))


def _picked(pool: object, mode: Mode, seed: int) -> set[str]:
    picked = select_questions(pool, count=3, film_order={}, rng=random.Random(seed), mode=mode)  # type: ignore[arg-type]
    return {question.key for question in picked}


@pytest.mark.parametrize("packed", [False, True], ids=["listed", "packed"])
@pytest.mark.parametrize("seed", range(5))
def test_buttons_games_never_ask_a_typed_question_and_typed_games_ask_them_all(packed: bool, seed: int) -> None:
    pool = PackedQuestions(POOL) if packed else POOL
    assert _picked(pool, "buttons", seed) == {"choice"}
    assert _picked(pool, "typed", seed) == {"typed-bare", "typed-wrong", "choice"}


def test_the_daily_question_is_buttons_only_so_never_a_typed_one() -> None:
    # cogs.trivia.daily picks with select_questions' default mode and deals `choices`: buttons.
    for seed in range(20):
        (picked,) = select_questions(POOL, count=1, film_order={}, rng=random.Random(seed))
        assert picked.key == "choice"


def test_the_packed_pool_keeps_kind_and_author_through_its_kept_state() -> None:
    pool = PackedQuestions.from_state(marshal.loads(marshal.dumps(PackedQuestions(POOL).state())))
    assert list(pool) == POOL
    assert (pool[0].typed_only, pool[0].author) == (True, "Ada Writer")


@pytest.mark.parametrize("typed", ["Nightjar", "the nightjar", "agent nightjar", "AGENT NIGHTJAR!"])
def test_every_accepted_answer_counts_in_typed_mode(typed: str) -> None:
    assert AnswerChecker().check(TYPED_BARE, typed)


def test_an_answer_not_accepted_is_wrong() -> None:
    assert not AnswerChecker().check(TYPED_BARE, "Kestrel")
    assert not AnswerChecker().check(TYPED_BARE, "Nightjar, Kestrel")


def _result(question: Question) -> RoundResult:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    return RoundResult(
        number=1,
        question=question,
        choices=(),
        right_index=None,
        answers=(),
        counts=(),
        shares=(),
        correct_users=(),
        fastest=None,
        fastest_ms=None,
        points={},
        closed_at=now,
    )


def test_the_reveal_names_the_author_without_pinging() -> None:
    hostile = from_pack(_stored("hostile", kind="typed", author="@everyone <@123> **Bold**"))
    fields = {field.name: field.value for field in reveal_embed(english(), _result(hostile), 1, lambda _: None).fields}
    shown = fields["Question by"]
    assert "@everyone" not in shown and "<@123>" not in shown
    assert "Bold" in shown and "**Bold**" not in shown


def test_a_question_without_author_shows_none() -> None:
    fields = [field.name for field in reveal_embed(english(), _result(CHOICE), 1, lambda _: None).fields]
    assert "Question by" not in fields


def test_a_daily_question_keeps_its_author_and_its_reveal_names_them_without_pinging() -> None:
    authored = from_pack(_stored("daily", wrong=THREE_WRONG, author="Ada <@&42>\nWriter"))
    options = tuple(choices(authored, random.Random(3)))
    shown = json.loads(question_json(authored, options, options.index(authored.answer)))
    assert shown["author"] == "Ada <@&42>\nWriter"
    description = daily_reveal_embed(english(), dt.date(2024, 5, 1), shown, []).description or ""
    last = description.splitlines()[-1]
    assert last.startswith("Question by Ada") and "<@&42>" not in last and last.endswith("Writer")
    unauthored = json.loads(question_json(CHOICE, options, 0))
    assert "author" not in unauthored
    assert "Question by" not in (daily_reveal_embed(english(), dt.date(2024, 5, 1), unauthored, []).description or "")
