"""Marquee's database layer: the only place SQL lives.

Typical use::

    async with Database.connect(path) as db:
        await migrate(db)
        pack = parse_pack(resolve_pack("mission-impossible"))
        await load_pack(db, pack, source_path=pack.path)
        counts = await CatalogueRepository(db).counts()
"""

from db.connection import (
    BackupDestinationError,
    BackupVerificationError,
    Database,
    DatabaseClosedError,
    DatabaseFileError,
    Transaction,
    database_file_problem,
)
from db.migrate import (
    LATEST_VERSION,
    MigrationError,
    MigrationResult,
    SchemaTooNewError,
    migrate,
    schema_version,
)
from db.packs import (
    LoadReport,
    Pack,
    PackConflictError,
    PackFiles,
    PackNotFoundError,
    PackProblem,
    PackValidationError,
    bundled_pack_names,
    bundled_pack_path,
    load_pack,
    pack_file_checksum,
    parse_pack,
    resolve_pack,
    validate_pack,
)
from db.repositories import (
    AnnouncementRepository,
    BotStateRepository,
    CatalogueRepository,
    GuildDataRepository,
    GuildSettingsRepository,
    TriviaRepository,
    UserSettingsRepository,
)

__all__ = [
    "LATEST_VERSION",
    "AnnouncementRepository",
    "BackupDestinationError",
    "BackupVerificationError",
    "BotStateRepository",
    "CatalogueRepository",
    "Database",
    "DatabaseClosedError",
    "DatabaseFileError",
    "GuildDataRepository",
    "GuildSettingsRepository",
    "LoadReport",
    "MigrationError",
    "MigrationResult",
    "Pack",
    "PackConflictError",
    "PackFiles",
    "PackNotFoundError",
    "PackProblem",
    "PackValidationError",
    "SchemaTooNewError",
    "Transaction",
    "TriviaRepository",
    "UserSettingsRepository",
    "bundled_pack_names",
    "bundled_pack_path",
    "database_file_problem",
    "load_pack",
    "migrate",
    "pack_file_checksum",
    "parse_pack",
    "resolve_pack",
    "schema_version",
    "validate_pack",
]
