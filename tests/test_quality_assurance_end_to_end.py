"""Generate three authorities' QA extracts (CSV and XLSX), run both DAGs for real, and check every row
of the eight published quality assurance tables against the independent computation in
tests/reference/quality_assurance.py (which reads the same landing files)."""

from __future__ import annotations

import os
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from qa_warehouse.load.ingest import ingest_extract
from tests.data_sets import EVERY_AREA_THREE_AUTHORITIES
from tests.published import published, published_by_grain, same
from tests.reference.measures import (
    PUBLISHED_COLUMNS,
    differences,
    expected_measure_values,
    measures,
    quality_assurance_counts,
)
from tests.reference.quality_assurance import (
    COMPLAINT_TIMESCALES,
    DEFAULT_SALT,
    GRAINS,
    TABLES,
    current_files,
    expected_quality_assurance,
    followup_deadline,
    load_landing,
    required_columns,
    working_days_between,
)

pytestmark = pytest.mark.integration
DATA_SET = EVERY_AREA_THREE_AUTHORITIES
AS_AT = date(2025, 3, 31)
AUTHORITIES = 3  # 0: all CSV; 1: audits and feedback as XLSX; 2: all four as XLSX
# Reference-only fields that are never published.
UNPUBLISHED = {"collected_by"}
# Columns holding free text or source identifiers: none may reach reporting.
SOURCE_COLUMNS = {
    "case_file_audits": (
        "audit_id",
        "subject_id",
        "lead_auditor_id",
        "peer_auditor_id",
        "moderator_id",
        "learning",
        "topic",
    ),
    "audit_actions": ("action_id", "audit_id", "owner_id", "description"),
    "feedback": ("response_id", "collected_by", "question_code", "comment", "channel"),
    "complaints": ("record_id",),
}
# What the data must exercise for the comparison to prove something: per table, figures whose
# total over all rows must be non-zero.
EXERCISED = {
    "qa_audit_outcomes": (
        "audits_completed",
        "good_or_better",
        "audits_moderated",
        "moderated_up",
        "moderated_down",
        "moderated_unchanged",
        "child_views_sought",
        "parent_views_sought",
        "carer_views_sought",
        "actions_set",
        "loops_closed",
    ),
    "qa_audit_grades": ("outstanding", "good", "requires_improvement", "inadequate", "not_applicable"),
    "qa_audit_actions": (
        "actions_due",
        "completed_on_time",
        "completed_late",
        "open_overdue",
        "followed_up",
        "followup_completed",
        "followup_partly_completed",
        "followup_not_completed",
    ),
    "qa_feedback_summary": ("responses", "answers", "rated_answers", "comments", "comments_with_theme"),
    "qa_feedback_themes": ("mentions", "positive", "negative", "neutral", "unrated"),
    "qa_feedback_officer_minimum": ("carer_responses", "birth_parent_responses", "minimum_met"),
    "qa_complaints": (
        "received",
        "responded",
        "responded_within_timescale",
        "responded_within_extended_timescale",
        "awaiting_response",
        "upheld",
        "partly_upheld",
        "not_upheld",
        "withdrawn",
        "advocacy_involved",
    ),
    "qa_complaint_themes": ("records",),
}


@pytest.fixture(scope="module")
def expected(landing):
    salt = os.environ.get("QA_WAREHOUSE_PSEUDONYM_SALT", DEFAULT_SALT)
    return expected_quality_assurance(landing, salt=salt)


@pytest.mark.parametrize("table", TABLES)
def test_every_published_figure_matches_the_independent_computation(module_warehouse, landing, expected, table):
    want = expected[table]
    got = published_by_grain(module_warehouse, table, GRAINS[table])
    missing, extra = sorted(set(want) - set(got), key=repr), sorted(set(got) - set(want), key=repr)
    assert not missing and not extra, (
        f"{table}: {len(missing)} rows missing, e.g. {missing[:3]} = {[want[k] for k in missing[:3]]}; "
        f"{len(extra)} rows not expected, e.g. {[got[k] for k in extra[:3]]}"
    )
    wrong = []
    for key, figures in want.items():
        for name, value in figures.items():
            if name in UNPUBLISHED:
                continue
            if not same(value, got[key].get(name, "<no such column>")):
                wrong.append((key, name, value, got[key].get(name, "<no such column>")))
    assert not wrong, f"{table}: {len(wrong)} figures differ (key, figure, expected, got); first: {wrong[:5]}"
    # The data must exercise the figures, or the comparison proves little.
    totals = {name: sum(int(f[name]) for f in want.values()) for name in EXERCISED[table]}
    assert all(totals.values()), f"{table}: figures never exercised: {totals}"
    assert {key[0] for key in want} == {la for (_, la) in current_files(landing)}, "every authority reported"


