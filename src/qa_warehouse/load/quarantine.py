"""What a person reads about a file's findings: which file, row, column and rule, how many, and what next.

A refused file gets a quarantine report (the file is copied aside); an accepted file with rows held
back or warned about gets a findings report. Each has a JSON twin listing every finding; the text
shows the first rows of each rule and its true total ("200 of 1,413").
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from qa_warehouse.problems import Violation

MAX_ROWS_PER_RULE_IN_REPORT = 200
NEXT_STEPS = "Contract: src/qa_warehouse/load/contracts/<extract>.yml; policy: docs/data-quality.md."


def write_report(
    quarantine_dir: Path, landing_path: Path, load_id: int, violations: list[Violation], kept_table: str | None
) -> Path:
    """Copy the refused file aside and write its report (and a JSON twin for scripts) beside it."""
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{landing_path.name}.load{load_id}"
    shutil.copy2(landing_path, quarantine_dir / stem)
    lines = [
        f"{landing_path.name} was quarantined (load {load_id}). Nothing from it was loaded or published;",
        "the previously accepted delivery of this extract stays current.",
        "",
        *findings_lines(violations),
        "",
        f"The file is kept at {quarantine_dir / stem}.",
        f"Its rows are kept for inspection in the table {kept_table}." if kept_table else "",
        "Next: correct the extract at source and deliver it again under the same name pattern;",
        "the next run loads it. " + NEXT_STEPS,
    ]
    return write_report_files(quarantine_dir, stem, lines, violations)


def write_findings_report(quarantine_dir: Path, landing_path: Path, load_id: int, violations: list[Violation]) -> Path:
    """The report of a file that loaded with rows held back or warned about."""
    held = len({v.row for v in violations if v.severity == "hold"})
    lines = [
        f"{landing_path.name} was loaded (load {load_id}) with {held:,} rows held back out of every figure;",
        "warned rows loaded. Each finding is listed below and kept in raw.data_quality_issues.",
        "",
        *findings_lines(violations),
        "",
        "Next: correct the rows at source; the next delivery replaces this one. " + NEXT_STEPS,
    ]
    return write_report_files(quarantine_dir, f"{landing_path.name}.load{load_id}.findings", lines, violations)


def findings_lines(violations: list[Violation]) -> list[str]:
    """Per rule: its total, then its first rows."""
    by_rule: dict[str, list[Violation]] = defaultdict(list)
    for v in violations:
        by_rule[v.rule].append(v)
    lines = []
    for rule, found in by_rule.items():
        total, shown = len(found), found[:MAX_ROWS_PER_RULE_IN_REPORT]
        extent = f"{total:,} rows" if len(shown) == total else f"{len(shown):,} of {total:,} rows shown"
        lines.append(f"rule {rule} ({found[0].severity or 'refuse_file'}): {extent}")
        lines += ["  " + v.describe() for v in shown]
        if len(shown) < total:
            lines.append(f"  ... {total - len(shown):,} more (every row is in the JSON report)")
    return lines


def write_report_files(directory: Path, stem: str, lines: list[str], violations: list[Violation]) -> Path:
    """<stem>.report.txt for people and <stem>.report.json (every finding) for scripts."""
    directory.mkdir(parents=True, exist_ok=True)
    report = directory / f"{stem}.report.txt"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / f"{stem}.report.json").write_text(
        json.dumps([asdict(v) for v in violations], indent=1, default=str), encoding="utf-8"
    )
    return report
