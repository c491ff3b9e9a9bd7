"""Deterministic synthetic quality assurance extracts: case file audits, their actions, service
user feedback and complaints, coherent with the same authority's fostering register.

The QA framework (seeds/003) shapes them: each month team managers audit households of their own
team with another team's manager as peer, senior officers moderate the grades, the loop is closed
about eight weeks after moderation; business support officers collect feedback against a monthly
minimum; complaints run against working-day timescales. docs/quality-assurance-figures.md
computes figures from these files, so every figure gets both sides (moderated up and down,
actions late and open, officers meeting and missing the minimum, complaints late and in time).

The QA data has its own random stream, so adding it never changes a byte of the fostering files.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

from qa_warehouse.periods import add_months
from qa_warehouse_synthetic.files import CellValue, ExtractTable, contract_table
from qa_warehouse_synthetic.fostering import Household, Window

QA_EXTRACTS = ("case_file_audits", "audit_actions", "feedback", "complaints")

# Export styles by authority index (cycling): which extracts come as spreadsheets. Audit and
# survey tools export .xlsx; complaints trackers and action logs are as often a CSV.
XLSX_EXTRACTS_BY_STYLE: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"case_file_audits", "feedback"}),
    frozenset(QA_EXTRACTS),
)
WORKBOOK_TITLES = {
    "case_file_audits": "Case file audit export",
    "audit_actions": "Audit action plan tracker",
    "feedback": "Service user feedback",
    "complaints": "Complaints, compliments and comments log",
}
# Share of date cells in a workbook typed as dd/mm/yyyy text rather than entered as dates.
TEXT_DATE_SHARE = 0.05

# --- audits ----------------------------------------------------------------------------------

GRADES = ("inadequate", "requires_improvement", "good", "outstanding")  # worst to best
DOMAINS = (
    "voice_of_child",
    "support_and_supervision",
    "safer_caring",
    "matching",
    "approval_review_panel",
    "management_oversight",
)
# How people type the grades in an audit tool: the first label is the usual one.
GRADE_LABELS = {
    "outstanding": ("Outstanding", "OUTSTANDING", "outstanding"),
    "good": ("Good", "GOOD", "good"),
    "requires_improvement": (
        "Requires Improvement",
        "Requires improvement",
        "requires-improvement",
        "REQUIRES IMPROVEMENT",
    ),
    "inadequate": ("Inadequate", "INADEQUATE"),
}
# An audit's underlying quality, as an index into GRADES: most practice is good.
AUDIT_QUALITY_WEIGHTS = (6, 28, 50, 16)
AUDIT_TYPE_WEIGHTS = {"case_file": 65, "dip_sample": 20, "targeted": 15}
TARGETED_TOPICS = (
    "Safer caring plans",
    "Allegations against carers",
    "Kinship assessments",
    "Life story work",
    "Missing from placement",
    "Delegated authority",
    "Unannounced visits",
)
DIP_SAMPLE_TOPICS = ("Supervision records", "Annual reviews", "Training records")
# Domains that can be blank (not applicable), and how often.
NOT_APPLICABLE_SHARE = {
    "voice_of_child": 0.06,
    "support_and_supervision": 0.02,
    "safer_caring": 0.04,
    "matching": 0.18,
    "approval_review_panel": 0.10,
    "management_oversight": 0.03,
}
MODERATED_SHARE = 0.6
MODERATION_CHANGE_SHARE = 0.15
VIEWS_SOUGHT_SHARE = {"child": 0.55, "parent": 0.4, "carer": 0.85}
# Flags as exports spell them (the gate reads them all as booleans).
FLAG_SPELLINGS = ((("Y", "N"), 70), (("Yes", "No"), 20), (("TRUE", "FALSE"), 10))
LEARNING = (
    "Safer caring plan not updated after the placement changed.",
    "Good evidence of the child's wishes and feelings in recording.",
    "Supervision notes do not show reflective discussion.",
    "Annual review completed on time with carer and child views.",
    "Management oversight recorded but actions not tracked.",
    "Matching considerations well evidenced.",
    "Chronology needs updating.",
)
ACTION_COUNT_WEIGHTS = (20, 30, 25, 15, 10)  # 0 to 4 actions per audit
ACTION_DESCRIPTIONS = (
    "Update the safer caring plan",
    "Record the child's views at the next visit",
    "Book the carer onto safeguarding training",
    "Complete the overdue unannounced visit",
    "Add management oversight to the file",
    "Update the chronology",
    "Arrange the annual review",
    "Review the risk assessment with the carer",
)
FOLLOWUP_DEADLINE_DAYS = 56  # eight weeks after moderation (the framework's closing of the loop)

# --- feedback --------------------------------------------------------------------------------

QUESTIONS = {
    "carer": ("CARER_SUPPORT", "CARER_INFORMED", "CARER_TRAINING", "CARER_OUT_OF_HOURS", "CARER_OVERALL"),
    "birth_parent": ("PARENT_INFORMED", "PARENT_FAMILY_TIME", "PARENT_CARE", "PARENT_OVERALL"),
    "child": ("CYP_HAPPY", "CYP_LISTENED", "CYP_SCHOOL", "CYP_SOCIAL_WORKER"),
}
CHANNELS = {
    "carer": (("Monthly call", 70), ("Survey", 30)),
    "birth_parent": (("Monthly call", 60), ("Survey", 40)),
    "child": (("Annual review form", 80), ("Survey", 20)),
}
RATING_WEIGHTS = (5, 8, 15, 37, 35)  # 1 to 5: skewed positive
UNRATED_SHARE = 0.07
COMMENT_SHARE = 0.4
COHORT_NOT_RECORDED_SHARE = 0.08
# Comments by respondent and sentiment. Most phrases carry themes of dbt_project/seeds/
# feedback_themes.csv (several, some of them); the "plain" ones carry none. The sentiment of a
# comment follows the rating on its row, as the themes' sentiment does.
PHRASES = {
    ("carer", "positive"): (
        "My social worker always calls back and keeps me informed",
        "Our supervising worker is brilliant",
        "The training courses have been really useful",
        "The out of hours team were there when we needed them",
        "Respite was arranged quickly when we needed a break",
        "I feel listened to at reviews",
        "Regular updates about the placement",
        "Allowances are always paid on time",
    ),
    ("carer", "negative"): (
        "Allowance paid late again",
        "nobody returned my call",
        "We have had too many workers this year",
        "No one answers the out of hours line at the weekend",
        "Still waiting for mileage expenses",
        "I never get updates after meetings",
        "Nobody listened when we asked for respite",
    ),
    ("carer", "neutral"): (
        "Some courses are helpful, others less so",
        "Communication is ok but could be quicker",
        "A new social worker started last month",
    ),
    ("birth_parent", "positive"): (
        "Family time is well organised",
        "The carers keep me informed about school",
        "I feel my views are heard",
        "The social worker supported me at the meeting",
    ),
    ("birth_parent", "negative"): (
        "Family time keeps getting cancelled",
        "I am not told how my child is doing at school",
        "My views are not listened to",
        "Calls go unanswered and there is no reply to emails",
    ),
    ("birth_parent", "neutral"): ("Family time is ok but too short", "Updates come now and then"),
    ("child", "positive"): (
        "I like my school",
        "I can see my brother every week",
        "My social worker listens to me",
        "My carers help me with school",
    ),
    ("child", "negative"): (
        "I want to see my mum more",
        "I have had a new social worker again",
        "Nobody listens to me",
        "I do not like my new school",
    ),
    ("child", "neutral"): ("School is ok", "I see my dad sometimes"),
}
PLAIN_PHRASES = {
    "positive": ("Thank you", "Happy with everything at the moment", "All fine", "Very good"),
    "negative": ("Not happy at all", "Could be better", "Things need to improve"),
    "neutral": ("No comment", "Nothing to add", "It is ok"),
}
PLAIN_COMMENT_SHARE = 0.25
OFFICERS = (3, 5)  # business support officers per authority
# Each officer's chance of meeting the 2 carers + 2 birth parents minimum in a month.
OFFICER_DILIGENCE = (0.35, 0.95)
CHILD_RESPONSES_PER_MONTH = (2, 6)

# --- complaints ------------------------------------------------------------------------------

# Working days by stage: standard, extended (Children Act 1989 representations procedure).
TIMESCALES = {1: (10, 20), 2: (25, 65), 3: (30, 30)}
STAGE_WEIGHTS = {1: 80, 2: 15, 3: 5}
RESPONSE_PROFILE_WEIGHTS = {"in_time": 62, "extended": 20, "late": 13, "none": 5}
OUTCOME_WEIGHTS = {"upheld": 24, "partly_upheld": 25, "not_upheld": 43, "withdrawn": 8}
COMPLAINT_THEMES = (
    "communication",
    "Placement Stability",
    "staff attitude",
    "Delay in services",
    "finance",
    "Quality of care",
    "Contact arrangements",
)
COMPLIMENT_THEMES = ("communication", "staff attitude", "Support")
SERVICES = (("fostering", 45), ("Fostering", 15), ("Kinship", 20), ("kinship", 8), ("Supported Lodgings", 12))
ADVOCACY_SHARE = 0.15


def quality_assurance_tables(
    seed: int, la_code: str, index: int, register: Sequence[Household], window: Window
) -> dict[str, ExtractTable]:
    """The four QA extracts of one authority, coherent with its fostering `register`."""
    rng = random.Random(f"quality_assurance:{seed}:{la_code}")
    xlsx = XLSX_EXTRACTS_BY_STYLE[index % len(XLSX_EXTRACTS_BY_STYLE)]
    staff = _Staff(rng, register)
    audits, actions = _audits_and_actions(rng, la_code, register, staff, window, labelled="case_file_audits" in xlsx)
    tables = {
        "case_file_audits": contract_table("case_file_audits", audits),
        "audit_actions": contract_table("audit_actions", actions),
        "feedback": contract_table("feedback", _feedback(rng, la_code, register, staff, window)),
        "complaints": contract_table("complaints", _complaints(rng, la_code, window)),
    }
    for extract in sorted(xlsx):
        _type_some_dates_as_text(rng, tables[extract])
    return tables


def is_xlsx(extract: str, index: int) -> bool:
    return extract in XLSX_EXTRACTS_BY_STYLE[index % len(XLSX_EXTRACTS_BY_STYLE)]


class _Staff:
    """The authority's staff ids, in the source system's W#### form and never reusing a
    fostering worker's id: one team manager per team, two senior officers who moderate, and the
    business support officers who collect feedback."""

    def __init__(self, rng: random.Random, register: Sequence[Household]):
        self.teams = sorted({h.team for h in register})
        taken = {int(w[1:]) for h in register for w in h.team_workers}
        free = iter(rng.sample(sorted(set(range(100, 10000)) - taken), len(self.teams) + 2 + OFFICERS[1]))
        self.managers = {team: f"W{next(free):04d}" for team in self.teams}
        self.moderators = (f"W{next(free):04d}", f"W{next(free):04d}")
        self.officers = tuple(f"W{next(free):04d}" for _ in range(rng.randint(*OFFICERS)))


def _months(window: Window) -> list[tuple[date, date]]:
    """(first day, last day) of each month of the history, cut at its ends. The history is the
    `years` after the history start (with as_at 31 March: whole financial years)."""
    months = []
    start = window.history_start + timedelta(days=1)
    first = start.replace(day=1)
    while first <= window.as_at:
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        months.append((max(first, start), min(last, window.as_at)))
        first = add_months(first, 1)
    return months


def _weekday_in(rng: random.Random, first: date, last: date) -> date:
    """A random Monday-to-Friday between the dates (the first date when there is none)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    weekdays = [d for d in days if d.weekday() < 5]
    return rng.choice(weekdays or days)


