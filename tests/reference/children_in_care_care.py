"""The children in care care measures computed independently, in plain Python, from the landing
files: the check on reporting.children_in_care_scorecard's care rows (docs/children-in-care-figures.md
defines each figure).

Reads the 903 files (upper-case DfE headers, dd/mm/yyyy dates) and the child_visits and child_plans
extracts the way the contracts say, never through the warehouse. The statutory timescales are
written here again on purpose (not read from the dbt seed), so a wrong seed shows up as a
difference; only the bank holidays and the targets are read from the seeds, as data.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from tests.reference import children_in_care_placements as placements_reference
from tests.reference.children_in_care_placements import care_history
from tests.reference.measures import direction, measures, rag
from tests.reference.project_files import SEEDS_DIR
from tests.reference.quality_assurance import parse_date, read_csv

SEEDS = SEEDS_DIR
FILE_NAME = re.compile(
    r"^(?:903_(?P<table>[a-z_0-9]+?)|(?P<local>child_visits|child_plans))_(?P<la>\d{3})_(?P<date>\d{8})\.csv$", re.I
)
HISTORY_MONTHS = 36  # the dbt var children_in_care_history_months default
GRAIN = ("la_code", "period_type", "period_end", "measure_code")
EET = {"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"}
MONTH_AND_YEAR = (
    "statutory_visits_in_time",
    "reviews_in_time",
    "pep_up_to_date",
    "pathway_plan_up_to_date",
    "care_plan_up_to_date",
    "missing_episodes",
)
YEAR_ONLY = (
    "health_assessment",
    "dental_check",
    "care_leavers_in_touch",
    "care_leavers_eet",
    "care_leavers_suitable_accommodation",
)
CARE_MEASURES = MONTH_AND_YEAR + YEAR_ONLY
WITH_NOT_KNOWN = {
    "pep_up_to_date",
    "pathway_plan_up_to_date",
    "care_plan_up_to_date",
    "health_assessment",
    "dental_check",
}

# The files each care measure is counted from, written again here (not read from the seed
# measure_source_extracts): an authority that never sent one of them has no figure for the measure
# (NULL counts, value_status not_delivered), never 0 %.
SOURCE_TABLES = {
    "statutory_visits_in_time": ("episodes", "child_visits"),
    "reviews_in_time": ("episodes", "reviews"),
    "care_plan_up_to_date": ("episodes", "child_plans"),
    "pep_up_to_date": ("episodes", "header", "child_plans"),
    "pathway_plan_up_to_date": ("episodes", "header", "child_plans"),
    "health_assessment": ("episodes", "oc2"),
    "dental_check": ("episodes", "oc2"),
    "missing_episodes": ("episodes", "missing"),
    "care_leavers_in_touch": ("header", "oc3"),
    "care_leavers_eet": ("header", "oc3"),
    "care_leavers_suitable_accommodation": ("header", "oc3"),
}


def delivered(entry: dict, measure: str) -> bool:
    return all(table in entry for table in SOURCE_TABLES[measure])


# -- calendar arithmetic as PostgreSQL does it (date +/- interval 'N months' clamps to month ends) --


def shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_years(on: date, born: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def bank_holidays() -> set[date]:
    with (SEEDS / "bank_holidays_england.csv").open(encoding="utf-8", newline="") as f:
        return {date.fromisoformat(r["holiday_date"]) for r in csv.DictReader(f)}


def nth_working_day_after(start: date, n: int, holidays: set[date]) -> date:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if day.isoweekday() < 6 and day not in holidays:
            counted += 1
    return day


# -- the landing files --------------------------------------------------------------------------


def current_files(landing: Path) -> dict[tuple[str, str], tuple[date, Path]]:
    """(table, la_code) -> (extract date, path) of the latest delivery; 903 tables by their 903 name."""
    latest: dict[tuple[str, str], tuple[date, Path]] = {}
    for path in sorted(Path(landing).iterdir()):
        match = FILE_NAME.match(path.name)
        if not match:
            continue
        table = (match["table"] or match["local"]).lower()
        raw = match["date"]
        extract_date = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        key = (table, match["la"])
        if key not in latest or extract_date > latest[key][0]:
            latest[key] = (extract_date, path)
    return latest


def code(value) -> str | None:
    if value is None or not str(value).strip():
        return None
    return str(value).strip().upper().replace(" ", "_").replace("-", "_")


def flag(value) -> bool | None:
    if value is None or not str(value).strip():
        return None
    return str(value).strip().lower() in ("1", "y", "yes", "true", "t")


def load(landing: Path) -> dict[str, dict]:
    """{la_code: {table: rows, "<table>_date": extract date}} of each authority's current files."""
    data: dict[str, dict] = defaultdict(dict)
    for (table, la_code), (extract_date, path) in current_files(landing).items():
        data[la_code][table] = read_csv(path)
        data[la_code][f"{table}_date"] = extract_date
    return dict(data)


