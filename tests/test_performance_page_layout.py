"""Performance on a Page prints on one A4 landscape page with every section of the quarterly
performance report, every measure the warehouse has, DfE's benchmarks where DfE publishes them
and the authority's commentary: rendered by WeasyPrint (the PDF the page command writes) from a
page made here, so it holds on every branch whatever the data."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

from qa_warehouse.reports.page import (
    Benchmark,
    Commentary,
    MeasureLine,
    PerformancePage,
    Section,
    TrendPoint,
    render_html,
)
from qa_warehouse.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
AS_AT = dt.date(2025, 3, 31)
MONTH_ENDS = [dt.date(2024, m, 30) for m in range(4, 13)] + [dt.date(2025, m, 28) for m in (1, 2, 3)]
# DfE publishes figures for the children in need, children in care and care leaver measures (and
# the workforce's): those are the ones the page sets benchmarks beside.
BENCHMARKED_AREAS = {"children_in_need", "children_in_care", "workforce"}
NARRATIVE = "Re-referrals rose after the front door review moved early help cases back to social care."


def read(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def full_page() -> PerformancePage:
    """Every measure of measure_targets in its report section, with a twelve-month trend, benchmarks
    where DfE publishes them, commentary on every sixth measure and on every third section."""
    section_of = {row["measure_code"]: row["report_section"] for row in read("report_sections.csv")}
    lines = []
    for index, m in enumerate(read("measure_targets.csv")):
        trend = tuple(
            TrendPoint(day, f"{day:%b %Y}", Decimal(55 + (index * 7 + step * 3) % 40))
            for step, day in enumerate(MONTH_ENDS)
        )
        lines.append(
            MeasureLine(
                measure_code=m["measure_code"],
                measure_name=m["measure_name"],
                section=m["area"],
                display_order=int(m["display_order"]),
                unit=m["unit"],
                frequency="month",
                period_end=AS_AT,
                period_label="Mar 2025",
                numerator=451,
                denominator=602,
                value=Decimal("74.9"),
                target=Decimal(m["target"]) if m["target"] else None,
                rag="amber" if m["target"] else None,
                previous_value=Decimal(70),
                direction_of_travel="improving",
                trend=trend,
                benchmark=Benchmark("2024", Decimal("81.2"), Decimal(79), 145, 153, 4)
                if m["area"] in BENCHMARKED_AREAS
                else None,
                commentary=Commentary(NARRATIVE, "Audit 20 re-referrals by June", "Head of Front Door")
                if index % 6 == 0
                else None,
            )
        )
    titles = sorted(read("report_section_titles.csv"), key=lambda row: int(row["section_order"]))
    sections = tuple(
        Section(
            code=title["report_section"],
            title=title["section_title"],
            period_label="Mar 2025",
            trend_label="12 month ends",
            measures=tuple(line for line in lines if section_of[line.measure_code] == title["report_section"]),
            commentary=Commentary(NARRATIVE, "Weekly review", "Head of Safeguarding") if number % 3 == 0 else None,
        )
        for number, title in enumerate(titles)
    )
    return PerformancePage("885", AS_AT, dt.datetime(2025, 4, 2, 7, tzinfo=dt.UTC), 7, sections)


class Shown(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.sections: list[str] = []
        self.measures: list[str] = []
        self.classes: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section":
            self.sections.append(attributes["data-section"])
        if tag == "tr" and "measure" in (attributes.get("class") or ""):
            self.measures.append(attributes["data-measure"])
        self.classes += (attributes.get("class") or "").split()


def test_every_section_measure_benchmark_and_commentary_prints_on_one_a4_landscape_page(tmp_path):
    from weasyprint import HTML

    page = full_page()
    html = render_html(page)
    shown = Shown(html)
    titles = sorted(read("report_section_titles.csv"), key=lambda row: int(row["section_order"]))
    assert shown.sections == [title["report_section"] for title in titles], "every section, in the report's order"
    assert sorted(shown.measures) == sorted(row["measure_code"] for row in read("measure_targets.csv"))
    assert shown.classes.count("bench") == sum(1 for m in page.measures if m.benchmark)
    assert shown.classes.count("commentary") == sum(1 for m in page.measures if m.commentary) > 5
    assert shown.classes.count("section-commentary") == sum(1 for s in page.sections if s.commentary) >= 3
    assert "Eng 81% \u00b7 SN 79% \u00b7 145/153 Q4" in html

    document = HTML(string=html).render()
    assert len(document.pages) == 1, f"the page prints on {len(document.pages)} A4 pages"
    width, height = document.pages[0].width, document.pages[0].height  # CSS px, 96 to the inch
    assert round(width / 96 * 25.4) == 297 and round(height / 96 * 25.4) == 210, "A4 landscape"


def test_a_section_without_figures_says_so():
    empty = Section("workforce", "Workforce", "no figures", "quarters in 12 months", ())
    page = PerformancePage("885", AS_AT, None, None, (empty,))
    html = render_html(page)
    assert "No figures are published for this section yet." in html and 'data-section="workforce"' in html
