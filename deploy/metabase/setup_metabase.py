"""Set Metabase up for the qa-warehouse through its HTTP API, and keep its dashboards as this repo defines them.

The metabase-setup service of docker-compose.yml runs it once Metabase is healthy; run it again at any
time (`docker compose up metabase-setup`): every step finds what an earlier run made and updates it.

1. Wait for GET /api/health.
2. The admin: on a fresh Metabase, POST /api/setup with the setup token of GET /api/session/properties;
   on one already set up, log in as that admin (POST /api/session).
3. The warehouse database, connected as the read-only BI role and syncing `reporting` and
   `public_reporting` only: POST /api/database, unless a database of that name is registered.
4. A schema sync (POST /api/database/:id/sync_schema), then GET /api/database/:id/metadata until every
   table the dashboards read is there (tables are published by the first pipeline run: a dashboard whose
   tables are not published yet is skipped, and named, until a later run).
5. The collection (by name, at the top level), then in it each question (POST /api/card, or PUT
   /api/card/:id for a card of the same name) and each dashboard (POST /api/dashboard once, then PUT
   /api/dashboard/:id with its filters, cards, layout and each filter wired to its question's column).

Definitions: deploy/metabase/dashboards/*.yml, one dashboard each with its questions (docs/dashboards.md).
Questions are Metabase's structured (MBQL) queries: tables and columns are named there and resolved to
Metabase's ids from the synced metadata here, so a column that is not in the warehouse stops the setup
(tests/test_metabase_dashboards.py checks every name against the published tables' dbt contracts).
Secrets come from the environment only.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

# Every variable the script requires (tests/test_docker_compose.py checks the compose service sets them).
REQUIRED = (
    "METABASE_URL",
    "METABASE_ADMIN_EMAIL",
    "METABASE_ADMIN_PASSWORD",
    "METABASE_SITE_NAME",
    "METABASE_WAREHOUSE_NAME",
    "WAREHOUSE_HOST",
    "WAREHOUSE_PORT",
    "WAREHOUSE_DB",
    "WAREHOUSE_SCHEMAS",
    "QA_WAREHOUSE_BI_ROLE",
    "QA_WAREHOUSE_BI_PASSWORD",
)
DEFINITIONS = Path(__file__).resolve().parent / "dashboards"
COLLECTION = "QA warehouse"
GRID_WIDTH = 24  # Metabase's dashboard grid
SCHEMAS = ("reporting", "public_reporting")
FILTER_TYPES = {"string/=": "string", "date/all-options": "date", "date/single": "date", "number/=": "number"}
AGGREGATIONS = {"count": 0, "sum": 1, "avg": 1, "min": 1, "max": 1, "distinct": 1}
TEMPORAL_UNITS = {"day", "week", "month", "quarter", "year"}
DISPLAYS = {"table", "line", "bar", "row", "area", "pie", "scalar", "combo"}


class SetupError(RuntimeError):
    """What stopped the setup, as an operator reads it."""


# ---- the definitions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One saved question: a structured query on one published table."""

    name: str
    table: str  # schema.table
    display: str
    description: str = ""
    columns: tuple[str, ...] = ()  # the columns shown (a raw table); empty with `summarize`
    where: tuple[Mapping[str, Any], ...] = ()  # fixed filters: {column, equals | is: empty/not_empty}
    summarize: tuple[tuple[str, ...], ...] = ()  # [fn, column] or [count]
    group_by: tuple[tuple[str, str | None], ...] = ()  # (column, temporal unit or None)
    order_by: tuple[tuple[str, str], ...] = ()  # (column, asc | desc)
    decimals: Mapping[str, int] = field(default_factory=dict)  # column -> decimal places shown
    settings: Mapping[str, Any] = field(default_factory=dict)  # further visualization settings
    filters: Mapping[str, str] = field(default_factory=dict)  # dashboard filter id -> this table's column
    card: Mapping[str, int] = field(default_factory=dict)  # row, col, width, height on the dashboard

    @property
    def schema_and_table(self) -> tuple[str, str]:
        schema, _, table = self.table.partition(".")
        return schema, table

    def referenced_columns(self) -> set[str]:
        """Every column of its table the question names: shown, filtered, summarized, grouped, ordered,
        formatted, or wired to a dashboard filter."""
        named = set(self.columns) | {w["column"] for w in self.where}
        named |= {agg[1] for agg in self.summarize if len(agg) > 1}
        named |= {column for column, _ in self.group_by} | {column for column, _ in self.order_by}
        return named | set(self.decimals) | set(self.filters.values())


