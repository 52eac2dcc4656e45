"""Content packs: validation problems, loading, idempotency and the bundled pack."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from db import (
    Database,
    PackConflictError,
    PackNotFoundError,
    PackProblem,
    PackValidationError,
    bundled_pack_names,
    bundled_pack_path,
    load_pack,
    migrate,
    parse_pack,
    resolve_pack,
    validate_pack,
)
from db.connection import Row
from db.packs.countries import ISO_3166_ALPHA2
from db.packs.parse import _PackParser, _Problems
from tests.db import schema
from tests.db.conftest import OpenDatabase

WritePack = Callable[..., Path]
FIXED_TIME = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
BUNDLED = Path(__file__).resolve().parents[2] / "db" / "packs" / "mission-impossible.toml"
needs_bundled_pack = pytest.mark.skipif(not BUNDLED.exists(), reason="bundled pack not written yet")

# Tables whose integer ids are replaced by keys when comparing databases built
# along different paths (ids legitimately differ, content must not).
KEYED_TABLES = {
    "films": "film_id",
    "people": "person_id",
    "companies": "company_id",
    "franchises": "franchise_id",
}


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: {old!r} not in the base pack"
    return text.replace(old, new, 1)


def _problems(path: Path) -> list[str]:
    with pytest.raises(PackValidationError) as caught:
        parse_pack(path)
    return [str(problem) for problem in caught.value.problems]


# (description, text to find in the base pack, replacement, expected problem after the file name)
BROKEN = [
    ("wrong type", "runtime = 100", 'runtime = "100"',
     'film "one" (film[0]) field "runtime": must be an integer between 1 and 600'),
    ("out of range", "runtime = 100", "runtime = 601",
     'film "one" (film[0]) field "runtime": must be an integer between 1 and 600'),
    ("bool is not an int", "year = 2001", "year = true",
     'film "one" (film[0]) field "year": must be an integer between 1870 and 2100'),
    ("typo in a key", "runtime = 100", "runtme = 100",
     'film "one" (film[0]) field "runtme": unknown field; did you mean "runtime"?'),
    ("unknown table", "[[trivia]]\nkey = \"general\"", "[[trivai]]\nkey = \"general\"",
     'unknown table "trivai"; did you mean "trivia"?'),
    ("missing required field", 'title = "Film Two"\n', "",
     'film "two" (film[1]) field "title": is required'),
    ("bad slug", 'key = "two"', 'key = "Film_Two"',
     'film "Film_Two" (film[1]) field "key": must be a key matching'),
    ("duplicate key", 'key = "two"', 'key = "one"',
     'film "one" (film[1]) field "key": duplicate key "one" (first in film "one" (film[0]))'),
    ("duplicate franchise order", "franchise_order = 2", "franchise_order = 1",
     'film "two" (film[1]) field "franchise_order": duplicate franchise_order 1'),
    ("missing franchise order", "franchise_order = 2\n", "",
     'film "two" (film[1]) field "franchise_order": is required'),
    ("unknown person", 'person = "jane-doe"\ncharacter = "Heroine"\norder = 1\nsource = "wp_one"',
     'person = "jane-do"\ncharacter = "Heroine"\norder = 1\nsource = "wp_one"',
     'film "one" (film[0]) cast[0] field "person": unknown person "jane-do" (did you mean "jane-doe"?)'),
    ("unknown company", 'companies = ["globex"]', 'companies = ["globx"]',
     'film "two" (film[1]) field "companies": unknown company "globx"'),
    ("unknown source", 'source = "wp_one; wp_two"', 'source = "wp_one; wp_three"',
     'film "one" (film[0]) cast[1] field "source": unknown source "wp_three"'),
    ("bad source separator", 'source = "wp_one; wp_two"', 'source = "wp_one, wp_two"',
     'film "one" (film[0]) cast[1] field "source": \'wp_one, wp_two\' is not a source key'),
    ("duplicate billing order", "order = 2", "order = 1",
     'film "one" (film[0]) cast[1] field "order": duplicate billing order 1'),
    ("duplicate crew job", 'job = "Screenplay"', 'job = "Director"',
     'film "one" (film[0]) crew[1] field "job": duplicate credit "john-roe" as "Director"'),
    ("release type", "type = 1", "type = 7",
     'film "one" (film[0]) release[1] field "type": must be an integer between 1 and 6'),
    ("country format", 'country = "FR"', 'country = "fr"',
     'film "one" (film[0]) release[1] field "country": must be two uppercase letters'),
    ("unassigned country", 'country = "FR"', 'country = "UK"',
     'film "one" (film[0]) release[1] field "country": "UK" is not an assigned ISO 3166-1'),
    ("impossible date", 'date = "2001-04-20"', 'date = "2001-02-30"',
     'film "one" (film[0]) release[1] field "date": \'2001-02-30\' is not a real calendar date'),
    ("date format", 'date = "2001-04-20"', 'date = "20/04/2001"',
     'film "one" (film[0]) release[1] field "date": must be a date YYYY-MM-DD'),
    ("duplicate release", 'country = "FR"\ndate = "2001-04-20"\ntype = 1',
     'country = "US"\ndate = "2001-05-04"\ntype = 3',
     'film "one" (film[0]) release[1] field "date": duplicate release US type 3 on 2001-05-04'),
    ("milestone month", 'date = "2000-12"', 'date = "2000-13"',
     'film "one" (film[0]) milestone[0] field "date": \'2000-13\' is not a real calendar date'),
    ("synopsis too long", 'synopsis = "Things happen."', f'synopsis = "{"x" * 1501}"',
     'film "one" (film[0]) field "synopsis": must be at most 1500 characters (has 1501)'),
    ("imdb id", 'imdb_id = "tt0000001"', 'imdb_id = "0000001"',
     'film "one" (film[0]) field "imdb_id": must be an IMDb id like tt0117060'),
    ("same alias on two films of one year", 'title = "Film Two"\nyear = 2004',
     'title = "Film Two"\nyear = 2001\naliases = ["f1"]',
     'film "two" (film[1]) field "aliases": "f1" already names film "one" (film[0]), of the same year'),
    ("series clashing with the franchise", "[[source]]", '[[series]]\nkey = "test-franchise"\nname = "X"\n\n[[source]]',
     'series "test-franchise" (series[0]) field "key": duplicate key "test-franchise" (first in franchise)'),
    ("difficulty", 'difficulty = "hard"', 'difficulty = "extreme"',
     'trivia "general" (trivia[2]) field "difficulty": must be one of "easy", "medium", "hard"'),
    ("no answers", 'answers = ["2004"]', "answers = []",
     'trivia "two-year" (trivia[1]) field "answers": must list at least one answer'),
    ("too few wrong choices", 'wrong = ["2003", "2005", "2006"]', 'wrong = ["2003", "2005"]',
     'trivia "two-year" (trivia[1]) field "wrong": must list at least 3 wrong choices (has 2)'),
    ("wrong choice is an answer", 'wrong = ["One", "Three", "Four"]', 'wrong = ["One", "two", "Four"]',
     'trivia "general" (trivia[2]) field "wrong": "two" is also an accepted answer'),
    ("repeated wrong choice", 'wrong = ["One", "Three", "Four"]', 'wrong = ["One", "Three", "one"]',
     'trivia "general" (trivia[2]) field "wrong": lists "one" more than once'),
    ("duplicate trivia key", 'key = "general"', 'key = "two-year"',
     'trivia "two-year" (trivia[2]) field "key": duplicate key "two-year"'),
    ("duplicate question", 'question = "How many films are in the test franchise?"',
     'question = "who directed film one? "',
     'trivia "general" (trivia[2]) field "question": duplicate question'),
    ("unknown trivia film", 'film = "two"', 'film = "three"',
     'trivia "two-year" (trivia[1]) field "film": unknown film "three"'),
    ("spoiler flag", "spoiler = true", 'spoiler = "yes"',
     'trivia "two-year" (trivia[1]) field "spoiler": must be true or false'),
    ("pack version", 'version = "1.0.0"', 'version = "one"',
     'pack field "version": must be a version like 1.0.0'),
    ("aliases not a list", 'aliases = ["J. Doe"]', 'aliases = "J. Doe"',
     'person "jane-doe" (person[0]) field "aliases": must be a list of non-empty strings'),
    ("empty character", 'character = "Heroine"', 'character = ""',
     'film "one" (film[0]) cast[0] field "character": must be a non-empty string'),
    ("stray sub-table", '[[trivia]]\nkey = "general"', '[trivia.x]\nkey = "general"',
     'trivia "two-year" (trivia[1]) field "x": unknown field'),
    ("toml syntax", 'runtime = 110', 'runtime = 110 minutes',
     "line "),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_each_kind_of_problem_names_file_entry_and_field(
    write_pack: WritePack, base_pack_text: str, old: str, new: str, expected: str
) -> None:
    path = write_pack(_replace(base_pack_text, old, new))
    problems = _problems(path)
    assert any(line.startswith(f"test-pack.toml: {expected}") for line in problems), "\n".join(problems)


def test_problem_string_format() -> None:
    problem = PackProblem(
        "mission-impossible.toml", 'film "mi7" (film[6])', "runtime", "must be an integer between 1 and 600"
    )
    assert str(problem) == (
        'mission-impossible.toml: film "mi7" (film[6]) field "runtime": must be an integer between 1 and 600'
    )
    assert str(PackProblem("x.toml", "", "", "boom")) == "x.toml: boom"


def test_toml_syntax_error_reports_the_line(write_pack: WritePack) -> None:
    path = write_pack('[pack]\nid = "x"\nname = \n')
    (problem,) = _problems(path)
    assert problem.startswith("test-pack.toml: line 3: invalid TOML")


def test_single_film_table_instead_of_array(write_pack: WritePack, base_pack_text: str) -> None:
    text = base_pack_text.split("[[film]]")[0] + '[film]\nkey = "x"\n'
    text = text.replace('film = "one"', "").replace('film = "two"', "")
    problems = _problems(write_pack(text))
    assert any('"film" must be an array of tables' in line for line in problems), problems


def test_all_problems_are_collected(write_pack: WritePack, base_pack_text: str) -> None:
    text = _replace(base_pack_text, "runtime = 100", "runtime = 0")
    text = _replace(text, 'country = "FR"', 'country = "XX"')
    text = _replace(text, 'difficulty = "hard"', 'difficulty = "tricky"')
    text = _replace(text, 'version = "1.0.0"', "version = 1")
    problems = _problems(write_pack(text))
    assert len(problems) == 4, problems
    assert validate_pack(write_pack(text)) != []


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path / "nope.toml")
    assert problem.startswith("nope.toml: cannot read the file")


def test_valid_pack_parses(write_pack: WritePack, base_pack_text: str) -> None:
    pack = parse_pack(write_pack(base_pack_text))
    assert validate_pack(pack.path) == []
    assert (pack.id, pack.name, pack.version) == ("test-pack", "Test Pack", "1.0.0")
    assert [film.key for film in pack.films] == ["one", "two"]
    one = pack.films[0]
    assert one.original_title == "Film Eins"
    assert pack.films[1].original_title == "Film Two"  # defaults to the title
    assert [c.order for c in one.cast] == [1, 2]
    assert one.cast[1].character is None
    assert one.cast[1].source == ("wp_one", "wp_two")
    assert pack.films[1].releases[0].date.isoformat() == "2004-06-01"  # unquoted TOML date
    assert pack.trivia[1].spoiler is True and pack.trivia[0].spoiler is False
    assert len(pack.checksum) == 64


def test_country_list_is_complete() -> None:
    assert len(ISO_3166_ALPHA2) == 249
    assert {"US", "GB", "FR", "JP", "AX", "SS"} <= ISO_3166_ALPHA2
    assert not {"UK", "EU", "XK"} & ISO_3166_ALPHA2


# ---------------------------------------------------------------- loading


async def _dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order; but the packs' load numbers, which count loads."""
    dump: dict[str, list[tuple[object, ...]]] = {}
    for name in await schema.table_names(db):
        rows = await db.fetch_all(f"SELECT * FROM {name}")
        dump[name] = sorted(
            (tuple(value for column, value in zip(r.keys(), r, strict=True) if column != "load_number") for r in rows),
            key=repr,
        )
    return dump


