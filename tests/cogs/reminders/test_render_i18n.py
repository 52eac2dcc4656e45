"""Reminder DMs and `/remind` answers in the member's language."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.i18n import Catalogues, Speech
from bot.targets import Target, TargetDates
from cogs.reminders.render import ReminderLine, digest_embed, line_text, subscribed_text

START = dt.datetime(2031, 3, 1, 20, tzinfo=dt.UTC)
DAY = dt.date(2031, 3, 7)


@pytest.fixture(scope="module")
def catalogues() -> Catalogues:
    return Catalogues.load()


def film(country: str | None, starts: dt.datetime | None = START) -> TargetDates:
    return TargetDates(Target("film:x", "Heist", DAY, "film"), starts_at=starts, country=country)


def test_a_film_line_names_the_country_in_the_members_language(catalogues: Catalogues) -> None:
    french, japanese = catalogues.speech("fr"), catalogues.speech("ja")
    stamp = int(START.timestamp())
    assert line_text(french, ReminderLine(film("GB"), "1d")) == (
        f"🎬 **Heist** sort (Royaume-Uni) <t:{stamp}:R> (<t:{stamp}:D>)."
    )
    assert line_text(japanese, ReminderLine(film("US"), "release")) == "🎬 **Heist** は今日 アメリカ合衆国 で公開です！"
    assert line_text(french, ReminderLine(film(None), "release")) == "🎬 **Heist** sort aujourd'hui !"


def test_a_day_without_an_instant_is_written_out_in_the_members_language(catalogues: Catalogues) -> None:
    event = TargetDates(Target("event:1", "Quiz", DAY, "event"))
    assert line_text(catalogues.speech("de"), ReminderLine(event, "1d")) == "📅 **Quiz** beginnt Freitag, 7. März 2031."


@pytest.mark.parametrize(("code", "one", "three"), [("fr", "Rappel", "3 rappels"), ("ko", "Reminder", "3 reminders")])
def test_a_digest_is_titled_and_footed_in_the_members_language(
    catalogues: Catalogues, code: str, one: str, three: str
) -> None:
    t: Speech = catalogues.speech(code)
    line = ReminderLine(film("FR"), "1d")
    assert digest_embed(t, [line]).title == one
    late = digest_embed(t, [line] * 3, late=True)
    assert late.title == three
    assert late.footer.text == t("Sent late: this reminder could not be delivered at its time.")
    assert (late.footer.text or "").startswith("Envoyé en retard" if code == "fr" else "Sent late")


def test_the_answer_to_subscribing_keeps_the_timestamps_whatever_the_language(catalogues: Catalogues) -> None:
    text = subscribed_text(catalogues.speech("pt-BR"), "Heist", [START], new=True)
    stamp = int(START.timestamp())
    assert text.startswith(f"Vou lembrar você de **Heist** por DM:\n• <t:{stamp}:F> (<t:{stamp}:R>)\n")
    assert "`/lembrar cancelar`" in text
