"""Every film embed stays inside Discord's limits and renders pack text inert, whatever the data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.formatting import (
    EMBED_DESCRIPTION,
    EMBED_FIELDS,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    ordinal,
)
from bot.i18n import SHIPPED_LANGUAGES, Catalogues, Speech
from bot.regions import country_name
from bot.tmdb import NOTICE as TMDB_NOTICE
from cogs.films import render
from db.repositories.models import CastCredit, Certification, Company, CrewCredit, Film, PersonCredit, Release

# Names as packs and fans write them: long, accented, emoji, markdown, would-be mentions.
NASTY = st.lists(
    st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40),
        st.sampled_from(["*", "_", "`", "~", "|", "@everyone", "<@123>", "<#9>", "🎬", "é", "\n", ">"]),
    ),
    min_size=1,
    max_size=30,
).map("".join)
CATALOGUES = Catalogues.load()
EN = CATALOGUES.speech(None)
SPEECHES = st.sampled_from([CATALOGUES.speech(language) for language in SHIPPED_LANGUAGES])
LOCAL = st.one_of(
    st.none(),
    st.builds(
        render.LocalFilm, title=st.one_of(st.none(), NASTY), synopsis=st.one_of(st.none(), st.text(max_size=3000))
    ),
)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def films() -> st.SearchStrategy[Film]:
    return st.builds(
        Film,
        id=st.just(1),
        key=st.just("film"),
        title=NASTY,
        original_title=NASTY,
        year=st.integers(1900, 2100),
        franchise_key=st.just("f"),
        franchise_name=NASTY,
        franchise_order=st.integers(1, 40),
        runtime_minutes=st.one_of(st.none(), st.integers(1, 600)),
        synopsis=st.one_of(st.none(), st.text(max_size=6000)),
        tagline=st.one_of(st.none(), NASTY),
        imdb_id=st.none(),
        tmdb_id=st.none(),
        pack_id=st.just("p"),
        source=st.just("s"),
        genres=st.lists(NASTY, max_size=12).map(tuple),
    )


def cast(size: int) -> st.SearchStrategy[list[CastCredit]]:
    credit = st.builds(
        CastCredit,
        film_id=st.just(1),
        billing_order=st.integers(1, 999),
        person_id=st.integers(1, 10_000),
        person_key=st.just("p"),
        person_name=NASTY,
        character=st.one_of(st.none(), NASTY),
        source=st.just("s"),
    )
    return st.lists(credit, max_size=size)


CREW = st.lists(
    st.builds(
        CrewCredit,
        film_id=st.just(1),
        person_id=st.integers(1, 10_000),
        person_key=st.just("p"),
        person_name=NASTY,
        department=st.sampled_from(["Directing", "Writing", "Production", "Sound", "Art", "🎬"]),
        job=st.sampled_from(["Director", "Screenplay", "Producer", "Original Music Composer", "Grip"]),
        source=st.just("s"),
    ),
    max_size=150,
)
RELEASES = st.lists(
    st.builds(
        Release,
        film_id=st.just(1),
        country=st.sampled_from(["US", "GB", "FR", "JP", "ZZ"]),
        date=DATES,
        release_type=st.integers(1, 6),
        note=st.one_of(st.none(), NASTY),
        source=st.just("s"),
    ),
    max_size=120,
)
COMPANIES = st.lists(
    st.builds(Company, id=st.integers(1, 99), key=st.just("c"), name=NASTY, position=st.integers(1, 99)), max_size=40
)
CERTIFICATIONS = st.lists(
    st.builds(
        Certification,
        film_id=st.just(1),
        country=st.sampled_from(["US", "GB", "FR"]),
        rating=NASTY,
        source=st.just("s"),
    ),
    max_size=3,
    unique_by=lambda certification: certification.country,
)


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= EMBED_TOTAL
    assert len(embed.title or "") <= EMBED_TITLE
    assert len(embed.description or "") <= EMBED_DESCRIPTION
    assert len(embed.fields) <= EMBED_FIELDS
    for field in embed.fields:
        assert 0 < len(field.name or "") <= FIELD_NAME
        assert 0 < len(field.value or "") <= FIELD_VALUE


@settings(max_examples=80, deadline=None)
@given(
    films(),
    cast(400),
    CREW,
    COMPANIES,
    RELEASES,
    st.sampled_from(["US", "GB", "JP"]),
    DATES,
    COMPANIES,
    CERTIFICATIONS,
    st.booleans(),
    SPEECHES,
    LOCAL,
)
def test_film_card_fits(
    film: Film,
    credits: list[CastCredit],
    crew: list[CrewCredit],
    companies: list[Company],
    releases: list[Release],
    region: str,
    today: dt.date,
    distributors: list[Company],
    certifications: list[Certification],
    from_tmdb: bool,
    t: Speech,
    local: render.LocalFilm | None,
) -> None:
    details = render.FilmDetails(
        film,
        credits,
        crew,
        companies,
        releases,
        film.franchise_order,
        40,
        distributors,
        certifications,
        poster="https://image.tmdb.org/t/p/w500/p.jpg" if from_tmdb else None,
        from_tmdb=from_tmdb,
    )
    card = render.card_embed(render.card_text(details), region, today, t, local)
    assert_within_limits(card)
    if t.language != "en":
        return
    shown = [(field.name, field.inline) for field in card.fields]
    rated = any(certification.country == region for certification in certifications)
    expected = [
        ("Runtime", True),
        *((("Genres", True),) if film.genres else ()),
        ("Directed by", True),
        ("Written by", True),
        ("Music", True),
        ("Companies", False),
        *((("Distributed by", False),) if distributors else ()),
        ("Cast", False),
        (f"Released in {country_name(region)}", False),
        *(((f"Rated in {country_name(region)}", False),) if rated else ()),
        ("Franchise", False),
    ]
    if len(shown) == len(expected):  # nothing had to be left out
        assert shown == expected


def _film(genres: tuple[str, ...]) -> Film:
    return Film(1, "f", "Film", "Film", 1997, None, None, None, 90, None, None, None, None, "p", "s", None, genres)


def test_film_card_shows_genres_distributors_apart_and_the_regions_rating() -> None:
    details = render.FilmDetails(
        _film(("Drama", "*Noir*", "Thriller")),
        [],
        [],
        [Company(1, "acme", "Acme Pictures", 1)],
        [],
        None,
        0,
        [Company(2, "wide", "Wide Release", 1), Company(1, "acme", "Acme Pictures", 2)],
        [Certification(1, "US", "PG-13", "s"), Certification(1, "GB", "12A", "s")],
    )
    text = render.card_text(details)
    for region, rating in (("US", "PG-13"), ("GB", "12A")):
        fields = {field.name: field.value for field in render.card_embed(text, region, dt.date(2024, 1, 1), EN).fields}
        assert fields["Genres"] == "Drama, \\*Noir\\*, Thriller"
        assert fields["Companies"] == "Acme Pictures"
        assert fields["Distributed by"] == "Wide Release, Acme Pictures"
        assert fields[f"Rated in {country_name(region)}"] == rating
    unrated = [field.name for field in render.card_embed(text, "FR", dt.date(2024, 1, 1), EN).fields]
    assert not any(name.startswith("Rated in") for name in unrated)
    plain = render.card_embed(
        render.card_text(dataclasses.replace(details, film=_film(()), distributors=[])), "US", dt.date(2024, 1, 1), EN
    )
    assert "Genres" not in [field.name for field in plain.fields]
    assert "Distributed by" not in [field.name for field in plain.fields]


def test_film_card_over_the_total_leaves_fields_out_but_keeps_the_rest() -> None:
    long = "N" * 300
    film = Film(1, "f", "T" * 300, None, 2000, "f", long, 1, 100, "S" * 6000, long, None, None, "p", "s")
    credits = [CastCredit(1, n, n, "p", long, long, "s") for n in range(1, 40)]
    jobs = ("Director", "Writer")
    crew = [CrewCredit(1, n, "p", f"{long}{n}", "Directing", job, "s") for n in range(9) for job in jobs]
    releases = [Release(1, "US", dt.date(2000, 1, n), 1, long, "s") for n in range(1, 29)]
    details = render.FilmDetails(film, credits, crew, [Company(1, "c", long, 1)], releases, 1, 8)
    embed = render.film_card(details, "US", dt.date(1999, 1, 1), EN)
    assert_within_limits(embed)
    assert embed.title and embed.description and embed.footer.text
    assert [field.name for field in embed.fields][:1] == ["Runtime"]
    assert len(embed.fields) < 9  # some had to go


@settings(max_examples=60, deadline=None)
@given(films(), cast(400), CREW, st.sampled_from([None, "Cast", "Directing", "Sound"]), SPEECHES)
def test_cast_pages_fit(
    film: Film, credits: list[CastCredit], crew: list[CrewCredit], department: str | None, t: Speech
) -> None:
    sections = render.cast_and_crew_lines(credits, crew, department, t)
    pages = render.paged_embeds(f"{film.title} ({film.year})", sections, render.CAST_PAGE_SIZE, t)
    assert pages
    for page in pages:
        assert_within_limits(page)
    shown = sum(page.description.count("\n") for page in pages if page.description)
    expected = sum(len(lines) for _, lines in sections)
    assert shown >= min(expected, 1) or not expected


@settings(max_examples=60, deadline=None)
@given(films(), RELEASES, st.sampled_from([None, "US", "GB"]), SPEECHES)
def test_releases_fit(film: Film, releases: list[Release], country: str | None, t: Speech) -> None:
    assert_within_limits(render.releases_embed(film, releases, country, t))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.builds(
            PersonCredit,
            film_id=st.integers(1, 50),
            film_key=st.just("f"),
            film_title=NASTY,
            year=st.integers(1900, 2100),
            role=st.sampled_from(["cast", "crew"]),
            character=st.one_of(st.none(), NASTY),
            department=st.none(),
            job=st.one_of(st.none(), NASTY),
        ),
        max_size=300,
    ),
    NASTY,
    SPEECHES,
)
def test_person_pages_fit(credits: list[PersonCredit], name: str, t: Speech) -> None:
    for page in render.paged_embeds(render.safe(name), [("Credits", render.person_lines(credits, t))], 20, t):
        assert_within_limits(page)


def test_pack_text_is_inert() -> None:
    assert render.safe("**bold** @everyone <@123> <@&4> <#5>") == (
        "\\*\\*bold\\*\\* @\u200beveryone <\u200b@123> <\u200b@&4> <\u200b#5>"
    )


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


def test_release_dates_are_never_shifted() -> None:
    assert render.calendar_date(dt.date(2023, 7, 12), EN) == "12 July 2023"
    # Noon UTC: the same calendar day for readers from UTC-11 to UTC+11.
    assert render.timestamp(dt.date(2023, 7, 12), "D") == "<t:1689163200:D>"


def test_a_film_from_tmdb_shows_its_poster_and_ends_with_tmdbs_notice() -> None:
    poster = "https://image.tmdb.org/t/p/w500/poster.jpg"
    details = render.FilmDetails(_film(()), [], [], [], [], None, 0, poster=poster, from_tmdb=True)
    card = render.card_embed(render.card_text(details), "US", dt.date(2024, 1, 1), EN)
    assert card.thumbnail.url == poster
    assert card.footer.text is not None and card.footer.text.endswith(TMDB_NOTICE)
    assert TMDB_NOTICE == "This product uses the TMDB API but is not endorsed or certified by TMDB."
    assert_within_limits(card)


def test_a_hand_written_film_has_neither_thumbnail_nor_notice() -> None:
    card = render.film_card(render.FilmDetails(_film(()), [], [], [], [], None, 0), "US", dt.date(2024, 1, 1), EN)
    assert card.thumbnail.url is None
    assert card.footer.text == "Full cast, every country's dates and the other films: use the buttons."
    # A poster on a film of a pack written by hand (no [tmdb]) is shown; the notice is not.
    details = render.FilmDetails(_film(()), [], [], [], [], None, 0, poster="https://example.org/p.jpg")
    card = render.film_card(details, "US", dt.date(2024, 1, 1), EN)
    assert card.thumbnail.url == "https://example.org/p.jpg"
    assert TMDB_NOTICE not in (card.footer.text or "")


def test_the_notice_counts_against_the_embed_total() -> None:
    long = "N" * 300
    film = Film(1, "f", "T" * 300, "O", 2000, "f", long, 1, 100, "S" * 6000, long, None, None, "p", "s")
    credits = [CastCredit(1, n, n, "p", long, long, "s") for n in range(1, 40)]
    details = render.FilmDetails(film, credits, [], [Company(1, "c", long, 1)], [], 1, 8, from_tmdb=True)
    embed = render.film_card(details, "US", dt.date(1999, 1, 1), EN)
    assert_within_limits(embed)
    assert embed.footer.text is not None and embed.footer.text.endswith(TMDB_NOTICE)