def _weighted(rng: random.Random, weights: dict | Sequence[tuple]):
    pairs = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return rng.choices([value for value, _ in pairs], [weight for _, weight in pairs])[0]


def _flag(rng: random.Random, value: bool | None) -> str | None:
    if value is None:
        return None
    yes, no = _weighted(rng, FLAG_SPELLINGS)
    return yes if value else no


def _approved_on(household: Household, day: date) -> bool:
    return (
        household.approval_date is not None
        and household.approval_date <= day
        and (household.deregistration_date is None or day < household.deregistration_date)
    )


def _grade_label(rng: random.Random, grade: str | None, labelled: bool) -> str | None:
    """A grade as the export writes it: labels as typed in a spreadsheet, else mostly the code."""
    if grade is None:
        return None
    if labelled or rng.random() < 0.08:
        labels = GRADE_LABELS[grade]
        return labels[0] if rng.random() < 0.75 else rng.choice(labels[1:])
    return grade


def _audits_and_actions(
    rng: random.Random, la_code: str, register: Sequence[Household], staff: _Staff, window: Window, labelled: bool
) -> tuple[list[dict], list[dict]]:
    as_at = window.as_at
    by_team = {team: [h for h in register if h.team == team] for team in staff.teams}
    last_audited: dict[str, date] = {}
    planned = []  # (audit_date, team, household)
    for first, last in _months(window):
        part = ((last - first).days + 1) / calendar.monthrange(first.year, first.month)[1]
        for team in staff.teams:
            for _ in range(round(rng.randint(2, 4) * part)):
                day = _weekday_in(rng, first, last)
                eligible = [h for h in by_team[team] if _approved_on(h, day)]
                # The QA service picks cases not audited in the last year where it can.
                fresh = [h for h in eligible if (day - last_audited.get(h.household_id, date.min)).days > 365]
                if not eligible:
                    continue
                household = rng.choice(fresh or eligible)
                last_audited[household.household_id] = day
                planned.append((day, team, household))
    planned.sort(key=lambda audit: (audit[0], audit[2].household_id))

    audits, actions = [], []
    audit_base = rng.randint(10000, 40000)
    action_number = rng.randint(100000, 400000)
    for n, (day, team, household) in enumerate(planned):
        audit_id = f"CFA{audit_base + n:06d}"
        audit_type = _weighted(rng, AUDIT_TYPE_WEIGHTS)
        topic = (
            rng.choice(TARGETED_TOPICS)
            if audit_type == "targeted"
            else rng.choice(DIP_SAMPLE_TOPICS)
            if audit_type == "dip_sample" and rng.random() < 0.5
            else None
        )
        # Kinship is written as each team types it; the warehouse normalises the service.
        service = (
            rng.choice(("Kinship", "Kinship", "kinship", "KINSHIP"))
            if household.carer_type == "kinship"
            else "fostering"
            if rng.random() < 0.9
            else "Fostering"
        )
        quality = rng.choices(range(len(GRADES)), AUDIT_QUALITY_WEIGHTS)[0]
        domains: dict[str, int | None] = {}
        for domain in DOMAINS:
            if rng.random() < NOT_APPLICABLE_SHARE[domain]:
                domains[domain] = None
            else:
                domains[domain] = min(3, max(0, quality + rng.choices((-1, 0, 1), (20, 60, 20))[0]))
        overall = _overall(domains, quality)
        moderated = moderation_date = moderator = None
        if rng.random() < MODERATED_SHARE:
            moderation_date = day + timedelta(days=rng.randint(5, 40))
            if moderation_date > as_at:
                moderation_date = None  # not moderated yet at the extract date
            else:
                moderated = overall
                if rng.random() < MODERATION_CHANGE_SHARE:
                    moderated = overall + rng.choice([step for step in (-1, 1) if 0 <= overall + step <= 3])
                moderator = rng.choice(staff.moderators)
        peers = [staff.managers[t] for t in staff.teams if t != team]
        # The child and birth parent can only be asked when a child is placed (matching applies).
        child_placed = domains["matching"] is not None
        audits.append(
            {
                "la_code": la_code,
                "audit_id": audit_id,
                "audit_type": audit_type,
                "topic": topic,
                "service": service,
                "subject_type": "household",
                "subject_id": household.household_id,
                "lead_auditor_id": staff.managers[team],
                "peer_auditor_id": rng.choice(peers) if peers else None,
                "audit_date": day,
                **{
                    f"grade_{domain}": _grade_label(rng, None if g is None else GRADES[g], labelled)
                    for domain, g in domains.items()
                },
                "overall_grade": _grade_label(rng, GRADES[overall], labelled),
                "moderated_grade": _grade_label(rng, None if moderated is None else GRADES[moderated], labelled),
                "moderation_date": moderation_date,
                "moderator_id": moderator,
                "child_views_sought": _flag(
                    rng, None if rng.random() < 0.03 else child_placed and rng.random() < VIEWS_SOUGHT_SHARE["child"]
                ),
                "parent_views_sought": _flag(
                    rng, None if rng.random() < 0.03 else child_placed and rng.random() < VIEWS_SOUGHT_SHARE["parent"]
                ),
                "carer_views_sought": _flag(
                    rng, None if rng.random() < 0.03 else rng.random() < VIEWS_SOUGHT_SHARE["carer"]
                ),
                "learning": rng.choice(LEARNING) if rng.random() < 0.8 else None,
            }
        )
        for action in _actions(rng, household, staff.managers[team], day, moderation_date, as_at):
            actions.append({"la_code": la_code, "action_id": f"ACT{action_number}", "audit_id": audit_id, **action})
            action_number += 1
    return audits, actions


