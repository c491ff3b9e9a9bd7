"""Disclosure control: the public_reporting tables suppress counts from 1 to 5 ('c') and every figure
that would let one be derived, and the internal tables keep exact figures.

The pure logic is tested on hand-made groups; then a warehouse is published from synthetic data and
an attacker who knows how the figures add up (numerator + complement = denominator, breakdown rows
sum to the total, audits completed = the good-or-better denominator) tries to derive every
suppressed cell from what the public tables show, with exact rational arithmetic written here
independently of qa_warehouse.publish.disclosure."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from contextlib import closing
from fractions import Fraction

import psycopg2
import pytest

from qa_warehouse.publish import disclosure
from qa_warehouse.publish.disclosure import GroupRow, build_system, suppress_group
from qa_warehouse.publish.swap import bi_role
from tests.data_sets import EVERY_AREA_THREE_YEARS

DATA_SET = EVERY_AREA_THREE_YEARS

SECTIONS = ("fostering", "audits", "feedback", "complaints")
# The one cross-measure identity: per authority, quarter and breakdown.
LINKS = (("audits_completed", "numerator"), ("audits_good_or_better", "denominator"))


def suppressed(rows: list[GroupRow]) -> set[tuple[str, str]]:
    """(breakdown, figure) of the cells shown as c, for a single-measure group."""
    return {(breakdown, figure) for _, breakdown, figure in suppress_group(rows)}


# ---- exact linear algebra, independent of the module's numpy ------------------------------------


def rank(matrix: list[list[Fraction]]) -> int:
    rows = [list(row) for row in matrix if any(row)]
    found = 0
    columns = len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column] != 0:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found])]
        found += 1
    return found


def derivable_by_rank(equations: list[dict], unknown: list) -> set:
    """Unknowns whose unit vector lies in the row space of the equations restricted to the unknowns."""
    index = {cell: i for i, cell in enumerate(unknown)}
    restricted = [[Fraction(0)] * len(unknown) for _ in equations]
    for row, equation in zip(restricted, equations):
        for cell, coefficient in equation.items():
            if cell in index:
                row[index[cell]] += coefficient
    base = rank(restricted)
    found = set()
    for cell in unknown:
        unit = [Fraction(0)] * len(unknown)
        unit[index[cell]] = Fraction(1)
        if rank(restricted + [unit]) == base:
            found.add(cell)
    return found


def derivable_by_propagation(equations: list[dict], known: dict) -> dict:
    """Solve every equation left with a single unknown, again and again; return what was solved."""
    known = dict(known)
    solved = {}
    progress = True
    while progress:
        progress = False
        for equation in equations:
            missing = [cell for cell in equation if cell not in known]
            if len(missing) == 1:
                cell = missing[0]
                rest = sum(coefficient * known[c] for c, coefficient in equation.items() if c != cell)
                known[cell] = solved[cell] = -rest / equation[cell]
                progress = True
    return solved


# ---- the pure logic on hand-made groups ---------------------------------------------------------


def test_a_single_small_count_is_suppressed_and_nothing_else():
    assert suppressed([GroupRow("m", "All", 3)]) == {("All", "numerator")}
    assert suppressed([GroupRow("m", "All", 6)]) == set()


def test_zero_is_not_suppressed():
    assert suppressed([GroupRow("m", "All", 0), GroupRow("m", "a", 0), GroupRow("m", "b", 0)]) == set()
    assert suppressed([GroupRow("m", "All", 0, 12), GroupRow("m", "a", 0, 6), GroupRow("m", "b", 0, 6)]) == set()


def test_one_small_member_forces_a_second_so_the_total_cannot_give_it_away():
    # 3 + 9 = 12: with 9 and 12 published, 3 follows; the smallest other member goes too, not the total
    assert suppressed(
        [GroupRow("m", "All", 21), GroupRow("m", "a", 3), GroupRow("m", "b", 9), GroupRow("m", "c", 9)]
    ) == {("a", "numerator"), ("b", "numerator")}


def test_a_lone_member_equal_to_its_total_takes_the_total_with_it():
    assert suppressed([GroupRow("m", "All", 4), GroupRow("m", "a", 4), GroupRow("m", "b", 0)]) == {
        ("All", "numerator"),
        ("a", "numerator"),
    }
    # the total is small, the members are not
    assert suppressed([GroupRow("m", "All", 3), GroupRow("m", "a", 3), GroupRow("m", "b", 0)]) == {
        ("All", "numerator"),
        ("a", "numerator"),
    }


def test_a_total_would_give_a_small_member_away_so_the_next_smallest_member_goes_not_the_total():
    assert suppressed(
        [GroupRow("m", "All", 20), GroupRow("m", "a", 2), GroupRow("m", "b", 8), GroupRow("m", "c", 10)]
    ) == {("a", "numerator"), ("b", "numerator")}


def test_a_small_complement_suppresses_the_numerator():
    # 7 of 10: the complement 3 is never shown, but 10 - 7 would give it away
    assert suppressed([GroupRow("m", "All", 7, 10)]) == {("All", "numerator")}


def test_a_small_denominator_hides_both_and_the_members_protect_each_other():
    result = suppressed([GroupRow("m", "All", 9, 14), GroupRow("m", "a", 2, 4), GroupRow("m", "b", 7, 10)])
    assert {("a", "numerator"), ("a", "denominator")} <= result
    assert ("b", "numerator") in result or ("All", "numerator") in result


def test_linked_measures_are_suppressed_together():
    rows = [
        GroupRow("audits_completed", "All", 12),
        GroupRow("audits_completed", "x", 3),
        GroupRow("audits_completed", "y", 9),
        GroupRow("audits_good_or_better", "All", 8, 12),
        GroupRow("audits_good_or_better", "x", 2, 3),
        GroupRow("audits_good_or_better", "y", 6, 9),
    ]
    hidden = suppress_group(rows)
    for breakdown in ("x", "y", "All"):
        assert (("audits_completed", breakdown, "numerator") in hidden) == (
            ("audits_good_or_better", breakdown, "denominator") in hidden
        )
    assert ("audits_completed", "x", "numerator") in hidden


def test_a_total_that_is_not_the_sum_of_its_members_has_a_protected_unallocated_remainder():
    # 2 counted in the total and in no breakdown row: 16 - 6 - 8 would give it away
    rows = [GroupRow("m", "All", 16), GroupRow("m", "a", 6), GroupRow("m", "b", 8)]
    assert ("m", disclosure.UNALLOCATED, "numerator") in build_system(rows).keys
    assert suppressed(rows) == {("a", "numerator")}


def test_the_choice_is_deterministic_whatever_the_row_order():
    rows = [
        GroupRow("m", "All", 30, 40),
        GroupRow("m", "a", 2, 9),
        GroupRow("m", "b", 10, 11),
        GroupRow("m", "c", 9, 10),
        GroupRow("m", "d", 9, 10),
    ]
    first = suppress_group(rows)
    assert all(suppress_group(list(reversed(rows))) == first for _ in range(3))


def test_every_hand_made_result_leaves_no_suppressed_cell_derivable():
    groups = [
        [GroupRow("m", "All", 21), GroupRow("m", "a", 3), GroupRow("m", "b", 9), GroupRow("m", "c", 9)],
        [GroupRow("m", "All", 9, 14), GroupRow("m", "a", 2, 4), GroupRow("m", "b", 7, 10)],
        [
            GroupRow("m", "All", 30, 40),
            GroupRow("m", "a", 2, 9),
            GroupRow("m", "b", 10, 11),
            GroupRow("m", "c", 9, 10),
            GroupRow("m", "d", 9, 10),
        ],
        [GroupRow("m", "All", 0, 10), GroupRow("m", "a", 0, 4), GroupRow("m", "b", 0, 6)],
    ]
    for rows in groups:
        leaks = attack_group(
            {(r.measure_code, r.breakdown): r for r in rows}, {(m, b, f) for m, b, f in suppress_group(rows)}
        )
        assert not leaks, (rows, leaks)


def test_derivability_is_a_rank_test_not_a_count_of_unknowns_per_relation():
    # x + y = 5, x + z = 7, y + z = 6: two unknowns in every relation, yet x = 3 (and y, z) follow
    import numpy as np

    relations = np.array([[1, 1, 0, -5], [1, 0, 1, -7], [0, 1, 1, -6]], dtype=float)
    assert disclosure.derivable_variables(relations, [0, 1, 2]) == {0, 1, 2}
    # x + y = 5, x + z = 7: each is free
    assert disclosure.derivable_variables(relations[:2], [0, 1, 2]) == set()
    assert derivable_by_rank(
        [{"x": 1, "y": 1, "k": -5}, {"x": 1, "z": 1, "k": -7}, {"y": 1, "z": 1, "k": -6}], ["x", "y", "z"]
    ) == {"x", "y", "z"}


def test_impossible_counts_are_refused_clearly():
    with pytest.raises(ValueError, match="impossible counts"):
        suppress_group([GroupRow("m", "All", 11, 10)])
    with pytest.raises(ValueError, match="two rows"):
        suppress_group([GroupRow("m", "All", 1), GroupRow("m", "All", 2)])


def test_percentages_are_rounded_to_whole_numbers_halves_up():
    assert [disclosure.rounded_percentage(n, d) for n, d in ((1, 8), (1, 3), (2, 3), (7, 10), (0, 9), (9, 9))] == [
        "13",
        "33",
        "67",
        "70",
        "0",
        "100",
    ]


# ---- the attack ---------------------------------------------------------------------------------


def attack_group(rows: dict[tuple[str, str], GroupRow], hidden: set[tuple[str, str, str]]) -> dict:
    """Try to derive every protected cell of one group (a cell shown as c, or a never-shown
    complement or unallocated remainder from 1 to 5) from its published cells; return what leaked.
    The structure is taken from the exact rows, as the worst-case reader would know it."""
    truth: dict[tuple, int] = {}
    equations: list[dict] = []
    measures = defaultdict(dict)
    for (measure, breakdown), row in rows.items():
        measures[measure][breakdown] = row
    for measure, by_breakdown in measures.items():
        percentage = next(iter(by_breakdown.values())).denominator is not None
        figures = ("numerator", "denominator", "complement") if percentage else ("numerator",)
        for breakdown, row in by_breakdown.items():
            truth[(measure, breakdown, "numerator")] = row.numerator
            if percentage:
                truth[(measure, breakdown, "denominator")] = row.denominator
                truth[(measure, breakdown, "complement")] = row.denominator - row.numerator
                equations.append(
                    {
                        (measure, breakdown, "numerator"): 1,
                        (measure, breakdown, "complement"): 1,
                        (measure, breakdown, "denominator"): -1,
                    }
                )
        members = [b for b in by_breakdown if b != "All"]
        if "All" in by_breakdown and members:
            for figure in figures:
                remainder = truth[(measure, "All", figure)] - sum(truth[(measure, b, figure)] for b in members)
                equation = {(measure, b, figure): 1 for b in members}
                equation[(measure, "All", figure)] = -1
                if remainder:  # counted in the total and in no breakdown row: a hidden cell
                    truth[(measure, "remainder", figure)] = remainder
                    equation[(measure, "remainder", figure)] = 1
                equations.append(equation)
    (measure_a, figure_a), (measure_b, figure_b) = LINKS
    for breakdown in measures.get(measure_a, {}):
        if (measure_b, breakdown, figure_b) in truth:
            assert truth[(measure_a, breakdown, figure_a)] == truth[(measure_b, breakdown, figure_b)], (
                f"{measure_a} is no longer {measure_b}'s denominator: revise disclosure.LINKED_FIGURES"
            )
            equations.append({(measure_a, breakdown, figure_a): 1, (measure_b, breakdown, figure_b): -1})
    for equation in equations:  # the relations hold for the exact figures
        assert sum(coefficient * truth[cell] for cell, coefficient in equation.items()) == 0

    published = {
        cell: Fraction(value)
        for cell, value in truth.items()
        if cell[2] in ("numerator", "denominator") and cell[1] != "remainder" and cell not in hidden
    }
    unknown = sorted(cell for cell in truth if cell not in published)
    protected = [cell for cell in unknown if cell in hidden or 1 <= truth[cell] <= 5]
    leaks = {}
    by_rank = derivable_by_rank(equations, unknown)
    by_propagation = derivable_by_propagation(equations, published)
    assert set(by_propagation) <= by_rank  # propagation is the rank test's special case
    for cell in protected:
        if cell in by_rank:
            leaks[cell] = truth[cell]
    return leaks


@pytest.fixture(scope="module")
def published(module_warehouse, landing):
    tables = {}
    with closing(module_warehouse.connect()) as conn, conn.cursor() as cur:
        for section in SECTIONS:
            table = f"quarterly_report_{section}"
            both = {}
            for schema in ("reporting", "public_reporting"):
                cur.execute(f"select * from {schema}.{table}")
                names = [d.name for d in cur.description]
                both[schema] = {
                    (r["la_code"], r["period_end"], r["measure_code"], r["breakdown"]): r
                    for r in (dict(zip(names, record)) for record in cur.fetchall())
                }
            tables[section] = both
    return tables


@pytest.mark.integration
def test_public_tables_have_the_rows_and_columns_of_the_internal_ones(published, module_warehouse):
    for section, both in published.items():
        assert both["reporting"], f"{section}: the synthetic data made no rows"
        assert set(both["public_reporting"]) == set(both["reporting"]), section
    columns = module_warehouse.query("""select column_name, data_type from information_schema.columns
        where table_schema = 'public_reporting' and table_name = 'quarterly_report_audits' order by ordinal_position""")
    assert [name for name, _ in columns] == [name for name, _ in disclosure.PUBLIC_COLUMNS]
    assert dict(columns)["numerator"] == "text" and dict(columns)["target"] == "numeric"


@pytest.mark.integration
def test_published_counts_are_exact_small_ones_are_c_and_percentages_need_both_counts(published):
    shown = small = 0
    for section, both in published.items():
        for key, exact in both["reporting"].items():
            public = both["public_reporting"][key]
            for figure in ("numerator", "denominator"):
                value = exact[figure]
                if value is None:
                    assert public[figure] is None
                elif public[figure] != "c":
                    assert public[figure] == str(value)
                    assert not 1 <= value <= 5, (section, key, figure)
                    shown += 1
                if value is not None and 1 <= value <= 5:
                    assert public[figure] == "c"
                    small += 1
            if exact["denominator"] is not None and exact["denominator"] - exact["numerator"] in range(1, 6):
                assert "c" in (public["numerator"], public["denominator"]), (section, key, "complement")
            if exact["value"] is None:
                assert public["value"] is None
            elif exact["unit"] == "count":
                assert public["value"] == public["numerator"] and public["rag"] is None  # counts have no RAG
            elif "c" in (public["numerator"], public["denominator"]):
                assert public["value"] == "c" and public["rag"] == ("c" if exact["rag"] is not None else None)
            else:
                whole = math.floor(Fraction(100 * exact["numerator"], exact["denominator"]) + Fraction(1, 2))
                assert public["value"] == str(whole) and public["rag"] == exact["rag"]
            assert (public["target"], public["measure_name"]) == (exact["target"], exact["measure_name"])
    assert shown > 0 and small > 0


@pytest.mark.integration
def test_comparisons_come_from_the_public_rows_of_those_quarters(published):
    against_suppressed = 0
    for both in published.values():
        public = both["public_reporting"]
        by_start = {(r["la_code"], r["measure_code"], r["breakdown"], r["period_start"]): r for r in public.values()}
        for key, row in public.items():
            exact = both["reporting"][key]
            start = row["period_start"]
            series = (row["la_code"], row["measure_code"], row["breakdown"])
            previous = by_start.get((*series, months_before(start, 3)))
            last_year = by_start.get((*series, months_before(start, 12)))
            assert row["previous_quarter_value"] == (previous["value"] if previous else None)
            assert row["same_quarter_last_year_value"] == (last_year["value"] if last_year else None)
            if exact["direction_of_travel"] is None:
                assert row["direction_of_travel"] is None
            elif "c" in (row["value"], row["previous_quarter_value"]):
                assert row["direction_of_travel"] == "c"  # "no change" against a c would tell its share
                against_suppressed += row["value"] != "c"
            else:
                assert row["direction_of_travel"] == exact["direction_of_travel"]
    assert against_suppressed > 0  # some shown figure is compared with a suppressed quarter


def months_before(day: dt.date, count: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, day.day)


@pytest.mark.integration
def test_no_suppressed_cell_can_be_derived_from_the_public_tables(published):
    primary = secondary = groups = 0
    leaks = {}
    for section, both in published.items():
        grouped = defaultdict(dict)
        for (la_code, period_end, measure, breakdown), exact in both["reporting"].items():
            group = "audits_completed" if measure in dict(LINKS) else measure
            grouped[(la_code, period_end, group)][(measure, breakdown)] = GroupRow(
                measure, breakdown, exact["numerator"], exact["denominator"]
            )
        for (la_code, period_end, _), rows in grouped.items():
            hidden = set()
            for (measure, breakdown), row in rows.items():
                public = both["public_reporting"][(la_code, period_end, measure, breakdown)]
                for figure in ("numerator", "denominator"):
                    if public[figure] == "c":
                        hidden.add((measure, breakdown, figure))
                        if 1 <= getattr(row, figure) <= 5:
                            primary += 1
                        else:
                            secondary += 1
            groups += 1
            for cell, value in attack_group(rows, hidden).items():
                leaks[(section, la_code, period_end, *cell)] = value
    assert not leaks, list(leaks.items())[:10]
    assert groups > 100 and primary > 0 and secondary > 0, (groups, primary, secondary)


@pytest.mark.integration
def test_the_bi_role_reads_the_public_tables_and_the_internal_ones_keep_exact_figures(published, module_warehouse):
    with closing(module_warehouse.connect(user=bi_role())) as conn, conn.cursor() as cur:
        for section in SECTIONS:
            cur.execute(
                f"select count(*), count(*) filter (where numerator = 'c') "
                f"from public_reporting.quarterly_report_{section}"
            )
            count, hidden = cur.fetchone()
            assert count == len(published[section]["public_reporting"])
        cur.execute("select count(*) from reporting.quarterly_report_audits where numerator between 1 and 5")
        assert cur.fetchone()[0] > 0  # the internal table still has the small counts
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("create table public_reporting.mine (x int)")
    numerator_types = module_warehouse.query("""select distinct data_type from information_schema.columns
        where table_schema = 'reporting' and table_name like 'quarterly_report%' and column_name = 'numerator'""")
    assert numerator_types == [("integer",)]
    assert module_warehouse.query("select count(*) from pg_tables where schemaname = 'public_reporting_build'") == [
        (0,)
    ]
