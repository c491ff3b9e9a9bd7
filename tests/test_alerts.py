"""Alerts reach a real SMTP server and a real webhook started by the test, naming the DAG, the file
and the rule; the freshness check and the period closes alert through the same notifier."""

from __future__ import annotations

import datetime as dt
import email
import json
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pendulum
import pytest

from qa_warehouse import cli
from qa_warehouse.load.freshness import late_extracts
from qa_warehouse.local.services import free_port
from qa_warehouse.orchestration.runner import run_dag
from qa_warehouse_synthetic import generate_extracts, generate_fostering_extracts

pytestmark = pytest.mark.integration
SIZE = dict(households=20, years=1, authorities=1, seed=11)
AS_AT = dt.date(2025, 3, 31)
LA_CODE = "885"  # the synthetic generator's first authority


class Receivers:
    """A local SMTP server (aiosmtpd) and a local webhook endpoint, collecting what they receive."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.emails: list[email.message.EmailMessage] = []
        self.posts: list[dict] = []
        receivers = self

        class Mailbox:
            async def handle_DATA(self, server, session, envelope):
                receivers.emails.append(email.message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        class Webhook(BaseHTTPRequestHandler):
            def do_POST(self):
                receivers.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.smtp = Controller(Mailbox(), hostname="127.0.0.1", port=free_port())
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.smtp.start()
        self.environment = {
            "QA_WAREHOUSE_ALERT_EMAIL_TO": "fostering-data@council.example, on-call@council.example",
            "AIRFLOW_CONN_SMTP_DEFAULT": f"smtp://127.0.0.1:{self.smtp.port}"
            "?disable_tls=true&disable_ssl=true&from_email=qa-warehouse%40council.example",
            "QA_WAREHOUSE_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{self.http.server_port}/hooks/qa-warehouse",
        }

    def stop(self):
        self.smtp.stop()
        self.http.shutdown()

    def clear(self):
        self.emails.clear()
        self.posts.clear()


@pytest.fixture(scope="module")
def receivers():
    started = Receivers()
    yield started
    started.stop()


@pytest.fixture
def alerting(receivers, monkeypatch):
    for key, value in receivers.environment.items():
        monkeypatch.setenv(key, value)
    receivers.clear()
    return receivers


def email_text(message) -> str:
    return message.get_body(("html", "plain")).get_content()


def test_a_quarantined_file_alerts_by_email_and_webhook_naming_dag_file_and_rule(warehouse, alerting, tmp_path):
    landing = tmp_path / "landing"
    generate_fostering_extracts(landing, as_at=AS_AT, defects=("duplicate_key",), **SIZE)
    assert cli.main(["run", "--landing", str(landing)]) == cli.EXIT_QUARANTINED
    bad_file = next(landing.glob("carer_visits_*")).name

    # Two alerts: the failed task's, naming the rule and row; and the delivery's, naming every file.
    mails = {mail["Subject"]: mail for mail in alerting.emails}
    failed = f"qa-warehouse: qa_ingest.ingest_carer_visits failed: {bad_file} (rule key_unique)"
    summary = f"qa-warehouse: qa_ingest.delivery had findings: {bad_file} (rule quarantined)"
    assert set(mails) == {failed, summary}
    mail = mails[failed]
    assert mail["To"] == "fostering-data@council.example, on-call@council.example"
    body = email_text(mail)
    assert f"{bad_file}: rule key_unique: {bad_file}: row " in body and "column visit_id" in body
    delivered = email_text(mails[summary])
    assert all(f"{path.name}: rule " in delivered for path in landing.iterdir()), delivered

    posts = {post["task_id"]: post for post in alerting.posts}
    assert set(posts) == {"ingest_carer_visits", "delivery"}
    post = posts["ingest_carer_visits"]
    assert post["dag_id"] == "qa_ingest"
    assert [(p["file"], p["rule"]) for p in post["problems"]] == [(bad_file, "key_unique")]
    assert post["text"].startswith(post["subject"])  # what Slack/Teams show
    assert {p["file"]: p["rule"] for p in posts["delivery"]["problems"]} == {
        path.name: "quarantined" if path.name == bad_file else "loaded" for path in landing.iterdir()
    }


def test_no_alert_when_the_delivery_is_clean(warehouse, alerting, tmp_path):
    generate_fostering_extracts(tmp_path / "landing", as_at=AS_AT, **SIZE)
    assert cli.main(["run", "--landing", str(tmp_path / "landing")]) == 0
    assert alerting.emails == [] and alerting.posts == []


@pytest.fixture(scope="module")
def loaded(module_warehouse, tmp_path_factory):
    """One authority's fostering and quality assurance extracts as at 31 March 2025, published."""
    landing = tmp_path_factory.mktemp("landing")
    generate_extracts(landing, as_at=AS_AT, **SIZE)
    assert cli.main(["run", "--landing", str(landing)]) == 0
    return module_warehouse


