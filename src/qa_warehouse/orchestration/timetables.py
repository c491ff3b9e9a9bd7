"""When a period's figures are published: the Nth working day after the period ends.

Month, quarter and financial-year publications wait some working days (not weekends, not bank
holidays in England) so that late deliveries can arrive. Each run's data interval is the period
itself, so a run (or a back-fill) knows exactly which period it publishes. Registered with Airflow
by qa_warehouse.orchestration.plugin, as Airflow requires of a custom timetable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
from airflow.timetables.base import DagRunInfo, DataInterval, Timetable

from qa_warehouse.periods import PERIOD_MONTHS, add_periods, nth_working_day_on_or_after, period_start_containing


class WorkingDaysAfterPeriodEnd(Timetable):
    """One run per period, on the `working_days`th working day after it ends, at `hour`:00 UTC.

    The run's data interval is [first day of the period, first day of the next period).
    """

    def __init__(self, period: str, working_days: int, hour: int = 6):
        if period not in PERIOD_MONTHS:
            raise ValueError(f"period must be one of {sorted(PERIOD_MONTHS)}, not {period!r}")
        if working_days < 1:
            raise ValueError("working_days counts from 1 (the first working day after the period ends)")
        self.period, self.working_days, self.hour = period, working_days, hour

    def serialize(self) -> dict[str, Any]:
        return {"period": self.period, "working_days": self.working_days, "hour": self.hour}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        return cls(data["period"], data["working_days"], data.get("hour", 6))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkingDaysAfterPeriodEnd) and self.serialize() == other.serialize()

    @property
    def summary(self) -> str:
        return f"working day {self.working_days} after each {self.period.replace('_', ' ')}"

    def publication_time(self, period_start: dt.date) -> pendulum.DateTime:
        """When the period starting on `period_start` is published."""
        day = nth_working_day_on_or_after(add_periods(period_start, self.period, 1), self.working_days)
        return pendulum.datetime(day.year, day.month, day.day, self.hour, tz="UTC")

    def _interval(self, period_start: dt.date) -> DataInterval:
        end = add_periods(period_start, self.period, 1)
        return DataInterval(
            pendulum.datetime(period_start.year, period_start.month, 1, tz="UTC"),
            pendulum.datetime(end.year, end.month, 1, tz="UTC"),
        )

    def latest_due_period(self, now: dt.datetime) -> dt.date:
        """The start of the latest period whose publication time is at or before `now`."""
        start = add_periods(period_start_containing(now.date(), self.period), self.period, -1)
        while self.publication_time(start) > now:
            start = add_periods(start, self.period, -1)
        return start

    def infer_manual_data_interval(self, *, run_after: pendulum.DateTime) -> DataInterval:
        # A manual run publishes the last period that has ended.
        return self._interval(add_periods(period_start_containing(run_after.date(), self.period), self.period, -1))

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None, restriction) -> DagRunInfo | None:
        start: dt.date  # pendulum's Date where it comes from the interval, a datetime.date from add_periods
        if last_automated_data_interval is not None:
            start = last_automated_data_interval.end.date()
            if not restriction.catchup:
                start = max(start, self.latest_due_period(pendulum.now("UTC")))
        elif restriction.catchup and restriction.earliest is not None:
            start = period_start_containing(restriction.earliest.date(), self.period)
            if start < restriction.earliest.date():
                start = add_periods(start, self.period, 1)
        else:
            start = self.latest_due_period(pendulum.now("UTC"))
        if restriction.earliest is not None:
            while start < restriction.earliest.date():
                start = add_periods(start, self.period, 1)
        interval = self._interval(start)
        # The logical date is the period's first day: back-fill ranges and end dates are read against it.
        if restriction.latest is not None and interval.start > restriction.latest:
            return None
        return DagRunInfo(run_after=self.publication_time(start), data_interval=interval)
