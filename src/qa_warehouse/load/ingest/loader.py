"""Load one landing file into its own raw partition, gate it, then attach it or quarantine it.

The steps, each safe to repeat:
1. hash the file; a file already accepted for its extract and authority is a duplicate and
   changes nothing;
2. COPY it (PostgreSQL parses both date forms with DateStyle ISO,DMY) into a fresh table in
   `raw_incoming`, tagged with load id, file name, hash and extract date;
3. run the extract's GX suite on that table, and grade each finding (load/data_quality.py);
4. a finding that refuses the file: move it to `quarantine`, copy the file aside with a report, and
   raise; otherwise move it into `raw` and attach it as a partition, in one transaction with the load
   log, its findings and its held rows (a bad row in a sound file is held back, the rest loads).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

from qa_warehouse.load.contracts import Contract, LandingFile, get_contract, recognise
from qa_warehouse.load.data_quality import hold_rows, record_issues, refuses_file, with_severity
from qa_warehouse.load.ingest.decode import DecodedFile, decode
from qa_warehouse.load.quarantine import write_findings_report, write_report
from qa_warehouse.load.raw_schema import METADATA_COLUMNS, ensure_raw_schema
from qa_warehouse.problems import Problem, Violation
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import Warehouse, connect, resolve_warehouse

TYPE_RULES = {"date": "date_type", "integer": "integer_type", "number": "number_type", "flag": "flag_type"}
TYPE_EXPECTATIONS = {
    "date": "a date as yyyy-mm-dd or dd/mm/yyyy",
    "integer": "a whole number",
    "number": "a number such as 0.6",
    "flag": "a yes/no flag (Y, N, Yes, No, TRUE, FALSE, 1, 0)",
}


@dataclass
class LoadOutcome:
    file_name: str
    extract: str
    la_code: str
    status: str  # accepted, duplicate or quarantined
    load_id: int | None = None
    rows: int = 0
    rows_held: int = 0  # accepted with these rows held back (load/data_quality.py)
    rows_warned: int = 0
    violations: list[Violation] = field(default_factory=list)
    report_path: Path | None = None


class QuarantinedFiles(Exception):
    """One or more files of a run were quarantined; the others were loaded."""

    def __init__(self, outcomes: list[LoadOutcome]):
        self.outcomes = outcomes
        super().__init__(
            "quarantined: "
            + "; ".join(
                f"{o.file_name} ({', '.join(sorted({v.rule for v in o.violations}))}) report {o.report_path}"
                for o in outcomes
            )
        )

    def problems(self) -> list[Problem]:
        """For alerts: each quarantined file with each rule it broke and the first row that broke it."""
        problems = []
        for outcome in self.outcomes:
            first_by_rule: dict[str, Violation] = {}
            for violation in outcome.violations:
                first_by_rule.setdefault(violation.rule, violation)
            problems += [
                Problem(outcome.file_name, rule, f"{v.describe()} (report {outcome.report_path})")
                for rule, v in sorted(first_by_rule.items())
            ]
        return problems


def landing_files(landing_dir: Path, extract: str | None = None) -> list[LandingFile]:
    """Recognised files in the landing folder, oldest extract date first (so the newest ends current)."""
    found = [f for p in sorted(Path(landing_dir).iterdir()) if p.is_file() and (f := recognise(p))]
    return sorted(
        (f for f in found if extract is None or f.extract == extract),
        key=lambda f: (f.extract_date, f.la_code, f.path.name),
    )


def ingest_extract(extract: str, landing_dir: Path, warehouse: Warehouse | None = None) -> list[LoadOutcome]:
    """Ingest every file of one extract in the landing folder; raise if any was quarantined."""
    warehouse = warehouse or resolve_warehouse()
    # One ingest of an extract at a time, held for the whole run: a task the scheduler re-runs after
    # a crash may overlap the attempt it replaces, which must not be taken for an interrupted one.
    # A killed attempt's connection closes, and its lock with it.
    with connect(warehouse, autocommit=True) as lock:
        with lock.cursor() as cur:
            cur.execute("select pg_advisory_lock(hashtext(%s))", (f"qa_warehouse.load.ingest.{extract}",))
        with connect(warehouse) as conn:
            ensure_raw_schema(conn)
            _abandon_interrupted_loads(conn, extract)
        outcomes = [ingest_file(f, warehouse) for f in landing_files(landing_dir, extract)]
    quarantined = [o for o in outcomes if o.status == "quarantined"]
    if quarantined:
        raise QuarantinedFiles(quarantined)
    return outcomes


def ingest_file(landing: LandingFile, warehouse: Warehouse) -> LoadOutcome:
    """Load, gate and attach (or quarantine) one file, on one connection."""
    contract = get_contract(landing.extract)
    data = landing.path.read_bytes()
    file_hash = hashlib.sha256(data).hexdigest()
    outcome = LoadOutcome(landing.path.name, landing.extract, landing.la_code, "accepted")

    with connect(warehouse) as conn:
        previous = _previous_outcome(conn, landing, file_hash)
        load_id = _start_load(conn, landing, file_hash)
        conn.commit()  # the 'loading' row marks the attempt, even if this process dies
        if previous:
            # Same bytes as an earlier delivery: log it and change nothing. A file already refused
            # is reported again from its first report, without a second copy.
            earlier_id, earlier_status, errors, report = previous
            _finish_load(conn, load_id, "duplicate", 0, [], None, duplicate_of=earlier_id)
            outcome.load_id = earlier_id
            outcome.status = "duplicate" if earlier_status == "accepted" else "quarantined"
            outcome.violations = [Violation(**v) for v in errors or []]
            outcome.report_path = Path(report) if report else None
            return outcome
        outcome.load_id = load_id
        table = f"{landing.extract}__load{load_id}"

        violations: list[Violation] = []
        header_row: int | None = None
        if landing.path.suffix.lower() == ".xlsx":  # the first sheet becomes CSV and takes the same path
            from qa_warehouse.load.ingest.spreadsheet import xlsx_to_csv  # openpyxl: import it only for workbooks

            data, header_row, violations = xlsx_to_csv(data, contract, landing.path.name)
        census = None
        if landing.path.suffix.lower() == ".xml":  # DfE's CIN census return: flattened, then the same path
            from qa_warehouse.load.ingest.cin_xml import read_return

            census = read_return(data, landing.path.name, landing.la_code)
            data, violations = census.csv, list(census.violations)
        if not violations or not refuses_file(with_severity(contract, violations)):
            decoded = decode(data)
            violations += _header_violations(contract, decoded, landing.path.name)
        if not refuses_file(with_severity(contract, violations)):
            copy_violations, outcome.rows = _copy_into_incoming(conn, contract, decoded, landing, load_id, table)
            violations += copy_violations
        violations = with_severity(contract, violations)
        if not refuses_file(violations):  # bad cells alone hold their rows: the rest is still gated
            from qa_warehouse.load.gate import validate_incoming  # GX is heavy: import it only to gate

            # A cell blanked for its type is reported once, as a type error, not again as blank.
            blanked = {(v.row, v.column) for v in violations}
            violations += with_severity(
                contract,
                [
                    v
                    for v in validate_incoming(warehouse, contract, "raw_incoming", table, landing.path.name)
                    if (v.row, v.column) not in blanked
                ],
            )
        if header_row is not None:
            from qa_warehouse.load.ingest.spreadsheet import with_sheet_rows

            violations = with_sheet_rows(violations, header_row)
        if census is not None:
            from qa_warehouse.load.ingest.cin_xml import with_locations

            violations = with_locations(violations, census)

        outcome.violations = violations
        if refuses_file(violations):
            kept = _keep_aside(conn, table)
            outcome.status = "quarantined"
            outcome.report_path = write_report(load_settings().quarantine_dir, landing.path, load_id, violations, kept)
            _finish_load(conn, load_id, "quarantined", outcome.rows, violations, outcome.report_path)
            with conn.cursor() as cur:
                record_issues(cur, load_id, violations)
        else:
            _attach(conn, contract, table, load_id)
            with conn.cursor() as cur:
                if census is not None:  # for findings made after the load (DfE's validator) to name too
                    _record_xml_locations(cur, load_id, census.locations)
                record_issues(cur, load_id, violations)
                outcome.rows_held = hold_rows(cur, load_id, violations)
            outcome.rows_warned = len({v.row for v in violations if v.severity == "warn"})
            if violations:
                outcome.report_path = write_findings_report(
                    load_settings().quarantine_dir, landing.path, load_id, violations
                )
            _finish_load(
                conn,
                load_id,
                "accepted",
                outcome.rows,
                violations,
                outcome.report_path,
                rows_held=outcome.rows_held,
                rows_warned=outcome.rows_warned,
            )
    return outcome


def _record_xml_locations(cur, load_id: int, locations: list[str]) -> None:
    from psycopg2.extras import execute_values

    execute_values(
        cur,
        "insert into raw.xml_row_locations (load_id, source_row, location) values %s",
        [(load_id, row, where) for row, where in enumerate(locations, start=1)],
        page_size=10000,
    )


def _previous_outcome(conn, landing: LandingFile, file_hash: str):
    with conn.cursor() as cur:
        cur.execute(
            """select load_id, status, errors, report_path from raw.load_log
               where extract = %s and la_code = %s and file_hash = %s and status in ('accepted', 'quarantined')
               order by load_id desc limit 1""",
            (landing.extract, landing.la_code, file_hash),
        )
        return cur.fetchone()


def _start_load(conn, landing: LandingFile, file_hash: str) -> int:
    with conn.cursor() as cur:
        cur.execute(
            """insert into raw.load_log (load_id, extract, la_code, extract_date, file_name, file_hash, status)
               values (nextval('raw.load_id_seq'), %s, %s, %s, %s, %s, 'loading') returning load_id""",
            (landing.extract, landing.la_code, landing.extract_date, landing.path.name, file_hash),
        )
        return cur.fetchone()[0]


def _finish_load(
    conn,
    load_id: int,
    status: str,
    rows: int,
    violations: list[Violation],
    report: Path | None,
    duplicate_of: int | None = None,
    rows_held: int | None = None,
    rows_warned: int | None = None,
):
    from psycopg2.extras import Json

    # The load log keeps a refused file's findings (a re-delivery of its bytes is reported from them);
    # an accepted file's are in raw.data_quality_issues.
    errors = Json([v.__dict__ for v in violations]) if violations and status == "quarantined" else None
    with conn.cursor() as cur:
        cur.execute(
            """update raw.load_log set status = %s, rows_loaded = %s, errors = %s, report_path = %s,
               duplicate_of = %s, rows_held = %s, rows_warned = %s, finished_at = now() where load_id = %s""",
            (
                status,
                rows,
                errors,
                str(report) if report else None,
                duplicate_of,
                rows_held,
                rows_warned,
                load_id,
            ),
        )


def _abandon_interrupted_loads(conn, extract: str) -> None:
    """A run killed mid-load leaves a 'loading' row and an incoming table: clear both."""
    with conn.cursor() as cur:
        cur.execute("select load_id from raw.load_log where extract = %s and status = 'loading'", (extract,))
        for (load_id,) in cur.fetchall():
            cur.execute("delete from raw.load_log where load_id = %s and status = 'loading'", (load_id,))
            if cur.rowcount:
                cur.execute(
                    sql.SQL("drop table if exists raw_incoming.{}").format(sql.Identifier(f"{extract}__load{load_id}"))
                )


def _header_violations(contract: Contract, decoded: DecodedFile, file_name: str) -> list[Violation]:
    seen: set[str] = set()
    violations = []
    for name in decoded.header:
        if name in seen and name in contract.column_names:
            violations.append(
                Violation(file_name, "duplicate_column", "the header names this column twice", column=name)
            )
        seen.add(name)
    for column in contract.columns:
        if column.name == "la_code" and contract.la_code_from_file_name:
            continue  # the file name carries it (903 layouts)
        if column.required and column.name not in seen:
            violations.append(
                Violation(
                    file_name,
                    "required_column",
                    "the contract requires this column but the header does not have it",
                    column=column.name,
                )
            )
    return violations


def _copy_into_incoming(
    conn, contract: Contract, decoded: DecodedFile, landing: LandingFile, load_id: int, table: str
) -> tuple[list[Violation], int]:
    """COPY the file into raw_incoming.<table>; on a type error, list every bad cell instead."""
    try:
        rows = _copy(conn, contract, decoded, landing, load_id, table, typed=True)
        conn.commit()
        return [], rows
    except psycopg2.DataError:
        conn.rollback()
    # Slow path, only for a failing file: load as text to name every bad cell, not just the first.
    try:
        rows = _copy(conn, contract, decoded, landing, load_id, table, typed=False)
    except psycopg2.DataError as error:
        conn.rollback()
        return [_structure_violation(landing.path.name, error)], 0
    violations = _type_violations(conn, contract, decoded, table, landing.path.name)
    # A cell of the wrong type is a bad row, not a bad file: the row loads with that cell blank and
    # is held back (its value is in the finding); the file's typed columns take their types.
    _cast_keeping_bad_cells_blank(conn, contract, decoded, table)
    conn.commit()
    return violations, rows


def _cast_keeping_bad_cells_blank(conn, contract: Contract, decoded: DecodedFile, table: str) -> None:
    typed = [c for c in contract.columns if c.type in TYPE_RULES and c.name in decoded.header]
    if typed:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("alter table {} {}").format(
                    sql.Identifier("raw_incoming", table),
                    sql.SQL(", ").join(
                        sql.SQL(
                            "alter column {col} type {type} using case when pg_input_is_valid({col}, {lit})"
                            " then {col}::{type} end"
                        ).format(col=sql.Identifier(c.name), type=sql.SQL(c.sql_type), lit=sql.Literal(c.sql_type))
                        for c in typed
                    ),
                )
            )


def _incoming_columns(contract: Contract, decoded: DecodedFile) -> list[tuple[str, str]]:
    """The file's columns in file order: contract ones typed, unknown ones as throwaway text."""
    known = {c.name: c for c in contract.columns}
    return [
        (name, known[name].sql_type) if name in known else (f"_extra_{position}", "text")
        for position, name in enumerate(decoded.header)
    ]


