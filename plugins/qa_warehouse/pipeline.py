"""The steps the DAGs run, as plain functions: ingest an extract, check the gates, build, publish."""
from __future__ import annotations

from pathlib import Path

from qa_warehouse.ingest import ingest_extract
from qa_warehouse.publish import publish
from qa_warehouse.transform import run_dbt
from qa_warehouse.warehouse import connect, resolve_warehouse


class GateClosed(RuntimeError):
    """A delivery newer than the current data was quarantined: don't build on stale inputs."""


def ingest(extract: str, landing_dir: str | Path) -> dict:
    outcomes = ingest_extract(extract, Path(landing_dir))
    return {
        "extract": extract,
        "accepted": [o.file_name for o in outcomes if o.status == "accepted"],
        "duplicates": [o.file_name for o in outcomes if o.status == "duplicate"],
        "rows": sum(o.rows for o in outcomes),
    }


def open_quarantines() -> list[tuple[str, str]]:
    """(file name, report) of quarantined deliveries that no later accepted delivery replaced."""
    with connect() as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('raw.load_log')")
        if cur.fetchone()[0] is None:
            return []
        cur.execute("""
            select q.file_name, coalesce(q.report_path, '') from raw.load_log q
            where q.status = 'quarantined' and not exists (
                select 1 from raw.load_log a
                where a.extract = q.extract and a.la_code = q.la_code and a.status = 'accepted'
                  and a.extract_date >= q.extract_date and a.load_id > q.load_id)
            order by q.file_name""")
        return cur.fetchall()


def check_gates() -> None:
    open_files = open_quarantines()
    if open_files:
        raise GateClosed(
            "not building: these deliveries are quarantined and not yet replaced by a corrected file:\n"
            + "\n".join(f"  {name} (report {report})" for name, report in open_files)
        )


def build() -> None:
    run_dbt(["build"], resolve_warehouse())


def publish_reporting() -> list[str]:
    return publish(resolve_warehouse())


def asset_uri(schema: str, table: str) -> str:
    """A stable Asset URI for a warehouse table (Airflow wants host, port, database/schema/table)."""
    return f"postgres://qa-warehouse:5432/warehouse/{schema}/{table}"
