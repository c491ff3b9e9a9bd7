"""Disclosure control: the `public_reporting` tables, for committee papers and publication.

Every `reporting` table a public committee paper uses (TWINS, and each quarterly_report_* table)
gets a public twin in which every count from 1 to 5 is replaced by `c` (as DfE publishes), and so
is every figure that would let one be worked out from the others: the internal tables keep exact
figures. docs/disclosure.md describes the rule. A `Twin` says, per table, which columns are counts
of which measure (`Figure`), which are worked out from them (`Derived`), which show another
period's public value (`Comparison`) and which are published as they are; no other column is.
A count that several tables hold (a scorecard's referrals, the referral sources' total) is one
cell: all the twins are suppressed as one set of systems, so no table gives away another's `c`.

The unit of protection is a *group*: one authority, quarter and measure, its breakdown rows and
their 'All' total (measures whose counts are identical, e.g. audits completed and the denominator
of audits graded good or better, are one group). Its *cells* are each row's numerator,
denominator and complement (denominator - numerator: never published, but derivable, so it is
protected like any count). The linear relations a reader knows are: numerator + complement =
denominator in each row, and the breakdown rows add up to the total in each column. A suppressed
cell is derivable iff its unit vector lies in the row space of the relations restricted to the
unknown cells; suppression grows, one cell at a time, until no suppressed cell is.

`build_public_tables` runs inside the publish transaction (qa_warehouse.publish.swap), before the swap.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from psycopg2 import sql
from psycopg2.extras import execute_values

SUPPRESSED = "c"  # DfE's marker for a figure withheld to protect confidentiality
SMALLEST_DISCLOSIVE, LARGEST_DISCLOSIVE = 1, 5  # counts 1..5 are suppressed; 0 is not
TOTAL = "All"  # the breakdown of a group's authority total
# Where the total is not the sum of its breakdown rows, the difference is a hidden row of its own
# (counted in the total, in no breakdown): derivable from the others, so protected like them.
UNALLOCATED = "(unallocated)"
NUMERATOR, DENOMINATOR, COMPLEMENT = "numerator", "denominator", "complement"
# Figures of different measures that are the same count, per authority, quarter and breakdown.
LINKED_FIGURES = (
    (("audits_completed", NUMERATOR), ("audits_good_or_better", DENOMINATOR)),
    # children in need: a count that is another measure's denominator
    (("referrals", NUMERATOR), ("re_referrals_12_months", DENOMINATOR)),
    (("referrals", NUMERATOR), ("referrals_no_further_action", DENOMINATOR)),
    (("assessments_completed", NUMERATOR), ("assessments_45_working_days", DENOMINATOR)),
    (("icpc_held", NUMERATOR), ("icpc_15_working_days", DENOMINATOR)),
    # a rate per 10,000 counts the children its count measure does (over the public ONS population)
    (("referrals", NUMERATOR), ("referrals_rate_per_10000", NUMERATOR)),
    (("children_in_need_at_period_end", NUMERATOR), ("children_in_need_rate_per_10000", NUMERATOR)),
    (("cp_plans_at_period_end", NUMERATOR), ("cp_plan_rate_per_10000", NUMERATOR)),
)

# dbt builds reporting's tables in reporting_build; publish swaps public_reporting_build into
# public_reporting with them (qa_warehouse.publish.swap.SWAPS).
SOURCE_SCHEMA = "reporting_build"
PUBLIC_BUILD_SCHEMA = "public_reporting_build"
REPORT_TABLE_PREFIX = "quarterly_report_"
_TOLERANCE = 1e-9  # the relations' coefficients are 0 and +-1: singular values are far from it


@dataclass(frozen=True)
class GroupRow:
    """One row of a group: a measure's counts for one breakdown (TOTAL for the authority)."""

    measure_code: str
    breakdown: str
    numerator: int
    denominator: int | None = None  # None for a count measure


CellKey = tuple[str, str, str]  # (measure_code, breakdown, NUMERATOR | DENOMINATOR | COMPLEMENT)


@dataclass
class GroupSystem:
    """A group's cells as variables (linked cells share one) and its relations (relations @ x = 0)."""

    keys: list[CellKey]  # every cell, in a fixed order
    variable_of: dict[CellKey, int]  # cell -> its variable
    values: list[int]  # per variable
    publishable: list[bool]  # per variable: only numerators and denominators of real rows are published
    preference: list[tuple]  # per variable: the order secondary suppression picks cells in
    relations: np.ndarray = field(repr=False)  # one row per relation, one column per variable

    def cells_of(self, variable: int) -> list[CellKey]:
        return [key for key in self.keys if self.variable_of[key] == variable]


def _is_disclosive(value: int) -> bool:
    return SMALLEST_DISCLOSIVE <= value <= LARGEST_DISCLOSIVE


