"""Editions: publishing a period keeps what it published, unchanged for good. After the source is
corrected and the period published again, the first edition is exactly as it was, a second edition
follows it, and the restatement lists exactly the figures that changed and the load that changed them."""

from __future__ import annotations

import csv
import datetime as dt
import textwrap
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal

import pendulum
import psycopg2
import pytest

from qa_warehouse import cli
from qa_warehouse.migrations import migrate
from qa_warehouse.orchestration.runner import run_dag
from qa_warehouse.periods import Period
from qa_warehouse.publish.editions import declared_models
from qa_warehouse.publish.swap import publish
from qa_warehouse_synthetic import generate_extracts, generate_fostering_extracts
from tests.reference.fostering_scorecard import MEASURE_CODES

pytestmark = pytest.mark.integration
SIZE = dict(households=24, years=1, authorities=1, seed=23)
AS_AT = dt.date(2025, 3, 31)
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
CLOSE_MARCH = pendulum.datetime(2025, 4, 4, 6, tz="UTC")  # a manual close publishes the month that last ended
LA_CODE = "885"
# Every published table and its grain (its dbt unique key), spelled out here as the specification.
GRAINS = {
    "fostering_kpi_scorecard": ("la_code", "team", "period_end", "measure_code"),
    "qa_audit_outcomes": ("la_code", "period_start", "service", "audit_type"),
    "qa_audit_grades": ("la_code", "period_start", "service", "audit_type", "domain"),
    "qa_audit_actions": ("la_code", "period_start", "service", "audit_type"),
    "qa_feedback_summary": ("la_code", "period_start", "respondent", "cohort"),
    "qa_feedback_themes": ("la_code", "period_start", "respondent", "cohort", "theme"),
    "qa_feedback_officer_minimum": ("la_code", "period_start", "officer_key"),
    "qa_complaints": ("la_code", "period_start", "service", "record_type", "stage"),
    "qa_complaint_themes": ("la_code", "period_start", "service", "record_type", "theme"),
    "recruitment_funnel": ("la_code", "period_start", "carer_type"),
    "recruitment_conversion": ("la_code", "period_start", "carer_type"),
    "recruitment_timeliness": ("la_code", "period_start", "carer_type"),
    "recruitment_withdrawals": ("la_code", "period_start", "carer_type", "withdrawn_from_stage", "withdrawal_reason"),
    "regulation_24": ("la_code", "period_start"),
    "workforce_monthly": ("la_code", "team", "period_end"),
    "residential_homes_monthly": ("la_code", "period_end", "provision"),
    "residential_inspections": ("la_code", "period_end", "judgement"),
    "regulation_44_visits": ("la_code", "period_end", "provision", "home_key"),
    "residential_registration_timeliness": ("la_code", "period_end"),
    "children_in_care_placement_types": ("la_code", "period_type", "period_end", "placement_type"),
    "children_in_care_scorecard": ("la_code", "period_type", "period_end", "measure_code"),
    "measure_values": ("la_code", "measure_code", "period_kind", "period_end", "breakdown"),
    "quarterly_performance_report": ("la_code", "period_end", "section", "measure_code", "breakdown"),
    "children_in_need_scorecard": ("la_code", "period_type", "period_end", "measure_code"),
    "children_in_need_referral_sources": ("la_code", "period_type", "period_end", "referral_source"),
    "children_in_need_assessment_factors": ("la_code", "period_type", "period_end", "factor"),
    "children_in_need_primary_needs": ("la_code", "period_type", "period_end", "primary_need_code"),
    "children_in_need_abuse_categories": (
        "la_code",
        "period_type",
        "period_end",
        "category_kind",
        "category_of_abuse",
    ),
    # children in care permanence, moves and social worker stability; the foster carer register
    "children_in_care_permanence": ("la_code", "period_type", "period_end"),
    "children_in_care_placement_moves": ("la_code", "period_type", "period_end", "reason_place_change"),
    "children_in_care_social_worker_stability": ("la_code", "period_type", "period_end"),
    "fostering_carer_register": ("la_code", "period_end", "team", "carer_type"),
    "fostering_carer_deregistrations": ("la_code", "period_end", "team", "carer_type", "deregistration_reason"),
    **{
        f"quarterly_report_{section}": ("la_code", "period_end", "measure_code", "breakdown")
        for section in ("fostering", "audits", "feedback", "complaints", "children_in_need")
    },
}
NOT_FIGURES = {"display_order"}  # an integer, but the scorecard's presentation order
NUMBER_TYPES = {21, 23, 20, 700, 701, 1700}  # smallint, integer, bigint, real, double, numeric (type OIDs)
BOOLEAN = 16
ABSENT = "absent"  # the figure is not in that edition (a new or vanished row)


