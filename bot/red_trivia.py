"""`pack import red-trivia`: a Red-DiscordBot trivia list (YAML) written as a content pack of questions.

A Red list is a YAML mapping: ``AUTHOR`` (text), optional ``DESCRIPTION`` and ``CONFIG``, and every other key
a question mapped to its accepted answers (a list, sometimes a single scalar). Red reads it with YAML 1.1, so
an answer written ``Yes`` becomes the boolean true and ``0x1F`` the number 31; the pack keeps every text as
it is written and reports each place where YAML would have read it as something else. Each scalar is read as
a node: its ``value`` is the text as written (what ``yaml.BaseLoader`` returns) and its tag what
``yaml.safe_load`` would make of it, so the two readings always pair up, even for keys that YAML would merge.

Nothing is dropped or changed silently: every skipped question or answer, and every conversion, is a report
line. No Discord here, and no network; the database is only read (the ``--film`` check).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from asyncpg import PostgresError

from bot.settings import Settings
from db import DatabaseFileError, DatabaseUnreachableError, connect_database
from db.packs.model import PackValidationError
from db.packs.parse import SLUG, parse_pack
from db.packs.write import pack_toml, write_pack_file
from db.repositories.catalogue import CatalogueRepository

EXIT_OK, EXIT_BAD_FILE = 0, 2
PROG = "marquee"

METADATA_KEYS = ("AUTHOR", "DESCRIPTION", "CONFIG")
MAX_QUESTION = 300
"""The pack format's limit on a question's text; a longer one is skipped (cutting it would change it)."""
MAX_ANSWER = 200
"""Longest answer kept: a longer one is no answer a member types."""
MAX_AUTHOR = 100
MIN_WORDS_BESIDE_URL = 4
"""A question with a link keeps it only when the rest says this many words: else it is a picture round."""
WRONG_CHOICES = 3
YEARS = range(1870, 2101)
YEAR_DISTANCE = 15
"""Wrong years are at most this far from the answer: 1996 against 1990 and 2005, never 1930."""
NUMBER_FACTOR = 2
"""Wrong numbers that are not years lie between half and twice the answer."""
DIFFICULTY = "medium"
CATEGORY = "community"

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_PLAIN_INTEGER = re.compile(r"0|[1-9][0-9]*")
_BOOL_TAG = "tag:yaml.org,2002:bool"
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"


class RedListError(ValueError):
    """The file is not a Red trivia list: not YAML, not a mapping, or no questions."""


@dataclass(frozen=True)
class RedQuestion:
    """One question kept from the list: its position in the file (1-based, for the key), text and answers."""

    position: int
    text: str
    answers: tuple[str, ...]


@dataclass
class RedList:
    """What a Red list holds once read: its author, description, questions kept, and the report."""

    author: str | None
    description: str | None
    questions: list[RedQuestion] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    entries: int = 0
    """Question entries in the file, kept or not."""


def _shown_by_red(node: yaml.ScalarNode) -> str:
    """What Red shows for a scalar answer: the string of what YAML 1.1 reads."""
    loader = yaml.SafeLoader("")
    try:
        return str(loader.construct_object(node, deep=True))
    except yaml.YAMLError:
        return node.value
    finally:
        loader.dispose()


def _where(line: int, text: str) -> str:
    short = text if len(text) <= 60 else text[:57] + "..."
    return f"line {line} {short!r}"


def _answer_texts(question: str, line: int, node: yaml.Node, report: list[str]) -> list[str]:
    """The answers of one question as written, each conversion and each answer left out reported."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if isinstance(node, yaml.MappingNode):
        report.append(f"{_where(line, question)}: answers are a mapping, not a list")
        return []
    kept: list[str] = []
    folded: dict[str, str] = {}
    for item in items:
        at = _where(item.start_mark.line + 1, question)
        if not isinstance(item, yaml.ScalarNode):
            report.append(f"{at}: an answer that is a list or mapping left out")
            continue
        text = item.value.strip()
        if item.tag == _NULL_TAG and text:
            report.append(f"{at}: answer {text!r} left out (YAML reads it as no value)")
            continue
        if not text:
            report.append(f"{at}: an empty answer left out")
            continue
        if item.tag == _BOOL_TAG:
            report.append(f"{at}: answer {text!r} kept as written (YAML 1.1 reads it as {_shown_by_red(item)})")
        elif item.tag != _STR_TAG and _shown_by_red(item) != item.value:
            report.append(f"{at}: answer {text!r} kept as written (Red would show {_shown_by_red(item)!r})")
        if len(text) > MAX_ANSWER:
            report.append(f"{at}: an answer of {len(text)} characters (over {MAX_ANSWER}) left out")
            continue
        key = text.casefold()
        if key in folded:
            report.append(f"{at}: answer {text!r} repeats {folded[key]!r} (case aside): left out")
            continue
        folded[key] = text
        kept.append(text)
    return kept


