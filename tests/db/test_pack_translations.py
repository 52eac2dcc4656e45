"""`[[film.translation]]`: a film's title and synopsis in another language: validation, loading (titles as
aliases with their language, synopses in `film_translations`), reloading, `film_in_language`, writing back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from db import CatalogueRepository, Database, PackValidationError, bundled_pack_path, load_pack, parse_pack
from db.packs.model import Pack, PackFilmTranslation
from db.packs.write import pack_document, pack_toml
from db.repositories.models import FilmInLanguage

WritePack = Callable[..., Path]

TRANSLATIONS = """[[film.translation]]
language = "fr"
title = "Le Premier Film"
synopsis = "Des choses arrivent."
source = "wp_one"

[[film.translation]]
language = "pt"
country = "BR"
title = "O Primeiro Filme"
synopsis = "Coisas acontecem."

[[film.translation]]
language = "ja"
synopsis = "いろいろなことが起こる。"

[[film.crew]]"""


def with_translations(base: str) -> str:
    first_crew = base.index("[[film.crew]]")
    return base[:first_crew] + TRANSLATIONS + base[first_crew + len("[[film.crew]]") :]


@pytest.fixture
def translated_text(base_pack_text: str) -> str:
    return with_translations(base_pack_text)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: {old!r} not in the pack"
    return text.replace(old, new, 1)


def test_translations_parse(write_pack: WritePack, translated_text: str) -> None:
    film = parse_pack(write_pack(translated_text)).films[0]
    assert film.translations == (
        PackFilmTranslation("fr", "Le Premier Film", "Des choses arrivent.", ("wp_one",)),
        PackFilmTranslation("pt", "O Primeiro Filme", "Coisas acontecem.", (), "BR"),
        PackFilmTranslation("ja", None, "いろいろなことが起こる。"),
    )


BROKEN = [
    ("language not ISO 639-1", 'language = "ja"', 'language = "jpn"',
     'film "one" (film[0]) translation[2] field "language": must be two lowercase letters (ISO 639-1)'),
    ("language missing", 'language = "ja"\n', "",
     'film "one" (film[0]) translation[2] field "language": is required'),
    ("neither title nor synopsis", 'language = "ja"\nsynopsis = "いろいろなことが起こる。"', 'language = "ja"',
     'film "one" (film[0]) translation[2]: must give a "title", a "synopsis" or both'),
    ("a language twice", 'language = "ja"', 'language = "fr"',
     'film "one" (film[0]) translation[2] field "language": duplicate translation into fr'),
    ("unknown country", 'country = "BR"', 'country = "XZ"',
     'film "one" (film[0]) translation[1] field "country": "XZ" is not an assigned ISO 3166-1 alpha-2 country code'),
    ("synopsis too long", 'synopsis = "Coisas acontecem."', f'synopsis = "{"a" * 1501}"',
     'film "one" (film[0]) translation[1] field "synopsis": '),
    ("unknown field", 'language = "ja"', 'language = "ja"\ntagline = "x"',
     'film "one" (film[0]) translation[2] field "tagline": unknown field'),
    ("unknown source", 'arrivent."\nsource = "wp_one"', 'arrivent."\nsource = "wp_nine"',
     'film "one" (film[0]) translation[0] field "source": unknown source "wp_nine"'),
    ("title naming another film of the year", 'title = "Le Premier Film"', 'title = "Film Two"',
     'film "two" (film[1]) field "title": "Film Two" already names film "one" (film[0]), of the same year'),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_each_translation_problem_names_file_entry_and_field(
    write_pack: WritePack, translated_text: str, old: str, new: str, expected: str
) -> None:
    text = _replace(translated_text, old, new)
    if "Film Two" in new:
        # Film two is from 2004: the same year as film one, so the title is taken.
        text = _replace(text, "year = 2004", "year = 2001")
    with pytest.raises(PackValidationError) as caught:
        parse_pack(write_pack(text))
    problems = [str(problem) for problem in caught.value.problems]
    assert any(line.startswith(f"test-pack.toml: {expected}") for line in problems), "\n".join(problems)


async def test_loading_stores_titles_as_aliases_and_synopses(
    db: Database, write_pack: WritePack, translated_text: str
) -> None:
    await load_pack(db, parse_pack(write_pack(translated_text)))
    catalogue = CatalogueRepository(db)
    film_id = await db.fetch_value("SELECT id FROM films WHERE key = 'one'")
    assert await catalogue.film_in_language(film_id, "fr") == FilmInLanguage(
        titles=((None, "Le Premier Film"),), synopses=((None, "Des choses arrivent."),)
    )
    assert await catalogue.film_in_language(film_id, "pt") == FilmInLanguage(
        titles=(("BR", "O Primeiro Filme"),), synopses=(("BR", "Coisas acontecem."),)
    )
    assert await catalogue.film_in_language(film_id, "ja") == FilmInLanguage(
        synopses=((None, "いろいろなことが起こる。"),)
    )
    assert await catalogue.film_in_language(film_id, "de") == FilmInLanguage()
    # A translated title is a title of the film: the look-up indexes read it like any alias.
    titles = {title.title for title in await catalogue.film_titles() if title.film_id == film_id}
    assert {"Le Premier Film", "O Primeiro Filme"} <= titles


async def test_reloading_replaces_the_translations(db: Database, write_pack: WritePack, translated_text: str) -> None:
    await load_pack(db, parse_pack(write_pack(translated_text)))
    changed = _replace(translated_text, "Des choses arrivent.", "D'autres choses arrivent.")
    japanese = 'language = "ja"\nsynopsis = "いろいろなことが起こる。"\n'
    changed = _replace(changed, japanese, 'language = "de"\ntitle = "Film Eins"\n')
    await load_pack(db, parse_pack(write_pack(changed)))
    film_id = await db.fetch_value("SELECT id FROM films WHERE key = 'one'")
    catalogue = CatalogueRepository(db)
    assert (await catalogue.film_in_language(film_id, "fr")).synopses == ((None, "D'autres choses arrivent."),)
    assert await catalogue.film_in_language(film_id, "ja") == FilmInLanguage()
    # "Film Eins" is the original title already: stored once, untagged, so no German title is shown.
    assert (await catalogue.film_in_language(film_id, "de")).titles == ()


def _round_trip(pack: Pack, folder: Path) -> Pack:
    path = folder / "written.toml"
    path.write_text(pack_toml(pack_document(pack), ["written by a test"]), encoding="utf-8")
    return dataclasses.replace(parse_pack(path), path=pack.path, checksum=pack.checksum)


def test_translations_are_written_back_as_they_parse(
    tmp_path: Path, write_pack: WritePack, translated_text: str
) -> None:
    pack = parse_pack(write_pack(translated_text))
    assert _round_trip(pack, tmp_path) == pack
    written = pack_document(pack)["film"][0]["translation"][2]
    assert written == {"language": "ja", "synopsis": "いろいろなことが起こる。"}


def test_the_bundled_pack_has_french_and_japanese_titles() -> None:
    films = {film.key: film for film in parse_pack(bundled_pack_path("mission-impossible")).films}
    french = {t.language: t for t in films["mi4"].translations}["fr"]
    assert french.title == "Mission impossible : Protocole fantôme" and french.synopsis
    assert [t.language for t in films["mi6"].translations] == ["fr", "ja"]
