"""Write a content pack document (the dict `tomllib` would read back) as a TOML file a person can edit."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w

from db.packs.model import (
    Pack,
    PackCastCredit,
    PackCertification,
    PackCrewCredit,
    PackFilm,
    PackFilmAlias,
    PackFilmTranslation,
    PackMilestone,
    PackPerson,
    PackRelease,
    PackTmdbOrigin,
    PackTrivia,
    PackTriviaTranslation,
)

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def pack_toml(document: dict[str, Any], header: Iterable[str] = ()) -> str:
    """The document as TOML text, after `header` lines written as comments.

    Tables keep the document's order: `[pack]` first, then each `[[film]]` and the rest as `[[...]]` blocks
    in turn. A film's own lists of tables (cast, crew, releases...) are written one entry per line, which
    reads better than a block of four lines per credit.
    """
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    scalars = {name: value for name, value in document.items() if not _is_table(value) and not _is_tables(value)}
    blocks = [tomli_w.dumps(scalars)] if scalars else []
    for name, value in document.items():
        if _is_table(value):
            blocks.append(_block(f"[{_key(name)}]", value))
        elif _is_tables(value):
            blocks += [_block(f"[[{_key(name)}]]", entry) for entry in value]
    return comments + ("\n" if comments else "") + "\n".join(blocks)


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _block(header: str, table: dict[str, Any]) -> str:
    lines = [header]
    for name, value in table.items():
        if _is_tables(value):
            lines.append(f"{_key(name)} = [")
            lines += [f"    {_inline(entry)}," for entry in value]
            lines.append("]")
        else:
            lines.append(f"{_key(name)} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _value(name)


def _inline(table: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{_key(name)} = {_value(value)}" for name, value in table.items()) + " }"


def _value(value: Any) -> str:
    """One value on one line (TOML inline tables may not span lines), escaped by tomli-w."""
    if isinstance(value, dict):
        return _inline(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def write_pack_file(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: a reader never sees half a pack, and a failed write
    leaves the old file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _present(**values: Any) -> dict[str, Any]:
    """The values that are not a default (None, an empty text or list, False), in the order given."""
    return {name: value for name, value in values.items() if not _is_default(value)}


def _is_default(value: Any) -> bool:
    # Spelled out: `0 in (False,)` is true, and no number is ever left out.
    return value is None or value is False or (isinstance(value, str | list | tuple) and not value)


def _source(keys: tuple[str, ...]) -> str:
    return "; ".join(keys)


def pack_document(pack: Pack) -> dict[str, Any]:
    """`pack` as the TOML document (a dict for `pack_toml`) that parses back to it, leaving out what is a
    default: an original title equal to the title, a film's series when it is the franchise, empty lists."""
    document: dict[str, Any] = {
        "pack": _present(
            id=pack.id, name=pack.name, version=pack.version, description=pack.description, requires=list(pack.requires)
        )
    }
    if pack.tmdb is not None:
        document["tmdb"] = _tmdb_table(pack.tmdb)
    if pack.franchise is not None:
        document["franchise"] = {"key": pack.franchise.key, "name": pack.franchise.name}
    tables: dict[str, list[dict[str, Any]]] = {
        "series": [{"key": s.key, "name": s.name} for s in pack.series],
        "source": [_present(key=s.key, ref=s.ref, description=s.description) for s in pack.sources],
        "company": [_present(key=c.key, name=c.name, aliases=list(c.aliases)) for c in pack.companies],
        "person": [_person_table(p) for p in pack.people],
        "film": [_film_table(f, pack.franchise.key if pack.franchise else None) for f in pack.films],
        "trivia": [_trivia_table(q) for q in pack.trivia],
    }
    document.update({name: rows for name, rows in tables.items() if rows})
    return document


def _tmdb_table(origin: PackTmdbOrigin) -> dict[str, Any]:
    table: dict[str, Any] = {
        "language": origin.language,
        "collections": list(origin.collections),
        "movies": list(origin.movies),
    }
    return table | _present(cast_limit=origin.cast_limit, image_base_url=origin.image_base_url, fetched=origin.fetched)


