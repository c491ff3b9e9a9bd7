"""The annual self-evaluation export: two authorities delivered for real, three financial years
published as editions (`qa-warehouse publish-period`), then `qa-warehouse sef`. The XLSX and CSV
hold exactly the editions' figures (which were the live tables' at publishing), as numbers; a
corrected source changes nothing until the year is published again; a year without an edition is
empty and says so."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from qa_warehouse import cli
from qa_warehouse_synthetic import LA_CODES, generate_extracts, generate_fostering_extracts
from qa_warehouse_synthetic.commentary import write_commentary
from tests.reference.project_files import SEEDS_DIR
from tests.test_editions import without_visits_of_some_households


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


pytestmark = pytest.mark.integration
AS_AT = dt.date(2025, 3, 31)
# 36 scorecard month ends and 12 QA quarters before 31 March 2025: financial years 2022/23 to 2024/25 are complete.
SIZE = dict(households=24, years=3, authorities=2, seed=41)
YEARS = ("2022/23", "2023/24", "2024/25")
CHOSEN = "2024/25"
# One sheet per section of the quarterly performance report (seed 002's), in its order, then the notes.
REPORT_SECTIONS = sorted(read_seed("report_section_titles.csv"), key=lambda row: int(row["section_order"]))
SHEETS = [row["section_title"][:31] for row in REPORT_SECTIONS] + ["Notes"]
SECTION_OF_SHEET = {row["section_title"][:31]: row["report_section"] for row in REPORT_SECTIONS}
FIGURES = ("numerator", "denominator", "value", "target")
BENCHMARKS = (
    "england_value",
    "region_value",
    "statistical_neighbours_value",
    "rank_among_authorities",
    "authorities_ranked",
    "quartile",
)
TEXTS = ("benchmark_time_period", "commentary", "commentary_action", "commentary_owner", "commentary_author")
BASE_COLUMNS = ["LA code", "Measure", "Unit"]
# The first authority's commentary on its year's referrals: the export shows it beside the figure.
YEAR_COMMENTARY = {
    "period": CHOSEN,
    "measure_code": "referrals",
    "narrative": "Referrals over the year were in line with the year before.",
    "action": "Review the front door's thresholds with partners",
    "owner": "Head of Front Door",
    "author": "Performance lead",
}


def year_bounds(year: str) -> tuple[str, str]:
    first = int(year[:4])
    return f"{first}-04-01", f"{first + 1}-03-31"


def publish_year(year: str) -> None:
    first, last = year_bounds(year)
    assert cli.main(["publish-period", "--kind", "financial_year", "--first", first, "--last", last]) == 0


def live_year_figures(warehouse, year: str) -> dict[tuple[str, str], dict[str, Decimal | None]]:
    """(la_code, measure_code) -> figure -> value of the live financial-year authority totals."""
    return {
        (la, measure): dict(zip(FIGURES, values))
        for la, measure, *values in warehouse.query(
            """select la_code, measure_code, numerator::numeric, denominator::numeric, value, target
           from reporting.measure_values
           where period_kind = 'financial_year' and breakdown = 'All' and period_start = %s""",
            (year_bounds(year)[0],),
        )
    }


def edition_of(warehouse, year: str) -> tuple[int, dt.datetime] | None:
    rows = warehouse.query(
        """select edition_id, as_at from reporting.editions
                              where period_kind = 'financial_year' and period_first_day = %s
                              order by edition_id desc limit 1""",
        (year_bounds(year)[0],),
    )
    return rows[0] if rows else None


def edition_figures(warehouse, edition_id: int) -> dict[tuple[str, str], dict[str, Decimal | None]]:
    """The same figures, read independently of the export from the edition's long form."""
    figures: dict = {}
    for grain, figure, value in warehouse.query(
        "select grain, figure, value from reporting.edition_figures where edition_id = %s "
        "and table_name = 'measure_values'",
        (edition_id,),
    ):
        if grain["period_kind"] == "financial_year" and grain["breakdown"] == "All" and figure in FIGURES:
            figures.setdefault((grain["la_code"], grain["measure_code"]), {})[figure] = value
    return figures


