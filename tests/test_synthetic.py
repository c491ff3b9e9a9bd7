"""The synthetic fostering extracts: deterministic, faithful to the contract, realistic in shape,
exported in each authority's own file format, and damaged exactly as each named defect says."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from qa_warehouse.load.contracts import get_contract, recognise
from qa_warehouse_synthetic import DEFECTS, generate_extracts, generate_fostering_extracts, landing_file_name
from tests.reference.project_files import SEEDS_DIR

AS_AT = date(2025, 3, 31)
FOSTERING_EXTRACTS = (
    "carer_households",
    "carer_visits",
    "carer_reviews",
    "carer_supervisions",
    "carer_training",
    "notifications",
)
FIRST_THREE_LA_CODES = ("885", "886", "887")
WORKFORCE_EXTRACTS = ("team_establishment", "workforce")
RESIDENTIAL_EXTRACTS = ("childrens_homes", "reg44_visits")
SSDA903_TABLES = (
    "header",
    "episodes",
    "reviews",
    "uasc",
    "oc2",
    "oc3",
    "ad1",
    "placed_adoption",
    "prev_perm",
    "missing",
    "sw_episodes",
)
CHILDREN_IN_CARE_LOCAL_EXTRACTS = ("child_visits", "child_plans")
KEYS = {
    "carer_households": "household_id",
    "carer_visits": "visit_id",
    "carer_reviews": "review_id",
    "carer_supervisions": "supervision_id",
    "carer_training": "carer_id",
    "notifications": "notification_id",
}


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_raw(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and data rows as text, without the all-blank rows Excel leaves at the end."""
    reader = csv.reader(io.StringIO(read_text(path)))
    header = next(reader)
    return header, [dict(zip(header, values)) for values in reader if any(values)]


def parse_date(text: str) -> date | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d" if "-" in text else "%d/%m/%Y").date()


def read_typed(path: Path) -> list[dict]:
    """Rows with `*_date` columns as dates (either format) and blanks as None."""
    _, rows = read_raw(path)
    return [
        {column: (parse_date(value) if column.endswith("_date") else value or None) for column, value in row.items()}
        for row in rows
    ]


def extract_path(folder: Path, extract: str, la_code: str) -> Path:
    found = sorted(folder.glob(f"{extract}_{la_code}_{AS_AT:%Y%m%d}.*"))  # the census is .xml for some authorities
    return found[0] if found else folder / f"{extract}_{la_code}_{AS_AT:%Y%m%d}.csv"


def years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)  # as_at is 31 March: no leap-day clamping needed


