"""Deterministic synthetic fostering extracts, shaped like a real service's data.

The figures the warehouse computes from these files feed KPI tests, so the shapes matter: the
share of households in time for each measure lands in a plausible range, a few households are
approved too recently to be due, and each authority exports in its own file format.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from qa_warehouse.periods import add_months
from qa_warehouse_synthetic.files import CellValue, ExtractTable, contract_table


def _outward_codes(area: str, *districts: int) -> tuple[str, ...]:
    return tuple(f"{area}{n}" for n in districts)


# Authority i gets the i-th: real DfE codes, with outward postcodes from the same area.
AUTHORITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "885",
        _outward_codes("WR", *range(1, 16))
        + _outward_codes("DY", 10, 11, 12, 13)
        + _outward_codes("B", 60, 61, 97, 98),
    ),
    (
        "886",
        _outward_codes("CT", *range(1, 22))
        + _outward_codes("TN", *range(8, 31))
        + _outward_codes("ME", 10, 13, 15, 16),
    ),
    ("887", _outward_codes("ME", *range(1, 9))),
    (
        "888",
        _outward_codes("PR", *range(1, 10)) + _outward_codes("LA", *range(1, 7)) + _outward_codes("BB", 4, 5, 7, 9, 11),
    ),
    ("889", _outward_codes("BB", 1, 2, 3)),
    ("890", _outward_codes("FY", 1, 2, 3, 4)),
    ("891", _outward_codes("NG", *range(12, 26))),
    ("892", _outward_codes("NG", *range(1, 12))),
)
LA_CODES = tuple(code for code, _ in AUTHORITIES)

FOSTERING_TEAMS = (
    "Fostering North",
    "Fostering South",
    "Fostering East",
    "Fostering West",
    "Fostering Central",
    "Placement Support, Fostering",
)
# En dashes as typed in a real case management system: non-ASCII, but cp1252 encodes them.
KINSHIP_TEAMS = ("Kinship – North", "Kinship – South", "Connected Persons – Kinship")

STATUS_SHARES = {"approved": 0.76, "on_hold": 0.06, "in_assessment": 0.08, "deregistered": 0.10}
CARER_TYPE_SHARES = {"mainstream": 0.75, "kinship": 0.25}
# Days before as_at that households on the register were approved: a few too recently for
# a support visit to be due (42 days), some within the year, most long-standing.
APPROVAL_AGE_SHARES = {(10, 41): 0.05, (42, 365): 0.12, (366, 12 * 365): 0.83}
DEREGISTRATION_REASONS = {
    "mainstream": (
        "Retirement",
        "Resigned: personal circumstances",
        "Moved out of area",
        "Transferred to an independent fostering agency",
        "Standards of care concerns",
    ),
    "kinship": (
        "Special guardianship order granted",
        "Child returned to parents",
        "Child moved to another placement",
        "Child reached 18",
    ),
}
NOTIFICATION_EVENT_WEIGHTS = {"allegation": 10, "accident": 30, "illness": 25, "missing": 20, "police_involvement": 15}
# Days from event to receipt, 0 to 5: 55% within one day.
RECEIPT_LAG_WEIGHTS = (25, 30, 16, 12, 10, 7)
# Exports are not consistent about the case of codes (the contract says codes are case-insensitive).
CODE_CASE_VARIATION_SHARE = 0.07


@dataclass(frozen=True)
class Window:
    """Events run from 13 months before the history starts, so the first period has a full year behind it."""

    events_from: date
    history_start: date
    as_at: date


@dataclass(frozen=True)
class Household:
    household_id: str
    carer_type: str
    team: str
    team_workers: tuple[str, ...]
    supervising_worker_id: str
    status: str
    approval_date: date | None
    deregistration_date: date | None
    deregistration_reason: str | None
    approved_places: int | None
    postcode_district: str

    def row(self, la_code: str) -> dict[str, CellValue]:
        return {
            "la_code": la_code,
            "household_id": self.household_id,
            "carer_type": self.carer_type,
            "team": self.team,
            "supervising_worker_id": self.supervising_worker_id,
            "status": self.status,
            "approval_date": self.approval_date,
            "deregistration_date": self.deregistration_date,
            "deregistration_reason": self.deregistration_reason,
            "approved_places": self.approved_places,
            "postcode_district": self.postcode_district,
        }


def generate_fostering_extracts(
    out_dir: str | Path,
    *,
    households: int = 60,
    years: int = 2,
    authorities: int = 1,
    seed: int = 1,
    as_at: date = date(2025, 3, 31),
    defects: Iterable[str] = (),
) -> list[Path]:
    """Write one landing file per fostering extract per authority; return their paths, sorted.

    `households` is per authority; events cover `years` years before `as_at` plus the 13 months
    the first period looks back on. The same arguments always write byte-identical files.
    `defects` names entries of DEFECTS, applied to the first authority's files only; a defect of
    another area's extract is refused (generate_extracts writes every area).
    """
    # The package's entry point imports this module, so import it when called.
    from qa_warehouse_synthetic import generate_extracts

    return generate_extracts(
        out_dir,
        households=households,
        years=years,
        authorities=authorities,
        seed=seed,
        as_at=as_at,
        defects=defects,
        areas=("fostering",),
    )


def history_window(as_at: date, years: int) -> Window:
    history_start = add_months(as_at, -12 * years)
    return Window(add_months(history_start, -13), history_start, as_at)


def fostering_authority(
    la_code: str, districts: tuple[str, ...], households: int, seed: int, window: Window
) -> tuple[list[Household], dict[str, ExtractTable]]:
    """One authority's register and its fostering extracts. The register is returned too so that
    other areas (audits of households) can stay coherent with it without touching this random
    stream: the fostering files are the same whichever areas are generated."""
    # Seeding with a string is stable across processes (it is hashed with SHA-512, not hash()).
    rng = random.Random(f"fostering:{seed}:{la_code}")
    register = _households(rng, districts, households, window)
    return register, _authority_tables(rng, la_code, register, window)


def _allocate(rng: random.Random, n: int, shares: dict) -> list:
    """n values in the given shares exactly (largest remainder), shuffled: small samples keep the shape."""
    exact = {value: share * n for value, share in shares.items()}
    counts = {value: int(x) for value, x in exact.items()}
    by_remainder = sorted(shares, key=lambda value: exact[value] - counts[value], reverse=True)
    for value in by_remainder[: n - sum(counts.values())]:
        counts[value] += 1
    values = [value for value, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


def _authority_tables(
    rng: random.Random, la_code: str, register: list[Household], window: Window
) -> dict[str, ExtractTable]:
    visits, reviews, supervisions, notifications = [], [], [], []
    for household in register:
        if household.approval_date is None:
            continue  # still in assessment: nothing to visit, review or supervise yet
        start = max(household.approval_date, window.events_from)
        end = min(household.deregistration_date or window.as_at, window.as_at)
        visits += _visits(rng, household, start, end)
        reviews += _reviews(rng, household, start, end, window.as_at)
        supervisions += _supervisions(rng, household, start, end)
        notifications += _notifications(rng, household, start, end, window.as_at)

    def numbered(prefix: str, width: int, events: list[tuple]) -> list[tuple[str, tuple]]:
        """Ids in date order from a random base, as a source system's sequence would give them."""
        base = rng.randint(10 ** (width - 1), 5 * 10 ** (width - 1))
        in_order = sorted(events, key=lambda event: event[:2])  # (date, household_id); ties keep generation order
        return [(f"{prefix}{base + n:0{width}d}", event) for n, event in enumerate(in_order)]

    return {
        "carer_households": contract_table("carer_households", [h.row(la_code) for h in register]),
        "carer_visits": contract_table(
            "carer_visits",
            [
                {
                    "la_code": la_code,
                    "visit_id": visit_id,
                    "household_id": household_id,
                    "visit_date": day,
                    "visit_type": _as_exported(rng, visit_type),
                    "worker_id": worker_id,
                }
                for visit_id, (day, household_id, visit_type, worker_id) in numbered("V", 7, visits)
            ],
        ),
        "carer_reviews": contract_table(
            "carer_reviews",
            [
                {
                    "la_code": la_code,
                    "review_id": review_id,
                    "household_id": household_id,
                    "review_date": day,
                    "panel_date": panel_date,
                }
                for review_id, (day, household_id, panel_date) in numbered("R", 6, reviews)
            ],
        ),
        "carer_supervisions": contract_table(
            "carer_supervisions",
            [
                {
                    "la_code": la_code,
                    "supervision_id": supervision_id,
                    "household_id": household_id,
                    "supervision_date": day,
                    "supervision_type": _as_exported(rng, supervision_type),
                }
                for supervision_id, (day, household_id, supervision_type) in numbered("S", 7, supervisions)
            ],
        ),
        "carer_training": contract_table("carer_training", _training(rng, la_code, register, window.as_at)),
        "notifications": contract_table(
            "notifications",
            [
                {
                    "la_code": la_code,
                    "notification_id": notification_id,
                    "household_id": household_id,
                    "event_type": event_type,
                    "event_date": day,
                    "received_date": received_date,
                }
                for notification_id, (day, household_id, event_type, received_date) in numbered("N", 6, notifications)
            ],
        ),
    }


