"""The workforce figures computed independently, in plain Python, from the landing files: the
check on reporting.workforce_monthly (docs/workforce-figures.md defines each figure).

Read the CSV files (UTF-8 or Windows-1252, either date layout) the way the contract says, never
through the warehouse: FTE as exact fractions, dates as dates.
"""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from tests.reference.project_files import SEEDS_DIR
from tests.reference.quality_assurance import parse_date, read_csv

HISTORY_MONTHS = 36  # the dbt var workforce_history_months default
FILE_NAME = re.compile(r"^(?P<extract>workforce|team_establishment)_(?P<la>\d{3})_(?P<date>\d{8})\.csv$", re.I)
SEED = SEEDS_DIR / "workforce_national_reference.csv"
GRAIN = ("la_code", "team", "period_end")


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def month_ends_back(last: date, count: int) -> list[date]:
    """`last` (a month end) and the count - 1 month ends before it, newest first."""
    index = last.year * 12 + last.month - 1
    return [month_end((index - n) // 12, (index - n) % 12 + 1) for n in range(count)]


def last_month_end_on_or_before(day: date) -> date:
    following = day + timedelta(days=1)
    return following.replace(day=1) - timedelta(days=1)


def current_files(landing: Path) -> dict[tuple[str, str], tuple[date, Path]]:
    latest: dict[tuple[str, str], tuple[date, Path]] = {}
    for path in sorted(Path(landing).iterdir()):
        match = FILE_NAME.match(path.name)
        if not match:
            continue
        raw = match["date"]
        extract_date = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        key = (match["extract"].lower(), match["la"])
        if key not in latest or extract_date > latest[key][0]:
            latest[key] = (extract_date, path)
    return latest


def load(landing: Path) -> dict[str, dict]:
    """{la_code: {"extract_date", "spells": [...], "establishment": {team: Fraction}}}."""
    data: dict[str, dict] = {}
    for (extract, la_code), (extract_date, path) in current_files(landing).items():
        rows = read_csv(path)
        entry = data.setdefault(la_code, {"spells": [], "establishment": {}})
        if extract == "workforce":
            entry["extract_date"] = extract_date
            entry["spells"] = [
                {
                    "worker_id": r["worker_id"].strip(),
                    "team": r["team"].strip(),
                    "fte": Fraction(r["fte"].strip()),
                    "contract": r["contract"].strip().lower(),
                    "start_date": parse_date(r["start_date"]),
                    "leave_date": parse_date(r["leave_date"]),
                    "caseload": int(r["caseload"]) if r.get("caseload") not in (None, "") else None,
                }
                for r in rows
            ]
        else:
            entry["establishment"] = {r["team"].strip(): Fraction(r["establishment_fte"].strip()) for r in rows}
    return data


WORKFORCE_BENCHMARK = re.compile(r"^dfe_workforce_000_(?P<date>\d{8})\.csv$")
BENCHMARK_COLUMNS = {  # measure -> the dfe_workforce indicator column holding England's figure
    "workforce_agency_rate": "agency_rate_fte",
    "workforce_turnover_rate": "turnover_rate_fte",
    "workforce_vacancy_rate": "vacancy_rate_fte",
    "workforce_average_caseload": "caseload_fte",
}


def national_reference(landing: Path | None = None) -> dict[tuple[str, date], Fraction]:
    """(measure, census day 30 September) -> England's figure: the newest dfe_workforce file in the
    landing folder's England row where it has that census, else the seed's."""
    with SEED.open(encoding="utf-8", newline="") as f:
        reference = {
            (r["measure_code"], date.fromisoformat(r["census_date"])): Fraction(r["england_value"])
            for r in csv.DictReader(f)
        }
    files = sorted(p for p in (landing.iterdir() if landing else ()) if WORKFORCE_BENCHMARK.match(p.name))
    if files:
        for row in read_csv(files[-1]):
            if (row["geographic_level"] or "").strip().lower() != "national":
                continue
            for measure, column in BENCHMARK_COLUMNS.items():
                text = (row[column] or "").strip()
                if re.fullmatch(r"-?[0-9]*[.]?[0-9]+", text):
                    reference[(measure, date(int(row["time_period"]), 9, 30))] = Fraction(text)
    return reference


def national_at(reference: dict[tuple[str, date], Fraction], measure: str, day: date) -> Fraction | None:
    """England's figure of the latest census on or before `day`, or None before the first."""
    censuses = [census for (m, census) in reference if m == measure and census <= day]
    return reference[(measure, max(censuses))] if censuses else None


def in_post(spell: dict, day: date) -> bool:
    return spell["start_date"] <= day and (spell["leave_date"] is None or spell["leave_date"] > day)


def percentage(numerator, denominator) -> Fraction | None:
    return None if denominator == 0 else Fraction(100) * numerator / denominator


def expected_workforce(landing: Path) -> dict[tuple, dict]:
    """{(la_code, team or None, period_end): figures} for every published row."""
    national = national_reference(landing)
    expected: dict[tuple, dict] = {}
    for la_code, entry in load(landing).items():
        last = last_month_end_on_or_before(entry["extract_date"])
        shown = month_ends_back(last, HISTORY_MONTHS)
        establishment = entry["establishment"]
        grains = [(team, establishment[team]) for team in establishment] + [(None, sum(establishment.values()))]
        for team, establishment_fte in grains:
            spells = [s for s in entry["spells"] if team is None or s["team"] == team]

            def employed_fte(day: date) -> Fraction:
                return sum((s["fte"] for s in spells if s["contract"] == "permanent" and in_post(s, day)), Fraction(0))

            for period_end in shown:
                posts = [s for s in spells if in_post(s, period_end)]
                agency = sum((s["fte"] for s in posts if s["contract"] == "agency"), Fraction(0))
                employed = employed_fte(period_end)
                window_start = month_ends_back(period_end, 13)[-1]  # the month end 12 months before
                leavers = [
                    s
                    for s in spells
                    if s["contract"] == "permanent"
                    and s["leave_date"] is not None
                    and window_start < s["leave_date"] <= period_end
                ]
                leavers_fte = sum((s["fte"] for s in leavers), Fraction(0))
                average = sum(employed_fte(m) for m in month_ends_back(period_end, 12)) / 12
                latest = period_end == last
                holders = [s for s in posts if (s["caseload"] or 0) > 0]
                holding_fte = sum((s["fte"] for s in holders), Fraction(0))
                cases = sum(s["caseload"] for s in holders)
                expected[(la_code, team, period_end)] = {
                    "headcount": len({s["worker_id"] for s in posts}),
                    "fte_in_post": agency + employed,
                    "employed_fte": employed,
                    "agency_fte": agency,
                    "agency_rate": percentage(agency, employed + agency),
                    "national_agency_rate": national_at(national, "workforce_agency_rate", period_end),
                    "leavers_12_months": len(leavers),
                    "leavers_fte_12_months": leavers_fte,
                    "average_employed_fte_12_months": Fraction(average),
                    "turnover_rate": percentage(leavers_fte, average),
                    "national_turnover_rate": national_at(national, "workforce_turnover_rate", period_end),
                    "establishment_fte": establishment_fte,
                    "vacancy_fte": establishment_fte - employed,
                    "vacancy_rate": percentage(establishment_fte - employed, establishment_fte),
                    "national_vacancy_rate": national_at(national, "workforce_vacancy_rate", period_end),
                    "case_holding_fte": holding_fte if latest else None,
                    "caseload_total": cases if latest else None,
                    "average_caseload": (Fraction(cases) / holding_fte if holding_fte else None) if latest else None,
                    "national_average_caseload": national_at(national, "workforce_average_caseload", period_end),
                }
    return expected


def measure_counts(expected: dict[tuple, dict]) -> dict[tuple, tuple]:
    """The month rows of the workforce headline measures (reporting.measure_values: numerator and
    denominator in FTE, or cases per case-holding FTE) from the reference figures above, per team
    and for the authority ('All'); caseloads at the latest month end only."""
    counts: dict[tuple, tuple] = {}
    for (la_code, team, period_end), f in expected.items():
        breakdown = team or "All"

        def add(measure, numerator, denominator):
            counts[(la_code, measure, "month", period_end, breakdown)] = (numerator, denominator)

        add("workforce_agency_rate", f["agency_fte"], f["employed_fte"] + f["agency_fte"])
        add("workforce_turnover_rate", f["leavers_fte_12_months"], f["average_employed_fte_12_months"])
        add("workforce_vacancy_rate", f["vacancy_fte"], f["establishment_fte"])
        if f["average_caseload"] is not None:
            add("workforce_average_caseload", f["caseload_total"], f["case_holding_fte"])
    return counts
