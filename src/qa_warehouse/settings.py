"""Every setting the warehouse reads from the environment, resolved in one place.

Defaults suit one laptop: state (the embedded PostgreSQL, Airflow's metadata, reports) lives
under ~/.qa-warehouse unless QA_WAREHOUSE_HOME says otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Everything the package runs from ships inside it, so an installed wheel works like a checkout.
PACKAGE_DIR = Path(__file__).resolve().parent
DBT_PROJECT_DIR = PACKAGE_DIR / "build" / "dbt_project"
DAGS_DIR = PACKAGE_DIR / "orchestration" / "dags"


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    quarantine_dir: Path
    dbt_project_dir: Path
    pseudonym_salt: str
    landing_poll_seconds: float  # how often the landing watcher looks for new files
    retry_delay_seconds: float  # first retry delay of a task that failed for a reason a retry can fix
    close_working_days: dict[str, int]  # period kind -> working days after its end before publishing it
    alert_email_to: tuple[str, ...]  # recipients of failure alerts (the SMTP server is Airflow's smtp_default)
    alert_webhook_url: str | None  # where failure alerts are POSTed as JSON (a Slack/Teams incoming webhook)
    freshness_grace_days: int  # days an extract may be late beyond its contract's expected_every_days
    outbox_dir: Path  # where each period close's reports are delivered (qa_warehouse.reports.outbox)

    @property
    def embedded_pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def docs_dir(self) -> Path:
        """`qa-warehouse docs` builds dbt's docs and GX's Data Docs here; `serve` serves it too."""
        return self.home / "docs"


def load_settings() -> Settings:
    home = Path(os.environ.get("QA_WAREHOUSE_HOME", Path.home() / ".qa-warehouse")).resolve()
    return Settings(
        home=home,
        landing_dir=Path(os.environ.get("QA_WAREHOUSE_LANDING", home / "landing")).resolve(),
        quarantine_dir=Path(os.environ.get("QA_WAREHOUSE_QUARANTINE", home / "quarantine")).resolve(),
        dbt_project_dir=Path(os.environ.get("QA_WAREHOUSE_DBT_PROJECT_DIR", DBT_PROJECT_DIR)).resolve(),
        pseudonym_salt=os.environ.get("QA_WAREHOUSE_PSEUDONYM_SALT", "qa-warehouse-development-salt"),
        landing_poll_seconds=float(os.environ.get("QA_WAREHOUSE_LANDING_POLL_SECONDS", "60")),
        retry_delay_seconds=float(os.environ.get("QA_WAREHOUSE_RETRY_DELAY_SECONDS", "60")),
        # Late data: a period is published some working days after it ends, once its deliveries are in.
        close_working_days={
            "month": int(os.environ.get("QA_WAREHOUSE_MONTH_CLOSE_WORKING_DAYS", "3")),
            "quarter": int(os.environ.get("QA_WAREHOUSE_QUARTER_CLOSE_WORKING_DAYS", "10")),
            "financial_year": int(os.environ.get("QA_WAREHOUSE_YEAR_CLOSE_WORKING_DAYS", "20")),
        },
        alert_email_to=tuple(
            a.strip() for a in os.environ.get("QA_WAREHOUSE_ALERT_EMAIL_TO", "").split(",") if a.strip()
        ),
        alert_webhook_url=os.environ.get("QA_WAREHOUSE_ALERT_WEBHOOK_URL") or None,
        freshness_grace_days=int(os.environ.get("QA_WAREHOUSE_FRESHNESS_GRACE_DAYS", "2")),
        outbox_dir=Path(os.environ.get("QA_WAREHOUSE_OUTBOX", home / "outbox")).resolve(),
    )
