"""Permanence, placement moves and social worker stability computed independently, in plain
Python, from the landing 903 files: the check on reporting.children_in_care_permanence,
children_in_care_placement_moves, children_in_care_social_worker_stability and their headline
measures (docs/children-in-care-permanence.md defines each figure).

Reads each authority's latest 903 Episodes and SWEpisodes files the way the 903 guidance
describes them. Periods of care and placements are counted by the placements reference
(children_in_care_placements.care_history), which is itself independent of the warehouse.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from fractions import Fraction
from math import floor
from pathlib import Path

from tests.reference.children_in_care_placements import (
    PLACED_FOR_ADOPTION,
    SHORT_BREAKS,
    add_months,
    care_history,
    code,
    load,
    placement_type_rules,
    reporting_periods,
)
from tests.reference.project_files import SEEDS_DIR
from tests.reference.quality_assurance import parse_date, read_csv

FILE_NAME = re.compile(r"^903_(?P<table>episodes|sw_episodes)_(?P<la>\d{3})_(?P<date>\d{8})\.csv$", re.I)
ADOPTED = {"E11", "E12"}
SPECIAL_GUARDIANSHIP = {"E45", "E46", "E47", "E48"}
CHILD_ARRANGEMENTS = {"E41"}
PERIOD_GRAIN = ("la_code", "period_type", "period_end")
MOVES_GRAIN = ("la_code", "period_type", "period_end", "reason_place_change")
MEASURE_GRAIN = ("la_code", "measure_code", "period_kind", "period_end")


def latest_files(landing: Path, table: str) -> dict[str, Path]:
    """{la_code: the latest file of this 903 table}."""
    latest: dict[str, tuple[str, Path]] = {}
    for path in sorted(Path(landing).iterdir()):
        match = FILE_NAME.match(path.name)
        if not match or match["table"].lower() != table:
            continue
        if match["la"] not in latest or match["date"] > latest[match["la"]][0]:
            latest[match["la"]] = (match["date"], path)
    return {la: path for la, (_, path) in latest.items()}


def change_groups() -> dict[str, str]:
    with (SEEDS_DIR / "children_in_care_placement_change_groups.csv").open(encoding="utf-8", newline="") as f:
        return {r["reason_place_change"]: r["move_group"] for r in csv.DictReader(f)}


def round_half_up(value: Fraction) -> int:
    """PostgreSQL's round() of a positive numeric: halves away from zero."""
    return floor(value + Fraction(1, 2)) if value >= 0 else -floor(-value + Fraction(1, 2))