def _households(rng: random.Random, districts: tuple[str, ...], count: int, window: Window) -> list[Household]:
    as_at = window.as_at
    kinship_team = rng.choice(KINSHIP_TEAMS)
    fostering_teams = rng.sample(FOSTERING_TEAMS, rng.randint(2, 4))
    worker_numbers = iter(rng.sample(range(100, 10000), 6 * (1 + len(fostering_teams))))
    workers = {
        team: tuple(f"W{next(worker_numbers):04d}" for _ in range(rng.randint(3, 6)))
        for team in (kinship_team, *fostering_teams)
    }

    statuses = _allocate(rng, count, STATUS_SHARES)
    carer_types = _allocate(rng, count, CARER_TYPE_SHARES)
    approval_ages = iter(_allocate(rng, sum(s in ("approved", "on_hold") for s in statuses), APPROVAL_AGE_SHARES))
    first_number = rng.randint(10000, 40000)

    register = []
    for n, (status, carer_type) in enumerate(zip(statuses, carer_types)):
        team = kinship_team if carer_type == "kinship" else rng.choice(fostering_teams)
        approval = deregistration = reason = places = None
        if status in ("approved", "on_hold"):
            approval = as_at - timedelta(days=rng.randint(*next(approval_ages)))
        elif status == "deregistered":
            approval = as_at - timedelta(days=rng.randint(120, 12 * 365))
            earliest = max(approval + timedelta(days=60), window.history_start)
            deregistration = earliest + timedelta(days=rng.randint(0, (as_at - earliest).days - 1))
            reason = rng.choice(DEREGISTRATION_REASONS[carer_type])
        if approval is not None:
            # Kinship carers are usually approved for the specific child or siblings.
            places = rng.choice((1, 1, 2)) if carer_type == "kinship" else rng.choice((1, 2, 2, 3, 3, 4))
        register.append(
            Household(
                household_id=f"H{first_number + n:05d}",
                carer_type=carer_type,
                team=team,
                team_workers=workers[team],
                supervising_worker_id=rng.choice(workers[team]),
                status=status,
                approval_date=approval,
                deregistration_date=deregistration,
                deregistration_reason=reason,
                approved_places=places,
                postcode_district=rng.choice(districts),
            )
        )
    return register


