"""The Metabase dashboards kept in deploy/metabase/dashboards/, and the setup script that makes them.

No Metabase runs here. The definitions are checked against what is published: every question's table
is a published table, and every column it names (shown, filtered, summarized, grouped, ordered,
formatted, wired to a dashboard filter) is one of that table's columns as its dbt contract declares
them (`reporting`) or as the disclosure twin publishes them (`public_reporting`). The setup script
runs against a fake Metabase, a real HTTP server on loopback that records every request and answers
as Metabase's API does for the endpoints the script uses.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.metabase_dashboards import (
    DASHBOARDS,
    DEFINITIONS,
    PUBLISHED,
    QUESTIONS,
    REPORTING_MODELS,
    SCRIPT,
    column_kind,
    reporting_contracts,
    setup_metabase,
)

# ---- the definitions against the published tables ------------------------------------------------


def test_the_published_tables_are_read_from_the_contracts_and_the_twins():
    assert ("reporting", "fostering_kpi_scorecard") in PUBLISHED
    assert PUBLISHED[("public_reporting", "quarterly_performance_report")]["value"] == "text"
    assert "commentary" not in PUBLISHED[("public_reporting", "quarterly_performance_report")]


@pytest.mark.parametrize("dashboard, question", QUESTIONS, ids=[q.name for _, q in QUESTIONS])
def test_every_question_reads_a_published_table_and_only_its_declared_columns(dashboard, question):
    table = question.schema_and_table
    assert table in PUBLISHED, f"{dashboard.source}: {question.name}: {question.table} is not published"
    unknown = question.referenced_columns() - set(PUBLISHED[table])
    assert not unknown, f"{dashboard.source}: {question.name}: {question.table} has no column(s) {sorted(unknown)}"


def test_referenced_columns_cover_every_part_of_a_question():
    [question] = [q for _, q in QUESTIONS if q.name == "Fostering scorecard: percentage in time by month"]
    assert question.referenced_columns() == {
        "percentage",
        "period_end",
        "measure_name",
        "team",
        "la_code",
        "measure_code",
    }


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=[d.name for d in DASHBOARDS])
def test_dashboard_filters_target_columns_of_their_type_and_wire_every_card_to_authority_and_period(dashboard):
    kinds = {f["id"]: setup_metabase.FILTER_TYPES[f["type"]] for f in dashboard.filters}
    assert {"la_code", "period"} <= set(kinds), f"{dashboard.name} cannot be filtered by authority and period"
    for question in dashboard.questions:
        columns = PUBLISHED[question.schema_and_table]
        assert question.filters.get("la_code") == "la_code", question.name
        assert "period" in question.filters, question.name
        for parameter_id, column in question.filters.items():
            assert column_kind(columns[column]) == kinds[parameter_id], (
                f"{question.name}: filter {parameter_id} ({kinds[parameter_id]}) on {column} ({columns[column]})"
            )
    used = {p for q in dashboard.questions for p in q.filters}
    assert used == set(kinds), f"{dashboard.name}: filters wired to no card: {sorted(set(kinds) - used)}"


def test_summarized_questions_sum_and_average_numbers_only():
    for _, question in QUESTIONS:
        columns = PUBLISHED[question.schema_and_table]
        for aggregation in question.summarize:
            if aggregation[0] in ("sum", "avg"):
                assert column_kind(columns[aggregation[1]]) == "number", f"{question.name}: {aggregation}"
        for column, unit in question.group_by:
            assert unit is None or column_kind(columns[column]) == "date", f"{question.name}: {column} by {unit}"


def test_the_dashboards_cover_the_scorecards_the_quarterly_reports_and_data_quality():
    read = {q.table for _, q in QUESTIONS}
    quarterly_sections = {f"reporting.{t}" for t in reporting_contracts() if t.startswith("quarterly_report_")}
    data_quality = {f"reporting.{p.stem}" for p in (REPORTING_MODELS / "data_quality").glob("*.sql")}
    wanted = {
        "reporting.fostering_kpi_scorecard",
        "reporting.children_in_care_scorecard",
        "reporting.quarterly_performance_report",
        *quarterly_sections,
        *data_quality,
    }
    assert quarterly_sections and data_quality
    assert wanted <= read, f"no question reads {sorted(wanted - read)}"
    assert {d.name for d in DASHBOARDS} == {
        "Fostering scorecard",
        "Children in care scorecard",
        "Quarterly reports",
        "Data quality",
    }


def test_a_definition_that_names_an_unknown_key_or_overlaps_cards_is_refused(tmp_path):
    good = yaml.safe_load((DEFINITIONS / "fostering_scorecard.yml").read_text(encoding="utf-8"))
    typo = copy.deepcopy(good)
    typo["questions"][0]["colums"] = typo["questions"][0].pop("columns")
    (tmp_path / "typo.yml").write_text(yaml.safe_dump(typo))
    with pytest.raises(setup_metabase.SetupError, match="unknown keys \\['colums'\\]"):
        setup_metabase.load_definitions(tmp_path)
    overlap = copy.deepcopy(good)
    overlap["questions"][1]["card"] = dict(overlap["questions"][0]["card"])
    (tmp_path / "typo.yml").write_text(yaml.safe_dump(overlap))
    with pytest.raises(setup_metabase.SetupError, match="cards overlap"):
        setup_metabase.load_definitions(tmp_path)
    unwired = copy.deepcopy(good)
    unwired["questions"][0]["filters"]["quarter"] = "financial_quarter"
    (tmp_path / "typo.yml").write_text(yaml.safe_dump(unwired))
    with pytest.raises(setup_metabase.SetupError, match="unknown filters \\['quarter'\\]"):
        setup_metabase.load_definitions(tmp_path)


# ---- the setup script against a fake Metabase ----------------------------------------------------


class FakeMetabase:
    """A Metabase on loopback for the endpoints the setup script uses, with its state in memory: it
    records every request, and its tables (the published ones, with ids it makes up) appear in the
    database's metadata only once a schema sync has been asked for and `sync_polls` looks have passed."""

    TOKEN = "setup-token-1234"

    def __init__(self, tables: dict[tuple[str, str], dict[str, str]], sync_polls: int = 2):
        self.admin: dict | None = None
        self.databases: list[dict] = []
        self.collections: list[dict] = []
        self.cards: dict[int, dict] = {}
        self.dashboards: dict[int, dict] = {}
        self.requests: list[tuple[str, str, object, str | None]] = []
        self.synced = False
        self.sync_polls = sync_polls
        self.tables = {}  # (schema, table) -> {"id", "fields": {name: id}}
        next_field = 1000
        for n, (key, columns) in enumerate(sorted(tables.items()), start=1):
            fields = {}
            for column in columns:
                fields[column] = next_field
                next_field += 1
            self.tables[key] = {"id": n, "fields": fields}
        self.field_owner = {fid: key for key, t in self.tables.items() for fid in t["fields"].values()}
        self.field_name = {fid: name for t in self.tables.values() for name, fid in t["fields"].items()}
        self._ids = iter(range(1, 10_000))
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.handle(self, "GET")

            def do_POST(self):
                fake.handle(self, "POST")

            def do_PUT(self):
                fake.handle(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def handle(self, request, method):
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length)) if length else None
        session = request.headers.get("X-Metabase-Session") or None
        url = urlsplit(request.path)
        self.requests.append((method, url.path, body, session))
        status, answer = self.answer(method, url.path, parse_qs(url.query), body, session)
        data = json.dumps(answer, separators=(",", ":")).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def calls(self, method=None, pattern=".*"):
        return [r for r in self.requests if (method is None or r[0] == method) and re.fullmatch(pattern, r[1])]

    def answer(self, method, path, query, body, session):
        if (method, path) == ("GET", "/api/health"):
            return 200, {"status": "ok"}
        if (method, path) == ("GET", "/api/session/properties"):
            return 200, {
                "site-name": "Metabase",
                "has-user-setup": self.admin is not None,
                "setup-token": None if self.admin else self.TOKEN,
                "version": {"tag": "v0.59.5"},
            }
        if (method, path) == ("POST", "/api/setup"):
            if self.admin or body["token"] != self.TOKEN:
                return 403, {"message": "Token does not match the setup token."}
            self.admin = body["user"]
            return 200, {"id": "session-from-setup"}
        if (method, path) == ("POST", "/api/session"):
            if not self.admin or (body["username"], body["password"]) != (self.admin["email"], self.admin["password"]):
                return 401, {"errors": {"password": "did not match stored password"}}
            return 200, {"id": "session-from-login"}
        if session not in ("session-from-setup", "session-from-login"):
            return 401, "Unauthenticated"
        if (method, path) == ("GET", "/api/database"):
            return 200, {"data": [{"id": n + 1, "name": d["name"]} for n, d in enumerate(self.databases)], "total": 0}
        if (method, path) == ("POST", "/api/database"):
            self.databases.append(body)
            return 200, {"id": len(self.databases), "name": body["name"], "engine": body["engine"]}
        if match := re.fullmatch(r"/api/database/(\d+)/(sync_schema|metadata)", path):
            if int(match.group(1)) != 1 or not self.databases:
                return 404, "Not found"
            if match.group(2) == "sync_schema":
                self.synced = True
                return 200, {"status": "ok"}
            if self.synced:
                self.sync_polls -= 1
            visible = self.synced and self.sync_polls <= 0
            return 200, {
                "id": 1,
                "tables": [
                    {
                        "id": t["id"],
                        "schema": schema,
                        "name": name,
                        "fields": [
                            {"id": fid, "name": col, "base_type": "type/Text"} for col, fid in t["fields"].items()
                        ],
                    }
                    for (schema, name), t in self.tables.items()
                    if visible
                ],
            }
        if (method, path) == ("GET", "/api/collection"):
            return 200, [{"id": "root", "name": "Our analytics"}, *self.collections]
        if (method, path) == ("POST", "/api/collection"):
            collection = {"id": next(self._ids), "name": body["name"], "location": "/", "archived": False}
            self.collections.append(collection)
            return 200, collection
        if match := re.fullmatch(r"/api/collection/(\d+)/items", path):
            collection_id = int(match.group(1))
            models = query.get("models", [])
            items = [
                {"id": i, "name": c["name"], "model": "card"}
                for i, c in self.cards.items()
                if c["collection_id"] == collection_id and "card" in models
            ] + [
                {"id": i, "name": d["name"], "model": "dashboard"}
                for i, d in self.dashboards.items()
                if d["collection_id"] == collection_id and "dashboard" in models
            ]
            return 200, {"data": items, "total": len(items), "models": models}
        if invalid := self.invalid(method, path, body):
            return 400, {"errors": invalid}
        if (method, path) == ("POST", "/api/card"):
            card_id = next(self._ids)
            self.cards[card_id] = {**body, "id": card_id}
            return 200, self.cards[card_id]
        if (match := re.fullmatch(r"/api/card/(\d+)", path)) and method == "PUT":
            card_id = int(match.group(1))
            if card_id not in self.cards:
                return 404, "Not found"
            self.cards[card_id] = {**self.cards[card_id], **body}
            return 200, self.cards[card_id]
        if (method, path) == ("POST", "/api/dashboard"):
            dashboard_id = next(self._ids)
            self.dashboards[dashboard_id] = {**body, "id": dashboard_id, "dashcards": [], "tabs": []}
            return 200, self.dashboards[dashboard_id]
        if match := re.fullmatch(r"/api/dashboard/(\d+)", path):
            dashboard_id = int(match.group(1))
            if dashboard_id not in self.dashboards:
                return 404, "Not found"
            if method == "GET":
                return 200, self.dashboards[dashboard_id]
            dashboard = self.dashboards[dashboard_id]
            kept = {d["id"] for d in dashboard["dashcards"]}
            dashcards = []
            for dashcard in body.pop("dashcards"):
                if dashcard["id"] < 0:
                    dashcard = {**dashcard, "id": next(self._ids)}
                elif dashcard["id"] not in kept:
                    return 400, {"message": f"dashcard {dashcard['id']} is not on this dashboard"}
                dashcards.append(dashcard)
            dashboard.update(body, dashcards=dashcards)
            return 200, dashboard
        return 404, "Not found"

    @staticmethod
    def invalid(method, path, body) -> str | None:
        """What Metabase's request schemas would refuse in a card or dashboard body: a blank
        description (a non-blank string or null), a card without its required keys, a dashcard
        without its place, or a filter mapping to a parameter the dashboard does not have."""
        if method not in ("POST", "PUT") or not re.fullmatch(r"/api/(card|dashboard)(/\d+)?", path):
            return None
        if body.get("description") == "" or not body.get("name"):
            return "description: nullable non-blank string; name: non-blank string"
        if path.startswith("/api/card") and not {"dataset_query", "display", "visualization_settings"} <= set(body):
            return "a card needs dataset_query, display and visualization_settings"
        parameters = {p["id"] for p in body.get("parameters") or ()}
        for dashcard in body.get("dashcards") or ():
            if not {"id", "card_id", "row", "col", "size_x", "size_y"} <= set(dashcard):
                return f"dashcard {dashcard} lacks its card or place"
            if unknown := {m["parameter_id"] for m in dashcard.get("parameter_mappings") or ()} - parameters:
                return f"parameter_mappings name parameters the dashboard does not have: {sorted(unknown)}"
        return None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def metabase() -> Iterator[FakeMetabase]:
    fake = FakeMetabase(PUBLISHED)
    yield fake
    fake.close()


