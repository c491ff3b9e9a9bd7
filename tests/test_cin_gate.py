"""The children in need census gate on bad input (docs/data-quality.md): the XML return read safely
(cin_xml.read_return), the contract at ingest, and DfE's CIN validator on the delivery as a whole.

Each bad input is a named finding with its file, its line and element path (XML) or row (CSV), its
child and its true count. A file that cannot be trusted is quarantined and everything published stays
as it was; a bad row holds its child (every row of that child in the delivery) out of raw's current
snapshot, while the rest loads.

The inputs are small and hand-made: three children of authority 885 (Worcestershire) as at
31 March 2025, the 2024/25 census, which DfE's validator (ruleset cin2024_25) passes with no hold:
UPNs with Worcestershire's LA code and their check letters, DfE's codes, an ICPC on the day the plan
starts, reviews on weekdays.
"""

from __future__ import annotations

import contextlib
import csv
import io
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from qa_warehouse.load.ingest.cin_xml import FLAT_COLUMNS, in_census_year, read_return, write_return
from tests.published import current_loads, every_published_table

LA = "885"
AS_AT = date(2025, 3, 31)
COLLECTION_YEAR = 2025  # the census year 1 April 2024 to 31 March 2025
XML_NAME = f"cin_census_{LA}_{AS_AT:%Y%m%d}.xml"


def upn(digits: str) -> str:
    """A UPN: DfE's check letter (weights 2..13 over the 12 digits, mod 23), then the digits."""
    total = sum(int(d) * weight for weight, d in enumerate(digits, start=2)) % 23
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total] + digits


CHILDREN = {  # LA code 885 in characters 2-4 (DfE rule 1530)
    "CIN001": dict(
        UPN=upn("885200124001"), PersonBirthDate="2015-03-04", Sex="M", Ethnicity="WBRI", Disabilities="NONE"
    ),
    "CIN002": dict(
        UPN=upn("885200112002"), PersonBirthDate="2012-06-10", Sex="F", Ethnicity="MWBC", Disabilities="MOB,HEAR"
    ),
    "CIN003": dict(
        UPN=upn("885200119003"), PersonBirthDate="2019-11-23", Sex="F", Ethnicity="ABAN", Disabilities="NONE"
    ),
}
EPISODES = {
    # open: assessed, a section 47 enquiry, its ICPC on the day the child protection plan began, two reviews
    "CIN001": dict(CINreferralDate="2024-05-01", ReferralSource="1A", PrimaryNeedCode="N1", ReferralNFA="false"),
    # closed after an assessment and a CIN plan
    "CIN002": dict(
        CINreferralDate="2024-07-01",
        ReferralSource="5A",
        PrimaryNeedCode="N2",
        ReferralNFA="false",
        CINclosureDate="2025-01-10",
        ReasonForClosure="RC7",
    ),
    # a referral with no further action, closed the same day
    "CIN003": dict(
        CINreferralDate="2024-10-01",
        ReferralSource="2A",
        PrimaryNeedCode="N9",
        ReferralNFA="true",
        CINclosureDate="2024-10-01",
        ReasonForClosure="RC7",
    ),
}
ASSESSMENT_1 = dict(AssessmentActualStartDate="2024-05-02", AssessmentAuthorisationDate="2024-06-10", Factors="2B,3A")
ASSESSMENT_2 = dict(AssessmentActualStartDate="2024-07-02", AssessmentAuthorisationDate="2024-08-15", Factors="1C,4A")
PLAN = dict(
    CPPstartDate="2024-05-20", InitialCategoryOfAbuse="NEG", LatestCategoryOfAbuse="NEG", NumberOfPreviousCPP="0"
)
CIN_PLAN = dict(CINPlanStartDate="2024-08-20", CINPlanEndDate="2024-12-20")


def event(child: str, kind: str, when: str, **cells: str) -> dict[str, str]:
    """One flat row: the event, the child's identifiers and its episode's details (the flat layout)."""
    return {"LAchildID": child, "Date": when, "Type": kind, **CHILDREN[child], **EPISODES[child], **cells}


