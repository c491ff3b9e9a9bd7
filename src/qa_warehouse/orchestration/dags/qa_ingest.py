"""Ingest: when extract files settle in the landing folder, load each extract in contract reference order.

Scheduled by an AssetWatcher on the landing folder (qa_warehouse.orchestration.landing_trigger). Each task emits
its raw table's Asset; an extract with nothing new is skipped; the files of DfE's collections, once
in, are checked by DfE's validators (`gate_dfe_deliveries`: the 903 files together, the CIN census); `delivery_loaded` then emits raw.delivery
once, which schedules qa_build_and_publish; `report_delivery` names every file's outcome (and alerts
when a file was refused or rows were held back). A quarantined file fails its task without retry (a retry
cannot fix the data); its referrers are still gated and reported, but the build does not run.
The work is in qa_warehouse.pipeline.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag

from qa_warehouse.load.contracts import get_contract, load_order
from qa_warehouse.orchestration import assets
from qa_warehouse.orchestration import tasks as dag_tasks
from qa_warehouse.orchestration.alerts import task_defaults


@dag(
    dag_id="qa_ingest",
    schedule=[assets.landing_folder()],
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    params=dag_tasks.landing_param(),
    tags=["qa-warehouse", "ingest"],
    doc_md=__doc__,
)
def qa_ingest():
    tasks = {}
    for extract in load_order():
        tasks[extract] = dag_tasks.ingest.override(task_id=f"ingest_{extract}", outlets=[assets.raw_table(extract)])(
            extract
        )
        for upstream in get_contract(extract).upstream_extracts:
            tasks[upstream] >> tasks[extract]
    dfe = dag_tasks.gate_dfe_deliveries()
    [tasks[extract] for extract in tasks if _checked_by_dfe(extract)] >> dfe
    [*tasks.values(), dfe] >> dag_tasks.delivery_loaded()
    [*tasks.values(), dfe] >> dag_tasks.report_delivery()


def _checked_by_dfe(extract: str) -> bool:
    contract = get_contract(extract)
    return bool(contract.dfe_table or contract.dfe_collection)


qa_ingest()
