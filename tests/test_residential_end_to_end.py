"""Generate two authorities' extracts (residential beside every other area), run both DAGs for real,
and check every figure of the four residential reporting tables against the independent
computation in tests/reference/residential.py (which reads the same landing files), including the
home that closes in the middle of a quarter. Then bad residential files (occupied places above
registered places, a regulation 44 visit to an unknown home, and each other childrens_homes rule)
are quarantined with the rule named, and nothing published changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.data_sets import EARLIER, EARLIER_LA, EVERY_AREA_TWO_AUTHORITIES
from tests.published import assert_same_figures, ingest_row_defect, published, published_by_grain
from tests.reference.measures import PUBLISHED_COLUMNS, differences, expected_measure_values, quarters_and_years
from tests.reference.residential import (
    GRAINS,
    current_files,
    expected_residential,
    inspections_reported,
    load,
    measure_counts,
    status_at,
)

pytestmark = pytest.mark.integration
AS_AT = date(2025, 3, 31)
AUTHORITIES = 2
TABLES = tuple(GRAINS)
DATA_SET = EVERY_AREA_TWO_AUTHORITIES


@pytest.fixture(scope="module")
def expected(landing):
    return expected_residential(landing)


@pytest.mark.parametrize("table", TABLES)
def test_every_published_figure_matches_the_independent_computation(module_warehouse, landing, expected, table):
    got = published_by_grain(module_warehouse, table, GRAINS[table])
    want = expected[table]
    assert_same_figures(want, got, table)
    columns, _ = published(module_warehouse, table)
    assert set(columns) == set(GRAINS[table]) | {"financial_year", "financial_quarter"} | set(next(iter(want.values())))
    assert {key[0] for key in want} == {la for (_, la) in current_files(landing)}


def test_the_data_exercises_every_figure(expected):
    """Not a check on the warehouse: on the test data, so that the comparisons above mean something."""
    monthly = expected["residential_homes_monthly"].values()
    for name in (
        "homes_applied",
        "homes_registered",
        "homes_unregistered",
        "homes_closed",
        "homes_registered_in_month",
        "homes_closed_in_month",
        "registered_places",
        "occupied_places",
        "vacancies",
        "unregistered_occupied_places",
    ):
        assert sum(f[name] or 0 for f in monthly) > 0, name
    judged = {key[2] for key, f in expected["residential_inspections"].items() if f["homes"]}
    assert {"outstanding", "good", "requires_improvement", "not_yet_inspected", "not_known"} <= judged
    visits = expected["regulation_44_visits"]
    assert sum(f["recommendations"] for f in visits.values()) > 0
    # Some homes open all month missed their visit, and some were visited: the rate is not trivial.
    authority = [f for key, f in visits.items() if key[2] is None and key[3] is None and f["homes_open_all_month"]]
    assert any(f["homes_open_all_month_visited"] < f["homes_open_all_month"] for f in authority)
    assert any(f["homes_open_all_month_visited"] > 0 for f in authority)
    timeliness = expected["residential_registration_timeliness"].values()
    assert any(f["homes_registered_12_months"] for f in timeliness) and any(
        f["applications_waiting"] for f in timeliness
    )


def test_measure_values_carry_occupancy_visits_and_registration_timeliness(module_warehouse, landing, expected):
    """Occupancy, regulation 44 visited % and registration timeliness per provision and authority, for
    month ends, quarters and financial years, with target, RAG, previous period and the same period
    a year before, as the residential reference computes them from the landing files."""
    want = expected_measure_values(quarters_and_years(measure_counts(landing, expected)))
    rows = module_warehouse.query(
        f"select {PUBLISHED_COLUMNS} from reporting.measure_values where section = 'residential'"
    )
    wrong = differences(want, rows)
    assert not wrong, f"{len(wrong)} differences (key, figure, expected, published); first: {wrong[:5]}"
    assert {key[1] for key in want} == {
        "residential_occupancy",
        "residential_reg44_visited",
        "residential_registration_timeliness",
    }
    assert {key[2] for key in want} == {"month", "quarter", "financial_year"}
    assert any(f["same_period_last_year_value"] is not None for f in want.values())
    assert any(f["previous_value"] is not None for key, f in want.items() if key[2] == "quarter")
    timeliness = [
        (n, d) for key, (n, d) in measure_counts(landing, expected).items() if key[1].endswith("timeliness") and d
    ]
    assert timeliness, "no home was registered in the months shown"


def test_a_home_that_closes_mid_quarter_leaves_the_figures_from_its_closure(module_warehouse, landing):
    for la_code, entry in load(landing).items():
        closed = next(h for h in entry["homes"] if h["closure_date"] is not None)
        closure = closed["closure_date"]
        assert closure.day == 15 and closure.month % 3 == 2  # the middle month of a financial quarter
        month_end = (closure.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        before = closure.replace(day=1) - timedelta(days=1)
        provision = closed["provision"]

        def monthly(period_end: date) -> dict:
            return published_by_grain(
                module_warehouse, "residential_homes_monthly", GRAINS["residential_homes_monthly"]
            )[(la_code, period_end, provision)]

        def registered_elsewhere(period_end: date) -> tuple[int, int]:
            others = [
                h
                for h in entry["homes"]
                if h is not closed and h["provision"] == provision and status_at(h, period_end) == "registered"
            ]
            return len(others), sum(h["registered_places"] or 0 for h in others)

        # Open at the month end before: counted with its places. Closed at the month end of its closure.
        assert (monthly(before)["homes_registered"], monthly(before)["registered_places"]) == tuple(
            a + b for a, b in zip(registered_elsewhere(before), (1, closed["registered_places"]))
        )
        assert (
            monthly(month_end)["homes_registered"],
            monthly(month_end)["registered_places"],
        ) == registered_elsewhere(month_end)
        assert monthly(month_end)["homes_closed_in_month"] >= 1
        # In its closing month it is on the regulation 44 table, but not among the homes open all month.
        (row,) = module_warehouse.query(
            "select homes_open_all_month from reporting.regulation_44_visits"
            " where la_code = %s and period_end = %s and home_key = %s",
            (la_code, month_end, closed["home_key"]),
        )
        assert row == (0,)
        assert not module_warehouse.query(
            "select 1 from reporting.regulation_44_visits where la_code = %s and home_key = %s and period_end > %s",
            (la_code, closed["home_key"], month_end),
        )


def test_an_inspection_only_an_earlier_delivery_reports_is_the_judgement_until_the_next(module_warehouse, landing):
    reported = inspections_reported(landing)
    homes = {h["home_key"]: h for h in load(landing)[EARLIER_LA]["homes"]}
    histories = {key: dates for key, dates in reported.items() if key in homes and len(dates) == 2}
    assert histories, "the earlier delivery should report inspections the current one no longer holds"
    for home_key, dates in histories.items():
        first, latest = sorted(dates)
        assert first <= EARLIER < latest and dates[first] != dates[latest]
        published = dict(
            module_warehouse.query(
                "select period_end, inspection_judgement from marts.fct_residential_home_months"
                " where home_key = %s and is_open_at_period_end",
                (home_key,),
            )
        )
        between = [d for d in published if first <= d < latest]
        after = [d for d in published if d >= latest]
        assert between and all(published[d] == dates[first] for d in between), (home_key, dates)
        assert all(published[d] == dates[latest] for d in after), (home_key, dates)
    # The current delivery is still the one every other figure comes from.
    ((extract_date,),) = module_warehouse.query(
        "select extract_date from staging.stg_residential__current_loads where extract = 'childrens_homes'"
        " and la_code = %s",
        (EARLIER_LA,),
    )
    assert extract_date == AS_AT


def test_reporting_names_no_home_and_holds_no_urn(module_warehouse, landing):
    data = load(landing)
    urns = {h["home_id"] for entry in data.values() for h in entry["homes"]}
    for table in TABLES:
        columns, rows = published(module_warehouse, table)
        assert not {c for c in columns if c.endswith("_id") or c in ("home_name", "urn")}, table
        texts = {v for row in rows for v in row if isinstance(v, str)}
        assert not texts & urns, table
        assert not {t for t in texts if t.upper().startswith("SC") and t[2:].isdigit()}, table


@pytest.mark.parametrize(
    "defect, rule, column",
    [
        ("occupied_above_registered", "occupied_not_above_registered", "occupied_places, registered_places"),
        ("reg44_visit_to_unknown_home", "reference_resolves", "home_id"),
        (
            "registration_before_application",
            "registration_not_before_application",
            "application_date, registration_date",
        ),
        ("closure_before_registration", "closure_not_before_registration", "registration_date, closure_date"),
        (
            "judgement_without_inspection",
            "judgement_needs_inspection_date",
            "inspection_judgement, last_inspection_date",
        ),
        ("closure_date_on_open_home", "closed_home_has_status_closed", "closure_date, registration_status"),
    ],
)
def test_a_bad_residential_row_is_held_back_and_listed_with_its_rule(warehouse, tmp_path, defect, rule, column):
    from qa_warehouse_synthetic import DEFECTS

    damaged_name, findings, held = ingest_row_defect(warehouse, tmp_path, defect, "residential", AS_AT)
    named = [f for f in findings if f["rule"] == rule]
    assert named, findings
    assert DEFECTS[defect].rule == rule
    assert all(f["file"] == damaged_name and f["column"] == column and f["severity"] == "hold" for f in named), named
    assert all(f["row"] for f in named) and held == len({f["row"] for f in findings if f["severity"] == "hold"})
