"""RecentRegions: region preferences remembered for a while, forgotten when they change."""

from __future__ import annotations

from cogs.films.region_cache import RecentRegions


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_remembered_until_the_time_to_live_runs_out() -> None:
    ticks = Ticks()
    regions = RecentRegions(ttl=60.0, clock=ticks)
    assert regions.get(1, 10) is None
    regions.put(1, 10, ("GB", None))
    ticks.now = 59.9
    assert regions.get(1, 10) == ("GB", None)
    assert regions.get(1, 11) is None  # another server: its own region may differ
    assert regions.get(1, None) is None
    ticks.now = 60.0
    assert regions.get(1, 10) is None


def test_a_member_is_forgotten_in_every_server() -> None:
    regions = RecentRegions(clock=Ticks())
    regions.put(1, 10, ("GB", "FR"))
    regions.put(1, None, ("GB", None))
    regions.put(2, 10, (None, "FR"))
    regions.forget_member(1)
    assert regions.get(1, 10) is None and regions.get(1, None) is None
    assert regions.get(2, 10) == (None, "FR")


def test_the_oldest_entry_makes_room() -> None:
    regions = RecentRegions(size=2, clock=Ticks())
    regions.put(1, 10, ("GB", None))
    regions.put(2, 10, ("FR", None))
    regions.put(1, 10, ("DE", None))  # rewritten: now the newest
    regions.put(3, 10, ("JP", None))
    assert regions.get(2, 10) is None
    assert regions.get(1, 10) == ("DE", None)
    assert regions.get(3, 10) == ("JP", None)