@pytest.mark.parametrize("section", ["audits", "feedback", "complaints"])
def test_the_quarterly_report_sections_match_the_independent_computation(module_warehouse, landing, expected, section):
    want = {
        key: figures
        for key, figures in expected_measure_values(quality_assurance_counts(expected, current_files(landing))).items()
        if measures()[key[1]]["area"] == section
    }
    rows = module_warehouse.query(
        f"select {PUBLISHED_COLUMNS} from reporting.measure_values where section = %s", (section,)
    )
    wrong = differences(want, rows)
    assert not wrong, f"{len(wrong)} differences (key, figure, expected, published); first: {wrong[:5]}"
    assert {kind for (_, _, kind, _, _) in want} == {"quarter", "financial_year"}
    section_rows = module_warehouse.query(f"""
        select la_code, measure_code, 'quarter', period_end, breakdown, numerator, denominator, value, rag,
               previous_quarter_value, same_quarter_last_year_value, direction_of_travel
        from reporting.quarterly_report_{section}""")
    quarters = {key: figures for key, figures in want.items() if key[2] == "quarter"}
    assert len(section_rows) == len(quarters) and not differences(quarters, section_rows)
    # the data must exercise the comparison: breakdowns, comparisons and every direction
    assert {key[4] for key in quarters} - {"All"}
    assert sum(f["same_period_last_year_value"] is not None for f in quarters.values()) > 10
    assert len({f["direction_of_travel"] for f in quarters.values()} - {None}) >= 3


def test_the_published_columns_are_the_specified_ones(module_warehouse, landing, expected):
    for table in TABLES:
        columns, _ = published(module_warehouse, table)
        specified = set(GRAINS[table]) | {"period_end"} | (set(next(iter(expected[table].values()))) - UNPUBLISHED)
        assert set(columns) == specified, (
            f"{table}: extra {set(columns) - specified}, missing {specified - set(columns)}"
        )


def test_the_data_exercises_the_edges_of_the_rules(expected):
    outcomes = expected["qa_audit_outcomes"].values()
    assert sum(f["actions_set"] - f["loops_closed"] for f in outcomes), "some loop is never closed in time"
    summary = expected["qa_feedback_summary"].values()
    assert sum(f["answers"] - f["rated_answers"] for f in summary), "some answers are unrated"
    assert sum(f["comments"] - f["comments_with_theme"] for f in summary), "some comments carry no theme"
    assert any(key[3] == "not_recorded" for key in expected["qa_feedback_summary"]), "a blank cohort"
    minimum = [f["minimum_met"] for f in expected["qa_feedback_officer_minimum"].values()]
    assert True in minimum and False in minimum
    complaints = {key: f for key, f in expected["qa_complaints"].items() if key[3] == "complaint"}
    assert sum(
        f["responded_within_extended_timescale"] - f["responded_within_timescale"] for f in complaints.values()
    ), "some complaint answered only within the extended timescale"
    assert sum(f["responded"] - f["responded_within_extended_timescale"] for f in complaints.values()), (
        "some complaint answered late even with the extension"
    )
    assert {key[3] for key in expected["qa_complaints"]} == {"complaint", "compliment", "comment"}
    assert {key[4] for key in expected["qa_complaints"]} == {1, 2, 3, None}
    themes = {key[4] for key in expected["qa_feedback_themes"]}
    assert len(themes) >= 5, themes


