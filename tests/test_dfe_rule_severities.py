"""The seed dfe_rule_severities.csv stays equal to DfE's 903 validator's rule list, ruleset by ruleset,
so every rule DfE's validator can raise has a severity the data team can see and change
(docs/data-quality.md). Reads the validator's own registry through its environment (.venv-dfe)."""

from __future__ import annotations

import csv
import os

import pytest

from qa_warehouse.load.data_quality import SEVERITIES, dfe_severity
from qa_warehouse.load.gate.dfe import DfeValidatorUnavailable, dfe_903_rules, dfe_python
from qa_warehouse.settings import DBT_PROJECT_DIR

SEED = DBT_PROJECT_DIR / "seeds" / "dfe_rule_severities.csv"


@pytest.fixture(scope="module")
def validator_rules() -> dict[str, dict[str, str]]:
    try:
        dfe_python()
    except DfeValidatorUnavailable as missing:
        if os.environ.get("CI"):
            raise  # CI always has the DfE environment (scripts/setup makes it)
        pytest.skip(str(missing))
    return dfe_903_rules()


def seed_rows() -> list[dict[str, str]]:
    with open(SEED, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_rule_of_every_ruleset_has_one_row_with_its_first_and_last_ruleset(validator_rules):
    rows = {row["rule_code"]: row for row in seed_rows()}
    assert len(rows) == len(seed_rows()), "one row per rule"
    every = {code for rules in validator_rules.values() for code in rules}
    assert set(rows) == every, (sorted(every - set(rows)), sorted(set(rows) - every))
    names = sorted(validator_rules)
    for code, row in rows.items():
        having = [name for name in names if code in validator_rules[name]]
        assert (row["first_ruleset"], row["last_ruleset"]) == (having[0], having[-1]), code
        assert row["message"] == (validator_rules[having[-1]][code] or "").strip(), code


def test_severities_are_hold_or_warn_and_the_gate_reads_them():
    rows = seed_rows()
    assert {row["severity"] for row in rows} <= set(SEVERITIES) - {"refuse_file"}
    for row in rows:
        assert dfe_severity(row["rule_code"]) == row["severity"]
    assert dfe_severity("101") == "hold"  # sex not a valid code: an error
    assert dfe_severity("355") == "warn"  # an episode of under 24 hours: DfE asks to check
    assert dfe_severity("NOT_A_RULE") == "hold" and dfe_severity("NOT_A_RULEQ") == "warn"