async def test_every_load_takes_the_next_load_number(db: Database, write_pack: WritePack, base_pack_text: str) -> None:
    pack = parse_pack(write_pack(base_pack_text))
    numbers = []
    for _ in range(3):
        await load_pack(db, pack, source_path=pack.path, loaded_at=FIXED_TIME)
        numbers.append(await db.fetch_value("SELECT load_number FROM packs WHERE id = ?", (pack.id,)))
    assert numbers == [1, 2, 3]


def _canonical_row(row: Row, keys: dict[str, dict[int, str]]) -> tuple[object, ...]:
    values: list[object] = []
    for column in row.keys():  # noqa: SIM118 - sqlite3.Row iterates over values
        if column in keys:
            values.append(keys[column].get(row[column]))
        elif column == "id":
            values.append(None)  # the key column identifies the row instead
        elif column == "load_number":
            continue  # counts loads: a reload takes the next
        else:
            values.append(row[column])
    return tuple(values)


async def _canonical_dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Like _dump, but with surrogate integer ids replaced by the entities' keys."""
    keys: dict[str, dict[int, str]] = {}
    for table, column in KEYED_TABLES.items():
        keys[column] = {r["id"]: r["key"] for r in await db.fetch_all(f"SELECT id, key FROM {table}")}
    dump: dict[str, list[tuple[object, ...]]] = {}
    for name in await schema.table_names(db):
        rows = await db.fetch_all(f"SELECT * FROM {name}")
        dump[name] = sorted((_canonical_row(row, keys) for row in rows), key=repr)
    return dump


