"""What the gates of DfE's collections share: which deliveries to check, holding a child, the record.

A DfE collection's delivery is every accepted load of its extracts for one authority and one extract
date: the 903's eleven tables (load/ssda903_delivery.py), the CIN census's one return
(load/cin_delivery.py). Each gate runs DfE's validator on its delivery; this module finds the
deliveries whose set of loads DfE has not checked yet, holds every row of each child with a hold
finding (ours at ingest or DfE's), records the check in raw.dfe_validations and writes the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from psycopg2 import sql

from qa_warehouse.load.contracts import Contract
from qa_warehouse.load.data_quality import DFE_RULE_PREFIX, hold_rows, record_issues
from qa_warehouse.load.gate.dfe import DfeResult, Ruleset
from qa_warehouse.load.quarantine import findings_lines, write_report_files
from qa_warehouse.load.raw_schema import ensure_raw_schema
from qa_warehouse.problems import Violation
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import Warehouse, connect, resolve_warehouse

CHILD_HELD = "child_held"  # raw.held_rows.held_by of a row held because another row of its child was
COLLECTION_LABELS = {"903": "903", "cin": "CIN census"}


@dataclass(frozen=True)
class DeliveryLoad:
    load_id: int
    contract: Contract
    file_name: str


@dataclass
class DeliveryOutcome:
    collection: str  # 903 or cin
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
        label = COLLECTION_LABELS[self.collection]
        files = f"{len(self.files)} files" if len(self.files) != 1 else self.files[0]
        return (
            f"{label} delivery {self.la_code} as at {self.extract_date} ({files}, DfE {self.ruleset}): "
            f"{self.findings:,} findings ({rules}); {self.children_held:,} children held ({self.rows_held:,} rows)"
        )


def gate_each_delivery(
    collection: str,
    contracts: dict[str, Contract],
    gate_delivery: Callable[[object, str, dt.date, list[DeliveryLoad]], DeliveryOutcome],
    warehouse: Warehouse | None = None,
) -> list[DeliveryOutcome]:
    """Run `gate_delivery` on every current delivery of a DfE collection not yet checked with its present loads."""
    warehouse = warehouse or resolve_warehouse()
    outcomes = []
    with connect(warehouse) as conn:
        ensure_raw_schema(conn)
        with conn.cursor() as cur:
            # one delivery check at a time: two runs must not both replace a delivery's findings
            cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"qa_warehouse.load.dfe_delivery.{collection}",))
            for la_code, extract_date, loads in deliveries_to_check(cur, contracts, collection):
                outcomes.append(gate_delivery(cur, la_code, extract_date, loads))
        conn.commit()
    return outcomes


def deliveries_to_check(
    cur, contracts: dict[str, Contract], collection: str
) -> list[tuple[str, dt.date, list[DeliveryLoad]]]:
    """Each current delivery of these extracts whose latest accepted loads DfE has not checked together."""
    cur.execute(
        """with deliveries as (
               select distinct l.la_code, l.extract_date
               from raw.current_loads c join raw.load_log l on l.load_id = c.load_id
               where c.extract = any(%(extracts)s)),
           latest as (  -- a delivery's latest accepted file of each extract
               select distinct on (l.la_code, l.extract_date, l.extract) l.la_code, l.extract_date, l.extract,
                      l.load_id, l.file_name
               from raw.load_log l join deliveries d using (la_code, extract_date)
               where l.status = 'accepted' and l.extract = any(%(extracts)s)
               order by l.la_code, l.extract_date, l.extract, l.load_id desc)
           select latest.la_code, latest.extract_date,
                  array_agg(latest.load_id order by latest.load_id), array_agg(latest.extract order by latest.load_id),
                  array_agg(latest.file_name order by latest.load_id)
           from latest
           left join raw.dfe_validations v
               on v.collection = %(collection)s and v.la_code = latest.la_code
               and v.extract_date = latest.extract_date
           group by latest.la_code, latest.extract_date, v.load_ids
           having v.load_ids is distinct from array_agg(latest.load_id order by latest.load_id)
           order by latest.la_code, latest.extract_date""",
        {"extracts": list(contracts), "collection": collection},
    )
    return [
        (
            la_code,
            extract_date,
            [DeliveryLoad(i, contracts[e], f) for i, e, f in zip(ids, extracts, names, strict=True)],
        )
        for la_code, extract_date, ids, extracts, names in cur.fetchall()
    ]


def clear_dfe_findings(cur, load_ids: list[int], collection: str) -> None:
    """A delivery checked again (a corrected file): its earlier DfE findings and child holds go first."""
    cur.execute(
        "delete from raw.data_quality_issues where load_id = any(%s) and rule_source = %s",
        (load_ids, f"{DFE_RULE_PREFIX}{collection}"),
    )
    cur.execute(
        "delete from raw.held_rows where load_id = any(%s) and (held_by = %s or held_by like %s)",
        (load_ids, CHILD_HELD, f"{DFE_RULE_PREFIX}%"),
    )


def hold_children(cur, loads: list[DeliveryLoad]) -> int:
    """Hold every row, in every file of the delivery, of each child with a hold finding (ours at ingest or
    DfE's): half a history would distort every measure. Returns how many children are held."""
    load_ids = [load.load_id for load in loads]
    cur.execute(
        """select distinct subject from raw.data_quality_issues
           where load_id = any(%s) and severity = 'hold' and subject is not null and subject <> ''""",
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


def finish_delivery(
    cur,
    collection: str,
    la_code: str,
    extract_date: dt.date,
    loads: list[DeliveryLoad],
    ruleset: Ruleset,
    result: DfeResult,
    by_load: dict[int, list[Violation]],
) -> DeliveryOutcome:
    """Record a delivery's DfE findings (each load's own), hold the rows they name (held_by the rule)
    and then every row of each child with a hold finding (child_held), count the held rows on each
    load, record the check and write the report."""
    load_ids = [load.load_id for load in loads]
    for load_id, found in by_load.items():
        record_issues(cur, load_id, found, rule_source=f"{DFE_RULE_PREFIX}{collection}")
        hold_rows(cur, load_id, found)
    violations = [v for found in by_load.values() for v in found]
    children = hold_children(cur, loads)
    cur.execute(
        """update raw.load_log l set rows_held = (select count(*) from raw.held_rows h where h.load_id = l.load_id)
           where l.load_id = any(%s)""",
        (load_ids,),
    )
    cur.execute("select count(*) from raw.held_rows where load_id = any(%s)", (load_ids,))
    rows_held = cur.fetchone()[0]
    outcome = DeliveryOutcome(
        collection, la_code, extract_date, ruleset.name, [load.file_name for load in loads], len(violations)
    )
    outcome.children_held, outcome.rows_held = children, rows_held
    for v in violations:
        outcome.by_rule[v.rule] = outcome.by_rule.get(v.rule, 0) + 1
    outcome.report_path = _write_report(outcome, violations, result.could_not_run, ruleset.exact)
    cur.execute(
        """insert into raw.dfe_validations (collection, la_code, extract_date, load_ids, ruleset, exact_ruleset,
               findings, could_not_run, children_held, rows_held, report_path)
           values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           on conflict (collection, la_code, extract_date) do update set load_ids = excluded.load_ids,
               ruleset = excluded.ruleset, exact_ruleset = excluded.exact_ruleset, findings = excluded.findings,
               could_not_run = excluded.could_not_run, children_held = excluded.children_held,
               rows_held = excluded.rows_held, report_path = excluded.report_path, validated_at = now()""",
        (
            collection,
            la_code,
            extract_date,
            load_ids,
            ruleset.name,
            ruleset.exact,
            len(result.findings),
            result.could_not_run,
            children,
            rows_held,
            str(outcome.report_path),
        ),
    )
    return outcome


def report_stem(collection: str, la_code: str, extract_date: dt.date) -> str:
    """903_<la>_<yyyymmdd>.dfe, cin_census_<la>_<yyyymmdd>.dfe: beside the files' own reports."""
    prefix = {"903": "903", "cin": "cin_census"}[collection]
    return f"{prefix}_{la_code}_{extract_date:%Y%m%d}.dfe"


def _write_report(outcome: DeliveryOutcome, violations: list[Violation], could_not_run: list[str], exact: bool) -> Path:
    lines = [
        outcome.describe() + ".",
        "Held children's rows are kept in raw, out of every figure, until a corrected delivery replaces them.",
        "" if exact else f"The extract date's collection year has no DfE ruleset: the nearest ({outcome.ruleset}) ran.",
        f"Rules DfE's validator could not run: {', '.join(could_not_run)}." if could_not_run else "",
        "",
        *findings_lines(violations),
    ]
    stem = report_stem(outcome.collection, outcome.la_code, outcome.extract_date)
    return write_report_files(load_settings().quarantine_dir, stem, lines, violations)
