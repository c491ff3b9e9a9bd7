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
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from psycopg2 import sql

from qa_warehouse.load.contracts import Contract, all_contracts
from qa_warehouse.load.data_quality import DFE_RULE_PREFIX, dfe_severity, record_issues
from qa_warehouse.load.gate.dfe import DfeValidatorFailed, ruleset_for, run_903_validator
from qa_warehouse.load.gate.dfe_known_bugs import validator_bug
from qa_warehouse.load.quarantine import findings_lines, write_report_files
from qa_warehouse.load.raw_schema import ensure_raw_schema
from qa_warehouse.problems import Violation
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import Warehouse, connect, resolve_warehouse

AUTHORITIES_SEED = "authorities.csv"
CHILD_HELD = "child_held"  # raw.held_rows.held_by of a row held because another row of its child was


@dataclass
class DeliveryOutcome:
    la_code: str
    extract_date: dt.date
    ruleset: str
    files: list[str]
    findings: int = 0
    children_held: int = 0
    rows_held: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    report_path: Path | None = None

    def describe(self) -> str:
        rules = ", ".join(f"{rule} x{count:,}" for rule, count in sorted(self.by_rule.items())) or "none"
        return (
            f"903 delivery {self.la_code} as at {self.extract_date} ({len(self.files)} files, DfE {self.ruleset}): "
            f"{self.findings:,} findings ({rules}); {self.children_held:,} children held ({self.rows_held:,} rows)"
        )


@dataclass(frozen=True)
class _Load:
    load_id: int
    contract: Contract
    file_name: str


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
    warehouse = warehouse or resolve_warehouse()
    outcomes = []
    with connect(warehouse) as conn:
        ensure_raw_schema(conn)
        with conn.cursor() as cur:
            # one delivery check at a time: two runs must not both replace a delivery's findings
            cur.execute("select pg_advisory_xact_lock(hashtext('qa_warehouse.load.ssda903_delivery'))")
            for la_code, extract_date, loads in _deliveries_to_check(cur):
                outcomes.append(_gate_delivery(cur, la_code, extract_date, loads))
        conn.commit()
    return outcomes


def _deliveries_to_check(cur) -> list[tuple[str, dt.date, list[_Load]]]:
    contracts = ssda903_contracts()
    cur.execute(
        """with deliveries as (
               select distinct l.la_code, l.extract_date
               from raw.current_loads c join raw.load_log l on l.load_id = c.load_id
               where c.extract = any(%(extracts)s)),
           latest as (  -- a delivery's latest accepted file of each table
               select distinct on (l.la_code, l.extract_date, l.extract) l.la_code, l.extract_date, l.extract,
                      l.load_id, l.file_name
               from raw.load_log l join deliveries d using (la_code, extract_date)
               where l.status = 'accepted' and l.extract = any(%(extracts)s)
               order by l.la_code, l.extract_date, l.extract, l.load_id desc)
           select latest.la_code, latest.extract_date,
                  array_agg(latest.load_id order by latest.load_id), array_agg(latest.extract order by latest.load_id),
                  array_agg(latest.file_name order by latest.load_id)
           from latest
           left join raw.dfe_validations v on v.collection = '903' and v.la_code = latest.la_code
               and v.extract_date = latest.extract_date
           group by latest.la_code, latest.extract_date, v.load_ids
           having v.load_ids is distinct from array_agg(latest.load_id order by latest.load_id)
           order by latest.la_code, latest.extract_date""",
        {"extracts": list(contracts)},
    )
    return [
        (la_code, extract_date, [_Load(i, contracts[e], f) for i, e, f in zip(ids, extracts, names, strict=True)])
        for la_code, extract_date, ids, extracts, names in cur.fetchall()
    ]