# -- periods, spells and the cohort ---------------------------------------------------------------


def reporting_periods(extract_date: date, first_decom: date) -> list[tuple[str, date, date]]:
    """(period_type, start, end): the HISTORY_MONTHS month ends on or before the extract date, and the 903 years
    ended on or before it (at most 3) that end on or after the first episode began."""
    last_month_end = (extract_date + timedelta(days=1)).replace(day=1) - timedelta(days=1)
    periods = []
    for back in range(HISTORY_MONTHS):
        end = shift_months(last_month_end.replace(day=1), -back + 1) - timedelta(days=1)
        periods.append(("month", end.replace(day=1), end))
    last_year = extract_date.year if extract_date >= date(extract_date.year, 3, 31) else extract_date.year - 1
    for back in range(3):
        end = date(last_year - back, 3, 31)
        if end >= first_decom:
            periods.append(("year", date(last_year - back - 1, 4, 1), end))
    return periods


def spells(episodes: list[dict]) -> dict[str, list[dict]]:
    """child -> episodes (short breaks left out) in order, each with its period of care and placement
    start. Periods of care and placements are numbered as the placement measures' reference counts
    them (one reading of DfE's placement counting for both sets of measures)."""
    history = care_history(
        [
            placements_reference.Episode(
                child=row["child"].strip(),
                decom=parse_date(row["decom"]),
                dec=parse_date(row.get("dec")),
                ls=placements_reference.code(row.get("ls")),
                place=placements_reference.code(row.get("place")),
                provider=placements_reference.code(row.get("place_provider")),
                urn=(row.get("urn") or "").strip().upper() or None,
                home_post=placements_reference.postcode(row.get("home_post")),
                pl_post=placements_reference.postcode(row.get("pl_post")),
            )
            for row in episodes
        ],
        rules={},
        grid={},
    )
    by_child: dict[str, list[dict]] = {}
    for child, own in history.items():
        rows = [
            {"decom": episode.decom, "dec": episode.dec, "period": period, "placement": number}
            for episode, period, number, _, _ in own["episodes"]
        ]
        for row in rows:
            row["period_of_care_start"] = min(r["decom"] for r in rows if r["period"] == row["period"])
            row["placement_start"] = min(
                r["decom"] for r in rows if (r["period"], r["placement"]) == (row["period"], row["placement"])
            )
        by_child[child] = rows
    return by_child


def looked_after_at(child_spells: list[dict], day: date) -> dict | None:
    for row in child_spells:
        if row["decom"] <= day and (row["dec"] is None or row["dec"] > day):
            return row
    return None


def in_oc2_cohort(child_spells: list[dict], year_end: date) -> bool:
    """Looked after continuously for at least 12 months at 31 March: looked after at the year end,
    in a period of care that began on or before the year's 1 April."""
    spell = looked_after_at(child_spells, year_end)
    return spell is not None and spell["period_of_care_start"] <= date(year_end.year - 1, 4, 1)


# -- the measures ---------------------------------------------------------------------------------


def visit_outcome(spell: dict, day: date, visits: list[date], permanence_starts: list[date]) -> str:
    last = max((v for v in visits if spell["period_of_care_start"] <= v <= day), default=None)
    long_term = any(s <= day for s in permanence_starts) and spell["placement_start"] <= shift_months(day, -12)
    window_start = shift_months(day, -3) if long_term else day - timedelta(days=42)
    if last is not None and last > window_start:
        return "in_time"
    if spell["placement_start"] > day - timedelta(days=7) and (last is None or last < spell["placement_start"]):
        return "not_yet_due"
    return "out_of_time"


def review_outcome(spell: dict, day: date, reviews: list[date], holidays: set[date]) -> str:
    first_due = nth_working_day_after(spell["period_of_care_start"], 20, holidays)
    held = sorted({r for r in reviews if spell["period_of_care_start"] <= r <= day})
    late = False
    for number, review in enumerate(held):
        due = first_due if number == 0 else shift_months(held[number - 1], 3 if number == 1 else 6)
        if review > due and review > shift_months(day, -12):
            late = True
    if not held:
        next_due = first_due
    else:
        next_due = shift_months(held[-1], 3 if len(held) == 1 else 6)
    if not held and next_due >= day:
        return "not_yet_due"
    return "out_of_time" if late or next_due < day else "in_time"


