"""TMDB's answers as a pack: TMDB's own example answers (from its OpenAPI description) and variations
of them become packs that the real validator accepts, with every fix reported."""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.tmdb import NOTICE
from bot.tmdb.document import (
    Answers,
    ImportRequest,
    Names,
    build_document,
    default_pack_table,
    known_names,
    slug,
)
from bot.tmdb.pack_file import (
    apply_overrides,
    bumped,
    differences,
    edited_by_hand,
    overrides_path,
    pack_text,
)
from db import parse_pack
from tests.tmdb_sim.spec import examples_of, find_spec

SPEC = find_spec()
FETCHED = dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC)
APPENDED = ("credits", "release_dates", "alternative_titles", "translations", "external_ids")

pytestmark = pytest.mark.skipif(SPEC is None, reason="TMDB's OpenAPI description is not beside the repository")


@cache
def _spec() -> dict[str, Any]:
    assert SPEC is not None
    return dict(json.loads(SPEC.read_text(encoding="utf-8")))


def example(path: str) -> dict[str, Any]:
    """TMDB's own example answer for GET `path`."""
    (answer,) = examples_of(_spec()["paths"][path]["get"])
    return copy.deepcopy(dict(answer))


def fight_club() -> dict[str, Any]:
    """/3/movie/550 with everything an import appends, as TMDB's examples give it."""
    answer = example("/3/movie/{movie_id}")
    for name in APPENDED:
        answer[name] = example(f"/3/movie/{{movie_id}}/{name}")
    return answer


def answers(*films: dict[str, Any], collections: list[dict[str, Any]] | None = None) -> Answers:
    return Answers(example("/3/configuration"), collections or [], list(films))


def written(tmp_path: Path, document: dict[str, Any], name: str = "pack.toml") -> Path:
    path = tmp_path / name
    path.write_text(pack_text(document, overrides=overrides_path(path)), encoding="utf-8")
    return path


def build(*films: dict[str, Any], names: Names | None = None, **request: Any) -> tuple[dict[str, Any], list[str]]:
    found = answers(*films)
    built = build_document(
        found, ImportRequest(**request), default_pack_table(found, None), fetched=FETCHED, names=names
    )
    return built.document, built.notes


def test_tmdbs_example_film_becomes_a_valid_pack_with_every_fact_sourced(tmp_path: Path) -> None:
    document, _ = build(fight_club(), movies=(550,))
    pack = parse_pack(written(tmp_path, document))
    (film,) = pack.films
    assert (film.title, film.year, film.tmdb_id, film.imdb_id) == ("Fight Club", 1999, 550, "tt0137523")
    assert film.source == ("tmdb-movie-550",)
    assert {source.ref for source in pack.sources} == {"https://www.themoviedb.org/movie/550"}
    names = {person.key: person.name for person in pack.people}
    cast = [(names[credit.person], credit.character, credit.order) for credit in film.cast]
    assert cast[:2] == [("Edward Norton", "The Narrator", 1), ("Brad Pitt", "Tyler Durden", 2)]
    assert len(cast) == ImportRequest.cast_limit
    directors = [names[c.person] for c in film.crew if c.job == "Director"]
    assert directors == ["David Fincher"]
    us = sorted((r.type, r.date.isoformat(), r.note) for r in film.releases if r.country == "US")
    assert (1, "1999-09-21", "CMJ Film Festival") in us
    assert {c.country: c.rating for c in film.certifications}["US"] == "R"
    assert "Drama" in film.genres
    assert document["film"][0]["poster"] == "https://image.tmdb.org/t/p/w342/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg"
    aliases = document["film"][0]["alias"]
    assert {"title": "Boytsovskiy klub", "kind": "alternative", "country": "RU", "source": "tmdb-movie-550"} in aliases
    assert any(a["kind"] == "translation" and a.get("language") == "pl" for a in aliases)
    assert NOTICE in written(tmp_path, document).read_text(encoding="utf-8")


