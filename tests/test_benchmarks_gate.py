"""DfE's benchmark files at the gate: a file with an indicator column renamed or missing is quarantined
by name, with the column and rule named, and nothing of it loads; a cell that is neither a number nor
one of DfE's symbols holds its row back."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from qa_warehouse.load.ingest import ingest_extract
from qa_warehouse.load.ingest.loader import QuarantinedFiles
from qa_warehouse_synthetic.benchmarks import write_benchmark_files

pytestmark = pytest.mark.integration
AS_AT = date(2025, 3, 31)


def rewrite(path: Path, rename: dict[str, str] | None = None, drop: str | None = None, cell=None) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = [(rename or {}).get(name, name) for name in rows[0]]
    body = rows[1:]
    if cell:
        row_number, column, value = cell
        body[row_number - 1][header.index(column)] = value
    if drop:
        at = header.index(drop)
        header.pop(at)
        body = [r[:at] + r[at + 1 :] for r in body]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *body])


@pytest.fixture
def files(tmp_path):
    landing = tmp_path / "landing"
    write_benchmark_files(landing, seed=2, years=2, as_at=AS_AT)
    return landing


@pytest.mark.parametrize(
    ("extract", "change", "column"),
    [
        ("dfe_workforce", {"rename": {"agency_rate_fte": "agency_rate"}}, "agency_rate_fte"),
        ("dfe_cin_referrals", {"drop": "rereferral_percent"}, "rereferral_percent"),
        (
            "dfe_statistical_neighbours",
            {"rename": {"neighbour_old_la_code": "neighbour_la_code"}},
            "neighbour_old_la_code",
        ),
    ],
)
def test_a_file_with_a_wrong_or_missing_column_is_quarantined_by_name(warehouse, files, extract, change, column):
    path = next(files.glob(f"{extract}_000_*.csv"))
    rewrite(path, **change)
    with pytest.raises(QuarantinedFiles) as refused:
        ingest_extract(extract, files)
    (outcome,) = refused.value.outcomes
    assert outcome.file_name == path.name and outcome.status == "quarantined"
    assert {(v.rule, v.column) for v in outcome.violations} == {("required_column", column)}
    assert path.name in str(refused.value)
    assert warehouse.query(f"select count(*) from raw.{extract}") == [(0,)]


def test_a_value_that_is_no_number_nor_dfe_symbol_holds_its_row(warehouse, files):
    path = next(files.glob("dfe_workforce_000_*.csv"))
    rewrite(path, cell=(3, "vacancy_rate_fte", "n/a"))
    (outcome,) = ingest_extract("dfe_workforce", files)
    assert outcome.status == "accepted" and outcome.rows_held == 1
    ((rule, row, columns),) = {(v.rule, v.row, v.column) for v in outcome.violations}
    assert (rule, row) == ("published_value", 3)
    # DfE's own symbols are no finding: the generated file has c and x cells and loads clean otherwise.
    symbols = warehouse.query("select count(*) from raw.dfe_workforce where agency_rate_fte in ('c', 'x')")
    assert symbols[0][0] > 0