def expected_figures(landing: Path) -> tuple[dict, dict, dict, dict, dict]:
    """(permanence, moves, social worker stability, measures), each keyed by its grain, and how many
    times the data met each definition's edge (edges: the test asks that every one was met)."""
    rules, groups = placement_type_rules(), change_groups()
    data = load(landing)
    episode_files, sw_files = latest_files(landing, "episodes"), latest_files(landing, "sw_episodes")
    permanence, moves, social_workers, measures = {}, {}, {}, {}
    edges = dict.fromkeys(("three_workers_one_from_before_the_window", "placed_for_adoption_no_order_yet"), 0)
    for la_code, entry in data.items():
        history = care_history(entry["episodes"], rules, {})
        # REASON_PLACE_CHANGE sits on the episode that ends a placement: (child, DEC) -> reason
        reasons = {
            (r["child"].strip(), parse_date(r["dec"])): code(r.get("reason_place_change"))
            for r in read_csv(episode_files[la_code])
            if r.get("dec") and code(r.get("ls")) not in SHORT_BREAKS
        }
        workers: dict[str, list[tuple[str, date, date | None]]] = {}
        for r in read_csv(sw_files[la_code]) if la_code in sw_files else []:
            workers.setdefault(r["child"].strip(), []).append(
                (str(r["sw_id"]).strip(), parse_date(r["sw_decom"]), parse_date(r.get("sw_dec")))
            )
        orders, all_moves, awaiting = [], [], []
        for child, care in history.items():
            for number, (start, end, _, _) in enumerate(care["periods"], start=1):
                own = [p for p in care["placements"] if p.period_of_care == number]
                last_rec = [row[0].rec for row in care["episodes"] if row[1] == number][-1]
                if end is not None and last_rec in ADOPTED | SPECIAL_GUARDIANSHIP | CHILD_ARRANGEMENTS:
                    orders.append((child, last_rec, start, own[-1].start if own else None, end))
                for placement in own[1:]:
                    reason = reasons.get((child, placement.start)) or "not_recorded"
                    all_moves.append((child, placement.start, reason, groups.get(reason, "other")))
            awaiting += [(child, p) for p in care["placements"] if p.place in PLACED_FOR_ADOPTION]
        earliest = min((e.decom for e in entry["episodes"]), default=entry["extract_date"])
        for period_type, start, end, financial_year in reporting_periods(entry["extract_date"], earliest):
            period = {"period_start": start, "financial_year": financial_year}
            adopted = [o for o in orders if o[1] in ADOPTED and start <= o[4] <= end]
            within = [o for o in adopted if o[3] < add_months(o[2], 14)]

            def average(days: list[int]) -> int | None:
                return round_half_up(Fraction(sum(days), len(days))) if days else None

            permanence[(la_code, period_type, end)] = {
                **period,
                "children_adopted": len({o[0] for o in adopted}),
                "adopted_within_14_months": len({o[0] for o in within}),
                "average_days_entering_care_to_moving_in": average([(o[3] - o[2]).days for o in adopted]),
                "average_days_entering_care_to_adoption_order": average([(o[4] - o[2]).days for o in adopted]),
                "average_days_moving_in_to_adoption_order": average([(o[4] - o[3]).days for o in adopted]),
                "special_guardianship_orders": len(
                    {o[0] for o in orders if o[1] in SPECIAL_GUARDIANSHIP and start <= o[4] <= end}
                ),
                "child_arrangements_orders": len(
                    {o[0] for o in orders if o[1] in CHILD_ARRANGEMENTS and start <= o[4] <= end}
                ),
                "placed_for_adoption_at_period_end": len(
                    {c for c, p in awaiting if p.start <= end and (p.end is None or p.end > end)}
                ),
            }
            edges["placed_for_adoption_no_order_yet"] += permanence[(la_code, period_type, end)][
                "placed_for_adoption_at_period_end"
            ]
            in_period = [m for m in all_moves if start <= m[1] <= end]
            for reason, group in groups.items():
                these = [m for m in in_period if m[2] == reason]
                moves[(la_code, period_type, end, reason)] = {
                    **period,
                    "move_group": group,
                    "moves": len(these),
                    "children": len({m[0] for m in these}),
                }
            # children looked after at D by their social workers in the 12 months to D
            window_before = add_months(end, -12)
            counts = dict.fromkeys((1, 2, 3, 0), 0)
            looked_after = 0
            for child, care in history.items():
                if not any(r[0].decom <= end and (r[0].dec is None or r[0].dec > end) for r in care["episodes"]):
                    continue
                looked_after += 1
                in_window = [
                    (sw_id, sw_decom)
                    for sw_id, sw_decom, sw_dec in workers.get(child, [])
                    if sw_decom <= end and (sw_dec is None or sw_dec > window_before)
                ]
                ids = {sw_id for sw_id, _ in in_window}
                if len(ids) >= 3 and any(sw_decom <= window_before for _, sw_decom in in_window):
                    edges["three_workers_one_from_before_the_window"] += 1
                counts[min(len(ids), 3)] += 1
            social_workers[(la_code, period_type, end)] = {
                **period,
                "looked_after_at_period_end": looked_after,
                "one_social_worker": counts[1],
                "two_social_workers": counts[2],
                "three_or_more_social_workers": counts[3],
                "no_social_worker_recorded": counts[0],
            }
            kind = "month" if period_type == "month" else "financial_year"
            row = permanence[(la_code, period_type, end)]
            counted_moves = [m for m in in_period if m[3] != "status_only"]
            for measure_code, numerator, denominator in (
                ("children_adopted", row["children_adopted"], None),
                ("adopted_within_14_months", row["adopted_within_14_months"], row["children_adopted"]),
                ("special_guardianship_orders", row["special_guardianship_orders"], None),
                ("child_arrangements_orders", row["child_arrangements_orders"], None),
                (
                    "unplanned_placement_moves",
                    sum(1 for m in counted_moves if m[3] == "unplanned"),
                    len(counted_moves),
                ),
                ("social_worker_stability_3_plus", counts[3], looked_after - counts[0]),
            ):
                measures[(la_code, measure_code, kind, end)] = {"numerator": numerator, "denominator": denominator}
    return permanence, moves, social_workers, measures, edges