def test_a_collection_is_the_franchise_in_release_order(tmp_path: Path) -> None:
    collection = example("/3/collection/{collection_id}")
    parts = collection["parts"][:3]
    collection["parts"] = list(reversed(parts))
    films = []
    for part in parts:
        film = fight_club()
        film.update(id=part["id"], title=part["name"], original_title=part["name"], imdb_id=None)
        film["external_ids"] = {}
        film["release_date"] = part["release_date"]
        day = part["release_date"] + "T00:00:00.000Z"
        film["release_dates"] = {"results": [{"iso_3166_1": "US", "release_dates": [_release(3, day)]}]}
        film["alternative_titles"] = film["translations"] = {}
        films.append(film)
    found = answers(*films, collections=[collection])
    request = ImportRequest(collections=(collection["id"],))
    built = build_document(found, request, default_pack_table(found, None), fetched=FETCHED)
    pack = parse_pack(written(tmp_path, built.document))
    assert pack.franchise is not None and pack.franchise.name == "Star Wars"
    order = [film.title for film in sorted(pack.films, key=lambda film: film.franchise_order or 0)]
    assert order == [part["name"] for part in sorted(parts, key=lambda part: part["release_date"])]
    assert pack.id == "star-wars-tmdb"


def _release(kind: int, day: str, country_note: str = "", certification: str = "") -> dict[str, Any]:
    return {"certification": certification, "descriptors": [], "iso_639_1": "", "note": country_note,
            "release_date": day, "type": kind}  # fmt: skip


def test_missing_and_null_fields_leave_those_facts_out(tmp_path: Path) -> None:
    film = fight_club()
    for name in ("runtime", "imdb_id", "tagline", "poster_path", "backdrop_path"):
        film[name] = None
    film["overview"] = ""
    del film["genres"], film["credits"], film["translations"], film["external_ids"]
    film["production_companies"] = None
    document, _ = build(film, movies=(550,))
    (parsed,) = parse_pack(written(tmp_path, document)).films
    assert (parsed.runtime, parsed.imdb_id, parsed.synopsis, parsed.tagline, parsed.cast) == (None,) * 4 + ((),)
    assert "poster" not in document["film"][0]


def test_a_film_without_a_us_release_keeps_its_other_countries(tmp_path: Path) -> None:
    film = fight_club()
    film["release_dates"]["results"] = [c for c in film["release_dates"]["results"] if c["iso_3166_1"] != "US"]
    document, _ = build(film, movies=(550,))
    (parsed,) = parse_pack(written(tmp_path, document)).films
    assert parsed.releases and "US" not in {r.country for r in parsed.releases}


def test_dates_the_pack_format_refuses_are_fixed_or_left_out_and_reported(tmp_path: Path) -> None:
    film = fight_club()
    film["release_date"] = "2001-03-01"  # TMDB's year disagrees with the releases (first shown in 1999)
    film["release_dates"]["results"].append(
        {"iso_3166_1": "XC", "release_dates": [_release(3, "1999-12-01T00:00:00.000Z")]}
    )
    film["release_dates"]["results"].append(
        {"iso_3166_1": "FR", "release_dates": [_release(6, "2130-01-01T00:00:00.000Z")]}
    )
    document, notes = build(film, movies=(550,))
    (parsed,) = parse_pack(written(tmp_path, document)).films
    assert parsed.year == 1999
    assert any("year 2001 from TMDB does not fit" in note for note in notes)
    assert any("XC" in note for note in notes)
    assert any("left out" in note and "release" in note for note in notes)
    assert max(r.date.year for r in parsed.releases) < 2100


def test_an_actor_listed_twice_is_one_credit_naming_both_characters(tmp_path: Path) -> None:
    film = fight_club()
    twice = copy.deepcopy(film["credits"]["cast"][1])
    twice.update(character="Narrator's Voice", order=1)
    film["credits"]["cast"].insert(2, twice)
    document, _ = build(film, movies=(550,), cast_limit=3)
    cast = document["film"][0]["cast"]
    assert [entry["order"] for entry in cast] == [1, 2, 3]
    assert cast[1]["character"] == "Tyler Durden / Narrator's Voice"
    parse_pack(written(tmp_path, document))


def test_a_renamed_film_keeps_the_key_an_earlier_import_gave_it(tmp_path: Path) -> None:
    first, _ = build(fight_club(), movies=(550,))
    renamed = fight_club()
    renamed["title"] = "Fight Club: Director's Cut"
    again, _ = build(renamed, movies=(550,), names=known_names(first))
    assert again["film"][0]["key"] == first["film"][0]["key"] == "fight-club-1999"
    assert "~ Fight Club: renamed Fight Club: Director's Cut" in differences(first, again)


def test_two_films_of_one_year_never_share_an_alias(tmp_path: Path) -> None:
    one, two = fight_club(), fight_club()
    two.update(id=551, title="Fight Club Returns", imdb_id="tt0137524")
    two["external_ids"] = {"id": 551, "imdb_id": "tt0137524"}
    document, notes = build(one, two, movies=(550, 551))
    parse_pack(written(tmp_path, document))
    assert any("left out, fight-club-1999 has it too" in note for note in notes)