def sections_with_figures(warehouse) -> set[str]:
    """The sections the data set delivers: a measure of another section (children in need, which the
    generator does not make yet) has a row in the export but no figures."""
    return {
        section
        for (section,) in warehouse.query(
            "select distinct m.report_section from reporting.measure_values v"
            " join reporting.report_measures m using (measure_code)"
        )
    }


def measures_by_section(warehouse) -> dict[str, list[tuple[str, str, str]]]:
    """section -> [(measure_code, measure_name, unit)] in display order."""
    by_section: dict = {}
    for section, code, name, unit in warehouse.query(
        "select report_section, measure_code, measure_name, unit from reporting.report_measures "
        "order by report_section, display_order"
    ):
        by_section.setdefault(section, []).append((code, name, unit))
    return by_section


@dataclass
class Sheet:
    header_row: int
    headers: list[str]
    rows: list[dict[str, openpyxl.cell.Cell]]  # header -> cell
    notes: list[str]  # the text rows above the header


def read_sheet(worksheet) -> Sheet:
    header_row = next(cell.row for cell in worksheet["A"] if cell.value == "LA code" or cell.value == "Financial year")
    headers = [cell.value for cell in worksheet[header_row]]
    rows = [dict(zip(headers, row)) for row in worksheet.iter_rows(min_row=header_row + 1)]
    notes = [worksheet.cell(row=r, column=1).value for r in range(1, header_row)]
    return Sheet(header_row, headers, rows, [n for n in notes if n])


def xlsx_figures(path: Path, measure_codes: dict[str, str], sheets: list[str]) -> dict[tuple[str, str, str], dict]:
    """(year, la_code, measure_code) -> {value, numerator, denominator, edition} as the XLSX cells of
    `sheets` hold them."""
    workbook = openpyxl.load_workbook(path)
    figures = {}
    for name in sheets:
        for row in read_sheet(workbook[name]).rows:
            code = measure_codes[row["Measure"].value]
            for year in YEARS:
                figures[(year, row["LA code"].value, code)] = {
                    figure: row[f"{year} {figure}"].value for figure in ("value", "numerator", "denominator", "edition")
                }
    return figures


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def number(value: Decimal | None) -> float | int | None:
    return None if value is None else (int(value) if value == value.to_integral_value() else float(value))


def in_excel(value: Decimal | None):
    """What a cell holding `value` reads back as: whole numbers exactly, others to the precision an
    XLSX file keeps (openpyxl writes 16 significant digits; Excel shows 15)."""
    if value is None or value == value.to_integral_value():
        return number(value)
    return pytest.approx(float(value), rel=1e-15, abs=0)


@dataclass
class Published:
    editions: dict[str, int]  # year -> edition id
    live_at_publishing: dict[str, dict]  # year -> live financial-year figures just after it was published
    xlsx: Path
    csv: Path
    measure_codes: dict[str, str]  # measure name -> code
    figured_sheets: list[str]  # the sheets of the sections the data set delivers


@pytest.fixture(scope="module")
def published(module_warehouse, tmp_path_factory) -> Published:
    warehouse = module_warehouse
    delivery = tmp_path_factory.mktemp("delivery")
    generate_extracts(delivery, as_at=AS_AT, **SIZE)
    write_commentary(delivery, LA_CODES[0], dt.date(2025, 4, 20), [dict(YEAR_COMMENTARY)])
    assert cli.main(["run", "--landing", str(delivery)]) == 0
    live, editions = {}, {}
    for year in YEARS:
        publish_year(year)
        live[year] = live_year_figures(warehouse, year)
        editions[year] = edition_of(warehouse, year)[0]
    out = tmp_path_factory.mktemp("sef")
    xlsx, csv_path = cli_export(["--year", CHOSEN, "--out", str(out)])
    codes = {
        name: code for code, name in warehouse.query("select measure_code, measure_name from reporting.report_measures")
    }
    figured = sections_with_figures(warehouse)
    sheets = [name for name in SHEETS[:-1] if SECTION_OF_SHEET[name] in figured]
    return Published(editions, live, xlsx, csv_path, codes, sheets)


