"""The reference QA tables (tests/reference/quality_assurance.py) follow docs/quality-assurance-figures.md.

The integration test trusts this reference to say what the warehouse should publish, so each rule
is pinned here on a few hand-written rows whose answers were worked out by hand (the arithmetic is
in the comments). Unless a test says otherwise the authority is 885 and every file is dated
2025-03-31, so the last reported quarter is Q4 2024/25 (January-March 2025).
"""

from __future__ import annotations

import codecs
import hashlib
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from tests.reference.quality_assurance import (
    GRAINS,
    TABLES,
    expected_quality_assurance,
    financial_quarter,
    financial_year,
    pseudonymise,
    reported_quarters,
    themes_of,
    working_days_between,
)

LA = "885"
STAMP = "20250331"
Q3 = date(2024, 12, 31)  # Q3 2024/25: October-December 2024
Q4 = date(2025, 3, 31)  # Q4 2024/25: January-March 2025

COLUMNS = {
    "case_file_audits": [
        "la_code",
        "audit_id",
        "audit_type",
        "topic",
        "service",
        "subject_type",
        "subject_id",
        "lead_auditor_id",
        "peer_auditor_id",
        "audit_date",
        "grade_voice_of_child",
        "grade_support_and_supervision",
        "grade_safer_caring",
        "grade_matching",
        "grade_approval_review_panel",
        "grade_management_oversight",
        "overall_grade",
        "moderated_grade",
        "moderation_date",
        "moderator_id",
        "child_views_sought",
        "parent_views_sought",
        "carer_views_sought",
        "learning",
    ],
    "audit_actions": [
        "la_code",
        "action_id",
        "audit_id",
        "owner_id",
        "description",
        "due_date",
        "completed_date",
        "followup_date",
        "followup_outcome",
    ],
    "feedback": [
        "la_code",
        "response_id",
        "collected_date",
        "collected_by",
        "respondent",
        "cohort",
        "channel",
        "question_code",
        "rating",
        "comment",
    ],
    "complaints": [
        "la_code",
        "record_id",
        "record_type",
        "received_date",
        "stage",
        "service",
        "responded_date",
        "outcome",
        "advocacy",
        "theme",
    ],
}


# ---------------------------------------------------------------------------------------------
# Building landing folders
# ---------------------------------------------------------------------------------------------


def csv_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return f'"{text}"' if ("," in text or '"' in text) else text


def write_csv(
    folder: Path,
    extract: str,
    rows: list[dict],
    *,
    la=LA,
    stamp=STAMP,
    encoding="utf-8",
    bom=False,
    line_ending="\n",
    trailer="",
) -> Path:
    header = COLUMNS[extract]
    lines = [",".join(header)] + [",".join(csv_cell(row.get(c)) for c in header) for row in rows]
    data = (line_ending.join(lines) + line_ending + trailer).encode(encoding)
    path = folder / f"{extract}_{la}_{stamp}.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def write_xlsx(folder: Path, extract: str, rows: list[dict], *, la=LA, stamp=STAMP, title_rows=(), header=None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append(list(title))
    header = header or COLUMNS[extract]
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(c.lower()) for c in header])
    sheet.append([])
    sheet.append([None, None])
    # A second sheet the reader must ignore.
    workbook.create_sheet("notes").append(["not", "data"])
    path = folder / f"{extract}_{la}_{stamp}.xlsx"
    workbook.save(path)
    return path


def audit(
    audit_id,
    audit_date,
    overall,
    *,
    audit_type="case_file",
    service="fostering",
    moderated=None,
    moderation_date=None,
    grades=None,
    child=None,
    parent=None,
    carer=None,
    la=LA,
) -> dict:
    row = {
        "la_code": la,
        "audit_id": audit_id,
        "audit_type": audit_type,
        "service": service,
        "subject_type": "household",
        "subject_id": f"H{audit_id}",
        "lead_auditor_id": "TM1",
        "audit_date": audit_date,
        "overall_grade": overall,
        "moderated_grade": moderated,
        "moderation_date": moderation_date,
        "child_views_sought": child,
        "parent_views_sought": parent,
        "carer_views_sought": carer,
        "learning": "Free text, never published",
    }
    row.update({f"grade_{domain}": grade for domain, grade in (grades or {}).items()})
    return row


