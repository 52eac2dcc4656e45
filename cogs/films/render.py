"""Film, person and character embeds: plain functions from catalogue records to embeds.

Everything shown comes from packs or members, so every string is escaped (no markdown, no
mentions) and every embed is cut to Discord's limits whatever the data. Labels, numbers and dates
are in the reader's language (`Speech`); a film's card text is worked out once for every reader
(`CardText`) and put into words only when it is shown (`card_embed`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import discord

from bot.formatting import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_VALUE,
    FOOTER_TEXT,
    add_fields_within_limits,
    chunk_lines,
    discord_timestamp,
    ordinal,
    safe,
    truncate,
)
from bot.i18n import N_, SOURCE_LANGUAGE, Speech
from bot.regions import country_name
from bot.tmdb import NOTICE as TMDB_NOTICE
from cogs.films.search.characters import Character
from db.packs.model import RELEASE_TYPES
from db.repositories.models import (
    CastCredit,
    Certification,
    Company,
    CrewCredit,
    Film,
    FilmInLanguage,
    PersonCredit,
    Release,
)

COLOUR = discord.Colour.dark_gold()
CARD_CAST = 10
CARD_GENRES = 5
RATING_TEXT = 40
CAST_PAGE_SIZE = 15

# A release date is a calendar date in its country. Shown as a Discord timestamp, it is
# rendered in each reader's timezone; noon UTC falls on the same calendar day from UTC-11 to
# UTC+11, so nearly every reader sees the date the country had.
_NOON = dt.time(12, 0, tzinfo=dt.UTC)

WRITING_JOBS = ("Screenplay", "Writer", "Story", "Author", "Novel")
MUSIC_JOBS = ("Original Music Composer", "Music", "Composer")
DEPARTMENT_ORDER = ("Directing", "Writing", "Production", "Sound", "Camera", "Editing")

# The names the catalogue gives release types and crew departments, shown in the reader's language.
RELEASE_TYPE_NAMES = (
    N_("Premiere"),
    N_("Theatrical (limited)"),
    N_("Theatrical"),
    N_("Digital"),
    N_("Physical"),
    N_("TV"),
)
DEPARTMENT_NAMES = (
    N_("Cast"),
    N_("Directing"),
    N_("Writing"),
    N_("Production"),
    N_("Sound"),
    N_("Camera"),
    N_("Editing"),
)

GENRES = N_("Genres")
DIRECTED_BY = N_("Directed by")
WRITTEN_BY = N_("Written by")
MUSIC = N_("Music")
COMPANIES = N_("Companies")
DISTRIBUTED_BY = N_("Distributed by")
CARD_FOOTER = N_("Full cast, every country's dates and the other films: use the buttons.")


def film_heading(film: Film) -> str:
    return truncate(f"{film.title} ({film.year})", EMBED_TITLE)


def local_heading(title: str, original: str, year: int) -> str:
    """A card's title in the reader's language with the original beside it: "Titre (Title, 2011)"."""
    return truncate(f"{title} ({original}, {year})", EMBED_TITLE)


def timestamp(date: dt.date, style: str) -> str:
    """A Discord timestamp for a calendar date (see `_NOON`)."""
    return discord_timestamp(dt.datetime.combine(date, _NOON), style)


def calendar_date(date: dt.date, t: Speech) -> str:
    """A calendar date as text in the reader's language, never shifted by any timezone: "12 July 2023"."""
    return t.date(date, "d MMMM y") if t.language == SOURCE_LANGUAGE else t.date(date, "long")


def country_in(code: str, t: Speech) -> str:
    """A country's name in the reader's language (English names where the locale has none)."""
    if t.language == SOURCE_LANGUAGE:
        return country_name(code)
    return t.locale.territories.get(code.upper()) or country_name(code)


def release_type(number: int, t: Speech) -> str:
    """A release type's name in the reader's language: "Theatrical", "Cinéma"."""
    return t(RELEASE_TYPES[number])


def dated(kind: str, date: str, t: Speech) -> str:
    """A release's type and date: "Theatrical: 12 July 2023"."""
    return t("{kind}: {date}", kind=kind, date=date)


def runtime(minutes: int | None, t: Speech) -> str:
    """A film's length: "147 min", or "—" when unknown."""
    return t("{minutes} min", minutes=t.number(minutes)) if minutes else "—"