def plan_outcome(plans: list[dict], plan_type: str, day: date) -> str:
    started = [
        p for p in plans if p["plan_type"] == plan_type and p["start_date"] is not None and p["start_date"] <= day
    ]
    if not started:
        return "out_of_date"
    latest = max(started, key=lambda p: p["start_date"])
    ties = [p for p in started if p["start_date"] == latest["start_date"]]
    if len({p["next_due_date"] for p in ties}) > 1:
        raise AssertionError(f"two {plan_type}s start on one day with different due dates: the tie-break is by key")
    if latest["next_due_date"] is None:
        return "not_known"
    return "up_to_date" if latest["next_due_date"] >= day else "out_of_date"


def needs_pep(dob: date | None, day: date) -> bool:
    if dob is None:
        return False
    school_year_start_age_date = date(day.year - (1 if day.month < 9 else 0), 8, 31)
    return 5 <= full_years(school_year_start_age_date, dob) <= 15


def needs_pathway_plan(dob: date | None, day: date, child_spells: list[dict]) -> bool:
    if dob is None or dob > shift_months(day, -16 * 12):
        return False
    fourteenth = shift_months(dob, 14 * 12)
    days = 0
    for row in child_spells:
        if row["decom"] > day:
            continue
        end = min(row["dec"] or day + timedelta(days=1), day + timedelta(days=1))
        days += max(0, (end - max(row["decom"], fourteenth)).days)
    return days >= 91


def authority_counts(entry: dict, holidays: set[date]) -> dict[tuple[str, date, str], dict]:
    """(period_type, period_end, measure) -> numerator, denominator, not_known for one authority."""
    episodes = entry.get("episodes", [])
    child_spells = spells(episodes)
    if not child_spells:
        return {}
    dobs: dict[str, date] = {}
    for row in entry.get("header", []):
        born = parse_date(row.get("dob"))
        child = row["child"].strip()
        if born is not None and (child not in dobs or born > dobs[child]):
            dobs[child] = born
    visits: dict[str, list[date]] = defaultdict(list)
    for row in entry.get("child_visits", []):
        if parse_date(row.get("visit_date")) is not None:
            visits[row["child_id"].strip()].append(parse_date(row["visit_date"]))
    reviews: dict[str, list[date]] = defaultdict(list)
    for row in entry.get("reviews", []):
        if parse_date(row.get("review")) is not None:
            reviews[row["child"].strip()].append(parse_date(row["review"]))
    plans: dict[str, list[dict]] = defaultdict(list)
    for row in entry.get("child_plans", []):
        plans[row["child_id"].strip()].append(
            {
                "plan_type": (row.get("plan_type") or "").strip().lower().replace(" ", "_").replace("-", "_"),
                "start_date": parse_date(row.get("start_date")),
                "next_due_date": parse_date(row.get("next_due_date")),
            }
        )
    missing: dict[str, list[date]] = defaultdict(list)
    for row in entry.get("missing", []):
        if code(row.get("missing")) == "M":
            missing[row["child"].strip()].append(parse_date(row["mis_start"]))

    # the periods start from every episode, short breaks too (int_children_in_care_reporting_periods)
    periods = reporting_periods(entry["episodes_date"], min(parse_date(r["decom"]) for r in episodes))
    counts: dict[tuple[str, date, str], dict] = {}

    def tally(key, outcome, good, counted, not_known=None):
        figures = counts.setdefault(
            key, {"numerator": 0, "denominator": 0, "not_known": 0 if key[2] in WITH_NOT_KNOWN else None}
        )
        if outcome in good:
            figures["numerator"] += 1
        if outcome in counted:
            figures["denominator"] += 1
        if not_known is not None and outcome == not_known:
            figures["not_known"] += 1

    for period_type, start, end in periods:
        for measure in MONTH_AND_YEAR + (YEAR_ONLY if period_type == "year" else ()):
            counts[(period_type, end, measure)] = {
                "numerator": 0,
                "denominator": 0,
                "not_known": 0 if measure in WITH_NOT_KNOWN else None,
            }
        for child, rows in child_spells.items():
            spell = looked_after_at(rows, end)
            if spell is not None:
                permanence = [
                    p["start_date"]
                    for p in plans.get(child, [])
                    if p["plan_type"] == "permanence_plan" and p["start_date"] is not None
                ]
                tally(
                    (period_type, end, "statutory_visits_in_time"),
                    visit_outcome(spell, end, visits.get(child, []), permanence),
                    {"in_time"},
                    {"in_time", "out_of_time"},
                )
                tally(
                    (period_type, end, "reviews_in_time"),
                    review_outcome(spell, end, reviews.get(child, []), holidays),
                    {"in_time"},
                    {"in_time", "out_of_time"},
                )
                needed = [("care_plan", "care_plan_up_to_date")]
                if needs_pep(dobs.get(child), end):
                    needed.append(("pep", "pep_up_to_date"))
                if needs_pathway_plan(dobs.get(child), end, rows):
                    needed.append(("pathway_plan", "pathway_plan_up_to_date"))
                for plan_type, measure in needed:
                    tally(
                        (period_type, end, measure),
                        plan_outcome(plans.get(child, []), plan_type, end),
                        {"up_to_date"},
                        {"up_to_date", "out_of_date"},
                        "not_known",
                    )
            if any(r["decom"] <= end and (r["dec"] is None or r["dec"] >= start) for r in rows):
                went_missing = any(start <= m <= end for m in missing.get(child, []))
                tally((period_type, end, "missing_episodes"), went_missing, {True}, {True, False})

    years = [end for period_type, _, end in periods if period_type == "year"]
    if years:
        return_year = max(years)
        if "oc2" in entry and entry["oc2_date"] >= return_year:
            for row in entry["oc2"]:
                # DfE's OC2 cohort: looked after on every day of the year to 31 March (short breaks
                # left out, so a return from them starts afresh); other children's rows do not count
                if not in_oc2_cohort(child_spells.get(row["child"].strip(), []), return_year):
                    continue
                for measure, column in (("health_assessment", "health_assessment"), ("dental_check", "teeth_check")):
                    value = flag(row.get(column))
                    tally(
                        ("year", return_year, measure),
                        "not_known" if value is None else value,
                        {True},
                        {True, False},
                        "not_known",
                    )
        if "oc3" in entry and entry["oc3_date"] >= return_year:
            for row in entry["oc3"]:
                born = dobs.get(row["child"].strip())
                if born is None or not 19 <= full_years(return_year, born) <= 21:
                    continue
                in_touch, activ, accom = code(row.get("in_touch")), code(row.get("activ")), code(row.get("accom"))
                if in_touch not in ("DIED", "RHOM"):  # DfE: left out of every care leaver percentage
                    tally(("year", return_year, "care_leavers_in_touch"), in_touch == "YES", {True}, {True, False})
                    tally(("year", return_year, "care_leavers_eet"), activ in EET, {True}, {True, False})
                    suitable = accom is not None and len(accom) == 2 and accom.endswith("1")
                    tally(("year", return_year, "care_leavers_suitable_accommodation"), suitable, {True}, {True, False})
    return counts


