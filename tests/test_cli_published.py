"""The qa-warehouse command on one small published warehouse (30 fostering households, one year), run
as a user runs it, in a new process: `run`'s progress on stderr and no library warnings, its exit codes
(0 published, 3 rows held back, 4 a file quarantined), `scorecard --json/--csv`, `export` in every format
read back and compared with a direct SELECT, `export` refusing what is not published or not readable,
and `status`. The checks share one warehouse to keep the suite short; the runs that change it come last."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qa_warehouse.cli import ExitCode
from qa_warehouse.load.contracts import get_contract
from qa_warehouse.load.data_quality import contract_severity
from qa_warehouse_synthetic import DEFECTS, generate_extracts

pytestmark = pytest.mark.integration
SIZE = dict(households=30, years=1, authorities=1, seed=5, areas=("fostering",))
AS_AT = dt.date(2025, 3, 31)
TABLE = "fostering_kpi_scorecard"


def qa_warehouse(warehouse, *arguments: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "qa_warehouse", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, **warehouse.env, **(env or {})},
        cwd=cwd,
        timeout=1500,
    )


@pytest.fixture(scope="module")
def first_run(module_warehouse, tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    files = generate_extracts(landing, as_at=AS_AT, **SIZE)
    done = qa_warehouse(module_warehouse, "run", "--landing", str(landing))
    return done, files


def test_run_shows_its_progress_on_stderr_and_its_results_on_stdout(first_run):
    done, files = first_run
    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-3000:]
    progress = done.stderr.splitlines()
    for path in files:  # each file as its load finished: rows, seconds, outcome
        assert any(re.search(rf"{re.escape(path.name)}: [\d,]+ rows, \d+\.\ds, loaded$", line) for line in progress), (
            path.name,
            done.stderr,
        )
    dbt = [re.search(r"dbt: ([\d,]+) of ([\d,]+) nodes done", line) for line in progress]
    counts = [(int(m[1].replace(",", "")), int(m[2].replace(",", ""))) for m in dbt if m]
    assert len(counts) >= 5 and counts[-1][0] == counts[-1][1] > 100, done.stderr
    assert [done for done, _ in counts] == sorted(done for done, _ in counts)
    assert any(re.search(r"published \(\d+\.\ds\)$", line) for line in progress), done.stderr
    assert all(re.match(r"\[ *\d+\.\ds\] ", line) for line in progress), done.stderr  # every line is timed
    # results on stdout: each file's outcome and the result, no progress
    assert f"{files[0].name}: loaded" in done.stdout and "ingested and published from" in done.stdout
    assert "nodes done" not in done.stdout


def test_a_normal_run_logs_no_library_warnings(first_run):
    done, _ = first_run
    for stream in (done.stderr, done.stdout):
        assert not [line for line in stream.splitlines() if "warning" in line.lower()], stream


def test_quiet_prints_only_errors_and_the_result(module_warehouse, first_run):
    done = qa_warehouse(module_warehouse, "--quiet", "scorecard", "--la", "885")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "885" in done.stdout


def published(warehouse, table: str = TABLE) -> tuple[list[str], list[tuple]]:
    with warehouse.connect() as conn, conn.cursor() as cur:
        cur.execute(f"select * from reporting.{table}")
        return [d[0] for d in cur.description], cur.fetchall()


def comparable(value):
    """A value as both a direct SELECT and a file read back can state it."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        return round(float(value), 9)
    try:
        return round(float(value), 9)
    except ValueError:
        return value


def as_rows(columns: list[str], rows) -> list[tuple]:
    return sorted((tuple(comparable(v) for v in row) for row in rows), key=repr)


