"""The question pool: every question of the catalogue, built from the film look-up's indexes and the
packs' own questions, and rebuilt when the catalogue changes. A built pool is kept in the database, and a
start with an unchanged catalogue reads it back instead of building it again."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import marshal
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import rapidfuzz

from bot.errors import UserFacingError
from bot.memory import collector_paused, release_free_memory
from cogs.films.lookup import index_format
from cogs.films.search import characters, people, text
from cogs.trivia import credits, packed, peers, questions
from cogs.trivia.credits import CastShelf
from cogs.trivia.packed import PackedQuestions
from cogs.trivia.questions import Question, film_order, pool_questions
from db import CatalogueRepository
from db.repositories import catalogue as catalogue_reads
from db.repositories import models
from db.repositories.models import CrewLine

if TYPE_CHECKING:
    from cogs.films.lookup import Lookup
    from cogs.films.service import LookupService

log = logging.getLogger(__name__)

POOL_WAIT = 2.0  # seconds a command waits for a question pool still being built
CAST_CHUNK = 4000  # films whose cast is read at once: a few hundred thousand rows of numbers at most

POOL_SOURCES = (
    questions.__file__,
    credits.__file__,
    packed.__file__,
    peers.__file__,
    __file__,
    characters.__file__,
    people.__file__,
    text.__file__,
    catalogue_reads.__file__,
    models.__file__,
)
"""The code that decides the questions (what they ask, their wrong choices, their order and packing, the
credits and names they are written from): a kept pool is used only if made by these very files."""


def pool_format() -> str:
    """What a kept pool must have been made by: the code that made it (`POOL_SOURCES`), the look-up's
    index format (its characters and people are the pool's), and the fuzzy matching that merges roles."""
    digest = hashlib.sha256()
    for source in POOL_SOURCES:
        with open(source, "rb") as code:
            digest.update(code.read())
    return f"{digest.hexdigest()[:16]}|{index_format()}|rapidfuzz {rapidfuzz.__version__}"


def _log_pool_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("trivia: building the question pool failed", exc_info=task.exception())


class QuestionPool:
    """Every question of the catalogue, with the films' order for the spoiler gate.

    Built in the background: a large catalogue takes seconds, and the bot must keep answering meanwhile.
    """

    def __init__(self, catalogue: CatalogueRepository, lookup: LookupService) -> None:
        self.catalogue = catalogue
        self.lookup = lookup
        self.questions: Sequence[Question] = ()
        self.order: dict[str, int] = {}
        self.task: asyncio.Task[None] | None = None
        self.restored = False
        """Whether the pool was read back from the database rather than built."""

    def refresh(self) -> None:
        """Build the pool again (from scratch: the catalogue or its indexes changed)."""
        if self.task is not None:
            self.task.cancel()
        self.task = asyncio.create_task(self.build(), name="trivia-pool")
        self.task.add_done_callback(_log_pool_failure)

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def ready(self) -> Sequence[Question]:
        """The questions, waiting briefly when they are still being built (interactions allow 3 s)."""
        if self.task is not None and not self.task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.task), POOL_WAIT)
        if not self.questions:
            raise UserFacingError("Trivia questions are still being prepared; try again in a moment.")
        return self.questions

    async def built(self) -> None:
        """Wait for a build in progress, however long it takes; a failed build is logged, not raised."""
        if self.task is not None and not self.task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self.task)

    async def build(self) -> None:
        """Every question of the catalogue: the pool kept in the database for this catalogue, or else
        built from two bulk reads and the film look-up's indexes, then kept.

        It waits for those indexes to be ready first (the films' order is theirs), then works in a
        worker thread.
        """
        lookup = await self.lookup.indexed()
        made_from = f"{pool_format()}|{self.lookup.packs_digest}"
        order = film_order(lookup.by_id.values())
        kept = await self._kept(made_from)
        if kept is not None:
            self.questions, self.order, self.restored = kept, order, True
            log.info("trivia: %d questions read back from the database", len(kept))
            return
        pool = await self._pool(lookup)
        self.questions, self.order, self.restored = pool, order, False
        # The build read every credit of the catalogue, gone now: hand that memory back to the system.
        await asyncio.to_thread(release_free_memory)
        log.info("trivia: %d questions ready", len(pool))
        try:
            await self.catalogue.store_question_pool(made_from, await asyncio.to_thread(_packed_state, pool))
        except Exception:
            # Only the next start's work depends on it.
            log.exception("trivia: could not keep the question pool in the database")

    async def _kept(self, made_from: str) -> PackedQuestions | None:
        """The pool kept for this catalogue and code, if there is one that reads back."""
        data = await self.catalogue.stored_question_pool(made_from)
        if data is None:
            return None
        try:
            return await asyncio.to_thread(_unpacked_state, data)
        except (ValueError, EOFError, TypeError):
            log.warning("trivia: the kept question pool does not read back; building it", exc_info=True)
            return None

    async def _pool(self, lookup: Lookup) -> PackedQuestions:
        catalogue = self.catalogue
        pack_questions = await catalogue.trivia_questions()
        titles = await catalogue.film_titles()
        cast = await asyncio.to_thread(CastShelf, lookup.by_id, lookup.people.items)
        film_ids = sorted(lookup.by_id)
        for start in range(0, len(film_ids), CAST_CHUNK):
            chunk = film_ids[start : start + CAST_CHUNK]
            columns = await catalogue.cast_numbers(chunk[0], chunk[-1])
            await asyncio.to_thread(cast.add, *columns)
            del columns
        # The crew last: the database thread keeps its last plain read (`fetch_all`) until the next.
        all_crew = await catalogue.crew_lines()

        def build() -> PackedQuestions:
            # The pool lives until the next pack load, like the look-up indexes it is built from: the
            # collector would only walk its hundreds of thousands of objects again and again meanwhile.
            with collector_paused(keep=True):
                return build_all()

        def build_all() -> PackedQuestions:
            crew: dict[int, list[CrewLine]] = defaultdict(list)
            for crew_credit in all_crew:
                crew[crew_credit.film_id].append(crew_credit)
            all_crew.clear()
            # Packed as they are written: the pool never holds all its questions as objects.
            return PackedQuestions(
                pool_questions(
                    pack_questions,
                    list(lookup.by_id.values()),
                    cast,
                    crew,
                    titles=titles,
                    people=lookup.people.items,
                    characters=lookup.characters.items,
                )
            )

        return await asyncio.to_thread(build)


def _packed_state(pool: PackedQuestions) -> bytes:
    return marshal.dumps(pool.state())


def _unpacked_state(data: bytes) -> PackedQuestions:
    return PackedQuestions.from_state(marshal.loads(data))