def clean_rows() -> list[dict[str, str]]:
    """The delivery's flat rows, in the order a case management system might export them."""
    return [
        event("CIN001", "CINreferralDate", "2024-05-01"),
        event("CIN001", "AssessmentActualStartDate", "2024-05-02", **ASSESSMENT_1),
        event("CIN001", "AssessmentAuthorisationDate", "2024-06-10", **ASSESSMENT_1),
        event(
            "CIN001",
            "S47ActualStartDate",
            "2024-05-03",
            S47ActualStartDate="2024-05-03",
            InitialCPCtarget="2024-05-24",
            DateOfInitialCPC="2024-05-20",
            ICPCnotRequired="false",
        ),
        event("CIN001", "CPPstartDate", "2024-05-20", **PLAN),
        event("CIN001", "CPPreviewDate", "2024-08-12", **PLAN),
        event("CIN001", "CPPreviewDate", "2025-02-10", **PLAN),
        event("CIN002", "CINreferralDate", "2024-07-01"),
        event("CIN002", "CINclosureDate", "2025-01-10"),
        event("CIN002", "AssessmentActualStartDate", "2024-07-02", **ASSESSMENT_2),
        event("CIN002", "AssessmentAuthorisationDate", "2024-08-15", **ASSESSMENT_2),
        event("CIN002", "CINPlanStartDate", "2024-08-20", **CIN_PLAN),
        event("CIN002", "CINPlanEndDate", "2024-12-20", **CIN_PLAN),
        event("CIN003", "CINreferralDate", "2024-10-01"),
        event("CIN003", "CINclosureDate", "2024-10-01"),
    ]


def census_xml(rows: list[dict[str, str]] | None = None, la: str = LA) -> bytes:
    return write_return(clean_rows() if rows is None else rows, la, COLLECTION_YEAR)


def census_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, FLAT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def line_of(data: bytes, text: str, nth: int = 1) -> int:
    """The line (from 1) of the nth line of the file holding `text`: where a finding must point."""
    found = [number for number, line in enumerate(data.decode("utf-8").splitlines(), start=1) if text in line]
    return found[nth - 1]


def edited(data: bytes, old: str, new: str, count: int = 1) -> bytes:
    text = data.decode("utf-8")
    assert text.count(old) >= count, old
    return text.replace(old, new, count).encode("utf-8")


def _bomb() -> bytes:
    """Billion laughs: ten levels of ten references, a gigabyte of 'lol' if it were ever expanded."""
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f'<?xml version="1.0"?>\n<!DOCTYPE Message [\n{"".join(levels)}\n]>\n<Message>&lol9;</Message>\n'.encode()


def _with_doctype(doctype: str, body: bytes) -> bytes:
    return edited(
        body, '<?xml version="1.0" encoding="UTF-8"?>\n', f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
    )


# Files that cannot be trusted: (the file's bytes, rule, where the finding points).
def refused_xml() -> dict[str, tuple[bytes, str, str]]:
    clean = census_xml()
    return {
        "malformed": (edited(clean, "</Sex>", "</Sx>"), "xml_malformed", f"line {line_of(clean, '</Sex>')}, column "),
        "dtd": (
            _with_doctype("<!DOCTYPE Message [<!ELEMENT Message ANY>]>", clean),
            "xml_dtd",
            "line 2",
        ),
        "external_entity": (
            edited(
                _with_doctype('<!DOCTYPE Message [<!ENTITY lea SYSTEM "file:///etc/passwd">]>', clean),
                f"<LEA>{LA}</LEA>",
                "<LEA>&lea;</LEA>",
            ),
            "xml_external_reference",
            "line 2",
        ),
        "entity_bomb": (_bomb(), "xml_entity", "line 3"),
        "wrong_root": (
            edited(edited(clean, "<Message>", "<CINCensus>"), "</Message>", "</CINCensus>"),
            "xml_root",
            "line 2",
        ),
        "namespace_on_message": (
            edited(clean, "<Message>", '<Message xmlns="http://www.dfe.gov.uk/CIN">'),
            "xml_root",
            "line 2",
        ),
        "lea_not_the_file_names": (
            edited(clean, f"<LEA>{LA}</LEA>", "<LEA>886</LEA>"),
            "la_code_matches_file",
            f"line {line_of(clean, '<LEA>')}, /Message/Header[1]/Source[1]/LEA",
        ),
    }


# --- read_return alone: fast, no warehouse -------------------------------------------------------------


