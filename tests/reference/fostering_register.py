"""The foster carer register at each month end and its de-registrations, computed independently
in plain Python from the landing carer_households files: the check on
reporting.fostering_carer_register and fostering_carer_deregistrations
(docs/fostering-register.md defines each figure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.reference.fostering_scorecard import (
    latest_files,
    load_authorities,
    period_ends,
    read_rows,
)

REGISTER_GRAIN = ("la_code", "period_end", "team", "carer_type")
DEREGISTRATIONS_GRAIN = ("la_code", "period_end", "team", "carer_type", "deregistration_reason")
EVER_APPROVED = {"approved", "on_hold", "deregistered"}


def expected_register(landing: Path, history_months: int) -> tuple[dict, dict]:
    """({register grain: row}, {de-registrations grain: row})."""
    files = latest_files(landing)
    register, deregistrations = {}, {}
    for authority in load_authorities(landing):
        rows = {r["household_id"]: r for r in read_rows(files[("carer_households", authority.la_code)][1])}
        groups = {(h.team, h.carer_type) for h in authority.households.values()}
        for end in period_ends(authority.extract_date, history_months):
            start = date(end.year, end.month, 1)
            for team, carer_type in groups:
                own = [h for h in authority.households.values() if (h.team, h.carer_type) == (team, carer_type)]
                approved = [
                    h
                    for h in own
                    if h.status in EVER_APPROVED
                    and h.approval_date is not None
                    and h.approval_date <= end
                    and (h.deregistration_date is None or h.deregistration_date > end)
                ]
                places = [rows[h.household_id].get("approved_places") for h in approved]
                register[(authority.la_code, end, team, carer_type)] = {
                    "period_start": start,
                    "approved_households": len(approved),
                    "approved_places": sum(int(p) for p in places if p not in (None, "")),
                    "approved_households_without_places_recorded": sum(1 for p in places if p in (None, "")),
                    "approvals_in_month": sum(1 for h in own if h.approval_date and start <= h.approval_date <= end),
                    "deregistrations_in_month": sum(
                        1 for h in own if h.deregistration_date and start <= h.deregistration_date <= end
                    ),
                }
                for h in own:
                    if h.deregistration_date:
                        reason = (rows[h.household_id].get("deregistration_reason") or "").strip() or "not recorded"
                        key = (authority.la_code, end, team, carer_type, reason)
                        deregistrations.setdefault(key, {"period_start": start, "households": 0})
                        deregistrations[key]["households"] += start <= h.deregistration_date <= end
    return register, deregistrations


REGISTER_MEASURES = {
    # measure_code: (register figure, year_figure)
    "approved_fostering_households": ("approved_households", "year_end"),
    "approved_fostering_places": ("approved_places", "year_end"),
    "fostering_deregistrations": ("deregistrations_in_month", "year_total"),
}
MEASURE_GRAIN = ("la_code", "measure_code", "period_kind", "period_end", "breakdown")


def expected_register_measures(register: dict) -> dict:
    """{(la_code, measure_code, period_kind, period_end, breakdown): {"numerator", "period_start"}}: each
    team and the authority total ("All") at every month end, and every quarter and financial year
    whose months are all reported (its last month end's figure, or its months added up)."""
    months: dict[tuple, int] = {}
    for (la_code, end, team, _carer_type), row in register.items():
        for measure_code, (figure, _) in REGISTER_MEASURES.items():
            for breakdown in (team, "All"):
                key = (la_code, measure_code, end, breakdown)
                months[key] = months.get(key, 0) + row[figure]
    expected = {}
    spans: dict[tuple, list[tuple[date, int]]] = {}
    for (la_code, measure_code, end, breakdown), value in months.items():
        expected[(la_code, measure_code, "month", end, breakdown)] = {
            "numerator": value,
            "period_start": end.replace(day=1),
        }
        quarter_start = date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
        year_start = date(end.year if end.month >= 4 else end.year - 1, 4, 1)
        for kind, start in (("quarter", quarter_start), ("financial_year", year_start)):
            spans.setdefault((la_code, measure_code, kind, start, breakdown), []).append((end, value))
    for (la_code, measure_code, kind, start, breakdown), values in spans.items():
        if len(values) != (3 if kind == "quarter" else 12):
            continue
        values.sort()
        total = REGISTER_MEASURES[measure_code][1] == "year_total"
        expected[(la_code, measure_code, kind, values[-1][0], breakdown)] = {
            "numerator": sum(v for _, v in values) if total else values[-1][1],
            "period_start": start,
        }
    return expected
