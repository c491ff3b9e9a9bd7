"""Published tables as files for the CLI: the scorecard and any published table to CSV, JSON or
XLSX (`qa-warehouse scorecard --json/--csv`, `qa-warehouse export`), and what is published
(`qa-warehouse status`)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from pathlib import Path
from typing import IO, Any

from psycopg2 import sql

from qa_warehouse.warehouse import connect

# What a caller may export: the published schemas, never raw, staging or the build schema.
EXPORTABLE_SCHEMAS = ("reporting", "public_reporting")
RESTRICTED_PREFIX = "restricted_"


class ExportRefused(Exception):
    """The table is not a published table, or the connected user may not read it."""


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def read_scorecard_rows(
    la_code: str | None, period_end: dt.date | None, all_periods: bool
) -> tuple[list[str], list[tuple]]:
    """Every published column of reporting.fostering_kpi_scorecard, with the scorecard's filters."""
    period_filter = (
        sql.SQL("true")
        if all_periods
        else (
            sql.SQL("period_end = %(period_end)s")
            if period_end
            else sql.SQL(
                "period_end = (select max(period_end) from reporting.fostering_kpi_scorecard m"
                " where m.la_code = s.la_code)"
            )
        )
    )
    query = sql.SQL(
        "select * from reporting.fostering_kpi_scorecard s where (%(la_code)s::text is null or la_code = %(la_code)s)"
        " and {} order by la_code, period_end, team nulls first, display_order"
    ).format(period_filter)
    with connect() as conn, conn.cursor() as cur:
        cur.execute(query, {"la_code": la_code, "period_end": period_end})
        return [d[0] for d in cur.description], cur.fetchall()


def resolve_published_table(cur, name: str) -> tuple[str, str]:
    """(schema, table) of a published table the connected user may read; ExportRefused otherwise.
    `name` is `table` (reporting) or `schema.table`."""
    schema, _, table = name.rpartition(".")
    schema = schema or "reporting"
    if schema not in EXPORTABLE_SCHEMAS and not schema.startswith(RESTRICTED_PREFIX):
        raise ExportRefused(
            f"{name}: only published tables can be exported (schemas reporting, public_reporting and restricted_*)"
        )
    cur.execute(
        "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
        (schema, table),
    )
    listed = cur.fetchone() is not None
    # information_schema lists only what the user may use: a table it hides may still exist, unreadable
    # (the catalog names every table to everyone; resolving the name would need the schema's usage).
    cur.execute(
        """select has_schema_privilege(current_user, n.oid, 'usage') and has_table_privilege(current_user, c.oid, 'select')
           from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where n.nspname = %s and c.relname = %s and c.relkind in ('r', 'v', 'm', 'p', 'f')""",
        (schema, table),
    )
    readable = cur.fetchone()
    if readable is None:
        raise ExportRefused(f"{schema}.{table} is not a published table (see `qa-warehouse status`)")
    if not listed or not readable[0]:
        raise ExportRefused(f"{schema}.{table}: the connected user ({_user(cur)}) may not read it")
    return schema, table


def _user(cur) -> str:
    cur.execute("select current_user")
    return cur.fetchone()[0]


def read_published_table(name: str) -> tuple[str, list[str], list[tuple]]:
    """(schema.table, columns, rows) of a published table, sorted by its columns left to right."""
    with connect() as conn, conn.cursor() as cur:
        schema, table = resolve_published_table(cur, name)
        cur.execute(sql.SQL("select * from {}").format(sql.Identifier(schema, table)))
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    rows.sort(key=lambda row: tuple((value is None, str(value)) for value in row))
    return f"{schema}.{table}", columns, rows


def write_csv(columns: list[str], rows: list[tuple], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_value(v) for v in row] for row in rows)


