"""The synthetic children in need census: DfE's CIN validator accepts it, it is coherent with the
903, and it holds every case the child protection figures turn on.

`generate_extracts(areas=(..., "children_in_need"))` writes each authority's running CIN extract
(every episode open in the history, as it stands at the extract date): DfE's XML return for the
first authority, the flat CSV for the second. DfE's census is one year: census_year_return cuts
the return an authority submits for a collection year, and DfE's validator (csc-validator-be-cin
in .venv-dfe, through qa_warehouse.load.gate.dfe.run_cin_validator) checks it with that year's
ruleset, for the current collection year and the previous one, at two extract dates. Without
.venv-dfe that test skips, and fails when CI is set (CI must run it). The only findings allowed are
the validator's own bugs (CIN_KNOWN_BUGS, each with its file and line), each row checked to be the
bug's.

The other tests read the files as a reader would (cin_xml.read_return, csv) and check them in plain
Python: working days from the project's bank holiday seed, not the generator's calendar.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest

from qa_warehouse.load.gate.dfe import ruleset_for, run_cin_validator
from qa_warehouse.load.gate.dfe_known_bugs import CIN_KNOWN_BUGS, cin_validator_bug
from qa_warehouse.load.ingest.cin_xml import FLAT_COLUMNS, read_return
from qa_warehouse.periods import add_months
from qa_warehouse_synthetic import generate_extracts
from qa_warehouse_synthetic.children_in_need import CIN_XML_DEFECTS, census_year_return, damage_census_xml

AS_AT = date(2025, 3, 31)  # the end of 2024/25: the current collection year 2025, the previous 2024
LATER = date(2026, 3, 31)  # the end of 2025/26
HOUSEHOLDS = 250
BANK_HOLIDAYS_SEED = Path(__file__).parents[1] / "src/qa_warehouse/build/dbt_project/seeds/bank_holidays_england.csv"

Rows = list[dict[str, str]]


@cache
def _bank_holidays() -> frozenset[date]:
    with BANK_HOLIDAYS_SEED.open(newline="") as handle:
        return frozenset(date.fromisoformat(row["holiday_date"]) for row in csv.DictReader(handle))


def _working_days_after(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in _bank_holidays():
            count -= 1
    return day


def _day(text: str) -> date | None:
    if not text:
        return None
    if "/" in text:
        d, m, y = map(int, text.split("/"))
        return date(y, m, d)
    return date.fromisoformat(text)


def _read_census(path: Path) -> Rows:
    """A census file's flat rows as a reader sees them (the XML flattened as the loader does)."""
    if path.suffix == ".xml":
        read = read_return(path.read_bytes(), path.name, path.name.split("_")[2])
        assert not read.violations, read.violations
        return list(csv.DictReader(io.StringIO(read.csv.decode("utf-8"))))
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle) if any(row.values())]
    assert list(rows[0]) == list(FLAT_COLUMNS)
    return rows


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The files for an extract date (two authorities: 885 XML, 886 CSV), generated once."""
    made: dict[date, list[Path]] = {}

    def files(as_at: date) -> list[Path]:
        if as_at not in made:
            out = tmp_path_factory.mktemp(f"cin_{as_at:%Y%m%d}")
            made[as_at] = generate_extracts(
                out,
                households=HOUSEHOLDS,
                authorities=2,
                seed=1 if as_at == AS_AT else 2,
                as_at=as_at,
                areas=("children_in_care", "children_in_need"),
            )
        return made[as_at]

    return files


def _census(files: list[Path], la_code: str) -> Rows:
    (path,) = [p for p in files if p.name.startswith(f"cin_census_{la_code}_")]
    return _read_census(path)


# --- DfE's validator -------------------------------------------------------------------------------------


def _episodes(xml: bytes) -> list[tuple[str, date, bool]]:
    """(child, referral date, no further action) of each CINdetails, in the validator's row order."""
    episodes = []
    for child in ET.fromstring(xml).iter("Child"):
        child_id = child.findtext("ChildIdentifiers/LAchildID") or ""
        for details in child.findall("CINdetails"):
            referral = _day(details.findtext("CINreferralDate") or "")
            assert referral is not None
            episodes.append((child_id, referral, (details.findtext("ReferralNFA") or "") in ("1", "true")))
    return episodes


def _nfa_referral_in_the_year(episode: tuple[str, date, bool], year: int) -> bool:
    """The 8569Q bug's rows: a no further action referral made on or after the year's 1 April."""
    _, referral, nfa = episode
    return nfa and referral >= date(year - 1, 4, 1)


