"""A failing dbt test stops the publish: the reporting tables keep the last good publication."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from qa_warehouse import cli
from qa_warehouse.settings import DBT_PROJECT_DIR
from qa_warehouse_synthetic import generate_fostering_extracts

pytestmark = pytest.mark.integration
SIZE = dict(households=20, years=1, authorities=1, seed=5)


def test_a_failing_dbt_test_stops_the_publish(module_warehouse, tmp_path, monkeypatch):
    first = tmp_path / "first"
    generate_fostering_extracts(first, as_at=dt.date(2025, 2, 28), **SIZE)
    assert cli.main(["run", "--landing", str(first)]) == 0
    published = module_warehouse.query("select * from reporting.fostering_kpi_scorecard order by 1, 2, 3, 6")
    publications = module_warehouse.query("select count(*) from reporting.publication_log")

    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "tests" / "assert_publication_is_blocked_by_a_failing_test.sql").write_text(
        "-- a data test that always finds a bad row\nselect 1 as bad_row\n"
    )
    monkeypatch.setenv("QA_WAREHOUSE_DBT_PROJECT_DIR", str(project))

    newer = tmp_path / "newer"
    generate_fostering_extracts(newer, as_at=dt.date(2025, 3, 31), **SIZE)
    assert cli.main(["run", "--landing", str(newer)]) == cli.EXIT_FAILED
    assert module_warehouse.query("select * from reporting.fostering_kpi_scorecard order by 1, 2, 3, 6") == published
    assert module_warehouse.query("select count(*) from reporting.publication_log") == publications

    monkeypatch.delenv("QA_WAREHOUSE_DBT_PROJECT_DIR")
    assert cli.main(["run", "--landing", str(newer)]) == 0  # ingest found duplicates; build runs again
    assert max(r[2] for r in module_warehouse.query("select * from reporting.fostering_kpi_scorecard")) == dt.date(
        2025, 3, 31
    )
