"""Reports delivered: two authorities delivered for real, financial year 2024/25 published as a
period close (`qa-warehouse publish-period`, what qa_close_financial_year runs), then the delivery
DAG run for real (dag.test). The outbox holds each authority's Performance on a Page (HTML whose
figures are the edition's, and a one-page PDF) and self-evaluation export (XLSX and CSV, from that
edition); the owners get one e-mail and one webhook post listing the files (a local SMTP server and
webhook receiver); a second run delivers nothing and tells nobody. Without WeasyPrint, or when a
render fails half-way, nothing is delivered, recorded or left in the outbox."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pendulum
import pytest

from qa_warehouse import cli
from qa_warehouse.orchestration.runner import run_dag
from qa_warehouse.reports import outbox as outbox_module
from qa_warehouse.reports import page as page_module
from qa_warehouse_synthetic import generate_extracts
from tests.test_alerts import Receivers, email_text
from tests.test_performance_page import PageReader, inflate, whole

pytestmark = pytest.mark.integration
AS_AT = dt.date(2025, 3, 31)
# Fostering (monthly measures, on the page) and quality assurance (quarterly, in the year's export):
# enough for both reports, and a short build.
SIZE = dict(households=24, years=2, authorities=2, seed=19, areas=("fostering", "quality_assurance"))
YEAR_FIRST, YEAR_LAST = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
DELIVERY_DAG = "qa_deliver_reports"


@pytest.fixture(scope="module")
def outbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("outbox")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QA_WAREHOUSE_OUTBOX", str(folder))
        yield folder


@pytest.fixture(scope="module")
def year_published(module_warehouse, outbox, tmp_path_factory):
    """The deliveries ingested by qa_ingest, then the financial year built and published as its close does."""
    landing = tmp_path_factory.mktemp("landing")
    generate_extracts(landing, as_at=AS_AT, **SIZE)
    assert run_dag("qa_ingest", {"landing_dir": str(landing)}).succeeded
    assert (
        cli.main(["publish-period", "--kind", "financial_year", "--first", str(YEAR_FIRST), "--last", str(YEAR_LAST)])
        == 0
    )
    ((edition_id,),) = module_warehouse.query("select edition_id from reporting.editions")
    return module_warehouse, edition_id


@pytest.fixture(scope="module")
def receivers():
    started = Receivers()
    yield started
    started.stop()


@pytest.fixture
def notified(receivers, monkeypatch):
    for key, value in receivers.environment.items():
        monkeypatch.setenv(key, value)
    receivers.clear()
    return receivers


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def deliveries(warehouse) -> list[tuple]:
    return warehouse.query("select edition_id, status, folder, files from reporting.report_deliveries order by 1")


def edition_figures(warehouse, edition_id: int, la_code: str, period_kind: str) -> dict[str, dict[str, Decimal]]:
    """measure_code -> figure -> value of the edition's measure_values authority totals."""
    figures: dict[str, dict[str, Decimal]] = {}
    for measure, figure, value in warehouse.query(
        """select grain->>'measure_code', figure, value from reporting.edition_figures
           where edition_id = %s and table_name = 'measure_values' and grain->>'la_code' = %s
             and grain->>'breakdown' = 'All' and grain->>'period_kind' = %s and period_end = %s""",
        (edition_id, la_code, period_kind, YEAR_LAST),
    ):
        figures.setdefault(measure, {})[figure] = value
    return figures


def pdf_pages(data: bytes) -> int:
    # WeasyPrint compresses its objects: count the page objects in the plain and inflated parts.
    parts = [data] + [
        inflated for start in re.finditer(rb"\bstream\r?\n", data) if (inflated := inflate(data[start.end() :]))
    ]
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", part)) for part in parts)


