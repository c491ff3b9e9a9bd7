"""The quarterly performance report (seed 002): publish two synthetic authorities for real (every
area, three years, the first with its commentary), then, as a committee analyst would, rebuild the
report's sections for a quarter from the published tables alone and check every figure against
the independent computations in tests/reference (from the landing files, never the pipeline's code).
The commentary sits beside its figure and its section, and reaches no public twin; a bad commentary
row is held back with its file, row, column and rule."""

from __future__ import annotations

import csv
import datetime as dt
import os
from contextlib import closing

import pytest

from tests.data_sets import COMMENTARY, COMMENTARY_LA, EVERY_AREA_THREE_YEARS
from tests.published import same
from tests.reference import children_in_need, recruitment, residential, workforce
from tests.reference.children_in_care_care import CARE_MEASURES, expected_scorecard
from tests.reference.children_in_care_permanence import expected_figures as expected_permanence
from tests.reference.children_in_care_placements import expected_placements
from tests.reference.fostering_register import expected_register, expected_register_measures
from tests.reference.fostering_scorecard import expected_fostering_scorecard
from tests.reference.measures import (
    children_in_care_counts,
    expected_measure_values,
    fostering_counts,
    quality_assurance_counts,
    quarters_and_years,
)
from tests.reference.project_files import SEEDS_DIR
from tests.reference.quality_assurance import DEFAULT_SALT, current_files, expected_quality_assurance

pytestmark = pytest.mark.integration
DATA_SET = EVERY_AREA_THREE_YEARS
QUARTER_END = dt.date(2025, 3, 31)  # 2024/25 Q4: the quarter the committee reads
TABLE = "reporting.quarterly_performance_report"
HISTORY_MONTHS = 36  # the dbt vars' default history (scorecard_history_months ...)
FIGURES = (
    "numerator",
    "denominator",
    "value",
    "rag",
    "previous_value",
    "same_period_last_year_value",
    "direction_of_travel",
)
# The report's names for measure_values' comparisons.
REPORT_NAMES = {
    "previous_value": "previous_quarter_value",
    "same_period_last_year_value": "same_quarter_last_year_value",
}


def seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def section_of() -> dict[str, str]:
    return {row["measure_code"]: row["report_section"] for row in seed("report_sections.csv")}


def children_in_need_counts(landing) -> dict[tuple, tuple[int, int | None]]:
    """The census measures' counts as the children in need reference computes them."""
    return {
        (la, measure, kind, end, "All"): (figures["numerator"], figures["denominator"])
        for (la, kind, end, measure), figures in children_in_need.expected_scorecard(landing).items()
    }


# Each area's independent reference, as counts per (la_code, measure_code, period_kind, period_end,
# breakdown): the report's figures for that area must be exactly what it gives. A section whose
# measures no reference here computes must have no figures (its no_data row): a measure that gains
# quarter figures needs its reference added here first.
def reference_counts(landing) -> dict[tuple, tuple[int, int | None]]:
    salt = os.environ.get("QA_WAREHOUSE_PSEUDONYM_SALT", DEFAULT_SALT)
    counts = fostering_counts(expected_fostering_scorecard(landing))
    counts.update(quality_assurance_counts(expected_quality_assurance(landing, salt=salt), current_files(landing)))
    counts.update(children_in_need_counts(landing))
    counts.update(children_in_care_counts(expected_scorecard(landing), CARE_MEASURES))
    _, placements = expected_placements(landing)
    counts.update(children_in_care_counts(placements, {key[3] for key in placements}))
    permanence = expected_permanence(landing)[3]
    counts.update({(*key, "All"): (f["numerator"], f["denominator"]) for key, f in permanence.items()})
    register = expected_register_measures(expected_register(landing, HISTORY_MONTHS)[0])
    counts.update({key: (f["numerator"], None) for key, f in register.items()})
    counts.update(quarters_and_years(recruitment.measure_counts(recruitment.expected_recruitment(landing))))
    counts.update(quarters_and_years(residential.measure_counts(landing, residential.expected_residential(landing))))
    counts.update(quarters_and_years(workforce.measure_counts(workforce.expected_workforce(landing))))
    return counts


@pytest.fixture(scope="module")
def expected(landing) -> dict[tuple, dict]:
    """The reference's quarter rows with their comparisons, keyed (la, section, measure, breakdown)."""
    sections = section_of()
    return {
        (la, sections[measure], measure, breakdown): figures
        for (la, measure, kind, end, breakdown), figures in expected_measure_values(reference_counts(landing)).items()
        if kind == "quarter" and end == QUARTER_END
    }


