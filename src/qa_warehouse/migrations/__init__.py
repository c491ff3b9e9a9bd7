"""The warehouse's own tables, by numbered migrations, with the schema version recorded.

The files beside this module, `NNNN_short_name.sql`, make and change the fixed objects the
project owns outside dbt; `migrate(conn)` applies the ones a warehouse has not had yet, in
order, and records each in `warehouse_meta.schema_migrations` (version, name, checksum, when).
Ingest (`load.raw_schema.ensure_raw_schema`), the build's postcode step and publish call it
first: one query when the warehouse is up to date. `qa-warehouse migrate` runs it by hand.

What is a migration, and what stays in Python:

- Migrations: objects whose shape is fixed in the code: the schemas `raw`, `raw_incoming`,
  `quarantine` and `reporting`; `raw.load_log` with its sequence, index and status check;
  the view `raw.current_loads`; `raw.gate_code_lists`; `raw.postcode_centroids`;
  `reporting.publication_log`; the editions (`reporting.editions`, `edition_figures`,
  `latest_figures`, the guard function and triggers, the views `restatements` and
  `figures_published_and_latest`); `reporting.report_deliveries`, described like every published table.
- Python, because their shape follows data or configuration rather than a version:
  the raw table of each extract (`raw.<extract>`, partitioned by load, its columns from the
  extract's contract, a column added when a contract gains one); the per-load tables and
  sequences in `raw_incoming`, moved to `raw` (attached) or `quarantine`; the published
  schemas the swap moves dbt's tables into (one per service, `publish.swap.SWAPS`) and
  `public_reporting_build`'s tables (disclosure); the roles, their passwords and grants
  (cluster-wide, named by settings, granted again at every publish); and the rows of
  `raw.gate_code_lists` (the dbt seed's, reloaded before every ingest).

Versions 1 to 4 are the baseline: written with `if not exists`, `add column if not exists` and
`or replace`, so that a warehouse built by the DDL in Python before migrations existed (0.1.0)
is upgraded in place, its rows kept (tests/test_migrations.py builds one with that code). A
later change is a new file with the next number; an applied file is never edited: its checksum
is recorded and checked, and an edited one is refused by name.

Each migration runs in its own transaction with its row, under a transaction-level advisory
lock, so two processes (parallel ingest tasks, a publish) never migrate at once: the second
waits, then finds the work done. A warehouse that records a version this code does not have
(migrated by a newer qa-warehouse) is refused rather than used.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg2
import psycopg2.errors
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

if TYPE_CHECKING:
    from qa_warehouse.warehouse import Warehouse

META_SCHEMA = "warehouse_meta"
TABLE = f"{META_SCHEMA}.schema_migrations"
# pg_advisory_xact_lock key, beside ingest's 804_903 and publish's 804_904.
MIGRATION_LOCK = 804_905
FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_CREATE_TABLE = f"""
create schema if not exists {META_SCHEMA};
create table if not exists {TABLE} (
    version int primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
)"""


class MigrationError(RuntimeError):
    """The warehouse's recorded migrations disagree with this code's: nothing was applied."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str  # the file's name without .sql, e.g. 0001_raw_layer
    sql: str
    checksum: str  # sha256 of the file's text (line endings as \n)

    @property
    def file_name(self) -> str:
        return f"{self.name}.sql"


@dataclass(frozen=True)
class Applied:
    version: int
    name: str
    checksum: str


def read_migrations(directory: Path | None = None) -> tuple[Migration, ...]:
    """Every migration, by version: the package's own, or those in `directory` (for tests)."""
    if directory is None:
        return _package_migrations()
    return _read((p.name, p.read_text(encoding="utf-8")) for p in Path(directory).iterdir() if p.suffix == ".sql")


@lru_cache(maxsize=1)
def _package_migrations() -> tuple[Migration, ...]:
    files = resources.files(__name__)
    return _read((f.name, f.read_text(encoding="utf-8")) for f in files.iterdir() if f.name.endswith(".sql"))


