"""Performance on a Page: one authority's headline measures at one month end, on one A4
landscape page, as self-contained HTML (and PDF through WeasyPrint, from the same HTML).

It reads `reporting.measure_values`, the authority rows (breakdown 'All') only, grouped into the
sections of the quarterly performance report (seed 002's: `reporting.report_measures`'
report_section, in its order). A monthly measure (fostering) shows its figure at the month end and
a trend over the 12 month ends up to it; a quarterly measure (audits, feedback, complaints) shows
the latest quarter ending on or before the month end and a trend over the quarters ending in those
12 months. Each measure has its figure, target, RAG (colour and word), direction of travel, DfE's
benchmarks where published (England, statistical neighbours, rank and quartile), the authority's
commentary on that figure, and a sparkline drawn here as inline SVG; each section the commentary
on it for the latest quarter (`reporting.quarterly_performance_report`). A measure whose extract
the authority never delivered (value_status not_delivered) says "no data"; a section of the report
with no measure published says so. The page loads nothing from anywhere: CSS inline, no fonts,
scripts or images.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from qa_warehouse.periods import month_end, months_back
from qa_warehouse.reports.reader import section_title
from qa_warehouse.warehouse import Warehouse, connect

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE = "performance_on_a_page.html.j2"
SOURCE_TABLE = "reporting.measure_values"
TREND_MONTHS = 12
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", None: "Not rated"}
DIRECTIONS = {  # direction_of_travel -> (arrow, words)
    "improving": ("\u2191", "Improving"),
    "declining": ("\u2193", "Declining"),
    "no_change": ("\u2192", "No change"),
    "up": ("\u2191", "Up"),
    "down": ("\u2193", "Down"),
    None: ("", "No comparison"),
}
NO_DATA = "no data"  # the figure of a measure whose extract the authority has never delivered
MOVES = {1: "\u2191", 0: "\u2192", -1: "\u2193"}  # the figure went up, stayed, went down
LOCAL_TIME = ZoneInfo("Europe/London")  # the authorities are English: "as at" in their clock time

# Sparkline geometry (SVG user units = CSS pixels on screen).
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 132, 34, 4
# The smallest vertical range a sparkline spans, so that noise of a point or two does not fill it.
SPARK_MIN_SPAN = {"percentage": Decimal(10), "count": Decimal(4), "average": Decimal(4), "rate_per_10000": Decimal(10)}


class PageError(ValueError):
    """The page cannot be made for that choice (no published rows): a message for the person."""


@dataclass(frozen=True)
class TrendPoint:
    period_end: dt.date
    label: str  # "Mar 2025" or "Q4 2024/25"
    value: Decimal | None  # None: no figure (no row, or nothing was due)


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    segments: tuple[str, ...]  # SVG polyline `points`, one per run of points without a gap
    lone_points: tuple[tuple[str, str], ...]  # (x, y) of a figure with gaps both sides: a dot, as no line shows it
    target_y: str | None  # where the dashed target line is drawn
    last_point: tuple[str, str] | None  # (x, y) of the latest figure, marked
    description: str  # the values in words, for screen readers and a hover title
    points: int  # how many figures are drawn


@dataclass(frozen=True)
class Benchmark:
    """DfE's published figures for the measure (measure_values' benchmark columns)."""

    time_period: str | None
    england: Decimal | None
    statistical_neighbours: Decimal | None
    rank: int | None
    ranked: int | None
    quartile: int | None

    def text(self, unit: str) -> str:
        """ "Eng 18% · SN 20% · 45/152 Q2": England, statistical neighbours, the authority's rank
        among the authorities ranked and its quartile; only what DfE publishes."""
        parts = []
        if self.england is not None:
            parts.append(f"Eng {display_number(self.england, unit)}")
        if self.statistical_neighbours is not None:
            parts.append(f"SN {display_number(self.statistical_neighbours, unit)}")
        if self.rank is not None:
            parts.append(f"{self.rank}/{self.ranked}" + (f" Q{self.quartile}" if self.quartile is not None else ""))
        elif self.quartile is not None:
            parts.append(f"Q{self.quartile}")
        return " \u00b7 ".join(parts)

    @property
    def title(self) -> str:
        """The same in words (a hover title, and for screen readers)."""
        return (
            "DfE benchmarks"
            + (f" for {self.time_period}" if self.time_period else "")
            + ": England, statistical neighbours (SN), rank among authorities and quartile (Q1 best)"
        )


@dataclass(frozen=True)
class Commentary:
    """The authority's narrative (the commentary extract): on a measure's figure or a section."""

    narrative: str
    action: str | None = None
    owner: str | None = None
    author: str | None = None
    period_label: str | None = None  # said when it is on another period than the figure's (a quarter's)

    @property
    def action_text(self) -> str:
        if not self.action:
            return ""
        return f"Action: {self.action}" + (f" ({self.owner})" if self.owner else "")


@dataclass(frozen=True)
class MeasureLine:
    measure_code: str
    measure_name: str
    section: str
    display_order: int
    unit: str  # 'percentage', 'count', 'average' (e.g. cases per FTE) or 'rate_per_10000'
    frequency: str  # 'month' or 'quarter': which rows the figure and trend come from
    period_end: dt.date | None  # the figure's period; None when the table has no figure for it
    period_label: str | None
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    target: Decimal | None
    rag: str | None
    previous_value: Decimal | None
    direction_of_travel: str | None
    trend: tuple[TrendPoint, ...]
    value_status: str | None = None  # 'not_delivered': an extract of the measure was never delivered
    held_back: int = 0  # subjects the data-quality policy held out of the measure's population
    benchmark: Benchmark | None = None  # DfE's published figures beside this one
    commentary: Commentary | None = None  # the authority's narrative on this figure

    @property
    def not_delivered(self) -> bool:
        return self.value_status == "not_delivered"

    @property
    def figure(self) -> str:
        """Percentages rounded to whole numbers for display only; the table keeps them exact. A
        measure whose extract was never delivered has no figure: "no data", never 0 %."""
        if self.not_delivered:
            return NO_DATA
        return display_number(self.value, self.unit)

    @property
    def counts(self) -> str:
        if self.unit != "percentage" or self.numerator is None:
            return ""
        return f"{self.numerator} of {self.denominator}"

    @property
    def held_note(self) -> str:
        """Said beside a figure computed without held rows (docs/data-quality.md)."""
        return f"{self.held_back:,} held back (data quality)" if self.held_back else ""

    @property
    def target_text(self) -> str:
        return "None set" if self.target is None else display_number(self.target, self.unit)

    @property
    def rag_word(self) -> str:
        return RAG_WORDS[self.rag]

    @property
    def direction_arrow(self) -> str:
        """Which way the figure moved (a falling figure can be improving: complaints upheld)."""
        if self.value is None or self.previous_value is None:
            return DIRECTIONS[self.direction_of_travel][0]
        return MOVES[(self.value > self.previous_value) - (self.value < self.previous_value)]

    @property
    def direction_words(self) -> str:
        return DIRECTIONS[self.direction_of_travel][1]

    @property
    def previous_text(self) -> str:
        if self.previous_value is None:
            return ""
        previous = "last month" if self.frequency == "month" else "last quarter"
        return f"{previous} {display_number(self.previous_value, self.unit)}"

    @property
    def sparkline(self) -> Sparkline:
        return sparkline(self.trend, self.target, self.unit)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    period_label: str  # the period most of its figures are for
    trend_label: str
    measures: tuple[MeasureLine, ...]
    commentary: Commentary | None = None  # the authority's narrative on the section's latest quarter


@dataclass(frozen=True)
class PerformancePage:
    la_code: str
    period_end: dt.date
    published_at: dt.datetime | None
    publication_id: int | None
    sections: tuple[Section, ...]

    @property
    def measures(self) -> tuple[MeasureLine, ...]:
        return tuple(m for s in self.sections for m in s.measures)

    @property
    def period_text(self) -> str:
        return f"Month ending {long_date(self.period_end)}"

    @property
    def as_at_text(self) -> str:
        if self.published_at is None:
            return "not recorded"
        local = self.published_at.astimezone(LOCAL_TIME)
        return f"{long_date(local.date())}, {local:%H:%M} {local.tzname()}"


def display_number(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "\u2013"  # en dash: no figure
    # a rate per 10,000 children or an average (cases per FTE): one decimal, as DfE publishes them
    if unit in ("rate_per_10000", "average"):
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)  # as PostgreSQL's round(): half away from 0
    return f"{whole}%" if unit == "percentage" else f"{whole:,}"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def trend_slots(period_end: dt.date, frequency: str) -> list[dt.date]:
    """The period ends a trend shows, oldest first: the 12 month ends up to the month end, or the
    (financial) quarter ends in those 12 months."""
    months = [months_back(period_end, back) for back in range(TREND_MONTHS - 1, -1, -1)]
    return months if frequency == "month" else [m for m in months if m.month % 3 == 0]


def quarter_label(day: dt.date) -> str:
    first_year = day.year if day.month > 3 else day.year - 1  # financial years start in April
    quarter = {6: 1, 9: 2, 12: 3, 3: 4}[day.month]
    return f"Q{quarter} {first_year}/{(first_year + 1) % 100:02d}"


def period_label(day: dt.date, frequency: str) -> str:
    return f"{day:%b %Y}" if frequency == "month" else quarter_label(day)


def sparkline(trend: tuple[TrendPoint, ...], target: Decimal | None, unit: str) -> Sparkline:
    """Values as polylines over evenly spaced period slots, broken where a figure is missing;
    the target dashed across; the latest figure marked."""
    values = [p.value for p in trend if p.value is not None]
    scale = values + ([target] if target is not None else [])
    low, high = (min(scale), max(scale)) if scale else (Decimal(0), Decimal(1))
    span = SPARK_MIN_SPAN[unit]
    if high - low < span:  # widen around the middle
        middle = (high + low) / 2
        low, high = middle - span / 2, middle + span / 2
    inner_width, inner_height = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = Decimal(inner_width) / max(len(trend) - 1, 1)

    def y(value: Decimal) -> str:
        return f"{SPARK_PAD + (high - value) / (high - low) * inner_height:.1f}"

    segments: list[str] = []
    current: list[str] = []
    last: tuple[str, str] | None = None
    for index, point in enumerate(trend):
        if point.value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        last = (f"{SPARK_PAD + index * step:.1f}", y(point.value))
        current.append(",".join(last))
    if current:
        segments.append(" ".join(current))
    words = "; ".join(f"{p.label} {display_number(p.value, unit)}" for p in trend)
    if target is not None:
        words += f"; target {display_number(target, unit)}"
    # A segment without a space is one point, "x,y".
    lone = tuple((x, y_) for x, _, y_ in (segment.partition(",") for segment in segments if " " not in segment))
    return Sparkline(
        width=SPARK_WIDTH,
        height=SPARK_HEIGHT,
        segments=tuple(segments),
        lone_points=lone,
        target_y=None if target is None else y(target),
        last_point=last,
        description=f"Trend: {words}",
        points=len(values),
    )


COLUMNS = (
    "measure_code",
    "measure_name",
    "section",
    "display_order",
    "unit",
    "period_kind",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "target",
    "rag",
    "previous_value",
    "direction_of_travel",
    "value_status",
    "held_back",
    "benchmark_time_period",
    "england_value",
    "statistical_neighbours_value",
    "rank_among_authorities",
    "authorities_ranked",
    "quartile",
    "commentary",
    "commentary_action",
    "commentary_owner",
    "commentary_author",
    "report_section",
    "report_section_order",
    "report_section_title",
)
SECTIONS_TABLE = "reporting.report_measures"  # which section of the report each measure is in
REPORT_TABLE = "reporting.quarterly_performance_report"  # the sections' own commentary


def _read_rows(la_code: str, warehouse: Warehouse | None) -> tuple[list[dict], tuple | None, list[tuple]]:
    try:
        with connect(warehouse) as conn, conn.cursor() as cur:
            cur.execute(
                f"""select {", ".join(f"v.{c}" if c not in SECTION_COLUMNS else f"m.{c}" for c in COLUMNS)}
                    from {SOURCE_TABLE} v
                    left join {SECTIONS_TABLE} m on m.measure_code = v.measure_code
                    where v.la_code = %s and v.breakdown = 'All' and v.period_kind in ('month', 'quarter')
                    order by v.measure_code, v.period_kind, v.period_end""",
                (la_code,),
            )
            rows = [dict(zip(COLUMNS, row)) for row in cur.fetchall()]
            # Every section of the report (in its order) and the commentary on each, per quarter.
            cur.execute(
                f"""select distinct section, section_order, section_title, period_end, section_commentary,
                           section_commentary_action, section_commentary_owner, section_commentary_author
                    from {REPORT_TABLE} where la_code = %s order by section_order, period_end""",
                (la_code,),
            )
            report_sections = cur.fetchall()
            if not rows:
                cur.execute(f"select distinct la_code from {SOURCE_TABLE} order by 1")
                known = ", ".join(code for (code,) in cur.fetchall()) or "none"
                raise PageError(
                    f"{SOURCE_TABLE} has no rows for authority {la_code!r} (published authorities: {known})"
                )
            cur.execute(
                "select publication_id, published_at from reporting.publication_log "
                "order by publication_id desc limit 1"
            )
            publication = cur.fetchone()
    except psycopg2.errors.UndefinedTable:
        raise PageError(f"{SOURCE_TABLE} is not published yet: run `qa-warehouse run` first") from None
    return rows, publication, report_sections


SECTION_COLUMNS = ("report_section", "report_section_order", "report_section_title")


def commentary_of(row: dict, prefix: str = "commentary") -> Commentary | None:
    narrative = row.get(prefix)
    if not narrative:
        return None
    return Commentary(narrative, row.get(f"{prefix}_action"), row.get(f"{prefix}_owner"), row.get(f"{prefix}_author"))


def quarter_commentary(rows: list[dict], period_end: dt.date, frequency: str) -> Commentary | None:
    """A monthly figure's commentary: the authority writes it for quarters, so the page shows the
    commentary on the latest quarter ending in the three months up to the month end, named."""
    if frequency != "month":
        return None
    quarters = [
        r for r in rows if r["period_kind"] == "quarter" and months_back(period_end, 3) < r["period_end"] <= period_end
    ]
    latest = max(quarters, key=lambda r: r["period_end"], default=None)
    commentary = commentary_of(latest) if latest else None
    if latest is None or commentary is None:
        return None
    return replace(commentary, period_label=quarter_label(latest["period_end"]))


def benchmark_of(row: dict) -> Benchmark | None:
    benchmark = Benchmark(
        row.get("benchmark_time_period"),
        row.get("england_value"),
        row.get("statistical_neighbours_value"),
        row.get("rank_among_authorities"),
        row.get("authorities_ranked"),
        row.get("quartile"),
    )
    return benchmark if benchmark.text("count") else None


def read_page(la_code: str, period_end: dt.date | None = None, warehouse: Warehouse | None = None) -> PerformancePage:
    """The page's figures for one authority at one month end (default: its latest in the table)."""
    rows, publication, report_sections = _read_rows(la_code, warehouse)
    first, last = min(r["period_end"] for r in rows), max(r["period_end"] for r in rows)
    if period_end is None:
        period_end = last
    if period_end != month_end(period_end):
        raise PageError(
            f"the period must be a month end, e.g. {month_end(period_end).isoformat()}, not {period_end.isoformat()}"
        )
    if not first <= period_end <= last:
        raise PageError(
            f"{SOURCE_TABLE} has no rows for authority {la_code!r} at {period_end.isoformat()}: "
            f"its figures run from {first.isoformat()} to {last.isoformat()}"
        )

    section_of: dict[str, tuple[str, int, str]] = {}  # measure -> its report section, order and title
    by_measure: dict[str, list[dict]] = {}
    for row in rows:
        by_measure.setdefault(row["measure_code"], []).append(row)
    lines = []
    for code, measure_rows in by_measure.items():
        # Monthly measures have month rows (their quarter rows repeat the quarter-end month).
        frequency = "month" if any(r["period_kind"] == "month" for r in measure_rows) else "quarter"
        series = {r["period_end"]: r for r in measure_rows if r["period_kind"] == frequency}
        if frequency == "month":
            current = series.get(period_end)
        else:
            ended = [day for day in series if day <= period_end]
            current = series[max(ended)] if ended else None
        about = current or measure_rows[-1]  # name, order, unit and target when it has no figure then
        trend = tuple(
            TrendPoint(day, period_label(day, frequency), series[day]["value"] if day in series else None)
            for day in trend_slots(period_end, frequency)
        )
        figures = current or {}
        lines.append(
            MeasureLine(
                measure_code=code,
                measure_name=about["measure_name"],
                section=about["section"],
                display_order=about["display_order"],
                unit=about["unit"],
                frequency=frequency,
                period_end=figures.get("period_end"),
                period_label=None if current is None else period_label(current["period_end"], frequency),
                numerator=figures.get("numerator"),
                denominator=figures.get("denominator"),
                value=figures.get("value"),
                target=about["target"],
                rag=figures.get("rag"),
                previous_value=figures.get("previous_value"),
                direction_of_travel=figures.get("direction_of_travel"),
                trend=trend,
                value_status=about.get("value_status"),
                held_back=about.get("held_back") or 0,
                benchmark=benchmark_of(figures),
                commentary=commentary_of(figures) or quarter_commentary(measure_rows, period_end, frequency),
            )
        )
        section_of[code] = (
            about["report_section"] or about["section"],
            about["report_section_order"] or 99,
            about["report_section_title"] or section_title(about["section"]),
        )
    if all(line.period_end is None for line in lines):
        raise PageError(f"{SOURCE_TABLE} has no figures for authority {la_code!r} at {period_end.isoformat()}")

    # Every section of the report, in its order: those with measures and those without (which say so).
    known = {code: (order, title) for code, order, title in section_of.values()}
    for code, order, title, *_ in report_sections:
        known.setdefault(code, (order, title))
    # The section's commentary is on its latest quarter ending by the month end.
    section_commentary = {}
    for code, _, _, quarter_end, *commentary in report_sections:
        if quarter_end <= period_end:
            section_commentary[code] = commentary_of(
                dict(zip(("c", "c_action", "c_owner", "c_author"), commentary)), "c"
            )
    sections = []
    for code, (_order, title) in sorted(known.items(), key=lambda item: (item[1][0], item[0])):
        measures = tuple(
            sorted(
                (m for m in lines if section_of[m.measure_code][0] == code),
                key=lambda m: (m.display_order, m.measure_code),
            )
        )
        labels = [m.period_label for m in measures if m.period_label]  # the section heading names the commonest
        frequency = measures[0].frequency if measures else "quarter"
        sections.append(
            Section(
                code=code,
                title=title,
                period_label=max(set(labels), key=labels.count) if labels else "no figures",
                trend_label="12 month ends" if frequency == "month" else "quarters in 12 months",
                measures=measures,
                commentary=section_commentary.get(code),
            )
        )
    publication_id, published_at = publication or (None, None)
    return PerformancePage(
        la_code=la_code,
        period_end=period_end,
        published_at=published_at,
        publication_id=publication_id,
        sections=tuple(sections),
    )


def render_html(page: PerformancePage) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(TEMPLATE).render(page=page, source_table=SOURCE_TABLE)


def write_pdf(html: str, path: Path) -> Path:
    """The same HTML through WeasyPrint (its print CSS: A4 landscape)."""
    from weasyprint import HTML  # imported here: it loads Pango, which only this needs

    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(path)
    return path


def default_html_path(page: PerformancePage) -> Path:
    return Path(f"performance-on-a-page-{page.la_code}-{page.period_end.isoformat()}.html")


def write_performance_page(
    la_code: str,
    period_end: dt.date | None = None,
    html_path: Path | None = None,
    pdf_path: Path | None = None,
    warehouse: Warehouse | None = None,
) -> list[Path]:
    """Write the HTML page (and the PDF when asked); return the paths written."""
    page = read_page(la_code, period_end, warehouse)
    html = render_html(page)
    html_path = html_path or default_html_path(page)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(html, encoding="utf-8")
    written = [html_path]
    if pdf_path is not None:
        written.append(write_pdf(html, pdf_path))
    return written
