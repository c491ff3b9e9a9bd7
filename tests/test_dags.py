"""The DAG files import cleanly and declare the spine: per-extract ingest emitting Assets, and
build-and-publish scheduled on them."""
import pytest

from qa_warehouse.airflow_runner import migrate_metadata_db
from qa_warehouse.contracts import all_contracts, get_contract
from qa_warehouse.settings import DAGS_DIR


@pytest.fixture(scope="module")
def dagbag():
    migrate_metadata_db()
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_dag_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"qa_ingest", "qa_build_and_publish"} <= set(dagbag.dag_ids)


def test_ingest_has_one_task_per_extract_emitting_its_raw_asset(dagbag):
    dag = dagbag.get_dag("qa_ingest")
    for extract in all_contracts():
        task = dag.get_task(f"ingest_{extract}")
        assert [a.name for a in task.outlets] == [f"raw.{extract}"]
        assert task.retries == 0  # a retry cannot fix a quarantined file
        for upstream in get_contract(extract).upstream_extracts:
            assert f"ingest_{upstream}" in task.upstream_task_ids


def test_build_and_publish_is_scheduled_on_the_raw_assets(dagbag):
    dag = dagbag.get_dag("qa_build_and_publish")
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any new delivery triggers a build
    scheduled = {asset.name for asset in condition.objects}
    assert scheduled == {f"raw.{extract}" for extract in all_contracts()}
    assert dag.get_task("publish").upstream_task_ids == {"dbt_build"}
    assert dag.get_task("dbt_build").upstream_task_ids == {"check_gates"}