def _csv_value(value: Any) -> Any:
    """As PostgreSQL prints it (a numeric keeps its scale); an array or JSON column as JSON; null empty."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return value


def write_json(columns: list[str], rows: list[tuple], out: IO[str]) -> None:
    json.dump([{c: _json_value(v) for c, v in zip(columns, row)} for row in rows], out, indent=1)
    out.write("\n")


def write_xlsx(title: str, columns: list[str], rows: list[tuple], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[-31:]  # Excel's limit on a sheet's name
    sheet.append(columns)
    for row in rows:
        sheet.append([float(v) if isinstance(v, decimal.Decimal) else _xlsx_value(v) for v in row])
    book.save(path)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)  # Excel has no time zones
    return value


def as_text(fmt: str, columns: list[str], rows: list[tuple]) -> str:
    out = io.StringIO()
    (write_csv if fmt == "csv" else write_json)(columns, rows, out)
    return out.getvalue()


def warehouse_status() -> dict[str, Any]:
    """What is published and from which loads; what holds publishing back; freshness; schema version."""
    from qa_warehouse.load.freshness import late_extracts
    from qa_warehouse.migrations import current_version, latest_version
    from qa_warehouse.pipeline import open_quarantines
    from qa_warehouse.warehouse import resolve_warehouse

    warehouse = resolve_warehouse()
    status: dict[str, Any] = {"warehouse": warehouse.describe(), "publication": None, "held_rows": []}
    with connect(warehouse) as conn, conn.cursor() as cur:
        status["schema_version"] = current_version(conn)
        status["code_schema_version"] = latest_version()
        cur.execute("select to_regclass('reporting.publication_log') is not null")
        if cur.fetchone()[0]:
            cur.execute(
                """select publication_id, published_at, tables, loads, period_kind, period_first_day, period_last_day
                   from reporting.publication_log order by publication_id desc limit 1"""
            )
            row = cur.fetchone()
            if row:
                keys = (
                    "publication_id",
                    "published_at",
                    "tables",
                    "loads",
                    "period_kind",
                    "period_first",
                    "period_last",
                )
                status["publication"] = {k: _json_value(v) for k, v in zip(keys, row)}
        cur.execute("select to_regclass('raw.current_loads') is not null")
        if cur.fetchone()[0]:
            cur.execute(
                """select c.file_name, l.rows_held, coalesce(l.report_path, '') from raw.current_loads c
                   join raw.load_log l using (load_id) where coalesce(l.rows_held, 0) > 0 order by 1"""
            )
            status["held_rows"] = [
                {"file": name, "rows_held": held, "report": report} for name, held, report in cur.fetchall()
            ]
    status["open_quarantines"] = [{"file": name, "report": report} for name, report in open_quarantines()]
    status["late_extracts"] = [
        {"file": p.file, "detail": p.detail} for p in (late.problem() for late in late_extracts(dt.date.today()))
    ]
    return status


def format_status(status: dict[str, Any]) -> str:
    lines = [f"Warehouse: {status['warehouse']}"]
    lines.append(f"Schema version: {status['schema_version']} (this code's latest: {status['code_schema_version']})")
    publication = status["publication"]
    if publication is None:
        lines.append("Published: nothing yet (run `qa-warehouse run --landing DIR`)")
    else:
        period = (
            f", the {publication['period_kind']} {publication['period_first']} to {publication['period_last']}"
            if publication["period_kind"]
            else ""
        )
        lines.append(
            f"Published: publication {publication['publication_id']} at {publication['published_at']}{period}:"
            f" {len(publication['tables'])} tables"
        )
        for table in publication["tables"]:
            lines.append(f"  {table}")
        lines.append(f"  from {len(publication['loads'])} loads:")
        for load in publication["loads"]:
            lines.append(f"  load {load['load_id']}: {load['file_name']} ({load['extract']}, LA {load['la_code']})")
    quarantines = status["open_quarantines"]
    lines.append(f"Open quarantines: {len(quarantines) or 'none'}")
    lines.extend(f"  {q['file']}  report: {q['report']}" for q in quarantines)
    held = status["held_rows"]
    lines.append(f"Rows held back in the current loads: {sum(h['rows_held'] for h in held) or 'none'}")
    lines.extend(f"  {h['file']}: {h['rows_held']:,} rows  report: {h['report']}" for h in held)
    late = status["late_extracts"]
    lines.append(f"Freshness: {'every expected extract is on time' if not late else f'{len(late)} late'}")
    lines.extend(f"  {p['file']}: {p['detail']}" for p in late)
    return "\n".join(lines)