@pytest.fixture(scope="module")
def three_authorities(tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("three_authorities")
    return folder, generate_fostering_extracts(folder, households=60, years=2, authorities=3, seed=7, as_at=AS_AT)


@pytest.fixture(scope="module")
def large_authority(tmp_path_factory) -> Path:
    """Enough households for shares to be stable."""
    folder = tmp_path_factory.mktemp("large_authority")
    generate_fostering_extracts(folder, households=400, years=2, seed=3, as_at=AS_AT)
    return folder


@pytest.fixture(scope="module")
def clean_pair(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clean_pair")
    generate_fostering_extracts(folder, households=40, years=2, authorities=2, as_at=AS_AT)
    return folder


# --- determinism and files -------------------------------------------------------------------


def test_same_arguments_write_byte_identical_files(tmp_path, three_authorities):
    folder, paths = three_authorities
    again = generate_fostering_extracts(tmp_path, households=60, years=2, authorities=3, seed=7, as_at=AS_AT)
    assert [p.name for p in again] == [p.name for p in paths]
    for first, second in zip(paths, again):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_another_seed_writes_other_data(tmp_path, three_authorities):
    folder, paths = three_authorities
    other = generate_fostering_extracts(tmp_path, households=60, years=2, authorities=3, seed=8, as_at=AS_AT)
    assert any(a.read_bytes() != b.read_bytes() for a, b in zip(paths, other))


def test_one_file_per_extract_per_authority_named_as_the_contract_says(three_authorities):
    folder, paths = three_authorities
    expected = sorted(folder / f"{e}_{la}_20250331.csv" for e in FOSTERING_EXTRACTS for la in FIRST_THREE_LA_CODES)
    assert paths == expected
    assert sorted(folder.iterdir()) == expected
    for path in paths:
        landing = recognise(path)
        assert landing is not None and landing.extract_date == AS_AT and landing.la_code in FIRST_THREE_LA_CODES


def test_landing_file_name_is_extract_la_code_and_yyyymmdd():
    assert landing_file_name("carer_visits", "885", date(2024, 3, 31)) == "carer_visits_885_20240331.csv"


def test_headers_are_the_contract_columns_in_contract_order(three_authorities):
    _, paths = three_authorities
    for path in paths:
        header, _ = read_raw(path)
        assert header == list(get_contract(recognise(path).extract).column_names), path.name


def test_every_row_carries_its_files_la_code(three_authorities):
    _, paths = three_authorities
    for path in paths:
        assert {row["la_code"] for row in read_raw(path)[1]} == {recognise(path).la_code}, path.name


def test_ids_are_unique_within_each_authority_and_extract(three_authorities):
    folder, _ = three_authorities
    for la_code in FIRST_THREE_LA_CODES:
        for extract, key in KEYS.items():
            ids = [row[key] for row in read_raw(extract_path(folder, extract, la_code))[1]]
            assert ids and all(ids), (extract, la_code)
            assert len(ids) == len(set(ids)), (extract, la_code)


def test_every_household_reference_resolves_within_its_authority(three_authorities):
    folder, _ = three_authorities
    for la_code in FIRST_THREE_LA_CODES:
        households = {row["household_id"] for row in read_raw(extract_path(folder, "carer_households", la_code))[1]}
        for extract in FOSTERING_EXTRACTS[1:]:
            referenced = {row["household_id"] for row in read_raw(extract_path(folder, extract, la_code))[1]}
            assert referenced <= households, (extract, la_code)


def test_codes_are_the_contracts_in_any_case_and_the_case_sometimes_varies(three_authorities):
    folder, paths = three_authorities
    for path in paths:
        contract = get_contract(recognise(path).extract)
        rows = read_raw(path)[1]
        for column in (c for c in contract.columns if c.codes):
            assert {row[column.name].lower() for row in rows} <= set(column.codes), (path.name, column.name)
    visit_types = {row["visit_type"] for row in read_raw(extract_path(folder, "carer_visits", "885"))[1]}
    assert visit_types - {"support", "unannounced", "kit_call"}, "some visit types should come in another case"


def test_no_event_after_as_at_before_approval_or_after_deregistration(three_authorities):
    folder, paths = three_authorities
    for path in paths:
        contract = get_contract(recognise(path).extract)
        for row in read_typed(path):
            for column in contract.columns:
                if column.not_after_extract_date and row[column.name]:
                    assert row[column.name] <= AS_AT, (path.name, row)
    event_dates = {
        "carer_visits": "visit_date",
        "carer_reviews": "review_date",
        "carer_supervisions": "supervision_date",
        "notifications": "event_date",
    }
    for la_code in FIRST_THREE_LA_CODES:
        households = {h["household_id"]: h for h in read_typed(extract_path(folder, "carer_households", la_code))}
        for extract, date_column in event_dates.items():
            for row in read_typed(extract_path(folder, extract, la_code)):
                household = households[row["household_id"]]
                assert household["approval_date"] is not None, (extract, row)
                assert household["approval_date"] <= row[date_column] <= (household["deregistration_date"] or AS_AT)


def test_events_start_13_months_before_the_history(three_authorities):
    folder, _ = three_authorities
    visits = read_typed(extract_path(folder, "carer_visits", "885"))
    earliest = min(v["visit_date"] for v in visits)
    opens = date(2022, 2, 28)  # two years before 31 March 2025, less 13 months
    assert opens <= earliest < opens + timedelta(days=14)


# --- file formats ------------------------------------------------------------------------------


def test_first_authority_writes_utf8_without_bom_iso_dates_and_lf(three_authorities):
    folder, _ = three_authorities
    raw = extract_path(folder, "carer_households", "885").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw and raw.endswith(b"\n")
    assert "–".encode() in raw  # the en dash in a team name
    assert re.search(rb",\d{4}-\d{2}-\d{2},", raw) and not re.search(rb"\d{2}/\d{2}/\d{4}", raw)


def test_second_authority_writes_utf8_with_bom_dd_mm_yyyy_and_crlf(three_authorities):
    folder, _ = three_authorities
    raw = extract_path(folder, "carer_households", "886").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfla_code,")
    raw.decode("utf-8")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert re.search(rb",\d{2}/\d{2}/\d{4},", raw) and not re.search(rb"\d{4}-\d{2}-\d{2}", raw)


def test_third_authority_writes_cp1252_dd_mm_yyyy_crlf_and_excels_trailing_blank_rows(three_authorities):
    folder, _ = three_authorities
    households = extract_path(folder, "carer_households", "887").read_bytes()
    assert b"\x96" in households  # cp1252's en dash
    with pytest.raises(UnicodeDecodeError):
        households.decode("utf-8")
    for extract in FOSTERING_EXTRACTS:
        raw = extract_path(folder, extract, "887").read_bytes()
        columns = len(get_contract(extract).column_names)
        assert raw.endswith(("," * (columns - 1) + "\r\n").encode() * 2), extract
        assert raw.count(b"\r\n") == raw.count(b"\n")
        assert re.search(rb",\d{2}/\d{2}/\d{4}", raw), extract


def test_a_fourth_authority_cycles_back_to_the_first_format(tmp_path):
    generate_fostering_extracts(tmp_path, households=10, authorities=4, as_at=AS_AT)
    raw = extract_path(tmp_path, "carer_visits", "888").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert re.search(rb",\d{4}-\d{2}-\d{2},", raw)


# --- realistic shapes --------------------------------------------------------------------------


def approved_at_as_at(folder: Path) -> list[dict]:
    """The measures' population: approved or on hold, approved on or before as_at."""
    return [
        h
        for h in read_typed(extract_path(folder, "carer_households", "885"))
        if h["status"] in ("approved", "on_hold") and h["approval_date"] <= AS_AT
    ]


def latest_by_household(rows: list[dict], date_column: str, type_column: str, wanted: str) -> dict[str, date]:
    latest: dict[str, date] = {}
    for row in rows:
        if row[type_column].lower() == wanted:
            latest[row["household_id"]] = max(latest.get(row["household_id"], date.min), row[date_column])
    return latest


def in_time_share(
    population: list[dict], latest: dict[str, date], within_days: int, not_yet_due_days: int = 0
) -> float:
    """in time / (in time + out of time), leaving out households approved too recently to be due."""
    due = [h for h in population if h["approval_date"] <= AS_AT - timedelta(days=not_yet_due_days)]
    in_time = [h for h in due if latest.get(h["household_id"], date.min) > AS_AT - timedelta(days=within_days)]
    return len(in_time) / len(due)


def test_register_has_the_shape_of_a_fostering_service(large_authority):
    households = read_typed(extract_path(large_authority, "carer_households", "885"))
    count = len(households)
    types = Counter(h["carer_type"] for h in households)
    assert 0.2 <= types["kinship"] / count <= 0.3
    statuses = Counter(h["status"] for h in households)
    assert statuses["approved"] > count / 2 and statuses["on_hold"] and statuses["in_assessment"]
    assert 0.07 <= statuses["deregistered"] / count <= 0.13
    assert 3 <= len({h["team"] for h in households}) <= 5
    for h in households:
        if h["status"] == "in_assessment":
            assert h["approval_date"] is None and h["approved_places"] is None
        else:
            assert 1 <= int(h["approved_places"]) <= 4
        if h["status"] == "deregistered":
            assert years_before(AS_AT, 2) <= h["deregistration_date"] <= AS_AT
            assert h["deregistration_date"] > h["approval_date"] and h["deregistration_reason"]
        else:
            assert h["deregistration_date"] is None and h["deregistration_reason"] is None
        assert re.fullmatch(r"[A-Z]{1,2}\d{1,2}", h["postcode_district"])
        assert re.fullmatch(r"W\d{4}", h["supervising_worker_id"])


def test_approvals_span_twelve_years_with_some_too_recent_to_be_due(large_authority):
    approvals = [h["approval_date"] for h in approved_at_as_at(large_authority)]
    assert min(approvals) >= years_before(AS_AT, 12)
    assert min(approvals) < years_before(AS_AT, 8)
    assert max(approvals) < AS_AT
    assert sum(a > AS_AT - timedelta(days=42) for a in approvals) >= 3
    assert sum(a > years_before(AS_AT, 1) for a in approvals) >= 0.1 * len(approvals)


def test_support_visits_are_mostly_but_not_all_within_42_days(large_authority):
    visits = read_typed(extract_path(large_authority, "carer_visits", "885"))
    latest = latest_by_household(visits, "visit_date", "visit_type", "support")
    assert 0.6 <= in_time_share(approved_at_as_at(large_authority), latest, 42, not_yet_due_days=42) <= 0.97


def test_unannounced_visits_are_about_yearly_with_some_years_missed(large_authority):
    visits = read_typed(extract_path(large_authority, "carer_visits", "885"))
    latest = latest_by_household(visits, "visit_date", "visit_type", "unannounced")
    assert 0.6 <= in_time_share(approved_at_as_at(large_authority), latest, 365, not_yet_due_days=365) <= 0.92


def test_keeping_in_touch_calls_reach_a_minority_in_any_four_weeks(large_authority):
    visits = read_typed(extract_path(large_authority, "carer_visits", "885"))
    population = approved_at_as_at(large_authority)
    for as_at in (AS_AT, AS_AT - timedelta(days=100), AS_AT - timedelta(days=300)):
        called = {
            v["household_id"]
            for v in visits
            if v["visit_type"].lower() == "kit_call" and as_at - timedelta(days=28) < v["visit_date"] <= as_at
        }
        assert 0.1 <= len(called & {h["household_id"] for h in population}) / len(population) <= 0.4


def test_reviews_are_yearly_with_about_a_quarter_late(large_authority):
    reviews = read_typed(extract_path(large_authority, "carer_reviews", "885"))
    dates_by_household = defaultdict(list)
    for review in reviews:
        dates_by_household[review["household_id"]].append(review["review_date"])
        assert review["panel_date"] is None or review["panel_date"] >= review["review_date"]
    gaps = [(b - a).days for dates in dates_by_household.values() for a, b in zip(sorted(dates), sorted(dates)[1:])]
    late = sum(gap > 366 for gap in gaps) / len(gaps)
    assert 0.15 <= late <= 0.35 and max(gaps) <= 16 * 31
    assert 0.3 <= sum(r["panel_date"] is None for r in reviews) / len(reviews) <= 0.8


def test_formal_supervision_slips_more_than_management_supervision(large_authority):
    supervisions = read_typed(extract_path(large_authority, "carer_supervisions", "885"))
    population = approved_at_as_at(large_authority)
    formal = in_time_share(
        population, latest_by_household(supervisions, "supervision_date", "supervision_type", "formal"), 84
    )
    management = in_time_share(
        population, latest_by_household(supervisions, "supervision_date", "supervision_type", "management"), 84
    )
    assert 0.5 <= formal <= 0.8
    assert formal < management <= 0.98


def test_training_has_one_or_two_carers_per_household_and_most_completed(large_authority):
    training = read_typed(extract_path(large_authority, "carer_training", "885"))
    carers_per_household = Counter(Counter(t["household_id"] for t in training).values())
    assert set(carers_per_household) == {1, 2}
    assert 0.3 <= carers_per_household[1] / sum(carers_per_household.values()) <= 0.5
    assert all(re.fullmatch(r"C\d{6}", t["carer_id"]) for t in training)
    assert 0.65 <= sum(t["tsd_completed_date"] is not None for t in training) / len(training) <= 0.85
    assert 0.05 <= sum(t["tsd_due_date"] is None for t in training) / len(training) <= 0.35


def test_training_due_dates_follow_12_months_mainstream_18_kinship(large_authority):
    households = {h["household_id"]: h for h in read_typed(extract_path(large_authority, "carer_households", "885"))}
    for carer in read_typed(extract_path(large_authority, "carer_training", "885")):
        if carer["tsd_due_date"]:
            household = households[carer["household_id"]]
            months = 18 if household["carer_type"] == "kinship" else 12
            approval = household["approval_date"]
            assert (carer["tsd_due_date"].year - approval.year) * 12 + carer[
                "tsd_due_date"
            ].month - approval.month == months


def test_notifications_are_mostly_received_within_a_day(large_authority):
    notifications = read_typed(extract_path(large_authority, "notifications", "885"))
    received = [n for n in notifications if n["received_date"]]
    lags = Counter((n["received_date"] - n["event_date"]).days for n in received)
    assert set(lags) <= set(range(6))
    assert 0.45 <= (lags[0] + lags[1]) / len(received) <= 0.65
    assert {n["event_type"] for n in notifications} >= {"allegation", "accident", "illness", "missing"}
    unreceived = [n for n in notifications if n["received_date"] is None]
    assert unreceived and all(n["event_date"] > AS_AT - timedelta(days=14) for n in unreceived)
    per_household_year = len(notifications) / len({n["household_id"] for n in notifications}) / 3
    assert 1 <= per_household_year <= 5


# --- named defects -----------------------------------------------------------------------------


def first_authority_households(folder: Path) -> set[str]:
    return {row["household_id"] for row in read_raw(extract_path(folder, "carer_households", "885"))[1]}


# The damage each defect must do (independently of how the generator does it): the extract and
# the one cell changed, checked against the damaged row and the clean files.
EXPECTED_DAMAGE = {
    "unknown_code": (
        "carer_visits",
        "allowed_codes",
        "visit_type",
        lambda row, clean: row["visit_type"] == "home_visit",
    ),
    "duplicate_key": (
        "carer_visits",
        "key_unique",
        "visit_id",
        lambda row, clean: (
            row["visit_id"] in {r["visit_id"] for r in read_raw(extract_path(clean, "carer_visits", "885"))[1]}
        ),
    ),
    "missing_required": ("carer_visits", "required", "visit_date", lambda row, clean: row["visit_date"] == ""),
    "unparseable_date": (
        "carer_visits",
        "date_type",
        "visit_date",
        lambda row, clean: row["visit_date"] == "31/02/2024",
    ),
    "future_date": (
        "carer_supervisions",
        "date_possible",
        "supervision_date",
        lambda row, clean: parse_date(row["supervision_date"]) == AS_AT + timedelta(days=30),
    ),
    "orphan_reference": (
        "carer_visits",
        "reference_resolves",
        "household_id",
        lambda row, clean: row["household_id"] and row["household_id"] not in first_authority_households(clean),
    ),
    "wrong_la_code": (
        "notifications",
        "la_code_matches_file",
        "la_code",
        lambda row, clean: re.fullmatch(r"\d{3}", row["la_code"]) and row["la_code"] != "885",
    ),
    "received_before_event": (
        "notifications",
        "received_not_before_event",
        "received_date",
        lambda row, clean: parse_date(row["received_date"]) == parse_date(row["event_date"]) - timedelta(days=3),
    ),
    "not_a_number": (
        "carer_households",
        "integer_type",
        "approved_places",
        lambda row, clean: row["approved_places"] == "two",
    ),
}


# The quality assurance defects, checked the same way against a clean pair of every area.
QA_EXPECTED_DAMAGE = {
    "unknown_grade_label": (
        "case_file_audits",
        "allowed_codes",
        "overall_grade",
        lambda row, clean: row["overall_grade"] == "Satisfactory",
    ),
    "action_for_unknown_audit": (
        "audit_actions",
        "reference_resolves",
        "audit_id",
        lambda row, clean: (
            row["audit_id"] not in {a["audit_id"] for a in read_raw(extract_path(clean, "case_file_audits", "885"))[1]}
        ),
    ),
    "rating_out_of_range": ("feedback", "value_in_range", "rating", lambda row, clean: row["rating"] == "7"),
    "complaint_without_stage": (
        "complaints",
        "complaint_has_stage",
        "stage",
        lambda row, clean: row["record_type"].lower() == "complaint" and row["stage"] == "",
    ),
    "bad_flag": ("complaints", "flag_type", "advocacy", lambda row, clean: row["advocacy"] == "maybe"),
}


# The recruitment defects, checked the same way.
RECRUITMENT_EXPECTED_DAMAGE = {
    "recruitment_stages_out_of_order": (
        "recruitment",
        "stage_dates_in_order",
        "application_date",
        lambda row, clean: parse_date(row["application_date"]) == parse_date(row["enquiry_date"]) - timedelta(days=5),
    ),
    "withdrawal_without_reason": (
        "recruitment",
        "withdrawal_has_reason",
        "withdrawal_reason",
        lambda row, clean: row["withdrawn_date"] != "" and row["withdrawal_reason"] == "",
    ),
}

WORKFORCE_EXPECTED_DAMAGE = {
    "fte_zero": ("workforce", "fte_above_zero", "fte", lambda row, clean: row["fte"] == "0"),
    "fte_too_high": ("workforce", "fte_at_most_1_5", "fte", lambda row, clean: row["fte"] == "1.6"),
    "leave_before_start": (
        "workforce",
        "leave_not_before_start",
        "leave_date",
        lambda row, clean: parse_date(row["leave_date"]) == parse_date(row["start_date"]) - timedelta(days=10),
    ),
    "establishment_zero": (
        "team_establishment",
        "establishment_fte_positive",
        "establishment_fte",
        lambda row, clean: row["establishment_fte"] == "0",
    ),
}
RESIDENTIAL_EXPECTED_DAMAGE = {
    "occupied_above_registered": (
        "childrens_homes",
        "occupied_not_above_registered",
        "occupied_places",
        lambda row, clean: int(row["occupied_places"]) == int(row["registered_places"]) + 2,
    ),
    "registration_before_application": (
        "childrens_homes",
        "registration_not_before_application",
        "registration_date",
        lambda row, clean: (
            parse_date(row["registration_date"]) == parse_date(row["application_date"]) - timedelta(days=10)
        ),
    ),
    "closure_before_registration": (
        "childrens_homes",
        "closure_not_before_registration",
        "closure_date",
        lambda row, clean: parse_date(row["closure_date"]) == parse_date(row["registration_date"]) - timedelta(days=10),
    ),
    "judgement_without_inspection": (
        "childrens_homes",
        "judgement_needs_inspection_date",
        "last_inspection_date",
        lambda row, clean: row["inspection_judgement"] and not row["last_inspection_date"],
    ),
    "closure_date_on_open_home": (
        "childrens_homes",
        "closed_home_has_status_closed",
        "closure_date",
        lambda row, clean: parse_date(row["closure_date"]) == AS_AT and row["registration_status"] == "registered",
    ),
    "reg44_visit_to_unknown_home": (
        "reg44_visits",
        "reference_resolves",
        "home_id",
        lambda row, clean: (
            row["home_id"] not in {h["home_id"] for h in read_raw(extract_path(clean, "childrens_homes", "885"))[1]}
        ),
    ),
}
ALL_EXPECTED_DAMAGE = {
    **EXPECTED_DAMAGE,
    **QA_EXPECTED_DAMAGE,
    **RECRUITMENT_EXPECTED_DAMAGE,
    **WORKFORCE_EXPECTED_DAMAGE,
    **RESIDENTIAL_EXPECTED_DAMAGE,
}


# The census's defects, damage checked in tests/test_children_in_need_synthetic.py (a cell of an episode
# repeats on each of its rows, so one defect changes several).
CIN_DEFECTS = {
    "cin_blank_child_id": ("cin_census", "required"),
    "cin_date_not_a_date": ("cin_census", "date_type"),
    "cin_unknown_code": ("cin_census", "dfe_8650"),
    "cin_duplicated_referral": ("cin_census", "key_unique"),
}


def test_every_defect_in_the_brief_is_defined_with_its_extract_rule_and_description():
    assert set(DEFECTS) == set(ALL_EXPECTED_DAMAGE) | set(CIN_DEFECTS) | {"missing_column"}
    for name, defect in DEFECTS.items():
        assert defect.name == name and defect.description
        if name in ALL_EXPECTED_DAMAGE:
            assert (defect.extract, defect.rule) == ALL_EXPECTED_DAMAGE[name][:2]
        if name in CIN_DEFECTS:
            assert (defect.extract, defect.rule) == CIN_DEFECTS[name]
    assert (DEFECTS["missing_column"].extract, DEFECTS["missing_column"].rule) == ("carer_reviews", "required_column")


def assert_only_this_file_differs(clean: Path, damaged: Path, damaged_name: str) -> None:
    clean_names = sorted(p.name for p in clean.iterdir())
    assert sorted(p.name for p in damaged.iterdir()) == clean_names
    for name in clean_names:
        same = (clean / name).read_bytes() == (damaged / name).read_bytes()
        assert same == (name != damaged_name), name


@pytest.mark.parametrize("name", sorted(EXPECTED_DAMAGE))
def test_a_defect_changes_one_cell_of_one_first_authority_file(name, tmp_path, clean_pair):
    extract, _, column, is_the_damage = EXPECTED_DAMAGE[name]
    generate_fostering_extracts(tmp_path, households=40, years=2, authorities=2, as_at=AS_AT, defects=[name])
    assert_only_this_file_differs(clean_pair, tmp_path, extract_path(tmp_path, extract, "885").name)

    clean_header, clean_rows = read_raw(extract_path(clean_pair, extract, "885"))
    header, rows = read_raw(extract_path(tmp_path, extract, "885"))
    assert header == clean_header and len(rows) == len(clean_rows)
    changed = [
        (index, c)
        for index, (before, after) in enumerate(zip(clean_rows, rows))
        for c in header
        if before[c] != after[c]
    ]
    assert len(changed) == 1 and changed[0][1] == column, changed
    assert is_the_damage(rows[changed[0][0]], clean_pair)


def test_missing_column_removes_review_date_from_header_and_rows(tmp_path, clean_pair):
    generate_fostering_extracts(
        tmp_path, households=40, years=2, authorities=2, as_at=AS_AT, defects=["missing_column"]
    )
    assert_only_this_file_differs(clean_pair, tmp_path, extract_path(tmp_path, "carer_reviews", "885").name)
    clean_header, clean_rows = read_raw(extract_path(clean_pair, "carer_reviews", "885"))
    header, rows = read_raw(extract_path(tmp_path, "carer_reviews", "885"))
    assert header == [c for c in clean_header if c != "review_date"]
    assert rows == [{c: v for c, v in row.items() if c != "review_date"} for row in clean_rows]


def test_all_defects_together_damage_only_the_files_they_name(tmp_path, clean_pair_all_areas):
    generate_extracts(tmp_path, households=40, years=2, authorities=2, as_at=AS_AT, defects=list(DEFECTS))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in clean_pair_all_areas.iterdir())
    damaged = {p.name for p in clean_pair_all_areas.iterdir() if p.read_bytes() != (tmp_path / p.name).read_bytes()}
    assert damaged == {extract_path(tmp_path, d.extract, "885").name for d in DEFECTS.values()}


def test_all_fostering_defects_together_through_the_fostering_generator(tmp_path, clean_pair):
    fostering = [name for name, d in DEFECTS.items() if d.extract in FOSTERING_EXTRACTS]
    generate_fostering_extracts(tmp_path, households=40, years=2, authorities=2, as_at=AS_AT, defects=fostering)
    damaged = {p.name for p in clean_pair.iterdir() if p.read_bytes() != (tmp_path / p.name).read_bytes()}
    assert damaged == {extract_path(tmp_path, DEFECTS[n].extract, "885").name for n in fostering}


def test_the_fostering_generator_refuses_a_quality_assurance_defect(tmp_path):
    with pytest.raises(ValueError, match="generate_extracts"):
        generate_fostering_extracts(tmp_path, defects=["bad_flag"])
    assert not list(tmp_path.iterdir())


@pytest.fixture(scope="module")
def clean_pair_all_areas(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clean_pair_all_areas")
    generate_extracts(folder, households=40, years=2, authorities=2, as_at=AS_AT)
    return folder


@pytest.mark.parametrize(
    "name",
    sorted(QA_EXPECTED_DAMAGE)
    + sorted(RECRUITMENT_EXPECTED_DAMAGE)
    + sorted(WORKFORCE_EXPECTED_DAMAGE)
    + sorted(RESIDENTIAL_EXPECTED_DAMAGE),
)
def test_a_quality_assurance_defect_changes_one_cell_of_one_first_authority_file(name, tmp_path, clean_pair_all_areas):
    extract, _, column, is_the_damage = {
        **QA_EXPECTED_DAMAGE,
        **RECRUITMENT_EXPECTED_DAMAGE,
        **WORKFORCE_EXPECTED_DAMAGE,
        **RESIDENTIAL_EXPECTED_DAMAGE,
    }[name]
    generate_extracts(tmp_path, households=40, years=2, authorities=2, as_at=AS_AT, defects=[name])
    assert_only_this_file_differs(clean_pair_all_areas, tmp_path, extract_path(tmp_path, extract, "885").name)

    clean_header, clean_rows = read_raw(extract_path(clean_pair_all_areas, extract, "885"))
    header, rows = read_raw(extract_path(tmp_path, extract, "885"))
    assert header == clean_header and len(rows) == len(clean_rows)
    changed = [
        (index, c)
        for index, (before, after) in enumerate(zip(clean_rows, rows))
        for c in header
        if before[c] != after[c]
    ]
    assert len(changed) == 1 and changed[0][1] == column, changed
    assert is_the_damage(rows[changed[0][0]], clean_pair_all_areas)


def test_an_unknown_defect_name_is_refused_with_the_valid_names(tmp_path):
    with pytest.raises(ValueError, match="no_such_defect") as refused:
        generate_fostering_extracts(tmp_path, defects=["unknown_code", "no_such_defect"])
    assert all(name in str(refused.value) for name in DEFECTS)
    assert not list(tmp_path.iterdir()), "nothing is written when the arguments are wrong"


# --- quality assurance extracts ----------------------------------------------------------------

QA_EXTRACTS = ("case_file_audits", "audit_actions", "feedback", "complaints")
# Which QA extracts each of the first three authorities writes as a workbook.
QA_XLSX = {"885": set(), "886": {"case_file_audits", "feedback"}, "887": set(QA_EXTRACTS)}
GRADE_ORDER = ("inadequate", "requires_improvement", "good", "outstanding")
DOMAINS = (
    "voice_of_child",
    "support_and_supervision",
    "safer_caring",
    "matching",
    "approval_review_panel",
    "management_oversight",
)
TRUE_FLAGS, FALSE_FLAGS = {"y", "yes", "true", "1"}, {"n", "no", "false", "0"}
THEMES_SEED = SEEDS_DIR / "feedback_themes.csv"


def code(value) -> str | None:
    """As staging's normalise_code reads a code (docs/quality-assurance-figures.md)."""
    return None if value is None else re.sub(r"[ -]", "_", str(value).strip().lower())


def flag(value) -> bool | None:
    if value is None:
        return None
    assert str(value).lower() in TRUE_FLAGS | FALSE_FLAGS, value
    return str(value).lower() in TRUE_FLAGS


def qa_path(folder: Path, extract: str, la_code: str) -> Path:
    suffix = "xlsx" if extract in QA_XLSX[la_code] else "csv"
    return folder / f"{extract}_{la_code}_{AS_AT:%Y%m%d}.{suffix}"


def read_sheet(path: Path) -> tuple[list[str], list[dict]]:
    """As ingest reads a workbook: the header is the first of the first 20 rows holding every
    required column; dates are date cells or dd/mm/yyyy text; blank rows are skipped."""
    from openpyxl import load_workbook

    required = {c.name for c in get_contract(recognise(path).extract).columns if c.required}
    values = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    at = next(n for n, row in enumerate(values[:20]) if required <= {str(v) for v in row if v is not None})
    header = [str(v) for v in values[at] if v is not None]
    rows = []
    for raw in values[at + 1 :]:
        if all(v is None for v in raw):
            continue
        row = {}
        for column, value in zip(header, raw):
            if isinstance(value, datetime):
                value = value.date()
            elif column.endswith("_date") and isinstance(value, str):
                value = datetime.strptime(value, "%d/%m/%Y").date()
            row[column] = None if value is None or value == "" else value if isinstance(value, date) else str(value)
        rows.append(row)
    return header, rows


def read_qa(path: Path) -> tuple[list[str], list[dict]]:
    """Header and rows of a CSV or workbook: dates as dates, everything else as text or None."""
    if path.suffix == ".xlsx":
        return read_sheet(path)
    header, rows = read_raw(path)
    return header, read_typed(path)


@pytest.fixture(scope="module")
def qa_three(tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("qa_three")
    return folder, generate_extracts(folder, households=60, years=2, authorities=3, seed=7, as_at=AS_AT)


@pytest.fixture(scope="module")
def qa_tables(qa_three) -> dict[tuple[str, str], list[dict]]:
    folder, _ = qa_three
    tables = {
        (extract, la): read_qa(qa_path(folder, extract, la))[1]
        for extract in QA_EXTRACTS
        for la in FIRST_THREE_LA_CODES
    }
    for la in FIRST_THREE_LA_CODES:
        tables["carer_households", la] = read_typed(extract_path(folder, "carer_households", la))
    return tables


def test_all_areas_are_byte_identical_for_the_same_arguments_workbooks_included(tmp_path, qa_three):
    folder, paths = qa_three
    again = generate_extracts(tmp_path, households=60, years=2, authorities=3, seed=7, as_at=AS_AT)
    assert [p.name for p in again] == [p.name for p in paths]
    assert any(p.suffix == ".xlsx" for p in paths)
    for first, second in zip(paths, again):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_the_fostering_files_are_the_same_whichever_areas_are_generated(tmp_path, three_authorities):
    folder, fostering_paths = three_authorities
    generate_extracts(tmp_path, households=60, years=2, authorities=3, seed=7, as_at=AS_AT)
    for path in fostering_paths:
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name


def test_areas_choose_the_extracts_and_every_file_is_named_as_the_contract_says(tmp_path, qa_three):
    folder, paths = qa_three
    expected_qa = sorted(qa_path(folder, e, la) for e in QA_EXTRACTS for la in FIRST_THREE_LA_CODES)
    expected_fostering = sorted(extract_path(folder, e, la) for e in FOSTERING_EXTRACTS for la in FIRST_THREE_LA_CODES)
    expected_recruitment = [extract_path(folder, "recruitment", la) for la in FIRST_THREE_LA_CODES]
    expected_workforce = [extract_path(folder, e, la) for e in WORKFORCE_EXTRACTS for la in FIRST_THREE_LA_CODES]
    expected_residential = [extract_path(folder, e, la) for e in RESIDENTIAL_EXTRACTS for la in FIRST_THREE_LA_CODES]
    expected_children_in_care = [
        folder / f"903_{t}_{la}_{AS_AT:%Y%m%d}.csv" for t in SSDA903_TABLES for la in FIRST_THREE_LA_CODES
    ]
    expected_children_in_care += [
        extract_path(folder, e, la) for e in CHILDREN_IN_CARE_LOCAL_EXTRACTS for la in FIRST_THREE_LA_CODES
    ]
    # DfE's XML return for the first authority, the flat CSV for the second, and so on alternately.
    expected_children_in_need = [
        folder / f"cin_census_{la}_{AS_AT:%Y%m%d}.{'csv' if n % 2 else 'xml'}"
        for n, la in enumerate(FIRST_THREE_LA_CODES)
    ]
    assert paths == sorted(
        expected_qa
        + expected_fostering
        + expected_recruitment
        + expected_workforce
        + expected_residential
        + expected_children_in_care
        + expected_children_in_need
    )
    for path in paths:
        landing = recognise(path)
        assert landing is not None and landing.extract_date == AS_AT, path.name
    only_qa = generate_extracts(tmp_path, households=20, authorities=1, as_at=AS_AT, areas=("quality_assurance",))
    assert [p.name for p in only_qa] == sorted(f"{e}_885_20250331.csv" for e in QA_EXTRACTS)
    only_workforce = generate_extracts(
        tmp_path / "workforce", households=20, authorities=1, as_at=AS_AT, areas=("workforce",)
    )
    assert [p.name for p in only_workforce] == sorted(f"{e}_885_20250331.csv" for e in WORKFORCE_EXTRACTS)
    only_residential = generate_extracts(
        tmp_path / "residential", households=20, authorities=1, as_at=AS_AT, areas=("residential",)
    )
    assert [p.name for p in only_residential] == sorted(f"{e}_885_20250331.csv" for e in RESIDENTIAL_EXTRACTS)
    only_children = generate_extracts(
        tmp_path / "children", households=20, authorities=1, as_at=AS_AT, areas=("children_in_care",)
    )
    assert [p.name for p in only_children] == sorted(
        [f"903_{t}_885_20250331.csv" for t in SSDA903_TABLES]
        + [f"{e}_885_20250331.csv" for e in CHILDREN_IN_CARE_LOCAL_EXTRACTS]
    )
    with pytest.raises(ValueError, match="unknown area"):
        generate_extracts(tmp_path, areas=("finance",))
    assert landing_file_name("feedback", "886", AS_AT, "xlsx") == "feedback_886_20250331.xlsx"
    assert landing_file_name("ssda903_placed_adoption", "885", AS_AT) == "903_placed_adoption_885_20250331.csv"


def test_every_qa_file_keeps_its_contract(qa_three):
    """Columns in contract order, required cells filled, codes (normalised), flags, integers in
    range, dates not after the extract date, unique keys, the contract's own rules, la_code."""
    folder, _ = qa_three
    for la in FIRST_THREE_LA_CODES:
        for extract in QA_EXTRACTS:
            contract = get_contract(extract)
            header, rows = read_qa(qa_path(folder, extract, la))
            assert header == list(contract.column_names), (extract, la)
            assert len(rows) >= 100, (extract, la, len(rows))
            keys = [tuple(row[k] for k in contract.key) for row in rows]
            assert len(keys) == len(set(keys)), (extract, la)
            for row in rows:
                assert row["la_code"] == la
                for column in contract.columns:
                    value = row[column.name]
                    if column.required:
                        assert value is not None, (extract, column.name, row)
                    if value is None:
                        continue
                    if column.codes:
                        assert code(value) in column.codes, (extract, column.name, value)
                    if column.type == "flag":
                        flag(value)
                    if column.type == "integer":
                        assert column.min <= int(value) <= column.max, (extract, column.name, value)
                    if column.type == "date":
                        assert isinstance(value, date) and (not column.not_after_extract_date or value <= AS_AT)
            if extract == "case_file_audits":
                for row in rows:
                    assert (
                        (row["moderated_grade"] is None)
                        == (row["moderation_date"] is None)
                        == (row["moderator_id"] is None)
                    )
                    assert row["moderation_date"] is None or row["moderation_date"] >= row["audit_date"]
            if extract == "audit_actions":
                assert all(row["followup_date"] for row in rows if row["followup_outcome"])
            if extract == "complaints":
                for row in rows:
                    assert (row["stage"] is not None) == (code(row["record_type"]) == "complaint")
                    assert row["responded_date"] is None or row["responded_date"] >= row["received_date"]


def test_workbooks_have_a_title_and_a_blank_row_above_the_header_typed_labels_and_date_cells(qa_three):
    from openpyxl import load_workbook

    folder, _ = qa_three
    grade_labels, date_cells, text_dates = set(), 0, 0
    for la in ("886", "887"):
        for extract in sorted(QA_XLSX[la]):
            sheet = load_workbook(qa_path(folder, extract, la)).worksheets[0]
            title = [c.value for c in sheet[1] if c.value is not None]
            assert len(title) == 1 and isinstance(title[0], str) and title[0] not in get_contract(extract).column_names
            assert all(c.value is None for c in sheet[2])
            assert [c.value for c in sheet[3]] == list(get_contract(extract).column_names)
            for row in sheet.iter_rows(min_row=4):
                for cell in row:
                    if sheet.cell(3, cell.column).value.endswith("_date") and cell.value is not None:
                        date_cells += isinstance(cell.value, datetime)
                        text_dates += isinstance(cell.value, str)
                    if sheet.cell(3, cell.column).value in ("overall_grade", "grade_safer_caring"):
                        grade_labels.add(cell.value)
    assert {"Requires Improvement", "Good", "OUTSTANDING"} <= grade_labels
    assert date_cells > 10 * text_dates > 0, (date_cells, text_dates)


def test_audits_are_of_the_authoritys_approved_households_by_their_team_managers(qa_tables):
    for la in FIRST_THREE_LA_CODES:
        households = {h["household_id"]: h for h in qa_tables["carer_households", la]}
        audits = qa_tables["case_file_audits", la]
        managers = {}
        for audit in audits:
            assert code(audit["subject_type"]) == "household"
            household = households[audit["subject_id"]]
            assert household["approval_date"] <= audit["audit_date"]
            assert household["deregistration_date"] is None or audit["audit_date"] < household["deregistration_date"]
            assert managers.setdefault(household["team"], audit["lead_auditor_id"]) == audit["lead_auditor_id"]
            assert code(audit["service"]) == ("kinship" if household["carer_type"] == "kinship" else "fostering")
            assert (code(audit["audit_type"]) == "targeted") <= (audit["topic"] is not None)
        assert len(set(managers.values())) == len(managers) >= 3, "one manager per team"
        workers = {h["supervising_worker_id"] for h in households.values()}
        assert not workers & set(managers.values()), "managers are not the households' workers"
        for audit in audits:
            assert audit["peer_auditor_id"] in set(managers.values()) - {audit["lead_auditor_id"]}
            assert re.fullmatch(r"W\d{4}", audit["lead_auditor_id"])
            assert audit["moderator_id"] is None or audit["moderator_id"] not in managers.values()
        assert {audit["service"] for audit in audits} >= {"fostering"}
        assert len({audit["service"] for audit in audits if code(audit["service"]) == "kinship"}) >= 2, (
            "spelled variously"
        )
        # About 2-4 audits per team per month over the two years.
        assert 2 * 24 * len(managers) * 0.8 <= len(audits) <= 4 * 24 * len(managers)
        assert min(a["audit_date"] for a in audits) < date(2023, 5, 1)
        assert max(a["audit_date"] for a in audits) > date(2025, 3, 1)
        moderated = [a for a in audits if a["moderation_date"]]
        assert 0.45 <= len(moderated) / len(audits) <= 0.7
        assert all(5 <= (a["moderation_date"] - a["audit_date"]).days <= 40 for a in moderated)
        flags = {a["carer_views_sought"] for a in audits} | {a["child_views_sought"] for a in audits}
        assert {"Y", "N", "Yes", "No", "TRUE"} <= flags


def test_audit_overall_grades_follow_the_domains(qa_tables):
    for la in FIRST_THREE_LA_CODES:
        for audit in qa_tables["case_file_audits", la]:
            graded = [GRADE_ORDER.index(code(audit[f"grade_{d}"])) for d in DOMAINS if audit[f"grade_{d}"]]
            overall = GRADE_ORDER.index(code(audit["overall_grade"]))
            if graded:
                assert min(graded) <= overall <= max(graded), audit
                assert 0 not in graded or overall <= 1, audit


def test_actions_belong_to_audits_and_fall_due_two_to_ten_weeks_later(qa_tables):
    for la in FIRST_THREE_LA_CODES:
        audits = {a["audit_id"]: a for a in qa_tables["case_file_audits", la]}
        actions = qa_tables["audit_actions", la]
        per_audit = Counter(action["audit_id"] for action in actions)
        assert set(per_audit) <= set(audits) and max(per_audit.values()) <= 4
        assert len(per_audit) < len(audits), "some audits set no action"
        for action in actions:
            audit = audits[action["audit_id"]]
            assert 14 <= (action["due_date"] - audit["audit_date"]).days <= 70
            assert action["completed_date"] is None or action["completed_date"] > audit["audit_date"]
            assert action["followup_date"] is None or action["followup_date"] > audit["audit_date"]


def final_grade(audit: dict) -> str:
    return code(audit["moderated_grade"] or audit["overall_grade"])


def test_every_audit_figure_has_inputs(qa_tables):
    """docs/quality-assurance-figures.md, Audits: each count is non-zero in every authority."""
    for la in FIRST_THREE_LA_CODES:
        audits = qa_tables["case_file_audits", la]
        by_id = {a["audit_id"]: a for a in audits}
        actions = qa_tables["audit_actions", la]
        types = Counter(code(a["audit_type"]) for a in audits)
        assert all(types[t] for t in ("case_file", "dip_sample", "targeted")), types
        finals = Counter(final_grade(a) for a in audits)
        assert finals["good"] + finals["outstanding"] and finals["requires_improvement"] + finals["inadequate"]
        changes = Counter(
            "up"
            if GRADE_ORDER.index(code(a["moderated_grade"])) > GRADE_ORDER.index(code(a["overall_grade"]))
            else "down"
            if GRADE_ORDER.index(code(a["moderated_grade"])) < GRADE_ORDER.index(code(a["overall_grade"]))
            else "none"
            for a in audits
            if a["moderated_grade"]
        )
        assert changes["up"] and changes["down"] and changes["none"] > changes["up"] + changes["down"], changes
        assert 0.07 <= (changes["up"] + changes["down"]) / sum(changes.values()) <= 0.25
        for who in ("child", "parent", "carer"):
            assert sum(bool(flag(a[f"{who}_views_sought"])) for a in audits)
            assert sum(flag(a[f"{who}_views_sought"]) is False for a in audits)
        for domain in DOMAINS:
            grades = Counter(code(a[f"grade_{domain}"]) for a in audits)
            assert set(GRADE_ORDER) <= set(grades) and grades[None], (domain, grades)
        assert set(GRADE_ORDER) <= set(finals)

        def deadline(audit):
            return (audit["moderation_date"] or audit["audit_date"]) + timedelta(days=56)

        closed = [x for x in actions if x["followup_date"] and x["followup_date"] <= deadline(by_id[x["audit_id"]])]
        followed_late = [
            x for x in actions if x["followup_date"] and x["followup_date"] > deadline(by_id[x["audit_id"]])
        ]
        never = [x for x in actions if not x["followup_date"]]
        assert closed and followed_late and never and len(closed) > len(followed_late)
        on_time = [x for x in actions if x["completed_date"] and x["completed_date"] <= x["due_date"]]
        late = [x for x in actions if x["completed_date"] and x["completed_date"] > x["due_date"]]
        overdue = [x for x in actions if not x["completed_date"] and x["due_date"] < AS_AT]
        assert len(on_time) > len(late) > 0 and overdue
        assert {code(x["followup_outcome"]) for x in actions} == {
            "completed",
            "partly_completed",
            "not_completed",
            None,
        }


def theme_patterns() -> dict[str, re.Pattern]:
    """The seed's PostgreSQL patterns in Python: \\m and \\M are word boundaries."""
    with THEMES_SEED.open(encoding="utf-8") as seed:
        return {
            row["theme"]: re.compile(row["pattern"].replace(r"\m", r"\b").replace(r"\M", r"\b"), re.I)
            for row in csv.DictReader(seed)
        }


def themes_of(comment: str | None, patterns: dict[str, re.Pattern]) -> set[str]:
    return {theme for theme, pattern in patterns.items() if comment and pattern.search(comment)}


def test_comment_phrases_carry_the_seeds_themes_or_deliberately_none():
    from qa_warehouse_synthetic.quality_assurance import PHRASES, PLAIN_PHRASES

    patterns = theme_patterns()
    for phrases in PHRASES.values():
        for phrase in phrases:
            assert themes_of(phrase, patterns), phrase
    for phrases in PLAIN_PHRASES.values():
        for phrase in phrases:
            assert not themes_of(phrase, patterns), phrase
    assert themes_of("My social worker always calls back and keeps me informed", patterns) >= {"communication"}
    assert themes_of("Allowance paid late again and nobody returned my call", patterns) == {
        "finance_allowances",
        "communication",
    }


def test_every_feedback_figure_has_inputs(qa_tables):
    """docs/quality-assurance-figures.md, Feedback: respondents and cohorts, ratings of every
    sentiment, themes mentioned positively and negatively, officers meeting and missing the minimum."""
    patterns = theme_patterns()
    for la in FIRST_THREE_LA_CODES:
        rows = qa_tables["feedback", la]
        questions_per_response = Counter(row["response_id"] for row in rows)
        assert set(questions_per_response.values()) == {1, 2, 3, 4}
        assert {(code(r["respondent"]), code(r["cohort"])) for r in rows} >= {
            (who, cohort) for who in ("child", "carer", "birth_parent") for cohort in ("mainstream", "kinship", None)
        }
        ratings = Counter(int(r["rating"]) if r["rating"] else None for r in rows)
        assert set(ratings) == {1, 2, 3, 4, 5, None}
        assert ratings[4] + ratings[5] > 2 * (ratings[1] + ratings[2]) > 0, "skewed positive"
        comments = [r for r in rows if r["comment"]]
        assert 0.3 <= len(comments) / len(rows) <= 0.5
        themed = Counter(len(themes_of(r["comment"], patterns)) for r in comments)
        assert themed[0] and themed[1] and sum(n for k, n in themed.items() if k >= 2)
        mentions = Counter()
        for r in comments:
            rating = int(r["rating"]) if r["rating"] else None
            sentiment = (
                None if rating is None else "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"
            )
            for theme in themes_of(r["comment"], patterns):
                mentions[theme, sentiment] += 1
        for sentiment in ("positive", "negative", "neutral", None):
            assert sum(n for (_, s), n in mentions.items() if s == sentiment), sentiment
        assert mentions["finance_allowances", "negative"] and mentions["communication", "positive"]

        officer_months = defaultdict(lambda: defaultdict(set))
        for r in rows:
            if r["collected_by"] and code(r["respondent"]) in ("carer", "birth_parent"):
                officer_months[r["collected_by"], r["collected_date"].strftime("%Y-%m")][code(r["respondent"])].add(
                    r["response_id"]
                )
        officers = {officer for officer, _ in officer_months}
        assert 3 <= len(officers) <= 5
        met = [len(c["carer"]) >= 2 and len(c["birth_parent"]) >= 2 for c in officer_months.values()]
        assert any(met) and not all(met)
        assert {r["channel"] for r in rows} >= {"Monthly call", "Survey", "Annual review form"}


def working_days_between(first: date, second: date) -> int:
    """Days after `first` up to and including `second` that are not weekends or bank holidays in England."""
    import holidays

    closed = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, second.year + 1))
    return sum(
        1
        for n in range(1, (second - first).days + 1)
        if (day := first + timedelta(days=n)).weekday() < 5 and day not in closed
    )


def test_every_complaints_figure_has_inputs(qa_tables):
    """docs/quality-assurance-figures.md, Complaints: stages, timescales kept, extended and missed,
    awaiting responses, every outcome, advocacy, themes (and none), compliments and comments."""
    timescales = {1: (10, 20), 2: (25, 65), 3: (30, 30)}
    everything = [r for la in FIRST_THREE_LA_CODES for r in qa_tables["complaints", la]]
    assert Counter(int(r["stage"]) for r in everything if r["stage"])[3], "stage 3 occurs across authorities"
    for la in FIRST_THREE_LA_CODES:
        rows = qa_tables["complaints", la]
        kinds = Counter(code(r["record_type"]) for r in rows)
        assert kinds["complaint"] and kinds["compliment"] and kinds["comment"]
        complaints = [r for r in rows if code(r["record_type"]) == "complaint"]
        stages = Counter(int(r["stage"]) for r in complaints)
        assert stages[1] > stages[2] > 0
        timeliness = Counter()
        for r in complaints:
            if not r["responded_date"]:
                timeliness["awaiting"] += 1
                continue
            standard, extended = timescales[int(r["stage"])]
            days = working_days_between(r["received_date"], r["responded_date"])
            timeliness["in time" if days <= standard else "extended" if days <= extended else "late"] += 1
        assert all(timeliness[k] for k in ("in time", "extended", "late", "awaiting")), timeliness
        assert timeliness["in time"] > timeliness["late"]
        outcomes = Counter(code(r["outcome"]) for r in complaints)
        assert all(outcomes[o] for o in ("upheld", "partly_upheld", "not_upheld", "withdrawn")), outcomes
        assert sum(flag(r["advocacy"]) is True for r in complaints)
        themes = Counter(code(r["theme"]) for r in complaints)
        assert themes[None] and themes["placement_stability"] and themes["staff_attitude"] and themes["communication"]
        assert {code(r["service"]) for r in rows} >= {"fostering", "kinship"}


# --- workforce extracts ------------------------------------------------------------------------


def test_the_workforce_is_the_register_and_audit_staff_with_the_cases_the_figures_need(qa_three):
    """Supervising workers and lead auditors are in post; teams are the register's; every
    authority has a returner (two spells), part-time agency workers and permanent leavers; FTE
    and dates keep the contract's rules."""
    folder, _ = qa_three
    for la in FIRST_THREE_LA_CODES:
        register = read_typed(extract_path(folder, "carer_households", la))
        _, workforce = read_raw(extract_path(folder, "workforce", la))
        _, establishment = read_raw(extract_path(folder, "team_establishment", la))
        audits = read_qa(qa_path(folder, "case_file_audits", la))[1]
        in_post = {r["worker_id"] for r in workforce if not r["leave_date"]}
        assert {h["supervising_worker_id"] for h in register if h["supervising_worker_id"]} <= in_post
        assert {a["lead_auditor_id"] for a in audits if a.get("lead_auditor_id")} <= in_post
        teams = {h["team"] for h in register}
        assert {r["team"] for r in workforce} == teams == {r["team"] for r in establishment}
        spells = Counter(r["worker_id"] for r in workforce)
        returners = [w for w, n in spells.items() if n == 2]
        assert len(returners) == 1 and max(spells.values()) == 2
        assert any(r["contract"] == "agency" and float(r["fte"]) < 1 and not r["leave_date"] for r in workforce)
        assert any(r["contract"] == "permanent" and r["leave_date"] for r in workforce)
        for r in workforce:
            assert 0 < float(r["fte"]) <= 1.5
            assert not r["leave_date"] or parse_date(r["leave_date"]) >= parse_date(r["start_date"])
            assert parse_date(r["start_date"]) <= AS_AT
        assert all(float(r["establishment_fte"]) > 0 for r in establishment)


# --- residential extracts ----------------------------------------------------------------------


def test_the_homes_are_a_pure_function_with_every_case_the_figures_need(qa_three):
    """authority_homes gives the same homes for the same arguments (the 903 generator relies on
    it) and they are the childrens_homes file's rows; every authority has internal and external
    registered homes, inspected homes with judgements, a home registered recently and not yet
    inspected, an application waiting, a home closed on the 15th of a quarter's middle month, and
    an unregistered home; the contract's rules hold; visits are to homes open on the visit day."""
    from qa_warehouse_synthetic import authority_homes

    folder, _ = qa_three
    for la in FIRST_THREE_LA_CODES:
        homes = authority_homes(7, la, AS_AT)
        assert homes == authority_homes(7, la, AS_AT) and homes != authority_homes(8, la, AS_AT)
        rows = read_typed(extract_path(folder, "childrens_homes", la))
        assert [r["home_id"] for r in rows] == [h.urn for h in homes]
        assert all(re.fullmatch(rf"SC{la}\d{{3}}", h.urn) for h in homes)
        by_status = Counter((h.provision, h.registration_status) for h in homes)
        assert by_status[("internal", "registered")] >= 4 and by_status[("external", "registered")] >= 5
        assert by_status[("internal", "applied")] >= 1 and by_status[("external", "unregistered")] == 1
        (closed,) = [h for h in homes if h.registration_status == "closed"]
        assert closed.closure_date.day == 15 and closed.closure_date.month % 3 == 2 and closed.closure_date < AS_AT
        assert any(
            h.registration_date and (AS_AT - h.registration_date).days <= 60 and h.last_inspection_date is None
            for h in homes
        )
        assert {h.inspection_judgement for h in homes if h.last_inspection_date} >= {"good", "requires_improvement"}
        for r in rows:
            places, occupied = r["registered_places"], r["occupied_places"]
            assert not (places and occupied) or int(occupied) <= int(places)
            assert (
                not (r["registration_date"] and r["application_date"])
                or r["registration_date"] >= r["application_date"]
            )
            assert not r["closure_date"] or (
                r["registration_status"] == "closed" and r["closure_date"] >= r["registration_date"]
            )
            assert not r["inspection_judgement"] or r["last_inspection_date"]
        open_on = {h.urn: h for h in homes}
        visits = read_typed(extract_path(folder, "reg44_visits", la))
        assert visits and all(
            open_on[v["home_id"]].is_open(v["visit_date"]) and v["visit_date"] <= AS_AT for v in visits
        )
        assert len({v["visit_id"] for v in visits}) == len(visits)


def test_childrens_home_placements_point_to_the_authoritys_own_homes(tmp_path):
    """903 K2 episodes carry the URN of a home the residential extract lists, and of no other."""
    generate_extracts(
        tmp_path, households=400, years=5, authorities=2, as_at=AS_AT, areas=("residential", "children_in_care")
    )
    for la in ("885", "886"):
        with open(tmp_path / f"903_episodes_{la}_{AS_AT:%Y%m%d}.csv", encoding="utf-8-sig", newline="") as f:
            episodes = list(csv.DictReader(f))
        with open(tmp_path / f"childrens_homes_{la}_{AS_AT:%Y%m%d}.csv", encoding="utf-8-sig", newline="") as f:
            homes = {row["home_id"] for row in csv.DictReader(f)}
        urns = {row["URN"] for row in episodes if row["PLACE"].upper() == "K2"}
        assert urns, f"authority {la} has no children's home placement to check"
        assert urns <= homes, f"authority {la}: URNs {sorted(urns - homes)} are not in its childrens_homes extract"