def _overall(domains: dict[str, int | None], quality: int) -> int:
    """The overall grade follows the domains: their rounded mean, but never better than
    requires improvement when a domain is inadequate (a limiting judgement)."""
    graded = [g for g in domains.values() if g is not None]
    if not graded:
        return quality
    overall = int(sum(graded) / len(graded) + 0.5)
    return min(overall, 1) if 0 in graded else overall


def _actions(
    rng: random.Random, household: Household, manager: str, audit_date: date, moderation_date: date | None, as_at: date
) -> list[dict[str, CellValue]]:
    count = rng.choices(range(len(ACTION_COUNT_WEIGHTS)), ACTION_COUNT_WEIGHTS)[0]
    if not count:
        return []
    # One follow-up of the case (the Advanced Practitioners' review) covers all its actions:
    # mostly within eight weeks of moderation, some later, some never.
    anchor = moderation_date or audit_date
    draw = rng.random()
    if moderation_date is None and draw < 0.5:
        followup = None  # unmoderated audits are followed up less often
    elif draw < 0.72:
        followup = anchor + timedelta(days=rng.randint(35, FOLLOWUP_DEADLINE_DAYS))
    elif draw < 0.87:
        followup = anchor + timedelta(days=rng.randint(FOLLOWUP_DEADLINE_DAYS + 1, FOLLOWUP_DEADLINE_DAYS + 50))
    else:
        followup = None
    if followup is not None and followup > as_at:
        followup = None
    actions: list[dict[str, CellValue]] = []
    for description in rng.sample(ACTION_DESCRIPTIONS, count):
        due = audit_date + timedelta(weeks=rng.randint(2, 10))
        draw = rng.random()
        if draw < 0.58:
            completed = due - timedelta(days=rng.randint(0, (due - audit_date).days - 1))
        elif draw < 0.83:
            completed = due + timedelta(days=rng.randint(1, 60))
        else:
            completed = None
        if completed is not None and completed > as_at:
            completed = None  # still open at the extract date
        outcome = None
        if followup is not None and rng.random() > 0.03:  # now and then the outcome is not recorded
            if completed is not None and completed <= followup:
                outcome = "completed"
            else:
                outcome = "partly_completed" if rng.random() < 0.5 else "not_completed"
        actions.append(
            {
                "owner_id": household.supervising_worker_id if rng.random() < 0.8 else manager,
                "description": description,
                "due_date": due,
                "completed_date": completed,
                "followup_date": followup,
                "followup_outcome": outcome,
            }
        )
    return actions


