"""Film, person and character embeds: plain functions from catalogue records to embeds.

Everything shown comes from packs or members, so every string is escaped (no markdown, no
mentions) and every embed is cut to Discord's limits whatever the data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from bot.regions import country_name
from bot.tmdb import NOTICE as TMDB_NOTICE
from cogs.films.search.characters import Character
from db.repositories.models import CastCredit, Certification, Company, CrewCredit, Film, PersonCredit, Release

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


def film_heading(film: Film) -> str:
    return truncate(f"{film.title} ({film.year})", EMBED_TITLE)


def timestamp(date: dt.date, style: str) -> str:
    """A Discord timestamp for a calendar date (see `_NOON`)."""
    return discord_timestamp(dt.datetime.combine(date, _NOON), style)


def calendar_date(date: dt.date) -> str:
    """A calendar date as text, never shifted by any timezone: "12 July 2023"."""
    return f"{date.day} {date.strftime('%B')} {date.year}"


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


def people_with_jobs(crew: Iterable[CrewCredit], jobs: Sequence[str]) -> list[str]:
    names: list[str] = []
    for credit in crew:
        if credit.job in jobs and credit.person_name not in names:
            names.append(credit.person_name)
    return names


def cast_line(credit: CastCredit) -> str:
    if credit.character:
        return f"{safe(credit.person_name)} as {safe(credit.character)}"
    return safe(credit.person_name)


class DatedLine(NamedTuple):
    """A release's line, prepared once: `relative` is shown only while the date is to come."""

    date: dt.date
    head: str
    relative: str
    tail: str

    def text(self, today: dt.date) -> str:
        return f"{self.head}{self.relative}{self.tail}" if self.date > today else f"{self.head}{self.tail}"


def dated_lines(releases: Iterable[Release]) -> list[DatedLine]:
    """The lines of `release_lines`, in its order, before the day is known."""
    return [
        DatedLine(
            release.date,
            f"{release.type_name}: {timestamp(release.date, 'D')}",
            f" ({timestamp(release.date, 'R')})",
            f" — {safe(release.note)}" if release.note else "",
        )
        for release in sorted(releases, key=lambda release: (release.date, release.release_type))
    ]


def release_lines(releases: Iterable[Release], today: dt.date) -> list[str]:
    """One line per release: type, date, and a relative time while it is still to come."""
    return [line.text(today) for line in dated_lines(releases)]


@dataclass(frozen=True)
class CardText:
    """The part of a film card that is the same for every reader, escaped and cut to size once.

    Worked out once per catalogue for every film and kept in the database (``LookupService.prepare_cards``),
    so that answering /film info only adds the reader's region and today's relative times.
    """

    title: str
    description: str
    crew: tuple[tuple[str, str], ...]
    """Runtime, genres (when known), directors, writers and music: shown side by side."""
    credits: tuple[tuple[str, str], ...]
    """Production companies, distributors (when known) and the top-billed cast."""
    franchise: str | None
    dates: dict[str, tuple[DatedLine, ...]]
    """Each country's release lines."""
    size: int
    """Characters of everything above and the footer, as Discord counts them against its total."""
    ratings: tuple[tuple[str, str], ...] = ()
    """(country, age rating) pairs, escaped and cut: shown for the reader's region only. A tuple, as
    most films of a large catalogue have none and an empty tuple costs nothing."""
    poster: str | None = None
    """The poster's URL, shown as the thumbnail."""
    from_tmdb: bool = False
    """The film's pack came from TMDB: the footer carries TMDB's notice."""

    @property
    def footer(self) -> str:
        return _TMDB_CARD_FOOTER if self.from_tmdb else _CARD_FOOTER

    def rating(self, region: str) -> str | None:
        return next((rating for country, rating in self.ratings if country == region), None)

    @property
    def countries(self) -> set[str]:
        return set(self.dates)

    def upcoming(self, today: dt.date) -> bool:
        return any(line.date >= today for lines in self.dates.values() for line in lines)


def _names(names: Iterable[str]) -> str:
    return truncate(", ".join(safe(name) for name in names) or "—", FIELD_VALUE)


