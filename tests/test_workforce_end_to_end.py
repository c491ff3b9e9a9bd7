"""Generate two authorities' extracts (the workforce beside fostering and QA), run both DAGs for
real, and check every figure of reporting.workforce_monthly against the independent computation
in tests/reference/workforce.py (which reads the same landing files). Then bad workforce files
(an FTE of 0, an FTE of 1.6, a leave date before the start date, an establishment of 0) are quarantined with the rule
named, and nothing published changes."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from fractions import Fraction

import pytest

from tests.data_sets import EVERY_AREA_TWO_AUTHORITIES
from tests.published import assert_same_figures, ingest_row_defect
from tests.reference.measures import PUBLISHED_COLUMNS, differences, expected_measure_values, quarters_and_years
from tests.reference.workforce import GRAIN, HISTORY_MONTHS, current_files, expected_workforce, load, measure_counts

pytestmark = pytest.mark.integration
AS_AT = date(2025, 3, 31)
AUTHORITIES = 2
TABLE = "workforce_monthly"
DATA_SET = EVERY_AREA_TWO_AUTHORITIES


@pytest.fixture(scope="module")
def expected(landing):
    return expected_workforce(landing)


def published(warehouse) -> tuple[list[str], list[tuple]]:
    rows = warehouse.query(f"select * from reporting.{TABLE} order by la_code, team, period_end")
    columns = [
        r[0]
        for r in warehouse.query(
            "select column_name from information_schema.columns where table_schema = 'reporting' and table_name = %s"
            " order by ordinal_position",
            (TABLE,),
        )
    ]
    return columns, rows


def test_every_published_figure_matches_the_independent_computation(module_warehouse, landing, expected):
    columns, rows = published(module_warehouse)
    got = {}
    for row in rows:
        values = dict(zip(columns, row))
        key = tuple(values[c] for c in GRAIN)
        assert key not in got, f"two rows for {key}"
        got[key] = values
    assert_same_figures(expected, got)
    assert set(columns) == set(GRAIN) | {"financial_year", "financial_quarter"} | set(next(iter(expected.values())))
    # The data exercises every figure: agency workers, leavers, vacancies and caseloads.
    for name in ("agency_fte", "leavers_12_months", "vacancy_fte", "caseload_total", "headcount"):
        assert sum(f[name] or 0 for f in expected.values()) > 0, name
    assert {key[0] for key in expected} == {la for (_, la) in current_files(landing)}
    assert Counter(key[0] for key in expected if key[1] is None) == {
        la: HISTORY_MONTHS for (_, la) in current_files(landing)
    }


def test_the_returning_and_the_part_time_agency_workers_are_counted_right(module_warehouse, landing, expected):
    data = load(landing)
    for la_code, entry in data.items():
        spells_by_worker = Counter(s["worker_id"] for s in entry["spells"])
        returner = next(w for w, n in spells_by_worker.items() if n == 2)
        first, second = sorted(
            (s for s in entry["spells"] if s["worker_id"] == returner), key=lambda s: s["start_date"]
        )
        assert first["leave_date"] < second["start_date"] and second["leave_date"] is None
        # At a month end after the return, the returner counts once, with the second spell's FTE.
        after = next(
            key[2]
            for key in expected
            if key[0] == la_code and key[1] == second["team"] and key[2] >= second["start_date"]
        )
        ((headcount, fte),) = module_warehouse.query(
            "select headcount, employed_fte from reporting.workforce_monthly"
            " where la_code = %s and team = %s and period_end = %s",
            (la_code, second["team"], after),
        )
        team_posts = [
            s
            for s in entry["spells"]
            if s["team"] == second["team"]
            and s["start_date"] <= after
            and (s["leave_date"] is None or s["leave_date"] > after)
        ]
        assert returner in {s["worker_id"] for s in team_posts}
        assert headcount == len({s["worker_id"] for s in team_posts})
        # The first spell's leaving counts in the 12 months after it, as a permanent leaver.
        window = [
            key
            for key in expected
            if key[0] == la_code
            and key[1] == first["team"]
            and first["leave_date"] <= key[2] < first["leave_date"] + timedelta(days=365)
        ]
        assert window and all(expected[key]["leavers_12_months"] >= 1 for key in window)
        # Part-time agency workers exist and count at their FTE in the agency rate.
        part_time_agency = [s for s in entry["spells"] if s["contract"] == "agency" and s["fte"] < 1]
        assert part_time_agency
        latest = max(key[2] for key in expected if key[0] == la_code)
        ((agency_fte,),) = module_warehouse.query(
            "select agency_fte from reporting.workforce_monthly where la_code = %s and team is null and period_end = %s",
            (la_code, latest),
        )
        in_post_agency = [
            s["fte"]
            for s in entry["spells"]
            if s["contract"] == "agency"
            and s["start_date"] <= latest
            and (s["leave_date"] is None or s["leave_date"] > latest)
        ]
        assert Fraction(agency_fte) == sum(in_post_agency) and any(f < 1 for f in in_post_agency)


def test_every_team_is_a_team_of_the_conformed_dimension(module_warehouse, landing):
    orphans = module_warehouse.query(
        "select distinct w.la_code, w.team from reporting.workforce_monthly w"
        " where w.team is not null and not exists (select 1 from marts.dim_fostering_team d"
        " where d.la_code = w.la_code and d.team = w.team)"
    )
    assert not orphans


def test_reporting_holds_no_worker_ids_and_no_dates_of_people(module_warehouse, landing):
    columns, rows = published(module_warehouse)
    assert not {c for c in columns if c.endswith(("_id", "_key")) or c in ("start_date", "leave_date")}
    ids = {s["worker_id"] for entry in load(landing).values() for s in entry["spells"]}
    assert not {v for row in rows for v in row if isinstance(v, str)} & ids


@pytest.mark.parametrize(
    "defect, rule, column",
    [
        ("fte_zero", "fte_above_zero", "fte"),
        ("fte_too_high", "fte_at_most_1_5", "fte"),
        ("leave_before_start", "leave_not_before_start", "start_date, leave_date"),
        ("establishment_zero", "establishment_fte_positive", "establishment_fte"),
    ],
)
def test_a_bad_workforce_row_is_held_back_and_listed_with_its_rule(warehouse, tmp_path, defect, rule, column):
    from qa_warehouse_synthetic import DEFECTS

    damaged_name, findings, held = ingest_row_defect(warehouse, tmp_path, defect, "workforce", AS_AT)
    named = [f for f in findings if f["rule"] == rule]
    assert named, findings
    assert DEFECTS[defect].rule == rule
    assert all(f["file"] == damaged_name and f["column"] == column and f["severity"] == "hold" for f in named), named
    assert all(f["row"] for f in named) and held == len({f["row"] for f in findings if f["severity"] == "hold"})


def test_measure_values_carry_the_workforce_rates_with_their_comparisons(module_warehouse, expected):
    """Agency rate, turnover, vacancy rate and average caseload per team and authority, for month
    ends, quarters and financial years, with target, RAG, previous period and the same period a year
    before, as the reference computes them from the workforce reference's FTE."""
    want = expected_measure_values(quarters_and_years(measure_counts(expected)))
    rows = module_warehouse.query(
        f"select {PUBLISHED_COLUMNS} from reporting.measure_values where section = 'workforce'"
    )
    wrong = differences(want, rows)
    assert not wrong, f"{len(wrong)} differences (key, figure, expected, published); first: {wrong[:5]}"
    # The history is long enough for every comparison, and the data exercises RAG both ways.
    kinds = {key[2] for key in want}
    assert kinds == {"month", "quarter", "financial_year"}
    assert any(f["same_period_last_year_value"] is not None for key, f in want.items() if key[2] == "month")
    assert any(f["same_period_last_year_value"] is not None for key, f in want.items() if key[2] == "quarter")
    assert {f["rag"] for f in want.values()} >= {"green", "red"}
    assert {key[1] for key in want} == {
        "workforce_agency_rate",
        "workforce_turnover_rate",
        "workforce_vacancy_rate",
        "workforce_average_caseload",
    }