def expected_scorecard(landing: Path) -> dict[tuple, dict]:
    """GRAIN -> every published figure of the care measures' rows of reporting.children_in_care_scorecard."""
    holidays = bank_holidays()
    seeded = measures()
    expected: dict[tuple, dict] = {}
    for la_code, entry in load(landing).items():
        if "episodes" not in entry:
            continue
        counts = authority_counts(entry, holidays)
        for (period_type, end, measure), figures in counts.items():
            previous_key = next(
                (
                    (t, e, m)
                    for (t, e, m) in sorted(counts, key=lambda k: k[1], reverse=True)
                    if t == period_type and m == measure and e < end
                ),
                None,
            )
            value = Fraction(100 * figures["numerator"], figures["denominator"]) if figures["denominator"] else None
            previous = None
            if previous_key is not None and counts[previous_key]["denominator"]:
                previous = Fraction(100 * counts[previous_key]["numerator"], counts[previous_key]["denominator"])
            seed = seeded[measure]
            if not delivered(entry, measure):
                expected[(la_code, period_type, end, measure)] = {
                    "period_start": end.replace(day=1) if period_type == "month" else date(end.year - 1, 4, 1),
                    "numerator": None,
                    "denominator": None,
                    "not_known": None,
                    "value_status": "not_delivered",
                    "percentage": None,
                    "target": Fraction(seed["target"]) if seed["target"] else None,
                    "rag": None,
                    "polarity": seed["polarity"] or None,
                    "previous_percentage": None,
                    "direction_of_travel": None,
                    "measure_name": seed["measure_name"],
                }
                continue
            expected[(la_code, period_type, end, measure)] = {
                "period_start": end.replace(day=1) if period_type == "month" else date(end.year - 1, 4, 1),
                "numerator": figures["numerator"],
                "denominator": figures["denominator"],
                "not_known": figures["not_known"],
                "value_status": "published",
                "percentage": value,
                "target": Fraction(seed["target"]) if seed["target"] else None,
                "rag": rag(seed, value),
                "polarity": seed["polarity"] or None,
                "previous_percentage": previous,
                "direction_of_travel": direction(seed, value, previous),
                "measure_name": seed["measure_name"],
            }
    return expected
