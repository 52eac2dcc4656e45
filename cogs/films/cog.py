"""Lookup commands: /film info|cast|releases|timeline|random, /person, /character, /costars."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.formatting import EMBED_DESCRIPTION, EMBED_TITLE, quote, truncate
from bot.i18n import N_, Speech
from bot.regions import country_names, member_region
from bot.translator import member_speech
from bot.views import PAGE_TIMEOUT, PagedView
from cogs.films import render
from cogs.films.catalogue_reads import shared_films, timeline
from cogs.films.search.characters import Character
from cogs.films.search.index import Match, SearchIndex
from cogs.films.service import LookupService
from cogs.films.views import TimelineView, card_view, choices_view, menu_view, pick_view
from db.repositories.models import Film, Person

if TYPE_CHECKING:
    from bot.client import MarqueeBot

Department = Literal["Cast", "Directing", "Writing", "Production", "Sound", "Camera", "Editing"]
PERSON_PAGE = 20
T = TypeVar("T")


Kind = Literal["film", "person", "character"]

NOT_FOUND: dict[str, str] = {
    "film": N_("No film called “{query}”. It is not in the catalogue."),
    "person": N_("No person called “{query}”. It is not in the catalogue."),
    "character": N_("No character called “{query}”. It is not in the catalogue."),
}
CLOSEST: dict[str, str] = {
    "film": N_("No film called “{query}”. Closest in the catalogue:"),
    "person": N_("No person called “{query}”. Closest in the catalogue:"),
    "character": N_("No character called “{query}”. Closest in the catalogue:"),
}
GONE: dict[str, str] = {
    "person": N_("That person is no longer in the catalogue."),
    "character": N_("That character is no longer in the catalogue."),
}


def _resolved(index: SearchIndex[Any], query: str, t: Speech) -> Any:
    """The one person `query` names; refuses with suggestions when it names none or several."""
    match: Match[Any] = index.resolve(query)
    if match.found:
        return match.best
    names = t.list((quote(candidate.label) for candidate in match.candidates), style="or")
    if match.status == "ambiguous":
        if names:
            raise UserFacingError(
                "“{query}” could be several people. Closest: {names}. Pick one from the list.",
                query=quote(query),
                names=names,
            )
        raise UserFacingError("“{query}” could be several people. Pick one from the list.", query=quote(query))
    if names:
        raise UserFacingError("No person called “{query}”. Closest: {names}.", query=quote(query), names=names)
    raise UserFacingError("No person called “{query}”.", query=quote(query))


async def resolve_or_ask(
    interaction: discord.Interaction[Any],
    index: SearchIndex[T],
    query: str,
    kind: Kind,
    buttons: Callable[[list[tuple[str, str]]], discord.ui.View],
) -> T | None:
    """The item `query` names; on a near tie, None after asking "Did you mean…" with `buttons`.

    No match at all is never guessed: the answer says so, with the closest names as `buttons` to pick.
    """
    match = index.resolve(query)
    if match.found:
        return match.best
    candidates = [(str(getattr(candidate.item, "key", "")), candidate.label) for candidate in match.candidates]
    t = member_speech(interaction)
    if match.status == "ambiguous":
        question = t("Did you mean one of these for “{query}”?", query=quote(query))
    elif candidates:
        question = t(CLOSEST[kind], query=quote(query))
    else:
        raise UserFacingError(NOT_FOUND[kind], query=quote(query))
    await interaction.response.send_message(question, view=buttons(candidates), ephemeral=True)
    return None


class Films(commands.Cog):
    """Films: cards, cast and crew, release dates, the franchise timeline."""

    film = app_commands.Group(name="film", description="Look films up: details, cast and release dates.")

    def __init__(self, bot: MarqueeBot, lookup: LookupService) -> None:
        self.bot = bot
        self.lookup = lookup
        self.page_timeout = PAGE_TIMEOUT

    # ---- shared steps ---------------------------------------------------------------------------

    async def region_for(self, interaction: discord.Interaction[Any], available: set[str]) -> str:
        """The region whose release dates the member sees on a card (see `bot.regions.member_region`)."""
        own, server = await self.lookup.chosen_regions(interaction.user.id, interaction.guild_id)
        default = self.bot.settings.defaults.region
        return member_region(own, str(interaction.locale), server, default=default, available=available)

    async def pick_film(self, interaction: discord.Interaction[Any], query: str, action: str) -> Film | None:
        """The film `query` names, or None after asking "Did you mean…" with buttons."""
        # An autocomplete pick sends the film's key: no need to wait for, or search, the indexes.
        picked = self.lookup.film(query)
        if picked is not None:
            return picked
        films = (await self.lookup.ready()).films
        return await resolve_or_ask(
            interaction, films, query, "film", lambda candidates: choices_view(action, candidates)
        )

    def speech(self, interaction: discord.Interaction[Any]) -> Speech:
        """The member's language: every look-up answers the member who asked (or clicked)."""
        return member_speech(interaction)

    def film_by_key(self, key: str) -> Film:
        film = self.lookup.film(key)
        if film is None:
            raise UserFacingError("That film is no longer in the catalogue.")
        return film

    async def card(self, interaction: discord.Interaction[Any], film: Film) -> tuple[discord.Embed, discord.ui.View]:
        text = await self.lookup.card_text(film)
        region = await self.region_for(interaction, text.countries)
        today = self.bot.clock.now().date()
        t = self.speech(interaction)
        local = await self.lookup.local_film(film, t, str(interaction.locale))
        embed = self.lookup.card_embed(film, text, region, today, t, local)
        previous, following = self.lookup.current.neighbours(film)
        return embed, card_view(
            film.key,
            previous.key if previous else None,
            following.key if following else None,
            upcoming=text.upcoming(today),
            t=t,
        )

    async def cast_view(self, interaction: discord.Interaction[Any], film: Film, department: str | None) -> PagedView:
        t = self.speech(interaction)
        sections = render.cast_and_crew_lines(
            await self.bot.catalogue.cast(film.id), await self.bot.catalogue.crew(film.id), department, t
        )
        pages = render.paged_embeds(f"{film.title} ({film.year})", sections, render.CAST_PAGE_SIZE, t)
        return PagedView(interaction.user.id, pages, timeout=self.page_timeout)

    async def releases_embed(
        self, interaction: discord.Interaction[Any], film: Film, country: str | None
    ) -> discord.Embed:
        t = self.speech(interaction)
        return render.releases_embed(film, await self.bot.catalogue.releases(film.id), country, t)

    # ---- /film ----------------------------------------------------------------------------------

    @film.command(name="info")
    @app_commands.describe(title="A title, an alias such as MI7 or Fallout, or part of one")
    async def info(self, interaction: discord.Interaction[MarqueeBot], title: str) -> None:
        """A film's card: synopsis, key crew, cast and your region's release dates."""
        film = await self.pick_film(interaction, title, "info")
        if film is not None:
            embed, view = await self.card(interaction, film)
            await interaction.response.send_message(embed=embed, view=view)

    @film.command(name="cast")
    @app_commands.describe(title="A title or alias", department="Only the cast, or one crew department")
    async def cast(
        self, interaction: discord.Interaction[MarqueeBot], title: str, department: Department | None = None
    ) -> None:
        """The full cast and crew of a film, in pages."""
        film = await self.pick_film(interaction, title, "cast")
        if film is not None:
            await (await self.cast_view(interaction, film, department)).send(interaction)

    @film.command(name="releases")
    @app_commands.describe(title="A title or alias", country="Only this country: a two-letter code such as US or GB")
    async def releases(
        self, interaction: discord.Interaction[MarqueeBot], title: str, country: str | None = None
    ) -> None:
        """Every release date of a film, by country and type, in each country's own calendar."""
        code = country.strip().upper() if country else None
        if code is not None and code not in country_names():
            raise UserFacingError(
                "“{country}” is not a country code; use two letters such as US, GB or FR.", country=quote(country)
            )
        film = await self.pick_film(interaction, title, "releases")
        if film is not None:
            await interaction.response.send_message(embed=await self.releases_embed(interaction, film, code))

    @film.command(name="timeline")
    async def timeline(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """The franchise in order, with a menu to open any film."""
        t = self.speech(interaction)
        pages: list[tuple[discord.Embed, list[discord.SelectOption]]] = []
        for films in self.lookup.current.franchises.values():
            name = films[0].franchise_name or t("Other films")
            for embed, listed in render.timeline_pages(name, await timeline(self.bot.catalogue, films), t):
                options = [
                    discord.SelectOption(label=truncate(f"{film.title} ({film.year})", 100), value=film.key)
                    for film in listed
                ]
                pages.append((embed, options))
        if not pages:
            raise UserFacingError("No films are loaded yet.")
        if len(pages) == 1:
            # The usual case (one franchise): a menu that keeps working after a restart.
            embed, options = pages[0]
            await interaction.response.send_message(embed=embed, view=menu_view(options, t))
            return
        # More franchises or films than one page holds: pages, each with a menu of its own films.
        await TimelineView(interaction.user.id, pages, t, timeout=self.page_timeout).send(interaction)

    @film.command(name="random")
    async def random_film(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """A random film's card."""
        films = self.lookup.current.by_id
        if not films:
            raise UserFacingError("No films are loaded yet.")
        film = random.choice(list(films.values()))
        embed, view = await self.card(interaction, film)
        await interaction.response.send_message(embed=embed, view=view)

    @info.autocomplete("title")
    @cast.autocomplete("title")
    @releases.autocomplete("title")
    async def title_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.lookup.film_choices_in(current, self.speech(interaction), str(interaction.locale))

    # ---- buttons and menus ----------------------------------------------------------------------

    async def show_film_part(self, interaction: discord.Interaction[Any], action: str, key: str) -> None:
        """A film button or menu pick: a card, its full cast or dates, or the answer to a "Did you mean…"."""
        film = self.film_by_key(key)
        if action in ("info", "cast", "releases"):
            await self.answer_pick(interaction, action, film)
        elif action == "open":
            embed, view = await self.card(interaction, film)
            message = interaction.message
            metadata = message.interaction_metadata if message else None
            owns = metadata is not None and metadata.user.id == interaction.user.id
            if message is not None and (message.flags.ephemeral or owns):
                await interaction.response.edit_message(embed=embed, view=view)
            else:
                await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
        elif action == "fullcast":
            await (await self.cast_view(interaction, film, None)).send(interaction, ephemeral=True)
        elif action == "dates":
            embed = await self.releases_embed(interaction, film, None)
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:  # "pick", from the timeline menu
            embed, view = await self.card(interaction, film)
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def answer_pick(self, interaction: discord.Interaction[Any], action: str, film: Film) -> None:
        """A "Did you mean…" choice: close the question, then answer as the command would have."""
        t = self.speech(interaction)
        shown = t("Showing {title} ({year}).", title=quote(film.title), year=film.year)
        await interaction.response.edit_message(content=shown, view=None)
        if action == "info":
            embed, view = await self.card(interaction, film)
            await interaction.followup.send(embed=embed, view=view)
        elif action == "cast":
            await (await self.cast_view(interaction, film, None)).send(interaction)
        else:
            await interaction.followup.send(embed=await self.releases_embed(interaction, film, None))


class People(commands.Cog):
    """People and characters: credits, who played whom, co-stars."""

    def __init__(self, bot: MarqueeBot, lookup: LookupService) -> None:
        self.bot = bot
        self.lookup = lookup
        self.page_timeout = PAGE_TIMEOUT

    async def pick(self, interaction: discord.Interaction[Any], kind: Kind, query: str) -> Any:
        """The person or character `query` names, or None after asking "Did you mean…" with buttons."""
        lookup = await self.lookup.ready()
        index: SearchIndex[Any] = lookup.people if kind == "person" else lookup.characters
        return await resolve_or_ask(interaction, index, query, kind, lambda candidates: pick_view(kind, candidates))

    async def show_person(self, interaction: discord.Interaction[Any], person: Person) -> None:
        t = member_speech(interaction)
        credits = await self.bot.catalogue.person_credits(person.id)
        sections = [(t("Credits"), render.person_lines(credits, t))]
        pages = render.paged_embeds(render.safe(person.name), sections, PERSON_PAGE, t)
        await PagedView(interaction.user.id, pages, timeout=self.page_timeout).send(interaction)

    async def show_character(self, interaction: discord.Interaction[Any], character: Character) -> None:
        embed = discord.Embed(
            title=truncate(render.safe(character.name), EMBED_TITLE),
            description=truncate(
                "\n".join(render.character_lines(character, member_speech(interaction))), EMBED_DESCRIPTION
            ),
            colour=render.COLOUR,
        )
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed)
        else:
            await interaction.response.send_message(embed=embed)

    async def open_picked(self, interaction: discord.Interaction[Any], kind: str, value: str) -> None:
        """A "Did you mean…" choice: close the question, then answer as the command would have."""
        lookup = self.lookup.current
        index: SearchIndex[Any] = lookup.people if kind == "person" else lookup.characters
        item = index.get(value)
        if item is None:
            raise UserFacingError(GONE[kind])
        shown = member_speech(interaction)("Showing {name}.", name=quote(item.name))
        await interaction.response.edit_message(content=shown, view=None)
        if kind == "person":
            await self.show_person(interaction, item)
        else:
            await self.show_character(interaction, item)

    @app_commands.command(name="person")
    @app_commands.describe(name="A person's name or surname, such as McQuarrie")
    async def person(self, interaction: discord.Interaction[MarqueeBot], name: str) -> None:
        """A person's credits in the catalogue, film by film."""
        person = await self.pick(interaction, "person", name)
        if person is not None:
            await self.show_person(interaction, person)

    @app_commands.command(name="character")
    @app_commands.describe(name="A character, such as Luther Stickell or Benji")
    async def character(self, interaction: discord.Interaction[MarqueeBot], name: str) -> None:
        """Who played a character, and in which films."""
        character = await self.pick(interaction, "character", name)
        if character is not None:
            await self.show_character(interaction, character)

    @app_commands.command(name="costars")
    @app_commands.describe(first="One person", second="Another person")
    async def costars(self, interaction: discord.Interaction[MarqueeBot], first: str, second: str) -> None:
        """The films two people made together, and who they played."""
        t = member_speech(interaction)
        lookup = await self.lookup.ready()
        one: Person = _resolved(lookup.people, first, t)
        other: Person = _resolved(lookup.people, second, t)
        if one.id == other.id:
            raise UserFacingError("Pick two different people.")
        shared = await shared_films(self.bot.catalogue, lookup, one, other, t)
        if not shared:
            raise UserFacingError(
                "{first} and {second} share no film in the catalogue.", first=quote(one.name), second=quote(other.name)
            )
        title = t("{first} and {second}", first=one.name, second=other.name)
        sections = [(t("Together in"), render.costar_lines(one.name, other.name, shared, t))]
        pages = render.paged_embeds(title, sections, 10, t)
        await PagedView(interaction.user.id, pages, timeout=self.page_timeout).send(interaction)

    @person.autocomplete("name")
    @costars.autocomplete("first")
    @costars.autocomplete("second")
    async def person_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        people = self.lookup.current.people
        if not people.ready:
            return []
        return [app_commands.Choice(name=c.label, value=c.value) for c in people.complete(current)]

    @character.autocomplete("name")
    async def character_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        characters = self.lookup.current.characters
        if not characters.ready:
            return []
        return [app_commands.Choice(name=c.label, value=c.value) for c in characters.complete(current)]
