"""The residential figures computed independently, in plain Python, from the landing files: the
check on the four reporting tables (docs/residential-figures.md defines each figure).

Read the CSV files (UTF-8 or Windows-1252, either date layout) the way the contract says, never
through the warehouse: codes normalised, dates as dates, percentages and averages as exact
fractions.
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction
from pathlib import Path

from tests.reference.quality_assurance import parse_date, pseudonymise, read_csv
from tests.reference.workforce import last_month_end_on_or_before, month_ends_back, percentage

HISTORY_MONTHS = 36  # the dbt var residential_history_months default
FILE_NAME = re.compile(r"^(?P<extract>childrens_homes|reg44_visits)_(?P<la>\d{3})_(?P<date>\d{8})\.csv$", re.I)
JUDGEMENTS = ("outstanding", "good", "requires_improvement", "inadequate", "not_yet_inspected", "not_known")
PROVISIONS = ("internal", "external", None)  # None: every home
GRAINS = {
    "residential_homes_monthly": ("la_code", "period_end", "provision"),
    "residential_inspections": ("la_code", "period_end", "judgement"),
    "regulation_44_visits": ("la_code", "period_end", "provision", "home_key"),
    "residential_registration_timeliness": ("la_code", "period_end"),
}
EARLIEST = date.min  # an undated status taken to hold throughout


def code(value) -> str | None:
    return None if value is None else "_".join(str(value).strip().lower().replace("-", " ").split())


def deliveries(landing: Path) -> list[tuple[str, str, date, Path]]:
    """(extract, la_code, extract date, path) of every residential file, oldest first."""
    found = []
    for path in sorted(Path(landing).iterdir()):
        match = FILE_NAME.match(path.name)
        if match:
            raw = match["date"]
            found.append((match["extract"].lower(), match["la"], date(int(raw[:4]), int(raw[4:6]), int(raw[6:])), path))
    return sorted(found, key=lambda d: d[2])


def current_files(landing: Path) -> dict[tuple[str, str], tuple[date, Path]]:
    """The newest delivery of each extract and authority (later ones replace earlier in the loop)."""
    return {(extract, la_code): (extract_date, path) for extract, la_code, extract_date, path in deliveries(landing)}


def inspections_reported(landing: Path) -> dict[str, dict[date, str | None]]:
    """{home_key: {inspection date: judgement}} from every childrens_homes delivery, the newest
    delivery's judgement winning (each delivery holds each home's latest inspection only)."""
    reported: dict[str, dict[date, str | None]] = {}
    for extract, la_code, _, path in deliveries(landing):
        if extract != "childrens_homes":
            continue
        for r in read_csv(path):
            inspected = parse_date(r.get("last_inspection_date"))
            if inspected is not None:
                reported.setdefault(pseudonymise(la_code, r["home_id"]), {})[inspected] = code(
                    r.get("inspection_judgement")
                )
    return reported


def load(landing: Path) -> dict[str, dict]:
    """{la_code: {"extract_date", "homes": [...], "visits": [...]}} from the current files."""
    data: dict[str, dict] = {}
    for (extract, la_code), (extract_date, path) in current_files(landing).items():
        entry = data.setdefault(la_code, {"homes": [], "visits": []})
        rows = read_csv(path)
        if extract == "childrens_homes":
            entry["extract_date"] = extract_date
            entry["homes"] = [
                {
                    "home_id": r["home_id"].strip(),
                    "home_key": pseudonymise(la_code, r["home_id"]),
                    "provision": code(r["provision"]),
                    "status": code(r["registration_status"]),
                    "registered_places": int(r["registered_places"]) if r.get("registered_places") else None,
                    "occupied_places": int(r["occupied_places"]) if r.get("occupied_places") else None,
                    "last_inspection_date": parse_date(r.get("last_inspection_date")),
                    "inspection_judgement": code(r.get("inspection_judgement")),
                    "application_date": parse_date(r.get("application_date")),
                    "registration_date": parse_date(r.get("registration_date")),
                    "closure_date": parse_date(r.get("closure_date")),
                }
                for r in rows
            ]
        else:
            entry["visits"] = [
                {
                    "home_key": pseudonymise(la_code, r["home_id"]),
                    "visit_date": parse_date(r["visit_date"]),
                    "recommendations": int(r["recommendations"]) if r.get("recommendations") else 0,
                }
                for r in rows
            ]
    return data


def status_at(home: dict, day: date) -> str | None:
    """applied / registered / unregistered / closed on `day`, or None before the home was known."""

    def since(dated: date | None, *statuses: str) -> date | None:
        return dated if dated is not None else (EARLIEST if home["status"] in statuses else None)

    closed = since(home["closure_date"], "closed")
    registered = since(home["registration_date"], "registered")
    applied = since(home["application_date"], "applied", "unregistered")
    if closed is not None and closed <= day:
        return "closed"
    if registered is not None and registered <= day:
        return "registered"
    if applied is not None and applied <= day:
        return "unregistered" if home["status"] == "unregistered" else "applied"
    return None


def month_start(day: date) -> date:
    return day.replace(day=1)


def in_month(day: date | None, period_end: date) -> bool:
    return day is not None and month_start(period_end) <= day <= period_end


def judgement_at(inspections: dict[date, str | None], day: date) -> str | None:
    """The judgement of the latest inspection on or before `day`, from every delivery."""
    if not inspections:
        return "not_yet_inspected"
    before = [d for d in inspections if d <= day]
    return inspections[max(before)] if before else "not_known"


def open_all_month(home: dict, period_end: date) -> bool:
    return status_at(home, month_start(period_end)) == "registered" and status_at(home, period_end) == "registered"


def open_in_month(home: dict, period_end: date) -> bool:
    return "registered" in (status_at(home, month_start(period_end)), status_at(home, period_end)) or in_month(
        home["registration_date"], period_end
    )


def shown_month_ends(entry: dict) -> list[date]:
    return month_ends_back(last_month_end_on_or_before(entry["extract_date"]), HISTORY_MONTHS)


def average(values: list[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def expected_residential(landing: Path) -> dict[str, dict[tuple, dict]]:
    """{table: {grain key: figures}} for every published row of the four residential tables."""
    tables: dict[str, dict[tuple, dict]] = {name: {} for name in GRAINS}
    inspections = inspections_reported(landing)
    for la_code, entry in load(landing).items():
        month_ends = shown_month_ends(entry)
        latest = month_ends[0]
        for period_end in month_ends:
            status = {h["home_key"]: status_at(h, period_end) for h in entry["homes"]}
            visits_in_month = [v for v in entry["visits"] if in_month(v["visit_date"], period_end)]

            def visits_of(homes: list[dict]) -> list[dict]:
                keys = {h["home_key"] for h in homes}
                return [v for v in visits_in_month if v["home_key"] in keys]

            for provision in PROVISIONS:
                homes = [h for h in entry["homes"] if provision is None or h["provision"] == provision]
                open_homes = [h for h in homes if status[h["home_key"]] == "registered"]
                registered = sum(h["registered_places"] or 0 for h in open_homes)
                occupied = sum(h["occupied_places"] or 0 for h in open_homes)
                is_latest = period_end == latest
                tables["residential_homes_monthly"][(la_code, period_end, provision)] = {
                    **{
                        f"homes_{s}": sum(status[h["home_key"]] == s for h in homes)
                        for s in ("applied", "registered", "unregistered", "closed")
                    },
                    "homes_registered_in_month": sum(in_month(h["registration_date"], period_end) for h in homes),
                    "homes_closed_in_month": sum(in_month(h["closure_date"], period_end) for h in homes),
                    "registered_places": registered,
                    "occupied_places": occupied if is_latest else None,
                    "vacancies": registered - occupied if is_latest else None,
                    "occupancy_rate": percentage(occupied, registered) if is_latest else None,
                    "unregistered_occupied_places": sum(
                        h["occupied_places"] or 0 for h in homes if status[h["home_key"]] == "unregistered"
                    )
                    if is_latest
                    else None,
                }

                # Regulation 44: the provision's (or authority's) row, and one row per home.
                in_scope = [h for h in homes if open_in_month(h, period_end) or visits_of([h])]
                rows = [(None, in_scope)] + ([(h["home_key"], [h]) for h in in_scope] if provision else [])
                for home_key, group in rows:
                    visits = visits_of(group)
                    visited = {v["home_key"] for v in visits}
                    all_month = [h for h in group if open_all_month(h, period_end)]
                    tables["regulation_44_visits"][(la_code, period_end, provision, home_key)] = {
                        "visits": len(visits),
                        "recommendations": sum(v["recommendations"] for v in visits),
                        "homes_visited": len(visited),
                        "homes_open_all_month": len(all_month),
                        "homes_open_all_month_visited": sum(h["home_key"] in visited for h in all_month),
                        "visited_percentage": percentage(
                            sum(h["home_key"] in visited for h in all_month), len(all_month)
                        ),
                    }

            open_homes = [h for h in entry["homes"] if status[h["home_key"]] == "registered"]
            for order, judgement in enumerate(JUDGEMENTS, start=1):
                judged = [
                    h for h in open_homes if judgement_at(inspections.get(h["home_key"], {}), period_end) == judgement
                ]
                tables["residential_inspections"][(la_code, period_end, judgement)] = {
                    "display_order": order,
                    "homes": len(judged),
                    "internal_homes": sum(h["provision"] == "internal" for h in judged),
                    "external_homes": sum(h["provision"] == "external" for h in judged),
                    "open_homes": len(open_homes),
                    "percentage": percentage(len(judged), len(open_homes)),
                }

            window_after = month_ends_back(period_end, 13)[-1]  # the month end 12 months before
            registered_12 = [
                h
                for h in entry["homes"]
                if h["registration_date"] is not None and window_after < h["registration_date"] <= period_end
            ]
            days = [
                (h["registration_date"] - h["application_date"]).days
                for h in registered_12
                if h["application_date"] is not None
            ]
            waiting = [h for h in entry["homes"] if status[h["home_key"]] == "applied"]
            waited = [(period_end - h["application_date"]).days for h in waiting if h["application_date"] is not None]
            tables["residential_registration_timeliness"][(la_code, period_end)] = {
                "homes_registered_in_month": sum(in_month(h["registration_date"], period_end) for h in entry["homes"]),
                "homes_registered_12_months": len(registered_12),
                "average_days_to_registration_12_months": average(days),
                "longest_days_to_registration_12_months": max(days) if days else None,
                "applications_waiting": len(waiting),
                "average_days_waiting": average(waited),
                "longest_days_waiting": max(waited) if waited else None,
            }
    return tables


REGISTRATION_DAYS = 182  # the dbt var residential_registration_days default (26 weeks)


def measure_counts(landing: Path, tables: dict[str, dict[tuple, dict]]) -> dict[tuple, tuple]:
    """The month rows of the residential headline measures (reporting.measure_values) per provision
    and for the authority ('All'): occupied of registered places of the homes open at the latest
    month end; homes open all month visited under regulation 44; homes registered in the month
    within REGISTRATION_DAYS of their application (a home without an application date counts, as
    not in time), from the reference tables above and the homes themselves."""
    counts: dict[tuple, tuple] = {}
    for (la_code, period_end, provision), f in tables["residential_homes_monthly"].items():
        if f["occupied_places"] is not None:
            counts[(la_code, "residential_occupancy", "month", period_end, provision or "All")] = (
                f["occupied_places"],
                f["registered_places"],
            )
    for (la_code, period_end, provision, home_key), f in tables["regulation_44_visits"].items():
        if home_key is None:
            counts[(la_code, "residential_reg44_visited", "month", period_end, provision or "All")] = (
                f["homes_open_all_month_visited"],
                f["homes_open_all_month"],
            )
    for la_code, entry in load(landing).items():
        for period_end in shown_month_ends(entry):
            for provision in PROVISIONS:
                registered = [
                    h
                    for h in entry["homes"]
                    if (provision is None or h["provision"] == provision)
                    and in_month(h["registration_date"], period_end)
                ]
                in_time = sum(
                    h["application_date"] is not None
                    and (h["registration_date"] - h["application_date"]).days <= REGISTRATION_DAYS
                    for h in registered
                )
                counts[(la_code, "residential_registration_timeliness", "month", period_end, provision or "All")] = (
                    in_time,
                    len(registered),
                )
    return counts
