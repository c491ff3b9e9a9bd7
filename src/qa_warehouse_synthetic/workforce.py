"""Deterministic synthetic workforce extracts (workforce, team_establishment), coherent with the
fostering register and the quality assurance staff of the same authority.

The social workers are the register's supervising workers (each team's `team_workers`) and the
team managers who lead the case file audits, plus agency workers covering posts and the people
who left during the history. Every authority has, by construction, the cases the workforce
figures must get right: a worker who left and came back (two rows, one per spell), part-time
agency workers, permanent leavers, and a worker holding no cases. Teams are the register's teams,
as dim_team knows them; each team's establishment is a little above its employed FTE, so
vacancy rates are positive and agency workers partly cover the vacancies.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from qa_warehouse_synthetic.files import CellValue, ExtractTable, contract_table
from qa_warehouse_synthetic.fostering import Household, Window

FULL_TIME_SHARES = ((1.0, 70), (0.8, 12), (0.6, 10), (0.5, 8))
PART_TIME_AGENCY_FTE = (0.5, 0.6, 0.8)
CASELOAD = (8, 22)  # cases held by a case-holding social worker


def _service(team: str) -> str:
    return "kinship" if "kinship" in team.lower() else "fostering"


def workforce_tables(seed: int, la_code: str, register: Sequence[Household], window: Window) -> dict[str, ExtractTable]:
    """The two workforce extracts of one authority, coherent with its fostering `register`."""
    from qa_warehouse_synthetic.quality_assurance import _Staff  # the audits' team managers

    rng = random.Random(f"workforce:{seed}:{la_code}")
    # The QA generator draws its staff first from its own seeded stream: the same draw gives the
    # same managers' ids, so the lead auditors and action owners are in the workforce too.
    staff = _Staff(random.Random(f"quality_assurance:{seed}:{la_code}"), register)
    as_at = window.as_at
    teams = sorted({h.team for h in register})
    taken = {int(w[1:]) for h in register for w in h.team_workers}
    taken |= {int(w[1:]) for w in (*staff.managers.values(), *staff.moderators, *staff.officers)}
    free = iter(rng.sample(sorted(set(range(100, 10000)) - taken), 12 * max(len(teams), 1) + 4))

    def new_id() -> str:
        return f"W{next(free):04d}"

    def days_before(low: int, high: int) -> date:
        return as_at - timedelta(days=rng.randint(low, high))

    def fte() -> float:
        return rng.choices([v for v, _ in FULL_TIME_SHARES], [w for _, w in FULL_TIME_SHARES])[0]

    span = (as_at - window.events_from).days
    rows: list[dict[str, CellValue]] = []
    establishment: list[dict[str, CellValue]] = []
    for index, team in enumerate(teams):
        team_rows: list[dict[str, CellValue]] = []
        in_post_fte: list[float] = []  # the team's permanent workers still in post, in row order

        def spell(
            worker_id: str,
            role: str,
            contract: str,
            worker_fte: float,
            start: date,
            leave: date | None = None,
            caseload: int | None = None,
        ) -> None:
            if contract == "permanent" and leave is None:
                in_post_fte.append(worker_fte)
            team_rows.append(
                {
                    "la_code": la_code,
                    "worker_id": worker_id,
                    "team": team,
                    "role": role,
                    "fte": worker_fte,
                    "contract": contract,
                    "start_date": start,
                    "leave_date": leave,
                    "caseload": caseload,
                }
            )

        workers = sorted({w for h in register if h.team == team for w in h.team_workers})
        for number, worker_id in enumerate(workers):
            role = "Senior Social Worker" if number == 0 else "Social Worker"
            spell(worker_id, role, "permanent", fte(), days_before(60, 12 * 365), None, rng.randint(*CASELOAD))
        # The team manager leads the team's audits: in post, holds no cases.
        if team in staff.managers:
            spell(staff.managers[team], "Team Manager", "permanent", 1.0, days_before(400, 10 * 365), None, 0)
        # Agency workers covering vacancies: a part-time one in every team, sometimes a full-time one.
        spell(
            new_id(),
            "Social Worker",
            "agency",
            rng.choice(PART_TIME_AGENCY_FTE),
            days_before(30, 500),
            None,
            rng.randint(*CASELOAD),
        )
        if rng.random() < 0.5:
            spell(new_id(), "Social Worker", "agency", 1.0, days_before(30, 700), None, rng.randint(*CASELOAD))
        # An agency worker whose assignment ended within the history.
        ended = days_before(20, span - 60)
        spell(
            new_id(),
            "Social Worker",
            "agency",
            rng.choice((0.6, 1.0)),
            ended - timedelta(days=rng.randint(60, 400)),
            ended,
            None,
        )
        # Permanent leavers within the history, one leaving on a month end's next day.
        for leaver in range(rng.randint(1, 3)):
            left = days_before(1, span - 1)
            if leaver == 0:
                left = left.replace(day=1)
            spell(
                new_id(),
                "Social Worker",
                "permanent",
                fte(),
                left - timedelta(days=rng.randint(90, 8 * 365)),
                left,
                None,
            )
        # A worker who left and came back (two spells, the second part-time), in the first team.
        if index == 0:
            returner = new_id()
            first_left = days_before(400, min(span - 30, 800))
            spell(
                returner,
                "Social Worker",
                "permanent",
                1.0,
                first_left - timedelta(days=rng.randint(300, 2000)),
                first_left,
                None,
            )
            spell(
                returner,
                "Social Worker",
                "permanent",
                0.6,
                first_left + timedelta(days=rng.randint(60, 200)),
                None,
                rng.randint(*CASELOAD),
            )
        employed = sum(in_post_fte)
        establishment.append(
            {
                "la_code": la_code,
                "team": team,
                "service": _service(team),
                "establishment_fte": round(employed + rng.choice((0.5, 1.0, 1.5, 2.0, 2.6)), 1),
            }
        )
        rows += team_rows

    rows.sort(key=lambda r: (r["worker_id"], r["start_date"]))
    return {
        "team_establishment": contract_table("team_establishment", establishment),
        "workforce": contract_table("workforce", rows),
    }