def build_system(rows: Sequence[GroupRow], links: Iterable = LINKED_FIGURES, extra: Iterable = ()) -> GroupSystem:
    """The cells and linear relations of one group's rows (one or more measures); `extra` adds
    relations of its own ({cell: coefficient}, summing to 0: e.g. a stock and its flows)."""
    by_measure: dict[str, dict[str, GroupRow]] = defaultdict(dict)
    for row in rows:
        if row.breakdown in by_measure[row.measure_code]:
            raise ValueError(f"group has two rows for {row.measure_code} / {row.breakdown}")
        if (
            row.numerator is None
            or row.numerator < 0
            or (row.denominator is not None and not 0 <= row.numerator <= row.denominator)
        ):
            raise ValueError(
                f"impossible counts for {row.measure_code} / {row.breakdown}: {row.numerator} of {row.denominator}"
            )
        by_measure[row.measure_code][row.breakdown] = row

    # cell -> (value, publishable); rows sorted so the variables (and choices) are deterministic
    cells: dict[CellKey, tuple[int, bool]] = {}
    equations: list[dict[CellKey, int]] = []
    for measure in sorted(by_measure):
        measure_rows = dict(by_measure[measure])
        percentage = any(row.denominator is not None for row in measure_rows.values())
        if percentage and any(row.denominator is None for row in measure_rows.values()):
            raise ValueError(f"{measure}: some rows have a denominator and some do not")
        columns = (NUMERATOR, DENOMINATOR, COMPLEMENT) if percentage else (NUMERATOR,)
        members = sorted(b for b in measure_rows if b != TOTAL)

        def figures(row: GroupRow) -> dict[str, int]:
            if not percentage:
                return {NUMERATOR: row.numerator}
            denominator = row.denominator
            assert denominator is not None  # a percentage measure's rows all have one (checked above)
            return {NUMERATOR: row.numerator, DENOMINATOR: denominator, COMPLEMENT: denominator - row.numerator}

        row_figures = {breakdown: figures(row) for breakdown, row in measure_rows.items()}
        if TOTAL in measure_rows and members:
            remainder = {
                column: row_figures[TOTAL][column] - sum(row_figures[b][column] for b in members) for column in columns
            }
            if any(remainder.values()):
                row_figures[UNALLOCATED] = remainder
                members.append(UNALLOCATED)
        for breakdown, cell_values in row_figures.items():
            for column, value in cell_values.items():
                can_publish = breakdown != UNALLOCATED and column != COMPLEMENT
                cells[(measure, breakdown, column)] = (value, can_publish)
            if percentage:
                equations.append(
                    {
                        (measure, breakdown, NUMERATOR): 1,
                        (measure, breakdown, COMPLEMENT): 1,
                        (measure, breakdown, DENOMINATOR): -1,
                    }
                )
        if TOTAL in measure_rows and members:
            for column in columns:
                equation = {(measure, breakdown, column): 1 for breakdown in members}
                equation[(measure, TOTAL, column)] = -1
                equations.append(equation)

    equations.extend(dict(equation) for equation in extra if all(cell in cells for cell in equation))
    keys = sorted(cells)
    variable_of = {key: index for index, key in enumerate(keys)}
    # Linked cells are one count: one variable, so they are suppressed (and derived) together.
    # Only where the data agree: otherwise the two are not the same count here.
    # A link is (measure, figure) twice (at every breakdown) or (measure, breakdown, figure) twice (one cell).
    pairs = []
    for side_a, side_b in links:
        if len(side_a) == 3:
            pairs.append((side_a, side_b))
        else:
            pairs.extend(
                ((side_a[0], breakdown, side_a[1]), (side_b[0], breakdown, side_b[1]))
                for breakdown in by_measure.get(side_a[0], {})
            )
    for a, b in pairs:
        if a in cells and b in cells and cells[a][0] == cells[b][0]:
            merged, into = variable_of[b], variable_of[a]
            for key, variable in variable_of.items():  # every cell already sharing b's variable
                if variable == merged:
                    variable_of[key] = into
    used = sorted(set(variable_of.values()))
    renumber = {old: new for new, old in enumerate(used)}
    variable_of = {key: renumber[old] for key, old in variable_of.items()}

    values = [0] * len(used)
    # A count is published where any of its cells is (e.g. "over 8 months" is another measure's complement).
    publishable = [False] * len(used)
    preference: list[tuple] = [()] * len(used)
    for key in keys:
        variable = variable_of[key]
        value, can_publish = cells[key]
        values[variable] = value
        publishable[variable] = publishable[variable] or can_publish
        measure, breakdown, column = key
        # smallest non-zero first, breakdown rows before the total, then by name
        preference[variable] = max(
            preference[variable], (value == 0, breakdown == TOTAL, value, breakdown, measure, column)
        )
    relations = np.zeros((len(equations), len(used)))
    for row_index, equation in enumerate(equations):
        for key, coefficient in equation.items():
            relations[row_index, variable_of[key]] += coefficient
    return GroupSystem(keys, variable_of, values, publishable, preference, relations)


def derivable_variables(relations: np.ndarray, unknown: Sequence[int]) -> set[int]:
    """The unknown variables a reader can work out from the known ones: those whose unit vector
    lies in the row space of the relations restricted to the unknowns (equivalently, that are zero
    in every vector of that restriction's null space)."""
    unknown = list(unknown)
    if not unknown:
        return set()
    restricted = relations[:, unknown]
    if restricted.shape[0] == 0:
        return set()
    _, singular, right = np.linalg.svd(restricted)
    rank = int((singular > _TOLERANCE).sum())
    null_space = right[rank:]  # rows span the null space
    if null_space.shape[0] == 0:
        return set(unknown)
    return {
        variable for position, variable in enumerate(unknown) if np.all(np.abs(null_space[:, position]) < _TOLERANCE)
    }


def protect(system: GroupSystem) -> set[int]:
    """The variables to suppress: every disclosive one (1..5), and then, while a suppressed one can
    be worked out, one more published cell: the first by `system.preference` (smallest non-zero,
    breakdown rows before the total) in a relation with it whose suppression protects it; else
    the first such anywhere in the group; else the one that leaves fewest cells derivable."""
    count = len(system.values)
    suppressed = {v for v in range(count) if _is_disclosive(system.values[v])}
    hidden = {v for v in range(count) if not system.publishable[v]}

    def exposed_with(extra: set[int]) -> list[int]:
        chosen = suppressed | extra
        return sorted(derivable_variables(system.relations, sorted(chosen | hidden)) & chosen)

    while exposed := exposed_with(set()):
        target = exposed[0]
        related = np.flatnonzero(system.relations[:, target] != 0)
        neighbours = set(np.flatnonzero((system.relations[related] != 0).any(axis=0)).tolist())
        open_cells = sorted(
            (v for v in range(count) if system.publishable[v] and v not in suppressed),
            key=lambda v: (v not in neighbours, system.preference[v]),
        )
        if not open_cells:
            raise RuntimeError(
                "cannot protect a group: every published cell is already suppressed "
                f"and {system.cells_of(target)} is still derivable"
            )
        outcomes = {v: exposed_with({v}) for v in open_cells}
        chosen = next((v for v in open_cells if target not in outcomes[v]), None)
        if chosen is None:
            chosen = min(open_cells, key=lambda v: len(outcomes[v]))  # stable: ties keep the preference order
        suppressed.add(chosen)
    return {v for v in suppressed if system.publishable[v]}


def suppress_group(rows: Sequence[GroupRow], links: Iterable = LINKED_FIGURES, extra: Iterable = ()) -> set[CellKey]:
    """The published cells (numerators and denominators) of a group to show as `c`."""
    system = build_system(rows, links, extra)
    chosen = protect(system)
    return {key for key in system.keys if system.variable_of[key] in chosen}


# ---- the public tables --------------------------------------------------------------------------
# Each public twin is one `Twin` (TWINS, below): which columns are counts and of which measure,
# which are worked out from them, which compare periods, and which are published as they are.
# Every other column of the table is left out: free text never reaches a twin.

PERCENTAGE = "percentage"  # Derived.how: 100 x numerator / denominator from the exact counts
ROUNDED = "rounded"  # Derived.how: the table's own figure, rounded
# Derived.how: the measure's value by its `unit` column from the exact counts: a percentage (whole),
# a count (the numerator), a rate per 10,000 or an average (one decimal)
BY_UNIT = "by_unit"


@dataclass(frozen=True)
class Figure:
    """A count a table's rows hold (with its denominator, for a percentage) as a cell of a measure.
    The same measure, breakdown, authority and period in two tables is one count: suppressed in both
    or in neither. Measure and breakdown may name the row's columns ("{carer_type}")."""

    numerator: str  # the count's column
    measure: str = "{measure_code}"
    denominator: str | None = None  # the column of the percentage's denominator
    breakdown: str | None = None  # None: the row's (the twin's breakdown columns); else this breakdown
    # (measure, figure): the rows add up to that figure (NUMERATOR, DENOMINATOR or COMPLEMENT) of the
    # measure's authority total (a breakdown table, or the parts of a complement)
    total_of: tuple[str, str] | None = None
    # (figure of this cell, measure, breakdown or None for this one, figure): the same count elsewhere
    same_as: tuple[tuple[str, str, str | None, str], ...] = ()


