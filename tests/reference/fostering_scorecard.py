"""The fostering monthly scorecard, recomputed from the landing files as a specification.

This is the integration test's independent answer to "what should the warehouse publish?". It
reads the extract CSV files directly with the standard library and applies the measure
definitions of /work/shared/EXTRACTS.md one by one. It deliberately shares nothing with the
pipeline: no ``qa_warehouse`` import, no database, no SQL.

    expected_fostering_scorecard(landing_dir, history_months=36)
        -> {(la_code, team_or_None, period_end, measure_code):
                {"in_time": int, "out_of_time": int, "not_yet_due": int,
                 "percentage": Fraction | None}}

    expected_exceptions(landing_dir)
        -> {(la_code, measure_code, household_id, notification_id_or_None):
                {"team": str, "period_end": date, "days_overdue": int}}
        (what is out of time at each authority's latest month end: the exception list)

Every team found in an authority's carer_households file gets a row for every period end and
every measure (zero counts when nothing applies); team ``None`` is the whole authority, the sum
of its teams. ``percentage`` is exact: 100 * in_time / (in_time + out_of_time), or None when
that denominator is zero.

Definitions, with D the period end:

* Period ends: the last ``history_months`` month ends up to the last month end on or before the
  authority's carer_households extract date (the date in the file name).
* Household population at D: approval_date <= D, deregistration_date blank or after D, status
  approved, on_hold or deregistered (so in_assessment never counts).
* "Within N days of D": D - N days < date <= D.
  "Within N months of D": D - N calendar months < date <= D (month ends clamp, as relativedelta
  and PostgreSQL intervals both do: 2024-02-29 - 12 months = 2023-02-28).
* Each household measure is in time if its condition holds, else not yet due if that condition
  holds, else out of time.
* Notifications within 1 day: the population is notifications with an event date within 6
  months of D, whatever the household's status; in time when received at most 1 day after the
  event.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

from dateutil.relativedelta import relativedelta

MEASURE_CODES = (
    "support_visits",
    "unannounced_visits",
    "annual_review",
    "formal_supervision",
    "management_supervision",
    "tsd",
    "kit_call",
    "notifications_1_day",
)

IN_TIME = "in_time"
OUT_OF_TIME = "out_of_time"
NOT_YET_DUE = "not_yet_due"

FOSTERING_EXTRACTS = (
    "carer_households",
    "carer_visits",
    "carer_reviews",
    "carer_supervisions",
    "carer_training",
    "notifications",
)

# The codes each coded column may take once normalised; anything else is an error in the data.
CARER_TYPES = {"mainstream", "kinship"}
HOUSEHOLD_STATUSES = {"in_assessment", "approved", "on_hold", "deregistered"}
VISIT_TYPES = {"support", "unannounced", "kit_call"}
SUPERVISION_TYPES = {"formal", "management"}

# Statuses a household can have and still have been approved at some period end.
STATUSES_EVER_APPROVED = {"approved", "on_hold", "deregistered"}

# `<extract>_<la_code>_<yyyymmdd>.csv`; extract names themselves contain underscores.
FILE_NAME = re.compile(r"^(?P<extract>[a-z0-9_]+)_(?P<la_code>\d{3})_(?P<extract_date>\d{8})\.csv$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Reading the landing folder
# --------------------------------------------------------------------------------------------


def latest_files(landing_dir: str | Path) -> dict[tuple[str, str], tuple[date, Path]]:
    """{(extract, la_code): (extract_date, path)}, keeping the latest-dated file of each."""
    latest: dict[tuple[str, str], tuple[date, Path]] = {}
    for path in sorted(Path(landing_dir).iterdir()):
        match = FILE_NAME.match(path.name)
        if not match or not path.is_file():
            continue
        extract = match["extract"].lower()
        if extract not in FOSTERING_EXTRACTS:
            continue
        extract_date = datetime.strptime(match["extract_date"], "%Y%m%d").date()
        key = (extract, match["la_code"])
        if key not in latest or extract_date > latest[key][0]:
            latest[key] = (extract_date, path)
    return latest


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM) when the bytes are valid UTF-8, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_rows(path: Path) -> list[dict[str, str | None]]:
    """The data rows of one CSV as {column: value}; values trimmed, blank -> None.

    Column names are trimmed and lower-cased, so the header may come in any order and case.
    Rows that are empty or nothing but commas (spreadsheet leftovers) are skipped.
    """
    text = decode_text(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    rows = []
    for cells in reader:
        values = [cell.strip() for cell in cells]
        if not any(values):
            continue
        row = {name: (value or None) for name, value in zip(header, values)}
        rows.append(row)
    return rows


def parse_date(text: str | None) -> date | None:
    """yyyy-mm-dd or dd/mm/yyyy; blank is None."""
    if text is None:
        return None
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            pass
    raise ValueError(f"not a yyyy-mm-dd or dd/mm/yyyy date: {text!r}")


def parse_code(text: str | None, allowed: set[str], column: str) -> str:
    """A code compared case-insensitively: 'On Hold', ' on_hold ' and 'ON-HOLD' are on_hold."""
    code = re.sub(r"[\s\-]+", "_", (text or "").strip().lower())
    if code not in allowed:
        raise ValueError(f"{column}: {text!r} is not one of {sorted(allowed)}")
    return code


# --------------------------------------------------------------------------------------------
# One authority's data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Household:
    household_id: str
    carer_type: str
    team: str
    status: str
    approval_date: date | None
    deregistration_date: date | None


@dataclass(frozen=True)
class Carer:
    carer_id: str
    tsd_due_date: date | None
    tsd_completed_date: date | None


@dataclass(frozen=True)
class Notification:
    notification_id: str
    household_id: str
    event_date: date
    received_date: date | None


@dataclass
class Authority:
    la_code: str
    extract_date: date  # of its carer_households file
    households: dict[str, Household] = field(default_factory=dict)
    # household_id -> visit_type -> visit dates
    visits: dict[str, dict[str, list[date]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    # household_id -> review dates
    reviews: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))
    # household_id -> supervision_type -> supervision dates
    supervisions: dict[str, dict[str, list[date]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    # household_id -> its carers
    carers: dict[str, list[Carer]] = field(default_factory=lambda: defaultdict(list))
    notifications: list[Notification] = field(default_factory=list)

    @property
    def teams(self) -> list[str]:
        return sorted({household.team for household in self.households.values()})


def load_authorities(landing_dir: str | Path) -> list[Authority]:
    """One Authority per la_code that has a carer_households file, from the latest files."""
    files = latest_files(landing_dir)
    authorities = []
    for (extract, la_code), (extract_date, path) in sorted(files.items()):
        if extract != "carer_households":
            continue
        authority = Authority(la_code=la_code, extract_date=extract_date)
        for row in read_rows(path):
            household = Household(
                household_id=row["household_id"],
                carer_type=parse_code(row["carer_type"], CARER_TYPES, "carer_type"),
                team=row["team"],
                status=parse_code(row["status"], HOUSEHOLD_STATUSES, "status"),
                approval_date=parse_date(row.get("approval_date")),
                deregistration_date=parse_date(row.get("deregistration_date")),
            )
            if household.household_id in authority.households:
                raise ValueError(f"{path.name}: household_id {household.household_id!r} appears twice")
            authority.households[household.household_id] = household

        def rows_of(extract_name: str) -> list[dict[str, str | None]]:
            found = files.get((extract_name, la_code))
            return read_rows(found[1]) if found else []

        # An event without a date cannot fall in any window, so it is left out.
        for row in rows_of("carer_visits"):
            visit_type = parse_code(row["visit_type"], VISIT_TYPES, "visit_type")
            visit_date = parse_date(row.get("visit_date"))
            if visit_date is not None:
                authority.visits[row["household_id"]][visit_type].append(visit_date)
        for row in rows_of("carer_reviews"):
            review_date = parse_date(row.get("review_date"))
            if review_date is not None:  # a review not yet held is not a review
                authority.reviews[row["household_id"]].append(review_date)
        for row in rows_of("carer_supervisions"):
            supervision_type = parse_code(row["supervision_type"], SUPERVISION_TYPES, "supervision_type")
            supervision_date = parse_date(row.get("supervision_date"))
            if supervision_date is not None:
                authority.supervisions[row["household_id"]][supervision_type].append(supervision_date)
        for row in rows_of("carer_training"):
            authority.carers[row["household_id"]].append(
                Carer(
                    carer_id=row["carer_id"],
                    tsd_due_date=parse_date(row.get("tsd_due_date")),
                    tsd_completed_date=parse_date(row.get("tsd_completed_date")),
                )
            )
        for row in rows_of("notifications"):
            if parse_date(row.get("event_date")) is None:
                continue
            authority.notifications.append(
                Notification(
                    notification_id=row["notification_id"],
                    household_id=row["household_id"],
                    event_date=parse_date(row["event_date"]),
                    received_date=parse_date(row.get("received_date")),
                )
            )
        sort_dates(authority)
        authorities.append(authority)
    return authorities


def sort_dates(authority: Authority) -> None:
    """Event dates oldest first, so that `any_in_window` can bisect them."""
    for by_type in (*authority.visits.values(), *authority.supervisions.values()):
        for dates in by_type.values():
            dates.sort()
    for dates in authority.reviews.values():
        dates.sort()


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def month_end(day: date) -> date:
    return day + relativedelta(day=31)


def period_ends(extract_date: date, history_months: int) -> list[date]:
    """The month ends reported for an extract: the last `history_months` up to the last month
    end on or before the extract date, oldest first."""
    if history_months < 1:
        raise ValueError("history_months must be at least 1")
    last = month_end(extract_date)
    if last > extract_date:
        last = month_end(extract_date - relativedelta(months=1))
    return [month_end(last - relativedelta(months=back)) for back in reversed(range(history_months))]


def within_days(day: date | None, period_end: date, days: int) -> bool:
    """D - N days < day <= D."""
    return day is not None and period_end - timedelta(days=days) < day <= period_end


def within_months(day: date | None, period_end: date, months: int) -> bool:
    """D - N months < day <= D, with relativedelta's month-end clamping."""
    return day is not None and period_end - relativedelta(months=months) < day <= period_end


