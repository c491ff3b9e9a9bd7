"""Independent computation of the children in need tables (reporting.children_in_need_scorecard and
its four breakdowns) from the landing files themselves: the flat CSV read with csv, the XML return
with defusedxml's ElementTree, both into the same episodes, then every figure from DfE's definitions
("Characteristics of children in need"; docs/children-in-need-figures.md), written here again rather
than taken from the pipeline:

- referrals: episodes whose CINreferralDate is in the period; a re-referral when the child had a
  referral within the 12 months before (a previous one exactly 12 months earlier counts); NFA by
  ReferralNFA;
- assessments completed: authorised in the period; in time when authorised by the 45th working day
  after AssessmentActualStartDate (weekends and England bank holidays skipped);
- section 47 enquiries started in the period; ICPCs held in the period (the enquiry's
  DateOfInitialCPC), in time by the 15th working day after S47ActualStartDate; children awaiting an
  ICPC at the period end (enquiry started, none held by then, not marked not required, episode open);
- child protection plans: children on a plan at the period end, and on one started 2 years or more
  before it; plans starting in the period for a second or subsequent time (NumberOfPreviousCPP > 0);
  plans ceasing in the period after 2 years or more; plans open at the period end for 3 months or
  more reviewed in time (first review within 3 months of the start, each later within 6 months of
  the one before, and the next not overdue);
- children in need at the period end: an episode open then (closure after it or none); children with
  an open CIN plan.

Periods: the last 36 month ends and 12 financial quarter ends on or before the extract date, and up to
3 census years to 31 March on or before it that end on or after the authority's first referral.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from defusedxml import ElementTree

from tests.reference.children_in_care_care import bank_holidays, nth_working_day_after, shift_months
from tests.reference.measures import expected_measure_values, measures

FILE_NAME = re.compile(r"^cin_census_(?P<la>\d{3})_(?P<date>\d{8})\.(?P<ext>csv|xml)$", re.IGNORECASE)
GRAIN = ("la_code", "period_type", "period_end", "measure_code")
MONTHS, QUARTERS, YEARS = 36, 12, 3  # the dbt vars children_in_need_history_* defaults
# DfE's timescales (Working Together to Safeguard Children; the census guide)
ASSESSMENT_WORKING_DAYS = 45
ICPC_WORKING_DAYS = 15
RE_REFERRAL_MONTHS = 12
LONG_PLAN_YEARS = 2
FIRST_REVIEW_MONTHS, LATER_REVIEW_MONTHS, REVIEWABLE_AFTER_MONTHS = 3, 6, 3


@dataclass
class Plan:
    start: date
    end: date | None = None
    initial: str | None = None
    latest: str | None = None
    previous: int | None = None
    reviews: set[date] = field(default_factory=set)


@dataclass
class Episode:
    child: str
    referral: date
    source: str | None = None
    need: str | None = None
    closure: date | None = None
    nfa: bool = False
    assessments: dict[date, dict] = field(default_factory=dict)  # start -> authorised, factors
    s47: dict[date, dict] = field(default_factory=dict)  # start -> icpc, not_required
    cin_plans: dict[date, date | None] = field(default_factory=dict)


def day(text: str | None) -> date | None:
    """ISO (2024-04-06) or, as an authority's export may write the flat census, dd/mm/yyyy."""
    text = (text or "").strip()
    if not text:
        return None
    if "/" in text:
        day_of_month, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day_of_month)
    return date.fromisoformat(text)


def key_day(text: str | None) -> date:
    """A date that identifies something (a referral, an assessment, a plan): never blank."""
    found = day(text)
    assert found is not None, f"a key date is blank: {text!r}"
    return found


