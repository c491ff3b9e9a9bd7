"""Seeds written from code: the England bank holidays the complaints working days skip.

`qa-warehouse seeds --write` rewrites dbt_project/seeds/bank_holidays_england.csv from the
`holidays` package; `qa-warehouse seeds` (without --write) reports whether the committed file
still matches it. tests/test_seeds.py fails when they drift apart (a new package version that adds
or moves a holiday): rerun with --write and commit the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qa_warehouse.periods import england_bank_holidays
from qa_warehouse.settings import DBT_PROJECT_DIR

BANK_HOLIDAYS_FILE = "bank_holidays_england.csv"
BANK_HOLIDAY_COLUMNS = ("holiday_date", "holiday_name")
FIRST_YEAR, LAST_YEAR = 2015, 2035  # the seed's span: every period the warehouse reports on


def bank_holidays_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return Path(project_dir) / "seeds" / BANK_HOLIDAYS_FILE


def bank_holidays_csv(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BANK_HOLIDAY_COLUMNS)
    for day, name in england_bank_holidays(first_year, last_year):
        writer.writerow((day.isoformat(), name))
    return out.getvalue()


def write_bank_holidays(path: Path | None = None) -> Path:
    path = path or bank_holidays_path()
    path.write_text(bank_holidays_csv(), encoding="utf-8", newline="")
    return path


def bank_holidays_up_to_date(path: Path | None = None) -> bool:
    path = path or bank_holidays_path()
    return path.exists() and path.read_text(encoding="utf-8") == bank_holidays_csv()