# Each known CIN bug's test of a flagged row: the allowance is for the bug's rows only.
BUG_ROWS = {"8569Q": _nfa_referral_in_the_year}


def test_every_known_cin_bug_has_a_row_test():
    assert {rule for _, rule, _ in CIN_KNOWN_BUGS} <= set(BUG_ROWS)


@pytest.mark.parametrize(
    ("as_at", "la_code", "year"),
    [(AS_AT, "885", 2025), (AS_AT, "885", 2024), (AS_AT, "886", 2025), (LATER, "885", 2026), (LATER, "886", 2025)],
    ids=["885-xml-2024-25", "885-xml-2023-24", "886-csv-2024-25", "885-xml-2025-26", "886-csv-2024-25-later"],
)
def test_dfe_cin_validator_flags_no_row_of_the_synthetic_census(
    dfe_validator, generated, tmp_path, as_at, la_code, year
):
    xml = census_year_return(_census(generated(as_at), la_code), la_code, year)
    path = tmp_path / f"cin_census_{la_code}_{year}.xml"
    path.write_bytes(xml)
    ruleset = ruleset_for(date(year, 3, 31), "cin")
    assert ruleset.exact, f"csc-validator-be-cin has no ruleset for {year}"
    result = run_cin_validator(path, ruleset)
    assert result.refused is None, f"DfE's CIN validator refused the return: {result.refused}"
    assert not result.could_not_run, f"rules that raised inside DfE's validator: {result.could_not_run}"
    episodes = _episodes(xml)
    flagged = defaultdict(list)
    allowed = 0
    for finding in result.findings:
        bug = cin_validator_bug(ruleset.name, finding.rule, finding.table)
        row = finding.row if finding.table == "CINdetails" else None
        if bug and row is not None and BUG_ROWS[finding.rule](episodes[row], year):
            allowed += 1
            continue
        flagged[(finding.rule, finding.table, finding.column)].append(finding)
    problems = [
        f"rule {rule} ({table}.{column}, {len(found)} rows): {result.messages.get(rule, '')}; children "
        + ", ".join(str(f.child) for f in found[:5])
        for (rule, table, column), found in sorted(flagged.items(), key=str)
    ]
    print(f"{la_code} {ruleset.name}: {len(result.findings)} flagged, {allowed} of them the validator's own bugs")
    assert not problems, f"DfE's CIN validator flags the {la_code} {ruleset.name} return:\n" + "\n".join(problems)


# --- coherence with the 903 ------------------------------------------------------------------------------


def _903(files: list[Path], table: str, la_code: str) -> Rows:
    (path,) = [p for p in files if p.name.startswith(f"903_{table}_{la_code}_")]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [row for row in csv.DictReader(handle) if any(row.values())]


def _year_rows(rows: Rows, la_code: str, year: int) -> Rows:
    xml = census_year_return(rows, la_code, year)
    read = read_return(xml, f"cin_census_{la_code}.xml", la_code)
    return list(csv.DictReader(io.StringIO(read.csv.decode("utf-8"))))


@pytest.mark.parametrize("la_code", ["885", "886"])
def test_every_child_looked_after_in_the_year_is_a_child_in_need_of_the_same_identity(generated, la_code):
    files = generated(AS_AT)
    looked_after = {row["CHILD"] for row in _903(files, "episodes", la_code)}  # episodes open in 2024/25
    header = {row["CHILD"]: row for row in _903(files, "header", la_code)}
    in_need = {row["LAchildID"]: row for row in _year_rows(_census(files, la_code), la_code, 2025)}
    missing = sorted(looked_after - set(in_need))
    assert not missing, f"{len(missing)} children looked after in 2024/25 with no CIN episode: {missing[:5]}"
    for child in looked_after:
        cin, lac = in_need[child], header[child]
        assert _day(cin["PersonBirthDate"]) == _day(lac["DOB"]), child
        assert (cin["Sex"], cin["Ethnicity"]) == (lac["SEX"], lac["ETHNIC"]), child
    non_nfa = {row["LAchildID"] for row in in_need.values() if row["ReferralNFA"] == "0"}
    per_looked_after = len(non_nfa) / len(looked_after)
    # DfE: about six children in need in a year for each child looked after in it.
    assert 5 <= per_looked_after <= 7, f"{len(non_nfa)} children in need, {len(looked_after)} looked after"


