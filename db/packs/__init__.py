"""Content packs: the TOML files shipped in this folder and the code that reads them.

This package is both the home of the bundled ``*.toml`` packs (package data) and of
the loader, so ``db.packs`` resolves to one thing whether Marquee runs from a
checkout or an installed wheel.
"""

from db.packs.bundled import bundled_pack_names, bundled_pack_path, resolve_pack
from db.packs.load import (
    PACK_RULES,
    LoadReport,
    PackConflictError,
    PackFiles,
    load_pack,
    pack_file_checksum,
)
from db.packs.model import (
    DIFFICULTIES,
    RELEASE_TYPES,
    Pack,
    PackCastCredit,
    PackCompany,
    PackCrewCredit,
    PackFilm,
    PackFilmAlias,
    PackFilmTranslation,
    PackFranchise,
    PackMilestone,
    PackNotFoundError,
    PackPerson,
    PackProblem,
    PackRelease,
    PackSource,
    PackTmdbOrigin,
    PackTrivia,
    PackTriviaTranslation,
    PackValidationError,
)
from db.packs.parse import parse_pack, validate_pack
from db.packs.write import pack_document

__all__ = [
    "DIFFICULTIES",
    "PACK_RULES",
    "RELEASE_TYPES",
    "LoadReport",
    "Pack",
    "PackCastCredit",
    "PackCompany",
    "PackConflictError",
    "PackCrewCredit",
    "PackFiles",
    "PackFilm",
    "PackFilmAlias",
    "PackFilmTranslation",
    "PackFranchise",
    "PackMilestone",
    "PackNotFoundError",
    "PackPerson",
    "PackProblem",
    "PackRelease",
    "PackSource",
    "PackTmdbOrigin",
    "PackTrivia",
    "PackTriviaTranslation",
    "PackValidationError",
    "bundled_pack_names",
    "bundled_pack_path",
    "load_pack",
    "pack_document",
    "pack_file_checksum",
    "parse_pack",
    "resolve_pack",
    "validate_pack",
]
