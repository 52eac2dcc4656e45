"""Fetching a TMDB pack again: what changed, and bringing it into the database and its file.

Used by `python -m bot pack refresh` and by the running bot's daily refresh alike.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.tmdb.document import Answers, ImportRequest, Names, build_document, known_names
from bot.tmdb.fetch import Getter, fetch_answers
from bot.tmdb.pack_file import (
    apply_overrides,
    bumped,
    differences,
    edited_by_hand,
    overrides_path,
    pack_text,
    read_overrides,
)
from db import Database, LoadReport, load_pack, parse_pack
from db.packs.model import PackTmdbOrigin


class RefreshError(ValueError):
    """A pack cannot be refreshed (one line saying why)."""


@dataclass
class PackRefresh:
    """A refresh worked out, not yet applied."""

    pack_id: str
    path: Path | None
    """The pack file, when it still lies where it was loaded from (or was named)."""
    text: str
    changes: list[str]
    notes: list[str] = field(default_factory=list)
    hand_edited: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def request_of(origin: Mapping[str, Any] | PackTmdbOrigin) -> ImportRequest:
    """The import a `[tmdb]` table (as a pack file has it, or as the database keeps it) records."""
    if isinstance(origin, PackTmdbOrigin):
        return ImportRequest(
            origin.language, origin.collections, origin.movies, origin.cast_limit or ImportRequest.cast_limit
        )
    return ImportRequest(
        language=str(origin.get("language", "en-US")),
        collections=tuple(int(c) for c in origin.get("collections", ())),
        movies=tuple(int(m) for m in origin.get("movies", ())),
        cast_limit=int(origin.get("cast_limit", ImportRequest.cast_limit)),
    )


def build_text(
    answers: Answers,
    request: ImportRequest,
    pack: Mapping[str, Any],
    *,
    path: Path | None,
    fetched: dt.datetime,
    names: Names | None = None,
) -> tuple[dict[str, Any], str, list[str]]:
    """The pack document with its overrides laid over it, its file's text, and the notes of both."""
    built = build_document(answers, request, pack, fetched=fetched, names=names)
    notes = list(built.notes)
    overrides = overrides_path(path) if path else None
    extra = read_overrides(overrides) if overrides else None
    if extra is not None and overrides is not None:
        notes += apply_overrides(built.document, extra, overrides.name)
    return built.document, pack_text(built.document, overrides=overrides), notes


async def plan_refresh(
    client: Getter,
    *,
    pack_id: str,
    path: Path | None,
    origin: PackTmdbOrigin | None,
    film_keys: Mapping[int, str] | None = None,
    changed: Collection[int] | None = None,
    now: dt.datetime,
) -> PackRefresh:
    """Fetch the pack again and compare it with its file (or, when the file is gone, with nothing but
    the keys its films have in the database, `film_keys`, which a renamed film keeps). With `changed`, only
    those films are asked for again (see `fetch_answers`)."""
    old: dict[str, Any] = {}
    hand_edited = False
    if path is not None and await asyncio.to_thread(path.is_file):
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        hand_edited = edited_by_hand(text)
        try:
            old = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise RefreshError(f"{path}: not valid TOML ({error}); import it again") from None
    table = old.get("tmdb") or origin
    if not isinstance(table, Mapping | PackTmdbOrigin):
        raise RefreshError(f"pack {pack_id} was not imported from TMDB (no [tmdb] table)")
    request = request_of(table)
    answers, notes = await fetch_answers(client, request, changed=changed)
    names = known_names(old) if old else Names(films=dict(film_keys or {}))
    pack_table = dict(old.get("pack") or {"id": pack_id, "name": pack_id, "version": "1.0.0"})
    document, text, more = build_text(answers, request, pack_table, path=path, fetched=now, names=names)
    changes = differences(old, document) if old else ["(the pack file is gone: every film is written again)"]
    if changes and old:
        document["pack"]["version"] = bumped(str(pack_table.get("version", "1.0.0")))
        text = pack_text(document, overrides=overrides_path(path) if path else None)
    elif old:
        document["tmdb"]["fetched"] = old.get("tmdb", {}).get("fetched", document["tmdb"]["fetched"])
        text = pack_text(document, overrides=overrides_path(path) if path else None)
    return PackRefresh(str(document["pack"]["id"]), path, text, changes, notes + more, hand_edited)


async def apply_refresh(database: Database, plan: PackRefresh, *, source_path: str | None = None) -> LoadReport:
    """Rewrite the pack file (unless it was edited by hand, which raises `RefreshError`) and load the
    pack into the database in one transaction; a pack that does not validate changes nothing."""
    if plan.path is not None and plan.hand_edited:
        raise RefreshError(
            f"{plan.path} was edited by hand since Marquee wrote it, so it is not overwritten: move your changes "
            f"to {overrides_path(plan.path).name} and delete the file (or restore it), then refresh again"
        )
    if plan.path is not None:
        candidate = plan.path.with_name(f".{plan.path.name}.refresh")
        await asyncio.to_thread(_write, candidate, plan.text)
        try:
            pack = await asyncio.to_thread(parse_pack, candidate)
            report = await load_pack(database, pack, source_path=str(plan.path))
            await asyncio.to_thread(candidate.replace, plan.path)
        finally:
            candidate.unlink(missing_ok=True)
        return report
    with tempfile.TemporaryDirectory(prefix="marquee-refresh-") as folder:
        candidate = Path(folder) / f"{plan.pack_id}.toml"
        await asyncio.to_thread(_write, candidate, plan.text)
        pack = await asyncio.to_thread(parse_pack, candidate)
        return await load_pack(database, pack, source_path=source_path or str(candidate))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
