"""The look-up service other features are handed: started once, its indexes awaited, its caches forgotten on cue."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.errors import UserFacingError
from cogs.films.service import LookupService
from db import CatalogueRepository, Database, bundled_pack_path, load_pack, migrate, parse_pack


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[LookupService]:
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    async with Database.connect(tmp_path / "marquee.db") as db:
        await migrate(db)
        await load_pack(db, pack, source_path=pack.path)
        lookup = LookupService(CatalogueRepository(db), db, ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        yield lookup
        lookup.stop()
        for task in (lookup.indexing, lookup.cards_and_keeping):
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)


async def test_indexed_waits_for_the_start_then_for_the_build(service: LookupService) -> None:
    waiting = asyncio.create_task(service.indexed())
    await asyncio.sleep(0)
    assert not waiting.done()
    await service.start()
    lookup = await asyncio.wait_for(waiting, 30)
    assert lookup.ready and lookup is service.current
    assert service.generation == 1


async def test_film_options_of_other_features(service: LookupService) -> None:
    await service.start()
    await service.indexed()
    assert service.film_key("dead reckoning") == "mi7"
    assert service.film("mi7") is not None and service.film("nope") is None
    with pytest.raises(UserFacingError, match="No single film"):
        service.film_key("reckoning")
    choices = service.film_choices("fallout")
    assert [choice.value for choice in choices][:1] == ["mi6"]


async def test_a_reload_is_a_new_generation_with_no_cards_of_the_old_one(service: LookupService) -> None:
    await service.start()
    await service.indexed()
    film = service.film("mi7")
    assert film is not None
    await service.card_text(film)
    await service.reload()
    assert service.generation == 2 and service.card_texts == {}
    assert (await service.indexed()).ready


async def test_forgetting_a_member_or_server_reads_their_regions_again(service: LookupService) -> None:
    await service.start()
    assert await service.chosen_regions(1, 2) == (None, None)
    service.regions.put(1, 2, ("GB", "FR"))
    assert await service.chosen_regions(1, 2) == ("GB", "FR")
    service.forget_member(1)
    assert await service.chosen_regions(1, 2) == (None, None)
    service.regions.put(1, 2, ("GB", "FR"))
    service.forget_server(2)
    assert await service.chosen_regions(1, 2) == (None, None)
