"""Independent computation of the published foster carer recruitment tables, in plain Python
from the landing files (never SQL): the reference the end-to-end test compares every figure with.

Definitions (docs/recruitment-figures.md): months are the `HISTORY_MONTHS` month ends up to the
last month end on or before each authority's recruitment extract date; the funnel counts each
stage by the month of its own date; conversion follows the cohort of enquiries made in a month
to the extract date; timeliness counts every panel in the month, within 8 calendar months
(Fostering NMS 14.3) when panel <= application date + 8 months (clamped to the month's last
day), not known without an application date (counted among the panels, not in time); withdrawals are by the month withdrawn, the last stage reached and the reason;
regulation 24 lengths are end - start in days, over 16 weeks meaning more than 112.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from pathlib import Path

from tests.reference.quality_assurance import (
    add_months,
    financial_quarter,
    financial_year,
    mean,
    month_end,
    percentage,
    read_csv,
    typed_rows,
)

HISTORY_MONTHS = 36  # the dbt var recruitment_history_months default
CARER_TYPES = ("mainstream", "kinship")
FUNNEL_FIGURES = {
    "enquiries": "enquiry_date",
    "initial_visits": "initial_visit_date",
    "applications": "application_date",
    "assessments_started": "assessment_start_date",
    "panels": "panel_date",
    "approvals": "approval_date",
    "withdrawals": "withdrawn_date",
}
REG24_LIMIT_DAYS = 16 * 7
REG24_EXTENDED_DAYS = 24 * 7
TABLES = (
    "recruitment_funnel",
    "recruitment_conversion",
    "recruitment_timeliness",
    "recruitment_withdrawals",
    "regulation_24",
)
GRAINS = {
    "recruitment_funnel": ("la_code", "period_start", "carer_type"),
    "recruitment_conversion": ("la_code", "period_start", "carer_type"),
    "recruitment_timeliness": ("la_code", "period_start", "carer_type"),
    "recruitment_withdrawals": ("la_code", "period_start", "carer_type", "withdrawn_from_stage", "withdrawal_reason"),
    "regulation_24": ("la_code", "period_start"),
}
FILE_NAME = re.compile(r"^recruitment_(?P<la_code>\d{3})_(?P<extract_date>\d{8})\.csv$", re.IGNORECASE)


def current_files(landing_dir: str | Path) -> dict[str, tuple[date, Path]]:
    """{la_code: (extract_date, path)}: each authority's latest recruitment delivery."""
    latest: dict[str, tuple[date, Path]] = {}
    for path in sorted(Path(landing_dir).iterdir()):
        match = FILE_NAME.match(path.name)
        if not match:
            continue
        extract_date = datetime.strptime(match["extract_date"], "%Y%m%d").date()
        if match["la_code"] not in latest or extract_date > latest[match["la_code"]][0]:
            latest[match["la_code"]] = (extract_date, path)
    return latest


def load_enquiries(landing_dir: str | Path) -> dict[str, tuple[date, list[dict]]]:
    return {
        la: (extract_date, typed_rows("recruitment", read_csv(path), path.name))
        for la, (extract_date, path) in current_files(landing_dir).items()
    }


def plus_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reported_months(extract_date: date, history_months: int = HISTORY_MONTHS) -> list[date]:
    """First days of the months up to the last month end on or before the extract date."""
    last = extract_date.replace(day=1)
    if month_end(last) > extract_date:
        last = add_months(last, -1)
    return [add_months(last, -back) for back in range(history_months)]


def withdrawn_from(row: dict) -> str:
    """The last stage reached before the withdrawal."""
    for column, stage in (
        ("panel_date", "after_panel"),
        ("assessment_start_date", "assessment"),
        ("application_date", "application"),
        ("initial_visit_date", "initial_visit"),
    ):
        if row[column] is not None:
            return stage
    return "enquiry"


def outcome(row: dict) -> str:
    if row["approval_date"] is not None:
        return "approved"
    return "withdrawn" if row["withdrawn_date"] is not None else "in_progress"


def within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def period(la_code: str, start: date) -> dict:
    return {
        "period_end": month_end(start),
        "financial_year": financial_year(start),
        "financial_quarter": financial_quarter(start),
    }