def action(action_id, audit_id, due, *, completed=None, followup=None, outcome=None, la=LA) -> dict:
    return {
        "la_code": la,
        "action_id": action_id,
        "audit_id": audit_id,
        "owner_id": "W1",
        "description": "Update the safer caring plan",
        "due_date": due,
        "completed_date": completed,
        "followup_date": followup,
        "followup_outcome": outcome,
    }


def answer(response_id, collected, by, respondent, question, rating, comment, *, cohort="mainstream", la=LA) -> dict:
    return {
        "la_code": la,
        "response_id": response_id,
        "collected_date": collected,
        "collected_by": by,
        "respondent": respondent,
        "cohort": cohort,
        "channel": "survey",
        "question_code": question,
        "rating": rating,
        "comment": comment,
    }


def record(
    record_id,
    record_type,
    received,
    *,
    stage=None,
    responded=None,
    outcome=None,
    advocacy=None,
    theme=None,
    service="fostering",
    la=LA,
) -> dict:
    return {
        "la_code": la,
        "record_id": record_id,
        "record_type": record_type,
        "received_date": received,
        "stage": stage,
        "service": service,
        "responded_date": responded,
        "outcome": outcome,
        "advocacy": advocacy,
        "theme": theme,
    }


# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


def test_financial_quarters_and_the_reported_window():
    assert financial_year(date(2024, 4, 1)) == "2024/25"
    assert financial_year(date(2025, 3, 31)) == "2024/25"
    assert financial_year(date(1999, 6, 1)) == "1999/00"
    assert [financial_quarter(date(2024, m, 1)) for m in (4, 7, 10)] + [financial_quarter(date(2025, 1, 1))] == [
        "Q1",
        "Q2",
        "Q3",
        "Q4",
    ]
    # An extract dated on a quarter end includes that quarter; one day earlier it does not.
    assert max(reported_quarters(date(2025, 3, 31), 12)) == date(2025, 1, 1)
    assert max(reported_quarters(date(2025, 3, 30), 12)) == date(2024, 10, 1)
    window = reported_quarters(date(2025, 3, 31), 12)
    assert len(window) == 12 and min(window) == date(2022, 4, 1)


def test_working_days_skip_weekends_and_england_bank_holidays():
    # Thu 19/12/2024 -> Mon 06/01/2025: Fri 20, Mon 23, Tue 24, (Wed 25, Thu 26 bank holidays),
    # Fri 27, Mon 30, Tue 31, (Wed 1 January bank holiday), Thu 2, Fri 3, Mon 6 = 9.
    assert working_days_between(date(2024, 12, 19), date(2025, 1, 6)) == 9
    assert working_days_between(date(2024, 12, 19), date(2024, 12, 19)) == 0  # the first day never counts
    assert working_days_between(date(2025, 3, 28), date(2025, 3, 31)) == 1  # Fri -> Mon
    # 2022: the Platinum Jubilee (Fri 3 June) and the Queen's funeral (Mon 19 September).
    # Wed 1 June -> Mon 6 June: Thu 2 (spring bank holiday), Fri 3 (jubilee), the weekend, Mon 6 = 1.
    assert working_days_between(date(2022, 6, 1), date(2022, 6, 6)) == 1
    assert working_days_between(date(2022, 9, 16), date(2022, 9, 20)) == 1


def test_themes_use_the_seed_patterns_case_insensitively_with_word_boundaries():
    assert themes_of("My SOCIAL WORKER always listened") == ["social_worker_support", "listened_to"]
    assert themes_of("Good PEP meeting") == ["education"]
    assert themes_of("Pepper the dog") == []  # \mpep\M is the whole word only
    assert themes_of("Nobody calls back and my allowance was paid late") == ["communication", "finance_allowances"]
    assert themes_of("   ") == [] and themes_of(None) == []


def test_officer_keys_are_the_documented_md5():
    expected = hashlib.md5(b"qa-warehouse-development-salt|885|OFF1").hexdigest()
    assert pseudonymise("885", " OFF1 ") == expected
    assert pseudonymise("885", "OFF1", salt="other") != expected
    assert pseudonymise("885", "") is None


