"""Deterministic synthetic DfE benchmark files: explore-education-statistics (EES) CSVs for every
authority in seeds/authorities.csv, its region and England, for several published years, ONS's 0-17
population and DfE's statistical neighbours list, in the layouts of their contracts (docs/benchmarks.md).

Each authority draws counts (children looked after, referrals, social workers ...) from its child
population; its published figures are computed from them as DfE does (local authority numbers
unrounded, national and regional numbers rounded to the nearest 10, percentages to whole numbers,
rates to one decimal), and region and England rows from the summed counts. Some authority cells are
suppressed as DfE marks them ('c' confidential, 'x' not available), so that benchmarks must leave
them out. Files are written once for the whole warehouse, as `<stem>_000_<yyyymmdd>.csv`.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qa_warehouse_synthetic.files import FILE_FORMATS, ExtractTable, contract_table, landing_file_name, write_extract

AUTHORITIES_SEED = (
    Path(__file__).resolve().parents[1] / "qa_warehouse" / "build" / "dbt_project" / "seeds" / "authorities.csv"
)
NATIONAL_FILE_LA_CODE = "000"  # a national publication's files name no one authority
ENGLAND = ("E92000001", "England")
SUPPRESSED_SHARE = 0.04  # authority indicator cells published as 'c'
NOT_AVAILABLE_SHARE = 0.01  # ... and as 'x'
BENCHMARK_EXTRACTS = (
    "dfe_cla_placement_stability",
    "dfe_cla_placement_distance",
    "dfe_care_leavers",
    "dfe_cin_referrals",
    "dfe_cin_assessments",
    "dfe_cin_child_protection",
    "dfe_cin_rates",
    "dfe_workforce",
    "ons_population_0_17",
    "dfe_statistical_neighbours",
)
STABILITY_COHORT = "CLA on 31 March"
LONG_TERM_COHORT = "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"


@dataclass(frozen=True)
class Authority:
    la_code: str
    gss_code: str
    la_name: str
    region_code: str
    region_name: str


def authorities(seed_file: Path = AUTHORITIES_SEED) -> list[Authority]:
    with seed_file.open(encoding="utf-8", newline="") as f:
        return [Authority(**row) for row in csv.DictReader(f)]


def latest_published_years(as_at: date) -> dict[str, int]:
    """The newest year of each series published by `as_at`: DfE's children looked after and in need
    (year to 31 March) come out in November; the workforce census (30 September) the next February;
    ONS's mid-year estimates (30 June) the next summer."""
    return {
        "march": as_at.year if as_at >= date(as_at.year, 11, 30) else as_at.year - 1,
        "september": as_at.year - 1 if as_at >= date(as_at.year, 3, 1) else as_at.year - 2,
        "mid_year": as_at.year - 1 if as_at >= date(as_at.year, 7, 31) else as_at.year - 2,
    }


def _round10(value: float) -> int:
    return int(round(value / 10.0)) * 10


def _percent(numerator: float, denominator: float) -> str:
    return str(int(round(100 * numerator / denominator))) if denominator else "z"


def _one_decimal(value: float) -> str:
    return f"{value:.1f}"


