"""The annual self-evaluation (SEF) export: every headline figure of a financial year and the two
years before it, as the panel was told them, to XLSX (one sheet per section) and CSV.

The figures come from the published editions (qa_warehouse.publish.editions), never from the live tables:
for each year, its latest `financial_year` edition and, in it, the financial-year rows of
`reporting.measure_values` for each authority's total (breakdown 'All'). A source corrected since
then changes nothing here until the year is published again. A year without an edition is shown
empty, and says so. Beside each figure: DfE's benchmarks (England, region, statistical neighbours,
rank and quartile) and the authority's commentary on the year, as the edition published them
(`reporting.edition_figures` and `reporting.edition_texts`). Sections are the quarterly performance
report's (seed 002's), in its order, one sheet each, a section without measures included; labels
(section, measure name, unit, order) come from `reporting.report_measures`. docs/reports.md
describes the files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qa_warehouse.reports.reader import section_title
from qa_warehouse.warehouse import Warehouse, connect

NOTES_SHEET = "Notes"
YEARS_SHOWN = 3  # the chosen year and the two before it
FIGURES = ("numerator", "denominator", "value", "target")
# DfE's benchmarks beside a figure (measure_values' columns, kept in editions as figures)
BENCHMARK_FIGURES = (
    "england_value",
    "region_value",
    "statistical_neighbours_value",
    "rank_among_authorities",
    "authorities_ranked",
    "quartile",
)
# Text the edition kept beside the figure (reporting.edition_texts): the benchmarks' year and the commentary
TEXTS = ("benchmark_time_period", "commentary", "commentary_action", "commentary_owner", "commentary_author")
SOURCE_TABLE = "measure_values"
AUTHORITY_TOTAL = "All"
CSV_COLUMNS = (
    "la_code",
    "section",
    "measure_code",
    "measure_name",
    "unit",
    "financial_year",
    "numerator",
    "denominator",
    "value",
    "target",
    *BENCHMARK_FIGURES,
    *TEXTS,
    "edition_id",
    "as_at",
)

PERCENT_FORMAT = "0.0"
COUNT_FORMAT = "0"
PERCENT_CHANGE_FORMAT = "+0.0;-0.0;0.0"
COUNT_CHANGE_FORMAT = "+0;-0;0"
AS_AT_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_COLUMN_WIDTH = 80  # the longest measure name (73 characters) shows whole


class SelfEvaluationError(ValueError):
    """The export cannot be made as asked: the message says why and what to do."""


class NoEdition(SelfEvaluationError):
    """The chosen financial year has never been published as a period."""


class NoFiguresForAuthority(SelfEvaluationError):
    """The chosen year's edition holds no financial-year figures for the authority asked for."""


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int  # the calendar year of its 1 April

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """'2025/26' or '2025-26' (also '2025/2026')."""
        match = re.fullmatch(r"\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", text or "")
        if not match:
            raise SelfEvaluationError(f"financial year {text!r} is not like 2025/26 (or 2025-26)")
        start, end = int(match[1]), match[2]
        if end != (f"{(start + 1) % 100:02d}" if len(end) == 2 else str(start + 1)):
            raise SelfEvaluationError(
                f"financial year {text!r}: the year after {start} is "
                f"{start + 1}, so write {start}/{(start + 1) % 100:02d}"
            )
        return cls(start)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:  # for file names
        return self.label.replace("/", "-")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    def before(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year - years)


@dataclass(frozen=True)
class Edition:
    edition_id: int
    as_at: dt.datetime
    publication_id: int
    loads: tuple[dict, ...]  # {extract, la_code, load_id, file_name}


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    section: str  # the quarterly performance report's section
    display_order: int
    unit: str  # 'percentage', 'count', 'average' (e.g. cases per FTE) or 'rate_per_10000'


@dataclass(frozen=True)
class ReportSection:
    code: str
    title: str


