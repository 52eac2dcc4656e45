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
from db.repositories.settings import GuildSettingsRepository, UserSettingsRepository, preferred_regions
from db.repositories.trivia import (
    LeaderboardRow,
    MemberStats,
    TriviaAnswer,
    TriviaDaily,
    TriviaDailyAnswer,
    TriviaDailySettings,
    TriviaGame,
    TriviaRepository,
    TriviaRound,
    TriviaSettings,
)

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
    "LeaderboardRow",
    "MemberStats",
    "Milestone",
    "Person",
    "PersonCredit",
    "PlaceSettings",
    "Release",
    "TriviaAnswer",
    "TriviaDaily",
    "TriviaDailyAnswer",
    "TriviaDailySettings",
    "TriviaGame",
    "TriviaQuestion",
    "TriviaRepository",
    "TriviaRound",
    "TriviaSettings",
    "UserSettingsRepository",
    "preferred_regions",
]