def grain_key(values: dict) -> frozenset:
    return frozenset(
        (column, value.isoformat() if isinstance(value, dt.date) else value) for column, value in values.items()
    )


def published_figures(warehouse, first_day: dt.date, last_day: dt.date) -> dict[tuple, Decimal | None]:
    """(table, grain, figure) -> value of every figure the reporting tables publish for rows whose
    period_end is in the period, unpivoted here from the wide rows by column type."""
    figures = {}
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        for table, grain in GRAINS.items():
            cur.execute(f"select * from reporting.{table} where period_end between %s and %s", (first_day, last_day))
            columns = [(d.name, d.type_code) for d in cur.description]
            for row in cur.fetchall():
                record = dict(zip((name for name, _ in columns), row))
                key = grain_key({column: record[column] for column in grain})
                for name, type_code in columns:
                    if name in grain or name in NOT_FIGURES or type_code not in NUMBER_TYPES | {BOOLEAN}:
                        continue
                    value = record[name]
                    figures[(table, key, name)] = (
                        None if value is None else Decimal(int(value) if type_code == BOOLEAN else value)
                    )
    return figures


def edition_figures(warehouse, edition_id: int) -> dict[tuple, Decimal | None]:
    return {
        (table, grain_key(grain), figure): value
        for table, grain, figure, value in warehouse.query(
            "select table_name, grain, figure, value from reporting.edition_figures where edition_id = %s",
            (edition_id,),
        )
    }


def stored_edition(warehouse, edition_id: int) -> list[tuple]:
    """An edition and its figures exactly as stored (text forms), to compare byte for byte."""
    return warehouse.query(
        """
        select e::text, array(select f::text from reporting.edition_figures f where f.edition_id = e.edition_id
                              order by f.table_name, f.grain, f.figure)
        from reporting.editions e where e.edition_id = %s""",
        (edition_id,),
    )


def edition_count(warehouse) -> int:
    return warehouse.query("select count(*) from reporting.editions")[0][0]