@dataclass(frozen=True)
class YearFigures:
    year: FinancialYear
    edition: Edition | None  # None: the year was never published
    figures: dict[tuple[str, str], dict[str, Decimal | None]]  # (la_code, measure_code) -> figure -> value
    texts: dict[tuple[str, str], dict[str, str]]  # (la_code, measure_code) -> column -> text as published

    def figure(self, la_code: str, measure_code: str, name: str) -> Decimal | None:
        return self.figures.get((la_code, measure_code), {}).get(name)

    def text(self, la_code: str, measure_code: str, name: str) -> str | None:
        return self.texts.get((la_code, measure_code), {}).get(name)


@dataclass(frozen=True)
class SelfEvaluation:
    year: FinancialYear
    la_code: str | None  # None: every authority in the editions
    years: tuple[YearFigures, ...]  # oldest first; the chosen year last
    measures: tuple[Measure, ...]  # in section and display order
    authorities: tuple[str, ...]
    sections: tuple[ReportSection, ...] = ()  # every section of the report, in its order

    @property
    def chosen(self) -> YearFigures:
        return self.years[-1]

    @property
    def authority_label(self) -> str:
        return f"authority {self.la_code}" if self.la_code else f"all authorities ({', '.join(self.authorities)})"


def export(
    financial_year: str, out_dir: Path, la_code: str | None = None, warehouse: Warehouse | None = None
) -> tuple[Path, Path]:
    """Write self_evaluation_<2025-26>[_<la>].xlsx and .csv in out_dir; return their paths."""
    evaluation = read_self_evaluation(FinancialYear.parse(financial_year), la_code, warehouse)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"self_evaluation_{evaluation.year.slug}" + (f"_{la_code}" if la_code else "")
    xlsx, csv_path = out_dir / f"{stem}.xlsx", out_dir / f"{stem}.csv"
    write_xlsx(evaluation, xlsx)
    write_csv(evaluation, csv_path)
    return xlsx, csv_path


def read_self_evaluation(
    year: FinancialYear, la_code: str | None = None, warehouse: Warehouse | None = None
) -> SelfEvaluation:
    years = [year.before(back) for back in reversed(range(YEARS_SHOWN))]
    with connect(warehouse) as conn, conn.cursor() as cur:
        cur.execute(
            "select to_regclass('reporting.editions') is not null, to_regclass('reporting.report_measures') is not null,"
            " to_regclass('reporting.edition_texts') is not null"
        )
        has_editions, has_measures, has_texts = cur.fetchone()
        editions = {y: _latest_edition(cur, y) for y in years} if has_editions else {}
        chosen = editions.get(year)
        if chosen is None:
            raise NoEdition(_no_edition_message(cur if has_editions else None, year))
        if not has_measures:
            raise SelfEvaluationError(
                "reporting.report_measures is not published: run the pipeline "
                "(`qa-warehouse run`) so the measures' labels exist"
            )
        measures, sections = _measures(cur)
        figures = {y: _edition_figures(cur, editions[y], la_code) for y in years}
        texts = {y: _edition_texts(cur, editions[y], la_code) if has_texts else {} for y in years}
    in_chosen_year = sorted({la for la, _ in figures[year]})
    if not in_chosen_year:
        raise (NoFiguresForAuthority if la_code else SelfEvaluationError)(
            f"edition {chosen.edition_id} of {year.label} holds no financial-year figures of reporting."
            f"{SOURCE_TABLE}"
            + (f" for authority {la_code}" if la_code else "")
            + (
                f" (authorities in it: {', '.join(_authorities_in(chosen))})"
                if la_code
                else ": it was published before the measures existed; publish the year again"
            )
        )
    authorities = tuple(sorted({la for y in years for la, _ in figures[y]}))
    return SelfEvaluation(
        year,
        la_code,
        tuple(YearFigures(y, editions[y], figures[y], texts[y]) for y in years),
        tuple(measures),
        authorities,
        tuple(sections),
    )


