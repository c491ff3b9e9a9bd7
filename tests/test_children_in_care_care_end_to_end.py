"""Generate two authorities' synthetic 903 and local children in care files, run both DAGs for real,
and check every care measure row of reporting.children_in_care_scorecard against the independent
computation in tests/reference/children_in_care_care.py (which reads the same landing files)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.data_sets import CHILDREN_IN_CARE_EVERY_AREA
from tests.published import assert_same_figures, published, published_by_grain
from tests.reference.children_in_care_care import (
    CARE_MEASURES,
    GRAIN,
    HISTORY_MONTHS,
    YEAR_ONLY,
    current_files,
    expected_scorecard,
)
from tests.reference.measures import (
    PUBLISHED_COLUMNS,
    children_in_care_counts,
    differences,
    expected_measure_values,
)

pytestmark = pytest.mark.integration
DATA_SET = CHILDREN_IN_CARE_EVERY_AREA
AS_AT = date(2025, 3, 31)
AUTHORITIES = 2
TABLE = "children_in_care_scorecard"


@pytest.fixture(scope="module")
def expected(landing):
    return expected_scorecard(landing)


def care_rows(warehouse) -> dict[tuple, dict]:
    rows = published_by_grain(warehouse, TABLE, GRAIN)
    return {key: values for key, values in rows.items() if key[3] in CARE_MEASURES}


def test_every_care_measure_row_matches_the_independent_computation(module_warehouse, landing, expected):
    assert_same_figures(expected, care_rows(module_warehouse))


def test_the_data_exercises_every_measure_and_both_period_types(expected, landing):
    authorities = {la for (_, la) in current_files(landing)}
    assert {key[0] for key in expected} == authorities
    for measure in CARE_MEASURES:
        rows = [figures for key, figures in expected.items() if key[3] == measure]
        # a measure that is always 0% or always 100% (or never counted) proves little
        assert sum(f["denominator"] for f in rows) > 0, measure
        assert sum(f["numerator"] for f in rows) > 0, measure
        assert sum(f["denominator"] - f["numerator"] for f in rows) > 0, measure
    for la in authorities:
        months = {key[2] for key in expected if key[0] == la and key[1] == "month"}
        years = {key[2] for key in expected if key[0] == la and key[1] == "year"}
        assert len(months) == HISTORY_MONTHS and max(months) == AS_AT
        assert years and max(years) == AS_AT
    assert not {key for key in expected if key[1] == "month" and key[3] in YEAR_ONLY}


def test_rag_and_direction_are_those_of_the_seeded_thresholds(module_warehouse, landing, expected):
    rags = {figures["rag"] for figures in expected.values()}
    assert rags - {None}, "no RAG at all"
    directions = {figures["direction_of_travel"] for figures in expected.values()} - {None}
    assert directions, "no direction of travel at all"
    got = care_rows(module_warehouse)
    assert {key: got[key]["rag"] for key in expected} == {key: f["rag"] for key, f in expected.items()}


def test_measure_values_carry_the_care_measures_by_month_quarter_and_year(module_warehouse, expected):
    """The care measures in reporting.measure_values: months, quarters (the quarter-end month; none
    for missing_episodes) and 903 years, with RAG, previous period and the same period a year
    before, from the reference scorecard. 36 months of history fill the same month last year."""
    want = expected_measure_values(children_in_care_counts(expected, CARE_MEASURES))
    rows = module_warehouse.query(
        f"select {PUBLISHED_COLUMNS} from reporting.measure_values where section = 'children_in_care'"
    )
    wrong = differences(want, [row for row in rows if row[1] in CARE_MEASURES])
    assert not wrong, f"{len(wrong)} differences (key, figure, expected, published); first: {wrong[:5]}"
    assert {key[2] for key in want} == {"month", "quarter", "financial_year"}
    assert not {key for key in want if key[2] == "quarter" and key[1] == "missing_episodes"}
    assert any(f["same_period_last_year_value"] is not None for key, f in want.items() if key[2] == "month")
    assert any(f["same_period_last_year_value"] is not None for key, f in want.items() if key[2] == "quarter")


def test_the_scorecard_holds_no_child_ids_keys_or_dates_of_children(module_warehouse, landing):
    columns, rows = published(module_warehouse, TABLE)
    assert not {c for c in columns if c.endswith(("_id", "_key")) or c in ("dob", "child")}
    from tests.reference.children_in_care_care import load

    ids = {row["child"].strip() for entry in load(landing).values() for row in entry.get("header", [])}
    assert ids and not {v for row in rows for v in row if isinstance(v, str)} & ids


def test_a_child_in_care_is_the_same_child_in_the_children_in_need_census(module_warehouse, landing):
    """One child across returns: where an authority uses one id (LAchildID = CHILD), every child looked
    after in the census year is a child in need in it, under the same pseudonymous key (children in
    care are children in need; docs/children-in-need-figures.md)."""
    year = "daterange('2024-04-01', '2025-03-31', '[]')"
    looked_after = set(
        module_warehouse.query(
            f"""select distinct la_code, child_key from staging.stg_children_in_care__episodes
                where daterange(decom, dec, '[]') && {year}"""
        )
    )
    in_need = set(
        module_warehouse.query(
            f"""select distinct la_code, child_key from staging.stg_children_in_need__referrals
                where daterange(referral_date, closure_date, '[]') && {year}"""
        )
    )
    assert looked_after, "the data set has no child looked after in the census year"
    assert looked_after <= in_need, sorted(looked_after - in_need)[:5]