@dataclass(frozen=True)
class FilmDetails:
    """Everything a film card shows, gathered by the cog from the repository."""

    film: Film
    cast: Sequence[CastCredit]
    crew: Sequence[CrewCredit]
    companies: Sequence[Company]
    releases: Sequence[Release]
    position: int | None
    franchise_size: int
    distributors: Sequence[Company] = ()
    certifications: Sequence[Certification] = ()
    poster: str | None = None
    from_tmdb: bool = False
    """The film's pack came from TMDB: its card carries TMDB's notice."""


@dataclass(frozen=True)
class LocalFilm:
    """A film's title and synopsis in the reader's language, where its pack has them."""

    title: str | None = None
    synopsis: str | None = None


def local_film(found: FilmInLanguage, country: str | None) -> LocalFilm | None:
    """The title and synopsis a reader sees from those of their language: their country's variety
    first (pt-BR over pt), then the language's own, then any other country's."""

    def pick(texts: Sequence[tuple[str | None, str]]) -> str | None:
        for wanted in (country, None):
            for where, text in texts:
                if where == wanted:
                    return text
        return texts[0][1] if texts else None

    title, synopsis = pick(found.titles), pick(found.synopses)
    return LocalFilm(title, synopsis) if title or synopsis else None


def people_with_jobs(crew: Iterable[CrewCredit], jobs: Sequence[str]) -> list[str]:
    names: list[str] = []
    for credit in crew:
        if credit.job in jobs and credit.person_name not in names:
            names.append(credit.person_name)
    return names


def cast_line(credit: CastCredit, t: Speech) -> str:
    return played(safe(credit.person_name), safe(credit.character) if credit.character else None, t)


def played(person: str, character: str | None, t: Speech) -> str:
    """ "Tom Cruise as Ethan Hunt" (both already escaped), or just the person."""
    return t("{person} as {character}", person=person, character=character) if character else person


class DatedLine(NamedTuple):
    """A release's line, prepared once: `relative` is shown only while the date is to come."""

    date: dt.date
    release_type: int
    tail: str

    def text(self, today: dt.date, t: Speech) -> str:
        head = dated(release_type(self.release_type, t), timestamp(self.date, "D"), t)
        relative = f" ({timestamp(self.date, 'R')})" if self.date > today else ""
        return f"{head}{relative}{self.tail}"


def dated_lines(releases: Iterable[Release]) -> list[DatedLine]:
    """The lines of `release_lines`, in its order, before the day and the reader are known."""
    return [
        DatedLine(release.date, release.release_type, f" — {safe(release.note)}" if release.note else "")
        for release in sorted(releases, key=lambda release: (release.date, release.release_type))
    ]


def release_lines(releases: Iterable[Release], today: dt.date, t: Speech) -> list[str]:
    """One line per release: type, date, and a relative time while it is still to come."""
    return [line.text(today, t) for line in dated_lines(releases)]


@dataclass(frozen=True)
class CardText:
    """The part of a film card that is the same for every reader, escaped and cut to size once.

    Worked out once per catalogue for every film and kept in the database (``LookupService.prepare_cards``),
    so that answering /film info only adds the reader's language, region and today's relative times.
    Labels are kept as their English messages and translated when shown.
    """

    title: str
    description: str
    crew: tuple[tuple[str, str], ...]
    """Genres (when known), directors, writers and music: shown beside the runtime."""
    credits: tuple[tuple[str, str], ...]
    """Production companies and distributors (when known)."""
    franchise: tuple[int, int, str] | None
    """The film's place in its franchise: (position, films in it, the franchise's escaped name)."""
    dates: dict[str, tuple[DatedLine, ...]]
    """Each country's release lines."""
    ratings: tuple[tuple[str, str], ...] = ()
    """(country, age rating) pairs, escaped and cut: shown for the reader's region only. A tuple, as
    most films of a large catalogue have none and an empty tuple costs nothing."""
    poster: str | None = None
    """The poster's URL, shown as the thumbnail."""
    from_tmdb: bool = False
    """The film's pack came from TMDB: the footer carries TMDB's notice."""
    runtime: int | None = None
    cast: tuple[tuple[str, str | None], ...] = ()
    """The top-billed cast: (person, character), escaped."""
    original: str = ""
    """The film's own title, unescaped, and its year: a title in the reader's language is shown beside them."""
    year: int = 0
    tagline: str = ""
    """The escaped tagline, dropped when the synopsis is shown in another language."""

    def footer(self, t: Speech) -> str:
        footer = t(CARD_FOOTER)
        return truncate(f"{footer}\n{TMDB_NOTICE}" if self.from_tmdb else footer, FOOTER_TEXT)

    def rating(self, region: str) -> str | None:
        return next((rating for country, rating in self.ratings if country == region), None)

    @property
    def countries(self) -> set[str]:
        return set(self.dates)

    def upcoming(self, today: dt.date) -> bool:
        return any(line.date >= today for lines in self.dates.values() for line in lines)


