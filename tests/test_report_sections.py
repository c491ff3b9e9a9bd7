"""Every measure is in a section of the quarterly performance report (seed 002's layout), and the
sections are the ones the committee reads. A measure added to measure_targets without a row in
report_sections fails here, naming it: it would otherwise drop out of the report unseen."""

from __future__ import annotations

import csv

from qa_warehouse.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
# Seed 002's sections (its "data changes" and the items after them), as the issue names them.
SEED_002_SECTIONS = {
    "referrals",
    "assessments",
    "child_protection",
    "children_in_care",
    "care_leavers",
    "workforce",
    "recruitment_and_retention",
    "practice_quality",
    "feedback",
    "complaints",
}


def read(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_measure_is_in_one_report_section():
    measures = [row["measure_code"] for row in read("measure_targets.csv")]
    mapped = [row["measure_code"] for row in read("report_sections.csv")]
    assert len(mapped) == len(set(mapped)), "a measure is in one section only"
    unmapped = sorted(set(measures) - set(mapped))
    assert not unmapped, (
        f"measures in measure_targets.csv with no section of the quarterly performance report: {unmapped};"
        " add a row for each to seeds/report_sections.csv (measure_code,report_section)"
    )
    assert not set(mapped) - set(measures), "report_sections.csv names only measures measure_targets.csv has"


def test_sections_are_seed_002s_in_its_order_and_every_mapping_names_one():
    sections = read("report_section_titles.csv")
    codes = [row["report_section"] for row in sections]
    assert set(codes) >= SEED_002_SECTIONS
    orders = [int(row["section_order"]) for row in sections]
    assert sorted(orders) == list(range(1, len(sections) + 1)), "orders 1..n, once each"
    in_order = [code for _, code in sorted(zip(orders, codes))]
    assert in_order[:5] == ["referrals", "assessments", "child_protection", "children_in_care", "care_leavers"]
    assert all(row["section_title"].strip() and row["description"].strip() for row in sections)
    assert {row["report_section"] for row in read("report_sections.csv")} <= set(codes)
