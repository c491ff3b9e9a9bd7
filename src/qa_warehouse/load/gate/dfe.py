"""DfE's own validators (csc-validator-be-903 and -cin) as a gate stage, run in their own environment.

The validators pin pandas<2 and numpy<1.25, so they live in .venv-dfe (made by scripts/setup; in the
Docker image at /opt/qa-warehouse/dfe-venv) and runs as a subprocess on dfe_validator_entry.py. Each flagged
row comes back as a DfeFinding; the caller decides what it means (qa_warehouse.load.data_quality).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa_warehouse.periods import period_start_containing

ENTRY_SCRIPT = Path(__file__).with_name("dfe_validator_entry.py")
# The rulesets csc-validator-be-903 0.1.17 and -cin 0.1.13 have: one per collection year (1 April to
# 31 March), lac2022_23 ... lac2026_27 and cin2022_23 ... cin2026_27.
RULESET_PREFIX = {"903": "lac", "cin": "cin"}
FIRST_RULESET_YEAR, LAST_RULESET_YEAR = 2022, 2026
DFE_PYTHON_ENV = "QA_WAREHOUSE_DFE_PYTHON"
VALIDATOR_TIMEOUT_SECONDS = 1800


class DfeValidatorUnavailable(RuntimeError):
    """The DfE environment is missing: a setup problem, not a data problem."""


class DfeValidatorFailed(RuntimeError):
    """The validator itself crashed: it says nothing about the data, so nothing is held or passed."""


@dataclass(frozen=True)
class DfeFinding:
    rule: str  # DfE's rule code, e.g. 101, 1009, 502Q
    table: str | None  # DfE's table name (Header, Episodes...); None: a CIN rule about the whole return
    row: int | None  # 0-based data row of the file given for the table (CIN: of the validator's table)
    child: str | None
    column: str | None = None  # the CIN validator names the columns it flagged


@dataclass
class DfeResult:
    ruleset: str
    messages: dict[str, str]  # rule code -> DfE's message
    findings: list[DfeFinding] = field(default_factory=list)
    could_not_run: list[str] = field(default_factory=list)  # rules that raised inside the validator
    refused: str | None = None  # the validator could not read the delivery at all


@dataclass(frozen=True)
class Ruleset:
    name: str  # lac2024_25
    collection_year: str  # "2025": the year the collection ends, as the validator's metadata wants
    exact: bool  # False when the extract date's year has no ruleset and the nearest is used


def ruleset_for(extract_date: dt.date, collection: str = "903") -> Ruleset:
    """The ruleset of the collection year the extract date falls in (the nearest one outside 2022/23-2026/27)."""
    start = period_start_containing(extract_date, "financial_year").year  # both years run April to March
    year = min(max(start, FIRST_RULESET_YEAR), LAST_RULESET_YEAR)
    return Ruleset(f"{RULESET_PREFIX[collection]}{year}_{(year + 1) % 100:02d}", str(year + 1), exact=year == start)


def dfe_python() -> Path:
    """The DfE environment's interpreter: $QA_WAREHOUSE_DFE_PYTHON, else .venv-dfe beside the checkout."""
    configured = os.environ.get(DFE_PYTHON_ENV)
    candidates = [Path(configured)] if configured else []
    for base in (Path.cwd(), *Path(__file__).resolve().parents):
        candidates.append(base / ".venv-dfe" / "bin" / "python")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise DfeValidatorUnavailable(
        "DfE's 903 validator is not installed: run ./scripts/setup (it makes .venv-dfe), "
        f"or set {DFE_PYTHON_ENV} to a Python that has csc-validator-be-903"
    )


def all_rulesets(collection: str = "903") -> list[Ruleset]:
    return [ruleset_for(dt.date(year, 4, 1), collection) for year in range(FIRST_RULESET_YEAR, LAST_RULESET_YEAR + 1)]


def dfe_903_rules() -> dict[str, dict[str, str]]:
    """Each ruleset's rule codes and DfE's messages, as the validator itself registers them."""
    return _run_entry({"list_rules": [ruleset.name for ruleset in all_rulesets()]})


def dfe_cin_rules() -> dict[str, dict[str, str]]:
    """Each CIN ruleset's rule codes and DfE's messages, as the CIN validator registers them."""
    return _run_entry({"collection": "cin", "list_rules": [ruleset.name for ruleset in all_rulesets("cin")]})


def _run_entry(request: dict) -> dict:
    completed = subprocess.run(
        [str(dfe_python()), str(ENTRY_SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=VALIDATOR_TIMEOUT_SECONDS,
        env={**os.environ, "PYTHONNOUSERSITE": "1"},
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
        raise DfeValidatorFailed(f"DfE's validator exited {completed.returncode}:\n{tail}")
    try:
        return json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        raise DfeValidatorFailed(f"DfE's validator gave no readable result: {error}") from error


def run_903_validator(
    files: list[Path], ruleset: Ruleset, local_authority: str, previous_year_files: Sequence[Path] = ()
) -> DfeResult:
    """Run DfE's validator on one delivery's 903 CSV files (DfE layouts, dates dd/mm/yyyy)."""
    request = {
        "ruleset": ruleset.name,
        "collection_year": ruleset.collection_year,
        "local_authority": local_authority,
        "files": [str(p) for p in files],
        "previous_year_files": [str(p) for p in previous_year_files],
    }
    return _result(ruleset, _run_entry(request))


def run_cin_validator(census_xml: Path, ruleset: Ruleset) -> DfeResult:
    """Run DfE's CIN validator on one census return in DfE's XML layout (cin_xml.write_return)."""
    return _result(ruleset, _run_entry({"collection": "cin", "ruleset": ruleset.name, "file": str(census_xml)}))


def _result(ruleset: Ruleset, output: dict) -> DfeResult:
    if "refused" in output:
        return DfeResult(ruleset.name, {}, refused=output["refused"])
    return DfeResult(
        ruleset.name,
        {code: message or "" for code, message in output["messages"].items()},
        [DfeFinding(f["rule"], f["table"], f["row"], f["child"], f.get("column")) for f in output["findings"]],
        output["could_not_run"],
    )


if __name__ == "__main__":  # a quick look at a folder of 903 CSVs: python -m qa_warehouse.load.gate.dfe DIR DATE GSS
    folder, as_at, gss = sys.argv[1:4]
    result = run_903_validator(sorted(Path(folder).glob("*.csv")), ruleset_for(dt.date.fromisoformat(as_at)), gss)
    print(json.dumps({"ruleset": result.ruleset, "refused": result.refused, "flagged": len(result.findings)}))