def _names(names: Iterable[str]) -> str:
    return truncate(", ".join(safe(name) for name in names) or "—", FIELD_VALUE)


def _description(tagline: str, synopsis: str) -> str:
    return truncate(
        "\n\n".join(part for part in (f"*{tagline}*" if tagline else "", synopsis) if part), EMBED_DESCRIPTION
    )


def card_text(details: FilmDetails) -> CardText:
    film = details.film
    tagline = safe(film.tagline) if film.tagline else ""
    franchise = None
    if details.position and film.franchise_name:
        franchise = (details.position, details.franchise_size, safe(film.franchise_name))
    by_country: defaultdict[str, list[Release]] = defaultdict(list)
    for release in details.releases:
        by_country[release.country].append(release)
    genres = ((GENRES, _names(film.genres[:CARD_GENRES])),) if film.genres else ()
    crew = (
        *genres,
        (DIRECTED_BY, _names(people_with_jobs(details.crew, ("Director",)))),
        (WRITTEN_BY, _names(people_with_jobs(details.crew, WRITING_JOBS))),
        (MUSIC, _names(people_with_jobs(details.crew, MUSIC_JOBS))),
    )
    distributors = (
        ((DISTRIBUTED_BY, _names(company.name for company in details.distributors)),) if details.distributors else ()
    )
    credits = ((COMPANIES, _names(company.name for company in details.companies)), *distributors)
    cast = tuple(
        (safe(credit.person_name), safe(credit.character) if credit.character else None)
        for credit in details.cast[:CARD_CAST]
    )
    ratings = tuple((c.country, truncate(safe(c.rating), RATING_TEXT)) for c in details.certifications)
    return CardText(
        title=film_heading(film),
        description=_description(tagline, safe(film.synopsis)),
        crew=crew,
        credits=credits,
        franchise=franchise,
        dates={country: tuple(dated_lines(releases)) for country, releases in by_country.items()},
        ratings=ratings,
        poster=details.poster,
        from_tmdb=details.from_tmdb,
        runtime=film.runtime_minutes,
        cast=cast,
        original=film.title,
        year=film.year,
        tagline=tagline,
    )


# How each language writes a film's place in a series ("6th", "6e", "6.", "6.ª", "6º", "第6作"):
# CLDR has plural rules for ordinals, not their spelling.
_ORDINALS: dict[str, Callable[[int], str]] = {
    "fr": lambda n: "1er" if n == 1 else f"{n}e",
    "de": lambda n: f"{n}.",
    "es": lambda n: f"{n}.ª",  # la película
    "pt": lambda n: f"{n}º",  # o filme
    "ja": lambda n: f"第{n}作",
}


def film_ordinal(position: int, t: Speech) -> str:
    """A film's place in its series as the reader's language writes it; English's "6th" otherwise."""
    spell = _ORDINALS.get(t.language.split("_")[0])
    return spell(position) if spell is not None else ordinal(position)


def franchise_place(position: int, size: int, franchise: str, t: Speech) -> str:
    """ "6th of 8 in Mission: Impossible", "6e sur 8 de Mission: Impossible"."""
    return truncate(
        t(
            "{ordinal} of {size} in {franchise}",
            ordinal=film_ordinal(position, t),
            size=t.number(size),
            franchise=franchise,
        ),
        FIELD_VALUE,
    )