def cli_export(arguments: list[str]) -> tuple[Path, Path]:
    """Run `qa-warehouse sef` and return the two paths it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["sef", *arguments]) == 0
    xlsx, csv_path = (Path(line.removeprefix("wrote ")) for line in printed.getvalue().splitlines())
    assert xlsx.suffix == ".xlsx" and csv_path.suffix == ".csv" and xlsx.exists() and csv_path.exists()
    return xlsx, csv_path


SNAPSHOT_MEASURES = {"residential_occupancy", "workforce_average_caseload"}


def test_three_complete_years_were_published_as_editions_of_the_live_figures(published, module_warehouse):
    measures = module_warehouse.query(
        "select count(*) from reporting.report_measures where report_section = any(%s)",
        (sorted(sections_with_figures(module_warehouse)),),
    )[0][0]
    # The measures without a year figure: rates per 10,000 (no ONS population file in this data set)
    # and the snapshots taken at the latest month end only (occupancy, caseloads).
    (without_year_figure,) = module_warehouse.query(
        "select array_agg(measure_code) from reporting.report_measures"
        " where report_section = any(%s) and (unit = 'rate_per_10000' or measure_code = any(%s))",
        (sorted(sections_with_figures(module_warehouse)), list(SNAPSHOT_MEASURES)),
    )[0]
    for year in YEARS:
        live = published.live_at_publishing[year]
        assert {code for _, code in live}.isdisjoint(set(without_year_figure) - SNAPSHOT_MEASURES), year
        assert len(LA_CODES[:2]) * (measures - len(without_year_figure)) <= len(live) <= len(LA_CODES[:2]) * measures
        assert edition_figures(module_warehouse, published.editions[year]) == published.live_at_publishing[year]
    assert published.xlsx.name == "self_evaluation_2024-25.xlsx"
    assert published.csv.name == "self_evaluation_2024-25.csv"


def test_every_xlsx_figure_is_the_editions_number_as_a_numeric_cell(published, module_warehouse):
    shown = xlsx_figures(published.xlsx, published.measure_codes, published.figured_sheets)
    expected = {}
    for year in YEARS:
        for (la, code), figures in edition_figures(module_warehouse, published.editions[year]).items():
            expected[(year, la, code)] = {
                **{f: in_excel(figures[f]) for f in ("value", "numerator", "denominator")},
                "edition": published.editions[year],
            }
    # a measure with no figure for a year (see above) is on its sheet with empty cells
    empty = {key: figures for key, figures in shown.items() if key not in expected}
    assert all(
        figures == {"value": None, "numerator": None, "denominator": None, "edition": published.editions[key[0]]}
        for key, figures in empty.items()
    ), empty
    assert {key: figures for key, figures in shown.items() if key in expected} == expected
    workbook = openpyxl.load_workbook(published.xlsx)
    numeric_cells = 0
    for name in published.figured_sheets:
        sheet = read_sheet(workbook[name])
        for row in sheet.rows:
            for header, cell in row.items():
                # the rest are figures
                is_text = "as at" in header or header.endswith(
                    ("benchmark year", "commentary", "action", "owner", "author")
                )
                if header not in BASE_COLUMNS and cell.value is not None and not is_text:
                    assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (name, header, cell.value)
                    numeric_cells += 1
            one_decimal = row["Unit"].value in ("percentage", "average", "rate_per_10000")
            assert row[f"{CHOSEN} value"].number_format == ("0.0" if one_decimal else "0")
            assert isinstance(row[f"{CHOSEN} as at (UTC)"].value, dt.datetime)
    assert numeric_cells > 0


def test_the_target_and_the_change_from_the_previous_year_are_numbers(published, module_warehouse):
    chosen = edition_figures(module_warehouse, published.editions[CHOSEN])
    before = edition_figures(module_warehouse, published.editions["2023/24"])
    workbook = openpyxl.load_workbook(published.xlsx)
    changes = 0
    for name in published.figured_sheets:
        for row in read_sheet(workbook[name]).rows:
            key = (row["LA code"].value, published.measure_codes[row["Measure"].value])
            change = row[f"Change 2023/24 to {CHOSEN}"]
            if key not in chosen:  # no figure for the year (a rate without the ONS population)
                assert change.value is None
                continue
            assert row[f"{CHOSEN} target"].value == in_excel(chosen[key]["target"])
            if chosen[key]["value"] is None or key not in before or before[key]["value"] is None:
                assert change.value is None
            else:
                assert change.value == in_excel(chosen[key]["value"] - before[key]["value"])
                assert change.data_type == "n"
                changes += 1
    assert changes > 0


def test_one_sheet_per_section_with_its_measures_in_display_order(published, module_warehouse):
    workbook = openpyxl.load_workbook(published.xlsx)
    assert workbook.sheetnames == SHEETS
    measures = measures_by_section(module_warehouse)
    for name in SHEETS[:-1]:
        worksheet = workbook[name]
        sheet = read_sheet(worksheet)
        expected = [
            (la, measure_name, unit)
            for la in LA_CODES[:2]
            for _, measure_name, unit in measures.get(SECTION_OF_SHEET[name], [])
        ]
        assert [(r["LA code"].value, r["Measure"].value, r["Unit"].value) for r in sheet.rows] == expected
        assert sheet.notes[0].startswith(f"Annual self-evaluation {CHOSEN}: {name}, all authorities")
        assert "from published editions" in sheet.notes[1]
        header = worksheet[sheet.header_row]
        assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("DDEBF7") for cell in header)
        assert worksheet.freeze_panes == f"C{sheet.header_row + 1}"
        assert worksheet.column_dimensions["B"].width >= max((len(m) for _, m, _ in expected), default=0)
        if not expected:  # a section without measures yet says so
            assert "No measures are in this section of the report yet." in sheet.notes
        assert sheet.headers[3:8] == [
            "2022/23 value",
            "2022/23 numerator",
            "2022/23 denominator",
            "2022/23 edition",
            "2022/23 as at (UTC)",
        ]


def test_the_notes_sheet_lists_each_years_edition_and_its_loads(published, module_warehouse):
    sheet = read_sheet(openpyxl.load_workbook(published.xlsx)["Notes"])
    listed = {
        (
            r["Financial year"].value,
            r["Edition"].value,
            r["Publication"].value,
            r["Extract"].value,
            r["LA code"].value,
            r["Load"].value,
            r["File name"].value,
        )
        for r in sheet.rows
    }
    expected = set()
    for year in YEARS:
        ((publication, loads),) = module_warehouse.query(
            "select publication_id, loads from reporting.editions where edition_id = %s", (published.editions[year],)
        )
        expected |= {
            (
                year,
                published.editions[year],
                publication,
                load["extract"],
                load["la_code"],
                load["load_id"],
                load["file_name"],
            )
            for load in loads
        }
    assert listed == expected
    assert len({r[3] for r in expected}) >= 9  # every extract of both areas


def test_the_csv_holds_the_same_numbers_one_row_per_authority_measure_and_year(published, module_warehouse):
    rows = read_csv(published.csv)
    assert list(rows[0]) == [
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
        *BENCHMARKS,
        *TEXTS,
        "edition_id",
        "as_at",
    ]
    measures = {
        code: (section, name, unit)
        for section, items in measures_by_section(module_warehouse).items()
        for code, name, unit in items
    }
    assert len(rows) == 2 * len(measures) * len(YEARS)
    figured = sections_with_figures(module_warehouse)
    seen = set()
    for row in rows:
        year, la, code = row["financial_year"], row["la_code"], row["measure_code"]
        edition_id, as_at = edition_of(module_warehouse, year)
        assert (row["section"], row["measure_name"], row["unit"]) == measures[code]
        seen.add((la, code, year))
        figures = edition_figures(module_warehouse, edition_id).get((la, code))
        if measures[code][0] not in figured or figures is None:  # no figure: a section not delivered,
            # or a measure without a figure for the year
            assert all(row[figure] == "" for figure in ("numerator", "denominator", "value")), (la, code)
            continue
        for figure in FIGURES:
            assert (Decimal(row[figure]) if row[figure] else None) == figures[figure], (year, la, code, figure)
            assert "e" not in row[figure].lower()  # plain numbers, no exponent
        assert int(row["edition_id"]) == edition_id
        assert dt.datetime.fromisoformat(row["as_at"]) == as_at
    assert len(seen) == len(rows)


def test_a_corrected_source_changes_the_export_only_once_the_year_is_published_again(
    published, module_warehouse, tmp_path_factory
):
    warehouse = module_warehouse
    correction = tmp_path_factory.mktemp("correction")
    generate_fostering_extracts(correction, as_at=AS_AT, **SIZE)
    for other in correction.iterdir():
        if not other.name.startswith(f"carer_visits_{LA_CODES[0]}_"):
            other.unlink()
    (visits,) = correction.iterdir()
    without_visits_of_some_households(visits)
    assert cli.main(["run", "--landing", str(correction)]) == 0
    live_now = live_year_figures(warehouse, CHOSEN)
    assert live_now != published.live_at_publishing[CHOSEN], "the correction must change a 2024/25 figure"

    xlsx, csv_path = cli_export(["--year", "2024-25", "--out", str(tmp_path_factory.mktemp("after_correction"))])
    assert csv_path.read_bytes() == published.csv.read_bytes()
    assert xlsx_figures(xlsx, published.measure_codes, published.figured_sheets) == xlsx_figures(
        published.xlsx, published.measure_codes, published.figured_sheets
    )

    publish_year(CHOSEN)
    republished = edition_of(warehouse, CHOSEN)[0]
    assert republished > published.editions[CHOSEN]
    xlsx, csv_path = cli_export(["--year", CHOSEN, "--out", str(tmp_path_factory.mktemp("republished"))])
    shown = xlsx_figures(xlsx, published.measure_codes, published.figured_sheets)
    before = xlsx_figures(published.xlsx, published.measure_codes, published.figured_sheets)
    assert {key: figures for key, figures in shown.items() if key[0] != CHOSEN} == {
        key: figures for key, figures in before.items() if key[0] != CHOSEN
    }
    assert {
        (la, code): {f: shown[(CHOSEN, la, code)][f] for f in ("value", "numerator", "denominator")}
        for la, code in live_now
    } == {key: {f: in_excel(live_now[key][f]) for f in ("value", "numerator", "denominator")} for key in live_now}
    assert {figures["edition"] for key, figures in shown.items() if key[0] == CHOSEN} == {republished}
    assert {row["edition_id"] for row in read_csv(csv_path) if row["financial_year"] == CHOSEN} == {str(republished)}


def test_a_year_without_an_edition_is_empty_and_says_so(published, module_warehouse, tmp_path):
    xlsx, csv_path = cli_export(["--year", "2023/24", "--la", LA_CODES[1], "--out", str(tmp_path)])
    assert xlsx.name == f"self_evaluation_2023-24_{LA_CODES[1]}.xlsx"
    assert csv_path.name == f"self_evaluation_2023-24_{LA_CODES[1]}.csv"
    workbook = openpyxl.load_workbook(xlsx)
    for name in published.figured_sheets:
        sheet = read_sheet(workbook[name])
        assert any(note.startswith("Note: 2021/22 has no published edition") for note in sheet.notes)
        assert {row["LA code"].value for row in sheet.rows} == {LA_CODES[1]}
        for row in sheet.rows:
            assert all(
                row[f"2021/22 {column}"].value is None
                for column in ("value", "numerator", "denominator", "edition", "as at (UTC)")
            )
            assert row["2022/23 edition"].value == published.editions["2022/23"]
            values = (row["2022/23 value"].value, row["2023/24 value"].value)
            assert (row["Change 2022/23 to 2023/24"].value is None) == (None in values)
    notes = read_sheet(workbook["Notes"])
    (missing,) = [row for row in notes.rows if row["Financial year"].value == "2021/22"]
    assert missing["Edition"].value is None and "no published edition" in missing["Extract"].value
    assert {row["LA code"].value for row in notes.rows if row["Edition"].value} == {LA_CODES[1]}

    rows = read_csv(csv_path)
    empty_year = [row for row in rows if row["financial_year"] == "2021/22"]
    assert empty_year and all(
        row[c] == ""
        for row in empty_year
        for c in ("numerator", "denominator", "value", "target", "edition_id", "as_at")
    )
    assert {row["la_code"] for row in rows} == {LA_CODES[1]}
    assert {row["financial_year"] for row in rows} == {"2021/22", "2022/23", "2023/24"}


def test_the_cli_errors_clearly(published, module_warehouse, tmp_path, capsys):
    assert cli.main(["sef", "--year", "2025/26", "--out", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert "no published edition of financial year 2025/26" in error
    assert "Financial years published so far: 2022/23, 2023/24, 2024/25" in error
    assert "qa-warehouse publish-period --kind financial_year --first 2025-04-01 --last 2026-03-31" in error
    assert "qa_close_financial_year" in error
    assert list(tmp_path.iterdir()) == []

    assert cli.main(["sef", "--year", "2024/26", "--out", str(tmp_path)]) == 1
    assert "the year after 2024 is 2025, so write 2024/25" in capsys.readouterr().err
    assert cli.main(["sef", "--year", "last year", "--out", str(tmp_path)]) == 1
    assert "is not like 2025/26" in capsys.readouterr().err
    assert cli.main(["sef", "--year", CHOSEN, "--la", "999", "--out", str(tmp_path)]) == 1
    assert (
        f"holds no financial-year figures of reporting.measure_values for authority 999 "
        f"(authorities in it: {', '.join(sorted(LA_CODES[:2]))})"
    ) in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []

    assert (
        cli.main(["publish-period", "--kind", "financial_year", "--first", "2024-04-02", "--last", "2025-03-31"]) == 1
    )
    assert "no financial_year starts on 2024-04-02 (the financial_year containing it starts on 2024-04-01)" in (
        capsys.readouterr().err
    )
    assert (
        cli.main(["publish-period", "--kind", "financial_year", "--first", "2025-04-01", "--last", "2026-03-31"]) == 1
    )
    assert "not publishing the financial_year to 2026-03-31" in capsys.readouterr().err
    assert edition_of(module_warehouse, "2025/26") is None


def test_the_commentary_the_edition_published_is_beside_its_figure(published, module_warehouse):
    la, code = LA_CODES[0], YEAR_COMMENTARY["measure_code"]
    rows = [r for r in read_csv(published.csv) if r["commentary"]]
    assert [(r["la_code"], r["measure_code"], r["financial_year"]) for r in rows] == [(la, code, CHOSEN)]
    (row,) = rows
    assert (row["commentary"], row["commentary_action"], row["commentary_owner"], row["commentary_author"]) == (
        YEAR_COMMENTARY["narrative"],
        YEAR_COMMENTARY["action"],
        YEAR_COMMENTARY["owner"],
        YEAR_COMMENTARY["author"],
    )
    # as the edition kept it (reporting.edition_texts), read independently of the export
    kept = {
        column: text
        for grain, column, text in module_warehouse.query(
            "select grain, column_name, text_value from reporting.edition_texts where edition_id = %s"
            " and table_name = 'measure_values'",
            (published.editions[CHOSEN],),
        )
        if grain["la_code"] == la and grain["measure_code"] == code and grain["period_kind"] == "financial_year"
    }
    assert kept == {
        "commentary": row["commentary"],
        "commentary_action": row["commentary_action"],
        "commentary_owner": row["commentary_owner"],
        "commentary_author": row["commentary_author"],
    }
    workbook = openpyxl.load_workbook(published.xlsx)
    sheet_name = next(name for name, section in SECTION_OF_SHEET.items() if section == "referrals")
    sheet = read_sheet(workbook[sheet_name])
    (noted,) = [r for r in sheet.rows if r[f"{CHOSEN} commentary"].value]
    assert (noted["LA code"].value, noted[f"{CHOSEN} commentary"].value) == (la, YEAR_COMMENTARY["narrative"])
    assert {f"{CHOSEN} England", f"{CHOSEN} statistical neighbours", f"{CHOSEN} quartile"} <= set(sheet.headers)
