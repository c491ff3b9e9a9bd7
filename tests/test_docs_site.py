"""`qa-warehouse docs` on a published warehouse: dbt's docs site with the published tables' real
columns, GX's Data Docs of the gate's real validations (a refused delivery among them), served
over HTTP and looked at in headless Chromium, and served by the Airflow plugin's app."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import threading
import urllib.request

import pytest

from tests.browser import colours, rendered_dom, screenshot
from tests.data_sets import FOSTERING_THREE_EXPORT_STYLES

pytestmark = pytest.mark.integration

DATA_SET = FOSTERING_THREE_EXPORT_STYLES
REFUSED_AS_AT = dt.date(2025, 4, 7)  # after the data set's deliveries, so its file name is new
SCORECARD = "fostering_kpi_scorecard"


@pytest.fixture(scope="module")
def site(module_warehouse, tmp_path_factory):
    """A delivery the gate refuses (a duplicated key, found by the GX suite), then `qa-warehouse docs
    --no-serve`; the refused file is released after, so the shared warehouse is left as it was."""
    from qa_warehouse import cli
    from qa_warehouse.settings import load_settings
    from qa_warehouse_synthetic import generate_extracts

    folder = tmp_path_factory.mktemp("refused")
    generated = folder / "generated"
    generate_extracts(
        generated,
        households=20,
        years=1,
        authorities=1,
        seed=3,
        as_at=REFUSED_AS_AT,
        defects=("duplicate_key",),
        areas=("fostering",),
    )
    refused = next(generated.glob("carer_visits_*.csv"))
    shutil.move(refused, folder / refused.name)
    shutil.rmtree(generated)
    try:
        assert cli.main(["run", "--landing", str(folder)]) == cli.EXIT_QUARANTINED
        assert cli.main(["docs", "--no-serve"]) == 0
    finally:
        cli.main(["release", refused.name])
    return load_settings().docs_dir, refused.name


@pytest.fixture(scope="module")
def served(site):
    from qa_warehouse.local.docs_site import serve_docs

    root, _refused = site
    server = serve_docs(root, port=0)  # a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_dbt_docs_catalog_has_the_published_tables_real_columns(site, module_warehouse):
    root, _refused = site
    assert "dbt" in (root / "dbt" / "index.html").read_text(encoding="utf-8").lower()
    catalog = json.loads((root / "dbt" / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((root / "dbt" / "manifest.json").read_text(encoding="utf-8"))
    reporting = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "reporting"
    }
    assert SCORECARD in reporting and "measure_values" in reporting
    published = module_warehouse.query(
        "select table_name, column_name from information_schema.columns where table_schema = 'reporting'"
    )
    for model in (SCORECARD, "measure_values"):
        entry = catalog["nodes"][f"model.qa_warehouse.{model}"]
        assert entry["metadata"]["schema"] == "reporting" and entry["metadata"]["name"] == model
        columns = {name for table, name in published if table == model}
        assert columns and set(entry["columns"]) == columns  # the published table's columns, each of them
    assert {"la_code", "measure_code", "percentage", "rag"} <= set(
        catalog["nodes"][f"model.qa_warehouse.{SCORECARD}"]["columns"]
    )
    # Every reporting model dbt built was published, so the catalog describes each of them.
    assert {name for name in reporting if f"model.qa_warehouse.{name}" in catalog["nodes"]} == reporting


def test_gx_data_docs_list_the_gates_validations_with_suites_and_results(site, module_warehouse):
    from qa_warehouse.load.gate.suites import suite_path
    from qa_warehouse.load.gate.validate import validation_results_dir

    root, refused = site
    gated = module_warehouse.query(
        "select file_name, extract, status from raw.load_log where status in ('accepted', 'quarantined', 'released')"
    )
    kept = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in validation_results_dir().glob("*.json")}
    assert len(kept) == len(gated) and {k["meta"]["file_name"] for k in kept.values()} == {f for f, _e, _s in gated}
    index = (root / "gx" / "index.html").read_text(encoding="utf-8")
    pages = sorted((root / "gx" / "validations").rglob("*.html"))
    assert len(pages) == len(kept)
    for file_name, extract, _status in gated:
        assert file_name in index and f"expectations/{extract}.html" in index
        assert (root / "gx" / "expectations" / f"{extract}.html").is_file()
    (refused_page,) = [p for p in pages if refused in p.parts]
    assert refused_page.relative_to(root / "gx").parts[:3] == ("validations", "carer_visits", refused)
    # The page GX rendered says the validation failed, on the suite's key rule (by its description).
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", refused_html := refused_page.read_text(encoding="utf-8")))
    suite = json.loads(suite_path("carer_visits").read_text(encoding="utf-8"))
    (key_rule,) = [e["description"] for e in suite["expectations"] if (e.get("meta") or {}).get("rule") == "key_unique"]
    assert "Expectation Suite: carer_visits" in text and "Status: Failed" in text and key_rule in text
    assert f"Run Name {refused}" in text and "<html" in refused_html
    # GX's index lists it as failed, linked to that page.
    link = refused_page.relative_to(root / "gx").as_posix()
    assert re.search(rf"'_table_row_link_path': '{re.escape(link)}', '_validation_success_text': 'Failed'", index)
    listed = (root / "index.html").read_text(encoding="utf-8")
    assert all(file_name in listed for file_name, _e, _s in gated)
    assert '<td class="failed">failed</td>' in listed and listed.count("GX page") == len(kept)
    succeeded = [k for k in kept.values() if k["success"]]
    # Sound deliveries are listed as passing beside the refused one.
    assert succeeded and "'_validation_success_text': 'Success'" in index


def visible_text(dom: str) -> str:
    """The words a rendered page shows: its DOM without scripts, styles and tags."""
    shown = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", shown)))


def test_the_docs_are_served_and_render_in_headless_chromium(site, served, tmp_path):
    root, refused = site
    with urllib.request.urlopen(served) as response:
        index = response.read().decode()
    assert 'href="dbt/index.html"' in index and 'href="gx/index.html"' in index
    with urllib.request.urlopen(served + "dbt/catalog.json") as response:
        assert f"model.qa_warehouse.{SCORECARD}" in json.load(response)["nodes"]

    # dbt's model page, built by its scripts from the manifest and catalog it fetched.
    dbt_page = f"{served}dbt/index.html#!/model/model.qa_warehouse.{SCORECARD}"
    shown = visible_text(rendered_dom(dbt_page, virtual_time_budget_ms=20_000))
    assert f"reporting.{SCORECARD}" in shown and "financial_quarter" in shown and "direction_of_travel" in shown
    # The index lists every validation; the refused one as failed, linked to its GX page.
    shown = visible_text(rendered_dom(served, virtual_time_budget_ms=5_000))
    assert re.search(rf"{re.escape(refused)} carer_visits failed \S+ \S+ UTC GX page", shown)
    (link,) = re.findall(rf'href="(gx/validations/carer_visits/{re.escape(refused)}/[^"]+)"', index)
    # GX's page of that validation (its content is plain HTML: it reads without GX's CDN scripts).
    gx_page = served + link
    shown = visible_text(rendered_dom(gx_page, virtual_time_budget_ms=10_000))
    assert "Expectation Suite: carer_visits" in shown and "Status: Failed" in shown and refused in shown
    shown = visible_text(rendered_dom(served + "gx/index.html", virtual_time_budget_ms=10_000))
    assert "Validation Results" in shown and "Expectation Suites" in shown

    for name, page in (("dbt", dbt_page), ("index", served), ("gx_validation", gx_page)):
        png = screenshot(page, tmp_path / f"{name}.png", virtual_time_budget_ms=15_000)
        assert png.stat().st_size > 0 and colours(png) > 10, f"the {name} screenshot is blank"
    assert (root / "index.html").is_file()


def test_the_airflow_plugins_app_serves_the_built_docs(site):
    from fastapi.testclient import TestClient

    from qa_warehouse.orchestration.plugin import docs_app

    root, refused = site
    client = TestClient(docs_app())  # the state folder's docs/, as the API server mounts it
    assert client.get("/").text == (root / "index.html").read_text(encoding="utf-8")
    assert client.get("/dbt/index.html").status_code == 200
    assert f"model.qa_warehouse.{SCORECARD}" in client.get("/dbt/catalog.json").json()["nodes"]
    assert refused in client.get("/gx/index.html").text