def card_embed(text: CardText, region: str, today: dt.date, t: Speech, local: LocalFilm | None = None) -> discord.Embed:
    """A film card for readers of `t`'s language in `region` on `today`: the shared text in their words,
    their region's releases, and the film's title and synopsis in their language where known."""
    title = text.title
    description = text.description
    if local is not None and local.title and local.title != text.original:
        title = local_heading(safe(local.title), text.original, text.year)
    if local is not None and local.synopsis:
        description = _description("", safe(local.synopsis))
    embed = discord.Embed(title=title, description=description, colour=COLOUR)
    crew = [(t("Runtime"), runtime(text.runtime, t)), *((t(name), value) for name, value in text.crew)]
    cast = truncate("\n".join(played(person, character, t) for person, character in text.cast) or "—", FIELD_VALUE)
    country = country_in(region, t)
    released = (
        t("Released in {country}", country=country),
        truncate(
            "\n".join(line.text(today, t) for line in text.dates.get(region, ())) or t("No date known"), FIELD_VALUE
        ),
    )
    rating = text.rating(region)
    fields = [
        *((t(name), value) for name, value in text.credits),
        (t("Cast"), cast),
        released,
        *(((t("Rated in {country}", country=country), rating),) if rating is not None else ()),
    ]
    if text.franchise is not None:
        fields.append((t("Franchise"), franchise_place(*text.franchise, t)))
    footer = text.footer(t)
    size = len(title) + len(description) + len(footer) + sum(len(a) + len(b) for a, b in (*crew, *fields))
    if size <= EMBED_TOTAL:
        # Everything fits (the usual case): no need to measure the embed field by field.
        for name, value in crew:
            embed.add_field(name=name, value=value, inline=True)
        for name, value in fields:
            embed.add_field(name=name, value=value, inline=False)
    else:
        add_card_fields(embed, crew, fields)
    embed.set_footer(text=footer)
    if text.poster:
        embed.set_thumbnail(url=text.poster)
    return embed


def add_card_fields(embed: discord.Embed, crew: Sequence[tuple[str, str]], fields: list[tuple[str, str]]) -> None:
    """The card's fields, measured one by one: those that would break Discord's limits are left out."""
    add_fields_within_limits(embed, list(crew[:1]), inline=True)
    add_fields_within_limits(embed, list(crew[1:]), inline=True)
    add_fields_within_limits(embed, fields)


def film_card(details: FilmDetails, region: str, today: dt.date, t: Speech) -> discord.Embed:
    """The main film embed: synopsis, key crew, top-billed cast, the region's releases, franchise place."""
    return card_embed(card_text(details), region, today, t)


def cast_and_crew_lines(
    cast: Sequence[CastCredit], crew: Sequence[CrewCredit], department: str | None, t: Speech
) -> list[tuple[str, list[str]]]:
    """Sections for /film cast: "Cast" then each crew department, or just the one asked for."""
    sections: list[tuple[str, list[str]]] = []
    if department in (None, "Cast"):
        sections.append((t("Cast"), [f"{credit.billing_order}. {cast_line(credit, t)}" for credit in cast]))
    by_department: defaultdict[str, list[str]] = defaultdict(list)
    for credit in crew:
        by_department[credit.department].append(f"{safe(credit.person_name)} — {safe(credit.job)}")
    ordered = sorted(
        by_department, key=lambda name: (DEPARTMENT_ORDER.index(name) if name in DEPARTMENT_ORDER else 99, name)
    )
    for name in ordered:
        if department in (None, name):
            sections.append((t(name) if name in DEPARTMENT_NAMES else name, by_department[name]))
    return sections


def paged_embeds(
    title: str, sections: Sequence[tuple[str, Sequence[str]]], page_size: int, t: Speech
) -> list[discord.Embed]:
    """Sections of lines split into pages of at most `page_size` lines, each a complete embed."""
    pages: list[discord.Embed] = []
    for section, lines in sections:
        for start in range(0, len(lines), page_size):
            chunk = list(lines[start : start + page_size])
            body = "\n".join(chunk)
            heading = section if start == 0 else t("{section} (continued)", section=section)
            pages.append(
                discord.Embed(
                    title=truncate(title, EMBED_TITLE),
                    description=truncate(f"**{heading}**\n{body}", EMBED_DESCRIPTION),
                    colour=COLOUR,
                )
            )
    if not pages:
        pages.append(discord.Embed(title=truncate(title, EMBED_TITLE), description=t("Nothing listed."), colour=COLOUR))
    for number, page in enumerate(pages, start=1):
        page.set_footer(text=t("Page {number} of {pages}", number=t.number(number), pages=t.number(len(pages))))
    return pages