def _recurring(rng: random.Random, household: Household, start: date, end: date, gap: Callable[[], int]) -> list[date]:
    """Dates `gap()` days apart: the first one gap after approval, or at a random phase when the
    household was approved before the window opens."""
    first = gap() if start == household.approval_date else rng.randint(0, gap())
    dates = []
    day = start + timedelta(days=first)
    while day <= end:
        dates.append(day)
        day += timedelta(days=gap())
    return dates


def _approval_date(household: Household) -> date:
    """When an approved household was approved (those still in assessment have nothing to visit or review)."""
    if household.approval_date is None:
        raise ValueError(f"household {household.household_id} is not approved")
    return household.approval_date


def _visits(rng: random.Random, household: Household, start: date, end: date) -> list[tuple]:
    # Support visits every 4-6 weeks, with some gaps running past 42 days; on-hold households
    # (no child placed) are visited less often.
    overrun_share = 0.5 if household.status == "on_hold" else 0.12
    support = _recurring(
        rng, household, start, end, lambda: rng.randint(43, 90) if rng.random() < overrun_share else rng.randint(24, 42)
    )

    # Unannounced: one in each year after approval, some years missed.
    unannounced = []
    approved = _approval_date(household)
    years_on = max(0, start.year - approved.year - 1)
    while (year_start := add_months(approved, 12 * years_on)) <= end:
        year_days = (add_months(approved, 12 * (years_on + 1)) - year_start).days
        day = year_start + timedelta(days=rng.randrange(year_days))
        if rng.random() < 0.85 and start <= day <= end:
            unannounced.append(day)
        years_on += 1

    # Keeping-in-touch calls are sporadic: frequent for some households, rare for most.
    mean_call_gap = 60 if rng.random() < 0.4 else 300
    kit_calls = _recurring(rng, household, start, end, lambda: 1 + int(rng.expovariate(1 / mean_call_gap)))

    def by_whom(usual: float) -> str | None:
        """The supervising worker, mostly; otherwise a colleague covering, or not recorded."""
        draw = rng.random()
        if draw < usual:
            return household.supervising_worker_id
        return rng.choice(household.team_workers) if draw < 0.96 else None

    hid = household.household_id
    return (
        [(day, hid, "support", by_whom(0.85)) for day in support]
        + [(day, hid, "unannounced", by_whom(0.2)) for day in unannounced]
        + [(day, hid, "kit_call", by_whom(0.9)) for day in kit_calls]
    )


