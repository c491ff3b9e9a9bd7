"""DfE's counting on a data set with hand-made cases (tests/data_sets.py, dfe_counting_cases), run
through both DAGs for real and compared with the independent references:

- starts and ceases as DfE counts them (RNE S; REC not X1; short breaks left out): a child moving
  from short breaks into care, or back to them, is neither a start nor a cease;
- the OC2 measures count DfE's cohort only (looked after continuously for 12 months at 31 March);
- an authority that never delivered child_visits or child_plans has no figure for the visits and
  plans measures (value_status not_delivered, never 0 % red), and Performance on a Page says
  "no data"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from qa_warehouse.reports.page import read_page, render_html
from tests.data_sets import CHILDREN_IN_CARE_DFE_COUNTING, DFE_COUNTING_CHILDREN
from tests.published import assert_same_figures, published_by_grain
from tests.reference import children_in_care_care as care_reference
from tests.reference import children_in_care_placements as placements_reference

pytestmark = pytest.mark.integration
DATA_SET = CHILDREN_IN_CARE_DFE_COUNTING
YEAR_END = date(2025, 3, 31)
NOT_DELIVERED = ("statutory_visits_in_time", "care_plan_up_to_date", "pep_up_to_date", "pathway_plan_up_to_date")


@pytest.fixture(scope="module")
def authorities(landing) -> tuple[str, str]:
    las = sorted({la for (table, la) in care_reference.current_files(landing) if table == "episodes"})
    return las[0], las[-1]


def test_short_breaks_around_care_are_neither_starts_nor_ceases(module_warehouse, landing, authorities):
    first, _ = authorities
    types, _ = placements_reference.expected_placements(landing)
    assert_same_figures(
        types,
        published_by_grain(module_warehouse, "children_in_care_placement_types", placements_reference.TYPES_GRAIN),
    )
    # the data exercises the difference: counted as periods of care (short breaks left out), the
    # hand-made children start and cease in the year; as DfE counts, neither does
    entry = placements_reference.load(landing)[first]
    history = placements_reference.care_history(entry["episodes"], placements_reference.placement_type_rules(), {})
    year_start = date(2024, 4, 1)
    into_care, back_to_breaks = (history[child] for child, *_ in DFE_COUNTING_CHILDREN)
    assert any(year_start <= p[0] <= YEAR_END for p in into_care["periods"])
    assert any(p[1] is not None and year_start <= p[1] <= YEAR_END for p in back_to_breaks["periods"])
    assert not any(r[0].rne == "S" and year_start <= r[0].decom for r in into_care["episodes"])
    assert all(r[0].rec == "X1" for r in back_to_breaks["episodes"] if r[0].dec is not None)
    # the month the hand-made child came into care from short breaks (its period of care starts)
    came_in = next(p[0] for p in into_care["periods"] if year_start <= p[0] <= YEAR_END)
    month_end = date(came_in.year + came_in.month // 12, came_in.month % 12 + 1, 1) - timedelta(days=1)
    month = {key: row for key, row in types.items() if key[0] == first and key[1] == "month" and key[2] == month_end}
    got = published_by_grain(module_warehouse, "children_in_care_placement_types", placements_reference.TYPES_GRAIN)
    assert month and sum(got[key]["started_in_period"] for key in month) == sum(
        row["started_in_period"] for row in month.values()
    )


def test_oc2_rows_outside_the_12_month_cohort_are_not_counted(module_warehouse, landing, authorities):
    first, _ = authorities
    expected = care_reference.expected_scorecard(landing)
    got = published_by_grain(module_warehouse, "children_in_care_scorecard", care_reference.GRAIN)
    oc2 = {key: figures for key, figures in expected.items() if key[3] in ("health_assessment", "dental_check")}
    assert_same_figures(oc2, {key: row for key, row in got.items() if key[3] in ("health_assessment", "dental_check")})
    # the hand-made children's OC2 rows (health assessment 0) are outside the cohort: listed, not counted
    outside = module_warehouse.query(
        "select count(*) from intermediate.int_children_in_care_oc2_outside_cohort where la_code = %s and period_end = %s",
        (first, YEAR_END),
    )[0][0]
    entry = care_reference.load(landing)[first]
    spells = care_reference.spells(entry["episodes"])
    outside_expected = [
        row for row in entry["oc2"] if not care_reference.in_oc2_cohort(spells.get(row["child"].strip(), []), YEAR_END)
    ]
    assert outside == len(outside_expected) >= len(DFE_COUNTING_CHILDREN)
    counted = got[(first, "year", YEAR_END, "health_assessment")]
    assert counted["numerator"] + counted["denominator"] + (counted["not_known"] or 0) > 0
    assert counted["denominator"] + counted["not_known"] == len(entry["oc2"]) - len(outside_expected)


def test_every_care_measure_row_matches_the_reference(module_warehouse, landing):
    expected = care_reference.expected_scorecard(landing)
    got = published_by_grain(module_warehouse, "children_in_care_scorecard", care_reference.GRAIN)
    assert_same_figures(expected, {key: row for key, row in got.items() if key[3] in care_reference.CARE_MEASURES})


def test_a_measure_whose_extract_was_never_delivered_is_no_data_not_zero(module_warehouse, landing, authorities):
    first, second = authorities
    scorecard = published_by_grain(module_warehouse, "children_in_care_scorecard", care_reference.GRAIN)
    for (la, _, _, measure), row in scorecard.items():
        if measure not in NOT_DELIVERED:
            continue
        if la == second:
            assert row["value_status"] == "not_delivered", (la, measure)
            assert row["numerator"] is None and row["denominator"] is None and row["percentage"] is None
            assert row["rag"] is None and row["direction_of_travel"] is None
        else:
            assert row["value_status"] == "published" and row["numerator"] is not None, (la, measure)
    assert {row["value_status"] for (la, *_), row in scorecard.items() if la == second} == {
        "published",
        "not_delivered",
    }

    values = module_warehouse.query(
        "select la_code, measure_code, value_status, numerator, value, rag from reporting.measure_values"
        " where measure_code = any(%s)",
        (list(NOT_DELIVERED),),
    )
    assert {la for la, *_ in values} == {first, second}
    for la, measure, status, numerator, value, rag in values:
        if la == second:
            assert (status, numerator, value, rag) == ("not_delivered", None, None, None), measure
        else:
            assert status == "published" and numerator is not None, measure

    html = render_html(read_page(second))
    figures = dict(re.findall(r'data-measure="([a-z_0-9]+)">.*?<span class="value">([^<]*)</span>', html, flags=re.S))
    assert {figures[measure] for measure in NOT_DELIVERED} == {"no data"}
    assert figures["reviews_in_time"] != "no data" and figures["reviews_in_time"].endswith("%")
    published_page = dict(
        re.findall(
            r'data-measure="([a-z_0-9]+)">.*?<span class="value">([^<]*)</span>',
            render_html(read_page(first)),
            flags=re.S,
        )
    )
    assert "no data" not in {published_page[measure] for measure in NOT_DELIVERED}


def test_the_quarterly_report_says_no_data_for_each_section_without_figures(module_warehouse):
    """Only the 903 is delivered here: the report's other sections each have one no_data row per
    authority and quarter (never a zero), and the children in care section has figures."""
    rows = module_warehouse.query(
        "select la_code, period_end, section, measure_code, value_status, value, numerator, rag"
        " from reporting.quarterly_performance_report"
    )
    by_section: dict[tuple, list] = {}
    for la, end, section, *rest in rows:
        by_section.setdefault((la, end, section), []).append(rest)
    assert {section for _, _, section in by_section} >= {"children_in_care", "workforce", "referrals", "fostering"}
    for (la, end, section), section_rows in by_section.items():
        if section in ("children_in_care", "care_leavers"):
            continue
        # no figure, never a zero: a no_data row, or measures whose extract was never delivered
        statuses = {status for _, status, *_ in section_rows}
        assert statuses <= {"no_data", "not_delivered"}, (la, end, section, statuses)
        assert all(value is None and numerator is None for _, _, value, numerator, _ in section_rows)
        if "no_data" in statuses:
            assert section_rows == [[None, "no_data", None, None, None]], (la, end, section)
    assert any(rows == [[None, "no_data", None, None, None]] for rows in by_section.values())
    assert any(
        code
        for la, end, section in by_section
        if section == "children_in_care"
        for code, *_ in by_section[(la, end, section)]
    )
