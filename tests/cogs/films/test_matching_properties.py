"""Properties of the matcher over generated catalogues and generated queries."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.films.search.films import FilmIndex
from cogs.films.search.index import MAX_CANDIDATES, Match
from cogs.films.search.people import PersonIndex
from cogs.films.search.text import normalise, normalise_answer, numbers_in
from db.repositories.models import Film, FilmSummary, FilmTitle, Person

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Titles as packs and users write them: words, numbers, Roman numerals, emoji,
# Markdown, other scripts, and now and then something very long.
WORDS = st.sampled_from(
    [
        "Mission", "Impossible", "Ghost", "Protocol", "Dead", "Reckoning", "Part", "One", "Two", "III", "IV",
        "the", "a", "Fallout", "Rogue", "Nation", "Star", "Saga", "Return", "Night", "2", "3", "7", "1996",
        "**bold**", "_it_", "`code`", "||spoiler||", "🎬", "🍿", "Amélie", "Ça", "東京", "Straße", "&", "–", ":",
    ]
)  # fmt: skip
TITLE = st.one_of(
    st.lists(WORDS, min_size=1, max_size=8).map(" ".join),
    st.text(min_size=1, max_size=40),
    st.text(min_size=101, max_size=400),
)
KEY = st.from_regex(r"[a-z0-9][a-z0-9-]{0,149}", fullmatch=True)
QUERY = st.one_of(st.text(max_size=120), st.lists(WORDS, max_size=6).map(" ".join), TITLE)


@st.composite
def catalogues(draw: st.DrawFn) -> tuple[list[Film], list[FilmTitle]]:
    """A few films with unique keys, titles, aliases and maybe a franchise."""
    count = draw(st.integers(min_value=1, max_value=12))
    keys = draw(st.lists(KEY, min_size=count, max_size=count, unique=True))
    franchise = draw(st.one_of(st.none(), st.sampled_from(["Mission: Impossible", "Star Saga", "🎬 Cinema"])))
    films: list[Film] = []
    titles: list[FilmTitle] = []
    for film_id, key in enumerate(keys, start=1):
        title = draw(TITLE)
        year = draw(st.integers(min_value=1870, max_value=2100))
        order = film_id if franchise else None
        films.append(
            Film(film_id, key, title, title, year, None, franchise, order, None, None, None, None, None, "p", "")
        )
        titles.append(FilmTitle(film_id, title, "title"))
        titles.extend(FilmTitle(film_id, alias, "alias") for alias in draw(st.lists(TITLE, max_size=3)))
    return films, titles


def _check_shape(match: Match[object]) -> None:
    assert match.status in {"found", "ambiguous", "none"}
    assert len(match.candidates) <= MAX_CANDIDATES
    if match.status == "found":
        assert match.best is not None and match.best is match.candidates[0].item
    else:
        assert match.best is None
    if match.status == "ambiguous":
        assert len({id(candidate.item) for candidate in match.candidates}) >= 2
    assert all(0 <= candidate.score <= 100 for candidate in match.candidates)


@SETTINGS
@given(catalogue=catalogues(), queries=st.lists(QUERY, min_size=1, max_size=5))
def test_any_query_on_any_catalogue_is_safe(catalogue: tuple[list[Film], list[FilmTitle]], queries: list[str]) -> None:
    films, titles = catalogue
    index = FilmIndex.build(films, titles)
    for query in ["", *queries]:
        _check_shape(index.resolve(query))
        for limit in (25, 3):
            choices = index.complete(query, limit=limit)
            assert len(choices) <= limit
            for choice in choices:
                assert 0 < len(choice.label) <= 100
                assert 0 < len(choice.value) <= 100
                # A picked choice always comes back as its own film.
                assert index.resolve(choice.value).best is index.get(choice.value)
                assert index.get(choice.value) is not None


@SETTINGS
@given(catalogue=catalogues())
def test_empty_query_lists_up_to_25_films_in_franchise_order(catalogue: tuple[list[Film], list[FilmTitle]]) -> None:
    films, titles = catalogue
    index = FilmIndex.build(films, titles)
    choices = index.complete("")
    assert len(choices) == min(25, len(films))
    by_value = {choice.value: index.get(choice.value) for choice in choices}
    orders = [film.franchise_order for film in by_value.values() if film is not None]
    if all(order is not None for order in orders):
        assert orders == sorted(orders)  # type: ignore[type-var]


@SETTINGS
@given(catalogue=catalogues())
def test_every_unshared_title_and_alias_resolves_to_its_film(catalogue: tuple[list[Film], list[FilmTitle]]) -> None:
    films, titles = catalogue
    index = FilmIndex.build(films, titles)
    owners: dict[str, set[int]] = {}
    for title in titles:
        owners.setdefault(normalise_answer(title.title), set()).add(title.film_id)
    folded_keys = {film.key.casefold() for film in films}
    for title in titles:
        name_key = normalise_answer(title.title)
        if not name_key or len(owners[name_key]) > 1 or title.title.strip().casefold() in folded_keys:
            continue
        match = index.resolve(title.title)
        assert match.status == "found", (title, match)
        assert match.best is not None and match.best.id == title.film_id, (title, match)


@SETTINGS
@given(
    catalogue=catalogues(),
    number=st.integers(min_value=0, max_value=3000),
    words=st.lists(WORDS, max_size=4),
    spelling=st.sampled_from(["digits", "roman", "word"]),
)
def test_a_number_never_resolves_to_a_film_without_it(
    catalogue: tuple[list[Film], list[FilmTitle]], number: int, words: list[str], spelling: str
) -> None:
    films, titles = catalogue
    index = FilmIndex.build(films, titles)
    names: dict[int, list[str]] = {}
    for title in titles:
        names.setdefault(title.film_id, []).append(title.title)
    written = _spell(number, spelling)
    for query in (f"{' '.join(words)} {written}", f"{written} {' '.join(words)}"):
        match = index.resolve(query)
        if match.best is None:
            continue
        film = match.best
        allowed = {film.year} | ({film.franchise_order} if film.franchise_order is not None else set())
        matched = match.candidates[0].name
        assert numbers_in(query) <= allowed | numbers_in(matched) | numbers_in(film.key), (query, matched)


def _spell(number: int, spelling: str) -> str:
    """``number`` in digits, Roman numerals (up to 39) or words (up to 20)."""
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    if spelling == "word" and number < len(words):
        return words[number]
    if spelling == "roman" and 0 < number < 40:
        tens, units = divmod(number, 10)
        return "X" * tens + ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"][units]
    return str(number)


@SETTINGS
@given(order=st.integers(min_value=1, max_value=8), other=st.integers(min_value=1, max_value=40))
def test_mission_impossible_numbers_pick_only_their_film(order: int, other: int) -> None:
    """ "Mission Impossible N" in any spelling is film N or nothing, in a real-sized franchise."""
    films = [
        FilmSummary(n, f"mi{n}", "Mission: Impossible" if n == 1 else f"Mission: Impossible {n}", 1990 + n, n)
        for n in range(1, 9)
    ]
    index = FilmIndex.build(films, franchise_names={n: "Mission: Impossible" for n in range(1, 9)})
    for spelling in ("digits", "roman", "word"):
        for prefix in ("Mission Impossible", "MI", "M:I", "mision imposible"):
            query = f"{prefix} {_spell(other, spelling)}"
            best = index.resolve(query).best
            assert best is None or best.franchise_order == other or best.year == other, query
    assert index.resolve(f"MI {order}").best == films[order - 1]


@SETTINGS
@given(
    names=st.lists(st.lists(WORDS, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=10),
    queries=st.lists(QUERY, max_size=5),
)
def test_person_index_is_safe(names: list[str], queries: list[str]) -> None:
    people = [Person(i, f"p{i}", name, ()) for i, name in enumerate(names)]
    index = PersonIndex.build(people)
    for query in queries:
        _check_shape(index.resolve(query))
        choices = index.complete(query)
        assert len(choices) <= 25 and all(len(c.label) <= 100 and len(c.value) <= 100 for c in choices)
    for person in people:
        unique = sum(normalise_answer(other.name) == normalise_answer(person.name) for other in people) == 1
        if unique and normalise(person.name):
            assert index.resolve(person.name).best == person