def _counts(rng: random.Random, population: int, effect: dict[str, float]) -> dict[str, float]:
    """One authority's counts for one year: shares drawn around England's, shifted by its own effect."""

    def share(name: str, mean: float, spread: float) -> float:
        return max(mean / 4, min(0.99, mean + effect[name] + rng.gauss(0, spread / 3)))

    cla = population * share("cla", 0.0070, 0.002)
    referrals = population * share("referrals", 0.050, 0.012)
    s47 = population * share("s47", 0.018, 0.005)
    cpp = population * share("cpp", 0.0042, 0.0012)
    inpost = population / 800 * (1 + rng.gauss(0, 0.05))
    cases = inpost * 0.65 * max(8.0, 16 + effect["caseload"] * 100 + rng.gauss(0, 1))
    leavers = inpost * share("turnover", 0.159, 0.05)
    agency_rate = share("agency", 0.178, 0.08)
    vacancy_rate = share("vacancy", 0.189, 0.07)
    care_leavers = cla * 0.45
    return {
        "population": population,
        "cla": cla,
        "cla_3_plus": cla * share("moves", 0.10, 0.03),
        "long_term_cohort": cla * 0.35,
        "long_term_same_carer": cla * 0.35 * share("stable", 0.70, 0.08),
        "over_20_miles": cla * share("distance", 0.17, 0.07),
        "distance_not_known": cla * 0.04,
        "care_leavers": care_leavers,
        "in_touch": care_leavers * share("in_touch", 0.92, 0.05),
        "eet": care_leavers * share("eet", 0.55, 0.08),
        "suitable": care_leavers * share("suitable", 0.88, 0.06),
        "referrals": referrals,
        "rereferrals": referrals * share("rereferrals", 0.22, 0.06),
        "no_further_action": referrals * share("nfa", 0.07, 0.04),
        "assessments": referrals * 0.95,
        "assessments_45": referrals * 0.95 * share("assessments", 0.82, 0.12),
        "s47": s47,
        "icpc": s47 * 0.30,
        "icpc_15": s47 * 0.30 * share("icpc", 0.78, 0.12),
        "cpp": cpp,
        "cpp_starts": cpp * 1.1,
        "cpp_subsequent": cpp * 1.1 * share("subsequent", 0.23, 0.05),
        "cin": population * share("cin", 0.033, 0.007),
        "inpost_fte": inpost,
        "leavers_fte": leavers,
        "agency_fte": inpost * agency_rate / (1 - agency_rate),
        "vacancy_fte": inpost * vacancy_rate / (1 - vacancy_rate),
        "case_holders_fte": inpost * 0.65,
        "cases": cases,
    }


EFFECTS = {  # an authority's persistent lean from England's share, as a standard deviation
    "cla": 0.002, "referrals": 0.012, "s47": 0.005, "cpp": 0.0012, "turnover": 0.04, "agency": 0.07,
    "vacancy": 0.06, "caseload": 0.02, "moves": 0.02, "stable": 0.06, "distance": 0.06, "in_touch": 0.03,
    "eet": 0.06, "suitable": 0.05, "rereferrals": 0.05, "nfa": 0.03, "assessments": 0.08, "icpc": 0.1,
    "subsequent": 0.04, "cin": 0.006,
}  # fmt: skip


