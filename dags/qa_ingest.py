"""Ingest: one task per extract, in contract reference order; each emits its raw table's Asset.

A quarantined file fails its task without retry (a retry cannot fix the data), so its referrers
and the build never run on it. The work is in qa_warehouse.pipeline.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, dag, task
from airflow.sdk.exceptions import AirflowFailException

from qa_warehouse import pipeline
from qa_warehouse.contracts import get_contract, load_order
from qa_warehouse.settings import load_settings


@task(retries=0)
def ingest(extract: str, params=None) -> dict:
    from qa_warehouse.ingest import QuarantinedFiles

    try:
        return pipeline.ingest(extract, params["landing_dir"])
    except QuarantinedFiles as quarantined:
        raise AirflowFailException(str(quarantined)) from None


@dag(
    dag_id="qa_ingest",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={"landing_dir": Param(str(load_settings().landing_dir), type="string")},
    tags=["qa-warehouse", "ingest"],
    doc_md=__doc__,
)
def qa_ingest():
    tasks = {}
    for extract in load_order():
        tasks[extract] = ingest.override(
            task_id=f"ingest_{extract}", outlets=[Asset(name=f"raw.{extract}", uri=pipeline.asset_uri("raw", extract))]
        )(extract)
        for upstream in get_contract(extract).upstream_extracts:
            tasks[upstream] >> tasks[extract]


qa_ingest()