def _is_picture_round(text: str) -> bool:
    """Whether the question is only, or mostly, a link (a picture a typed question cannot show)."""
    if not _URL.search(text):
        return False
    return len(_URL.sub(" ", text).split()) < MIN_WORDS_BESIDE_URL


def _keep(red: RedList, question: str, line: int, answers_node: yaml.Node) -> None:
    """Add the question with its answers, or report it skipped when none is left."""
    if _URL.search(question):
        red.report.append(f"{_where(line, question)}: kept with its link in the text")
    answers = _answer_texts(question, line, answers_node, red.report)
    if answers:
        red.questions.append(RedQuestion(red.entries, question, tuple(answers)))
    else:
        red.report.append(f"{_where(line, question)}: no answers: skipped")


def read_red_list(text: str) -> RedList:
    """The questions of a Red trivia list, with a report line for everything skipped or converted.

    Raises RedListError when the text is not YAML, not a mapping, or has no question entries at all.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise RedListError(f"not YAML{where}") from error
    if not isinstance(root, yaml.MappingNode):
        raise RedListError("not a mapping of questions to answers")
    metadata: dict[str, str] = {}
    red = RedList(author=None, description=None)
    seen: dict[str, int] = {}
    has_config = False
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            red.entries += 1
            red.report.append(f"line {line}: a question that is a list or mapping: skipped")
            continue
        if key_node.value in METADATA_KEYS:
            has_config = has_config or key_node.value == "CONFIG"
            if isinstance(value_node, yaml.ScalarNode):
                metadata[key_node.value] = value_node.value.strip()
            elif key_node.value != "CONFIG":
                red.report.append(f"line {line}: {key_node.value} is not text: ignored")
            continue
        red.entries += 1
        question = key_node.value.strip()
        if not question:
            red.report.append(f"line {line}: an empty question skipped")
        elif len(question) > MAX_QUESTION:
            red.report.append(f"{_where(line, question)}: {len(question)} characters (over {MAX_QUESTION}): skipped")
        elif _is_picture_round(question):
            red.report.append(f"{_where(line, question)}: only a link (a picture typed trivia cannot show): skipped")
        elif question.casefold() in seen:
            red.report.append(
                f"{_where(line, question)}: the same question as line {seen[question.casefold()]}: skipped"
            )
        else:
            seen[question.casefold()] = line
            _keep(red, question, line, value_node)
    if has_config:
        red.report.append("CONFIG ignored: a pack's questions have no game settings")
    if red.entries == 0:
        raise RedListError("no questions (only AUTHOR, DESCRIPTION or CONFIG)")
    red.author = metadata.get("AUTHOR") or None
    red.description = metadata.get("DESCRIPTION") or None
    if red.author and len(red.author) > MAX_AUTHOR:
        red.report.append(f"AUTHOR is {len(red.author)} characters: cut to {MAX_AUTHOR}")
        red.author = red.author[: MAX_AUTHOR - 3].rstrip() + "..."
    return red


def _near(answer: int, other: int) -> bool:
    if answer in YEARS:
        return other in YEARS and abs(other - answer) <= YEAR_DISTANCE
    return other not in YEARS and answer / NUMBER_FACTOR <= other <= answer * NUMBER_FACTOR


def wrong_numbers(question: RedQuestion, others: Sequence[RedQuestion], seed: str) -> tuple[str, ...]:
    """Three wrong choices for a question whose one answer is a plain integer (a year, mostly): other
    questions' integer answers near it (`_near`), drawn with ``seed``; empty when there are fewer than three."""
    if len(question.answers) != 1 or not _PLAIN_INTEGER.fullmatch(question.answers[0]):
        return ()
    answer = int(question.answers[0])
    candidates = sorted(
        {
            int(text)
            for other in others
            if other is not question
            for text in other.answers
            if _PLAIN_INTEGER.fullmatch(text) and int(text) != answer and _near(answer, int(text))
        }
    )
    if len(candidates) < WRONG_CHOICES:
        return ()
    return tuple(str(n) for n in sorted(random.Random(seed).sample(candidates, WRONG_CHOICES)))