def _indicators(extract: str, c: dict[str, float], local: bool) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(filters, indicators) rows of one geography's year in one file, from its (summed) counts."""
    number = (lambda v: str(int(round(v)))) if local else (lambda v: str(_round10(v)))
    if extract == "dfe_cla_placement_stability":
        return [
            (
                {"cla_group": STABILITY_COHORT, "placement_stability": "With 3 or more placements during the year"},
                {"number": number(c["cla_3_plus"]), "percentage": _percent(c["cla_3_plus"], c["cla"])},
            ),
            (
                {"cla_group": STABILITY_COHORT, "placement_stability": "Total children"},
                {"number": number(c["cla"]), "percentage": "100"},
            ),
            (
                {
                    "cla_group": LONG_TERM_COHORT,
                    "placement_stability": "Living with the same carer for at least 2 years",
                },
                {
                    "number": number(c["long_term_same_carer"]),
                    "percentage": _percent(c["long_term_same_carer"], c["long_term_cohort"]),
                },
            ),
            (
                {"cla_group": LONG_TERM_COHORT, "placement_stability": "Total children"},
                {"number": number(c["long_term_cohort"]), "percentage": "100"},
            ),
        ]
    if extract == "dfe_cla_placement_distance":
        near = c["cla"] - c["over_20_miles"] - c["distance_not_known"]
        return [
            ({"distance": label}, {"child_count": number(v), "percent_count": _percent(v, c["cla"])})
            for label, v in (
                ("20 miles or less", near),
                ("Over 20 miles", c["over_20_miles"]),
                ("Not known or not recorded", c["distance_not_known"]),
                ("Total", c["cla"]),
            )
        ]
    if extract == "dfe_care_leavers":
        age = {"care_leaver_age": "19 to 21 years"}
        return [
            (
                {**age, "breakdown_topic": topic, "breakdown": label},
                {"care_leaver_count": number(v), "care_leaver_percent": _percent(v, c["care_leavers"])},
            )
            for topic, label, v in (
                ("In touch", "In touch", c["in_touch"]),
                ("In touch", "Total", c["care_leavers"]),
                ("Activity", "In education, employment or training", c["eet"]),
                ("Activity", "Total", c["care_leavers"]),
                ("Accommodation suitability", "Accommodation considered suitable", c["suitable"]),
                ("Accommodation suitability", "Total", c["care_leavers"]),
            )
        ]
    if extract == "dfe_cin_referrals":
        return [
            (
                {"category": "Referrals and Re-referrals"},
                {
                    "referral_count": number(c["referrals"]),
                    "rereferral_count": number(c["rereferrals"]),
                    "rereferral_percent": _one_decimal(100 * c["rereferrals"] / c["referrals"]),
                    "no_further_action_percent": _one_decimal(100 * c["no_further_action"] / c["referrals"]),
                },
            )
        ]
    if extract == "dfe_cin_assessments":
        return [
            (
                {},
                {
                    "assessment_count": number(c["assessments"]),
                    "assessment_45_days_count": number(c["assessments_45"]),
                    "assessment_45_days_percent": _one_decimal(100 * c["assessments_45"] / c["assessments"]),
                },
            )
        ]
    if extract == "dfe_cin_child_protection":
        return [
            (
                {},
                {
                    "s47_count": number(c["s47"]),
                    "icpc_count": number(c["icpc"]),
                    "icpc_15_days_percent": _one_decimal(100 * c["icpc_15"] / c["icpc"]),
                    "cpp_count": number(c["cpp"]),
                    "cpp_subsequent_percent": _one_decimal(100 * c["cpp_subsequent"] / c["cpp_starts"]),
                },
            )
        ]
    if extract == "dfe_cin_rates":
        per_10000 = 10000 / c["rate_population"]
        return [
            (
                {},
                {
                    "referral_rate": _one_decimal(c["referrals"] * per_10000),
                    "cin_rate": _one_decimal(c["cin"] * per_10000),
                    "cpp_rate": _one_decimal(c["cpp"] * per_10000),
                },
            )
        ]
    if extract == "dfe_workforce":
        return [
            (
                {},
                {
                    "inpost_fte": _one_decimal(c["inpost_fte"]),
                    "turnover_rate_fte": _one_decimal(100 * c["leavers_fte"] / c["inpost_fte"]),
                    "agency_rate_fte": _one_decimal(100 * c["agency_fte"] / (c["agency_fte"] + c["inpost_fte"])),
                    "vacancy_rate_fte": _one_decimal(100 * c["vacancy_fte"] / (c["vacancy_fte"] + c["inpost_fte"])),
                    "caseload_fte": _one_decimal(c["cases"] / c["case_holders_fte"]),
                },
            )
        ]
    if extract == "ons_population_0_17":
        return [({}, {"population_0_to_17": str(int(round(c["population"])))})]
    raise ValueError(f"not a benchmark file: {extract}")


TIME_IDENTIFIER = {"ons_population_0_17": "Calendar year"}


def _published_table(extract: str, rows: list[dict]) -> ExtractTable:
    """The rows in the contract's layout, checked against it, without la_code: DfE's files have none
    (the file name gives it)."""
    checked = contract_table(extract, [{"la_code": NATIONAL_FILE_LA_CODE, **row} for row in rows])
    return ExtractTable(extract, [c for c in checked.columns if c != "la_code"], rows)


def _series(extract: str) -> str:
    return {"dfe_workforce": "september", "ons_population_0_17": "mid_year"}.get(extract, "march")


