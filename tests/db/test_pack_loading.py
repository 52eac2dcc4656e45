"""Loading packs in bulk, and packs that meet each other: merges by external id, shared and renamed
people, per-pack aliases and titles, and a number of statements that does not grow with the pack."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from db import Database, PackConflictError, bundled_pack_path, load_pack, migrate, parse_pack
from db.connection import Transaction
from db.packs.load import CLASHES_NAMED
from db.packs.model import Pack, PackCertification, PackSeries
from tests.db import schema
from tests.db.conftest import OpenDatabase

WritePack = Callable[..., Path]
FIXED_TIME = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

# A catalogue that also lists J. J. Abrams (spelt otherwise, with other aliases) and Mission: Impossible
# III under its own key, known by its TMDB id, with a question about it.
CATALOGUE = """
[pack]
id = "catalogue"
name = "Catalogue"
version = "1.0.0"

[[source]]
key = "src"
ref = "https://example.org/catalogue"

[[person]]
key = "j-j-abrams"
name = "J.J. Abrams"
aliases = ["Jeffrey Jacob Abrams"]

[[person]]
key = "tom-cruise"
name = "Tom Cruise"

[[film]]
key = "mission-impossible-iii-2006"
title = "Mission: Impossible III"
year = 2006
tmdb_id = 956
aliases = ["M:I:3 (catalogue)"]
source = "src"

[[film.crew]]
person = "j-j-abrams"
department = "Directing"
job = "Director"
source = "src"

[[film]]
key = "super-8-2011"
title = "Super 8"
year = 2011
source = "src"

[[film.crew]]
person = "j-j-abrams"
department = "Directing"
job = "Director"
source = "src"

[[trivia]]
key = "catalogue-mi3-year"
film = "mission-impossible-iii-2006"
question = "In which year was Mission: Impossible III released?"
answers = ["2006"]
wrong = ["2005", "2007", "2008"]
difficulty = "easy"
category = "release"
source = "src"
"""


async def _abrams(db: Database) -> tuple[int, str, dict[str, set[str]]]:
    """J. J. Abrams' id, name and aliases by the pack that gave them."""
    row = await db.fetch_one("SELECT id, name FROM people WHERE key = 'j-j-abrams'")
    assert row is not None
    aliases: dict[str, set[str]] = {}
    for alias in await db.fetch_all("SELECT alias, pack_id FROM person_aliases WHERE person_id = ?", (row["id"],)):
        aliases.setdefault(alias["pack_id"], set()).add(alias["alias"])
    return row["id"], row["name"], aliases


async def _bundled_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """What the bundled pack wrote about its films and people, keyed by keys rather than ids."""
    queries = {
        "films": "SELECT key, title, year, tmdb_id, franchise_order FROM films WHERE pack_id = 'mission-impossible'",
        "titles": "SELECT f.key, t.title, t.kind FROM film_titles t JOIN films f ON f.id = t.film_id"
        " WHERE t.pack_id = 'mission-impossible'",
        "crew": "SELECT f.key, p.key, c.job FROM crew_credits c JOIN films f ON f.id = c.film_id"
        " JOIN people p ON p.id = c.person_id WHERE f.pack_id = 'mission-impossible'",
        "people": "SELECT key, name FROM people WHERE pack_id = 'mission-impossible'",
        "aliases": "SELECT p.key, a.alias FROM person_aliases a JOIN people p ON p.id = a.person_id"
        " WHERE a.pack_id = 'mission-impossible'",
    }
    return {name: sorted(tuple(row) for row in await db.fetch_all(sql)) for name, sql in queries.items()}


