"""`qa-warehouse`: the command authorities' engineers and their own checks script against.

Every subcommand honours DATABASE_URL (else AIRFLOW_CONN_QA_WAREHOUSE, else the embedded server); the
DAGs' tasks find the warehouse through Airflow's connection `qa_warehouse`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import enum
import os
import sys
import textwrap
from pathlib import Path

from qa_warehouse.settings import load_settings


class ExitCode(enum.IntEnum):
    """Every exit code of every subcommand, in one place (their help and the README are made from it)."""

    OK = 0
    FAILED = 1
    USAGE = 2  # argparse's own, for bad arguments
    HELD_BACK = 3
    QUARANTINED = 4

    @property
    def meaning(self) -> str:
        return {
            ExitCode.OK: "published (nothing held back)",
            ExitCode.FAILED: "failed (nothing published)",
            ExitCode.USAGE: "usage error: bad arguments (argparse)",
            ExitCode.HELD_BACK: "published, but rows were held back (each file listed on stderr with its report)",
            ExitCode.QUARANTINED: "a file was quarantined (listed on stderr): nothing built or published",
        }[self]


# The codes of the commands that load and publish (run, demo); every other command ends 0, 1 or 2.
PUBLISHING_CODES = tuple(ExitCode)
OTHER_CODES = (ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE)
EXIT_FAILED = ExitCode.FAILED
EXIT_QUARANTINED = ExitCode.QUARANTINED


def epilog(example: str, codes: tuple[ExitCode, ...] = OTHER_CODES, failed: str = "", done: str = "done") -> str:
    """A subcommand's help epilog: an example and its exit codes, from ExitCode."""
    lines = ["example:", *(f"  {line}" for line in example.splitlines()), "", "exit codes:"]
    for code in codes:
        meaning = code.meaning
        if code is ExitCode.OK and ExitCode.HELD_BACK not in codes:
            meaning = done
        if code is ExitCode.FAILED and failed:
            meaning = f"failed: {failed}"
        lines.append(textwrap.fill(meaning, 100, initial_indent=f"  {int(code)}  ", subsequent_indent="     "))
    return "\n".join(lines)


def _quiet_libraries(verbose: bool = False) -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if verbose:
        # Library logs too: Airflow's task logs at INFO (read when Airflow is configured, before it is imported).
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")
        import logging

        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
        return
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import warnings

    warnings.filterwarnings("ignore")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qa-warehouse")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def cmd_generate(args) -> int:
    from qa_warehouse_synthetic import AREAS, generate_extracts

    paths = generate_extracts(
        Path(args.out),
        households=args.households,
        years=args.years,
        authorities=args.authorities,
        seed=args.seed,
        as_at=args.as_at,
        defects=tuple(args.defect or ()),
        areas=tuple(args.area or AREAS),
    )
    print(f"wrote {len(paths)} extract files to {Path(args.out).resolve()}")
    return ExitCode.OK


def _run_progress(args):
    from qa_warehouse.cli_progress import RunProgress

    return RunProgress(quiet=getattr(args, "quiet", False))


def _airflow_logs_to_stderr() -> None:
    """Airflow writes its logs to the stdout it finds when it configures them (as it is imported, and
    again as a DAG runs; cmd_run runs them with stdout on stderr too): stdout holds only results."""
    from qa_warehouse.orchestration.runner import configure_airflow

    configure_airflow()  # Airflow reads its settings from the environment once, as it is imported
    with contextlib.redirect_stdout(sys.stderr):
        import airflow  # noqa: F401


