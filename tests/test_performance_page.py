"""Performance on a Page: publish two synthetic authorities for real (every area, three years),
write the page through the CLI and read it back as a parser would, against what
reporting.measure_values holds; write the PDF; and look at the page in headless Chromium."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zlib
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qa_warehouse import cli
from qa_warehouse.reports.page import (
    SPARK_PAD,
    MeasureLine,
    PerformancePage,
    Section,
    TrendPoint,
    render_html,
    sparkline,
)
from tests.browser import screenshot
from tests.data_sets import EVERY_AREA_THREE_YEARS

pytestmark = pytest.mark.integration
DATA_SET = EVERY_AREA_THREE_YEARS
LA_CODE = "885"
AS_AT = dt.date(2025, 3, 31)
# The quarterly performance report's sections (seed 002), in its order: the page follows it.
SECTION_ORDER = [
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
    "fostering",
    "residential",
]
RAG_COLOURS = {"red": (0xB3, 0x26, 0x1E), "amber": (0xFF, 0xBF, 0x47), "green": (0x00, 0x70, 0x3C)}  # the template's
LOOKED_AT = Path("/tmp/performance_on_a_page.png")  # for people to look at after the run
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def published(module_warehouse, landing):
    return module_warehouse


class PageReader(HTMLParser):
    """The page as data: each measure row's cells, the header facts, and what the page would load."""

    FIELDS = {
        ("span", "value"): "figure",
        ("span", "counts"): "counts",
        ("td", "target"): "target",
        ("span", "rag"): "rag_word",
        ("td", "travel"): "travel",
        ("td", "name"): "name",
        ("td", "la-code"): "la_code",
        ("td", "period-end"): "period",
        ("td", "as-at"): "as_at",
    }

    def __init__(self, html: str):
        super().__init__()
        self.measures: dict[str, dict] = {}
        self.order: list[tuple[str, str]] = []  # (section, measure_code) as they appear
        self.header: dict[str, str] = {}
        self.tags: Counter = Counter()
        self.loads: list[str] = []  # src/href attributes: anything fetched when the page opens
        self._section = None
        self._row = None
        self._open: list[tuple[str, str | None]] = []  # (tag, field its text goes to)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        self.tags[tag] += 1
        self.loads += [attributes[name] for name in ("src", "href") if attributes.get(name)]
        if tag == "section":
            self._section = attributes["data-section"]
        if tag == "tr" and "measure" in classes:
            self._row = {
                "section": self._section,
                "polylines": [],
                "target_line": False,
                "last_point": False,
                "rag_classes": [],
            }
            self.measures[attributes["data-measure"]] = self._row
            self.order.append((self._section, attributes["data-measure"]))
        if self._row is not None and tag == "span" and "rag" in classes:
            self._row["rag_classes"] = classes
        if self._row is not None and tag == "polyline":
            self._row["polylines"].append(attributes["points"])
        if self._row is not None and tag == "line" and "target" in classes:
            self._row["target_line"] = True
        if self._row is not None and tag == "circle" and "last" in classes:
            self._row["last_point"] = True
        if tag in VOID_TAGS:
            return
        field = next((self.FIELDS[(tag, c)] for c in classes if (tag, c) in self.FIELDS), None)
        self._open.append((tag, field or (self._open[-1][1] if self._open else None)))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        field = self._open[-1][1] if self._open else None
        if field is None:
            return
        target = self.header if field in ("la_code", "period", "as_at") else self._row
        target[field] = " ".join(f"{target.get(field, '')} {data}".split())


def whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def expected_measures(warehouse, la_code: str, period_end: dt.date | None) -> dict[str, dict]:
    """Each measure's headline row and how many figures its trend has, straight from the table:
    a month measure at the month end, a quarter measure at its latest quarter ending by then;
    the trend counts the non-NULL values of the periods ending in the 12 months up to it."""
    rows = warehouse.query(
        """
        with chosen as (
            select coalesce(%(period_end)s::date, max(period_end)) as period_end
            from reporting.measure_values where la_code = %(la)s
        ), frequency as (
            select measure_code, case when bool_or(period_kind = 'month') then 'month' else 'quarter' end as kind
            from reporting.measure_values where la_code = %(la)s and breakdown = 'All' group by measure_code
        )
        select v.measure_code, v.measure_name, m.report_section, v.display_order, v.unit, v.numerator, v.denominator,
               v.value, v.target, v.rag, v.value_status,
               (select count(t.value) from reporting.measure_values t
                where t.la_code = v.la_code and t.measure_code = v.measure_code and t.breakdown = 'All'
                  and t.period_kind = v.period_kind and t.period_end <= chosen.period_end
                  and t.period_end >= date_trunc('month', chosen.period_end) - interval '11 months')
        from reporting.measure_values v
        join reporting.report_measures m on m.measure_code = v.measure_code
        cross join chosen
        join frequency f on f.measure_code = v.measure_code and f.kind = v.period_kind
        where v.la_code = %(la)s and v.breakdown = 'All'
          and v.period_end = (select max(q.period_end) from reporting.measure_values q
                              where q.la_code = v.la_code and q.measure_code = v.measure_code
                                and q.period_kind = v.period_kind and q.breakdown = 'All'
                                and q.period_end <= chosen.period_end
                                and (v.period_kind = 'quarter' or q.period_end = chosen.period_end))
        """,
        {"la": la_code, "period_end": period_end},
    )
    names = (
        "measure_code",
        "measure_name",
        "section",
        "display_order",
        "unit",
        "numerator",
        "denominator",
        "rounded",
        "target",
        "rag",
        "value_status",
        "trend_points",
    )
    return {row[0]: dict(zip(names, row)) for row in rows}


def figure_text(expected: dict) -> str:
    if expected["value_status"] == "not_delivered":
        return "no data"
    value = expected["rounded"]  # the exact value: rounded here, halves up, as the page shows it
    if value is None:
        return "\u2013"
    if expected["unit"] in ("average", "rate_per_10000"):  # one decimal, as DfE publishes them
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"
    whole = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{whole}%" if expected["unit"] == "percentage" else f"{whole:,}"


def target_text(expected: dict) -> str:
    target = expected["target"]
    if target is None:
        return "None set"
    if expected["unit"] in ("average", "rate_per_10000"):
        return f"{target.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    return f"{whole(target)}%" if expected["unit"] == "percentage" else f"{whole(target):,}"


def inflate(data: bytes) -> bytes:
    """A zlib stream at the start of `data` (what follows it is ignored), or b"" when there is none."""
    try:
        return zlib.decompressobj().decompress(data)
    except zlib.error:
        return b""


def write_page(tmp_path: Path, *extra: str) -> tuple[Path, PageReader]:
    html = tmp_path / "page.html"
    assert cli.main(["page", "--la", LA_CODE, "--out", str(html), *extra]) == 0
    return html, PageReader(html.read_text(encoding="utf-8"))


