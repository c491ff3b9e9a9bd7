"""Publish: swap the tables dbt built in `reporting_build` into `reporting`, all at once.

Runs only after ingest, the GX gates and `dbt build` (models, data tests, unit tests) have all
passed. One transaction drops each old table and moves its new twin in, so a reader sees the
whole old publication or the whole new one. The BI role reads `reporting` and nothing else.
Publishing a period also makes its edition in that transaction (qa_warehouse.editions).
"""
from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from qa_warehouse import editions
from qa_warehouse.warehouse import Warehouse, connect

BUILD_SCHEMA = "reporting_build"
PUBLISHED_SCHEMA = "reporting"
PUBLICATION_LOG = "publication_log"  # published beside the figures: what they were built from
_PUBLISH_LOCK = 804_904


def bi_role() -> str:
    return os.environ.get("QA_WAREHOUSE_BI_ROLE", "qa_warehouse_bi")


def ensure_bi_role(cur) -> None:
    """A login role that can read `reporting` and nothing else (it gets no other grant)."""
    password = os.environ.get("QA_WAREHOUSE_BI_PASSWORD")
    role = sql.Identifier(bi_role())
    cur.execute("select 1 from pg_roles where rolname = %s", (bi_role(),))
    if cur.fetchone() is None:
        # Roles are cluster-wide: two databases may race to create it.
        cur.execute("savepoint create_role")
        try:
            cur.execute(sql.SQL("create role {} login").format(role))
        except Exception as error:  # noqa: BLE001 - only a duplicate is expected here
            if getattr(error, "pgcode", None) != "42710":
                raise
            cur.execute("rollback to savepoint create_role")
    if password:
        cur.execute(sql.SQL("alter role {} password {}").format(role, sql.Literal(password)))
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(PUBLISHED_SCHEMA), role))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(sql.Identifier(PUBLISHED_SCHEMA), role))


@dataclass(frozen=True)
class Period:
    """The period a scheduled close publishes (a month, quarter or financial year), logged with it."""
    kind: str
    first_day: dt.date
    last_day: dt.date


def publish(warehouse: Warehouse | None = None, period: Period | None = None) -> list[str]:
    """Move every table in reporting_build into reporting; return the published table names.

    The swap needs an exclusive lock on each published table. It asks for them with a short lock
    timeout and, if a reader holds one, lets go of everything and tries again: waiting while
    holding some locks would block readers and could deadlock a reader's multi-table transaction.
    """
    deadline = time.monotonic() + float(os.environ.get("QA_WAREHOUSE_PUBLISH_WAIT_SECONDS", "300"))
    pause = 0.1
    while True:
        try:
            return _swap_in(warehouse, period)
        except psycopg2.errors.LockNotAvailable:
            if time.monotonic() > deadline:
                raise RuntimeError("could not publish: readers held the reporting tables throughout "
                                   "QA_WAREHOUSE_PUBLISH_WAIT_SECONDS; nothing changed, run it again") from None
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _swap_in(warehouse: Warehouse | None, period: Period | None) -> list[str]:
    declared = editions.declared_models()  # read the dbt yml before taking any lock
    with connect(warehouse) as conn, conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (_PUBLISH_LOCK,))
        cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(PUBLISHED_SCHEMA)))
        cur.execute(sql.SQL("""create table if not exists {}.{} (
                publication_id bigint generated always as identity primary key,
                published_at timestamptz not null default now(),
                tables text[] not null,
                loads jsonb not null)""").format(sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(PUBLICATION_LOG)))
        # A scheduled period close says which period it published; a publication after a delivery has none.
        cur.execute(sql.SQL("""alter table {}.{} add column if not exists period_kind text,
                add column if not exists period_first_day date, add column if not exists period_last_day date
                """).format(sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(PUBLICATION_LOG)))
        cur.execute("select tablename from pg_tables where schemaname = %s order by tablename", (BUILD_SCHEMA,))
        tables = [name for (name,) in cur.fetchall()]
        if not tables:
            raise RuntimeError(f"nothing to publish: {BUILD_SCHEMA} is empty (did dbt build run?)")
        if clashes := sorted(set(tables) & (editions.OWN_RELATIONS | {PUBLICATION_LOG})):
            raise RuntimeError(f"not publishing: {BUILD_SCHEMA} has {', '.join(clashes)}, which would replace "
                               "the warehouse's own record in reporting; rename the dbt model(s)")
        cur.execute("select tablename from pg_tables where schemaname = %s and tablename = any(%s)",
                    (PUBLISHED_SCHEMA, tables))
        replaced = [name for (name,) in cur.fetchall()]
        cur.execute("set local lock_timeout = '500ms'")  # below deadlock_timeout (1 s): we give way first
        if replaced:
            cur.execute(sql.SQL("lock table {} in access exclusive mode").format(
                sql.SQL(", ").join(sql.Identifier(PUBLISHED_SCHEMA, name) for name in replaced)))
        editions.prepare(cur)  # its views and latest_figures may have readers too: same short timeout
        cur.execute("set local lock_timeout = 0")
        for table in tables:
            cur.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(PUBLISHED_SCHEMA, table)))
            cur.execute(sql.SQL("alter table {} set schema {}").format(
                sql.Identifier(BUILD_SCHEMA, table), sql.Identifier(PUBLISHED_SCHEMA)))
        cur.execute(sql.SQL("""insert into {}.{} (tables, period_kind, period_first_day, period_last_day, loads)
                select %s, %s, %s, %s, coalesce(jsonb_agg(jsonb_build_object('extract', extract, 'la_code', la_code,
                       'load_id', load_id, 'file_name', file_name) order by extract, la_code), '[]')
                from raw.current_loads returning publication_id""").format(
                    sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(PUBLICATION_LOG)),
                    (tables, period and period.kind, period and period.first_day, period and period.last_day))
        (publication_id,) = cur.fetchone()
        editions.write_latest_figures(cur, publication_id, editions.figure_layouts(cur, tables, declared))
        if period is not None:
            editions.create_edition(cur, period, publication_id)
        ensure_bi_role(cur)
    return tables