def _copy(conn, contract, decoded, landing, load_id, table, *, typed: bool) -> int:
    file_columns = _incoming_columns(contract, decoded)
    in_file = {name for name, _ in file_columns}
    absent = [c for c in contract.columns if c.name not in in_file]
    target = sql.Identifier("raw_incoming", table)
    sequence = sql.Identifier("raw_incoming", f"{table}_row")
    # A layout without la_code (903) takes the file name's, as a default filled during COPY.
    filled_from_name = {"la_code"} if contract.la_code_from_file_name and "la_code" not in in_file else set()
    definitions = [
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(sql_type if typed else "text"))
        for name, sql_type in file_columns
    ] + [
        sql.SQL("{} {}{}").format(
            sql.Identifier(c.name),
            sql.SQL(c.sql_type),
            sql.SQL(" default {}").format(sql.Literal(landing.la_code)) if c.name in filled_from_name else sql.SQL(""),
        )
        for c in absent
    ]
    metadata = {  # constant per file: column defaults fill them during COPY, then are dropped
        "_load_id": sql.Literal(load_id),
        "_source_row": sql.SQL("nextval({})").format(sql.Literal(f"raw_incoming.{table}_row")),
        "_extract_date": sql.Literal(landing.extract_date.isoformat()),
    }
    definitions += [
        sql.SQL("{} {} default {}").format(sql.Identifier(name), sql.SQL(sql_type), metadata[name])
        for name, sql_type in METADATA_COLUMNS
    ]
    # The CHECK matches the partition bound, so ATTACH PARTITION needs no scan to prove it.
    definitions.append(sql.SQL("check (_load_id = {})").format(sql.Literal(load_id)))
    copied_columns = sql.SQL(", ").join(sql.Identifier(name) for name, _ in file_columns)
    contract_in_file = [name for name, _ in file_columns if not name.startswith("_extra_")]
    with conn.cursor() as cur:
        cur.execute(sql.SQL("create sequence {} cache 10000").format(sequence))
        cur.execute(sql.SQL("create table {} ({})").format(target, sql.SQL(", ").join(definitions)))
        cur.copy_expert(
            sql.SQL("copy {} ({}) from stdin with (format csv, header true, encoding {}, force_null ({}))")
            .format(
                target,
                copied_columns,
                sql.Literal(decoded.postgres_encoding),
                sql.SQL(", ").join(map(sql.Identifier, contract_in_file)),
            )
            .as_string(conn),
            io.BytesIO(decoded.body),
        )
        rows = cur.rowcount
        if decoded.may_have_blank_rows:
            # Rows of nothing but separators carry no data (spreadsheets leave them anywhere).
            cur.execute(
                sql.SQL("delete from {} where num_nonnulls({}) = 0").format(
                    target,
                    sql.SQL(", ").join(sql.Identifier(c) for c in contract.column_names if c not in filled_from_name),
                )
            )
            rows -= cur.rowcount
        # Extra columns are ignored, never fatal; defaults go so the table matches raw.<extract>.
        changes = [
            sql.SQL("drop column {}").format(sql.Identifier(name))
            for name, _ in file_columns
            if name.startswith("_extra_")
        ]
        changes += [
            sql.SQL("alter column {} drop default").format(sql.Identifier(name))
            for name in [*filled_from_name, *(name for name, _ in METADATA_COLUMNS)]
        ]
        cur.execute(sql.SQL("alter table {} {}").format(target, sql.SQL(", ").join(changes)))
        cur.execute(sql.SQL("drop sequence {}").format(sequence))
    return rows