def cmd_run(args) -> int:
    from qa_warehouse.orchestration.runner import BUILD_DAG, INGEST_DAG, run_dag
    from qa_warehouse.pipeline import open_quarantines

    _airflow_logs_to_stderr()
    shown = _run_progress(args)
    landing = str(Path(args.landing).resolve())
    started = dt.datetime.now(dt.UTC)
    shown.phase(f"ingest: every recognised file in {landing} ({INGEST_DAG})")
    with contextlib.redirect_stdout(sys.stderr), shown.listening(), shown.watching_loads(started):
        ingest = run_dag(INGEST_DAG, {"landing_dir": landing})
    shown.phase_done(f"ingest: {ingest.state}")
    held = _print_file_outcomes(started)
    quarantined = open_quarantines()
    if quarantined:
        print("Quarantined (nothing was built or published; the published tables are unchanged):", file=sys.stderr)
        for name, report in quarantined:
            print(f"  {name}\n    report: {report}", file=sys.stderr)
            if report and Path(report).exists():
                problems = [
                    line for line in Path(report).read_text(encoding="utf-8").splitlines() if line.startswith("  ")
                ]
                print("\n".join("  " + line for line in problems[:10]), file=sys.stderr)
        return ExitCode.QUARANTINED
    if not ingest.succeeded:
        print(f"{INGEST_DAG} failed: {ingest.failed_tasks}", file=sys.stderr)
        return ExitCode.FAILED
    shown.phase(f"build and publish ({BUILD_DAG})")
    with shown.listening(), contextlib.redirect_stdout(sys.stderr):
        build = run_dag(BUILD_DAG)
    if not build.succeeded:
        print(
            f"{BUILD_DAG} failed: {build.failed_tasks}; the published tables are unchanged."
            f" See the task log above and {load_settings().dbt_target_dir.parent / 'logs'}.",
            file=sys.stderr,
        )
        return ExitCode.FAILED
    shown.phase_done("published")
    shown.line(f"done in {shown.elapsed():.1f}s")
    print(f"ingested and published from {landing}")
    if held:
        print(f"published, but {held:,} rows were held back (the files above, with their reports)", file=sys.stderr)
        return ExitCode.HELD_BACK
    return ExitCode.OK


def _print_file_outcomes(since: dt.datetime) -> int:
    """Every file the run looked at, with its outcome: a held row or a refused file never passes unsaid.
    Returns how many rows were held back."""
    from qa_warehouse.load.dfe_delivery import COLLECTION_LABELS
    from qa_warehouse.pipeline import dfe_checks, load_outcomes

    held_rows = 0
    for name, status, rows, held, warned, report in load_outcomes(since):
        if status == "accepted" and (held or warned):
            held_rows += held
            print(
                f"  {name}: loaded {rows:,} rows, {held:,} held back, {warned:,} warned; report: {report}",
                file=sys.stderr,
            )
        elif status == "quarantined":
            print(f"  {name}: quarantined; report: {report}", file=sys.stderr)
        elif status == "accepted":
            print(f"  {name}: loaded {rows:,} rows")
        elif status != "loading":
            print(f"  {name}: {status}")
    # DfE's validators check a collection's delivery as a whole (the 903 tables, the CIN census).
    for collection, la_code, as_at, ruleset, findings, children, rows, report in dfe_checks(since):
        label = COLLECTION_LABELS.get(collection, collection)
        held_rows += rows
        print(
            f"  DfE {ruleset} on the {label} delivery {la_code} as at {as_at}: {findings:,} findings, "
            f"{children:,} children held ({rows:,} rows); report: {report}",
            file=sys.stderr if children else sys.stdout,
        )
    return held_rows


def cmd_scorecard(args) -> int:
    from qa_warehouse.reports.reader import format_scorecard, read_scorecard

    if args.json or args.csv:
        from qa_warehouse.cli_tables import as_text, read_scorecard_rows

        columns, table_rows = read_scorecard_rows(args.la, args.period, args.all_periods)
        if not table_rows:
            print("reporting.fostering_kpi_scorecard has no rows for that choice", file=sys.stderr)
            return ExitCode.FAILED
        sys.stdout.write(as_text("json" if args.json else "csv", columns, table_rows))
        return ExitCode.OK
    rows = read_scorecard(la_code=args.la, period_end=args.period, all_periods=args.all_periods)
    if not rows:
        print(
            "reporting.fostering_kpi_scorecard has no rows for that choice (has `qa-warehouse run` published?)",
            file=sys.stderr,
        )
        return ExitCode.FAILED
    print(format_scorecard(rows))
    return ExitCode.OK


def cmd_where(_args) -> int:
    from qa_warehouse.publish.swap import PUBLIC_SCHEMA, PUBLISHED_SCHEMA, bi_role
    from qa_warehouse.warehouse import resolve_warehouse

    warehouse = resolve_warehouse()
    print(f"Warehouse: {warehouse.describe()}")
    print(f"  connect:  {warehouse.psql_command()}")
    print(f"  BI role:  {bi_role()} (reads schemas {PUBLISHED_SCHEMA} and {PUBLIC_SCHEMA} only)")
    print(f"  state:    {load_settings().home}")
    return ExitCode.OK


