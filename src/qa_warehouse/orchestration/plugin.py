"""The project's Airflow plugin (found through the `airflow.plugins` entry point in pyproject.toml):
- the custom timetable, so the scheduler can read the period-close DAGs' schedules back;
- the documentation `qa-warehouse docs` builds (dbt's docs, GX's Data Docs), served by Airflow's
  own API server under DOCS_URL_PREFIX and linked from its navigation as an external view, so one
  server (`qa-warehouse serve`) shows the DAGs and what the tables and the gate's checks mean.
"""

from __future__ import annotations

from pathlib import Path

from airflow.plugins_manager import AirflowPlugin

from qa_warehouse.orchestration.timetables import WorkingDaysAfterPeriodEnd

DOCS_URL_PREFIX = "/qa-docs"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>qa-warehouse documentation</title></head>
<body><h1>qa-warehouse documentation</h1><p>Not built yet: run <code>qa-warehouse docs --no-serve</code>
(with the same QA_WAREHOUSE_HOME as this server) and reload.</p></body></html>"""


def docs_app(root: Path | None = None):
    """A FastAPI app serving the docs folder (the state folder's docs/ unless `root` says otherwise)."""
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, HTMLResponse, Response
    from fastapi.staticfiles import StaticFiles

    from qa_warehouse.settings import load_settings

    folder = root or load_settings().docs_dir
    app = FastAPI(title="qa-warehouse documentation", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = folder / "index.html"
        return FileResponse(page) if page.is_file() else HTMLResponse(NOT_BUILT, status_code=404)

    # check_dir=False: the server may start before the first `qa-warehouse docs` build.
    app.mount("/", StaticFiles(directory=folder, html=True, check_dir=False), name="docs")
    return app


class QaWarehousePlugin(AirflowPlugin):
    name = "qa_warehouse"
    timetables = [WorkingDaysAfterPeriodEnd]
    fastapi_apps = [{"name": "qa_warehouse_docs", "app": docs_app(), "url_prefix": DOCS_URL_PREFIX}]
    external_views = [
        {
            "name": "Warehouse docs",
            # Relative (no leading slash), so it follows the API server's base URL; url_route shows
            # it inside Airflow's UI (an iframe at /plugin/warehouse-docs), under the Docs menu.
            "href": f"{DOCS_URL_PREFIX.lstrip('/')}/",
            "url_route": "warehouse-docs",
            "destination": "nav",
            "category": "docs",
        }
    ]
