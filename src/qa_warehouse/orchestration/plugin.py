"""Registers the project's custom timetable with Airflow (found through the `airflow.plugins` entry
point in pyproject.toml), so the scheduler can read the period-close DAGs' schedules back."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from qa_warehouse.orchestration.timetables import WorkingDaysAfterPeriodEnd


class QaWarehousePlugin(AirflowPlugin):
    name = "qa_warehouse"
    timetables = [WorkingDaysAfterPeriodEnd]