def card_text(details: FilmDetails) -> CardText:
    film = details.film
    description = "\n\n".join(
        part for part in (f"*{safe(film.tagline)}*" if film.tagline else "", safe(film.synopsis)) if part
    )
    franchise = None
    if details.position and film.franchise_name:
        franchise = truncate(
            f"{ordinal(details.position)} of {details.franchise_size} in {safe(film.franchise_name)}", FIELD_VALUE
        )
    by_country: defaultdict[str, list[Release]] = defaultdict(list)
    for release in details.releases:
        by_country[release.country].append(release)
    title = film_heading(film)
    description = truncate(description, EMBED_DESCRIPTION)
    genres = (("Genres", _names(film.genres[:CARD_GENRES])),) if film.genres else ()
    crew = (
        ("Runtime", f"{film.runtime_minutes} min" if film.runtime_minutes else "—"),
        *genres,
        ("Directed by", _names(people_with_jobs(details.crew, ("Director",)))),
        ("Written by", _names(people_with_jobs(details.crew, WRITING_JOBS))),
        ("Music", _names(people_with_jobs(details.crew, MUSIC_JOBS))),
    )
    distributors = (
        (("Distributed by", _names(company.name for company in details.distributors)),) if details.distributors else ()
    )
    credits = (
        ("Companies", _names(company.name for company in details.companies)),
        *distributors,
        ("Cast", truncate("\n".join(cast_line(credit) for credit in details.cast[:CARD_CAST]) or "—", FIELD_VALUE)),
    )
    ratings = tuple((c.country, truncate(safe(c.rating), RATING_TEXT)) for c in details.certifications)
    fields = [*crew, *credits, *((("Franchise", franchise),) if franchise else ())]
    footer = _TMDB_CARD_FOOTER if details.from_tmdb else _CARD_FOOTER  # what `CardText.footer` will be
    return CardText(
        title=title,
        description=description,
        crew=crew,
        credits=credits,
        franchise=franchise,
        dates={country: tuple(dated_lines(releases)) for country, releases in by_country.items()},
        size=len(title) + len(description) + len(footer) + sum(len(a) + len(b) for a, b in fields),
        ratings=ratings,
        poster=details.poster,
        from_tmdb=details.from_tmdb,
    )


def card_embed(text: CardText, region: str, today: dt.date) -> discord.Embed:
    """A film card for readers in `region` on `today`: the shared text plus that region's releases."""
    embed = discord.Embed(title=text.title, description=text.description, colour=COLOUR)
    released = (
        f"Released in {country_name(region)}",
        truncate("\n".join(line.text(today) for line in text.dates.get(region, ())) or "No date known", FIELD_VALUE),
    )
    rating = text.rating(region)
    regional = [released, *(((f"Rated in {country_name(region)}", rating),) if rating is not None else ())]
    fields = [*text.credits, *regional]
    if text.franchise is not None:
        fields.append(("Franchise", text.franchise))
    if text.size + sum(len(name) + len(value) for name, value in regional) <= EMBED_TOTAL:
        # Everything fits (the usual case): no need to measure the embed field by field.
        for name, value in text.crew:
            embed.add_field(name=name, value=value, inline=True)
        for name, value in fields:
            embed.add_field(name=name, value=value, inline=False)
    else:
        add_card_fields(embed, text.crew, fields)
    embed.set_footer(text=text.footer)
    if text.poster:
        embed.set_thumbnail(url=text.poster)
    return embed


def add_card_fields(embed: discord.Embed, crew: Sequence[tuple[str, str]], fields: list[tuple[str, str]]) -> None:
    """The card's fields, measured one by one: those that would break Discord's limits are left out."""
    add_fields_within_limits(embed, list(crew[:1]), inline=True)
    add_fields_within_limits(embed, list(crew[1:]), inline=True)
    add_fields_within_limits(embed, fields)


_CARD_FOOTER = truncate("Full cast, every country's dates and the other films: use the buttons.", FOOTER_TEXT)
_TMDB_CARD_FOOTER = truncate(f"{_CARD_FOOTER}\n{TMDB_NOTICE}", FOOTER_TEXT)


def film_card(details: FilmDetails, region: str, today: dt.date) -> discord.Embed:
    """The main film embed: synopsis, key crew, top-billed cast, the region's releases, franchise place."""
    return card_embed(card_text(details), region, today)


def cast_and_crew_lines(
    cast: Sequence[CastCredit], crew: Sequence[CrewCredit], department: str | None
) -> list[tuple[str, list[str]]]:
    """Sections for /film cast: "Cast" then each crew department, or just the one asked for."""
    sections: list[tuple[str, list[str]]] = []
    if department in (None, "Cast"):
        sections.append(("Cast", [f"{credit.billing_order}. {cast_line(credit)}" for credit in cast]))
    by_department: defaultdict[str, list[str]] = defaultdict(list)
    for credit in crew:
        by_department[credit.department].append(f"{safe(credit.person_name)} — {safe(credit.job)}")
    ordered = sorted(
        by_department, key=lambda name: (DEPARTMENT_ORDER.index(name) if name in DEPARTMENT_ORDER else 99, name)
    )
    for name in ordered:
        if department in (None, name):
            sections.append((name, by_department[name]))
    return sections


