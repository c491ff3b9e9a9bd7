"""Every setting the warehouse reads from the environment, resolved in one place.

Defaults suit one laptop: state (the embedded PostgreSQL, Airflow's metadata, reports) lives
under ~/.qa-warehouse unless QA_WAREHOUSE_HOME says otherwise.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DAGS_DIR = REPO_ROOT / "dags"


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    quarantine_dir: Path
    dbt_project_dir: Path
    pseudonym_salt: str

    @property
    def embedded_pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt" / "target"


def load_settings() -> Settings:
    home = Path(os.environ.get("QA_WAREHOUSE_HOME", Path.home() / ".qa-warehouse")).resolve()
    return Settings(
        home=home,
        landing_dir=Path(os.environ.get("QA_WAREHOUSE_LANDING", home / "landing")).resolve(),
        quarantine_dir=Path(os.environ.get("QA_WAREHOUSE_QUARANTINE", home / "quarantine")).resolve(),
        dbt_project_dir=Path(os.environ.get("QA_WAREHOUSE_DBT_PROJECT_DIR", DBT_PROJECT_DIR)).resolve(),
        pseudonym_salt=os.environ.get("QA_WAREHOUSE_PSEUDONYM_SALT", "qa-warehouse-development-salt"),
    )
