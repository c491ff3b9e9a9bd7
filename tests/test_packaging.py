"""Installable like a library: the wheel carries everything the warehouse runs from (dbt project,
contracts and their GX suites, DAG files, templates), and `qa-warehouse demo` works from it in a
folder far from any checkout, on this machine's Python.

The wheel is installed without its dependencies into a new virtualenv that sees the project's
virtualenv's packages through a path file, so the test costs a build and a demo, not an install of
Airflow; the checkout's own package is not importable there (the path file adds site-packages as
a plain folder, so the editable install's finder is not loaded).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.reference.project_files import REPO_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Built from a copy: setuptools writes src/qa_warehouse.egg-info beside the sources it builds, and
    # in the checkout that folder is a second qa-warehouse distribution on the editable install's path,
    # so Airflow would load the `airflow.plugins` entry point twice ("Plugin 'qa_warehouse' already
    # registered") in every later run.
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(REPO_ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        cwd=out,
    )
    (built,) = out.glob("qa_warehouse-*.whl")
    return built


def test_the_wheel_carries_the_files_the_package_runs_from(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        "qa_warehouse/build/dbt_project/dbt_project.yml",
        "qa_warehouse/build/dbt_project/profiles.yml",
        "qa_warehouse/build/dbt_project/seeds/measure_targets.csv",
        "qa_warehouse/load/contracts/carer_visits.yml",
        "qa_warehouse/load/contracts/carer_visits.suite.json",
        "qa_warehouse/orchestration/dags/qa_ingest.py",
        "qa_warehouse/reports/templates/performance_on_a_page.html.j2",
        "qa_warehouse_synthetic/__init__.py",
    ]
    assert [name for name in expected if name not in names] == []
    checkout = REPO_ROOT / "src"
    for pattern in ("qa_warehouse/build/dbt_project/models/**/*.sql", "qa_warehouse/load/contracts/*.suite.json"):
        on_disk = {str(p.relative_to(checkout)) for p in checkout.glob(pattern)}
        assert on_disk and on_disk <= names, sorted(on_disk - names)[:5]


def test_the_demo_runs_from_the_installed_wheel_in_any_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "AIRFLOW_HOME", "PYTHONPATH", "QA_WAREHOUSE_DBT_PROJECT_DIR")
    }
    env.update(QA_WAREHOUSE_HOME=str(tmp_path / "home"), GX_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    where = subprocess.run(
        [str(python), "-c", "import qa_warehouse, qa_warehouse.settings as s; print(qa_warehouse.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    ).stdout.strip()
    assert where.startswith(site), f"the package came from {where}, not the installed wheel"

    demo = subprocess.run(
        [str(env_dir / "bin" / "qa-warehouse"), "demo", "--households", "20", "--years", "1", "--area", "fostering"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=1200,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    scorecard = [line.split() for line in demo.stdout.splitlines() if line.startswith("LA ") or "2025-03-31" in line]
    assert scorecard[0][:3] == ["LA", "team", "period"], demo.stdout[:2000]
    assert len(scorecard) > 5, "the demo printed no scorecard rows for the extract date"
    assert "Warehouse:" in demo.stdout
    assert not list(elsewhere.iterdir()), "the demo wrote into the folder it was started from"