def any_in_window(sorted_dates: list[date], after: date, up_to: date) -> bool:
    """Whether some date d in the ascending list has after < d <= up_to.

    The same test as `any(after < d <= up_to for d in sorted_dates)`, by bisection: the first
    date later than `after` is the only candidate that needs checking.
    """
    first_later = bisect_right(sorted_dates, after)
    return first_later < len(sorted_dates) and sorted_dates[first_later] <= up_to


# --------------------------------------------------------------------------------------------
# The measures
# --------------------------------------------------------------------------------------------


def is_in_population(household: Household, period_end: date) -> bool:
    """Approved at D: approved on or before D and not de-registered on or before D."""
    return (
        household.status in STATUSES_EVER_APPROVED
        and household.approval_date is not None
        and household.approval_date <= period_end
        and (household.deregistration_date is None or household.deregistration_date > period_end)
    )


def outcome(in_time: bool, not_yet_due: bool = False) -> str:
    """In time wins over not yet due, which wins over out of time."""
    if in_time:
        return IN_TIME
    if not_yet_due:
        return NOT_YET_DUE
    return OUT_OF_TIME


def tsd_effective_due_date(household: Household, carer: Carer) -> date:
    """The extract's due date, else 12 months after approval (18 for kinship carers)."""
    if carer.tsd_due_date is not None:
        return carer.tsd_due_date
    months = 18 if household.carer_type == "kinship" else 12
    return household.approval_date + relativedelta(months=months)


