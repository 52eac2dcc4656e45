"""A film card in the reader's language: labels, numbers and dates in their words, the title and synopsis
their language has beside the film's own, and the one picked for their country first."""

from __future__ import annotations

import datetime as dt

from bot.i18n import Catalogues
from cogs.films import render
from db.repositories.models import CastCredit, CrewCredit, Film, FilmInLanguage, Release

CATALOGUES = Catalogues.load()
FILM = Film(
    1, "gp", "Ghost Protocol", "Ghost Protocol", 2011, "mi", "Mission", 4, 133, "A bombing.", "Disowned.",
    None, None, "p", "s",
)  # fmt: skip
DETAILS = render.FilmDetails(
    FILM,
    [CastCredit(1, 1, 1, "tom", "Tom Cruise", "Ethan Hunt", "s")],
    [CrewCredit(1, 2, "brad", "Brad Bird", "Directing", "Director", "s")],
    [],
    [Release(1, "US", dt.date(2011, 12, 21), 3, None, "s"), Release(1, "FR", dt.date(2011, 12, 14), 3, None, "s")],
    4,
    8,
)


def fields(embed: object) -> dict[str, str]:
    return {field.name or "": field.value or "" for field in getattr(embed, "fields", [])}


def test_the_readers_country_comes_first_then_the_language_then_any() -> None:
    found = FilmInLanguage(
        titles=(("PT", "Protocolo Fantasma (PT)"), (None, "Protocolo Fantasma"), ("BR", "Protocolo Fantasma (BR)")),
        synopses=(("PT", "Sinopse PT"),),
    )
    assert render.local_film(found, "BR") == render.LocalFilm("Protocolo Fantasma (BR)", "Sinopse PT")
    assert render.local_film(found, "AO") == render.LocalFilm("Protocolo Fantasma", "Sinopse PT")
    assert render.local_film(FilmInLanguage(titles=(("CA", "Titre québécois"),)), "FR") == render.LocalFilm(
        "Titre québécois", None
    )
    assert render.local_film(FilmInLanguage(), "FR") is None


def test_a_french_card() -> None:
    t = CATALOGUES.speech("fr")
    local = render.LocalFilm("Protocole fantôme", "Un attentat.")
    card = render.card_embed(render.card_text(DETAILS), "FR", dt.date(2011, 12, 1), t, local)
    assert card.title == "Protocole fantôme (Ghost Protocol, 2011)"
    assert card.description == "Un attentat."  # the English tagline is not mixed in
    shown = fields(card)
    assert shown["Durée"] == "133 min" and shown["Réalisation"] == "Brad Bird"
    assert shown["Distribution"] == "Tom Cruise dans le rôle de Ethan Hunt"
    assert shown["Franchise"] == "4e sur 8 de Mission"
    assert shown["Sortie (France)"].startswith("Cinéma : <t:") and ":R>)" in shown["Sortie (France)"]


def test_no_local_title_or_the_same_one_keeps_the_films_heading() -> None:
    t = CATALOGUES.speech("de")
    text = render.card_text(DETAILS)
    for local in (None, render.LocalFilm("Ghost Protocol", None)):
        card = render.card_embed(text, "DE", dt.date(2020, 1, 1), t, local)
        assert card.title == "Ghost Protocol (2011)" and card.description == "*Disowned.*\n\nA bombing."
        assert fields(card)["Start (Deutschland)"] == "Kein Datum bekannt"


def test_ordinals_in_each_language() -> None:
    expected = {"en": "1st", "fr": "1er", "de": "1.", "es": "1.ª", "pt_BR": "1º", "ja": "第1作"}
    for language, first in expected.items():
        assert render.film_ordinal(1, CATALOGUES.speech(language)) == first
    assert render.film_ordinal(2, CATALOGUES.speech("fr")) == "2e"
    assert render.franchise_place(4, 8, "Mission", CATALOGUES.speech("ja")) == "Missionの第4作（全8作）"


def test_release_dates_in_words_and_countries_in_the_readers_language() -> None:
    embed = render.releases_embed(FILM, DETAILS.releases, None, CATALOGUES.speech("fr"))
    assert fields(embed) == {"États-Unis": "Cinéma : 21 décembre 2011", "France": "Cinéma : 14 décembre 2011"}
    japanese = render.releases_embed(FILM, DETAILS.releases, "US", CATALOGUES.speech("ja"))
    assert fields(japanese) == {"アメリカ合衆国": "劇場公開：2011年12月21日"}
    korean = render.releases_embed(FILM, DETAILS.releases, "US", CATALOGUES.speech("ko"))
    assert fields(korean) == {"United States": "Theatrical: 21 December 2011"}