def test_a_clean_return_reads_back_to_its_flat_rows_each_naming_its_element():
    data = census_xml()
    returned = read_return(data, XML_NAME, LA)
    assert returned.violations == []
    read = list(csv.DictReader(io.StringIO(returned.csv.decode("utf-8"))))
    expected = [{c: row.get(c, "") for c in FLAT_COLUMNS} for row in clean_rows()]
    key = lambda r: (r["LAchildID"], r["Type"], r["Date"])  # noqa: E731
    assert sorted(read, key=key) == sorted(expected, key=key)
    # Every row names its event's element, at the line the element is on.
    for row, where in zip(read, returned.locations, strict=True):
        line, path = where.split(", ", 1)
        assert path.endswith(row["Type"]) or path.split("/")[-1].startswith(row["Type"] + "["), (row, where)
        assert f"<{row['Type']}>{row['Date']}</" in data.decode().splitlines()[int(line.split()[1]) - 1], where
    # ...and each value names the element it was read from: the referral date repeated on an
    # assessment row is the CINdetails' own.
    assessment = read.index(next(r for r in read if r["Type"] == "AssessmentActualStartDate"))
    assert returned.value_locations[assessment]["cinreferraldate"] == (
        f"line {line_of(data, '<CINreferralDate>2024-05-01')}, /Message/Children[1]/Child[1]/CINdetails[1]/CINreferralDate"
    )


def test_a_child_with_a_second_episode_two_assessments_and_a_second_plan_reads_back_exactly():
    second = dict(CINreferralDate="2025-02-03", ReferralSource="3A", PrimaryNeedCode="N3", ReferralNFA="false")
    open_assessment = dict(AssessmentActualStartDate="2025-02-04")
    done = dict(AssessmentActualStartDate="2025-02-05", AssessmentAuthorisationDate="2025-03-01", Factors="21")
    ended = dict(
        CPPstartDate="2024-11-04",
        CPPendDate="2025-01-06",
        InitialCategoryOfAbuse="PHY",
        LatestCategoryOfAbuse="MUL",
        NumberOfPreviousCPP="1",
    )
    reopened = {**second, "CINclosureDate": "", "ReasonForClosure": ""}
    rows = clean_rows() + [
        event("CIN002", "CINreferralDate", "2025-02-03", **reopened),
        event("CIN002", "AssessmentActualStartDate", "2025-02-04", **reopened, **open_assessment),
        event("CIN002", "AssessmentActualStartDate", "2025-02-05", **reopened, **done),
        event("CIN002", "AssessmentAuthorisationDate", "2025-03-01", **reopened, **done),
        event("CIN001", "CPPstartDate", "2024-11-04", **ended),
        event("CIN001", "CPPendDate", "2025-01-06", **ended),
        event("CIN001", "CPPreviewDate", "2024-12-02", **ended),
    ]
    data = census_xml(rows)
    returned = read_return(data, XML_NAME, LA)
    assert returned.violations == []
    read = list(csv.DictReader(io.StringIO(returned.csv.decode("utf-8"))))
    key = lambda r: tuple(r[c] for c in ("LAchildID", "CINreferralDate", "Type", "Date", "CPPstartDate"))  # noqa: E731
    assert sorted(read, key=key) == sorted(({c: r.get(c, "") for c in FLAT_COLUMNS} for r in rows), key=key)
    where = dict(zip(((r["LAchildID"], r["Type"], r["Date"]) for r in read), returned.locations, strict=True))
    assert where[("CIN002", "AssessmentActualStartDate", "2025-02-05")] == (
        f"line {line_of(data, '2025-02-05')}, /Message/Children[1]/Child[2]/CINdetails[2]/Assessments[2]/AssessmentActualStartDate"
    )
    assert where[("CIN001", "CPPreviewDate", "2024-12-02")] == (
        f"line {line_of(data, '2024-12-02')}, "
        "/Message/Children[1]/Child[1]/CINdetails[1]/ChildProtectionPlans[2]/Reviews[1]/CPPreviewDate[1]"
    )


@pytest.mark.parametrize("case", sorted(refused_xml()))
def test_an_xml_return_that_cannot_be_trusted_is_refused_by_name_with_its_line(case):
    data, rule, where = refused_xml()[case]
    returned = read_return(data, XML_NAME, LA)
    assert returned.csv == b"" and returned.locations == []
    (violation,) = returned.violations
    assert (violation.file, violation.rule, violation.row) == (XML_NAME, rule, None)
    assert violation.location.startswith(where) and violation.message.startswith(where), violation


def test_an_entity_bomb_is_refused_at_its_first_declaration_fast_and_small():
    bomb = _bomb()
    tracemalloc.start()
    started = time.perf_counter()
    returned = read_return(bomb, XML_NAME, LA)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    (violation,) = returned.violations
    assert violation.rule == "xml_entity" and "'lol0'" in violation.message and "never expanded" in violation.message
    assert elapsed < 1.0 and peak < 5_000_000, (elapsed, peak)  # expanded, it would be ~3 GB of text


