"""Turn the first sheet of an .xlsx delivery into the CSV bytes the loader already reads.

A workbook then takes exactly the CSV path (decode, header check, COPY, GX gate), so a value
in a cell is judged by the same rules as the same value in a CSV. What only a workbook can get
wrong is found here and reported as Violations: no header row, merged cells over the data,
formulas without a saved value, bytes that are no workbook at all.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import replace
from datetime import date, datetime
from typing import NamedTuple

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries

from qa_warehouse.load.contracts import Contract
from qa_warehouse.problems import Violation

HEADER_SEARCH_ROWS = 20  # audit tools put titles and blank rows above the header
# What opening or reading arbitrary bytes as a workbook can raise: a file problem, not a bug of ours.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, OSError, EOFError, SyntaxError)
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([^"]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_WORKSHEET_REL = "/worksheet"
_RELS_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class SheetAsCsv(NamedTuple):
    csv: bytes  # UTF-8, normalised header line first; empty when there are violations
    header_row: int | None  # sheet row of the header: data row N is sheet row header_row + N
    violations: list[Violation]


def xlsx_to_csv(data: bytes, contract: Contract, file_name: str) -> SheetAsCsv:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheet_xml = archive.read(_first_worksheet_path(archive))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _convert(workbook.worksheets[0], sheet_xml, contract, file_name)
        finally:
            workbook.close()
    except _UNREADABLE as error:
        return SheetAsCsv(
            b"",
            None,
            [
                Violation(
                    file_name,
                    "not_a_workbook",
                    f"the file cannot be read as an Excel workbook (.xlsx): {type(error).__name__}: {error}; "
                    "save it from Excel as 'Excel Workbook (*.xlsx)' or deliver a CSV",
                )
            ],
        )


def with_sheet_rows(violations: list[Violation], header_row: int) -> list[Violation]:
    """Add the sheet row beside each data row: the person fixing the file sees Excel's numbers."""
    return [
        replace(v, sheet_row=header_row + v.row) if v.row is not None and v.sheet_row is None else v for v in violations
    ]


def _first_worksheet_path(archive: zipfile.ZipFile) -> str:
    """The zip member of the first worksheet, as openpyxl's `worksheets[0]` picks it (chartsheets skipped)."""
    targets = {rel.get("Id"): rel for rel in ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))}
    for sheet in ET.fromstring(archive.read("xl/workbook.xml")).iter():
        rel = targets.get(sheet.get(f"{_RELS_NS}id")) if sheet.tag.endswith("}sheet") else None
        if rel is not None and rel.get("Type", "").endswith(_WORKSHEET_REL):
            target = rel.get("Target", "")  # relative to xl/, or absolute within the package
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise KeyError("the workbook has no worksheet")


def _convert(sheet, sheet_xml: bytes, contract: Contract, file_name: str) -> SheetAsCsv:
    required = {c.name for c in contract.columns if c.required} or {contract.columns[0].name}
    sheet.reset_dimensions()  # a wrong <dimension> written by some tools must not cut rows off
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header_row, header, blank_rows = None, [], 0
    for sheet_row, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if header_row is None:
            names = [_text(value).strip().lower() for value in cells]
            if required <= set(names):
                header_row = sheet_row
                header = names[: max(i for i, name in enumerate(names) if name) + 1]  # later columns are ignored
                writer.writerow(header)
            elif sheet_row >= HEADER_SEARCH_ROWS:
                break
            continue
        values = [_text(value) for value in cells[: len(header)]]
        if not any(values):
            blank_rows += 1  # written only if a row with data follows: trailing blank rows go
            continue
        for _ in range(blank_rows):  # a row of separators keeps data row N at sheet row header_row + N
            writer.writerow([""] * len(header))
        blank_rows = 0
        writer.writerow(values + [""] * (len(header) - len(values)))

    if header_row is None:
        return SheetAsCsv(
            b"",
            None,
            [
                Violation(
                    file_name,
                    "header_not_found",
                    f"no row among the first {HEADER_SEARCH_ROWS} of sheet '{sheet.title}' names every required column; "
                    f"looked for: {', '.join(c for c in contract.column_names if c in required)}",
                )
            ],
        )
    violations = _merged_cell_violations(sheet_xml, header_row, header, file_name)
    if _FORMULA.search(sheet_xml):  # cheap test first: most delivered sheets hold no formula at all
        violations += _formula_violations(sheet_xml, header_row, header, file_name)
    if violations:
        return SheetAsCsv(b"", header_row, violations)
    return SheetAsCsv(out.getvalue().encode("utf-8"), header_row, [])


def _text(value) -> str:
    """A cell as CSV text the contract types read: ISO dates, whole numbers without '.0', true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before numbers: bool is an int
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():  # Excel stores every number as a float
        return str(int(value))
    return str(value)


def _column_name(header: list[str], column: int) -> str | None:
    return (header[column - 1] or None) if column <= len(header) else None


def _merged_cell_violations(sheet_xml: bytes, header_row: int, header: list[str], file_name: str) -> list[Violation]:
    """Merged cells over the header or data hide values in all but the first cell; titles above are fine."""
    tail = sheet_xml[sheet_xml.rfind(b"</sheetData>") + 1 :] if b"</sheetData>" in sheet_xml else sheet_xml
    violations = []
    for ref in _MERGE_CELL.findall(tail):
        ref = ref.decode("ascii", "replace")
        min_col, min_row, _, max_row = range_boundaries(ref)
        if max_row < header_row or min_col > len(header):
            continue
        violations.append(
            Violation(
                file_name,
                "merged_cells",
                f"cells {ref} are merged (sheet rows {min_row}-{max_row}): unmerge the cells and fill every row",
                min_row - header_row if min_row > header_row else None,
                _column_name(header, min_col),
                ref,
                sheet_row=min_row,
            )
        )
    return violations


def _formula_violations(sheet_xml: bytes, header_row: int, header: list[str], file_name: str) -> list[Violation]:
    """Formula cells with no saved result: read as blank, though the sheet shows a value once calculated.

    Files written by programs and never opened in Excel have them. A cached empty text result is
    written as t="str" with an empty <v>, which is a saved value (blank).
    """
    violations = []
    row = column = 0
    for event, element in ET.iterparse(io.BytesIO(sheet_xml), events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "row":  # r is optional: without it, rows and cells follow one another
                row, column = int(element.get("r") or row + 1), 0
            continue
        if tag == "row":
            element.clear()
        if tag != "c":
            continue
        ref = element.get("r")
        column = range_boundaries(ref)[0] if ref else column + 1
        formula = next((child for child in element if child.tag.endswith("}f") or child.tag == "f"), None)
        if formula is None or row < header_row or column > len(header):
            continue
        saved = next((child.text for child in element if child.tag.endswith("}v") or child.tag == "v"), None)
        if not saved and element.get("t") != "str":
            cell = f"{get_column_letter(column)}{row}"
            violations.append(
                Violation(
                    file_name,
                    "formula_without_value",
                    f"cell {cell} holds a formula with no saved value (the file was written by a program and never "
                    "calculated): open and save it in Excel, or deliver values",
                    row - header_row if row > header_row else None,
                    _column_name(header, column),
                    "=" + (formula.text or ""),
                    sheet_row=row,
                )
            )
    return violations
