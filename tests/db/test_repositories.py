"""Repositories over the small test pack and the settings tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from db import (
    BotStateRepository,
    CatalogueRepository,
    Database,
    GuildSettingsRepository,
    UserSettingsRepository,
    load_pack,
    parse_pack,
)
from db.repositories import FilmTitle, preferred_regions


def fixed_clock() -> dt.datetime:
    return dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
async def catalogue(db: Database, write_pack: Callable[..., Path], base_pack_text: str) -> CatalogueRepository:
    path = write_pack(base_pack_text)
    await load_pack(db, parse_pack(path), source_path=path)
    return CatalogueRepository(db)


async def _film_id(catalogue: CatalogueRepository, key: str) -> int:
    film = await catalogue.get_film(key)
    assert film is not None
    return film.id


async def test_empty_catalogue(db: Database) -> None:
    catalogue = CatalogueRepository(db)
    counts = await catalogue.counts()
    assert (counts.films, counts.people, counts.questions, counts.packs) == (0, 0, 0, 0)
    assert await catalogue.list_films() == []
    assert await catalogue.get_film("one") is None
    assert await catalogue.get_film_by_id(1) is None
    assert await catalogue.get_person("jane-doe") is None


async def test_counts_and_film_list(catalogue: CatalogueRepository) -> None:
    counts = await catalogue.counts()
    assert (counts.films, counts.people, counts.questions, counts.packs) == (2, 3, 3, 1)
    films = await catalogue.list_films()
    assert [(f.key, f.title, f.year, f.franchise_order) for f in films] == [
        ("one", "Film One", 2001, 1),
        ("two", "Film Two", 2004, 2),
    ]


async def test_get_film_by_key_and_id(catalogue: CatalogueRepository) -> None:
    film = await catalogue.get_film("one")
    assert film is not None
    assert (film.title, film.original_title, film.runtime_minutes) == ("Film One", "Film Eins", 100)
    assert (film.franchise_key, film.franchise_name) == ("test-franchise", "Test Franchise")
    assert (film.imdb_id, film.tmdb_id, film.pack_id, film.source) == ("tt0000001", 11, "test-pack", "wp_one")
    assert await catalogue.get_film_by_id(film.id) == film
    two = await catalogue.get_film("two")
    assert two is not None and two.synopsis is None and two.tagline is None


async def test_film_titles_for_the_search_index(catalogue: CatalogueRepository) -> None:
    one = await _film_id(catalogue, "one")
    titles = {t for t in await catalogue.film_titles() if t.film_id == one}
    assert titles == {
        FilmTitle(one, "Film One", "title"),
        FilmTitle(one, "Film Eins", "original"),
        FilmTitle(one, "F1", "alias"),
        FilmTitle(one, "The First", "alias"),
    }


async def test_cast_and_crew(catalogue: CatalogueRepository) -> None:
    one = await _film_id(catalogue, "one")
    cast = await catalogue.cast(one)
    assert [(c.billing_order, c.person_name, c.character) for c in cast] == [
        (1, "Jane Doe", "Heroine"),
        (2, "Max Mustermann", None),
    ]
    crew = await catalogue.crew(one)
    assert [(c.person_key, c.department, c.job) for c in crew] == [
        ("john-roe", "Directing", "Director"),
        ("john-roe", "Writing", "Screenplay"),
    ]


async def test_film_credits_are_the_four_reads_of_a_card_together(catalogue: CatalogueRepository) -> None:
    for key in ("one", "two"):
        film = await _film_id(catalogue, key)
        credits = await catalogue.film_credits(film)
        assert credits.cast == await catalogue.cast(film)
        assert credits.crew == await catalogue.crew(film)
        assert credits.companies == await catalogue.companies(film)
        assert credits.releases == await catalogue.releases(film)
    assert (await catalogue.film_credits(-1)).cast == []
    assert await catalogue.credits_of_films([]) == {}
    both = await catalogue.credits_of_films([await _film_id(catalogue, "two"), await _film_id(catalogue, "one")])
    assert [credits.cast for credits in both.values()] == [
        await catalogue.cast(await _film_id(catalogue, "two")),
        await catalogue.cast(await _film_id(catalogue, "one")),
    ]


async def test_releases_companies_and_milestones(catalogue: CatalogueRepository) -> None:
    one = await _film_id(catalogue, "one")
    releases = await catalogue.releases(one)
    assert [(r.country, r.date, r.release_type, r.note) for r in releases] == [
        ("FR", dt.date(2001, 4, 20), 1, "Cannes premiere"),
        ("US", dt.date(2001, 5, 4), 3, None),
    ]
    assert [r.country for r in await catalogue.releases(one, country="US")] == ["US"]
    assert await catalogue.releases(one, country="JP") == []
    assert [(c.key, c.name, c.position) for c in await catalogue.companies(one)] == [
        ("acme", "Acme Pictures", 1),
        ("globex", "Globex Films", 2),
    ]
    (milestone,) = await catalogue.milestones(one)
    assert (milestone.kind, milestone.date_text, milestone.description) == (
        "trailer",
        "2000-12",
        "First trailer.",
    )


async def test_people_and_their_credits(catalogue: CatalogueRepository) -> None:
    people = await catalogue.people()
    assert [(p.key, p.aliases) for p in people] == [
        ("jane-doe", ("J. Doe",)),
        ("john-roe", ()),
        ("max-mustermann", ()),
    ]
    jane = await catalogue.get_person("jane-doe")
    assert jane is not None and jane.aliases == ("J. Doe",)
    credits = await catalogue.person_credits(jane.id)
    assert [(c.film_key, c.role, c.character, c.job) for c in credits] == [
        ("one", "cast", "Heroine", None),
        ("two", "cast", "Heroine", None),
        ("two", "crew", None, "Director"),
    ]


async def test_trivia_filters(catalogue: CatalogueRepository) -> None:
    questions = await catalogue.trivia_questions()
    assert [q.key for q in questions] == ["one-director", "two-year", "general"]
    first = questions[0]
    assert first.answers == ("John Roe", "Roe")
    assert first.wrong == ("Jane Doe", "Max Mustermann", "Erika Musterfrau")
    assert (first.film_key, first.fact, first.spoiler) == ("one", "film.one.directors", False)
    assert [q.key for q in await catalogue.trivia_questions(film_key="two")] == ["two-year"]
    assert [q.key for q in await catalogue.trivia_questions(difficulty="hard")] == ["general"]
    assert await catalogue.trivia_questions(film_key="one", difficulty="hard") == []
    assert questions[2].film_id is None and questions[1].spoiler is True


async def test_bot_state(db: Database) -> None:
    state = BotStateRepository(db)
    assert await state.get("command-sync-hash") is None
    await state.set("command-sync-hash", "abc")
    await state.set("command-sync-hash", "def")
    assert await state.get("command-sync-hash") == "def"
    assert await state.delete("command-sync-hash") is True
    assert await state.delete("command-sync-hash") is False


@pytest.mark.parametrize("repository", [GuildSettingsRepository, UserSettingsRepository])
async def test_place_settings(db: Database, repository: type[GuildSettingsRepository]) -> None:
    times = iter([dt.datetime(2024, 5, day, tzinfo=dt.UTC) for day in range(1, 10)])
    settings = repository(db, clock=lambda: next(times))
    snowflake = 1_234_567_890_123_456_789  # real Discord ids need all 64 bits
    assert await settings.get(snowflake) is None
    stored = await settings.set_timezone(snowflake, "Europe/Paris")
    assert (stored.id, stored.timezone, stored.region) == (snowflake, "Europe/Paris", None)
    stored = await settings.set_region(snowflake, "FR")
    assert (stored.timezone, stored.region, stored.updated_at.day) == ("Europe/Paris", "FR", 2)
    stored = await settings.upsert(snowflake, timezone="America/New_York", region="US")
    assert (stored.timezone, stored.region) == ("America/New_York", "US")
    assert (await settings.set_timezone(snowflake, None)).timezone is None
    assert await settings.get(snowflake) == await settings.get(snowflake)
    assert await settings.delete(snowflake) is True
    assert await settings.get(snowflake) is None


async def test_a_servers_language_is_kept_beside_its_place(db: Database) -> None:
    settings = GuildSettingsRepository(db, fixed_clock)
    snowflake = 1_234_567_890_123_456_789
    assert await settings.language(snowflake) is None
    await settings.set_language(snowflake, "pt_BR")  # a server with no place yet gets a row
    assert await settings.language(snowflake) == "pt_BR"
    await settings.upsert(snowflake, timezone="America/Sao_Paulo", region="BR")
    assert await settings.language(snowflake) == "pt_BR"  # setting the place keeps the language
    await settings.set_language(snowflake, None)
    place = await settings.get(snowflake)
    assert await settings.language(snowflake) is None and place is not None and place.region == "BR"
    assert await settings.delete(snowflake) and await settings.language(snowflake) is None


async def test_guild_and_user_settings_are_separate(db: Database) -> None:
    await GuildSettingsRepository(db, fixed_clock).upsert(42, timezone="Asia/Tokyo", region="JP")
    assert await UserSettingsRepository(db, fixed_clock).get(42) is None


async def test_films_and_all_cast_cover_the_whole_catalogue(catalogue: CatalogueRepository) -> None:
    repo = catalogue
    films = await repo.films()
    assert [film.key for film in films] == [summary.key for summary in await repo.list_films()]
    everyone = await repo.all_cast()
    per_film = [credit for film in films for credit in await repo.cast(film.id)]
    assert everyone == per_film
    all_crew = await repo.all_crew()
    assert all_crew == [credit for film in sorted(films, key=lambda f: f.id) for credit in await repo.crew(film.id)]


async def test_trivia_lines_are_the_credits_it_needs_with_each_person_read_once(
    catalogue: CatalogueRepository,
) -> None:
    repo = catalogue
    cast, lines = await repo.all_cast(), await repo.cast_lines()
    assert lines == [(c.film_id, c.billing_order, c.person_key, c.person_name) for c in cast]
    crew, crew_lines = await repo.all_crew(), await repo.crew_lines()
    assert crew_lines == [(c.film_id, c.person_key, c.person_name, c.job) for c in crew]
    # One string per person, one film id per film, however many credits they have.
    for read in (lines, crew_lines):
        by_person = {line.person_key: line for line in read}
        assert len(by_person) < len(read)
        for line in read:
            first = by_person[line.person_key]
            assert line.person_key is first.person_key and line.person_name is first.person_name
        first_of_film = {line.film_id: line for line in read}
        assert all(line.film_id is first_of_film[line.film_id].film_id for line in read)


async def test_preferred_regions_in_one_read(db: Database) -> None:
    assert await preferred_regions(db, 1, 2) == (None, None)
    await UserSettingsRepository(db, fixed_clock).set_region(1, "GB")
    await GuildSettingsRepository(db, fixed_clock).set_region(2, "FR")
    assert await preferred_regions(db, 1, 2) == ("GB", "FR")
    assert await preferred_regions(db, 1, None) == ("GB", None)


async def test_search_inputs_stay_until_a_pack_loads_and_follow_every_load(
    db: Database, catalogue: CatalogueRepository, write_pack: Callable[..., Path], base_pack_text: str
) -> None:
    first = await catalogue.search_inputs()
    # A start that finds the packs unchanged loads nothing: the stored indexes stay usable.
    assert await catalogue.search_inputs() == first
    path = write_pack(base_pack_text)
    seen = {first}
    # Any load makes them stale, the same pack again included (the rules it is stored by may have changed).
    for _ in range(2):
        await load_pack(db, parse_pack(path), source_path=path, loaded_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        now = await catalogue.search_inputs()
        assert now not in seen
        seen.add(now)
    # So does a change to the tables read that came another way (a migration rewriting rows).
    for change in ("DELETE FROM person_aliases", "DELETE FROM film_titles"):
        await db.execute(change)
        now = await catalogue.search_inputs()
        assert now not in seen, change
        seen.add(now)


async def test_stored_search_indexes_are_kept_per_inputs_and_format(catalogue: CatalogueRepository) -> None:
    saved_at = fixed_clock()
    assert await catalogue.stored_search_indexes("inputs-1", "format-1") == {}
    indexes = {"films": b"\x00one", "people": b"two"}
    await catalogue.store_search_indexes("inputs-1", "format-1", indexes, saved_at=saved_at)
    assert await catalogue.stored_search_indexes("inputs-1", "format-1") == indexes
    assert await catalogue.stored_search_index_sizes("inputs-1", "format-1") == {"films": 4, "people": 3}
    assert await catalogue.stored_search_index_sizes("inputs-1", "format-2") == {}
    assert await catalogue.stored_search_indexes("inputs-2", "format-1") == {}
    assert await catalogue.stored_search_indexes("inputs-1", "format-2") == {}
    # Storing replaces everything stored before, whatever it was built from.
    await catalogue.store_search_indexes("inputs-2", "format-1", {"characters": b"three"}, saved_at=saved_at)
    assert await catalogue.stored_search_indexes("inputs-1", "format-1") == {}
    assert await catalogue.stored_search_indexes("inputs-2", "format-1") == {"characters": b"three"}


# ---------------------------------------------------------------- real catalogues

CATALOGUE_PACK = Path(__file__).with_name("catalogue_pack.toml")


@pytest.fixture
async def real_catalogue(db: Database) -> CatalogueRepository:
    await load_pack(db, parse_pack(CATALOGUE_PACK), source_path=CATALOGUE_PACK)
    return CatalogueRepository(db)


async def test_films_read_their_series_genres_and_wikidata_id(real_catalogue: CatalogueRepository) -> None:
    films = {film.key: film for film in await real_catalogue.films()}
    shift = films["night-shift-4"]
    assert (shift.franchise_key, shift.franchise_name, shift.franchise_order) == ("night-shift", "Night Shift", 4)
    harbour = films["harbour-1962"]
    assert (harbour.franchise_key, harbour.franchise_name) == ("harbour-tales", "Harbour Tales")
    assert harbour.genres == ("Drama", "Romance") and harbour.wikidata_id == "Q9000201"
    assert films["night-shift-1"].genres == ("Horror", "Thriller")
    remake = films["harbour-1997"]
    assert (remake.title, remake.year, remake.franchise_key, remake.genres) == ("The Harbour", 1997, None, ("Drama",))
    assert films["crossing-a"].genres == () and films["crossing-a"].wikidata_id is None
    assert remake.genres[0] is harbour.genres[0]  # one string per genre, however many films have it
    assert await real_catalogue.get_film("harbour-1962") == harbour
    assert await real_catalogue.get_film_by_id(shift.id) == shift


async def test_credits_hold_distributors_apart_and_certifications(real_catalogue: CatalogueRepository) -> None:
    harbour = await _film_id(real_catalogue, "harbour-1962")
    credits = await real_catalogue.film_credits(harbour)
    assert [(c.key, c.position) for c in credits.companies] == [("acme", 1)]
    assert [(c.key, c.position) for c in credits.distributors] == [("wide-release", 1), ("acme", 2)]
    assert credits.companies == await real_catalogue.companies(harbour)
    assert credits.distributors == await real_catalogue.distributors(harbour)
    assert [(c.country, c.rating, c.source) for c in credits.certifications] == [("US", "Approved", "cat")]
    remake = await _film_id(real_catalogue, "harbour-1997")
    both = await real_catalogue.credits_of_films([harbour, remake])
    assert [(c.country, c.rating) for c in both[remake].certifications] == [("GB", "15"), ("US", "R")]
    assert both[remake].certifications == await real_catalogue.certifications(remake)
    assert both[remake].distributors == [] and both[harbour] == credits


async def test_people_keep_their_external_ids(db: Database, real_catalogue: CatalogueRepository) -> None:
    rows = await db.fetch_all("SELECT key, imdb_id, tmdb_id, wikidata_id FROM people ORDER BY key")
    assert [tuple(row) for row in rows] == [
        ("ida-varga", "nm0000101", 501, "Q9000101"),
        ("ole-brandt", "nm0000102", None, None),
    ]


async def test_a_series_no_film_names_any_more_is_dropped_on_reload(
    db: Database, real_catalogue: CatalogueRepository, write_pack: Callable[..., Path]
) -> None:
    text = CATALOGUE_PACK.read_text(encoding="utf-8")
    text = text.replace('[[series]]\nkey = "harbour-tales"\nname = "Harbour Tales"\n', "")
    text = text.replace('series = "harbour-tales"\nfranchise_order = 1\n', "")
    path = write_pack(text)
    await load_pack(db, parse_pack(path), source_path=path)
    assert [row["key"] for row in await db.fetch_all("SELECT key FROM franchises")] == ["night-shift"]
    harbour = await real_catalogue.get_film("harbour-1962")
    assert harbour is not None and harbour.franchise_key is None


async def test_character_credits_read_as_columns_are_the_credits(catalogue: CatalogueRepository) -> None:
    rows = await catalogue.character_credits()
    film_ids, person_ids, characters = await catalogue.character_credit_columns()
    assert rows
    assert list(zip(film_ids, person_ids, characters, strict=True)) == [
        (film_id, person_id, character or "") for film_id, person_id, character in rows
    ]


async def test_one_question_pool_is_kept_under_what_it_was_made_from(catalogue: CatalogueRepository) -> None:
    assert await catalogue.stored_question_pool("format|packs-1") is None
    await catalogue.store_question_pool("format|packs-1", b"pool one")
    assert await catalogue.stored_question_pool("format|packs-1") == b"pool one"
    assert await catalogue.stored_question_pool("format|packs-2") is None
    await catalogue.store_question_pool("format|packs-2", b"pool two")
    assert await catalogue.stored_question_pool("format|packs-1") is None
    assert await catalogue.stored_question_pool("format|packs-2") == b"pool two"
