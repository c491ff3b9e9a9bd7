"""The real thing: Airflow's scheduler, API server, DAG processor and triggerer, run as they run on a
server, with the metadata in PostgreSQL. Extract files are delivered into the landing folder and
nothing else is done: the landing watcher (in the triggerer) schedules qa_ingest, and the
raw.delivery Asset it emits schedules qa_build_and_publish. A scheduler killed in the middle of a load and
started again leaves every file loaded once, whole.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from qa_warehouse.load.contracts import recognise
from qa_warehouse.local.services import TEST_INTERVALS, AirflowServices
from qa_warehouse_synthetic import generate_extracts

pytestmark = pytest.mark.integration
PIPELINE_DAGS = ("qa_ingest", "qa_build_and_publish")
# Seconds from delivery to publication: a wait, not a measurement. A delivery is now 28 files
# (fostering, QA, recruitment, workforce, residential, 903 and local children in care), each its
# own ingest task, on 2 busy cores: a generous ceiling so a slow machine is not a failure.
PUBLISH_TIMEOUT = 900


class Stack:
    """A fresh warehouse database, a landing folder, and the Airflow services that watch it."""

    def __init__(self, warehouse, metadata_url: str, root: Path):
        self.warehouse = warehouse  # conftest's WarehouseEnv: a fresh database, queried from here
        self.metadata_url = metadata_url  # another fresh database on the same server, for Airflow
        self.landing = root / "landing"
        self.landing.mkdir()
        self.staging = root / "staging"
        env = {
            **self.warehouse.env,
            "QA_WAREHOUSE_LANDING": str(self.landing),
            "QA_WAREHOUSE_QUARANTINE": str(root / "quarantine"),
            "QA_WAREHOUSE_LANDING_POLL_SECONDS": "2",
            "QA_WAREHOUSE_RETRY_DELAY_SECONDS": "1",
            "QA_WAREHOUSE_ALERT_EMAIL_TO": "",
            "QA_WAREHOUSE_ALERT_WEBHOOK_URL": "",
        }
        self.services = AirflowServices(
            root / "airflow",
            env=env,
            intervals=TEST_INTERVALS,
            parallelism=2,
            metadata_url=metadata_url.replace("postgresql://", "postgresql+psycopg2://", 1),
        )

    def metadata(self, sql: str, params=None) -> list[tuple]:
        with closing(psycopg2.connect(self.metadata_url)) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()

    def warehouse_has(self, table: str) -> bool:
        return self.warehouse.query("select to_regclass(%s) is not null", (table,))[0][0]

    def deliver(self, households: int = 40) -> list[Path]:
        """Write a small authority's extracts aside, then move each into the landing folder as a
        delivery does: under a name no contract recognises, renamed once complete."""
        files = generate_extracts(self.staging, households=households, years=2, authorities=1)
        for path in files:
            partial = self.landing / f".{path.name}.part"
            shutil.copyfile(path, partial)
            os.replace(partial, self.landing / path.name)
        return files

    def runs(self) -> list[tuple[str, str, str, str]]:
        return self.metadata(
            "select dag_id, run_id, run_type, state from dag_run where dag_id = any(%s) order by id",
            (list(PIPELINE_DAGS),),
        )

    def wait_for(self, what: str, condition, timeout: float, interval: float = 1.0):
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not after {timeout:.0f} s\n{self.diagnosis()}")
            time.sleep(interval)

    def wait_until_published(self, timeout: float = PUBLISH_TIMEOUT) -> None:
        """A publication, and the pipeline's runs all finished (the last build's publish recorded)."""

        def done():
            if not self.warehouse_has("reporting.publication_log"):
                return False
            if not self.warehouse.query("select count(*) from reporting.publication_log")[0][0]:
                return False
            states = [state for dag_id, _, _, state in self.runs()]
            return states and all(state in ("success", "failed") for state in states)

        self.wait_for("the scheduled DAGs to ingest and publish", done, timeout, interval=2)

    def diagnosis(self) -> str:
        tis = self.metadata(
            """select dag_id, task_id, state, try_number from task_instance
                               where dag_id = any(%s) order by start_date nulls last""",
            (list(PIPELINE_DAGS),),
        )
        logs = []
        for component in ("scheduler", "triggerer", "dag-processor"):
            path = self.services.log_path(component)
            tail = path.read_text(errors="replace").splitlines()[-25:] if path.exists() else []
            logs.append(f"--- {path} (last lines)\n" + "\n".join(tail))
        return f"runs: {self.runs()}\ntask instances: {tis}\n" + "\n".join(logs)

    def accepted_loads(self) -> list[tuple]:
        return self.warehouse.query("""select file_name, extract, load_id, rows_loaded from raw.load_log
                                       where status = 'accepted' order by file_name""")


@pytest.fixture
def stack(fresh_warehouse, new_database, tmp_path):
    stack = Stack(fresh_warehouse, new_database("airflow"), tmp_path)
    try:
        yield stack
    finally:
        stack.services.stop()
        assert stack.services.leftover_processes() == []


# A CIN census XML's data rows are its dated events (the flat layout it loads as: one row per event).
CIN_EVENTS = re.compile(
    rb"<(CINreferralDate|CINclosureDate|AssessmentActualStartDate|AssessmentAuthorisationDate|CINPlanStartDate"
    rb"|CINPlanEndDate|S47ActualStartDate|CPPstartDate|CPPendDate|CPPreviewDate)>\s*[^<\s]"
)


def data_rows(path: Path) -> int:
    """Data rows in a delivered CSV (rows of nothing but separators carry no data) or census XML."""
    if path.suffix == ".xml":
        return len(CIN_EVENTS.findall(path.read_bytes()))
    with open(path, newline="", encoding="utf-8-sig") as f:
        return sum(1 for row in list(csv.reader(f))[1:] if any(cell.strip() for cell in row))


def assert_every_file_loaded_once_and_whole(stack: Stack, files: list[Path]) -> None:
    accepted = stack.accepted_loads()
    assert sorted(name for name, *_ in accepted) == sorted(p.name for p in files), "each file accepted exactly once"
    assert stack.warehouse.query("select count(*) from raw.load_log where status = 'loading'") == [(0,)]
    by_name = {p.name: p for p in files}
    for file_name, extract, load_id, rows_loaded in accepted:
        rows, distinct_rows, last_row = stack.warehouse.query(
            f'select count(*), count(distinct _source_row), coalesce(max(_source_row), 0) from raw."{extract}" where _load_id = %s',
            (load_id,),
        )[0]
        expected = data_rows(by_name[file_name])
        assert rows == distinct_rows == last_row == rows_loaded == expected, (file_name, rows, rows_loaded, expected)
        # Nothing in the extract's raw table but that one load: no duplicate, no partial partition.
        assert stack.warehouse.query(f'select count(*) from raw."{extract}"') == [(rows,)], extract
        partitions = stack.warehouse.query(
            "select inhrelid::regclass::text from pg_inherits where inhparent = %s::regclass", (f"raw.{extract}",)
        )
        assert partitions == [(f"raw.{extract}__load{load_id}",)], extract
    assert stack.warehouse.query("select count(*) from pg_tables where schemaname = 'raw_incoming'") == [(0,)]


def assert_scheduled_runs_succeeded(stack: Stack) -> None:
    runs = stack.runs()
    for dag_id in PIPELINE_DAGS:
        mine = [(run_type, state) for d, _, run_type, state in runs if d == dag_id]
        assert mine, f"{dag_id} never ran"
        # Scheduled by the landing watcher's Asset and the raw Assets: nobody triggered them.
        assert {run_type for run_type, _ in mine} == {"asset_triggered"}, runs
        assert {state for _, state in mine} == {"success"}, runs


def assert_published_from(stack: Stack, files: list[Path]) -> None:
    assert stack.warehouse.query("select count(*) > 0 from reporting.fostering_kpi_scorecard") == [(True,)]
    loads = stack.warehouse.query("select loads from reporting.publication_log order by publication_id desc limit 1")
    assert sorted(load["file_name"] for load in loads[0][0]) == sorted(p.name for p in files)


def test_delivered_files_are_ingested_and_published_by_the_scheduler_alone(stack):
    started = time.monotonic()
    stack.services.start()
    files = stack.deliver()
    assert all(recognise(p) for p in files)
    stack.wait_until_published()
    published_after = time.monotonic() - started

    assert_scheduled_runs_succeeded(stack)
    assert_every_file_loaded_once_and_whole(stack, files)
    assert_published_from(stack, files)

    stack.services.stop()
    assert stack.services.leftover_processes() == []
    print(f"published {published_after:.0f} s after the services were started")


def test_a_scheduler_killed_mid_load_and_restarted_loads_every_file_once_and_whole(stack):
    stack.services.start()
    files = stack.deliver()

    def a_load_in_progress():
        running = stack.metadata("select task_id from task_instance where dag_id = 'qa_ingest' and state = 'running'")
        if not running or not stack.warehouse_has("raw.load_log"):
            return None
        # A load that began within the last second is still copying or gating its file (seconds).
        loading = stack.warehouse.query("""select load_id, extract from raw.load_log
                                           where status = 'loading' and started_at > now() - interval '1 second'""")
        return loading and (running, loading)

    running, loading = stack.wait_for("an ingest task in the middle of a load", a_load_in_progress, 180, interval=0.2)
    assert len(stack.services.processes("scheduler")) > 2  # the scheduler, its executor's workers, the task
    stack.services.kill("scheduler")  # SIGKILL: the scheduler, its executor and the running task with it
    assert stack.services.processes("scheduler") == []
    # The load it was in is left as a crash leaves it: marked 'loading', never accepted.
    interrupted = [load_id for load_id, _ in loading]
    assert stack.warehouse.query("select status from raw.load_log where load_id = any(%s)", (interrupted,)) == [
        ("loading",)
    ] * len(interrupted)

    stack.services.start("scheduler")
    stack.wait_until_published()

    assert_scheduled_runs_succeeded(stack)
    assert_every_file_loaded_once_and_whole(stack, files)
    # The interrupted attempt was abandoned (its log row and incoming table cleared), not half-kept.
    assert stack.warehouse.query("select count(*) from raw.load_log where load_id = any(%s)", (interrupted,)) == [(0,)]
    retried = stack.metadata(
        """select task_id from task_instance where dag_id = 'qa_ingest' and task_id = any(%s)
                                and try_number > 1""",
        ([task_id for (task_id,) in running],),
    )
    assert retried, "the new scheduler ran the interrupted task again"
    assert_published_from(stack, files)
