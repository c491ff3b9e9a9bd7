"""Deterministic synthetic foster carer recruitment: one row per enquiry, coherent with the same
authority's fostering register.

Every household on the register approved since the events began has the enquiry that led to its
approval (same carer type, approval on the register's approval date), and every household in
assessment has its enquiry in progress; around them, the enquiries that fell away at each stage
(enquiry, initial visit, application, assessment, and a few after panel) with a reason. Kinship
(connected person) enquiries often begin with a regulation 24 temporary approval, some lasting
longer than the regulation's 16 weeks. docs/recruitment-figures.md computes figures from this
file, so the data sits on the edges: a panel exactly 8 months after the application (NMS 14.3)
and one a day later, an approved carer's panel with no application date recorded (timeliness not
known), a temporary approval of exactly 16 weeks.

Recruitment has its own random stream, so adding it never changes a byte of the other files.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from qa_warehouse.periods import add_months
from qa_warehouse_synthetic.files import CellValue, ExtractTable, contract_table
from qa_warehouse_synthetic.fostering import Household, Window, _as_exported

STAGES = ("enquiry", "initial_visit", "application", "assessment_start", "panel")
# Enquiries a month per 60 households on the register (a mid-sized service's shape).
ENQUIRIES_PER_MONTH_PER_60 = {"mainstream": (6, 12), "kinship": (2, 4)}
# Chance an enquiry that fell away (not one of the register's approvals) moves on from each stage.
PROGRESS = {
    "mainstream": {"enquiry": 0.45, "initial_visit": 0.5, "application": 0.85, "assessment_start": 0.1},
    "kinship": {"enquiry": 0.85, "initial_visit": 0.8, "application": 0.9, "assessment_start": 0.12},
}
# Days from one stage to the next (from the stage named).
GAPS = {
    "enquiry": (3, 30),
    "initial_visit": (7, 45),
    "application": (0, 28),
    "assessment_start": (120, 290),
    "panel": (3, 21),
}
STALLED_SHARE = 0.1  # fell away but nobody has recorded a withdrawal yet
WITHDRAWAL_REASONS = {
    "enquiry": ("applicant_withdrew", "personal_circumstances", "accommodation_unsuitable", "chose_another_provider"),
    "initial_visit": (
        "applicant_withdrew",
        "personal_circumstances",
        "accommodation_unsuitable",
        "chose_another_provider",
        "assessed_unsuitable",
    ),
    "application": ("applicant_withdrew", "personal_circumstances", "assessed_unsuitable"),
    "assessment_start": ("applicant_withdrew", "personal_circumstances", "assessed_unsuitable"),
    "panel": ("not_recommended_by_panel", "applicant_withdrew"),
}
KINSHIP_EXTRA_REASON = "child_no_longer_needs_placement"
# How exports spell reasons now and then (staging reads them as codes).
REASON_LABELS_SHARE = 0.2
REG24_SHARE = 0.6  # kinship enquiries that began with a temporary approval
REG24_WEEKS = 16


def recruitment_tables(
    seed: int, la_code: str, register: Sequence[Household], window: Window, households: int
) -> dict[str, ExtractTable]:
    rng = random.Random(f"recruitment:{seed}:{la_code}")
    rows: list[dict[str, CellValue]] = []
    approvals = [h for h in register if h.approval_date is not None and h.approval_date > window.events_from]
    approvals.sort(key=lambda h: (h.approval_date, h.household_id))
    for n, household in enumerate(approvals):
        rows.append(_approved(rng, household, edge=n))
    for household in sorted((h for h in register if h.status == "in_assessment"), key=lambda h: h.household_id):
        rows.append(_in_assessment(rng, household, window.as_at))
    scale = max(households, 6) / 60
    month = window.events_from.replace(day=1)
    while month <= window.as_at:
        for carer_type, (low, high) in ENQUIRIES_PER_MONTH_PER_60.items():
            for _ in range(max(1, round(rng.randint(low, high) * scale))):
                day = month + timedelta(days=rng.randint(0, 27))
                if window.events_from < day <= window.as_at:
                    rows.append(_fell_away(rng, carer_type, day, window.as_at))
        month = add_months(month, 1)
    _one_reg24_of_exactly_16_weeks(rows, window.as_at)
    rows.sort(key=lambda r: (r["enquiry_date"], r["carer_type"]))
    base = rng.randint(100000, 800000)
    for n, row in enumerate(rows):
        row["la_code"] = la_code
        row["enquiry_id"] = f"ENQ{base + n:06d}"
        row["carer_type"] = _as_exported(rng, str(row["carer_type"]))
        if row.get("withdrawal_reason") and rng.random() < REASON_LABELS_SHARE:
            row["withdrawal_reason"] = str(row["withdrawal_reason"]).replace("_", " ").capitalize()
    return {"recruitment": contract_table("recruitment", rows)}


def _days(rng: random.Random, stage: str) -> timedelta:
    return timedelta(days=rng.randint(*GAPS[stage]))


def _backwards(rng: random.Random, assessment_start: date, application: date | None = None) -> dict[str, date]:
    application = application or assessment_start - _days(rng, "application")
    initial_visit = application - _days(rng, "initial_visit")
    return {
        "enquiry_date": initial_visit - _days(rng, "enquiry"),
        "initial_visit_date": initial_visit,
        "application_date": application,
        "assessment_start_date": assessment_start,
    }


def _approved(rng: random.Random, household: Household, edge: int) -> dict[str, CellValue]:
    """The enquiry behind a register approval; the first two sit on the 8-month boundary from the
    application (NMS 14.3), the third has no application date recorded."""
    approval = household.approval_date
    if approval is None:  # recruitment_tables passes only approved households
        raise ValueError(f"household {household.household_id} is not approved")
    panel = approval - _days(rng, "panel")
    if edge in (0, 1):
        application = add_months(panel, -8)
        panel = add_months(application, 8) + timedelta(days=edge)  # exactly 8 months, then a day over
        panel = min(panel, approval)
        stages = _backwards(rng, application + _days(rng, "application"), application)
    else:
        stages = _backwards(rng, panel - _days(rng, "assessment_start"))
    if edge == 2:
        del stages["application_date"]  # not recorded: its panel's timeliness is not known
    row: dict[str, CellValue] = {
        "carer_type": household.carer_type,
        **stages,
        "panel_date": panel,
        "approval_date": approval,
    }
    if household.carer_type == "kinship" and rng.random() < REG24_SHARE:
        reg24_start = stages["enquiry_date"] + timedelta(days=rng.randint(0, 7))
        row["reg24_start_date"] = reg24_start
        # Full approval ends the temporary one, or the child moved on earlier.
        row["reg24_end_date"] = approval if rng.random() < 0.8 else reg24_start + timedelta(days=rng.randint(30, 110))
    return row


def _in_assessment(rng: random.Random, household: Household, as_at: date) -> dict[str, CellValue]:
    start = as_at - timedelta(days=rng.randint(20, 260))
    stages = _backwards(rng, start)
    row: dict[str, CellValue] = {"carer_type": household.carer_type, **stages}
    if rng.random() < 0.2:
        row["panel_date"] = min(as_at, start + _days(rng, "assessment_start"))  # awaiting the decision
    if household.carer_type == "kinship" and rng.random() < REG24_SHARE:
        row["reg24_start_date"] = stages["enquiry_date"] + timedelta(days=rng.randint(0, 7))
    return row


def _fell_away(rng: random.Random, carer_type: str, enquiry: date, as_at: date) -> dict[str, CellValue]:
    """An enquiry that does not end in approval: it stops at some stage, then is withdrawn
    (or is still in progress at the extract date)."""
    row: dict[str, CellValue] = {"carer_type": carer_type, "enquiry_date": enquiry}
    stage, day = "enquiry", enquiry
    for following in STAGES[1:]:
        if stage != "panel" and rng.random() >= PROGRESS[carer_type].get(stage, 1.0):
            break
        next_day = day + _days(rng, stage)
        if next_day > as_at:
            return _with_reg24(rng, row, day, as_at, ended=None)  # still in progress
        stage, day = following, next_day
        row[f"{stage}_date"] = day
        if stage == "panel":
            break
    withdrawn = day + timedelta(days=rng.randint(2, 60))
    if withdrawn > as_at or rng.random() < STALLED_SHARE:
        return _with_reg24(rng, row, day, as_at, ended=None)
    reasons = WITHDRAWAL_REASONS[stage] + (
        (KINSHIP_EXTRA_REASON,) if carer_type == "kinship" and stage != "panel" else ()
    )
    row["withdrawn_date"] = withdrawn
    row["withdrawal_reason"] = rng.choice(reasons)
    return _with_reg24(rng, row, day, as_at, ended=withdrawn)


def _with_reg24(rng: random.Random, row: dict, last_stage: date, as_at: date, ended: date | None) -> dict:
    if row["carer_type"] != "kinship" or "initial_visit_date" not in row or rng.random() >= REG24_SHARE:
        return row
    start = row["enquiry_date"] + timedelta(days=rng.randint(0, 7))
    if start > as_at:
        return row
    row["reg24_start_date"] = start
    end = ended if ended is not None else start + timedelta(days=rng.randint(40, 220))
    if end <= as_at and end >= start:
        row["reg24_end_date"] = end
    return row


def _one_reg24_of_exactly_16_weeks(rows: list[dict], as_at: date) -> None:
    """The regulation's limit itself: one temporary approval that ended on day 112 (not over)."""
    for row in rows:
        start, end = row.get("reg24_start_date"), row.get("reg24_end_date")
        if (
            start
            and end
            and start + timedelta(weeks=REG24_WEEKS) <= as_at
            and not row.get("approval_date")
            and not row.get("withdrawn_date")
        ):
            row["reg24_end_date"] = start + timedelta(weeks=REG24_WEEKS)
            return
