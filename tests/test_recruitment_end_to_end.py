"""Generate three authorities' fostering and recruitment extracts, run the DAGs for real, and check
every figure of the five published recruitment tables against the independent computation in
tests/reference/recruitment.py (plain Python from the same landing files); then deliver a bad
recruitment file and check it is quarantined under the named rule with nothing published changed."""

from __future__ import annotations

from contextlib import closing
from datetime import date

import pytest

from tests.data_sets import EVERY_AREA_THREE_AUTHORITIES
from tests.published import assert_same_figures, ingest_row_defect, published, published_by_grain
from tests.reference.measures import PUBLISHED_COLUMNS, differences, expected_measure_values, quarters_and_years
from tests.reference.recruitment import (
    GRAINS,
    REG24_LIMIT_DAYS,
    TABLES,
    current_files,
    expected_recruitment,
    load_enquiries,
    measure_counts,
    plus_months,
    reported_months,
    withdrawn_from,
)

pytestmark = pytest.mark.integration
DATA_SET = EVERY_AREA_THREE_AUTHORITIES
AS_AT = date(2025, 3, 31)
AUTHORITIES = 3  # three file formats: utf-8; BOM and dd/mm/yyyy; cp1252 with trailing blank rows
OPTIONS = dict(households=60, years=2, authorities=AUTHORITIES, seed=1, as_at=AS_AT, areas=("fostering", "recruitment"))
# Per table, figures whose total over all rows must be non-zero, or the comparison proves little.
EXERCISED = {
    "recruitment_funnel": (
        "enquiries",
        "initial_visits",
        "applications",
        "assessments_started",
        "panels",
        "approvals",
        "withdrawals",
    ),
    "recruitment_conversion": (
        "enquiries",
        "reached_initial_visit",
        "reached_application",
        "reached_assessment",
        "approved",
        "withdrawn",
        "in_progress",
    ),
    "recruitment_timeliness": ("panels", "within_8_months", "over_8_months"),
    "recruitment_withdrawals": ("withdrawals",),
    "regulation_24": (
        "started",
        "ended",
        "ended_within_16_weeks",
        "ended_over_16_weeks",
        "ended_over_24_weeks",
        "open_at_period_end",
        "open_over_16_weeks_at_period_end",
    ),
}


@pytest.fixture(scope="module")
def expected(landing):
    return expected_recruitment(landing)


@pytest.mark.parametrize("table", TABLES)
def test_every_published_figure_matches_the_independent_computation(module_warehouse, landing, expected, table):
    want = expected[table]
    got = published_by_grain(module_warehouse, table, GRAINS[table])
    assert_same_figures(want, got, table)
    totals = {name: sum(int(f[name]) for f in want.values()) for name in EXERCISED[table]}
    assert all(totals.values()), f"{table}: figures never exercised: {totals}"
    assert {key[0] for key in want} == set(current_files(landing)), "every authority reported"


def test_the_published_columns_are_the_specified_ones(module_warehouse, landing, expected):
    for table in TABLES:
        columns, _ = published(module_warehouse, table)
        specified = set(GRAINS[table]) | set(next(iter(expected[table].values())))
        assert set(columns) == specified, (
            f"{table}: extra {set(columns) - specified}, missing {specified - set(columns)}"
        )


def test_an_enquiry_withdrawn_after_panel_is_counted_as_withdrawn_after_panel(module_warehouse, landing):
    counted: dict[tuple, int] = {}
    for la_code, (extract_date, rows) in load_enquiries(landing).items():
        months = set(reported_months(extract_date))
        for row in rows:
            if row["withdrawn_date"] is not None and row["panel_date"] is not None:
                assert withdrawn_from(row) == "after_panel"
                month = row["withdrawn_date"].replace(day=1)
                if month in months:
                    key = (la_code, month, row["carer_type"])
                    counted[key] = counted.get(key, 0) + 1
    assert counted, "the data must hold an enquiry withdrawn after panel"
    rows = module_warehouse.query(
        "select la_code, period_start, carer_type, sum(withdrawals) from reporting.recruitment_withdrawals"
        " where withdrawn_from_stage = 'after_panel' group by 1, 2, 3"
    )
    assert {(la, start, carer_type): int(n) for la, start, carer_type, n in rows} == counted