def _gate_delivery(cur, la_code: str, extract_date: dt.date, loads: list[_Load]) -> DeliveryOutcome:
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
    # Checked again (a corrected file): the delivery's earlier DfE findings and child holds go first.
    cur.execute("delete from raw.data_quality_issues where load_id = any(%s) and rule_source = 'dfe_903'", (load_ids,))
    cur.execute(
        "delete from raw.held_rows where load_id = any(%s) and (held_by = %s or held_by like %s)",
        (load_ids, CHILD_HELD, f"{DFE_RULE_PREFIX}%"),
    )
    by_load: dict[int, list[Violation]] = {load_id: [] for load_id in load_ids}
    tables = {table: as_read for table, (_, _, _, as_read) in exported.items()}
    for finding in result.findings:
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
    for load_id, violations in by_load.items():
        record_issues(cur, load_id, violations, rule_source="dfe_903")
    children = _hold_children(cur, loads)
    cur.execute(
        """update raw.load_log l set rows_held = (select count(*) from raw.held_rows h where h.load_id = l.load_id)
           where l.load_id = any(%s)""",
        (load_ids,),
    )
    cur.execute("select count(*) from raw.held_rows where load_id = any(%s)", (load_ids,))
    rows_held = cur.fetchone()[0]
    cur.execute(
        """insert into raw.dfe_validations (collection, la_code, extract_date, load_ids, ruleset, exact_ruleset,
               findings, could_not_run)
           values ('903', %s, %s, %s, %s, %s, %s, %s)
           on conflict (collection, la_code, extract_date) do update set load_ids = excluded.load_ids,
               ruleset = excluded.ruleset, exact_ruleset = excluded.exact_ruleset, findings = excluded.findings,
               could_not_run = excluded.could_not_run, validated_at = now()""",
        (la_code, extract_date, load_ids, ruleset.name, ruleset.exact, len(result.findings), result.could_not_run),
    )
    violations = [v for vs in by_load.values() for v in vs]
    outcome = DeliveryOutcome(
        la_code,
        extract_date,
        ruleset.name,
        [load.file_name for load in loads],
        len(violations),
        children,
        rows_held,
    )
    for v in violations:
        outcome.by_rule[v.rule] = outcome.by_rule.get(v.rule, 0) + 1
    outcome.report_path = _write_report(outcome, violations, result.could_not_run, ruleset.exact)
    return outcome


def _export(cur, load: _Load, folder: Path) -> tuple[Path, list[int], list[dict[str, str]]]:
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


def _hold_children(cur, loads: list[_Load]) -> int:
    """Hold every row, in every file of the delivery, of each child with a hold finding; returns the children."""
    load_ids = [load.load_id for load in loads]
    cur.execute(
        """select distinct subject from raw.data_quality_issues
           where load_id = any(%s) and severity = 'hold' and subject is not null""",
        (load_ids,),
    )
    children = [subject for (subject,) in cur.fetchall()]
    if children:
        for load in loads:
            cur.execute(
                sql.SQL(
                    """insert into raw.held_rows (load_id, source_row, subject, held_by)
                       select _load_id, _source_row, {subject}, {held_by} from {table}
                       where _load_id = {load_id} and {subject} = any(%s)
                       on conflict (load_id, source_row) do nothing"""
                ).format(
                    subject=sql.Identifier(load.contract.subject or "child"),
                    held_by=sql.Literal(CHILD_HELD),
                    table=sql.Identifier("raw", load.contract.extract),
                    load_id=sql.Literal(load.load_id),
                ),
                (children,),
            )
    return len(children)


def _write_report(outcome: DeliveryOutcome, violations: list[Violation], could_not_run: list[str], exact: bool) -> Path:
    stem = f"903_{outcome.la_code}_{outcome.extract_date:%Y%m%d}.dfe"
    lines = [
        outcome.describe() + ".",
        "Held children's rows are kept in raw, out of every figure, until a corrected delivery replaces them.",
        "" if exact else f"The extract date's collection year has no DfE ruleset: the nearest ({outcome.ruleset}) ran.",
        f"Rules DfE's validator could not run: {', '.join(could_not_run)}." if could_not_run else "",
        "",
        *findings_lines(violations),
    ]
    return write_report_files(load_settings().quarantine_dir, stem, lines, violations)