def environment(metabase: FakeMetabase, **overrides: str) -> dict[str, str]:
    return {
        "METABASE_URL": metabase.url,
        "METABASE_HEALTH_TRIES": "1",
        "METABASE_SYNC_TRIES": "5",
        "METABASE_POLL_SECONDS": "0",
        "METABASE_ADMIN_EMAIL": "bi-admin@example.org",
        "METABASE_ADMIN_PASSWORD": 'a "quoted" \\ pass',
        "METABASE_SITE_NAME": "QA warehouse",
        "METABASE_WAREHOUSE_NAME": "QA warehouse",
        "WAREHOUSE_HOST": "warehouse",
        "WAREHOUSE_PORT": "5432",
        "WAREHOUSE_DB": "qa_warehouse",
        "WAREHOUSE_SCHEMAS": "reporting,public_reporting",
        "QA_WAREHOUSE_BI_ROLE": "qa_warehouse_bi",
        "QA_WAREHOUSE_BI_PASSWORD": "bi-secret",
        **overrides,
    }


def run_setup(metabase: FakeMetabase, **overrides: str) -> list[str]:
    return setup_metabase.setup(environment(metabase, **overrides), DEFINITIONS, sleep=lambda seconds: None)


def field_refs(clause) -> Iterator[list]:
    """Every ["field", id, options] inside an MBQL clause."""
    if isinstance(clause, list):
        if len(clause) == 3 and clause[0] == "field" and isinstance(clause[1], int):
            yield clause
        else:
            for item in clause:
                yield from field_refs(item)
    elif isinstance(clause, dict):
        for item in clause.values():
            yield from field_refs(item)


