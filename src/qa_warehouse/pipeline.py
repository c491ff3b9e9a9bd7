"""The steps the DAGs run, as plain functions: ingest an extract, check the gates, build, publish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qa_warehouse.build.dbt import run_dbt
from qa_warehouse.load.cin_delivery import gate_cin_deliveries
from qa_warehouse.load.ingest import ingest_extract
from qa_warehouse.load.postcodes import load_postcode_centroids
from qa_warehouse.load.raw_schema import raw_layer_exists
from qa_warehouse.load.ssda903_delivery import gate_ssda903_deliveries
from qa_warehouse.periods import Period
from qa_warehouse.problems import Problem
from qa_warehouse.publish.swap import publish
from qa_warehouse.warehouse import Warehouse, connect, resolve_warehouse


class GateClosed(RuntimeError):
    """A delivery newer than the current data was quarantined: don't build on stale inputs."""

    def __init__(self, open_files: list[tuple[str, str]]):
        self.open_files = open_files
        super().__init__(
            "not building: these deliveries are quarantined and not yet replaced by a corrected file:\n"
            + "\n".join(f"  {name} (report {report})" for name, report in open_files)
        )

    def problems(self) -> list[Problem]:
        return [
            Problem(name, "open_quarantine", f"quarantined and not yet replaced; report {report}")
            for name, report in self.open_files
        ]


class PeriodIncomplete(RuntimeError):
    """A period is due to be published but some current deliveries are as at a date before it ended."""

    def __init__(self, period: Period, behind: list[tuple[str, dt.date]]):
        self.period, self.behind = period, behind
        super().__init__(
            f"not publishing the {period.kind} to {period.last_day}: {len(behind)} current "
            "deliveries are as at an earlier date (deliver them, then clear this task)"
        )

    def problems(self) -> list[Problem]:
        return [
            Problem(
                name, "period_complete", f"as at {as_at}, before the {self.period.kind} ended on {self.period.last_day}"
            )
            for name, as_at in self.behind
        ]


def ingest(extract: str, landing_dir: str | Path) -> dict:
    outcomes = ingest_extract(extract, Path(landing_dir))
    return {
        "extract": extract,
        "accepted": [o.file_name for o in outcomes if o.status == "accepted"],
        "duplicates": [o.file_name for o in outcomes if o.status == "duplicate"],
        "rows": sum(o.rows for o in outcomes),
    }


def gate_dfe_deliveries(warehouse: Warehouse | None = None) -> list[str]:
    """DfE's validators on each delivery of a DfE collection not yet checked (the 903's tables together,
    the CIN census return), and the children they fault held: what each found, per delivery."""
    warehouse = warehouse or resolve_warehouse()
    outcomes = gate_ssda903_deliveries(warehouse) + gate_cin_deliveries(warehouse)
    return [outcome.describe() for outcome in outcomes]


def dfe_checks(since: dt.datetime) -> list[tuple[str, str, dt.date, str, int, int, int, str]]:
    """Each delivery DfE's validators checked since `since`: (collection, authority, extract date, ruleset,
    findings, children held, rows held, report)."""
    with connect() as conn, conn.cursor() as cur:
        if not raw_layer_exists(cur):
            return []
        cur.execute(
            """select collection, la_code, extract_date, ruleset, findings, coalesce(children_held, 0),
                      coalesce(rows_held, 0), coalesce(report_path, '')
               from raw.dfe_validations where validated_at >= %s order by collection, la_code, extract_date""",
            (since,),
        )
        return cur.fetchall()


def load_outcomes(since: dt.datetime) -> list[tuple[str, str, int, int, int, str]]:
    """Each file a run looked at since `since`: (file, status, rows, rows held, rows warned, report)."""
    with connect() as conn, conn.cursor() as cur:
        if not raw_layer_exists(cur):
            return []
        cur.execute(
            """select file_name, status, coalesce(rows_loaded, 0), coalesce(rows_held, 0), coalesce(rows_warned, 0),
                      coalesce(report_path, '')
               from raw.load_log where started_at >= %s order by load_id""",
            (since,),
        )
        return cur.fetchall()


def open_quarantines() -> list[tuple[str, str]]:
    """(file name, report) of quarantined deliveries that no later accepted delivery replaced."""
    with connect() as conn, conn.cursor() as cur:
        if not raw_layer_exists(cur):
            return []
        cur.execute("""
            select q.file_name, coalesce(q.report_path, '') from raw.load_log q
            where q.status = 'quarantined' and not exists (
                select 1 from raw.load_log a
                where a.extract = q.extract and a.la_code = q.la_code and a.status = 'accepted'
                  and a.extract_date >= q.extract_date and a.load_id > q.load_id)
            order by q.file_name""")
        return cur.fetchall()


def release_quarantined(file_name: str) -> list[int]:
    """Let a quarantined file be gated again (after its contract or a seed was corrected): the next
    run re-checks the same bytes instead of refusing them as already quarantined. Returns the load ids."""
    with connect() as conn, conn.cursor() as cur:
        cur.execute(
            "update raw.load_log set status = 'released' where file_name = %s and status = 'quarantined' "
            "returning load_id",
            (file_name,),
        )
        return sorted(load_id for (load_id,) in cur.fetchall())


def check_gates() -> None:
    open_files = open_quarantines()
    if open_files:
        raise GateClosed(open_files)


class NothingDelivered(RuntimeError):
    """No delivery has been accepted yet: a new warehouse has no period to publish."""


def check_period_complete(period: Period) -> None:
    """Every current delivery is as at the period's last day or later, so its figures are final."""
    current = []
    with connect() as conn, conn.cursor() as cur:
        if raw_layer_exists(cur):
            cur.execute("select file_name, extract_date from raw.current_loads order by 1")
            current = cur.fetchall()
    if not current:
        raise NothingDelivered(f"nothing has been delivered yet: no {period.kind} to publish")
    behind = [(name, as_at) for name, as_at in current if as_at < period.last_day]
    if behind:
        raise PeriodIncomplete(period, behind)


def build() -> None:
    warehouse = resolve_warehouse()
    # reference data the models join to, for the postcodes the raw episodes hold (before dbt)
    with connect(warehouse) as conn:
        load_postcode_centroids(conn)
    # Never model a 903 or CIN delivery DfE's validator has not checked (a no-op when the ingest DAG did).
    gate_dfe_deliveries(warehouse)
    run_dbt(["build"], warehouse)


def publish_reporting(period: Period | None = None) -> list[str]:
    return publish(resolve_warehouse(), period)


def period_of(kind: str, data_interval_start: dt.date, data_interval_end: dt.date) -> Period:
    """The period a period-close run publishes: its data interval, [first day, day after the last)."""
    return Period(kind, data_interval_start, data_interval_end - dt.timedelta(days=1))