def test_export_writes_every_format_with_exactly_the_published_rows(module_warehouse, first_run, tmp_path):
    columns, rows = published(module_warehouse)
    assert len(rows) > 100
    expected = as_rows(columns, rows)

    as_csv = qa_warehouse(module_warehouse, "export", TABLE)  # csv to stdout by default
    assert as_csv.returncode == 0, as_csv.stderr
    read = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert read[0] == columns
    assert as_rows(columns, read[1:]) == expected

    as_json = qa_warehouse(module_warehouse, "export", TABLE, "--format", "json", "--out", str(tmp_path / "t.json"))
    assert as_json.returncode == 0, as_json.stderr
    objects = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert all(list(o) == columns for o in objects)
    assert as_rows(columns, [list(o.values()) for o in objects]) == expected

    as_xlsx = qa_warehouse(module_warehouse, "export", TABLE, "--format", "xlsx", cwd=tmp_path)
    assert as_xlsx.returncode == 0, as_xlsx.stderr
    sheet = load_workbook(tmp_path / f"{TABLE}.xlsx", read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == columns
    assert as_rows(columns, values[1:]) == expected


def test_scorecard_json_and_csv_carry_every_published_column(module_warehouse, first_run):
    columns, rows = published(module_warehouse)
    latest = [row for row in rows if row[columns.index("period_end")] == AS_AT]
    as_json = qa_warehouse(module_warehouse, "scorecard", "--json")
    assert as_json.returncode == 0, as_json.stderr
    objects = json.loads(as_json.stdout)
    assert list(objects[0]) == columns
    assert as_rows(columns, [list(o.values()) for o in objects]) == as_rows(columns, latest)
    as_csv = qa_warehouse(module_warehouse, "scorecard", "--csv", "--all-periods")
    read = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert read[0] == columns and as_rows(columns, read[1:]) == as_rows(columns, rows)


def test_export_refuses_what_is_not_published_or_not_readable(module_warehouse, first_run):
    for table in (
        "raw.load_log",
        "staging.stg_fostering__carer_visits",
        "reporting.no_such_table",
        "pg_catalog.pg_authid",
    ):
        done = qa_warehouse(module_warehouse, "export", table)
        assert done.returncode == ExitCode.FAILED, (table, done.stdout[:300])
        assert done.stdout == "" and "not exported" in done.stderr, (table, done.stderr)
    # the BI role reads reporting and public_reporting only: a restricted table is refused to a login of it
    with module_warehouse.connect() as conn, conn.cursor() as cur:
        cur.execute("drop role if exists cli_bi_reader")
        cur.execute("create role cli_bi_reader login in role qa_warehouse_bi")
    as_bi = {"DATABASE_URL": module_warehouse.url.replace("postgresql://postgres@", "postgresql://cli_bi_reader@")}
    refused = qa_warehouse(module_warehouse, "export", "restricted_fostering.fostering_exceptions", env=as_bi)
    assert refused.returncode == ExitCode.FAILED and "may not read" in refused.stderr, refused.stderr
    assert qa_warehouse(module_warehouse, "export", "restricted_fostering.fostering_exceptions").returncode == 0
    allowed = qa_warehouse(module_warehouse, "export", "public_reporting.regulation_24", env=as_bi)
    assert allowed.returncode == 0, allowed.stderr


def test_status_says_what_is_published_from_which_loads(module_warehouse, first_run):
    done = qa_warehouse(module_warehouse, "status", "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    ((publication_id, tables, loads),) = module_warehouse.query(
        "select publication_id, tables, loads from reporting.publication_log order by publication_id desc limit 1"
    )
    assert status["publication"]["publication_id"] == publication_id
    assert status["publication"]["tables"] == tables and TABLE in tables
    assert sorted(load["file_name"] for load in status["publication"]["loads"]) == sorted(
        load["file_name"] for load in loads
    )
    assert status["open_quarantines"] == [] and status["held_rows"] == []
    assert status["schema_version"] == status["code_schema_version"] > 0
    assert module_warehouse.database in status["warehouse"]
    text = qa_warehouse(module_warehouse, "status").stdout
    assert f"publication {publication_id}" in text and "Open quarantines: none" in text
    assert all(load["file_name"] in text for load in loads)


def one_file_with(defect_name: str, folder: Path, as_at: dt.date) -> Path:
    generated = folder / "generated"
    generate_extracts(generated, as_at=as_at, defects=(defect_name,), **SIZE)
    damaged = next(generated.glob(f"{DEFECTS[defect_name].extract}_*.csv"))
    delivered = folder / "landing"
    delivered.mkdir()
    shutil.copy(damaged, delivered / damaged.name)
    return delivered / damaged.name


def severity(defect_name: str) -> str:
    return contract_severity(get_contract(DEFECTS[defect_name].extract), DEFECTS[defect_name].rule)


def test_a_run_that_holds_rows_back_publishes_and_exits_3(module_warehouse, first_run, tmp_path):
    defect = "unknown_code"
    assert severity(defect) == "hold"
    damaged = one_file_with(defect, tmp_path, AS_AT + dt.timedelta(days=30))
    done = qa_warehouse(module_warehouse, "run", "--landing", str(damaged.parent))
    assert done.returncode == ExitCode.HELD_BACK, done.stdout[-2000:] + done.stderr[-3000:]
    assert re.search(rf"{re.escape(damaged.name)}: loaded [\d,]+ rows, [1-9][\d,]* held back", done.stderr)
    assert "rows were held back" in done.stderr
    ((held,),) = module_warehouse.query(
        "select rows_held from raw.load_log where file_name = %s and status = 'accepted'", (damaged.name,)
    )
    assert held >= 1
    status = json.loads(qa_warehouse(module_warehouse, "status", "--json").stdout)
    assert [h["file"] for h in status["held_rows"]] == [damaged.name]


def test_a_run_with_a_quarantined_file_publishes_nothing_and_exits_4(module_warehouse, first_run, tmp_path):
    defect = "duplicate_key"
    assert severity(defect) == "refuse_file"
    before = module_warehouse.query("select max(publication_id) from reporting.publication_log")
    damaged = one_file_with(defect, tmp_path, AS_AT + dt.timedelta(days=60))
    done = qa_warehouse(module_warehouse, "run", "--landing", str(damaged.parent))
    assert done.returncode == ExitCode.QUARANTINED, done.stdout[-2000:] + done.stderr[-3000:]
    assert f"{damaged.name}: quarantined" in done.stderr
    assert module_warehouse.query("select max(publication_id) from reporting.publication_log") == before
    status = json.loads(qa_warehouse(module_warehouse, "status", "--json").stdout)
    assert [q["file"] for q in status["open_quarantines"]] == [damaged.name]
