"""One place resolves the warehouse; every consumer gets the same server in its own form."""

import json

import pytest

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
