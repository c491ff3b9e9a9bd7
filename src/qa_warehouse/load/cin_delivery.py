"""Gate a children in need census delivery as a whole: DfE's CIN validator on the return, then hold each child it faults.

The census file (flat CSV or DfE's XML) is loaded and gated on its own first (loader.py: layout,
types, keys, the XML's structure). DfE's rules read across a child's whole record (a plan against
its referral, a review against its plan), so they run here: each current delivery (authority and
extract date) is read back from raw (less the rows already held), cut to the census year the
extract date falls in (cin_xml.in_census_year: a running extract carries years of history DfE's
rules would misjudge), written as DfE's census XML (cin_xml.write_return) and given to DfE's CIN
validator with that year's ruleset. Each finding is recorded as dfe_<code> with its severity from
the seed dfe_cin_rule_severities.csv, on the flat row it is about; then every child with a hold
finding (ours at ingest or DfE's) is held: all of that child's rows (load/dfe_delivery.py).

Only deliveries that hold a current load are checked, and a delivery is checked again when its set
of loads changes. Safe to re-run.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
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
from qa_warehouse.load.gate.dfe import DfeValidatorFailed, ruleset_for, run_cin_validator
from qa_warehouse.load.gate.dfe_known_bugs import cin_validator_bug
from qa_warehouse.load.ingest.cin_xml import in_census_year, read_return, write_return
from qa_warehouse.problems import Violation
from qa_warehouse.warehouse import Warehouse

COLLECTION = "cin"
# DfE's column names the validator reports that are not ours by lower-casing.
COLUMN_ALIASES = {
    "assessmentfactors": "factors",
    "assessmentfactor": "factors",
    "disability": "disabilities",
    "cppreviewdate": "date",  # a review row's date is its own
}
# The validator's tables whose rows are the child's, not an event's: a finding names the child's first row.
CHILD_TABLES = ("ChildIdentifiers", "ChildCharacteristics", "Disabilities")


def cin_contracts() -> dict[str, Contract]:
    return {c.extract: c for c in all_contracts().values() if c.dfe_collection == COLLECTION}


def gate_cin_deliveries(warehouse: Warehouse | None = None) -> list[DeliveryOutcome]:
    """Run DfE's CIN validator on every current census delivery not yet checked with its present loads."""
    return gate_each_delivery(COLLECTION, cin_contracts(), _gate_delivery, warehouse)


@dataclass(frozen=True)
class _SourceRow:
    load: DeliveryLoad
    row: int  # raw _source_row: the file's data row
    values: dict[str, str]  # lower-case contract column -> the value as written for DfE ('' when blank)
    location: str | None  # an XML return's: the line and element path of the row's event


def _gate_delivery(cur, la_code: str, extract_date: dt.date, loads: list[DeliveryLoad]) -> DeliveryOutcome:
    ruleset = ruleset_for(extract_date, COLLECTION)
    load_ids = [load.load_id for load in loads]
    # Before reading the rows: a row held only by the last check of this delivery is read again.
    clear_dfe_findings(cur, load_ids, COLLECTION)
    # The census year's return, as DfE's validator judges it: not the years of history before it.
    first_day = f"{int(ruleset.collection_year) - 1}-04-01"
    rows = [row for load in loads for row in _export(cur, load) if in_census_year(row.values, first_day)]
    census = write_return([r.values for r in rows], la_code, int(ruleset.collection_year))
    with tempfile.TemporaryDirectory(prefix="qaw-dfe-cin-") as folder:
        path = Path(folder) / f"cin_census_{la_code}_{extract_date:%Y%m%d}.xml"
        path.write_bytes(census)
        result = run_cin_validator(path, ruleset)
    if result.refused:
        # The XML is our own rendering of rows the contract accepted: a refusal is a fault of ours.
        raise DfeValidatorFailed(
            f"DfE's CIN validator could not read the {la_code} census of {extract_date}: {result.refused}"
        )
    locate = _Locator(census, rows, la_code)
    # DfE lists an error once per column it concerns (8866: a referral's source, and its date): one
    # finding per error and flat row, naming DfE's columns.
    errors: dict[tuple[str, str | None, int | None, str | None], list[str]] = {}
    for finding in result.findings:
        errors.setdefault((finding.rule, finding.table, finding.row, finding.child), []).append(finding.column or "")
    # (rule, load, flat row) -> (the row, the child, DfE's columns, the validator's table)
    flagged: dict[tuple[str, int, int | None], tuple[_SourceRow | None, str | None, list[str], str | None]] = {}
    for (rule, table, row, child), columns in errors.items():
        source = locate(table, row, columns)
        if source is None:  # about the return as a whole (or a row we cannot find): recorded on the delivery
            flagged.setdefault((rule, loads[-1].load_id, None), (None, None, [], table))
            continue
        _, _, named, _ = flagged.setdefault((rule, source.load.load_id, source.row), (source, child, [], table))
        named += [c for c in columns if c and c not in named]
    by_load: dict[int, list[Violation]] = {load_id: [] for load_id in load_ids}
    files = {load.load_id: load.file_name for load in loads}
    for (rule, load_id, _), (source, child, columns, table) in flagged.items():
        message = f"DfE {ruleset.name} rule {rule}: {result.messages.get(rule, '')}"
        severity = dfe_severity(rule, COLLECTION)
        bug = cin_validator_bug(ruleset.name, rule, table)
        if bug:  # the validator's own bug: listed, never held
            message, severity = f"{message} [not held: a known bug of DfE's validator, {bug}]", "warn"
        if source is None:
            if severity == "hold":
                message += " [not held: DfE names no child's row]"
            by_load[load_id].append(Violation(files[load_id], f"{DFE_RULE_PREFIX}{rule}", message, severity="warn"))
            continue
        column = _our_column(source, columns)
        if len(columns) > 1:
            message += f" (DfE flags {', '.join(columns)})"
        by_load[load_id].append(
            Violation(
                files[load_id],
                f"{DFE_RULE_PREFIX}{rule}",
                message,
                source.row,
                column,
                (source.values.get(column) or None) if column else None,
                subject=child or source.values.get("lachildid") or None,
                severity=severity,
                location=source.location,
            )
        )
    return finish_delivery(cur, COLLECTION, la_code, extract_date, loads, ruleset, result, by_load)


