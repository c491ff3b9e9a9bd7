"""Generate three authorities' extracts, run both DAGs for real, and check every published figure
against the independent computation in tests/reference (which reads the same CSV files)."""

from __future__ import annotations

import csv
from contextlib import closing
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import psycopg2
import pytest

from qa_warehouse import cli
from qa_warehouse.settings import DBT_PROJECT_DIR
from tests.data_sets import FOSTERING_THREE_EXPORT_STYLES
from tests.reference.fostering_scorecard import MEASURE_CODES, expected_fostering_scorecard
from tests.reference.measures import PUBLISHED_COLUMNS, differences, expected_measure_values, fostering_counts

pytestmark = pytest.mark.integration
DATA_SET = FOSTERING_THREE_EXPORT_STYLES
HISTORY_MONTHS = 36  # the dbt var scorecard_history_months default
FIGURES = "la_code, team, period_end, measure_code, in_time, out_of_time, not_yet_due, percentage"


def published(warehouse, columns=FIGURES):
    return warehouse.query(f"select {columns} from reporting.fostering_kpi_scorecard order by 1, 2, 3, 4")


def test_every_published_figure_matches_the_independent_computation(module_warehouse, landing):
    expected = expected_fostering_scorecard(landing, history_months=HISTORY_MONTHS)
    actual = {
        (la, team, period_end, measure): {
            "in_time": i,
            "out_of_time": o,
            "not_yet_due": n,
            "percentage": None if pct is None else Fraction(pct),
        }
        for la, team, period_end, measure, i, o, n, pct in published(module_warehouse)
    }
    assert len(actual) == len(published(module_warehouse)), "one row per authority, team, month end and measure"
    assert set(actual) == set(expected)
    wrong = []
    for key, figures in expected.items():
        got = actual[key]
        exact = {k: v for k, v in figures.items() if k != "percentage"}
        if (
            {k: got[k] for k in exact} != exact
            or (got["percentage"] is None) != (figures["percentage"] is None)
            or (
                figures["percentage"] is not None
                and abs(got["percentage"] - figures["percentage"]) > Fraction(1, 10**12)
            )
        ):
            wrong.append((key, got, figures))
    assert not wrong, f"{len(wrong)} figures differ, first: {wrong[:3]}"
    # The data must exercise every outcome, or the comparison proves little.
    totals = {k: sum(f[k] for f in expected.values()) for k in ("in_time", "out_of_time", "not_yet_due")}
    assert all(totals.values()), totals
    assert {m for (_, _, _, m) in expected} == set(MEASURE_CODES)


def test_rag_target_and_direction_follow_the_seeded_thresholds(module_warehouse, landing):
    with open(DBT_PROJECT_DIR / "seeds" / "measure_targets.csv", newline="") as f:
        targets = {row["measure_code"]: row for row in csv.DictReader(f)}
    rows = published(
        module_warehouse,
        "la_code, team, period_end, measure_code, percentage, target, rag, previous_percentage, direction_of_travel",
    )
    by_key = {(la, team, pe, m): pct for la, team, pe, m, pct, *_ in rows}
    for la, team, period_end, measure, pct, target, rag, previous, direction in rows:
        seed = targets[measure]
        assert target == Decimal(seed["target"])
        higher = seed["polarity"] == "higher_is_better"
        if pct is None:
            assert rag is None
        else:
            green, amber = Decimal(seed["green_from"]), Decimal(seed["amber_from"])
            meets = (lambda t: pct >= t) if higher else (lambda t: pct <= t)
            assert rag == ("green" if meets(green) else "amber" if meets(amber) else "red")
        prior = [v for (l2, t2, p2, m2), v in by_key.items() if (l2, t2, m2) == (la, team, measure) and p2 < period_end]
        expected_previous = (
            by_key.get(
                (
                    la,
                    team,
                    max(
                        (p for (l2, t2, p, m2) in by_key if (l2, t2, m2) == (la, team, measure) and p < period_end),
                        default=None,
                    ),
                    measure,
                )
            )
            if prior
            else None
        )
        assert previous == expected_previous
        if pct is None or previous is None:
            assert direction is None
        elif pct == previous:
            assert direction == "no_change"
        else:
            assert direction == ("improving" if (pct > previous) == higher else "declining")


