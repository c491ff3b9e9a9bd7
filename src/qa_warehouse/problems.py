"""What went wrong, in the words a person reads: a rule broken by a row or a file (Violation) and a
delivery's problem in an alert (Problem).

Shared by the load, the freshness check and the alerts, so every message names file, row, column
and rule the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    file: str
    rule: str
    message: str
    row: int | None = None  # data row: 1 is the first row after the header
    column: str | None = None
    value: str | None = None
    sheet_row: int | None = None  # a workbook's row as Excel numbers it (header sheet row + data row)
    subject: str | None = None  # whom the row is about, as the contract's subject column names it (903: CHILD)
    severity: str | None = None  # refuse_file, hold or warn (qa_warehouse.load.data_quality)
    location: str | None = None  # where in an XML return: "line 57, /Message/Children/Child[3]/..."

    def describe(self) -> str:
        sheet = f"sheet row {self.sheet_row}" if self.sheet_row is not None else self.location
        where = [
            f"row {self.row}" + (f" ({sheet})" if sheet else "") if self.row is not None else sheet or "whole file"
        ]
        if self.subject is not None:  # contracts name a subject only for children so far (903 CHILD, child_id)
            where.append(f"child {self.subject}")
        if self.column:
            where.append(f"column {self.column}")
        value = f"; found {self.value!r}" if self.value is not None else ""
        return f"{self.file}: {', '.join(where)}, rule {self.rule}: {self.message}{value}"


@dataclass(frozen=True)
class Problem:
    """One line of an alert: a delivery (or an expected one), the rule it broke, and the detail."""

    file: str
    rule: str  # a contract or gate rule, e.g. allowed_codes, open_quarantine, freshness
    detail: str = ""