def _latest_edition(cur, year: FinancialYear) -> Edition | None:
    cur.execute(
        """select edition_id, as_at, publication_id, loads from reporting.editions
                   where period_kind = 'financial_year' and period_first_day = %s and period_last_day = %s
                   order by edition_id desc limit 1""",
        (year.first_day, year.last_day),
    )
    row = cur.fetchone()
    if row is None:
        return None
    edition_id, as_at, publication_id, loads = row
    return Edition(edition_id, as_at, publication_id, tuple(loads))


def _edition_figures(cur, edition: Edition | None, la_code: str | None) -> dict:
    if edition is None:
        return {}
    cur.execute(
        """select grain->>'la_code', grain->>'measure_code', figure, value
                   from reporting.edition_figures
                   where edition_id = %s and table_name = %s and grain->>'period_kind' = 'financial_year'
                     and grain->>'breakdown' = %s and figure = any(%s)
                     and (%s::text is null or grain->>'la_code' = %s)""",
        (edition.edition_id, SOURCE_TABLE, AUTHORITY_TOTAL, [*FIGURES, *BENCHMARK_FIGURES], la_code, la_code),
    )
    figures: dict[tuple[str, str], dict[str, Decimal | None]] = {}
    for la, measure, figure, value in cur.fetchall():
        figures.setdefault((la, measure), {})[figure] = value
    return figures


def _edition_texts(cur, edition: Edition | None, la_code: str | None) -> dict:
    """The benchmarks' year and the commentary beside each financial-year figure, as the edition kept them."""
    if edition is None:
        return {}
    cur.execute(
        """select grain->>'la_code', grain->>'measure_code', column_name, text_value
                   from reporting.edition_texts
                   where edition_id = %s and table_name = %s and grain->>'period_kind' = 'financial_year'
                     and grain->>'breakdown' = %s and column_name = any(%s)
                     and (%s::text is null or grain->>'la_code' = %s)""",
        (edition.edition_id, SOURCE_TABLE, AUTHORITY_TOTAL, list(TEXTS), la_code, la_code),
    )
    texts: dict[tuple[str, str], dict[str, str]] = {}
    for la, measure, column, text in cur.fetchall():
        texts.setdefault((la, measure), {})[column] = text
    return texts


def _authorities_in(edition: Edition) -> list[str]:
    return sorted({load["la_code"] for load in edition.loads})


def _measures(cur) -> tuple[list[Measure], list[ReportSection]]:
    """The measures in the report's section order, and every section of the report (those without a
    measure too, from reporting.quarterly_performance_report) in that order."""
    cur.execute(
        """select measure_code, measure_name, coalesce(report_section, section), display_order, unit,
                  report_section_order, coalesce(report_section_title, section)
           from reporting.report_measures"""
    )
    rows = cur.fetchall()
    # A measure not yet in a section of the report keeps its area and comes last rather than being dropped.
    order = {section: (position or 99, title) for _, _, section, _, _, position, title in rows}
    cur.execute("select to_regclass('reporting.quarterly_performance_report') is not null")
    if cur.fetchone()[0]:
        cur.execute("select distinct section, section_order, section_title from reporting.quarterly_performance_report")
        order.update({section: (position, title) for section, position, title in cur.fetchall()})
    measures = sorted(
        (Measure(*row[:5]) for row in rows), key=lambda m: (order[m.section][0], m.section, m.display_order, m.code)
    )
    sections = [
        ReportSection(code, title) for code, (_, title) in sorted(order.items(), key=lambda item: (item[1][0], item[0]))
    ]
    return measures, sections


def _no_edition_message(cur, year: FinancialYear) -> str:
    published = []
    if cur is not None:
        cur.execute(
            "select distinct period_first_day from reporting.editions where period_kind = 'financial_year' order by 1"
        )
        published = [FinancialYear(first.year).label for (first,) in cur.fetchall()]
    return (
        f"no published edition of financial year {year.label} ({year.first_day} to {year.last_day}): the "
        "self-evaluation shows only figures a year close published, never the live tables. "
        f"Financial years published so far: {', '.join(published) or 'none'}. Publish {year.label} with its "
        "close (the qa_close_financial_year DAG, some working days after 31 March) or by hand: "
        f"`qa-warehouse publish-period --kind financial_year --first {year.first_day} --last {year.last_day}`"
    )


