"""The calendar the figures are reported on: months, UK financial quarters and years, working days.

One place for it, so the period closes' schedule, the publication log, the reports and the
generator agree on where a period starts and ends. Working days are England's: no weekends, no bank
holidays (from the `holidays` package, the same list the dbt seed is written from).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache

PERIOD_MONTHS = {"month": 1, "quarter": 3, "financial_year": 12}
FINANCIAL_YEAR_START_MONTH = 4  # quarters and years follow the UK financial year (April to March)


@dataclass(frozen=True)
class Period:
    """The period a scheduled close publishes (a month, quarter or financial year), logged with it."""

    kind: str
    first_day: dt.date
    last_day: dt.date


def england_bank_holidays(first_year: int, last_year: int) -> list[tuple[dt.date, str]]:
    """Every bank holiday in England from 1 January first_year to 31 December last_year, by date.

    A day with two names (rare) is one row, its names joined by '; ' as the package gives them.
    """
    import holidays

    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return sorted((day, calendar.get(day)) for day in calendar)


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(day for day, _name in england_bank_holidays(year, year + 1))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def nth_working_day_on_or_after(day: dt.date, n: int) -> dt.date:
    """The nth working day counting from `day` itself (n = 1: `day` if it is a working day)."""
    seen = 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == n:
                return day
        day += dt.timedelta(days=1)


def period_start_containing(day: dt.date, period: str) -> dt.date:
    months = PERIOD_MONTHS[period]
    offset = 0 if period == "month" else FINANCIAL_YEAR_START_MONTH - 1
    index = (day.year * 12 + day.month - 1 - offset) // months * months + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def add_periods(start: dt.date, period: str, count: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + PERIOD_MONTHS[period] * count
    return dt.date(index // 12, index % 12 + 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_back(day: dt.date, months: int) -> dt.date:
    """The month end `months` months before the month of `day`."""
    return month_end(add_months(day.replace(day=1), -months))
