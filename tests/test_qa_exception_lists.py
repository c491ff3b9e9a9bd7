"""The quality assurance exception list (restricted_quality_assurance.qa_exceptions) and who may read
it: publish two authorities' extracts for real, check the list against the independent computation
in tests/reference (the same landing files) and against the quarterly report's counts, and check
that only the quality assurance manager role (not the fostering manager, not the BI role) reads it."""

from __future__ import annotations

import os
from collections import Counter
from contextlib import closing
from datetime import date

import psycopg2
import pytest

from qa_warehouse.publish.swap import bi_role, manager_role
from tests.data_sets import EVERY_AREA_TWO_AUTHORITIES
from tests.reference.quality_assurance import (
    DEFAULT_SALT,
    expected_qa_exceptions,
    load_landing,
    reported_quarters,
)

pytestmark = pytest.mark.integration
DATA_SET = EVERY_AREA_TWO_AUTHORITIES
AS_AT = date(2025, 3, 31)
QA_EXCEPTIONS = "restricted_quality_assurance.qa_exceptions"
FOSTERING_EXCEPTIONS = "restricted_fostering.fostering_exceptions"
MEASURES = ("audit_actions_on_time", "audit_loops_closed", "complaints_in_timescale")
COLUMNS = (
    "la_code",
    "period_start",
    "period_end",
    "measure_code",
    "measure_name",
    "subject_type",
    "subject_key",
    "audit_key",
    "case_type",
    "case_key",
    "service",
    "owner_key",
    "lateness",
    "due_date",
    "done_date",
    "working_days_allowed",
    "working_days_taken",
    "days_late",
)


def listed(warehouse) -> list[dict]:
    rows = warehouse.query(f"select {', '.join(COLUMNS)} from {QA_EXCEPTIONS}")
    return [dict(zip(COLUMNS, row)) for row in rows]


def test_the_list_is_what_the_independent_computation_finds_late(module_warehouse, landing):
    expected = expected_qa_exceptions(landing, salt=os.environ.get("QA_WAREHOUSE_PSEUDONYM_SALT", DEFAULT_SALT))
    rows = listed(module_warehouse)
    actual = {
        (row["la_code"], row["measure_code"], row["subject_key"]): {
            name: value
            for name, value in row.items()
            if name not in ("la_code", "measure_code", "subject_key", "measure_name")
        }
        for row in rows
    }
    assert len(actual) == len(rows), "one row per authority, measure and subject"
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    assert not missing and not extra, (
        f"{len(missing)} missing, e.g. {[expected[k] for k in missing[:2]]}; "
        f"{len(extra)} not expected, e.g. {[actual[k] for k in extra[:2]]}"
    )
    differing = [(key, expected[key], actual[key]) for key in expected if expected[key] != actual[key]]
    assert not differing, f"{len(differing)} rows differ (key, expected, got); first: {differing[:2]}"
    # the data must exercise every measure, every kind of lateness and both authorities
    assert {measure for (_, measure, _) in expected} == set(MEASURES)
    assert {row["lateness"] for row in expected.values()} >= {
        "completed_late",
        "open_overdue",
        "followed_up_late",
        "not_followed_up",
        "responded_late",
    }
    assert len({la for (la, _, _) in expected}) == 2
    assert len({row["days_late"] for row in expected.values()}) > 5


def test_only_each_authoritys_latest_quarter_is_listed(module_warehouse, landing):
    extract_of = {
        "audit_actions_on_time": "audit_actions",
        "audit_loops_closed": "case_file_audits",
        "complaints_in_timescale": "complaints",
    }
    loaded = load_landing(landing)
    for row in listed(module_warehouse):
        extract_date = loaded[extract_of[row["measure_code"]]][row["la_code"]][0]
        assert {row["period_start"]} == reported_quarters(extract_date, 1), row
        assert row["period_end"] <= extract_date


def test_the_list_numbers_the_quarterly_reports_not_in_time(module_warehouse, landing):
    counts = Counter()
    for row in listed(module_warehouse):
        for breakdown in ("All", row["service"]):
            counts[(row["la_code"], row["period_end"], row["measure_code"], breakdown)] += 1
    report = module_warehouse.query("""
        with report as (
            select la_code, period_end, measure_code, breakdown, numerator, denominator
            from reporting.quarterly_report_audits
            union all
            select la_code, period_end, measure_code, breakdown, numerator, denominator
            from reporting.quarterly_report_complaints)
        select la_code, period_end, measure_code, breakdown, denominator - numerator from report
        where measure_code in ('audit_actions_on_time', 'audit_loops_closed', 'complaints_in_timescale')
            and period_end = (select max(period_end) from report as latest
                              where latest.la_code = report.la_code and latest.measure_code = report.measure_code)""")
    in_report = {
        (la, period_end, measure, breakdown): not_in_time for la, period_end, measure, breakdown, not_in_time in report
    }
    for key in set(in_report) | set(counts):
        assert counts.get(key, 0) == in_report.get(key, 0), key
    assert sum(n for key, n in in_report.items() if key[3] == "All") > 0