def carer_tsd_compliant(household: Household, carer: Carer, period_end: date) -> bool:
    completed = carer.tsd_completed_date is not None and carer.tsd_completed_date <= period_end
    return completed or tsd_effective_due_date(household, carer) > period_end


def household_outcomes(authority: Authority, household: Household, period_end: date) -> dict[str, str]:
    """The outcome of every household measure for one household in the population at D."""
    hid = household.household_id
    visits = authority.visits.get(hid, {})
    supervisions = authority.supervisions.get(hid, {})
    D = period_end

    def any_within_days(dates: list[date], days: int) -> bool:
        return any_in_window(dates, D - timedelta(days=days), D)

    def any_within_months(dates: list[date], months: int) -> bool:
        return any_in_window(dates, D - relativedelta(months=months), D)

    reviews_so_far = [day for day in authority.reviews.get(hid, []) if day <= D]
    review_reference = max(reviews_so_far) if reviews_so_far else household.approval_date

    # A household with no carer rows is one carer with blank TSD dates.
    carers = authority.carers.get(hid) or [Carer(carer_id="(none)", tsd_due_date=None, tsd_completed_date=None)]

    return {
        "support_visits": outcome(
            in_time=any_within_days(visits.get("support", []), 42),
            not_yet_due=within_days(household.approval_date, D, 42),
        ),
        "unannounced_visits": outcome(
            in_time=any_within_months(visits.get("unannounced", []), 12),
            not_yet_due=within_months(household.approval_date, D, 12),
        ),
        "annual_review": outcome(in_time=within_months(review_reference, D, 12)),
        "formal_supervision": outcome(in_time=any_within_days(supervisions.get("formal", []), 84)),
        "management_supervision": outcome(in_time=any_within_days(supervisions.get("management", []), 84)),
        "tsd": outcome(in_time=all(carer_tsd_compliant(household, carer, D) for carer in carers)),
        "kit_call": outcome(in_time=any_within_days(visits.get("kit_call", []), 28)),
    }


