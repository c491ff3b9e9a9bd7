"""Build and publish: when any raw Asset updates, check no newer delivery is quarantined, run
`dbt build` (models, data tests, unit tests) and only then swap the reporting tables in at once.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Asset, AssetAny, dag, task
from airflow.sdk.exceptions import AirflowFailException

from qa_warehouse import pipeline
from qa_warehouse.contracts import load_order

RAW_ASSETS = [Asset(name=f"raw.{extract}", uri=pipeline.asset_uri("raw", extract)) for extract in load_order()]
SCORECARD = Asset(name="reporting.fostering_kpi_scorecard", uri=pipeline.asset_uri("reporting", "fostering_kpi_scorecard"))


@task(retries=0)
def check_gates() -> None:
    try:
        pipeline.check_gates()
    except pipeline.GateClosed as closed:
        raise AirflowFailException(str(closed)) from None


@task(retries=0)
def dbt_build() -> None:
    from qa_warehouse.transform import DbtFailed

    try:
        pipeline.build()
    except DbtFailed as failed:
        raise AirflowFailException(str(failed)) from None


@task(retries=2, retry_delay=pendulum.duration(seconds=30), outlets=[SCORECARD])
def publish() -> list[str]:
    return pipeline.publish_reporting()


@dag(
    dag_id="qa_build_and_publish",
    schedule=AssetAny(*RAW_ASSETS),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["qa-warehouse", "dbt", "publish"],
    doc_md=__doc__,
)
def qa_build_and_publish():
    check_gates() >> dbt_build() >> publish()


qa_build_and_publish()
