"""When things run: the working-day timetable of the period closes and the landing folder watcher."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction

from qa_warehouse.orchestration.landing_trigger import LandingFolderTrigger, landing_snapshot, settled_new_files
from qa_warehouse.orchestration.timetables import (
    WorkingDaysAfterPeriodEnd,
    nth_working_day_on_or_after,
    period_start_containing,
)


def utc(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


@pytest.mark.parametrize(
    "day, period, start",
    [
        (dt.date(2026, 11, 23), "month", dt.date(2026, 11, 1)),
        (dt.date(2026, 11, 23), "quarter", dt.date(2026, 10, 1)),  # Q3 of 2026/27
        (dt.date(2026, 3, 31), "quarter", dt.date(2026, 1, 1)),
        (dt.date(2026, 3, 31), "financial_year", dt.date(2025, 4, 1)),
        (dt.date(2026, 4, 1), "financial_year", dt.date(2026, 4, 1)),
    ],
)
def test_periods_follow_the_uk_financial_year(day, period, start):
    assert period_start_containing(day, period) == start


def test_working_days_skip_weekends_and_england_bank_holidays():
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    assert nth_working_day_on_or_after(dt.date(2026, 4, 1), 3) == dt.date(2026, 4, 7)
    # New Year's Day 2026 is a Thursday; 3-4 January a weekend.
    assert nth_working_day_on_or_after(dt.date(2026, 1, 1), 2) == dt.date(2026, 1, 5)
    # Christmas and Boxing Day 2026 (Boxing Day is a Saturday: substitute Monday 28 December).
    assert nth_working_day_on_or_after(dt.date(2026, 12, 24), 2) == dt.date(2026, 12, 29)


def test_quarter_close_runs_on_the_nth_working_day_and_covers_the_quarter():
    close = WorkingDaysAfterPeriodEnd("quarter", 10, hour=6)
    info = close.next_dagrun_info(
        last_automated_data_interval=DataInterval(utc(2025, 10, 1), utc(2026, 1, 1)),
        restriction=TimeRestriction(earliest=utc(2024, 4, 1), latest=None, catchup=True),
    )
    assert info.data_interval == DataInterval(utc(2026, 1, 1), utc(2026, 4, 1))  # January to March
    assert info.run_after == utc(2026, 4, 16, 6)  # 10th working day of April, after Easter


def test_catchup_starts_with_the_first_whole_period_after_the_start_date():
    close = WorkingDaysAfterPeriodEnd("month", 3)
    info = close.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=utc(2024, 1, 15), latest=None, catchup=True),
    )
    assert info.data_interval.start == utc(2024, 2, 1)
    assert info.run_after == utc(2024, 3, 5, 6)


def test_without_catchup_the_latest_due_period_runs_and_none_starts_after_the_end_date(monkeypatch):
    close = WorkingDaysAfterPeriodEnd("month", 3)
    monkeypatch.setattr(pendulum, "now", lambda tz=None: utc(2026, 11, 4, 7))  # after 3rd working day of November
    info = close.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=utc(2024, 4, 1), latest=None, catchup=False),
    )
    assert info.data_interval == DataInterval(utc(2026, 10, 1), utc(2026, 11, 1))
    monkeypatch.setattr(pendulum, "now", lambda tz=None: utc(2026, 11, 4, 5))  # an hour before it is due
    info = close.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=utc(2024, 4, 1), latest=None, catchup=False),
    )
    assert info.data_interval.start == utc(2026, 9, 1)
    assert (
        close.next_dagrun_info(
            last_automated_data_interval=DataInterval(utc(2026, 9, 1), utc(2026, 10, 1)),
            restriction=TimeRestriction(utc(2024, 4, 1), utc(2026, 9, 30), True),
        )
        is None
    )


def test_a_manual_close_publishes_the_period_that_last_ended():
    close = WorkingDaysAfterPeriodEnd("financial_year", 20)
    assert close.infer_manual_data_interval(run_after=utc(2026, 5, 2)) == DataInterval(utc(2025, 4, 1), utc(2026, 4, 1))


def test_timetable_round_trips_through_serialisation():
    close = WorkingDaysAfterPeriodEnd("quarter", 7, hour=5)
    assert WorkingDaysAfterPeriodEnd.deserialize(close.serialize()) == close
    with pytest.raises(ValueError, match="period"):
        WorkingDaysAfterPeriodEnd("week", 1)


def test_the_timetable_is_registered_as_an_airflow_plugin():
    from airflow import plugins_manager

    assert "qa_warehouse.orchestration.timetables.WorkingDaysAfterPeriodEnd" in plugins_manager.get_timetables_plugins()


def test_only_recognised_files_that_stopped_changing_are_announced(tmp_path):
    (tmp_path / "carer_visits_885_20250331.csv").write_text("la_code\n")
    (tmp_path / "notes.txt").write_text("not an extract")
    (tmp_path / "carer_visits_885_20250331.csv.part").write_text("still copying")
    first = landing_snapshot(tmp_path)
    assert list(first) == ["carer_visits_885_20250331.csv"]
    assert settled_new_files({}, first, {}) == []  # seen once: it may still be growing
    assert settled_new_files(first, first, {}) == ["carer_visits_885_20250331.csv"]
    assert settled_new_files(first, first, dict(first)) == []  # already announced
    (tmp_path / "carer_visits_885_20250331.csv").write_text("la_code\n885\n")  # delivered again, changed
    second = landing_snapshot(tmp_path)
    assert settled_new_files(second, second, dict(first)) == ["carer_visits_885_20250331.csv"]
    assert landing_snapshot(tmp_path / "missing") == {}


def test_the_trigger_fires_once_per_settled_delivery(tmp_path):
    trigger = LandingFolderTrigger(directory=str(tmp_path), poll_seconds=0.05)
    assert trigger.serialize() == (
        "qa_warehouse.orchestration.landing_trigger.LandingFolderTrigger",
        {"directory": str(tmp_path), "poll_seconds": 0.05},
    )

    async def first_two_events():
        events = trigger.run()
        staged = tmp_path / "carer_households_885_20250331.csv.tmp"
        staged.write_text("la_code\n")
        os.rename(staged, tmp_path / "carer_households_885_20250331.csv")  # delivered as a rename
        first = await asyncio.wait_for(anext(events), timeout=5)
        (tmp_path / "carer_visits_885_20250331.csv").write_text("la_code\n")
        second = await asyncio.wait_for(anext(events), timeout=5)
        await events.aclose()
        return first.payload, second.payload

    first, second = asyncio.run(first_two_events())
    assert first["files"] == ["carer_households_885_20250331.csv"]
    assert second["files"] == ["carer_visits_885_20250331.csv"]  # the first file is not announced again
