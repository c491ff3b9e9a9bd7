"""Independent computation of reporting.measure_values (and so of the quarterly report sections)
from the other reference computations: the fostering scorecard's counts and the eight QA tables,
which tests/reference computes from the landing files themselves.

Keyed by (la_code, measure_code, period_kind, period_end, breakdown); each row holds numerator,
denominator, value, rag, previous_value, same_period_last_year_value and direction_of_travel, with
RAG and direction judged here from the measure_targets seed, in exact fractions.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from fractions import Fraction

from tests.published import same
from tests.reference.project_files import SEEDS_DIR
from tests.reference.quality_assurance import add_months, quarter_start, reported_quarters

ALL = "All"
QA_HISTORY_QUARTERS = 12


def measures() -> dict[str, dict]:
    with open(SEEDS_DIR / "measure_targets.csv", newline="", encoding="utf-8") as f:
        return {row["measure_code"]: row for row in csv.DictReader(f)}


def period_start(kind: str, period_end: date) -> date:
    first_of_month = period_end.replace(day=1)
    if kind == "month":
        return first_of_month
    if kind == "quarter":
        return quarter_start(period_end)
    return add_months(first_of_month, -11)


def financial_year_start(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def fostering_counts(scorecard: dict) -> dict[tuple, tuple[int, int | None]]:
    """Month, quarter and year rows from the scorecard's (la, team, period_end, measure) counts."""
    counts = {}
    for (la, team, period_end, measure), figures in scorecard.items():
        numerator, denominator = figures["in_time"], figures["in_time"] + figures["out_of_time"]
        breakdown = team or ALL
        counts[(la, measure, "month", period_end, breakdown)] = (numerator, denominator)
        if period_end.month in (3, 6, 9, 12):
            counts[(la, measure, "quarter", period_end, breakdown)] = (numerator, denominator)
    period_ends = defaultdict(set)
    for la, _, kind, period_end, _ in counts:
        if kind == "quarter":
            period_ends[la].add(period_end)
    for (la, measure, kind, period_end, breakdown), value in list(counts.items()):
        year_quarters = {
            date(financial_year_start(period_end), 6, 30),
            date(financial_year_start(period_end), 9, 30),
            date(financial_year_start(period_end), 12, 31),
            period_end,
        }
        if kind == "quarter" and period_end.month == 3 and year_quarters <= period_ends[la]:
            counts[(la, measure, "financial_year", period_end, breakdown)] = value
    return counts


