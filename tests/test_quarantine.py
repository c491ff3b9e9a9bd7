"""Every injected defect is caught with its named rule: a file-level defect quarantines the file and
what was published stays as it was; a row defect holds its rows back and lists them (docs/data-quality.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from qa_warehouse import cli
from qa_warehouse.load.contracts import get_contract
from qa_warehouse.load.data_quality import contract_severity
from qa_warehouse_synthetic import DEFECTS, generate_extracts
from tests.published import ingest_row_defect

pytestmark = pytest.mark.integration
SIZE = dict(households=30, years=1, authorities=1, seed=3)
AS_AT = date(2025, 3, 31)  # the generator's default extract date


def severity(defect_name: str) -> str:
    defect = DEFECTS[defect_name]
    return contract_severity(get_contract(defect.extract), defect.rule)


FILE_DEFECTS = sorted(name for name in DEFECTS if severity(name) == "refuse_file")
ROW_DEFECTS = sorted(name for name in DEFECTS if severity(name) != "refuse_file")


def scorecard(warehouse):
    """Every published table's full contents (fostering and quality assurance alike)."""
    tables = [
        t
        for (t,) in warehouse.query(
            "select tablename from pg_tables where schemaname = 'reporting' and tablename <> 'publication_log'"
        )
    ]
    assert "fostering_kpi_scorecard" in tables and "qa_audit_outcomes" in tables, tables
    return {t: sorted(warehouse.query(f"select * from reporting.{t}"), key=repr) for t in tables}


@pytest.fixture(scope="module")
def baseline(module_warehouse, tmp_path_factory):
    landing = tmp_path_factory.mktemp("clean")
    generate_extracts(landing, **SIZE)
    assert cli.main(["run", "--landing", str(landing)]) == 0
    return scorecard(module_warehouse)


def test_the_catalogue_has_defects_of_both_kinds():
    assert FILE_DEFECTS and ROW_DEFECTS, (FILE_DEFECTS, ROW_DEFECTS)


@pytest.mark.parametrize("defect_name", ROW_DEFECTS)
def test_a_row_defect_holds_its_rows_back_and_lists_them_with_the_rule(defect_name, warehouse, tmp_path):
    defect = DEFECTS[defect_name]
    area = get_contract(defect.extract).area
    damaged, findings, held = ingest_row_defect(warehouse, tmp_path, defect_name, area, AS_AT)
    named = [f for f in findings if f["rule"] == defect.rule]
    assert named, f"{defect_name}: expected rule {defect.rule}, got {findings}"
    assert all(f["file"] == damaged and f["row"] and f["column"] and f["severity"] == "hold" for f in named), named
    held_rows = warehouse.query(
        "select h.source_row, h.held_by from raw.held_rows h join raw.load_log l using (load_id) where l.file_name = %s",
        (damaged,),
    )
    holds = {f["row"] for f in findings if f["severity"] == "hold"}
    assert held == len(held_rows) >= len(holds) >= 1
    assert holds <= {row for row, _ in held_rows}
    # A DfE return (903, CIN) holds the child: its other rows are held for it, and only those.
    assert all(held_by == "child_held" for row, held_by in held_rows if row not in holds), held_rows


@pytest.mark.parametrize("defect_name", FILE_DEFECTS)
def test_a_defective_file_is_quarantined_with_its_rule_and_the_publication_is_unchanged(
    defect_name, module_warehouse, baseline, tmp_path, capsys
):
    defect = DEFECTS[defect_name]
    paths = generate_extracts(tmp_path, defects=[defect_name], **SIZE)
    damaged = next(p for p in paths if p.name.startswith(defect.extract + "_"))

    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    assert damaged.name in capsys.readouterr().err

    ((errors, report_path),) = module_warehouse.query(
        "select errors, report_path from raw.load_log where file_name = %s and status = 'quarantined'"
        " order by load_id desc limit 1",
        (damaged.name,),
    )
    rules = {e["rule"] for e in errors}
    assert defect.rule in rules, f"{defect_name}: expected rule {defect.rule}, got {rules}"
    named = [e for e in errors if e["rule"] == defect.rule]
    assert all(e["file"] == damaged.name for e in named)
    if defect.rule not in ("required_column",):  # a missing column has no row to name
        assert all(e["row"] for e in named), named
    assert all(e["column"] for e in named), named

    report = Path(report_path).read_text(encoding="utf-8")
    assert damaged.name in report and defect.rule in report
    assert scorecard(module_warehouse) == baseline
    # Nothing from the damaged file reached raw: its rows are kept aside in the quarantine schema.
    (accepted,) = module_warehouse.query(
        "select count(*) from raw.load_log where file_name = %s and status = 'accepted'", (damaged.name,)
    )[0]
    assert accepted == 1  # only the clean baseline's delivery


def test_a_quarantined_file_delivered_again_unchanged_is_reported_again_without_a_new_copy(
    module_warehouse, baseline, tmp_path
):
    generate_extracts(tmp_path, defects=["duplicate_key"], **SIZE)
    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    before = module_warehouse.query("select count(*) from raw.load_log where status = 'quarantined'")
    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    assert module_warehouse.query("select count(*) from raw.load_log where status = 'quarantined'") == before
    assert json.dumps(scorecard(module_warehouse), default=str) == json.dumps(baseline, default=str)


def test_a_released_file_is_gated_again_on_the_next_run(module_warehouse, baseline, tmp_path, capsys):
    paths = generate_extracts(tmp_path, defects=["duplicate_key"], **SIZE)
    damaged = next(p for p in paths if p.name.startswith("carer_visits_"))
    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    capsys.readouterr()
    assert cli.main(["quarantine"]) == 0
    assert damaged.name in capsys.readouterr().out

    assert cli.main(["release", damaged.name]) == 0
    assert cli.main(["release", damaged.name]) == cli.EXIT_FAILED  # nothing left to release
    # Without a release the same bytes are refused from the log; released, they are checked again.
    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    statuses = module_warehouse.query(
        "select status from raw.load_log where file_name = %s and status in ('released', 'quarantined') "
        "order by load_id",
        (damaged.name,),
    )
    assert statuses[-2:] == [("released",), ("quarantined",)]
    assert scorecard(module_warehouse) == baseline