def pack_id_for(path: Path) -> str:
    """A pack id made from the list's file name ("Mission Impossible.yaml" -> "mission-impossible")."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.casefold()).strip("-")
    return slug if slug and SLUG.fullmatch(slug) else "red-trivia"


def pack_document(
    red: RedList, *, pack_id: str, file_name: str, film: str | None, requires: str | None
) -> dict[str, Any]:
    """The pack (the dict `tomllib` reads back) of the list's questions."""
    pack: dict[str, Any] = {
        "id": pack_id,
        "name": f"{file_name} (Red trivia list)"[:200],
        "version": "1.0.0",
        "description": red.description or f"Questions from the Red-DiscordBot trivia list {file_name}.",
    }
    if requires:
        pack["requires"] = [requires]
    by = f" by {red.author}" if red.author else ""
    source = {"key": "red-list", "ref": file_name, "description": f"Red-DiscordBot trivia list{by}"}
    questions = []
    for question in red.questions:
        key = f"{pack_id}-q{question.position}"
        wrong = wrong_numbers(question, red.questions, f"{pack_id}:{key}")
        entry: dict[str, Any] = {"key": key}
        if film:
            entry["film"] = film
        entry.update(
            kind="choice" if wrong else "typed",
            question=question.text,
            answers=list(question.answers),
        )
        if wrong:
            entry["wrong"] = list(wrong)
        entry.update(difficulty=DIFFICULTY, category=CATEGORY, source="red-list")
        if red.author:
            entry["author"] = red.author
        questions.append(entry)
    return {"pack": pack, "source": [source], "trivia": questions}


async def _film_owner(settings: Settings, film: str) -> str:
    """The id of the pack that has film ``film`` in the configured database; RedListError if none does."""
    shown = settings.database.shown
    try:
        async with connect_database(settings.database.target) as database:
            found = await CatalogueRepository(database).get_film(film)
    except (sqlite3.Error, PostgresError, DatabaseFileError, DatabaseUnreachableError) as error:
        raise RedListError(f"--film {film}: cannot read the database {shown}: {error}") from error
    if found is None:
        raise RedListError(f'--film {film}: no film "{film}" in the database {shown} (load its pack first)')
    return found.pack_id


def import_red_trivia(settings: Settings, arguments: argparse.Namespace) -> int:
    """`pack import red-trivia FILE [--film KEY] [--output FILE] [--pack-id ID]`: write the pack, validate it
    with the pack parser and print a summary and every report line; 2 with one line for a bad file."""
    source = Path(arguments.file)
    film: str | None = arguments.film
    try:
        pack_id = arguments.pack_id or pack_id_for(source)
        if not SLUG.fullmatch(pack_id):
            raise RedListError(f"--pack-id {pack_id!r} is not a pack id ([a-z0-9][a-z0-9-]*)")
        if film is not None and not SLUG.fullmatch(film):
            raise RedListError(f"--film {film!r} is not a film key ([a-z0-9][a-z0-9-]*)")
        try:
            text = source.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise RedListError(f"not UTF-8 text (byte {error.start})") from error
        except OSError as error:
            raise RedListError(f"cannot read it: {error.strerror or error}") from error
        red = read_red_list(text)
        if not red.questions:
            raise RedListError(f"no question could be kept ({len(red.report)} problems: {red.report[0]})")
        requires = None
        if film is not None:
            if not settings.database.url and not Path(settings.database.path).is_file():
                raise RedListError(f"--film {film}: no database at {settings.database.path} (load its pack first)")
            requires = asyncio.run(_film_owner(settings, film))
    except RedListError as error:
        print(f"{PROG}: {source}: {error}", file=sys.stderr)
        return EXIT_BAD_FILE
    if requires == pack_id:
        print(f"{PROG}: --pack-id {pack_id} is the id of the pack that has film {film}", file=sys.stderr)
        return EXIT_BAD_FILE
    output = Path(arguments.output) if arguments.output else Path(f"{pack_id}.toml")
    document = pack_document(red, pack_id=pack_id, file_name=source.name, film=film, requires=requires)
    header = [f"Imported from the Red-DiscordBot trivia list {source.name} by `python -m bot pack import red-trivia`."]
    header.append("Red lists have no difficulty: every question is marked medium.")
    write_pack_file(output, pack_toml(document, header))
    try:
        pack = parse_pack(output)
    except PackValidationError as error:
        # The importer writes only what the format allows: a problem here is a bug of this module.
        print("\n".join(str(problem) for problem in error.problems), file=sys.stderr)
        print(f"{PROG}: {output}: the written pack does not validate", file=sys.stderr)
        return EXIT_BAD_FILE
    choice = sum(1 for question in pack.trivia if question.kind == "choice")
    print(
        f"{output}: pack {pack.id}: {len(pack.trivia)} of {red.entries} questions "
        f"({len(pack.trivia) - choice} typed, {choice} multiple choice), author {red.author or 'none'}"
    )
    for line in red.report:
        print(f"  {line}")
    print(f"{len(red.report)} report line(s); load it with: python -m bot pack load {output}")
    return EXIT_OK