def releases_embed(film: Film, releases: Sequence[Release], country: str | None, t: Speech) -> discord.Embed:
    """Every release, grouped by country then type, as that country's own calendar dates."""
    embed = discord.Embed(title=film_heading(film), colour=COLOUR)
    by_country: defaultdict[str, list[Release]] = defaultdict(list)
    for release in releases:
        if country is None or release.country == country:
            by_country[release.country].append(release)
    fields = []
    for code in sorted(by_country, key=lambda code: (country_in(code, t), code)):
        lines = [
            dated(release_type(release.release_type, t), calendar_date(release.date, t), t)
            + (f" — {safe(release.note)}" if release.note else "")
            for release in sorted(by_country[code], key=lambda release: (release.release_type, release.date))
        ]
        for index, block in enumerate(chunk_lines(lines, FIELD_VALUE)):
            name = country_in(code, t)
            fields.append((name if index == 0 else t("{section} (continued)", section=name), block))
    if not fields:
        embed.description = (
            t("No release dates known in {country}.", country=country_in(country, t))
            if country
            else t("No release dates known.")
        )
    left_out = add_fields_within_limits(embed, fields)
    footer = t("Dates are local calendar dates in each country.")
    if left_out:
        more = t.plural("{n} more not shown: pick a country.", "{n} more not shown: pick a country.", left_out)
        footer = f"{footer} {more}"
    embed.set_footer(text=footer)
    return embed


@dataclass(frozen=True)
class TimelineEntry:
    film: Film
    directors: Sequence[str]


TIMELINE_PAGE = 25  # films per page of the timeline: what one select menu can offer


def timeline_pages(
    franchise: str, entries: Sequence[TimelineEntry], t: Speech
) -> list[tuple[discord.Embed, list[Film]]]:
    """A franchise in order, in pages of at most `TIMELINE_PAGE` films, each with the films it lists."""
    chunks = [entries[start : start + TIMELINE_PAGE] for start in range(0, len(entries), TIMELINE_PAGE)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks):
        embed = timeline_embed(franchise if number == 0 else t("{section} (continued)", section=franchise), chunk, t)
        pages.append((embed, [entry.film for entry in chunk]))
    return pages


def timeline_embed(franchise: str, entries: Sequence[TimelineEntry], t: Speech) -> discord.Embed:
    lines = [
        f"**{entry.film.franchise_order or '·'}.** {safe(entry.film.title)} ({entry.film.year})"
        + (f" · {runtime(entry.film.runtime_minutes, t)}" if entry.film.runtime_minutes else "")
        + (f" · {t.list(safe(name) for name in entry.directors)}" if entry.directors else "")
        for entry in entries
    ]
    return discord.Embed(
        title=truncate(t("{franchise}: the films in order", franchise=franchise), EMBED_TITLE),
        description=truncate("\n".join(lines) or t("No films loaded."), EMBED_DESCRIPTION),
        colour=COLOUR,
    )


def person_lines(credits: Sequence[PersonCredit], t: Speech) -> list[str]:
    """A person's credits by year: "1996 · Mission: Impossible — Ethan Hunt" or "— Producer"."""
    lines = []
    for credit in credits:
        role = (credit.character or t("uncredited role")) if credit.role == "cast" else (credit.job or t("crew"))
        lines.append(f"{credit.year} · {safe(credit.film_title)} — {safe(role)}")
    return lines


def character_lines(character: Character, t: Speech) -> list[str]:
    """Who played the character, film by film in release order."""
    return [
        t(
            "{person} in {film} ({year})",
            person=safe(appearance.person_name),
            film=safe(appearance.film_title),
            year=appearance.year,
        )
        for appearance in sorted(character.appearances, key=lambda appearance: appearance.year)
    ]


@dataclass(frozen=True)
class SharedFilm:
    """A film two people both appear in, with what each did there."""

    film: Film
    first_roles: Sequence[str]
    second_roles: Sequence[str]


def costar_lines(first: str, second: str, shared: Sequence[SharedFilm], t: Speech) -> list[str]:
    """One line per shared film: what each of the two did in it."""

    def roles(names: Sequence[str]) -> str:
        return ", ".join(safe(name) for name in names)

    return [
        t(
            "**{film}** ({year}): {first} as {first_roles}; {second} as {second_roles}",
            film=safe(item.film.title),
            year=item.film.year,
            first=safe(first),
            first_roles=roles(item.first_roles),
            second=safe(second),
            second_roles=roles(item.second_roles),
        )
        for item in shared
    ]
