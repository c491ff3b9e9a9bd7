"""Build and publish: after each delivery, check no newer delivery is quarantined, run `dbt build`
(models, data tests, unit tests) and only then swap the reporting tables in at once.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag

from qa_warehouse.orchestration import assets
from qa_warehouse.orchestration import tasks as dag_tasks
from qa_warehouse.orchestration.alerts import task_defaults


@dag(
    dag_id="qa_build_and_publish",
    schedule=[assets.DELIVERY],
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["qa-warehouse", "dbt", "publish"],
    doc_md=__doc__,
)
def qa_build_and_publish():
    dag_tasks.check_gates() >> dag_tasks.dbt_build() >> dag_tasks.publish()


qa_build_and_publish()
