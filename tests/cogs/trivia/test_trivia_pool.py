"""The question pool as the bot builds it, from a generated catalogue in a database: the same questions,
however compactly it reads the catalogue and keeps them."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pytest

from bench.synthetic import generate as synthetic_catalogue
from bench.synthetic import write_packs
from cogs.films.lookup import Lookup
from cogs.trivia.pool import QuestionPool
from cogs.trivia.questions import Question, build_pool, film_order
from db import CatalogueRepository, Database, load_pack, migrate, parse_pack
from db.repositories.models import CastCredit, CrewCredit

POOL_DIGEST = "a0247c9dac7c140919c3a5e980e0013ae893c1637a5dfb3f12f9dc1c661fb223"
"""`_digest` of the pool of `synthetic_catalogue(300, 1500)`, as built before the pool read its credits
compactly: any change to a question (key, text, answers, choices, filters) or to their order changes it."""


class _Indexed:
    """The look-up service as the pool sees it: indexes already built."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup

    async def indexed(self) -> Lookup:
        return self.lookup


def _canonical(question: Question) -> list[object]:
    return [
        question.key,
        question.text,
        question.answer,
        list(question.accepted),
        list(question.wrong),
        question.difficulty,
        question.category,
        question.film_key,
        sorted(question.reveals),
        question.answer_kind,
        question.answer_ref,
        question.needs_choices,
        question.topic,
        question.spoiler,
    ]


def _digest(questions: list[Question], order: dict[str, int]) -> str:
    text = json.dumps([[_canonical(q) for q in questions], sorted(order.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def database_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pool")
    path = folder / "marquee.db"

    async def load() -> None:
        async with Database.connect(path) as db:
            await migrate(db)
            for pack_path in write_packs(synthetic_catalogue(300, 1500), folder / "packs"):
                await load_pack(db, parse_pack(pack_path), source_path=pack_path)

    asyncio.run(load())
    return path


async def test_the_pool_asks_the_same_questions_as_from_every_credit_read_whole(database_path: Path) -> None:
    async with Database.connect(database_path) as db:
        catalogue = CatalogueRepository(db)
        lookup = (await Lookup.load(catalogue, stored=False)).prepare()
        pool = QuestionPool(catalogue, _Indexed(lookup))  # type: ignore[arg-type]
        await pool.build()
        questions = list(await pool.ready())
        # The same catalogue as whole credits, the way the pool read it before.
        cast: defaultdict[int, list[CastCredit]] = defaultdict(list)
        for credit in await catalogue.all_cast():
            cast[credit.film_id].append(credit)
        crew: defaultdict[int, list[CrewCredit]] = defaultdict(list)
        for crew_credit in await catalogue.all_crew():
            crew[crew_credit.film_id].append(crew_credit)
        films = list(lookup.by_id.values())
        whole = build_pool(
            await catalogue.trivia_questions(),
            films,
            cast,
            crew,
            titles=await catalogue.film_titles(),
            people=lookup.people.items,
            characters=lookup.characters.items,
        )
    assert len(questions) > 1000
    assert questions == whole
    assert pool.order == film_order(films)
    assert _digest(questions, pool.order) == POOL_DIGEST