async def test_valid_pack_loads(db: Database, write_pack: WritePack, base_pack_text: str) -> None:
    path = write_pack(base_pack_text)
    report = await load_pack(db, parse_pack(path), source_path=path)
    assert report.pack_id == "test-pack"
    assert (report.films, report.people, report.companies) == (2, 3, 2)
    assert (report.credits, report.releases, report.questions) == (6, 3, 3)
    row = await db.fetch_one("SELECT * FROM packs")
    assert row is not None and row["source_path"] == str(path) and len(row["checksum"]) == 64
    film = await db.fetch_one("SELECT pack_id, source FROM films WHERE key = 'one'")
    assert film is not None and (film["pack_id"], film["source"]) == ("test-pack", "wp_one")
    cast = await db.fetch_all("SELECT source FROM cast_credits ORDER BY film_id, billing_order")
    assert [r["source"] for r in cast] == ["wp_one", "wp_one; wp_two", "wp_two"]
    assert await schema.foreign_key_problems(db) == []


async def test_loading_twice_gives_an_identical_database(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    pack = parse_pack(write_pack(base_pack_text))
    await load_pack(db, pack, source_path=pack.path, loaded_at=FIXED_TIME)
    first = await _dump(db)
    await load_pack(db, pack, source_path=pack.path, loaded_at=FIXED_TIME)
    assert await _dump(db) == first


MAX_CAST = '[[film.cast]]\nperson = "max-mustermann"\norder = 2\nsource = "wp_one; wp_two"\n'
MAX_PERSON = '[[person]]\nkey = "max-mustermann"\nname = "Max Mustermann"\nsource = "wp_two"\n'

MODIFIED_EDITS = [
    # a film vanishes, taking its credits, releases and questions with it
    (lambda t: t[: t.index('[[film]]\nkey = "two"')] + t[t.index("[[trivia]]") :]),
    (lambda t: t.replace('[[trivia]]\nkey = "two-year"\nfilm = "two"', '[[trivia]]\nkey = "two-year"')),
    # a person vanishes (their credit goes too), another is renamed
    (lambda t: t.replace(MAX_CAST, "")),
    (lambda t: t.replace(MAX_PERSON, "")),
    (lambda t: t.replace('name = "John Roe"', 'name = "Johnny Roe"')),
    # a company vanishes, fields change, a new film and question appear
    (lambda t: t.replace('companies = ["acme", "globex"]', 'companies = ["acme"]')),
    (lambda t: t.replace('[[company]]\nkey = "globex"\nname = "Globex Films"\n', "")),
    (lambda t: t.replace("runtime = 100", "runtime = 101")),
    (lambda t: t.replace('aliases = ["F1", "The First"]', 'aliases = ["F-1"]')),
    (lambda t: t.replace('description = "First trailer."', 'description = "Teaser trailer."')),
    (lambda t: t.replace("[[trivia]]", '[[film]]\nkey = "three"\nfranchise_order = 3\ntitle = "Film Three"\n'
                         'year = 2010\nsource = "wp_one"\n\n[[trivia]]', 1)),
    (lambda t: t + '\n[[trivia]]\nkey = "three-year"\nfilm = "three"\nquestion = "Year of Film Three?"\n'
                   'answers = ["2010"]\nwrong = ["2009", "2011", "2012"]\ndifficulty = "easy"\n'
                   'category = "release"\nsource = "wp_one"\n'),
    (lambda t: t.replace('version = "1.0.0"', 'version = "1.1.0"')),
]  # fmt: skip


def _modified(text: str) -> str:
    for edit in MODIFIED_EDITS:
        changed = edit(text)
        assert changed != text, "test setup: an edit did not apply"
        text = changed
    return text


async def test_reloading_a_changed_pack_matches_a_fresh_load(
    open_db: OpenDatabase, write_pack: WritePack, base_pack_text: str
) -> None:
    path = write_pack(base_pack_text)
    upgraded = await open_db("upgraded")
    await migrate(upgraded)
    await load_pack(upgraded, parse_pack(path), source_path=path, loaded_at=FIXED_TIME)
    film_one_id = await upgraded.fetch_value("SELECT id FROM films WHERE key = 'one'")
    write_pack(_modified(base_pack_text))
    new_pack = parse_pack(path)
    await load_pack(upgraded, new_pack, source_path=path, loaded_at=FIXED_TIME)
    assert await upgraded.fetch_value("SELECT id FROM films WHERE key = 'one'") == film_one_id
    assert await schema.foreign_key_problems(upgraded) == []
    reloaded = await _canonical_dump(upgraded)
    fresh = await open_db("fresh")
    await migrate(fresh)
    await load_pack(fresh, new_pack, source_path=path, loaded_at=FIXED_TIME)
    assert reloaded == await _canonical_dump(fresh)
    assert [row[1] for row in reloaded["films"]] == ["one", "three"]
    assert "max-mustermann" not in {row[1] for row in reloaded["people"]}
    assert "globex" not in {row[1] for row in reloaded["companies"]}


OTHER_PACK = """
[pack]
id = "other-pack"
name = "Other"
version = "1.0.0"

[[source]]
key = "src"
ref = "https://example.org/other"

[[person]]
key = "max-mustermann"
name = "Max Mustermann"

[[film]]
key = "other"
title = "Other Film"
year = 1999
source = "src"

[[film.cast]]
person = "max-mustermann"
order = 1
source = "src"
"""


async def test_people_credited_by_another_pack_survive(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = write_pack(base_pack_text)
    await load_pack(db, parse_pack(base), source_path=base)
    other = write_pack(OTHER_PACK, "other-pack.toml")
    await load_pack(db, parse_pack(other), source_path=other)
    await load_pack(db, parse_pack(base), source_path=base)  # max now belongs to test-pack again
    without_max = base_pack_text.replace(MAX_CAST, "").replace(MAX_PERSON, "")
    await load_pack(db, parse_pack(write_pack(without_max)), source_path=base)
    assert await db.fetch_value("SELECT name FROM people WHERE key = 'max-mustermann'") == "Max Mustermann"
    assert await db.fetch_value("SELECT COUNT(*) FROM films") == 3


async def test_a_pack_cannot_take_over_another_packs_film(
    db: Database, write_pack: WritePack, base_pack_text: str
) -> None:
    base = write_pack(base_pack_text)
    await load_pack(db, parse_pack(base), source_path=base, loaded_at=FIXED_TIME)
    before = await _dump(db)
    thief = write_pack(OTHER_PACK.replace('key = "other"', 'key = "one"'), "thief.toml")
    with pytest.raises(PackConflictError, match='film "one" belongs to pack "test-pack"'):
        await load_pack(db, parse_pack(thief), source_path=thief)
    assert await _dump(db) == before


# ---------------------------------------------------------------- bundled packs


def test_resolve_pack_accepts_paths_and_rejects_unknown_names(write_pack: WritePack, base_pack_text: str) -> None:
    path = write_pack(base_pack_text)
    assert resolve_pack(str(path)) == path
    assert resolve_pack(path) == path
    with pytest.raises(PackNotFoundError, match="neither a bundled pack name nor an existing file"):
        resolve_pack("no-such-pack")
    with pytest.raises(PackNotFoundError, match="no bundled pack"):
        bundled_pack_path("no-such-pack")


@needs_bundled_pack
def test_bundled_pack_is_listed_and_resolvable() -> None:
    assert "mission-impossible" in bundled_pack_names()
    assert resolve_pack("mission-impossible") == bundled_pack_path("mission-impossible")
    assert bundled_pack_path("mission-impossible").samefile(BUNDLED)


@needs_bundled_pack
def test_bundled_pack_has_no_problems() -> None:
    problems = validate_pack(BUNDLED)
    assert problems == [], "\n".join(str(p) for p in problems)
    assert parse_pack(BUNDLED).id == "mission-impossible"


@needs_bundled_pack
async def test_bundled_pack_loads_eight_films_idempotently(db: Database) -> None:
    pack = parse_pack(resolve_pack("mission-impossible"))
    report = await load_pack(db, pack, source_path=pack.path, loaded_at=FIXED_TIME)
    assert report.films == 8
    assert await db.fetch_value("SELECT COUNT(*) FROM films") == 8
    assert await schema.foreign_key_problems(db) == []
    first = await _dump(db)
    await load_pack(db, pack, source_path=pack.path, loaded_at=FIXED_TIME)
    assert await _dump(db) == first


# ---------------------------------------------------------------- real catalogues

CATALOGUE_PACK_FILE = Path(__file__).with_name("catalogue_pack.toml")


@pytest.fixture
def catalogue_text() -> str:
    return CATALOGUE_PACK_FILE.read_text(encoding="utf-8")


def test_catalogue_pack_parses(write_pack: WritePack, catalogue_text: str) -> None:
    pack = parse_pack(write_pack(catalogue_text))
    assert [(s.key, s.name) for s in pack.series] == [
        ("night-shift", "Night Shift"),
        ("harbour-tales", "Harbour Tales"),
    ]
    films = {film.key: film for film in pack.films}
    assert (films["night-shift-4"].series, films["night-shift-4"].franchise_order) == ("night-shift", 4)
    assert (films["harbour-1997"].series, films["harbour-1997"].franchise_order) == (None, None)
    # a remake shares its title with the original; same-year namesakes differ by their IMDb ids
    assert [films[k].title for k in ("harbour-1962", "harbour-1997")] == ["The Harbour"] * 2
    assert films["crossing-a"].title == films["crossing-b"].title
    harbour = films["harbour-1962"]
    assert harbour.genres == ("Drama", "Romance")  # trimmed, in the pack's order
    assert (harbour.wikidata_id, harbour.imdb_id) == ("Q9000201", "tt0000201")
    assert harbour.distributors == ("wide-release", "acme") and harbour.companies == ("acme",)
    assert [(c.country, c.rating, c.source) for c in films["harbour-1997"].certifications] == [
        ("US", "R", ("cat",)),
        ("GB", "15", ("cat",)),
    ]
    ida = next(person for person in pack.people if person.key == "ida-varga")
    assert (ida.imdb_id, ida.tmdb_id, ida.wikidata_id) == ("nm0000101", 501, "Q9000101")


def test_a_franchise_is_the_default_series_of_its_films(write_pack: WritePack, base_pack_text: str) -> None:
    spinoff = '[[series]]\nkey = "spinoffs"\nname = "Spin-offs"\n\n[[source]]'
    text = _replace(base_pack_text, "[[source]]", spinoff)
    text = _replace(text, 'key = "two"\nfranchise_order = 2', 'key = "two"\nseries = "spinoffs"\nfranchise_order = 1')
    pack = parse_pack(write_pack(text))
    assert [(film.series, film.franchise_order) for film in pack.films] == [("test-franchise", 1), ("spinoffs", 1)]


# (description, text to find in the catalogue pack, replacement, expected problem after the file name)
BROKEN_CATALOGUE = [
    ("unknown series", 'series = "night-shift"\nfranchise_order = 4', 'series = "night-shfit"\nfranchise_order = 4',
     'film "night-shift-4" (film[3]) field "series": unknown series "night-shfit" (did you mean "night-shift"?)'),
    ("order twice in one series", "franchise_order = 4", "franchise_order = 1",
     'film "night-shift-4" (film[3]) field "franchise_order": duplicate franchise_order 1 in series "night-shift"'),
    ("series without a place", 'series = "night-shift"\nfranchise_order = 4\n', 'series = "night-shift"\n',
     'film "night-shift-4" (film[3]) field "franchise_order": is required'),
    ("wikidata id", 'wikidata_id = "Q9000201"', 'wikidata_id = "9000201"',
     'film "harbour-1962" (film[0]) field "wikidata_id": must be a Wikidata item id like Q105221'),
    ("person imdb id", 'imdb_id = "nm0000102"', 'imdb_id = "tt0000102"',
     'person "ole-brandt" (person[1]) field "imdb_id": must be an IMDb person id like nm0000129'),
    ("person tmdb id", "tmdb_id = 501", "tmdb_id = 0",
     'person "ida-varga" (person[0]) field "tmdb_id": must be an integer between 1 and 1000000000'),
    ("one imdb id, two films", 'imdb_id = "tt0000302"', 'imdb_id = "tt0000201"',
     'film "crossing-b" (film[5]) field "imdb_id": duplicate imdb_id "tt0000201" (first in film "harbour-1962"'),
    ("one tmdb id, two films", 'key = "crossing-a"', 'key = "crossing-a"\ntmdb_id = 202',
     'film "crossing-a" (film[4]) field "tmdb_id": duplicate tmdb_id "202" (first in film "harbour-1997"'),
    ("one imdb id, two people", 'imdb_id = "nm0000102"', 'imdb_id = "nm0000101"',
     'person "ole-brandt" (person[1]) field "imdb_id": duplicate imdb_id "nm0000101"'),
    ("one wikidata item, a film and a person", 'wikidata_id = "Q9000201"', 'wikidata_id = "Q9000101"',
     'film "harbour-1962" (film[0]) field "wikidata_id": duplicate wikidata_id "Q9000101" (first in person'),
    ("namesakes of one year with no id", 'imdb_id = "tt0000302"\n', "",
     'film "crossing-b" (film[5]) field "title": "Crossing" already names film "crossing-a" (film[4]), of the'),
    ("remake given the original's year", "year = 1997", "year = 1962",
     'film "harbour-1997" (film[1]) field "title": "The Harbour" already names film "harbour-1962"'),
    ("genre twice", 'genres = [" Drama ", "Romance"]', 'genres = [" Drama ", "drama"]',
     'film "harbour-1962" (film[0]) field "genres": lists "drama" more than once'),
    ("genre too long", 'genres = ["Drama"]', f'genres = ["{"x" * 41}"]',
     'film "harbour-1997" (film[1]) field "genres": each item must be at most 40 characters'),
    ("genres not a list", 'genres = ["Drama"]', 'genres = "Drama"',
     'film "harbour-1997" (film[1]) field "genres": must be a list of non-empty strings'),
    ("certification country", 'country = "GB"\nrating = "15"', 'country = "UK"\nrating = "15"',
     'film "harbour-1997" (film[1]) certification[1] field "country": "UK" is not an assigned ISO 3166-1'),
    ("certification twice in a country", 'country = "GB"\nrating = "15"', 'country = "US"\nrating = "15"',
     'film "harbour-1997" (film[1]) certification[1] field "country": duplicate certification in US'),
    ("certification without rating", 'rating = "R"\n', "",
     'film "harbour-1997" (film[1]) certification[0] field "rating": is required'),
    ("certification unknown field", 'rating = "R"', 'rating = "R"\nreason = "violence"',
     'film "harbour-1997" (film[1]) certification[0] field "reason": unknown field'),
    ("unknown distributor", 'distributors = ["wide-release", "acme"]', 'distributors = ["wide-releese"]',
     'film "harbour-1962" (film[0]) field "distributors": unknown company "wide-releese" (did you mean'),
    ("distributor twice", 'distributors = ["wide-release", "acme"]', 'distributors = ["acme", "acme"]',
     'film "harbour-1962" (film[0]) field "distributors": lists "acme" more than once'),
    ("the two-digit-year mistake", 'date = "1962-06-13"', 'date = "2063-06-13"',
     'film "harbour-1962" (film[0]) release[0] field "date": 2063-06-13 is more than 100 years after the film\'s '
     "year 1962: a two-digit year put in the wrong century (a film of 1939 released in 2039)?"),
    ("a release before the film's year", 'date = "1962-06-13"\ntype = 3', 'date = "1961-12-13"\ntype = 3',
     'film "harbour-1962" (film[0]) release[0] field "date": 1961-12-13 is before the film\'s year 1962 '
     "(a premiere or limited release may come a year earlier, no other release)"),
    ("a premiere two years early", 'date = "1996-09-02"', 'date = "1995-09-02"',
     'film "harbour-1997" (film[1]) release[0] field "date": 1995-09-02 is before the film\'s year 1997'),
    ("a year that is no release's", "year = 1962\ngenres", "year = 1960\ngenres",
     'film "harbour-1962" (film[0]) field "year": is 1960 but the earliest release is on 1962-06-13'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "expected"), [case[1:] for case in BROKEN_CATALOGUE], ids=[c[0] for c in BROKEN_CATALOGUE]
)
def test_each_catalogue_problem_names_file_entry_and_field(
    write_pack: WritePack, catalogue_text: str, old: str, new: str, expected: str
) -> None:
    path = write_pack(_replace(catalogue_text, old, new))
    problems = _problems(path)
    assert any(line.startswith(f"test-pack.toml: {expected}") for line in problems), "\n".join(problems)


def _parsed_on(text: str, today: dt.date) -> list[str]:
    """The problems of a pack read on ``today``: what is "far in the future" depends on the day."""
    problems = _Problems("test-pack.toml")
    _PackParser(problems, tomllib.loads(text), today).build(Path("test-pack.toml"), "0" * 64)
    return [str(problem) for problem in problems.items]


def test_dates_far_in_the_future_are_refused(catalogue_text: str) -> None:
    text = _replace(catalogue_text, 'year = 2004\nimdb_id = "tt0000301"', 'year = 2030\nimdb_id = "tt0000301"')
    assert _parsed_on(text, dt.date(2026, 1, 1)) == []
    assert _parsed_on(text, dt.date(2019, 12, 31)) == [
        'test-pack.toml: film "crossing-a" (film[4]) field "year": 2030 is more than 10 years from now: '
        "a two-digit year put in the wrong century (a film of 1939 released in 2039)?"
    ]
    release = '[[film.release]]\ncountry = "US"\ndate = "2041-01-01"\ntype = 4\nsource = "cat"\n'
    later = _replace(
        catalogue_text,
        '[[film.certification]]\ncountry = "US"\nrating = "R"',
        release + '\n[[film.certification]]\ncountry = "US"\nrating = "R"',
    )
    assert _parsed_on(later, dt.date(2031, 1, 1)) == []
    (problem,) = _parsed_on(later, dt.date(2030, 12, 31))
    assert 'release[2] field "date": 2041-01-01 is more than 10 years from now' in problem


def test_milestones_refuse_the_two_digit_year_mistake(catalogue_text: str) -> None:
    def with_milestone(date: str) -> str:
        milestone = (
            f'[[film.milestone]]\nkind = "trailer"\ndate = "{date}"\ndescription = "A trailer."\nsource = "cat"\n\n'
        )
        return _replace(
            catalogue_text,
            '[[film.certification]]\ncountry = "US"\nrating = "Approved"',
            milestone + '[[film.certification]]\ncountry = "US"\nrating = "Approved"',
        )

    assert _parsed_on(with_milestone("1961-11"), dt.date(2026, 1, 1)) == []  # a trailer before the release
    (problem,) = _parsed_on(with_milestone("2063"), dt.date(2026, 1, 1))
    assert 'milestone[0] field "date": 2063 is more than 100 years after the film\'s year 1962: a two-digit' in problem
    (problem,) = _parsed_on(with_milestone("2040-05"), dt.date(2026, 1, 1))
    assert 'milestone[0] field "date": 2040-05 is more than 10 years from now' in problem


def test_premiere_a_year_early_is_tolerated_but_no_other_release(write_pack: WritePack, catalogue_text: str) -> None:
    assert validate_pack(write_pack(catalogue_text)) == []  # harbour-1997 premiered in 1996
    limited = _replace(catalogue_text, 'date = "1996-09-02"\ntype = 1', 'date = "1996-12-20"\ntype = 2')
    assert validate_pack(write_pack(limited)) == []
    theatrical = _replace(catalogue_text, 'date = "1996-09-02"\ntype = 1', 'date = "1996-12-20"\ntype = 3')
    (problem,) = _problems(write_pack(theatrical))
    assert 'release[0] field "date": 1996-12-20 is before the film\'s year 1997' in problem


async def test_a_catalogue_pack_loads_idempotently(db: Database, catalogue_text: str, write_pack: WritePack) -> None:
    pack = parse_pack(write_pack(catalogue_text))
    await load_pack(db, pack, source_path=pack.path, loaded_at=FIXED_TIME)
    first = await _dump(db)
    assert len(first["film_genres"]) == 5 and len(first["film_certifications"]) == 3
    assert sorted(row[2] for row in first["film_companies"]) == ["distribution", "distribution", "production"]
    await load_pack(db, pack, source_path=pack.path, loaded_at=FIXED_TIME)
    assert await _dump(db) == first
    assert await schema.foreign_key_problems(db) == []


def test_every_pack_in_the_format_docs_is_valid(write_pack: WritePack) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "content-packs.md"
    examples = docs.read_text(encoding="utf-8").split("```toml\n")[1:]
    assert len(examples) >= 2
    for number, example in enumerate(examples):
        path = write_pack(example.split("```")[0], f"example-{number}.toml")
        assert validate_pack(path) == [], f"example {number}"
