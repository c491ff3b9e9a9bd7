"""DfE's benchmarks per authority, measure and year, computed in plain Python from the benchmark CSV
files in the landing folder (the newest download of each) and the seed that maps a measure to its
file, breakdown and indicator: England, region, the mean of the ten statistical neighbours' published
figures (a symbol such as c or x is no figure), the authority's own figure, its rank among the
authorities with a figure (1 the best by polarity, ties sharing the better rank) and quartile
(ceil(4 x rank / ranked)). docs/benchmarks.md says why each is so.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

from tests.reference.project_files import SEEDS_DIR

NUMBER = re.compile(r"^-?[0-9]*[.]?[0-9]+$")
GEOGRAPHY_COLUMNS = {
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
}
NEIGHBOURS_STEM = "dfe_statistical_neighbours"
# Each file's filter columns, in DfE's order (docs/benchmarks.md): a breakdown is their values joined.
FILTERS = {
    "dfe_cla_placement_stability": ("cla_group", "placement_stability"),
    "dfe_cla_placement_distance": ("distance",),
    "dfe_care_leavers": ("care_leaver_age", "breakdown_topic", "breakdown"),
    "dfe_cin_referrals": ("category",),
}


@dataclass(frozen=True)
class Benchmark:
    time_period: int
    period_end: date
    authority: Fraction | None
    england: Fraction | None
    region: Fraction | None
    neighbours: Fraction | None
    neighbours_reported: int
    rank: int | None
    ranked: int | None
    quartile: int | None


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def newest_file(landing: Path, stem: str) -> Path:
    """The newest download of a benchmark file: `<stem>_000_<yyyymmdd>.csv`."""
    files = sorted(landing.glob(f"{stem}_000_*.csv"), key=lambda p: p.stem.rsplit("_", 1)[1])
    assert files, f"no {stem} file in {landing}"
    return files[-1]


def figure(text: str) -> Fraction | None:
    return Fraction(text) if NUMBER.match(text) else None


def indicator_map() -> list[dict[str, str]]:
    return read_rows(SEEDS_DIR / "benchmark_indicators.csv")


def neighbours(landing: Path) -> dict[str, list[str]]:
    listed: dict[str, list[tuple[int, str]]] = {}
    for row in read_rows(newest_file(landing, NEIGHBOURS_STEM)):
        listed.setdefault(row["old_la_code"], []).append((int(row["neighbour_rank"]), row["neighbour_old_la_code"]))
    return {la: [code for _, code in sorted(pairs)] for la, pairs in listed.items()}


def expected_benchmarks(landing: Path) -> dict[tuple[str, str], list[Benchmark]]:
    """(la_code, measure_code) -> its benchmarks, one per published year, oldest first."""
    neighbour_lists = neighbours(landing)
    result: dict[tuple[str, str], list[Benchmark]] = {}
    for mapping in indicator_map():
        rows = read_rows(newest_file(landing, mapping["extract"]))
        filters = FILTERS.get(mapping["extract"], ())
        wanted = mapping["breakdown"]
        scale = Fraction(mapping["scale"])
        by_year: dict[int, dict] = {}
        for row in rows:
            breakdown = " / ".join(row[c] for c in filters) if filters else "All"
            if breakdown != wanted:
                continue
            value = figure(row[mapping["indicator"]])
            value = value * scale if value is not None else None
            year = by_year.setdefault(int(row["time_period"]), {"authorities": {}, "regions": {}, "region_of": {}})
            level = row["geographic_level"].lower()
            if level == "national":
                year["england"] = value
            elif level == "regional":
                year["regions"][row["region_code"]] = value
            else:
                year["authorities"][row["old_la_code"]] = value
                year["region_of"][row["old_la_code"]] = row["region_code"]
        month, day = int(mapping["year_end_month"]), int(mapping["year_end_day"])
        for time_period, year in sorted(by_year.items()):
            figures = year["authorities"]
            with_figure = {la: v for la, v in figures.items() if v is not None}
            polarity = mapping["polarity"]
            for la, value in figures.items():
                rank = ranked = quartile = None
                if value is not None and polarity:
                    better = [
                        v for v in with_figure.values() if (v > value if polarity == "higher_is_better" else v < value)
                    ]
                    rank, ranked = len(better) + 1, len(with_figure)
                    quartile = math.ceil(Fraction(4 * rank, ranked))
                published = [figures.get(n) for n in neighbour_lists.get(la, [])]
                published = [v for v in published if v is not None]
                result.setdefault((la, mapping["measure_code"]), []).append(
                    Benchmark(
                        time_period,
                        date(time_period, month, day),
                        value,
                        year.get("england"),
                        year["regions"].get(year["region_of"][la]),
                        Fraction(sum(published), len(published)) if published else None,
                        len(published),
                        rank,
                        ranked,
                        quartile,
                    )
                )
    return result


def benchmark_at(benchmarks: list[Benchmark], period_end: date) -> Benchmark | None:
    """The latest published year ending on or before `period_end`, as measure_values sets it beside a figure."""
    earlier = [b for b in benchmarks if b.period_end <= period_end]
    return max(earlier, key=lambda b: b.period_end) if earlier else None


POPULATION_STEM = "ons_population_0_17"


def child_population(landing: Path) -> dict[str, dict[date, int]]:
    """la_code -> {30 June of the mid-year: ONS's estimate of children aged 0 to 17}."""
    estimates: dict[str, dict[date, int]] = {}
    for row in read_rows(newest_file(landing, POPULATION_STEM)):
        if row["geographic_level"].lower() == "local authority" and row["population_0_to_17"].isdigit():
            estimates.setdefault(row["old_la_code"], {})[date(int(row["time_period"]), 6, 30)] = int(
                row["population_0_to_17"]
            )
    return estimates


def population_at(estimates: dict[date, int], period_end: date) -> int | None:
    """The latest mid-year estimate on or before `period_end` (for 31 March 2024: mid-2023, as DfE)."""
    earlier = [day for day in estimates if day <= period_end]
    return estimates[max(earlier)] if earlier else None