def analyst_report(warehouse, la_code: str | None = None) -> list[dict]:
    """The report for the quarter, as an analyst reads it: a SELECT from the published table."""
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute(
            f"""select * from {TABLE} where period_end = %s and (%s::text is null or la_code = %s)
                order by la_code, section_order, display_order, measure_code, breakdown <> 'All', breakdown""",
            (QUARTER_END, la_code, la_code),
        )
        names = [d.name for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def test_an_analyst_rebuilds_every_section_for_the_quarter_and_each_figure_is_the_references(
    module_warehouse, expected
):
    rows = analyst_report(module_warehouse)
    published = {(r["la_code"], r["section"], r["measure_code"], r["breakdown"]): r for r in rows if r["measure_code"]}
    missing, extra = sorted(set(expected) - set(published)), sorted(set(published) - set(expected))
    assert not missing and not extra, f"missing {missing[:5]}; published without a reference {extra[:5]}"
    wrong = [
        (key, name, value, published[key][REPORT_NAMES.get(name, name)])
        for key, figures in expected.items()
        for name, value in figures.items()
        if not same(value, published[key][REPORT_NAMES.get(name, name)])
    ]
    assert not wrong, f"{len(wrong)} figures differ (key, figure, reference, published); first: {wrong[:5]}"
    assert all(r["value_status"] == "published" for r in published.values())
    # the quarter exercises seed 002's data sections: referrals, assessments, child protection,
    # practice quality, feedback and complaints with figures, breakdowns, comparisons and RAG
    with_figures = {key[1] for key in expected}
    assert {
        "referrals",
        "assessments",
        "child_protection",
        "practice_quality",
        "feedback",
        "complaints",
    } <= with_figures
    assert {key[3] for key in expected} - {"All"}, "breakdown rows"
    assert sum(f["same_period_last_year_value"] is not None for f in expected.values()) > 20
    assert {f["rag"] for f in expected.values()} >= {"red", "green"}


def test_every_section_is_in_the_report_in_order_and_one_without_figures_says_no_data(module_warehouse, expected):
    titles = sorted(seed("report_section_titles.csv"), key=lambda r: int(r["section_order"]))
    for la in ("885", "886"):
        rows = analyst_report(module_warehouse, la)
        in_order = list(dict.fromkeys(r["section"] for r in rows))
        assert in_order == [t["report_section"] for t in titles], "every section, in the seed's order"
        for title in titles:
            section = [r for r in rows if r["section"] == title["report_section"]]
            assert {r["section_title"] for r in section} == {title["section_title"]}
            with_figures = any(key[0] == la and key[1] == title["report_section"] for key in expected)
            if with_figures:
                assert all(r["measure_code"] and r["value_status"] != "no_data" for r in section), title
            else:  # one row, saying so: no figures, never a zero
                (row,) = section
                assert row["value_status"] == "no_data" and row["measure_code"] is None, row
                assert row["value"] is None and row["numerator"] is None and row["rag"] is None
    # every area is generated: each section of the report has its figures for the quarter
    assert {key[1] for key in expected} == {t["report_section"] for t in titles}


def test_the_measure_commentary_sits_beside_its_figure_on_the_authority_total_only(module_warehouse):
    measure_rows = [row for row in COMMENTARY if row.get("measure_code")]
    for row in measure_rows:
        kind = "quarter" if "q" in row["period"].lower() else "financial_year"
        year = int(row["period"][:4])
        quarter = int(row["period"][-1]) if kind == "quarter" else 4
        end_month = {1: 6, 2: 9, 3: 12, 4: 3}[quarter]
        period_end = dt.date(year + (end_month == 3), end_month, 30 if end_month in (6, 9) else 31)
        published = module_warehouse.query(
            """select la_code, breakdown, commentary, commentary_action, commentary_owner, commentary_author
               from reporting.measure_values
               where measure_code = %s and period_kind = %s and period_end = %s and commentary is not null""",
            (row["measure_code"], kind, period_end),
        )
        assert published == [
            (COMMENTARY_LA, "All", row["narrative"], row.get("action"), row.get("owner"), row.get("author"))
        ], row
    # nowhere else: one figure per commentary row, the other authority has none
    (count,) = module_warehouse.query("select count(*) from reporting.measure_values where commentary is not null")[0]
    assert count == len(measure_rows)
    report = analyst_report(module_warehouse, COMMENTARY_LA)
    noted = {(r["measure_code"], r["breakdown"]): r["commentary"] for r in report if r["commentary"]}
    assert noted == {
        (row["measure_code"], "All"): row["narrative"] for row in measure_rows if row["period"].lower().endswith("q4")
    }


def test_the_section_commentary_is_on_every_row_of_its_section_and_quarter(module_warehouse):
    report = analyst_report(module_warehouse, COMMENTARY_LA)
    for row in (r for r in COMMENTARY if r.get("section")):
        section = [r for r in report if r["section"] == row["section"]]
        assert section and all(
            (r["section_commentary"], r["section_commentary_action"], r["section_commentary_owner"])
            == (row["narrative"], row.get("action"), row.get("owner"))
            and r["section_commentary_author"] == row["author"]
            for r in section
        ), row["section"]
    noted = {r["section"] for r in report if r["section_commentary"]}
    assert noted == {"child_protection", "workforce"}
    workforce = [r for r in report if r["section"] == "workforce"]
    assert len(workforce) > 1 and all(r["measure_code"] for r in workforce), "the section's every measure row"
    assert not analyst_report_other_quarter_has_commentary(module_warehouse)


def analyst_report_other_quarter_has_commentary(warehouse) -> bool:
    (count,) = warehouse.query(
        f"select count(*) from {TABLE} where period_end <> %s and section_commentary is not null", (QUARTER_END,)
    )[0]
    return count > 0


def test_no_commentary_reaches_a_public_table(module_warehouse):
    narratives = {row[k] for row in COMMENTARY for k in ("narrative", "action", "owner", "author") if row.get(k)}
    tables = [
        t for (t,) in module_warehouse.query("select tablename from pg_tables where schemaname = 'public_reporting'")
    ]
    assert tables, "the public twins are published"
    for table in tables:
        columns, rows = published_rows(module_warehouse, f"public_reporting.{table}")
        assert not [c for c in columns if "commentary" in c or c in ("narrative", "action", "owner", "author")], table
        assert not {v for row in rows for v in row if isinstance(v, str)} & narratives, table
    # while the internal tables carry it
    (count,) = module_warehouse.query(f"select count(*) from {TABLE} where commentary is not null")[0]
    assert count > 0


def published_rows(warehouse, table: str) -> tuple[list[str], list[tuple]]:
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute(f"select * from {table}")
        return [d.name for d in cur.description], cur.fetchall()


BAD_COMMENTARY = [
    # (row, what is wrong, the rule, the column it names)
    ({"period": "2024/25 Q4", "measure_code": "not_a_measure", "narrative": "x"}, "unknown_measure", "measure_code"),
    ({"period": "2024/25 Q4", "section": "not_a_section", "narrative": "x"}, "unknown_section", "section"),
    (
        {"period": "2024/26 Q4", "measure_code": "referrals", "narrative": "x"},
        "period_is_a_financial_quarter_or_year",
        "period",
    ),
    (
        {"period": "Q4 2024", "section": "referrals", "narrative": "x"},
        "period_is_a_financial_quarter_or_year",
        "period",
    ),
    ({"period": "2024/25 Q3", "measure_code": "referrals", "narrative": ""}, "required", "narrative"),
    ({"period": "2024/25 Q2", "narrative": "about nothing"}, "measure_or_section", "measure_code, section"),
]


def test_a_bad_commentary_row_is_held_back_with_its_file_row_column_and_rule(warehouse, tmp_path):
    from qa_warehouse.load.ingest import ingest_extract
    from qa_warehouse_synthetic.commentary import write_commentary

    good = {"period": "2024/25 Q4", "measure_code": "referrals", "narrative": "Referrals rose."}
    path = write_commentary(tmp_path, "885", dt.date(2025, 4, 20), [good, *(dict(row) for row, _, _ in BAD_COMMENTARY)])
    ingest_extract("commentary", tmp_path)
    ((load_id, status, held),) = warehouse.query(
        "select load_id, status, rows_held from raw.load_log where file_name = %s", (path.name,)
    )
    assert status == "accepted" and held == len(BAD_COMMENTARY), "the bad rows are held, the good one loads"
    findings = warehouse.query(
        "select file_name, source_row, column_name, rule from raw.data_quality_issues where load_id = %s", (load_id,)
    )
    for row_number, (_, rule, column) in enumerate(BAD_COMMENTARY, start=2):  # row 1 is the good row
        assert (path.name, row_number, column, rule) in findings, (rule, findings)
    assert not [f for f in findings if f[1] == 1], "the good row breaks no rule"


def test_the_demo_prints_the_child_protection_section_as_the_references_give_it(module_warehouse, expected):
    from qa_warehouse.reports.reader import format_report_section, read_report_section

    units = {row["measure_code"]: row["unit"] for row in seed("measure_targets.csv")}
    names = {row["measure_code"]: row["measure_name"] for row in seed("measure_targets.csv")}
    text = format_report_section(read_report_section("child_protection", COMMENTARY_LA))
    lines = text.splitlines()
    assert lines[0] == f"Child protection, {COMMENTARY_LA}, Q4 2024/25"
    shown = 0
    for (la, section, measure, breakdown), figures in expected.items():
        if (la, section, breakdown) != (COMMENTARY_LA, "child_protection", "All"):
            continue
        value = figures["value"]
        figure = (
            "-" if value is None else f"{float(value):.1f}%" if units[measure] == "percentage" else f"{int(value):,}"
        )
        (line,) = [row for row in lines if row.startswith(names[measure] + "  ")]
        assert line[len(names[measure]) :].split()[0] == figure, (measure, line)
        shown += 1
    assert shown == 9
    narrative = next(row["narrative"] for row in COMMENTARY if row.get("section") == "child_protection")
    assert f"  Section commentary: {narrative}" in lines
