"""The pack format's TMDB fields: the `[tmdb]` origin, film posters and backdrops, `[[film.alias]]` titles:
validation, loading, reloading, `CatalogueRepository.tmdb_packs` and writing a pack back (`pack_document`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import CatalogueRepository, Database, PackValidationError, bundled_pack_path, load_pack, parse_pack
from db.packs.model import Pack, PackFilmAlias, PackTmdbOrigin
from db.packs.write import pack_document, pack_toml

WritePack = Callable[..., Path]
POSTER = "https://image.tmdb.org/t/p/w500/poster-one.jpg"
BACKDROP = "https://image.tmdb.org/t/p/w1280/backdrop-one.jpg"

TMDB_TABLE = """
[tmdb]
language = "en-US"
collections = [10]
movies = [550, 551]
cast_limit = 20
image_base_url = "https://image.tmdb.org/t/p/"
fetched = 2026-12-07T18:00:00Z
"""

FILM_ONE_EXTRAS = f"""poster = "{POSTER}"
backdrop = "{BACKDROP}"

[[film.alias]]
title = "Le Film Un"
language = "fr"
country = "FR"
kind = "translation"
source = "wp_one"

[[film.alias]]
title = "Le Film Un"
language = "fr"
country = "CA"
kind = "translation"
source = "wp_one"

[[film.alias]]
title = "FILM ONE"
country = "GB"
kind = "alternative"
source = "wp_one"

[[film.alias]]
title = "Erster Film"
language = "de"
kind = "translation"
source = "wp_one; wp_two"

[[film.crew]]"""


def tmdb_pack_text(base: str) -> str:
    """The base test pack with every TMDB field: the origin, and film one's poster, backdrop and aliases."""
    described = 'description = "A tiny pack for tests."\n'
    text = base.replace(described, described + TMDB_TABLE)
    first_crew = text.index("[[film.crew]]")
    return text[:first_crew] + FILM_ONE_EXTRAS + text[first_crew + len("[[film.crew]]") :]


@pytest.fixture
def tmdb_text(base_pack_text: str) -> str:
    return tmdb_pack_text(base_pack_text)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: {old!r} not in the pack"
    return text.replace(old, new, 1)


def test_every_tmdb_field_parses(write_pack: WritePack, tmdb_text: str) -> None:
    pack = parse_pack(write_pack(tmdb_text))
    assert pack.tmdb == PackTmdbOrigin(
        "en-US", (10,), (550, 551), 20, "https://image.tmdb.org/t/p/", dt.datetime(2026, 12, 7, 18, tzinfo=dt.UTC)
    )
    one, two = pack.films
    assert (one.poster, one.backdrop) == (POSTER, BACKDROP)
    assert (two.poster, two.backdrop, two.alias_entries) == (None, None, ())
    assert one.alias_entries[0] == PackFilmAlias("Le Film Un", "translation", ("wp_one",), "fr", "FR")
    assert one.alias_entries[2] == PackFilmAlias("FILM ONE", "alternative", ("wp_one",), None, "GB")
    assert one.alias_entries[3].source == ("wp_one", "wp_two")


def test_a_pack_without_tmdb_fields_has_none(write_pack: WritePack, base_pack_text: str) -> None:
    pack = parse_pack(write_pack(base_pack_text))
    assert pack.tmdb is None
    assert all(f.poster is None and f.backdrop is None and f.alias_entries == () for f in pack.films)