def _feedback(
    rng: random.Random, la_code: str, register: Sequence[Household], staff: _Staff, window: Window
) -> list[dict[str, CellValue]]:
    diligence = {officer: rng.uniform(*OFFICER_DILIGENCE) for officer in staff.officers}
    responses: list[tuple[date, str | None, str]] = []  # (collected_date, collected_by, respondent)
    for first, last in _months(window):
        for officer in staff.officers:
            # An officer meets the monthly minimum (2 carers and 2 birth parents) or falls short on one side.
            carers, parents = rng.randint(2, 4), rng.randint(2, 3)
            if rng.random() >= diligence[officer]:
                if rng.random() < 0.5:
                    carers = rng.randint(0, 1)
                else:
                    parents = rng.randint(0, 1)
            responses += [(_weekday_in(rng, first, last), officer, "carer") for _ in range(carers)]
            responses += [(_weekday_in(rng, first, last), officer, "birth_parent") for _ in range(parents)]
        # Children's views come through the annual review form; the officer who typed it in is
        # recorded, or not when the social worker entered it.
        for _ in range(rng.randint(*CHILD_RESPONSES_PER_MONTH)):
            recorded_by = rng.choice(staff.officers) if rng.random() < 0.8 else None
            responses.append((_weekday_in(rng, first, last), recorded_by, "child"))
    responses.sort(key=lambda r: (r[0], r[1] or "", r[2]))

    rows = []
    base = rng.randint(100000, 400000)
    for n, (day, collected_by, respondent) in enumerate(responses):
        placed = [h for h in register if _approved_on(h, day)]
        cohort = rng.choice(placed).carer_type if placed else None
        if rng.random() < COHORT_NOT_RECORDED_SHARE:
            cohort = None
        channel = _weighted(rng, CHANNELS[respondent])
        satisfaction = rng.choices(range(1, 6), RATING_WEIGHTS)[0]
        questions = QUESTIONS[respondent]
        for question in sorted(rng.sample(questions, rng.randint(1, min(4, len(questions)))), key=questions.index):
            rating = None
            if rng.random() >= UNRATED_SHARE:
                rating = min(5, max(1, satisfaction + rng.choices((-1, 0, 1), (15, 70, 15))[0]))
            rows.append(
                {
                    "la_code": la_code,
                    "response_id": f"FB{base + n}",
                    "collected_date": day,
                    "collected_by": collected_by,
                    "respondent": respondent,
                    "cohort": cohort,
                    "channel": channel,
                    "question_code": question,
                    "rating": rating,
                    "comment": _comment(rng, respondent, rating) if rng.random() < COMMENT_SHARE else None,
                }
            )
    return rows


