"""The warehouse inside an Airflow task: the Airflow connection `qa_warehouse`, found by Airflow's own
connection system (the UI and metadata database, a secrets backend, AIRFLOW_CONN_QA_WAREHOUSE), read
through the postgres provider's hook. A task never starts an embedded PostgreSQL of its own: with no
such connection it fails, once, saying where to define it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException

from qa_warehouse.warehouse import (
    AIRFLOW_CONNECTION_ENV,
    AIRFLOW_CONNECTION_ID,
    Warehouse,
    using_warehouse,
    warehouse_from_connection_parts,
)

Task = TypeVar("Task", bound=Callable[..., Any])


class WarehouseNotConfigured(AirflowFailException):
    """No Airflow connection names the warehouse: a retry cannot make one."""


def warehouse_from_airflow(conn_id: str = AIRFLOW_CONNECTION_ID) -> Warehouse:
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    try:
        conn = PostgresHook.get_connection(conn_id)
    except AirflowNotFoundException as missing:
        raise WarehouseNotConfigured(
            f"no Airflow connection '{conn_id}': this worker does not know where the warehouse is. Define it "
            f"in the Airflow UI (Admin > Connections, type Postgres), in the secrets backend, or as "
            f"{AIRFLOW_CONNECTION_ENV}=postgresql://user:password@host:5432/database"
        ) from missing
    return warehouse_of_connection(conn, f"airflow connection {conn_id}")


def warehouse_of_connection(conn: Any, source: str) -> Warehouse:
    """An Airflow Connection (the SDK's or the metadata model's) as the warehouse it names."""
    return warehouse_from_connection_parts(
        host=conn.host,
        port=conn.port,
        login=conn.login,
        password=conn.password,
        schema=conn.schema,
        extra=conn.extra_dejson,
        source=source,
    )


def with_warehouse(function: Task) -> Task:
    """Run a task's body against the warehouse Airflow's connection `qa_warehouse` names."""

    @functools.wraps(function)  # keeps the signature Airflow reads context arguments from
    def run(*args, **kwargs):
        with using_warehouse(warehouse_from_airflow()):
            return function(*args, **kwargs)

    run.uses_warehouse_connection = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]