@pytest.mark.parametrize("period_end", [None, dt.date(2024, 11, 30)], ids=["latest", "mid-quarter"])
def test_every_measure_with_its_rounded_figure_target_rag_and_trend(published, tmp_path, period_end):
    _, page = write_page(tmp_path, *(["--period", period_end.isoformat()] if period_end else []))
    expected = expected_measures(published, LA_CODE, period_end)
    all_codes = {
        code
        for (code,) in published.query(
            "select distinct measure_code from reporting.measure_values where la_code = %s"
            " and period_kind in ('month', 'quarter')",
            (LA_CODE,),
        )
    }  # a 903-year-only measure has no month figure
    assert set(page.measures) == all_codes and len(all_codes) >= 18
    # a snapshot measure (caseloads, occupancy: the latest month end only) has no figure mid-quarter
    assert set(expected) <= all_codes
    for code in all_codes - set(expected):
        assert "no figure for this period" in page.measures[code]["name"], code
    # grouped by section in page order, in display order within each
    display_order = dict(published.query("select measure_code, display_order from reporting.report_measures"))
    assert page.order == sorted(page.order, key=lambda pair: (SECTION_ORDER.index(pair[0]), display_order[pair[1]]))
    for code, want in expected.items():
        got = page.measures[code]
        assert got["section"] == want["section"]
        assert got["name"].startswith(want["measure_name"]), code
        assert got["figure"] == figure_text(want), code
        if want["unit"] == "percentage" and want["value_status"] != "not_delivered":
            assert got["counts"] == f"{want['numerator']} of {want['denominator']}", code
        assert got["target"] == target_text(want), code
        assert got["rag_classes"] == ["rag", f"rag-{want['rag'] or 'none'}"], code
        assert got["rag_word"] == (want["rag"] or "not rated").capitalize(), code
        points = sum(len(segment.split()) for segment in got["polylines"])
        assert points == want["trend_points"], code
        assert got["last_point"] == (want["trend_points"] > 0) and got["target_line"] == (want["target"] is not None)
    trend_lengths = Counter(want["trend_points"] for want in expected.values())
    assert trend_lengths[12] >= 8 and trend_lengths[4] >= 10, "three years of data fill every trend"
    if period_end is None:
        assert {want["rag"] for want in expected.values()} == {"red", "amber", "green", None}, "data exercise RAG"


def test_the_header_says_authority_period_and_publication_time(published, tmp_path):
    _, page = write_page(tmp_path)
    ((published_at,),) = published.query(
        "select published_at from reporting.publication_log order by publication_id desc limit 1"
    )
    local = published_at.astimezone(ZoneInfo("Europe/London"))
    assert page.header["la_code"] == LA_CODE
    assert page.header["period"] == "Month ending 31 March 2025"
    assert page.header["as_at"] == f"{local.day} {local:%B %Y}, {local:%H:%M} {local.tzname()}"


def test_the_page_is_self_contained(published, tmp_path):
    html, page = write_page(tmp_path)
    assert page.loads == [] and not ({"script", "link", "img", "iframe", "object"} & set(page.tags))
    text = html.read_text(encoding="utf-8")
    assert "url(" not in text and "@import" not in text and "@font-face" not in text
    assert "@page { size: A4 landscape" in text


def test_the_pdf_is_written_from_the_same_page(published, tmp_path, capsys):
    pdf = tmp_path / "out" / "page.pdf"
    html, _ = write_page(tmp_path, "--pdf", str(pdf))
    assert f"wrote {pdf.resolve()}" in capsys.readouterr().out
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    # WeasyPrint compresses its objects: count the page objects in the plain and inflated parts.
    parts = [data] + [
        inflated for start in re.finditer(rb"\bstream\r?\n", data) if (inflated := inflate(data[start.end() :]))
    ]
    pages = sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", part)) for part in parts)
    assert pages >= 1