def _export(cur, load: DeliveryLoad) -> list[_SourceRow]:
    """The load's rows not held, in file order, as text for DfE: dates yyyy-mm-dd, flags 1/0 (DfE's
    rules 2885 and 8740 read only 1 and 0, though its schema also allows true/false), codes upper-case
    as DfE writes them (the contract takes any case), Type as DfE's element name."""
    contract = load.contract
    columns = [c for c in contract.columns if c.name != "la_code"]
    rendered = [
        sql.SQL("to_char({c}, 'YYYY-MM-DD')").format(c=sql.Identifier(c.name))
        if c.type == "date"
        else sql.SQL("case when {c} then '1' when not {c} then '0' end").format(c=sql.Identifier(c.name))
        if c.type == "flag"
        else sql.SQL("upper({c})").format(c=sql.Identifier(c.name))
        if c.type == "code" and not c.codes
        else sql.SQL("{c}::text").format(c=sql.Identifier(c.name))
        for c in columns
    ]
    cur.execute(
        sql.SQL(
            """select r._source_row, x.location, {columns} from {table} r
               left join raw.xml_row_locations x on x.load_id = r._load_id and x.source_row = r._source_row
               where r._load_id = {load_id}
                 and not exists (select 1 from raw.held_rows h where h.load_id = r._load_id
                                 and h.source_row = r._source_row)
               order by r._source_row"""
        ).format(
            columns=sql.SQL(", ").join(rendered),
            table=sql.Identifier("raw", contract.extract),
            load_id=sql.Literal(load.load_id),
        )
    )
    # A column with a code list (Type) takes the list's spelling: DfE's element names are case-sensitive.
    spelling = {c.name: {code.lower(): code for code in c.codes} for c in columns if c.codes}
    exported = []
    for source_row, location, *values in cur.fetchall():
        row = {}
        for column, value in zip(columns, values, strict=True):
            text = "" if value is None else str(value).strip()
            row[column.name] = spelling.get(column.name, {}).get(text.lower(), text.upper()) if column.codes else text
        exported.append(_SourceRow(load, source_row, row, location))
    return exported


def _our_column(source: _SourceRow, dfe_columns: list[str]) -> str | None:
    """The contract column a finding is about: of DfE's columns, the first that is not the row's own
    event date (which only says which row it is), else the first."""
    ours = [COLUMN_ALIASES.get(c.lower(), c.lower()) for c in dfe_columns]
    ours = [c for c in ours if c in source.load.contract.column_names]
    own_event = source.values.get("type", "").lower()
    return next((c for c in ours if c != own_event), ours[0] if ours else None)


def _event_key(values: dict[str, str]) -> tuple[str, ...]:
    """What tells one event row from another of the same child (the contract's key, as flat text)."""
    return tuple(
        values.get(c, "")
        for c in ("lachildid", "cinreferraldate", "type", "date", "cppstartdate", "assessmentactualstartdate")
    )


