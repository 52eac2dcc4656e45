"""`pack validate` and `pack load` print one summary line per pack, whatever its size, and `pack load`
says briefly how the pack met the packs already loaded."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.offline import DIFFERENCES_SHOWN, FILMS_LISTED, describe_load, describe_pack
from db import LoadReport, bundled_pack_path, parse_pack
from tests.bot.test_cli import run
from tests.db.test_pack_loading import CATALOGUE


def _large_pack(films: int) -> str:
    lines = ['[pack]\nid = "large"\nname = "Large"\nversion = "1.0.0"\n', '[[source]]\nkey = "s"\nref = "x"\n']
    lines += [
        f'[[film]]\nkey = "film-{n}"\ntitle = "Film {n}"\nyear = {1950 + n % 70}\nsource = "s"\n' for n in range(films)
    ]
    return "\n".join(lines)


def test_validate_and_load_print_one_line_per_pack(tmp_path: Path) -> None:
    (tmp_path / "large.toml").write_text(_large_pack(300), encoding="utf-8")
    (tmp_path / "catalogue.toml").write_text(CATALOGUE, encoding="utf-8")
    files = ("mission-impossible", "large.toml", "catalogue.toml")

    validated = run(tmp_path, "pack", "validate", *files)
    assert validated.returncode == 0, validated.stderr
    lines = validated.stdout.strip().splitlines()
    assert len(lines) == 3 and all(line.endswith(": valid") for line in lines), validated.stdout
    assert "pack large 1.0.0" in lines[1] and "300 films" in lines[1]

    loaded = run(tmp_path, "pack", "load", *files)
    assert loaded.returncode == 0, loaded.stderr
    summaries = [line for line in loaded.stdout.splitlines() if line.startswith("loaded pack ")]
    assert [line.split()[2] for line in summaries] == ["mission-impossible", "large", "catalogue"]
    assert "300 films" in summaries[1] and "merged" not in summaries[1]
    assert "merged into other packs' entries: 1 films, 2 people; 0 people renamed" in summaries[2]
    assert '  differs: person "j-j-abrams"' in loaded.stdout
    assert len(loaded.stdout.strip().splitlines()) == 5  # three packs, one difference, the index line


def test_check_lists_the_first_films_of_a_large_pack_and_counts_the_rest() -> None:
    bundled = parse_pack(bundled_pack_path("mission-impossible"))
    many = dataclasses.replace(
        bundled, films=tuple(dataclasses.replace(bundled.films[0], key=f"f{n}") for n in range(FILMS_LISTED + 7))
    )
    lines = describe_pack(many)
    assert len(lines) == 1 + FILMS_LISTED + 1
    assert lines[-1] == "  ... and 7 more films"
    assert len(describe_pack(bundled)) == 1 + 8


def test_load_shows_a_few_differences_and_counts_the_rest() -> None:
    report = LoadReport("p", 1, 1, 0, 0, 0, 0, merged_films=9, differences=tuple(f"film {n}" for n in range(9)))
    lines = describe_load(report, Path("x.db"), 0.5)
    assert len(lines) == 1 + DIFFERENCES_SHOWN + 1
    assert lines[-1] == f"  ... and {9 - DIFFERENCES_SHOWN} more differences"
    assert "9 films, 0 people" in lines[0]
