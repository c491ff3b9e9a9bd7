"""Named defects: one deliberate fault in one landing file, for the gate to catch.

Each defect damages one extract of the first authority only, so a test can check that the gate
quarantines exactly that file, names the rule below, and loads everything else. Defects on the
same extract damage different rows, so several can be applied together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from qa_warehouse_synthetic.files import CellValue, ExtractTable

# No household id is ever numbered 0 (numbering starts well above it), so this never resolves.
ORPHAN_HOUSEHOLD_ID = "H00000"
# Not a DfE LA code, so it can match no authority's file.
FOREIGN_LA_CODE = "999"
# Audit ids are numbered from CFA010000 up, so this one is never an audit.
ORPHAN_AUDIT_ID = "CFA000000"
# Synthetic URNs are SC + an LA code + three digits, and 000 is no LA code: this is never a home.
ORPHAN_HOME_URN = "SC000000"


@dataclass(frozen=True)
class Defect:
    name: str
    extract: str
    rule: str  # the rule the gate reports for this damage
    description: str
    damage: Callable[[ExtractTable, date], None]

    def apply(self, table: ExtractTable, as_at: date) -> None:
        if table.extract != self.extract:
            raise ValueError(f"defect {self.name!r} damages {self.extract}, not {table.extract}")
        self.damage(table, as_at)


def _data_row(table: ExtractTable, number: int) -> dict:
    """The 1-based data row `number`; the damage must land on a real row to be detectable."""
    if len(table.rows) < number:
        raise ValueError(f"{table.extract} has {len(table.rows)} rows: too few to damage data row {number}")
    return table.rows[number - 1]


def _set_cell(
    column: str, row_number: int, value: Callable[[dict, date], object]
) -> Callable[[ExtractTable, date], None]:
    def damage(table: ExtractTable, as_at: date) -> None:
        row = _data_row(table, row_number)
        row[column] = value(row, as_at)

    return damage


def _copy_cell_from_previous_row(column: str, row_number: int) -> Callable[[ExtractTable, date], None]:
    def damage(table: ExtractTable, as_at: date) -> None:
        _data_row(table, row_number)[column] = _data_row(table, row_number - 1)[column]

    return damage


def _set_cell_of_first(
    column: str, from_row: int, where: Callable[[dict], bool], value: Callable[[dict, date], CellValue]
) -> Callable[[ExtractTable, date], None]:
    """Damage the first data row from `from_row` on that `where` picks (e.g. the first complaint)."""

    def damage(table: ExtractTable, as_at: date) -> None:
        _data_row(table, from_row)
        row = next((r for r in table.rows[from_row - 1 :] if where(r)), None)
        if row is None:
            raise ValueError(f"{table.extract} has no data row from row {from_row} on to damage in {column}")
        row[column] = value(row, as_at)

    return damage


def _is_complaint(row: dict) -> bool:
    return str(row.get("record_type") or "").strip().lower() == "complaint" and row.get("stage") is not None


def _has(column: str) -> Callable[[dict], bool]:
    return lambda row: row.get(column) is not None


def _is_registered_home(row: dict) -> bool:
    registered = str(row.get("registration_status") or "").strip().lower() == "registered"
    return registered and bool(row.get("registered_places"))


def _remove_column(column: str) -> Callable[[ExtractTable, date], None]:
    def damage(table: ExtractTable, as_at: date) -> None:
        table.columns.remove(column)
        for row in table.rows:
            row.pop(column, None)

    return damage


# The children in need census (cin_census), DfE's flat event rows: an episode's details repeat on each
# of its rows, so a fault in one of them is on every row of the episode (as the XML return, which the
# first authority writes, carries it once for the episode).
CIN_NOT_A_DATE = "31/02/2025"  # a day that does not exist
CIN_UNKNOWN_NEED = "N99"  # DfE's primary need codes are N0 to N9


def _episode_rows(table: ExtractTable, from_row: int, where: Callable[[dict], bool]) -> list[dict]:
    """The rows of the first episode (child and referral date) from data row `from_row` on whose row `where` picks."""
    _data_row(table, from_row)
    first = next((r for r in table.rows[from_row - 1 :] if where(r)), None)
    if first is None:
        raise ValueError(f"{table.extract} has no episode from data row {from_row} on to damage")
    return [
        r
        for r in table.rows
        if (r["LAchildID"], r["CINreferralDate"]) == (first["LAchildID"], first["CINreferralDate"])
    ]


def _blank_child_id(from_row: int) -> Callable[[ExtractTable, date], None]:
    def damage(table: ExtractTable, as_at: date) -> None:
        child = _data_row(table, from_row)["LAchildID"]
        for row in table.rows:
            if row["LAchildID"] == child:
                row["LAchildID"] = None

    return damage


def _closure_not_a_date(from_row: int) -> Callable[[ExtractTable, date], None]:
    def damage(table: ExtractTable, as_at: date) -> None:
        for row in _episode_rows(table, from_row, _has("CINclosureDate")):
            if row["Type"] == "CINclosureDate":
                row["Date"] = CIN_NOT_A_DATE
            row["CINclosureDate"] = CIN_NOT_A_DATE

    return damage


def _in_census_year_of(as_at: date) -> Callable[[dict], bool]:
    """A referral that led to further action, open at some time in the census year holding `as_at`
    (the year DfE's validator checks)."""
    year_start = date(as_at.year if as_at.month >= 4 else as_at.year - 1, 4, 1)

    def picks(row: dict) -> bool:
        closed = row.get("CINclosureDate")
        return str(row.get("ReferralNFA")) == "0" and (not isinstance(closed, date) or closed >= year_start)

    return picks


def _unknown_primary_need(from_row: int) -> Callable[[ExtractTable, date], None]:
    def damage(table: ExtractTable, as_at: date) -> None:
        for row in _episode_rows(table, from_row, _in_census_year_of(as_at)):
            row["PrimaryNeedCode"] = CIN_UNKNOWN_NEED

    return damage


def _repeat_referral(from_row: int) -> Callable[[ExtractTable, date], None]:
    def damage(table: ExtractTable, as_at: date) -> None:
        rows = _episode_rows(table, from_row, lambda r: str(r.get("ReferralNFA")) == "1")
        at = table.rows.index(rows[-1]) + 1
        table.rows[at:at] = [dict(r) for r in rows]

    return damage


DEFECTS: dict[str, Defect] = {
    d.name: d
    for d in (
        Defect(
            "unknown_code",
            "carer_visits",
            "allowed_codes",
            "Data row 3's visit_type is 'home_visit', a code the contract does not list.",
            _set_cell("visit_type", 3, lambda row, as_at: "home_visit"),
        ),
        Defect(
            "duplicate_key",
            "carer_visits",
            "key_unique",
            "Data row 4 repeats data row 3's visit_id, so the key is not unique.",
            _copy_cell_from_previous_row("visit_id", 4),
        ),
        Defect(
            "missing_required",
            "carer_visits",
            "required",
            "Data row 5's visit_date is blank; the contract requires it.",
            _set_cell("visit_date", 5, lambda row, as_at: None),
        ),
        Defect(
            "unparseable_date",
            "carer_visits",
            "date_type",
            "Data row 6's visit_date is '31/02/2024', a day that does not exist.",
            _set_cell("visit_date", 6, lambda row, as_at: "31/02/2024"),
        ),
        Defect(
            "orphan_reference",
            "carer_visits",
            "reference_resolves",
            f"Data row 7's household_id is {ORPHAN_HOUSEHOLD_ID}, which is not in carer_households.",
            _set_cell("household_id", 7, lambda row, as_at: ORPHAN_HOUSEHOLD_ID),
        ),
        Defect(
            "future_date",
            "carer_supervisions",
            "date_possible",
            "Data row 3's supervision_date is 30 days after the extract date.",
            _set_cell("supervision_date", 3, lambda row, as_at: as_at + timedelta(days=30)),
        ),
        Defect(
            "wrong_la_code",
            "notifications",
            "la_code_matches_file",
            f"Data row 3's la_code is {FOREIGN_LA_CODE}, not the authority the file name declares.",
            _set_cell("la_code", 3, lambda row, as_at: FOREIGN_LA_CODE),
        ),
        Defect(
            "received_before_event",
            "notifications",
            "received_not_before_event",
            "Data row 4's received_date is 3 days before its event_date.",
            _set_cell("received_date", 4, lambda row, as_at: row["event_date"] - timedelta(days=3)),
        ),
        Defect(
            "missing_column",
            "carer_reviews",
            "required_column",
            "The review_date column is missing from the file (header and every row).",
            _remove_column("review_date"),
        ),
        Defect(
            "not_a_number",
            "carer_households",
            "integer_type",
            "Data row 3's approved_places is 'two', not an integer.",
            _set_cell("approved_places", 3, lambda row, as_at: "two"),
        ),
        # Quality assurance extracts (the first authority writes them as CSV).
        Defect(
            "unknown_grade_label",
            "case_file_audits",
            "allowed_codes",
            "Data row 3's overall_grade is 'Satisfactory', a grade label the contract does not list.",
            _set_cell("overall_grade", 3, lambda row, as_at: "Satisfactory"),
        ),
        Defect(
            "action_for_unknown_audit",
            "audit_actions",
            "reference_resolves",
            f"Data row 3's audit_id is {ORPHAN_AUDIT_ID}, which is not in case_file_audits.",
            _set_cell("audit_id", 3, lambda row, as_at: ORPHAN_AUDIT_ID),
        ),
        Defect(
            "rating_out_of_range",
            "feedback",
            "value_in_range",
            "Data row 3's rating is 7, outside 1 to 5.",
            _set_cell("rating", 3, lambda row, as_at: 7),
        ),
        Defect(
            "complaint_without_stage",
            "complaints",
            "complaint_has_stage",
            "The first complaint from data row 5 on has a blank stage.",
            _set_cell_of_first("stage", 5, _is_complaint, lambda row, as_at: None),
        ),
        Defect(
            "bad_flag",
            "complaints",
            "flag_type",
            "Data row 3's advocacy is 'maybe', not a yes/no flag.",
            _set_cell("advocacy", 3, lambda row, as_at: "maybe"),
        ),
        # Recruitment (one row per enquiry).
        Defect(
            "recruitment_stages_out_of_order",
            "recruitment",
            "stage_dates_in_order",
            "The first enquiry from data row 3 on with an application has its application_date 5 days"
            " before its enquiry_date.",
            _set_cell_of_first(
                "application_date",
                3,
                _has("application_date"),
                lambda row, as_at: row["enquiry_date"] - timedelta(days=5),
            ),
        ),
        Defect(
            "withdrawal_without_reason",
            "recruitment",
            "withdrawal_has_reason",
            "The first withdrawn enquiry from data row 3 on has a blank withdrawal_reason.",
            _set_cell_of_first("withdrawal_reason", 3, _has("withdrawn_date"), lambda row, as_at: None),
        ),
        # Workforce (CSV for every authority).
        Defect(
            "fte_zero",
            "workforce",
            "fte_above_zero",
            "Data row 3's fte is 0.",
            _set_cell("fte", 3, lambda row, as_at: 0),
        ),
        Defect(
            "fte_too_high",
            "workforce",
            "fte_at_most_1_5",
            "Data row 4's fte is 1.6, above 1.5.",
            _set_cell("fte", 4, lambda row, as_at: 1.6),
        ),
        Defect(
            "leave_before_start",
            "workforce",
            "leave_not_before_start",
            "Data row 5's leave_date is 10 days before its start_date.",
            _set_cell("leave_date", 5, lambda row, as_at: row["start_date"] - timedelta(days=10)),
        ),
        Defect(
            "establishment_zero",
            "team_establishment",
            "establishment_fte_positive",
            "Data row 1's establishment_fte is 0.",
            _set_cell("establishment_fte", 1, lambda row, as_at: 0),
        ),
        # Residential (childrens_homes, reg44_visits; CSV in each authority's file format).
        Defect(
            "occupied_above_registered",
            "childrens_homes",
            "occupied_not_above_registered",
            "The first registered home from data row 1 on has 2 more children living in it than registered places.",
            _set_cell_of_first(
                "occupied_places", 1, _is_registered_home, lambda row, as_at: row["registered_places"] + 2
            ),
        ),
        Defect(
            "registration_before_application",
            "childrens_homes",
            "registration_not_before_application",
            "The first registered home from data row 4 on has its registration_date 10 days before its application_date.",
            _set_cell_of_first(
                "registration_date",
                4,
                _is_registered_home,
                lambda row, as_at: row["application_date"] - timedelta(days=10),
            ),
        ),
        Defect(
            "closure_before_registration",
            "childrens_homes",
            "closure_not_before_registration",
            "The first home with a closure date from data row 1 on closes 10 days before its registration_date.",
            _set_cell_of_first(
                "closure_date",
                1,
                _has("closure_date"),
                lambda row, as_at: row["registration_date"] - timedelta(days=10),
            ),
        ),
        Defect(
            "judgement_without_inspection",
            "childrens_homes",
            "judgement_needs_inspection_date",
            "The first inspected home from data row 7 on has its last_inspection_date blanked, keeping the judgement.",
            _set_cell_of_first("last_inspection_date", 7, _has("inspection_judgement"), lambda row, as_at: None),
        ),
        Defect(
            "closure_date_on_open_home",
            "childrens_homes",
            "closed_home_has_status_closed",
            "The first registered home from data row 10 on has a closure_date (the extract date) but stays registered.",
            _set_cell_of_first("closure_date", 10, _is_registered_home, lambda row, as_at: as_at),
        ),
        Defect(
            "reg44_visit_to_unknown_home",
            "reg44_visits",
            "reference_resolves",
            f"Data row 3's home_id is {ORPHAN_HOME_URN}, which is not in childrens_homes.",
            _set_cell("home_id", 3, lambda row, as_at: ORPHAN_HOME_URN),
        ),
        # Children in need census (cin_census; the first authority writes DfE's XML return).
        Defect(
            "cin_blank_child_id",
            "cin_census",
            "required",
            "The child of data row 3 has a blank LAchildID (on each of its rows; in the XML, no <LAchildID>).",
            _blank_child_id(3),
        ),
        Defect(
            "cin_date_not_a_date",
            "cin_census",
            "date_type",
            f"The first closed episode from data row 3 on has CINclosureDate {CIN_NOT_A_DATE!r} (on each of its"
            " rows, and as its closure row's Date), a day that does not exist.",
            _closure_not_a_date(3),
        ),
        Defect(
            "cin_unknown_code",
            "cin_census",
            "dfe_8650",
            f"The first episode from data row 3 on that led to further action and is open in the extract date's"
            f" census year has PrimaryNeedCode {CIN_UNKNOWN_NEED!r}, not a DfE code (DfE's rule 8650).",
            _unknown_primary_need(3),
        ),
        Defect(
            "cin_duplicated_referral",
            "cin_census",
            "key_unique",
            "The first no further action referral from data row 3 on is given twice (its referral and closure"
            " rows repeated; in the XML, its CINdetails).",
            _repeat_referral(3),
        ),
    )
}


def resolve_defects(names: Iterable[str] | str) -> tuple[Defect, ...]:
    """The named defects in the order given (each once); an unknown name is an error."""
    names = (names,) if isinstance(names, str) else tuple(names)
    unknown = [n for n in names if n not in DEFECTS]
    if unknown:
        raise ValueError(f"unknown defect(s) {unknown}; valid defects: {', '.join(DEFECTS)}")
    return tuple(DEFECTS[n] for n in dict.fromkeys(names))
