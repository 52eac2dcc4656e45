"""Countdown posts and answers in each shipped language: dates, countries, plurals, milestone messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.i18n import Catalogues
from bot.targets import Target, TargetDates, country_in, spelled, where
from bot.translator import Languages
from cogs.countdowns.dates import NEGATIVE, MilestoneError, parse_milestones
from cogs.countdowns.render import anniversary_post, countdown_post, post_label, release_post, status_embed
from db import Database, GuildSettingsRepository, migrate
from db.repositories.announcements import AnnouncementPost

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
FILM = TargetDates(Target("film:one", "Film One", dt.date(2026, 3, 20), "film"), country="US")


@pytest.fixture(scope="module")
def shipped() -> Catalogues:
    return Catalogues.load()


def test_without_a_speech_the_day_reads_as_before_and_with_one_the_locales_way(shipped: Catalogues) -> None:
    day = dt.date(2026, 3, 20)
    assert spelled(day) == "Friday 20 March 2026"
    assert spelled(day, shipped.speech("ja")) == "2026年3月20日金曜日"
    assert spelled(day, shipped.speech("fr")) == "vendredi 20 mars 2026"
    assert spelled(day, shipped.speech("en-GB")) == "Friday, 20 March 2026"


def test_countries_are_named_in_the_language_and_english_keeps_its_own_names(shipped: Catalogues) -> None:
    assert country_in("us", shipped.speech("en-US")) == country_in("US") == "United States"
    assert country_in("US", shipped.speech("de")) == "Vereinigte Staaten"
    assert where(FILM, shipped.speech("ja")) == "（アメリカ合衆国）"
    assert where(FILM) == where(FILM, shipped.speech("en-US")) == " in United States"
    event = TargetDates(Target("event:1", "Party", dt.date(2026, 3, 20), "event"))
    assert where(event, shipped.speech("fr")) == ""


def test_posts_follow_each_languages_plural_and_word_order(shipped: Catalogues) -> None:
    french, japanese, english = shipped.speech("fr"), shipped.speech("ja"), shipped.speech(None)
    assert (countdown_post(french, FILM, 1).description or "").startswith("**Plus que 1 jour.** Sortie de Film One")
    assert (countdown_post(french, FILM, 2).description or "").startswith("**Plus que 2 jours.**")
    assert (countdown_post(english, FILM, 1).description or "").startswith("**1 day to go.** Film One opens in")
    assert release_post(japanese, FILM).description == (
        "**本日公開（アメリカ合衆国）！** 「Film One」は2026年3月20日金曜日に公開です。"
    )
    assert (anniversary_post(english, FILM, 1).description or "").startswith("**Film One turned 1 today.**")
    assert (anniversary_post(english, FILM, 5).description or "").startswith("**Film One turned 5 today.**")
    assert (anniversary_post(shipped.speech("de"), FILM, 5).description or "").startswith(
        "**Film One wird heute 5 Jahre alt.**"
    )
    late = release_post(shipped.speech("es"), FILM, late=True)
    assert late.footer.text == "Publicado con retraso: Marquee estaba desconectado a la hora prevista."


def test_a_status_line_names_the_anniversary_in_each_languages_ordinal(shipped: Catalogues) -> None:
    post = AnnouncementPost(
        1, 1, "film:one", NOW.date(), "anniversary:3", "anniversary", None, NOW, NOW, "scheduled",  # type: ignore[arg-type]
        0, False, None, "n", None, None, NOW,
    )  # fmt: skip
    titles = {"film:one": "Film One"}
    assert post_label(shipped.speech(None), post, titles) == "Film One: 3rd anniversary"
    assert post_label(shipped.speech("ja"), post, titles) == "Film One：3周年"
    assert post_label(shipped.speech("de"), post, titles) == "Film One: 3. Jahrestag"


def test_milestones_are_described_and_refused_in_the_members_language(shipped: Catalogues) -> None:
    assert parse_milestones("30,7,0").describe(shipped.speech("ja")) == "30、7日前と公開日当日"
    assert parse_milestones("1").describe(shipped.speech("fr")) == "1 jour avant"
    assert parse_milestones("daily").describe(shipped.speech("de")) == "jeden Tag ab 100 Tagen vor dem Start"
    with pytest.raises(MilestoneError) as refused:
        parse_milestones("5,-2")
    assert refused.value.template == NEGATIVE and str(refused.value).startswith("`-2` is negative")
    french = shipped.speech("fr")(refused.value.template, **refused.value.values)
    assert french == "`-2` est négatif : les étapes comptent les jours avant la sortie, à partir de 0."


async def test_a_servers_chosen_language_is_remembered_until_it_is_forgotten(
    tmp_path: Path, shipped: Catalogues
) -> None:
    async with Database.connect(tmp_path / "languages.db") as database:
        await migrate(database)
        settings = GuildSettingsRepository(database, lambda: NOW)
        languages = Languages(shipped, database, lambda: NOW, lambda guild_id: "en-US")
        assert (await languages.for_server(7)).language == "en"
        await settings.set_language(7, "ja")
        # Remembered: a change made behind its back is not seen until the choice is forgotten...
        assert (await languages.for_server(7)).language == "en"
        languages.forget(7)
        # ...as `/settings language set` does after saving it.
        assert (await languages.for_server(7)).language == "ja"
        assert (await languages.for_server(8)).language == "en"


def test_marquees_own_reasons_for_a_skipped_post_are_shown_translated(shipped: Catalogues) -> None:
    def skipped(reason: str) -> AnnouncementPost:
        return AnnouncementPost(
            1, 1, "film:one", NOW.date(), "7", "countdown", None, NOW, NOW, "skipped",  # type: ignore[arg-type]
            1, False, reason, "n", None, None, NOW,
        )  # fmt: skip

    french = shipped.speech("fr")
    recent = [skipped("the film or event no longer exists"), skipped("Missing Access")]
    embed = status_embed(french, None, "", [], recent, {"film:one": "Film One"})
    lines = (embed.fields[1].value or "").splitlines()
    assert lines[0].endswith(": Film One : plus que 7 jours (le film ou l'événement n'existe plus)"), lines
    # Discord's own words are not Marquee's to translate.
    assert lines[1].endswith("(Missing Access)"), lines
