"""The reference fostering scorecard (tests/reference) follows the written definitions.

The integration test trusts this reference to say what the warehouse should publish, so each
definition's boundary is pinned here with a few named households in a landing folder built in
tmp_path. Unless a test says otherwise the authority is 885, its files are dated 2025-03-31, and
D (the period end) is 2025-03-31.
"""

from __future__ import annotations

import codecs
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from tests.reference.fostering_scorecard import MEASURE_CODES, expected_fostering_scorecard

LA = "885"
D = date(2025, 3, 31)
STAMP = "20250331"

HOUSEHOLD_COLUMNS = [
    "la_code",
    "household_id",
    "carer_type",
    "team",
    "supervising_worker_id",
    "status",
    "approval_date",
    "deregistration_date",
    "deregistration_reason",
    "approved_places",
    "postcode_district",
]
COLUMNS = {
    "carer_visits": ["la_code", "visit_id", "household_id", "visit_date", "visit_type", "worker_id"],
    "carer_reviews": ["la_code", "review_id", "household_id", "review_date", "panel_date"],
    "carer_supervisions": ["la_code", "supervision_id", "household_id", "supervision_date", "supervision_type"],
    "carer_training": ["la_code", "carer_id", "household_id", "tsd_due_date", "tsd_completed_date"],
    "notifications": ["la_code", "notification_id", "household_id", "event_type", "event_date", "received_date"],
}


# ---------------------------------------------------------------------------------------------
# Building landing folders
# ---------------------------------------------------------------------------------------------