def test_an_unknown_authority_or_period_is_a_clear_error(published, tmp_path, capsys):
    out = tmp_path / "never.html"
    assert cli.main(["page", "--la", "999", "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "no rows for authority '999'" in error and "885" in error and not out.exists()
    assert cli.main(["page", "--la", LA_CODE, "--period", "2025-03-30", "--out", str(out)]) == 1
    assert "must be a month end" in capsys.readouterr().err
    assert cli.main(["page", "--la", LA_CODE, "--period", "2030-01-31", "--out", str(out)]) == 1
    assert "figures run from" in capsys.readouterr().err and not out.exists()


def test_the_page_renders_in_headless_chromium(published, tmp_path):
    from PIL import Image

    html, page = write_page(tmp_path)
    png = screenshot(html, tmp_path / "performance_on_a_page.png")
    shutil.copyfile(png, LOOKED_AT)
    with Image.open(png) as image:
        pixels = Counter(image.convert("RGB").getdata())
        assert image.size == (1600, 1100)
    assert len(pixels) > 500, "a blank or near-blank screenshot"
    shown = {classes[1].removeprefix("rag-") for classes in (m["rag_classes"] for m in page.measures.values())}
    assert len(shown & set(RAG_COLOURS)) >= 2
    for rag in shown & set(RAG_COLOURS):
        assert pixels[RAG_COLOURS[rag]] > 200, f"no {rag} badge painted"


def test_sparkline_breaks_at_a_missing_figure_and_marks_the_last():
    months = [dt.date(2024, m, 28) for m in range(1, 9)]
    values = [Decimal(80), Decimal(85), None, Decimal(90), Decimal(70), None, Decimal(75), None]
    line = sparkline(tuple(TrendPoint(d, f"{d:%b}", v) for d, v in zip(months, values)), Decimal(90), "percentage")
    assert [len(segment.split()) for segment in line.segments] == [2, 2, 1] and line.points == 5
    assert line.last_point == tuple(line.segments[-1].split(",")) == line.lone_points[0]
    xs = [float(point.split(",")[0]) for segment in line.segments for point in segment.split()]
    slot = (line.width - 2 * SPARK_PAD) / (len(months) - 1)
    assert xs == [round(SPARK_PAD + slot * i, 1) for i in (0, 1, 3, 4, 6)]  # each month keeps its slot, gaps too
    assert line.target_y is not None and "Mar \u2013" in line.description


def test_values_are_escaped():
    hostile = "<script>alert(1)</script> & co"
    measure = MeasureLine(
        measure_code='x"><b>',
        measure_name=hostile,
        section="fostering",
        display_order=1,
        unit="percentage",
        frequency="month",
        period_end=AS_AT,
        period_label="Mar 2025",
        numerator=1,
        denominator=2,
        value=Decimal(50),
        target=None,
        rag=None,
        previous_value=None,
        direction_of_travel=None,
        trend=(TrendPoint(AS_AT, "Mar 2025", Decimal(50)),),
    )
    page = PerformancePage(
        la_code="<i>9</i>",
        period_end=AS_AT,
        published_at=None,
        publication_id=None,
        sections=(Section("fostering", "Fostering", "Mar 2025", "12 month ends", (measure,)),),
    )
    html = render_html(page)
    reader = PageReader(html)
    assert "script" not in reader.tags and "b" not in reader.tags and "i" not in reader.tags
    assert reader.measures['x"><b>']["name"] == hostile and reader.header["la_code"] == "<i>9</i>"


def test_every_section_of_the_report_is_on_the_page_with_the_commentary(published, tmp_path):
    """The first authority's commentary on 2024/25 Q4 (tests/data_sets.COMMENTARY): beside the quarter's
    figure, and under the section's heading; a section without figures says so."""
    from tests.data_sets import COMMENTARY

    html, page = write_page(tmp_path)
    text = html.read_text(encoding="utf-8")
    assert list(dict.fromkeys(section for section, _ in page.order)) == [
        s for s in SECTION_ORDER if any(section == s for section, _ in page.order)
    ]
    assert text.count('class="section"') == len(SECTION_ORDER), "every section, figures or not"
    for row in COMMENTARY:
        if row["period"].upper() != "2024/25 Q4":
            continue
        narrative = row["narrative"].replace("'", "&#39;")
        if row.get("measure_code"):
            measure = page.measures[row["measure_code"]]
            assert row["narrative"] in measure["name"], row["measure_code"]
        else:
            assert narrative in text, row["section"]
    with_figures = {section for section, _ in page.order}
    assert text.count("No figures are published for this section yet.") == len(set(SECTION_ORDER) - with_figures)
    # every area is generated here, so every section has figures (a section without them:
    # test_performance_page_layout.test_a_section_without_figures_says_so)
    assert with_figures == set(SECTION_ORDER)
