"""The BI model (issue 19, docs/bi.md) on a real published warehouse (every area, three years,
shared with the Performance on a Page and quarterly performance report modules): reporting.dim_date
and reporting.dim_team against independent references, report_measures as the measure dimension,
every fact's keys found in its dimension, and a non-empty comment (dbt's descriptions) on every
column of every published table in reporting and public_reporting, readable by the BI login."""

from __future__ import annotations

import csv
from contextlib import closing
from datetime import date
from fractions import Fraction

import pytest

from qa_warehouse.publish.swap import bi_role
from tests.data_sets import EVERY_AREA_THREE_YEARS
from tests.reference.bi_dimensions import bank_holidays, expected_dim_date, expected_dim_team, financial_year_start
from tests.reference.project_files import SEEDS_DIR

pytestmark = pytest.mark.integration
DATA_SET = EVERY_AREA_THREE_YEARS
PUBLISHED = ("reporting", "public_reporting")
DIMENSIONS = {"dim_date", "dim_team", "dim_authority", "report_measures"}


def rows_of(warehouse, query: str, params=None) -> list[dict]:
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def tables_with(warehouse, column: str, schema: str = "reporting") -> list[str]:
    """The base tables of the schema with the column, the dimensions and the editions' own left out."""
    return [
        r["table_name"]
        for r in rows_of(
            warehouse,
            """select c.table_name from information_schema.columns c
               join information_schema.tables t using (table_schema, table_name)
               where c.table_schema = %s and c.column_name = %s and t.table_type = 'BASE TABLE'
               order by c.table_name""",
            (schema, column),
        )
        if r["table_name"] not in DIMENSIONS | {"latest_figures", "edition_figures", "edition_texts"}
    ]


def test_the_holidays_seed_is_englands_bank_holidays():
    # the reference reads the seed; hold the seed itself to the holidays package (England)
    import holidays

    seed = bank_holidays()
    years = range(min(seed).year, max(seed).year + 1)
    england = {day for day, _ in holidays.country_holidays("GB", subdiv="ENG", years=years).items()}
    assert seed == england, f"seed only: {sorted(seed - england)[:5]}; package only: {sorted(england - seed)[:5]}"


def test_dim_date_spans_every_published_period_and_the_next_financial_year(module_warehouse):
    (span,) = rows_of(module_warehouse, "select min(date_day) as first, max(date_day) as last from reporting.dim_date")
    bounds = []
    for column in ("period_start", "period_end"):
        for table in tables_with(module_warehouse, column):
            (row,) = rows_of(
                module_warehouse, f"select min({column}) as lo, max({column}) as hi from reporting.{table}"
            )
            if row["lo"] is not None:
                bounds += [row["lo"], row["hi"]]
    assert len(bounds) > 40, "the data set publishes periods in most tables"
    assert span["first"] == financial_year_start(min(bounds))
    assert span["last"] == date(financial_year_start(max(bounds)).year + 2, 3, 31)


def test_dim_date_matches_the_calendar_and_the_bank_holidays(module_warehouse):
    got = {r["date_day"]: r for r in rows_of(module_warehouse, "select * from reporting.dim_date")}
    expected = expected_dim_date(min(got), max(got))
    assert sorted(got) == sorted(expected)
    wrong = [(day, k, got[day][k], v) for day, row in expected.items() for k, v in row.items() if got[day][k] != v]
    assert not wrong, f"{len(wrong)} wrong values, e.g. (day, column, published, expected): {wrong[:5]}"
    # the data exercises what it tests: bank holidays on weekdays, every quarter, working-day counts
    assert sum(r["is_bank_holiday"] and not r["is_weekend"] for r in expected.values()) >= 16
    assert {r["financial_quarter"] for r in expected.values()} == {"Q1", "Q2", "Q3", "Q4"}
    assert {r["working_days_in_month"] for r in expected.values()} >= {19, 20, 21, 22}


def test_dim_team_is_every_team_a_published_table_names(module_warehouse, landing):
    got = {(r["la_code"], r["team"]): r for r in rows_of(module_warehouse, "select * from reporting.dim_team")}
    expected = expected_dim_team(landing)
    assert sorted(got) == sorted(expected)
    wrong = [
        (key, k, got[key][k], v)
        for key, row in expected.items()
        for k, v in row.items()
        if (Fraction(str(got[key][k])) if k == "establishment_fte" and got[key][k] is not None else got[key][k]) != v
    ]
    assert not wrong, f"{len(wrong)} wrong values, e.g. (team, column, published, expected): {wrong[:5]}"
    assert len({r["team_key"] for r in got.values()}) == len(got)
    # exercised: teams of both areas, and teams with an establishment
    assert any(r["is_fostering_team"] for r in expected.values())
    assert any(r["is_workforce_team"] for r in expected.values())
    assert any(r["establishment_fte"] is not None for r in expected.values())


def test_report_measures_is_the_measure_dimension(module_warehouse):
    with (SEEDS_DIR / "measure_targets.csv").open(newline="", encoding="utf-8") as f:
        seed = {row["measure_code"]: row for row in csv.DictReader(f)}
    got = rows_of(module_warehouse, "select * from reporting.report_measures")
    assert sorted(r["measure_code"] for r in got) == sorted(seed)  # one row per measure
    for row in got:
        source = seed[row["measure_code"]]
        assert (row["measure_name"], row["section"], row["unit"], row["display_order"]) == (
            source["measure_name"],
            source["area"],
            source["unit"],
            int(source["display_order"]),
        )
        assert (row["polarity"] or "") == source["polarity"]
        description = row["description"]
        assert description.startswith(f"{source['measure_name']}: "), description
        assert ("higher is better" in description) == (source["polarity"] == "higher_is_better"), description
        assert ("lower is better" in description) == (source["polarity"] == "lower_is_better"), description
        assert ("31 March position" in description) == (source["year_figure"] == "year_end"), description


