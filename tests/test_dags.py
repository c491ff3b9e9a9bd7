"""The DAG files import cleanly and declare the schedules: ingest when files land, build after each
delivery, period closes after their working days, freshness every morning; alerts and retries on
every task."""

import pytest

from qa_warehouse.load.contracts import all_contracts, get_contract
from qa_warehouse.orchestration.alerts import QaWarehouseAlertNotifier
from qa_warehouse.orchestration.landing_trigger import LandingFolderTrigger
from qa_warehouse.orchestration.runner import migrate_metadata_db
from qa_warehouse.orchestration.timetables import WorkingDaysAfterPeriodEnd
from qa_warehouse.settings import DAGS_DIR

EXPECTED_DAGS = {
    "qa_ingest",
    "qa_build_and_publish",
    "qa_close_month",
    "qa_close_quarter",
    "qa_close_financial_year",
    "qa_freshness",
    "qa_deliver_reports",
}


@pytest.fixture(scope="module")
def dagbag():
    migrate_metadata_db()
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_dag_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == EXPECTED_DAGS


def test_ingest_is_scheduled_by_a_watcher_on_the_landing_folder(dagbag, monkeypatch):
    dag = dagbag.get_dag("qa_ingest")
    (landing,) = dag.timetable.asset_condition.objects
    (watcher,) = landing.watchers
    assert isinstance(watcher.trigger, LandingFolderTrigger)
    assert watcher.trigger.directory == dag.params["landing_dir"]


def test_ingest_has_one_task_per_extract_emitting_its_raw_asset(dagbag):
    dag = dagbag.get_dag("qa_ingest")
    for extract in all_contracts():
        task = dag.get_task(f"ingest_{extract}")
        assert [a.name for a in task.outlets] == [f"raw.{extract}"]
        # Runs whatever its upstream extracts did (nothing new, or refused): every file is gated and reported.
        assert task.trigger_rule == "all_done"
        for upstream in get_contract(extract).upstream_extracts:
            assert f"ingest_{upstream}" in task.upstream_task_ids
    # The files of DfE's collections (the 903 tables, the CIN census), once in, are checked by DfE's
    # validators before the delivery is marked.
    dfe = dag.get_task("gate_dfe_deliveries")
    assert (
        dfe.upstream_task_ids == {f"ingest_{e}" for e, c in all_contracts().items() if c.dfe_table or c.dfe_collection}
        and "ingest_cin_census" in dfe.upstream_task_ids
    )
    ingests = {f"ingest_{extract}" for extract in all_contracts()}
    delivery = dag.get_task("delivery_loaded")
    assert delivery.upstream_task_ids == ingests | {"gate_dfe_deliveries"}
    assert [a.name for a in delivery.outlets] == ["raw.delivery"]
    assert dag.get_task("report_delivery").upstream_task_ids == ingests | {"gate_dfe_deliveries"}


def test_build_and_publish_runs_once_per_delivery(dagbag):
    dag = dagbag.get_dag("qa_build_and_publish")
    assert [asset.name for asset in dag.timetable.asset_condition.objects] == ["raw.delivery"]
    assert dag.get_task("publish").upstream_task_ids == {"dbt_build"}
    assert dag.get_task("dbt_build").upstream_task_ids == {"check_gates"}


def test_reports_are_delivered_after_each_publication(dagbag):
    """Every publication emits the reporting Asset: the delivery DAG runs after each, then tells the owners."""
    dag = dagbag.get_dag("qa_deliver_reports")
    assert [asset.name for asset in dag.timetable.asset_condition.objects] == ["reporting"]
    assert [t.task_id for t in dag.topological_sort()] == ["deliver_reports", "notify_report_owners"]
    assert dag.max_active_runs == 1  # two runs at once would race for the same edition
    emitters = {
        (dag_id, task.task_id)
        for dag_id in ("qa_build_and_publish", "qa_close_month", "qa_close_quarter", "qa_close_financial_year")
        for task in dagbag.get_dag(dag_id).tasks
        if "reporting" in [getattr(a, "name", None) for a in task.outlets]
    }
    assert {dag_id for dag_id, _ in emitters} == {
        "qa_build_and_publish",
        "qa_close_month",
        "qa_close_quarter",
        "qa_close_financial_year",
    }


@pytest.mark.parametrize(
    "dag_id, kind",
    [("qa_close_month", "month"), ("qa_close_quarter", "quarter"), ("qa_close_financial_year", "financial_year")],
)
def test_period_closes_run_working_days_after_their_period(dagbag, dag_id, kind):
    dag = dagbag.get_dag(dag_id)
    assert isinstance(dag.timetable, WorkingDaysAfterPeriodEnd) and dag.timetable.period == kind
    assert [t.task_id for t in dag.topological_sort()] == [
        "check_period_complete",
        "check_gates",
        "dbt_build",
        "publish_period",
    ]


def test_every_task_alerts_on_failure_and_retries_with_backoff(dagbag):
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            assert any(isinstance(c, QaWarehouseAlertNotifier) for c in task.on_failure_callback), task.task_id
            assert task.retries >= 1 and task.retry_exponential_backoff, task.task_id