def test_an_element_out_of_order_is_one_hold_on_its_child_naming_line_and_path():
    clean = census_xml()
    # <Sex> moved in front of <LAchildID>: the only element out of place is LAchildID's successor order.
    data = edited(
        edited(clean, "<Sex>M</Sex>\n", ""),
        "<LAchildID>CIN001</LAchildID>\n",
        "<Sex>M</Sex>\n<LAchildID>CIN001</LAchildID>\n",
    )
    returned = read_return(data, XML_NAME, LA)
    (violation,) = returned.violations
    line = line_of(data, "<LAchildID>CIN001")
    assert (violation.rule, violation.severity, violation.subject, violation.row) == (
        "xml_element_order",
        "hold",
        "CIN001",
        1,
    )
    assert violation.location == f"line {line}, /Message/Children[1]/Child[1]/ChildIdentifiers[1]/LAchildID"


def test_stray_text_between_elements_is_read_past_and_named_as_a_warning():
    clean = census_xml()
    data = edited(clean, "</UPN>\n", "</UPN>\nexported by CaseSystem v2\n")
    returned = read_return(data, XML_NAME, LA)
    (violation,) = returned.violations
    assert (violation.rule, violation.severity, violation.subject) == ("xml_stray_text", "warn", "CIN001")
    assert violation.location == (
        f"line {line_of(data, 'exported by')}, /Message/Children[1]/Child[1]/ChildIdentifiers[1]"
    )
    assert returned.csv == read_return(clean, XML_NAME, LA).csv  # the values are read as if it were not there


def test_dfe_judges_the_census_year_not_the_history_a_running_extract_carries():
    """DfE's validator is given the census year's return: an episode closed before 1 April is not in
    it, and of an open episode only what the year holds (not an assessment authorised, an enquiry
    concluded, a plan ended or a plan reviewed before it), while what is still open reaches it."""
    first_day = f"{COLLECTION_YEAR - 1}-04-01"
    episode = {"lachildid": "CIN009", "cinreferraldate": "2023-01-10"}

    def row(kind: str, date: str, **cells: str) -> dict[str, str]:
        return {**episode, "type": kind, "date": date, **{k.lower(): v for k, v in cells.items()}}

    before, in_year = "2024-03-29", "2024-04-01"  # the last working day before the year, and its first
    cases = {
        "an episode closed before the year": (row("CINreferralDate", "2023-01-10", CINclosureDate=before), False),
        "an episode closed on the year's first day": (
            row("CINreferralDate", "2023-01-10", CINclosureDate=in_year),
            True,
        ),
        "an open episode": (row("CINreferralDate", "2023-01-10"), True),
        "an assessment authorised before the year": (
            row("AssessmentActualStartDate", "2023-01-11", AssessmentAuthorisationDate=before),
            False,
        ),
        "an assessment still open": (row("AssessmentActualStartDate", "2023-01-11"), True),
        "a CIN plan ended before the year": (row("CINPlanStartDate", "2023-02-01", CINPlanEndDate=before), False),
        "an enquiry and its conference before the year": (
            row("S47ActualStartDate", "2023-01-12", S47ActualStartDate="2023-01-12", DateOfInitialCPC=before),
            False,
        ),
        "an enquiry before the year whose conference fell in it": (
            row("S47ActualStartDate", "2024-03-20", S47ActualStartDate="2024-03-20", DateOfInitialCPC=in_year),
            True,
        ),
        "an enquiry before the year still awaiting its conference": (
            row("S47ActualStartDate", "2024-03-20", S47ActualStartDate="2024-03-20", ICPCnotRequired="false"),
            True,
        ),
        "an enquiry before the year whose conference was not required": (
            row("S47ActualStartDate", "2024-03-20", S47ActualStartDate="2024-03-20", ICPCnotRequired="true"),
            False,
        ),
        "a plan ended before the year": (row("CPPstartDate", "2023-01-20", CPPendDate=before), False),
        "a plan open through the year": (row("CPPstartDate", "2023-01-20"), True),
        "an open plan's review before the year": (row("CPPreviewDate", before, CPPstartDate="2023-01-20"), False),
        "an open plan's review in the year": (row("CPPreviewDate", in_year, CPPstartDate="2023-01-20"), True),
    }
    judged = {case: in_census_year(values, first_day) for case, (values, _) in cases.items()}
    assert judged == {case: expected for case, (_, expected) in cases.items()}