# --- the cases the figures turn on ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def extract_rows(generated) -> Rows:
    files = generated(AS_AT)
    return _census(files, "885") + _census(files, "886")


def _episodes_of(rows: Rows) -> dict[tuple[str, str], Rows]:
    episodes: dict[tuple[str, str], Rows] = defaultdict(list)
    for row in rows:
        episodes[(row["LAchildID"], row["CINreferralDate"])].append(row)
    return episodes


def test_referrals_with_no_further_action_close_the_day_they_come_in(extract_rows):
    nfa = {key: rows for key, rows in _episodes_of(extract_rows).items() if rows[0]["ReferralNFA"] in ("1", "true")}
    assert len(nfa) >= 10
    for rows in nfa.values():
        assert {row["Type"] for row in rows} == {"CINreferralDate", "CINclosureDate"}
        assert _day(rows[0]["CINclosureDate"]) == _day(rows[0]["CINreferralDate"])


def test_re_referrals_within_12_months_and_one_at_exactly_12_months(extract_rows):
    referrals: dict[str, set[date]] = defaultdict(set)
    for row in extract_rows:
        referral = _day(row["CINreferralDate"])
        assert referral is not None
        referrals[row["LAchildID"]].add(referral)
    within, exactly = 0, 0
    for dates in referrals.values():
        ordered = sorted(dates)
        for earlier, later in zip(ordered, ordered[1:]):
            within += later <= add_months(earlier, 12)
            exactly += later == add_months(earlier, 12)
    assert within >= 10 and exactly >= 1, (within, exactly)


def test_assessments_in_and_past_45_working_days_and_some_still_open(extract_rows):
    in_time = late = still_open = 0
    for row in extract_rows:
        if row["Type"] != "AssessmentActualStartDate":
            continue
        start, authorised = _day(row["AssessmentActualStartDate"]), _day(row["AssessmentAuthorisationDate"])
        assert start is not None
        if authorised is None:
            still_open += 1
            assert not row["Factors"], "factors belong to a completed assessment (DfE 8614)"
            continue
        assert row["Factors"], "a completed assessment names its factors (DfE 8897Q)"
        if authorised <= _working_days_after(start, 45):
            in_time += 1
        else:
            late += 1
    assert still_open >= 5 and late >= 10 and in_time > 4 * late, (in_time, late, still_open)


def test_section_47_targets_late_conferences_and_conferences_not_required(extract_rows):
    in_time = late = not_required = 0
    for row in extract_rows:
        if row["Type"] != "S47ActualStartDate":
            continue
        start, target = _day(row["S47ActualStartDate"]), _day(row["InitialCPCtarget"])
        assert start is not None and target == _working_days_after(start, 15), row
        conference = _day(row["DateOfInitialCPC"])
        if row["ICPCnotRequired"] in ("1", "true"):
            not_required += 1
            assert conference is None
        elif conference is not None:
            assert conference.weekday() < 5, "DfE 8875: a conference is not held at a weekend"
            if conference <= target:
                in_time += 1
            else:
                late += 1
    assert not_required >= 5 and late >= 5 and in_time > 2 * late, (in_time, late, not_required)


def test_protection_plans_second_ones_two_years_and_reviews_late(extract_rows):
    plans: dict[tuple[str, str], Rows] = defaultdict(list)
    for row in extract_rows:
        if row["CPPstartDate"]:
            plans[(row["LAchildID"], row["CPPstartDate"])].append(row)
    assert len(plans) >= 30
    second = ceased_after_two_years = lasting_two_years = late_reviews = changed_category = 0
    for rows in plans.values():
        start, end = _day(rows[0]["CPPstartDate"]), _day(rows[0]["CPPendDate"])
        assert start is not None
        second += int(rows[0]["NumberOfPreviousCPP"]) > 0
        changed_category += rows[0]["InitialCategoryOfAbuse"] != rows[0]["LatestCategoryOfAbuse"]
        two_years = add_months(start, 24)
        ceased_after_two_years += end is not None and end >= two_years
        lasting_two_years += end is None and two_years <= AS_AT
        due = add_months(start, 3)  # the first review within 3 months, then at most every 6
        for review in sorted(d for r in rows if r["Type"] == "CPPreviewDate" and (d := _day(r["Date"]))):
            late_reviews += review > due
            due = add_months(review, 6)
        assert {r["InitialCategoryOfAbuse"] for r in rows} <= {"NEG", "PHY", "SAB", "EMO", "MUL"}
    assert second and ceased_after_two_years and lasting_two_years and late_reviews and changed_category, (
        second,
        ceased_after_two_years,
        lasting_two_years,
        late_reviews,
        changed_category,
    )