def test_setup_creates_the_admin_the_warehouse_the_collection_every_question_and_every_dashboard(metabase):
    assert run_setup(metabase) == []
    assert metabase.admin["email"] == "bi-admin@example.org" and metabase.admin["password"] == 'a "quoted" \\ pass'
    [database] = metabase.databases
    assert database["engine"] == "postgres" and database["name"] == "QA warehouse"
    assert database["details"] == {
        "host": "warehouse",
        "port": 5432,
        "dbname": "qa_warehouse",
        "user": "qa_warehouse_bi",
        "password": "bi-secret",
        "ssl": False,
        "tunnel-enabled": False,
        "advanced-options": False,
        "schema-filters-type": "inclusion",
        "schema-filters-patterns": "reporting,public_reporting",
    }
    order = [(m, p) for m, p, _, _ in metabase.requests]
    first = {step: order.index(step) for step in order[::-1]}
    assert (
        first[("GET", "/api/health")]
        < first[("POST", "/api/setup")]
        < first[("POST", "/api/database")]
        < first[("POST", "/api/database/1/sync_schema")]
        < first[("GET", "/api/database/1/metadata")]
        < first[("POST", "/api/collection")]
        < first[("POST", "/api/card")]
        < first[("POST", "/api/dashboard")]
    )
    # The script waited for the sync: it polled the metadata until the tables were there.
    assert len(metabase.calls("GET", r"/api/database/1/metadata")) == 2
    assert all(session == "session-from-setup" for _, path, _, session in metabase.requests if "/api/database" in path)
    [collection] = metabase.collections
    assert collection["name"] == "QA warehouse"
    assert sorted(c["name"] for c in metabase.cards.values()) == sorted(q.name for _, q in QUESTIONS)
    assert sorted(d["name"] for d in metabase.dashboards.values()) == sorted(d.name for d in DASHBOARDS)
    assert all(
        c["collection_id"] == collection["id"] for c in [*metabase.cards.values(), *metabase.dashboards.values()]
    )


