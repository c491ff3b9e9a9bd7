"""Inside Airflow the warehouse is the connection `qa_warehouse`, found by Airflow's own connection
system: an environment variable, or a connection made in the UI (the metadata database); a task with
neither fails saying so, and never starts an embedded server of its own. Real dag.test() runs of the
qa_freshness DAG, whose one task reads raw.load_log of whichever warehouse it was given."""

from __future__ import annotations

import datetime as dt
import os
from contextlib import closing, contextmanager

import psycopg2
import pytest

from qa_warehouse.orchestration.runner import migrate_metadata_db, run_dag
from qa_warehouse.warehouse import AIRFLOW_CONNECTION_ENV, AIRFLOW_CONNECTION_ID, warehouse_from_url

pytestmark = pytest.mark.integration


def with_late_extract(url: str) -> None:
    """A load log whose one extract is years late: the freshness task fails naming it, so a failure
    shows which warehouse the task read."""
    with closing(psycopg2.connect(warehouse_from_url(url).dsn())) as conn, conn, conn.cursor() as cur:
        cur.execute("create schema raw")
        cur.execute("create table raw.load_log (extract text, la_code text, extract_date date)")
        cur.execute("insert into raw.load_log values ('carer_households', '885', '2020-01-31')")


@contextmanager
def environment(**values: str | None):
    saved = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def ui_connection(uri: str):
    """A connection as the UI makes it: a row in Airflow's metadata database."""
    migrate_metadata_db()
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    with create_session() as session:
        session.add(Connection(conn_id=AIRFLOW_CONNECTION_ID, uri=uri))
    try:
        yield
    finally:
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id == AIRFLOW_CONNECTION_ID).delete()


def freshness_task(run):
    return run.failed_tasks.get("check_freshness")


def late_extract_reported(capfd) -> bool:
    output = capfd.readouterr()
    return "carer_households" in output.out + output.err


def test_the_environment_connection_is_the_warehouse(new_database, tmp_path, capfd):
    late, clean = new_database("late"), new_database("clean")
    with_late_extract(late)
    home = tmp_path / "home"
    with environment(DATABASE_URL=None, QA_WAREHOUSE_HOME=str(home)):
        with environment(**{AIRFLOW_CONNECTION_ENV: warehouse_from_url(late).airflow_connection_uri()}):
            assert run_dag("qa_freshness").state == "failed"
            assert late_extract_reported(capfd)
        with environment(**{AIRFLOW_CONNECTION_ENV: warehouse_from_url(clean).airflow_connection_uri()}):
            assert run_dag("qa_freshness").succeeded
    assert not (home / "pgdata").exists(), "no embedded server was started beside the configured one"


def test_a_connection_made_in_the_ui_is_the_warehouse(new_database, tmp_path, capfd):
    late = new_database("late")
    with_late_extract(late)
    home = tmp_path / "home"
    with environment(DATABASE_URL=None, QA_WAREHOUSE_HOME=str(home), **{AIRFLOW_CONNECTION_ENV: None}):
        with ui_connection(warehouse_from_url(late).airflow_connection_uri()):
            run = run_dag("qa_freshness")
        assert run.state == "failed" and freshness_task(run) == "failed"
        assert late_extract_reported(capfd)
        assert AIRFLOW_CONNECTION_ENV not in os.environ
    assert not (home / "pgdata").exists(), "the UI's connection was used, not an embedded server"


def test_database_url_wins_for_the_command_line_runs(new_database, tmp_path):
    late, clean = new_database("late"), new_database("clean")
    with_late_extract(late)
    with environment(
        DATABASE_URL=clean,
        QA_WAREHOUSE_HOME=str(tmp_path / "home"),
        **{AIRFLOW_CONNECTION_ENV: warehouse_from_url(late).airflow_connection_uri()},
    ):
        assert run_dag("qa_freshness").succeeded  # read `clean`, not the late one


def test_a_worker_without_the_connection_fails_clearly_and_starts_no_server(tmp_path, capfd):
    """dag.test() straight, as a worker runs a task: no runner to name a warehouse for it."""
    migrate_metadata_db()
    from airflow.dag_processing.dagbag import DagBag

    from qa_warehouse.settings import DAGS_DIR

    home = tmp_path / "home"
    with environment(DATABASE_URL=None, QA_WAREHOUSE_HOME=str(home), **{AIRFLOW_CONNECTION_ENV: None}):
        dag = DagBag(dag_folder=str(DAGS_DIR)).get_dag("qa_freshness")
        run = dag.test(logical_date=dt.datetime(2025, 4, 1, 7, tzinfo=dt.UTC))
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states == {"check_freshness": "failed"}  # failed at once: no retry can make a connection
    output = capfd.readouterr()
    assert "no Airflow connection 'qa_warehouse'" in output.out + output.err
    assert not (home / "pgdata").exists(), "a worker never starts an embedded PostgreSQL"
