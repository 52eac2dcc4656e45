"""The catalogue reads behind the look-up commands' embeds: card texts, the timeline, co-stars.

Film details are read when a command needs them (the indexes hold only what search needs), except
the card texts, which the look-up service works out for every film once per catalogue and keeps packed
in the database (`fill_card_texts`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import marshal
from collections import defaultdict
from collections.abc import Iterable, Mapping

from bot.i18n import Speech
from cogs.films import render
from cogs.films.lookup import Lookup
from cogs.films.render import (
    CardText,
    DatedLine,
    FilmDetails,
    SharedFilm,
    TimelineEntry,
    card_text,
    people_with_jobs,
)
from db import CatalogueRepository
from db.repositories.catalogue import MAX_FILMS_PER_READ
from db.repositories.models import Film, FilmCredits, Person, PersonCredit

CARD_SOURCES = (render.__file__, __file__)
"""The code that makes and packs a card: a kept card is used only if made by these very files."""


def card_format() -> str:
    """What kept cards must have been made by: the code that made them (`CARD_SOURCES`) and the `marshal`
    format that packs them, so an upgrade that changes a card makes every card again."""
    digest = hashlib.sha256()
    for source in CARD_SOURCES:
        with open(source, "rb") as code:
            digest.update(code.read())
    return f"{marshal.version}|{digest.hexdigest()[:16]}"


def details_of(lookup: Lookup, film: Film, credits: FilmCredits) -> FilmDetails:
    position, size = lookup.franchise_place(film)
    return FilmDetails(
        film=film,
        cast=credits.cast,
        crew=credits.crew,
        companies=credits.companies,
        releases=credits.releases,
        position=position,
        franchise_size=size,
        distributors=credits.distributors,
        certifications=credits.certifications,
        poster=credits.poster,
        from_tmdb=credits.from_tmdb,
    )


def card_texts(lookup: Lookup, films: Iterable[Film], credits: Mapping[int, FilmCredits]) -> dict[int, CardText]:
    """The card text of each film, by film id (pure: run it in a worker thread for many films)."""
    return {film.id: card_text(details_of(lookup, film, credits[film.id])) for film in films}


def pack_card(text: CardText) -> bytes:
    """A card text as one bytes object (``marshal`` of plain values): a third of the memory of its
    strings, tuples and dictionaries, which matters for a card kept for each of 100,000 films."""
    dates = {
        country: tuple((line.date.toordinal(), line.release_type, line.tail) for line in lines)
        for country, lines in text.dates.items()
    }
    fields = (
        text.title,
        text.description,
        text.crew,
        text.credits,
        text.franchise,
        dates,
        text.ratings,
        text.poster,
        text.from_tmdb,
        text.runtime,
        text.cast,
        text.original,
        text.year,
        text.tagline,
    )
    return marshal.dumps(fields)


def unpack_card(packed: bytes) -> CardText:
    """The card text `pack_card` packed."""
    (
        title,
        description,
        crew,
        credits,
        franchise,
        dates,
        ratings,
        poster,
        from_tmdb,
        runtime,
        cast,
        original,
        year,
        tagline,
    ) = marshal.loads(packed)
    return CardText(
        title=title,
        description=description,
        crew=crew,
        credits=credits,
        franchise=franchise,
        dates={
            country: tuple(DatedLine(dt.date.fromordinal(day), kind, tail) for day, kind, tail in lines)
            for country, lines in dates.items()
        },
        ratings=ratings,
        poster=poster,
        from_tmdb=from_tmdb,
        runtime=runtime,
        cast=cast,
        original=original,
        year=year,
        tagline=tagline,
    )


def packed_card_texts(lookup: Lookup, films: Iterable[Film], credits: Mapping[int, FilmCredits]) -> dict[int, bytes]:
    """`card_texts`, each packed (`pack_card`)."""
    return {film_id: pack_card(text) for film_id, text in card_texts(lookup, films, credits).items()}


async def fill_card_texts(catalogue: CatalogueRepository, lookup: Lookup, made_from: str) -> int:
    """Make and keep in the database the card of every film of `lookup` that has none made from the
    catalogue `made_from` names: a few hundred films per read, rendered in a worker thread so the event
    loop keeps answering. Cards of another catalogue are then dropped. Returns the cards made."""
    missing = [film_id for film_id in await catalogue.films_without_card(made_from) if film_id in lookup.by_id]
    for start in range(0, len(missing), MAX_FILMS_PER_READ):
        chunk = [lookup.by_id[film_id] for film_id in missing[start : start + MAX_FILMS_PER_READ]]
        credits = await catalogue.credits_of_films([film.id for film in chunk])
        await catalogue.store_cards(made_from, await asyncio.to_thread(packed_card_texts, lookup, chunk, credits))
    await catalogue.drop_cards_not_from(made_from)
    return len(missing)


async def timeline(catalogue: CatalogueRepository, films: list[Film]) -> list[TimelineEntry]:
    return [TimelineEntry(film, people_with_jobs(await catalogue.crew(film.id), ("Director",))) for film in films]


def _role(credit: PersonCredit, t: Speech) -> str:
    if credit.role == "cast":
        return credit.character or t("uncredited role")
    return credit.job or t("crew")


async def shared_films(
    catalogue: CatalogueRepository, lookup: Lookup, first: Person, second: Person, t: Speech
) -> list[SharedFilm]:
    """Films both people worked on, in release order, with what each did there."""
    first_roles: defaultdict[int, list[str]] = defaultdict(list)
    for credit in await catalogue.person_credits(first.id):
        first_roles[credit.film_id].append(_role(credit, t))
    second_roles: defaultdict[int, list[str]] = defaultdict(list)
    for credit in await catalogue.person_credits(second.id):
        second_roles[credit.film_id].append(_role(credit, t))
    shared = [film_id for film_id in first_roles if film_id in second_roles and film_id in lookup.by_id]
    ordered = sorted(shared, key=lambda film_id: (lookup.by_id[film_id].year, lookup.by_id[film_id].title))
    return [SharedFilm(lookup.by_id[film_id], first_roles[film_id], second_roles[film_id]) for film_id in ordered]
