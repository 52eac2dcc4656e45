"""Write a content pack document (the dict `tomllib` would read back) as a TOML file a person can edit."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def pack_toml(document: dict[str, Any], header: Iterable[str] = ()) -> str:
    """The document as TOML text, after `header` lines written as comments.

    Tables keep the document's order: `[pack]` first, then each `[[film]]` and the rest as `[[...]]` blocks
    in turn. A film's own lists of tables (cast, crew, releases...) are written one entry per line, which
    reads better than a block of four lines per credit.
    """
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    scalars = {name: value for name, value in document.items() if not _is_table(value) and not _is_tables(value)}
    blocks = [tomli_w.dumps(scalars)] if scalars else []
    for name, value in document.items():
        if _is_table(value):
            blocks.append(_block(f"[{_key(name)}]", value))
        elif _is_tables(value):
            blocks += [_block(f"[[{_key(name)}]]", entry) for entry in value]
    return comments + ("\n" if comments else "") + "\n".join(blocks)


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _block(header: str, table: dict[str, Any]) -> str:
    lines = [header]
    for name, value in table.items():
        if _is_tables(value):
            lines.append(f"{_key(name)} = [")
            lines += [f"    {_inline(entry)}," for entry in value]
            lines.append("]")
        else:
            lines.append(f"{_key(name)} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _value(name)


def _inline(table: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{_key(name)} = {_value(value)}" for name, value in table.items()) + " }"


def _value(value: Any) -> str:
    """One value on one line (TOML inline tables may not span lines), escaped by tomli-w."""
    if isinstance(value, dict):
        return _inline(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def write_pack_file(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: a reader never sees half a pack, and a failed write
    leaves the old file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