# --- through the warehouse: the loader, DfE's validator, the DAGs ------------------------------------------

integration = pytest.mark.integration


@pytest.fixture(scope="module")
def baseline(module_warehouse, tmp_path_factory):
    from qa_warehouse import cli

    folder = tmp_path_factory.mktemp("clean_cin")
    (folder / XML_NAME).write_bytes(census_xml())
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["run", "--landing", str(folder)]) == 0
    return every_published_table(module_warehouse), current_loads(module_warehouse), printed.getvalue()


def findings(warehouse, la: str, rule: str | None = None) -> list[dict]:
    columns = "file_name, source_row, subject, rule, rule_source, severity, column_name, value, location, message"
    rows = warehouse.query(
        f"select {columns} from raw.data_quality_issues where la_code = %s"
        + (" and rule = %s" if rule else "")
        + " order by issue_id",
        (la, rule) if rule else (la,),
    )
    return [dict(zip(columns.split(", "), row, strict=True)) for row in rows]


def held(warehouse, la: str) -> list[tuple]:
    return warehouse.query(
        "select l.file_name, h.source_row, h.subject, h.held_by from raw.held_rows h join raw.load_log l"
        " using (load_id) where l.la_code = %s order by h.source_row",
        (la,),
    )


def current_snapshot(warehouse, la: str) -> list[tuple]:
    """raw.cin_census as staging reads it: the macro current_snapshot's condition (current loads, less
    raw.held_rows)."""
    return warehouse.query(
        """select lachildid, type, date from raw.cin_census r
           where r._load_id in (select load_id from raw.current_loads where extract = 'cin_census')
             and not exists (select 1 from raw.held_rows h where h.load_id = r._load_id and h.source_row = r._source_row)
             and r.la_code = %s order by _source_row""",
        (la,),
    )


@integration
def test_a_clean_census_passes_dfe_validator_with_no_hold(module_warehouse, baseline):
    assert module_warehouse.query(
        "select collection, ruleset, children_held, rows_held from raw.dfe_validations where la_code = %s", (LA,)
    ) == [("cin", "cin2024_25", 0, 0)]
    assert held(module_warehouse, LA) == []
    # What DfE's validator says of the return as a whole (fewer than 8 disability codes: it is a small
    # return) is a query about no child: listed as a warning, nothing held.
    assert {(f["rule"], f["severity"], f["source_row"]) for f in findings(module_warehouse, LA)} == {
        ("dfe_2887Q", "warn", None)
    }
    assert len(current_snapshot(module_warehouse, LA)) == len(clean_rows())
    report = Path(module_warehouse.query("select report_path from raw.dfe_validations where la_code = %s", (LA,))[0][0])
    assert report.name == f"cin_census_{LA}_{AS_AT:%Y%m%d}.dfe.report.txt" and report.with_suffix(".json").exists()
    assert "rule dfe_2887Q (warn): 1 rows" in report.read_text(encoding="utf-8")
    # qa-warehouse run says what DfE's validator found, beside each file's outcome.
    printed = baseline[2]
    assert f"  {XML_NAME}: loaded {len(clean_rows())} rows" in printed, printed
    assert (
        f"  DfE cin2024_25 on the CIN census delivery {LA} as at {AS_AT}: 1 findings, 0 children held (0 rows);"
        f" report: {report}" in printed
    ), printed


def assert_published_unchanged(warehouse, baseline) -> None:
    published_before, loaded_before, _ = baseline
    assert current_loads(warehouse) == loaded_before  # the current census is still the accepted one
    assert every_published_table(warehouse) == published_before


@integration
@pytest.mark.parametrize("case", sorted(refused_xml()))
def test_a_refused_xml_return_is_quarantined_naming_rule_and_line_and_nothing_published_changes(
    case, module_warehouse, baseline, tmp_path
):
    from qa_warehouse import cli

    data, rule, where = refused_xml()[case]
    (tmp_path / XML_NAME).write_bytes(data)
    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    ((errors, report),) = module_warehouse.query(
        "select errors, report_path from raw.load_log where file_name = %s and status = 'quarantined'"
        " order by load_id desc limit 1",
        (XML_NAME,),
    )
    assert [(e["rule"], e["row"]) for e in errors] == [(rule, None)], errors
    assert errors[0]["location"].startswith(where)
    text = Path(report).read_text(encoding="utf-8")
    assert f"rule {rule} (refuse_file): 1 rows" in text and f"{XML_NAME}: {where}" in text, text
    assert_published_unchanged(module_warehouse, baseline)


