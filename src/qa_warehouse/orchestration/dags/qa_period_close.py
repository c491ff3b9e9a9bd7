"""Period closes: publish the month, the quarter and the financial year some working days after each ends.

The wait (QA_WAREHOUSE_{MONTH,QUARTER,YEAR}_CLOSE_WORKING_DAYS, counted without weekends and England
bank holidays) lets late deliveries arrive; a close then refuses to publish while any current
delivery is as at a date before the period ended, and alerts instead. Each run's data interval is
its period, recorded in reporting.publication_log, so a back-fill publishes exactly that period.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag

from qa_warehouse.orchestration import tasks as dag_tasks
from qa_warehouse.orchestration.alerts import task_defaults
from qa_warehouse.orchestration.timetables import WorkingDaysAfterPeriodEnd
from qa_warehouse.settings import load_settings

CLOSES = {  # dag id -> period kind; the monthly scorecard, the quarterly report, the annual self-evaluation
    "qa_close_month": "month",
    "qa_close_quarter": "quarter",
    "qa_close_financial_year": "financial_year",
}


def period_close(dag_id: str, kind: str):
    @dag(
        dag_id=dag_id,
        schedule=WorkingDaysAfterPeriodEnd(kind, load_settings().close_working_days[kind]),
        start_date=pendulum.datetime(2024, 4, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        default_args=task_defaults(),
        tags=["qa-warehouse", "publish", kind],
        doc_md=__doc__,
    )
    def close():
        (
            dag_tasks.check_period_complete(kind)
            >> dag_tasks.check_gates()
            >> dag_tasks.dbt_build()
            >> dag_tasks.publish_period(kind)
        )

    return close()


for _dag_id, _kind in CLOSES.items():
    period_close(_dag_id, _kind)
