"""Benchmark: what publishing costs now, disclosure control and editions, against bare table copies.

    .venv/bin/python bench/publish_costs.py            # from the repo root; see bench/README.md
    .venv/bin/python bench/publish_costs.py --households 600 --authorities 1 3 --repeat 5

Per size, the real pipeline builds a warehouse once in a fresh database (synthetic extracts,
`qa-warehouse run`). Then, each in a transaction that is rolled back, median of --repeat:
  1. `disclosure.build_public_tables(cur)` on copies of the published quarterly report tables,
     against a bare `create table public_reporting_build.x as table reporting_build.x` of each;
  2. `editions.write_latest_figures(cur, id, editions.figure_layouts(cur, tables, declared))` for
     every reporting table, against a bare `create table ... as select * from reporting.x` of each.
Reuses run_bench.py's embedded PostgreSQL (importing it sets AIRFLOW_HOME etc. before Airflow).
A measurement: no timing assertions; it exits 1 only if the pipeline errs.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import run_bench  # noqa: F401  first: sets the environment (temp AIRFLOW_HOME, ...) before Airflow is imported
from psycopg2 import sql
from run_bench import ROOT, Server, output_to


def build_warehouse(households: int, authorities: int) -> None:
    """The real pipeline, into the database DATABASE_URL names (run_bench's fresh_database)."""
    from qa_warehouse import cli
    from qa_warehouse_synthetic import generate_extracts

    landing = ROOT / f"landing-{households}x{authorities}"
    generate_extracts(landing, households=households, years=5, authorities=authorities, seed=1)
    log = ROOT / "run.log"
    with output_to(log):
        code = cli.main(["run", "--landing", str(landing)])
    if code != 0:
        kept = shutil.copy(log, Path(tempfile.gettempdir()) / "qa-warehouse-publish-costs.log")  # ROOT is removed
        raise RuntimeError(f"qa-warehouse run exited {code}; its output is kept in {kept}")


def names(cur, schema: str, prefix: str = "") -> list[str]:
    cur.execute(
        "select tablename from pg_tables where schemaname = %s and starts_with(tablename, %s) order by tablename",
        (schema, prefix),
    )
    return [name for (name,) in cur.fetchall()]


def rolled_back(conn, work) -> tuple[float, object]:
    """Seconds of work(cur) inside a transaction and what it returned; then roll it all back."""
    try:
        with conn.cursor() as cur:
            start = time.perf_counter()
            result = work(cur)
            return time.perf_counter() - start, result
    finally:
        conn.rollback()


def median_pair(conn, repeat: int, ours, baseline) -> tuple[float, float, list, list]:
    """Alternate ours and the baseline `repeat` times each (so load changes hit both); medians."""
    ours_runs, base_runs = [], []
    for _ in range(repeat):
        ours_runs.append(rolled_back(conn, ours)[0])
        base_runs.append(rolled_back(conn, baseline)[0])
    return statistics.median(ours_runs), statistics.median(base_runs), ours_runs, base_runs


def scalar(cur, query, params=()):
    cur.execute(query, params)
    return cur.fetchone()[0]


def measure_size(server: Server, households: int, authorities: int, repeat: int) -> dict:
    from qa_warehouse.publish import disclosure, editions
    from qa_warehouse.publish.swap import PUBLICATION_LOG

    label = f"{households} x {authorities}"
    with server.fresh_database(f"pub{households}x{authorities}") as database:
        start = time.perf_counter()
        build_warehouse(households, authorities)
        print(f"  {label}: warehouse built by `qa-warehouse run` in {time.perf_counter() - start:.1f} s", flush=True)
        declared = editions.declared_models()  # publish reads the dbt yml before its transaction: untimed
        conn = psycopg2.connect(server.dsn(database), options="-c datestyle=ISO,DMY")
        try:
            with conn.cursor() as cur:
                quarterly = names(cur, "reporting", disclosure.REPORT_TABLE_PREFIX)
                assert quarterly and not names(cur, "reporting_build"), (
                    "expected publish to have emptied reporting_build"
                )
                for table in quarterly:  # committed once: the input every repeat reads
                    cur.execute(
                        sql.SQL("create table {} as table {}").format(
                            sql.Identifier("reporting_build", table), sql.Identifier("reporting", table)
                        )
                    )
                reporting = [t for t in names(cur, "reporting") if t not in editions.OWN_RELATIONS | {PUBLICATION_LOG}]
                rows = sum(
                    scalar(cur, sql.SQL("select count(*) from {}").format(sql.Identifier("reporting", t)))
                    for t in quarterly
                )
                groups = sum(
                    scalar(
                        cur,
                        sql.SQL(
                            "select count(*) from (select distinct la_code, period_end, measure_code from {}) g"
                        ).format(sql.Identifier("reporting", t)),
                    )
                    for t in quarterly
                )
            conn.commit()

            def bare_public_copy(cur):
                cur.execute("create schema if not exists public_reporting_build")
                for table in quarterly:
                    cur.execute(
                        sql.SQL("create table {} as table {}").format(
                            sql.Identifier("public_reporting_build", table), sql.Identifier("reporting_build", table)
                        )
                    )

            def count_suppressed(cur):  # untimed: runs the build once more and counts its c cells
                disclosure.build_public_tables(cur)
                suppressed = cells = 0
                for table in quarterly:
                    cur.execute(
                        sql.SQL(
                            "select count(*) filter (where numerator = 'c') + count(*) filter (where denominator = 'c'), "
                            "count(numerator) + count(denominator) from {}"
                        ).format(sql.Identifier("public_reporting_build", table))
                    )
                    s, c = cur.fetchone()
                    suppressed, cells = suppressed + s, cells + c
                return suppressed, cells

            layouts_of = {}

            def write_editions(cur):
                layouts = editions.figure_layouts(cur, reporting, declared)
                layouts_of["tables"] = [layout.table for layout in layouts if layout.figures]
                editions.write_latest_figures(cur, -1, layouts)  # a fake publication id: it only inserts
                layouts_of["figures"] = scalar(cur, "select count(*) from reporting.latest_figures")

            def bare_reporting_copy(cur):
                for number, table in enumerate(layouts_of["tables"]):
                    cur.execute(
                        sql.SQL("create table {} as select * from {}").format(
                            sql.Identifier(f"bench_copy_{number}"), sql.Identifier("reporting", table)
                        )
                    )

            disclosure_s, copy_s, disclosure_runs, copy_runs = median_pair(
                conn, repeat, disclosure.build_public_tables, bare_public_copy
            )
            suppressed, cells = rolled_back(conn, count_suppressed)[1]
            rolled_back(conn, write_editions)  # once, untimed: learns which tables editions keeps (and warns)
            logging.getLogger(editions.__name__).setLevel(logging.ERROR)  # not the same warning each repeat
            editions_s, ecopy_s, editions_runs, ecopy_runs = median_pair(
                conn, repeat, write_editions, bare_reporting_copy
            )
            with conn.cursor() as cur:
                edition_rows = sum(
                    scalar(cur, sql.SQL("select count(*) from {}").format(sql.Identifier("reporting", t)))
                    for t in layouts_of["tables"]
                )
            conn.rollback()
        finally:
            conn.close()
    runs = lambda values: ", ".join(f"{v:.3f}" for v in values)  # noqa: E731
    print(f"    disclosure {runs(disclosure_runs)} | bare copy {runs(copy_runs)}")
    print(f"    editions   {runs(editions_runs)} | bare copy {runs(ecopy_runs)}", flush=True)
    return dict(
        label=label,
        tables=len(quarterly),
        rows=rows,
        groups=groups,
        suppressed=suppressed,
        cells=cells,
        disclosure=disclosure_s,
        copy=copy_s,
        edition_tables=len(layouts_of["tables"]),
        edition_rows=edition_rows,
        figures=layouts_of["figures"],
        editions=editions_s,
        ecopy=ecopy_s,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=600, help="households per authority (default 600)")
    parser.add_argument("--authorities", type=int, nargs="+", default=[1, 3], help="authority counts (default 1 3)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per figure; the median is reported (default 5)"
    )
    try:  # ROOT exists from the moment run_bench was imported: remove it even after --help
        args = parser.parse_args(argv)
        print(
            f"publishing costs, {os.cpu_count()} CPUs, load average at start {Path('/proc/loadavg').read_text().strip()}, "
            f"median of {args.repeat} rolled-back transactions\n",
            flush=True,
        )
        server = Server()
        try:
            import qa_warehouse.publish.disclosure
            import qa_warehouse.publish.editions  # noqa: F401

            results = [measure_size(server, args.households, n, args.repeat) for n in args.authorities]
        finally:
            server.pg.cleanup()
    finally:
        shutil.rmtree(ROOT, ignore_errors=True)

    print("\nDisclosure control: build_public_tables vs a bare copy into public_reporting_build (seconds are medians):")
    print(
        f"  {'households x LAs':16} {'tables':>6} {'rows':>7} {'groups':>7} {'suppressed':>16} "
        f"{'disclosure s':>12} {'bare copy s':>11} {'ratio':>8}"
    )
    for r in results:
        share = f"{r['suppressed']:,} of {r['cells']:,}"
        print(
            f"  {r['label']:16} {r['tables']:6} {r['rows']:7,} {r['groups']:7,} {share:>16} "
            f"{r['disclosure']:12.3f} {r['copy']:11.3f} {r['disclosure'] / r['copy']:7.1f}x"
        )
    print("\nEditions: figure_layouts + write_latest_figures vs a bare copy of the same reporting tables:")
    print(
        f"  {'households x LAs':16} {'tables':>6} {'rows':>7} {'figures':>8} "
        f"{'editions s':>10} {'bare copy s':>11} {'ratio':>8}"
    )
    for r in results:
        print(
            f"  {r['label']:16} {r['edition_tables']:6} {r['edition_rows']:7,} {r['figures']:8,} "
            f"{r['editions']:10.3f} {r['ecopy']:11.3f} {r['editions'] / r['ecopy']:7.1f}x"
        )
    print(
        f"\nLoad average at the end: {Path('/proc/loadavg').read_text().strip()} (compare figures from a quiet machine)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
