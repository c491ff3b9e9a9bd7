"""Deterministic synthetic children in need census: the case management system's running extract of
one authority, in DfE's flat one-row-per-event layout (cin_xml.FLAT_COLUMNS), coherent with its 903.

Children in care are children in need: every child of the 903 looked after at some time in the
history has a CIN episode (LAchildID = the 903's CHILD, same DOB, sex and ethnicity), opened by a
referral before care began and closed when care ends (RC1 adopted, RC3/RC4 orders, RC5 moved away,
RC6/RC7 at 18), or kept open on a CIN plan when the child goes home. Beside them, children in need
who are not looked after (CIN_PER_LOOKED_AFTER for each child looked after in the history), so that
the year's children in need are about six times its looked after children, as DfE's figures have them.

Each episode follows the children's social care pathway: a referral (some with no further action,
closed the same day; some re-referrals within 12 months of the last, one at exactly 12 months); a
continuous assessment with its factors (DfE's AssessmentFactors codes), mostly authorised within 45
working days, some later; section 47 enquiries whose initial child protection conference (ICPC)
target is 15 working days after the strategy discussion, most held by it, some late, some not
required; child protection plans from the ICPC (categories NEG/PHY/SAB/EMO/MUL, the latest differing
for some; second or subsequent plans; some over two years), reviewed within 3 months then every 6
(some late); CIN plans; closures with RC1-RC8. Events run over the history window, and the extract
holds every episode open at some time in it, as it stands at the extract date.

DfE's census is one year (1 April - 31 March): `census_year_rows` cuts the running extract to the
return an authority submits for a collection year, which DfE's CIN validator accepts with no row
flagged (tests/test_children_in_need_synthetic.py). The generator keeps what the validator checks
at a year's end: an assessment open on 31 March began within 45 working days of it (8670Q), an
enquiry without its conference within 15 (8675Q), ICPCs on working days (8875), one open episode
per child and the latest (8815, 8816), plans that never overlap (4014, 4016, 4017, 8940), an ICPC
recorded on its Section47 only, never again at CINdetails level (2884). An extract made during a year
is a census for that year as it stands then: work still open is what DfE's year-end queries 8670Q and
8675Q flag, as they take the year to have ended; returns at a year's end (31 March) flag nothing.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from qa_warehouse.load.ingest.cin_xml import FLAT_COLUMNS, write_return
from qa_warehouse.periods import add_months, is_working_day
from qa_warehouse_synthetic.children_in_care import ETHNICITY, Child, collection_year, upn
from qa_warehouse_synthetic.files import CellValue, ExtractTable
from qa_warehouse_synthetic.fostering import Window
from qa_warehouse_synthetic.quality_assurance import add_working_days

EXTRACT = "cin_census"
# Children in need who are not looked after, per child looked after in the history: with the looked
# after children themselves, about six children in need in a year for each one looked after in it.
CIN_PER_LOOKED_AFTER = 8.6
# DfE "Characteristics of children in need" shares (rounded): who refers.
REFERRAL_SOURCES = {
    "6": 29,
    "2A": 19,
    "2B": 1,
    "3A": 2,
    "3B": 3,
    "3C": 1,
    "3D": 2,
    "3E": 3,
    "3F": 4,
    "1A": 4,
    "1B": 1,
    "1C": 1,
    "1D": 1,
    "4": 2,
    "5A": 5,
    "5B": 4,
    "5C": 3,
    "5D": 1,
    "7": 2,
    "8": 7,
    "9": 4,
    "10": 1,
}
PRIMARY_NEED = {"N1": 57, "N2": 3, "N3": 3, "N4": 13, "N5": 15, "N6": 2, "N7": 1, "N8": 3, "N9": 3}
# Factors identified at assessment (DfE's AssessmentFactors codes; 18A and 19A retired in 2024/25 and
# 21, "no factors identified", only alone, on an assessment that closes the case).
FACTORS = {
    "3A": 30,
    "3B": 18,
    "4B": 30,
    "4A": 10,
    "2B": 14,
    "1B": 13,
    "16A": 16,
    "17A": 12,
    "19B": 8,
    "19C": 3,
    "18B": 4,
    "18C": 3,
    "14A": 8,
    "15A": 6,
    "5B": 5,
    "6A": 4,
    "5A": 3,
    "6B": 3,
    "7A": 3,
    "8B": 2,
    "8C": 1,
    "11A": 3,
    "12A": 1,
    "13A": 2,
    "1A": 2,
    "2A": 2,
    "9A": 1,
    "10A": 1,
    "20": 1,
    "22A": 2,
    "23A": 2,
    "24A": 3,
}
NO_FACTORS = "21"
ABUSE_CATEGORIES = {"NEG": 50, "EMO": 37, "PHY": 6, "SAB": 4, "MUL": 3}
DISABILITIES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA")
# Age at referral (DfE: a tenth under one, a third aged 10-15).
AGE_BANDS = {(0, 0): 10, (1, 4): 17, (5, 9): 24, (10, 15): 37, (16, 17): 12}
# How a CIN episode closes when it does not close after assessment (RC8) or on leaving care.
CLOSURE_REASONS = {"RC7": 78, "RC3": 5, "RC4": 3, "RC5": 14}
# The 903's reason an episode of care ceased -> why the CIN episode closed then.
CARE_ENDINGS = {"E11": "RC1", "E12": "RC1", "E41": "RC3", "E47": "RC3", "E48": "RC3", "E45": "RC4", "E46": "RC4"}
RETURNED_HOME = ("E4A", "E4B", "E13")
ASSESSMENT_TARGET_WORKING_DAYS = 45
ICPC_TARGET_WORKING_DAYS = 15
# A year end's margins, a few working days inside DfE's (8670Q: 45, 8675Q: 15): the validator's
# bank holiday list and ours may differ by a day.
OPEN_ASSESSMENT_AT_YEAR_END = 40
OPEN_ENQUIRY_AT_YEAR_END = 12


# --- the model ---------------------------------------------------------------------------------------


@dataclass
class Assessment:
    start: date
    authorised: date | None
    factors: tuple[str, ...] = ()


@dataclass
class Section47:
    start: date
    target: date
    icpc: date | None
    not_required: bool


@dataclass
class CinPlan:
    start: date
    end: date | None


@dataclass
class ProtectionPlan:
    start: date
    end: date | None
    initial_category: str
    latest_category: str
    previous_plans: int
    reviews: list[date] = field(default_factory=list)


@dataclass
class Episode:
    referral: date
    source: str
    need: str | None
    nfa: bool
    closure: date | None = None
    reason: str | None = None
    assessments: list[Assessment] = field(default_factory=list)
    enquiries: list[Section47] = field(default_factory=list)
    cin_plans: list[CinPlan] = field(default_factory=list)
    cp_plans: list[ProtectionPlan] = field(default_factory=list)


@dataclass
class ChildInNeed:
    child_id: str
    dob: date  # the expected date of birth while the child is unborn
    sex: str  # M, F (U while unborn)
    ethnicity: str
    upn: str | None
    upn_unknown: str | None
    disabilities: tuple[str, ...]
    death: date | None = None
    looked_after: bool = False
    episodes: list[Episode] = field(default_factory=list)


# --- working days ------------------------------------------------------------------------------------


def working_days_before(day: date, count: int) -> date:
    while count > 0:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _year_ends(first: date, last: date) -> list[date]:
    """Every 31 March from `first` to `last`."""
    return [date(y, 3, 31) for y in range(first.year, last.year + 1) if first <= date(y, 3, 31) <= last]


def _weighted(rng: random.Random, weights: Mapping):
    return rng.choices(list(weights), list(weights.values()))[0]


# --- the generator -----------------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int, la_code: str, window: Window, used_ids: set[str], used_upns: set[str]):
        self.rng = random.Random(f"children_in_need:{seed}:{la_code}")
        self.la_code = la_code
        self.window = window
        self.as_at = window.as_at
        self.used_ids = used_ids
        self.used_upns = used_upns
        self.year_ends = _year_ends(window.events_from - timedelta(days=800), window.as_at)
        september = window.as_at.year if window.as_at.month >= 9 else window.as_at.year - 1
        self.school_starters_born_by = date(september - 4, 8, 31)

    # identifiers

    def new_id(self) -> str:
        while True:
            child_id = str(self.rng.randint(100000, 999999))
            if child_id not in self.used_ids:
                self.used_ids.add(child_id)
                return child_id

    def new_upn(self) -> str:
        while True:
            candidate = upn(self.rng, self.la_code)
            if candidate not in self.used_upns:
                self.used_upns.add(candidate)
                return candidate

    def school_identifiers(self, dob: date) -> tuple[str | None, str | None]:
        """A UPN for a child who has started school (reception: the September after the 4th birthday);
        UN1 (under 6, not at school yet) for the others; a few at school age without one (UN2-UN6)."""
        if dob > self.school_starters_born_by:
            return None, "UN1"
        if self.rng.random() < 0.03:
            return None, self.rng.choice(("UN2", "UN3", "UN4", "UN5", "UN6"))
        return self.new_upn(), None

    def disabilities(self) -> tuple[str, ...]:
        rng = self.rng
        if rng.random() < 0.87:
            return ("NONE",)
        return tuple(sorted(rng.sample(DISABILITIES, rng.choice((1, 1, 1, 2, 2, 3)))))

    # the pathway

    def fit_year_end(self, start: date, end: date | None, margin: int, floor: date) -> date | None:
        """`end`, brought back to a 31 March it would otherwise run past when it began more than
        `margin` working days before it (but not before `floor`): what DfE queries at a year's end."""
        for year_end in self.year_ends:
            if start <= year_end < (end or date.max) and start < working_days_before(year_end, margin):
                return max(floor, working_day_on_or_before(year_end))
        return end

    def assessment(self, start: date, during: date | None = None, closing: bool = False) -> Assessment:
        """A continuous assessment from `start`, authorised within 45 working days mostly (not before
        `during`, an enquiry's outcome it waits for); `closing`: it may find no factors (21)."""
        rng = self.rng
        late = rng.random() < 0.16
        days = rng.randint(46, 85) if late else rng.randint(8, 44)
        due = max(add_working_days(start, days), during or start)
        authorised = self.fit_year_end(start, due, OPEN_ASSESSMENT_AT_YEAR_END, during or start) or due
        if closing and rng.random() < 0.3:
            factors: tuple[str, ...] = (NO_FACTORS,)
        else:
            count = rng.choice((1, 1, 2, 2, 3, 4))
            factors = tuple(dict.fromkeys(_weighted(rng, FACTORS) for _ in range(count)))
        return Assessment(start, authorised, factors)

    def enquiry(self, start: date, previous_plans: int) -> tuple[Section47, ProtectionPlan | None]:
        """A section 47 enquiry from a strategy discussion on `start`, and the plan its ICPC made."""
        rng = self.rng
        target = add_working_days(start, ICPC_TARGET_WORKING_DAYS)
        if rng.random() < 0.38:
            return Section47(start, target, None, True), None
        if rng.random() < 0.72:  # DfE: about 78% of ICPCs within 15 working days
            icpc = add_working_days(start, rng.randint(6, ICPC_TARGET_WORKING_DAYS))
        else:
            icpc = add_working_days(start, rng.randint(ICPC_TARGET_WORKING_DAYS + 1, ICPC_TARGET_WORKING_DAYS + 25))
        held = self.fit_year_end(start, icpc, OPEN_ENQUIRY_AT_YEAR_END, start + timedelta(days=1))
        icpc = working_day_on_or_after(held or icpc)
        enquiry = Section47(start, target, icpc, False)
        if rng.random() > 0.82:  # the conference decided no plan was needed
            return enquiry, None
        return enquiry, self.protection_plan(icpc, previous_plans)

    def protection_plan(self, start: date, previous_plans: int) -> ProtectionPlan:
        rng = self.rng
        low, high = _weighted(rng, {(50, 180): 22, (181, 365): 38, (366, 729): 34, (760, 1000): 6})
        end = start + timedelta(days=rng.randint(low, high))
        initial = _weighted(rng, ABUSE_CATEGORIES)
        latest = _weighted(rng, ABUSE_CATEGORIES) if rng.random() < 0.12 else initial
        plan = ProtectionPlan(start, end, initial, latest, previous_plans)
        # Reviews: the first within 3 months of the conference, then at most every 6 months; a few late.
        late_child = rng.random() < 0.15
        due = add_months(start, 3)
        while True:
            late = rng.random() < (0.4 if late_child else 0.04)
            review = due + timedelta(days=rng.randint(3, 40)) if late else due - timedelta(days=rng.randint(0, 25))
            review = working_day_on_or_before(review)
            if review <= start or review >= end:
                break
            plan.reviews.append(review)
            due = add_months(review, 6)
        # A plan ends at a review conference, most often.
        plan.end = working_day_on_or_after(max(end, (plan.reviews or [start])[-1] + timedelta(days=1)))
        return plan

    def episode(self, child: ChildInNeed, referral: date, previous_plans: int) -> Episode:
        """One episode of need from a referral, run to its end (cut at the extract date later)."""
        rng = self.rng
        source = _weighted(rng, REFERRAL_SOURCES)
        if rng.random() < 0.08:  # no further action: closed the day it came in
            return Episode(referral, source, None, True, referral, "RC7")
        episode = Episode(referral, source, _weighted(rng, PRIMARY_NEED), False)
        start = working_day_on_or_after(referral + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5))))
        day = self.pathway(episode, start, previous_plans, first=True)
        if episode.closure is None:
            _close(episode, day + timedelta(days=rng.randint(0, 20)), _weighted(rng, CLOSURE_REASONS))
        return episode

    def pathway(self, episode: Episode, start: date, previous_plans: int, first: bool) -> date:
        """Assessment, then a section 47 (and a plan), a CIN plan or closure: the day the work ends.
        Sets the closure for a case closed after assessment (RC8)."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.2:  # a section 47 enquiry alongside the assessment
            enquiry, plan = self.enquiry(
                working_day_on_or_after(start + timedelta(days=rng.randint(0, 6))), previous_plans
            )
            episode.enquiries.append(enquiry)
            outcome = enquiry.icpc or add_working_days(enquiry.start, rng.randint(5, 14))
            episode.assessments.append(self.assessment(start, during=outcome))
            if plan is not None:
                episode.cp_plans.append(plan)
                assert plan.end is not None
                if rng.random() < 0.55:  # stepped down to a CIN plan
                    return self.cin_plan(episode, plan.end + timedelta(days=rng.randint(1, 10)), previous_plans + 1)
                return plan.end
            if rng.random() < 0.6:
                assessed = episode.assessments[-1].authorised
                assert assessed is not None
                return self.cin_plan(episode, assessed + timedelta(days=rng.randint(1, 10)), previous_plans)
            return episode.assessments[-1].authorised or start
        assessment = self.assessment(start, closing=first)
        episode.assessments.append(assessment)
        assert assessment.authorised is not None
        if first and (draw < 0.48 or assessment.factors == (NO_FACTORS,)):  # closed after assessment
            # Closed with no factors found (21): the same day, as DfE's 8873Q expects of it.
            no_factors = assessment.factors == (NO_FACTORS,)
            closure = assessment.authorised + timedelta(days=0 if no_factors else rng.randint(0, 7))
            if census_year_ending(closure) != census_year_ending(assessment.authorised):
                closure = assessment.authorised  # in the census year of the assessment it closes on (8825Q)
            episode.closure, episode.reason = closure, "RC8"
            return episode.closure
        return self.cin_plan(episode, assessment.authorised + timedelta(days=rng.randint(1, 10)), previous_plans)

    def cin_plan(self, episode: Episode, start: date, previous_plans: int) -> date:
        """A CIN plan from `start`; a few step up to child protection while on it."""
        rng = self.rng
        end = start + timedelta(days=rng.randint(60, 540))
        plan = CinPlan(start, end)
        episode.cin_plans.append(plan)
        if rng.random() < 0.12 and len(episode.cp_plans) < 2:
            # New concerns: a new assessment and a section 47 during the plan; the plan ends at the ICPC.
            concern = working_day_on_or_after(start + timedelta(days=rng.randint(30, max(31, (end - start).days - 30))))
            if concern < end:
                enquiry, protection = self.enquiry(concern, previous_plans)
                outcome = enquiry.icpc or add_working_days(concern, rng.randint(5, 14))
                episode.enquiries.append(enquiry)
                episode.assessments.append(self.assessment(concern, during=outcome))
                if protection is not None:
                    plan.end = protection.start
                    episode.cp_plans.append(protection)
                    assert protection.end is not None
                    return protection.end
                assessed = episode.assessments[-1].authorised
                plan.end = max(end, (assessed or end) + timedelta(days=1))
        return plan.end or end

    # children

    def child_not_looked_after(self, first_referral: date) -> ChildInNeed:
        rng = self.rng
        unborn = rng.random() < 0.03
        if unborn:  # referred before birth
            dob = first_referral + timedelta(days=rng.randint(30, 190))
            # Still unborn at the extract date: DfE's 8530Q expects the birth from a month before the
            # census year's end to 9 months after it; otherwise the baby was born (soon after referral).
            year_end = collection_year(self.as_at)[1]
            if dob > self.as_at and not year_end - timedelta(days=29) <= dob < add_months(year_end, 9):
                dob = first_referral - timedelta(days=rng.randint(3, 60))
        else:
            low, high = _weighted(rng, AGE_BANDS)
            dob = first_referral - timedelta(days=rng.randint(low * 365 + 5, high * 365 + 355))
        upn_, unknown = self.school_identifiers(dob)
        child = ChildInNeed(
            self.new_id(),
            dob,
            rng.choice(("M", "F")),
            _weighted(rng, ETHNICITY) if rng.random() > 0.02 else rng.choice(("REFU", "NOBT")),
            upn_,
            unknown,
            self.disabilities(),
        )
        # Some had a plan before (here or in another authority): DfE, about a quarter of plans are second or later.
        referral, plans = first_referral, rng.choice((1, 1, 1, 2)) if rng.random() < 0.2 else 0
        eighteenth = add_months(dob, 12 * 18)
        while referral <= self.as_at and referral < eighteenth - timedelta(days=60):
            episode = self.episode(child, referral, plans)
            plans += len(episode.cp_plans)
            child.episodes.append(episode)
            if episode.closure is None or episode.closure > self.as_at:
                break
            if episode.closure >= eighteenth:
                break
            draw = rng.random()
            if draw < 0.3:  # re-referred within 12 months of the last referral (DfE: about 22% of referrals)
                referral = max(
                    episode.closure + timedelta(days=rng.randint(7, 120)), episode.referral + timedelta(days=30)
                )
                if referral > add_months(episode.referral, 12):
                    referral = episode.closure + timedelta(days=rng.randint(1, 20))
            elif draw < 0.42:
                referral = episode.closure + timedelta(days=rng.randint(200, 700))
            else:
                break
        self.end_at_eighteen(child, eighteenth)
        if rng.random() < 0.003:
            self.dies(child)
        return child

    def child_on_a_long_plan(self) -> ChildInNeed:
        """A child on a child protection plan since an ICPC over two years before the extract date."""
        rng = self.rng
        referral = working_day_on_or_after(add_months(self.as_at, -26) - timedelta(days=rng.randint(10, 90)))
        dob = referral - timedelta(days=rng.randint(2 * 365, 9 * 365))
        upn_, unknown = self.school_identifiers(dob)
        child = ChildInNeed(
            self.new_id(), dob, rng.choice(("M", "F")), _weighted(rng, ETHNICITY), upn_, unknown, self.disabilities()
        )
        episode = Episode(referral, _weighted(rng, REFERRAL_SOURCES), "N1", False)
        enquiry_start = working_day_on_or_after(referral + timedelta(days=1))
        icpc = add_working_days(enquiry_start, rng.randint(8, ICPC_TARGET_WORKING_DAYS))
        episode.enquiries.append(
            Section47(enquiry_start, add_working_days(enquiry_start, ICPC_TARGET_WORKING_DAYS), icpc, False)
        )
        episode.assessments.append(self.assessment(referral, during=icpc))
        category = _weighted(rng, ABUSE_CATEGORIES)
        plan = ProtectionPlan(icpc, None, category, category, 0)
        review = working_day_on_or_before(add_months(icpc, 3) - timedelta(days=rng.randint(1, 20)))
        while review < self.as_at:
            plan.reviews.append(review)
            review = working_day_on_or_before(add_months(review, 6) - timedelta(days=rng.randint(1, 20)))
        episode.cp_plans.append(plan)
        child.episodes.append(episode)
        return child

    def end_at_eighteen(self, child: ChildInNeed, eighteenth: date) -> None:
        """A child stops being a child in need at 18: the episode open then closes (adult services)."""
        for episode in child.episodes:
            if episode.closure is not None and episode.closure >= eighteenth:
                reason = "RC8" if episode.reason == "RC8" else "RC6" if self.rng.random() < 0.4 else "RC7"
                _cut_at(episode, eighteenth - timedelta(days=1), reason)

    def dies(self, child: ChildInNeed) -> None:
        if not child.episodes:
            return
        last = child.episodes[-1]
        if last.nfa or last.reason == "RC8" or last.closure is None or last.closure > self.as_at:
            return
        child.death = last.closure
        last.reason = "RC2"

    def exactly_twelve_months(self, child: ChildInNeed) -> None:
        """Make `child`'s second referral fall exactly 12 months after its first (DfE's re-referral edge)."""
        first = child.episodes[0]
        again = add_months(first.referral, 12)
        rng = self.rng
        if not first.nfa and (first.closure is None or first.closure >= again):
            reason = "RC8" if first.reason == "RC8" else "RC7"
            _cut_at(first, first.referral + timedelta(days=rng.randint(60, 200)), reason)
        second = self.episode(child, again, len(first.cp_plans))
        child.episodes[1:] = [second]

    def looked_after_child(self, child: Child) -> ChildInNeed | None:
        """The CIN record of a 903 child: an episode for each period of care in the history (a period
        that begins within weeks of the last episode's end shares it), opened before care began and
        closed when care ended (or later, after a CIN plan at home)."""
        rng, window = self.rng, self.window
        periods = [p for p in child.periods if p.end is None or p.end >= window.events_from]
        if not periods:
            return None
        upn_: str | None = child.upn if len(child.upn) == 13 else None  # the 903's UN2: under school age
        if upn_ is None and child.dob <= self.school_starters_born_by:
            upn_ = self.new_upn()  # started school since
        cin = ChildInNeed(
            child.child_id,
            child.dob,
            "M" if child.sex == 1 else "F",
            child.ethnic,
            upn_,
            None if upn_ else "UN1",
            ("NONE",) if rng.random() < 0.9 else self.disabilities(),
            looked_after=True,
        )
        if upn_:
            self.used_upns.add(upn_)
        eighteenth = child.birthday(18)
        for index, period in enumerate(periods):
            last = cin.episodes[-1] if cin.episodes else None
            if last is not None and (last.closure is None or period.start <= last.closure + timedelta(days=30)):
                episode = last  # home for a while on a CIN plan, then back into care
                episode.closure = episode.reason = None
                episode.cin_plans = [p for p in episode.cin_plans if p.start < period.start]
                for plan in episode.cin_plans:
                    if plan.end is None or plan.end > period.start:
                        plan.end = period.start
            else:
                plans = sum(len(e.cp_plans) for e in cin.episodes)
                need = period.episodes[0].cin if period.episodes else "N1"
                episode = self.before_care(child, period.start, last.closure if last else None, plans, need)
                cin.episodes.append(episode)
            if period.end is None:
                continue
            ended = period.episodes[-1].rec or ""
            if ended in CARE_ENDINGS:
                _close(episode, period.end, CARE_ENDINGS[ended])
            elif ended == "E3":
                _close(episode, period.end, "RC5")
            elif child.age_on(period.end) >= 17 or ended in ("E5", "E6", "E8", "E9", "E17"):
                _close(episode, period.end, "RC6" if rng.random() < 0.5 else "RC7")
            elif ended in RETURNED_HOME or index + 1 < len(periods):
                # Home on a CIN plan, stepped down to universal services later.
                plan_end = period.end + timedelta(days=rng.randint(90, 400))
                episode.cin_plans.append(CinPlan(period.end, plan_end))
                _close(episode, plan_end + timedelta(days=rng.randint(0, 14)), "RC7")
            else:
                _close(episode, period.end, "RC7")
            if episode.closure is not None and episode.closure > eighteenth:
                _cut_at(episode, eighteenth, "RC6")
        return cin

    def before_care(
        self, child: Child, care_starts: date, previous_closure: date | None, previous_plans: int, need: str
    ) -> Episode:
        """The referral, assessment and (for some) child protection that came before care."""
        rng = self.rng
        earliest = max(child.dob - timedelta(days=150), previous_closure or date.min)
        emergency = rng.random() < 0.25
        lead = rng.randint(0, 3) if emergency else rng.randint(40, 400)
        referral = max(earliest, care_starts - timedelta(days=lead))
        episode = Episode(referral, _weighted(rng, REFERRAL_SOURCES), need, False)
        span = (care_starts - referral).days
        if span < 30:  # into care at once: the assessment runs on while the child is looked after
            episode.assessments.append(self.assessment(referral))
            return episode
        start = working_day_on_or_after(referral + timedelta(days=rng.randint(0, 3)))
        if rng.random() < 0.45 and span > 60 and need == "N1":
            enquiry_start = working_day_on_or_after(start + timedelta(days=rng.randint(0, 5)))
            target = add_working_days(enquiry_start, ICPC_TARGET_WORKING_DAYS)
            icpc = add_working_days(enquiry_start, rng.randint(6, ICPC_TARGET_WORKING_DAYS))
            held = self.fit_year_end(enquiry_start, icpc, OPEN_ENQUIRY_AT_YEAR_END, enquiry_start + timedelta(days=1))
            icpc = working_day_on_or_after(held or icpc)
            if icpc < care_starts - timedelta(days=2):
                episode.enquiries.append(Section47(enquiry_start, target, icpc, False))
                episode.assessments.append(self.assessment(start, during=icpc))
                plan = ProtectionPlan(
                    icpc, care_starts, _weighted(rng, ABUSE_CATEGORIES), "", previous_plans, reviews=[]
                )
                plan.latest_category = plan.initial_category
                review = working_day_on_or_before(add_months(icpc, 3) - timedelta(days=rng.randint(0, 20)))
                while icpc < review < care_starts:
                    plan.reviews.append(review)
                    review = working_day_on_or_before(add_months(review, 6) - timedelta(days=rng.randint(0, 20)))
                episode.cp_plans.append(plan)  # ends the day the child becomes looked after
                return episode
        assessment = self.assessment(start)
        episode.assessments.append(assessment)
        if assessment.authorised and assessment.authorised < care_starts - timedelta(days=2):
            episode.cin_plans.append(CinPlan(assessment.authorised + timedelta(days=1), care_starts))
        return episode

    def authority(self, looked_after: Sequence[Child]) -> list[ChildInNeed]:
        rng, window = self.rng, self.window
        children = [c for c in (self.looked_after_child(child) for child in looked_after) if c is not None]
        count = round(CIN_PER_LOOKED_AFTER * len(children))
        # First referrals from a year before the history's events begin, so that episodes are open then.
        first, last = window.events_from - timedelta(days=365), window.as_at
        span = (last - first).days
        others = [self.child_not_looked_after(first + timedelta(days=rng.randint(0, span))) for _ in range(count)]
        # Every timescale's edges at least once (late or not, two plans, a re-referral at 12 months).
        self.ensure_cases(others)
        children += [c for c in others if _in_window(c, window)]
        _some_with_several_disabilities(children, window)
        for child in children:
            for episode in child.episodes:
                _check(child, episode)
        return sorted(children, key=lambda c: c.child_id)

    def ensure_cases(self, others: list[ChildInNeed]) -> None:
        as_at = self.as_at
        candidates = [
            c
            for c in others
            if c.episodes
            and not c.looked_after
            and c.dob < c.episodes[0].referral
            and as_at - timedelta(days=700) <= c.episodes[0].referral <= as_at - timedelta(days=400)
            and add_months(c.dob, 12 * 17) > as_at
        ]
        if candidates:
            self.exactly_twelve_months(candidates[0])
        lasting = [
            p
            for c in others
            for e in c.episodes
            for p in e.cp_plans
            if (p.end is None or p.end > as_at) and add_months(p.start, 24) <= as_at
        ]
        if not lasting:  # a plan open for over two years at the extract date, rare but in every census
            others.append(self.child_on_a_long_plan())
        if not any(c.death for c in others):  # a child who died (RC2), rare but in every census
            closed = [
                c
                for c in others
                if c.episodes
                and c.episodes[-1].closure
                and self.window.history_start <= c.episodes[-1].closure <= as_at
            ]
            for child in closed[len(closed) // 2 :]:
                self.dies(child)
                if child.death:
                    break


def _some_with_several_disabilities(children: list[ChildInNeed], window: Window) -> None:
    """Every census year's return has a child with more than one disability, as DfE's 2888Q expects
    of a return (a small authority's might not, by chance): the first such child by id gets two."""
    for year in range(census_year_ending(window.events_from), census_year_ending(window.as_at) + 1):
        first, last = date(year - 1, 4, 1), date(year, 3, 31)
        in_year = sorted(
            (
                c
                for c in children
                if c.dob <= last
                and any(
                    not e.nfa and e.referral <= last and (e.closure is None or e.closure >= first) for e in c.episodes
                )
            ),
            key=lambda c: c.child_id,
        )
        if in_year and not any(len(set(c.disabilities) - {"NONE"}) > 1 for c in in_year):
            in_year[0].disabilities = ("COMM", "LD")


def _in_window(child: ChildInNeed, window: Window) -> bool:
    child.episodes = [
        e
        for e in child.episodes
        if e.referral <= window.as_at and (e.closure is None or e.closure >= window.events_from)
    ]
    return bool(child.episodes)


def _close(episode: Episode, day: date, reason: str) -> None:
    """Close `episode` on `day`, or on the day its last piece of work ended if that is later."""
    ends = [episode.referral, day]
    ends += [a.authorised or a.start for a in episode.assessments]
    ends += [s.icpc or s.start for s in episode.enquiries]
    ends += [p.end or p.start for p in episode.cin_plans] + [p.end or p.start for p in episode.cp_plans]
    episode.closure, episode.reason = max(ends), reason


def _cut_at(episode: Episode, day: date, reason: str) -> None:
    """Close `episode` on `day`: work after it is dropped and work open then ends with it."""
    episode.closure, episode.reason = max(day, episode.referral), reason
    day = episode.closure
    episode.assessments = [a for a in episode.assessments if a.start <= day]
    for a in episode.assessments:
        if a.authorised is None or a.authorised > day:
            a.authorised = max(day, a.start)
    episode.enquiries = [s for s in episode.enquiries if s.start <= day]
    for s in episode.enquiries:
        if s.icpc is not None and s.icpc > day:
            s.icpc, s.not_required = None, True
    for plan in episode.cin_plans:
        if plan.end is None or plan.end > day:
            plan.end = day
    episode.cin_plans = [p for p in episode.cin_plans if p.start <= day and p.start != p.end]
    for cp in episode.cp_plans:
        if cp.end is None or cp.end > day:
            cp.end = day
        cp.reviews = [r for r in cp.reviews if r < cp.end]
    episode.cp_plans = [p for p in episode.cp_plans if p.start < day]


def _check(child: ChildInNeed, episode: Episode) -> None:
    """The generator's own invariants: an episode's work lies inside it."""
    end = episode.closure or date.max
    for a in episode.assessments:
        if not (episode.referral <= a.start <= end and (a.authorised is None or a.start <= a.authorised <= end)):
            raise AssertionError(f"child {child.child_id}: assessment {a} outside episode {episode.referral}-{end}")


# --- the extract as it stands on a day -------------------------------------------------------------


def as_it_stood(children: Iterable[ChildInNeed], day: date) -> list[ChildInNeed]:
    """The children and episodes as a system showed them on `day`: later work unknown, open what
    ended after it, an unborn child's birth still expected (Sex U)."""
    out = []
    for child in children:
        episodes = []
        for e in child.episodes:
            if e.referral > day:
                continue
            closed = e.closure is not None and e.closure <= day
            episodes.append(
                Episode(
                    e.referral,
                    e.source,
                    e.need,
                    e.nfa,
                    e.closure if closed else None,
                    e.reason if closed else None,
                    [
                        Assessment(a.start, a.authorised if a.authorised and a.authorised <= day else None, a.factors)
                        for a in e.assessments
                        if a.start <= day
                    ],
                    [
                        Section47(
                            s.start,
                            s.target,
                            s.icpc if s.icpc and s.icpc <= day else None,
                            s.not_required,
                        )
                        for s in e.enquiries
                        if s.start <= day
                    ],
                    [
                        CinPlan(p.start, p.end if p.end and p.end <= day else None)
                        for p in e.cin_plans
                        if p.start <= day
                    ],
                    [
                        ProtectionPlan(
                            p.start,
                            p.end if p.end and p.end <= day else None,
                            p.initial_category,
                            p.latest_category,
                            p.previous_plans,
                            [r for r in p.reviews if r <= day],
                        )
                        for p in e.cp_plans
                        if p.start <= day
                    ],
                )
            )
        if not episodes:
            continue
        unborn = child.dob > day
        out.append(
            ChildInNeed(
                child.child_id,
                child.dob,
                "U" if unborn else child.sex,
                child.ethnicity,
                None if unborn else child.upn,
                child.upn_unknown if not unborn and not child.upn else ("UN1" if unborn else None),
                () if unborn else child.disabilities,
                child.death if child.death and child.death <= day else None,
                child.looked_after,
                episodes,
            )
        )
    return out


def _census_year(children: Iterable[ChildInNeed], year: int) -> list[ChildInNeed]:
    """The return for the census year ending 31 March `year`, as DfE scopes it: the children with an
    episode open during the year, and of each episode what the year holds (assessments open or
    authorised in it, enquiries started in it or whose conference fell in it, plans open in it, the
    year's reviews)."""
    first, last = date(year - 1, 4, 1), date(year, 3, 31)
    out = []
    for child in as_it_stood(children, last):
        episodes = []
        for e in child.episodes:
            if e.closure is not None and e.closure < first:
                continue
            e.assessments = [a for a in e.assessments if a.authorised is None or a.authorised >= first]
            e.enquiries = [
                s
                for s in e.enquiries
                if s.start >= first
                or (s.icpc is not None and s.icpc >= first)
                or (s.icpc is None and not s.not_required)
            ]
            e.cin_plans = [p for p in e.cin_plans if p.end is None or p.end >= first]
            e.cp_plans = [p for p in e.cp_plans if p.end is None or p.end >= first]
            for plan in e.cp_plans:
                plan.reviews = [r for r in plan.reviews if r >= first]
            episodes.append(e)
        if episodes:
            child.episodes = episodes
            out.append(child)
    return out


# --- flat rows -----------------------------------------------------------------------------------------


def _gender_current(sex: str) -> str:
    return {"M": "1", "F": "2"}.get(sex, "0")


def flat_rows(children: Iterable[ChildInNeed], sex_element: str = "Sex") -> list[dict[str, CellValue]]:
    """DfE's flat layout: one row per event, each repeating its child's and its episode's details.
    `sex_element`: Sex (from 2024/25) or GenderCurrent (to 2023/24), the one the year's census has."""
    rows: list[dict[str, CellValue]] = []
    for child in children:
        unborn = child.sex == "U"
        identity: dict[str, CellValue] = {
            "LAchildID": child.child_id,
            "UPN": child.upn,
            "UPNunknown": child.upn_unknown,
            "PersonBirthDate": None if unborn else child.dob,
            "ExpectedPersonBirthDate": child.dob if unborn else None,
            "PersonDeathDate": child.death,
            "Ethnicity": child.ethnicity,
            "Disabilities": ",".join(child.disabilities) or None,
        }
        identity[sex_element] = child.sex if sex_element == "Sex" else _gender_current(child.sex)
        for e in child.episodes:
            details = {
                **identity,
                "CINreferralDate": e.referral,
                "ReferralSource": e.source,
                "PrimaryNeedCode": e.need,
                "CINclosureDate": e.closure,
                "ReasonForClosure": e.reason,
                "ReferralNFA": "1" if e.nfa else "0",
            }
            events: list[tuple[date, str, dict]] = [(e.referral, "CINreferralDate", {})]
            if e.closure:
                events.append((e.closure, "CINclosureDate", {}))
            block: dict[str, CellValue]
            for a in e.assessments:
                block = {
                    "AssessmentActualStartDate": a.start,
                    "AssessmentAuthorisationDate": a.authorised,
                    # DfE 8614: factors belong to a completed assessment.
                    "Factors": ",".join(a.factors) if a.authorised and a.factors else None,
                }
                events.append((a.start, "AssessmentActualStartDate", block))
                if a.authorised:
                    events.append((a.authorised, "AssessmentAuthorisationDate", block))
            for p in e.cin_plans:
                block = {"CINPlanStartDate": p.start, "CINPlanEndDate": p.end}
                events.append((p.start, "CINPlanStartDate", block))
                if p.end:
                    events.append((p.end, "CINPlanEndDate", block))
            for s in e.enquiries:
                block = {
                    "S47ActualStartDate": s.start,
                    "InitialCPCtarget": s.target,
                    "DateOfInitialCPC": s.icpc,
                    "ICPCnotRequired": "1" if s.not_required else "0",
                }
                events.append((s.start, "S47ActualStartDate", block))
            for cp in e.cp_plans:
                block = {
                    "CPPstartDate": cp.start,
                    "CPPendDate": cp.end,
                    "InitialCategoryOfAbuse": cp.initial_category,
                    "LatestCategoryOfAbuse": cp.latest_category,
                    "NumberOfPreviousCPP": cp.previous_plans,
                }
                events.append((cp.start, "CPPstartDate", block))
                events += [(r, "CPPreviewDate", block) for r in cp.reviews]
                if cp.end:
                    events.append((cp.end, "CPPendDate", block))
            order = {name: n for n, name in enumerate(TYPE_ORDER)}
            for when, kind, block in sorted(events, key=lambda ev: (ev[0], order[ev[1]])):
                row = {**details, **block, "Date": when, "Type": kind}
                rows.append({column: row.get(column) for column in FLAT_COLUMNS})
    return rows


TYPE_ORDER = (
    "CINreferralDate",
    "AssessmentActualStartDate",
    "S47ActualStartDate",
    "CPPstartDate",
    "CPPreviewDate",
    "AssessmentAuthorisationDate",
    "CINPlanStartDate",
    "CPPendDate",
    "CINPlanEndDate",
    "CINclosureDate",
)


# --- flat rows back to children (for a year's return cut from any extract) -----------------------------


def _as_date(value: CellValue) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    day, month, year = (int(p) for p in text.split("/"))
    return date(year, month, day)


def children_from_rows(rows: Iterable[Mapping[str, CellValue]]) -> list[ChildInNeed]:
    """The flat event rows (any key case, dates as dates, yyyy-mm-dd or dd/mm/yyyy) as children."""
    by_lower = {c.lower(): c for c in FLAT_COLUMNS}
    children: dict[str, ChildInNeed] = {}
    episodes: dict[tuple[str, date], Episode] = {}
    for raw in rows:
        row = {by_lower[k.lower()]: (None if v == "" else v) for k, v in raw.items() if k.lower() in by_lower}
        child_id = str(row["LAchildID"] or "")
        if child_id not in children:
            born = _as_date(row["PersonBirthDate"])
            sex = str(row.get("Sex") or {"1": "M", "2": "F"}.get(str(row.get("GenderCurrent") or ""), "U"))
            children[child_id] = ChildInNeed(
                child_id,
                born or _as_date(row["ExpectedPersonBirthDate"]) or date.min,
                sex,
                str(row["Ethnicity"] or ""),
                str(row["UPN"]) if row["UPN"] else None,
                str(row["UPNunknown"]) if row["UPNunknown"] else None,
                tuple(d for d in str(row["Disabilities"] or "").split(",") if d),
                _as_date(row["PersonDeathDate"]),
            )
        child = children[child_id]
        referral = _as_date(row["CINreferralDate"])
        assert referral is not None
        key = (child_id, referral)
        if key not in episodes:
            episodes[key] = Episode(
                referral,
                str(row["ReferralSource"] or ""),
                str(row["PrimaryNeedCode"]) if row["PrimaryNeedCode"] else None,
                str(row["ReferralNFA"]).lower() in ("1", "true"),
                _as_date(row["CINclosureDate"]),
                str(row["ReasonForClosure"]) if row["ReasonForClosure"] else None,
            )
            child.episodes.append(episodes[key])
        episode, kind = episodes[key], row["Type"]
        if kind == "AssessmentActualStartDate":
            factors = tuple(f for f in str(row["Factors"] or "").split(",") if f)
            start = _as_date(row["AssessmentActualStartDate"])
            assert start is not None
            episode.assessments.append(Assessment(start, _as_date(row["AssessmentAuthorisationDate"]), factors))
        elif kind == "S47ActualStartDate":
            start, target = _as_date(row["S47ActualStartDate"]), _as_date(row["InitialCPCtarget"])
            assert start is not None and target is not None
            episode.enquiries.append(
                Section47(
                    start,
                    target,
                    _as_date(row["DateOfInitialCPC"]),
                    str(row["ICPCnotRequired"]).lower() in ("1", "true"),
                )
            )
        elif kind == "CINPlanStartDate":
            start = _as_date(row["CINPlanStartDate"])
            assert start is not None
            episode.cin_plans.append(CinPlan(start, _as_date(row["CINPlanEndDate"])))
        elif kind == "CPPstartDate":
            start = _as_date(row["CPPstartDate"])
            assert start is not None
            episode.cp_plans.append(
                ProtectionPlan(
                    start,
                    _as_date(row["CPPendDate"]),
                    str(row["InitialCategoryOfAbuse"] or ""),
                    str(row["LatestCategoryOfAbuse"] or ""),
                    int(str(row["NumberOfPreviousCPP"] or 0)),
                )
            )
        elif kind == "CPPreviewDate":
            plan_start = _as_date(row["CPPstartDate"])
            plan = next(p for p in episode.cp_plans if p.start == plan_start)
            review = _as_date(row["Date"])
            assert review is not None
            plan.reviews.append(review)
    for child in children.values():
        child.episodes.sort(key=lambda e: e.referral)
        # An unborn child's row has no PersonBirthDate: its Sex says so.
    return list(children.values())


def census_year_rows(rows: Iterable[Mapping[str, CellValue]], year: int) -> list[dict[str, CellValue]]:
    """The flat rows of the return for the census year ending 31 March `year` (DfE's collection year
    `year`), cut from a running extract's rows: its children and episodes as they stood on 31 March,
    with Sex (from 2024/25) or GenderCurrent (before)."""
    return flat_rows(_census_year(children_from_rows(rows), year), "Sex" if year >= 2025 else "GenderCurrent")


def census_year_return(rows: Iterable[Mapping[str, CellValue]], la_code: str, year: int) -> bytes:
    """DfE's census XML for the census year ending 31 March `year`, cut from a running extract."""
    return write_return(census_year_rows(rows, year), la_code, year)


def census_year_ending(day: date) -> int:
    """The collection year (the year its 31 March falls in) of the census year holding `day`."""
    return collection_year(day)[1].year


# --- the extract -----------------------------------------------------------------------------------------


def children_in_need(seed: int, la_code: str, window: Window, looked_after: Sequence[Child]) -> list[ChildInNeed]:
    """The authority's children in need over the history window, the 903's `looked_after` among them."""
    used_ids = {c.child_id for c in looked_after}
    used_upns = {c.upn for c in looked_after}
    return _Generator(seed, la_code, window, used_ids, used_upns).authority(looked_after)


def children_in_need_tables(
    seed: int, la_code: str, window: Window, looked_after: Sequence[Child]
) -> dict[str, ExtractTable]:
    """The census extract (cin_census) as it stands at the extract date, keyed by extract."""
    children = as_it_stood(children_in_need(seed, la_code, window, looked_after), window.as_at)
    sex_element = "Sex" if census_year_ending(window.as_at) >= 2025 else "GenderCurrent"
    return {EXTRACT: ExtractTable(EXTRACT, list(FLAT_COLUMNS), flat_rows(children, sex_element))}


def write_census_xml(table: ExtractTable, path: Path, la_code: str, as_at: date) -> Path:
    """The extract as DfE's census XML (cin_xml.write_return), for the collection year holding `as_at`.
    A referral row given twice (the cin_duplicated_referral defect) is its CINdetails given twice."""
    text = write_return(table.rows, la_code, census_year_ending(as_at)).decode("utf-8")
    seen: set[tuple] = set()
    for row in table.rows:
        if row.get("Type") != "CINreferralDate":
            continue
        key = (row.get("LAchildID"), row.get("CINreferralDate"))
        if key in seen:
            text = _repeat_episode(text, str(key[0] or ""), key[1])
        seen.add(key)
    path.write_bytes(text.encode("utf-8"))
    return path


def _repeat_episode(text: str, child_id: str, referral: CellValue) -> str:
    referred = referral.isoformat() if isinstance(referral, date) else str(referral)
    child_at = text.index(f"<LAchildID>{child_id}</LAchildID>")
    start = text.index(f"<CINdetails>\n<CINreferralDate>{referred}</CINreferralDate>", child_at)
    end = text.index("</CINdetails>\n", start) + len("</CINdetails>\n")
    return text[:end] + text[start:end] + text[end:]


# --- damage only XML can carry, for the gate's tests ------------------------------------------------------

CIN_XML_DEFECTS = (
    "cin_xml_malformed",
    "cin_xml_dtd",
    "cin_xml_external_entity",
    "cin_xml_entity_bomb",
    "cin_xml_wrong_root",
    "cin_xml_namespace",
    "cin_xml_element_out_of_order",
    "cin_xml_stray_text",
)
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Nine levels of ten references each: a billion "lol"s once expanded.
_BILLION_LAUGHS = (
    '<!DOCTYPE Message [\n<!ENTITY lol0 "lol">\n'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10))
    + "]>\n"
)