def notification_outcome(notification: Notification, period_end: date) -> str:
    """In time when received within 1 day of the event; and, at D, when its due day (event + 1 day)
    is still ahead of D: an event on D is not late before its day has run."""
    received = notification.received_date
    due = notification.event_date + timedelta(days=1)
    return outcome(in_time=(received is not None and received <= due) or due > period_end)


def team_counts(authority: Authority, period_end: date) -> dict[tuple[str, str], dict[str, int]]:
    """{(team, measure): {in_time, out_of_time, not_yet_due}} for every team and measure."""
    counts = {
        (team, measure): {IN_TIME: 0, OUT_OF_TIME: 0, NOT_YET_DUE: 0}
        for team in authority.teams
        for measure in MEASURE_CODES
    }
    for household in authority.households.values():
        if not is_in_population(household, period_end):
            continue
        for measure, result in household_outcomes(authority, household, period_end).items():
            counts[(household.team, measure)][result] += 1
    six_months_before = period_end - relativedelta(months=6)
    for notification in authority.notifications:
        if not six_months_before < notification.event_date <= period_end:
            continue
        household = authority.households.get(notification.household_id)
        if household is None:
            # The contract makes household_id reference the register; an orphan has no team,
            # so it cannot be placed in a team row (and the gate should have stopped it).
            continue
        counts[(household.team, "notifications_1_day")][notification_outcome(notification, period_end)] += 1
    return counts


def figures(in_time: int, out_of_time: int, not_yet_due: int) -> dict:
    denominator = in_time + out_of_time
    return {
        "in_time": in_time,
        "out_of_time": out_of_time,
        "not_yet_due": not_yet_due,
        "percentage": Fraction(100 * in_time, denominator) if denominator else None,
    }