# ---------------------------------------------------------------------------------------------
# Audits
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def audit_landing(tmp_path) -> Path:
    write_csv(
        tmp_path,
        "case_file_audits",
        [
            # Q4 case_file fostering: four audits.
            audit(
                "A1",
                "2025-01-10",
                "good",
                child="Y",
                parent="n",
                carer="1",
                grades={"voice_of_child": "Good", "support_and_supervision": "outstanding"},
            ),
            audit(
                "A2",
                "15/01/2025",
                "Requires Improvement",
                moderated="good",
                moderation_date="2025-01-25",
                child="Yes",
                carer="No",
                grades={"voice_of_child": "requires-improvement"},
            ),
            audit(
                "A3",
                "2025-02-01",
                "GOOD",
                moderated="inadequate",
                moderation_date="21/02/2025",
                child="TRUE",
                carer="false",
                grades={"safer_caring": "inadequate"},
            ),
            audit(
                "A4",
                "2025-02-10",
                "outstanding",
                moderated="Outstanding",
                moderation_date="2025-02-10",
                child="0",
                grades={"voice_of_child": "OUTSTANDING"},
            ),
            # Q3 dip sample, another service spelt differently.
            audit("A5", "2024-12-20", "inadequate", audit_type="Dip Sample", service="Fostering"),
            # The oldest reported quarter starts 2022-04-01; the day before is out of the window.
            audit("A6", "2022-04-01", "good"),
            audit("A7", "2022-03-31", "good"),
        ],
        encoding="cp1252",
        line_ending="\r\n",
        trailer=",,,,\r\n,,,,\r\n",
    )
    write_csv(
        tmp_path,
        "audit_actions",
        [
            # A2 was moderated on 2025-01-25: its deadline is 2025-03-22 (day 56), not 2025-03-12.
            action("X1", "A2", "2025-02-01", completed="2025-01-31", followup="2025-03-22", outcome="completed"),
            action("X2", "A2", "2025-02-01", completed="2025-02-01", followup="2025-03-23", outcome="Partly Completed"),
            # A1 was not moderated: deadline 2025-01-10 + 56 days = 2025-03-07.
            action("X3", "A1", "2025-02-10", completed="11/02/2025", followup="2025-03-07", outcome="not-completed"),
            action("X4", "A3", "2025-03-01"),
            # Due next quarter: not yet in the actions table, but set by a reported audit.
            action("X5", "A5", "2025-06-30"),
        ],
        bom=True,
    )
    return tmp_path


def test_audit_outcomes_grade_moderation_flags_and_closing_the_loop(audit_landing):
    outcomes = expected_quality_assurance(audit_landing)["qa_audit_outcomes"]
    assert set(outcomes) == {
        (LA, Q4, "fostering", "case_file"),
        (LA, Q3, "fostering", "dip_sample"),
        (LA, date(2022, 6, 30), "fostering", "case_file"),
    }
    q4 = outcomes[(LA, Q4, "fostering", "case_file")]
    assert q4 == {
        "period_start": date(2025, 1, 1),
        "financial_year": "2024/25",
        "financial_quarter": "Q4",
        "audits_completed": 4,
        # final grades: good (A1), good (A2 moderated up), inadequate (A3 down), outstanding (A4)
        "good_or_better": 3,
        "good_or_better_percentage": Fraction(75),
        "audits_moderated": 3,
        "moderated_up": 1,
        "moderated_down": 1,
        "moderated_unchanged": 1,
        "average_days_to_moderation": Fraction(10 + 20 + 0, 3),
        "child_views_sought": 3,
        "parent_views_sought": 0,
        "carer_views_sought": 1,
        # X1 closed on day 56, X2 missed on day 57, X3 closed on its audit date's day 56, X4 never
        "actions_set": 4,
        "loops_closed": 2,
        "loops_closed_percentage": Fraction(50),
    }
    q3 = outcomes[(LA, Q3, "fostering", "dip_sample")]
    assert (q3["audits_completed"], q3["good_or_better"], q3["good_or_better_percentage"]) == (1, 0, Fraction(0))
    assert (q3["audits_moderated"], q3["average_days_to_moderation"]) == (0, None)
    assert (q3["actions_set"], q3["loops_closed"], q3["loops_closed_percentage"]) == (1, 0, Fraction(0))
    oldest = outcomes[(LA, date(2022, 6, 30), "fostering", "case_file")]
    assert (oldest["audits_completed"], oldest["actions_set"], oldest["loops_closed_percentage"]) == (1, 0, None)