def cmd_migrate(_args) -> int:
    from qa_warehouse.migrations import MigrationError, latest_version, migrate_warehouse

    try:
        applied, version = migrate_warehouse()
    except MigrationError as error:
        print(f"not migrated: {error}", file=sys.stderr)
        return ExitCode.FAILED
    for migration in applied:
        print(f"applied {migration.file_name}")
    state = f"migrated to schema version {version}" if applied else f"schema version {version}, up to date"
    print(f"warehouse: {state} (this code's latest: {latest_version()})")
    return ExitCode.OK


def cmd_suites(args) -> int:
    from qa_warehouse.load.gate import write_suites

    for path in write_suites():
        print(f"wrote {path}")
    return ExitCode.OK


def cmd_seeds(args) -> int:
    from qa_warehouse.build.seeds import bank_holidays_path, bank_holidays_up_to_date, write_bank_holidays

    if args.write:
        print(f"wrote {write_bank_holidays()}")
        return ExitCode.OK
    if bank_holidays_up_to_date():
        print(f"{bank_holidays_path()} matches the holidays package")
        return ExitCode.OK
    print(
        f"{bank_holidays_path()} differs from the holidays package: run `qa-warehouse seeds --write`", file=sys.stderr
    )
    return ExitCode.FAILED


def cmd_demo(args) -> int:
    landing = load_settings().home / "demo-landing"
    if landing.exists():
        for old in landing.iterdir():
            old.unlink()
    args.out = str(landing)
    cmd_generate(args)
    if not args.area:
        # DfE's published statistics as an authority downloads them, so the report has its benchmarks
        from qa_warehouse_synthetic.benchmarks import write_benchmark_files

        written = write_benchmark_files(landing, seed=args.seed, years=args.years, as_at=args.as_at)
        print(f"wrote {len(written)} DfE benchmark files (synthetic, in explore-education-statistics' layout)")
    args.landing = str(landing)
    code = cmd_run(args)
    if code not in (ExitCode.OK, ExitCode.HELD_BACK):
        return code
    args.la, args.period, args.all_periods, args.json, args.csv = None, None, False, False, False
    cmd_scorecard(args)
    print()
    from qa_warehouse.reports.reader import child_protection_lines

    print("\n".join(child_protection_lines()))
    print()
    from qa_warehouse.reports.reader import format_report_section, read_report_section

    print("The quarterly performance report, one section (reporting.quarterly_performance_report):")
    print(format_report_section(read_report_section()))
    print()
    cmd_where(args)
    from qa_warehouse.cli_db import external_warehouse

    if not external_warehouse():
        print("  stop:     the embedded server keeps running for the next command; `qa-warehouse db stop` stops it")
    return code


def cmd_quarantine(_args) -> int:
    from qa_warehouse.pipeline import open_quarantines

    quarantined = open_quarantines()
    for name, report in quarantined:
        print(f"{name}\n  report: {report}")
    if not quarantined:
        print("no open quarantine: publishing is not held back")
    return ExitCode.OK


def cmd_release(args) -> int:
    from qa_warehouse.pipeline import release_quarantined

    released = release_quarantined(args.file_name)
    if not released:
        print(f"{args.file_name} has no quarantined load (see `qa-warehouse quarantine`)", file=sys.stderr)
        return ExitCode.FAILED
    print(f"released load(s) {', '.join(map(str, released))} of {args.file_name}: the next run gates it again")
    return ExitCode.OK


