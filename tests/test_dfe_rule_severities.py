"""The seeds dfe_rule_severities.csv (903) and dfe_cin_rule_severities.csv (CIN census) stay equal to
DfE's validators' rule lists, ruleset by ruleset, so every rule DfE's validators can raise has a
severity the data team can see and change (docs/data-quality.md). Reads each validator's own
registry through its environment (.venv-dfe)."""

from __future__ import annotations

import csv
import glob
import os
import re

import pytest

from qa_warehouse.load.data_quality import DFE_SEVERITIES_SEEDS, SEVERITIES, dfe_severity
from qa_warehouse.load.gate.dfe import DfeValidatorUnavailable, dfe_903_rules, dfe_cin_rules, dfe_python
from qa_warehouse.settings import DBT_PROJECT_DIR

COLLECTIONS = sorted(DFE_SEVERITIES_SEEDS)  # 903, cin


@pytest.fixture(scope="module")
def validator_rules() -> dict[str, dict[str, dict[str, str]]]:
    try:
        dfe_python()
    except DfeValidatorUnavailable as missing:
        if os.environ.get("CI"):
            raise  # CI always has the DfE environment (scripts/setup makes it)
        pytest.skip(str(missing))
    return {"903": dfe_903_rules(), "cin": dfe_cin_rules()}


def seed_rows(collection: str) -> list[dict[str, str]]:
    with open(DBT_PROJECT_DIR / "seeds" / DFE_SEVERITIES_SEEDS[collection], encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_rule_of_every_ruleset_has_one_row_with_its_first_and_last_ruleset(validator_rules, collection):
    rulesets = validator_rules[collection]
    rows = {row["rule_code"]: row for row in seed_rows(collection)}
    assert len(rows) == len(seed_rows(collection)), "one row per rule"
    every = {code for rules in rulesets.values() for code in rules}
    assert set(rows) == every, (sorted(every - set(rows)), sorted(set(rows) - every))
    names = sorted(rulesets)
    for code, row in rows.items():
        having = [name for name in names if code in rulesets[name]]
        assert (row["first_ruleset"], row["last_ruleset"]) == (having[0], having[-1]), code
        assert row["message"] == (rulesets[having[-1]][code] or "").strip(), code


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_severities_are_hold_or_warn_and_the_gate_reads_them(collection):
    rows = seed_rows(collection)
    assert {row["severity"] for row in rows} <= set(SEVERITIES) - {"refuse_file"}
    for row in rows:
        assert dfe_severity(row["rule_code"], collection) == row["severity"]
    assert dfe_severity("NOT_A_RULE", collection) == "hold" and dfe_severity("NOT_A_RULEQ", collection) == "warn"


def test_903_errors_hold_and_queries_warn():
    assert dfe_severity("101") == "hold"  # sex not a valid code: an error
    assert dfe_severity("355") == "warn"  # an episode of under 24 hours: DfE asks to check


def test_cin_errors_hold_and_queries_and_rules_about_the_whole_return_warn():
    rows = {row["rule_code"]: row for row in seed_rows("cin")}
    for code, row in rows.items():
        query = code.endswith("Q") or "please check" in row["message"].lower()
        if query:
            assert row["severity"] == "warn", code
    assert dfe_severity("8866", "cin") == "hold"  # referral source not a valid code: an error
    assert dfe_severity("8770Q", "cin") == "warn"  # a school-age child without a UPN: DfE asks to check
    # DfE's rules about the return as a whole name no child, so no row can be held: they warn.
    for code in return_level_cin_rules():
        assert rows[code]["severity"] == "warn", code


def return_level_cin_rules() -> set[str]:
    """The CIN rules about the return as a whole, read from the validator's source: the Header's rules
    and those pushed as LA-level issues (cin_validator's rule_context.push_la_level)."""
    try:
        python = dfe_python()
    except DfeValidatorUnavailable:
        pytest.skip("DfE's CIN validator is not installed")
    venv = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    found = set()
    for path in glob.glob(
        os.path.join(venv, "lib", "python3*", "site-packages", "cin_validator", "rules", "*", "rule_*.py")
    ):
        with open(path, encoding="utf-8") as f:
            source = f.read()
        if "module=CINTable.Header" in source or "push_la_level" in source:
            found.add(re.search(r'code="([^"]+)"', source).group(1))
    assert {"100", "2883"} <= found, found
    return found
