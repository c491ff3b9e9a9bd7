"""Generate the extracts (every area, two authorities), run the DAGs for real, and check every row
of reporting.fostering_carer_register and fostering_carer_deregistrations against the independent
computation in tests/reference/fostering_register.py, which reads the same landing files."""

from __future__ import annotations

import pytest

from tests.data_sets import CHILDREN_IN_CARE_EVERY_AREA
from tests.published import assert_same_figures, published, published_by_grain
from tests.reference.fostering_register import (
    DEREGISTRATIONS_GRAIN,
    MEASURE_GRAIN,
    REGISTER_GRAIN,
    REGISTER_MEASURES,
    expected_register,
    expected_register_measures,
)

pytestmark = pytest.mark.integration
DATA_SET = CHILDREN_IN_CARE_EVERY_AREA
HISTORY_MONTHS = 36  # the dbt var scorecard_history_months default


@pytest.fixture(scope="module")
def expected(landing):
    return expected_register(landing, HISTORY_MONTHS)


def test_the_register_matches_the_independent_computation(module_warehouse, expected):
    register, _ = expected
    got = published_by_grain(module_warehouse, "fostering_carer_register", REGISTER_GRAIN)
    assert_same_figures(register, got, "fostering_carer_register")
    for figure in ("approved_households", "approved_places", "approvals_in_month", "deregistrations_in_month"):
        assert sum(row[figure] for row in register.values()) > 0, figure
    assert {key[3] for key in register} == {"mainstream", "kinship"}


def test_the_deregistrations_match_the_independent_computation(module_warehouse, expected):
    _, deregistrations = expected
    got = published_by_grain(module_warehouse, "fostering_carer_deregistrations", DEREGISTRATIONS_GRAIN)
    assert_same_figures(deregistrations, got, "fostering_carer_deregistrations")
    assert len({key[4] for key in deregistrations}) > 3
    assert sum(row["households"] for row in deregistrations.values()) > 0


def test_the_register_holds_no_household_ids_or_postcodes(module_warehouse):
    for table in ("fostering_carer_register", "fostering_carer_deregistrations"):
        columns, _ = published(module_warehouse, table)
        assert not {c for c in columns if c.endswith(("_id", "_key")) or "post" in c}, table


def test_the_register_measures_match_the_independent_computation(module_warehouse, expected):
    """measure_values: per team and the authority total, month ends, complete quarters and years."""
    want = {
        key: {**figures, "denominator": None, "value": figures["numerator"], "section": "children_in_care"}
        for key, figures in expected_register_measures(expected[0]).items()
    }
    rows = published_by_grain(module_warehouse, "measure_values", MEASURE_GRAIN)
    got = {key: row for key, row in rows.items() if key[1] in REGISTER_MEASURES}
    assert_same_figures(want, got, "measure_values")
    assert {key[2] for key in want} == {"month", "quarter", "financial_year"}