def cmd_serve(args) -> int:
    import json
    import signal
    import socket
    import time

    from qa_warehouse.local.services import COMPONENTS, AirflowServices, ServiceError
    from qa_warehouse.orchestration.plugin import DOCS_URL_PREFIX
    from qa_warehouse.warehouse import AIRFLOW_CONNECTION_ENV, AIRFLOW_CONNECTION_ID, resolve_warehouse

    settings = load_settings()
    with socket.socket() as probe:
        try:
            probe.bind((args.host, args.port))
        except OSError:
            print(f"port {args.port} on {args.host} is in use: choose another with --port", file=sys.stderr)
            return ExitCode.FAILED
    local = args.host in ("127.0.0.1", "localhost", "::1")
    services = AirflowServices(
        os.environ.get("AIRFLOW_HOME") or settings.airflow_home,
        host=args.host,
        port=args.port,
        parallelism=args.parallelism,
        all_admins=local and not args.login,
    )

    def stop_on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even if started with SIGINT ignored
    warehouse = resolve_warehouse()
    print("starting Airflow: API server, DAG processor, triggerer and scheduler (LocalExecutor)...", flush=True)
    try:
        services.migrate()
        # The tasks find the warehouse through Airflow's connections: with none configured (DATABASE_URL,
        # AIRFLOW_CONN_QA_WAREHOUSE, a connection made in the UI), name the embedded server.
        if warehouse.source == "embedded" and not services.metadata_has_connection(AIRFLOW_CONNECTION_ID):
            services.extra_env[AIRFLOW_CONNECTION_ENV] = warehouse.airflow_connection_uri()
        services.start()
        print(services.describe())
        print(
            f"  docs:     {services.base_url}{DOCS_URL_PREFIX}/ "
            "(the UI's Docs menu; `qa-warehouse docs --no-serve` builds them)"
        )
        if services.all_admins:
            print("  login:    none needed: every visitor is an admin (the UI listens on this machine only)")
        else:
            passwords = json.loads(services.password_file.read_text()) if services.password_file.exists() else {}
            for user, password in passwords.items():
                print(f"  login:    user {user}, password {password} (kept in {services.password_file})")
        print(f"Warehouse: {warehouse.describe()}")
        print(f"Landing:   {settings.landing_dir} (extract files dropped here are ingested and published)")
        print("Ctrl-C stops them all.", flush=True)
        while True:
            stopped = [name for name in COMPONENTS if not services.running(name)]
            if stopped:
                log = services.log_path(stopped[0])
                print(f"airflow {stopped[0]} stopped unexpectedly: see {log}; stopping the others", file=sys.stderr)
                return ExitCode.FAILED
            time.sleep(2)
    except ServiceError as error:
        print(error, file=sys.stderr)
        return ExitCode.FAILED
    except KeyboardInterrupt:
        print("\nstopping Airflow...", flush=True)
        return ExitCode.OK
    finally:
        services.stop()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def cmd_docs(args) -> int:
    from qa_warehouse.local.docs_site import docs_command

    return docs_command(host=args.host, port=args.port, serve=not args.no_serve, recent=args.recent)


def cmd_sef(args) -> int:
    from qa_warehouse.reports.self_evaluation import SelfEvaluationError, export

    try:
        paths = export(args.year, Path(args.out), la_code=args.la)
    except SelfEvaluationError as error:
        print(error, file=sys.stderr)
        return ExitCode.FAILED
    for path in paths:
        print(f"wrote {path.resolve()}")
    return ExitCode.OK


def _period_shape_problem(kind: str, first: dt.date, last: dt.date) -> str | None:
    """Why (first, last) is not a whole month, financial quarter or financial year; None when it is."""
    from qa_warehouse.periods import add_periods, period_start_containing  # the period closes' calendar

    if period_start_containing(first, kind) != first:
        return (
            f"no {kind} starts on {first} (the {kind} containing it starts on {period_start_containing(first, kind)})"
        )
    expected_last = add_periods(first, kind, 1) - dt.timedelta(days=1)
    if last != expected_last:
        return f"the {kind} starting {first} ends on {expected_last}, not {last}"
    return None


def cmd_publish_period(args) -> int:
    from qa_warehouse import pipeline
    from qa_warehouse.build.dbt import DbtFailed
    from qa_warehouse.periods import Period
    from qa_warehouse.warehouse import connect

    if problem := _period_shape_problem(args.kind, args.first, args.last):
        print(f"not a period to publish: {problem}", file=sys.stderr)
        return ExitCode.FAILED
    period = Period(args.kind, args.first, args.last)
    shown = _run_progress(args)
    # What the period close DAG runs: the deliveries are complete and ungated, then build and publish.
    try:
        with shown.listening():
            shown.phase(f"checking the {period.kind} {period.first_day} to {period.last_day}: deliveries and gates")
            pipeline.check_period_complete(period)
            pipeline.check_gates()
            shown.phase_done("deliveries complete, no open quarantine")
            shown.phase("build: postcodes, DfE's validators, dbt")
            pipeline.build()
            pipeline.publish_reporting(period)
            shown.phase_done("published")
    except pipeline.PeriodIncomplete as incomplete:
        print(incomplete, file=sys.stderr)
        for missing in incomplete.problems():
            print(f"  {missing.file}: {missing.detail}", file=sys.stderr)
        return ExitCode.FAILED
    except (pipeline.NothingDelivered, pipeline.GateClosed, DbtFailed) as error:
        print(f"not published: {error}", file=sys.stderr)
        return ExitCode.FAILED
    with connect() as conn, conn.cursor() as cur:
        cur.execute(
            "select max(edition_id) from reporting.editions where period_kind = %s "
            "and period_first_day = %s and period_last_day = %s",
            (period.kind, period.first_day, period.last_day),
        )
        (edition_id,) = cur.fetchone()
    shown.line(f"done in {shown.elapsed():.1f}s")
    print(f"published the {period.kind} {period.first_day} to {period.last_day}: edition {edition_id}")
    return ExitCode.OK