def test_the_data_sits_on_the_edges_of_the_timescales(landing, expected):
    """A panel exactly 8 months after the application (NMS 14.3) and one a day later; a panel with no
    application date; a temporary approval of exactly 16 weeks; withdrawals from every stage; both
    carer types withdrawn with reasons."""
    margins, reg24_days, not_known = set(), set(), 0
    for _, (_, rows) in load_enquiries(landing).items():
        for row in rows:
            if row["panel_date"] and row["application_date"]:
                margins.add((row["panel_date"] - plus_months(row["application_date"], 8)).days)
            not_known += bool(row["panel_date"] and not row["application_date"])
            if row["reg24_start_date"] and row["reg24_end_date"]:
                reg24_days.add((row["reg24_end_date"] - row["reg24_start_date"]).days)
    assert {0, 1} <= margins, "a panel on the 8-month deadline and one the day after"
    assert not_known, "a panel without an application date"
    assert REG24_LIMIT_DAYS in reg24_days and max(reg24_days) > REG24_LIMIT_DAYS
    stages = {key[3] for key in expected["recruitment_withdrawals"]}
    assert stages == {"enquiry", "initial_visit", "application", "assessment", "after_panel"}, stages
    assert {key[2] for key in expected["recruitment_withdrawals"]} == {"mainstream", "kinship"}


def test_nms_14_runs_from_the_application_and_reports_panels_without_one(module_warehouse, landing):
    """Fostering NMS 14.3: the panel on the 8-month day from the application is in time, the one a
    day later is not, and a panel with no application date is published as not known (counted among
    the panels), never dropped. Each case is found in the landing files and its month checked."""
    published_rows = {
        (la, start, carer_type): (panels, within, over, not_known)
        for la, start, carer_type, panels, within, over, not_known in module_warehouse.query(
            "select la_code, period_start, carer_type, panels, within_8_months, over_8_months,"
            " application_date_not_known from reporting.recruitment_timeliness"
        )
    }
    seen = set()
    for la_code, (extract_date, rows) in load_enquiries(landing).items():
        months = set(reported_months(extract_date))
        for row in rows:
            month = row["panel_date"].replace(day=1) if row["panel_date"] else None
            if month not in months:
                continue
            panels, within, over, not_known = published_rows[(la_code, month, row["carer_type"])]
            assert panels == within + over + not_known
            if row["application_date"] is None:
                assert not_known >= 1
                seen.add("not_known")
                continue
            margin = (row["panel_date"] - plus_months(row["application_date"], 8)).days
            if margin == 0:
                assert within >= 1
                seen.add("on_the_day")
            elif margin == 1:
                assert over >= 1
                seen.add("day_after")
    assert seen == {"on_the_day", "day_after", "not_known"}, seen


def test_measure_values_carry_conversion_nms_14_and_regulation_24(module_warehouse, expected):
    """Enquiries reaching application, NMS 14 timeliness (by carer type and for the authority) and
    regulation 24 approvals ended over 16 weeks, for months, quarters and financial years, with
    target, RAG, previous period and same period last year, from the recruitment reference."""
    want = expected_measure_values(quarters_and_years(measure_counts(expected)))
    rows = module_warehouse.query(
        f"select {PUBLISHED_COLUMNS} from reporting.measure_values where section = 'recruitment'"
    )
    wrong = differences(want, rows)
    assert not wrong, f"{len(wrong)} differences (key, figure, expected, published); first: {wrong[:5]}"
    assert {key[1] for key in want} == {
        "recruitment_enquiry_to_application",
        "recruitment_nms14_timeliness",
        "regulation_24_over_16_weeks",
    }
    assert {key[2] for key in want} == {"month", "quarter", "financial_year"}
    assert any(
        f["same_period_last_year_value"] is not None and f["value"] for key, f in want.items() if key[2] == "quarter"
    )
    assert {f["rag"] for f in want.values()} >= {"green", "red"}


def test_reporting_holds_no_enquiry_ids(module_warehouse, landing):
    ids = {row["enquiry_id"] for _, (_, rows) in load_enquiries(landing).items() for row in rows}
    for table in TABLES:
        columns, rows = published(module_warehouse, table)
        assert not {"enquiry_id", "enquiry_key"} & set(columns)
        assert not {v for row in rows for v in row if isinstance(v, str)} & ids, table


def test_the_bi_role_reads_every_recruitment_table(module_warehouse, landing):
    with closing(module_warehouse.connect(user="qa_warehouse_bi")) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.execute(f"select count(*) from reporting.{table}")
            assert cur.fetchone()[0] > 0, table


@pytest.mark.parametrize(
    "defect, rule",
    [
        ("recruitment_stages_out_of_order", "stage_dates_in_order"),
        ("withdrawal_without_reason", "withdrawal_has_reason"),
    ],
)
def test_a_bad_recruitment_row_is_held_back_and_listed_with_its_rule(warehouse, tmp_path, defect, rule):
    damaged_name, findings, held = ingest_row_defect(warehouse, tmp_path, defect, "recruitment", AS_AT)
    named = [f for f in findings if f["rule"] == rule]
    assert len(named) == 1 and named[0]["file"] == damaged_name and named[0]["severity"] == "hold", findings
    assert held == 1