def damage_census_xml(xml: bytes, defect: str) -> bytes:
    """The census XML with one fault only XML can have, named as CIN_XML_DEFECTS names it:
    not well-formed (a closing tag missing), a DTD, an external entity, an entity bomb (billion
    laughs), a root other than Message, Message in a namespace, ChildCharacteristics before
    ChildIdentifiers in the first child, and text between the first child's elements."""
    text = xml.decode("utf-8")
    if not text.startswith(_DECLARATION):
        raise ValueError("not a census return written by cin_xml.write_return")
    body = text[len(_DECLARATION) :]
    if defect == "cin_xml_malformed":
        body = body.replace("</LAchildID>", "", 1)
    elif defect == "cin_xml_dtd":
        body = "<!DOCTYPE Message [\n<!ELEMENT Message ANY>\n]>\n" + body
    elif defect == "cin_xml_external_entity":
        body = '<!DOCTYPE Message [\n<!ENTITY source SYSTEM "file:///etc/passwd">\n]>\n' + body.replace(
            "<SoftwareCode>", "<SoftwareCode>&source;", 1
        )
    elif defect == "cin_xml_entity_bomb":
        body = _BILLION_LAUGHS + body.replace("<SoftwareCode>", "<SoftwareCode>&lol9;", 1)
    elif defect == "cin_xml_wrong_root":
        body = body.replace("<Message>", "<CINReturn>", 1).replace("</Message>", "</CINReturn>", 1)
    elif defect == "cin_xml_namespace":
        body = body.replace("<Message>", '<Message xmlns="http://www.example.org/cin-census">', 1)
    elif defect == "cin_xml_element_out_of_order":
        start = body.index("<ChildIdentifiers>")
        middle = body.index("<ChildCharacteristics>", start)
        end = body.index("</ChildCharacteristics>\n", middle) + len("</ChildCharacteristics>\n")
        body = body[:start] + body[middle:end] + body[start:middle] + body[end:]
    elif defect == "cin_xml_stray_text":
        at = body.index("</ChildIdentifiers>\n") + len("</ChildIdentifiers>\n")
        body = body[:at] + "Exported by CMS v4.2 - check before sending\n" + body[at:]
    else:
        raise ValueError(f"unknown XML defect {defect!r}; valid: {', '.join(CIN_XML_DEFECTS)}")
    return (_DECLARATION + body).encode("utf-8")
