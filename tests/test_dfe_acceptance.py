"""DfE's own 903 validator accepts our synthetic 903 return: 0 flagged rows.

`qa-warehouse generate --area children_in_care` writes what an authority submits for the collection
year holding the as-at date. Here DfE's validator (csc-validator-be-903 in .venv-dfe, run through
qa_warehouse.load.gate.dfe.run_903_validator) checks it with that year's ruleset and the
authority's GSS code, for a 2024/25 and a 2025/26 date, several volumes, two authorities and three
seeds. Without .venv-dfe the test skips, and fails when CI is set (CI must run it).

The only rows allowed are the validator's own bugs (qa_warehouse.load.gate.dfe_known_bugs, each with
its file and line), which the gate also records as warnings, not holds.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from qa_warehouse.load.gate.dfe import DfeFinding, ruleset_for, run_903_validator
from qa_warehouse.load.gate.dfe_known_bugs import Tables, validator_bug
from qa_warehouse.load.ssda903_delivery import gss_codes
from qa_warehouse_synthetic import generate_extracts

# The generator's first two DfE LA codes; the validator takes each authority's ONS code, as the gate
# gives it (the seed authorities.csv).
LA_CODES = ("885", "886")  # Worcestershire, Kent

# (label, as-at date, households per authority, authorities, seed)
CASES = [
    ("2024-25", date(2025, 3, 31), 600, 1, 1),
    ("2025-26", date(2025, 12, 31), 600, 1, 1),
    ("2024-25-small-two-authorities", date(2025, 3, 31), 200, 2, 2),
    ("2025-26-two-authorities", date(2025, 12, 31), 600, 2, 2),
    ("2024-25-large", date(2025, 3, 31), 2000, 1, 3),
    ("2025-26-large", date(2025, 12, 31), 1500, 1, 3),
]

TABLE_FILES = {
    "Header": "header",
    "Episodes": "episodes",
    "Reviews": "reviews",
    "UASC": "uasc",
    "OC2": "oc2",
    "OC3": "oc3",
    "AD1": "ad1",
    "PlacedAdoption": "placed_adoption",
    "PrevPerm": "prev_perm",
    "Missing": "missing",
    "SWEpisodes": "sw_episodes",
}


def _read_tables(files: list[Path]) -> Tables:
    tables = {}
    for table, stem in TABLE_FILES.items():
        path = next(p for p in files if p.name.startswith(f"903_{stem}_"))
        with path.open(newline="", encoding="utf-8-sig") as handle:  # the second authority writes a BOM
            tables[table] = list(csv.DictReader(handle))
    return tables


@pytest.mark.parametrize(
    ("as_at", "households", "authorities", "seed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_dfe_validator_flags_no_row_of_the_synthetic_903_return(
    dfe_validator, tmp_path, as_at, households, authorities, seed
):
    paths = generate_extracts(
        tmp_path, households=households, authorities=authorities, seed=seed, as_at=as_at, areas=("children_in_care",)
    )
    ruleset = ruleset_for(as_at)
    assert ruleset.exact, f"csc-validator-be-903 has no ruleset for {as_at}"
    problems = []
    for la_code in LA_CODES[:authorities]:
        gss_code = gss_codes()[la_code]
        files = [p for p in paths if p.name.startswith("903_") and f"_{la_code}_" in p.name]
        assert len(files) == len(TABLE_FILES), files
        result = run_903_validator(files, ruleset, gss_code)
        assert result.refused is None, f"{la_code}: DfE's validator refused the delivery: {result.refused}"
        tables = _read_tables(files)
        flagged: dict[tuple[str, str], list[DfeFinding]] = defaultdict(list)
        allowed = 0
        for finding in result.findings:
            row = tables[finding.table][finding.row]
            if validator_bug(ruleset.name, finding.rule, finding.table, row, tables):
                allowed += 1
                continue
            flagged[(finding.rule, finding.table)].append(finding)
        for (rule, table), findings in sorted(flagged.items()):
            rows = "; ".join(f"row {f.row} child {f.child}: {tables[table][f.row]}" for f in findings[:3])
            problems.append(
                f"{la_code} {ruleset.name} rule {rule} ({table}, {len(findings)} rows): "
                f"{result.messages.get(rule, '')}\n    {rows}"
            )
        print(f"{la_code} {ruleset.name}: {len(result.findings)} flagged, {allowed} of them the validator's own bugs")
    assert not problems, "DfE's validator flags the synthetic 903 return:\n" + "\n".join(problems)
