"""Generate two authorities' extracts, run the DAGs for real, and check every row of
reporting.children_in_care_permanence, children_in_care_placement_moves and
children_in_care_social_worker_stability, and their headline measures in measure_values,
against the independent computation in tests/reference/children_in_care_permanence.py, which reads
the same landing files."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.data_sets import CHILDREN_IN_CARE_EVERY_AREA
from tests.published import assert_same_figures, published, published_by_grain
from tests.reference.children_in_care_permanence import (
    MEASURE_GRAIN,
    MOVES_GRAIN,
    PERIOD_GRAIN,
    expected_figures,
)

pytestmark = pytest.mark.integration
DATA_SET = CHILDREN_IN_CARE_EVERY_AREA
TABLES = ("children_in_care_permanence", "children_in_care_placement_moves", "children_in_care_social_worker_stability")
MEASURES = (
    "children_adopted",
    "adopted_within_14_months",
    "special_guardianship_orders",
    "child_arrangements_orders",
    "unplanned_placement_moves",
    "social_worker_stability_3_plus",
)


@pytest.fixture(scope="module")
def expected(landing):
    return expected_figures(landing)


def test_permanence_matches_the_independent_computation(module_warehouse, expected):
    permanence = expected[0]
    assert_same_figures(permanence, published_by_grain(module_warehouse, TABLES[0], PERIOD_GRAIN), TABLES[0])
    # the generated returns exercise every figure: adoptions, orders, children waiting for an order
    for figure in (
        "children_adopted",
        "adopted_within_14_months",
        "special_guardianship_orders",
        "child_arrangements_orders",
        "placed_for_adoption_at_period_end",
    ):
        assert sum(row[figure] for row in permanence.values()) > 0, figure
    assert any(row["average_days_entering_care_to_moving_in"] is not None for row in permanence.values())


def test_placement_moves_match_the_independent_computation(module_warehouse, expected):
    moves = expected[1]
    assert_same_figures(moves, published_by_grain(module_warehouse, TABLES[1], MOVES_GRAIN), TABLES[1])
    by_group = {}
    for row in moves.values():
        by_group[row["move_group"]] = by_group.get(row["move_group"], 0) + row["moves"]
    assert by_group["planned"] > 0 and by_group["unplanned"] > 0, by_group


def test_social_worker_stability_matches_the_independent_computation(module_warehouse, expected):
    stability = expected[2]
    assert_same_figures(stability, published_by_grain(module_warehouse, TABLES[2], PERIOD_GRAIN), TABLES[2])
    for figure in ("one_social_worker", "two_social_workers", "three_or_more_social_workers"):
        assert sum(row[figure] for row in stability.values()) > 0, figure


def test_the_headline_measures_match_the_independent_computation(module_warehouse, expected):
    measures = expected[3]
    rows = published_by_grain(module_warehouse, "measure_values", (*MEASURE_GRAIN, "breakdown"))
    got = {key[:4]: row for key, row in rows.items() if key[1] in MEASURES}
    assert all(key[4] == "All" for key in rows if key[1] in MEASURES)
    want = {
        key: {
            **figures,
            "value": (
                Fraction(figures["numerator"])
                if figures["denominator"] is None
                else (Fraction(100 * figures["numerator"], figures["denominator"]) if figures["denominator"] else None)
            ),
            "section": "children_in_care",
        }
        for key, figures in measures.items()
    }
    assert_same_figures(want, got, "measure_values")
    assert {key[1] for key in want} == set(MEASURES)


def test_the_data_meets_the_edge_of_every_definition(expected):
    """The generated returns hold a child with 3 social workers, one allocated before the 12 months,
    and a child placed for adoption at a period end with no order yet (the unit tests in
    _int_children_in_care__permanence_unit_tests.yml pin each edge on named children too)."""
    edges = expected[4]
    assert all(count > 0 for count in edges.values()), edges


def test_the_tables_hold_no_child_ids_or_dates_of_children(module_warehouse):
    for table in TABLES:
        columns, _ = published(module_warehouse, table)
        assert not {c for c in columns if c.endswith(("_id", "_key")) or "post" in c or c in ("dob", "child")}, table