def cmd_page(args) -> int:
    from qa_warehouse.reports.page import PageError, write_performance_page

    try:
        paths = write_performance_page(
            args.la, args.period, html_path=args.out and Path(args.out), pdf_path=args.pdf and Path(args.pdf)
        )
    except PageError as error:
        print(error, file=sys.stderr)
        return ExitCode.FAILED
    for path in paths:
        print(f"wrote {path.resolve()}")
    return ExitCode.OK


def cmd_export(args) -> int:
    from qa_warehouse.cli_tables import ExportRefused, as_text, read_published_table, write_xlsx

    try:
        name, columns, rows = read_published_table(args.table)
    except ExportRefused as refused:
        print(f"not exported: {refused}", file=sys.stderr)
        return ExitCode.FAILED
    if args.format == "xlsx":
        path = Path(args.out or f"{args.table}.xlsx")
        write_xlsx(name.rpartition(".")[2], columns, rows, path)
        print(f"wrote {len(rows):,} rows of {name} to {path.resolve()}")
        return ExitCode.OK
    text = as_text(args.format, columns, rows)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(rows):,} rows of {name} to {Path(args.out).resolve()}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def cmd_status(args) -> int:
    import json

    from qa_warehouse.cli_tables import format_status, warehouse_status

    status = warehouse_status()
    print(json.dumps(status, indent=1, default=str) if args.json else format_status(status))
    return ExitCode.OK


