"""The published dimensions computed independently, in plain Python: reporting.dim_date from
Python's calendar and the bank holidays seed file (itself held to the `holidays` package), and
reporting.dim_team from the landing files (the carer register's teams and the workforce files').
docs/bi.md defines each column.
"""

from __future__ import annotations

import calendar
import csv
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from tests.reference import workforce
from tests.reference.fostering_scorecard import latest_files, read_rows
from tests.reference.project_files import SEEDS_DIR

BANK_HOLIDAYS_SEED = SEEDS_DIR / "bank_holidays_england.csv"


def bank_holidays() -> set[date]:
    with BANK_HOLIDAYS_SEED.open(newline="", encoding="utf-8") as f:
        return {date.fromisoformat(row["holiday_date"]) for row in csv.DictReader(f)}


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def month_end(day: date) -> date:
    first_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def expected_dim_date(first: date, last: date) -> dict[date, dict]:
    """{day: row} for every day from first to last, each column as dim_date names it."""
    holidays = bank_holidays()
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    working = {d: d.isoweekday() < 6 and d not in holidays for d in days}
    rows = {}
    for day in days:
        fy = financial_year_start(day)
        quarter_number = (day.month - 4) % 12 // 3 + 1
        quarter_start = date(fy.year + (quarter_number == 4), (4 + 3 * (quarter_number - 1) - 1) % 12 + 1, 1)
        quarter_end = month_end(date(quarter_start.year, quarter_start.month + 2, 1))
        month_days = [d for d in days if (d.year, d.month) == (day.year, day.month)]
        rows[day] = {
            "date_day": day,
            "iso_day_of_week": day.isoweekday(),
            "day_name": calendar.day_name[day.weekday()],
            "calendar_year": day.year,
            "calendar_month": day.month,
            "calendar_month_name": calendar.month_name[day.month],
            "month_start_date": day.replace(day=1),
            "month_end_date": month_end(day),
            "is_month_end": day == month_end(day),
            "previous_month_end_date": day.replace(day=1) - timedelta(days=1),
            "financial_year": f"{fy.year}/{(fy.year + 1) % 100:02d}",
            "financial_year_start": fy,
            "financial_year_end": date(fy.year + 1, 3, 31),
            "is_financial_year_end": (day.month, day.day) == (3, 31),
            "financial_quarter": f"Q{quarter_number}",
            "financial_quarter_start_date": quarter_start,
            "financial_quarter_end_date": quarter_end,
            "is_financial_quarter_end": day == quarter_end,
            "is_weekend": day.isoweekday() >= 6,
            "is_bank_holiday": day in holidays,
            "is_working_day": working[day],
            "working_day_of_month": sum(working[d] for d in month_days if d <= day),
            "working_days_in_month": sum(working[d] for d in month_days),
        }
    return rows


def expected_dim_team(landing: Path) -> dict[tuple[str, str], dict]:
    """{(la_code, team): row}: every team of the current carer register (the fostering tables
    show every team that supervises a household, whatever its status) and every team the
    workforce figures show, with the current team_establishment file's service and FTE."""
    areas: dict[tuple[str, str], set[str]] = {}
    for (extract, la_code), (_, path) in latest_files(landing).items():
        if extract == "carer_households":
            for row in read_rows(path):
                areas.setdefault((la_code, str(row["team"]).strip()), set()).add("fostering")
    for la_code, team, _ in workforce.expected_workforce(landing):
        if team is not None:
            areas.setdefault((la_code, team), set()).add("workforce")
    establishment: dict[tuple[str, str], dict] = {}
    for (extract, la_code), (extract_date, path) in workforce.current_files(landing).items():
        if extract == "team_establishment":
            for row in read_rows(path):
                service = row.get("service")
                establishment[(la_code, str(row["team"]).strip())] = {
                    "service": service.strip().lower().replace(" ", "_").replace("-", "_") if service else None,
                    "establishment_fte": Fraction(str(row["establishment_fte"])),
                    "establishment_as_at": extract_date,
                }
    none = {"service": None, "establishment_fte": None, "establishment_as_at": None}
    return {
        (la_code, team): {
            "la_code": la_code,
            "team": team,
            "la_code_team": f"{la_code}|{team}",
            "areas": ", ".join(sorted(found)),
            "is_fostering_team": "fostering" in found,
            "is_workforce_team": "workforce" in found,
            **establishment.get((la_code, team), none),
        }
        for (la_code, team), found in areas.items()
    }
