"""A TMDB pack's file: the text Marquee writes, the overrides file a person writes, and what changed.

The pack file is Marquee's: a refresh rewrites it from TMDB. Hand edits live in the overrides file
beside it (`<name>.overrides.toml`), which every import and refresh lays over TMDB's data, so they
survive. A pack file edited by hand all the same is noticed (its first line carries a checksum of the
rest) and never overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.tmdb import NOTICE
from db.packs.write import pack_toml

CHECKSUM_PREFIX = "# marquee-checksum: sha256:"
RELEASE_TYPE_NAMES = {1: "premiere", 2: "limited", 3: "theatrical", 4: "digital", 5: "physical", 6: "TV"}
_MERGED_LISTS = ("source", "series", "company", "person", "trivia")
"""Tables of which the overrides file's entries replace TMDB's of the same key, or are added."""


class OverridesError(ValueError):
    """The overrides file cannot be read or says something it may not."""


def overrides_path(pack_path: Path) -> Path:
    return pack_path.with_name(f"{pack_path.stem}.overrides.toml")


def pack_text(document: Mapping[str, Any], *, overrides: Path | None) -> str:
    """The file's text: a checksum line, a header saying where it came from, then the pack."""
    header = [
        "Imported from The Movie Database (TMDB) by `python -m bot pack import tmdb`.",
        NOTICE,
        "`python -m bot pack refresh` rewrites this file: do not edit it. Put your changes in",
        f"{(overrides.name if overrides else '<name>.overrides.toml')} beside it (see docs/content-packs.md).",
    ]
    body = pack_toml(dict(document), header)
    return f"{CHECKSUM_PREFIX}{_digest(body)}\n{body}"


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def edited_by_hand(text: str) -> bool:
    """Whether the file no longer is what Marquee wrote (or never carried a checksum)."""
    first, _, body = text.partition("\n")
    return not first.startswith(CHECKSUM_PREFIX) or first[len(CHECKSUM_PREFIX) :] != _digest(body)


