"""`qa-warehouse`: the command authorities' engineers and their own checks script against.

Every subcommand honours DATABASE_URL (else AIRFLOW_CONN_QA_WAREHOUSE, else the embedded server); the
DAGs' tasks find the warehouse through Airflow's connection `qa_warehouse`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from qa_warehouse.settings import load_settings

EXIT_QUARANTINED = 2
EXIT_FAILED = 1


def _quiet_libraries() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import warnings

    warnings.filterwarnings("ignore")


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
    return 0


def cmd_run(args) -> int:
    from qa_warehouse.orchestration.runner import BUILD_DAG, INGEST_DAG, run_dag
    from qa_warehouse.pipeline import open_quarantines

    landing = str(Path(args.landing).resolve())
    started = dt.datetime.now(dt.UTC)
    ingest = run_dag(INGEST_DAG, {"landing_dir": landing})
    _print_file_outcomes(started)
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
        return EXIT_QUARANTINED
    if not ingest.succeeded:
        print(f"{INGEST_DAG} failed: {ingest.failed_tasks}", file=sys.stderr)
        return EXIT_FAILED
    build = run_dag(BUILD_DAG)
    if not build.succeeded:
        print(
            f"{BUILD_DAG} failed: {build.failed_tasks}; the published tables are unchanged."
            f" See the task log above and {load_settings().dbt_target_dir.parent / 'logs'}.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"ingested and published from {landing}")
    return 0


def _print_file_outcomes(since: dt.datetime) -> None:
    """Every file the run looked at, with its outcome: a held row or a refused file never passes unsaid."""
    from qa_warehouse.load.dfe_delivery import COLLECTION_LABELS
    from qa_warehouse.pipeline import dfe_checks, load_outcomes

    for name, status, rows, held, warned, report in load_outcomes(since):
        if status == "accepted" and (held or warned):
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
        print(
            f"  DfE {ruleset} on the {label} delivery {la_code} as at {as_at}: {findings:,} findings, "
            f"{children:,} children held ({rows:,} rows); report: {report}",
            file=sys.stderr if children else sys.stdout,
        )


def cmd_scorecard(args) -> int:
    from qa_warehouse.reports.reader import format_scorecard, read_scorecard

    rows = read_scorecard(la_code=args.la, period_end=args.period, all_periods=args.all_periods)
    if not rows:
        print(
            "reporting.fostering_kpi_scorecard has no rows for that choice (has `qa-warehouse run` published?)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(format_scorecard(rows))
    return 0


def cmd_where(_args) -> int:
    from qa_warehouse.publish.swap import PUBLIC_SCHEMA, PUBLISHED_SCHEMA, bi_role
    from qa_warehouse.warehouse import resolve_warehouse

    warehouse = resolve_warehouse()
    print(f"Warehouse: {warehouse.describe()}")
    print(f"  connect:  {warehouse.psql_command()}")
    print(f"  BI role:  {bi_role()} (reads schemas {PUBLISHED_SCHEMA} and {PUBLIC_SCHEMA} only)")
    print(f"  state:    {load_settings().home}")
    return 0


def cmd_migrate(_args) -> int:
    from qa_warehouse.migrations import MigrationError, latest_version, migrate_warehouse

    try:
        applied, version = migrate_warehouse()
    except MigrationError as error:
        print(f"not migrated: {error}", file=sys.stderr)
        return EXIT_FAILED
    for migration in applied:
        print(f"applied {migration.file_name}")
    state = f"migrated to schema version {version}" if applied else f"schema version {version}, up to date"
    print(f"warehouse: {state} (this code's latest: {latest_version()})")
    return 0


def cmd_suites(args) -> int:
    from qa_warehouse.load.gate import write_suites

    for path in write_suites():
        print(f"wrote {path}")
    return 0


def cmd_seeds(args) -> int:
    from qa_warehouse.build.seeds import bank_holidays_path, bank_holidays_up_to_date, write_bank_holidays

    if args.write:
        print(f"wrote {write_bank_holidays()}")
        return 0
    if bank_holidays_up_to_date():
        print(f"{bank_holidays_path()} matches the holidays package")
        return 0
    print(
        f"{bank_holidays_path()} differs from the holidays package: run `qa-warehouse seeds --write`", file=sys.stderr
    )
    return EXIT_FAILED


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
    if code:
        return code
    args.la, args.period, args.all_periods = None, None, False
    cmd_scorecard(args)
    print()
    from qa_warehouse.reports.reader import child_protection_lines

    print("\n".join(child_protection_lines()))
    print()
    from qa_warehouse.reports.reader import format_report_section, read_report_section

    print("The quarterly performance report, one section (reporting.quarterly_performance_report):")
    print(format_report_section(read_report_section()))
    print()
    return cmd_where(args)


def cmd_quarantine(_args) -> int:
    from qa_warehouse.pipeline import open_quarantines

    quarantined = open_quarantines()
    for name, report in quarantined:
        print(f"{name}\n  report: {report}")
    if not quarantined:
        print("no open quarantine: publishing is not held back")
    return 0


def cmd_release(args) -> int:
    from qa_warehouse.pipeline import release_quarantined

    released = release_quarantined(args.file_name)
    if not released:
        print(f"{args.file_name} has no quarantined load (see `qa-warehouse quarantine`)", file=sys.stderr)
        return EXIT_FAILED
    print(f"released load(s) {', '.join(map(str, released))} of {args.file_name}: the next run gates it again")
    return 0


def cmd_serve(args) -> int:
    import json
    import signal
    import socket
    import time

    from qa_warehouse.local.services import COMPONENTS, AirflowServices, ServiceError
    from qa_warehouse.warehouse import AIRFLOW_CONNECTION_ENV, AIRFLOW_CONNECTION_ID, resolve_warehouse

    settings = load_settings()
    with socket.socket() as probe:
        try:
            probe.bind((args.host, args.port))
        except OSError:
            print(f"port {args.port} on {args.host} is in use: choose another with --port", file=sys.stderr)
            return EXIT_FAILED
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
                return EXIT_FAILED
            time.sleep(2)
    except ServiceError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("\nstopping Airflow...", flush=True)
        return 0
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
        return EXIT_FAILED
    for path in paths:
        print(f"wrote {path.resolve()}")
    return 0


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
        return EXIT_FAILED
    period = Period(args.kind, args.first, args.last)
    # What the period close DAG runs: the deliveries are complete and ungated, then build and publish.
    try:
        pipeline.check_period_complete(period)
        pipeline.check_gates()
        pipeline.build()
        pipeline.publish_reporting(period)
    except pipeline.PeriodIncomplete as incomplete:
        print(incomplete, file=sys.stderr)
        for missing in incomplete.problems():
            print(f"  {missing.file}: {missing.detail}", file=sys.stderr)
        return EXIT_FAILED
    except (pipeline.NothingDelivered, pipeline.GateClosed, DbtFailed) as error:
        print(f"not published: {error}", file=sys.stderr)
        return EXIT_FAILED
    with connect() as conn, conn.cursor() as cur:
        cur.execute(
            "select max(edition_id) from reporting.editions where period_kind = %s "
            "and period_first_day = %s and period_last_day = %s",
            (period.kind, period.first_day, period.last_day),
        )
        (edition_id,) = cur.fetchone()
    print(f"published the {period.kind} {period.first_day} to {period.last_day}: edition {edition_id}")
    return 0


def cmd_page(args) -> int:
    from qa_warehouse.reports.page import PageError, write_performance_page

    try:
        paths = write_performance_page(
            args.la, args.period, html_path=args.out and Path(args.out), pdf_path=args.pdf and Path(args.pdf)
        )
    except PageError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    for path in paths:
        print(f"wrote {path.resolve()}")
    return 0


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa-warehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

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

    p = sub.add_parser("generate", help="write a synthetic authority's extracts")
    p.add_argument("--out", required=True)
    generation_options(p)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("run", help="ingest every file in a landing folder and publish, through the DAGs")
    p.add_argument("--landing", required=True)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("scorecard", help="print the published fostering KPI scorecard")
    p.add_argument("--la", help="one authority's LA code")
    p.add_argument("--period", type=_date, help="a month end (default: the latest published)")
    p.add_argument("--all-periods", action="store_true")
    p.set_defaults(func=cmd_scorecard)

    p = sub.add_parser("quarantine", help="list the quarantined deliveries that hold publishing back")
    p.set_defaults(func=cmd_quarantine)

    p = sub.add_parser(
        "release", help="gate a quarantined file again on the next run (after fixing a contract or seed)"
    )
    p.add_argument("file_name", help="the landing file's name, e.g. carer_visits_885_20250331.csv")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("where", help="say where the warehouse is and how to connect")
    p.set_defaults(func=cmd_where)

    p = sub.add_parser("migrate", help="apply the warehouse's pending schema migrations and print its version")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "suites", help="regenerate the GX suites beside the extract contracts (load/contracts/*.suite.json)"
    )
    p.set_defaults(func=cmd_suites)

    p = sub.add_parser("seeds", help="check (or --write) the seeds written from code: England bank holidays")
    p.add_argument("--write", action="store_true", help="rewrite dbt_project/seeds/bank_holidays_england.csv")
    p.set_defaults(func=cmd_seeds)

    p = sub.add_parser("demo", help="generate a synthetic authority, run the DAGs, print the scorecard")
    generation_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "serve",
        help="run Airflow (UI, scheduler, DAG processor, triggerer) until Ctrl-C: "
        "files dropped in the landing folder are ingested and published",
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

    p = sub.add_parser(
        "docs", help="build dbt's docs and GX's Data Docs of recent deliveries into the state folder, and serve them"
    )
    p.add_argument("--port", type=int, default=8090, help="the port to serve on (default 8090)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    p.add_argument("--no-serve", action="store_true", help="only build the sites, and print where they are")
    p.add_argument("--recent", type=int, default=100, help="how many recent validations GX's site shows (100)")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser(
        "sef",
        help="export the annual self-evaluation figures (a financial year and the two "
        "before it, from the published editions) to XLSX and CSV",
    )
    p.add_argument("--year", required=True, help="the financial year, e.g. 2025/26 (or 2025-26)")
    p.add_argument("--la", help="one authority's LA code (default: every authority, one row each)")
    p.add_argument("--out", default=".", help="folder to write the files in (default: the current folder)")
    p.set_defaults(func=cmd_sef)

    p = sub.add_parser(
        "publish-period",
        help="build and publish a month, quarter or financial year as its close "
        "does, making its edition (e.g. a year for `sef`)",
    )
    p.add_argument("--kind", required=True, choices=("month", "quarter", "financial_year"))
    p.add_argument("--first", required=True, type=_date, help="the period's first day, e.g. 2024-04-01")
    p.add_argument("--last", required=True, type=_date, help="the period's last day, e.g. 2025-03-31")
    p.set_defaults(func=cmd_publish_period)
    p = sub.add_parser(
        "page",
        help="write Performance on a Page for an authority and month end: "
        "a self-contained HTML page (and PDF with --pdf)",
    )
    p.add_argument("--la", required=True, help="the authority's LA code")
    p.add_argument("--period", type=_date, help="a month end (default: the authority's latest published)")
    p.add_argument("--out", help="the HTML file (default: performance-on-a-page-LA-PERIOD.html here)")
    p.add_argument("--pdf", help="also write this PDF (WeasyPrint, from the same HTML)")
    p.set_defaults(func=cmd_page)
    return parser


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