# (description, text to find in the TMDB pack, replacement, expected problem after the file name)
BROKEN = [
    ("tmdb language missing", 'language = "en-US"\n', "", 'tmdb field "language": is required'),
    ("tmdb language form", 'language = "en-US"', 'language = "english"', 'tmdb field "language": must be a language'),
    ("tmdb language case", 'language = "en-US"', 'language = "en-us"', 'tmdb field "language": must be a language'),
    ("tmdb nothing to fetch", "collections = [10]\nmovies = [550, 551]", "collections = []\nmovies = []",
     'tmdb: must list at least one TMDB id in "collections" or "movies"'),
    ("tmdb ids not integers", "movies = [550, 551]", 'movies = ["550"]',
     'tmdb field "movies": must be a list of integers between 1 and 1000000000'),
    ("tmdb collections a number", "collections = [10]", "collections = 10",
     'tmdb field "collections": must be a list of integers'),
    ("tmdb repeated id", "movies = [550, 551]", "movies = [550, 550]", 'tmdb field "movies": lists 550 more than once'),
    ("tmdb cast limit", "cast_limit = 20", "cast_limit = 201", 'tmdb field "cast_limit": must be an integer between 1'),
    ("tmdb image base not https", 'image_base_url = "https://', 'image_base_url = "http://',
     'tmdb field "image_base_url": must be a full https:// URL'),
    ("tmdb fetched without offset", "fetched = 2026-12-07T18:00:00Z", "fetched = 2026-12-07T18:00:00",
     'tmdb field "fetched": must be a TOML date-time with an offset'),
    ("tmdb fetched a text", "fetched = 2026-12-07T18:00:00Z", 'fetched = "2026-12-07T18:00:00Z"',
     'tmdb field "fetched": must be a TOML date-time with an offset'),
    ("tmdb unknown field", "cast_limit = 20", "cast_limt = 20",
     'tmdb field "cast_limt": unknown field; did you mean "cast_limit"?'),
    ("poster not https", f'poster = "{POSTER}"', 'poster = "ftp://example.org/p.jpg"',
     'film "one" (film[0]) field "poster": must be a full https:// URL'),
    ("poster with a space", f'poster = "{POSTER}"', 'poster = "https://example.org/a poster.jpg"',
     'film "one" (film[0]) field "poster": must be a full https:// URL'),
    ("backdrop too long", f'backdrop = "{BACKDROP}"', f'backdrop = "https://example.org/{"b" * 490}"',
     'film "one" (film[0]) field "backdrop": must be at most 500 characters (has 510)'),
    ("alias title missing", 'title = "Erster Film"\n', "", 'film "one" (film[0]) alias[3] field "title": is required'),
    ("alias title too long", 'title = "Erster Film"', f'title = "{"E" * 201}"',
     'film "one" (film[0]) alias[3] field "title": must be at most 200 characters'),
    ("alias language form", 'language = "de"', 'language = "deu"',
     'film "one" (film[0]) alias[3] field "language": must be two lowercase letters (ISO 639-1)'),
    ("alias country unassigned", 'country = "GB"', 'country = "UK"',
     'film "one" (film[0]) alias[2] field "country": "UK" is not an assigned ISO 3166-1'),
    ("alias with neither language nor country", 'country = "GB"\n', "",
     'film "one" (film[0]) alias[2]: must give a "language", a "country" or both'),
    ("alias kind", 'kind = "alternative"', 'kind = "nickname"',
     'film "one" (film[0]) alias[2] field "kind": must be one of "translation", "alternative"'),
    ("alias kind missing", 'kind = "alternative"\n', "", 'film "one" (film[0]) alias[2] field "kind": is required'),
    ("alias source missing", 'kind = "alternative"\nsource = "wp_one"\n', 'kind = "alternative"\n',
     'film "one" (film[0]) alias[2] field "source": is required'),
    ("alias unknown source", 'source = "wp_one; wp_two"', 'source = "wp_one; wp_nine"',
     'film "one" (film[0]) alias[3] field "source": unknown source "wp_nine"'),
    ("alias unknown field", 'kind = "alternative"', 'kind = "alternative"\nnote = "x"',
     'film "one" (film[0]) alias[2] field "note": unknown field'),
    ("alias naming another film of the year", 'year = 2004\nruntime = 110\ncompanies = ["globex"]\nsource = "wp_two"\n',
     'year = 2001\nruntime = 110\ncompanies = ["globex"]\nsource = "wp_two"\n\n[[film.alias]]\n'
     'title = "Erster Film"\nlanguage = "de"\nkind = "translation"\nsource = "wp_two"\n',
     'film "two" (film[1]) field "alias": "Erster Film" already names film "one" (film[0]), of the same year'),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_each_tmdb_field_problem_names_file_entry_and_field(
    write_pack: WritePack, tmdb_text: str, old: str, new: str, expected: str
) -> None:
    with pytest.raises(PackValidationError) as caught:
        parse_pack(write_pack(_replace(tmdb_text, old, new)))
    problems = [str(problem) for problem in caught.value.problems]
    assert any(line.startswith(f"test-pack.toml: {expected}") for line in problems), "\n".join(problems)


def test_an_alias_repeating_the_title_or_another_alias_is_no_error(write_pack: WritePack, tmdb_text: str) -> None:
    pack = parse_pack(write_pack(tmdb_text))  # "FILM ONE" is the title; "Le Film Un" comes twice
    assert [alias.title for alias in pack.films[0].alias_entries] == [
        "Le Film Un",
        "Le Film Un",
        "FILM ONE",
        "Erster Film",
    ]


async def test_loading_stores_the_origin_images_and_localized_titles(
    db: Database, write_pack: WritePack, tmdb_text: str
) -> None:
    pack = parse_pack(write_pack(tmdb_text))
    await load_pack(db, pack)
    row = await db.fetch_one("SELECT origin, origin_json FROM packs WHERE id = 'test-pack'")
    assert row is not None and row["origin"] == "tmdb"
    assert PackTmdbOrigin.from_json(row["origin_json"]) == pack.tmdb
    films = await db.fetch_all("SELECT key, poster, backdrop FROM films ORDER BY key")
    assert [tuple(r) for r in films] == [("one", POSTER, BACKDROP), ("two", None, None)]
    titles = await db.fetch_all(
        "SELECT t.title, t.kind, t.language, t.country FROM film_titles t JOIN films f ON f.id = t.film_id"
        " WHERE f.key = 'one' ORDER BY t.title"
    )
    # The same text in two countries is one row, the first; one equal to the title (any case) is none.
    assert [tuple(r) for r in titles] == [
        ("Erster Film", "alias", "de", None),
        ("F1", "alias", None, None),
        ("Film Eins", "original", None, None),
        ("Film One", "title", None, None),
        ("Le Film Un", "alias", "fr", "FR"),
        ("The First", "alias", None, None),
    ]


async def test_reloading_replaces_the_tmdb_fields(db: Database, write_pack: WritePack, tmdb_text: str) -> None:
    pack = parse_pack(write_pack(tmdb_text))
    await load_pack(db, pack)
    one, two = pack.films
    changed = dataclasses.replace(
        pack,
        tmdb=dataclasses.replace(pack.tmdb or PackTmdbOrigin("en"), language="fr-FR", movies=(550,)),
        films=(
            dataclasses.replace(one, poster=None, backdrop=BACKDROP + "?v=2", alias_entries=one.alias_entries[3:]),
            dataclasses.replace(two, poster=POSTER),
        ),
    )
    await load_pack(db, changed)
    films = await db.fetch_all("SELECT key, poster, backdrop FROM films ORDER BY key")
    assert [tuple(r) for r in films] == [("one", None, BACKDROP + "?v=2"), ("two", POSTER, None)]
    localized = await db.fetch_all("SELECT title FROM film_titles WHERE language IS NOT NULL OR country IS NOT NULL")
    assert [r["title"] for r in localized] == ["Erster Film"]
    assert [record.origin for record in await CatalogueRepository(db).tmdb_packs()] == [changed.tmdb]
    await load_pack(db, dataclasses.replace(changed, tmdb=None))
    assert await db.fetch_value("SELECT origin IS NULL AND origin_json IS NULL FROM packs") == 1
    assert await CatalogueRepository(db).tmdb_packs() == []


async def test_tmdb_packs_lists_only_packs_from_tmdb(
    db: Database, write_pack: WritePack, tmdb_text: str, base_pack_text: str
) -> None:
    await load_pack(db, parse_pack(bundled_pack_path("mission-impossible")))
    path = write_pack(tmdb_text, "from-tmdb.toml")
    pack = parse_pack(path)
    await load_pack(db, dataclasses.replace(pack, version="2.1.0"))
    records = await CatalogueRepository(db).tmdb_packs()
    assert [(r.pack_id, r.version, r.source_path, r.origin) for r in records] == [
        ("test-pack", "2.1.0", str(path), pack.tmdb)
    ]


async def test_film_credits_carry_the_poster_and_the_tmdb_origin(
    db: Database, write_pack: WritePack, tmdb_text: str
) -> None:
    await load_pack(db, parse_pack(write_pack(tmdb_text)))
    catalogue = CatalogueRepository(db)
    ids = {film.key: film.id for film in await catalogue.films()}
    one, two = (await catalogue.film_credits(ids["one"])), (await catalogue.film_credits(ids["two"]))
    assert (one.poster, one.from_tmdb, two.poster, two.from_tmdb) == (POSTER, True, None, True)
    assert await catalogue.film_posters() == {ids["one"]: POSTER}


async def test_a_hand_written_packs_films_are_not_from_tmdb(db: Database) -> None:
    await load_pack(db, parse_pack(bundled_pack_path("mission-impossible")))
    catalogue = CatalogueRepository(db)
    film = (await catalogue.films())[0]
    credits = await catalogue.film_credits(film.id)
    assert (credits.poster, credits.from_tmdb) == (None, False)


# ---- writing a pack back --------------------------------------------------------------------------------


def _round_trip(pack: Pack, folder: Path) -> Pack:
    path = folder / "written.toml"
    path.write_text(pack_toml(pack_document(pack), ["written by a test"]), encoding="utf-8")
    return dataclasses.replace(parse_pack(path), path=pack.path, checksum=pack.checksum)


def test_the_bundled_pack_is_written_back_as_it_parses(tmp_path: Path) -> None:
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    assert _round_trip(pack, tmp_path) == pack


def test_a_pack_with_every_field_is_written_back_as_it_parses(
    tmp_path: Path, write_pack: WritePack, tmdb_text: str
) -> None:
    pack = parse_pack(write_pack(tmdb_text))
    assert _round_trip(pack, tmp_path) == pack
    document = pack_document(pack)
    assert "original_title" not in document["film"][1]  # the default (the title) is left out
    assert "series" not in document["film"][0]  # the franchise is the default series


_LANGUAGES = st.from_regex(r"[a-z]{2}(-[A-Z]{2})?", fullmatch=True)
_IDS = st.lists(st.integers(1, 10**9), unique=True, max_size=4)
_URLS = st.from_regex(r"https://[a-z]{1,10}\.org/[A-Za-z0-9/._-]{0,40}", fullmatch=True)
_TITLES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    str.strip
)
_ALIASES = st.builds(
    PackFilmAlias,
    title=_TITLES,
    kind=st.sampled_from(("translation", "alternative")),
    source=st.sampled_from((("wp_one",), ("wp_one", "wp_two"))),
    language=st.one_of(st.none(), st.from_regex(r"[a-z]{2}", fullmatch=True)),
    country=st.sampled_from(("FR", "DE", "JP", "BR")),
)
_ORIGINS = st.builds(
    PackTmdbOrigin,
    language=_LANGUAGES,
    collections=_IDS.map(tuple),
    movies=st.lists(st.integers(1, 10**9), unique=True, min_size=1, max_size=4).map(tuple),
    cast_limit=st.one_of(st.none(), st.integers(1, 200)),
    image_base_url=st.one_of(st.none(), _URLS),
    fetched=st.one_of(
        st.none(),
        st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 1, 1), timezones=st.just(dt.UTC)).map(
            lambda moment: moment.replace(microsecond=0)
        ),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    origin=_ORIGINS,
    poster=st.one_of(st.none(), _URLS),
    backdrop=st.one_of(st.none(), _URLS),
    aliases=st.lists(_ALIASES, max_size=5),
)
def test_any_tmdb_fields_are_written_back_as_they_parse(
    tmp_path: Path,
    base_pack_text: str,
    origin: PackTmdbOrigin,
    poster: str | None,
    backdrop: str | None,
    aliases: list[PackFilmAlias],
) -> None:
    path = tmp_path / "base.toml"
    path.write_text(base_pack_text, encoding="utf-8")
    base = parse_pack(path)
    # Film two is of another year, so no alias of film one can clash with its titles.
    one = dataclasses.replace(base.films[0], poster=poster, backdrop=backdrop, alias_entries=tuple(aliases))
    pack = dataclasses.replace(base, tmdb=origin, films=(one, *base.films[1:]))
    assert _round_trip(pack, tmp_path) == pack