@dataclass(frozen=True)
class Dashboard:
    name: str
    description: str
    filters: tuple[Mapping[str, Any], ...]  # {id, name, type[, default]}
    questions: tuple[Question, ...]  # in display order
    source: str = ""

    def tables(self) -> set[tuple[str, str]]:
        return {q.schema_and_table for q in self.questions}


def _question(raw: Mapping[str, Any], where: str) -> Question:
    def fail(message: str) -> SetupError:
        return SetupError(f"{where}: question {raw.get('name')!r}: {message}")

    unknown = set(raw) - {
        "name",
        "description",
        "table",
        "visualization",
        "columns",
        "where",
        "summarize",
        "group_by",
        "order_by",
        "filters",
        "card",
    }
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}")
    visualization = dict(raw.get("visualization") or {})
    display = visualization.get("display", "table")
    if display not in DISPLAYS:
        raise fail(f"display {display!r} is not one of {sorted(DISPLAYS)}")
    table = str(raw.get("table", ""))
    schema, dot, name = table.partition(".")
    if not dot or schema not in SCHEMAS or not name:
        raise fail(f"table {table!r} is not schema.table in {' or '.join(SCHEMAS)}")
    summarize = tuple(tuple(agg) for agg in raw.get("summarize") or ())
    for agg in summarize:
        if not agg or agg[0] not in AGGREGATIONS or len(agg) != 1 + AGGREGATIONS[agg[0]]:
            raise fail(f"summarize {list(agg)} is not [count] or [sum|avg|min|max|distinct, column]")
    columns = tuple(raw.get("columns") or ())
    if bool(columns) == bool(summarize):
        raise fail("give either columns (a table of rows) or summarize (figures), not both or neither")
    group_by = []
    for item in raw.get("group_by") or ():
        column, unit = (item["column"], item.get("unit")) if isinstance(item, Mapping) else (item, None)
        if unit is not None and unit not in TEMPORAL_UNITS:
            raise fail(f"group_by {column}: unit {unit!r} is not one of {sorted(TEMPORAL_UNITS)}")
        group_by.append((column, unit))
    if group_by and not summarize:
        raise fail("group_by needs summarize")
    order_by = []
    for item in raw.get("order_by") or ():
        column, _, direction = str(item).partition(" ")
        if direction not in ("", "asc", "desc"):
            raise fail(f"order_by {item!r}: the direction is asc or desc")
        order_by.append((column, direction or "asc"))
    if summarize and {c for c, _ in order_by} - {c for c, _ in group_by}:
        raise fail("a summarized question orders by its group_by columns only")
    where_clauses = tuple(dict(w) for w in raw.get("where") or ())
    for clause in where_clauses:
        if set(clause) not in ({"column", "equals"}, {"column", "is"}) or clause.get("is", "empty") not in (
            "empty",
            "not_empty",
        ):
            raise fail(f"where {clause} is not {{column, equals}} or {{column, is: empty|not_empty}}")
    card = dict(raw.get("card") or {})
    if set(card) != {"row", "col", "width", "height"} or not all(isinstance(v, int) and v >= 0 for v in card.values()):
        raise fail("card needs row, col, width and height (whole numbers)")
    if card["col"] + card["width"] > GRID_WIDTH or not card["width"] or not card["height"]:
        raise fail(f"card does not fit the {GRID_WIDTH}-column grid")
    return Question(
        name=str(raw["name"]),
        description=str(raw.get("description", "")).strip(),
        table=table,
        display=display,
        columns=columns,
        where=where_clauses,
        summarize=summarize,
        group_by=tuple(group_by),
        order_by=tuple(order_by),
        decimals=dict(visualization.get("decimals") or {}),
        settings=dict(visualization.get("settings") or {}),
        filters=dict(raw.get("filters") or {}),
        card=card,
    )