class _Locator:
    """A DfE finding (the validator's table and row, and the column it names) -> the flat row it is about.

    The validator numbers each of its tables' rows in document order (cin_validator/ingress.py:
    a row per ChildIdentifiers, per CINdetails, per Assessments, per Reviews...). Our census XML is
    read back with read_return, which gives each flat row's element path; each validator row is
    the block at the same path, and the flat rows under it are the rows it can be about.
    """

    def __init__(self, census: bytes, rows: list[_SourceRow], la_code: str):
        by_key: dict[tuple[str, ...], list[_SourceRow]] = {}
        for row in rows:
            by_key.setdefault(_event_key(row.values), []).append(row)
        read_back = read_return(census, "census.xml", la_code)
        text = read_back.csv.decode("utf-8").splitlines()
        header = [name.lower() for name in text[0].split(",")] if text else []
        self.rows_at: list[tuple[str, _SourceRow]] = []  # (element path of the event, its source row), in order
        for location, values in zip(read_back.locations, csv.reader(text[1:]), strict=True):
            matches = by_key.get(_event_key(dict(zip(header, values, strict=True))))
            if matches:
                self.rows_at.append((location.split(", ", 1)[1], matches.pop(0)))
        self.blocks = _validator_blocks(ET.fromstring(census))

    def __call__(self, table: str | None, row: int | None, columns: list[str]) -> _SourceRow | None:
        if table is None or row is None:
            return None
        try:
            block = self.blocks[table][row]
        except (KeyError, IndexError):
            return None
        if table in CHILD_TABLES:
            child = [row for path, row in self.rows_at if path.startswith(block + "/")]
            return min(child, key=lambda r: (r.load.load_id, r.row), default=None)
        under = [(path, row) for path, row in self.rows_at if path == block or path.startswith(block + "/")]
        # The event a column names (a plan's end, a review), else the block's own first event.
        named = [source for column in columns for _, source in under if source.values.get("type") == column]
        if table == "CINdetails":  # the referral row carries the episode's details
            named = named or [source for _, source in under if source.values.get("type") == "CINreferralDate"]
        chosen = named[0] if named else (under[0][1] if under else None)
        if chosen is None:  # a block with no dated event of its own: the child's first row
            child_path = block.split("/CINdetails[", 1)[0]
            child = [row for path, row in self.rows_at if path.startswith(child_path + "/")]
            return min(child, key=lambda r: (r.load.load_id, r.row), default=None)
        return chosen


def _validator_blocks(root: ET.Element) -> dict[str, list[str]]:
    """Each table of DfE's CIN validator -> the element path (as read_return writes it) of each of its rows."""
    tables: dict[str, list[str]] = {
        name: []
        for name in (
            *CHILD_TABLES,
            "CINdetails",
            "Assessments",
            "AssessmentFactorsList",
            "CINplanDates",
            "Section47",
            "ChildProtectionPlans",
            "Reviews",
        )
    }
    children = root.find("Children")
    for c, child in enumerate(children.findall("Child") if children is not None else [], start=1):
        child_path = f"/Message/Children[1]/Child[{c}]"
        tables["ChildIdentifiers"].append(child_path)
        tables["ChildCharacteristics"].append(child_path)
        tables["Disabilities"] += [child_path for _ in child.findall("ChildCharacteristics/Disabilities/Disability")]
        for d, details in enumerate(child.findall("CINdetails"), start=1):
            details_path = f"{child_path}/CINdetails[{d}]"
            tables["CINdetails"].append(details_path)
            for a, assessment in enumerate(details.findall("Assessments"), start=1):
                tables["Assessments"].append(f"{details_path}/Assessments[{a}]")
                factors = assessment.findall("FactorsIdentifiedAtAssessment/AssessmentFactors")
                tables["AssessmentFactorsList"] += [f"{details_path}/Assessments[{a}]" for _ in factors]
            tables["CINplanDates"] += [
                f"{details_path}/CINPlanDates[{p}]" for p, _ in _numbered(details, "CINPlanDates")
            ]
            tables["Section47"] += [f"{details_path}/Section47[{s}]" for s, _ in _numbered(details, "Section47")]
            for p, plan in _numbered(details, "ChildProtectionPlans"):
                plan_path = f"{details_path}/ChildProtectionPlans[{p}]"
                tables["ChildProtectionPlans"].append(plan_path)
                tables["Reviews"] += [  # a row per review (dfe_validator_entry gives each its own Reviews)
                    f"{plan_path}/Reviews[{r}]/CPPreviewDate[{k}]"
                    for r, reviews in _numbered(plan, "Reviews")
                    for k, _ in _numbered(reviews, "CPPreviewDate")
                ]
    return tables


def _numbered(parent: ET.Element, name: str) -> list[tuple[int, ET.Element]]:
    return list(enumerate(parent.findall(name), start=1))