def _read(files: Iterable[tuple[str, str]]) -> tuple[Migration, ...]:
    migrations: dict[int, Migration] = {}
    for file_name, text in files:
        match = FILE_NAME.match(file_name)
        if not match:
            raise MigrationError(f"migration file {file_name} is not named NNNN_short_name.sql")
        version = int(match.group(1))
        if version in migrations:
            raise MigrationError(
                f"two migration files have version {version}: {migrations[version].file_name}, {file_name}"
            )
        text = text.replace("\r\n", "\n")
        migrations[version] = Migration(
            version, file_name.removesuffix(".sql"), text, hashlib.sha256(text.encode("utf-8")).hexdigest()
        )
    return tuple(migrations[v] for v in sorted(migrations))


def latest_version(directory: Path | None = None) -> int:
    migrations = read_migrations(directory)
    return migrations[-1].version if migrations else 0


def _check(applied: list[Applied], migrations: tuple[Migration, ...]) -> list[Migration]:
    """The migrations still to apply; raise if what was applied is not what this code has."""
    known = {m.version: m for m in migrations}
    if newer := [a for a in applied if a.version not in known]:
        raise MigrationError(
            f"the warehouse has schema migration(s) this code does not know: "
            f"{', '.join(f'{a.version} ({a.name})' for a in newer)}; this code's latest is "
            f"{migrations[-1].version if migrations else 0}. A newer qa-warehouse migrated it: run that version."
        )
    for a in applied:
        m = known[a.version]
        if (a.name, a.checksum) != (m.name, m.checksum):
            raise MigrationError(
                f"migration {m.file_name} was applied to this warehouse as {a.name}.sql and has been "
                f"edited since (recorded checksum {a.checksum[:12]}, file {m.checksum[:12]}): an applied "
                "migration is never changed. Restore the file and put the change in a new numbered migration."
            )
    done = {a.version for a in applied}
    return [m for m in migrations if m.version not in done]


def _applied(cur) -> list[Applied]:
    cur.execute(f"select version, name, checksum from {TABLE} order by version")
    return [Applied(*row) for row in cur.fetchall()]


def migrate(conn, directory: Path | None = None) -> list[Migration]:
    """Apply the pending migrations on `conn` (outside a transaction); return those applied now.

    Up to date, it costs one query. Otherwise each migration commits on its own, with its row in
    warehouse_meta.schema_migrations, under an advisory lock held by its transaction: a process
    that waited for the lock finds the migration applied and goes on to the next.
    """
    migrations = read_migrations(directory)
    if conn.info.transaction_status != TRANSACTION_STATUS_IDLE:
        raise MigrationError("migrate needs a connection outside a transaction (commit or roll back first)")
    autocommit = conn.autocommit
    try:
        conn.autocommit = True  # the check below is one statement, not a transaction around it
        with conn.cursor() as cur:
            try:
                pending = _check(_applied(cur), migrations)
            except psycopg2.errors.UndefinedTable:  # a warehouse never migrated
                pending = list(migrations)
        if not pending:
            return []
        conn.autocommit = False
        done = []
        for migration in pending:
            try:
                with conn.cursor() as cur:
                    cur.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                    cur.execute(_CREATE_TABLE)
                    if migration not in _check(_applied(cur), migrations):
                        conn.rollback()  # another process applied it while we waited for the lock
                        continue
                    try:
                        cur.execute(migration.sql)
                    except psycopg2.Error as error:
                        raise MigrationError(f"migration {migration.file_name} failed: {error}".strip()) from error
                    cur.execute(
                        f"insert into {TABLE} (version, name, checksum) values (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            done.append(migration)
        return done
    finally:
        conn.autocommit = autocommit


def current_version(conn) -> int:
    """The highest migration applied to the warehouse (0 when it was never migrated)."""
    with conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (TABLE,))
        if not cur.fetchone()[0]:
            return 0
        cur.execute(f"select coalesce(max(version), 0) from {TABLE}")
        return cur.fetchone()[0]


def migrate_warehouse(warehouse: Warehouse | None = None) -> tuple[list[Migration], int]:
    """Apply the pending migrations to the warehouse; return those applied and its version after."""
    from qa_warehouse.warehouse import connect

    with connect(warehouse) as conn:
        applied = migrate(conn)
        version = current_version(conn)
    return applied, version


__all__ = ["Migration", "MigrationError", "current_version", "latest_version", "migrate", "migrate_warehouse"]