def without_visits_of_some_households(path, households: int = 3) -> set[str]:
    """Rewrite a carer_visits extract without the 2025 visits of the first households visited in
    March 2025 (as if recorded against the wrong household); return those household ids."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    visited_in_march = dict.fromkeys(r["household_id"] for r in rows if r["visit_date"].startswith("2025-03"))
    corrected = list(visited_in_march)[:households]
    kept = [r for r in rows if not (r["household_id"] in corrected and r["visit_date"] >= "2025-01-01")]
    assert len(kept) < len(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    return set(corrected)


@dataclass
class Story:
    """What the warehouse showed at each step of: deliver, close March, correct, close March again."""

    editions_after_first_delivery: int
    first_edition: int
    first_edition_stored: list[tuple]
    published_at_first_close: dict
    editions_after_correction: int
    corrected_load: tuple  # extract, la_code, load_id, file_name of the corrected carer_visits file
    side_by_side_before_republishing: dict  # (table, grain, figure) -> (published, latest) where changed
    published_at_second_close: dict
    editions_relation: tuple  # the oid of reporting.editions and edition_figures, after the first and second close


@pytest.fixture(scope="module")
def story(module_warehouse, tmp_path_factory) -> Story:
    warehouse = module_warehouse
    delivery = tmp_path_factory.mktemp("delivery")
    generate_extracts(delivery, as_at=AS_AT, **SIZE)
    assert cli.main(["run", "--landing", str(delivery)]) == 0
    editions_after_first_delivery = edition_count(warehouse)

    run = run_dag("qa_close_month", logical_date=CLOSE_MARCH)
    assert run.succeeded, run.failed_tasks
    ((first_edition,),) = warehouse.query("select max(edition_id) from reporting.editions")
    relations = "select 'reporting.editions'::regclass::oid, 'reporting.edition_figures'::regclass::oid"
    relation_after_first_close = warehouse.query(relations)
    published_at_first_close = published_figures(warehouse, *MARCH)

    # The authority corrects its visits extract: same name pattern and date, different bytes.
    correction = tmp_path_factory.mktemp("correction")
    generate_fostering_extracts(correction, as_at=AS_AT, **SIZE)
    for other in correction.iterdir():
        if not other.name.startswith("carer_visits_"):
            other.unlink()
    (visits,) = correction.iterdir()
    without_visits_of_some_households(visits)
    assert cli.main(["run", "--landing", str(correction)]) == 0
    (corrected_load,) = warehouse.query(
        "select extract, la_code, load_id, file_name from raw.current_loads where extract = 'carer_visits'"
    )
    side_by_side = {
        (table, grain_key(grain), figure): (published, latest)
        for table, grain, figure, published, latest in warehouse.query(
            "select table_name, grain, figure, published_value, latest_value "
            "from reporting.figures_published_and_latest where edition_id = %s and changed",
            (first_edition,),
        )
    }
    editions_after_correction = edition_count(warehouse)

    run = run_dag("qa_close_month", logical_date=CLOSE_MARCH)  # the same close run again: publish March again
    assert run.succeeded, run.failed_tasks
    return Story(
        editions_after_first_delivery,
        first_edition,
        stored_edition(warehouse, first_edition),
        published_at_first_close,
        editions_after_correction,
        corrected_load,
        side_by_side,
        published_figures(warehouse, *MARCH),
        (relation_after_first_close, warehouse.query(relations)),
    )


def latest_edition(warehouse) -> tuple:
    return warehouse.query(
        "select edition_id, previous_edition_id, period_kind, period_first_day, period_last_day, "
        "publication_id, loads from reporting.editions order by edition_id desc limit 1"
    )[0]


def test_closing_a_month_publishes_an_edition_of_its_figures_in_every_table(story, module_warehouse):
    warehouse = module_warehouse
    ((edition_id, previous, kind, first_day, last_day, publication_id, loads),) = warehouse.query(
        "select edition_id, previous_edition_id, period_kind, period_first_day, period_last_day, publication_id, loads "
        "from reporting.editions where edition_id = %s",
        (story.first_edition,),
    )
    assert (previous, kind, first_day, last_day) == (None, "month", *MARCH)
    ((logged_period, logged_loads, published_at),) = warehouse.query(
        "select array[period_kind, period_first_day::text, period_last_day::text], loads, published_at "
        "from reporting.publication_log where publication_id = %s",
        (publication_id,),
    )
    assert logged_period == ["month", "2025-03-01", "2025-03-31"]
    assert loads == logged_loads
    assert {(x["extract"], x["la_code"]) for x in loads} == {
        (extract, LA_CODE)
        for extract in (
            "carer_households",
            "carer_visits",
            "carer_reviews",
            "carer_supervisions",
            "carer_training",
            "notifications",
            "case_file_audits",
            "audit_actions",
            "feedback",
            "complaints",
            "recruitment",
            "workforce",
            "team_establishment",
            "childrens_homes",
            "reg44_visits",
            "child_visits",
            "child_plans",
            "cin_census",
            *(
                f"ssda903_{table}"
                for table in (
                    "header",
                    "episodes",
                    "reviews",
                    "uasc",
                    "oc2",
                    "oc3",
                    "ad1",
                    "placed_adoption",
                    "prev_perm",
                    "missing",
                    "sw_episodes",
                )
            ),
        )
    }
    assert warehouse.query("select as_at from reporting.editions where edition_id = %s", (edition_id,)) == [
        (published_at,)
    ]

    figures = edition_figures(warehouse, story.first_edition)
    assert figures == story.published_at_first_close
    assert {table for table, _, _ in figures} == set(GRAINS)  # March ends a quarter: every table has rows


def test_a_corrected_source_leaves_the_edition_unchanged_and_restates_exactly_the_changed_figures(
    story, module_warehouse
):
    warehouse = module_warehouse
    assert stored_edition(warehouse, story.first_edition) == story.first_edition_stored
    (second, previous, kind, first_day, last_day, _, loads) = latest_edition(warehouse)
    assert (previous, kind, first_day, last_day) == (story.first_edition, "month", *MARCH)
    assert edition_figures(warehouse, second) == story.published_at_second_close

    before, after = story.published_at_first_close, story.published_at_second_close
    expected = {
        key + (before.get(key, ABSENT), after.get(key, ABSENT))
        for key in before.keys() | after.keys()
        if before.get(key, ABSENT) != after.get(key, ABSENT)
    }
    assert expected, "the correction must change some March figures for this test to prove anything"
    # only visits were corrected: only fostering figures change, wherever they are published
    assert {
        "fostering_kpi_scorecard",
        "measure_values",
        "quarterly_report_fostering",
        "quarterly_performance_report",
    } == {table for table, *_ in expected}
    for table in ("measure_values", "quarterly_performance_report"):
        assert {dict(grain)["measure_code"] for t, grain, *_ in expected if t == table} <= set(MEASURE_CODES)

    restated = warehouse.query(
        """
        select table_name, grain, figure, change, previous_value, new_value, previous_edition_id, edition_id,
               period_kind, period_first_day, period_last_day, new_loads, why
        from reporting.restatements where edition_id = %s""",
        (second,),
    )
    assert {
        (table, grain_key(grain), figure, ABSENT if change == "added" else old, ABSENT if change == "removed" else new)
        for table, grain, figure, change, old, new, *_ in restated
    } == expected
    assert len(restated) == len(expected)
    assert {tuple(row[6:11]) for row in restated} == {(story.first_edition, second, "month", *MARCH)}

    extract, la_code, load_id, file_name = story.corrected_load
    assert {str(row[11]) for row in restated} == {
        str([{"extract": extract, "la_code": la_code, "load_id": load_id, "file_name": file_name}])
    }
    assert {row[12] for row in restated} == {
        f"loads since the previous edition: {file_name} (carer_visits {LA_CODE}, load {load_id})"
    }


def test_as_published_and_latest_sit_side_by_side(story, module_warehouse):
    before, after = story.published_at_first_close, story.published_at_second_close
    # Between the correction's publication and the second close, the first edition differed from the latest
    # tables in exactly the restated figures.
    assert story.side_by_side_before_republishing == {
        key: (before.get(key), after.get(key))
        for key in before.keys() | after.keys()
        if before.get(key, ABSENT) != after.get(key, ABSENT)
    }
    # Once March is published again, its latest edition is what the tables show.
    rows = module_warehouse.query(
        "select edition_id, changed, count(*) from reporting.figures_published_and_latest group by 1, 2"
    )
    assert rows == [(latest_edition(module_warehouse)[0], False, len(after))]


def test_publishing_after_a_delivery_makes_no_edition(story, module_warehouse):
    assert story.editions_after_first_delivery == 0
    assert story.editions_after_correction == 1
    assert module_warehouse.query("select count(*) from reporting.publication_log where period_kind is null") == [(2,)]
    assert edition_count(module_warehouse) == 2


def test_publishing_never_replaces_the_edition_tables(story):
    after_first_close, after_second_close = story.editions_relation
    assert after_first_close == after_second_close


@pytest.mark.parametrize(
    "statement",
    [
        "update reporting.editions set period_kind = 'quarter'",
        "delete from reporting.editions",
        "truncate reporting.editions cascade",
        "update reporting.edition_figures set value = value + 1",
        "delete from reporting.edition_figures where figure = 'in_time'",
        "truncate reporting.edition_figures",
    ],
)
def test_an_edition_cannot_be_changed_even_by_the_warehouse_owner(story, module_warehouse, statement):
    before = stored_edition(module_warehouse, story.first_edition)
    with pytest.raises(psycopg2.errors.RaiseException, match="is immutable: a published edition never changes"):
        module_warehouse.query(statement)
    assert stored_edition(module_warehouse, story.first_edition) == before


def test_the_bi_role_reads_editions_restatements_and_the_side_by_side_view_and_changes_nothing(story, module_warehouse):
    with closing(module_warehouse.connect(user="qa_warehouse_bi")) as bi, bi.cursor() as cur:
        for relation in (
            "editions",
            "edition_figures",
            "restatements",
            "figures_published_and_latest",
            "latest_figures",
        ):
            cur.execute(f"select count(*) from reporting.{relation}")
            assert cur.fetchone()[0] > 0, relation
        for statement in (
            "update reporting.editions set period_kind = 'x'",
            "delete from reporting.edition_figures",
            "insert into reporting.latest_figures select * from reporting.latest_figures limit 1",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(statement)


def test_every_reporting_model_declares_the_grain_its_editions_use():
    declared = declared_models()
    assert {table: declared[table].grain for table in GRAINS} == GRAINS
    assert declared["fostering_kpi_scorecard"].not_figures == NOT_FIGURES


# Fast checks of the rules on hand-made tables: publish() with a dbt project that declares one model.

PROJECT_YML = """
    version: 2
    models:
      - name: caseloads
        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [la_code, team, period_end]
        columns:
          - name: sort_order
            config:
              meta:
                edition_figure: false
