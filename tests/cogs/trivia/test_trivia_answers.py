"""Typed answer checking against the real bundled pack: one table, one row per case.

Rows name a question by key: the pack's own (``mi1-director``), generated ones
(``gen:...``) or the synthetic ones defined below (``syn:...``). Every failure of
other trivia bots listed in ``shared/reference/what-peers-do.md`` is a row, marked
"peers:" in its note.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.trivia.answers import FUZZY_MIN_LENGTH, AnswerChecker, is_single_guess, surnames
from cogs.trivia.questions import AnswerKind, Question


def _synthetic(key: str, answer: str, kind: AnswerKind, ref: str | None, wrong: tuple[str, ...]) -> Question:
    return Question(
        key=key,
        text="synthetic",
        answer=answer,
        accepted=(answer,),
        wrong=wrong,
        difficulty="easy",
        category="test",
        film_key=None,
        reveals=frozenset(),
        answer_kind=kind,
        answer_ref=ref,
    )


SYNTHETIC = {
    q.key: q
    for q in [
        # The character index keys characters by search key ("ethan hunt").
        _synthetic(
            "syn:ethan", "Ethan Hunt", "character", "ethan hunt", ("Luther Stickell", "Benji Dunn", "Jim Phelps")
        ),
        # peers: Red's trivia accepted "the red armada" for "red arm".
        _synthetic("syn:red-arm", "Red Arm", "text", None, ("Red Army", "Black Arm", "Red Hand")),
        _synthetic("syn:mi2", "Mission: Impossible 2", "film", "mi2", ("Mission: Impossible III", "X", "Y")),
        _synthetic("syn:mi7", "Mission: Impossible – Dead Reckoning Part One", "film", "mi7", ("A", "B", "C")),
    ]
}

CASES: list[tuple[str, str, bool, str]] = [
    # ---- spacing, case, punctuation, articles (characters)
    ("syn:ethan", "ethan  hunt", True, "peers: Red rejected a double space"),
    ("syn:ethan", "Ethan Hunt!", True, "peers: Red rejected 'greedo!'"),
    ("syn:ethan", "ETHAN HUNT", True, "case"),
    ("syn:ethan", "the ethan hunt", True, "leading article"),
    ("syn:ethan", "  ethan hunt?! ", True, "surrounding spaces and punctuation"),
    ("syn:ethan", "||Ethan Hunt||", True, "Discord spoiler bars"),
    ("syn:ethan", "hunt", True, "unshared surname of a character"),
    ("syn:ethan", "ethan hunnt", True, "one-letter typo in a 10-letter name"),
    ("syn:ethan", "ethan", False, "first name alone"),
    ("syn:ethan", "ethan hunt luther stickell", False, "peers: 'bossk greedo dengar' (several names, spaces only)"),
    ("syn:ethan", "hunt stickell dunn", False, "peers: surnames listed with spaces"),
    ("syn:ethan", "Ethan Hunt, Luther Stickell", False, "list with a comma"),
    ("syn:ethan", "ethan hunt or benji dunn", False, "'x or y'"),
    ("syn:ethan", "Ethan Hunt / Benji Dunn", False, "'x / y'"),
    ("syn:ethan", "Luther Stickell", False, "a wrong choice"),
    ("syn:ethan", "", False, "empty"),
    ("syn:ethan", " ?! ", False, "punctuation only"),
    # ---- people: surnames, typos, accents, aliases
    ("mi5-director", "mcquarrie", True, "accepted surname"),
    ("mi5-director", "Christopher McQuarrie", True, "full name"),
    ("mi5-director", "christopher mcquarie", True, "one letter missing in a long name"),
    ("mi5-director", "mcquarie", True, "one letter missing in a 9-letter accepted surname"),
    ("mi5-director", "chris mcquarrie", True, "shortened first name, exact surname"),
    ("mi5-director", "McQuarrie, Abrams", False, "two guesses with a comma"),
    ("mi5-director", "mcquarrie or abrams", False, "two guesses with 'or'"),
    ("mi5-director", "christopher", False, "first name alone"),
    ("gen:director:mi1", "palma", True, "surname inferred from the person index (not in accepted)"),
    ("gen:director:mi1", "de palma", True, "surname with its particle"),
    ("gen:director:mi1", "brian", False, "first name alone"),
    ("gen:director:mi1", "John Woo", False, "another director"),
    ("gen:plays:mi6:ethan-hunt", "cruise", True, "unshared surname"),
    ("gen:plays:mi6:ethan-hunt", "Tom Cruise!", True, "punctuation"),
    ("gen:plays:mi6:ethan-hunt", "tom", False, "a first name three people share"),
    ("gen:plays:mi6:ethan-hunt", "tom cruise ving rhames", False, "two people, spaces only"),
    ("gen:plays:mi6:ethan-hunt", "cruise & rhames", False, "two people with '&'"),
    ("mi4-imf-secretary", "tom wilkinson", True, "full name"),
    ("mi4-imf-secretary", "wilkinson", False, "surname shared with Matthew Wilkinson"),
    ("mi4-imf-secretary", "matthew wilkinson", False, "the other Wilkinson"),
    ("mi2-nekhorvich", "rade serbedzija", True, "accents dropped"),
    ("mi2-nekhorvich", "Šerbedžija", True, "accented surname"),
    ("mi1-claire", "emmanuelle beart", True, "accent dropped"),
    ("mi3-davian", "philip seymour hofman", True, "one letter missing in a long name"),
    ("mi3-davian", "hoffman", True, "accepted surname"),
    ("mi3-davian", "hofman", False, f"no typo tolerance under {FUZZY_MIN_LENGTH} characters"),
    ("mi3-director", "J.J. Abrams", True, "initials with dots"),
    ("mi3-director", "jj abrams", True, "initials joined"),
    ("mi3-director", "abrams", True, "surname"),
    ("mi7-degas", "tarzan davis", True, "surname with middle name, from the index"),
    ("gen:plays:mi2:nyah-nordoff-hall", "Thandie Newton", True, "the person's alias"),
    ("gen:plays:mi2:nyah-nordoff-hall", "newton", True, "surname"),
    # ---- answers that contain separators themselves
    ("mi1-cruise-wagner", "Cruise/Wagner", True, "a slash inside the answer"),
    ("mi1-cruise-wagner", "cruise wagner productions", True, "slash as a space"),
    ("mi1-cruise-wagner", "Cruise-Wagner", True, "hyphen"),
    ("mi1-u2-theme", "larry mullen jr and adam clayton", True, "'and' inside the answer"),
    ("mi1-u2-theme", "Bono and The Edge", False, "a wrong choice"),
    ("mi1-u2-theme", "adam clayton", False, "half the answer"),
    # ---- films: aliases and sequel numbers
    ("mi6-first-returning-director", "fallout", True, "subtitle alias"),
    ("mi6-first-returning-director", "MI6", True, "pack alias"),
    ("mi6-first-returning-director", "mission impossible 6", True, "generated alias"),
    ("mi6-first-returning-director", "M:I 6", True, "initials with a colon"),
    ("mi6-first-returning-director", "mission impossible fallout 2018", True, "title with its year"),
    ("mi6-first-returning-director", "Mission: Impossible – Rogue Nation", False, "a wrong choice"),
    ("mi6-first-returning-director", "rogue nation", False, "another film"),
    ("mi6-first-returning-director", "2018", False, "a bare year is not a title"),
    ("mi6-first-returning-director", "6", False, "a bare number is not a title"),
    ("mi6-first-returning-director", "fallout, rogue nation", False, "two films"),
    ("mi6-first-returning-director", "fallout rogue nation", False, "two films, spaces only"),
    ("mi6-first-returning-director", "mission impossible 7", False, "another sequel number"),
    ("gen:introduced:benji-dunn", "Mission: Impossible 3", True, "digits for III"),
    ("gen:introduced:benji-dunn", "M:i:III", True, "fan spelling"),
    ("gen:introduced:benji-dunn", "mission impossible three", True, "number word"),
    ("gen:introduced:benji-dunn", "Mission: Impossible 2", False, "sequel number must agree"),
    ("gen:introduced:benji-dunn", "MI4", False, "another film"),
    ("syn:mi2", "Mission: Impossible 3", False, "peers: sir-lancebot took '…3' for '…2' (95.2)"),
    ("syn:mi2", "mission impossible II", True, "Roman numeral"),
    ("syn:mi2", "M:I-2", True, "fan spelling"),
    ("syn:mi2", "mission impossible 2000", True, "the film's year"),
    ("syn:mi2", "mission impossible 2001", False, "a wrong year"),
    ("syn:mi7", "dead reckoning part two", False, "peers: sir-lancebot took 'Part Two' for 'Part One' (91.3)"),
    ("syn:mi7", "Dead Reckoning Part One", True, "subtitle"),
    ("syn:mi7", "dead reckoning part 1", True, "digit for the part"),
    ("syn:mi7", "dead reckoning", True, "without 'Part One', as fans say it"),
    ("syn:mi7", "the reckoning", False, "names two films"),
    ("syn:mi7", "mi7", True, "pack alias / film key"),
    # ---- text answers: exact after normalising
    ("mi8-former-title", "Dead Reckoning Part 2", True, "digit for 'Two'"),
    ("mi8-former-title", "dead reckoning part one", False, "peers: 'Part One' for 'Part Two'"),
    ("mi8-former-title", "the final reckoning", False, "the film's current title is not its former one"),
    ("mi2-onscreen-title", "mission impossible 2000", False, "a wrong choice"),
    ("mi2-onscreen-title", "mission impossible 3", False, "sequel number"),
    ("syn:red-arm", "the red armada", False, "peers: Red took 'the red armada' for 'red arm'"),
    ("syn:red-arm", "red arm", True, "exact"),
    ("syn:red-arm", "The Red Arm.", True, "article and full stop"),
    ("syn:red-arm", "red army", False, "no fuzziness for text"),
    ("mi5-syndicate", "the syndicate", True, "article"),
    ("mi5-syndicate", "syndicate!", True, "punctuation"),
    ("mi5-syndicate", "syndicates", False, "plural is another word"),
    ("mi5-syndicate", "the apostles", False, "another group"),
    ("mi3-rabbits-foot", "the rabbit's foot", True, 'peers: sir-lancebot rejected "it\'s super smash bros"'),
    ("mi3-rabbits-foot", "rabbit’s foot", True, "curly apostrophe"),
    ("mi3-rabbits-foot", "rabbits foot", True, "apostrophe left out"),
    ("mi3-rabbits-foot", "rabbit foot", False, "another word"),
    ("mi2-premiere-venue", "Mann’s Chinese Theater", True, "curly apostrophe, US spelling accepted by the pack"),
    ("mi4-kremlin", "kremlin", True, "without the article"),
    ("mi4-kremlin", "the kremlin wall", False, "more than the answer"),
    ("mi1-job-314", "job 3:14", True, "exact"),
    ("mi1-job-314", "Job 3 14", True, "colon as a space"),
    ("mi1-job-314", "job 31:4", False, "numbers must be exact"),
    ("mi1-job-314", "john 3:14", False, "a wrong choice"),
    ("mi1-opening-theaters", "3,012", True, "thousands separator"),
    ("mi1-opening-theaters", "3012", True, "plain digits"),
    ("mi1-opening-theaters", "3,210", False, "a wrong choice"),
    ("mi1-opening-theaters", "3013", False, "numbers must be exact"),
    ("franchise-mcquarrie-count", "four", True, "number word"),
    ("franchise-mcquarrie-count", "5", False, "a different number"),
    ("mi5-number", "5th", True, "accepted"),
    ("mi5-number", "five", True, "number word for the accepted '5'"),
    ("mi5-number", "sixth", False, "another position"),
    ("mi5-number", "fifth or sixth", False, "two guesses"),
    # ---- years
    ("mi1-year", "1996", True, "exact"),
    ("mi1-year", "1997", False, "a year off"),
    ("mi1-year", "96", False, "years are exact"),
    ("mi1-year", "1996, 1997", False, "two guesses"),
    ("gen:year:mi2", "2000!", True, "punctuation"),
    ("gen:year:mi2", "2001", False, "a year off"),
    # ---- characters from the pack
    ("mi3-benji-debut", "dunn", True, "unshared surname of a character"),
    ("mi3-benji-debut", "benji", True, "accepted first name"),
    ("mi3-benji-debut", "benji dun", True, "one letter missing in a 10-letter name"),
    ("mi6-alanna", "mitsopolis", False, "surname shared with Zola Mitsopolis"),
    ("mi6-alanna", "the white widow", True, "the character's other name"),
    ("mi6-alanna", "zola mitsopolis", False, "the other Mitsopolis"),
    ("mi6-lane-two-films", "lane", True, "unshared surname"),
    ("mi7-zola", "alanna mitsopolis", False, "the other Mitsopolis"),
]


@pytest.fixture(scope="module")
def questions(by_key: dict[str, Question]) -> dict[str, Question]:
    return {**by_key, **SYNTHETIC}


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert len({(key, text) for key, text, _, _ in CASES}) == len(CASES), "duplicate rows"


@pytest.mark.parametrize(("key", "submission", "expected", "note"), CASES, ids=[f"{c[0]}|{c[1]}" for c in CASES])
def test_answer_table(
    checker: AnswerChecker, questions: dict[str, Question], key: str, submission: str, expected: bool, note: str
) -> None:
    assert checker.check(questions[key], submission) is expected, note


@pytest.mark.parametrize(
    ("key", "submission", "expected"),
    [
        ("gen:director:mi5", "Christopher McQuarrie", True),
        ("gen:director:mi5", "christopher mcquarie", True),  # typo tolerance needs no index
        ("gen:director:mi5", "mcquarrie", False),  # no index: nothing says the surname is unshared
        ("mi6-first-returning-director", "fallout", True),  # in the pack's accepted list
        ("mi6-first-returning-director", "MI6", False),  # no film index: no aliases
        ("mi1-year", "1996", True),
    ],
)
def test_checker_without_indexes(questions: dict[str, Question], key: str, submission: str, expected: bool) -> None:
    assert AnswerChecker().check(questions[key], submission) is expected


def test_every_accepted_spelling_is_accepted(checker: AnswerChecker, by_key: dict[str, Question]) -> None:
    for question in by_key.values():
        for spelling in (question.answer, *question.accepted):
            assert checker.check(question, spelling), (question.key, spelling)


def test_no_wrong_choice_is_accepted(checker: AnswerChecker, by_key: dict[str, Question]) -> None:
    for question in by_key.values():
        for wrong in question.wrong:
            assert not checker.check(question, wrong), (question.key, wrong)


@pytest.mark.parametrize(
    ("submission", "single"),
    [
        ("Ethan Hunt", True),
        ("ethan hunt, luther stickell", False),
        ("ethan hunt; luther", False),
        ("hunt or stickell", False),
        ("hunt OR stickell", False),
        ("hunt / stickell", False),
        ("hunt/stickell", False),
        ("hunt | stickell", False),
        ("hunt + stickell", False),
        ("hunt\nstickell", False),
        ("hunt vs stickell", False),
        ("3,012", True),
        ("$694.7 million", True),
        ("Job 3:14", True),
        ("24/7", True),
        ("Larry Mullen Jr. and Adam Clayton", True),
        ("||Ethan Hunt||", True),
        ("**Ethan Hunt**", True),
        ("Oregon", True),  # "or" inside a word
        ("Cruise/Wagner", False),  # a list by itself; check() accepts it first when it is the answer
    ],
)
def test_is_single_guess(submission: str, single: bool) -> None:
    assert is_single_guess(submission) is single


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("Brian De Palma", {"palma", "de palma"}),
        ("J. J. Abrams", {"abrams"}),
        ("Larry Mullen Jr.", {"mullen"}),
        ("Maggie Q", set()),
        ("Madonna", set()),
        ("Philip Seymour Hoffman", {"hoffman", "seymour hoffman"}),
    ],
)
def test_surnames(name: str, forms: set[str]) -> None:
    assert surnames(name) == forms


# --------------------------------------------------------------------------- properties over the whole pool


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_decorated_right_answers_stay_right(checker: AnswerChecker, pool: list[Question], data: st.DataObject) -> None:
    """Case, surrounding spaces, doubled spaces and closing punctuation never turn a right answer wrong."""
    question = data.draw(st.sampled_from(pool))
    spelling = data.draw(st.sampled_from((question.answer, *question.accepted)))
    cased = "".join(ch.upper() if data.draw(st.booleans()) else ch.lower() for ch in spelling)
    spaced = cased.replace(" ", data.draw(st.sampled_from([" ", "  ", " \t "])))
    decorated = (
        data.draw(st.sampled_from(["", " ", "  "])) + spaced + data.draw(st.sampled_from(["", "!", "?", ".", " !!"]))
    )
    assert checker.check(question, decorated), (question.key, decorated)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_two_guesses_are_never_right(checker: AnswerChecker, pool: list[Question], data: st.DataObject) -> None:
    """The answer listed with a wrong choice is wrong, whatever joins them (spaces included) and in either order."""
    question = data.draw(st.sampled_from(pool))
    right = data.draw(st.sampled_from((question.answer, *question.accepted)))
    other = data.draw(st.sampled_from(question.wrong))
    joiner = data.draw(st.sampled_from([", ", " or ", " / ", "; ", " | ", " ", "\n"]))
    pair = [right, other] if data.draw(st.booleans()) else [other, right]
    submission = joiner.join(pair)
    assert not checker.check(question, submission), (question.key, submission)
