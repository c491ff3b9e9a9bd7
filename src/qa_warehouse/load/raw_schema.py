"""The raw layer: every accepted file's rows, one partition per load, and the load log.

raw.<extract> is partitioned by load id. A file is copied into its own table in `raw_incoming`,
gated there, and only then attached as a partition, so a reader of raw never sees a half-loaded
or failing file. A failing file's table moves to `quarantine` for inspection.

The fixed objects (the schemas, raw.load_log, raw.current_loads, raw.gate_code_lists) are made by
the migrations (qa_warehouse.migrations, 0001_raw_layer.sql); the raw table of each extract
follows its contract, and is made and widened here.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from psycopg2.extensions import connection

from qa_warehouse.load.contracts import Contract, all_contracts
from qa_warehouse.migrations import migrate
from qa_warehouse.settings import load_settings

# Each row carries its load and as-at date; file name and hash live once, in raw.load_log.
METADATA_COLUMNS = (
    ("_load_id", "bigint not null"),
    ("_source_row", "bigint"),  # data row number in the file: 1 is the row after the header
    ("_extract_date", "date"),
)
# released: a quarantined load a person has released (`qa-warehouse release`): the same bytes are
# gated again on the next run instead of being refused as already quarantined. raw.load_log's
# check constraint (migrations/0001_raw_layer.sql) allows these; a new status is a new migration.
LOAD_STATUSES = ("loading", "accepted", "quarantined", "duplicate", "released")
RETIRED_METADATA_COLUMNS = ("_file_name", "_file_hash")  # kept per row before 0.1.0; now in the log
_BOOTSTRAP_LOCK = 804_903  # pg_advisory_xact_lock key: parallel ingest tasks create the raw tables once
# The code lists the gate checks coded columns against (Column.code_list), loaded from the dbt seed
# ssda903_codes.csv before every ingest, so the seed stays their one source of truth.
GATE_CODE_LISTS = "raw.gate_code_lists"
CODE_LISTS_SEED = "ssda903_codes.csv"
# The commentary extract names the report's measures and sections: the gate reads them from the seeds
# the report is built from (code list -> seed, its code column), valid in every year.
REPORT_CODE_LISTS = {
    "REPORT_MEASURE": ("report_sections.csv", "measure_code"),
    "REPORT_SECTION": ("report_section_titles.csv", "report_section"),
}


def raw_layer_exists(cur) -> bool:
    """Whether the raw layer exists yet (raw.load_log and raw.current_loads): the migrations have
    run (an ingest, a build, a publish or `qa-warehouse migrate`). Its load log may still be empty."""
    cur.execute("select to_regclass('raw.load_log') is not null")
    return cur.fetchone()[0]


def column_definitions(contract: Contract) -> list[str]:
    return [f'"{c.name}" {c.sql_type}' for c in contract.columns] + [f"{n} {t}" for n, t in METADATA_COLUMNS]


def ensure_raw_schema(conn: connection) -> None:
    """Create the raw layer, or add columns a newer contract introduced. Safe to run any time.

    The migrations first (one query when applied), then the contracts' tables and the gate's code
    lists, sent as one batch: it runs before every extract's ingest.
    """
    migrate(conn)
    statements = [f"select pg_advisory_xact_lock({_BOOTSTRAP_LOCK})"]
    for contract in all_contracts().values():
        table = f"raw.{contract.extract}"
        statements.append(
            f"create table if not exists {table} ("
            + ", ".join(column_definitions(contract))
            + ") partition by list (_load_id)"
        )
        statements += [
            f'alter table {table} add column if not exists "{c.name}" {c.sql_type}' for c in contract.columns
        ]
        statements += [f"alter table {table} drop column if exists {name}" for name in RETIRED_METADATA_COLUMNS]
    statements += _gate_code_list_statements()
    with conn.cursor() as cur:
        cur.execute(";\n".join(statements))
    conn.commit()


def collection_year_bounds(first: str, last: str) -> tuple[date, date]:
    """'2024/25' -> the 903 collection year's first day (1 April 2024) and last (31 March 2025).

    A blank first year means valid in every earlier year; a blank last year, still valid."""
    valid_from = date(int(first[:4]), 4, 1) if first.strip() else date(1900, 1, 1)
    valid_to = date(int(last[:4]) + 1, 3, 31) if last.strip() else date(9999, 12, 31)
    return valid_from, valid_to


def gate_code_lists(seed: Path | None = None) -> list[tuple[str, str, date, date]]:
    """(code_list, CODE, valid_from, valid_to) for every row of the ssda903_codes seed, then the
    report's measure and section codes (REPORT_CODE_LISTS)."""
    seeds = load_settings().dbt_project_dir / "seeds"
    with open(seed or seeds / CODE_LISTS_SEED, encoding="utf-8", newline="") as f:
        codes = [
            (
                row["code_list"].strip().upper(),
                row["code"].strip().upper(),
                *collection_year_bounds(row["first_collection_year"], row["last_collection_year"]),
            )
            for row in csv.DictReader(f)
        ]
    for code_list, (seed_file, column) in REPORT_CODE_LISTS.items():
        with open(seeds / seed_file, encoding="utf-8", newline="") as f:
            codes += [
                (code_list, row[column].strip().upper(), *collection_year_bounds("", "")) for row in csv.DictReader(f)
            ]
    return codes


def _gate_code_list_statements() -> list[str]:
    """Replace the gate's code lists (the table is migration 0001's) with the seed's, in the same
    transaction as the raw tables."""
    values = ", ".join(
        f"({_literal(lst)}, {_literal(c)}, date '{f}', date '{t}')" for lst, c, f, t in gate_code_lists()
    )
    return [
        f"delete from {GATE_CODE_LISTS}",  # not truncate: a gate reading it meanwhile keeps its snapshot
        f"insert into {GATE_CODE_LISTS} values {values}",
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