# -- CSV: one row per authority, measure and year -------------------------------------------------


def write_csv(evaluation: SelfEvaluation, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for la_code in evaluation.authorities:
            for measure in evaluation.measures:
                for year in evaluation.years:
                    edition = year.edition
                    writer.writerow(
                        [
                            la_code,
                            measure.section,
                            measure.code,
                            measure.name,
                            measure.unit,
                            year.year.label,
                            *(_plain(year.figure(la_code, measure.code, name)) for name in FIGURES),
                            *(_plain(year.figure(la_code, measure.code, name)) for name in BENCHMARK_FIGURES),
                            *(year.text(la_code, measure.code, name) or "" for name in TEXTS),
                            edition.edition_id if edition else "",
                            edition.as_at.astimezone(dt.UTC).isoformat() if edition else "",
                        ]
                    )


def _plain(value: Decimal | None) -> str:
    """A number as plain digits (no exponent); integers without a decimal point; empty for none."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value, "f")


# -- XLSX: one sheet per section, then the notes ---------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    number_format: str | None = None


def write_xlsx(evaluation: SelfEvaluation, path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sections = evaluation.sections or tuple(
        ReportSection(code, section_title(code)) for code in dict.fromkeys(m.section for m in evaluation.measures)
    )
    for section in sections:
        measures = [m for m in evaluation.measures if m.section == section.code]
        _section_sheet(workbook.create_sheet(section.title[:31]), evaluation, section.title[:31], measures)
    _notes_sheet(workbook.create_sheet(NOTES_SHEET), evaluation)
    workbook.save(path)


def _title_rows(sheet, evaluation: SelfEvaluation, heading: str) -> None:
    """Title, source, one note per year without an edition, and a blank row before the header."""
    sheet.append([f"Annual self-evaluation {evaluation.year.label}: {heading}, {evaluation.authority_label}"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append(
        [
            f"Figures from published editions (reporting.edition_figures), not the live tables: "
            f"{_editions_summary(evaluation)}"
        ]
    )
    for year in evaluation.years:
        if year.edition is None:
            sheet.append(
                [
                    f"Note: {year.year.label} has no published edition: its columns are empty "
                    "(it was never published as a financial year)."
                ]
            )
    sheet.append([])


def _editions_summary(evaluation: SelfEvaluation) -> str:
    return "; ".join(
        f"{year.year.label} edition {year.edition.edition_id} as at {_as_at_text(year.edition.as_at)}"
        if year.edition
        else f"{year.year.label} no published edition"
        for year in evaluation.years
    )


def _section_sheet(sheet, evaluation: SelfEvaluation, title: str, measures: list[Measure]) -> None:
    """`title`: the sheet's name (the section's title, cut to Excel's 31 characters)."""
    _title_rows(sheet, evaluation, title)
    if not measures:
        sheet.append(["No measures are in this section of the report yet."])
    chosen, previous = evaluation.years[-1], evaluation.years[-2]
    columns = [Column("LA code"), Column("Measure"), Column("Unit")]
    for year in evaluation.years:
        label = year.year.label
        columns += [
            Column(f"{label} value"),
            Column(f"{label} numerator", COUNT_FORMAT),
            Column(f"{label} denominator", COUNT_FORMAT),
            Column(f"{label} edition", COUNT_FORMAT),
            Column(f"{label} as at (UTC)", AS_AT_FORMAT),
        ]
    columns += [Column(f"{chosen.year.label} target"), Column(f"Change {previous.year.label} to {chosen.year.label}")]
    # DfE's benchmarks and the authority's commentary on the chosen year, as its edition published them
    label = chosen.year.label
    columns += [
        Column(f"{label} England"),
        Column(f"{label} region"),
        Column(f"{label} statistical neighbours"),
        Column(f"{label} rank among authorities", COUNT_FORMAT),
        Column(f"{label} authorities ranked", COUNT_FORMAT),
        Column(f"{label} quartile", COUNT_FORMAT),
        Column(f"{label} benchmark year"),
        Column(f"{label} commentary"),
        Column(f"{label} action"),
        Column(f"{label} owner"),
        Column(f"{label} author"),
    ]
    sheet.append([column.header for column in columns])
    header_row = sheet.max_row
    for la_code in evaluation.authorities:
        for measure in measures:
            # A rate per 10,000 or an average shows one decimal, as a percentage does.
            percentage = measure.unit in ("percentage", "average", "rate_per_10000")
            value_format = PERCENT_FORMAT if percentage else COUNT_FORMAT
            cells: list[tuple[object, str | None]] = [(la_code, None), (measure.name, None), (measure.unit, None)]
            for year in evaluation.years:
                edition = year.edition
                cells += [
                    (_number(year.figure(la_code, measure.code, "value")), value_format),
                    (_number(year.figure(la_code, measure.code, "numerator")), COUNT_FORMAT),
                    (_number(year.figure(la_code, measure.code, "denominator")), COUNT_FORMAT),
                    (edition.edition_id if edition else None, COUNT_FORMAT),
                    (_naive_utc(edition.as_at) if edition else None, AS_AT_FORMAT),
                ]
            now = chosen.figure(la_code, measure.code, "value")
            before = previous.figure(la_code, measure.code, "value")
            change = None if now is None or before is None else _number(now - before)
            cells += [
                (_number(chosen.figure(la_code, measure.code, "target")), PERCENT_FORMAT),
                (change, PERCENT_CHANGE_FORMAT if percentage else COUNT_CHANGE_FORMAT),
                *(
                    (_number(chosen.figure(la_code, measure.code, name)), value_format)
                    for name in ("england_value", "region_value", "statistical_neighbours_value")
                ),
                *(
                    (_number(chosen.figure(la_code, measure.code, name)), COUNT_FORMAT)
                    for name in ("rank_among_authorities", "authorities_ranked", "quartile")
                ),
                *((chosen.text(la_code, measure.code, name), None) for name in TEXTS),
            ]
            sheet.append([value for value, _ in cells])
            # an empty figure (a percentage with nothing to count) keeps its column's format too
            for index, (_, number_format) in enumerate(cells, start=1):
                if number_format:
                    sheet.cell(row=sheet.max_row, column=index).number_format = number_format
    _style_header(sheet, header_row, len(columns))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)  # header and LA code, measure stay in view
    _fit_widths(sheet, header_row)


