"""Extract tables in memory, and how each authority's export writes them to a landing file.

Real exports differ in encoding, date format, line endings and Excel's leftovers; the synthetic
authorities cycle through those variants so that ingest meets all of them.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qa_warehouse.contracts import get_contract

CellValue = str | int | date | None


@dataclass
class ExtractTable:
    """One extract's rows for one authority; a missing or None cell is written blank."""
    extract: str
    columns: list[str]
    rows: list[dict[str, CellValue]]


def contract_table(extract: str, rows: list[dict[str, CellValue]]) -> ExtractTable:
    """The rows as a table in the contract's column order, refusing rows that drift from it."""
    contract = get_contract(extract)
    columns = list(contract.column_names)
    generated = set().union(*(row.keys() for row in rows)) if rows else set()
    unknown = generated - set(columns)
    if unknown:
        raise ValueError(f"{extract}: generated columns not in the contract: {sorted(unknown)}")
    unfilled = {c.name for c in contract.columns if c.required} - generated
    if rows and unfilled:
        raise ValueError(f"{extract}: the generator leaves required columns empty: {sorted(unfilled)}")
    for column in contract.columns:
        if column.codes:
            bad = {str(row[column.name]).lower() for row in rows if row.get(column.name)} - set(column.codes)
            if bad:
                raise ValueError(f"{extract}.{column.name}: generated codes not in the contract: {sorted(bad)}")
    return ExtractTable(extract, columns, rows)


@dataclass(frozen=True)
class FileFormat:
    name: str
    encoding: str
    date_format: str
    line_ending: str
    trailing_blank_rows: int = 0


FILE_FORMATS = (
    FileFormat("utf-8, ISO dates, LF", "utf-8", "%Y-%m-%d", "\n"),
    FileFormat("utf-8 with BOM, dd/mm/yyyy, CRLF", "utf-8-sig", "%d/%m/%Y", "\r\n"),
    # Excel on Windows: ANSI text and the empty rows it keeps after the data.
    FileFormat("cp1252, dd/mm/yyyy, CRLF, trailing blank rows", "cp1252", "%d/%m/%Y", "\r\n", trailing_blank_rows=2),
)


def landing_file_name(extract: str, la_code: str, as_at: date) -> str:
    """`<extract>_<la_code>_<yyyymmdd>.csv`, as EXTRACTS.md ("Delivery") names a landing file."""
    return f"{extract}_{la_code}_{as_at:%Y%m%d}.csv"


def write_extract(table: ExtractTable, path: Path, file_format: FileFormat) -> Path:
    def cell(value: CellValue) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.strftime(file_format.date_format)
        return str(value)

    text = io.StringIO()
    writer = csv.writer(text, lineterminator=file_format.line_ending)
    writer.writerow(table.columns)
    writer.writerows([cell(row.get(column)) for column in table.columns] for row in table.rows)
    writer.writerows([[""] * len(table.columns)] * file_format.trailing_blank_rows)
    # Encode ourselves so that line endings are exactly the format's, whatever the platform.
    path.write_bytes(text.getvalue().encode(file_format.encoding))
    return path
