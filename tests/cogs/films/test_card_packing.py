"""Film cards are kept packed for every film; what is unpacked is the card that was packed."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.films import render
from cogs.films.catalogue_reads import pack_card, unpack_card
from db.repositories.models import CastCredit, Certification, Company, CrewCredit, Film, Release

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
DATES = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    TEXT,
    st.none() | TEXT,
    st.lists(st.tuples(st.sampled_from(["US", "GB", "JP"]), DATES, TEXT), max_size=8),
    TEXT,
    st.none() | st.just("https://image.tmdb.org/t/p/w500/p.jpg"),
    st.booleans(),
)
def test_a_packed_card_unpacks_to_the_same_card(
    title: str, tagline: str | None, dates: list[tuple[str, dt.date, str]], rating: str, poster: str | None, tmdb: bool
) -> None:
    film = Film(1, "f", title or "T", None, 2000, "f", "Franchise", 2, 100, "Synopsis", tagline, None, None, "p", "s")
    releases = [Release(1, country, date, 3, note or None, "s") for country, date, note in dates]
    cast = [CastCredit(1, 1, 7, "p", "Person", "Character", "s")]
    crew = [CrewCredit(1, 7, "p", "Person", "Directing", "Director", "s")]
    ratings = (Certification(1, "US", "PG-13", "s"), Certification(1, "GB", rating or "15", "s"))
    details = render.FilmDetails(
        film,
        cast,
        crew,
        [Company(1, "c", "Co", 1)],
        releases,
        2,
        5,
        certifications=ratings,
        poster=poster,
        from_tmdb=tmdb,
    )
    text = render.card_text(details)
    assert (text.poster, text.from_tmdb) == (poster, tmdb)
    assert text.ratings
    packed = pack_card(text)
    assert isinstance(packed, bytes)
    assert unpack_card(packed) == text
