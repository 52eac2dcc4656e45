"""`pack import red-trivia`: a Red-DiscordBot trivia list (YAML, written here) becomes a valid pack of questions,
with every conversion and every skipped question or answer reported, never silently garbled."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.red_trivia import (
    EXIT_BAD_FILE,
    EXIT_OK,
    MAX_QUESTION,
    RedListError,
    import_red_trivia,
    pack_id_for,
    read_red_list,
)
from bot.settings import load_settings
from db import parse_pack
from tests.bot.test_cli import run

HEIST_LIST = """\
AUTHOR: Vera Quill
DESCRIPTION: Questions about the Nightjar heist films.
CONFIG:
  bot_plays: false
  max_score: 10
Which year did the first Nightjar heist film open?:
- 1994
In which year was the second Nightjar film released?:
- 1998
Which year saw the third Nightjar film?:
- 2001
In which year did the fourth Nightjar film open?:
- 2003
Who plays the safecracker Odile Marsh?:
- Imogen Vale
- Vale
"""


def _settings(tmp_path: Path) -> Any:
    return load_settings(None, {"MARQUEE_DATABASE_PATH": str(tmp_path / "marquee.db")}, require_token=False)


def _import(
    tmp_path: Path, text: str, *, film: str | None = None, pack_id: str | None = None, name: str = "nightjar.yaml"
) -> tuple[int, Path]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    output = tmp_path / "out.toml"
    arguments = argparse.Namespace(file=source, film=film, output=output, pack_id=pack_id)
    return import_red_trivia(_settings(tmp_path), arguments), output


def _trivia(output: Path) -> list[dict[str, Any]]:
    trivia: list[dict[str, Any]] = tomllib.loads(output.read_text(encoding="utf-8"))["trivia"]
    return trivia


def _report(text: str) -> list[str]:
    return read_red_list(text).report


def test_a_list_becomes_a_valid_pack_of_typed_questions_with_author_and_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = _import(tmp_path, HEIST_LIST)
    assert code == EXIT_OK
    pack = parse_pack(output)
    assert pack.id == "nightjar" and pack.description == "Questions about the Nightjar heist films."
    (source,) = pack.sources
    assert source.ref == "nightjar.yaml" and "Vera Quill" in source.description
    safecracker = pack.trivia[-1]
    assert safecracker.kind == "typed" and safecracker.wrong == ()
    assert safecracker.answers == ("Imogen Vale", "Vale")
    assert {(q.author, q.category, q.difficulty, q.film) for q in pack.trivia} == {
        ("Vera Quill", "community", "medium", None)
    }
    assert [q.key for q in pack.trivia] == [f"nightjar-q{n}" for n in range(1, 6)]
    printed = capsys.readouterr().out
    assert "5 of 5 questions (1 typed, 4 multiple choice), author Vera Quill" in printed
    assert "CONFIG ignored" in printed
    assert "every question is marked medium" in output.read_text(encoding="utf-8")


def test_a_year_with_three_near_years_in_the_list_becomes_multiple_choice(tmp_path: Path) -> None:
    _, output = _import(tmp_path, HEIST_LIST)
    by_answer = {q["answers"][0]: q for q in _trivia(output)}
    first = by_answer["1994"]
    assert first["kind"] == "choice" and first["wrong"] == ["1998", "2001", "2003"]
    assert by_answer["2001"]["wrong"] == ["1994", "1998", "2003"]
    again, _ = _import(tmp_path, HEIST_LIST)
    assert again == EXIT_OK and _trivia(output) == list(by_answer.values())  # deterministic


@pytest.mark.parametrize(
    ("years", "kind"),
    [
        # Only two other years: no honest third choice.
        (["1994", "1998", "2001"], "typed"),
        # Three others, but 1950 is too far from 1994 to be a plausible wrong year.
        (["1994", "1998", "2001", "1950"], "typed"),
        # Three other years within reach: multiple choice.
        (["1994", "1998", "2001", "2003"], "choice"),
    ],
)
def test_wrong_years_must_be_enough_near_and_not_accepted(tmp_path: Path, years: list[str], kind: str) -> None:
    lines = [f"Question number {n} about a year?:\n- {year}\n" for n, year in enumerate(years)]
    _, output = _import(tmp_path, "AUTHOR: Vera Quill\n" + "".join(lines))
    assert _trivia(output)[0]["kind"] == kind


def test_a_second_accepted_answer_keeps_the_question_typed(tmp_path: Path) -> None:
    text = HEIST_LIST.replace("- 1994\n", "- 1994\n- nineteen ninety-four\n")
    _, output = _import(tmp_path, text)
    first = _trivia(output)[0]
    assert first["kind"] == "typed" and "wrong" not in first


def test_plain_integers_get_near_integers_and_never_years(tmp_path: Path) -> None:
    text = "".join(f"How many vaults in heist {n}?: {count}\n" for n, count in enumerate([12, 9, 15, 20, 1999]))
    _, output = _import(tmp_path, text)
    twelve = _trivia(output)[0]
    assert twelve["kind"] == "choice" and twelve["wrong"] == ["9", "15", "20"]


@pytest.mark.parametrize("word", ["Yes", "no", "ON", "off", "True", "false", "y", "n"])
def test_yaml_booleans_are_kept_as_written_and_reported(tmp_path: Path, word: str) -> None:
    code, output = _import(tmp_path, f"AUTHOR: V\nDoes the hero wear a mask?:\n- {word}\n")
    report = _report(f"AUTHOR: V\nDoes the hero wear a mask?:\n- {word}\n")
    if word in ("y", "n"):  # YAML 1.1 in PyYAML reads only yes/no/on/off/true/false as booleans
        assert code == EXIT_OK and _trivia(output)[0]["answers"] == [word] and report == []
        return
    assert code == EXIT_OK and _trivia(output)[0]["answers"] == [word]
    assert len(report) == 1 and f"answer '{word}' kept as written (YAML 1.1 reads it as" in report[0]


@pytest.mark.parametrize(
    ("written", "reported"),
    [("1999", False), ("3.5", False), ("0x1F", True), ("1_000", True), ("017", True), ("2001-09-11", False)],
)
def test_numbers_are_kept_as_written_and_reported_only_when_red_would_show_other_text(
    tmp_path: Path, written: str, reported: bool
) -> None:
    text = f"AUTHOR: V\nHow many takes did the rooftop scene need?: {written}\n"
    _, output = _import(tmp_path, text)
    assert _trivia(output)[0]["answers"] == [written]
    report = _report(text)
    assert bool(report) is reported, report
    if reported:
        assert f"answer {written!r} kept as written (Red would show" in report[0]


def test_a_single_scalar_answer_is_one_answer(tmp_path: Path) -> None:
    _, output = _import(tmp_path, "Who plays the getaway driver?: Tobias Grell\n")
    assert _trivia(output)[0]["answers"] == ["Tobias Grell"]


def test_picture_rounds_are_skipped_and_a_question_saying_more_keeps_its_link(tmp_path: Path) -> None:
    text = (
        "https://example.com/stills/42.png:\n- The Vault\n"
        "Name this film https://example.com/a.png:\n- Nightjar\n"
        "Which film has the poster at https://example.com/b.png in its opening titles?:\n- Nightjar Rising\n"
    )
    _, output = _import(tmp_path, text)
    assert [q["question"] for q in _trivia(output)] == [
        "Which film has the poster at https://example.com/b.png in its opening titles?"
    ]
    report = _report(text)
    assert sum("only a link" in line for line in report) == 2
    assert any("kept with its link in the text" in line for line in report)


def test_answers_differing_only_in_case_keep_the_first(tmp_path: Path) -> None:
    text = "Who composed the score?:\n- Lena Ostrova\n- lena ostrova\n- Ostrova\n"
    _, output = _import(tmp_path, text)
    assert _trivia(output)[0]["answers"] == ["Lena Ostrova", "Ostrova"]
    assert any("answer 'lena ostrova' repeats 'Lena Ostrova'" in line for line in _report(text))


def test_empty_and_over_long_answers_and_questions_are_skipped_and_reported(tmp_path: Path) -> None:
    long_question = "Why " + "very " * 80 + "long?"
    assert len(long_question) > MAX_QUESTION
    text = (
        "Who cut the film?:\n- ''\n- ~\n- Ines Kaur\n- " + "x" * 201 + "\n"
        "A question with no answers?:\n"
        "A question with an empty list?: []\n"
        f"{long_question}:\n- Yes\n"
        "Who wrote the score?:\n- Lena Ostrova\n"
    )
    _, output = _import(tmp_path, text)
    assert [(q["question"], q["answers"]) for q in _trivia(output)] == [
        ("Who cut the film?", ["Ines Kaur"]),
        ("Who wrote the score?", ["Lena Ostrova"]),
    ]
    report = "\n".join(_report(text))
    assert "an empty answer left out" in report
    assert "answer '~' left out (YAML reads it as no value)" in report
    assert "an answer of 201 characters (over 200) left out" in report
    assert "'A question with no answers?': no answers: skipped" in report
    assert "'A question with an empty list?': no answers: skipped" in report
    assert f"{len(long_question)} characters (over {MAX_QUESTION}): skipped" in report
    # A skipped question's answers are not reported besides: the question is the news.
    assert "kept as written" not in report


def test_duplicate_questions_keep_the_first_and_keys_follow_the_file(tmp_path: Path) -> None:
    text = "Who plays Odile?:\n- Imogen Vale\nwho plays odile?  :\n- Someone\nWho plays Tobias?:\n- Ray Dunn\n"
    _, output = _import(tmp_path, text, pack_id="heists")
    trivia = _trivia(output)
    assert [(q["key"], q["answers"]) for q in trivia] == [("heists-q1", ["Imogen Vale"]), ("heists-q3", ["Ray Dunn"])]
    assert any("the same question as line 1: skipped" in line for line in _report(text))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Nightjar Films.yaml", "nightjar-films"),
        ("__Heists__ (2).yml", "heists-2"),
        ("日本.yaml", "red-trivia"),
        ("-.yaml", "red-trivia"),
    ],
)
def test_pack_ids_are_slugs_of_the_file_name(name: str, expected: str) -> None:
    assert pack_id_for(Path(name)) == expected


def test_questions_that_would_be_yaml_keys_of_other_types_keep_their_text(tmp_path: Path) -> None:
    text = "1999:\n- The year of the first heist\nyes:\n- Agreed\n"
    _, output = _import(tmp_path, text)
    assert [q["question"] for q in _trivia(output)] == ["1999", "yes"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Who: [unclosed\n", "not YAML"),
        ("- just\n- a list\n", "not a mapping"),
        ("plain text\n", "not a mapping"),
        ("", "not a mapping"),
        ("AUTHOR: Vera Quill\nCONFIG:\n  max_score: 5\n", "no questions"),
    ],
)
def test_a_bad_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    code, output = _import(tmp_path, text)
    assert code == EXIT_BAD_FILE
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert not output.exists()
    with pytest.raises(RedListError):
        read_red_list(text)


def test_a_list_whose_every_question_is_skipped_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = _import(tmp_path, "https://example.com/only.png:\n- Picture\n")
    assert code == EXIT_BAD_FILE and not output.exists()
    assert "no question could be kept" in capsys.readouterr().err


def test_film_not_in_the_database_fails_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = _import(tmp_path, HEIST_LIST, film="mi1")
    assert code == EXIT_BAD_FILE and not output.exists()
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--film mi1: no database at" in lines[0]


def test_the_cli_end_to_end_import_then_load(tmp_path: Path) -> None:
    (tmp_path / "nightjar.yaml").write_text(HEIST_LIST, encoding="utf-8")
    imported = run(tmp_path, "pack", "import", "red-trivia", "nightjar.yaml", "--output", "out.toml")
    assert imported.returncode == 0, imported.stderr
    assert "out.toml: pack nightjar: 5 of 5 questions" in imported.stdout
    loaded = run(tmp_path, "pack", "load", "out.toml")
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded pack nightjar" in loaded.stdout and "5 trivia questions" in loaded.stdout


def test_the_cli_with_a_film_requires_its_pack_and_loads_after_it(tmp_path: Path) -> None:
    (tmp_path / "mi.yaml").write_text(HEIST_LIST, encoding="utf-8")
    refused = run(tmp_path, "pack", "import", "red-trivia", "mi.yaml", "--film", "mi1", "--output", "out.toml")
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert run(tmp_path, "pack", "load", "mission-impossible").returncode == 0
    missing = run(tmp_path, "pack", "import", "red-trivia", "mi.yaml", "--film", "mi99", "--output", "out.toml")
    assert missing.returncode == 2 and 'no film "mi99" in the database' in missing.stderr
    imported = run(tmp_path, "pack", "import", "red-trivia", "mi.yaml", "--film", "mi1", "--output", "out.toml")
    assert imported.returncode == 0, imported.stderr
    document = tomllib.loads((tmp_path / "out.toml").read_text(encoding="utf-8"))
    assert document["pack"]["requires"] == ["mission-impossible"]
    assert {q["film"] for q in document["trivia"]} == {"mi1"}
    loaded = run(tmp_path, "pack", "load", "out.toml")
    assert loaded.returncode == 0, loaded.stderr
    # A fresh database without the required pack refuses it, naming the film.
    fresh = run(tmp_path, "pack", "load", "out.toml", MARQUEE_DATABASE_PATH=str(tmp_path / "fresh.db"))
    assert fresh.returncode == 2 and 'film "mi1", which is not in the database' in fresh.stderr


def test_answers_that_are_not_text_are_left_out_and_reported(tmp_path: Path) -> None:
    text = "Who plays Odile?:\n- [Imogen, Vale]\n- Imogen Vale\nWho plays Tobias?:\n  name: Ray Dunn\n"
    _, output = _import(tmp_path, text)
    assert [(q["question"], q["answers"]) for q in _trivia(output)] == [("Who plays Odile?", ["Imogen Vale"])]
    report = "\n".join(_report(text))
    assert "an answer that is a list or mapping left out" in report
    assert "'Who plays Tobias?': answers are a mapping, not a list" in report


def test_the_texts_kept_are_what_yaml_base_loader_reads() -> None:
    # The importer reads each scalar's text as written; BaseLoader, which converts nothing, must agree.
    text = "AUTHOR: V\nHex?:\n- 0x1F\n- 'quoted yes'\n- on\nYear?: 1999\nFloat?:\n- 3.50\n- 017\n"
    written = yaml.load(text, Loader=yaml.BaseLoader)
    expected = {question: answers if isinstance(answers, list) else [answers] for question, answers in written.items()}
    del expected["AUTHOR"]
    assert {q.text: list(q.answers) for q in read_red_list(text).questions} == expected
