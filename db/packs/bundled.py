"""Find content packs: the ones shipped inside Marquee, or files given by path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from db.packs.model import PackNotFoundError

_PACKAGE = "db.packs"
_SUFFIX = ".toml"


def _bundled_dir() -> Path:
    # Marquee is installed as plain files (never zipped), so the package folder is a
    # real directory and its packs can be handed around as ordinary paths.
    return Path(str(resources.files(_PACKAGE)))


def bundled_pack_names() -> list[str]:
    """Names of the packs shipped in db/packs/, sorted (file names without .toml)."""
    return sorted(path.stem for path in _bundled_dir().glob(f"*{_SUFFIX}") if path.is_file())


def bundled_pack_path(name: str) -> Path:
    """Path of the bundled pack ``name``; raises PackNotFoundError if there is none."""
    path = _bundled_dir() / f"{name}{_SUFFIX}"
    if "/" in name or "\\" in name or not path.is_file():
        available = ", ".join(bundled_pack_names()) or "none"
        raise PackNotFoundError(f'no bundled pack named "{name}" (bundled packs: {available})')
    return path


def resolve_pack(ref: str | Path) -> Path:
    """Turn a bundled pack name (``mission-impossible``) or a file path into a path.

    A bare name is looked up among the bundled packs first; anything else must be
    an existing file. Raises PackNotFoundError when it is neither.
    """
    text = str(ref)
    if text in bundled_pack_names():
        return bundled_pack_path(text)
    path = Path(text).expanduser()
    if path.is_file():
        return path
    available = ", ".join(bundled_pack_names()) or "none"
    raise PackNotFoundError(
        f'"{text}" is neither a bundled pack name nor an existing file (bundled packs: {available})'
    )
