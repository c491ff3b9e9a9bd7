"""Run the project's DAGs for real, in this process, with `dag.test()`.

Airflow's home (a SQLite metadata database, for one laptop) lives under QA_WAREHOUSE_HOME unless
AIRFLOW_HOME is set. Airflow is configured through the environment before it is imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from qa_warehouse.settings import DAGS_DIR, load_settings
from qa_warehouse.warehouse import AIRFLOW_CONNECTION_ENV, AIRFLOW_CONNECTION_ID, resolve_warehouse

INGEST_DAG = "qa_ingest"
BUILD_DAG = "qa_build_and_publish"


@dataclass
class DagRunResult:
    dag_id: str
    state: str
    failed_tasks: dict[str, str]  # task id -> state

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def project_airflow_settings() -> dict[str, str]:
    """What every Airflow process of the project needs, in dag.test() runs and in the services
    (qa_warehouse.local.services) alike: our DAGs, no examples, no telemetry."""
    return {
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


def configure_airflow() -> None:
    """For dag.test() runs in this process: SQLite metadata under the Airflow home, quiet logs."""
    settings = load_settings()
    home = os.environ.setdefault("AIRFLOW_HOME", str(settings.airflow_home))
    os.makedirs(home, exist_ok=True)
    defaults = {
        **project_airflow_settings(),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def migrate_metadata_db() -> None:
    """`airflow db migrate`, once per Airflow home (a marker file records the Airflow version)."""
    configure_airflow()
    import airflow

    marker = os.path.join(os.environ["AIRFLOW_HOME"], f".migrated-{airflow.__version__}")
    if os.path.exists(marker):
        return
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], check=True, stdout=subprocess.DEVNULL, env=os.environ.copy()
    )
    open(marker, "w").close()


def metadata_has_connection(conn_id: str) -> bool:
    """Whether Airflow's metadata database (the UI's connections) holds `conn_id`."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalar(select(Connection.id).where(Connection.conn_id == conn_id)) is not None


@contextmanager
def warehouse_connection_for_tasks() -> Iterator[None]:
    """The tasks of a dag.test() run find the warehouse through Airflow's connection system. Name the
    one this command resolved as AIRFLOW_CONN_QA_WAREHOUSE for the run: DATABASE_URL always (it wins
    for every subcommand), the embedded server only when Airflow knows no `qa_warehouse` connection
    (neither that variable nor one made in the UI, in the metadata database)."""
    before = os.environ.get(AIRFLOW_CONNECTION_ENV)
    if os.environ.get("DATABASE_URL") or not (before or metadata_has_connection(AIRFLOW_CONNECTION_ID)):
        os.environ[AIRFLOW_CONNECTION_ENV] = resolve_warehouse().airflow_connection_uri()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(AIRFLOW_CONNECTION_ENV, None)
        else:
            os.environ[AIRFLOW_CONNECTION_ENV] = before


def run_dag(dag_id: str, conf: dict | None = None, logical_date=None) -> DagRunResult:
    """Run one DAG now with dag.test(); a period close takes the logical date whose period it publishes."""
    migrate_metadata_db()
    from airflow import settings as airflow_settings
    from airflow.dag_processing.dagbag import DagBag

    if airflow_settings.Session is None:
        airflow_settings.configure_orm()
    bag = DagBag(dag_folder=str(DAGS_DIR))  # examples are off through AIRFLOW__CORE__LOAD_EXAMPLES
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    with warehouse_connection_for_tasks():
        run = dag.test(run_conf=conf or {}, logical_date=logical_date)
    failed = {ti.task_id: str(ti.state) for ti in run.get_task_instances() if str(ti.state) != "success"}
    return DagRunResult(dag_id, str(run.state), failed)