@pytest.mark.parametrize("catalogue_first", [False, True], ids=["bundled-first", "catalogue-first"])
async def test_a_catalogue_meeting_the_bundled_pack_merges_and_touches_nothing_of_it(
    open_db: OpenDatabase, write_pack: WritePack, catalogue_first: bool
) -> None:
    bundled = parse_pack(bundled_pack_path("mission-impossible"))
    catalogue = parse_pack(write_pack(CATALOGUE, "catalogue.toml"))
    alone = await open_db("alone")
    await migrate(alone)
    await load_pack(alone, bundled, loaded_at=FIXED_TIME)
    bundled_alone = await _bundled_rows(alone)
    order = [catalogue, bundled] if catalogue_first else [bundled, catalogue]
    db = await open_db("both")
    await migrate(db)
    reports = [await load_pack(db, pack, loaded_at=FIXED_TIME) for pack in order + order[::-1] + order]
    mi3 = await db.fetch_all("SELECT id, key, pack_id FROM films WHERE tmdb_id = 956")
    assert len(mi3) == 1
    abrams_id, abrams_name, aliases = await _abrams(db)
    question_film = await db.fetch_value("SELECT film_id FROM trivia_questions WHERE key = 'catalogue-mi3-year'")
    titles = {r["title"]: r["pack_id"] for r in await db.fetch_all(
        "SELECT title, pack_id FROM film_titles WHERE film_id = ?", (mi3[0]["id"],))}  # fmt: skip
    super8_director = await db.fetch_value(
        "SELECT c.person_id FROM crew_credits c JOIN films f ON f.id = c.film_id WHERE f.key = 'super-8-2011'"
    )
    if not catalogue_first:
        assert await _bundled_rows(db) == bundled_alone
    assert await schema.foreign_key_problems(db) == []
    first_owner = order[0].id
    assert mi3[0]["pack_id"] == first_owner
    assert question_film == mi3[0]["id"]
    assert aliases["mission-impossible"] == {"JJ Abrams", "J.J. Abrams"}
    assert aliases["catalogue"] == {"Jeffrey Jacob Abrams"}
    assert abrams_name == ("J.J. Abrams" if catalogue_first else "J. J. Abrams")
    assert super8_director == abrams_id
    assert titles["M:I:3 (catalogue)"] == "catalogue"
    assert titles["Mission: Impossible III"] == first_owner
    later = [report for report in reports if report.pack_id != first_owner]
    assert all(report.merged_films == 1 and report.merged_people >= 1 for report in later)
    assert all(report.renamed_people == 0 for report in reports)
    if not catalogue_first:
        assert any("name 'J.J. Abrams' there 'J. J. Abrams'" in line for line in later[0].differences)


async def test_a_later_pack_never_writes_credits_or_fields_of_a_merged_film(
    db: Database, write_pack: WritePack
) -> None:
    await load_pack(db, parse_pack(bundled_pack_path("mission-impossible")))
    credits_before = await db.fetch_value("SELECT COUNT(*) FROM crew_credits")
    other_title = CATALOGUE.replace('title = "Mission: Impossible III"\nyear = 2006', 'title = "MI III"\nyear = 2007')
    report = await load_pack(db, parse_pack(write_pack(other_title, "catalogue.toml")))
    row = await db.fetch_one("SELECT title, year FROM films WHERE tmdb_id = 956")
    assert row is not None and (row["title"], row["year"]) == ("Mission: Impossible III", 2006)
    # Super 8's one credit is written; the merged film's is not.
    assert await db.fetch_value("SELECT COUNT(*) FROM crew_credits") == credits_before + 1
    assert report.differences == (
        'film "mission-impossible-iii-2006" is film "mi3" of pack "mission-impossible": '
        "title 'MI III' there 'Mission: Impossible III', year 2007 there 2006",
        'person "j-j-abrams" is person "j-j-abrams" of pack "mission-impossible": '
        "name 'J.J. Abrams' there 'J. J. Abrams'",
    )


async def test_titles_and_aliases_go_when_their_pack_stops_listing_them(db: Database, write_pack: WritePack) -> None:
    await load_pack(db, parse_pack(bundled_pack_path("mission-impossible")))
    path = write_pack(CATALOGUE, "catalogue.toml")
    await load_pack(db, parse_pack(path))
    write_pack(CATALOGUE.replace('aliases = ["M:I:3 (catalogue)"]\n', "").replace(
        'aliases = ["Jeffrey Jacob Abrams"]\n', ""), "catalogue.toml")  # fmt: skip
    await load_pack(db, parse_pack(path))
    assert await db.fetch_value("SELECT COUNT(*) FROM film_titles WHERE title = 'M:I:3 (catalogue)'") == 0
    _, _, aliases = await _abrams(db)
    assert "catalogue" not in aliases and aliases["mission-impossible"] == {"JJ Abrams", "J.J. Abrams"}


