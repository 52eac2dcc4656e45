"""The question pool as the bot builds it, from a generated catalogue in a database: the same questions,
however compactly it reads the catalogue and keeps them."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import marshal
import random
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from bench.synthetic import generate as synthetic_catalogue
from bench.synthetic import write_packs
from bot.clock import ManualClock
from cogs.films.lookup import Lookup
from cogs.films.service import LookupService
from cogs.trivia.credits import CastShelf
from cogs.trivia.packed import PackedQuestions
from cogs.trivia.pool import QuestionPool, pool_format
from cogs.trivia.questions import Question, build_pool, film_order, select_questions
from db import CatalogueRepository, Database, bundled_pack_path, load_pack, migrate, parse_pack
from db.repositories.models import CastCredit, CastLine, CrewCredit

POOL_DIGEST = "a0247c9dac7c140919c3a5e980e0013ae893c1637a5dfb3f12f9dc1c661fb223"
"""`_digest` of the pool of `synthetic_catalogue(300, 1500)`, as built before the pool read its credits
compactly: any change to a question (key, text, answers, choices, filters) or to their order changes it."""


class _Indexed:
    """The look-up service as the pool sees it: indexes already built."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.packs_digest = "the catalogue of the test"

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


def _with_twins(pool: list[Question]) -> list[Question]:
    """The pool with a few questions again under keys it already has (only the first of a key is asked),
    and questions whose films the spoiler gate does not know."""
    twins = [replace(question, text=f"again: {question.text}") for question in pool[::25]]
    unknown = [replace(pool[3], key="unknown-film", film_key="not-a-film", reveals=frozenset({"not-a-film"}))]
    return [*pool[:40], *twins, *pool[40:], *unknown]


def test_packed_questions_are_the_questions(pool: list[Question]) -> None:
    questions = _with_twins(pool)
    packed = PackedQuestions(iter(questions))
    assert len(packed) == len(questions)
    assert list(packed) == questions
    assert [packed[i] for i in range(len(questions))] == questions
    assert packed[-1] == questions[-1] and packed[5:9] == questions[5:9]
    with pytest.raises(IndexError):
        packed[len(questions)]
    assert len(PackedQuestions([])) == 0 and not PackedQuestions([])


@pytest.mark.parametrize("seed", range(6))
def test_a_packed_pool_picks_what_the_plain_one_picks(pool: list[Question], order: dict[str, int], seed: int) -> None:
    questions = _with_twins(pool)
    packed = PackedQuestions(questions)
    rng = random.Random(seed)
    films = sorted(order, key=order.__getitem__)
    recent_keys = [q.key for q in rng.sample(questions, 60)] + ["no-such-question"]
    cases: list[dict[str, object]] = [
        {},
        {"count": 30},
        {"difficulty": "hard"},
        {"difficulty": "easy", "mode": "typed"},
        {"film_key": films[seed % len(films)], "count": 30},
        {"film_key": "no-such-film"},
        {"newest_allowed": films[seed % len(films)], "count": 30},
        {"newest_allowed": films[0], "mode": "typed", "count": 30},
        {"recent": recent_keys, "count": 30},
        {"recent": set(recent_keys), "count": 30},
        {"recent": [q.key for q in questions], "count": 30},
    ]
    for case in cases:
        arguments = {"count": 10, "film_order": order, **case}
        plain = select_questions(questions, rng=random.Random(seed), **arguments)  # type: ignore[arg-type]
        kept = select_questions(packed, rng=random.Random(seed), **arguments)  # type: ignore[arg-type]
        assert kept == plain, case
        assert plain or case.get("film_key") == "no-such-film", case
    assert select_questions(packed, count=30, film_order=order, rng=random.Random(seed))


def test_a_kept_pool_reads_back_as_the_same_questions(pool: list[Question], order: dict[str, int]) -> None:
    questions = _with_twins(pool)
    packed = PackedQuestions(questions)
    kept = PackedQuestions.from_state(marshal.loads(marshal.dumps(packed.state())))
    assert list(kept) == questions
    keys = [q.key for q in questions[::7]] + ["no-such-question"]
    assert kept.positions_of(keys) == packed.positions_of(keys) != {}
    for case in ({"difficulty": "hard", "mode": "typed"}, {"newest_allowed": min(order, key=order.__getitem__)}):
        arguments = {"count": 30, "film_order": order, **case}
        assert select_questions(kept, rng=random.Random(3), **arguments) == select_questions(  # type: ignore[arg-type]
            packed,
            rng=random.Random(3),
            **arguments,  # type: ignore[arg-type]
        )