def test_loading_the_same_files_twice_changes_nothing(module_warehouse, landing):
    raw_counts = "select (select count(*) from raw.carer_visits), (select count(*) from raw.carer_households)"
    before = (published(module_warehouse), module_warehouse.query(raw_counts))
    assert cli.main(["run", "--landing", str(landing)]) == 0
    assert (published(module_warehouse), module_warehouse.query(raw_counts)) == before
    # The landing folder's files only: modules sharing this warehouse may deliver (refused) files of their own.
    delivered = [path.name for path in Path(landing).iterdir() if path.is_file()]
    statuses = dict(
        module_warehouse.query(
            "select status, count(*) from raw.load_log where file_name = any(%s) group by status", (delivered,)
        )
    )
    assert statuses == {"accepted": 18, "duplicate": 18}


def test_the_bi_role_reads_reporting_and_public_reporting_and_nothing_else(module_warehouse, landing):
    tables = module_warehouse.query("""select schemaname, tablename from pg_tables
                                       where schemaname not in ('pg_catalog', 'information_schema')""")
    readable = {"reporting", "public_reporting"}
    denied_schemas = {schema for schema, _ in tables} - readable
    assert {"raw", "staging", "intermediate", "marts", "seeds", "restricted_fostering"} <= denied_schemas
    with closing(module_warehouse.connect(user="qa_warehouse_bi")) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from reporting.fostering_kpi_scorecard")
        assert cur.fetchone()[0] > 0
        for schema, table in tables:
            if schema in readable:
                cur.execute(f'select 1 from "{schema}"."{table}" limit 1')
                continue
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(f'select 1 from "{schema}"."{table}" limit 1')


def test_the_quarterly_report_and_measure_values_match_the_independent_computation(module_warehouse, landing):
    expected = expected_measure_values(
        fostering_counts(expected_fostering_scorecard(landing, history_months=HISTORY_MONTHS))
    )
    rows = module_warehouse.query(
        f"select {PUBLISHED_COLUMNS} from reporting.measure_values where section = 'fostering'"
    )
    assert not differences(expected, rows), differences(expected, rows)[:5]
    kinds = {kind for (_, _, kind, _, _) in expected}
    assert kinds == {"month", "quarter", "financial_year"}
    assert {rag for f in expected.values() for rag in [f["rag"]]} >= {"red", "amber", "green"}
    # The section table is measure_values' quarter rows, the comparisons named for a quarter.
    section = module_warehouse.query("""
        select la_code, measure_code, 'quarter', period_end, breakdown, numerator, denominator, value, rag,
               previous_quarter_value, same_quarter_last_year_value, direction_of_travel
        from reporting.quarterly_report_fostering""")
    quarters = {key: figures for key, figures in expected.items() if key[2] == "quarter"}
    assert len(section) == len(quarters) and not differences(quarters, section)


def test_reporting_holds_no_source_identifiers(module_warehouse, landing):
    columns = {
        c
        for (c,) in module_warehouse.query(
            "select column_name from information_schema.columns where table_schema = 'reporting'"
        )
    }
    assert not columns & {"household_id", "carer_id", "worker_id", "supervising_worker_id", "postcode_district"}
    household_ids = {h for (h,) in module_warehouse.query("select household_id from raw.carer_households")}
    text_values = module_warehouse.query("select team, measure_code from reporting.fostering_kpi_scorecard")
    assert not household_ids & {v for row in text_values for v in row}


def test_the_pseudonym_salt_is_nowhere_in_the_catalogue(module_warehouse, landing):
    # Every role can read view and function definitions; the salt must not be in any of them.
    salt = "qa-warehouse-development-salt"
    definitions = module_warehouse.query(
        "select definition from pg_views where schemaname not in ('pg_catalog', 'information_schema')"
        " union all select prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname not in ('pg_catalog', 'information_schema')"
    )
    assert definitions is not None
    assert not [d for (d,) in definitions if salt in (d or "")]


def test_every_raw_row_is_tagged_with_its_load_file_hash_and_extract_date(module_warehouse, landing):
    untagged = module_warehouse.query("""
        select count(*) from raw.carer_visits v left join raw.load_log l on l.load_id = v._load_id
        where l.status is distinct from 'accepted' or l.file_hash is null or l.file_name is null
           or v._extract_date is distinct from l.extract_date or v._source_row is null""")
    assert untagged == [(0,)]
