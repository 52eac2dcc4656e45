"""Write a content pack document (the dict `tomllib` would read back) as a TOML file a person can edit."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w


def pack_toml(document: dict[str, Any], header: Iterable[str] = ()) -> str:
    """The document as TOML text, after `header` lines written as comments.

    Tables keep the document's order: `[pack]` first, each `[[film]]` followed by its own sub-tables.
    """
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    return comments + ("\n" if comments else "") + tomli_w.dumps(document)


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
