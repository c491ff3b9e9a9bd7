"""Has every expected extract arrived? The check behind the freshness alert.

An extract is expected of an authority once the authority has delivered it (a fostering agency
that never sends complaints is not chased for them). It is late when its newest delivery, of any
outcome (a quarantined file has arrived, and alerts on its own), is as at more than the contract's
`expected_every_days` plus QA_WAREHOUSE_FRESHNESS_GRACE_DAYS before today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qa_warehouse.load.contracts import all_contracts
from qa_warehouse.load.raw_schema import raw_layer_exists
from qa_warehouse.problems import Problem
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import connect


@dataclass(frozen=True)
class LateExtract:
    extract: str
    la_code: str
    latest_extract_date: dt.date
    expected_every_days: int
    days_old: int

    def problem(self) -> Problem:
        return Problem(
            f"{all_contracts()[self.extract].file_name_stem}_{self.la_code}_<yyyymmdd>",
            "freshness",
            f"the newest delivery is as at {self.latest_extract_date:%Y-%m-%d}, {self.days_old} days ago; "
            f"one is expected every {self.expected_every_days} day(s)",
        )


class ExtractsLate(Exception):
    def __init__(self, late: list[LateExtract]):
        self.late = late
        super().__init__(
            f"{len(late)} extract(s) have not arrived on time:\n"
            + "\n".join(f"  {p.file}: {p.detail}" for p in self.problems())
        )

    def problems(self) -> list[Problem]:
        return [extract.problem() for extract in self.late]


def late_extracts(today: dt.date, grace_days: int | None = None) -> list[LateExtract]:
    grace = load_settings().freshness_grace_days if grace_days is None else grace_days
    contracts = all_contracts()
    with connect() as conn, conn.cursor() as cur:
        if not raw_layer_exists(cur):
            return []
        cur.execute("select extract, la_code, max(extract_date) from raw.load_log group by 1, 2 order by 2, 1")
        latest = cur.fetchall()
    late = []
    for extract, la_code, newest in latest:
        if extract not in contracts:  # a retired extract is expected no more
            continue
        every = contracts[extract].expected_every_days
        age = (today - newest).days
        if age > every + grace:
            late.append(LateExtract(extract, la_code, newest, every, age))
    return late


def check_freshness(today: dt.date | None = None) -> None:
    late = late_extracts(today or dt.date.today())
    if late:
        raise ExtractsLate(late)
