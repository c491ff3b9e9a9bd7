"""Reading what the warehouse published, for the end-to-end tests to compare with tests/reference."""

from __future__ import annotations

import shutil
from contextlib import closing
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

# PostgreSQL's numeric division keeps 16 or more significant digits; the references are exact.
TOLERANCE = Fraction(1, 10**12)


def published(warehouse, table: str) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of reporting.<table>."""
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute(f"select * from reporting.{table}")
        return [d.name for d in cur.description], cur.fetchall()


def published_by_grain(warehouse, table: str, grain: tuple[str, ...]) -> dict[tuple, dict]:
    """reporting.<table>'s rows keyed by their grain; fails on two rows for one key."""
    columns, rows = published(warehouse, table)
    by_key = {}
    for row in rows:
        values = dict(zip(columns, row))
        key = tuple(values[c] for c in grain)
        assert key not in by_key, f"{table}: two rows for {key}"
        by_key[key] = values
    return by_key


def assert_same_figures(expected: dict[tuple, dict], got: dict[tuple, dict], table: str = "") -> None:
    """Every key of the reference is published and nothing else, and every figure is the same."""
    label = f"{table}: " if table else ""
    missing, extra = sorted(set(expected) - set(got), key=repr), sorted(set(got) - set(expected), key=repr)
    assert not missing and not extra, (
        f"{label}{len(missing)} missing e.g. {missing[:3]}; {len(extra)} extra e.g. {extra[:3]}"
    )
    wrong = [
        (key, name, value, got[key].get(name, "<no such column>"))
        for key, figures in expected.items()
        for name, value in figures.items()
        if not same(value, got[key].get(name, "<no such column>"))
    ]
    assert not wrong, f"{label}{len(wrong)} figures differ (key, figure, expected, got); first: {wrong[:5]}"


def every_published_table(warehouse) -> dict[str, list]:
    """Every reporting table's rows (order-free): what a refused delivery must leave exactly as it was."""
    tables = [
        t
        for (t,) in warehouse.query(
            "select tablename from pg_tables where schemaname = 'reporting' and tablename <> 'publication_log'"
        )
    ]
    return {t: sorted(warehouse.query(f"select * from reporting.{t}"), key=repr) for t in tables}


def current_loads(warehouse) -> list[tuple]:
    return warehouse.query("select extract, la_code, load_id from raw.current_loads order by extract, la_code")


def snapshot(warehouse, tables) -> dict[str, list[tuple]]:
    """Every row of the tables, in a stable order: to show a publication unchanged."""
    return {table: sorted(published(warehouse, table)[1], key=repr) for table in tables}


def same(expected, got) -> bool:
    """An exact reference figure against a published one: Fractions within TOLERANCE, numbers exactly."""
    if isinstance(expected, Fraction):
        return got is not None and abs(Fraction(got) - expected) <= TOLERANCE
    if isinstance(got, Decimal) and expected is not None and not isinstance(expected, bool):
        return Fraction(got) == expected
    return got == expected


def run_damaged_delivery(
    warehouse, landing: Path, capsys, defect: str, area: str, as_at: date
) -> tuple[str, list[dict]]:
    """Deliver the first authority's `area` extract as at `as_at`, damaged by the named defect, into
    `landing`; check `qa-warehouse run` quarantines it, naming the file; return (file name, its errors)."""
    from qa_warehouse import cli
    from qa_warehouse_synthetic import DEFECTS, generate_extracts

    generated = Path(landing) / "generated"
    generate_extracts(
        generated, households=40, years=2, authorities=1, seed=1, as_at=as_at, defects=(defect,), areas=(area,)
    )
    damaged = next(generated.glob(f"{DEFECTS[defect].extract}_*.csv"))
    shutil.copy(damaged, Path(landing) / damaged.name)
    shutil.rmtree(generated)
    capsys.readouterr()
    assert cli.main(["run", "--landing", str(landing)]) == cli.ExitCode.QUARANTINED == 4
    assert damaged.name in capsys.readouterr().err
    ((errors,),) = warehouse.query(
        "select errors from raw.load_log where file_name = %s and status = 'quarantined' order by load_id desc limit 1",
        (damaged.name,),
    )
    return damaged.name, errors


def ingest_row_defect(warehouse, folder: Path, defect: str, area: str, as_at: date) -> tuple[str, list[dict], int]:
    """Ingest (not build) the first authority's `area` extracts as at `as_at`, one damaged by the
    named row defect, into `warehouse` (a fresh one), and run DfE's validators on the delivery: the
    damaged file must load with its bad rows held back (docs/data-quality.md). Returns (file name, its findings, its rows held)."""
    from qa_warehouse.load.contracts import load_order
    from qa_warehouse.load.ingest import ingest_extract
    from qa_warehouse.pipeline import gate_dfe_deliveries
    from qa_warehouse_synthetic import DEFECTS, generate_extracts

    generate_extracts(
        folder, households=40, years=2, authorities=1, seed=1, as_at=as_at, defects=(defect,), areas=(area,)
    )
    damaged = next(folder.glob(f"{DEFECTS[defect].extract}_*"))
    for extract in load_order():
        ingest_extract(extract, folder)  # raises QuarantinedFiles if any file is refused
    gate_dfe_deliveries()  # DfE's validators judge the delivery (a code only DfE's rules know is found here)
    ((load_id, status, held),) = warehouse.query(
        "select load_id, status, rows_held from raw.load_log where file_name = %s order by load_id desc limit 1",
        (damaged.name,),
    )
    assert status == "accepted", f"{damaged.name} was {status}: a row defect holds its rows, not the file"
    columns = "file_name as file, source_row as row, column_name as column, rule, severity, subject, value"
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute(f"select {columns} from raw.data_quality_issues where load_id = %s order by issue_id", (load_id,))
        findings = [dict(zip([d.name for d in cur.description], row)) for row in cur.fetchall()]
    return damaged.name, findings, held