def test_every_card_queries_its_table_and_its_columns_by_the_ids_metabase_gave(metabase):
    run_setup(metabase)
    by_name = {c["name"]: c for c in metabase.cards.values()}
    for _, question in QUESTIONS:
        card = by_name[question.name]
        table = metabase.tables[question.schema_and_table]
        query = card["dataset_query"]
        assert (query["database"], query["type"]) == (1, "query")
        assert query["query"]["source-table"] == table["id"], question.name
        refs = list(field_refs(query["query"]))
        assert refs, question.name
        assert {metabase.field_owner[ref[1]] for ref in refs} == {question.schema_and_table}, question.name
        named = {metabase.field_name[ref[1]] for ref in refs}
        in_query = {*question.columns, *(w["column"] for w in question.where)}
        in_query |= {a[1] for a in question.summarize if len(a) > 1} | {c for c, _ in question.group_by}
        assert named == in_query | {c for c, _ in question.order_by}, question.name
        if question.columns:
            assert [metabase.field_name[ref[1]] for ref in query["query"]["fields"]] == list(question.columns)
        assert card["display"] == question.display
        for key in card["visualization_settings"].get("column_settings", {}):
            assert json.loads(key)[1] in PUBLISHED[question.schema_and_table]


def test_every_dashboard_lays_out_its_cards_and_wires_each_filter_to_its_questions_column(metabase):
    run_setup(metabase)
    cards = {c["id"]: c for c in metabase.cards.values()}
    for definition in DASHBOARDS:
        [dashboard] = [d for d in metabase.dashboards.values() if d["name"] == definition.name]
        parameters = {p["id"]: p for p in dashboard["parameters"]}
        assert list(parameters) == [f["id"] for f in definition.filters]
        assert all(p["sectionId"] in ("string", "date") and p["slug"] for p in parameters.values())
        assert [cards[d["card_id"]]["name"] for d in dashboard["dashcards"]] == [q.name for q in definition.questions]
        for dashcard, question in zip(dashboard["dashcards"], definition.questions):
            assert (dashcard["row"], dashcard["col"], dashcard["size_x"], dashcard["size_y"]) == (
                question.card["row"],
                question.card["col"],
                question.card["width"],
                question.card["height"],
            )
            wired = {}
            for mapping in dashcard["parameter_mappings"]:
                assert mapping["parameter_id"] in parameters and mapping["card_id"] == dashcard["card_id"]
                kind, ref = mapping["target"]
                assert kind == "dimension" and ref[0] == "field"
                assert metabase.field_owner[ref[1]] == question.schema_and_table
                wired[mapping["parameter_id"]] = metabase.field_name[ref[1]]
            assert wired == dict(question.filters), question.name
    [quarterly] = [d for d in metabase.dashboards.values() if d["name"] == "Quarterly reports"]
    assert {p["id"]: p.get("default") for p in quarterly["parameters"]}["breakdown"] == ["All"]


