"""Watch the landing folder: the event that schedules `qa_ingest` when extract files arrive.

An Airflow AssetWatcher runs this trigger in the triggerer. It fires when a file whose name a
contract recognises appears or changes and has stopped changing for one poll (a file still being
copied in is not taken half-written). After a triggerer restart it fires once for the files already
there: ingest is idempotent (the same bytes are a duplicate that changes nothing), so that costs a
hash per file and nothing else.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from qa_warehouse.load.ingest.loader import landing_files

Signature = tuple[int, int]  # size in bytes, modification time in ns


def landing_snapshot(directory: Path) -> dict[str, Signature]:
    """The recognised extract files in the folder now, by name (a missing folder holds none)."""
    if not directory.is_dir():
        return {}
    snapshot = {}
    for landing in landing_files(directory):
        stat = landing.path.stat()
        snapshot[landing.path.name] = (stat.st_size, stat.st_mtime_ns)
    return snapshot


def settled_new_files(
    previous: dict[str, Signature], current: dict[str, Signature], announced: dict[str, Signature]
) -> list[str]:
    """Files unchanged since the last look (so their copy has finished) and not yet announced as they are."""
    return sorted(
        name
        for name, signature in current.items()
        if previous.get(name) == signature and announced.get(name) != signature
    )


class LandingFolderTrigger(BaseEventTrigger):
    """Fires a TriggerEvent listing the new extract files each time some have settled in `directory`."""

    def __init__(self, directory: str, poll_seconds: float = 60.0):
        super().__init__()
        self.directory = directory
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{__name__}.{type(self).__qualname__}", {"directory": self.directory, "poll_seconds": self.poll_seconds}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        directory = Path(self.directory)
        previous: dict[str, Signature] = {}
        announced: dict[str, Signature] = {}
        while True:
            current = await asyncio.to_thread(landing_snapshot, directory)
            new_files = settled_new_files(previous, current, announced)
            previous = current
            if new_files:
                announced.update({name: current[name] for name in new_files})
                self.log.info("%d new extract file(s) in %s: %s", len(new_files), directory, ", ".join(new_files))
                yield TriggerEvent({"directory": self.directory, "files": new_files})
            await asyncio.sleep(self.poll_seconds)