def cmd_db(args) -> int:
    from qa_warehouse import cli_db

    try:
        if args.action == "start":
            state = cli_db.start()
        elif args.action == "stop":
            state = cli_db.stop()
        else:
            if name := cli_db.external_warehouse():
                print(f"{name} points the warehouse at its own server, not the embedded one")
            state = cli_db.server_state()
    except cli_db.NotEmbedded as error:
        print(error, file=sys.stderr)
        return ExitCode.FAILED
    print(state.describe())
    if args.action == "stop" and state.running:
        print("the embedded server is still running", file=sys.stderr)
        return ExitCode.FAILED
    return ExitCode.OK


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-warehouse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog("qa-warehouse demo --households 200 --years 2\nqa-warehouse run --help", PUBLISHING_CODES),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="only errors and the final result")
    loudness.add_argument("-v", "--verbose", action="store_true", help="library logs too (Airflow, dbt, GX)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, help: str, example: str, codes=OTHER_CODES, failed: str = "", description: str = "", done="done"
    ):
        p = sub.add_parser(
            name,
            help=help,
            description=textwrap.fill(description or help[:1].upper() + help[1:] + ".", 100),
            epilog=epilog(example, codes, failed, done),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        # also after the command (`qa-warehouse run -q ...`); SUPPRESS keeps one given before it
        p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return p

    def generation_options(p):
        p.add_argument("--households", type=int, default=600, help="households per authority (default 600)")
        p.add_argument("--years", type=int, default=5, help="years of history (default 5)")
        p.add_argument("--authorities", type=int, default=1, help="number of authorities (default 1)")
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--as-at", type=_date, default=dt.date(2025, 3, 31), help="extract date (default 2025-03-31)")
        p.add_argument(
            "--defect", action="append", help="inject a named defect (repeatable); see qa_warehouse_synthetic.DEFECTS"
        )
        p.add_argument(
            "--area",
            action="append",
            choices=("fostering", "quality_assurance", "recruitment", "workforce", "residential", "children_in_care"),
            help="generate only this area's extracts (repeatable; default: every area)",
        )

    p = command(
        "generate",
        "write a synthetic authority's extracts",
        "qa-warehouse generate --out landing --area fostering --households 30 --years 1",
        description="Write a synthetic authority's extracts, deterministic from the seed; --defect injects a named "
        "defect (qa_warehouse_synthetic.DEFECTS).",
    )
    p.add_argument("--out", required=True)
    generation_options(p)
    p.set_defaults(func=cmd_generate)

    p = command(
        "run",
        "ingest every file in a landing folder and publish, through the DAGs",
        "qa-warehouse run --landing landing",
        PUBLISHING_CODES,
        description="Ingest every recognised file in the landing folder through the qa_ingest DAG and, when "
        "nothing is quarantined, build and publish through qa_build_and_publish. Progress (each file, dbt's "
        "nodes, the publish) goes to stderr; each file's outcome and the result to stdout.",
    )
    p.add_argument("--landing", required=True)
    p.set_defaults(func=cmd_run)

    p = command(
        "scorecard",
        "print the published fostering KPI scorecard",
        "qa-warehouse scorecard --la 885\nqa-warehouse scorecard --all-periods --csv > scorecard.csv",
        failed="nothing is published for that choice",
        description="Print the published fostering KPI scorecard (each authority's latest month end by default); "
        "--json or --csv print every published column of reporting.fostering_kpi_scorecard.",
    )
    p.add_argument("--la", help="one authority's LA code")
    p.add_argument("--period", type=_date, help="a month end (default: the latest published)")
    p.add_argument("--all-periods", action="store_true")
    machine = p.add_mutually_exclusive_group()
    machine.add_argument("--json", action="store_true", help="every published column, as a JSON array of objects")
    machine.add_argument("--csv", action="store_true", help="every published column, as CSV with a header")
    p.set_defaults(func=cmd_scorecard)

    p = command("quarantine", "list the quarantined deliveries that hold publishing back", "qa-warehouse quarantine")
    p.set_defaults(func=cmd_quarantine)

    p = command(
        "release",
        "gate a quarantined file again on the next run (after fixing a contract or seed)",
        "qa-warehouse release carer_visits_885_20250331.csv",
        failed="FILE has no quarantined load",
    )
    p.add_argument("file_name", help="the landing file's name, e.g. carer_visits_885_20250331.csv")
    p.set_defaults(func=cmd_release)

    p = command("where", "say where the warehouse is and how to connect", "qa-warehouse where")
    p.set_defaults(func=cmd_where)

    p = command(
        "status",
        "say what is published and from which loads, what holds publishing back, and how fresh the extracts are",
        "qa-warehouse status\nqa-warehouse status --json",
        description="What is published (the latest publication's tables and the loads it was built from), open "
        "quarantines, rows held back in the current loads, late extracts, the schema version and the server.",
    )
    p.add_argument("--json", action="store_true", help="the same as JSON")
    p.set_defaults(func=cmd_status)

    p = command(
        "export",
        "write a published table to CSV, JSON or XLSX",
        "qa-warehouse export fostering_kpi_scorecard --format xlsx\n"
        "qa-warehouse export public_reporting.workforce_monthly > workforce.csv",
        failed="not a published table (schemas reporting, public_reporting, restricted_*) the connected user may read",
        description="Write a published table: TABLE (in reporting) or SCHEMA.TABLE in reporting, public_reporting "
        "or a restricted_* schema the connected user may read. CSV and JSON go to stdout unless --out names a "
        "file; XLSX goes to TABLE.xlsx unless --out names another.",
    )
    p.add_argument("table", help="e.g. fostering_kpi_scorecard or public_reporting.workforce_monthly")
    p.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv", help="default csv")
    p.add_argument("--out", help="the file to write (default: stdout for csv and json, TABLE.xlsx for xlsx)")
    p.set_defaults(func=cmd_export)

    p = command(
        "db",
        "start, stop or describe the embedded PostgreSQL under QA_WAREHOUSE_HOME",
        "qa-warehouse db status\nqa-warehouse db stop",
        failed="DATABASE_URL (or AIRFLOW_CONN_QA_WAREHOUSE) points at another server, or the server did not stop",
        description="The embedded PostgreSQL the warehouse starts on demand keeps running after each command; "
        "`db stop` stops it, `db start` starts it, `db status` says whether it runs.",
    )
    p.add_argument("action", choices=("start", "stop", "status"))
    p.set_defaults(func=cmd_db)

    p = command(
        "migrate",
        "apply the warehouse's pending schema migrations and print its version",
        "qa-warehouse migrate",
        failed="the warehouse was migrated by a newer qa-warehouse, or an applied migration was edited",
    )
    p.set_defaults(func=cmd_migrate)

    p = command(
        "suites",
        "regenerate the GX suites beside the extract contracts (load/contracts/*.suite.json)",
        "qa-warehouse suites",
    )
    p.set_defaults(func=cmd_suites)

    p = command(
        "seeds",
        "check (or --write) the seeds written from code: England bank holidays",
        "qa-warehouse seeds\nqa-warehouse seeds --write",
        failed="the seed differs from the holidays package",
    )
    p.add_argument("--write", action="store_true", help="rewrite dbt_project/seeds/bank_holidays_england.csv")
    p.set_defaults(func=cmd_seeds)

    p = command(
        "demo",
        "generate a synthetic authority, run the DAGs, print the scorecard",
        "qa-warehouse demo --households 200 --years 2 --area fostering",
        PUBLISHING_CODES,
        description="Generate a synthetic authority (and DfE's benchmark files unless --area narrows it) in the "
        "state folder, run and publish it as `run` does, print the scorecard and a report section, and say "
        "where the warehouse is and how to stop its server.",
    )
    generation_options(p)
    p.set_defaults(func=cmd_demo)

    p = command(
        "serve",
        "run Airflow (UI, scheduler, DAG processor, triggerer) until Ctrl-C: "
        "files dropped in the landing folder are ingested and published",
        "qa-warehouse serve --port 8080",
        failed="a component failed to start or stopped",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address the UI listens on (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=int, default=8080, help="the UI's port (default 8080)")
    p.add_argument("--parallelism", type=int, default=2, help="tasks run at once (default 2)")
    p.add_argument(
        "--login",
        action="store_true",
        help="require a login even on 127.0.0.1 (Airflow's simple auth manager generates the password)",
    )
    p.set_defaults(func=cmd_serve)

    p = command(
        "docs",
        "build dbt's docs and GX's Data Docs of recent deliveries into the state folder, and serve them",
        "qa-warehouse docs --port 8090",
        failed="dbt failed or the port is taken",
    )
    p.add_argument("--port", type=int, default=8090, help="the port to serve on (default 8090)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    p.add_argument("--no-serve", action="store_true", help="only build the sites, and print where they are")
    p.add_argument("--recent", type=int, default=100, help="how many recent validations GX's site shows (100)")
    p.set_defaults(func=cmd_docs)

    p = command(
        "sef",
        "export the annual self-evaluation figures (a financial year and the two "
        "before it, from the published editions) to XLSX and CSV",
        "qa-warehouse sef --year 2025/26 --out exports",
        failed="the year has no edition",
    )
    p.add_argument("--year", required=True, help="the financial year, e.g. 2025/26 (or 2025-26)")
    p.add_argument("--la", help="one authority's LA code (default: every authority, one row each)")
    p.add_argument("--out", default=".", help="folder to write the files in (default: the current folder)")
    p.set_defaults(func=cmd_sef)

    p = command(
        "publish-period",
        "build and publish a month, quarter or financial year as its close "
        "does, making its edition (e.g. a year for `sef`)",
        "qa-warehouse publish-period --kind quarter --first 2025-01-01 --last 2025-03-31",
        done="published",
        failed="the period is not whole, its deliveries are incomplete or gated, or the build failed "
        "(nothing published)",
    )
    p.add_argument("--kind", required=True, choices=("month", "quarter", "financial_year"))
    p.add_argument("--first", required=True, type=_date, help="the period's first day, e.g. 2024-04-01")
    p.add_argument("--last", required=True, type=_date, help="the period's last day, e.g. 2025-03-31")
    p.set_defaults(func=cmd_publish_period)

    p = command(
        "page",
        "write Performance on a Page for an authority and month end: a self-contained HTML page (and PDF with --pdf)",
        "qa-warehouse page --la 885 --out page.html --pdf page.pdf",
        failed="that authority or month has no published figures",
    )
    p.add_argument("--la", required=True, help="the authority's LA code")
    p.add_argument("--period", type=_date, help="a month end (default: the authority's latest published)")
    p.add_argument("--out", help="the HTML file (default: performance-on-a-page-LA-PERIOD.html here)")
    p.add_argument("--pdf", help="also write this PDF (WeasyPrint, from the same HTML)")
    p.set_defaults(func=cmd_page)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 (ExitCode.USAGE) on bad arguments, 0 for --help/--version
    _quiet_libraries(verbose=args.verbose)
    if args.quiet:
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
