"""The qa-warehouse command's own surface, without a published warehouse: --version, argparse's usage
error, every subcommand's help (description, example, exit codes from ExitCode), and `db start|stop|status`
on an embedded server of its own under a temporary QA_WAREHOUSE_HOME (really stopped afterwards)."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
import pytest

from qa_warehouse.cli import ExitCode, build_parser


def qa_warehouse(*arguments: str, env: dict[str, str] | None = None, timeout: int = 300):
    """The command as a user runs it, in a new process (`python -m qa_warehouse` is the entry point's main)."""
    return subprocess.run(
        [sys.executable, "-m", "qa_warehouse", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def test_version_prints_the_installed_version():
    done = qa_warehouse("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"qa-warehouse {importlib.metadata.version('qa-warehouse')}"


def test_bad_arguments_are_argparse_usage_errors_with_their_own_exit_code():
    assert ExitCode.USAGE == 2 and len({int(code) for code in ExitCode}) == len(ExitCode)
    for arguments in (["no-such-command"], ["run"], ["export", "t", "--format", "pdf"], []):
        done = qa_warehouse(*arguments)
        assert done.returncode == ExitCode.USAGE, (arguments, done.returncode, done.stderr)
        assert "usage: qa-warehouse" in done.stderr
    # a quarantine is no longer the same number as a usage error
    assert ExitCode.QUARANTINED not in (ExitCode.USAGE, ExitCode.FAILED)


def test_every_subcommand_help_has_a_description_an_example_and_its_exit_codes():
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert len(subcommands.choices) >= 17
    for name, sub in subcommands.choices.items():
        text = sub.format_help()
        assert sub.description and len(sub.description) > 20, name
        assert f"example:\n  qa-warehouse {name}" in text, name
        assert "exit codes:" in text, name
        for code in (ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE):
            assert f"\n  {int(code)}  " in text, (name, code)
    run_help = subcommands.choices["run"].format_help()
    for code in ExitCode:
        assert f"  {int(code)}  {code.meaning.split()[0]}" in run_help, code


def test_the_global_options_are_accepted_before_and_after_the_command():
    parser = build_parser()
    assert parser.parse_args(["-q", "where"]).quiet
    assert parser.parse_args(["where", "--quiet"]).quiet
    assert parser.parse_args(["where", "-v"]).verbose
    assert not parser.parse_args(["where"]).quiet


@pytest.mark.integration
def test_db_start_status_and_stop_the_embedded_server_under_the_home():
    home = Path(tempfile.mkdtemp(prefix="qdb-"))  # short: a socket path must stay under ~107 bytes
    env = {"QA_WAREHOUSE_HOME": str(home), "DATABASE_URL": "", "AIRFLOW_CONN_QA_WAREHOUSE": ""}
    try:
        assert "no embedded server" in qa_warehouse("db", "status", env=env).stdout
        started = qa_warehouse("db", "start", env=env)
        assert started.returncode == 0, started.stderr
        assert "running" in started.stdout
        lines = (home / "pgdata" / "postmaster.pid").read_text().splitlines()
        port, socket_dir = lines[3], lines[4]
        with psycopg2.connect(host=socket_dir, port=port, user="postgres", dbname="postgres") as conn:
            with conn.cursor() as cur:
                cur.execute("select 1")
                assert cur.fetchone() == (1,)
        conn.close()
        assert "running" in qa_warehouse("db", "status", env=env).stdout

        elsewhere = qa_warehouse("db", "stop", env={**env, "DATABASE_URL": "postgresql://someone@db.example/x"})
        assert elsewhere.returncode == ExitCode.FAILED
        assert "DATABASE_URL" in elsewhere.stderr
        assert "running" in qa_warehouse("db", "status", env=env).stdout  # that stop stopped nothing

        stopped = qa_warehouse("db", "stop", env=env)
        assert stopped.returncode == 0, stopped.stderr
        assert "stopped" in stopped.stdout
        with pytest.raises(psycopg2.OperationalError):
            psycopg2.connect(host=socket_dir, port=port, user="postgres", dbname="postgres", connect_timeout=5)
        assert "stopped" in qa_warehouse("db", "status", env=env).stdout
    finally:
        qa_warehouse("db", "stop", env=env)
        shutil.rmtree(home, ignore_errors=True)


def test_one_qa_warehouse_distribution_is_on_the_path_so_airflow_registers_the_plugin_once():
    """A src/qa_warehouse.egg-info (left by building in the checkout) beside the installed metadata is a
    second distribution: Airflow then loads the `airflow.plugins` entry point twice and warns on every run."""
    found = [d for d in importlib.metadata.distributions() if d.metadata["Name"] == "qa-warehouse"]
    assert len(found) == 1, (
        f"{len(found)} qa-warehouse distributions on the path ({[str(d.locate_file('')) for d in found]}): "
        "remove src/*.egg-info (./scripts/setup does)"
    )
