"""Disclosure control: the `public_reporting` tables, for committee papers and publication.

Each quarterly report table of `reporting` gets a public twin in which every count from 1 to 5 is
replaced by `c` (as DfE publishes), and so is every figure that would let one be worked out from
the others: the internal tables keep exact figures. docs/disclosure.md describes the rule.

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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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


def build_system(rows: Sequence[GroupRow], links: Iterable = LINKED_FIGURES) -> GroupSystem:
    """The cells and linear relations of one group's rows (one or more measures)."""
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

    keys = sorted(cells)
    variable_of = {key: index for index, key in enumerate(keys)}
    # Linked cells are one count: one variable, so they are suppressed (and derived) together.
    # Only where the data agree: otherwise the two are not the same count here.
    for (measure_a, figure_a), (measure_b, figure_b) in links:
        for breakdown in by_measure.get(measure_a, {}):
            a, b = (measure_a, breakdown, figure_a), (measure_b, breakdown, figure_b)
            if a in cells and b in cells and cells[a][0] == cells[b][0]:
                variable_of[b] = variable_of[a]
    used = sorted(set(variable_of.values()))
    renumber = {old: new for new, old in enumerate(used)}
    variable_of = {key: renumber[old] for key, old in variable_of.items()}

    values = [0] * len(used)
    publishable = [True] * len(used)
    preference: list[tuple] = [()] * len(used)
    for key in keys:
        variable = variable_of[key]
        value, can_publish = cells[key]
        values[variable] = value
        publishable[variable] = publishable[variable] and can_publish
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


def suppress_group(rows: Sequence[GroupRow], links: Iterable = LINKED_FIGURES) -> set[CellKey]:
    """The published cells (numerators and denominators) of a group to show as `c`."""
    system = build_system(rows, links)
    chosen = protect(system)
    return {key for key in system.keys if system.variable_of[key] in chosen}


# ---- the public tables --------------------------------------------------------------------------