def read_overrides(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise OverridesError(f"{path}: cannot read the overrides: {error}") from None
    unknown = set(data) - {"pack", "film", *_MERGED_LISTS}
    if unknown:
        raise OverridesError(
            f"{path}: unknown table(s) {', '.join(sorted(unknown))}; allowed: pack, film, {', '.join(_MERGED_LISTS)}"
        )
    return data


def apply_overrides(document: dict[str, Any], overrides: Mapping[str, Any], name: str) -> list[str]:
    """Lay the overrides over the document, in place; one line per film dropped or added by hand.

    - `[pack]` fields replace the generated ones;
    - a `[[film]]` naming a generated film by `key` or `tmdb_id` replaces the fields it gives (`drop = true`
      leaves the film out); any other `[[film]]` is a film added by hand, kept whole;
    - `[[source]]`, `[[series]]`, `[[company]]`, `[[person]]` and `[[trivia]]` entries replace the generated
      entry of the same key, or are added.
    """
    notes: list[str] = []
    pack = overrides.get("pack", {})
    if not isinstance(pack, Mapping):
        raise OverridesError(f"{name}: [pack] must be a table")
    document["pack"].update(pack)
    films = document.setdefault("film", [])
    for entry in _tables(overrides, "film", name):
        target = next(
            (
                film
                for film in films
                if ("key" in entry and film["key"] == entry["key"])
                or ("tmdb_id" in entry and film.get("tmdb_id") == entry["tmdb_id"])
            ),
            None,
        )
        changes = {field: value for field, value in entry.items() if field != "drop"}
        if target is None:
            if entry.get("drop"):
                continue  # gone from TMDB already
            films.append(changes)
            notes.append(f"{name}: film {entry.get('key', '?')} added by hand")
        elif entry.get("drop"):
            films.remove(target)
            notes.append(f"{name}: film {target['key']} left out by hand")
        else:
            target.update(changes)
    for table in _MERGED_LISTS:
        entries = _tables(overrides, table, name)
        if not entries:
            continue
        merged = {str(entry.get("key")): entry for entry in document.get(table, [])}
        merged.update({str(entry.get("key")): dict(entry) for entry in entries})
        document[table] = list(merged.values())
    _drop_unused_people(document)
    return notes


def _tables(overrides: Mapping[str, Any], table: str, name: str) -> list[dict[str, Any]]:
    entries = overrides.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise OverridesError(f"{name}: [[{table}]] must be an array of tables")
    return entries


def _drop_unused_people(document: dict[str, Any]) -> None:
    """People credited only on a film left out by hand go with it."""
    if "person" not in document:
        return
    credited = {
        credit.get("person")
        for film in document.get("film", [])
        for part in ("cast", "crew")
        for credit in film.get(part, [])
    }
    document["person"] = [person for person in document["person"] if person.get("key") in credited]


def bumped(version: str) -> str:
    """MAJOR.MINOR.PATCH with PATCH raised by one (a refresh that changed something)."""
    parts = version.split(".")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        return f"{parts[0]}.{parts[1]}.{int(parts[2]) + 1}"
    return version


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What a refresh changes, one line each: films added or removed, titles, years and release dates
    changed, cast joined or left, other fields changed."""
    before, after = _films_by_identity(old), _films_by_identity(new)
    lines = [f"+ film {after[i].get('title')} ({after[i].get('year')})" for i in after if i not in before]
    lines += [f"- film {before[i].get('title')} ({before[i].get('year')})" for i in before if i not in after]
    for identity, film in after.items():
        if identity in before:
            lines += _film_differences(before[identity], film)
    return lines


def _films_by_identity(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        (f"tmdb:{film['tmdb_id']}" if isinstance(film.get("tmdb_id"), int) else f"key:{film.get('key')}"): film
        for film in document.get("film") or []
        if isinstance(film, dict)
    }


def _film_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    title = str(new.get("title"))
    lines = []
    if old.get("title") != new.get("title"):
        lines.append(f"~ {old.get('title')}: renamed {title}")
    if old.get("year") != new.get("year"):
        lines.append(f"~ {title}: year {old.get('year')} → {new.get('year')}")
    lines += [f"~ {title}: {line}" for line in _release_differences(old.get("release", []), new.get("release", []))]
    cast_before = {credit.get("person"): credit.get("character") for credit in old.get("cast", [])}
    cast_after = {credit.get("person"): credit.get("character") for credit in new.get("cast", [])}
    joined = [person for person in cast_after if person not in cast_before]
    left = [person for person in cast_before if person not in cast_after]
    recast = [p for p in cast_after if p in cast_before and cast_before[p] != cast_after[p]]
    if joined or left or recast:
        parts = [f"+{len(joined)} ({_few(joined)})" if joined else "", f"-{len(left)} ({_few(left)})" if left else ""]
        parts.append(f"{len(recast)} character(s) renamed" if recast else "")
        lines.append(f"~ {title}: cast " + ", ".join(part for part in parts if part))
    quiet = {"title", "year", "release", "cast", "alias", "source"}
    changed = sorted(field for field in set(old) | set(new) if field not in quiet and old.get(field) != new.get(field))
    if changed:
        lines.append(f"~ {title}: {', '.join(changed)} changed")
    return lines


def _few(keys: Iterable[Any], shown: int = 3) -> str:
    listed = [str(key) for key in keys]
    return ", ".join(listed[:shown]) + (f" and {len(listed) - shown} more" if len(listed) > shown else "")


def _release_differences(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]) -> list[str]:
    def by_place(releases: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], list[dt.date]]:
        places: dict[tuple[str, int], list[dt.date]] = defaultdict(list)
        for release in releases:
            places[(str(release.get("country")), int(release.get("type", 0)))].append(_as_date(release.get("date")))
        return {place: sorted(days) for place, days in places.items()}

    before, after = by_place(old), by_place(new)
    lines = []
    for place in sorted(set(before) | set(after)):
        country, kind = place
        what = f"{country} {RELEASE_TYPE_NAMES.get(kind, kind)} release"
        old_days, new_days = before.get(place, []), after.get(place, [])
        if old_days == new_days:
            continue
        if old_days and new_days:
            lines.append(f"{what} {_days(old_days)} → {_days(new_days)}")
        elif new_days:
            lines.append(f"{what} added: {_days(new_days)}")
        else:
            lines.append(f"{what} removed: {_days(old_days)}")
    return lines


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _days(days: list[dt.date]) -> str:
    return ", ".join(day.isoformat() for day in days)
