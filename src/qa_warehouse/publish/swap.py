"""Publish: swap the tables dbt built in `reporting_build` into `reporting`, all at once, and
those of each service's restricted build schema into its restricted schema in the same swap.

Runs only after ingest, the GX gates and `dbt build` (models, data tests, unit tests) have all
passed. One transaction drops each old table and moves its new twin in, so a reader sees the
whole old publication or the whole new one. Publishing a period also makes its edition in that
transaction (qa_warehouse.publish.editions). The tables it writes beside the figures (the
publication log, the editions) are the migrations' (qa_warehouse.migrations), applied first.

The roles are made here too, in that transaction, and re-granted at every publish (so the new
tables are covered); `ROLES` says who reads what:
  - the BI reader (QA_WAREHOUSE_BI_ROLE, a login): `reporting` and `public_reporting`, nothing else;
  - each service's manager (qa_warehouse_fostering_manager, a group role: people's logins are
    granted it): `reporting` and the service's restricted schema (its exception lists);
  - the engineer (qa_warehouse_engineer, a group role): raw, staging and every published schema,
    read only.
docs/exception-lists.md describes them for the people who grant them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from qa_warehouse.migrations import migrate
from qa_warehouse.periods import Period
from qa_warehouse.publish import editions
from qa_warehouse.warehouse import Warehouse, connect, resolve_warehouse

BUILD_SCHEMA = "reporting_build"
PUBLISHED_SCHEMA = "reporting"
# One restricted schema per service: lists of (pseudonymous) households for its managers only; and
# the data team's (data_quality): findings row by row, with the subject as delivered.
RESTRICTED_SCHEMAS = {
    "fostering": "restricted_fostering",
    "quality_assurance": "restricted_quality_assurance",
    "data_quality": "restricted_data_quality",
    # child protection managers: children overdue an ICPC, a CP review or an assessment, by LAchildID
    "children_in_need": "restricted_children_in_need",
}
# The report tables for committee papers and publication, small counts suppressed
# (qa_warehouse.publish.disclosure). Not PostgreSQL's own `public` schema: that is every database's
# default, not ours to drop and swap.
PUBLIC_SCHEMA = "public_reporting"
# Every (build schema -> published schema) pair the swap moves, reporting first. dbt builds each
# published schema's tables in its `_build` twin (dbt_project.yml); disclosure builds public's.
PUBLISHED_SCHEMAS = (PUBLISHED_SCHEMA, PUBLIC_SCHEMA, *RESTRICTED_SCHEMAS.values())
SWAPS = tuple((f"{schema}_build", schema) for schema in PUBLISHED_SCHEMAS)
PUBLICATION_LOG = "publication_log"  # published beside the figures: what they were built from (migration 0003)
REPORT_DELIVERIES = "report_deliveries"  # the editions delivered to the outbox (migration 0009)
_PUBLISH_LOCK = 804_904


def bi_role() -> str:
    return os.environ.get("QA_WAREHOUSE_BI_ROLE", "qa_warehouse_bi")


# The group roles' names are fixed (unlike the BI login's): a setting would also have to reach the
# Airflow containers and docs/deployment.md.
def manager_role(service: str) -> str:
    return f"qa_warehouse_{service}_manager"


def engineer_role() -> str:
    return "qa_warehouse_engineer"


@dataclass(frozen=True)
class Role:
    name: str
    login: bool  # a login (the BI tools') or a group role that people's logins are granted
    reads: tuple[str, ...]  # schemas it may read (select on every table and view), nothing else
    password: str | None = None  # set (alter role) at every publish when given


def roles() -> list[Role]:
    """Every role the project makes, and what each reads: the one place roles are defined."""
    return [
        Role(
            bi_role(),
            login=True,
            reads=(PUBLISHED_SCHEMA, PUBLIC_SCHEMA),
            password=os.environ.get("QA_WAREHOUSE_BI_PASSWORD"),
        ),
        *(
            Role(manager_role(service), login=False, reads=(PUBLISHED_SCHEMA, restricted))
            for service, restricted in RESTRICTED_SCHEMAS.items()
        ),
        Role(engineer_role(), login=False, reads=("raw", "staging", *PUBLISHED_SCHEMAS)),
    ]


def _create_role(cur, name: str, login: bool) -> None:
    cur.execute("select 1 from pg_roles where rolname = %s", (name,))
    if cur.fetchone() is not None:
        return
    # Roles are cluster-wide: two databases may race to create it.
    cur.execute("savepoint create_role")
    try:
        cur.execute(sql.SQL("create role {} " + ("login" if login else "nologin")).format(sql.Identifier(name)))
    except Exception as error:
        if getattr(error, "pgcode", None) != "42710":
            raise
        cur.execute("rollback to savepoint create_role")
    cur.execute("release savepoint create_role")


def ensure_roles(cur) -> None:
    """Create the roles that do not exist yet and grant each read access to its schemas, again at
    every publish: the swap brings in new tables, and dbt rebuilds staging's. Tables created
    later in raw and staging (new partitions, the next dbt build) are covered by default
    privileges until then. No role gets any other grant."""
    cur.execute("select nspname from pg_namespace")
    existing = {name for (name,) in cur.fetchall()}
    for role in roles():
        _create_role(cur, role.name, role.login)
        name = sql.Identifier(role.name)
        if role.password:
            cur.execute(sql.SQL("alter role {} password {}").format(name, sql.Literal(role.password)))
        for schema in role.reads:
            if schema not in existing:
                continue  # e.g. staging before the first dbt build: granted at the next publish
            schema_id = sql.Identifier(schema)
            cur.execute(sql.SQL("grant usage on schema {} to {}").format(schema_id, name))
            cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema_id, name))
            if schema not in PUBLISHED_SCHEMAS:  # published tables arrive by the swap, granted above
                cur.execute(
                    sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(
                        schema_id, name
                    )
                )


def publish(warehouse: Warehouse | None = None, period: Period | None = None) -> list[str]:
    """Move every table in reporting_build into reporting, and each restricted build schema's into
    its restricted schema, in one transaction; return the published table names (reporting's
    bare, a restricted schema's as schema.table).

    The swap needs an exclusive lock on each published table. It asks for them with a short lock
    timeout and, if a reader holds one, lets go of everything and tries again: waiting while
    holding some locks would block readers and could deadlock a reader's multi-table transaction.
    """
    warehouse = warehouse or resolve_warehouse()
    # The publication log and the editions first, each migration committed on its own (one query
    # when the warehouse is up to date); the swap below is then one transaction.
    with connect(warehouse) as conn:
        migrate(conn)
    deadline = time.monotonic() + float(os.environ.get("QA_WAREHOUSE_PUBLISH_WAIT_SECONDS", "300"))
    pause = 0.1
    while True:
        try:
            return _swap_in(warehouse, period)
        except psycopg2.errors.LockNotAvailable:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "could not publish: readers held the reporting tables throughout "
                    "QA_WAREHOUSE_PUBLISH_WAIT_SECONDS; nothing changed, run it again"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _swap_in(warehouse: Warehouse | None, period: Period | None) -> list[str]:
    # Imported here: its numpy would add ~0.15 s to every DAG file the DAG processor parses.
    from qa_warehouse.publish import disclosure

    declared = editions.declared_models()  # read the dbt yml before taking any lock
    with connect(warehouse) as conn, conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (_PUBLISH_LOCK,))
        disclosure.build_public_tables(cur)
        # The published schemas follow SWAPS (one per service); the publication log and the
        # editions in `reporting` are the migrations' (publish() applied them).
        for _, published in SWAPS:
            cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(published)))
        # {(build, published): tables}: every table of each build schema (a restricted one may be empty)
        moves: dict[tuple[str, str], list[str]] = {}
        for build, published in SWAPS:
            cur.execute("select tablename from pg_tables where schemaname = %s order by tablename", (build,))
            moves[(build, published)] = [name for (name,) in cur.fetchall()]
        tables = moves[(BUILD_SCHEMA, PUBLISHED_SCHEMA)]
        if not tables:
            raise RuntimeError(f"nothing to publish: {BUILD_SCHEMA} is empty (did dbt build run?)")
        if clashes := sorted(set(tables) & (editions.OWN_RELATIONS | {PUBLICATION_LOG, REPORT_DELIVERIES})):
            raise RuntimeError(
                f"not publishing: {BUILD_SCHEMA} has {', '.join(clashes)}, which would replace "
                "the warehouse's own record in reporting; rename the dbt model(s)"
            )
        replaced = []
        for (_, published), names in moves.items():
            cur.execute(
                "select tablename from pg_tables where schemaname = %s and tablename = any(%s)", (published, names)
            )
            replaced += [sql.Identifier(published, name) for (name,) in cur.fetchall()]
        cur.execute("set local lock_timeout = '500ms'")  # below deadlock_timeout (1 s): we give way first
        if replaced:
            cur.execute(sql.SQL("lock table {} in access exclusive mode").format(sql.SQL(", ").join(replaced)))
        editions.prepare(cur)  # its views and latest_figures may have readers too: same short timeout
        cur.execute("set local lock_timeout = 0")
        for (build, published), names in moves.items():
            for table in names:
                cur.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(published, table)))
                cur.execute(
                    sql.SQL("alter table {} set schema {}").format(
                        sql.Identifier(build, table), sql.Identifier(published)
                    )
                )
        # The log names reporting's tables as before, and a restricted schema's as schema.table.
        logged = tables + [
            f"{published}.{name}"
            for (_, published), names in moves.items()
            if published != PUBLISHED_SCHEMA
            for name in names
        ]
        cur.execute(
            sql.SQL("""insert into {}.{} (tables, period_kind, period_first_day, period_last_day, loads)
                select %s, %s, %s, %s, coalesce(jsonb_agg(jsonb_build_object('extract', extract, 'la_code', la_code,
                       'load_id', load_id, 'file_name', file_name) order by extract, la_code), '[]')
                from raw.current_loads returning publication_id""").format(
                sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(PUBLICATION_LOG)
            ),
            (logged, period and period.kind, period and period.first_day, period and period.last_day),
        )
        (publication_id,) = cur.fetchone()
        # Editions keep reporting's figures only: an exception list is a list of people, not figures.
        layouts = editions.figure_layouts(cur, tables, declared)
        editions.write_latest_figures(cur, publication_id, layouts)
        if period is not None:
            editions.create_edition(cur, period, publication_id, layouts)
        ensure_roles(cur)
    return logged