def load_definitions(folder: Path = DEFINITIONS) -> list[Dashboard]:
    """Every dashboard defined in `folder`, checked for shape (not against the warehouse)."""
    dashboards: list[Dashboard] = []
    names: set[str] = set()
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        where = path.name
        filters = tuple(dict(f) for f in raw.get("filters") or ())
        for f in filters:
            if not {"id", "name", "type"} <= set(f) <= {"id", "name", "type", "default"}:
                raise SetupError(f"{where}: filter {f} needs id, name and type (and may have a default)")
            if f["type"] not in FILTER_TYPES:
                raise SetupError(f"{where}: filter {f['id']}: type {f['type']!r} is not one of {sorted(FILTER_TYPES)}")
        filter_ids = [f["id"] for f in filters]
        if len(set(filter_ids)) != len(filter_ids):
            raise SetupError(f"{where}: a filter id is given twice")
        questions = tuple(_question(q, where) for q in raw.get("questions") or ())
        if not questions:
            raise SetupError(f"{where}: the dashboard has no questions")
        for question in questions:
            if question.name in names:
                raise SetupError(f"{where}: question {question.name!r} is defined twice")
            names.add(question.name)
            if unwired := set(question.filters) - set(filter_ids):
                raise SetupError(f"{where}: question {question.name!r} is wired to unknown filters {sorted(unwired)}")
        if overlap := _overlapping_cards(questions):
            raise SetupError(f"{where}: cards overlap: {overlap}")
        dashboards.append(
            Dashboard(str(raw["name"]), str(raw.get("description", "")).strip(), filters, questions, where)
        )
    if len({d.name for d in dashboards}) != len(dashboards):
        raise SetupError("two dashboards have the same name")
    return dashboards


def _overlapping_cards(questions: Iterable[Question]) -> list[tuple[str, str]]:
    cells: dict[tuple[int, int], str] = {}
    overlaps = []
    for q in questions:
        for row in range(q.card["row"], q.card["row"] + q.card["height"]):
            for col in range(q.card["col"], q.card["col"] + q.card["width"]):
                if (row, col) in cells and (cells[(row, col)], q.name) not in overlaps:
                    overlaps.append((cells[(row, col)], q.name))
                cells[(row, col)] = q.name
    return overlaps


# ---- the payloads Metabase receives -----------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    id: int
    fields: Mapping[str, int]  # column name -> Metabase field id


def _field(table: Table, column: str, question: Question, unit: str | None = None) -> list[Any]:
    if column not in table.fields:
        raise SetupError(
            f"question {question.name!r}: {question.table} has no column {column!r} in Metabase "
            "(is the warehouse older than these definitions? publish, then run the setup again)"
        )
    return ["field", table.fields[column], {"temporal-unit": unit} if unit else None]