def test_every_row_says_what_is_late_and_by_how_much(module_warehouse, landing):
    rows = listed(module_warehouse)
    assert rows
    for row in rows:
        assert row["measure_name"] and row["service"] and row["days_late"] >= 0, row
        if row["subject_type"] == "complaint":
            assert row["measure_code"] == "complaints_in_timescale" and row["lateness"] == "responded_late"
            assert row["working_days_taken"] > row["working_days_allowed"], row
            assert row["done_date"] > row["due_date"] and row["days_late"] == (row["done_date"] - row["due_date"]).days
            assert row["audit_key"] is row["case_key"] is row["owner_key"] is None
        else:
            assert row["subject_type"] == "audit_action" and row["measure_code"] != "complaints_in_timescale"
            assert row["audit_key"] and row["case_key"] and row["case_type"] in ("household", "child"), row
            assert row["working_days_allowed"] is row["working_days_taken"] is None
            if row["done_date"] is not None:
                assert row["done_date"] > row["due_date"]
                assert row["days_late"] == (row["done_date"] - row["due_date"]).days
                assert row["lateness"] in ("completed_late", "followed_up_late")


def test_the_restricted_table_holds_no_source_identifier_or_free_text(module_warehouse, landing):
    columns = {
        c
        for (c,) in module_warehouse.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'restricted_quality_assurance' and table_name = 'qa_exceptions'"
        )
    }
    assert columns == set(COLUMNS)
    loaded = load_landing(landing)
    source_values = set()
    for extract, id_columns in (
        ("case_file_audits", ("audit_id", "subject_id", "lead_auditor_id", "topic", "learning")),
        ("audit_actions", ("action_id", "audit_id", "owner_id", "description")),
        ("complaints", ("record_id",)),
    ):
        for _, rows in loaded[extract].values():
            source_values |= {str(row[c]) for row in rows for c in id_columns if row.get(c) is not None}
    values = {str(v) for row in listed(module_warehouse) for v in row.values() if v is not None}
    assert source_values and not source_values & values


def test_the_swap_publishes_the_restricted_schema_with_reporting(module_warehouse, landing):
    assert module_warehouse.query(
        "select count(*) from pg_tables where schemaname in ('reporting_build', 'restricted_quality_assurance_build')"
    ) == [(0,)]
    ((tables,),) = module_warehouse.query(
        "select tables from reporting.publication_log order by publication_id desc limit 1"
    )
    assert QA_EXCEPTIONS in tables and FOSTERING_EXCEPTIONS in tables and "quarterly_report_audits" in tables


def test_the_bi_role_is_refused_the_exception_list_and_still_reads_reporting(module_warehouse, landing):
    with closing(module_warehouse.connect(user=bi_role())) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from reporting.quarterly_report_audits")
        assert cur.fetchone()[0] > 0
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
            cur.execute(f"select 1 from {QA_EXCEPTIONS} limit 1")


def test_a_login_granted_the_quality_assurance_manager_role_reads_only_its_list(module_warehouse, landing, login):
    role = manager_role("quality_assurance")
    assert role == "qa_warehouse_quality_assurance_manager"
    assert module_warehouse.query(f"select rolcanlogin from pg_roles where rolname = '{role}'") == [(False,)]
    assert module_warehouse.query(f"select count(*) from {FOSTERING_EXCEPTIONS}")[0][0] > 0
    with login(role) as conn, conn.cursor() as cur:
        cur.execute(f"select count(*) from {QA_EXCEPTIONS}")
        assert cur.fetchone()[0] == len(listed(module_warehouse))
        cur.execute("select count(*) from reporting.quarterly_report_complaints")
        assert cur.fetchone()[0] > 0
        for statement in (
            f"select 1 from {FOSTERING_EXCEPTIONS} limit 1",
            "select 1 from marts.fct_qa_audit_actions limit 1",
            f"delete from {QA_EXCEPTIONS}",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(statement)
            conn.rollback()


def test_a_login_granted_the_fostering_manager_role_is_refused_the_qa_list(module_warehouse, landing, login):
    with login(manager_role("fostering")) as conn, conn.cursor() as cur:
        cur.execute(f"select count(*) from {FOSTERING_EXCEPTIONS}")
        assert cur.fetchone()[0] > 0
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
            cur.execute(f"select 1 from {QA_EXCEPTIONS} limit 1")