OTHER = """
[pack]
id = "other-pack"
name = "Other"
version = "1.0.0"

[[source]]
key = "src"
ref = "https://example.org/other"

[[person]]
key = "max-mustermann"
name = "{name}"

[[film]]
key = "other"
title = "Other Film"
year = 1999
{film_ids}
source = "src"

[[film.cast]]
person = "max-mustermann"
order = 1
source = "src"
"""


def _other(name: str = "Max Mustermann", film_ids: str = "") -> str:
    return OTHER.format(name=name, film_ids=film_ids)


async def test_same_key_another_name_is_another_person_under_a_qualified_key(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    await load_pack(db, parse_pack(write_pack(base_pack_text)))
    other = parse_pack(write_pack(_other(name="Maxine Muster"), "other.toml"))
    report = await load_pack(db, other)
    again = await load_pack(db, other)
    people = {r["key"]: (r["name"], r["pack_id"]) for r in await db.fetch_all("SELECT * FROM people")}
    assert people["max-mustermann"] == ("Max Mustermann", "test-pack")
    assert people["max-mustermann@other-pack"] == ("Maxine Muster", "other-pack")
    assert (report.renamed_people, again.renamed_people, report.merged_people) == (1, 1, 0)
    cast = await db.fetch_value(
        "SELECT p.key FROM cast_credits c JOIN films f ON f.id = c.film_id JOIN people p ON p.id = c.person_id"
        " WHERE f.key = 'other'"
    )
    assert cast == "max-mustermann@other-pack"


async def test_same_key_and_name_with_contradicting_ids_is_another_person(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = parse_pack(write_pack(base_pack_text))
    people = tuple(dataclasses.replace(p, imdb_id="nm0000001") if p.key == "max-mustermann" else p for p in base.people)
    await load_pack(db, dataclasses.replace(base, people=people))
    other = parse_pack(write_pack(_other(), "o.toml"))
    report = await load_pack(
        db, dataclasses.replace(other, people=(dataclasses.replace(other.people[0], imdb_id="nm0000002"),))
    )
    assert report.renamed_people == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM people WHERE name = 'Max Mustermann'") == 2


async def test_an_external_id_merges_people_with_other_keys(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = parse_pack(write_pack(base_pack_text))
    people = tuple(dataclasses.replace(p, tmdb_id=500) if p.key == "jane-doe" else p for p in base.people)
    await load_pack(db, dataclasses.replace(base, people=people))
    other = parse_pack(write_pack(_other(), "o.toml"))
    renamed = dataclasses.replace(other.people[0], key="jane-d", name="Jane Doe", tmdb_id=500)
    cast = tuple(dataclasses.replace(c, person="jane-d") for c in other.films[0].cast)
    film = dataclasses.replace(other.films[0], cast=cast)
    report = await load_pack(db, dataclasses.replace(other, people=(renamed,), films=(film,)))
    assert report.merged_people == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM people WHERE name = 'Jane Doe'") == 1
    assert (
        await db.fetch_value(
            "SELECT p.key FROM cast_credits c JOIN films f ON f.id = c.film_id JOIN people p ON p.id = c.person_id"
            " WHERE f.key = 'other'"
        )
        == "jane-doe"
    )


async def test_ids_naming_two_films_are_an_error_naming_both(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = parse_pack(write_pack(base_pack_text))
    films = tuple(dataclasses.replace(f, tmdb_id=22) if f.key == "two" else f for f in base.films)
    await load_pack(db, dataclasses.replace(base, films=films))
    before = await db.fetch_value("SELECT COUNT(*) FROM films")
    both = parse_pack(write_pack(_other(film_ids='imdb_id = "tt0000001"\ntmdb_id = 22'), "o.toml"))
    with pytest.raises(PackConflictError) as caught:
        await load_pack(db, both)
    assert 'imdb_id tt0000001 is film "one" of pack "test-pack"' in str(caught.value)
    assert 'tmdb_id 22 is film "two" of pack "test-pack"' in str(caught.value)
    contradicting = parse_pack(write_pack(_other(film_ids='imdb_id = "tt0000001"\ntmdb_id = 99'), "o.toml"))
    with pytest.raises(PackConflictError, match="whose tmdb_id is 11, not 99"):
        await load_pack(db, contradicting)
    assert await db.fetch_value("SELECT COUNT(*) FROM films") == before
    assert await db.fetch_value("SELECT COUNT(*) FROM packs") == 1


async def test_a_shared_company_keeps_its_owners_name(db: Database, write_pack: WritePack, base_pack_text: str) -> None:
    await load_pack(db, parse_pack(write_pack(base_pack_text)))
    other = parse_pack(write_pack(_other(), "o.toml"))
    company = dataclasses.replace(
        parse_pack(write_pack(base_pack_text)).companies[0], name="ACME Corp.", aliases=("A",)
    )
    film = dataclasses.replace(other.films[0], companies=("acme",))
    report = await load_pack(db, dataclasses.replace(other, companies=(company,), films=(film,)))
    assert await db.fetch_value("SELECT name FROM companies WHERE key = 'acme'") == "Acme Pictures"
    assert any('company "acme"' in line for line in report.differences)
    assert await db.fetch_value("SELECT pack_id FROM company_aliases WHERE alias = 'A'") == "other-pack"


async def test_every_new_field_is_written(db: Database, write_pack: WritePack, base_pack_text: str) -> None:
    base = parse_pack(write_pack(base_pack_text))
    one, two = base.films
    one = dataclasses.replace(
        one,
        wikidata_id="Q1",
        genres=("Action", "Thriller"),
        certifications=(PackCertification("US", "PG-13", ("wp_one",)), PackCertification("DE", "12", ("wp_one",))),
        distributors=("globex", "acme"),
    )
    two = dataclasses.replace(two, series="spin-off")
    people = tuple(
        dataclasses.replace(p, imdb_id="nm0000003", tmdb_id=3, wikidata_id="Q3") if p.key == "jane-doe" else p
        for p in base.people
    )
    pack = dataclasses.replace(base, films=(one, two), people=people, series=(PackSeries("spin-off", "The Spin-off"),))
    await load_pack(db, pack)
    film = await db.fetch_one("SELECT id, wikidata_id FROM films WHERE key = 'one'")
    assert film is not None and film["wikidata_id"] == "Q1"
    genres = await db.fetch_all("SELECT genre FROM film_genres WHERE film_id = ? ORDER BY position", (film["id"],))
    assert [r["genre"] for r in genres] == ["Action", "Thriller"]
    ratings = await db.fetch_all("SELECT country, rating, source FROM film_certifications ORDER BY country")
    assert [tuple(r) for r in ratings] == [("DE", "12", "wp_one"), ("US", "PG-13", "wp_one")]
    companies = await db.fetch_all(
        "SELECT c.key, fc.role, fc.position FROM film_companies fc JOIN companies c ON c.id = fc.company_id"
        " WHERE fc.film_id = ? ORDER BY fc.role, fc.position",
        (film["id"],),
    )
    assert [tuple(r) for r in companies] == [
        ("globex", "distribution", 1),
        ("acme", "distribution", 2),
        ("acme", "production", 1),
        ("globex", "production", 2),
    ]
    series = await db.fetch_all(
        "SELECT f.key, fr.key AS series FROM films f JOIN franchises fr ON fr.id = f.franchise_id ORDER BY f.key"
    )
    assert [tuple(r) for r in series] == [("one", "test-franchise"), ("two", "spin-off")]
    person = await db.fetch_one("SELECT imdb_id, tmdb_id, wikidata_id FROM people WHERE key = 'jane-doe'")
    assert person is not None and tuple(person) == ("nm0000003", 3, "Q3")
    await load_pack(db, dataclasses.replace(pack, series=()))  # a series no film names any more goes
    assert await db.fetch_value("SELECT COUNT(*) FROM franchises WHERE key = 'spin-off'") == 1
    await load_pack(db, dataclasses.replace(pack, series=(), films=(one, dataclasses.replace(two, series=None))))
    assert await db.fetch_value("SELECT COUNT(*) FROM franchises WHERE key = 'spin-off'") == 0


def _grown(pack: Pack, copies: int) -> Pack:
    """``pack`` with each film repeated ``copies`` times under new keys (trivia about the originals)."""
    films = tuple(
        dataclasses.replace(film, key=f"{film.key}-{n}" if n else film.key, franchise_order=None, imdb_id=None,
                            tmdb_id=None)
        for n in range(copies)
        for film in pack.films
    )  # fmt: skip
    return dataclasses.replace(pack, films=films)


async def _statements_to_load(db: Database, pack: Pack, monkeypatch: pytest.MonkeyPatch) -> int:
    calls = 0
    async with db.transaction() as tx:
        backend = type(tx)  # the backend's own transaction class: its methods, not the abstract ones, run
    originals = {name: getattr(backend, name) for name in ("execute", "executemany", "fetch_all", "fetch_one",
                                                            "fetch_value")}  # fmt: skip

    def counting(name: str) -> Any:
        async def call(self: Transaction, *args: Any) -> Any:
            nonlocal calls
            calls += 1
            return await originals[name](self, *args)

        return call

    with monkeypatch.context() as patch:
        for name in originals:
            patch.setattr(backend, name, counting(name))
        await load_pack(db, pack)
    return calls


async def test_the_number_of_statements_does_not_grow_with_the_pack(
    open_db: OpenDatabase, write_pack: WritePack, base_pack_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = parse_pack(write_pack(base_pack_text))
    counts = []
    for copies in (1, 50):
        db = await open_db(f"{copies}")
        await migrate(db)
        first = await _statements_to_load(db, _grown(base, copies), monkeypatch)
        again = await _statements_to_load(db, _grown(base, copies), monkeypatch)
        counts.append((first, again))
        assert await db.fetch_value("SELECT COUNT(*) FROM films") == 2 * copies
    assert counts[0] == counts[1]
    assert counts[0][0] > 10  # each kind of row is written with a statement of its own


async def test_a_film_its_owner_drops_is_handed_to_a_pack_that_merged_it(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = write_pack(base_pack_text)
    await load_pack(db, parse_pack(base))
    film_id = await db.fetch_value("SELECT id FROM films WHERE key = 'one'")
    other_text = _other(film_ids="tmdb_id = 11") + (
        '\n[[trivia]]\nkey = "other-year"\nfilm = "other"\nquestion = "Year?"\nanswers = ["1999"]\n'
        'wrong = ["1", "2", "3"]\ndifficulty = "easy"\ncategory = "release"\nsource = "src"\n'
    )
    other = parse_pack(write_pack(other_text, "other.toml"))
    assert (await load_pack(db, other)).merged_films == 1
    without_one = (
        base_pack_text[: base_pack_text.index('[[film]]\nkey = "one"')]
        + base_pack_text[base_pack_text.index('[[film]]\nkey = "two"') :]
    )
    without_one = without_one.replace(
        '[[trivia]]\nkey = "one-director"\nfilm = "one"', '[[trivia]]\nkey = "one-director"'
    )
    report = await load_pack(db, parse_pack(write_pack(without_one)))
    assert 'film "one" handed over to pack "other-pack", which lists it as "other"' in report.differences
    row = await db.fetch_one("SELECT key, pack_id FROM films WHERE id = ?", (film_id,))
    assert row is not None and tuple(row) == ("one", "other-pack")  # its key stays: links to it stay valid
    assert await db.fetch_value("SELECT film_id FROM trivia_questions WHERE key = 'other-year'") == film_id
    assert (
        await db.fetch_value("SELECT COUNT(*) FROM film_titles WHERE film_id = ? AND kind = 'title'", (film_id,)) == 1
    )
    again = await load_pack(db, other)  # now its own film: its fields and credits are written
    assert again.merged_films == 0
    row = await db.fetch_one("SELECT id, key, title, year FROM films WHERE pack_id = 'other-pack'")
    assert row is not None and tuple(row) == (film_id, "one", "Other Film", 1999)
    assert await load_pack(db, other) == again  # and stays so
    cast = await db.fetch_all("SELECT person_id FROM cast_credits WHERE film_id = ?", (film_id,))
    assert len(cast) == 1
    assert await schema.foreign_key_problems(db) == []


async def test_a_person_their_owner_drops_is_handed_to_a_pack_that_shares_them(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    await load_pack(db, parse_pack(write_pack(base_pack_text)))
    max_id = await db.fetch_value("SELECT id FROM people WHERE key = 'max-mustermann'")
    other = parse_pack(write_pack(_other(), "other.toml"))
    await load_pack(db, dataclasses.replace(other, people=(dataclasses.replace(other.people[0], aliases=("Max M.",)),)))
    without_max = base_pack_text.replace(
        '[[film.cast]]\nperson = "max-mustermann"\norder = 2\nsource = "wp_one; wp_two"\n', ""
    ).replace('[[person]]\nkey = "max-mustermann"\nname = "Max Mustermann"\nsource = "wp_two"\n', "")
    report = await load_pack(db, parse_pack(write_pack(without_max)))
    row = await db.fetch_one("SELECT id, pack_id FROM people WHERE key = 'max-mustermann'")
    assert row is not None and tuple(row) == (max_id, "other-pack")
    assert await db.fetch_value("SELECT alias FROM person_aliases WHERE person_id = ?", (max_id,)) == "Max M."
    assert any('person "max-mustermann" handed over to pack "other-pack"' in line for line in report.differences)


async def test_a_refusal_names_the_first_clashes_and_counts_the_rest(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = parse_pack(write_pack(base_pack_text))
    many = tuple(dataclasses.replace(base.trivia[2], key=f"general-{n}") for n in range(CLASHES_NAMED + 3))
    await load_pack(db, dataclasses.replace(base, trivia=many))
    other = parse_pack(write_pack(_other(), "o.toml"))
    with pytest.raises(PackConflictError) as caught:
        await load_pack(db, dataclasses.replace(other, trivia=many))
    assert str(caught.value).count("belongs to pack") == CLASHES_NAMED
    assert str(caught.value).endswith("; and 3 more")


async def test_rows_from_before_migration_11_belong_to_their_pack(
    open_db: OpenDatabase, write_pack: WritePack, base_pack_text: str
) -> None:
    db = await open_db("old")
    await migrate(db, target=10)
    await db.execute(
        "INSERT INTO packs (id, name, version, source_path, checksum, loaded_at)"
        " VALUES ('test-pack', 'Test', '0.9.0', 'x', 'c', 'then')"
    )
    await db.execute(
        "INSERT INTO films (key, title, original_title, year, pack_id, source)"
        " VALUES ('one', 'Film One', 'Film One', 2001, 'test-pack', 'wp_one')"
    )
    await db.execute("INSERT INTO film_titles (film_id, title, kind) VALUES (1, 'An old title', 'alias')")
    await db.execute("INSERT INTO people (key, name, pack_id) VALUES ('jane-doe', 'Jane Doe', 'test-pack')")
    await db.execute("INSERT INTO person_aliases (person_id, alias) VALUES (1, 'An old alias')")
    await db.execute("INSERT INTO companies (key, name, pack_id) VALUES ('acme', 'Acme', 'test-pack')")
    await db.execute("INSERT INTO company_aliases (company_id, alias) VALUES (1, 'An old name')")
    await migrate(db)
    for table in ("film_titles", "person_aliases", "company_aliases"):
        assert await db.fetch_value(f"SELECT pack_id FROM {table}") == "test-pack"
    await load_pack(db, parse_pack(write_pack(base_pack_text)))
    assert await db.fetch_value("SELECT COUNT(*) FROM film_titles WHERE title = 'An old title'") == 0
    assert await db.fetch_value("SELECT COUNT(*) FROM person_aliases WHERE alias = 'An old alias'") == 0
    assert await db.fetch_value("SELECT COUNT(*) FROM company_aliases WHERE alias = 'An old name'") == 0
    assert await db.fetch_value("SELECT id FROM films WHERE key = 'one'") == 1