def _notes_sheet(sheet, evaluation: SelfEvaluation) -> None:
    _title_rows(sheet, evaluation, "notes")
    columns = ("Financial year", "Edition", "As at (UTC)", "Publication", "Extract", "LA code", "Load", "File name")
    sheet.append(columns)
    header_row = sheet.max_row
    for year in evaluation.years:
        edition = year.edition
        if edition is None:
            sheet.append(
                [
                    year.year.label,
                    None,
                    None,
                    None,
                    "no published edition: its figures are empty (publish the year to include it)",
                ]
            )
            continue
        loads = [load for load in edition.loads if evaluation.la_code in (None, load.get("la_code"))]
        for load in loads or [{}]:
            sheet.append(
                [
                    year.year.label,
                    edition.edition_id,
                    _naive_utc(edition.as_at),
                    edition.publication_id,
                    load.get("extract"),
                    load.get("la_code"),
                    load.get("load_id"),
                    load.get("file_name"),
                ]
            )
            sheet.cell(row=sheet.max_row, column=3).number_format = AS_AT_FORMAT
    _style_header(sheet, header_row, len(columns))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _fit_widths(sheet, header_row)


def _style_header(sheet, row: int, width: int) -> None:
    for column in range(1, width + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _fit_widths(sheet, header_row: int) -> None:
    """Each column as wide as its longest header or value (the title rows may overflow)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), len(_display_text(cell.value)))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)


def _display_text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _number(value: Decimal | None) -> int | float | None:
    """An Excel number: whole figures as integers, the rest (exact percentages) as floats."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)  # Excel has no time zones


def _as_at_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