def card_payload(question: Question, database_id: int, table: Table, collection_id: int) -> dict[str, Any]:
    """The card (saved question) as POST /api/card and PUT /api/card/:id take it: a structured query."""
    query: dict[str, Any] = {"source-table": table.id}
    if question.columns:
        query["fields"] = [_field(table, c, question) for c in question.columns]
    clauses = []
    for clause in question.where:
        ref = _field(table, clause["column"], question)
        if "equals" in clause:
            clauses.append(["=", ref, clause["equals"]])
        else:
            clauses.append(["is-null" if clause["is"] == "empty" else "not-null", ref])
    if clauses:
        query["filter"] = clauses[0] if len(clauses) == 1 else ["and", *clauses]
    if question.summarize:
        query["aggregation"] = [
            [agg[0]] if len(agg) == 1 else [agg[0], _field(table, agg[1], question)] for agg in question.summarize
        ]
    if question.group_by:
        query["breakout"] = [_field(table, c, question, unit) for c, unit in question.group_by]
    if question.order_by:
        units = dict(question.group_by)
        query["order-by"] = [[d, _field(table, c, question, units.get(c))] for c, d in question.order_by]
    settings: dict[str, Any] = dict(question.settings)
    if question.decimals:
        settings["column_settings"] = {
            f'["name","{column}"]': {"decimals": places} for column, places in question.decimals.items()
        }
    return {
        "name": question.name,
        "description": question.description or None,
        "type": "question",
        "display": question.display,
        "collection_id": collection_id,
        "dataset_query": {"database": database_id, "type": "query", "query": query},
        "visualization_settings": settings,
    }


def dashboard_parameters(dashboard: Dashboard) -> list[dict[str, Any]]:
    parameters = []
    for f in dashboard.filters:
        parameter = {"id": f["id"], "name": f["name"], "slug": f["id"], "type": f["type"]}
        parameter["sectionId"] = FILTER_TYPES[f["type"]]
        if "default" in f:
            parameter["default"] = f["default"]
        parameters.append(parameter)
    return parameters


def dashcards(
    dashboard: Dashboard,
    card_ids: Mapping[str, int],
    tables: Mapping[tuple[str, str], Table],
    existing: Mapping[int, int] | None = None,
) -> list[dict[str, Any]]:
    """The dashboard's cards for PUT /api/dashboard/:id: each question at its place, every dashboard
    filter it is wired to targeting its column. `existing` maps a card id to the dashcard already
    showing it (kept, not replaced); new dashcards get negative ids, as Metabase asks."""
    existing = existing or {}
    result = []
    for n, question in enumerate(dashboard.questions, start=1):
        card_id = card_ids[question.name]
        table = tables[question.schema_and_table]
        result.append(
            {
                "id": existing.get(card_id, -n),
                "card_id": card_id,
                "row": question.card["row"],
                "col": question.card["col"],
                "size_x": question.card["width"],
                "size_y": question.card["height"],
                "series": [],
                "visualization_settings": {},
                "parameter_mappings": [
                    {
                        "parameter_id": parameter_id,
                        "card_id": card_id,
                        "target": ["dimension", _field(table, column, question)],
                    }
                    for parameter_id, column in question.filters.items()
                ],
            }
        )
    return result


# ---- Metabase's API -----------------------------------------------------------------------------------