def test_an_extract_is_late_after_its_expected_interval_and_the_grace_days(loaded):
    assert late_extracts(today=AS_AT + dt.timedelta(days=3), grace_days=2) == []
    late = late_extracts(today=AS_AT + dt.timedelta(days=4), grace_days=2)
    assert {x.extract for x in late} == {
        "carer_households",
        "carer_visits",
        "carer_reviews",
        "carer_supervisions",
        "carer_training",
        "notifications",
        "recruitment",
        "child_visits",
        "child_plans",
    }  # nightly; audits, 903 tables, homes etc. are monthly
    late = late_extracts(today=AS_AT + dt.timedelta(days=34), grace_days=2)
    assert {"case_file_audits", "audit_actions", "feedback", "complaints"} <= {x.extract for x in late}


def test_the_freshness_dag_alerts_on_every_late_extract(loaded, alerting):
    assert run_dag("qa_freshness").state == "failed"
    (post,) = alerting.posts
    assert post["dag_id"] == "qa_freshness"
    assert {p["rule"] for p in post["problems"]} == {"freshness"}
    assert f"carer_visits_{LA_CODE}_<yyyymmdd>" in {p["file"] for p in post["problems"]}
    assert "as at 2025-03-31" in post["text"]


def test_a_month_close_publishes_its_month_and_logs_the_period(loaded, alerting):
    before = loaded.query("select count(*) from reporting.publication_log")[0][0]
    run = run_dag("qa_close_month", logical_date=pendulum.datetime(2025, 4, 4, 6, tz="UTC"))
    assert run.succeeded, run.failed_tasks
    assert loaded.query(
        "select period_kind, period_first_day, period_last_day from reporting.publication_log "
        "order by publication_id desc limit 1"
    ) == [("month", dt.date(2025, 3, 1), AS_AT)]
    assert loaded.query("select count(*) from reporting.publication_log")[0][0] == before + 1
    assert alerting.posts == []


def test_a_close_with_deliveries_older_than_the_period_alerts_and_publishes_nothing(loaded, alerting):
    published = loaded.query("select * from reporting.fostering_kpi_scorecard order by 1, 2, 3, 6")
    log = loaded.query("select count(*) from reporting.publication_log")
    run = run_dag("qa_close_quarter", logical_date=pendulum.datetime(2025, 7, 20, 6, tz="UTC"))  # Apr-Jun 2025
    assert run.failed_tasks == {
        "check_period_complete": "failed",
        "check_gates": "upstream_failed",
        "dbt_build": "upstream_failed",
        "publish_period": "upstream_failed",
    }
    (post,) = alerting.posts
    assert {p["rule"] for p in post["problems"]} == {"period_complete"}
    assert f"carer_visits_{LA_CODE}_20250331.csv" in {p["file"] for p in post["problems"]}
    assert loaded.query("select * from reporting.fostering_kpi_scorecard order by 1, 2, 3, 6") == published
    assert loaded.query("select count(*) from reporting.publication_log") == log
