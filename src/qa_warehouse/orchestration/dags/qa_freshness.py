"""Freshness: every morning, alert when an extract an authority delivers has not arrived on time
(qa_warehouse.load.freshness says what "on time" is)."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag
from airflow.timetables.trigger import CronTriggerTimetable

from qa_warehouse.orchestration import tasks as dag_tasks
from qa_warehouse.orchestration.alerts import task_defaults


@dag(
    dag_id="qa_freshness",
    schedule=CronTriggerTimetable("0 7 * * *", timezone="Europe/London"),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args=task_defaults(),
    tags=["qa-warehouse", "operations"],
    doc_md=__doc__,
)
def qa_freshness():
    dag_tasks.check_freshness()


qa_freshness()
