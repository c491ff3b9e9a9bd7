"""How long each DAG file takes to import, as Airflow's DAG processor parses it (target: 0.2 s each).

Each measurement is a fresh Python process that has already imported `airflow` and `airflow.sdk`
(the DAG processor has them loaded before it parses a file), then times executing one DAG file:
our package's imports, the contracts, and building the DAG objects. The baseline, measured in the
same run the same way, is a minimal DAG file of one task. Median of --repeat processes.

    .venv/bin/python bench/dag_import_times.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.2
MINIMAL_DAG = """
import pendulum
from airflow.sdk import dag, task

@task
def hello():
    pass

@dag(dag_id="baseline", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"))
def baseline():
    hello()

baseline()
"""
TIMER = """
import importlib.util, sys, time
import airflow, airflow.sdk  # loaded before parsing, as in the DAG processor
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("dag_under_test", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(time.perf_counter() - start)
"""


def import_seconds(dag_file: Path, env: dict) -> float:
    done = subprocess.run(
        [sys.executable, "-c", TIMER, str(dag_file)], env=env, check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="processes per file; the median is reported")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qaw-dagimport-") as scratch:
        env = {
            **os.environ,
            "AIRFLOW_HOME": scratch,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore",
        }
        baseline_file = Path(scratch) / "baseline_dag.py"
        baseline_file.write_text(MINIMAL_DAG)
        files = [baseline_file] + sorted((REPO / "src" / "qa_warehouse" / "orchestration" / "dags").glob("*.py"))
        medians = {f: statistics.median(import_seconds(f, env) for _ in range(args.repeat)) for f in files}
    baseline = medians.pop(baseline_file)
    print(f"DAG file import time, median of {args.repeat} fresh processes (airflow already imported)")
    print(f"  {'minimal one-task DAG (baseline)':<34} {baseline:6.3f} s")
    for dag_file, seconds in medians.items():
        verdict = "ok" if seconds <= TARGET_SECONDS else "OVER TARGET"
        print(
            f"  {'dags/' + dag_file.name:<34} {seconds:6.3f} s  {seconds / baseline:5.1f}x baseline"
            f"  target <= {TARGET_SECONDS} s: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
