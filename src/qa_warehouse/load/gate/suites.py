"""Build each extract's GX expectation suite from its contract, and keep it beside the contract
(load/contracts/<extract>.suite.json).

The suite files are GX's own JSON, generated (`qa-warehouse suites`) and committed so a
reviewer can read exactly what the gate checks; a test fails when they drift from the contracts.
Every expectation carries meta.rule (the rule name a quarantine report shows) and meta.column.

This module builds plain dictionaries so that it needs no GX import.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from qa_warehouse.load.contracts import CONTRACTS_DIR, Contract, all_contracts
from qa_warehouse.load.raw_schema import GATE_CODE_LISTS, METADATA_COLUMNS, REPORT_CODE_LISTS

EARLIEST_POSSIBLE_DATE = "1900-01-01"
SUBJECT = "_subject"  # the column of an unexpected-rows query that says whom the row is about
# The la_code the file's name declared, recorded in the load log for the row's load.
FILE_LA_CODE = "(select l.la_code from raw.load_log l where l.load_id = b._load_id)"


def _expectation(type_: str, rule: str, rule_column: str | None, description: str, **kwargs) -> dict:
    return {
        "type": type_,
        "kwargs": kwargs,
        "meta": {"rule": rule, "column": rule_column},
        "description": description,
    }


def _rows(rule: str, column: str | None, description: str, select: str, where: str, subject: str | None = None) -> dict:
    """An UnexpectedRowsExpectation: the query returns the offending rows with their row number
    (and, where the contract names one, whom the row is about as _subject)."""
    # GX expands {batch} to "(...) AS subselect": wrap it so the rule can name its own alias.
    who = f"b.{subject} as {SUBJECT}, " if subject else ""
    query = f"select b._source_row, {who}{select} from (select * from {{batch}}) b where {where} order by b._source_row"
    return _expectation("unexpected_rows_expectation", rule, column, description, unexpected_rows_query=query)


def build_suite_document(contract: Contract) -> dict:
    expectations: list[dict] = []
    rows = partial(_rows, subject=contract.subject)
    for column in contract.columns:
        name = column.name
        if column.required:
            expectations.append(
                _expectation(
                    "expect_column_values_to_not_be_null", "required", name, f"{name} is never blank", column=name
                )
            )
        if column.codes:
            # As staging's normalise_code reads them: any case, a space or hyphen for an underscore.
            alternatives = "|".join(code.replace("_", "[ _-]") for code in column.codes)
            expectations.append(
                _expectation(
                    "expect_column_values_to_match_regex",
                    "allowed_codes",
                    name,
                    f"{name} is one of {', '.join(column.codes)} (any case)",
                    column=name,
                    regex=rf"(?i)^\s*({alternatives})\s*$",
                )
            )
        if column.code_list:
            # Valid codes come from the seed (raw.gate_code_lists, loaded before gating) for the
            # collection year the row belongs to; any case, surrounding spaces ignored.
            expectations.append(
                rows(
                    column.code_rule,
                    name,
                    f"{name} is a {column.code_list} code of seeds/{REPORT_CODE_LISTS[column.code_list][0]}"
                    if column.code_list in REPORT_CODE_LISTS
                    else f"{name} is a {column.code_list} code valid in its 903 collection year",
                    f"b.{name}",
                    f"b.{name} is not null and not exists (select 1 from {GATE_CODE_LISTS} c"
                    f" where c.code_list = '{column.code_list}' and c.code = upper(trim(b.{name}))"
                    f" and {_qualified(contract, contract.code_year_date)} between c.valid_from and c.valid_to)",
                )
            )
        if column.min is not None or column.max is not None:
            expectations.append(
                _expectation(
                    "expect_column_values_to_be_between",
                    "value_in_range",
                    name,
                    f"{name} is between {column.min} and {column.max}",
                    column=name,
                    min_value=column.min,
                    max_value=column.max,
                )
            )
        if column.type == "date":
            too_late = f" or b.{name} > b._extract_date" if column.not_after_extract_date else ""
            expectations.append(
                rows(
                    "date_possible",
                    name,
                    f"{name} is on or after {EARLIEST_POSSIBLE_DATE}"
                    + (" and not after the extract date" if column.not_after_extract_date else ""),
                    f"b.{name}",
                    f"b.{name} < date '{EARLIEST_POSSIBLE_DATE}'{too_late}",
                )
            )
        if column.references:
            parent, parent_column = column.references.split(".")
            expectations.append(
                rows(
                    "reference_resolves",
                    name,
                    f"{name} names a {parent_column} in the authority's current {parent} delivery",
                    f"b.{name}",
                    f"b.{name} is not null and not exists (select 1 from raw.{parent} p"
                    f" join raw.current_loads c on c.load_id = p._load_id and c.extract = '{parent}'"
                    f" where p.la_code = b.la_code and p.{parent_column} = b.{name})",
                )
            )
    if len(contract.key) == 1:
        expectations.append(
            _expectation(
                "expect_column_values_to_be_unique",
                "key_unique",
                contract.key[0],
                f"{contract.key[0]} identifies one row",
                column=contract.key[0],
            )
        )
    else:
        # As rows, not GX's compound-uniqueness expectation, which names no row: each row sharing
        # its key with another row of the file is reported. Blank parts count as equal (PARTITION BY
        # groups nulls), as a key part may be blank by design (a CIN referral row has no plan date).
        key = ", ".join(contract.key)
        expectations.append(
            rows(
                "key_unique",
                ", ".join(contract.key),
                f"({', '.join(contract.key)}) identifies one row",
                ", ".join(f"b.{k}" for k in contract.key),
                f"b._source_row in (select _source_row from (select _source_row, count(*) over (partition by {key})"
                f" as sharing from (select * from {{batch}}) o) d where d.sharing > 1)",
            )
        )
    if not contract.la_code_from_file_name:  # else the loader took it from the name
        expectations.append(
            rows(
                "la_code_matches_file",
                "la_code",
                "la_code is the authority the file name declares",
                "b.la_code",
                f"b.la_code is distinct from {FILE_LA_CODE}",
            )
        )
    for rule in contract.rules:
        expectations.append(
            rows(
                rule.name,
                ", ".join(rule.columns) or None,
                rule.description,
                ", ".join(f"b.{c}" for c in rule.columns) or "null as value",
                _qualified(contract, rule.where),
            )
        )
    return {
        "name": contract.extract,
        "expectations": expectations,
        "meta": {"generated_from": f"src/qa_warehouse/load/contracts/{contract.extract}.yml"},
    }


def _qualified(contract: Contract, where: str) -> str:
    """A rule's SQL with its bare column names (and the row's metadata) read from the row `b`.

    Other rows of the same file are `(select * from {batch}) o`, their columns written o.<name>."""
    names = set(contract.column_names) | {name for name, _ in METADATA_COLUMNS}
    return " ".join(f"b.{token}" if token in names else token for token in _tokens(where))


def _tokens(where: str) -> list[str]:
    """Split a rule's SQL on spaces and parentheses so bare column names can be qualified."""
    import re

    return [t for t in re.split(r"(\s+|[(),])", where) if t and not t.isspace()]


def suite_path(extract: str, directory: Path = CONTRACTS_DIR) -> Path:
    return directory / f"{extract}.suite.json"


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def write_suites(directory: Path = CONTRACTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in all_contracts().values():
        path = suite_path(contract.extract, directory)
        path.write_text(render(build_suite_document(contract)), encoding="utf-8")
        written.append(path)
    return written