def expected_fostering_scorecard(
    landing_dir: str | Path, history_months: int = 36
) -> dict[tuple[str, str | None, date, str], dict]:
    """Every scorecard row the warehouse should publish for the files in `landing_dir`."""
    expected: dict[tuple[str, str | None, date, str], dict] = {}
    for authority in load_authorities(landing_dir):
        for period_end in period_ends(authority.extract_date, history_months):
            counts = team_counts(authority, period_end)
            for (team, measure), team_count in counts.items():
                expected[(authority.la_code, team, period_end, measure)] = figures(**team_count)
            for measure in MEASURE_CODES:
                total = {
                    outcome_name: sum(counts[(team, measure)][outcome_name] for team in authority.teams)
                    for outcome_name in (IN_TIME, OUT_OF_TIME, NOT_YET_DUE)
                }
                expected[(authority.la_code, None, period_end, measure)] = figures(**total)
    return expected


# --------------------------------------------------------------------------------------------
# The exception list: who is out of time at the latest month end, and by how many days
# --------------------------------------------------------------------------------------------

# Recency measures: (visit or supervision type or "review", event_within, not-yet-due period).
# Timescales as relativedelta; the "not yet due" period only where the measure has one.
_RECENCY = {
    "support_visits": ("support", relativedelta(days=42), relativedelta(days=42)),
    "unannounced_visits": ("unannounced", relativedelta(months=12), relativedelta(months=12)),
    "annual_review": ("review", relativedelta(months=12), None),
    "formal_supervision": ("formal", relativedelta(days=84), None),
    "management_supervision": ("management", relativedelta(days=84), None),
    "kit_call": ("kit_call", relativedelta(days=28), None),
}


def _days_overdue(authority: Authority, household: Household, measure: str, D: date) -> int:
    """Days an out-of-time household measure is late at D: D minus the date it fell due."""
    hid = household.household_id
    if measure == "tsd":
        carers = authority.carers.get(hid) or [Carer(carer_id="(none)", tsd_due_date=None, tsd_completed_date=None)]
        due = min(
            tsd_effective_due_date(household, carer)
            for carer in carers
            if carer.tsd_completed_date is None or carer.tsd_completed_date > D
        )
        return (D - due).days
    kind, within, grace = _RECENCY[measure]
    if kind == "review":
        dates = authority.reviews.get(hid, [])
    elif kind in SUPERVISION_TYPES:
        dates = authority.supervisions.get(hid, {}).get(kind, [])
    else:
        dates = authority.visits.get(hid, {}).get(kind, [])
    last = max((day for day in dates if day <= D), default=None)
    if kind == "review" and last is None:
        last = household.approval_date
    # due: by when the next event had to happen (an event on that day still counts)
    candidates = [day for day in (last and last + within, grace and household.approval_date + grace) if day]
    due = max(candidates) if candidates else household.approval_date
    return (D - due).days


def expected_exceptions(landing_dir: str | Path) -> dict[tuple[str, str, str, str | None], dict]:
    """Everything out of time at each authority's latest month end:
    {(la_code, measure_code, household_id, notification_id or None):
        {"team": str, "period_end": date, "days_overdue": int}}.
    Days overdue: D minus the due date for household measures; for a notification, the days
    received after event + 1 day, or (not received) D minus that day, never below 0."""
    expected: dict[tuple[str, str, str, str | None], dict] = {}
    for authority in load_authorities(landing_dir):
        D = period_ends(authority.extract_date, 1)[-1]
        for household in authority.households.values():
            if not is_in_population(household, D):
                continue
            for measure, result in household_outcomes(authority, household, D).items():
                if result == OUT_OF_TIME:
                    expected[(authority.la_code, measure, household.household_id, None)] = {
                        "team": household.team,
                        "period_end": D,
                        "days_overdue": _days_overdue(authority, household, measure, D),
                    }
        for notification in authority.notifications:
            household = authority.households.get(notification.household_id)
            if (
                household is None
                or not D - relativedelta(months=6) < notification.event_date <= D
                or notification_outcome(notification, D) != OUT_OF_TIME
            ):
                continue
            due = notification.event_date + timedelta(days=1)
            late = (notification.received_date or D) - due
            expected[
                (authority.la_code, "notifications_1_day", household.household_id, notification.notification_id)
            ] = {"team": household.team, "period_end": D, "days_overdue": max(late.days, 0)}
    return expected
