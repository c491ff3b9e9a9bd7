"""Extract tables in memory, and how each authority's export writes them to a landing file.

Real exports differ in encoding, date format, line endings and Excel's leftovers; the synthetic
authorities cycle through those variants so that ingest meets all of them. Audit, feedback and
complaints tools often export spreadsheets instead, so some authorities write those as .xlsx.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from qa_warehouse.load.contracts import all_contracts, get_contract

CellValue = str | int | float | date | None  # float: the workforce extracts' FTEs


@dataclass
class ExtractTable:
    """One extract's rows for one authority; a missing or None cell is written blank."""

    extract: str
    columns: list[str]
    rows: list[dict[str, CellValue]]


def normalise_code(value: CellValue) -> str:
    """A code as staging's normalise_code reads it: lower case, trimmed, spaces and hyphens as
    underscores, so `Requires Improvement` and `requires-improvement` are `requires_improvement`."""
    return "_".join(str(value).strip().lower().replace("-", " ").split())


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
            # Read as staging and the gate read codes, so exported label variants are accepted.
            bad = {normalise_code(row[column.name]) for row in rows if row.get(column.name)} - set(column.codes)
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


# The DfE 903 tables' extracts (ssda903_header ...): their files keep DfE's dd/mm/yyyy dates.
SSDA903_PREFIX = "ssda903_"
SSDA903_DATE_FORMAT = "%d/%m/%Y"


def landing_file_name(extract: str, la_code: str, as_at: date, suffix: str = "csv") -> str:
    """`<stem>_<la_code>_<yyyymmdd>.csv` (or `.xlsx`, or `.xml` for a census return), as EXTRACTS.md
    ("Delivery") names a landing file: the stem is the extract's name, or its contract's file_stem
    (903 files: `903_<table>`)."""
    if suffix not in ("csv", "xlsx", "xml"):
        raise ValueError(f"a landing file is .csv, .xlsx or .xml, not .{suffix}")
    stem = all_contracts()[extract].file_name_stem if extract in all_contracts() else extract
    return f"{stem}_{la_code}_{as_at:%Y%m%d}.{suffix}"


def export_format(extract: str, file_format: FileFormat) -> FileFormat:
    """The authority's export format for an extract: 903 files keep DfE's dd/mm/yyyy dates whatever
    else (encoding, line endings, Excel's blank rows) the authority's export does."""
    if extract.startswith(SSDA903_PREFIX) and file_format.date_format != SSDA903_DATE_FORMAT:
        return replace(file_format, name=f"{file_format.name}, 903 dates dd/mm/yyyy", date_format=SSDA903_DATE_FORMAT)
    return file_format


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


# Zip entries carry a modification time; a fixed one (the zip format's earliest) keeps the bytes stable.
ZIP_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)
XLSX_DATE_FORMAT = "dd/mm/yyyy"


def write_workbook(table: ExtractTable, path: Path, title: str, as_at: date) -> Path:
    """The table as the first sheet of an .xlsx, laid out as audit and survey tools export it: a
    title row (merged across the first columns) and a blank row above the header, dates as date
    cells (a `str` cell stays text, as a typed date would), integers as numbers, None blank.

    The same table always gives the same bytes: the workbook's created and modified times are
    the extract date, and the zip entries get a fixed time (openpyxl stamps the current time on
    both).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Export"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(6, len(table.columns)))
    sheet.append([])
    sheet.append(table.columns)
    for row_number, row in enumerate(table.rows, start=4):
        for column_number, column in enumerate(table.columns, start=1):
            value = row.get(column)
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, date):
                cell.number_format = XLSX_DATE_FORMAT

    stamp = datetime(as_at.year, as_at.month, as_at.day)
    workbook.properties.creator = "qa-warehouse synthetic generator"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    unstable = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which overwrites `modified` with the current time.
    ExcelWriter(workbook, zipfile.ZipFile(unstable, "w", zipfile.ZIP_DEFLATED)).save()

    stable = io.BytesIO()
    with zipfile.ZipFile(unstable) as source, zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_ENTRY_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = entry.external_attr
            target.writestr(fixed, source.read(entry.filename))
    path.write_bytes(stable.getvalue())
    return path