def flag(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", "1", "y", "yes")


def code(text: str | None) -> str | None:
    text = (text or "").strip().upper()
    return text or None


def current_files(landing: Path) -> dict[str, tuple[date, Path]]:
    """la_code -> (extract date, path) of its latest census delivery."""
    latest: dict[str, tuple[date, Path]] = {}
    for path in landing.iterdir():
        match = FILE_NAME.match(path.name)
        if match:
            when = date(int(match["date"][:4]), int(match["date"][4:6]), int(match["date"][6:]))
            if match["la"] not in latest or when > latest[match["la"]][0]:
                latest[match["la"]] = (when, path)
    return latest


class Census:
    """One authority's census: episodes by (child, referral date) and plans by (child, start)."""

    def __init__(self) -> None:
        self.episodes: dict[tuple[str, date], Episode] = {}
        self.plans: dict[tuple[str, date], Plan] = {}

    def episode(self, child: str, referral: date) -> Episode:
        return self.episodes.setdefault((child, referral), Episode(child, referral))

    def plan(self, child: str, start: date) -> Plan:
        return self.plans.setdefault((child, start), Plan(start))


def read_flat(path: Path) -> Census:
    census = Census()
    with path.open(encoding="utf-8-sig", newline="") as f:
        for raw in csv.DictReader(f):
            row = {k.strip().lower(): v for k, v in raw.items()}
            child, referral, kind = row["lachildid"].strip(), key_day(row["cinreferraldate"]), row["type"].strip()
            episode = census.episode(child, referral)
            episode.source = episode.source or code(row["referralsource"])
            episode.need = episode.need or code(row["primaryneedcode"])
            episode.closure = episode.closure or day(row["cinclosuredate"])
            episode.nfa = episode.nfa or flag(row["referralnfa"])
            if kind.startswith("Assessment"):
                a = episode.assessments.setdefault(key_day(row["assessmentactualstartdate"]), {})
                a["authorised"] = a.get("authorised") or day(row["assessmentauthorisationdate"])
                a["factors"] = a.get("factors") or row["factors"]
            elif kind.startswith("CINPlan"):
                start = key_day(row["cinplanstartdate"])
                episode.cin_plans[start] = episode.cin_plans.get(start) or day(row["cinplanenddate"])
            elif kind == "S47ActualStartDate":
                episode.s47[key_day(row["s47actualstartdate"])] = {
                    "icpc": day(row["dateofinitialcpc"]),
                    "not_required": flag(row["icpcnotrequired"]),
                }
            elif kind.startswith("CPP"):
                plan = census.plan(child, key_day(row["cppstartdate"]))
                plan.end = plan.end or day(row["cppenddate"])
                plan.initial = plan.initial or code(row["initialcategoryofabuse"])
                plan.latest = plan.latest or code(row["latestcategoryofabuse"])
                if row["numberofpreviouscpp"].strip():
                    plan.previous = int(row["numberofpreviouscpp"])
                if kind == "CPPreviewDate":
                    plan.reviews.add(key_day(row["date"]))
    return census


def read_xml(path: Path) -> Census:
    census = Census()

    def text(element, name: str) -> str | None:
        found = element.find(name)
        return found.text if found is not None else None

    for child_element in ElementTree.parse(path).getroot().iterfind("Children/Child"):
        child = (text(child_element, "ChildIdentifiers/LAchildID") or "").strip()
        for details in child_element.iterfind("CINdetails"):
            episode = census.episode(child, key_day(text(details, "CINreferralDate")))
            episode.source = code(text(details, "ReferralSource"))
            episode.need = code(text(details, "PrimaryNeedCode"))
            episode.closure = day(text(details, "CINclosureDate"))
            episode.nfa = flag(text(details, "ReferralNFA"))
            for a in details.iterfind("Assessments"):
                episode.assessments[key_day(text(a, "AssessmentActualStartDate"))] = {
                    "authorised": day(text(a, "AssessmentAuthorisationDate")),
                    "factors": ",".join(
                        f.text or "" for f in a.iterfind("FactorsIdentifiedAtAssessment/AssessmentFactors")
                    ),
                }
            for p in details.iterfind("CINPlanDates"):
                episode.cin_plans[key_day(text(p, "CINPlanStartDate"))] = day(text(p, "CINPlanEndDate"))
            for s in details.iterfind("Section47"):
                episode.s47[key_day(text(s, "S47ActualStartDate"))] = {
                    "icpc": day(text(s, "DateOfInitialCPC")),
                    "not_required": flag(text(s, "ICPCnotRequired")),
                }
            for p in details.iterfind("ChildProtectionPlans"):
                plan = census.plan(child, key_day(text(p, "CPPstartDate")))
                plan.end = day(text(p, "CPPendDate"))
                plan.initial = code(text(p, "InitialCategoryOfAbuse"))
                plan.latest = code(text(p, "LatestCategoryOfAbuse"))
                previous = text(p, "NumberOfPreviousCPP")
                plan.previous = int(previous) if previous else None
                plan.reviews = {key_day(r.text) for r in p.iterfind("Reviews/CPPreviewDate")}
    return census


def read_census(path: Path) -> Census:
    return read_xml(path) if path.suffix.lower() == ".xml" else read_flat(path)


def month_end(day_in_month: date) -> date:
    return shift_months(day_in_month.replace(day=1), 1) - timedelta(days=1)


def reporting_periods(extract_date: date, first_referral: date) -> list[tuple[str, date, date]]:
    """(period_type, period_start, period_end), as int_children_in_need_reporting_periods makes them."""
    periods = []
    last_month_end = (
        extract_date if month_end(extract_date) == extract_date else extract_date.replace(day=1) - timedelta(1)
    )
    for back in range(MONTHS):
        end = month_end(shift_months(last_month_end.replace(day=1), -back))
        periods.append(("month", end.replace(day=1), end))
    last_quarter_end = last_month_end
    while last_quarter_end.month not in (3, 6, 9, 12):
        last_quarter_end = last_quarter_end.replace(day=1) - timedelta(1)
    for back in range(QUARTERS):
        end = month_end(shift_months(last_quarter_end.replace(day=1), -3 * back))
        periods.append(("quarter", shift_months(end.replace(day=1), -2), end))
    last_year = extract_date.year if extract_date >= date(extract_date.year, 3, 31) else extract_date.year - 1
    for back in range(YEARS):
        end = date(last_year - back, 3, 31)
        if end >= first_referral:
            periods.append(("financial_year", date(end.year - 1, 4, 1), end))
    return periods


def financial_year(end: date) -> str:
    first = end.year if end.month >= 4 else end.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def open_at(start: date, end: date | None, at: date) -> bool:
    return start <= at and (end is None or end > at)


def reviewed_in_time(plan: Plan, at: date) -> bool:
    due, late = shift_months(plan.start, FIRST_REVIEW_MONTHS), False
    for review in sorted(r for r in plan.reviews if r <= at):
        late = late or review > due
        due = shift_months(review, LATER_REVIEW_MONTHS)
    return not late and due >= at


def authority_counts(census: Census, periods, holidays) -> dict[tuple[str, date, str], tuple[int, int | None]]:
    episodes = list(census.episodes.values())
    referrals_of = defaultdict(list)
    for e in episodes:
        referrals_of[e.child].append(e.referral)

    def re_referral(e: Episode) -> bool:
        since = shift_months(e.referral, -RE_REFERRAL_MONTHS)
        return any(since <= other < e.referral for other in referrals_of[e.child])

    assessments = [(e, start, a) for e in episodes for start, a in e.assessments.items()]
    enquiries = [(e, start, s) for e in episodes for start, s in e.s47.items()]
    counts = {}
    for kind, start, end in periods:

        def within(d: date | None) -> bool:
            return d is not None and start <= d <= end

        referred = [e for e in episodes if within(e.referral)]
        completed = [(start_, a) for _, start_, a in assessments if within(a["authorised"])]
        icpcs = [(s_start, s) for _, s_start, s in enquiries if within(s["icpc"])]
        awaiting = {
            e.child
            for e, s_start, s in enquiries
            if s_start <= end
            and not s["not_required"]
            and (s["icpc"] is None or s["icpc"] > end)
            and (e.closure is None or e.closure > end)
        }
        plans = list(census.plans.values())
        on_plan = [(child, p) for (child, _), p in census.plans.items() if open_at(p.start, p.end, end)]
        starting = [p for p in plans if within(p.start)]
        ceasing = [p for p in plans if within(p.end)]
        reviewable = [p for _, p in on_plan if p.start <= shift_months(end, -REVIEWABLE_AFTER_MONTHS)]
        figures = {
            "referrals": (len(referred), None),
            "re_referrals_12_months": (sum(re_referral(e) for e in referred), len(referred)),
            "referrals_no_further_action": (sum(e.nfa for e in referred), len(referred)),
            "assessments_completed": (len(completed), None),
            "assessments_45_working_days": (
                sum(
                    a["authorised"] <= nth_working_day_after(s, ASSESSMENT_WORKING_DAYS, holidays) for s, a in completed
                ),
                len(completed),
            ),
            "children_in_need_at_period_end": (
                len({e.child for e in episodes if open_at(e.referral, e.closure, end)}),
                None,
            ),
            "section_47_enquiries": (sum(within(s_start) for _, s_start, _ in enquiries), None),
            "icpc_held": (len(icpcs), None),
            "icpc_15_working_days": (
                sum(s["icpc"] <= nth_working_day_after(s_start, ICPC_WORKING_DAYS, holidays) for s_start, s in icpcs),
                len(icpcs),
            ),
            "children_awaiting_icpc": (len(awaiting), None),
            "cp_plans_at_period_end": (len({child for child, _ in on_plan}), None),
            "cp_plans_second_or_subsequent": (sum((p.previous or 0) > 0 for p in starting), len(starting)),
            "cp_plans_ceased_after_2_years": (
                sum(p.end is not None and p.end >= shift_months(p.start, 12 * LONG_PLAN_YEARS) for p in ceasing),
                len(ceasing),
            ),
            "cp_plans_lasting_2_years": (
                len({child for child, p in on_plan if p.start <= shift_months(end, -12 * LONG_PLAN_YEARS)}),
                None,
            ),
            "cp_reviews_in_time": (sum(reviewed_in_time(p, end) for p in reviewable), len(reviewable)),
            "cin_plans_open": (
                len({e.child for e in episodes for s, until in e.cin_plans.items() if open_at(s, until, end)}),
                None,
            ),
        }
        for measure, value in figures.items():
            counts[(kind, end, measure)] = value
    return counts


def load(landing: Path) -> dict[str, tuple[date, Census]]:
    return {la: (when, read_census(path)) for la, (when, path) in current_files(landing).items()}


def periods_of(extract_date: date, census: Census) -> list[tuple[str, date, date]]:
    return reporting_periods(extract_date, min(e.referral for e in census.episodes.values()))


def expected_scorecard(landing: Path) -> dict[tuple, dict]:
    """(la_code, period_type, period_end, measure_code) -> every figure of the scorecard row."""
    holidays, seeded = bank_holidays(), measures()
    counts = {}
    for la, (when, census) in load(landing).items():
        for (kind, end, measure), value in authority_counts(census, periods_of(when, census), holidays).items():
            counts[(la, measure, kind, end, "All")] = value
    expected = {}
    for (la, measure, kind, end, _), figures in expected_measure_values(counts).items():
        m = seeded[measure]
        expected[(la, kind, end, measure)] = {
            "financial_year": financial_year(end),
            "numerator": figures["numerator"],
            "denominator": figures["denominator"],
            "value_status": "published",
            "percentage": figures["value"] if m["unit"] == "percentage" else None,
            "value": figures["value"],
            "target": Fraction(m["target"]) if m["target"] else None,
            "rag": figures["rag"],
            "polarity": m["polarity"] or None,
            "previous_value": figures["previous_value"],
            "same_period_last_year_value": figures["same_period_last_year_value"],
            "direction_of_travel": figures["direction_of_travel"],
        }
    return expected


def share(part: int, whole: int) -> Fraction | None:
    return Fraction(100 * part, whole) if whole else None


def expected_breakdowns(landing: Path) -> dict[str, dict[tuple, dict]]:
    """Each breakdown table's rows, keyed by its grain."""
    tables: dict[str, dict[tuple, dict]] = {
        "children_in_need_referral_sources": {},
        "children_in_need_assessment_factors": {},
        "children_in_need_primary_needs": {},
        "children_in_need_abuse_categories": {},
    }
    for la, (when, census) in load(landing).items():
        episodes = list(census.episodes.values())
        for kind, start, end in periods_of(when, census):
            base = {"period_start": start, "financial_year": financial_year(end)}

            def within(d: date | None) -> bool:
                return d is not None and start <= d <= end

            referred = [e for e in episodes if within(e.referral)]
            by_source: defaultdict[str, int] = defaultdict(int)
            for e in referred:
                by_source[e.source or "not_recorded"] += 1
            for source, n in by_source.items():
                tables["children_in_need_referral_sources"][(la, kind, end, source)] = {
                    **base,
                    "referrals": n,
                    "all_referrals": len(referred),
                    "percentage": share(n, len(referred)),
                }
            completed = [a for e in episodes for a in e.assessments.values() if within(a["authorised"])]
            by_factor: defaultdict[str, int] = defaultdict(int)
            for a in completed:
                for factor in {f.strip().upper() for f in (a["factors"] or "").split(",") if f.strip()}:
                    by_factor[factor] += 1
            for factor, n in by_factor.items():
                tables["children_in_need_assessment_factors"][(la, kind, end, factor)] = {
                    **base,
                    "assessments": n,
                    "assessments_completed": len(completed),
                    "percentage": share(n, len(completed)),
                }
            starting: defaultdict[str, int] = defaultdict(int)
            at_end: defaultdict[str, int] = defaultdict(int)
            for e in referred:
                starting[e.need or "not_recorded"] += 1
            latest_open: dict[str, Episode] = {}
            for e in episodes:
                if open_at(e.referral, e.closure, end) and (
                    e.child not in latest_open or e.referral > latest_open[e.child].referral
                ):
                    latest_open[e.child] = e
            for e in latest_open.values():
                at_end[e.need or "not_recorded"] += 1
            for need in set(starting) | set(at_end):
                tables["children_in_need_primary_needs"][(la, kind, end, need)] = {
                    **base,
                    "referrals": starting[need],
                    "children_in_need_at_period_end": at_end[need],
                }
            categories: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
            for p in census.plans.values():
                for category_kind, category in (("initial", p.initial), ("latest", p.latest)):
                    key = (category_kind, category or "not_recorded")
                    categories[key][0] += within(p.start)
                    categories[key][1] += open_at(p.start, p.end, end)
            for (category_kind, category), (started, still_open) in categories.items():
                if started or still_open:
                    tables["children_in_need_abuse_categories"][(la, kind, end, category_kind, category)] = {
                        **base,
                        "plans_started": started,
                        "plans_open_at_period_end": still_open,
                    }
    return tables


BREAKDOWN_GRAINS = {
    "children_in_need_referral_sources": ("la_code", "period_type", "period_end", "referral_source"),
    "children_in_need_assessment_factors": ("la_code", "period_type", "period_end", "factor"),
    "children_in_need_primary_needs": ("la_code", "period_type", "period_end", "primary_need_code"),
    "children_in_need_abuse_categories": ("la_code", "period_type", "period_end", "category_kind", "category_of_abuse"),
}


def expected_exceptions(landing: Path) -> dict[tuple, dict]:
    """(la_code, exception_type, la_child_id, started_on) -> due_date, days_overdue, at the extract date."""
    holidays = bank_holidays()
    rows = {}
    for la, (at, census) in load(landing).items():
        for e in census.episodes.values():
            for start, a in e.assessments.items():
                due = nth_working_day_after(start, ASSESSMENT_WORKING_DAYS, holidays)
                if start <= at and (a["authorised"] is None or a["authorised"] > at) and due < at:
                    rows[(la, "assessment_overdue", e.child, start)] = {
                        "due_date": due,
                        "days_overdue": (at - due).days,
                    }
            for start, s in e.s47.items():
                due = nth_working_day_after(start, ICPC_WORKING_DAYS, holidays)
                awaiting = not s["not_required"] and (s["icpc"] is None or s["icpc"] > at)
                if start <= at and awaiting and (e.closure is None or e.closure > at) and due < at:
                    rows[(la, "icpc_overdue", e.child, start)] = {"due_date": due, "days_overdue": (at - due).days}
        for (child, start), p in census.plans.items():
            if not open_at(p.start, p.end, at):
                continue
            held = sorted(r for r in p.reviews if r <= at)
            due = shift_months(held[-1], LATER_REVIEW_MONTHS) if held else shift_months(p.start, FIRST_REVIEW_MONTHS)
            if due < at:
                rows[(la, "cp_review_overdue", child, start)] = {"due_date": due, "days_overdue": (at - due).days}
    return rows