def test_audit_grades_count_each_domain_and_the_final_grade(audit_landing):
    grades = expected_quality_assurance(audit_landing)["qa_audit_grades"]
    domains = {key[4] for key in grades if key[:4] == (LA, Q4, "fostering", "case_file")}
    assert domains == {
        "voice_of_child",
        "support_and_supervision",
        "safer_caring",
        "matching",
        "approval_review_panel",
        "management_oversight",
        "overall",
    }
    assert len(grades) == 3 * 7
    figures = (
        "audits",
        "outstanding",
        "good",
        "requires_improvement",
        "inadequate",
        "not_applicable",
        "good_or_better_percentage",
    )

    def row(domain):
        return tuple(grades[(LA, Q4, "fostering", "case_file", domain)][f] for f in figures)

    # voice: A1 good, A2 requires improvement, A3 blank, A4 outstanding -> 2 of 3 applicable
    assert row("voice_of_child") == (4, 1, 1, 1, 0, 1, Fraction(200, 3))
    assert row("safer_caring") == (4, 0, 0, 0, 1, 3, Fraction(0))
    assert row("matching") == (4, 0, 0, 0, 0, 4, None)
    # overall is the final grade: good, good (moderated), inadequate (moderated), outstanding
    assert row("overall") == (4, 1, 2, 0, 1, 0, Fraction(75))


def test_audit_actions_as_at_the_actions_extract_date(audit_landing):
    actions = expected_quality_assurance(audit_landing)["qa_audit_actions"]
    assert set(actions) == {(LA, Q4, "fostering", "case_file")}  # X5 is due after the last complete quarter
    figures = actions[(LA, Q4, "fostering", "case_file")]
    del figures["period_start"], figures["financial_year"], figures["financial_quarter"]
    assert figures == {
        "actions_due": 4,
        "completed_on_time": 2,
        "completed_late": 1,
        "open_overdue": 1,
        "on_time_percentage": Fraction(50),
        "followed_up": 3,
        "followup_completed": 1,
        "followup_partly_completed": 1,
        "followup_not_completed": 1,
    }


def test_an_xlsx_audit_export_with_title_rows_date_cells_and_numbers(tmp_path):
    header = [c.upper() if c == "audit_id" else c for c in COLUMNS["case_file_audits"]]
    rows = [
        audit(
            1001,
            datetime(2025, 2, 3),
            "Good",
            child=True,
            parent="Y",
            moderated="requires improvement",
            moderation_date="10/02/2025",
        ),
        audit(1002, date(2025, 3, 31), "good", child=False, carer=1),
    ]
    write_xlsx(
        tmp_path,
        "case_file_audits",
        rows,
        la="886",
        title_rows=[["Case file audit export"], ["Run on", datetime(2025, 4, 2)], []],
        header=header,
    )
    write_xlsx(tmp_path, "audit_actions", [action(7, 1001.0, datetime(2025, 3, 31), la="886")], la="886")
    tables = expected_quality_assurance(tmp_path)
    got = tables["qa_audit_outcomes"][("886", Q4, "fostering", "case_file")]
    assert (got["audits_completed"], got["good_or_better"], got["moderated_down"]) == (2, 1, 1)
    assert (got["child_views_sought"], got["parent_views_sought"], got["carer_views_sought"]) == (1, 1, 1)
    assert got["average_days_to_moderation"] == Fraction(7)
    # The action's audit id 1001.0 (a number cell) is the audit 1001.
    assert (got["actions_set"], tables["qa_audit_actions"][("886", Q4, "fostering", "case_file")]["open_overdue"]) == (
        1,
        1,
    )


def test_an_unknown_grade_is_refused_not_guessed(tmp_path):
    write_csv(tmp_path, "case_file_audits", [audit("A1", "2025-01-10", "Satisfactory")])
    with pytest.raises(ValueError, match="overall_grade"):
        expected_quality_assurance(tmp_path)