@integration
def test_a_duplicated_referral_refuses_the_file_naming_both_rows_and_nothing_published_changes(
    module_warehouse, baseline, tmp_path
):
    from qa_warehouse import cli

    rows = clean_rows()
    rows.insert(9, dict(rows[7]))  # CIN002's referral row again, as row 10
    name = f"cin_census_{LA}_{AS_AT:%Y%m%d}.csv"
    (tmp_path / name).write_bytes(census_csv(rows))
    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    ((errors,),) = module_warehouse.query(
        "select errors from raw.load_log where file_name = %s and status = 'quarantined' order by load_id desc limit 1",
        (name,),
    )
    assert {(e["rule"], e["row"], e["subject"]) for e in errors} == {
        ("key_unique", 8, "CIN002"),
        ("key_unique", 10, "CIN002"),
    }
    assert_published_unchanged(module_warehouse, baseline)


def ingest_and_gate(folder: Path) -> list[str]:
    """What qa_ingest does before the build: the census file, then DfE's validators on the delivery."""
    from qa_warehouse.load.ingest import ingest_extract
    from qa_warehouse.pipeline import gate_dfe_deliveries

    ingest_extract("cin_census", folder)
    return gate_dfe_deliveries()


def child_rows(rows: list[dict[str, str]], child: str) -> set[int]:
    return {number for number, row in enumerate(rows, start=1) if row["LAchildID"] == child}


def xml_rows(data: bytes, la: str) -> list[dict[str, str]]:
    """The flat rows of an XML return in file order (as the loader numbers them)."""
    return list(csv.DictReader(io.StringIO(read_return(data, f"cin_census_{la}_{AS_AT:%Y%m%d}.xml", la).csv.decode())))


# Each held case is its own authority's delivery (ingested and gated, not built), so the cases neither
# meet each other nor touch authority 885's publication. LA codes valid in a UPN (DfE rule 1530).
@integration
def test_an_unknown_code_is_dfe_s_finding_holding_the_child(module_warehouse, baseline, tmp_path):
    la = "812"
    rows = clean_rows()
    for row in rows:
        if row["LAchildID"] == "CIN002":
            row["ReferralSource"] = "1Z"  # not one of DfE's referral sources
    data = census_xml(rows, la)
    name = f"cin_census_{la}_{AS_AT:%Y%m%d}.xml"
    (tmp_path / name).write_bytes(data)
    outcomes = ingest_and_gate(tmp_path)
    assert any(f"CIN census delivery {la}" in line and "dfe_8866 x1" in line for line in outcomes), outcomes
    (finding,) = findings(module_warehouse, la, "dfe_8866")
    in_file = xml_rows(data, la)
    referral = next(
        n for n, r in enumerate(in_file, 1) if r["LAchildID"] == "CIN002" and r["Type"] == "CINreferralDate"
    )
    assert (finding["file_name"], finding["source_row"], finding["subject"], finding["column_name"]) == (
        name,
        referral,
        "CIN002",
        "referralsource",
    )
    assert (finding["severity"], finding["rule_source"], finding["value"]) == ("hold", "dfe_cin", "1Z")
    assert "Source of Referral is missing or an invalid code" in finding["message"]
    # In the XML return, the row is where CIN002's referral is.
    assert finding["location"] == (
        f"line {line_of(data, '<CINreferralDate>2024-07-01')}, /Message/Children[1]/Child[2]/CINdetails[1]/CINreferralDate"
    )
    # The child is held: every row of CIN002, the referral row by the rule, the others as the child's.
    assert held(module_warehouse, la) == [
        (name, n, "CIN002", "dfe_8866" if n == referral else "child_held")
        for n in sorted(child_rows(in_file, "CIN002"))
    ]
    assert {child for child, _, _ in current_snapshot(module_warehouse, la)} == {"CIN001", "CIN003"}


