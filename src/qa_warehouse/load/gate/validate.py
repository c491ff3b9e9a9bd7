"""Run an extract's committed GX suite on a table of incoming rows and say what broke, by row."""

from __future__ import annotations

import json
import os
from pathlib import Path

from qa_warehouse.load.contracts import Contract
from qa_warehouse.load.gate.suites import SUBJECT, suite_path
from qa_warehouse.problems import Violation
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import Warehouse, connect

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # GX's telemetry would try the network


class GateError(RuntimeError):
    """An expectation could not be evaluated (a broken suite or a lost connection)."""


# Every failing row, not a sample: each is held (or refuses the file) and listed with its true count.
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["_source_row"],
    "partial_unexpected_count": 10**9,
}


def validate_incoming(
    warehouse: Warehouse, contract: Contract, schema: str, table: str, file_name: str
) -> list[Violation]:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # logs, not terminal bars
    source = context.data_sources.add_or_update_postgres(
        "warehouse", connection_string=warehouse.gx_connection_string()
    )
    asset = source.add_table_asset(table, table_name=table, schema_name=schema)
    batch = asset.add_batch_definition_whole_table("whole file")
    document = json.loads(suite_path(contract.extract).read_text(encoding="utf-8"))
    suite = context.suites.add(gx.ExpectationSuite(**document))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{contract.extract} gate", data=batch, suite=suite)
    )
    index_columns = ["_source_row", *([contract.subject] if contract.subject else [])]
    try:
        result = definition.run(result_format={**RESULT_FORMAT, "unexpected_index_column_names": index_columns})
    finally:
        # Each gate makes its own engines: close their pooled connections now, not when the garbage
        # collector gets to them (a run gates dozens of files; the server allows ~100 connections).
        source.get_engine().dispose()
        source.get_execution_engine().engine.dispose()
    keep_validation_result(result, table, file_name)
    violations: list[Violation] = []
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        if config is None:  # GX gives each result its expectation; without it nothing says which rule broke
            raise GateError(f"{contract.extract} suite: GX returned a result without its expectation")
        raised = [
            info
            for info in (outcome.exception_info or {}).values()
            if isinstance(info, dict) and info.get("raised_exception")
        ]
        if raised or (outcome.exception_info or {}).get("raised_exception"):
            # A check that could not run says nothing about the data: stop, don't quarantine.
            message = (raised[0] if raised else outcome.exception_info).get("exception_message")
            raise GateError(f"{contract.extract} suite, rule {(config.meta or {}).get('rule')}: {message}")
        found = outcome.result
        if "details" in found and (found.get("observed_value") or 0) > len(
            found["details"].get("unexpected_rows") or []
        ):
            # GX returns at most 200 rows of a query rule (MAX_RESULT_RECORDS): read them all ourselves.
            query = config.kwargs["unexpected_rows_query"].replace("{batch}", f'"{schema}"."{table}"')
            found = {**found, "details": {"unexpected_rows": _all_rows(warehouse, query)}}
        violations += _violations(
            file_name, config.meta or {}, config.description or config.type, found, contract.subject
        )
    return violations


# A kept result lists this many failing rows per expectation: enough for Data Docs to show what broke;
# every row is in the load's report (load/quarantine.py), and a kept result stays a few kilobytes.
KEPT_ROWS = 20
# Validations kept: the newest this many (months of nightly deliveries); older ones are deleted, so the
# state folder does not grow without end. Each load's findings stay in the warehouse and its report.
KEPT_VALIDATIONS = 2000


def validation_results_dir() -> Path:
    """Where the gate keeps each validation's GX result (read by `qa-warehouse docs` for GX's Data Docs)."""
    return load_settings().home / "gx" / "validations"


def keep_validation_result(result, table: str, file_name: str) -> Path:
    """Write the validation's result as GX's JSON (every failing-row list cut to KEPT_ROWS), named by
    its load's table (`<extract>__load<id>`), with the file and the batch GX validated in its meta:
    the context is ephemeral, so without this the result is gone when the gate returns."""
    document = result.to_json_dict()
    document["meta"] = {
        **document.get("meta", {}),
        "file_name": file_name,
        "load_table": table,
        "batch_identifier": getattr(result, "batch_id", None) or _batch_identifier(document),
    }
    for outcome in document.get("results", []):
        found = outcome.get("result") or {}
        for unbounded in ("unexpected_list", "unexpected_index_list", "unexpected_index_query"):
            found.pop(unbounded, None)
        for listed in ("partial_unexpected_list", "partial_unexpected_index_list", "partial_unexpected_counts"):
            if isinstance(found.get(listed), list):
                found[listed] = found[listed][:KEPT_ROWS]
        rows = (found.get("details") or {}).get("unexpected_rows")
        if isinstance(rows, list):
            found["details"]["unexpected_rows"] = rows[:KEPT_ROWS]
    path = validation_results_dir() / f"{table}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, default=str), encoding="utf-8")
    kept = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[KEPT_VALIDATIONS:]:
        old.unlink(missing_ok=True)
    return path


def _batch_identifier(document: dict) -> str:
    batch = (document.get("meta") or {}).get("active_batch_definition") or {}
    return "-".join(str(batch.get(part, "")) for part in ("datasource_name", "data_asset_name")) or "batch"


def _all_rows(warehouse: Warehouse, query: str) -> list[dict]:
    from psycopg2.extras import RealDictCursor

    with connect(warehouse) as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute(query)  # no parameters: a % in the rule's SQL stays as written
        return [dict(row) for row in cur.fetchall()]


def _violations(
    file_name: str, meta: dict, description: str, result: dict, subject: str | None = None
) -> list[Violation]:
    rule, column = meta.get("rule", "unknown_rule"), meta.get("column")
    if "details" in result:  # unexpected_rows_expectation: the rows the query returned
        rows = result["details"].get("unexpected_rows") or []
        return [
            Violation(
                file_name,
                rule,
                description,
                row.get("_source_row"),
                column,
                _value(row, exclude={"_source_row", SUBJECT}),
                subject=_text(row.get(SUBJECT)),
            )
            for row in rows
        ] or [Violation(file_name, rule, f"{description} ({result.get('observed_value')} rows)", None, column)]
    indexed = result.get("unexpected_index_list") or []
    if indexed:
        # GX gives the index columns (_source_row, the subject) and the checked column's value.
        index_only = {"_source_row", *([subject] if subject else [])} - {column}
        return [
            Violation(
                file_name,
                rule,
                description,
                row.get("_source_row"),
                column,
                _value(row, exclude=index_only),
                subject=_text(row.get(subject)) if subject else None,
            )
            for row in indexed
        ]
    return [
        Violation(
            file_name,
            rule,
            description,
            None,
            column,
            None if result.get("observed_value") is None else str(result.get("observed_value")),
        )
    ]


def _text(value) -> str | None:
    return None if value is None else str(value)


def _value(row: dict, exclude: set[str]) -> str | None:
    values = [v for k, v in row.items() if k not in exclude]
    if not values:
        return None
    return str(values[0]) if len(values) == 1 else ", ".join(map(str, values))
