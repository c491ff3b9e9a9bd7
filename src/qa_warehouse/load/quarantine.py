"""What a person reads when a file is refused: which file, row, column and rule, and what next."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from qa_warehouse.problems import Violation

MAX_ROWS_PER_RULE_IN_REPORT = 50


def write_report(
    quarantine_dir: Path, landing_path: Path, load_id: int, violations: list[Violation], kept_table: str | None
) -> Path:
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
        "the next run loads it. Contract: src/qa_warehouse/load/contracts/<extract>.yml.",
    ]
    report = quarantine_dir / f"{stem}.report.txt"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (quarantine_dir / f"{stem}.report.json").write_text(
        json.dumps([asdict(v) for v in violations], indent=1, default=str), encoding="utf-8"
    )
    return report