@integration
@pytest.mark.parametrize("form", ["xml", "csv"])
def test_a_date_that_is_not_a_date_holds_its_child_naming_where(form, module_warehouse, baseline, tmp_path):
    la = {"xml": "813", "csv": "815"}[form]
    rows = clean_rows()
    for row in rows:
        if row.get("AssessmentAuthorisationDate") == "2024-06-10":  # CIN001's assessment: 31 June
            row["AssessmentAuthorisationDate"] = "2024-06-31"
            if row["Type"] == "AssessmentAuthorisationDate":
                row["Date"] = "2024-06-31"
    name = f"cin_census_{la}_{AS_AT:%Y%m%d}.{form}"
    data = census_xml(rows, la) if form == "xml" else census_csv(rows)
    (tmp_path / name).write_bytes(data)
    ingest_and_gate(tmp_path)
    in_file = xml_rows(data, la) if form == "xml" else rows
    # Every cell holding the bad date: the assessment's two rows carry it, the authorisation row twice (Date).
    expected = {
        (n, column)
        for n, row in enumerate(in_file, start=1)
        for column in ("date", "assessmentauthorisationdate")
        if row.get({"date": "Date", "assessmentauthorisationdate": "AssessmentAuthorisationDate"}[column])
        == "2024-06-31"
    }
    assert len(expected) == 3
    found = findings(module_warehouse, la, "date_type")
    assert {(f["source_row"], f["column_name"]) for f in found} == expected
    assert {(f["file_name"], f["subject"], f["severity"], f["value"]) for f in found} == {
        (name, "CIN001", "hold", "2024-06-31")
    }
    if form == "xml":  # the element of the bad value, whichever flat row repeats it
        line = line_of(data, "2024-06-31")
        assert {f["location"] for f in found} == {
            f"line {line}, /Message/Children[1]/Child[1]/CINdetails[1]/Assessments[1]/AssessmentAuthorisationDate"
        }
    else:
        assert {f["location"] for f in found} == {None}
    # The child is held, all of it; the others load.
    bad_rows = {n for n, _ in expected}
    assert held(module_warehouse, la) == [
        (name, n, "CIN001", "date_type" if n in bad_rows else "child_held")
        for n in sorted(child_rows(in_file, "CIN001"))
    ]
    assert {child for child, _, _ in current_snapshot(module_warehouse, la)} == {"CIN002", "CIN003"}
    # DfE's validator read the rest, and found nothing else to hold.
    assert [f for f in findings(module_warehouse, la) if f["severity"] == "hold" and f["rule"] != "date_type"] == []


@integration
def test_a_blank_child_id_holds_its_row(module_warehouse, baseline, tmp_path):
    la = "816"
    rows = clean_rows()
    rows[14]["LAchildID"] = ""  # CIN003's closure row, as row 15
    name = f"cin_census_{la}_{AS_AT:%Y%m%d}.csv"
    (tmp_path / name).write_bytes(census_csv(rows))
    ingest_and_gate(tmp_path)
    (finding,) = findings(module_warehouse, la, "required")
    assert (finding["file_name"], finding["source_row"], finding["column_name"], finding["severity"]) == (
        name,
        15,
        "lachildid",
        "hold",
    )
    # No child to hold beyond the row: it is held alone, and CIN003's referral still loads.
    assert held(module_warehouse, la) == [(name, 15, None, "required")]
    assert len(current_snapshot(module_warehouse, la)) == len(rows) - 1
    assert [f for f in findings(module_warehouse, la) if f["severity"] == "hold" and f["rule"] != "required"] == []


@integration
def test_an_element_out_of_order_holds_the_child_and_stray_text_only_warns(module_warehouse, baseline, tmp_path):
    la = "821"
    clean = census_xml(la=la)
    data = edited(
        edited(clean, "<Sex>F</Sex>\n", ""),  # CIN002's
        "<LAchildID>CIN002</LAchildID>\n",
        "<Sex>F</Sex>\n<LAchildID>CIN002</LAchildID>\n",
    )
    data = edited(data, "</Ethnicity>\n", "</Ethnicity>\n   -- exported 2025-04-01 --\n")  # CIN001's
    name = f"cin_census_{la}_{AS_AT:%Y%m%d}.xml"
    (tmp_path / name).write_bytes(data)
    ingest_and_gate(tmp_path)
    in_file = xml_rows(data, la)
    first = min(child_rows(in_file, "CIN002"))
    (order,) = findings(module_warehouse, la, "xml_element_order")
    assert (order["source_row"], order["subject"], order["severity"]) == (first, "CIN002", "hold")
    assert order["location"] == (
        f"line {line_of(data, '<LAchildID>CIN002')}, /Message/Children[1]/Child[2]/ChildIdentifiers[1]/LAchildID"
    )
    (stray,) = findings(module_warehouse, la, "xml_stray_text")
    assert (stray["subject"], stray["severity"]) == ("CIN001", "warn")
    assert (
        stray["location"]
        == f"line {line_of(data, '-- exported')}, /Message/Children[1]/Child[1]/ChildCharacteristics[1]"
    )
    assert held(module_warehouse, la) == [
        (name, n, "CIN002", "xml_element_order" if n == first else "child_held")
        for n in sorted(child_rows(in_file, "CIN002"))
    ]
    assert {child for child, _, _ in current_snapshot(module_warehouse, la)} == {"CIN001", "CIN003"}
    # The findings report of the file names them with their lines.
    ((report,),) = module_warehouse.query(
        "select report_path from raw.load_log where file_name = %s and status = 'accepted'", (name,)
    )
    text = Path(report).read_text(encoding="utf-8")
    assert f"row {first} ({order['location']}), child CIN002" in text and stray["location"] in text, text


