"""The row-level data-quality policy: what each finding of the gate does to its row, and the record of it.

Every rule has a severity (docs/data-quality.md):
- refuse_file: the file cannot be trusted; it is quarantined and nothing of it loads;
- hold: the row stays in raw but out of modelling, and is listed; in a 903 or CIN census delivery the
  child is held (all of that child's rows in every file of the delivery), since half a history
  distorts every measure;
- warn: the row loads, and is listed.

Ours come from the contract (a rule's `severity`, else the defaults below); DfE's from the seeds
dfe_rule_severities.csv (903) and dfe_cin_rule_severities.csv (CIN census): errors hold, queries warn. Every finding of every load is kept in
raw.data_quality_issues; held rows in raw.held_rows, which staging's current_snapshot leaves out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from psycopg2.extras import execute_values

from qa_warehouse.load.contracts import Contract
from qa_warehouse.problems import Violation
from qa_warehouse.settings import load_settings

SEVERITIES = ("refuse_file", "hold", "warn")
# Breaking these means the file as a whole cannot be trusted: its layout, its bytes, whose it is, or
# its key (a duplicated key leaves no way to tell which row is the true one).
FILE_RULES = frozenset(
    {
        "required_column",
        "duplicate_column",
        "csv_structure",
        "encoding",
        "key_unique",
        "la_code_matches_file",
        "not_a_workbook",
        "header_not_found",
        "merged_cells",
        "formula_without_value",
        # An XML return that is not DfE's census, or that declares what a safe parser refuses.
        "xml_malformed",
        "xml_dtd",
        "xml_entity",
        "xml_external_reference",
        "xml_forbidden",
        "xml_root",
        "xml_no_events",
    }
)
# DfE's rules, per collection whose validator the gate runs: the data team's seed of severities.
DFE_SEVERITIES_SEEDS = {"903": "dfe_rule_severities.csv", "cin": "dfe_cin_rule_severities.csv"}
DFE_RULE_PREFIX = "dfe_"  # our name for DfE's rule 101 is dfe_101


def contract_severity(contract: Contract, rule: str) -> str:
    """A rule of our gate: the file rules refuse the file; a contract rule may say; else hold."""
    if rule in FILE_RULES:
        return "refuse_file"
    declared = {r.name: r.severity for r in contract.rules}
    return declared.get(rule) or "hold"


@cache
def dfe_severities(collection: str = "903") -> dict[str, str]:
    """DfE rule code -> severity for one collection's validator, from its seed (the data team's to change)."""
    seed = load_settings().dbt_project_dir / "seeds" / DFE_SEVERITIES_SEEDS[collection]
    with open(seed, encoding="utf-8", newline="") as f:
        return {row["rule_code"].strip(): row["severity"].strip() for row in csv.DictReader(f)}


def dfe_severity(code: str, collection: str = "903") -> str:
    """A DfE rule the seed does not know yet: its queries (codes ending in Q) warn, its errors hold."""
    return dfe_severities(collection).get(code) or ("warn" if code.upper().endswith("Q") else "hold")


def with_severity(contract: Contract, violations: Iterable[Violation]) -> list[Violation]:
    """Each violation with its severity; a hold that names no row cannot hold a row, so it refuses the
    file (a warning that names none, such as stray text in an XML header, is listed)."""
    graded = []
    for v in violations:
        severity = v.severity or contract_severity(contract, v.rule)
        if severity == "hold" and v.row is None:
            severity = "refuse_file"
        graded.append(replace(v, severity=severity))
    return graded


def refuses_file(violations: Iterable[Violation]) -> bool:
    return any(v.severity == "refuse_file" for v in violations)


def record_issues(cur, load_id: int, violations: list[Violation], rule_source: str = "contract") -> None:
    """Keep every finding of a load in raw.data_quality_issues (extract, authority and date from its log row)."""
    if not violations:
        return
    execute_values(
        cur,
        f"""insert into raw.data_quality_issues (load_id, extract, la_code, extract_date, file_name, source_row,
               subject, rule, rule_source, severity, column_name, value, message, location)
           select l.load_id, l.extract, l.la_code, l.extract_date, v.*
           from raw.load_log l, (values %s) as v (file_name, source_row, subject, rule, rule_source, severity,
                                                  column_name, value, message, location)
           where l.load_id = {int(load_id)}""",
        [
            (v.file, v.row, v.subject, v.rule, rule_source, v.severity, v.column, v.value, v.message, v.location)
            for v in violations
        ],
        template="(%s, %s::bigint, %s, %s, %s, %s, %s, %s, %s, %s)",
        page_size=5000,
    )


def hold_rows(cur, load_id: int, violations: list[Violation]) -> int:
    """Hold the rows a hold finding names; returns how many distinct rows are held."""
    held = {(v.row, v.subject): v.rule for v in violations if v.severity == "hold" and v.row is not None}
    if held:
        execute_values(
            cur,
            "insert into raw.held_rows (load_id, source_row, subject, held_by) values %s on conflict do nothing",
            [(load_id, row, subject, rule) for (row, subject), rule in held.items()],
            page_size=5000,
        )
    return len({row for row, _ in held})
