"""Findings of DfE's 903 validator that are the validator's own bugs, not faults in the data.

csc-validator-be-903 0.1.17 has a few rules that flag correct returns. Holding a child for them
would drop sound children from every figure, so the gate records such a finding as a warning that
names the bug (qa_warehouse.load.ssda903_delivery), and the test of our synthetic returns
(tests/test_dfe_acceptance.py) allows exactly these rows. Each entry names the validator's file and
line; remove it when a fixed validator is pinned (constraints-dfe.txt).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Row = dict[str, str]  # a row as DfE's validator reads it: DfE's column names, upper-case text values
Tables = dict[str, list[Row]]  # DfE's table name -> its rows, in file order


def _day(text: str) -> dt.date | None:
    try:
        day, month, year = map(int, text.split("/"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def _k3(row: Row, tables: Tables) -> bool:
    return row.get("PLACE") == "K3"


def _k3_with_urn(row: Row, tables: Tables) -> bool:
    return row.get("PLACE") == "K3" and bool(row.get("URN"))


def _ends_care_before_a_later_start(row: Row, tables: Tables) -> bool:
    """The episode ends a period of care (REC not X1) and the child starts another later in the return."""
    if row.get("REC") in ("", "X1", None):
        return False
    ended = _day(row.get("DEC") or "")
    return ended is not None and any(
        e.get("CHILD") == row.get("CHILD") and e.get("RNE") == "S" and (_day(e.get("DECOM") or "") or ended) > ended
        for e in tables.get("Episodes", ())
    )


# (ruleset, or None for every ruleset; DfE rule; DfE table) -> (which flagged rows are the bug's, why).
KNOWN_BUGS: dict[tuple[str | None, str, str], tuple[Callable[[Row, Tables], bool], str]] = {
    ("lac2024_25", "146", "Episodes"): (
        _k3,
        "lac_validator/rules/lac2024_25/rule_146.py:25 lists 'k3' in lower case, so DfE's K3 (new in "
        "2024/25, in our seed and in lac2025_26/rule_146.py) fails its own code list check",
    ),
    (None, "SW12STG2", "Episodes"): (
        _ends_care_before_a_later_start,
        "lac_validator/rules/lac2024_25/rule_SW12STG2.py:54-57 pairs every social worker episode with "
        "every start of care (RNE S) and every end (REC not X1) and wants each social worker episode to "
        "begin on or after every start and on or before every end: for a child who leaves care and "
        "starts again within the year no social worker episode can do both, and none at all is flagged too",
    ),
    ("lac2025_26", "241", "Episodes"): (
        _k3_with_urn,
        "lac_validator/rules/lac2025_26/rule_241.py:26 compares a K3 placement's LA (PL_LA) with the "
        "submitting authority (metadata localAuthority), where its own comment (lines 2-3) says the LA "
        "Ofsted's URN lookup gives the provider: every K3 placement outside the authority is flagged",
    ),
}


def validator_bug(ruleset: str, rule: str, table: str, row: Row, tables: Tables) -> str | None:
    """Why this flagged row is the validator's bug, or None when the finding stands."""
    for key in ((ruleset, rule, table), (None, rule, table)):
        if key in KNOWN_BUGS:
            applies, why = KNOWN_BUGS[key]
            if applies(row, tables):
                return why
    return None


# DfE's CIN validator (csc-validator-be-cin 0.1.13): (ruleset, or None for every ruleset; DfE rule;
# the validator's table, or None for a rule about the whole return) -> why the finding is the
# validator's bug. Recorded as a warning naming the bug, never a hold (load/cin_delivery.py); the
# acceptance test of our synthetic returns allows exactly these.
CIN_KNOWN_BUGS: dict[tuple[str | None, str, str | None], str] = {
    (None, "8569Q", "CINdetails"): (
        "cin_validator/rules/cin2022_23/rule_8569Q.py:43 takes the cut-off as collection_start - "
        "england_working_days(1), and cin_validator/utils.py:138 makes that CustomBusinessDay(n=0), which "
        "rolls a census year's start that is not a working day forward (Saturday 1 April 2023 to Monday "
        "3 April 2023, Easter Monday 1 April 2024 to 2 April 2024) instead of going back a working day: a "
        "no further action referral on the year's first days is flagged as one made before the year"
    ),
}


def cin_validator_bug(ruleset: str, rule: str, table: str | None) -> str | None:
    """Why this CIN finding is the validator's bug, or None when the finding stands."""
    return CIN_KNOWN_BUGS.get((ruleset, rule, table)) or CIN_KNOWN_BUGS.get((None, rule, table))
