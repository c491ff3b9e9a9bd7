"""One place resolves the warehouse; every consumer gets the same server in its own form."""

import json
from urllib.parse import quote

import psycopg2.extensions
import pytest
from sqlalchemy.engine import make_url

from qa_warehouse.warehouse import resolve_warehouse


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_QA_WAREHOUSE", raising=False)


def test_database_url_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://bi:secret@db.example:6543/qa")
    monkeypatch.setenv("AIRFLOW_CONN_QA_WAREHOUSE", "postgres://other@elsewhere/x")
    wh = resolve_warehouse()
    assert (wh.source, wh.host, wh.port, wh.database, wh.user, wh.password) == (
        "DATABASE_URL",
        "db.example",
        6543,
        "qa",
        "bi",
        "secret",
    )
    assert wh.dbt_env()["QA_WAREHOUSE_DB_HOST"] == "db.example"
    assert wh.gx_connection_string() == "postgresql+psycopg2://bi:secret@db.example:6543/qa"


def test_airflow_connection_json_form(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_QA_WAREHOUSE",
        json.dumps(
            {"conn_type": "postgres", "host": "wh", "port": 5433, "login": "etl", "password": "p", "schema": "qa"}
        ),
    )
    wh = resolve_warehouse()
    assert (wh.host, wh.port, wh.user, wh.database) == ("wh", 5433, "etl", "qa")


def test_unix_socket_url_gives_gx_a_localhost_host_and_socket_query(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:@/postgres?host=/tmp/qaw-x/pg")
    wh = resolve_warehouse()
    assert wh.uses_socket and wh.host == "/tmp/qaw-x/pg"
    assert wh.gx_connection_string() == "postgresql+psycopg2://postgres@localhost/postgres?host=%2Ftmp%2Fqaw-x%2Fpg"
    assert "host='/tmp/qaw-x/pg'" in wh.dsn()


def test_a_host_query_parameter_wins_over_the_url_host_as_in_libpq(monkeypatch):
    """libpq: `postgresql://u@db.example/qa?host=/run/pg` connects through the socket in /run/pg."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://etl@db.example:6543/qa?host=/run/pg")
    wh = resolve_warehouse()
    assert (wh.host, wh.port, wh.database, wh.user, wh.uses_socket) == ("/run/pg", 6543, "qa", "etl", True)
    assert psycopg2.extensions.parse_dsn(wh.dsn())["host"] == "/run/pg"
    assert wh.dbt_env()["QA_WAREHOUSE_DB_HOST"] == "/run/pg"
    gx = make_url(wh.gx_connection_string())
    assert (gx.host, gx.port, gx.query["host"]) == ("localhost", 6543, "/run/pg")


def test_query_parameters_for_port_database_and_user_win_and_the_rest_reach_every_connection(monkeypatch):
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql://a:pw@db.example:5432/first?port=7000&dbname=second&user=b&sslmode=require"
    )
    wh = resolve_warehouse()
    assert (wh.port, wh.database, wh.user, wh.password) == (7000, "second", "b", "pw")
    dsn = psycopg2.extensions.parse_dsn(wh.dsn())
    assert (dsn["port"], dsn["dbname"], dsn["user"], dsn["sslmode"]) == ("7000", "second", "b", "require")
    assert wh.dbt_env()["QA_WAREHOUSE_DB_SSLMODE"] == "require"
    assert make_url(wh.gx_connection_string()).query["sslmode"] == "require"


def test_a_password_with_quotes_backslashes_and_spaces_survives_the_dsn(monkeypatch):
    password = "it's a \\secret\\ 'pass'"
    monkeypatch.setenv("DATABASE_URL", f"postgresql://etl:{quote(password, safe='')}@db.example/qa")
    assert psycopg2.extensions.parse_dsn(resolve_warehouse().dsn())["password"] == password


def test_the_airflow_connection_uri_round_trips_through_airflow(monkeypatch):
    """What the runner names for the tasks reads back, through Airflow's own Connection, as the same server."""
    from airflow.models.connection import Connection

    from qa_warehouse.orchestration.connection import warehouse_of_connection

    for url in (
        "postgresql://postgres@/qa?host=/tmp/qaw-x/pg&port=5433",
        "postgresql://etl:p%40ss@db.example:6543/qa?sslmode=require",
    ):
        monkeypatch.setenv("DATABASE_URL", url)
        wh = resolve_warehouse()
        conn = Connection(conn_id="qa_warehouse", uri=wh.airflow_connection_uri())
        back = warehouse_of_connection(conn, "airflow")
        assert (back.host, back.port, back.database, back.user, back.password, back.options) == (
            wh.host,
            wh.port,
            wh.database,
            wh.user,
            wh.password,
            wh.options,
        )


# Tasks that never open the warehouse: an Asset marker, and the message that lists delivered files.
NO_WAREHOUSE = {"delivery_loaded", "notify_report_owners"}


def test_every_task_that_touches_the_warehouse_reads_the_airflow_connection():
    from qa_warehouse.orchestration import tasks

    decorated = {
        name: getattr(value, "function", None)
        for name, value in vars(tasks).items()
        if callable(getattr(value, "function", None))
    }
    assert {"ingest", "dbt_build", "publish", "publish_period", "check_freshness", "deliver_reports"} <= set(decorated)
    unwrapped = [
        name
        for name, function in decorated.items()
        if name not in NO_WAREHOUSE and not getattr(function, "uses_warehouse_connection", False)
    ]
    assert unwrapped == [], "these tasks would resolve the warehouse outside Airflow's connections"
