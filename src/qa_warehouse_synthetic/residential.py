"""Deterministic synthetic residential extracts (childrens_homes, reg44_visits).

`authority_homes` is the one list of an authority's children's homes: the childrens_homes
extract is written from it, and the children-in-care generator places residential (K2) 903
episodes in these homes by URN, so both must call it with the same arguments. Every authority
has, by construction, the homes the residential figures must get right: long-standing internal
and external homes with inspections and judgements, a home registered recently (not yet
inspected), homes applied for and not yet registered (the delays in opening new homes the seed
document reports), a home that closed in the middle of a quarter, and an external home
operating unregistered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from qa_warehouse.periods import add_months
from qa_warehouse_synthetic.files import CellValue, ExtractTable, contract_table
from qa_warehouse_synthetic.fostering import Window

JUDGEMENT_WEIGHTS = {"outstanding": 15, "good": 55, "requires_improvement": 25, "inadequate": 5}
INTERNAL_PLACES = (2, 5)
EXTERNAL_PLACES = (3, 8)
HOME_NAME_WORDS = (
    "Oak",
    "Willow",
    "Beech",
    "Rowan",
    "Maple",
    "Cedar",
    "Hazel",
    "Elm",
    "Ash",
    "Birch",
    "Holly",
    "Larch",
    "Alder",
    "Linden",
    "Aspen",
    "Juniper",
)
HOME_NAME_ENDINGS = ("House", "Lodge", "View", "Cottage", "Court")
# Share of months in which a home's regulation 44 report reaches the authority: its own homes
# nearly always (a month is sometimes missed), external homes' reports on request, less often.
REG44_MONTH_SHARE = {"internal": 0.9, "external": 0.6}
RECOMMENDATION_WEIGHTS = (45, 30, 15, 7, 3)  # 0 to 4 recommendations in a visit's report


@dataclass(frozen=True)
class Home:
    """One children's home as the authority's extract states it at `as_at`.

    `urn` is the Ofsted URN (the extract's home_id and the 903 episodes' URN); `provision` is
    'internal' or 'external'; `registration_status` is the status at as_at. A home is open (can
    hold children) from `registration_date` until the day before `closure_date`; `is_open`
    says so for a day. Dates are None where they do not apply."""

    urn: str
    name: str
    provision: str
    registration_status: str
    registered_places: int | None
    occupied_places: int | None
    application_date: date | None
    registration_date: date | None
    closure_date: date | None
    last_inspection_date: date | None
    inspection_judgement: str | None

    @property
    def home_id(self) -> str:
        return self.urn

    def is_open(self, day: date) -> bool:
        return (
            self.registration_date is not None
            and self.registration_date <= day
            and (self.closure_date is None or self.closure_date > day)
        )


def _month_start(day: date) -> date:
    return day.replace(day=1)


def authority_homes(seed: int, la_code: str, as_at: date) -> tuple[Home, ...]:
    """The children's homes of authority `la_code` as at `as_at`, sorted by URN: a pure function
    of its arguments (the same arguments always give the same homes).

    URNs are `SC` + the LA code + three digits (unique across authorities). Each authority has
    4-6 internal and 5-8 external registered homes (registered years ago or within the last two
    years, inspected in the 12 months before as_at, some occupied to capacity), one internal home
    registered 1-2 months before as_at (not yet inspected), one or two internal homes applied for
    4-11 months before as_at and not yet registered, one internal home that closed on the 15th of
    the month four months before as_at's month (the middle month of an earlier quarter), and one
    external home operating unregistered (no registered places, a child living there)."""
    rng = random.Random(f"residential:{seed}:{la_code}")
    numbers = iter(rng.sample(range(100, 1000), 20))
    names = iter(rng.sample([f"{w} {e}" for w in HOME_NAME_WORDS for e in HOME_NAME_ENDINGS], 20))
    homes: list[Home] = []

    def inspection(registered: date, until: date) -> tuple[date | None, str | None]:
        # Ofsted inspects a home within months of registration and then at least yearly.
        earliest = max(registered + timedelta(days=120), until - timedelta(days=365))
        if earliest >= until:
            return None, None
        inspected = earliest + timedelta(days=rng.randint(0, (until - earliest).days - 1))
        judgement = rng.choices(list(JUDGEMENT_WEIGHTS), list(JUDGEMENT_WEIGHTS.values()))[0]
        return inspected, judgement

    def add(
        provision: str,
        status: str,
        places: int | None,
        occupied: int | None,
        applied: date | None,
        registered: date | None,
        closed: date | None = None,
    ) -> None:
        inspected, judgement = inspection(registered, closed or as_at) if registered else (None, None)
        homes.append(
            Home(
                f"SC{la_code}{next(numbers)}",
                next(names),
                provision,
                status,
                places,
                occupied,
                applied,
                registered,
                closed,
                inspected,
                judgement,
            )
        )

    def established(provision: str, places_range: tuple[int, int]) -> None:
        registered = as_at - timedelta(days=rng.choice((rng.randint(120, 700), rng.randint(730, 15 * 365))))
        applied = registered - timedelta(days=rng.randint(120, 420))
        places = rng.randint(*places_range)
        occupied = places if rng.random() < 0.35 else rng.randint(0, places)
        add(provision, "registered", places, occupied, applied, registered)

    for _ in range(rng.randint(4, 6)):
        established("internal", INTERNAL_PLACES)
    for _ in range(rng.randint(5, 8)):
        established("external", EXTERNAL_PLACES)
    # A new internal home registered recently, filling up.
    registered = as_at - timedelta(days=rng.randint(30, 60))
    places = rng.randint(*INTERNAL_PLACES)
    add(
        "internal",
        "registered",
        places,
        rng.randint(0, places - 1),
        registered - timedelta(days=rng.randint(250, 500)),
        registered,
    )
    # Homes applied for and not yet registered: purchasing and works take time.
    for _ in range(rng.randint(1, 2)):
        add(
            "internal", "applied", rng.randint(*INTERNAL_PLACES), 0, as_at - timedelta(days=rng.randint(120, 330)), None
        )
    # An internal home that closed mid-quarter: registered long before, closed on the 15th.
    closed = add_months(_month_start(as_at), -4).replace(day=15)
    registered = closed - timedelta(days=rng.randint(3 * 365, 10 * 365))
    add(
        "internal",
        "closed",
        rng.randint(*INTERNAL_PLACES),
        0,
        registered - timedelta(days=rng.randint(120, 400)),
        registered,
        closed,
    )
    # An external home operating without registration, where a child is placed.
    add("external", "unregistered", None, 1, None, None)
    return tuple(sorted(homes, key=lambda h: h.urn))


def _home_row(la_code: str, home: Home) -> dict[str, CellValue]:
    return {
        "la_code": la_code,
        "home_id": home.urn,
        "home_name": home.name,
        "provision": home.provision,
        "registration_status": home.registration_status,
        "registered_places": home.registered_places,
        "occupied_places": home.occupied_places,
        "last_inspection_date": home.last_inspection_date,
        "inspection_judgement": home.inspection_judgement,
        "application_date": home.application_date,
        "registration_date": home.registration_date,
        "closure_date": home.closure_date,
    }


def residential_tables(seed: int, la_code: str, window: Window) -> dict[str, ExtractTable]:
    """The two residential extracts of one authority: its homes (authority_homes) and the
    regulation 44 visits to them over the window (one in most months each home is open, now and
    then a second, some months missed)."""
    homes = authority_homes(seed, la_code, window.as_at)
    rng = random.Random(f"reg44:{seed}:{la_code}")
    visits: list[dict[str, CellValue]] = []
    month = _month_start(window.history_start)
    while month <= window.as_at:
        month_end = add_months(month, 1) - timedelta(days=1)
        for home in homes:
            open_days = [
                month + timedelta(days=d)
                for d in range((month_end - month).days + 1)
                if home.is_open(month + timedelta(days=d)) and month + timedelta(days=d) <= window.as_at
            ]
            if not open_days or rng.random() >= REG44_MONTH_SHARE[home.provision]:
                continue
            for day in sorted(rng.sample(open_days, 2 if rng.random() < 0.05 and len(open_days) > 1 else 1)):
                recommendations = rng.choices(range(len(RECOMMENDATION_WEIGHTS)), RECOMMENDATION_WEIGHTS)[0]
                visits.append(
                    {
                        "la_code": la_code,
                        "home_id": home.urn,
                        "visit_date": day,
                        "recommendations": recommendations if recommendations or rng.random() < 0.5 else None,
                    }
                )
        month = add_months(month, 1)
    for number, visit in enumerate(sorted(visits, key=lambda v: (v["visit_date"], v["home_id"])), start=1):
        visit["visit_id"] = f"R44{la_code}{number:05d}"
    return {
        "childrens_homes": contract_table("childrens_homes", [_home_row(la_code, h) for h in homes]),
        "reg44_visits": contract_table("reg44_visits", sorted(visits, key=lambda v: str(v["visit_id"]))),
    }
