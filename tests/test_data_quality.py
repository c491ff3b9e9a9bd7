"""The row-level data-quality policy (docs/data-quality.md): a bad row in a sound file is held back
and listed while the rest publishes, and the figures equal the independent reference computed
from the files without the bad rows; a report gives every rule's true total."""

from __future__ import annotations

import csv
import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from qa_warehouse import cli
from qa_warehouse.load.ingest import QuarantinedFiles, ingest_extract
from qa_warehouse.load.quarantine import MAX_ROWS_PER_RULE_IN_REPORT
from qa_warehouse_synthetic import generate_extracts
from tests.reference.fostering_scorecard import expected_fostering_scorecard

pytestmark = pytest.mark.integration
HISTORY_MONTHS = 36  # the dbt var scorecard_history_months default


def rewrite(path: Path, change) -> list[dict[str, str]]:
    """Rewrite a CSV file row by row (`change(row_number, row)` edits or returns None to drop)."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    kept = [row for number, row in enumerate(rows, start=1) if change(number, row) is not None]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(kept)
    return kept


def test_a_fostering_file_with_bad_rows_publishes_every_sound_figure_and_lists_the_held_rows(warehouse, tmp_path):
    landing, reference = tmp_path / "landing", tmp_path / "reference"
    generate_extracts(landing, households=80, years=2, areas=("fostering",))
    (visits,) = landing.glob("carer_visits_*.csv")
    bad = {  # row -> (column, value, rule)
        5: ("visit_type", "home_visit", "allowed_codes"),
        9: ("visit_date", "31/02/2025", "date_type"),  # no such day: the cell is not a date
        12: ("visit_date", "2031-01-01", "date_possible"),  # after the extract date
    }

    def spoil(number, row):
        if number in bad:
            column, value, _ = bad[number]
            row[column] = value
        return row

    shutil.copytree(landing, reference)
    rewrite(visits, spoil)
    rewrite(reference / visits.name, lambda number, row: None if number in bad else row)

    # published, with the held rows listed: exit code 3
    assert cli.main(["run", "--landing", str(landing)]) == cli.ExitCode.HELD_BACK

    expected = expected_fostering_scorecard(reference, history_months=HISTORY_MONTHS)
    actual = {
        (la, team, period_end, measure): {"in_time": i, "out_of_time": o, "not_yet_due": n, "percentage": pct}
        for la, team, period_end, measure, i, o, n, pct in warehouse.query(
            "select la_code, team, period_end, measure_code, in_time, out_of_time, not_yet_due, percentage"
            " from reporting.fostering_kpi_scorecard"
        )
    }
    assert set(actual) == set(expected)
    wrong = [
        (key, actual[key], figures)
        for key, figures in expected.items()
        if any(actual[key][k] != figures[k] for k in ("in_time", "out_of_time", "not_yet_due"))
        or (actual[key]["percentage"] is None) != (figures["percentage"] is None)
        or (
            figures["percentage"] is not None
            and abs(Fraction(actual[key]["percentage"]) - figures["percentage"]) > Fraction(1, 10**12)
        )
    ]
    assert not wrong, f"{len(wrong)} figures differ, first: {wrong[:3]}"

    # Each bad row is held (in raw, out of staging) and listed with its rule, column and value.
    (load_id,) = warehouse.query("select load_id from raw.current_loads where extract = 'carer_visits'")[0]
    issues = warehouse.query(
        "select source_row, rule, severity, column_name, value from raw.data_quality_issues where load_id = %s order by 1",
        (load_id,),
    )
    assert issues == [(row, rule, "hold", column, value) for row, (column, value, rule) in sorted(bad.items())]
    assert warehouse.query("select source_row from raw.held_rows where load_id = %s order by 1", (load_id,)) == [
        (row,) for row in sorted(bad)
    ]
    raw_rows = warehouse.query("select count(*) from raw.carer_visits where _load_id = %s", (load_id,))[0][0]
    staged = warehouse.query("select count(*) from staging.stg_fostering__carer_visits")[0][0]
    assert staged == raw_rows - len(bad)
    assert warehouse.query("select rows_held from raw.load_log where load_id = %s", (load_id,)) == [(len(bad),)]

    # Published: counts for BI, rows for the data team's role only.
    summary = warehouse.query(
        "select rule, severity, rows_found, load_rows_held from reporting.data_quality_summary"
        " where extract = 'carer_visits' order by rule"
    )
    assert summary == sorted((rule, "hold", 1, len(bad)) for _, _, rule in bad.values())
    listed = warehouse.query(
        "select source_row, rule, is_held from restricted_data_quality.data_quality_rows order by source_row"
    )
    assert listed == [(row, rule, True) for row, (_, _, rule) in sorted(bad.items())]
    bi = warehouse.query(
        "select has_table_privilege('qa_warehouse_bi', 'restricted_data_quality.data_quality_rows', 'select')"
    )
    team = warehouse.query(
        "select has_table_privilege('qa_warehouse_data_quality_manager', 'restricted_data_quality.data_quality_rows', 'select')"
    )
    assert bi == [(False,)] and team == [(True,)]

    report = next(Path(warehouse.home).rglob(f"{visits.name}.load{load_id}.findings.report.txt"))
    text = report.read_text(encoding="utf-8")
    assert f"with {len(bad)} rows held back" in text
    assert all(f"row {row}" in text for row in bad)


def test_a_report_gives_every_rules_true_total_and_its_json_twin_every_row(warehouse, tmp_path):
    landing = tmp_path / "landing"
    generate_extracts(landing, households=150, years=2, areas=("fostering",))
    for path in landing.iterdir():
        if not path.name.startswith(("carer_households_", "carer_visits_")):
            path.unlink()
    (visits,) = landing.glob("carer_visits_*.csv")
    spoiled = MAX_ROWS_PER_RULE_IN_REPORT + 57
    first_id: dict[str, str] = {}

    def spoil(number, row):
        if number <= spoiled:
            row["visit_type"] = "home_visit"
        if number == 1:
            first_id["visit_id"] = row["visit_id"]
        if number == 2:  # a duplicate key: the file cannot be trusted, so it is refused whole
            row["visit_id"] = first_id["visit_id"]
        return row

    rows = rewrite(visits, spoil)
    assert len(rows) > spoiled
    ingest_extract("carer_households", landing)
    with pytest.raises(QuarantinedFiles) as refused:
        ingest_extract("carer_visits", landing)
    (outcome,) = refused.value.outcomes
    text = outcome.report_path.read_text(encoding="utf-8")
    assert f"rule allowed_codes (hold): {MAX_ROWS_PER_RULE_IN_REPORT:,} of {spoiled:,} rows shown" in text
    assert f"{spoiled - MAX_ROWS_PER_RULE_IN_REPORT:,} more" in text
    assert "rule key_unique (refuse_file): 2 rows" in text
    findings = json.loads(outcome.report_path.with_name(outcome.report_path.name.replace(".txt", ".json")).read_text())
    assert sum(f["rule"] == "allowed_codes" for f in findings) == spoiled
    # The refused file's findings are kept too, and nothing of it loaded.
    kept = dict(
        warehouse.query(
            "select rule, count(*) from raw.data_quality_issues where load_id = %s group by rule", (outcome.load_id,)
        )
    )
    assert kept == {"allowed_codes": spoiled, "key_unique": 2}
    assert warehouse.query("select count(*) from raw.current_loads where extract = 'carer_visits'") == [(0,)]


def test_a_dirty_903_delivery_holds_each_faulted_child_and_publishes_the_rest_as_the_reference_without_them(
    warehouse, tmp_path
):
    """Row defects in the header, episodes, reviews and OC3: DfE's validator (and our gate) find them,
    every row of each faulted child in the delivery is held, and every care figure equals the
    reference computed from the files without those children."""
    landing, reference = tmp_path / "landing", tmp_path / "reference"
    generate_extracts(landing, households=60, years=2, areas=("children_in_care",))
    files = {p.name.split("_885_")[0].removeprefix("903_"): p for p in landing.glob("903_*.csv")}

    def first_child(table: str, skip: set[str]) -> str:
        with open(files[table], encoding="utf-8", newline="") as f:
            return next(row["CHILD"] for row in csv.DictReader(f) if row["CHILD"] not in skip)

    faulted: dict[str, tuple[str, str, str]] = {}  # child -> (table, column, value)
    for table, column, value in (
        ("header", "SEX", "X"),  # not a sex code in any year
        ("episodes", "PLACE", "Q9"),  # not a placement type
        ("reviews", "REVIEW_CODE", "PN99"),  # not a participation code
        ("oc3", "IN_TOUCH", "MAYBE"),  # not an in-touch code
    ):
        child = first_child(table, set(faulted))
        faulted[child] = (table, column, value)

    shutil.copytree(landing, reference)
    for child, (table, column, value) in faulted.items():
        spoiled = {"done": False}

        def spoil(number, row, child=child, column=column, value=value, spoiled=spoiled):
            if row["CHILD"] == child and not spoiled["done"]:
                row[column], spoiled["done"] = value, True
            return row

        rewrite(files[table], spoil)
    for path in reference.glob("903_*.csv"):
        rewrite(path, lambda number, row: None if row["CHILD"] in faulted else row)

    # published, with the held rows listed: exit code 3
    assert cli.main(["run", "--landing", str(landing)]) == cli.ExitCode.HELD_BACK

    from tests.published import assert_same_figures, published_by_grain
    from tests.reference.children_in_care_care import CARE_MEASURES, GRAIN, expected_scorecard

    got = {
        key: values
        for key, values in published_by_grain(warehouse, "children_in_care_scorecard", GRAIN).items()
        if key[3] in CARE_MEASURES
    }
    assert_same_figures(expected_scorecard(reference), got)

    # Each faulted child is held in every 903 file of the delivery, and listed with DfE's rule.
    held = {subject for (subject,) in warehouse.query("select distinct subject from raw.held_rows")}
    assert held == set(faulted)
    dfe = warehouse.query(
        "select subject, rule from raw.data_quality_issues where rule_source = 'dfe_903' and severity = 'hold'"
    )
    assert {subject for subject, _ in dfe} >= set(faulted)
    rows_of_faulted = sum(
        1
        for path in landing.glob("903_*.csv")
        for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
        if row["CHILD"] in faulted
    )
    assert warehouse.query("select count(*) from raw.held_rows") == [(rows_of_faulted,)]
    (validation,) = warehouse.query("select ruleset, findings from raw.dfe_validations")
    assert validation[0] == "lac2024_25" and validation[1] >= len(faulted)
    assert list(Path(warehouse.home).rglob("903_885_20250331.dfe.report.txt"))


def test_every_file_of_a_delivery_is_gated_and_reported_when_one_it_depends_on_is_refused(warehouse, tmp_path, capsys):
    """A 903 header refused whole (a child twice) does not leave the other 903 files ungated: each
    is checked, its outcome is on stderr or stdout and in the load log, and nothing is published."""
    landing = tmp_path / "landing"
    generate_extracts(landing, households=40, years=2, areas=("children_in_care",))
    (header,) = landing.glob("903_header_*.csv")
    first: dict[str, str] = {}

    def duplicate_first_child(number, row):
        if number == 1:
            first["CHILD"] = row["CHILD"]
        if number == 2:
            row["CHILD"] = first["CHILD"]
        return row

    rewrite(header, duplicate_first_child)
    capsys.readouterr()
    assert cli.main(["run", "--landing", str(landing)]) == cli.EXIT_QUARANTINED
    said = capsys.readouterr()
    delivered = sorted(p.name for p in landing.iterdir())
    outcomes = dict(warehouse.query("select file_name, status from raw.load_log"))
    assert sorted(outcomes) == delivered  # every file was gated, none skipped
    assert outcomes.pop(header.name) == "quarantined"
    assert set(outcomes.values()) == {"accepted"}
    assert all(name in said.out + said.err for name in delivered)
    assert f"{header.name}: quarantined" in said.err
    assert warehouse.query("select to_regclass('reporting.children_in_care_scorecard')") == [(None,)]