def test_a_kept_pool_that_does_not_fit_is_refused(pool: list[Question]) -> None:
    state = PackedQuestions(pool).state()
    broken: list[object] = [
        None,
        {**state, "flags": state["flags"][:-1]},
        {**state, "blocks": state["blocks"][:-1]},
        {**state, "film_keys": state["film_keys"][:1]},
        {key: value for key, value in state.items() if key != "hashes"},
    ]
    for damaged in broken:
        with pytest.raises(ValueError):
            PackedQuestions.from_state(damaged)


@pytest.fixture
async def one_pack(tmp_path: Path) -> Path:
    path = tmp_path / "marquee.db"
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    async with Database.connect(path) as db:
        await migrate(db)
        await load_pack(db, pack, source_path=pack.path)
    return path


async def _start(path: Path) -> tuple[QuestionPool, list[Question], list[tuple[str, bytes]]]:
    """A start of the bot's look-up and pool on the database at ``path``: the pool, its questions, and the
    pools kept in the database afterwards."""
    async with Database.connect(path) as db:
        catalogue = CatalogueRepository(db)
        service = LookupService(catalogue, db, ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        await service.start()
        pool = QuestionPool(catalogue, service)
        try:
            await pool.build()
        finally:
            service.stop()
            await asyncio.gather(
                *(t for t in (service.indexing, service.cards_and_keeping) if t), return_exceptions=True
            )
        kept = [(row[0], bytes(row[1])) for row in await db.fetch_all("SELECT made_from, pool FROM trivia_pools")]
        return pool, list(await pool.ready()), kept


async def test_a_restart_reads_the_pool_back_instead_of_building_it(one_pack: Path) -> None:
    first, built, kept = await _start(one_pack)
    assert not first.restored and len(built) > 50
    assert [made_from for made_from, _ in kept] == [f"{pool_format()}|{first.lookup.packs_digest}"]
    second, read_back, kept_again = await _start(one_pack)
    assert second.restored
    assert read_back == built and second.order == first.order
    assert kept_again == kept


async def test_a_pack_load_builds_the_pool_again(one_pack: Path, tmp_path: Path) -> None:
    _, built, kept = await _start(one_pack)
    async with Database.connect(one_pack) as db:
        for pack_path in write_packs(synthetic_catalogue(20, 100), tmp_path / "packs"):
            await load_pack(db, parse_pack(pack_path), source_path=pack_path)
    pool, rebuilt, kept_after = await _start(one_pack)
    assert not pool.restored
    assert len(rebuilt) > len(built)
    # The pool of the catalogue before is dropped: only this one's is kept.
    assert len(kept_after) == 1 and kept_after[0][0] != kept[0][0]
    assert kept_after[0][0] == f"{pool_format()}|{pool.lookup.packs_digest}"
    assert (await _start(one_pack))[0].restored


@pytest.mark.parametrize("damage", ["an older format", "damaged data"])
async def test_a_pool_kept_by_other_code_or_damaged_is_built_again(one_pack: Path, damage: str) -> None:
    _, built, kept = await _start(one_pack)
    made_from = kept[0][0]
    async with Database.connect(one_pack) as db:
        if damage == "an older format":
            await db.execute("UPDATE trivia_pools SET made_from = ?", (f"0000000000000000{made_from[16:]}",))
        else:
            await db.execute("UPDATE trivia_pools SET pool = ?", (b"damaged",))
    pool, rebuilt, kept_after = await _start(one_pack)
    assert not pool.restored and rebuilt == built
    assert [made_from for made_from, _ in kept_after] == [made_from]


async def test_the_cast_read_as_numbers_a_few_films_at_a_time_is_every_films_cast_lines(database_path: Path) -> None:
    async with Database.connect(database_path) as db:
        catalogue = CatalogueRepository(db)
        lookup = (await Lookup.load(catalogue, stored=False)).prepare()
        shelf = CastShelf(lookup.by_id, lookup.people.items)
        film_ids = sorted(lookup.by_id)
        for start in range(0, len(film_ids), 7):
            chunk = film_ids[start : start + 7]
            shelf.add(*await catalogue.cast_numbers(chunk[0], chunk[-1]))
        whole: defaultdict[int, list[CastLine]] = defaultdict(list)
        for line in await catalogue.cast_lines():
            whole[line.film_id].append(line)
    assert set(shelf) == set(lookup.by_id) and len(shelf) == len(lookup.by_id)
    assert {film_id: shelf[film_id] for film_id in shelf if shelf[film_id]} == whole
    assert all(shelf.count(film_id) == len(whole.get(film_id, ())) for film_id in shelf)
    with pytest.raises(KeyError):
        shelf[max(film_ids) + 1]
