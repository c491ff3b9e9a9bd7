"""The seeds written from code stay what the code writes, and every seed has the shape dbt expects."""

from __future__ import annotations

import csv
import datetime as dt

from qa_warehouse import cli
from qa_warehouse.build.seeds import (
    BANK_HOLIDAY_COLUMNS,
    FIRST_YEAR,
    LAST_YEAR,
    bank_holidays_csv,
    bank_holidays_path,
)
from qa_warehouse.periods import england_bank_holidays
from qa_warehouse.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"


def read(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_committed_bank_holidays_equal_what_the_holidays_package_gives():
    committed = bank_holidays_path().read_text(encoding="utf-8")
    assert committed == bank_holidays_csv(), (
        "dbt_project/seeds/bank_holidays_england.csv differs from the holidays package:"
        " run `qa-warehouse seeds --write` and commit it"
    )
    assert cli.main(["seeds"]) == 0


def test_bank_holidays_cover_england_2015_to_2035_one_row_per_day():
    rows = read("bank_holidays_england.csv")
    assert tuple(rows[0]) == BANK_HOLIDAY_COLUMNS
    days = [dt.date.fromisoformat(r["holiday_date"]) for r in rows]
    assert days == sorted(set(days)), "sorted, one row per day"
    assert {d.year for d in days} == set(range(FIRST_YEAR, LAST_YEAR + 1))
    assert all(r["holiday_name"].strip() for r in rows)
    # England, not Scotland or Northern Ireland; substitute days included
    assert {dt.date(2024, 12, 25), dt.date(2024, 12, 26), dt.date(2025, 1, 1), dt.date(2022, 12, 27)} <= set(days)
    assert dt.date(2025, 1, 2) not in days and dt.date(2025, 3, 17) not in days and dt.date(2025, 8, 4) not in days
    assert len(england_bank_holidays(2025, 2025)) == 8


def test_complaint_timescales_by_stage():
    rows = {
        int(r["stage"]): (int(r["standard_working_days"]), int(r["extended_working_days"]))
        for r in read("complaint_timescales.csv")
    }
    assert rows == {1: (10, 20), 2: (25, 65), 3: (30, 30)}


def test_recruitment_timescales_are_nms_14_and_regulation_24():
    rows = read("recruitment_timescales.csv")
    assert list(rows[0]) == ["timescale_name", "timescale_length", "timescale_unit", "description"]
    assert all(r["description"].strip() for r in rows)
    # docs/recruitment-figures.md and tests/reference/recruitment.py: 8 months; 16 and 24 weeks in days
    assert {r["timescale_name"]: (int(r["timescale_length"]), r["timescale_unit"]) for r in rows} == {
        "application_to_panel": (8, "month"),
        "regulation_24_limit": (16 * 7, "day"),
        "regulation_24_extended_limit": (24 * 7, "day"),
    }


def test_feedback_minimums():
    rows = {r["respondent"]: int(r["minimum_responses_per_month"]) for r in read("feedback_minimums.csv")}
    assert rows == {"carer": 2, "birth_parent": 2}


def test_feedback_themes_are_unique_codes_with_patterns():
    rows = read("feedback_themes.csv")
    assert list(rows[0]) == ["theme", "description", "pattern"]
    themes = [r["theme"] for r in rows]
    assert len(themes) == len(set(themes)) and all(themes)
    assert all(r["pattern"].strip() and r["description"].strip() for r in rows)


def test_ssda903_codes_are_versioned_by_collection_year_and_cover_every_gated_code_list():
    from qa_warehouse.load.contracts import all_contracts
    from qa_warehouse.load.raw_schema import REPORT_CODE_LISTS, collection_year_bounds, gate_code_lists

    rows = read("ssda903_codes.csv")
    assert list(rows[0]) == ["code_list", "code", "description", "first_collection_year", "last_collection_year"]
    pairs = [(r["code_list"], r["code"]) for r in rows]
    assert len(pairs) == len(set(pairs)) and all(r["description"].strip() for r in rows)
    for r in rows:  # a year is written 2024/25, the second part the year after the first
        for year in (r["first_collection_year"], r["last_collection_year"]):
            assert not year or (len(year) == 7 and year[4] == "/" and int(year[5:]) == (int(year[:4]) + 1) % 100), r
    # The gate checks the code lists DfE's validator does not (MISSING); staging describes every code.
    gated = {c.code_list for contract in all_contracts().values() for c in contract.columns if c.code_list}
    # the commentary's measure and section codes come from the report's own seeds (REPORT_CODE_LISTS)
    assert gated and gated - set(REPORT_CODE_LISTS) <= {r["code_list"] for r in rows}
    assert {
        "LS",
        "RNE",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "REC",
        "REASON_PLACE_CHANGE",
        "REVIEW_CODE",
        "IN_TOUCH",
        "ACTIV",
        "ACCOM",
    } <= {r["code_list"] for r in rows}

    def valid(code_list: str, code: str, day: dt.date) -> bool:
        return any(lst == code_list and c == code and start <= day <= end for lst, c, start, end in gate_code_lists())

    # DfE's changes: K3 from 2024/25; Z11-Z14 replace Z1 from 2025/26 (the year runs 1 April - 31 March).
    assert not valid("PLACE", "K3", dt.date(2024, 3, 31)) and valid("PLACE", "K3", dt.date(2024, 4, 1))
    assert valid("PLACE", "Z1", dt.date(2025, 3, 31)) and not valid("PLACE", "Z1", dt.date(2025, 4, 1))
    assert not valid("PLACE", "Z11", dt.date(2025, 3, 31)) and valid("PLACE", "Z14", dt.date(2025, 4, 1))
    assert valid("PLACE", "U6", dt.date(2010, 6, 1)) and valid("PLACE", "U6", dt.date(2030, 6, 1))
    assert collection_year_bounds("2024/25", "2025/26") == (dt.date(2024, 4, 1), dt.date(2026, 3, 31))


def test_authorities_are_the_153_english_authorities_with_unique_well_formed_codes():
    rows = read("authorities.csv")
    assert list(rows[0]) == ["la_code", "gss_code", "la_name", "region_code", "region_name"]
    assert len(rows) == 153  # after April 2023: Cumberland, Westmorland and Furness replace Cumbria
    for column in ("la_code", "gss_code", "la_name"):
        values = [r[column] for r in rows]
        assert len(values) == len(set(values)) and all(values), column
    for r in rows:
        assert len(r["la_code"]) == 3 and r["la_code"].isdigit(), r
        assert len(r["gss_code"]) == 9 and r["gss_code"][:3] in {"E06", "E08", "E09", "E10"}, r
        assert r["gss_code"][3:].isdigit(), r
        assert r["region_code"] in {f"E1200000{n}" for n in range(1, 10)}, r
    regions = {(r["region_code"], r["region_name"]) for r in rows}
    assert len(regions) == 9 == len({code for code, _ in regions}), "one name per region"
    by_code = {r["la_code"]: (r["gss_code"], r["la_name"]) for r in rows}
    assert by_code["885"] == ("E10000034", "Worcestershire")
    assert by_code["942"] == ("E06000063", "Cumberland") and by_code["943"][0] == "E06000064"
    assert by_code["815"][0] == "E06000065" and by_code["933"][0] == "E06000066"
    assert "909" not in by_code  # Cumbria, abolished April 2023


def test_the_gate_knows_every_measure_and_section_of_the_report_in_every_year():
    from qa_warehouse.load.raw_schema import gate_code_lists

    codes = {
        (code_list, code)
        for code_list, code, start, end in gate_code_lists()
        if start <= dt.date(2000, 1, 1) and end >= dt.date(2099, 1, 1)
    }
    assert {("REPORT_MEASURE", r["measure_code"].upper()) for r in read("report_sections.csv")} <= codes
    assert {("REPORT_SECTION", r["report_section"].upper()) for r in read("report_section_titles.csv")} <= codes
    assert ("REPORT_SECTION", "CHILD_PROTECTION") in codes and ("REPORT_MEASURE", "REFERRALS") in codes
