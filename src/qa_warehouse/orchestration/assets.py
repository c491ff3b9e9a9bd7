"""The Airflow Assets the DAGs schedule on and emit, named in one place.

landing ──(watcher)──► qa_ingest ──► raw.<extract> (one per extract, for lineage)
                                 └─► raw.delivery (once per run that accepted something) ──► qa_build_and_publish
qa_build_and_publish and the period closes ──► reporting ──► qa_deliver_reports
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetWatcher

from qa_warehouse.orchestration.landing_trigger import LandingFolderTrigger
from qa_warehouse.settings import load_settings


def table_uri(schema: str, table: str) -> str:
    """A stable Asset URI for a warehouse table (Airflow wants host, port, database/schema/table)."""
    return f"postgres://qa-warehouse:5432/warehouse/{schema}/{table}"


def raw_table(extract: str) -> Asset:
    return Asset(name=f"raw.{extract}", uri=table_uri("raw", extract))


def landing_folder() -> Asset:
    """The landing folder, watched in the triggerer: new settled extract files schedule qa_ingest."""
    settings = load_settings()
    trigger = LandingFolderTrigger(directory=str(settings.landing_dir), poll_seconds=settings.landing_poll_seconds)
    return Asset(
        name="landing",
        uri=f"file://{settings.landing_dir}",
        watchers=[AssetWatcher(name="landing_files", trigger=trigger)],
    )


# Emitted once by an ingest run that accepted at least one new file: one build per delivery,
# after all of its extracts are in (not one per extract, part-way through a delivery).
DELIVERY = Asset(name="raw.delivery", uri=table_uri("raw", "load_log"))
REPORTING = Asset(name="reporting", uri=table_uri("reporting", "publication_log"))