def expected_recruitment(landing_dir: str | Path, history_months: int = HISTORY_MONTHS) -> dict[str, dict[tuple, dict]]:
    """{table: {grain key: {figure: value}}} for the five published recruitment tables."""
    tables: dict[str, dict[tuple, dict]] = {table: {} for table in TABLES}
    for la_code, (extract_date, rows) in load_enquiries(landing_dir).items():
        for start in reported_months(extract_date, history_months):
            end = month_end(start)
            for carer_type in CARER_TYPES:
                mine = [r for r in rows if r["carer_type"] == carer_type]
                key = (la_code, start, carer_type)
                tables["recruitment_funnel"][key] = {
                    **period(la_code, start),
                    **{
                        figure: sum(within(r[column], start, end) for r in mine)
                        for figure, column in FUNNEL_FIGURES.items()
                    },
                }
                cohort = [r for r in mine if within(r["enquiry_date"], start, end)]
                # a stage is reached when its date or any later stage's is recorded
                stages = (
                    "initial_visit_date",
                    "application_date",
                    "assessment_start_date",
                    "panel_date",
                    "approval_date",
                )
                reached = {
                    column: sum(any(r[later] is not None for later in stages[stages.index(column) :]) for r in cohort)
                    for column in ("initial_visit_date", "application_date", "assessment_start_date", "approval_date")
                }
                tables["recruitment_conversion"][key] = {
                    **period(la_code, start),
                    "enquiries": len(cohort),
                    "reached_initial_visit": reached["initial_visit_date"],
                    "reached_application": reached["application_date"],
                    "reached_assessment": reached["assessment_start_date"],
                    "approved": reached["approval_date"],
                    "withdrawn": sum(outcome(r) == "withdrawn" for r in cohort),
                    "in_progress": sum(outcome(r) == "in_progress" for r in cohort),
                    "enquiry_to_application_percentage": percentage(reached["application_date"], len(cohort)),
                    "application_to_approval_percentage": percentage(
                        reached["approval_date"], reached["application_date"]
                    ),
                    "enquiry_to_approval_percentage": percentage(reached["approval_date"], len(cohort)),
                }
                panels = [r for r in mine if within(r["panel_date"], start, end)]
                known = [r for r in panels if r["application_date"] is not None]
                in_time = sum(r["panel_date"] <= plus_months(r["application_date"], 8) for r in known)
                tables["recruitment_timeliness"][key] = {
                    **period(la_code, start),
                    "panels": len(panels),
                    "within_8_months": in_time,
                    "over_8_months": len(known) - in_time,
                    "application_date_not_known": len(panels) - len(known),
                    "within_8_months_percentage": percentage(in_time, len(panels)),
                    "average_days_application_to_panel": mean(
                        [(r["panel_date"] - r["application_date"]).days for r in known]
                    ),
                }
                for r in mine:
                    if within(r["withdrawn_date"], start, end):
                        wkey = (la_code, start, carer_type, withdrawn_from(r), r["withdrawal_reason"])
                        figures = tables["recruitment_withdrawals"].setdefault(
                            wkey, {**period(la_code, start), "withdrawals": 0}
                        )
                        figures["withdrawals"] += 1
            temporary = [r for r in rows if r["reg24_start_date"] is not None]
            ended = [
                (r["reg24_end_date"] - r["reg24_start_date"]).days
                for r in temporary
                if within(r["reg24_end_date"], start, end)
            ]
            still_open = [
                r
                for r in temporary
                if r["reg24_start_date"] <= end and (r["reg24_end_date"] is None or r["reg24_end_date"] > end)
            ]
            tables["regulation_24"][(la_code, start)] = {
                **period(la_code, start),
                "started": sum(within(r["reg24_start_date"], start, end) for r in temporary),
                "ended": len(ended),
                "ended_within_16_weeks": sum(days <= REG24_LIMIT_DAYS for days in ended),
                "ended_over_16_weeks": sum(days > REG24_LIMIT_DAYS for days in ended),
                "ended_over_24_weeks": sum(days > REG24_EXTENDED_DAYS for days in ended),
                "average_days_ended": mean(ended),
                "open_at_period_end": len(still_open),
                "open_over_16_weeks_at_period_end": sum(
                    (end - r["reg24_start_date"]).days > REG24_LIMIT_DAYS for r in still_open
                ),
            }
    return tables


def measure_counts(tables: dict[str, dict[tuple, dict]]) -> dict[tuple, tuple[int, int | None]]:
    """Month rows of the recruitment headline measures (reporting.measure_values), by carer type and
    for the authority ('All'), from the reference tables above; quarters and years are made from
    them by tests.reference.measures.quarters_and_years."""
    counts: dict[tuple, tuple[int, int | None]] = {}

    def add(la_code, measure, period_end, breakdown, numerator, denominator):
        for key in ((la_code, measure, "month", period_end, breakdown), (la_code, measure, "month", period_end, "All")):
            n, d = counts.get(key, (0, 0))
            counts[key] = (n + numerator, d + denominator)

    for (la_code, start, carer_type), f in tables["recruitment_conversion"].items():
        add(
            la_code,
            "recruitment_enquiry_to_application",
            month_end(start),
            carer_type,
            f["reached_application"],
            f["enquiries"],
        )
    for (la_code, start, carer_type), f in tables["recruitment_timeliness"].items():
        add(la_code, "recruitment_nms14_timeliness", month_end(start), carer_type, f["within_8_months"], f["panels"])
    for (la_code, start), f in tables["regulation_24"].items():
        counts[(la_code, "regulation_24_over_16_weeks", "month", month_end(start), "All")] = (
            f["ended_over_16_weeks"],
            f["ended"],
        )
    return counts
