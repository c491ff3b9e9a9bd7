"""The fostering exception list (restricted_fostering.fostering_exceptions) and the access roles:
publish one authority for real, check the list against the independent computation in
tests/reference (the same CSV files), against the scorecard's out_of_time, and who may read it."""

from __future__ import annotations

from collections import Counter
from contextlib import closing

import psycopg2
import pytest

from qa_warehouse.publish.swap import engineer_role, manager_role
from tests.data_sets import FOSTERING_THREE_EXPORT_STYLES
from tests.reference.fostering_scorecard import MEASURE_CODES, expected_exceptions, read_rows
from tests.reference.quality_assurance import pseudonymise

pytestmark = pytest.mark.integration
DATA_SET = FOSTERING_THREE_EXPORT_STYLES
EXCEPTIONS = "restricted_fostering.fostering_exceptions"


def listed(warehouse):
    return warehouse.query(f"""select la_code, team, period_end, measure_code, measure_name, subject_type,
                                      subject_key, household_key, last_event_date, due_date, received_date,
                                      days_overdue from {EXCEPTIONS}""")


def test_the_exception_list_is_what_the_independent_computation_finds_out_of_time(module_warehouse, landing):
    expected = expected_exceptions(landing)
    rows = listed(module_warehouse)
    actual = {}
    for la, team, period_end, measure, _, subject_type, subject_key, household_key, _, _, _, days in rows:
        actual[(la, measure, household_key, subject_key if subject_type == "notification" else None)] = {
            "team": team,
            "period_end": period_end,
            "days_overdue": days,
        }
        assert (subject_type == "notification") == (measure == "notifications_1_day")
        assert subject_type == "notification" or subject_key == household_key
    assert len(actual) == len(rows), "one row per measure and household (notification)"
    keyed = {
        (la, measure, pseudonymise(la, household), notification and pseudonymise(la, notification)): figures
        for (la, measure, household, notification), figures in expected.items()
    }
    assert actual == keyed
    # the data must exercise the list, or the comparison proves little
    measures = {measure for (_, measure, _, _) in expected}
    assert {"notifications_1_day", "tsd", "kit_call", "unannounced_visits"} <= measures <= set(MEASURE_CODES)
    assert len({figures["days_overdue"] for figures in expected.values()}) > 5


def test_every_row_says_what_is_late_and_by_how_much(module_warehouse, landing):
    for _la, team, period_end, measure, name, _, _, _, last_event, due, received, days in listed(module_warehouse):
        assert team and name and due is not None and days >= 0
        if measure == "notifications_1_day":
            assert last_event is not None and (due - last_event).days == 1
            assert days == max(((received or period_end) - due).days, 0)
        else:
            assert received is None and days == (period_end - due).days


def test_the_list_at_the_latest_month_end_numbers_the_scorecards_out_of_time(module_warehouse, landing):
    counts = Counter((la, team, pe, m) for la, team, pe, m, *_ in listed(module_warehouse))
    scorecard = module_warehouse.query("""
        select la_code, team, period_end, measure_code, out_of_time from reporting.fostering_kpi_scorecard s
        where period_end = (select max(period_end) from reporting.fostering_kpi_scorecard l where l.la_code = s.la_code)""")
    assert {pe for _, _, pe, *_ in scorecard} == {pe for _, _, pe, _ in counts}, "the latest month end only"
    for la, team, period_end, measure, out_of_time in scorecard:
        if team is None:
            listed_count = sum(n for (l2, _, p2, m2), n in counts.items() if (l2, p2, m2) == (la, period_end, measure))
        else:
            listed_count = counts.get((la, team, period_end, measure), 0)
        assert listed_count == out_of_time, (la, team, period_end, measure)
    assert sum(counts.values()) > 0


def test_the_restricted_table_holds_no_source_identifier(module_warehouse, landing):
    columns = {
        c
        for (c,) in module_warehouse.query(
            "select column_name from information_schema.columns where table_schema = 'restricted_fostering'"
        )
    }
    assert "household_key" in columns
    assert not columns & {"household_id", "notification_id", "carer_id", "supervising_worker_id", "postcode_district"}
    source_ids = set()
    for path in landing.iterdir():
        for row in read_rows(path):
            source_ids |= {row.get(c) for c in ("household_id", "notification_id", "carer_id") if row.get(c)}
    values = {str(v) for row in listed(module_warehouse) for v in row if v is not None}
    assert source_ids and not source_ids & values


def test_the_swap_publishes_the_restricted_schema_with_reporting(module_warehouse, landing):
    assert module_warehouse.query(
        "select count(*) from pg_tables where schemaname in ('reporting_build', 'restricted_fostering_build')"
    ) == [(0,)]
    ((tables,),) = module_warehouse.query(
        "select tables from reporting.publication_log order by publication_id desc limit 1"
    )
    assert "restricted_fostering.fostering_exceptions" in tables and "fostering_kpi_scorecard" in tables


def test_the_bi_role_is_refused_the_exception_list_and_still_reads_reporting(module_warehouse, landing):
    with closing(module_warehouse.connect(user="qa_warehouse_bi")) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from reporting.fostering_kpi_scorecard")
        assert cur.fetchone()[0] > 0
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
            cur.execute(f"select 1 from {EXCEPTIONS} limit 1")


def test_a_login_granted_the_fostering_manager_role_reads_the_exception_list(module_warehouse, landing, login):
    assert manager_role("fostering") == "qa_warehouse_fostering_manager"
    assert module_warehouse.query(
        "select rolcanlogin from pg_roles where rolname = 'qa_warehouse_fostering_manager'"
    ) == [(False,)]
    with login("qa_warehouse_fostering_manager") as conn, conn.cursor() as cur:
        cur.execute(f"select count(*) from {EXCEPTIONS}")
        assert cur.fetchone()[0] == len(listed(module_warehouse))
        cur.execute("select count(*) from reporting.fostering_kpi_scorecard")
        assert cur.fetchone()[0] > 0
        for table in ("raw.carer_households", "staging.stg_fostering__carer_households", "marts.dim_household"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(f"select 1 from {table} limit 1")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(f"delete from {EXCEPTIONS}")


def test_the_engineer_role_reads_raw_staging_and_published_and_writes_nothing(module_warehouse, landing, login):
    assert engineer_role() == "qa_warehouse_engineer"
    with login("qa_warehouse_engineer") as conn, conn.cursor() as cur:
        for table in (
            "raw.carer_households",
            "raw.load_log",
            "staging.stg_fostering__carer_households",
            "reporting.fostering_kpi_scorecard",
            EXCEPTIONS,
        ):
            cur.execute(f"select count(*) from {table}")
            assert cur.fetchone()[0] > 0, table
        for statement in (
            "insert into raw.load_log select * from raw.load_log limit 1",
            "update raw.carer_households set team = 'x'",
            "update reporting.fostering_kpi_scorecard set rag = 'green'",
            f"delete from {EXCEPTIONS}",
            "create table raw.mine (x int)",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(statement)