def test_the_data_sits_on_the_boundaries_of_the_timescales(landing):
    """Loops closed on day 56 and missed on day 57; complaints answered on exactly their limit."""
    data = load_landing(landing)
    followup_days = set()
    for la_code, (_, actions) in data["audit_actions"].items():
        audits = {a["audit_id"]: a for a in data["case_file_audits"][la_code][1]}
        followup_days |= {
            (a["followup_date"] - followup_deadline(audits[a["audit_id"]])).days
            for a in actions
            if a["followup_date"] is not None
        }
    assert {0, 1} <= followup_days, "a follow-up on the deadline and one the day after"
    margins = set()
    for _, rows in data["complaints"].values():
        for r in rows:
            if r["record_type"] == "complaint" and r["responded_date"] is not None:
                standard, extended = COMPLAINT_TIMESCALES[r["stage"]]
                days = working_days_between(r["received_date"], r["responded_date"])
                margins |= {("standard", days - standard), ("extended", days - extended)}
    assert ("standard", 0) in margins and ("extended", 0) in margins, "answered on the last working day"


def test_both_file_types_were_delivered(landing):
    suffixes = {(extract, path.suffix.lower()) for (extract, _), (_, path) in current_files(landing).items()}
    for extract in ("case_file_audits", "audit_actions", "feedback", "complaints"):
        assert (extract, ".csv") in suffixes and (extract, ".xlsx") in suffixes, suffixes


def test_reporting_holds_no_free_text_and_no_source_identifiers(module_warehouse, landing):
    source_values: set[str] = set()
    for extract, by_la in load_landing(landing).items():
        for _, rows in by_la.values():
            for row in rows:
                source_values |= {str(row[c]) for c in SOURCE_COLUMNS[extract] if row.get(c) is not None}
    forbidden_columns = {c for columns in SOURCE_COLUMNS.values() for c in columns} | {"officer", "officer_id"}
    for table in TABLES:
        columns, rows = published(module_warehouse, table)
        assert not set(columns) & forbidden_columns, f"{table}: {set(columns) & forbidden_columns}"
        text_values = {v for row in rows for v in row if isinstance(v, str)}
        leaked = text_values & source_values
        assert not leaked, f"{table} publishes source values: {sorted(leaked)[:5]}"
    keys = {k for (k,) in module_warehouse.query("select officer_key from reporting.qa_feedback_officer_minimum")}
    assert keys and all(len(k) == 32 for k in keys)


def test_the_bi_role_reads_every_qa_table(module_warehouse, landing):
    with closing(module_warehouse.connect(user="qa_warehouse_bi")) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.execute(f"select count(*) from reporting.{table}")
            assert cur.fetchone()[0] > 0, table


def damaged_audit_workbook(landing: Path, folder: Path) -> tuple[Path, int, int]:
    """The current XLSX case_file_audits delivery, delivered again a day later with one grade
    'Satisfactory' (not a contract code). Returns the file, the damaged data row, and its sheet row."""
    ((extract_date, source),) = [
        (d, p)
        for (extract, _), (d, p) in current_files(landing).items()
        if extract == "case_file_audits" and p.suffix.lower() == ".xlsx"
    ][:1]
    la_code = source.name.split("_")[-2]
    target = folder / f"case_file_audits_{la_code}_{extract_date + timedelta(days=1):%Y%m%d}.xlsx"
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]
    needed = required_columns("case_file_audits")
    for header_row in sheet.iter_rows():
        names = [c.value.strip().lower() if isinstance(c.value, str) else None for c in header_row]
        if needed <= set(names):
            break
    else:  # pragma: no cover
        raise AssertionError(f"{source.name}: no header row")
    data_row = 3
    sheet_row = header_row[0].row + data_row  # no blank rows between the first data rows
    sheet.cell(row=sheet_row, column=names.index("overall_grade") + 1).value = "Satisfactory"
    workbook.save(target)
    return target, data_row, sheet_row


def test_a_bad_row_in_a_spreadsheet_is_held_back_and_named_by_its_sheet_row(landing, warehouse, tmp_path):
    damaged, data_row, sheet_row = damaged_audit_workbook(landing, tmp_path)
    (outcome,) = ingest_extract("case_file_audits", tmp_path)  # a fresh warehouse: the file alone
    assert (outcome.status, outcome.rows_held) == ("accepted", 1)
    named = [v for v in outcome.violations if v.rule == "allowed_codes"]
    assert [(v.file, v.column, v.row, v.sheet_row, v.severity) for v in named] == [
        (damaged.name, "overall_grade", data_row, sheet_row, "hold")
    ]
    assert f"row {data_row} (sheet row {sheet_row})" in outcome.report_path.read_text(encoding="utf-8")
    assert warehouse.query("select source_row, held_by from raw.held_rows") == [(data_row, "allowed_codes")]