def _person_table(person: PackPerson) -> dict[str, Any]:
    return _present(
        key=person.key,
        name=person.name,
        aliases=list(person.aliases),
        source=_source(person.source),
        imdb_id=person.imdb_id,
        tmdb_id=person.tmdb_id,
        wikidata_id=person.wikidata_id,
    )


def _film_table(film: PackFilm, default_series: str | None) -> dict[str, Any]:
    table = _present(
        key=film.key,
        series=film.series if film.series != default_series else None,
        franchise_order=film.franchise_order,
        title=film.title,
        original_title=film.original_title if film.original_title != film.title else None,
        year=film.year,
        runtime=film.runtime,
        synopsis=film.synopsis,
        tagline=film.tagline,
        aliases=list(film.aliases),
        genres=list(film.genres),
        companies=list(film.companies),
        distributors=list(film.distributors),
        imdb_id=film.imdb_id,
        tmdb_id=film.tmdb_id,
        wikidata_id=film.wikidata_id,
        poster=film.poster,
        backdrop=film.backdrop,
        source=_source(film.source),
    )
    children = {
        "alias": [_alias_table(a) for a in film.alias_entries],
        "translation": [_translation_table(t) for t in film.translations],
        "crew": [_crew_table(c) for c in film.crew],
        "cast": [_cast_table(c) for c in film.cast],
        "release": [_release_table(r) for r in film.releases],
        "certification": [_certification_table(c) for c in film.certifications],
        "milestone": [_milestone_table(m) for m in film.milestones],
    }
    return table | {name: rows for name, rows in children.items() if rows}


def _alias_table(alias: PackFilmAlias) -> dict[str, Any]:
    return _present(
        title=alias.title, language=alias.language, country=alias.country, kind=alias.kind, source=_source(alias.source)
    )


def _translation_table(translation: PackFilmTranslation) -> dict[str, Any]:
    return _present(
        language=translation.language,
        country=translation.country,
        title=translation.title,
        synopsis=translation.synopsis,
        source=_source(translation.source) if translation.source else None,
    )


def _crew_table(credit: PackCrewCredit) -> dict[str, Any]:
    return {
        "person": credit.person,
        "department": credit.department,
        "job": credit.job,
        "source": _source(credit.source),
    }


def _cast_table(credit: PackCastCredit) -> dict[str, Any]:
    return _present(person=credit.person, character=credit.character, order=credit.order, source=_source(credit.source))


def _release_table(release: PackRelease) -> dict[str, Any]:
    return _present(
        country=release.country, date=release.date, type=release.type, note=release.note, source=_source(release.source)
    )


def _certification_table(certification: PackCertification) -> dict[str, Any]:
    return {"country": certification.country, "rating": certification.rating, "source": _source(certification.source)}


def _milestone_table(milestone: PackMilestone) -> dict[str, Any]:
    return {
        "kind": milestone.kind,
        "date": milestone.date,
        "description": milestone.description,
        "source": _source(milestone.source),
    }


def _trivia_table(question: PackTrivia) -> dict[str, Any]:
    return _present(
        key=question.key,
        film=question.film,
        question=question.question,
        answers=list(question.answers),
        wrong=list(question.wrong),
        difficulty=question.difficulty,
        category=question.category,
        source=_source(question.source),
        fact=question.fact,
        spoiler=question.spoiler,
        kind=None if question.kind == "choice" else question.kind,
        author=question.author,
        translation=[_trivia_translation_table(t) for t in question.translations],
    )


def _trivia_translation_table(translation: PackTriviaTranslation) -> dict[str, Any]:
    return _present(
        language=translation.language,
        country=translation.country,
        question=translation.question,
        answers=list(translation.answers),
        wrong=list(translation.wrong),
        fact=translation.fact,
    )