def _reviews(rng: random.Random, household: Household, start: date, end: date, as_at: date) -> list[tuple]:
    """Annual reviews chained from approval (a quarter of them late, 13-16 months on); some go to panel."""
    reviews: list[tuple] = []
    day = _approval_date(household)
    while True:
        day += timedelta(days=rng.randint(396, 487) if rng.random() < 0.25 else rng.randint(300, 365))
        if day > end:
            return reviews
        panel_date = day + timedelta(days=rng.randint(7, 56)) if rng.random() < 0.4 else None
        if day >= start:
            # A panel still to come is not in the extract.
            reviews.append((day, household.household_id, panel_date if panel_date and panel_date <= as_at else None))


def _supervisions(rng: random.Random, household: Household, start: date, end: date) -> list[tuple]:
    # Formal supervision is meant every 6-12 weeks but often slips (about 65% in time at any date);
    # management oversight every 4-10 weeks, rarely slipping.
    formal = _recurring(
        rng, household, start, end, lambda: rng.randint(91, 240) if rng.random() < 0.4 else rng.randint(42, 84)
    )
    management = _recurring(
        rng, household, start, end, lambda: rng.randint(85, 150) if rng.random() < 0.1 else rng.randint(28, 70)
    )
    hid = household.household_id
    return [(day, hid, "formal") for day in formal] + [(day, hid, "management") for day in management]


def _notifications(rng: random.Random, household: Household, start: date, end: date, as_at: date) -> list[tuple]:
    mean_gap = rng.uniform(90, 240)
    notifications = []
    day = start + timedelta(days=int(rng.expovariate(1 / mean_gap)))
    while day <= end:
        arrives = day + timedelta(days=rng.choices(range(len(RECEIPT_LAG_WEIGHTS)), RECEIPT_LAG_WEIGHTS)[0])
        # Not yet received, or received but not yet logged, for the most recent events.
        not_logged = arrives > as_at or ((as_at - day).days < 14 and rng.random() < 0.3)
        received = None if not_logged else arrives
        event_type = rng.choices(tuple(NOTIFICATION_EVENT_WEIGHTS), tuple(NOTIFICATION_EVENT_WEIGHTS.values()))[0]
        notifications.append((day, household.household_id, event_type, received))
        day += timedelta(days=1 + int(rng.expovariate(1 / mean_gap)))
    return notifications


def _training(rng: random.Random, la_code: str, register: list[Household], as_at: date) -> list[dict[str, CellValue]]:
    """One or two carers per approved household, each with TSD due 12 months after approval
    (18 for kinship; sometimes left blank for the warehouse to derive) and, for most, completed."""
    rows: list[dict[str, CellValue]] = []
    carer_number = rng.randint(100, 5000)
    for household in register:
        if household.approval_date is None:
            continue
        due_months = 18 if household.carer_type == "kinship" else 12
        due_date = add_months(household.approval_date, due_months)
        last_possible = min(household.deregistration_date or as_at, as_at)
        for _ in range(1 if rng.random() < 0.4 else 2):
            done = household.approval_date + timedelta(days=rng.randint(60, due_months * 30 + 90))
            completed = None if rng.random() >= 0.85 or done > last_possible else done
            rows.append(
                {
                    "la_code": la_code,
                    "carer_id": f"C{carer_number:06d}",
                    "household_id": household.household_id,
                    "tsd_due_date": None if rng.random() < 0.2 else due_date,
                    "tsd_completed_date": completed,
                }
            )
            carer_number += 1
    return rows


def _as_exported(rng: random.Random, code: str) -> str:
    if rng.random() >= CODE_CASE_VARIATION_SHARE:
        return code
    return code.upper() if rng.random() < 0.5 else code.title()