class Metabase:
    """A session with Metabase's API: JSON in and out, and an error that says what Metabase answered."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        try:
            response = self.http.request(method, self.url + path, json=body, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise SetupError(f"could not reach Metabase at {self.url}: {error}") from error
        if not response.ok:
            raise SetupError(f"Metabase answered HTTP {response.status_code} to {method} {path}: {response.text[:500]}")
        return response.json() if response.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params or None)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, body)

    def healthy(self) -> bool:
        try:
            return self.http.get(self.url + "/api/health", timeout=self.timeout).ok
        except requests.RequestException:
            return False

    def use_session(self, session_id: str) -> None:
        self.http.headers["X-Metabase-Session"] = session_id


def _rows(answer: Any) -> list[dict[str, Any]]:
    """A list answer, bare or wrapped in {"data": [...]} as newer Metabase versions wrap some."""
    return list(answer["data"] if isinstance(answer, dict) else answer)


def wait_until_healthy(api: Metabase, tries: int, delay: float, sleep: Callable[[float], None] = time.sleep) -> None:
    for attempt in range(tries):
        if api.healthy():
            return
        if attempt + 1 < tries:
            sleep(delay)
    raise SetupError(f"Metabase at {api.url} is not healthy; see: docker compose logs metabase")


def log_in(api: Metabase, email: str, password: str, site_name: str) -> None:
    properties = api.get("/api/session/properties")
    if properties.get("has-user-setup"):
        print(f"Metabase is already set up: logging in as {email}")
        answer = api.post("/api/session", {"username": email, "password": password})
    else:
        token = properties.get("setup-token")
        if not token:
            raise SetupError("Metabase gave no setup token in /api/session/properties")
        print(f"Setting Metabase up: admin {email}")
        answer = api.post(
            "/api/setup",
            {
                "token": token,
                "user": {
                    "first_name": "QA",
                    "last_name": "Admin",
                    "email": email,
                    "password": password,
                    "site_name": site_name,
                },
                "prefs": {"site_name": site_name, "allow_tracking": False},
            },
        )
    if not (answer or {}).get("id"):
        raise SetupError("Metabase returned no session id")
    api.use_session(answer["id"])


def ensure_database(api: Metabase, name: str, details: Mapping[str, Any]) -> int:
    """The warehouse's id in Metabase, registering it (Metabase tests the connection first) if it is not."""
    for database in _rows(api.get("/api/database")):
        if database["name"] == name:
            print(f"The warehouse is already registered in Metabase as {name!r}")
            return int(database["id"])
    answer = api.post("/api/database", {"engine": "postgres", "name": name, "is_full_sync": True, "details": details})
    print(
        f"Registered the warehouse in Metabase as {name!r}: {details['user']}@{details['host']}:{details['port']}/"
        f"{details['dbname']}, schemas {details['schema-filters-patterns']} only"
    )
    return int(answer["id"])