"""


@pytest.fixture
def small_warehouse(warehouse, tmp_path, monkeypatch):
    (tmp_path / "project" / "models").mkdir(parents=True)
    (tmp_path / "project" / "models" / "caseloads.yml").write_text(textwrap.dedent(PROJECT_YML))
    monkeypatch.setenv("QA_WAREHOUSE_DBT_PROJECT_DIR", str(tmp_path / "project"))
    with closing(warehouse.connect()) as conn:
        migrate(conn)  # the warehouse's own tables, as an ingest makes them: raw.current_loads among them
    deliver(warehouse, 1, "caseloads_885_20250331.csv")
    warehouse.query("create schema reporting_build; select 1")
    return warehouse


def deliver(warehouse, load_id: int, file_name: str) -> None:
    """An accepted load of caseloads as at 31 March: the current one (the highest id of that date)."""
    warehouse.query(
        """insert into raw.load_log (load_id, extract, la_code, extract_date, file_name, file_hash, status)
           values (%s, 'caseloads', '885', '2025-03-31', %s, %s, 'accepted'); select 1""",
        (load_id, file_name, file_name),
    )


def build(warehouse, rows: str) -> None:
    warehouse.query(f"""create table reporting_build.caseloads as
        select * from (values {rows}) t (la_code, team, period_end, label, sort_order, cases, share, over_limit);
        select 1""")


ROW = "('885', {team}, date '2025-03-31', 'x', 1, {cases}, {share}::numeric, {over}::boolean)"


def test_a_row_that_appears_or_vanishes_is_restated_and_only_figures_are_kept(small_warehouse):
    march = Period("month", *MARCH)
    build(
        small_warehouse,
        ", ".join(
            [
                ROW.format(team="'North'", cases=4, share=0.5, over="false"),
                ROW.format(team="null", cases=8, share="null", over="true"),
                ROW.format(team="'South'", cases=4, share=0.5, over="false"),
            ]
        ),
    )
    publish(period=march)
    assert small_warehouse.query(
        "select grain, figure, value from reporting.edition_figures where grain->>'team' is null order by figure"
    ) == [
        ({"la_code": "885", "team": None, "period_end": "2025-03-31"}, "cases", Decimal(8)),
        ({"la_code": "885", "team": None, "period_end": "2025-03-31"}, "over_limit", Decimal(1)),
        ({"la_code": "885", "team": None, "period_end": "2025-03-31"}, "share", None),
    ]

    deliver(small_warehouse, 2, "caseloads_885_20250401.csv")
    build(
        small_warehouse,
        ", ".join(
            [
                ROW.format(team="'North'", cases=4, share=0.5, over="false"),
                ROW.format(team="null", cases=8, share=0.5, over="true"),
                ROW.format(team="'East'", cases=4, share=0.5, over="false"),
            ]
        ),
    )
    publish(period=march)
    restated = small_warehouse.query(
        "select grain->>'team', figure, change, previous_value, new_value, why "
        "from reporting.restatements order by 1 nulls first, 2"
    )
    assert [row[:5] for row in restated] == [
        (None, "share", "changed", None, Decimal("0.5")),
        ("East", "cases", "added", None, Decimal(4)),
        ("East", "over_limit", "added", None, Decimal(0)),
        ("East", "share", "added", None, Decimal("0.5")),
        ("South", "cases", "removed", Decimal(4), None),
        ("South", "over_limit", "removed", Decimal(0), None),
        ("South", "share", "removed", Decimal("0.5"), None),
    ]
    assert {row[5] for row in restated} == {
        "loads since the previous edition: caseloads_885_20250401.csv (caseloads 885, load 2)"
    }


def test_a_period_published_again_from_the_same_loads_says_no_load_changed(small_warehouse):
    march = Period("month", *MARCH)
    build(small_warehouse, ROW.format(team="'North'", cases=4, share=0.5, over="false"))
    publish(period=march)
    build(small_warehouse, ROW.format(team="'North'", cases=5, share=0.5, over="false"))  # e.g. a changed seed
    publish(period=march)
    assert small_warehouse.query("select figure, new_loads, why from reporting.restatements") == [
        (
            "cases",
            [],
            "no new loads since the previous edition: the same data built again (a changed model, seed or target)",
        )
    ]


def test_a_dbt_model_named_like_an_edition_table_is_never_published(small_warehouse):
    build(small_warehouse, ROW.format(team="'North'", cases=4, share=0.5, over="false"))
    publish(period=Period("month", *MARCH))
    small_warehouse.query("create table reporting_build.editions as select 1 as edition_id; select 1")
    with pytest.raises(RuntimeError, match="editions, which would replace"):
        publish()
    assert small_warehouse.query("select count(*) from reporting.editions") == [(1,)]
