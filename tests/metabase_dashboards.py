"""The Metabase dashboards' definitions (deploy/metabase/dashboards/) and the published tables they
read, for tests/test_metabase_dashboards.py and the integration check in tests/test_disclosure.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import yaml
from psycopg2 import sql

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "deploy" / "metabase" / "setup_metabase.py"
DEFINITIONS = REPO / "deploy" / "metabase" / "dashboards"
REPORTING_MODELS = REPO / "src" / "qa_warehouse" / "build" / "dbt_project" / "models" / "reporting"


def _load_script():
    spec = importlib.util.spec_from_file_location("setup_metabase", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["setup_metabase"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


setup_metabase = _load_script()


# ---- what is published ---------------------------------------------------------------------------


def reporting_contracts() -> dict[str, dict[str, str]]:
    """Each reporting model -> its declared columns and their data types (dbt contracts, enforced)."""
    tables: dict[str, dict[str, str]] = {}
    for path in sorted(REPORTING_MODELS.rglob("_*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or ():
            assert model.get("config", {}).get("contract", {}).get("enforced"), f"{model['name']}: no contract"
            tables[model["name"]] = {c["name"]: c["data_type"] for c in model["columns"]}
    return tables


def published_columns() -> dict[tuple[str, str], dict[str, str]]:
    """(schema, table) -> {column: data type} of every table the BI role reads: the reporting models,
    and their public twins with the columns disclosure.py publishes (counts and what is worked out
    from them as text, where a suppressed figure is c)."""
    from qa_warehouse.publish.disclosure import twins_for

    reporting = reporting_contracts()
    published = {("reporting", name): columns for name, columns in reporting.items()}
    for twin in twins_for(reporting):
        source = reporting[twin.table]
        as_text = twin.count_columns() | {d.column for d in twin.derived} | {c.column for c in twin.comparisons}
        as_text |= {twin.rag[0]} if twin.rag else set()
        as_text |= {twin.direction[0]} if twin.direction else set()
        published[("public_reporting", twin.table)] = {
            c: "text" if c in as_text else source[c] for c in twin.columns if c in source or c in as_text
        }
    return published


PUBLISHED = published_columns()
DASHBOARDS = setup_metabase.load_definitions(DEFINITIONS)
QUESTIONS = [(d, q) for d in DASHBOARDS for q in d.questions]


def question_sql(question) -> sql.Composed:
    """A plain SQL reading of a question: every column it names, from its table, with its fixed
    filters (what Metabase's query of it reads, without the summaries)."""
    schema, table = question.schema_and_table
    conditions = []
    for clause in question.where:
        column = sql.Identifier(clause["column"])
        if "equals" in clause:
            conditions.append(sql.SQL("{} = {}").format(column, sql.Literal(clause["equals"])))
        else:
            conditions.append(
                sql.SQL("{} is {}null").format(column, sql.SQL("" if clause["is"] == "empty" else "not "))
            )
    return sql.SQL("select {} from {} where {}").format(
        sql.SQL(", ").join(map(sql.Identifier, sorted(question.referenced_columns()))),
        sql.Identifier(schema, table),
        sql.SQL(" and ").join(conditions) if conditions else sql.SQL("true"),
    )


def column_kind(data_type: str) -> str:
    data_type = data_type.lower()
    if data_type in ("date",) or data_type.startswith("timestamp"):
        return "date"
    if data_type in ("text", "varchar") or data_type.startswith(("character", "varchar")):
        return "string"
    return "number"
