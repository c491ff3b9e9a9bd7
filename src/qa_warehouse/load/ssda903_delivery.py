"""Gate a 903 delivery as a whole: DfE's validator on all its files, then hold each child it faults.

Each 903 file is loaded and gated on its own first (loader.py: layout, types, keys). DfE's rules
read across tables (an episode against its child's header, reviews against episodes), so they run
here, once the delivery's files are in: every accepted 903 load of an authority's delivery (one
extract date) is written out in DfE's layout and given to DfE's validator with the ruleset of the
collection year the extract date falls in. Each finding is recorded with its severity from the seed
dfe_rule_severities.csv; then every child with a hold finding (ours or DfE's) is held: all of that
child's rows in every file of the delivery, since half a history would distort every measure.

Only deliveries that hold a current load are checked (older ones are never modelled), and a
delivery is checked again when its set of loads changes. Safe to re-run.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from functools import cache
from pathlib import Path

from psycopg2 import sql

from qa_warehouse.load.contracts import Contract, all_contracts
from qa_warehouse.load.data_quality import DFE_RULE_PREFIX, dfe_severity
from qa_warehouse.load.dfe_delivery import (
    DeliveryLoad,
    DeliveryOutcome,
    clear_dfe_findings,
    finish_delivery,
    gate_each_delivery,
)
from qa_warehouse.load.gate.dfe import DfeValidatorFailed, ruleset_for, run_903_validator
from qa_warehouse.load.gate.dfe_known_bugs import validator_bug
from qa_warehouse.problems import Violation
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import Warehouse

AUTHORITIES_SEED = "authorities.csv"


def ssda903_contracts() -> dict[str, Contract]:
    return {c.extract: c for c in all_contracts().values() if c.dfe_table}


@cache
def gss_codes() -> dict[str, str]:
    """Three-digit DfE LA code -> the ONS code DfE's validator knows the authority by."""
    seed = load_settings().dbt_project_dir / "seeds" / AUTHORITIES_SEED
    with open(seed, encoding="utf-8", newline="") as f:
        return {row["la_code"].strip(): row["gss_code"].strip() for row in csv.DictReader(f)}


def gate_ssda903_deliveries(warehouse: Warehouse | None = None) -> list[DeliveryOutcome]:
    """Run DfE's validator on every current 903 delivery not yet checked with its present loads."""
    return gate_each_delivery("903", ssda903_contracts(), _gate_delivery, warehouse)


def _gate_delivery(cur, la_code: str, extract_date: dt.date, loads: list[DeliveryLoad]) -> DeliveryOutcome:
    ruleset = ruleset_for(extract_date)
    try:
        gss = gss_codes()[la_code]
    except KeyError:
        raise DfeValidatorFailed(
            f"authority {la_code} is not in the seed {AUTHORITIES_SEED}: DfE's validator needs its ONS code"
        ) from None
    with tempfile.TemporaryDirectory(prefix="qaw-dfe-") as folder:
        exported = {str(load.contract.dfe_table): (load, *_export(cur, load, Path(folder))) for load in loads}
        result = run_903_validator([path for _, path, _, _ in exported.values()], ruleset, gss)
    if result.refused:
        # Our layouts are DfE's (a test holds them together): a refusal is a fault of ours, not the data's.
        raise DfeValidatorFailed(
            f"DfE's validator could not read the {la_code} delivery of {extract_date}: {result.refused}"
        )
    load_ids = [load.load_id for load in loads]
    clear_dfe_findings(cur, load_ids, "903")
    by_load: dict[int, list[Violation]] = {load_id: [] for load_id in load_ids}
    tables = {table: as_read for table, (_, _, _, as_read) in exported.items()}
    for finding in result.findings:
        assert finding.table is not None and finding.row is not None  # the 903 validator flags table rows only
        load, _, source_rows, as_read = exported[finding.table]
        message = f"DfE {ruleset.name} rule {finding.rule}: {result.messages.get(finding.rule, '')}"
        severity = dfe_severity(finding.rule)
        bug = validator_bug(ruleset.name, finding.rule, finding.table, as_read[finding.row], tables)
        if bug:  # the validator's own bug: listed, never held
            message, severity = f"{message} [not held: a known bug of DfE's validator, {bug}]", "warn"
        by_load[load.load_id].append(
            Violation(
                load.file_name,
                f"{DFE_RULE_PREFIX}{finding.rule}",
                message,
                source_rows[finding.row],
                subject=finding.child,
                severity=severity,
            )
        )
    return finish_delivery(cur, "903", la_code, extract_date, loads, ruleset, result, by_load)


def _export(cur, load: DeliveryLoad, folder: Path) -> tuple[Path, list[int], list[dict[str, str]]]:
    """The load's rows in DfE's layout (its column names, dates dd/mm/yyyy, flags 1/0), in file order;
    the source row of each (the validator's row i is the file's source_rows[i]); and the rows as the
    validator reads them (upper-case text), to tell its known bugs from real findings."""
    contract = load.contract
    columns = [c for c in contract.columns if c.name != "la_code"]
    rendered = [
        sql.SQL("to_char({c}, 'DD/MM/YYYY')").format(c=sql.Identifier(c.name))
        if c.type == "date"
        else sql.SQL("case when {c} then '1' when not {c} then '0' end").format(c=sql.Identifier(c.name))
        if c.type == "flag"
        else sql.Identifier(c.name)
        for c in columns
    ]
    query = sql.SQL("select _source_row, {} from {} where _load_id = {} order by _source_row").format(
        sql.SQL(", ").join(rendered), sql.Identifier("raw", contract.extract), sql.Literal(load.load_id)
    )
    cur.execute(query)
    rows = cur.fetchall()
    path = folder / f"{contract.extract}.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([c.name.upper() for c in columns])
        writer.writerows(row[1:] for row in rows)
    names = [c.name.upper() for c in columns]
    as_read = [
        {name: "" if value is None else str(value).upper() for name, value in zip(names, row[1:])} for row in rows
    ]
    return path, [row[0] for row in rows], as_read
