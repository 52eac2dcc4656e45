"""The TMDB simulator, driven with plain aiohttp as any client would."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from tests.tmdb_sim import TmdbSim, TmdbWorld
from tests.tmdb_sim.spec import examples_of, find_spec, load_spec

NOT_FOUND = {"success": False, "status_code": 34, "status_message": "The resource you requested could not be found."}
UNAUTHORISED = {
    "success": False,
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
}
needs_spec = pytest.mark.skipif(find_spec() is None, reason="TMDB's OpenAPI description is not available")


async def _get(
    sim: TmdbSim,
    path: str,
    *,
    token: str | None = "valid",
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    **more: Any,
) -> tuple[int, CIMultiDict[str], bytes]:
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {sim.token if token == 'valid' else token}"
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            sim.api_url + path, params={k: str(v) for k, v in {**(params or {}), **more}.items()}, headers=sent
        ) as resp,
    ):
        return resp.status, resp.headers.copy(), await resp.read()


async def _json(sim: TmdbSim, path: str, **params: Any) -> Any:
    status, _, body = await _get(sim, path, **params)
    assert status == 200, body
    return json.loads(body)


def _fight_club(world: TmdbWorld) -> None:
    world.add_movie(
        550,
        "Fight Club",
        release_date="1999-10-15",
        overview="An insomniac and a soap salesman.",
        tagline="Mischief. Mayhem. Soap.",
        runtime=139,
        genres=[(18, "Drama")],
        imdb_id="tt0137523",
        wikidata_id="Q190050",
        poster_path="/p.jpg",
        cast=[(819, "Edward Norton", "The Narrator"), (287, "Brad Pitt", "Tyler Durden")],
        crew=[(7467, "David Fincher", "Directing", "Director")],
        releases={"US": [(1, "1999-09-21", "CMJ Film Festival", ""), (3, "1999-10-15", "", "R")]},
        alternative_titles=[("FR", "Le Club", ""), ("DE", "Der Club", "")],
        translations=[("fr", "FR", {"title": "Le Club", "overview": "Un insomniaque.", "tagline": ""})],
    )


@needs_spec
async def test_details_carry_the_film_and_nothing_of_the_example(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    tmdb_sim.world.add_movie(7, "Other", release_date="2001-01-01")
    film = await _json(tmdb_sim, "/movie/550")
    assert (film["id"], film["title"], film["runtime"], film["imdb_id"]) == (550, "Fight Club", 139, "tt0137523")
    assert film["genres"] == [{"id": 18, "name": "Drama"}]
    assert film["tagline"] == "Mischief. Mayhem. Soap."
    assert film["belongs_to_collection"] is None
    spec = load_spec()
    assert spec is not None
    assert set(film) == set(spec.example("/3/movie/{movie_id}"))
    other = (await _get(tmdb_sim, "/movie/7"))[2].decode()
    for leak in ("Fight Club", "tt0137523", "foxmovies", "Regency"):
        assert leak not in other


async def test_missing_and_null_fields(tmdb_sim: TmdbSim) -> None:
    tmdb_sim.world.add_movie(1, "Bare", missing=("tagline",), nulls=("runtime", "imdb_id"), imdb_id="tt1")
    film = await _json(tmdb_sim, "/movie/1")
    assert "tagline" not in film
    assert film["runtime"] is None and film["imdb_id"] is None
    ids = await _json(tmdb_sim, "/movie/1/external_ids")
    assert ids["imdb_id"] is None


async def test_append_to_response_matches_each_endpoint(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    names = ["credits", "release_dates", "alternative_titles", "translations", "external_ids"]
    film = await _json(tmdb_sim, "/movie/550", append_to_response=",".join(names), language="en-US")
    for name in names:
        own = await _json(tmdb_sim, f"/movie/550/{name}")
        assert own.pop("id") == 550
        assert film[name] == own
    assert [c["name"] for c in film["credits"]["cast"]] == ["Edward Norton", "Brad Pitt"]
    assert [c["order"] for c in film["credits"]["cast"]] == [0, 1]
    assert film["credits"]["crew"][0]["job"] == "Director"
    us = film["release_dates"]["results"][0]
    assert us["iso_3166_1"] == "US"
    assert [(r["type"], r["release_date"], r["certification"]) for r in us["release_dates"]] == [
        (1, "1999-09-21T00:00:00.000Z", ""),
        (3, "1999-10-15T00:00:00.000Z", "R"),
    ]
    assert film["external_ids"]["wikidata_id"] == "Q190050"
    assert film["translations"]["translations"][0]["data"]["title"] == "Le Club"


async def test_language_and_alternative_titles_by_country(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    film = await _json(tmdb_sim, "/movie/550", language="fr-FR")
    assert (film["title"], film["overview"], film["tagline"]) == (
        "Le Club",
        "Un insomniaque.",
        "Mischief. Mayhem. Soap.",
    )
    titles = await _json(tmdb_sim, "/movie/550/alternative_titles", country="DE")
    assert titles["titles"] == [{"iso_3166_1": "DE", "title": "Der Club", "type": ""}]


async def test_etag_gives_304_until_the_film_changes(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    status, headers, body = await _get(tmdb_sim, "/movie/550")
    etag = headers["ETag"]
    assert status == 200 and etag.startswith('"')
    status, headers, body = await _get(tmdb_sim, "/movie/550", headers={"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, b"", etag)
    tmdb_sim.world.rename(550, "Fight Club (Director's Cut)")
    status, headers, body = await _get(tmdb_sim, "/movie/550", headers={"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    assert json.loads(body)["title"] == "Fight Club (Director's Cut)"
    assert [r.if_none_match for r in tmdb_sim.requests_to("/3/movie/550")] == [None, etag, etag]
    assert [r.status for r in tmdb_sim.requests_to("/3/movie/550")] == [200, 304, 200]


async def test_auth_missing_wrong_and_revoked(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    for token in (None, "not-the-token"):
        status, _, body = await _get(tmdb_sim, "/movie/550", token=token)
        assert (status, json.loads(body)) == (401, UNAUTHORISED)
    assert (await _get(tmdb_sim, "/movie/550"))[0] == 200
    tmdb_sim.revoke()
    status, _, body = await _get(tmdb_sim, "/configuration")
    assert (status, json.loads(body)) == (401, UNAUTHORISED)


async def test_unknown_ids_are_404(tmdb_sim: TmdbSim) -> None:
    for path in ("/movie/999", "/movie/999/credits", "/collection/999"):
        status, _, body = await _get(tmdb_sim, path)
        assert (status, json.loads(body)) == (404, NOT_FOUND)


async def test_429_with_retry_after_then_5xx_then_success(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    tmdb_sim.fail("/3/movie/550", status=429, times=1, retry_after=1)
    tmdb_sim.fail("/3/movie/550", status=503, times=2)
    status, headers, body = await _get(tmdb_sim, "/movie/550/credits")
    assert (status, headers["Retry-After"], json.loads(body)["status_code"]) == (429, "1", 25)
    assert [(await _get(tmdb_sim, "/movie/550"))[0] for _ in range(3)] == [503, 503, 200]
    assert (await _get(tmdb_sim, "/movie/5501"))[0] == 404  # a prefix stops at a path segment


async def test_malformed_body(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    tmdb_sim.malformed("/3/movie/550")
    status, _, body = await _get(tmdb_sim, "/movie/550")
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert json.loads((await _get(tmdb_sim, "/movie/550"))[2])["id"] == 550


async def test_hang_makes_the_client_time_out(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    tmdb_sim.hang("/3/movie/550", times=1, seconds=30)
    timeout = aiohttp.ClientTimeout(total=0.3)
    headers = {"Authorization": f"Bearer {tmdb_sim.token}"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
        with pytest.raises(asyncio.TimeoutError):
            async with session.get(tmdb_sim.api_url + "/movie/550") as resp:
                await resp.read()
        async with session.get(tmdb_sim.api_url + "/movie/550") as resp:
            assert resp.status == 200
    assert [r.status for r in tmdb_sim.requests_to("/3/movie/550")] == [0, 200]


async def test_changes_window(tmdb_sim: TmdbSim) -> None:
    world = tmdb_sim.world
    for movie_id in (1, 2, 3):
        world.add_movie(movie_id, f"Film {movie_id}")
    world.now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    world.touch(1)
    world.now = datetime(2026, 3, 10, 8, tzinfo=UTC)
    world.move_release(2, "US", type=3, new_date="2027-05-01")
    world.rename(1, "Film One")
    world.now = datetime(2026, 3, 20, tzinfo=UTC)
    world.touch(3)

    async def ids(**params: str) -> list[int]:
        return [r["id"] for r in (await _json(tmdb_sim, "/movie/changes", **params))["results"]]

    assert await ids(start_date="2026-03-01", end_date="2026-03-09") == [1]
    assert sorted(await ids(start_date="2026-03-10", end_date="2026-03-10")) == [1, 2]
    assert await ids(start_date="2026-03-11", end_date="2026-03-19") == []
    assert await ids() == [3]  # the last day up to world.now by default
    page = await _json(tmdb_sim, "/movie/changes", start_date="2026-03-01", end_date="2026-03-15")
    assert page["page"] == 1 and page["total_results"] == 2 and page["results"][0]["adult"] is False
    status, _, body = await _get(tmdb_sim, "/movie/changes", start_date="2026-02-01", end_date="2026-03-15")
    assert (status, json.loads(body)["status_code"]) == (400, 20)
    assert ["longer than 14 days" in p for p in tmdb_sim.take_problems()] == [True]
    release = (await _json(tmdb_sim, "/movie/2/release_dates"))["results"][0]["release_dates"]
    assert [(r["type"], r["release_date"]) for r in release] == [(3, "2027-05-01T00:00:00.000Z")]


async def test_search_pages_of_twenty(tmdb_sim: TmdbSim) -> None:
    for n in range(45):
        tmdb_sim.world.add_movie(100 + n, f"Night Train {n}", release_date=f"{1980 + n % 3}-05-01")
    tmdb_sim.world.add_movie(99, "Daylight", original_title="Le train de nuit", release_date="1990-01-01")
    pages = [await _json(tmdb_sim, "/search/movie", query="NIGHT train", page=p) for p in (1, 2, 3, 4)]
    assert [len(p["results"]) for p in pages] == [20, 20, 5, 0]
    assert {(p["total_pages"], p["total_results"]) for p in pages} == {(3, 45)}
    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    assert len({r["id"] for p in pages for r in p["results"]}) == 45
    found = await _json(tmdb_sim, "/search/movie", query="train de nuit")
    assert [r["id"] for r in found["results"]] == [99]
    by_year = await _json(tmdb_sim, "/search/movie", query="night train", year="1981")
    assert by_year["total_results"] == 15
    status, _, body = await _get(tmdb_sim, "/search/movie", query="x", page=501)
    assert (status, json.loads(body)["status_code"]) == (400, 22)
    assert len(tmdb_sim.take_problems()) == 1


@needs_spec
async def test_a_wrong_request_is_a_problem_and_a_400(tmdb_sim: TmdbSim) -> None:
    _fight_club(tmdb_sim.world)
    wrong = [
        ("/movie/550", {"api_key": "k"}, "unknown query parameter 'api_key'"),
        ("/movie/550/release_dates", {"language": "en-US"}, "unknown query parameter 'language'"),
        ("/movie/abc", {}, "movie_id='abc' is not an integer"),
        ("/search/movie", {}, "required query parameter 'query' is missing"),
        ("/search/movie", {"query": "x", "include_adult": "yes"}, "not a boolean"),
        ("/movie/changes", {"start_date": "01/03/2026"}, "not a date"),
        ("/no/such/path", {}, "no such path"),
        ("/movie/550/images", {}, "not served by the simulator"),
        ("/movie/550", {"append_to_response": "videos"}, "is not simulated"),
    ]
    for path, params, expected in wrong:
        status, _, body = await _get(tmdb_sim, path, params=params)
        assert status == 400, path
        assert json.loads(body)["success"] is False
        problems = tmdb_sim.take_problems()
        assert len(problems) == 1 and expected in problems[0], (path, problems)


@needs_spec
async def test_an_answer_off_the_schema_is_a_problem(tmdb_sim: TmdbSim) -> None:
    movie = tmdb_sim.world.add_movie(1, "Shapeless")
    movie.runtime = "long"  # type: ignore[assignment]
    movie.genres = [(18, 42)]  # type: ignore[list-item]
    await _json(tmdb_sim, "/movie/1")
    problems = tmdb_sim.take_problems()
    assert any("/runtime" in p for p in problems) and any("/genres/0/name" in p for p in problems), problems


async def test_a_thirty_film_collection_validates(tmdb_sim: TmdbSim) -> None:
    films = tmdb_sim.world.make_collection(1000, "Test Saga", count=30, first_year=1990)
    assert len(films) == 30
    collection = await _json(tmdb_sim, "/collection/1000")
    parts = collection["parts"]
    assert sorted(p["id"] for p in parts) == [m.id for m in films]
    assert [p["release_date"] for p in parts] != sorted(p["release_date"] for p in parts)
    assert all(p["title"] and p["media_type"] == "movie" for p in parts)
    everything = "credits,release_dates,alternative_titles,translations,external_ids"
    for movie in films:
        film = await _json(tmdb_sim, f"/movie/{movie.id}", append_to_response=everything)
        assert film["belongs_to_collection"]["id"] == 1000
        jobs = {c["job"] for c in film["credits"]["crew"]}
        assert {"Director", "Screenplay", "Original Music Composer", "Producer"} <= jobs
        countries = {r["iso_3166_1"] for r in film["release_dates"]["results"]}
        assert countries == {"US", "GB", "FR"}
    assert tmdb_sim.problems == []
    again = TmdbWorld().make_collection(1000, "Test Saga", count=30, first_year=1990)
    assert again == films


def test_the_simulator_runs_in_its_own_thread() -> None:
    world = TmdbWorld()
    world.add_movie(550, "Fight Club")
    with TmdbSim(world) as sim:
        request = urllib.request.Request(sim.api_url + "/movie/550", headers={"Authorization": f"Bearer {sim.token}"})
        with urllib.request.urlopen(request, timeout=5) as resp:
            assert json.loads(resp.read())["title"] == "Fight Club"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(sim.api_url + "/movie/550", timeout=5)
        assert refused.value.code == 401
    assert sim.problems == []


async def test_without_the_spec_the_simulator_still_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_TMDB_SPEC", "/nonexistent/openapi.json")
    assert find_spec() is None
    world = TmdbWorld()
    world.add_movie(550, "Fight Club", cast=[(819, "Edward Norton", "The Narrator")])
    async with TmdbSim(world, spec=False) as sim:
        film = await _json(sim, "/movie/550", append_to_response="credits")
        assert film["credits"]["cast"][0]["character"] == "The Narrator"
        config = await _json(sim, "/configuration")
        assert config["images"]["secure_base_url"].startswith("https://")
        assert (await _get(sim, "/movie/550", page="x"))[0] == 200  # no spec: parameters are not checked
        assert sim.problems == []


def test_the_spec_is_found_by_env_first(tmp_path: Any) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text("{}")
    assert find_spec({"MARQUEE_TMDB_SPEC": str(spec)}) == spec
    assert find_spec({"MARQUEE_TMDB_SPEC": str(tmp_path / "missing.json")}) is None


async def test_time_moves_only_when_a_test_moves_it() -> None:
    world = TmdbWorld(now=datetime(2026, 1, 1, tzinfo=UTC))
    world.add_movie(1, "A")
    world.touch(1)
    world.now += timedelta(days=1)
    world.touch(1)
    assert [when for _, when in world.changes] == [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)]


def test_examples_are_read_as_json_strings_or_objects() -> None:
    operation = {
        "responses": {
            "200": {
                "content": {
                    "application/json": {
                        "examples": {"A": {"value": '{"id": 1}'}, "B": {"value": {"id": 2}}},
                        "example": {"id": 3},
                    }
                }
            }
        }
    }
    assert examples_of(operation) == [{"id": 1}, {"id": 2}, {"id": 3}]