def test_setup_run_again_logs_in_and_updates_every_card_and_dashboard_without_duplicating_any(metabase):
    run_setup(metabase)
    cards_before = copy.deepcopy(metabase.cards)
    dashboards_before = copy.deepcopy(metabase.dashboards)
    calls_before = len(metabase.requests)
    assert run_setup(metabase) == []
    again = metabase.requests[calls_before:]
    assert [p for m, p, _, _ in again if m == "POST"] == ["/api/session", "/api/database/1/sync_schema"]
    assert len(metabase.databases) == 1 and len(metabase.collections) == 1
    assert metabase.cards == cards_before and metabase.dashboards == dashboards_before  # same ids, same content
    assert len([1 for m, p, _, _ in again if m == "PUT" and p.startswith("/api/card/")]) == len(QUESTIONS)
    assert len([1 for m, p, _, _ in again if m == "PUT" and p.startswith("/api/dashboard/")]) == len(DASHBOARDS)


def test_setup_puts_a_changed_definition_into_the_existing_card_and_dashboard(metabase, tmp_path):
    run_setup(metabase)
    for path in DEFINITIONS.glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    changed = yaml.safe_load((tmp_path / "fostering_scorecard.yml").read_text(encoding="utf-8"))
    changed["questions"][0]["columns"].remove("not_yet_due")
    changed["questions"][0]["card"]["height"] = 8
    (tmp_path / "fostering_scorecard.yml").write_text(yaml.safe_dump(changed), encoding="utf-8")
    ids = set(metabase.cards)
    setup_metabase.setup(environment(metabase), tmp_path, sleep=lambda seconds: None)
    assert set(metabase.cards) == ids
    [card] = [c for c in metabase.cards.values() if c["name"] == "Fostering scorecard: the authority"]
    assert "not_yet_due" not in {metabase.field_name[ref[1]] for ref in card["dataset_query"]["query"]["fields"]}
    [dashboard] = [d for d in metabase.dashboards.values() if d["name"] == "Fostering scorecard"]
    [dashcard] = [d for d in dashboard["dashcards"] if d["card_id"] == card["id"]]
    assert dashcard["size_y"] == 8