def synced_tables(
    api: Metabase,
    database_id: int,
    wanted: set[tuple[str, str]],
    tries: int,
    delay: float,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[tuple[str, str], Table]:
    """Start a schema sync and wait (up to `tries` looks) until Metabase knows every wanted table;
    return the tables it knows by then (a table not published yet is simply absent)."""
    api.post(f"/api/database/{database_id}/sync_schema")
    tables: dict[tuple[str, str], Table] = {}
    for attempt in range(tries):
        metadata = api.get(f"/api/database/{database_id}/metadata")
        tables = {
            (t["schema"], t["name"]): Table(int(t["id"]), {f["name"]: int(f["id"]) for f in t.get("fields") or ()})
            for t in metadata.get("tables") or ()
        }
        if wanted <= {key for key, table in tables.items() if table.fields}:
            break
        if attempt + 1 < tries:
            sleep(delay)
    return tables


def ensure_collection(api: Metabase, name: str) -> int:
    for collection in _rows(api.get("/api/collection")):
        if (
            collection.get("name") == name
            and collection.get("location", "/") == "/"
            and not collection.get("archived")
            and not collection.get("personal_owner_id")
            and isinstance(collection.get("id"), int)
        ):
            return int(collection["id"])
    answer = api.post(
        "/api/collection",
        {"name": name, "description": "The qa-warehouse's dashboards, kept in its repo (deploy/metabase)."},
    )
    print(f"Created the collection {name!r}")
    return int(answer["id"])


def collection_items(api: Metabase, collection_id: int, model: str) -> dict[str, int]:
    return {
        item["name"]: int(item["id"])
        for item in _rows(api.get(f"/api/collection/{collection_id}/items", models=model))
        if item.get("model", model) == model
    }


def ensure_dashboard(
    api: Metabase,
    dashboard: Dashboard,
    database_id: int,
    tables: Mapping[tuple[str, str], Table],
    collection_id: int,
) -> int:
    cards = collection_items(api, collection_id, "card")
    card_ids = {}
    for question in dashboard.questions:
        payload = card_payload(question, database_id, tables[question.schema_and_table], collection_id)
        if question.name in cards:
            card_ids[question.name] = int(api.put(f"/api/card/{cards[question.name]}", payload)["id"])
        else:
            card_ids[question.name] = int(api.post("/api/card", payload)["id"])
    parameters = dashboard_parameters(dashboard)
    dashboard_id = collection_items(api, collection_id, "dashboard").get(dashboard.name)
    existing: dict[int, int] = {}
    if dashboard_id is None:
        answer = api.post(
            "/api/dashboard",
            {
                "name": dashboard.name,
                "description": dashboard.description or None,
                "collection_id": collection_id,
                "parameters": parameters,
            },
        )
        dashboard_id = int(answer["id"])
        verb = "Created"
    else:
        current = api.get(f"/api/dashboard/{dashboard_id}")
        for dashcard in current.get("dashcards") or ():
            if dashcard.get("card_id") is not None:
                existing.setdefault(int(dashcard["card_id"]), int(dashcard["id"]))
        verb = "Updated"
    api.put(
        f"/api/dashboard/{dashboard_id}",
        {
            "name": dashboard.name,
            "description": dashboard.description or None,
            "collection_id": collection_id,
            "parameters": parameters,
            "tabs": [],
            "dashcards": dashcards(dashboard, card_ids, tables, existing),
        },
    )
    print(f"{verb} the dashboard {dashboard.name!r} ({len(dashboard.questions)} questions)")
    return dashboard_id


# ---- the whole setup ----------------------------------------------------------------------------------


def setup(
    env: Mapping[str, str],
    definitions: Path = DEFINITIONS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Run every step; return the names of the dashboards skipped because their tables are not published."""
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise SetupError(f"{', '.join(missing)} not set")
    if not env["WAREHOUSE_PORT"].isdigit():
        raise SetupError(f"WAREHOUSE_PORT must be a number, not {env['WAREHOUSE_PORT']!r}")
    dashboards = load_definitions(definitions)  # a broken definition stops the setup before it changes anything
    delay = float(env.get("METABASE_POLL_SECONDS", "5"))
    api = Metabase(env["METABASE_URL"])
    wait_until_healthy(api, int(env.get("METABASE_HEALTH_TRIES", "60")), delay, sleep)
    log_in(api, env["METABASE_ADMIN_EMAIL"], env["METABASE_ADMIN_PASSWORD"], env["METABASE_SITE_NAME"])
    database_id = ensure_database(
        api,
        env["METABASE_WAREHOUSE_NAME"],
        {
            "host": env["WAREHOUSE_HOST"],
            "port": int(env["WAREHOUSE_PORT"]),
            "dbname": env["WAREHOUSE_DB"],
            "user": env["QA_WAREHOUSE_BI_ROLE"],
            "password": env["QA_WAREHOUSE_BI_PASSWORD"],
            "ssl": False,
            "tunnel-enabled": False,
            "advanced-options": False,
            "schema-filters-type": "inclusion",
            "schema-filters-patterns": env["WAREHOUSE_SCHEMAS"],
        },
    )
    wanted = set().union(*(d.tables() for d in dashboards))
    tables = synced_tables(api, database_id, wanted, int(env.get("METABASE_SYNC_TRIES", "24")), delay, sleep)
    collection_id = ensure_collection(api, env.get("METABASE_COLLECTION") or COLLECTION)
    skipped = []
    for dashboard in dashboards:
        absent = sorted(".".join(t) for t in dashboard.tables() if not (tables.get(t) and tables[t].fields))
        if absent:
            print(f"Skipped the dashboard {dashboard.name!r}: not published yet: {', '.join(absent)}")
            skipped.append(dashboard.name)
            continue
        ensure_dashboard(api, dashboard, database_id, tables, collection_id)
    if skipped:
        print("Run this again once the pipeline has published (docker compose up metabase-setup).")
    return skipped


def main() -> int:
    try:
        setup(os.environ)
    except SetupError as error:
        print(f"metabase-setup: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