def write_csv(
    folder: Path,
    name: str,
    header: list[str],
    rows: list[list[str]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    line_ending: str = "\n",
    trailer: str = "",
) -> Path:
    text = line_ending.join(",".join(cells) for cells in [header, *rows]) + line_ending + trailer
    data = text.encode(encoding)
    path = folder / name
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def household(
    household_id, approval_date, *, team="North", status="approved", carer_type="mainstream", deregistration_date=""
):
    return [LA, household_id, carer_type, team, "W1", status, approval_date, deregistration_date, "", "2", "WR1"]


def write_landing(folder: Path, households: list[list[str]], stamp: str = STAMP, **extracts: list[list[str]]) -> Path:
    """carer_households plus any other extract given as rows without la_code or id (added here)."""
    write_csv(folder, f"carer_households_{LA}_{stamp}.csv", HOUSEHOLD_COLUMNS, households)
    for extract, rows in extracts.items():
        numbered = [[LA, f"{extract[:3]}{number}", *row] for number, row in enumerate(rows, 1)]
        write_csv(folder, f"{extract}_{LA}_{stamp}.csv", COLUMNS[extract], numbered)
    return folder


def row(scorecard, measure, team="North", period_end=D, la_code=LA):
    return scorecard[(la_code, team, period_end, measure)]


def counts(scorecard, measure, team="North", period_end=D, la_code=LA):
    """(in time, out of time, not yet due)."""
    figures = row(scorecard, measure, team, period_end, la_code)
    return figures["in_time"], figures["out_of_time"], figures["not_yet_due"]


def one_period(folder: Path):
    return expected_fostering_scorecard(folder, history_months=1)


# Long-established households, approved well before any window in these tests.
LONG_AGO = "2015-06-01"


# ---------------------------------------------------------------------------------------------
# Periods and rows
# ---------------------------------------------------------------------------------------------


def test_period_ends_are_the_36_month_ends_up_to_a_month_end_extract_date(tmp_path):
    scorecard = expected_fostering_scorecard(write_landing(tmp_path, [household("h1", LONG_AGO)]))
    ends = sorted({key[2] for key in scorecard})
    assert len(ends) == 36
    assert ends[0] == date(2022, 4, 30)
    assert ends[-1] == date(2025, 3, 31)
    assert date(2024, 2, 29) in ends


def test_a_mid_month_extract_reports_up_to_the_previous_month_end(tmp_path):
    scorecard = expected_fostering_scorecard(
        write_landing(tmp_path, [household("h1", LONG_AGO)], stamp="20250315"), history_months=3
    )
    assert sorted({key[2] for key in scorecard}) == [date(2024, 12, 31), date(2025, 1, 31), date(2025, 2, 28)]


def test_every_team_period_and_measure_has_a_row_even_when_nothing_counts(tmp_path):
    write_landing(
        tmp_path,
        [
            household("settled", LONG_AGO, team="North"),
            household("applicant", "", team="South", status="in_assessment"),  # South has nobody approved
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=2)
    periods = [date(2025, 2, 28), D]
    assert set(scorecard) == {
        (LA, team, period_end, measure)
        for team in ("North", "South", None)
        for period_end in periods
        for measure in MEASURE_CODES
    }
    for measure in MEASURE_CODES:
        assert row(scorecard, measure, team="South") == {
            "in_time": 0,
            "out_of_time": 0,
            "not_yet_due": 0,
            "percentage": None,
        }


def test_the_authority_row_is_the_sum_of_its_teams(tmp_path):
    write_landing(
        tmp_path,
        [
            household("north_visited", LONG_AGO, team="North"),
            household("north_forgotten", LONG_AGO, team="North"),
            household("south_new", "2025-03-20", team="South"),
            household("south_visited", LONG_AGO, team="South"),
        ],
        carer_visits=[
            ["north_visited", "2025-03-01", "support", "W1"],
            ["south_visited", "2025-03-02", "support", "W1"],
        ],
        notifications=[
            ["north_visited", "allegation", "2025-03-01", "2025-03-01"],
            ["south_visited", "injury", "2025-03-01", "2025-03-05"],
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=3)
    for period_end in (date(2025, 1, 31), date(2025, 2, 28), D):
        for measure in MEASURE_CODES:
            authority = row(scorecard, measure, team=None, period_end=period_end)
            north = row(scorecard, measure, team="North", period_end=period_end)
            south = row(scorecard, measure, team="South", period_end=period_end)
            for outcome in ("in_time", "out_of_time", "not_yet_due"):
                assert authority[outcome] == north[outcome] + south[outcome]
    assert counts(scorecard, "support_visits", team=None) == (2, 1, 1)
    assert row(scorecard, "support_visits", team=None)["percentage"] == Fraction(200, 3)


# ---------------------------------------------------------------------------------------------
# The household population
# ---------------------------------------------------------------------------------------------


def test_population_counts_households_deregistered_after_d_but_not_on_d(tmp_path):
    write_landing(
        tmp_path,
        [
            household("left_on_feb_28", LONG_AGO, status="deregistered", deregistration_date="2025-02-28"),
            household("left_on_mar_1", LONG_AGO, status="deregistered", deregistration_date="2025-03-01"),
            household("left_on_mar_31", LONG_AGO, status="deregistered", deregistration_date="31/03/2025"),
            household("on_hold", LONG_AGO, status="On Hold"),
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=2)
    # Annual review is never "not yet due", so in + out is the population.
    # At 2025-02-28: left_on_mar_1, left_on_mar_31, on_hold (left_on_feb_28 left on D).
    assert sum(counts(scorecard, "annual_review", period_end=date(2025, 2, 28))) == 3
    # At 2025-03-31: only on_hold.
    assert sum(counts(scorecard, "annual_review", period_end=D)) == 1


def test_population_excludes_households_in_assessment_and_approved_after_d(tmp_path):
    write_landing(
        tmp_path,
        [
            household("assessing_with_a_date", "2024-01-01", status="in_assessment"),
            household("approved_on_d", "2025-03-31"),
            household("approved_last_month", "2025-02-14"),
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=2)
    assert sum(counts(scorecard, "annual_review")) == 2
    assert sum(counts(scorecard, "annual_review", period_end=date(2025, 2, 28))) == 1


# ---------------------------------------------------------------------------------------------
# Household measures
# ---------------------------------------------------------------------------------------------


def test_support_visit_41_days_before_d_is_in_time_and_42_days_is_not(tmp_path):
    write_landing(
        tmp_path,
        [household("visited_41_days_ago", LONG_AGO), household("visited_42_days_ago", LONG_AGO)],
        carer_visits=[
            ["visited_41_days_ago", "2025-02-18", "support", "W1"],
            ["visited_42_days_ago", "2025-02-17", "support", "W1"],
        ],
    )
    assert counts(one_period(tmp_path), "support_visits") == (1, 1, 0)


def test_a_visit_on_d_counts_and_the_order_of_rows_in_the_file_does_not_matter(tmp_path):
    write_landing(
        tmp_path,
        [household("visited_on_d", LONG_AGO), household("visited_in_march_listed_first", LONG_AGO)],
        stamp="20250430",
        carer_visits=[
            ["visited_on_d", "2025-03-31", "support", "W1"],
            ["visited_in_march_listed_first", "2025-03-20", "support", "W1"],
            ["visited_in_march_listed_first", "2025-04-20", "support", "W1"],
            ["visited_in_march_listed_first", "2023-01-01", "support", "W1"],
            ["visited_in_march_listed_first", "2024-12-01", "support", "W1"],
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=2)
    assert counts(scorecard, "support_visits", period_end=D) == (2, 0, 0)


def test_support_visit_after_d_or_of_another_type_does_not_count(tmp_path):
    write_landing(
        tmp_path,
        [household("only_a_kit_call", LONG_AGO), household("visit_next_month", LONG_AGO)],
        stamp="20250430",
        carer_visits=[
            ["only_a_kit_call", "2025-03-20", "kit_call", "W1"],
            ["visit_next_month", "2025-04-01", "support", "W1"],
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=2)
    assert counts(scorecard, "support_visits") == (0, 2, 0)
    assert counts(scorecard, "kit_call") == (1, 1, 0)


def test_a_new_household_is_not_yet_due_but_in_time_wins_when_it_was_visited(tmp_path):
    write_landing(
        tmp_path,
        [
            household("new_unvisited", "2025-03-10"),
            household("new_visited", "2025-03-10"),
            household("approved_exactly_42_days_ago", "2025-02-17"),
        ],
        carer_visits=[["new_visited", "2025-03-12", "support", "W1"]],
    )
    scorecard = one_period(tmp_path)
    assert counts(scorecard, "support_visits") == (1, 1, 1)
    # The percentage leaves the not-yet-due household out: 1 of 2.
    assert row(scorecard, "support_visits")["percentage"] == Fraction(50)


def test_unannounced_visit_window_is_twelve_calendar_months_clamped_at_a_leap_day(tmp_path):
    d = date(2024, 2, 29)  # 12 months before is 2023-02-28, excluded
    write_landing(
        tmp_path,
        [
            household("visited_2023_03_01", LONG_AGO),
            household("visited_2023_02_28", LONG_AGO),
            household("approved_2023_03_01", "2023-03-01"),
            household("approved_2023_02_28", "2023-02-28"),
        ],
        stamp="20240229",
        carer_visits=[
            ["visited_2023_03_01", "2023-03-01", "unannounced", "W1"],
            ["visited_2023_02_28", "2023-02-28", "unannounced", "W1"],
        ],
    )
    scorecard = one_period(tmp_path)
    # in: visited_2023_03_01; not yet due: approved_2023_03_01; out: the other two.
    assert counts(scorecard, "unannounced_visits", period_end=d) == (1, 2, 1)


def test_annual_review_uses_the_latest_review_on_or_before_d(tmp_path):
    write_landing(
        tmp_path,
        [
            household("reviewed_last_april", LONG_AGO),
            household("reviewed_exactly_a_year_ago", LONG_AGO),
            household("reviewed_long_ago_and_again_recently", LONG_AGO),
        ],
        carer_reviews=[
            ["reviewed_last_april", "2024-04-01", "2024-04-20"],
            ["reviewed_exactly_a_year_ago", "2024-03-31", ""],
            ["reviewed_long_ago_and_again_recently", "2020-05-01", ""],
            ["reviewed_long_ago_and_again_recently", "2025-01-10", ""],
        ],
    )
    assert counts(one_period(tmp_path), "annual_review") == (2, 1, 0)


def test_annual_review_ignores_reviews_after_d(tmp_path):
    write_landing(
        tmp_path,
        [household("first_review_late", LONG_AGO), household("reviewed_in_june_and_again_late", LONG_AGO)],
        stamp="20250430",
        carer_reviews=[
            ["first_review_late", "2025-04-10", ""],
            ["reviewed_in_june_and_again_late", "2024-06-01", ""],
            ["reviewed_in_june_and_again_late", "2025-04-10", ""],
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=2)
    assert counts(scorecard, "annual_review", period_end=date(2025, 4, 30)) == (2, 0, 0)
    # At D the April reviews have not happened: first_review_late falls back to its 2015
    # approval, the other household's latest review is June 2024.
    assert counts(scorecard, "annual_review", period_end=D) == (1, 1, 0)


def test_annual_review_falls_back_to_approval_and_is_never_not_yet_due(tmp_path):
    write_landing(
        tmp_path,
        [
            household("approved_2024_04_01_no_review", "2024-04-01"),
            household("approved_2024_03_31_no_review", "2024-03-31"),
            household("approved_this_month", "2025-03-15"),
        ],
    )
    assert counts(one_period(tmp_path), "annual_review") == (2, 1, 0)


@pytest.mark.parametrize(
    ("measure", "supervision_type"),
    [("formal_supervision", "formal"), ("management_supervision", "management")],
)
def test_supervision_within_84_days_is_in_time_and_never_not_yet_due(tmp_path, measure, supervision_type):
    other_type = "management" if supervision_type == "formal" else "formal"
    write_landing(
        tmp_path,
        [
            household("supervised_83_days_ago", LONG_AGO),
            household("supervised_84_days_ago", LONG_AGO),
            household("other_type_only", LONG_AGO),
            household("new_unsupervised", "2025-03-25"),
        ],
        carer_supervisions=[
            ["supervised_83_days_ago", "2025-01-07", supervision_type],
            ["supervised_84_days_ago", "2025-01-06", supervision_type],
            ["other_type_only", "2025-03-01", other_type],
        ],
    )
    assert counts(one_period(tmp_path), measure) == (1, 3, 0)


def test_kit_call_within_28_days_is_in_time(tmp_path):
    write_landing(
        tmp_path,
        [household("called_27_days_ago", LONG_AGO), household("called_28_days_ago", LONG_AGO)],
        carer_visits=[
            ["called_27_days_ago", "2025-03-04", "kit_call", "W1"],
            ["called_28_days_ago", "2025-03-03", "kit_call", "W1"],
        ],
    )
    assert counts(one_period(tmp_path), "kit_call") == (1, 1, 0)


def test_tsd_blank_due_date_is_18_months_after_approval_for_kinship_and_12_for_mainstream(tmp_path):
    write_landing(
        tmp_path,
        [
            household("kinship_approved_2024_01_15", "2024-01-15", carer_type="kinship"),  # due 2025-07-15
            household("mainstream_approved_2024_01_15", "2024-01-15"),  # due 2025-01-15
            household("mainstream_without_carer_rows", "2024-04-01"),  # due 2025-04-01
        ],
        carer_training=[
            ["kinship_approved_2024_01_15", "", ""],
            ["mainstream_approved_2024_01_15", "", ""],
        ],
    )
    assert counts(one_period(tmp_path), "tsd") == (2, 1, 0)


def test_tsd_is_met_by_completion_on_or_before_d_or_a_due_date_after_d(tmp_path):
    write_landing(
        tmp_path,
        [
            household("completed_on_d", LONG_AGO),
            household("due_after_d", LONG_AGO),
            household("due_on_d", LONG_AGO),
            household("completed_after_d", LONG_AGO),
            household("no_carer_rows_approved_long_ago", LONG_AGO),
        ],
        stamp="20250430",
        carer_training=[
            ["completed_on_d", "2016-06-01", "2025-03-31"],
            ["due_after_d", "2025-04-01", ""],
            ["due_on_d", "2025-03-31", ""],
            ["completed_after_d", "2016-06-01", "2025-04-10"],
        ],
    )
    scorecard = expected_fostering_scorecard(tmp_path, history_months=2)
    assert counts(scorecard, "tsd", period_end=D) == (2, 3, 0)


def test_tsd_household_with_one_non_compliant_carer_is_out_of_time(tmp_path):
    write_landing(
        tmp_path,
        [household("both_carers_done", LONG_AGO), household("one_carer_behind", LONG_AGO)],
        carer_training=[
            ["both_carers_done", "2016-06-01", "2016-05-01"],
            ["both_carers_done", "2016-06-01", "2016-05-20"],
            ["one_carer_behind", "2016-06-01", "2016-05-01"],
            ["one_carer_behind", "2016-06-01", ""],
        ],
    )
    assert counts(one_period(tmp_path), "tsd") == (1, 1, 0)


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------


def test_notification_received_a_day_after_is_in_time_two_days_or_never_is_not(tmp_path):
    write_landing(
        tmp_path,
        [household("h1", LONG_AGO)],
        notifications=[
            ["h1", "allegation", "2025-03-10", "2025-03-10"],  # same day: in time
            ["h1", "allegation", "2025-03-10", "2025-03-11"],  # next day: in time
            ["h1", "injury", "2025-03-10", "2025-03-12"],  # two days: out of time
            ["h1", "injury", "2025-03-10", ""],  # never received: out of time
        ],
    )
    scorecard = one_period(tmp_path)
    assert counts(scorecard, "notifications_1_day") == (2, 2, 0)
    assert row(scorecard, "notifications_1_day")["percentage"] == Fraction(50)


def test_notifications_cover_six_months_and_any_household_in_its_team(tmp_path):
    write_landing(
        tmp_path,
        [
            household("settled", LONG_AGO, team="North"),
            household(
                "deregistered_long_ago", LONG_AGO, team="South", status="deregistered", deregistration_date="2020-01-01"
            ),
            household("applicant", "", team="South", status="in_assessment"),
        ],
        notifications=[
            ["settled", "death", "2024-10-01", "2024-10-01"],  # inside: 6 months before D is 2024-09-30
            ["settled", "death", "2024-09-30", "2024-09-30"],  # on the edge: outside
            ["deregistered_long_ago", "complaint", "2025-01-05", "2025-01-20"],
            ["applicant", "complaint", "2025-02-05", "2025-02-05"],
        ],
    )
    scorecard = one_period(tmp_path)
    assert counts(scorecard, "notifications_1_day", team="North") == (1, 0, 0)
    assert counts(scorecard, "notifications_1_day", team="South") == (1, 1, 0)
    assert counts(scorecard, "notifications_1_day", team=None) == (2, 1, 0)


# ---------------------------------------------------------------------------------------------
# Reading what authorities actually send
# ---------------------------------------------------------------------------------------------


def test_reads_dd_mm_yyyy_cp1252_bom_crlf_any_column_order_and_trailing_comma_rows(tmp_path):
    # Households: Windows-1252 (the en dash in the team name is byte 0x96), CRLF, dd/mm/yyyy,
    # shuffled columns with an extra one, codes in mixed case with spaces, trailing comma rows.
    write_csv(
        tmp_path,
        f"carer_households_{LA}_{STAMP}.csv",
        [
            "Status",
            "household_id",
            " TEAM ",
            "la_code",
            "approval_date",
            "carer_type",
            "deregistration_date",
            "local_notes",
        ],
        [
            [" Approved ", "dash_team", "North – Hill", LA, "01/06/2015", "Mainstream", "", "kept £5 float"],
            ["ON HOLD", "kin", "North – Hill", LA, "15/01/2024", " KINSHIP", "", ""],
        ],
        encoding="cp1252",
        line_ending="\r\n",
        trailer=",,,,,,,\r\n,,,,,,,\r\n",
    )
    # Visits: UTF-8 with a BOM before the first column name, ISO dates, trailing comma rows.
    write_csv(
        tmp_path,
        f"carer_visits_{LA}_{STAMP}.csv",
        ["la_code", "visit_id", "household_id", "visit_date", "visit_type", "worker_id"],
        [[LA, "v1", "dash_team", "2025-03-01", "Support ", "W1"], [LA, "v2", "kin", "01/03/2025", "SUPPORT", "W1"]],
        bom=True,
        trailer=",,,,,\n",
    )
    scorecard = one_period(tmp_path)
    team = "North – Hill"
    assert counts(scorecard, "support_visits", team=team) == (2, 0, 0)
    # No training rows: dash_team (mainstream, approved 2015) was due 2016-06-01 and is out of
    # time; kin (kinship, approved 15/01/2024) is due 2025-07-15 and in time.
    assert counts(scorecard, "tsd", team=team) == (1, 1, 0)


def test_reads_a_windows_1252_file_with_a_bom_in_front(tmp_path):
    write_csv(
        tmp_path,
        f"carer_households_{LA}_{STAMP}.csv",
        HOUSEHOLD_COLUMNS,
        [household("h1", "01/06/2015", team="Café team")],
        encoding="cp1252",
        bom=True,
    )
    assert counts(one_period(tmp_path), "annual_review", team="Café team") == (0, 1, 0)


def test_uses_the_latest_file_of_each_extract_and_authority(tmp_path):
    # An older register had a team that has since gone; an older visits file had a visit that
    # the newer one corrected away. Only the newest files, and the newest extract date, count.
    write_landing(
        tmp_path,
        [household("old", LONG_AGO, team="Disbanded")],
        stamp="20250228",
        carer_visits=[["h1", "2025-02-20", "support", "W1"]],
    )
    write_landing(
        tmp_path,
        [household("h1", LONG_AGO, team="North")],
        stamp="20250331",
        carer_visits=[["h1", "2024-01-01", "support", "W1"]],
    )
    write_csv(  # another authority's newer file must not displace 885's
        tmp_path,
        "carer_visits_886_20250430.csv",
        COLUMNS["carer_visits"],
        [["886", "x1", "h1", "2025-03-30", "support", "W9"]],
    )
    scorecard = one_period(tmp_path)
    assert {key[1] for key in scorecard if key[0] == LA} == {"North", None}
    assert {key[2] for key in scorecard} == {D}
    assert counts(scorecard, "support_visits") == (0, 1, 0)
    assert not any(key[0] == "886" for key in scorecard)  # no register for 886, so no rows


def test_tsd_mainstream_household_without_training_rows_approved_long_ago_is_out_of_time(tmp_path):
    write_landing(tmp_path, [household("untrained", LONG_AGO)])
    assert counts(one_period(tmp_path), "tsd") == (0, 1, 0)