def test_slugs_are_ascii_and_never_empty_keys(tmp_path: Path) -> None:
    assert slug("Emmanuelle Béart") == "emmanuelle-beart"
    assert slug("屍城") == ""
    film = fight_club()
    film.update(title="屍城", original_title="屍城")
    document, _ = build(film, movies=(550,))
    assert document["film"][0]["key"] == "tmdb-550"
    parse_pack(written(tmp_path, document))


def test_a_file_edited_by_hand_is_noticed() -> None:
    document, _ = build(fight_club(), movies=(550,))
    text = pack_text(document, overrides=None)
    assert not edited_by_hand(text)
    assert edited_by_hand(text.replace("Fight Club", "Fight Club!", 1))
    assert edited_by_hand(text.split("\n", 1)[1])


def test_overrides_replace_fields_drop_films_and_add_questions(tmp_path: Path) -> None:
    two = fight_club()
    two.update(id=551, title="Another Club", release_date="2003-01-01", imdb_id="tt0137524")
    two["external_ids"] = {"id": 551, "imdb_id": "tt0137524"}
    day = "2003-01-01T00:00:00.000Z"
    two["release_dates"] = {"results": [{"iso_3166_1": "US", "release_dates": [_release(3, day)]}]}
    document, _ = build(fight_club(), two, movies=(550, 551))
    overrides = {
        "pack": {"name": "Our club"},
        "film": [
            {"key": "fight-club-1999", "synopsis": "Our own words.", "aliases": ["FC"]},
            {"tmdb_id": 551, "drop": True},
        ],
        "trivia": [
            {"key": "fc-director", "film": "fight-club-1999", "question": "Who directed Fight Club?",
             "answers": ["David Fincher"], "wrong": ["Ridley Scott", "Tony Scott", "Ang Lee"],
             "difficulty": "easy", "category": "crew", "source": "tmdb-movie-550"},
        ],
    }  # fmt: skip
    notes = apply_overrides(document, overrides, "pack.overrides.toml")
    assert notes == ["pack.overrides.toml: film another-club-2003 left out by hand"]
    pack = parse_pack(written(tmp_path, document))
    (film,) = pack.films
    assert (pack.name, film.synopsis, film.aliases) == ("Our club", "Our own words.", ("FC",))
    assert [question.key for question in pack.trivia] == ["fc-director"]


def test_differences_name_moved_dates_cast_changes_and_new_films() -> None:
    before, _ = build(fight_club(), movies=(550,))
    moved = fight_club()
    for country in moved["release_dates"]["results"]:
        if country["iso_3166_1"] == "IE":
            country["release_dates"][0]["release_date"] = "1999-12-24T00:00:00.000Z"
    moved["credits"]["cast"].pop(0)
    extra = fight_club()
    extra.update(id=552, title="Club Three", release_date="2005-05-05", imdb_id="tt0137525")
    extra["external_ids"] = {"id": 552}
    extra["release_dates"] = {"results": []}
    after, _ = build(moved, extra, movies=(550, 552))
    lines = differences(before, after)
    assert "~ Fight Club: IE theatrical release 1999-11-12 → 1999-12-24" in lines
    assert any(line.startswith("~ Fight Club: cast +1") and "-1 (edward-norton)" in line for line in lines)
    assert "+ film Club Three (2005)" in lines
    assert differences(before, copy.deepcopy(before)) == []


def test_versions_go_up_by_one_patch() -> None:
    assert bumped("1.0.0") == "1.0.1"
    assert bumped("2.3.9") == "2.3.10"
    assert bumped("odd") == "odd"


def test_translated_synopses_become_film_translations(tmp_path: Path) -> None:
    film = fight_club()
    document, _ = build(film, movies=(550,))
    (parsed,) = parse_pack(written(tmp_path, document)).films
    by_place = {(t.language, t.country): t for t in parsed.translations}
    overviews = {
        (t["iso_639_1"], t["iso_3166_1"]): t["data"]["overview"]
        for t in film["translations"]["translations"]
        if t["data"].get("overview")
    }
    # Every other language's synopsis, tagged with its country; never the film's own synopsis again.
    assert by_place[("de", "DE")].synopsis == overviews[("de", "DE")].strip()
    assert by_place[("es", "MX")].synopsis == overviews[("es", "MX")].strip()
    assert all(t.synopsis != parsed.synopsis for t in parsed.translations)
    assert ("en", "US") not in by_place
    assert all(t.title is None and t.source == ("tmdb-movie-550",) for t in parsed.translations)