def test_cin_plans_open_and_closed_and_every_reason_for_closure(extract_rows):
    plans = [row for row in extract_rows if row["Type"] == "CINPlanStartDate"]
    assert any(not row["CINPlanEndDate"] for row in plans) and any(row["CINPlanEndDate"] for row in plans)
    reasons = Counter(row["ReasonForClosure"] for row in extract_rows if row["Type"] == "CINclosureDate")
    assert set(reasons) == {f"RC{n}" for n in range(1, 9)}, reasons


# --- determinism and independence ----------------------------------------------------------------------


def test_same_arguments_write_the_same_bytes_and_the_903_does_not_depend_on_the_census(tmp_path):
    def written(folder: str, areas: tuple[str, ...]) -> dict[str, bytes]:
        paths = generate_extracts(tmp_path / folder, households=80, authorities=3, seed=4, as_at=AS_AT, areas=areas)
        return {p.name: p.read_bytes() for p in paths}

    both = ("children_in_care", "children_in_need")
    first, again = written("first", both), written("again", both)
    assert first == again
    assert {n.rsplit(".", 1)[1] for n in first if n.startswith("cin_census_")} == {"xml", "csv"}
    care_only = written("care_only", ("children_in_care",))
    assert care_only == {name: data for name, data in first.items() if name.startswith("903_") or "child_" in name}
    census_only = written("census_only", ("children_in_need",))
    assert census_only == {name: data for name, data in first.items() if name.startswith("cin_census_")}


# --- named defects ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    def census(*defects: str) -> Rows:
        out = tmp_path_factory.mktemp("defect")
        (path,) = generate_extracts(
            out, households=100, seed=3, as_at=AS_AT, areas=("children_in_need",), defects=defects
        )
        assert path.suffix == ".xml"  # the first authority: DfE's XML return
        read = read_return(path.read_bytes(), path.name, "885")
        return list(csv.DictReader(io.StringIO(read.csv.decode("utf-8"))))

    return census


def test_named_defects_damage_the_census_as_they_say(small):
    clean = small()
    assert all(row["LAchildID"] for row in clean)
    blank = small("cin_blank_child_id")
    assert sum(not row["LAchildID"] for row in blank) >= 1 and len(blank) == len(clean)
    not_a_date = small("cin_date_not_a_date")
    assert any(row["Type"] == "CINclosureDate" and row["Date"] == "31/02/2025" for row in not_a_date)
    unknown = small("cin_unknown_code")
    assert {row["PrimaryNeedCode"] for row in unknown} - {row["PrimaryNeedCode"] for row in clean} == {"N99"}
    duplicated = small("cin_duplicated_referral")
    keys = Counter(
        tuple(
            row[c]
            for c in ("LAchildID", "CINreferralDate", "Type", "Date", "CPPstartDate", "AssessmentActualStartDate")
        )
        for row in duplicated
    )
    assert sorted(key[2] for key, n in keys.items() if n > 1) == ["CINclosureDate", "CINreferralDate"]


XML_DAMAGE_RULES = {
    "cin_xml_malformed": "xml_malformed",
    "cin_xml_dtd": "xml_dtd",
    "cin_xml_external_entity": "xml_external_reference",  # refused before it is fetched
    "cin_xml_entity_bomb": "xml_entity",  # refused at its first declaration, never expanded
    "cin_xml_wrong_root": "xml_root",
    "cin_xml_namespace": "xml_root",
    "cin_xml_element_out_of_order": "xml_element_order",
    "cin_xml_stray_text": "xml_stray_text",
}


def test_xml_damage_is_each_named_by_the_reader(tmp_path):
    assert set(XML_DAMAGE_RULES) == set(CIN_XML_DEFECTS)
    (path,) = generate_extracts(tmp_path, households=40, seed=5, as_at=AS_AT, areas=("children_in_need",))
    clean = path.read_bytes()
    for defect, rule in XML_DAMAGE_RULES.items():
        damaged = damage_census_xml(clean, defect)
        assert damaged != clean
        read = read_return(damaged, path.name, "885")
        assert rule in {v.rule for v in read.violations}, (defect, read.violations[:3])