def benchmark_tables(seed: int, years: int, as_at: date, authority_list: list[Authority] | None = None) -> dict:
    """Every benchmark file's table for `years` published years up to what is out by `as_at`."""
    everyone = authority_list or authorities()
    rng = random.Random(f"benchmarks:{seed}")
    effects = {a.la_code: {name: rng.gauss(0, sd) for name, sd in EFFECTS.items()} for a in everyone}
    base_population = {a.la_code: rng.randint(8_000, 320_000) for a in everyone}
    latest = latest_published_years(as_at)
    # Counts for every calendar year any series needs (a year to 31 March Y uses the mid-(Y-1) population).
    first = min(latest.values()) - years - 1
    last = max(latest.values())
    counts: dict[tuple[str, int], dict[str, float]] = {}
    for year in range(first, last + 1):
        for a in everyone:
            population = int(base_population[a.la_code] * (1 + 0.004 * (year - first)))
            year_rng = random.Random(f"benchmarks:{seed}:{a.la_code}:{year}")
            counts[(a.la_code, year)] = _counts(year_rng, population, effects[a.la_code])
    for a in everyone:
        for year in range(first + 1, last + 1):
            counts[(a.la_code, year)]["rate_population"] = counts[(a.la_code, year - 1)]["population"]
    regions = sorted({(a.region_code, a.region_name) for a in everyone})

    def summed(members: list[Authority], year: int) -> dict[str, float]:
        keys = counts[(members[0].la_code, year)].keys()
        return {k: sum(counts[(m.la_code, year)][k] for m in members) for k in keys}

    tables = {}
    for extract in BENCHMARK_EXTRACTS[:-1]:
        newest = latest[_series(extract)]
        rows = []
        for year in range(newest - years + 1, newest + 1):
            period = {"time_period": year, "time_identifier": TIME_IDENTIFIER.get(extract, "Reporting year")}
            country = {"country_code": ENGLAND[0], "country_name": ENGLAND[1]}
            geographies = [({"geographic_level": "National", **country}, summed(everyone, year), False)]
            for code, name in regions:
                members = [a for a in everyone if a.region_code == code]
                geo = {"geographic_level": "Regional", **country, "region_code": code, "region_name": name}
                geographies.append((geo, summed(members, year), False))
            for a in everyone:
                geo = {
                    "geographic_level": "Local authority",
                    **country,
                    "region_code": a.region_code,
                    "region_name": a.region_name,
                    "old_la_code": a.la_code,
                    "new_la_code": a.gss_code,
                    "la_name": a.la_name,
                }
                geographies.append((geo, counts[(a.la_code, year)], True))
            cell_rng = random.Random(f"benchmarks:{seed}:{extract}:{year}")
            for geo, figures, local in geographies:
                for filters, indicators in _indicators(extract, figures, local):
                    if local and extract != "ons_population_0_17":
                        draw = cell_rng.random()
                        if draw < SUPPRESSED_SHARE:  # DfE suppresses the whole row's figures together
                            indicators = dict.fromkeys(indicators, "c")
                        elif draw < SUPPRESSED_SHARE + NOT_AVAILABLE_SHARE:
                            indicators = dict.fromkeys(indicators, "x")
                    rows.append({**period, **geo, **filters, **indicators})
        tables[extract] = _published_table(extract, rows)
    tables["dfe_statistical_neighbours"] = _published_table(
        "dfe_statistical_neighbours", _neighbour_rows(everyone, effects, base_population)
    )
    return tables


def _neighbour_rows(everyone: list[Authority], effects: dict, population: dict) -> list[dict]:
    """Each authority's ten nearest by a likeness of need and size, as DfE's model ranks them."""

    def profile(a: Authority) -> tuple[float, float]:
        return (effects[a.la_code]["cla"] / 0.002 + effects[a.la_code]["cin"] / 0.006, population[a.la_code] / 100_000)

    rows = []
    for a in everyone:
        pa = profile(a)
        others = sorted(
            (o for o in everyone if o.la_code != a.la_code),
            key=lambda o: ((profile(o)[0] - pa[0]) ** 2 + (profile(o)[1] - pa[1]) ** 2, o.la_code),
        )
        rows += [
            {
                "old_la_code": a.la_code,
                "la_name": a.la_name,
                "neighbour_rank": rank,
                "neighbour_old_la_code": o.la_code,
                "neighbour_la_name": o.la_name,
            }
            for rank, o in enumerate(others[:10], start=1)
        ]
    return rows


def write_benchmark_files(out_dir: str | Path, seed: int, years: int, as_at: date) -> list[Path]:
    """Write every benchmark file once for the warehouse, as downloaded on `as_at`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return sorted(
        write_extract(table, out_dir / landing_file_name(extract, NATIONAL_FILE_LA_CODE, as_at), FILE_FORMATS[0])
        for extract, table in benchmark_tables(seed, years, as_at).items()
    )


__all__ = ["BENCHMARK_EXTRACTS", "NATIONAL_FILE_LA_CODE", "benchmark_tables", "write_benchmark_files"]