# ---------------------------------------------------------------------------------------------
# Feedback
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def feedback_landing(tmp_path) -> Path:
    write_csv(
        tmp_path,
        "feedback",
        [
            answer("R1", "2025-01-05", "OFF1", "carer", "q1", "5", "My social worker always listened"),
            answer("R1", "2025-01-05", "OFF1", "carer", "q2", "2", "Allowance paid late, again"),
            answer("R1", "2025-01-05", "OFF1", "carer", "q3", "3", "  "),
            answer("R2", "20/01/2025", "OFF1", "Carer", "q1", None, "Good PEP meeting with the SCHOOL"),
            answer("R3", "2025-02-03", "OFF1", "carer", "q1", "4", "fine", cohort="Kinship"),
            answer("R4", "2025-01-07", "OFF1", "birth_parent", "q1", "1", "Nobody calls back", cohort=None),
            answer("R5", "2025-01-08", "OFF1", "Birth Parent", "q1", "4", "happy", cohort=None),
            answer("R6", "2025-03-10", "OFF2", "child", "q1", "5", "Pepper", cohort=None),
            # No officer recorded: counted in the summary, no officer row.
            answer("R7", "2025-03-11", None, "child", "q1", None, None, cohort=None),
            # Q3: OFF3 gets rows for October-December only.
            answer("R8", "2024-11-15", "OFF3", "carer", "q1", "4", None),
        ],
    )
    # An older delivery of the same extract is not current.
    write_csv(tmp_path, "feedback", [answer("OLD", "2024-06-01", "OFF9", "carer", "q1", "1", "old")], stamp="20241231")
    return tmp_path


def test_feedback_summary_by_respondent_and_cohort(feedback_landing):
    summary = expected_quality_assurance(feedback_landing)["qa_feedback_summary"]
    assert set(summary) == {
        (LA, Q4, "carer", "mainstream"),
        (LA, Q4, "carer", "kinship"),
        (LA, Q4, "birth_parent", "not_recorded"),
        (LA, Q4, "child", "not_recorded"),
        (LA, Q3, "carer", "mainstream"),
    }
    figures = (
        "responses",
        "answers",
        "rated_answers",
        "average_rating",
        "positive_percentage",
        "comments",
        "comments_with_theme",
    )

    def row(key):
        return tuple(summary[key][f] for f in figures)

    # R1 (3 answers rated 5, 2, 3; the third comment blank) and R2 (unrated, themed)
    assert row((LA, Q4, "carer", "mainstream")) == (2, 4, 3, Fraction(10, 3), Fraction(100, 3), 3, 3)
    assert row((LA, Q4, "carer", "kinship")) == (1, 1, 1, Fraction(4), Fraction(100), 1, 0)
    assert row((LA, Q4, "birth_parent", "not_recorded")) == (2, 2, 2, Fraction(5, 2), Fraction(50), 2, 1)
    assert row((LA, Q4, "child", "not_recorded")) == (2, 2, 1, Fraction(5), Fraction(100), 1, 0)
    assert row((LA, Q3, "carer", "mainstream")) == (1, 1, 1, Fraction(4), Fraction(100), 0, 0)


def test_feedback_themes_carry_the_sentiment_of_their_row(feedback_landing):
    themes = expected_quality_assurance(feedback_landing)["qa_feedback_themes"]
    got = {
        key[2:]: (f["mentions"], f["positive"], f["negative"], f["neutral"], f["unrated"]) for key, f in themes.items()
    }
    assert got == {
        ("carer", "mainstream", "social_worker_support"): (1, 1, 0, 0, 0),
        ("carer", "mainstream", "listened_to"): (1, 1, 0, 0, 0),
        ("carer", "mainstream", "finance_allowances"): (1, 0, 1, 0, 0),
        ("carer", "mainstream", "education"): (1, 0, 0, 0, 1),
        ("birth_parent", "not_recorded", "communication"): (1, 0, 1, 0, 0),
    }
    assert {key[:2] for key in themes} == {(LA, Q4)}


def test_officer_minimum_gives_every_month_of_a_quarter_worked(feedback_landing):
    officers = expected_quality_assurance(feedback_landing)["qa_feedback_officer_minimum"]
    off1, off2, off3 = (pseudonymise(LA, o) for o in ("OFF1", "OFF2", "OFF3"))
    got = {
        (month, key): (f["carer_responses"], f["birth_parent_responses"], f["minimum_met"])
        for (la, month, key), f in officers.items()
    }
    assert got == {
        # January: carers R1, R2 (R1's three rows are one response), birth parents R4, R5
        (date(2025, 1, 31), off1): (2, 2, True),
        (date(2025, 2, 28), off1): (1, 0, False),
        (date(2025, 3, 31), off1): (0, 0, False),
        # OFF2 collected only from a child, in March: still a row for each month of the quarter
        (date(2025, 1, 31), off2): (0, 0, False),
        (date(2025, 2, 28), off2): (0, 0, False),
        (date(2025, 3, 31), off2): (0, 0, False),
        (date(2024, 10, 31), off3): (0, 0, False),
        (date(2024, 11, 30), off3): (1, 0, False),
        (date(2024, 12, 31), off3): (0, 0, False),
    }
    feb = officers[(LA, date(2025, 2, 28), off1)]
    assert (feb["period_start"], feb["financial_year"], feb["financial_quarter"]) == (date(2025, 2, 1), "2024/25", "Q4")