def test_without_pdf_rendering_nothing_is_delivered(year_published, outbox, monkeypatch):
    warehouse, _ = year_published
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` raises ImportError
    with pytest.raises(outbox_module.PdfRenderingUnavailable, match="WeasyPrint"):
        outbox_module.deliver_new_editions()
    assert files_in(outbox) == [] and deliveries(warehouse) == []


def test_a_render_that_fails_half_way_leaves_no_half_edition(year_published, outbox, monkeypatch):
    warehouse, _ = year_published
    written = []
    real_write_pdf = page_module.write_pdf

    def fails_on_the_second_authority(html, path):
        if written:
            raise RuntimeError("the renderer died")
        written.append(path)
        return real_write_pdf(html, path)

    monkeypatch.setattr(page_module, "write_pdf", fails_on_the_second_authority)
    with pytest.raises(RuntimeError, match="the renderer died"):
        outbox_module.deliver_new_editions()
    assert written, "the first authority's files were rendered before the failure"
    assert files_in(outbox) == [] and deliveries(warehouse) == []


def test_the_years_reports_are_delivered_and_the_owners_told(year_published, outbox, notified):
    warehouse, edition_id = year_published
    authorities = [la for (la,) in warehouse.query("select distinct la_code from reporting.measure_values order by 1")]
    assert len(authorities) == 2

    run = run_dag(DELIVERY_DAG)
    assert run.succeeded, run.failed_tasks

    folder = outbox / "financial_year" / "2024-25" / f"edition-{edition_id}"
    expected = [
        name
        for la in authorities
        for name in (
            f"performance-on-a-page-{la}-{YEAR_LAST}.html",
            f"performance-on-a-page-{la}-{YEAR_LAST}.pdf",
            f"self_evaluation_2024-25_{la}.xlsx",
            f"self_evaluation_2024-25_{la}.csv",
        )
    ]
    assert files_in(outbox) == sorted(folder / name for name in [*expected, "manifest.json"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition_id"] == edition_id and manifest["files"] == expected
    assert deliveries(warehouse) == [
        (edition_id, "delivered", f"financial_year/2024-25/edition-{edition_id}", expected)
    ]

    percentages = {
        m for (m,) in warehouse.query("select measure_code from reporting.report_measures where unit = 'percentage'")
    }
    checked = 0
    for la in authorities:
        # The page shows the edition's figures at 31 March 2025 (the year's last month end).
        page = PageReader((folder / f"performance-on-a-page-{la}-{YEAR_LAST}.html").read_text(encoding="utf-8"))
        assert page.header["la_code"] == la and "31 March 2025" in page.header["period"]
        for measure, figures in edition_figures(warehouse, edition_id, la, "month").items():
            if figures.get("value") is None or measure not in percentages:
                continue
            shown = page.measures[measure]
            assert shown["figure"] == f"{whole(figures['value'])}%", (la, measure)
            assert shown["counts"] == f"{figures['numerator']:.0f} of {figures['denominator']:.0f}", (la, measure)
            checked += 1
        pdf = (folder / f"performance-on-a-page-{la}-{YEAR_LAST}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) == 1

        # The export is the edition's: its id on every row, its financial-year figures.
        year_figures = edition_figures(warehouse, edition_id, la, "financial_year")
        with open(folder / f"self_evaluation_2024-25_{la}.csv", encoding="utf-8", newline="") as f:
            rows = [row for row in csv.DictReader(f) if row["financial_year"] == "2024/25"]
        assert rows and {row["la_code"] for row in rows} == {la}
        assert {row["edition_id"] for row in rows} == {str(edition_id)}
        compared = [row for row in rows if row["value"] and year_figures.get(row["measure_code"], {}).get("value")]
        assert len(compared) >= 2
        for row in compared:
            assert Decimal(row["value"]) == year_figures[row["measure_code"]]["value"], row["measure_code"]
        workbook = openpyxl.load_workbook(folder / f"self_evaluation_2024-25_{la}.xlsx")
        assert "Notes" in workbook.sheetnames
    assert checked >= 4, "the edition has fostering figures on both authorities' pages"

    # One message by each channel, naming every file and the folder; no figures in it.
    (mail,) = notified.emails
    assert mail["Subject"] == "qa-warehouse: reports delivered: financial year 2024-25"
    assert mail["To"] == "fostering-data@council.example, on-call@council.example"
    body = email_text(mail)
    assert f"edition {edition_id}: financial_year/2024-25/edition-{edition_id}/" in body
    assert all(f"- {name}" in body for name in expected), body
    (post,) = notified.posts
    (delivered,) = post["deliveries"]
    assert delivered["edition_id"] == edition_id and delivered["files"] == expected
    assert post["text"].startswith(post["subject"]) and post["outbox"] == str(outbox)


def test_a_second_run_delivers_nothing_and_tells_nobody(year_published, outbox, notified):
    warehouse, _ = year_published
    before = {path: path.stat().st_mtime_ns for path in files_in(outbox)}
    assert before, "the previous test delivered the year"
    recorded = deliveries(warehouse)

    run = run_dag(DELIVERY_DAG)
    assert run.succeeded, run.failed_tasks
    assert {path: path.stat().st_mtime_ns for path in files_in(outbox)} == before
    assert deliveries(warehouse) == recorded
    assert notified.emails == [] and notified.posts == []


def test_a_month_close_and_a_year_published_twice_deliver_the_month_and_the_latest_year(
    year_published, outbox, notified
):
    """The month closed by its DAG is delivered as pages only; of two new editions of the year, the
    older is recorded superseded (not rendered) and the newer delivered beside the first one."""
    warehouse, first_year_edition = year_published
    close = run_dag("qa_close_month", logical_date=pendulum.datetime(2025, 4, 4, 6, tz="UTC"))  # March 2025
    assert close.succeeded, close.failed_tasks
    for _ in range(2):
        assert (
            cli.main(
                ["publish-period", "--kind", "financial_year", "--first", str(YEAR_FIRST), "--last", str(YEAR_LAST)]
            )
            == 0
        )
    month_edition, superseded, latest = [
        edition
        for (edition,) in warehouse.query(
            "select edition_id from reporting.editions where edition_id > %s order by 1", (first_year_edition,)
        )
    ]

    run = run_dag(DELIVERY_DAG)
    assert run.succeeded, run.failed_tasks

    month_folder = outbox / "month" / "2025-03" / f"edition-{month_edition}"
    authorities = [la for (la,) in warehouse.query("select distinct la_code from reporting.measure_values order by 1")]
    assert sorted(p.name for p in month_folder.iterdir()) == sorted(
        ["manifest.json"]
        + [f"performance-on-a-page-{la}-{YEAR_LAST}.{suffix}" for la in authorities for suffix in ("html", "pdf")]
    )
    year_folders = sorted(p.name for p in (outbox / "financial_year" / "2024-25").iterdir())
    assert year_folders == sorted([f"edition-{first_year_edition}", f"edition-{latest}"])  # no temporary folder left
    recorded = {edition: (status, note) for edition, status, _folder, _files, note in deliveries_with_notes(warehouse)}
    assert recorded[month_edition][0] == "delivered" and recorded[latest][0] == "delivered"
    assert recorded[superseded] == (
        "superseded",
        f"superseded by edition {latest} of the same period, which is delivered instead",
    )

    (mail,) = notified.emails
    assert mail["Subject"] == "qa-warehouse: reports delivered: month 2025-03, financial year 2024-25"
    body = email_text(mail)
    assert f"edition {superseded}: not delivered" in body and f"month/2025-03/edition-{month_edition}/" in body
    (post,) = notified.posts
    assert [(d["edition_id"], d["status"]) for d in post["deliveries"]] == [
        (month_edition, "delivered"),
        (superseded, "superseded"),
        (latest, "delivered"),
    ]


def deliveries_with_notes(warehouse) -> list[tuple]:
    return warehouse.query("select edition_id, status, folder, files, note from reporting.report_deliveries order by 1")


@pytest.mark.parametrize(
    "kind, first, last, folder",
    [
        ("month", dt.date(2025, 3, 1), dt.date(2025, 3, 31), "month/2025-03/edition-7"),
        ("quarter", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "quarter/2024-25-Q4/edition-7"),
        ("quarter", dt.date(2024, 4, 1), dt.date(2024, 6, 30), "quarter/2024-25-Q1/edition-7"),
        ("quarter", dt.date(2024, 10, 1), dt.date(2024, 12, 31), "quarter/2024-25-Q3/edition-7"),
        ("financial_year", dt.date(2024, 4, 1), dt.date(2025, 3, 31), "financial_year/2024-25/edition-7"),
    ],
)
def test_an_editions_folder_names_its_period_as_people_do(kind, first, last, folder):
    edition = outbox_module.EditionToDeliver(7, kind, first, last, dt.datetime(2025, 4, 4, tzinfo=dt.UTC), 3)
    assert edition.folder == folder