def quality_assurance_counts(qa: dict, qa_files: dict) -> dict[tuple, tuple[int, int | None]]:
    """Quarter and year rows of the QA measures, summed from the reference QA tables."""
    quarter_rows: dict[tuple, list] = {}

    def add(la, measure, period_end, breakdown, numerator, denominator):
        row = quarter_rows.setdefault((la, measure, "quarter", period_end, breakdown), [0, None])
        row[0] += numerator
        if denominator is not None:
            row[1] = (row[1] or 0) + denominator

    for (la, period_end, service, _), f in qa["qa_audit_outcomes"].items():
        add(la, "audits_completed", period_end, service, f["audits_completed"], None)
        add(la, "audits_good_or_better", period_end, service, f["good_or_better"], f["audits_completed"])
        add(la, "audit_loops_closed", period_end, service, f["loops_closed"], f["actions_set"])
    for (la, period_end, service, _), f in qa["qa_audit_actions"].items():
        add(la, "audit_actions_on_time", period_end, service, f["completed_on_time"], f["actions_due"])
    for (la, period_end, respondent, _), f in qa["qa_feedback_summary"].items():
        positive = (f["positive_percentage"] or Fraction(0)) * f["rated_answers"] / 100
        assert positive.denominator == 1
        add(la, "feedback_responses", period_end, respondent, f["responses"], None)
        add(la, "feedback_positive", period_end, respondent, int(positive), f["rated_answers"])
    for (la, period_end, service, record_type, _), f in qa["qa_complaints"].items():
        if record_type == "complaint":
            add(la, "complaints_received", period_end, service, f["received"], None)
            add(la, "complaints_in_timescale", period_end, service, f["responded_within_timescale"], f["responded"])
            upheld = f["upheld"] + f["partly_upheld"]
            add(la, "complaints_upheld", period_end, service, upheld, upheld + f["not_upheld"])
        elif record_type == "compliment":
            add(la, "compliments_received", period_end, service, f["received"], None)

    extract_of = {"audits": "case_file_audits", "feedback": "feedback", "complaints": "complaints"}
    counts = {key: (n, d) for key, (n, d) in quarter_rows.items()}
    for code, measure in measures().items():
        if measure["area"] not in extract_of:
            continue
        extract = "audit_actions" if code == "audit_actions_on_time" else extract_of[measure["area"]]
        for (file_extract, la), (extract_date, _) in qa_files.items():
            if file_extract != extract:
                continue
            ends = sorted(
                add_months(start, 3) - date.resolution for start in reported_quarters(extract_date, QA_HISTORY_QUARTERS)
            )
            for period_end in ends:
                members = [
                    v for (la_, m, _, e, b), v in counts.items() if (la_, m, e) == (la, code, period_end) and b != ALL
                ]
                denominator = sum(d for _, d in members) if measure["unit"] == "percentage" else None
                counts[(la, code, "quarter", period_end, ALL)] = (sum(n for n, _ in members), denominator)
            for period_end in ends:
                year = financial_year_start(period_end)
                quarter_ends = {date(year, 6, 30), date(year, 9, 30), date(year, 12, 31), date(year + 1, 3, 31)}
                if period_end.month != 3 or not quarter_ends <= set(ends):
                    continue
                for breakdown in {
                    b for (la_, m, k, e, b) in counts if (la_, m, k) == (la, code, "quarter") and e in quarter_ends
                }:
                    rows = [
                        counts[(la, code, "quarter", e, breakdown)]
                        for e in quarter_ends
                        if (la, code, "quarter", e, breakdown) in counts
                    ]
                    denominator = sum(d for _, d in rows) if measure["unit"] == "percentage" else None
                    counts[(la, code, "financial_year", period_end, breakdown)] = (sum(n for n, _ in rows), denominator)
    return counts


def value_of(unit: str, numerator, denominator) -> Fraction | None:
    if numerator is None:  # not delivered: no figure
        return None
    if unit == "count":
        return Fraction(numerator)
    if not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator) * (1 if unit == "average" else 100)


def rag(measure: dict, value: Fraction | None) -> str | None:
    if value is None or measure["unit"] == "count" or not measure["green_from"]:
        return None
    green, amber = Fraction(measure["green_from"]), Fraction(measure["amber_from"])
    if measure["polarity"] == "higher_is_better":
        return "green" if value >= green else "amber" if value >= amber else "red"
    return "green" if value <= green else "amber" if value <= amber else "red"


def direction(measure: dict, value: Fraction | None, previous: Fraction | None) -> str | None:
    if value is None or previous is None:
        return None
    if value == previous:
        return "no_change"
    up = value > previous
    polarity = measure["polarity"]
    if not polarity:
        return "up" if up else "down"
    return "improving" if up == (polarity == "higher_is_better") else "declining"


def year_before(kind: str, period_end: date) -> date:
    return (
        add_months(period_start(kind, period_end), -12 + (1 if kind == "month" else 3 if kind == "quarter" else 12))
        - date.resolution
    )


def previous_end(kind: str, period_end: date) -> date:
    return period_start(kind, period_end) - date.resolution


def expected_measure_values(counts: dict[tuple, tuple[int, int | None]]) -> dict[tuple, dict]:
    seeded = measures()
    values = {key: value_of(seeded[key[1]]["unit"], *figures) for key, figures in counts.items()}
    expected = {}
    for key, (numerator, denominator) in counts.items():
        la, measure, kind, period_end, breakdown = key
        value = values[key]
        previous = values.get((la, measure, kind, previous_end(kind, period_end), breakdown))
        had_previous = (la, measure, kind, previous_end(kind, period_end), breakdown) in values
        expected[key] = {
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "rag": rag(seeded[measure], value),
            "previous_value": previous,
            "same_period_last_year_value": values.get((la, measure, kind, year_before(kind, period_end), breakdown)),
            "direction_of_travel": direction(seeded[measure], value, previous) if had_previous else None,
        }
    return expected


PUBLISHED_COLUMNS = (
    "la_code, measure_code, period_kind, period_end, breakdown, numerator, denominator, value, rag, "
    "previous_value, same_period_last_year_value, direction_of_travel"
)