def paged_embeds(title: str, sections: Sequence[tuple[str, Sequence[str]]], page_size: int) -> list[discord.Embed]:
    """Sections of lines split into pages of at most `page_size` lines, each a complete embed."""
    pages: list[discord.Embed] = []
    for section, lines in sections:
        for start in range(0, len(lines), page_size):
            chunk = list(lines[start : start + page_size])
            body = "\n".join(chunk)
            heading = section if start == 0 else f"{section} (continued)"
            pages.append(
                discord.Embed(
                    title=truncate(title, EMBED_TITLE),
                    description=truncate(f"**{heading}**\n{body}", EMBED_DESCRIPTION),
                    colour=COLOUR,
                )
            )
    if not pages:
        pages.append(discord.Embed(title=truncate(title, EMBED_TITLE), description="Nothing listed.", colour=COLOUR))
    for number, page in enumerate(pages, start=1):
        page.set_footer(text=f"Page {number} of {len(pages)}")
    return pages


def releases_embed(film: Film, releases: Sequence[Release], country: str | None) -> discord.Embed:
    """Every release, grouped by country then type, as that country's own calendar dates."""
    embed = discord.Embed(title=film_heading(film), colour=COLOUR)
    by_country: defaultdict[str, list[Release]] = defaultdict(list)
    for release in releases:
        if country is None or release.country == country:
            by_country[release.country].append(release)
    fields = []
    for code in sorted(by_country, key=lambda code: (country_name(code), code)):
        lines = [
            f"{release.type_name}: {calendar_date(release.date)}" + (f" — {safe(release.note)}" if release.note else "")
            for release in sorted(by_country[code], key=lambda release: (release.release_type, release.date))
        ]
        for index, block in enumerate(chunk_lines(lines, FIELD_VALUE)):
            name = country_name(code) if index == 0 else f"{country_name(code)} (continued)"
            fields.append((name, block))
    if not fields:
        where = f" in {country_name(country)}" if country else ""
        embed.description = f"No release dates known{where}."
    left_out = add_fields_within_limits(embed, fields)
    more = f" {left_out} more not shown: pick a country." if left_out else ""
    embed.set_footer(text="Dates are local calendar dates in each country." + more)
    return embed


@dataclass(frozen=True)
class TimelineEntry:
    film: Film
    directors: Sequence[str]


TIMELINE_PAGE = 25  # films per page of the timeline: what one select menu can offer


def timeline_pages(franchise: str, entries: Sequence[TimelineEntry]) -> list[tuple[discord.Embed, list[Film]]]:
    """A franchise in order, in pages of at most `TIMELINE_PAGE` films, each with the films it lists."""
    chunks = [entries[start : start + TIMELINE_PAGE] for start in range(0, len(entries), TIMELINE_PAGE)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks):
        embed = timeline_embed(franchise if number == 0 else f"{franchise} (continued)", chunk)
        pages.append((embed, [entry.film for entry in chunk]))
    return pages


def timeline_embed(franchise: str, entries: Sequence[TimelineEntry]) -> discord.Embed:
    lines = [
        f"**{entry.film.franchise_order or '·'}.** {safe(entry.film.title)} ({entry.film.year})"
        + (f" · {entry.film.runtime_minutes} min" if entry.film.runtime_minutes else "")
        + (f" · {', '.join(safe(name) for name in entry.directors)}" if entry.directors else "")
        for entry in entries
    ]
    return discord.Embed(
        title=truncate(f"{franchise}: the films in order", EMBED_TITLE),
        description=truncate("\n".join(lines) or "No films loaded.", EMBED_DESCRIPTION),
        colour=COLOUR,
    )


def person_lines(credits: Sequence[PersonCredit]) -> list[str]:
    """A person's credits by year: "1996 · Mission: Impossible — Ethan Hunt" or "— Producer"."""
    lines = []
    for credit in credits:
        role = (credit.character or "uncredited role") if credit.role == "cast" else (credit.job or "crew")
        lines.append(f"{credit.year} · {safe(credit.film_title)} — {safe(role)}")
    return lines


def character_lines(character: Character) -> list[str]:
    """Who played the character, film by film in release order."""
    return [
        f"{safe(appearance.person_name)} in {safe(appearance.film_title)} ({appearance.year})"
        for appearance in sorted(character.appearances, key=lambda appearance: appearance.year)
    ]


@dataclass(frozen=True)
class SharedFilm:
    """A film two people both appear in, with what each did there."""

    film: Film
    first_roles: Sequence[str]
    second_roles: Sequence[str]


def costar_lines(first: str, second: str, shared: Sequence[SharedFilm]) -> list[str]:
    """One line per shared film: what each of the two did in it."""

    def roles(names: Sequence[str]) -> str:
        return ", ".join(safe(name) for name in names)

    return [
        f"**{safe(item.film.title)}** ({item.film.year}): {safe(first)} as {roles(item.first_roles)}; "
        f"{safe(second)} as {roles(item.second_roles)}"
        for item in shared
    ]