LABEL_COLUMNS = (
    "la_code",
    "period_start",
    "period_end",
    "financial_year",
    "financial_quarter",
    "measure_code",
    "measure_name",
    "display_order",
    "unit",
    "breakdown_by",
    "breakdown",
)
SOURCE_COLUMNS = LABEL_COLUMNS + ("numerator", "denominator", "value", "target", "rag", "direction_of_travel")
PUBLIC_COLUMNS = (
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


def _linked_measures(links: Iterable) -> dict[str, str]:
    """measure -> the measure that names its group (linked measures share a group)."""
    root: dict[str, str] = {}

    def find(measure: str) -> str:
        while root.get(measure, measure) != measure:
            measure = root[measure]
        return measure

    for (measure_a, _), (measure_b, _) in links:
        a, b = find(measure_a), find(measure_b)
        if a != b:
            root[max(a, b)] = min(a, b)
    return {measure: find(measure) for measure in root}


def rounded_percentage(numerator: int, denominator: int) -> str:
    """A whole-number percentage, halves rounded up (exact integer arithmetic)."""
    return str((200 * numerator + denominator) // (2 * denominator))


def _quarter_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    return dt.date(month_index // 12, month_index % 12 + 1, day.day)


def public_rows(rows: Sequence[dict], links: Iterable = LINKED_FIGURES) -> list[dict]:
    """A quarterly report table's rows (dicts of SOURCE_COLUMNS) made public: suppressed per group,
    percentages rounded, comparisons taken from the public rows of those quarters."""
    links = tuple(links)
    group_of = _linked_measures(links)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        measure = row["measure_code"]
        groups[(row["la_code"], row["period_end"], group_of.get(measure, measure))].append(row)

    published = []
    for members in groups.values():
        hidden = suppress_group(
            [GroupRow(r["measure_code"], r["breakdown"], r["numerator"], r["denominator"]) for r in members], links
        )
        for row in members:
            measure, breakdown = row["measure_code"], row["breakdown"]
            numerator_hidden = (measure, breakdown, NUMERATOR) in hidden
            denominator_hidden = (measure, breakdown, DENOMINATOR) in hidden
            if row["value"] is None:
                value = None
            elif row["unit"] == "count":
                value = SUPPRESSED if numerator_hidden else str(row["numerator"])
            elif numerator_hidden or denominator_hidden:
                value = SUPPRESSED  # with a published denominator the percentage gives the numerator away
            else:
                value = rounded_percentage(row["numerator"], row["denominator"])
            published.append(
                {
                    **{column: row[column] for column in LABEL_COLUMNS},
                    "numerator": SUPPRESSED if numerator_hidden else str(row["numerator"]),
                    "denominator": None
                    if row["denominator"] is None
                    else SUPPRESSED
                    if denominator_hidden
                    else str(row["denominator"]),
                    "value": value,
                    "target": row["target"],
                    # a measure without thresholds has no RAG to hide
                    "rag": SUPPRESSED if value == SUPPRESSED and row["rag"] is not None else row["rag"],
                    "direction_of_travel": row["direction_of_travel"],
                }
            )

    value_at = {(r["la_code"], r["measure_code"], r["breakdown"], r["period_start"]): r["value"] for r in published}
    missing = object()
    for row in published:
        series = (row["la_code"], row["measure_code"], row["breakdown"])
        previous = value_at.get((*series, _quarter_before(row["period_start"], 3)), missing)
        last_year = value_at.get((*series, _quarter_before(row["period_start"], 12)), missing)
        row["previous_quarter_value"] = None if previous is missing else previous
        row["same_quarter_last_year_value"] = None if last_year is missing else last_year
        # Against a suppressed previous figure the direction (e.g. no change) would tell its share.
        if row["direction_of_travel"] is not None and SUPPRESSED in (row["value"], row["previous_quarter_value"]):
            row["direction_of_travel"] = SUPPRESSED
    published.sort(
        key=lambda r: (
            r["la_code"],
            r["period_end"],
            r["display_order"],
            r["measure_code"],
            r["breakdown"] != TOTAL,
            r["breakdown"],
        )
    )
    return published


def build_public_tables(cur) -> list[str]:
    """Write the public twin of every reporting_build.quarterly_report_* table into
    public_reporting_build (which publish then swaps into public_reporting); return their names."""
    cur.execute(
        "select tablename from pg_tables where schemaname = %s and starts_with(tablename, %s) order by tablename",
        (SOURCE_SCHEMA, REPORT_TABLE_PREFIX),
    )
    tables = [name for (name,) in cur.fetchall()]
    cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(PUBLIC_BUILD_SCHEMA)))
    # Everything in the build schema is published by the swap: nothing left over from elsewhere.
    cur.execute("select tablename from pg_tables where schemaname = %s", (PUBLIC_BUILD_SCHEMA,))
    for (stale,) in cur.fetchall():
        cur.execute(sql.SQL("drop table {}").format(sql.Identifier(PUBLIC_BUILD_SCHEMA, stale)))
    for table in tables:
        cur.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            (SOURCE_SCHEMA, table),
        )
        if missing := sorted(set(SOURCE_COLUMNS) - {name for (name,) in cur.fetchall()}):
            raise RuntimeError(
                f"cannot build the public {table}: {SOURCE_SCHEMA}.{table} has no column(s) {', '.join(missing)}"
            )
        cur.execute(
            sql.SQL("select {} from {}").format(
                sql.SQL(", ").join(map(sql.Identifier, SOURCE_COLUMNS)), sql.Identifier(SOURCE_SCHEMA, table)
            )
        )
        rows = [dict(zip(SOURCE_COLUMNS, record)) for record in cur.fetchall()]
        try:
            public = public_rows(rows)
        except ValueError as error:
            raise RuntimeError(f"cannot build the public {table}: {error}") from error
        target = sql.Identifier(PUBLIC_BUILD_SCHEMA, table)
        cur.execute(
            sql.SQL("create table {} ({})").format(
                target,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind in PUBLIC_COLUMNS
                ),
            )
        )
        if public:
            names = [name for name, _ in PUBLIC_COLUMNS]
            execute_values(
                cur,
                sql.SQL("insert into {} ({}) values %s")
                .format(target, sql.SQL(", ").join(map(sql.Identifier, names)))
                .as_string(cur),
                [tuple(row[name] for name in names) for row in public],
                page_size=1000,
            )
    return tables