def test_a_dashboard_whose_tables_are_not_published_yet_is_skipped_until_a_later_run(metabase):
    published = metabase.tables
    metabase.tables = {k: v for k, v in published.items() if k != ("reporting", "data_quality_summary")}
    assert run_setup(metabase) == ["Data quality"]
    assert len(metabase.calls("GET", r"/api/database/1/metadata")) == 5  # METABASE_SYNC_TRIES
    assert "Data quality" not in {d["name"] for d in metabase.dashboards.values()}
    metabase.tables = published
    assert run_setup(metabase) == []
    assert sorted(d["name"] for d in metabase.dashboards.values()) == sorted(d.name for d in DASHBOARDS)


def test_a_column_metabase_does_not_know_stops_the_setup_naming_it(metabase):
    del metabase.tables[("reporting", "fostering_kpi_scorecard")]["fields"]["direction_of_travel"]
    with pytest.raises(setup_metabase.SetupError, match="reporting.fostering_kpi_scorecard has no column 'direction"):
        run_setup(metabase)


def test_setup_says_what_metabase_refused(metabase):
    metabase.admin = {"email": "bi-admin@example.org", "password": "another password"}
    with pytest.raises(setup_metabase.SetupError, match="HTTP 401 to POST /api/session"):
        run_setup(metabase)
    assert metabase.databases == []


def test_the_script_runs_as_the_compose_service_runs_it_and_reports_a_missing_variable(metabase):
    env = {"PATH": os.environ["PATH"], **environment(metabase)}
    done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Setting Metabase up" in done.stdout and "Created the dashboard 'Fostering scorecard'" in done.stdout
    del env["QA_WAREHOUSE_BI_PASSWORD"]
    failed = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "QA_WAREHOUSE_BI_PASSWORD not set" in failed.stderr


def test_a_summarized_question_becomes_this_structured_query():
    [question] = [q for _, q in QUESTIONS if q.name == "Fostering scorecard: percentage in time by month"]
    columns = ["la_code", "team", "period_end", "measure_code", "measure_name", "percentage"]
    table = setup_metabase.Table(7, {name: 70 + n for n, name in enumerate(columns)})
    payload = setup_metabase.card_payload(question, 3, table, 11)
    assert payload["dataset_query"] == {
        "database": 3,
        "type": "query",
        "query": {
            "source-table": 7,
            "filter": ["is-null", ["field", 71, None]],
            "aggregation": [["avg", ["field", 75, None]]],
            "breakout": [["field", 72, {"temporal-unit": "month"}], ["field", 74, None]],
        },
    }
    assert (payload["display"], payload["collection_id"], payload["type"]) == ("line", 11, "question")
    assert payload["visualization_settings"] == {"column_settings": {'["name","percentage"]': {"decimals": 1}}}