@pytest.mark.parametrize(
    ("column", "dimension", "key"),
    [
        ("la_code", "dim_authority", "la_code"),
        ("measure_code", "report_measures", "measure_code"),
        ("period_end", "dim_date", "date_day"),
        ("period_start", "dim_date", "date_day"),
    ],
)
def test_every_published_key_is_in_its_dimension(module_warehouse, column, dimension, key):
    tables = tables_with(module_warehouse, column) + [
        f"public_reporting.{t}" for t in tables_with(module_warehouse, column, "public_reporting")
    ]
    assert len(tables) >= 5
    orphans = {}
    for table in tables:
        name = table if "." in table else f"reporting.{table}"
        found = rows_of(
            module_warehouse,
            f"""select distinct t.{column} as value from {name} t
                where t.{column} is not null
                  and not exists (select 1 from reporting.{dimension} d where d.{key} = t.{column})""",
        )
        if found:
            orphans[table] = [r["value"] for r in found][:3]
    assert not orphans, f"{column} values with no row in {dimension}: {orphans}"


def test_every_published_team_is_in_dim_team(module_warehouse):
    tables = tables_with(module_warehouse, "team")
    assert {"fostering_kpi_scorecard", "workforce_monthly"} <= set(tables)
    orphans = {}
    for table in tables:
        found = rows_of(
            module_warehouse,
            f"""select distinct t.la_code, t.team from reporting.{table} t where t.team is not null
                and not exists (select 1 from reporting.dim_team d where d.la_code = t.la_code and d.team = t.team)""",
        )
        if found:
            orphans[table] = found[:3]
    # the team rows of measure_values name teams by breakdown
    found = rows_of(
        module_warehouse,
        """select distinct m.la_code, m.breakdown from reporting.measure_values m where m.breakdown_by = 'team'
           and m.breakdown <> 'All' and not exists
           (select 1 from reporting.dim_team d where d.la_code = m.la_code and d.team = m.breakdown)""",
    )
    if found:
        orphans["measure_values"] = found[:3]
    assert not orphans, f"teams with no row in dim_team: {orphans}"


def test_every_published_column_has_a_comment_the_bi_login_reads(module_warehouse):
    query = """
        select n.nspname as schema_name, c.relname as table_name, a.attname as column_name,
               obj_description(c.oid, 'pg_class') as table_comment,
               col_description(c.oid, a.attnum) as column_comment
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm')
        order by 1, 2, a.attnum"""
    with closing(module_warehouse.connect(user=bi_role())) as conn, conn.cursor() as cur:
        cur.execute(query, (list(PUBLISHED),))
        names = [d.name for d in cur.description]
        columns = [dict(zip(names, row)) for row in cur.fetchall()]
    tables = {(c["schema_name"], c["table_name"]) for c in columns}
    assert {("reporting", "dim_date"), ("reporting", "dim_team"), ("reporting", "publication_log")} <= tables
    assert sum(schema == "public_reporting" for schema, _ in tables) >= 10
    no_table_comment = sorted(
        {f"{c['schema_name']}.{c['table_name']}" for c in columns if not (c["table_comment"] or "").strip()}
    )
    no_column_comment = [
        f"{c['schema_name']}.{c['table_name']}.{c['column_name']}"
        for c in columns
        if not (c["column_comment"] or "").strip()
    ]
    assert not no_table_comment, f"tables without a comment: {no_table_comment}"
    assert not no_column_comment, f"{len(no_column_comment)} columns without a comment, e.g. {no_column_comment[:10]}"


def test_the_public_twins_carry_their_sources_comments(module_warehouse):
    pairs = rows_of(
        module_warehouse,
        """select p.relname as table_name, a.attname as column_name,
                  obj_description(s.oid, 'pg_class') as source_table, obj_description(p.oid, 'pg_class') as public_table,
                  col_description(s.oid, sa.attnum) as source_column, col_description(p.oid, a.attnum) as public_column
           from pg_class p
           join pg_namespace pn on pn.oid = p.relnamespace and pn.nspname = 'public_reporting'
           join pg_class s on s.relname = p.relname
           join pg_namespace sn on sn.oid = s.relnamespace and sn.nspname = 'reporting'
           join pg_attribute a on a.attrelid = p.oid and a.attnum > 0 and not a.attisdropped
           join pg_attribute sa on sa.attrelid = s.oid and sa.attname = a.attname
           where p.relkind = 'r'""",
    )
    assert len({p["table_name"] for p in pairs}) >= 10

    def carries(public: str | None, source: str | None) -> bool:
        # dbt's folded (>) descriptions end with a newline; the twin's comment goes on after the text
        return bool(source and source.strip()) and (public or "").startswith(source.strip())

    different = [
        f"{p['table_name']}.{p['column_name']}"
        for p in pairs
        if not carries(p["public_column"], p["source_column"]) or not carries(p["public_table"], p["source_table"])
    ]
    assert not different, f"public twins whose comment is not their source's: {different[:10]}"
    # the figures published as text say so
    assert any("suppressed" in (p["public_column"] or "") for p in pairs if p["column_name"] == "numerator")