@integration
def test_every_review_of_a_plan_is_checked_by_dfe_not_only_the_first(module_warehouse, baseline, tmp_path):
    # DfE's validator reads one review per Reviews element; the return lists a plan's reviews in one.
    # The second review of CIN001's plan on the day the plan began: not before it (our contract's
    # review_has_its_plan), but DfE's rule 8841 wants a review after the plan's start.
    la = "822"
    data = edited(
        census_xml(la=la), "<CPPreviewDate>2025-02-10</CPPreviewDate>", "<CPPreviewDate>2024-05-20</CPPreviewDate>"
    )
    name = f"cin_census_{la}_{AS_AT:%Y%m%d}.xml"
    (tmp_path / name).write_bytes(data)
    ingest_and_gate(tmp_path)
    in_file = xml_rows(data, la)
    review = next(n for n, r in enumerate(in_file, 1) if r["Type"] == "CPPreviewDate" and r["Date"] == "2024-05-20")
    plan = next(n for n, r in enumerate(in_file, 1) if r["Type"] == "CPPstartDate")
    found = findings(module_warehouse, la, "dfe_8841")  # a review on or before the plan's start
    assert {(f["source_row"], f["column_name"], f["subject"], f["severity"]) for f in found} == {
        (review, "date", "CIN001", "hold"),
        (plan, "cppstartdate", "CIN001", "hold"),
    }
    assert next(f["location"] for f in found if f["source_row"] == review) == (
        f"line {line_of(data, '<CPPreviewDate>2024-05-20')}, "
        "/Message/Children[1]/Child[1]/CINdetails[1]/ChildProtectionPlans[1]/Reviews[1]/CPPreviewDate[2]"
    )
    assert {child for child, _, _ in current_snapshot(module_warehouse, la)} == {"CIN002", "CIN003"}


@integration
def test_a_validator_that_cannot_read_the_census_fails_the_gate_and_holds_nothing(
    module_warehouse, baseline, tmp_path, monkeypatch
):
    # DfE's validator refusing our own rendering of accepted rows says nothing about the data: the gate
    # fails (the task does not retry it) and records nothing, and the next run checks the delivery.
    from qa_warehouse.load import cin_delivery
    from qa_warehouse.load.gate.dfe import DfeResult, DfeValidatorFailed

    la = "823"
    name = f"cin_census_{la}_{AS_AT:%Y%m%d}.xml"
    (tmp_path / name).write_bytes(census_xml(la=la))
    real = cin_delivery.run_cin_validator
    monkeypatch.setattr(
        cin_delivery,
        "run_cin_validator",
        lambda path, ruleset: DfeResult(ruleset.name, {}, refused="KeyError: 'Header'"),
    )
    with pytest.raises(DfeValidatorFailed, match=f"could not read the {la} census of {AS_AT}: KeyError"):
        ingest_and_gate(tmp_path)
    assert module_warehouse.query("select count(*) from raw.dfe_validations where la_code = %s", (la,)) == [(0,)]
    assert (
        held(module_warehouse, la) == []
        and [f for f in findings(module_warehouse, la) if f["rule"].startswith("dfe_")] == []
    )
    monkeypatch.setattr(cin_delivery, "run_cin_validator", real)
    from qa_warehouse.pipeline import gate_dfe_deliveries

    assert any(f"CIN census delivery {la}" in line for line in gate_dfe_deliveries())
    assert module_warehouse.query("select children_held from raw.dfe_validations where la_code = %s", (la,)) == [(0,)]
