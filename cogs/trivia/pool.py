"""The question pool: every question of the catalogue, built from the film look-up's indexes and the
packs' own questions, and rebuilt when the catalogue changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.errors import UserFacingError
from bot.memory import collector_paused, release_free_memory
from cogs.trivia.packed import PackedQuestions
from cogs.trivia.questions import Question, film_order, pool_questions
from db import CatalogueRepository
from db.repositories.models import CastLine, CrewLine

if TYPE_CHECKING:
    from cogs.films.service import LookupService

log = logging.getLogger(__name__)

POOL_WAIT = 2.0  # seconds a command waits for a question pool still being built


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
        """Every question of the catalogue, from two bulk reads and the film lookup's indexes.

        It waits for those indexes to be built first, then works in a worker thread.
        """
        self.questions, self.order = await self._pool()
        # The build read every credit of the catalogue, gone now: hand that memory back to the system.
        await asyncio.to_thread(release_free_memory)
        log.info("trivia: %d questions ready", len(self.questions))

    async def _pool(self) -> tuple[PackedQuestions, dict[str, int]]:
        catalogue = self.catalogue
        lookup = await self.lookup.indexed()
        pack_questions = await catalogue.trivia_questions()
        titles = await catalogue.film_titles()
        # The credits last: the database thread keeps its last plain read (`fetch_all`) until the next.
        all_cast = await catalogue.cast_lines()
        all_crew = await catalogue.crew_lines()

        def build() -> tuple[PackedQuestions, dict[str, int]]:
            # The pool lives until the next pack load, like the look-up indexes it is built from: the
            # collector would only walk its hundreds of thousands of objects again and again meanwhile.
            with collector_paused(keep=True):
                return build_all()

        def build_all() -> tuple[PackedQuestions, dict[str, int]]:
            cast: dict[int, list[CastLine]] = defaultdict(list)
            for credit in all_cast:
                cast[credit.film_id].append(credit)
            crew: dict[int, list[CrewLine]] = defaultdict(list)
            for crew_credit in all_crew:
                crew[crew_credit.film_id].append(crew_credit)
            films = list(lookup.by_id.values())
            # Packed as they are written: the pool never holds all its questions as objects.
            pool = PackedQuestions(
                pool_questions(
                    pack_questions,
                    films,
                    cast,
                    crew,
                    titles=titles,
                    people=lookup.people.items,
                    characters=lookup.characters.items,
                )
            )
            return pool, film_order(films)

        return await asyncio.to_thread(build)
