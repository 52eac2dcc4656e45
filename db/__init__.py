"""Marquee's database layer: the only place SQL lives.

Typical use (a path opens the SQLite file; ``connect_database`` also takes a ``postgresql://`` URL)::

    async with connect_database(path_or_url) as db:
        await migrate(db)
        pack = parse_pack(resolve_pack("mission-impossible"))
        await load_pack(db, pack, source_path=pack.path)
        counts = await CatalogueRepository(db).counts()
"""

from db.backends import connect_database, open_database
from db.connection import (
    BackupDestinationError,
    BackupVerificationError,
    Database,
    DatabaseClosedError,
    DatabaseFileError,
    Dialect,
    SqliteDatabase,
    Transaction,
    UnsupportedOperationError,
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
from db.postgres import DatabaseUnreachableError, PostgresDatabase
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
    "DatabaseUnreachableError",
    "Dialect",
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
    "PostgresDatabase",
    "SchemaTooNewError",
    "SqliteDatabase",
    "Transaction",
    "TriviaRepository",
    "UnsupportedOperationError",
    "UserSettingsRepository",
    "bundled_pack_names",
    "bundled_pack_path",
    "connect_database",
    "database_file_problem",
    "load_pack",
    "migrate",
    "open_database",
    "pack_file_checksum",
    "parse_pack",
    "resolve_pack",
    "schema_version",
    "validate_pack",
]