def differences(expected: dict[tuple, dict], published_rows: list[tuple]) -> list:
    """(key, figure, expected, published) for every figure that differs, and every row missing or extra,
    comparing `published_rows` (PUBLISHED_COLUMNS of measure_values) exactly (Decimal -> Fraction)."""
    names = (
        "numerator",
        "denominator",
        "value",
        "rag",
        "previous_value",
        "same_period_last_year_value",
        "direction_of_travel",
    )
    got = {}
    for row in published_rows:
        key, figures = tuple(row[:5]), row[5:]
        got[key] = {
            name: Fraction(v) if v is not None and name.endswith("value") else v for name, v in zip(names, figures)
        }
    wrong = [(key, "row", "expected", "missing") for key in expected.keys() - got.keys()]
    wrong += [(key, "row", "not expected", got[key]) for key in got.keys() - expected.keys()]
    for key in expected.keys() & got.keys():
        wrong += [
            (key, name, expected[key][name], got[key][name])
            for name in names
            if not same(expected[key][name], got[key][name])
        ]
    return sorted(wrong, key=repr)


def quarter_end(day: date) -> date:
    return add_months(quarter_start(day), 3) - date.resolution


def quarters_and_years(month_counts: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """The month rows of an area measure (workforce, residential, recruitment) with its quarters and
    financial years added: a year_end measure's quarter is its quarter-end month's figure and its
    year the March quarter's; a year_total measure's quarter adds up its three months (all three
    reported) and its year its quarters. A year only where the authority total has all four quarters."""
    seeded = measures()
    counts = dict(month_counts)
    by_quarter: dict[tuple, list] = defaultdict(list)
    for (la, measure, _, period_end, breakdown), figures in month_counts.items():
        by_quarter[(la, measure, quarter_end(period_end), breakdown)].append((period_end, figures))
    for (la, measure, end, breakdown), months in by_quarter.items():
        if seeded[measure]["year_figure"] == "year_total":
            if len(months) == 3:
                counts[(la, measure, "quarter", end, breakdown)] = _added([f for _, f in months])
        else:
            at_end = [f for period_end, f in months if period_end == end]
            if at_end:
                counts[(la, measure, "quarter", end, breakdown)] = at_end[0]
    quarters = {key: value for key, value in counts.items() if key[2] == "quarter"}
    for (la, measure, _, end, breakdown), figures in quarters.items():
        if end.month != 3 and seeded[measure]["year_figure"] != "year_total":
            continue
        year = financial_year_start(end)
        year_ends = [date(year, 6, 30), date(year, 9, 30), date(year, 12, 31), date(year + 1, 3, 31)]
        if not all((la, measure, "quarter", e, ALL) in quarters for e in year_ends):
            continue
        key = (la, measure, "financial_year", year_ends[-1], breakdown)
        if seeded[measure]["year_figure"] == "year_total":
            counts[key] = _added(
                [
                    quarters[(la, measure, "quarter", e, breakdown)]
                    for e in year_ends
                    if (la, measure, "quarter", e, breakdown) in quarters
                ]
            )
        else:
            counts[key] = figures
    return counts


def _added(rows: list[tuple]) -> tuple:
    numerator = sum(n for n, _ in rows)
    denominators = [d for _, d in rows]
    return numerator, None if any(d is None for d in denominators) else sum(denominators)


def children_in_care_counts(scorecard: dict[tuple, dict], measure_codes) -> dict[tuple, tuple]:
    """measure_values rows of children in care measures from a reference scorecard keyed (la_code,
    period_type, period_end, measure_code): month ends, the 903 year as financial_year, and each
    quarter-end month as the quarter, for every measure whose year figure is a position
    (year_end: missing_episodes counts children in the period, so it has no quarters)."""
    seeded = measures()
    counts = {}
    for (la, period_type, end, measure), f in scorecard.items():
        if measure not in measure_codes:
            continue
        figures = (f["numerator"], f["denominator"])
        if period_type == "year":
            counts[(la, measure, "financial_year", end, ALL)] = figures
            continue
        counts[(la, measure, "month", end, ALL)] = figures
        if end.month in (3, 6, 9, 12) and seeded[measure]["year_figure"] == "year_end":
            counts[(la, measure, "quarter", end, ALL)] = figures
    return counts
