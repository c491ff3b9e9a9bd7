"""The seeds written from code stay what the code writes, and every seed has the shape dbt expects."""
from __future__ import annotations

import csv
import datetime as dt

from qa_warehouse import cli
from qa_warehouse.seeds import (BANK_HOLIDAY_COLUMNS, FIRST_YEAR, LAST_YEAR, bank_holidays_csv,
                                bank_holidays_path, england_bank_holidays)
from qa_warehouse.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"


def read(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_committed_bank_holidays_equal_what_the_holidays_package_gives():
    committed = bank_holidays_path().read_text(encoding="utf-8")
    assert committed == bank_holidays_csv(), (
        "dbt_project/seeds/bank_holidays_england.csv differs from the holidays package:"
        " run `qa-warehouse seeds --write` and commit it")
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
    rows = {int(r["stage"]): (int(r["standard_working_days"]), int(r["extended_working_days"]))
            for r in read("complaint_timescales.csv")}
    assert rows == {1: (10, 20), 2: (25, 65), 3: (30, 30)}


def test_feedback_minimums():
    rows = {r["respondent"]: int(r["minimum_responses_per_month"]) for r in read("feedback_minimums.csv")}
    assert rows == {"carer": 2, "birth_parent": 2}


def test_feedback_themes_are_unique_codes_with_patterns():
    rows = read("feedback_themes.csv")
    assert list(rows[0]) == ["theme", "description", "pattern"]
    themes = [r["theme"] for r in rows]
    assert len(themes) == len(set(themes)) and all(themes)
    assert all(r["pattern"].strip() and r["description"].strip() for r in rows)