# ---------------------------------------------------------------------------------------------
# Complaints
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def complaints_landing(tmp_path) -> Path:
    write_xlsx(
        tmp_path,
        "complaints",
        [
            # 9 working days (see above): within 10
            record(
                "C1",
                "complaint",
                date(2024, 12, 19),
                stage=1,
                responded=date(2025, 1, 6),
                outcome="Upheld",
                advocacy="Y",
                theme="Communication",
            ),
            # Wed 8 January is 11 working days: only within the extended 20
            record(
                "C2",
                "complaint",
                "19/12/2024",
                stage="1",
                responded="2025-01-08",
                outcome="not upheld",
                advocacy="no",
                theme="communication",
            ),
            record("C3", "complaint", date(2024, 12, 2), stage=1, theme="Delay"),
            record("C4", "Compliment", date(2024, 12, 5), responded=date(2024, 12, 6), service="Fostering"),
            # Thu 2 January 2025 -> Thu 6 February: 25 working days, within stage 2's 25
            record(
                "C5",
                "complaint",
                date(2025, 1, 2),
                stage=2,
                responded=date(2025, 2, 6),
                outcome="partly-upheld",
                advocacy=True,
            ),
            # -> Fri 14 February: 31 working days, outside stage 3's 30 (which cannot be extended)
            record("C6", "complaint", date(2025, 1, 2), stage=3.0, responded=date(2025, 2, 14), outcome="withdrawn"),
            # Not a complete quarter yet on the extract date 2025-04-15: left out.
            record("C7", "complaint", date(2025, 4, 1), stage=1),
        ],
        stamp="20250415",
        title_rows=[["Representations log"]],
    )
    return tmp_path


def test_complaints_timescales_in_working_days_and_outcomes(complaints_landing):
    complaints = expected_quality_assurance(complaints_landing)["qa_complaints"]
    assert set(complaints) == {
        (LA, Q3, "fostering", "complaint", 1),
        (LA, Q3, "fostering", "compliment", None),
        (LA, Q4, "fostering", "complaint", 2),
        (LA, Q4, "fostering", "complaint", 3),
    }
    figures = (
        "received",
        "responded",
        "responded_within_timescale",
        "responded_within_extended_timescale",
        "awaiting_response",
        "upheld",
        "partly_upheld",
        "not_upheld",
        "withdrawn",
        "upheld_percentage",
        "advocacy_involved",
    )

    def row(*key):
        return tuple(complaints[(LA, *key)][f] for f in figures)

    assert row(Q3, "fostering", "complaint", 1) == (3, 2, 1, 2, 1, 1, 0, 1, 0, Fraction(50), 1)
    assert row(Q3, "fostering", "compliment", None) == (1, 1, 0, 0, 0, 0, 0, 0, 0, None, 0)
    assert row(Q4, "fostering", "complaint", 2) == (1, 1, 1, 1, 0, 0, 1, 0, 0, Fraction(100), 1)
    assert row(Q4, "fostering", "complaint", 3) == (1, 1, 0, 0, 0, 0, 0, 0, 1, None, 0)


def test_complaint_themes_are_normalised_codes(complaints_landing):
    themes = expected_quality_assurance(complaints_landing)["qa_complaint_themes"]
    assert {key: f["records"] for key, f in themes.items()} == {
        (LA, Q3, "fostering", "complaint", "communication"): 2,
        (LA, Q3, "fostering", "complaint", "delay"): 1,
        (LA, Q3, "fostering", "compliment", "not_recorded"): 1,
        (LA, Q4, "fostering", "complaint", "not_recorded"): 2,
    }


def test_every_table_is_returned_with_its_grain(complaints_landing):
    tables = expected_quality_assurance(complaints_landing)
    assert tuple(tables) == TABLES
    for table, rows in tables.items():
        assert all(len(key) == len(GRAINS[table]) for key in rows)
    assert not tables["qa_audit_outcomes"] and not tables["qa_feedback_summary"]
