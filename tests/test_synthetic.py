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

from qa_warehouse.contracts import get_contract, recognise
from qa_warehouse.synthetic import DEFECTS, generate_fostering_extracts, landing_file_name

AS_AT = date(2025, 3, 31)
FOSTERING_EXTRACTS = ("carer_households", "carer_visits", "carer_reviews", "carer_supervisions",
                      "carer_training", "notifications")
FIRST_THREE_LA_CODES = ("885", "886", "887")
KEYS = {"carer_households": "household_id", "carer_visits": "visit_id", "carer_reviews": "review_id",
        "carer_supervisions": "supervision_id", "carer_training": "carer_id", "notifications": "notification_id"}


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
    return [{column: (parse_date(value) if column.endswith("_date") else value or None)
             for column, value in row.items()} for row in rows]


def extract_path(folder: Path, extract: str, la_code: str) -> Path:
    return folder / f"{extract}_{la_code}_{AS_AT:%Y%m%d}.csv"


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
    event_dates = {"carer_visits": "visit_date", "carer_reviews": "review_date",
                   "carer_supervisions": "supervision_date", "notifications": "event_date"}
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
    assert "–".encode("utf-8") in raw  # the en dash in a team name
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
    return [h for h in read_typed(extract_path(folder, "carer_households", "885"))
            if h["status"] in ("approved", "on_hold") and h["approval_date"] <= AS_AT]


def latest_by_household(rows: list[dict], date_column: str, type_column: str, wanted: str) -> dict[str, date]:
    latest: dict[str, date] = {}
    for row in rows:
        if row[type_column].lower() == wanted:
            latest[row["household_id"]] = max(latest.get(row["household_id"], date.min), row[date_column])
    return latest


def in_time_share(population: list[dict], latest: dict[str, date], within_days: int, not_yet_due_days: int = 0) -> float:
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
        called = {v["household_id"] for v in visits
                  if v["visit_type"].lower() == "kit_call" and as_at - timedelta(days=28) < v["visit_date"] <= as_at}
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
    formal = in_time_share(population, latest_by_household(supervisions, "supervision_date", "supervision_type", "formal"), 84)
    management = in_time_share(population, latest_by_household(supervisions, "supervision_date", "supervision_type", "management"), 84)
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
            assert (carer["tsd_due_date"].year - approval.year) * 12 + carer["tsd_due_date"].month - approval.month == months


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
    "unknown_code": ("carer_visits", "allowed_codes", "visit_type", lambda row, clean: row["visit_type"] == "home_visit"),
    "duplicate_key": ("carer_visits", "key_unique", "visit_id",
                      lambda row, clean: row["visit_id"] in {r["visit_id"] for r in read_raw(extract_path(clean, "carer_visits", "885"))[1]}),
    "missing_required": ("carer_visits", "required", "visit_date", lambda row, clean: row["visit_date"] == ""),
    "unparseable_date": ("carer_visits", "date_type", "visit_date", lambda row, clean: row["visit_date"] == "31/02/2024"),
    "future_date": ("carer_supervisions", "date_possible", "supervision_date",
                    lambda row, clean: parse_date(row["supervision_date"]) == AS_AT + timedelta(days=30)),
    "orphan_reference": ("carer_visits", "reference_resolves", "household_id",
                         lambda row, clean: row["household_id"] and row["household_id"] not in first_authority_households(clean)),
    "wrong_la_code": ("notifications", "la_code_matches_file", "la_code",
                      lambda row, clean: re.fullmatch(r"\d{3}", row["la_code"]) and row["la_code"] != "885"),
    "received_before_event": ("notifications", "received_not_before_event", "received_date",
                              lambda row, clean: parse_date(row["received_date"]) == parse_date(row["event_date"]) - timedelta(days=3)),
    "not_a_number": ("carer_households", "integer_type", "approved_places", lambda row, clean: row["approved_places"] == "two"),
}


def test_every_defect_in_the_brief_is_defined_with_its_extract_rule_and_description():
    assert set(DEFECTS) == set(EXPECTED_DAMAGE) | {"missing_column"}
    for name, defect in DEFECTS.items():
        assert defect.name == name and defect.description
        if name in EXPECTED_DAMAGE:
            assert (defect.extract, defect.rule) == EXPECTED_DAMAGE[name][:2]
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
    changed = [(index, c) for index, (before, after) in enumerate(zip(clean_rows, rows)) for c in header if before[c] != after[c]]
    assert len(changed) == 1 and changed[0][1] == column, changed
    assert is_the_damage(rows[changed[0][0]], clean_pair)


def test_missing_column_removes_review_date_from_header_and_rows(tmp_path, clean_pair):
    generate_fostering_extracts(tmp_path, households=40, years=2, authorities=2, as_at=AS_AT, defects=["missing_column"])
    assert_only_this_file_differs(clean_pair, tmp_path, extract_path(tmp_path, "carer_reviews", "885").name)
    clean_header, clean_rows = read_raw(extract_path(clean_pair, "carer_reviews", "885"))
    header, rows = read_raw(extract_path(tmp_path, "carer_reviews", "885"))
    assert header == [c for c in clean_header if c != "review_date"]
    assert rows == [{c: v for c, v in row.items() if c != "review_date"} for row in clean_rows]


def test_all_defects_together_damage_only_the_files_they_name(tmp_path, clean_pair):
    generate_fostering_extracts(tmp_path, households=40, years=2, authorities=2, as_at=AS_AT, defects=list(DEFECTS))
    damaged = {p.name for p in clean_pair.iterdir() if p.read_bytes() != (tmp_path / p.name).read_bytes()}
    assert damaged == {extract_path(tmp_path, d.extract, "885").name for d in DEFECTS.values()}


def test_an_unknown_defect_name_is_refused_with_the_valid_names(tmp_path):
    with pytest.raises(ValueError, match="no_such_defect") as refused:
        generate_fostering_extracts(tmp_path, defects=["unknown_code", "no_such_defect"])
    assert all(name in str(refused.value) for name in DEFECTS)
    assert not list(tmp_path.iterdir()), "nothing is written when the arguments are wrong"
