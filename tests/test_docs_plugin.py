"""The Airflow plugin links and serves `qa-warehouse docs`'s folder: an external view in the UI's Docs
menu, and a FastAPI app mounted in the API server. (tests/test_docs_site.py serves a real build.)"""

from __future__ import annotations

import json
import subprocess
import sys

# A fresh interpreter loads Airflow's plugins as the API server does: every warning is an error, and
# each log record at WARNING or above from the plugins manager is reported.
LOAD_PLUGINS = """
import json, logging, warnings
warnings.simplefilter("error")
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(f"{record.name}: {record.getMessage()}")
logging.getLogger().addHandler(Keep(level=logging.WARNING))
from airflow import plugins_manager
plugins, import_errors = plugins_manager._get_plugins()
views, _react = plugins_manager._get_ui_plugins()
apps, _middlewares = plugins_manager.get_fastapi_plugins()
print(json.dumps({
    "names": [p.name for p in plugins],
    "import_errors": {str(k): str(v) for k, v in import_errors.items()},
    "views": views,
    "apps": [{"name": a["name"], "url_prefix": a["url_prefix"], "type": type(a["app"]).__name__} for a in apps],
    "warnings": records,
}))
"""


def test_the_plugin_registers_once_with_its_docs_view_and_app_and_no_warnings():
    done = subprocess.run([sys.executable, "-c", LOAD_PLUGINS], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["names"].count("qa_warehouse") == 1 and not loaded["import_errors"]
    assert loaded["warnings"] == []
    assert {
        "name": "Warehouse docs",
        "href": "qa-docs/",
        "url_route": "warehouse-docs",
        "destination": "nav",
        "category": "docs",
    } in loaded["views"]
    assert {"name": "qa_warehouse_docs", "url_prefix": "/qa-docs", "type": "FastAPI"} in loaded["apps"]


def test_the_docs_app_serves_the_state_folders_docs(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from qa_warehouse.orchestration.plugin import docs_app

    monkeypatch.setenv("QA_WAREHOUSE_HOME", str(tmp_path))
    client = TestClient(docs_app())
    before = client.get("/")
    assert before.status_code == 404 and "qa-warehouse docs --no-serve" in before.text
    (tmp_path / "docs" / "gx").mkdir(parents=True)
    (tmp_path / "docs" / "index.html").write_text("<h1>the index</h1>", encoding="utf-8")
    (tmp_path / "docs" / "gx" / "index.html").write_text("<h1>GX</h1>", encoding="utf-8")
    assert client.get("/").text == "<h1>the index</h1>"
    assert client.get("/gx/").text == client.get("/gx/index.html").text == "<h1>GX</h1>"
    assert client.get("/nothing.html").status_code == 404
    assert client.get("/../settings.py").status_code == 404


# Airflow's own API server app, as `qa-warehouse serve` runs it, asked for the docs under the plugin's prefix.
API_SERVER_REQUEST = """
import json, sys
from qa_warehouse.orchestration.runner import configure_airflow
configure_airflow()
from airflow.api_fastapi.app import create_app
from fastapi.testclient import TestClient
client = TestClient(create_app("core"))
print(json.dumps({path: [r.status_code, r.text] for path in sys.argv[1:] for r in [client.get(path)]}))
"""


def test_airflows_api_server_serves_the_docs_under_the_plugins_prefix(tmp_path):
    import os

    (tmp_path / "docs" / "dbt").mkdir(parents=True)
    (tmp_path / "docs" / "index.html").write_text("<h1>the index</h1>", encoding="utf-8")
    (tmp_path / "docs" / "dbt" / "catalog.json").write_text('{"nodes": {}}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", API_SERVER_REQUEST, "/qa-docs/", "/qa-docs/dbt/catalog.json", "/qa-docs/gx/"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "QA_WAREHOUSE_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["/qa-docs/"] == [200, "<h1>the index</h1>"]
    assert got["/qa-docs/dbt/catalog.json"] == [200, '{"nodes": {}}']
    assert got["/qa-docs/gx/"][0] == 404


def test_the_docs_command_says_where_the_sites_are_and_refuses_a_taken_port(tmp_path, monkeypatch, capsys):
    import socket

    from qa_warehouse.local import docs_site

    built = docs_site.DocsSite(tmp_path, tmp_path / "dbt" / "index.html", tmp_path / "gx" / "index.html", [])
    monkeypatch.setattr(docs_site, "build_docs", lambda recent: built)
    assert docs_site.docs_command(serve=False) == 0
    out = capsys.readouterr().out
    assert str(built.dbt_index) in out and str(built.gx_index) in out and str(tmp_path / "index.html") in out
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert docs_site.docs_command(port=taken.getsockname()[1]) == 1
    assert "choose another with --port" in capsys.readouterr().err