def _comment(rng: random.Random, respondent: str, rating: int | None) -> str:
    """A comment whose sentiment matches the rating (any sentiment when unrated), carrying one
    or two themed phrases, or none."""
    if rating is None:
        sentiment = rng.choice(("positive", "negative", "neutral"))
    else:
        sentiment = "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"
    if rng.random() < PLAIN_COMMENT_SHARE:
        return rng.choice(PLAIN_PHRASES[sentiment])
    phrases = PHRASES[(respondent, sentiment)]
    chosen = rng.sample(phrases, 2 if len(phrases) > 2 and rng.random() < 0.3 else 1)
    if len(chosen) == 1:
        return chosen[0]
    return f"{chosen[0]} and {chosen[1][0].lower()}{chosen[1][1:]}"


@cache
def bank_holidays() -> frozenset[date]:
    """Bank holidays in England, from the holidays package (the same source as the dbt seed)."""
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=range(2000, 2041)))


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day` (not weekends or bank holidays in England)."""
    closed = bank_holidays()
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            count -= 1
    return day


def _complaints(rng: random.Random, la_code: str, window: Window) -> list[dict[str, CellValue]]:
    records = []
    for first, last in _months(window):
        for record_type, (low, high) in (("complaint", (1, 4)), ("compliment", (1, 4)), ("comment", (0, 2))):
            records += [(_weekday_in(rng, first, last), record_type) for _ in range(rng.randint(low, high))]
    records.sort()

    rows = []
    base = rng.randint(1000, 9000)
    for n, (received, record_type) in enumerate(records):
        stage = responded = outcome = None
        advocacy: bool | None = False
        if record_type == "complaint":
            stage = _weighted(rng, STAGE_WEIGHTS)
            standard, extended = TIMESCALES[stage]
            profile = _weighted(rng, RESPONSE_PROFILE_WEIGHTS)
            if profile == "extended" and extended == standard:
                profile = "late"  # stage 3 has no extension
            days = {
                "in_time": lambda: rng.randint(max(3, standard - 8), standard),
                "extended": lambda: rng.randint(standard + 1, extended),
                "late": lambda: rng.randint(extended + 1, extended + 15),
                "none": lambda: None,
            }[profile]()
            responded = None if days is None else add_working_days(received, days)
            if responded is not None and responded > window.as_at:
                responded = None  # awaiting a response at the extract date
            outcome = _weighted(rng, OUTCOME_WEIGHTS) if responded is not None else None
            if responded is None and rng.random() < 0.3:
                outcome = "withdrawn"  # withdrawn before a response was due
            advocacy = rng.random() < ADVOCACY_SHARE
            theme = rng.choice(COMPLAINT_THEMES) if rng.random() < 0.9 else None
        elif record_type == "compliment":
            theme = rng.choice(COMPLIMENT_THEMES) if rng.random() < 0.7 else None
            if rng.random() < 0.4:
                responded = min(add_working_days(received, rng.randint(1, 5)), window.as_at)
        else:
            theme = rng.choice(COMPLAINT_THEMES) if rng.random() < 0.5 else None
            if rng.random() < 0.6:
                responded = add_working_days(received, rng.randint(2, 15))
                responded = responded if responded <= window.as_at else None
        if rng.random() < 0.05:
            advocacy = None  # not recorded
        rows.append(
            {
                "la_code": la_code,
                "record_id": f"CR{base + n:05d}",
                "record_type": record_type,
                "received_date": received,
                "stage": stage,
                "service": _weighted(rng, SERVICES),
                "responded_date": responded,
                "outcome": outcome,
                "advocacy": _flag(rng, advocacy),
                "theme": theme,
            }
        )
    return rows


def _type_some_dates_as_text(rng: random.Random, table: ExtractTable) -> None:
    """In a spreadsheet some dates are typed as dd/mm/yyyy text rather than entered as dates."""
    date_columns = [c for c in table.columns if c.endswith("_date")]
    for row in table.rows:
        for column in date_columns:
            value = row.get(column)
            if isinstance(value, date) and rng.random() < TEXT_DATE_SHARE:
                row[column] = value.strftime("%d/%m/%Y")