@dataclass(frozen=True)
class Derived:
    """A column worked out from counts: `c` when any of them is, else rounded (halves up)."""

    column: str
    counts: tuple[str, ...]  # the count columns it is worked out from (PERCENTAGE: numerator, denominator)
    how: str = ROUNDED
    places: int = 0  # decimal places kept (ROUNDED)


@dataclass(frozen=True)
class Comparison:
    """A column showing another period's public value of the same series (so it hides what that hides)."""

    column: str
    of: str  # the public column it shows
    months_back: int | None = None  # None: the previous period (the one ending the day before this starts)


@dataclass(frozen=True)
class Flow:
    """Columns of a stock and its flows: at the end of a period = at the end of the one before + in - out."""

    stock: str
    inflow: str
    outflow: str


@dataclass(frozen=True)
class Twin:
    """How one reporting table is made public (one entry of TWINS)."""

    table: str
    columns: tuple[str, ...]  # published, in this order, where the table has them; no other column is
    figures: tuple[Figure, ...]  # the counts (their columns are published as text: digits or c)
    period: tuple[str, ...] = ("la_code", "period_start", "period_end")  # authority and period: one system each
    breakdown: tuple[str, ...] = ()  # the columns naming a row's breakdown
    total: str | None = TOTAL  # the breakdown columns' value on the total row (None: NULL)
    series: tuple[str, ...] = ()  # the columns naming a row's series across periods (comparisons)
    derived: tuple[Derived, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    rag: tuple[str, str] | None = None  # (rag column, its value column): c where the value is
    direction: tuple[str, str, str] | None = None  # (direction, value, previous value): c where either is
    keep_rows_where_null: tuple[str, ...] = ()  # rows with any of these set are not published (e.g. a home's)
    free_text: tuple[str, ...] = ()  # never published (documented here, and a test checks it)
    quarters: bool = False  # no period_start column: the period is the financial quarter ending period_end
    # Rows whose numerator and denominator are staff FTEs, not counts of children (the workforce
    # measures): only the authority total is published, to one decimal, outside the small-count
    # systems, as DfE publishes every authority's workforce figures and the workforce twin its totals.
    fte_rows: str | None = None  # the measure_code prefix of those rows
    # Stocks and flows: the periods of a series (`series`) are one system, as a reader can chain them.
    flows: tuple[Flow, ...] = ()

    def count_columns(self) -> set[str]:
        return {f.numerator for f in self.figures} | {f.denominator for f in self.figures if f.denominator}

    def required(self) -> list[str]:
        """The columns the table must have (the others of `columns` are published where it has them)."""
        needed = set(self.period) | set(self.breakdown) | self.count_columns() | set(self.series)
        needed |= {d.column for d in self.derived} | {c for d in self.derived for c in d.counts}
        for figure in self.figures:
            needed |= {name for _, name, _, _ in string.Formatter().parse(figure.measure) if name}
        if self.quarters:
            needed.discard("period_start")
        return sorted(needed)


FactKey = tuple[tuple, str, str]  # (authority and period, measure, breakdown)


def _is_fte_row(twin: Twin, row: dict) -> bool:
    return twin.fte_rows is not None and str(row.get("measure_code") or "").startswith(twin.fte_rows)


def _breakdown_of(twin: Twin, row: dict) -> str:
    values = [row[column] for column in twin.breakdown]
    if not values or all(value == twin.total for value in values):
        return TOTAL
    return " / ".join("" if value is None else str(value) for value in values)


def _period_key(twin: Twin, row: dict) -> tuple:
    start = _period_dates(twin, row)[0] if "period_start" in twin.period else None
    return tuple(start if column == "period_start" else row[column] for column in twin.period)


def public_twins(tables: Mapping[Twin, Sequence[dict]], links: Iterable = LINKED_FIGURES) -> dict[str, list[dict]]:
    """The public rows of every table (rows as dicts of the table's columns), suppressed together:
    a count that two tables hold is one cell of one system. Returns {table: public rows}."""
    links = list(links)
    facts: dict[FactKey, tuple[int, int | None, str]] = {}
    cell_of: dict[tuple[str, int, str], tuple[FactKey, str]] = {}  # (table, row, column) -> (fact, figure)
    cell_links: set[tuple[tuple, tuple, tuple]] = set()  # (period, cell, cell): the same count twice
    totals_of: set[tuple] = set()  # (period, breakdown measure, (measure, figure) it adds up to)

    def add_fact(key: FactKey, numerator: int, denominator: int | None, table: str) -> None:
        if key in facts and facts[key][:2] != (numerator, denominator):
            raise ValueError(
                f"{table} and {facts[key][2]} disagree on {key[1]} / {key[2]} at {key[0]}: "
                f"{numerator} of {denominator} against {facts[key][0]} of {facts[key][1]}"
            )
        facts.setdefault(key, (numerator, denominator, table))

    for twin, rows in tables.items():
        for index, row in enumerate(rows):
            period = _period_key(twin, row)
            if _is_fte_row(twin, row):
                continue
            for figure in twin.figures:
                numerator = row[figure.numerator]
                if numerator is None:  # e.g. a census never delivered: no figure to protect
                    continue
                denominator = row[figure.denominator] if figure.denominator else None
                measure = figure.measure.format(**row)
                breakdown = figure.breakdown if figure.breakdown is not None else _breakdown_of(twin, row)
                key = (period, measure, breakdown)
                add_fact(key, numerator, denominator, twin.table)
                cell_of[(twin.table, index, figure.numerator)] = (key, NUMERATOR)
                if figure.denominator:
                    cell_of[(twin.table, index, figure.denominator)] = (key, DENOMINATOR)
                if figure.total_of:
                    totals_of.add((period, measure, (figure.total_of[0].format(**row), figure.total_of[1])))
                for own, other_measure, other_breakdown, other_figure in figure.same_as:
                    other = (
                        other_measure.format(**row),
                        breakdown if other_breakdown is None else other_breakdown.format(**row),
                        other_figure,
                    )
                    cell_links.add((period, (measure, breakdown, own), other))
    # A breakdown table's rows add up to another measure's total: that total is a (hidden) row of theirs.
    for period, measure, (total_measure, total_figure) in sorted(totals_of, key=repr):
        source = facts.get((period, total_measure, TOTAL))
        if source is None or (period, measure, TOTAL) in facts:
            continue
        numerator, denominator = source[0], source[1]
        if total_figure == NUMERATOR:
            total = numerator
        elif denominator is None:
            total = None
        else:
            total = denominator if total_figure == DENOMINATOR else denominator - numerator
        if total is not None:
            facts[(period, measure, TOTAL)] = (total, None, source[2])
            cell_links.add((period, (total_measure, TOTAL, total_figure), (measure, TOTAL, NUMERATOR)))

    # Groups: one per authority and period and set of linked measures.
    links_in: dict[tuple, list] = defaultdict(list)
    for period, a, b in sorted(cell_links, key=repr):
        links_in[period].append((a, b))
    groups: dict[tuple, list[GroupRow]] = defaultdict(list)
    group_links: dict[tuple, list] = {}
    by_period: dict[tuple, list] = defaultdict(list)
    for (period, measure, breakdown), (numerator, denominator, _) in facts.items():
        by_period[period].append((measure, breakdown, numerator, denominator))
    for period, members in by_period.items():
        period_links = links + links_in[period]
        root = _linked_measures(period_links)
        for measure, breakdown, numerator, denominator in members:
            group = (period, root.get(measure, measure))
            groups[group].append(GroupRow(measure, breakdown, numerator, denominator))
            group_links[group] = period_links
    flow_equations = _flow_equations(tables, cell_of)
    hidden: set[tuple] = set()
    for merged in _merge_by_flows(groups, flow_equations):
        if len(merged) == 1:
            [group] = merged
            try:
                chosen = suppress_group(groups[group], group_links[group])
            except ValueError as error:
                raise ValueError(f"{group[0]}: {error}") from error
            hidden |= {((group[0], measure, breakdown), figure) for measure, breakdown, figure in chosen}
            continue
        # Several periods in one system: each period's measures renamed apart, with the flows between.
        name_of: dict[tuple, str] = {}
        merged_rows: list[GroupRow] = []
        renamed_links: list[tuple] = []
        for group in merged:
            period = group[0]
            for group_row in groups[group]:
                name_of[(period, group_row.measure_code)] = f"{group_row.measure_code} @ {period}"
                merged_rows.append(replace(group_row, measure_code=name_of[(period, group_row.measure_code)]))
            for side_a, side_b in group_links[group]:
                renamed_links.append(tuple((f"{side[0]} @ {period}", *side[1:]) for side in (side_a, side_b)))
        extra = [
            {(name_of[(fact[0], fact[1])], fact[2], figure_of): sign for (fact, figure_of), sign in equation.items()}
            for equation in flow_equations
            if all((fact[0], fact[1]) in name_of for fact, _ in equation)
        ]
        original = {name: key for key, name in name_of.items()}
        for measure, breakdown, cell_figure in suppress_group(merged_rows, renamed_links, extra):
            period, measure_code = original[measure]
            hidden.add(((period, measure_code, breakdown), cell_figure))

    return {twin.table: _public_table(twin, rows, cell_of, hidden) for twin, rows in tables.items()}


def _flow_equations(tables: Mapping[Twin, Sequence[dict]], cell_of: dict) -> list[dict]:
    """stock(before) + in - out - stock = 0 per row and flow, where the figures bear it out (a reader
    who chained the periods where they do not would work out wrong figures)."""
    equations = []
    for twin, rows in tables.items():
        if not twin.flows:
            continue
        by_end = {(tuple(row[c] for c in twin.series), _period_dates(twin, row)[1]): i for i, row in enumerate(rows)}
        for index, row in enumerate(rows):
            start, _ = _period_dates(twin, row)
            before = by_end.get((tuple(row[c] for c in twin.series), start - dt.timedelta(days=1)))
            if before is None:
                continue
            for flow in twin.flows:
                terms = (
                    ((before, flow.stock), 1),
                    ((index, flow.inflow), 1),
                    ((index, flow.outflow), -1),
                    ((index, flow.stock), -1),
                )
                cells = [cell_of.get((twin.table, i, column)) for (i, column), _ in terms]
                if None in cells:
                    continue
                if sum(sign * rows[i][column] for (i, column), sign in terms) == 0:
                    equations.append({cell: sign for cell, (_, sign) in zip(cells, terms)})
    return equations


def _merge_by_flows(groups: dict, flow_equations: list[dict]) -> list[list]:
    """The groups, those a flow relation joins (across periods) merged into one."""
    root = {group: group for group in groups}
    group_of = {}
    for group, rows in groups.items():
        for row in rows:
            group_of[(group[0], row.measure_code)] = group

    def find(group):
        while root[group] != group:
            root[group] = root[root[group]]
            group = root[group]
        return group

    for equation in flow_equations:
        members = [group_of[(fact[0], fact[1])] for fact, _ in equation]
        for member in members[1:]:
            root[find(member)] = find(members[0])
    merged = defaultdict(list)
    for group in groups:
        merged[find(group)].append(group)
    return list(merged.values())


def _half_up(value, places: int = 0) -> str:
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _value_by_unit(unit: str | None, numerator, denominator) -> str | None:
    """A measure's public value from its exact counts, as measure_values works it out (rounded)."""
    if numerator is None or denominator == 0:  # no counts to show it by: not shown
        return None
    if denominator is None:  # a count measure's value is the count
        return str(numerator)
    if unit == "rate_per_10000":
        return _half_up(Decimal(numerator) / Decimal(denominator) * 10000, 1)
    if unit == "average":
        return _half_up(Decimal(numerator) / Decimal(denominator), 1)
    return rounded_percentage(numerator, denominator)


def _public_table(twin: Twin, rows: Sequence[dict], cell_of: dict, hidden: set) -> list[dict]:
    counts = twin.count_columns()
    present = set(rows[0]) if rows else set(twin.columns)
    columns = [c for c in twin.columns if c in present or c in {x.column for x in twin.comparisons}]
    published: list[dict[str, Any]] = []
    periods: list[tuple[dt.date, dt.date]] = []
    for index, row in enumerate(rows):
        if any(row.get(column) is not None for column in twin.keep_rows_where_null):
            continue
        fte_row = _is_fte_row(twin, row)
        if fte_row and _breakdown_of(twin, row) != twin.total:
            continue

        def is_hidden(column: str) -> bool:
            cell = cell_of.get((twin.table, index, column))
            if cell is None:  # a count outside every system (its figure has no numerator): the rule alone
                return row[column] is not None and _is_disclosive(row[column])
            return cell in hidden

        out: dict[str, Any] = {}
        for column in columns:
            if column in counts and fte_row:
                out[column] = None if row[column] is None else _half_up(row[column], 1)
            elif column in counts:
                out[column] = None if row[column] is None else SUPPRESSED if is_hidden(column) else str(row[column])
            elif column not in {c.column for c in twin.comparisons}:
                out[column] = row.get(column)
        for derived in twin.derived:
            if derived.column not in out:
                continue
            if row[derived.column] is None:  # nothing to show (e.g. a percentage of nothing)
                out[derived.column] = None
            elif not fte_row and any(row[c] is not None and is_hidden(c) for c in derived.counts):
                out[derived.column] = SUPPRESSED
            elif derived.how in (BY_UNIT, PERCENTAGE):
                unit = row.get("unit") if derived.how == BY_UNIT else "percentage"
                out[derived.column] = _value_by_unit(unit, *(row[c] for c in derived.counts))
            else:
                out[derived.column] = _half_up(row[derived.column], derived.places)
        if twin.rag and twin.rag[0] in out and out.get(twin.rag[1]) == SUPPRESSED and row[twin.rag[0]] is not None:
            out[twin.rag[0]] = SUPPRESSED  # a measure without thresholds has no RAG to hide
        published.append(out)
        periods.append(_period_dates(twin, row))

    series_of = [c for c in twin.series if c in columns]
    by_end, by_start = {}, {}
    for out, (start, end) in zip(published, periods):
        series = tuple(out[c] for c in series_of)
        by_end[(series, end)] = out
        by_start[(series, start, end)] = out
    for out, (start, end) in zip(published, periods):
        series = tuple(out[c] for c in series_of)
        for comparison in twin.comparisons:
            if comparison.months_back is None:
                earlier = by_end.get((series, start - dt.timedelta(days=1)))
            else:
                back = comparison.months_back
                day_after = _months_before(end + dt.timedelta(days=1), back)
                earlier = by_start.get((series, _months_before(start, back), day_after - dt.timedelta(days=1)))
            out[comparison.column] = None if earlier is None else earlier[comparison.of]
        if twin.direction and twin.direction[0] in out:
            direction, value, previous = twin.direction
            # Against a suppressed previous figure the direction (e.g. no change) would tell its share.
            if out[direction] is not None and SUPPRESSED in (out.get(value), out.get(previous)):
                out[direction] = SUPPRESSED
    return [{c: out.get(c) for c in columns} for out in published]


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    return dt.date(month_index // 12, month_index % 12 + 1, day.day)


def _period_dates(twin: Twin, row: dict) -> tuple[dt.date, dt.date]:
    end = row["period_end"]
    start = row.get("period_start")
    if start is None:
        months = 3 if twin.quarters else 1
        start = _months_before(end + dt.timedelta(days=1), months)
    return start, end


def rounded_percentage(numerator: int, denominator: int) -> str:
    """A whole-number percentage, halves rounded up (exact integer arithmetic)."""
    return str((200 * numerator + denominator) // (2 * denominator))


def _linked_measures(links: Iterable) -> dict[str, str]:
    """measure -> the measure that names its group (linked measures share a group)."""
    root: dict[str, str] = {}

    def find(measure: str) -> str:
        while root.get(measure, measure) != measure:
            measure = root[measure]
        return measure

    for side_a, side_b in links:
        a, b = find(side_a[0]), find(side_b[0])
        if a != b:
            root[max(a, b)] = min(a, b)
    return {measure: find(measure) for measure in root}


PUBLIC_COLUMNS = (  # the quarterly report tables' twins: (column, type)
    ("la_code", "text"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("financial_year", "text"),
    ("financial_quarter", "text"),
    ("measure_code", "text"),
    ("measure_name", "text"),
    ("display_order", "integer"),
    ("unit", "text"),
    ("breakdown_by", "text"),
    ("breakdown", "text"),
    ("numerator", "text"),
    ("denominator", "text"),
    ("value", "text"),
    ("target", "numeric"),
    ("rag", "text"),
    ("previous_quarter_value", "text"),
    ("same_quarter_last_year_value", "text"),
    ("direction_of_travel", "text"),
)

# ---- the twins ----------------------------------------------------------------------------------

NO_TOTAL = "\x00"  # Twin.total of a table without a total row: no breakdown value is it
COMMENTARY = ("commentary", "commentary_action", "commentary_owner", "commentary_author")
QUARTERLY_COLUMNS = tuple(name for name, _ in PUBLIC_COLUMNS)
BENCHMARK_COLUMNS = (  # DfE's published figures for England, the region and the neighbours: public already
    "benchmark_time_period",
    "england_value",
    "region_value",
    "statistical_neighbours_value",
    "rank_among_authorities",
    "authorities_ranked",
    "quartile",
)
_MEASURE_FIGURES = (Figure("numerator", denominator="denominator"),)
_MEASURE_VALUE = (Derived("value", ("numerator", "denominator"), BY_UNIT),)

# The quarterly report tables (reporting_build.quarterly_report_*): one Twin each, with this shape.
QUARTERLY_REPORT = Twin(
    table=REPORT_TABLE_PREFIX + "*",
    columns=QUARTERLY_COLUMNS,
    figures=_MEASURE_FIGURES,
    breakdown=("breakdown",),
    series=("la_code", "measure_code", "breakdown"),
    derived=_MEASURE_VALUE,
    comparisons=(
        Comparison("previous_quarter_value", "value"),
        Comparison("same_quarter_last_year_value", "value", 12),
    ),
    rag=("rag", "value"),
    direction=("direction_of_travel", "value", "previous_quarter_value"),
)

TWINS = (
    # Seed 002's quarterly performance report (from measure_values): the quarterly tables' shape,
    # with its section and DfE's benchmarks; the commentary is free text, never published.
    Twin(
        table="quarterly_performance_report",
        columns=(
            "la_code",
            "la_name",
            "section",
            "section_order",
            "section_title",
            "period_start",
            "period_end",
            "financial_year",
            "financial_quarter",
            "measure_code",
            "measure_name",
            "display_order",
            "unit",
            "polarity",
            "breakdown_by",
            "breakdown",
            "numerator",
            "denominator",
            "value",
            "target",
            "rag",
            "previous_quarter_value",
            "same_quarter_last_year_value",
            "direction_of_travel",
            "value_status",
            *BENCHMARK_COLUMNS,
        ),
        figures=_MEASURE_FIGURES,
        breakdown=("breakdown",),
        series=("la_code", "measure_code", "breakdown"),
        derived=_MEASURE_VALUE,
        comparisons=QUARTERLY_REPORT.comparisons,
        rag=("rag", "value"),
        direction=("direction_of_travel", "value", "previous_quarter_value"),
        free_text=COMMENTARY,
        quarters=True,
        fte_rows="workforce_",
    ),
    Twin(
        table="children_in_care_scorecard",
        columns=(
            "la_code",
            "period_type",
            "period_start",
            "period_end",
            "financial_year",
            "measure_code",
            "measure_name",
            "display_order",
            "numerator",
            "denominator",
            "not_known",
            "value_status",
            "percentage",
            "target",
            "rag",
            "polarity",
            "previous_percentage",
            "direction_of_travel",
        ),
        figures=(*_MEASURE_FIGURES, Figure("not_known", measure="{measure_code}:not_known")),
        series=("la_code", "period_type", "measure_code"),
        derived=(Derived("percentage", ("numerator", "denominator"), PERCENTAGE),),
        comparisons=(Comparison("previous_percentage", "percentage"),),
        rag=("rag", "percentage"),
        direction=("direction_of_travel", "percentage", "previous_percentage"),
    ),
    Twin(
        table="children_in_care_placement_types",
        columns=(
            "la_code",
            "period_type",
            "period_start",
            "period_end",
            "financial_year",
            "placement_type",
            "placement_type_name",
            "display_order",
            "looked_after_at_period_end",
            "looked_after_during_period",
            "started_in_period",
            "ceased_in_period",
        ),
        figures=tuple(
            Figure(column, measure=f"children_in_care_{column}")
            for column in (
                "looked_after_at_period_end",
                "looked_after_during_period",
                "started_in_period",
                "ceased_in_period",
            )
        ),
        breakdown=("placement_type",),
        total=NO_TOTAL,
        series=("la_code", "period_type", "placement_type"),
        flows=(Flow("looked_after_at_period_end", "started_in_period", "ceased_in_period"),),
    ),
    Twin(
        table="children_in_need_scorecard",
        columns=(
            "la_code",
            "period_type",
            "period_start",
            "period_end",
            "financial_year",
            "measure_code",
            "measure_name",
            "display_order",
            "unit",
            "numerator",
            "denominator",
            "value_status",
            "percentage",
            "value",
            "target",
            "rag",
            "polarity",
            "previous_value",
            "same_period_last_year_value",
            "direction_of_travel",
        ),
        figures=_MEASURE_FIGURES,
        series=("la_code", "period_type", "measure_code"),
        derived=(Derived("percentage", ("numerator", "denominator"), PERCENTAGE), *_MEASURE_VALUE),
        comparisons=(Comparison("previous_value", "value"), Comparison("same_period_last_year_value", "value", 12)),
        rag=("rag", "value"),
        direction=("direction_of_travel", "value", "previous_value"),
    ),
    Twin(
        table="children_in_need_referral_sources",
        columns=(
            "la_code",
            "period_type",
            "period_start",
            "period_end",
            "financial_year",
            "referral_source",
            "referrals",
            "all_referrals",
            "percentage",
        ),
        figures=(
            Figure("referrals", measure="referrals_by_source", total_of=("referrals", NUMERATOR)),
            Figure("all_referrals", measure="referrals", breakdown=TOTAL),
        ),
        breakdown=("referral_source",),
        total=NO_TOTAL,
        derived=(Derived("percentage", ("referrals", "all_referrals"), PERCENTAGE),),
    ),
    Twin(
        table="children_in_need_assessment_factors",
        columns=(
            "la_code",
            "period_type",
            "period_start",
            "period_end",
            "financial_year",
            "factor",
            "assessments",
            "assessments_completed",
            "percentage",
        ),
        figures=(
            # not a breakdown (an assessment has several factors): each factor a share of all assessments
            Figure(
                "assessments",
                measure="assessments_with_factor:{factor}",
                denominator="assessments_completed",
                breakdown=TOTAL,
                same_as=((DENOMINATOR, "assessments_completed", TOTAL, NUMERATOR),),
            ),
            Figure("assessments_completed", measure="assessments_completed", breakdown=TOTAL),
        ),
        derived=(Derived("percentage", ("assessments", "assessments_completed"), PERCENTAGE),),
    ),
    Twin(
        table="children_in_need_primary_needs",
        columns=(
            "la_code",
            "period_type",
            "period_start",
            "period_end",
            "financial_year",
            "primary_need_code",
            "referrals",
            "children_in_need_at_period_end",
        ),
        figures=(
            Figure("referrals", measure="referrals_by_primary_need", total_of=("referrals", NUMERATOR)),
            Figure(
                "children_in_need_at_period_end",
                measure="children_in_need_by_primary_need",
                total_of=("children_in_need_at_period_end", NUMERATOR),
            ),
        ),
        breakdown=("primary_need_code",),
        total=NO_TOTAL,
    ),
    Twin(
        table="children_in_need_abuse_categories",
        columns=(
            "la_code",
            "period_type",
            "period_start",
            "period_end",
            "financial_year",
            "category_kind",
            "category_of_abuse",
            "plans_started",
            "plans_open_at_period_end",
        ),
        figures=(
            # plans starting are the denominator of plans starting for a second or subsequent time
            Figure(
                "plans_started",
                measure="cp_plans_started_by_{category_kind}_category",
                total_of=("cp_plans_second_or_subsequent", DENOMINATOR),
            ),
            Figure(
                "plans_open_at_period_end",
                measure="cp_plans_open_by_{category_kind}_category",
                total_of=("cp_plans_at_period_end", NUMERATOR),
            ),
        ),
        breakdown=("category_of_abuse",),
        total=NO_TOTAL,
    ),
    # Staff, not children, but a team's handful of leavers is people who can be named.
    Twin(
        table="workforce_monthly",
        columns=(
            "la_code",
            "team",
            "period_end",
            "financial_year",
            "financial_quarter",
            "headcount",
            "fte_in_post",
            "employed_fte",
            "agency_fte",
            "agency_rate",
            "national_agency_rate",
            "leavers_12_months",
            "leavers_fte_12_months",
            "average_employed_fte_12_months",
            "turnover_rate",
            "national_turnover_rate",
            "establishment_fte",
            "vacancy_fte",
            "vacancy_rate",
            "national_vacancy_rate",
            "case_holding_fte",
            "caseload_total",
            "average_caseload",
            "national_average_caseload",
        ),
        figures=tuple(
            Figure(column, measure=f"workforce_{column}")
            for column in ("headcount", "leavers_12_months", "caseload_total")
        ),
        period=("la_code", "period_end"),
        breakdown=("team",),
        total=None,  # the authority's row has no team
        # FTEs add up over teams as headcounts do: hidden where the headcount is, so as safe as it
        derived=(
            *(
                Derived(column, ("headcount",), places=1)
                for column in (
                    "fte_in_post",
                    "employed_fte",
                    "agency_fte",
                    "agency_rate",
                    "average_employed_fte_12_months",
                    "establishment_fte",
                    "vacancy_fte",
                    "vacancy_rate",
                    "case_holding_fte",
                )
            ),
            Derived("leavers_fte_12_months", ("leavers_12_months",), places=1),
            Derived("turnover_rate", ("leavers_12_months", "headcount"), places=1),
            Derived("average_caseload", ("caseload_total", "headcount"), places=1),
        ),
    ),
    # Homes and registered places are public (Ofsted registers every children's home); the children
    # in them (occupied places, vacancies = registered - occupied) are protected.
    Twin(
        table="residential_homes_monthly",
        columns=(
            "la_code",
            "period_end",
            "provision",
            "financial_year",
            "financial_quarter",
            "homes_applied",
            "homes_registered",
            "homes_unregistered",
            "homes_closed",
            "homes_registered_in_month",
            "homes_closed_in_month",
            "registered_places",
            "occupied_places",
            "vacancies",
            "occupancy_rate",
            "unregistered_occupied_places",
        ),
        figures=(
            Figure("occupied_places", measure="residential_occupied_places", denominator="registered_places"),
            Figure(
                "vacancies",
                measure="residential_vacancies",
                same_as=((NUMERATOR, "residential_occupied_places", None, COMPLEMENT),),
            ),
            Figure(
                "registered_places",
                measure="residential_registered_places",
                same_as=((NUMERATOR, "residential_occupied_places", None, DENOMINATOR),),
            ),
            Figure("unregistered_occupied_places", measure="residential_unregistered_occupied_places"),
        ),
        period=("la_code", "period_end"),
        breakdown=("provision",),
        total=None,
        derived=(Derived("occupancy_rate", ("occupied_places", "registered_places"), PERCENTAGE),),
    ),
    # Ofsted's judgements of homes: public, no children counted.
    Twin(
        table="residential_inspections",
        columns=(
            "la_code",
            "period_end",
            "financial_year",
            "financial_quarter",
            "judgement",
            "display_order",
            "homes",
            "internal_homes",
            "external_homes",
            "open_homes",
            "percentage",
        ),
        figures=(),
        period=("la_code", "period_end"),
    ),
    # Visits to homes, per provision and authority; a single home's rows are not published.
    Twin(
        table="regulation_44_visits",
        columns=(
            "la_code",
            "period_end",
            "financial_year",
            "financial_quarter",
            "provision",
            "visits",
            "recommendations",
            "homes_visited",
            "homes_open_all_month",
            "homes_open_all_month_visited",
            "visited_percentage",
        ),
        figures=(),
        period=("la_code", "period_end"),
        keep_rows_where_null=("home_key",),
    ),
    Twin(
        table="residential_registration_timeliness",
        columns=(
            "la_code",
            "period_end",
            "financial_year",
            "financial_quarter",
            "homes_registered_in_month",
            "homes_registered_12_months",
            "average_days_to_registration_12_months",
            "longest_days_to_registration_12_months",
            "applications_waiting",
            "average_days_waiting",
            "longest_days_waiting",
        ),
        figures=(),
        period=("la_code", "period_end"),
    ),
    # Prospective foster carers are people: every recruitment count is protected, per carer type.
    Twin(
        table="recruitment_funnel",
        columns=(
            "la_code",
            "period_start",
            "period_end",
            "financial_year",
            "financial_quarter",
            "carer_type",
            "enquiries",
            "initial_visits",
            "applications",
            "assessments_started",
            "panels",
            "approvals",
            "withdrawals",
        ),
        figures=tuple(
            Figure(column, measure=f"recruitment_{column}:{{carer_type}}")
            for column in (
                "enquiries",
                "initial_visits",
                "applications",
                "assessments_started",
                "panels",
                "approvals",
                "withdrawals",
            )
        ),
    ),
    Twin(
        table="recruitment_withdrawals",
        columns=(
            "la_code",
            "period_start",
            "period_end",
            "financial_year",
            "financial_quarter",
            "carer_type",
            "withdrawn_from_stage",
            "withdrawal_reason",
            "withdrawals",
        ),
        # a breakdown of the funnel's withdrawals of the month and carer type
        figures=(Figure("withdrawals", measure="recruitment_withdrawals:{carer_type}"),),
        breakdown=("withdrawn_from_stage", "withdrawal_reason"),
        total=NO_TOTAL,
    ),
    Twin(
        table="recruitment_conversion",
        columns=(
            "la_code",
            "period_start",
            "period_end",
            "financial_year",
            "financial_quarter",
            "carer_type",
            "enquiries",
            "reached_initial_visit",
            "reached_application",
            "reached_assessment",
            "approved",
            "withdrawn",
            "in_progress",
            "enquiry_to_application_percentage",
            "application_to_approval_percentage",
            "enquiry_to_approval_percentage",
        ),
        figures=(
            # the month's enquiries (the funnel's) end approved, withdrawn or in progress
            *(
                Figure(column, measure="recruitment_cohort:{carer_type}", breakdown=column)
                for column in ("approved", "withdrawn", "in_progress")
            ),
            *(
                Figure(
                    column,
                    measure=f"recruitment_{column}:{{carer_type}}",
                    denominator="enquiries",
                    breakdown=TOTAL,
                    same_as=((DENOMINATOR, "recruitment_enquiries:{carer_type}", TOTAL, NUMERATOR),),
                )
                for column in ("reached_initial_visit", "reached_application", "reached_assessment")
            ),
            Figure(
                "approved",
                measure="recruitment_approved_of_applications:{carer_type}",
                denominator="reached_application",
                breakdown=TOTAL,
                same_as=(
                    (NUMERATOR, "recruitment_cohort:{carer_type}", "approved", NUMERATOR),
                    (DENOMINATOR, "recruitment_reached_application:{carer_type}", TOTAL, NUMERATOR),
                ),
            ),
            Figure(
                "enquiries",
                measure="recruitment_cohort:{carer_type}",
                breakdown=TOTAL,
                same_as=((NUMERATOR, "recruitment_enquiries:{carer_type}", TOTAL, NUMERATOR),),
            ),
            Figure("enquiries", measure="recruitment_enquiries:{carer_type}", breakdown=TOTAL),
        ),
        derived=(
            Derived("enquiry_to_application_percentage", ("reached_application", "enquiries"), PERCENTAGE),
            Derived("application_to_approval_percentage", ("approved", "reached_application"), PERCENTAGE),
            Derived("enquiry_to_approval_percentage", ("approved", "enquiries"), PERCENTAGE),
        ),
    ),
    Twin(
        table="recruitment_timeliness",
        columns=(
            "la_code",
            "period_start",
            "period_end",
            "financial_year",
            "financial_quarter",
            "carer_type",
            "panels",
            "within_8_months",
            "over_8_months",
            "application_date_not_known",
            "within_8_months_percentage",
            "average_days_application_to_panel",
        ),
        figures=(
            Figure(
                "within_8_months",
                measure="recruitment_within_8_months:{carer_type}",
                denominator="panels",
                breakdown=TOTAL,
                # every panel of the month, as the funnel counts them
                same_as=((DENOMINATOR, "recruitment_panels:{carer_type}", TOTAL, NUMERATOR),),
            ),
            # The panels not within 8 months are those over 8 months and those whose application date
            # is not known: two parts of the first figure's complement.
            Figure(
                "over_8_months",
                measure="recruitment_not_within_8_months:{carer_type}",
                breakdown="over_8_months",
                total_of=("recruitment_within_8_months:{carer_type}", COMPLEMENT),
            ),
            Figure(
                "application_date_not_known",
                measure="recruitment_not_within_8_months:{carer_type}",
                breakdown="application_date_not_known",
                total_of=("recruitment_within_8_months:{carer_type}", COMPLEMENT),
            ),
        ),
        derived=(
            Derived("within_8_months_percentage", ("within_8_months", "panels"), PERCENTAGE),
            Derived("average_days_application_to_panel", ("panels",)),
        ),
    ),
    Twin(
        table="regulation_24",
        columns=(
            "la_code",
            "period_start",
            "period_end",
            "financial_year",
            "financial_quarter",
            "started",
            "ended",
            "ended_within_16_weeks",
            "ended_over_16_weeks",
            "ended_over_24_weeks",
            "average_days_ended",
            "open_at_period_end",
            "open_over_16_weeks_at_period_end",
        ),
        figures=(
            Figure("started", measure="regulation_24_started"),
            Figure("ended", measure="regulation_24_ended"),
            Figure("ended_within_16_weeks", measure="regulation_24_ended", breakdown="within_16_weeks"),
            Figure("ended_over_16_weeks", measure="regulation_24_ended", breakdown="over_16_weeks"),
            Figure(
                "ended_over_24_weeks",
                measure="regulation_24_ended_over_24_weeks",
                denominator="ended_over_16_weeks",
                breakdown=TOTAL,
                same_as=((DENOMINATOR, "regulation_24_ended", "over_16_weeks", NUMERATOR),),
            ),
            Figure(
                "open_over_16_weeks_at_period_end",
                measure="regulation_24_open_over_16_weeks",
                denominator="open_at_period_end",
            ),
        ),
        derived=(Derived("average_days_ended", ("ended",)),),
        series=("la_code",),
        flows=(Flow("open_at_period_end", "started", "ended"),),
    ),
)


def twins_for(tables: Iterable[str]) -> list[Twin]:
    """The twins of the tables that exist (a table not built yet has no twin until it is)."""
    tables = set(tables)
    twins = [replace(QUARTERLY_REPORT, table=t) for t in sorted(tables) if t.startswith(REPORT_TABLE_PREFIX)]
    return twins + [twin for twin in TWINS if twin.table in tables]


def _column_types(cur, table: str) -> dict[str, str]:
    cur.execute(
        """select attname, format_type(atttypid, atttypmod) from pg_attribute
        where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum""",
        (sql.Identifier(SOURCE_SCHEMA, table).as_string(cur),),
    )
    return dict(cur.fetchall())


# Appended to the comment of a column the twin publishes as text (a figure, or what would reveal one).
PUBLISHED_AS_TEXT = (
    f"Public twin: published as text, `{SUPPRESSED}` where suppressed to protect confidentiality (docs/disclosure.md)."
)


def _source_comments(cur, table: str) -> tuple[str | None, dict[str, str]]:
    """The table comment and the column comments (dbt's persist_docs) of reporting_build.<table>."""
    source = sql.Identifier(SOURCE_SCHEMA, table).as_string(cur)
    cur.execute("select obj_description(%s::regclass, 'pg_class')", (source,))
    (described,) = cur.fetchone()
    cur.execute(
        """select attname, col_description(attrelid, attnum) from pg_attribute
        where attrelid = %s::regclass and attnum > 0 and not attisdropped""",
        (source,),
    )
    return described, {name: text for name, text in cur.fetchall() if text}


def _copy_comments(cur, twin: Twin, names: Sequence[str], as_text: set[str]) -> None:
    """Give the public twin its source's table and column comments (what Metabase and Power BI
    show as descriptions), saying which columns are published as text with `c`. A column the source
    lacks (a figure the twin works out) is described from what it is worked out from."""
    described, columns = _source_comments(cur, twin.table)
    target = sql.Identifier(PUBLIC_BUILD_SCHEMA, twin.table)
    table_comment = (described or f"The public twin of reporting.{twin.table}.").strip()
    cur.execute(
        sql.SQL("comment on table {} is {}").format(
            target,
            sql.Literal(
                f"{table_comment} Public twin of reporting.{twin.table}: counts of "
                f"{SMALLEST_DISCLOSIVE} to {LARGEST_DISCLOSIVE}, and what would reveal them, are `{SUPPRESSED}` "
                "(docs/disclosure.md)."
            ),
        )
    )
    derived = {d.column: d for d in twin.derived}
    compared = {c.column: c for c in twin.comparisons}
    for name in names:
        text = columns.get(name, "").strip()
        if not text and name in derived:
            text = f"Worked out from {', '.join(derived[name].counts)}."
        elif not text and name in compared:
            text = f"{compared[name].of} of the earlier period of the same series."
        elif not text:
            text = f"{name} as reporting.{twin.table} publishes it."
        if name in as_text:
            text = f"{text} {PUBLISHED_AS_TEXT}"
        cur.execute(
            sql.SQL("comment on column {} is {}").format(
                sql.Identifier(PUBLIC_BUILD_SCHEMA, twin.table, name), sql.Literal(text)
            )
        )


def build_public_tables(cur) -> list[str]:
    """Write the public twin of every table of TWINS (and every reporting_build.quarterly_report_*
    table) that dbt has built into public_reporting_build (which publish then swaps into
    public_reporting); return their names."""
    cur.execute("select tablename from pg_tables where schemaname = %s", (SOURCE_SCHEMA,))
    twins = twins_for(name for (name,) in cur.fetchall())
    cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(PUBLIC_BUILD_SCHEMA)))
    # Everything in the build schema is published by the swap: nothing left over from elsewhere.
    cur.execute("select tablename from pg_tables where schemaname = %s", (PUBLIC_BUILD_SCHEMA,))
    for (stale,) in cur.fetchall():
        cur.execute(sql.SQL("drop table {}").format(sql.Identifier(PUBLIC_BUILD_SCHEMA, stale)))
    sources, types = {}, {}
    for twin in twins:
        types[twin.table] = _column_types(cur, twin.table)
        if missing := sorted(set(twin.required()) - set(types[twin.table])):
            raise RuntimeError(
                f"cannot build the public {twin.table}: {SOURCE_SCHEMA}.{twin.table} has no column(s) {', '.join(missing)}"
            )
        read = [c for c in types[twin.table] if c in {*twin.columns, *twin.required(), *twin.keep_rows_where_null}]
        cur.execute(
            sql.SQL("select {} from {}").format(
                sql.SQL(", ").join(map(sql.Identifier, read)), sql.Identifier(SOURCE_SCHEMA, twin.table)
            )
        )
        sources[twin] = [dict(zip(read, record)) for record in cur.fetchall()]
    try:
        public = public_twins(sources)
    except ValueError as error:
        raise RuntimeError(f"cannot build the public tables: {error}") from error
    for twin in twins:
        as_text = twin.count_columns() | {d.column for d in twin.derived} | {c.column for c in twin.comparisons}
        as_text |= {twin.rag[0]} if twin.rag else set()
        as_text |= {twin.direction[0]} if twin.direction else set()
        names = [c for c in twin.columns if c in types[twin.table] or c in as_text]
        target = sql.Identifier(PUBLIC_BUILD_SCHEMA, twin.table)
        cur.execute(
            sql.SQL("create table {} ({})").format(
                target,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(
                        sql.Identifier(name), sql.SQL("text" if name in as_text else types[twin.table][name])
                    )
                    for name in names
                ),
            )
        )
        _copy_comments(cur, twin, names, as_text)
        if public[twin.table]:
            execute_values(
                cur,
                sql.SQL("insert into {} ({}) values %s")
                .format(target, sql.SQL(", ").join(map(sql.Identifier, names)))
                .as_string(cur),
                [tuple(row[name] for name in names) for row in public[twin.table]],
                page_size=1000,
            )
    return [twin.table for twin in twins]
