"""The attacker of the public twins (tests/test_disclosure.py and its children in need module): what
a reader of the public tables knows about how their figures fit together, written here from the
tables' definitions, independently of qa_warehouse.publish.disclosure, and the exact arithmetic
(and linear programmes) that try to work out every hidden count from what the twins show."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

SECTIONS = ("fostering", "audits", "feedback", "complaints")
# The one cross-measure identity of the QA report: per authority, quarter and breakdown.
LINKS = (("audits_completed", "numerator"), ("audits_good_or_better", "denominator"))


# ---- the attack on every twin: what a reader of the public tables knows ----------------------------

PERIOD = ("la_code", "period_start", "period_end")
# Each twin's row key (the quarterly report tables: QUARTERLY_KEY), as its reader sees it.
ROW_KEYS = {
    "children_in_care_scorecard": (*PERIOD, "measure_code"),
    "children_in_care_placement_types": (*PERIOD, "placement_type"),
    "children_in_need_scorecard": (*PERIOD, "measure_code"),
    "children_in_need_referral_sources": (*PERIOD, "referral_source"),
    "children_in_need_assessment_factors": (*PERIOD, "factor"),
    "children_in_need_primary_needs": (*PERIOD, "primary_need_code"),
    "children_in_need_abuse_categories": (*PERIOD, "category_kind", "category_of_abuse"),
    "workforce_monthly": ("la_code", "period_end", "team"),
    "residential_homes_monthly": ("la_code", "period_end", "provision"),
    "recruitment_funnel": (*PERIOD, "carer_type"),
    "recruitment_withdrawals": (*PERIOD, "carer_type", "withdrawn_from_stage", "withdrawal_reason"),
    "recruitment_conversion": (*PERIOD, "carer_type"),
    "recruitment_timeliness": (*PERIOD, "carer_type"),
    "regulation_24": PERIOD,
}
QUARTERLY_KEY = (*PERIOD, "measure_code", "breakdown")
# The counts of each twin (the attack's cells): every other column is a label or worked out from these.
COUNTS = {
    "children_in_care_scorecard": ("numerator", "denominator", "not_known"),
    "children_in_care_placement_types": (
        "looked_after_at_period_end",
        "looked_after_during_period",
        "started_in_period",
        "ceased_in_period",
    ),
    "children_in_need_scorecard": ("numerator", "denominator"),
    "children_in_need_referral_sources": ("referrals", "all_referrals"),
    "children_in_need_assessment_factors": ("assessments", "assessments_completed"),
    "children_in_need_primary_needs": ("referrals", "children_in_need_at_period_end"),
    "children_in_need_abuse_categories": ("plans_started", "plans_open_at_period_end"),
    "workforce_monthly": ("headcount", "leavers_12_months", "caseload_total"),
    "residential_homes_monthly": ("registered_places", "occupied_places", "vacancies", "unregistered_occupied_places"),
    "recruitment_funnel": (
        "enquiries",
        "initial_visits",
        "applications",
        "assessments_started",
        "panels",
        "approvals",
        "withdrawals",
    ),
    "recruitment_withdrawals": ("withdrawals",),
    "recruitment_conversion": (
        "enquiries",
        "reached_initial_visit",
        "reached_application",
        "reached_assessment",
        "approved",
        "withdrawn",
        "in_progress",
    ),
    "recruitment_timeliness": ("panels", "within_8_months", "over_8_months", "application_date_not_known"),
    "regulation_24": (
        "started",
        "ended",
        "ended_within_16_weeks",
        "ended_over_16_weeks",
        "ended_over_24_weeks",
        "open_at_period_end",
        "open_over_16_weeks_at_period_end",
    ),
}
# Within a row: whole = the parts (exactly), or the parts are a subset of the whole (the rest is a
# hidden count: e.g. the children not in time).
ROW_PARTITIONS = {
    "recruitment_conversion": (("enquiries", ("approved", "withdrawn", "in_progress")),),
    "recruitment_timeliness": (("panels", ("within_8_months", "over_8_months", "application_date_not_known")),),
    "regulation_24": (("ended", ("ended_within_16_weeks", "ended_over_16_weeks")),),
    "residential_homes_monthly": (("registered_places", ("occupied_places", "vacancies")),),
}
ROW_SUBSETS = {
    "children_in_care_scorecard": (("denominator", "numerator"),),
    "children_in_need_scorecard": (("denominator", "numerator"),),
    "children_in_need_assessment_factors": (("assessments_completed", "assessments"),),
    "recruitment_conversion": (
        ("enquiries", "reached_initial_visit"),
        ("enquiries", "reached_application"),
        ("enquiries", "reached_assessment"),
        ("reached_application", "approved"),
    ),
    "regulation_24": (
        ("ended_over_16_weeks", "ended_over_24_weeks"),
        ("open_at_period_end", "open_over_16_weeks_at_period_end"),
    ),
}
# Across rows: a table's rows (grouped by the columns named) add up to its total row (the
# breakdown column NULL), or to a count of another (or the same) table, found by key.
TOTAL_ROWS = {"workforce_monthly": ("team", None), "residential_homes_monthly": ("provision", None)}


def _sums_to_other_tables(exact):
    """(table, group columns, column) whose rows add up to (table, key, column) of the same period."""

    def scorecard(measure, figure):
        return lambda g: ("children_in_need_scorecard", (*g[:3], measure), figure)

    return (
        ("children_in_need_referral_sources", PERIOD, "referrals", scorecard("referrals", "numerator")),
        ("children_in_need_primary_needs", PERIOD, "referrals", scorecard("referrals", "numerator")),
        (
            "children_in_need_primary_needs",
            PERIOD,
            "children_in_need_at_period_end",
            scorecard("children_in_need_at_period_end", "numerator"),
        ),
        (
            "children_in_need_abuse_categories",
            (*PERIOD, "category_kind"),
            "plans_started",
            scorecard("cp_plans_second_or_subsequent", "denominator"),
        ),
        (
            "children_in_need_abuse_categories",
            (*PERIOD, "category_kind"),
            "plans_open_at_period_end",
            scorecard("cp_plans_at_period_end", "numerator"),
        ),
        (
            "recruitment_withdrawals",
            (*PERIOD, "carer_type"),
            "withdrawals",
            lambda g: ("recruitment_funnel", g, "withdrawals"),
        ),
    )


def _same_counts(exact):
    """Pairs of cells that are one count (a reader matches them by their labels)."""
    pairs = []
    for row in exact.get("children_in_need_referral_sources", []):
        key = tuple(row[c] for c in PERIOD)
        pairs.append(
            (
                (
                    "children_in_need_referral_sources",
                    row_key(row, "children_in_need_referral_sources"),
                    "all_referrals",
                ),
                ("children_in_need_scorecard", (*key, "referrals"), "numerator"),
            )
        )
    for row in exact.get("children_in_need_assessment_factors", []):
        key = tuple(row[c] for c in PERIOD)
        pairs.append(
            (
                (
                    "children_in_need_assessment_factors",
                    row_key(row, "children_in_need_assessment_factors"),
                    "assessments_completed",
                ),
                ("children_in_need_scorecard", (*key, "assessments_completed"), "numerator"),
            )
        )
    for table in ("recruitment_conversion", "recruitment_timeliness"):
        for row in exact.get(table, []):
            funnel = ("recruitment_funnel", row_key(row, table))
            if table == "recruitment_conversion":
                pairs.append(((table, row_key(row, table), "enquiries"), (*funnel, "enquiries")))
            else:
                pairs.append(((table, row_key(row, table), "panels"), (*funnel, "panels")))
    # a scorecard's count is another measure's denominator (referrals and re-referrals ...)
    for table in ("children_in_need_scorecard", *QUARTERLY, "quarterly_performance_report"):
        for row in exact.get(table, []):
            for (measure_a, figure_a), (measure_b, figure_b) in ALL_LINKS:
                if row["measure_code"] == measure_a:
                    key = row_key(row, table)
                    other = (*key[:3], measure_b, *key[4:])
                    pairs.append(((table, key, figure_a), (table, other, figure_b)))
    # the quarterly performance report holds the quarterly tables' figures (all from measure_values)
    in_quarterly = {row_key(r, t): t for t in QUARTERLY for r in exact.get(t, [])}
    for row in exact.get("quarterly_performance_report", []):
        key = row_key(row, "quarterly_performance_report")
        if key in in_quarterly:
            for figure in ("numerator", "denominator"):
                pairs.append((("quarterly_performance_report", key, figure), (in_quarterly[key], key, figure)))
    # the children in need scorecard's quarters are the quarterly table's authority totals
    for row in exact.get("children_in_need_scorecard", []):
        for figure in ("numerator", "denominator"):
            pairs.append(
                (
                    ("children_in_need_scorecard", row_key(row, "children_in_need_scorecard"), figure),
                    ("quarterly_report_children_in_need", (*row_key(row, "children_in_need_scorecard"), "All"), figure),
                )
            )
    return pairs


ALL_LINKS = (
    LINKS,
    (("referrals", "numerator"), ("re_referrals_12_months", "denominator")),
    (("referrals", "numerator"), ("referrals_no_further_action", "denominator")),
    (("assessments_completed", "numerator"), ("assessments_45_working_days", "denominator")),
    (("icpc_held", "numerator"), ("icpc_15_working_days", "denominator")),
    (("referrals", "numerator"), ("referrals_rate_per_10000", "numerator")),
    (("children_in_need_at_period_end", "numerator"), ("children_in_need_rate_per_10000", "numerator")),
    (("cp_plans_at_period_end", "numerator"), ("cp_plan_rate_per_10000", "numerator")),
)
QUARTERLY = tuple(f"quarterly_report_{s}" for s in (*SECTIONS, "children_in_need"))
# Stocks and flows: at the end of a period = at the end of the one before + started - ended.
STOCK_FLOWS = {
    "regulation_24": ("open_at_period_end", "started", "ended", ()),
    "children_in_care_placement_types": (
        "looked_after_at_period_end",
        "started_in_period",
        "ceased_in_period",
        ("placement_type",),
    ),
}


def _quarterly(table: str) -> bool:
    return table.startswith("quarterly_report_") or table == "quarterly_performance_report"


def row_key(row, table):
    return tuple(row[c] for c in (QUARTERLY_KEY if _quarterly(table) else ROW_KEYS[table]))


def attack_twins(exact: dict[str, list[dict]], public: dict[str, list[dict]]):
    """Every protected cell of the twins (a c, or a hidden count of 1 to 5: a complement, a remainder)
    a reader can work out exactly from what the twins show: by the linear relations (rank test), and by
    the relations with every count at least 0 (linear programming: the range of the cell is one value).
    Returns ({cell: value} leaked, counts of (primary, secondary, groups))."""
    truth: dict[tuple, int] = {}
    shown: dict[tuple, int] = {}
    for table, rows in exact.items():
        counts = ("numerator", "denominator") if _quarterly(table) else COUNTS[table]
        public_rows = {row_key(r, table): r for r in public[table]}
        for row in rows:
            key = row_key(row, table)
            if key not in public_rows:
                continue  # not published (a single home's row)
            if _quarterly(table) and str(row.get("measure_code") or "").startswith("workforce_"):
                continue  # staff FTEs, published to one decimal: not counts of children
            for column in counts:
                if row[column] is None:
                    continue
                count = int(row[column])  # measure_values' counts are numeric (whole for children)
                assert count == row[column], (table, key, column)
                truth[(table, key, column)] = count
                value = public_rows[key][column]
                if value != "c":
                    assert value == str(count), (table, key, column)
                    shown[(table, key, column)] = count
    equations: list[dict] = []

    def hidden(name, value):
        truth[name] = value
        return name

    def add_sum(whole, parts, name, exact_only=False):
        if whole not in truth or any(p not in truth for p in parts):
            return
        rest = truth[whole] - sum(truth[p] for p in parts)
        if rest < 0 or (rest and exact_only):
            return  # not a partition here
        equation = {p: Fraction(1) for p in parts}
        equation[whole] = equation.get(whole, 0) - 1
        if rest:
            equation[hidden(name, rest)] = Fraction(1)
        equations.append(equation)

    for table, rows in exact.items():
        for row in rows:
            key = row_key(row, table)
            for whole, parts in ROW_PARTITIONS.get(table, ()):
                add_sum((table, key, whole), [(table, key, p) for p in parts], ("rest", table, key, whole))
            for whole, part in ROW_SUBSETS.get(table, ()):
                # the complement is a hidden count whether or not it is 0
                if (table, key, whole) in truth and (table, key, part) in truth:
                    rest = hidden(
                        ("rest", table, key, whole, part), truth[(table, key, whole)] - truth[(table, key, part)]
                    )
                    equations.append({(table, key, part): 1, rest: 1, (table, key, whole): -1})
        if _quarterly(table):
            by_group = defaultdict(list)
            for row in rows:
                by_group[row_key(row, table)[:4]].append(row)
            for group, members in by_group.items():
                if not any(m["breakdown"] == "All" for m in members):
                    continue
                for figure in ("numerator", "denominator"):
                    parts = [(table, row_key(m, table), figure) for m in members if m["breakdown"] != "All"]
                    if parts:
                        add_sum((table, (*group, "All"), figure), parts, ("rest", table, group, figure))
        if table in TOTAL_ROWS:
            column, total = TOTAL_ROWS[table]
            by_group = defaultdict(list)
            for row in rows:
                by_group[tuple(v for c, v in zip(ROW_KEYS[table], row_key(row, table)) if c != column)].append(row)
            for group, members in by_group.items():
                totals = [m for m in members if m[column] == total]
                if len(totals) != 1:
                    continue
                for figure in COUNTS[table]:
                    parts = [(table, row_key(m, table), figure) for m in members if m[column] != total]
                    add_sum((table, row_key(totals[0], table), figure), parts, ("rest", table, group, figure))
    for table, group_columns, column, whole_of in _sums_to_other_tables(exact):
        by_group = defaultdict(list)
        for row in exact.get(table, []):
            by_group[tuple(row[c] for c in group_columns)].append((table, row_key(row, table), column))
        for group, parts in by_group.items():
            whole = whole_of(group)
            add_sum(whole, parts, ("rest", table, group, column))
            if table == "children_in_need_referral_sources":  # and to the table's own all_referrals
                for part in parts:
                    add_sum((table, part[1], "all_referrals"), parts, ("rest", table, group, "all"))
    for a, b in _same_counts(exact):
        if a in truth and b in truth and truth[a] == truth[b]:
            equations.append({a: 1, b: -1})
    for table, (stock, started, ended, series) in STOCK_FLOWS.items():
        by_end = {}
        for row in exact.get(table, []):
            by_end[(*(row[c] for c in series), row["la_code"], row["period_end"])] = row
        for row in exact.get(table, []):
            before = by_end.get((*(row[c] for c in series), row["la_code"], row["period_start"] - dt.timedelta(days=1)))
            if before is None:
                continue
            cells = [
                (table, row_key(before, table), stock),
                (table, row_key(row, table), started),
                (table, row_key(row, table), ended),
                (table, row_key(row, table), stock),
            ]
            if (
                all(c in truth for c in cells)
                and truth[cells[0]] + truth[cells[1]] - truth[cells[2]] == truth[cells[3]]
            ):
                equations.append({cells[0]: 1, cells[1]: 1, cells[2]: -1, cells[3]: -1})
    for equation in equations:  # the relations hold for the exact figures
        assert sum(coefficient * truth[cell] for cell, coefficient in equation.items()) == 0, equation

    protected = {cell for cell in truth if cell not in shown and (cell[0] != "rest" or 1 <= truth[cell] <= 5)}
    return _derivable(equations, truth, shown, protected), protected


def _derivable(equations, truth, shown, protected) -> dict:
    """The protected cells each connected set of relations pins to one value."""
    parent = {}

    def find(cell):
        parent.setdefault(cell, cell)
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for equation in equations:
        cells = [c for c in equation if c not in shown]
        for cell in cells[1:]:
            parent[find(cell)] = find(cells[0])
    components = defaultdict(list)
    for equation in equations:
        unknown = [c for c in equation if c not in shown]
        if unknown:
            components[find(unknown[0])].append(equation)
    leaks = {}
    for members in components.values():
        unknown = sorted({c for e in members for c in e if c not in shown}, key=repr)
        targets = [c for c in unknown if c in protected]
        if not targets:
            continue
        for cell in derivable_in_rref(members, unknown):
            if cell in protected:
                leaks[cell] = truth[cell]
        for cell in pinned_by_bounds(members, unknown, shown, targets):
            if cell in protected and truth[cell]:
                leaks.setdefault(cell, truth[cell])
    return leaks


def derivable_in_rref(equations, unknown) -> set:
    """Unknowns whose unit vector is in the row space: a row of the reduced row echelon form is it."""
    index = {cell: i for i, cell in enumerate(unknown)}
    rows = []
    for equation in equations:
        row = [Fraction(0)] * len(unknown)
        for cell, coefficient in equation.items():
            if cell in index:
                row[index[cell]] += Fraction(coefficient)
        if any(row):
            rows.append(row)
    pivot_row = 0
    for column in range(len(unknown)):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][column]
        rows[pivot_row] = [value / lead for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row])]
        pivot_row += 1
    return {unknown[row.index(next(v for v in row if v))] for row in rows[:pivot_row] if sum(1 for v in row if v) == 1}


def pinned_by_bounds(equations, unknown, shown, targets) -> set:
    """Targets whose smallest and largest values, every count at least 0, are the same."""
    from scipy.optimize import linprog

    index = {cell: i for i, cell in enumerate(unknown)}
    matrix, constants = [], []
    for equation in equations:
        row = [0.0] * len(unknown)
        constant = 0.0
        for cell, coefficient in equation.items():
            if cell in index:
                row[index[cell]] += float(coefficient)
            else:
                constant -= float(coefficient) * shown[cell]
        matrix.append(row)
        constants.append(constant)
    pinned = set()
    for cell in targets:
        objective = [0.0] * len(unknown)
        objective[index[cell]] = 1.0
        low = linprog(objective, A_eq=matrix, b_eq=constants, bounds=(0, None), method="highs")
        high = linprog([-x for x in objective], A_eq=matrix, b_eq=constants, bounds=(0, None), method="highs")
        assert low.status == 0, (cell, low.message)  # the exact figures are a solution
        if high.status == 0 and -high.fun - low.fun < 0.5:  # (else unbounded above)
            pinned.add(cell)
    return pinned
