"""Reports delivered: after each publication, every period close's edition not yet delivered is
rendered into the outbox (QA_WAREHOUSE_OUTBOX): Performance on a Page for each authority (HTML and
PDF, at the period's last month end) and, for a financial year, the self-evaluation export (XLSX
and CSV), in <outbox>/<period kind>/<period>/edition-<id>/. The owners are then told which files
are there, through the alert channels (QA_WAREHOUSE_ALERT_EMAIL_TO, QA_WAREHOUSE_ALERT_WEBHOOK_URL).

Scheduled by the `reporting` Asset, which every publication emits: a publication after a delivery
makes no edition, so its run delivers nothing and tells nobody. The work is in
qa_warehouse.reports.outbox.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag

from qa_warehouse.orchestration import assets
from qa_warehouse.orchestration import tasks as dag_tasks
from qa_warehouse.orchestration.alerts import task_defaults


@dag(
    dag_id="qa_deliver_reports",
    schedule=[assets.REPORTING],
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["qa-warehouse", "reports"],
    doc_md=__doc__,
)
def qa_deliver_reports():
    dag_tasks.deliver_reports() >> dag_tasks.notify_report_owners()


qa_deliver_reports()
