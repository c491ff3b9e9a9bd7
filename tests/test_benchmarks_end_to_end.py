"""DfE's benchmark files and two authorities' children in care and in need extracts, run for real:
every authority total in reporting.measure_values carries England, its region, the mean of its
statistical neighbours, its rank and quartile as tests/reference/benchmarks.py computes them from the
CSV files, for the latest published year ending on or before the period."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from tests.data_sets import BENCHMARKS
from tests.published import same
from tests.reference.benchmarks import benchmark_at, child_population, expected_benchmarks, neighbours, population_at

pytestmark = pytest.mark.integration
DATA_SET = BENCHMARKS
COLUMNS = (
    "benchmark_time_period",
    "england_value",
    "region_value",
    "statistical_neighbours_value",
    "rank_among_authorities",
    "authorities_ranked",
    "quartile",
)


@pytest.fixture(scope="module")
def expected(landing):
    return expected_benchmarks(landing)


def published_rows(warehouse):
    rows = warehouse.query(
        f"select la_code, measure_code, period_kind, period_end, breakdown, {', '.join(COLUMNS)}"
        " from reporting.measure_values order by 1, 2, 3, 4, 5"
    )
    return [dict(zip(("la_code", "measure_code", "period_kind", "period_end", "breakdown", *COLUMNS), r)) for r in rows]


def test_every_authority_total_carries_the_benchmarks_the_files_give(module_warehouse, expected):
    checked: dict[str, int] = {}
    fewer_neighbours = unranked_own_figure = 0  # rows where DfE's symbols had to be left out
    for row in published_rows(module_warehouse):
        series = expected.get((row["la_code"], row["measure_code"]))
        if series is None or row["breakdown"] != "All":
            # Not a benchmarked measure, or a breakdown: DfE benchmarks the authority as a whole.
            assert all(row[c] is None for c in COLUMNS), row
            continue
        want = benchmark_at(series, row["period_end"])
        if want is None:
            assert all(row[c] is None for c in COLUMNS), row
            continue
        got = {c: row[c] for c in COLUMNS}
        wanted = {
            "benchmark_time_period": str(want.time_period),
            "england_value": want.england,
            "region_value": want.region,
            "statistical_neighbours_value": want.neighbours,
            "rank_among_authorities": want.rank,
            "authorities_ranked": want.ranked,
            "quartile": want.quartile,
        }
        for column, value in wanted.items():
            assert same(value, got[column]), (
                row["la_code"],
                row["measure_code"],
                row["period_end"],
                column,
                value,
                got[column],
            )
        checked[row["measure_code"]] = checked.get(row["measure_code"], 0) + 1
        fewer_neighbours += want.neighbours_reported < 10
        unranked_own_figure += want.authority is None and want.england is not None
    # Several measures of each publication were checked, ranked ones among them.
    for measure in (
        "placement_stability_3_plus",
        "placed_over_20_miles",
        "re_referrals_12_months",
        "assessments_45_working_days",
        "cp_plans_second_or_subsequent",
    ):
        assert checked.get(measure), (measure, sorted(checked))
    # Suppressed neighbours were left out of a mean somewhere, and a suppressed own figure went unranked.
    assert fewer_neighbours > 0 and unranked_own_figure > 0, (fewer_neighbours, unranked_own_figure)


def test_a_suppressed_figure_is_left_out_and_the_count_of_neighbours_says_so(expected):
    # The files suppress some authorities' figures (c, x): somewhere a neighbour mean stands on fewer
    # than ten, and a suppressed authority has no rank.
    assert any(b.neighbours_reported < 10 for series in expected.values() for b in series)
    assert any(b.authority is None and b.rank is None for series in expected.values() for b in series)


def test_published_figures_match_at_an_exact_period(module_warehouse, expected):
    """The year a quarter ending 30 June 2024 is benchmarked against is the year to 31 March 2024."""
    rows = [
        r
        for r in published_rows(module_warehouse)
        if r["period_end"] == date(2024, 6, 30)
        and r["breakdown"] == "All"
        and (r["la_code"], r["measure_code"]) in expected
    ]
    assert rows, "no authority total at 30 June 2024"
    assert {r["benchmark_time_period"] for r in rows if r["measure_code"] == "placement_stability_3_plus"} == {"2024"}
    assert all(r["england_value"] is not None for r in rows), [r for r in rows if r["england_value"] is None]


def test_dim_authority_has_the_package_names_and_the_loaded_neighbours(module_warehouse, landing):
    import qlacref_authorities

    names = {r["UTLA21CD"]: r["UTLA21NM"] for r in qlacref_authorities.records}
    rows = module_warehouse.query(
        "select la_code, gss_code, la_name, region_code, statistical_neighbours from reporting.dim_authority"
    )
    assert len(rows) == 153 and len({r[0] for r in rows}) == 153
    in_package = [(gss, name) for _, gss, name, _, _ in rows if gss in names]
    assert len(in_package) == 149 and all(names[gss] == name for gss, name in in_package)
    listed = neighbours(landing)
    assert {la: list(sn) for la, _, _, _, sn in rows} == {la: listed[la] for la, *_ in rows}
    assert all(len(sn) == 10 for *_, sn in rows)
    published = module_warehouse.query(
        "select la_code, neighbour_rank, neighbour_la_code from reporting.authority_statistical_neighbours"
    )
    assert sorted(published) == sorted((la, i, code) for la, codes in listed.items() for i, code in enumerate(codes, 1))


RATES = {  # rate measure -> the count it divides by ONS's 0-17 population (x 10,000)
    "referrals_rate_per_10000": "referrals",
    "children_in_need_rate_per_10000": "children_in_need_at_period_end",
    "cp_plan_rate_per_10000": "cp_plans_at_period_end",
}


def test_rates_per_10000_divide_our_counts_by_the_ons_population(module_warehouse, landing):
    rows = module_warehouse.query(
        "select la_code, measure_code, period_kind, period_end, numerator, denominator, value, unit"
        " from reporting.measure_values where breakdown = 'All'"
    )
    counts = {(la, code, kind, end): numerator for la, code, kind, end, numerator, *_ in rows}
    population = child_population(landing)
    checked = 0
    for la, code, kind, end, numerator, denominator, value, unit in rows:
        if code not in RATES:
            continue
        assert unit == "rate_per_10000"
        assert numerator == counts[(la, RATES[code], kind, end)]
        want = population_at(population[la], end)
        assert denominator == want, (la, code, end)
        assert same(Fraction(10000 * Fraction(numerator), want), value), (la, code, end, value)
        checked += 1
    kinds = {(code, kind) for _, code, kind, *_ in rows if code in RATES}
    assert {code for code, _ in kinds} == set(RATES) and {kind for _, kind in kinds} >= {"month", "financial_year"}
    assert checked > 0
