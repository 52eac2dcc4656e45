"""The character index: characters by name, nicknames, first name and surname, with who played them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Protocol

from cogs.films.search.films import FilmLike
from cogs.films.search.index import MAX_CHOICE_CHARS, TIER_NAME, TIER_PART, Name, clip
from cogs.films.search.snapshots import KeptIndex, SnapshotMismatch
from cogs.films.search.text import TextKeys, normalise


class CastCreditLike(Protocol):
    """What the character index needs of a cast credit (``db`` ``CastCredit`` fits)."""

    @property
    def film_id(self) -> int: ...
    @property
    def person_key(self) -> str: ...
    @property
    def person_name(self) -> str: ...
    @property
    def character(self) -> str | None: ...


# Tuples rather than dataclasses: a large catalogue has hundreds of thousands of appearances, and a
# tuple is quicker to make (at every build, and when a kept index is read back).
class CharacterAppearance(NamedTuple):
    """One film in which one person played a character."""

    person_key: str
    person_name: str
    film_key: str
    film_title: str
    year: int


class Character(NamedTuple):
    """A character name with every (person, film) that played it."""

    key: str
    name: str
    aliases: tuple[str, ...]
    appearances: tuple[CharacterAppearance, ...]

    @property
    def people(self) -> tuple[str, ...]:
        """Names of the people who played the character, first appearance first."""
        return tuple(dict.fromkeys(appearance.person_name for appearance in self.appearances))


_PARENTHESIS = re.compile(r"\(([^)]*)\)")
_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")


_CHARACTER_MARKS = re.compile(r"[()\"“”/]")


def _character_names(raw: str, keys: TextKeys | None = None) -> tuple[str, list[str]] | None:
    """The main name of a credited character and its other names.

    ``Kurt Hendricks ("Cobalt")`` -> Kurt Hendricks + Cobalt; ``Janik "Bone Doctor"
    Vinter`` -> Janik Vinter + Bone Doctor; ``Alanna Mitsopolis / The White Widow``
    -> Alanna Mitsopolis + The White Widow. An unquoted parenthesis is a note
    ("William Donloe (CIA analyst)") and is dropped; None when only a note is
    left ("(uncredited)").
    """
    normal = keys.normalise if keys is not None else normalise
    if not _CHARACTER_MARKS.search(raw):
        # No parenthesis, quote or slash (most names): the name itself.
        text = " ".join(raw.split())
        return (text, []) if normal(text) else None
    aliases: list[str] = []
    for inner in _PARENTHESIS.findall(raw):
        aliases.extend(_QUOTED.findall(inner))
    text = _PARENTHESIS.sub(" ", raw)
    aliases.extend(_QUOTED.findall(text))
    text = _QUOTED.sub(" ", text)
    parts = [" ".join(part.split()) for part in text.split("/")]
    parts = [part for part in parts if normal(part)]
    if not parts:
        return None
    return parts[0], [*parts[1:], *aliases]


class _CharacterGroup(NamedTuple):
    """Credits gathered under one character key while building the index."""

    spellings: list[str]
    aliases: list[str]
    appearances: dict[tuple[str, str, str, str, int], CharacterAppearance]


class CharacterIndex(KeptIndex[Character]):
    """Characters by name, nicknames, first name and surname."""

    @classmethod
    def build(cls, credits: Iterable[CastCreditLike], films: Iterable[FilmLike]) -> CharacterIndex:
        """Group cast ``credits`` by character name; credits of unknown films are skipped."""
        credit_list = list(credits)
        return cls.build_later(lambda: credit_list, films)

    @classmethod
    def build_later(cls, credits: Callable[[], Iterable[CastCreditLike]], films: Iterable[FilmLike]) -> CharacterIndex:
        """Like `build`, but the credits themselves are only made when the index is built (in a worker
        thread, by `prepare`): turning 200,000 database rows into credits need not delay the start."""
        film_list = list(films)
        return cls._deferred(lambda: cls._index(list(credits()), film_list))

    @classmethod
    def restore(cls, snapshot: bytes) -> CharacterIndex:
        """The index a `snapshot` holds, characters included (see `FilmIndex.restore`)."""
        return cls._deferred(lambda: cls._restored(cls._read_snapshot(snapshot)))

    @classmethod
    def _restored(cls, state: dict[str, Any]) -> CharacterIndex:
        try:
            appearance = CharacterAppearance._make
            characters = [
                Character(key, name, aliases, tuple(map(appearance, appearances)))
                for key, name, aliases, appearances in state["characters"]
            ]
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotMismatch("the CharacterIndex snapshot holds no readable characters") from error
        return cls._from_state(characters, [c.key for c in characters], state, _character_label)

    def _snapshot_extra(self) -> dict[str, Any]:
        # marshal keeps plain tuples only, not their subclasses.
        return {"characters": [(c.key, c.name, c.aliases, tuple(map(tuple, c.appearances))) for c in self._items]}

    @classmethod
    def _index(cls, credits: list[CastCreditLike], films: list[FilmLike]) -> CharacterIndex:
        keys = TextKeys()
        film_by_id = {film.id: film for film in films}
        groups: dict[str, _CharacterGroup] = {}
        # Each credited text once: its character key, main name and (usable) other names.
        by_raw: dict[str, tuple[str, str, list[str]] | None] = {}
        for credit in credits:
            film = film_by_id.get(credit.film_id)
            if film is None:
                continue
            raw = credit.character or ""
            if raw in by_raw:
                read = by_raw[raw]
            else:
                spelled = _character_names(raw, keys)
                if spelled is None:
                    read = by_raw[raw] = None
                else:
                    main, aliases = spelled
                    usable = [alias for alias in aliases if keys.normalise(alias)]
                    read = by_raw[raw] = (keys.search_key(main), main, usable)
            if read is None:
                continue
            key, main, aliases = read
            group = groups.get(key)
            if group is None:
                group = groups[key] = _CharacterGroup([], [], {})
            group.spellings.append(main)
            if aliases:
                group.aliases.extend(aliases)
            seen = (credit.person_key, credit.person_name, film.key, film.title, film.year)
            if seen not in group.appearances:
                group.appearances[seen] = CharacterAppearance(*seen)
        characters: list[Character] = []
        for key, group in groups.items():
            spellings = group.spellings
            # The most used spelling names the character; ties go to the first seen.
            name = spellings[0] if len(spellings) == 1 else max(dict.fromkeys(spellings), key=spellings.count)
            found = list(group.appearances.values())
            appearances = found if len(found) == 1 else sorted(found, key=lambda a: (a.year, a.film_key))
            characters.append(Character(key, name, tuple(dict.fromkeys(group.aliases)), tuple(appearances)))
        names: list[Name] = []
        for index, character in enumerate(characters):
            for text in (character.name, *character.aliases):
                names.append((index, text, TIER_NAME))
                names.extend((index, part, TIER_PART) for part in keys.name_parts(text))
        # Browsing lists the characters seen in most films first (Ethan Hunt, Luther...).
        browse = sorted(range(len(characters)), key=[keys.normalise(c.name) for c in characters].__getitem__)
        browse.sort(key=[-len(c.appearances) for c in characters].__getitem__)
        return cls(
            characters,
            names,
            keys=[character.key for character in characters],
            labels=_character_label,
            browse_order=browse,
            cache=keys,
        )


def _character_label(character: Character) -> str:
    """ "Luther Stickell (Ving Rhames)": the name and up to three performers."""
    people = character.people
    shown = ", ".join(people[:3]) + (f" +{len(people) - 3}" if len(people) > 3 else "")
    suffix = f" ({shown})" if shown else ""
    if len(suffix) > MAX_CHOICE_CHARS // 2:
        suffix = clip(suffix[:-1], MAX_CHOICE_CHARS // 2 - 1) + ")"
    return clip(character.name, MAX_CHOICE_CHARS - len(suffix)) + suffix
