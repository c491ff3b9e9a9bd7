"""What a person reads when a file is refused: which file, row, column and rule, and what next."""
from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path


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

    def describe(self) -> str:
        sheet = f"sheet row {self.sheet_row}" if self.sheet_row is not None else None
        where = [f"row {self.row}" + (f" ({sheet})" if sheet else "") if self.row is not None else sheet or "whole file"]
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


class QuarantinedFile(Exception):
    """A landing file broke its contract; it was kept aside and nothing from it was loaded."""

    def __init__(self, file_name: str, violations: list[Violation], report_path: Path | None = None):
        self.file_name = file_name
        self.violations = violations
        self.report_path = report_path
        rules = sorted({v.rule for v in violations})
        super().__init__(
            f"{file_name} quarantined: {len(violations)} problem(s), rules {', '.join(rules)}"
            + (f"; report {report_path}" if report_path else "")
            + "\n" + "\n".join(v.describe() for v in violations[:20])
        )


MAX_ROWS_PER_RULE_IN_REPORT = 50


def write_report(quarantine_dir: Path, landing_path: Path, load_id: int, violations: list[Violation],
                 kept_table: str | None) -> Path:
    """Copy the file aside and write a readable report (and a JSON twin for scripts) beside it."""
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{landing_path.name}.load{load_id}"
    shutil.copy2(landing_path, quarantine_dir / stem)
    lines = [
        f"{landing_path.name} was quarantined (load {load_id}). Nothing from it was loaded or published;",
        "the previously accepted delivery of this extract stays current.",
        "",
    ]
    shown: dict[str, int] = {}
    for violation in violations:
        shown[violation.rule] = shown.get(violation.rule, 0) + 1
        if shown[violation.rule] <= MAX_ROWS_PER_RULE_IN_REPORT:
            lines.append("  " + violation.describe())
    for rule, count in shown.items():
        if count > MAX_ROWS_PER_RULE_IN_REPORT:
            lines.append(f"  ... rule {rule}: {count - MAX_ROWS_PER_RULE_IN_REPORT} more rows (see the JSON report)")
    lines += [
        "",
        f"The file is kept at {quarantine_dir / stem}.",
        f"Its rows are kept for inspection in the table {kept_table}." if kept_table else "",
        "Next: correct the extract at source and deliver it again under the same name pattern;",
        "the next run loads it. Contract: plugins/qa_warehouse/contracts/<extract>.yml.",
    ]
    report = quarantine_dir / f"{stem}.report.txt"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (quarantine_dir / f"{stem}.report.json").write_text(
        json.dumps([asdict(v) for v in violations], indent=1, default=str), encoding="utf-8"
    )
    return report
