"""What `qa-warehouse run`, `demo` and `publish-period` show while they work, on stderr: each extract
file as its load finishes (rows, seconds, outcome), dbt's nodes done of total, the publish, and the
elapsed time of each. Results stay on stdout.

Extract outcomes are read from the load log while the ingest DAG runs (a poller thread: the DAG's
tasks run in this process through dag.test, but the load log is where each file's outcome is
recorded whatever runs the load); dbt's progress comes from qa_warehouse.progress, which the build
reports through dbt's event callbacks.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qa_warehouse import progress
from qa_warehouse.warehouse import Warehouse, connect, resolve_warehouse

POLL_SECONDS = 0.5
DBT_STEPS = 10  # without a terminal, dbt's progress is a line per tenth of its nodes


def finished_loads(
    since: dt.datetime, after_load_id: int = 0, warehouse: Warehouse | None = None
) -> list[tuple[int, str, str, int, int, float]]:
    """Loads since `since` whose outcome is known: (load id, file, status, rows, rows held, seconds)."""
    with connect(warehouse) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('raw.load_log') is not null")
        if not cur.fetchone()[0]:
            return []
        cur.execute(
            """select load_id, file_name, status, coalesce(rows_loaded, 0), coalesce(rows_held, 0),
                      coalesce(extract(epoch from finished_at - started_at), 0)::float
               from raw.load_log
               where started_at >= %s and load_id > %s and status <> 'loading' order by load_id""",
            (since, after_load_id),
        )
        return cur.fetchall()


class RunProgress:
    """Draws progress on stderr (nothing when quiet); each line carries the time since the command began."""

    def __init__(self, *, quiet: bool = False, stream: IO[str] | None = None):
        self.quiet = quiet
        # The stream as the command started: Airflow's task runner may redirect sys.stderr for a task.
        self.console = Console(file=stream or sys.stderr, highlight=False, soft_wrap=True)
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._phase_started = self.started
        self._bar: Progress | None = None
        self._bar_task: Any = None
        self._dbt_step = -1
        self._dbt_started = self.started
        self._dbt_last: dict[str, Any] = {}

    # lines

    def elapsed(self, since: float | None = None) -> float:
        return time.monotonic() - (self.started if since is None else since)

    def line(self, text: str) -> None:
        if self.quiet:
            return
        with self._lock:
            self.console.print(f"[{self.elapsed():6.1f}s] {text}", markup=False)

    def phase(self, text: str) -> None:
        self._phase_started = time.monotonic()
        self.line(text)

    def phase_done(self, text: str) -> None:
        self.line(f"{text} ({self.elapsed(self._phase_started):.1f}s)")

    # extract files, from the load log

    @contextmanager
    def watching_loads(self, since: dt.datetime):
        """Print each file's outcome as its load finishes, until the block ends (then the rest)."""
        seen = {"last": 0}
        stop = threading.Event()
        # Resolved here, once: starting the embedded server from two threads at once would race.
        warehouse = resolve_warehouse() if not self.quiet else None

        def poll() -> None:
            for load_id, name, status, rows, held, seconds in finished_loads(since, seen["last"], warehouse):
                seen["last"] = max(seen["last"], load_id)
                outcome = status if status != "accepted" else ("loaded, rows held back" if held else "loaded")
                self.line(f"  {name}: {rows:,} rows, {seconds:.1f}s, {outcome}")

        def loop() -> None:
            while not stop.wait(POLL_SECONDS):
                try:
                    poll()
                except Exception:  # the warehouse may not exist until the first task migrates it
                    continue

        thread = threading.Thread(target=loop, name="load-progress", daemon=True)
        if not self.quiet:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if not self.quiet:
                thread.join()
                poll()

    # dbt, from qa_warehouse.progress

    @contextmanager
    def listening(self):
        with progress.listening(self._on_event):
            try:
                yield
            finally:
                self._close_bar()

    def _on_event(self, kind: str, fields: dict[str, Any]) -> None:
        if self.quiet:
            return
        if kind == "dbt_started":
            self._dbt_started, self._dbt_step, self._dbt_last = time.monotonic(), -1, {}
            self.line(f"dbt {fields['command']}: started")
            if self.console.is_terminal:
                self._bar = Progress(
                    TextColumn("dbt {task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("nodes"),
                    TimeElapsedColumn(),
                    console=self.console,
                    transient=True,
                )
                self._bar.start()
                self._bar_task = self._bar.add_task(fields["command"], total=None)
        elif kind == "dbt_node":
            self._dbt_last = fields
            done, total = fields["done"], fields["total"]
            if self._bar is not None:
                self._bar.update(self._bar_task, completed=done, total=total)
                return
            step = done * DBT_STEPS // max(total, 1)
            if step > self._dbt_step:
                self._dbt_step = step
                self.line(f"  dbt: {done:,} of {total:,} nodes done ({fields['models']:,} models)")
        elif kind == "dbt_finished":
            self._close_bar()
            last = self._dbt_last
            outcome = "done" if fields["success"] else "FAILED"
            counts = f"{last.get('done', 0):,} nodes, {last.get('models', 0):,} models" if last else "no nodes"
            self.line(f"dbt {fields['command']}: {outcome}, {counts} ({self.elapsed(self._dbt_started):.1f}s)")
            if fields["success"]:
                self.phase("publishing: the atomic swap into reporting, public_reporting and the editions")

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