def _type_violations(conn, contract: Contract, decoded: DecodedFile, table: str, file_name: str) -> list[Violation]:
    violations = []
    # Whom each bad row is about, where the contract names a subject column the file has (903 CHILD).
    subject = sql.Identifier(contract.subject) if contract.subject in decoded.header else sql.SQL("null")
    with conn.cursor() as cur:
        for column in contract.columns:
            if column.type not in TYPE_RULES or column.name not in decoded.header:
                continue
            cur.execute(
                sql.SQL("""select _source_row, {col}, {subject} from {table}
                           where {col} is not null and not pg_input_is_valid({col}, {type})
                           order by _source_row""").format(
                    col=sql.Identifier(column.name),
                    subject=subject,
                    table=sql.Identifier("raw_incoming", table),
                    type=sql.Literal(column.sql_type),
                ),
            )
            expected = TYPE_EXPECTATIONS[column.type]
            violations += [
                Violation(
                    file_name, TYPE_RULES[column.type], f"is not {expected}", row, column.name, value, subject=who
                )
                for row, value, who in cur.fetchall()
            ]
    return violations


def _structure_violation(file_name: str, error: psycopg2.Error) -> Violation:
    """A file COPY cannot read even as text: wrong column count, bad quoting or bad bytes."""
    context = (error.diag.context or "").strip()
    row = None
    if ", line " in context:
        line = context.split(", line ", 1)[1].split(",", 1)[0].split(":", 1)[0]
        row = int(line) - 1 if line.isdigit() else None  # line 1 is the header
    rule = "encoding" if error.pgcode in ("22021", "22P05") else "csv_structure"
    return Violation(file_name, rule, error.diag.message_primary or str(error).strip(), row)


def _keep_aside(conn, table: str) -> str | None:
    with conn.cursor() as cur:
        cur.execute("select to_regclass(%s)", (f"raw_incoming.{table}",))
        if cur.fetchone()[0] is None:
            return None
        cur.execute(sql.SQL("alter table {} set schema quarantine").format(sql.Identifier("raw_incoming", table)))
    return f"quarantine.{table}"


def _attach(conn, contract: Contract, table: str, load_id: int) -> None:
    with conn.cursor() as cur:
        cur.execute(sql.SQL("alter table {} set schema raw").format(sql.Identifier("raw_incoming", table)))
        cur.execute(
            sql.SQL("alter table {} attach partition {} for values in ({})").format(
                sql.Identifier("raw", contract.extract), sql.Identifier("raw", table), sql.Literal(load_id)
            )
        )


__all__ = ["LoadOutcome", "QuarantinedFiles", "ingest_extract", "ingest_file", "landing_files"]
