"""Typed repositories over a :class:`~db.connection.Database`; they return frozen dataclasses."""

from db.repositories.bot_state import BotStateRepository
from db.repositories.catalogue import CatalogueRepository
from db.repositories.models import (
    CastCredit,
    CatalogueCounts,
    Company,
    CrewCredit,
    Film,
    FilmSummary,
    FilmTitle,
    Milestone,
    Person,
    PersonCredit,
    PlaceSettings,
    Release,
    TriviaQuestion,
)
from db.repositories.settings import GuildSettingsRepository, UserSettingsRepository

__all__ = [
    "BotStateRepository",
    "CastCredit",
    "CatalogueCounts",
    "CatalogueRepository",
    "Company",
    "CrewCredit",
    "Film",
    "FilmSummary",
    "FilmTitle",
    "GuildSettingsRepository",
    "Milestone",
    "Person",
    "PersonCredit",
    "PlaceSettings",
    "Release",
    "TriviaQuestion",
    "UserSettingsRepository",
]
