"""XLSX deliveries: the first sheet is read with openpyxl and takes the CSV path (decode, COPY, GX gate)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from qa_warehouse.load.contracts import get_contract, recognise
from qa_warehouse.load.ingest.loader import ingest_file
from qa_warehouse.load.ingest.spreadsheet import with_sheet_rows, xlsx_to_csv
from qa_warehouse.load.raw_schema import ensure_raw_schema
from qa_warehouse.problems import Violation
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import connect, resolve_warehouse

AUDITS = get_contract("case_file_audits")
COLUMNS = list(AUDITS.column_names)
TITLE = ["Case file audit export", None, None, None]


def audit(audit_id: str, **changes) -> list:
    """One case_file_audits row in contract column order, valid unless changed."""
    row = dict.fromkeys(COLUMNS)
    row.update(
        la_code=885,
        audit_id=audit_id,
        audit_type="case_file",
        service="fostering",
        subject_type="household",
        subject_id=f"H{audit_id}",
        lead_auditor_id="W1",
        audit_date=date(2024, 3, 1),
        overall_grade="good",
        child_views_sought="Y",
    )
    row.update(changes)
    return [row[c] for c in COLUMNS]


def workbook(rows: list[list], merged: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells a saved result, as Excel does when it saves (openpyxl writes none)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for cell, value in values.items():
                    content, found = re.subn(
                        rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/>'.encode(),
                        rb"\1<v>" + value.encode() + b"</v>",
                        content,
                    )
                    assert found == 1, cell
            target.writestr(item, content)
    return out.getvalue()


def column_letter(name: str) -> str:
    return openpyxl.utils.get_column_letter(COLUMNS.index(name) + 1)


# --- the conversion alone ------------------------------------------------------------------------


def test_title_rows_are_skipped_and_cells_become_the_text_the_contract_types_read():
    header = ["LA_Code", " Audit_ID "] + COLUMNS[2:]
    rows = [
        TITLE,
        ["Exported 31/03/2024"],
        [],
        header,
        audit(
            "A1",
            audit_date=datetime(2024, 3, 1, 14, 30),
            grade_matching=4.0,
            child_views_sought=True,
            parent_views_sought=False,
            learning=4.5,
        ),
        [],  # a blank row inside the data is kept, so row numbers stay those of the sheet
        audit("A2", la_code=885.0, audit_date="03/02/2024") + ["beyond the header: ignored"],
        [],
        [None, None],
    ]  # trailing blank rows are dropped
    sheet = xlsx_to_csv(workbook(rows, merged=("A1:D1",)), AUDITS, "case_file_audits_885_20240331.xlsx")

    assert sheet.violations == [] and sheet.header_row == 4
    lines = sheet.csv.decode("utf-8").split("\n")
    assert lines[0] == ",".join(COLUMNS)
    first = dict(zip(COLUMNS, lines[1].split(",")))
    assert (first["la_code"], first["audit_date"], first["grade_matching"]) == ("885", "2024-03-01", "4")
    assert (first["child_views_sought"], first["parent_views_sought"], first["learning"]) == ("true", "false", "4.5")
    assert lines[2] == "," * (len(COLUMNS) - 1)
    second = dict(zip(COLUMNS, lines[3].split(",")))
    assert (second["la_code"], second["audit_date"]) == ("885", "03/02/2024")  # text stays text
    assert len(lines[3].split(",")) == len(COLUMNS)
    assert lines[4:] == [""]


def test_the_header_must_be_within_the_first_20_rows():
    found = xlsx_to_csv(workbook([["title"]] * 19 + [COLUMNS, audit("A1")]), AUDITS, "f.xlsx")
    assert found.header_row == 20 and not found.violations

    (missing,) = xlsx_to_csv(workbook([["title"]] * 20 + [COLUMNS, audit("A1")]), AUDITS, "f.xlsx").violations
    assert (missing.file, missing.rule) == ("f.xlsx", "header_not_found")
    assert "la_code, audit_id, audit_type" in missing.message and "learning" not in missing.message


def test_a_header_missing_a_required_column_is_not_a_header():
    header = [c for c in COLUMNS if c != "overall_grade"]
    assert xlsx_to_csv(workbook([header]), AUDITS, "f.xlsx").violations[0].rule == "header_not_found"


def test_merged_cells_over_the_header_or_data_are_named_but_titles_and_columns_beyond_are_not():
    rows = [TITLE, COLUMNS, audit("A1"), audit("A2"), audit("A3")]
    beyond = openpyxl.utils.get_column_letter(len(COLUMNS) + 2)
    assert not xlsx_to_csv(workbook(rows, merged=("A1:D1", f"{beyond}3:{beyond}5")), AUDITS, "f.xlsx").violations

    (merged,) = xlsx_to_csv(workbook(rows, merged=("C4:C5",)), AUDITS, "f.xlsx").violations
    assert (merged.rule, merged.row, merged.sheet_row, merged.column, merged.value) == (
        "merged_cells",
        2,
        4,
        "audit_type",
        "C4:C5",
    )
    assert "sheet rows 4-5" in merged.message and "unmerge" in merged.message

    last = column_letter("learning")  # merging blanks all but the first cell: merge the last name with a blank
    (header,) = xlsx_to_csv(workbook(rows, merged=(f"{last}2:{beyond}2",)), AUDITS, "f.xlsx").violations
    assert (header.rule, header.row, header.sheet_row, header.column) == ("merged_cells", None, 2, "learning")


def test_a_formula_is_read_as_its_saved_value_and_one_without_a_value_is_named():
    rows = [TITLE, COLUMNS, audit("A1", peer_auditor_id="=100+1"), audit("A2", grade_matching="=B3")]
    peer, grade = f"{column_letter('peer_auditor_id')}3", f"{column_letter('grade_matching')}4"
    data = workbook(rows)

    both = xlsx_to_csv(data, AUDITS, "f.xlsx").violations
    assert [(v.rule, v.row, v.sheet_row, v.column) for v in both] == [
        ("formula_without_value", 1, 3, "peer_auditor_id"),
        ("formula_without_value", 2, 4, "grade_matching"),
    ]
    assert f"cell {peer} " in both[0].message and both[0].value == "=100+1"

    (missing,) = xlsx_to_csv(with_cached_values(data, {peer: "101"}), AUDITS, "f.xlsx").violations
    assert f"cell {grade} " in missing.message

    sheet = xlsx_to_csv(with_cached_values(data, {peer: "101", grade: "7"}), AUDITS, "f.xlsx")
    assert not sheet.violations
    assert [line.split(",")[COLUMNS.index("peer_auditor_id")] for line in sheet.csv.decode().splitlines()[1:]] == [
        "101",
        "",
    ]


def test_anything_but_a_workbook_is_not_a_workbook():
    for data in (b"la_code,audit_id\n885,A1\n", b"", zipfile_without_workbook()):
        (violation,) = xlsx_to_csv(data, AUDITS, "f.xlsx").violations
        assert (violation.file, violation.rule, violation.row) == ("f.xlsx", "not_a_workbook", None)


def zipfile_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def test_the_first_sheet_is_read_even_when_another_is_active():
    book = openpyxl.Workbook()
    book.active.append(COLUMNS)
    book.active.append(audit("A1"))
    other = book.create_sheet("Notes")
    other.append(COLUMNS)
    other.append(audit("B1"))
    other.append(audit("B2"))
    other.merge_cells("C2:C3")
    book.active = 1
    out = io.BytesIO()
    book.save(out)
    sheet = xlsx_to_csv(out.getvalue(), AUDITS, "f.xlsx")
    assert not sheet.violations and b",A1," in sheet.csv and b"B1" not in sheet.csv


def test_data_rows_are_given_their_sheet_rows():
    violations = [
        Violation("f", "required", "m", 3, "audit_id"),
        Violation("f", "not_a_workbook", "m"),
        Violation("f", "merged_cells", "m", None, None, "A2:B2", sheet_row=2),
    ]
    assert [v.sheet_row for v in with_sheet_rows(violations, 4)] == [7, None, 2]
    assert "row 3 (sheet row 7), column audit_id" in with_sheet_rows(violations, 4)[0].describe()
    assert "f: sheet row 2, rule merged_cells" in violations[2].describe()


# --- through the real loader, COPY and GX gate, against the embedded PostgreSQL -----------------------


def ingest(path: Path):
    warehouse = resolve_warehouse()
    with connect(warehouse) as conn:
        ensure_raw_schema(conn)
    return ingest_file(recognise(path), warehouse)


@pytest.fixture(scope="module")
def accepted(module_warehouse, tmp_path_factory):
    """A realistic export: a merged title, a note and a blank row above a mixed-case header."""
    header = ["LA_Code", "Audit_ID "] + [c.upper() for c in COLUMNS[2:]]
    rows = [
        TITLE,
        ["Exported 31/03/2024 by the audit tool"],
        [],
        header,
        audit(
            "A1",
            la_code=885.0,
            grade_voice_of_child="Requires Improvement",
            overall_grade="GOOD",
            grade_matching="requires-improvement",
            child_views_sought="Yes",
            parent_views_sought="N",
            carer_views_sought=True,
        ),
        [],
        audit(
            "A2",
            audit_date="03/02/2024",
            overall_grade="requires improvement",
            child_views_sought="TRUE",
            peer_auditor_id="=100+1",
            moderated_grade="Outstanding",
            moderation_date=datetime(2024, 3, 5),
        ),
    ]
    data = with_cached_values(workbook(rows, merged=("A1:D1",)), {f"{column_letter('peer_auditor_id')}7": "101"})
    path = tmp_path_factory.mktemp("landing") / "case_file_audits_885_20240331.xlsx"
    path.write_bytes(data)
    outcome = ingest(path)
    assert (outcome.status, outcome.rows, outcome.violations) == ("accepted", 2, [])
    return module_warehouse.query("select extract, la_code, load_id, file_name from raw.current_loads")


@pytest.mark.integration
def test_a_workbook_with_titles_above_its_header_loads_like_a_csv(accepted, module_warehouse):
    assert accepted == [("case_file_audits", "885", accepted[0][2], "case_file_audits_885_20240331.xlsx")]
    rows = module_warehouse.query(
        """select audit_id, _source_row, la_code, audit_date, grade_voice_of_child, grade_matching, overall_grade,
                  moderated_grade, moderation_date, child_views_sought, parent_views_sought, carer_views_sought,
                  peer_auditor_id
           from raw.case_file_audits order by audit_id"""
    )
    assert rows == [
        (
            "A1",
            1,
            "885",
            date(2024, 3, 1),
            "Requires Improvement",
            "requires-improvement",
            "GOOD",
            None,
            None,
            True,
            False,
            True,
            None,
        ),
        # data row 2 was the blank sheet row 6; the date typed as text is read dd/mm/yyyy
        (
            "A2",
            3,
            "885",
            date(2024, 2, 3),
            None,
            None,
            "requires improvement",
            "Outstanding",
            date(2024, 3, 5),
            True,
            None,
            None,
            "101",
        ),
    ]


def two_audits(merged=(), **second) -> bytes:
    """A title, the header on sheet row 2, audits A1 and A2 (data rows 1 and 2, sheet rows 3 and 4)."""
    return workbook([TITLE, COLUMNS, audit("A1"), audit("A2", **second)], merged=merged)


HELD = {  # a bad row in a sound workbook: name: (file bytes, rule, data row, sheet row, column, value)
    "unknown grade": (two_audits(overall_grade="Satisfactory"), "allowed_codes", 2, 4, "overall_grade", "Satisfactory"),
    "text that is no date": (two_audits(audit_date="next Tuesday"), "date_type", 2, 4, "audit_date", "next Tuesday"),
}
REFUSED = {  # a workbook that cannot be read as the extract: name: (file bytes, rule, data row, sheet row, column, value)
    "merged cells in the data": (two_audits(merged=("C3:C4",)), "merged_cells", 1, 3, "audit_type", "C3:C4"),
    "formula without a value": (
        two_audits(peer_auditor_id="=100+1"),
        "formula_without_value",
        2,
        4,
        "peer_auditor_id",
        "=100+1",
    ),
    "no header": (workbook([TITLE, audit("A1")]), "header_not_found", None, None, None, None),
    "not a workbook": (b"la_code,audit_id\n885,A1\n", "not_a_workbook", None, None, None, None),
}


@pytest.mark.integration
@pytest.mark.parametrize("case", list(HELD))
def test_a_bad_row_in_a_workbook_is_held_back_naming_the_cell_and_the_rest_loads(case, warehouse, tmp_path):
    data, rule, row, sheet_row, column, value = HELD[case]
    path = tmp_path / "case_file_audits_885_20240401.xlsx"
    path.write_bytes(data)

    outcome = ingest(path)

    assert (outcome.status, outcome.rows, outcome.rows_held) == ("accepted", 2, 1)
    assert [(v.file, v.rule, v.row, v.sheet_row, v.column, v.value, v.severity) for v in outcome.violations] == [
        (path.name, rule, row, sheet_row, column, value, "hold")
    ]
    assert f"sheet row {sheet_row}" in outcome.report_path.read_text(encoding="utf-8")
    assert warehouse.query("select source_row, held_by from raw.held_rows") == [(row, rule)]
    assert warehouse.query("select count(*) from raw.case_file_audits") == [(2,)]  # in raw, held out of staging


@pytest.mark.integration
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_faulty_workbook_is_quarantined_naming_the_cell_and_nothing_is_loaded(case, accepted, module_warehouse):
    data, rule, row, sheet_row, column, value = REFUSED[case]
    day = 1 + list(REFUSED).index(case)
    path = load_settings().quarantine_dir.parent / "landing" / f"case_file_audits_885_202404{day:02}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)

    outcome = ingest(path)

    assert outcome.status == "quarantined"
    assert [(v.file, v.rule, v.row, v.sheet_row, v.column, v.value) for v in outcome.violations] == [
        (path.name, rule, row, sheet_row, column, value)
    ]
    if rule == "formula_without_value":
        assert f"cell {column_letter('peer_auditor_id')}4 " in outcome.violations[0].message
    report = outcome.report_path.read_text(encoding="utf-8")
    assert path.name in report and rule in report
    if sheet_row:
        assert f"sheet row {sheet_row}" in report
    assert (load_settings().quarantine_dir / f"{path.name}.load{outcome.load_id}").read_bytes() == data
    ((logged,),) = module_warehouse.query("select errors from raw.load_log where load_id = %s", (outcome.load_id,))
    assert logged[0]["sheet_row"] == sheet_row
    # Nothing reached raw: the accepted delivery is still the current one, with its two rows.
    assert module_warehouse.query("select extract, la_code, load_id, file_name from raw.current_loads") == accepted
    assert module_warehouse.query("select count(*) from raw.case_file_audits") == [(2,)]
