"""Failure alerts: which DAG, task, file and rule, by e-mail and to a webhook, through Airflow's notifiers.

Every task of the project's DAGs has `QaWarehouseAlertNotifier` as its failure callback (see
`task_defaults`). Channels are configured from the environment and each is optional:
- e-mail to QA_WAREHOUSE_ALERT_EMAIL_TO (comma-separated) through the SMTP server of the Airflow
  connection `smtp_default` (e.g. AIRFLOW_CONN_SMTP_DEFAULT='smtp://user:pass@mail:587?from_email=...');
- a JSON POST to QA_WAREHOUSE_ALERT_WEBHOOK_URL (the whole URL, as Slack and Teams give their
  incoming webhooks: keep it secret); its `text` field suits those, the other fields suit scripts.

What a failure was about comes from the exception a task raised: our exceptions (a quarantined
file, a closed gate, a late extract) carry `problems()`, a list of Problem(file, rule, detail).
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Protocol

from airflow.sdk import BaseNotifier

from qa_warehouse.problems import Problem
from qa_warehouse.settings import load_settings

SMTP_CONN_ID = "smtp_default"
MAX_PROBLEMS_IN_ALERT = 20
LOADED = "loaded"  # a delivery summary's line for a file that loaded clean


class Notice(Protocol):
    """What the channels send: an alert, or the message that reports were delivered
    (qa_warehouse.reports.outbox.ReportsDelivered)."""

    @property
    def subject(self) -> str: ...

    @property
    def text(self) -> str: ...

    def as_json(self) -> dict: ...


@dataclass(frozen=True)
class Alert:
    dag_id: str
    task_id: str
    run_id: str
    error: str  # the exception's first line
    problems: tuple[Problem, ...] = field(default=())
    log_url: str | None = None
    outcome: str = "failed"  # what happened to the task (a delivery summary: "had findings")

    @property
    def subject(self) -> str:
        about = ""
        flagged = [p for p in self.problems if p.rule != LOADED]  # a summary also lists the sound files
        if flagged:
            files = sorted({p.file for p in flagged})
            rules = sorted({p.rule for p in flagged})
            about = f": {', '.join(files[:3])}{' …' if len(files) > 3 else ''} (rule {', '.join(rules)})"
        return f"qa-warehouse: {self.dag_id}.{self.task_id} {self.outcome}{about}"

    @property
    def text(self) -> str:
        lines = [self.subject, f"DAG {self.dag_id}, task {self.task_id}, run {self.run_id}", self.error]
        lines += [
            f"- {p.file}: rule {p.rule}{': ' + p.detail if p.detail else ''}"
            for p in self.problems[:MAX_PROBLEMS_IN_ALERT]
        ]
        if len(self.problems) > MAX_PROBLEMS_IN_ALERT:
            lines.append(f"... and {len(self.problems) - MAX_PROBLEMS_IN_ALERT} more (see the task log)")
        if self.log_url:
            lines.append(f"Log: {self.log_url}")
        lines.append("Runbook: README.md, 'Runbook' (re-run a failed load, release a quarantined file).")
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "subject": self.subject,
            "dag_id": self.dag_id,
            "task_id": self.task_id,
            "run_id": self.run_id,
            "error": self.error,
            "problems": [asdict(p) for p in self.problems],
            "log_url": self.log_url,
        }


def problems_of(error: BaseException | None) -> tuple[Problem, ...]:
    """The problems an exception (or the one it was raised from) names; none for other exceptions."""
    while error is not None:
        if hasattr(error, "problems"):
            return tuple(error.problems())
        error = error.__cause__
    return ()


def alert_from_context(context) -> Alert:
    ti = context.get("ti") or context.get("task_instance")
    error = context.get("exception")
    first_line = str(error).strip().splitlines()[0] if error and str(error).strip() else type(error).__name__
    return Alert(
        dag_id=getattr(ti, "dag_id", "") or getattr(context.get("dag"), "dag_id", "?"),
        task_id=getattr(ti, "task_id", "?"),
        run_id=getattr(ti, "run_id", "") or getattr(context.get("dag_run"), "run_id", "?"),
        error=first_line,
        problems=problems_of(error),
        log_url=_log_url(ti),
    )


def _log_url(ti) -> str | None:
    try:
        return ti.log_url
    except Exception:
        return None


def send_email(alert: Notice, to: tuple[str, ...], conn_id: str = SMTP_CONN_ID) -> None:
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    body = "<pre>" + html.escape(alert.text) + "</pre>"
    with SmtpHook(smtp_conn_id=conn_id) as smtp:
        smtp.send_email_smtp(to=list(to), subject=alert.subject, html_content=body)


def post_webhook(alert: Notice, url: str) -> None:
    import requests

    requests.post(url, json=alert.as_json(), timeout=10).raise_for_status()


class QaWarehouseAlertNotifier(BaseNotifier):
    """Sends a failed task's alert to every configured channel; one channel failing doesn't stop the other."""

    template_fields = ()  # the message is composed from the context, not templated

    def notify(self, context) -> None:
        send_alert(alert_from_context(context), self.log)


def send_alert(alert: Notice, log) -> None:
    """Send an alert (or another notice) to every configured channel; one channel failing doesn't
    stop the other."""
    settings = load_settings()
    channels = []
    if settings.alert_email_to:
        channels.append(("e-mail", lambda: send_email(alert, settings.alert_email_to)))
    webhook_url = settings.alert_webhook_url
    if webhook_url:
        channels.append(("webhook", lambda: post_webhook(alert, webhook_url)))
    if not channels:
        log.warning(
            "no alert channel is configured (QA_WAREHOUSE_ALERT_EMAIL_TO, QA_WAREHOUSE_ALERT_WEBHOOK_URL): %s",
            alert.subject,
        )
    for name, send in channels:
        try:
            send()
            log.info("alert sent by %s: %s", name, alert.subject)
        except Exception:
            log.exception("could not send the alert by %s", name)


def delivery_alert(dag_id: str, run_id: str, outcomes: list[tuple[str, str, int, int, int, str]]) -> Alert | None:
    """When a delivery had a refused file or held rows: an alert naming every file's outcome, the
    sound ones too, so whoever reads it knows what did and did not load."""
    problems = []
    for name, status, rows, held, warned, report in outcomes:
        if status == "quarantined":
            problems.append(Problem(name, "quarantined", f"nothing loaded; report {report}"))
        elif status == "accepted" and (held or warned):
            problems.append(
                Problem(
                    name, "rows_held", f"{rows:,} rows loaded, {held:,} held back, {warned:,} warned; report {report}"
                )
            )
        elif status == "accepted":
            problems.append(Problem(name, LOADED, f"{rows:,} rows"))
        elif status != "loading":
            problems.append(Problem(name, status))
    if not any(p.rule in ("quarantined", "rows_held") for p in problems):
        return None
    refused = sum(p.rule == "quarantined" for p in problems)
    held = sum(p.rule == "rows_held" for p in problems)
    # The files with findings first: an alert shows its first MAX_PROBLEMS_IN_ALERT lines.
    problems.sort(key=lambda p: (p.rule not in ("quarantined", "rows_held"), p.file))
    return Alert(
        dag_id,
        "delivery",
        run_id,
        f"{refused} file(s) quarantined, {held} loaded with rows held back, of {len(problems)} delivered",
        tuple(problems),
        outcome="had findings",
    )


def task_defaults() -> dict:
    """default_args for every task: alert on failure; retry with backoff what a retry can fix.

    A task that fails for a reason a retry cannot fix (a quarantined file, a failed dbt test)
    raises AirflowFailException, which Airflow never retries.
    """
    delay = timedelta(seconds=load_settings().retry_delay_seconds)
    return {
        "retries": 2,
        "retry_delay": delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": max(delay, timedelta(minutes=30)),
        "on_failure_callback": [QaWarehouseAlertNotifier()],
    }
