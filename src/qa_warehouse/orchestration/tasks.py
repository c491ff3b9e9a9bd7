"""The Airflow tasks the DAG files compose: thin wrappers over qa_warehouse.pipeline.

Failures a retry cannot fix (a quarantined file, an open quarantine, a failed dbt test, an
incomplete period, a late extract) raise AirflowFailException, which Airflow never retries; the
original exception stays attached as its cause, so the alert can name the file and rule.
Anything else (a lost connection) is retried with backoff by alerts.task_defaults(). Every task that
touches the warehouse finds it through the Airflow connection `qa_warehouse` (orchestration.connection).
"""

from __future__ import annotations

from airflow.sdk import Param, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from qa_warehouse import pipeline
from qa_warehouse.orchestration import assets
from qa_warehouse.orchestration.connection import with_warehouse
from qa_warehouse.settings import load_settings


def landing_param() -> dict:
    return {"landing_dir": Param(str(load_settings().landing_dir), type="string")}


# all_done: every file of a delivery is gated and reported, even when a file it refers to was refused
# (its references then resolve against the last accepted delivery, and rows that do not are held).
@task(trigger_rule="all_done")
@with_warehouse
def ingest(extract: str, params=None) -> dict:
    from qa_warehouse.load.ingest import QuarantinedFiles

    try:
        result = pipeline.ingest(extract, params["landing_dir"])
    except QuarantinedFiles as quarantined:
        raise AirflowFailException(str(quarantined)) from quarantined
    if not result["accepted"]:
        # Skipped, not succeeded: no Asset event, so nothing is rebuilt for a repeated delivery.
        raise AirflowSkipException(f"no new {extract} delivery ({len(result['duplicates'])} already loaded)")
    return result


@task(trigger_rule="all_done")
@with_warehouse
def gate_dfe_deliveries() -> list[str]:
    """DfE's validators on each new delivery of a DfE collection (903, CIN census) as a whole; children
    with hold findings are held."""
    from qa_warehouse.load.gate.dfe import DfeValidatorFailed, DfeValidatorUnavailable

    try:
        outcomes = pipeline.gate_dfe_deliveries()
    except (DfeValidatorFailed, DfeValidatorUnavailable) as error:  # a retry cannot install or fix it
        raise AirflowFailException(str(error)) from error
    for line in outcomes:
        print(line)
    return outcomes


@task(trigger_rule="all_done")
@with_warehouse
def report_delivery(dag_run=None) -> list[str]:
    """Every file's outcome in this run; an alert naming them all when one was refused or held rows back."""
    import logging

    from qa_warehouse.orchestration.alerts import delivery_alert, send_alert

    outcomes = pipeline.load_outcomes(dag_run.start_date)
    alert = delivery_alert(dag_run.dag_id, dag_run.run_id, outcomes)
    if alert is not None:
        send_alert(alert, logging.getLogger(__name__))
    return [f"{name}: {status}" for name, status, *_ in outcomes]


@task(trigger_rule="none_failed_min_one_success", outlets=[assets.DELIVERY])
def delivery_loaded() -> None:
    """Marks the end of a delivery that accepted something: the build starts once, on all of it."""


@task
@with_warehouse
def check_gates() -> None:
    try:
        pipeline.check_gates()
    except pipeline.GateClosed as closed:
        raise AirflowFailException(str(closed)) from closed


@task
@with_warehouse
def dbt_build() -> None:
    from qa_warehouse.build.dbt import DbtFailed

    try:
        pipeline.build()
    except DbtFailed as failed:
        raise AirflowFailException(str(failed)) from failed


@task(outlets=[assets.REPORTING])
@with_warehouse
def publish() -> list[str]:
    return pipeline.publish_reporting()


@task
@with_warehouse
def check_period_complete(kind: str, data_interval_start=None, data_interval_end=None) -> None:
    period = pipeline.period_of(kind, data_interval_start.date(), data_interval_end.date())
    try:
        pipeline.check_period_complete(period)
    except pipeline.NothingDelivered as empty:
        raise AirflowSkipException(str(empty)) from empty  # a new warehouse: not a failure to alert on
    except pipeline.PeriodIncomplete as incomplete:
        raise AirflowFailException(str(incomplete)) from incomplete


@task(outlets=[assets.REPORTING])
@with_warehouse
def publish_period(kind: str, data_interval_start=None, data_interval_end=None) -> list[str]:
    return pipeline.publish_reporting(pipeline.period_of(kind, data_interval_start.date(), data_interval_end.date()))


@task
@with_warehouse
def check_freshness() -> None:
    from qa_warehouse.load.freshness import ExtractsLate
    from qa_warehouse.load.freshness import check_freshness as check

    try:
        check()
    except ExtractsLate as late:
        raise AirflowFailException(str(late)) from late


@task
@with_warehouse
def deliver_reports() -> list[dict]:
    """Each period close's edition not delivered yet, rendered into the outbox (qa_warehouse.reports.outbox)."""
    from dataclasses import asdict

    from qa_warehouse.reports.outbox import PdfRenderingUnavailable, deliver_new_editions

    try:
        deliveries = deliver_new_editions()
    except PdfRenderingUnavailable as missing:  # a retry cannot install WeasyPrint or Pango
        raise AirflowFailException(str(missing)) from missing
    for delivery in deliveries:
        print(f"edition {delivery.edition_id}: {delivery.status} {delivery.folder or delivery.note}")
    return [asdict(delivery) for delivery in deliveries]


@task
def notify_report_owners(ti=None) -> str | None:
    """Tell the owners, through the alert channels, which files were delivered; nothing when none were."""
    import logging

    from qa_warehouse.orchestration.alerts import send_alert
    from qa_warehouse.reports.outbox import Delivery, ReportsDelivered

    deliveries = ti.xcom_pull(task_ids="deliver_reports") or []
    notice = ReportsDelivered(
        str(load_settings().outbox_dir),
        tuple(Delivery(**{**d, "files": tuple(d["files"])}) for d in deliveries),
    )
    if not notice.deliveries:
        raise AirflowSkipException("no new edition: nothing delivered, nobody told")
    send_alert(notice, logging.getLogger(__name__))
    return notice.subject
