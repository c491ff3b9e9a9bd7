"""The published quality assurance tables, recomputed from the landing files as a specification.

This is the integration test's independent answer to "what should the warehouse publish in the
`reporting.qa_*` tables?". It reads the case_file_audits, audit_actions, feedback and complaints
files of a landing folder directly (CSV with the standard library, XLSX with openpyxl) and
applies docs/quality-assurance-figures.md rule by rule. It shares nothing with the pipeline: no
``qa_warehouse`` import, no database, no SQL. It reads only the specification's own data: the
extract contracts (which columns are required, which codes are allowed) and the theme seed.

    expected_quality_assurance(landing_dir, history_quarters=12, salt=DEFAULT_SALT)
        -> {table_name: {grain_key: {figure: value}}}

Grains (``period_end`` is the last day of the quarter, or of the month for officers):

    qa_audit_outcomes            (la_code, period_end, service, audit_type)
    qa_audit_grades              (la_code, period_end, service, audit_type, domain)
    qa_audit_actions             (la_code, period_end, service, audit_type)
    qa_feedback_summary          (la_code, period_end, respondent, cohort)
    qa_feedback_themes           (la_code, period_end, respondent, cohort, theme)
    qa_feedback_officer_minimum  (la_code, period_end, officer_key)
    qa_complaints                (la_code, period_end, service, record_type, stage)
    qa_complaint_themes          (la_code, period_end, service, record_type, theme)

Every figure dict also carries ``period_start``, ``financial_year`` ('2024/25') and
``financial_quarter`` ('Q1'-'Q4'; for officer months, the quarter the month is in). Counts are ints;
percentages (0-100) and averages are exact ``Fraction``s, or None when the denominator is 0.

How the files are read (EXTRACTS.md, "Delivery"):

* ``<extract>_<la_code>_<yyyymmdd>.csv|.xlsx``; for each extract and authority the current
  delivery is the file with the latest extract date.
* CSV: UTF-8 or Windows-1252, optional BOM, header in any case and order, rows of nothing but
  separators skipped.
* XLSX: the first sheet; the header is the first row whose cells include every required column
  of the contract (title rows and blank rows above it are ignored); blank rows are skipped.
  Date cells are dates; text dates are yyyy-mm-dd or dd/mm/yyyy.
* Codes: lower case, trimmed, spaces and hyphens to underscores; a code the contract does not
  allow, a flag that is not Y/N/Yes/No/TRUE/FALSE/1/0 or an integer out of range raises
  ValueError (the gate would refuse the file; the reference refuses to guess).

Choices where the specification is silent (named so that a reviewer can disagree):

* "A moderated audit" is one with a moderated grade. Its follow-up deadline counts from its
  moderation date; an audit without a moderated grade counts from its audit date.
* Feedback rows with a blank ``collected_by`` belong to no officer: they make no officer row.
* Officer identity is the trimmed ``collected_by`` text, compared exactly (as the pseudonym is).
* Compliments and comments are reported with stage None whatever the file says.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cache
from pathlib import Path

import holidays
import openpyxl
import yaml

from tests.reference.project_files import CONTRACTS_DIR, SEEDS_DIR

DEFAULT_SALT = "qa-warehouse-development-salt"
HISTORY_QUARTERS = 12  # the dbt var qa_history_quarters default

QA_EXTRACTS = ("case_file_audits", "audit_actions", "feedback", "complaints")
TABLES = (
    "qa_audit_outcomes",
    "qa_audit_grades",
    "qa_audit_actions",
    "qa_feedback_summary",
    "qa_feedback_themes",
    "qa_feedback_officer_minimum",
    "qa_complaints",
    "qa_complaint_themes",
)
GRAINS = {
    "qa_audit_outcomes": ("la_code", "period_end", "service", "audit_type"),
    "qa_audit_grades": ("la_code", "period_end", "service", "audit_type", "domain"),
    "qa_audit_actions": ("la_code", "period_end", "service", "audit_type"),
    "qa_feedback_summary": ("la_code", "period_end", "respondent", "cohort"),
    "qa_feedback_themes": ("la_code", "period_end", "respondent", "cohort", "theme"),
    "qa_feedback_officer_minimum": ("la_code", "period_end", "officer_key"),
    "qa_complaints": ("la_code", "period_end", "service", "record_type", "stage"),
    "qa_complaint_themes": ("la_code", "period_end", "service", "record_type", "theme"),
}

# Worst to best: a moderation is "up" when the moderated grade is later in this tuple.
GRADE_ORDER = ("inadequate", "requires_improvement", "good", "outstanding")
DOMAINS = (
    "voice_of_child",
    "support_and_supervision",
    "safer_caring",
    "matching",
    "approval_review_panel",
    "management_oversight",
)
FOLLOWUP_DEADLINE_DAYS = 56
# stage: (standard, extended) working days
COMPLAINT_TIMESCALES = {1: (10, 20), 2: (25, 65), 3: (30, 30)}
FEEDBACK_MINIMUMS = {"carer": 2, "birth_parent": 2}
NOT_RECORDED = "not_recorded"

FILE_NAME = re.compile(
    r"^(?P<extract>[a-z0-9_]+?)_(?P<la_code>\d{3})_(?P<extract_date>\d{8})\.(?P<suffix>csv|xlsx)$", re.IGNORECASE
)
TRUE_FLAGS = {"y", "yes", "true", "1"}
FALSE_FLAGS = {"n", "no", "false", "0"}


# --------------------------------------------------------------------------------------------
# The specification's data: contracts and the theme seed
# --------------------------------------------------------------------------------------------


@cache
def contract_columns(extract: str) -> dict[str, dict]:
    """{column name: its contract entry} for one extract, read from the contract YAML."""
    doc = yaml.safe_load((CONTRACTS_DIR / f"{extract}.yml").read_text(encoding="utf-8"))
    return {column["name"]: column for column in doc["columns"]}


def required_columns(extract: str) -> set[str]:
    return {name for name, column in contract_columns(extract).items() if column.get("required")}


def postgres_are_to_python(pattern: str) -> str:
    r"""A PostgreSQL ARE as Python `re`: the word-boundary escapes \m (start) and \M (end) are \b."""
    return pattern.replace(r"\m", r"\b").replace(r"\M", r"\b")


@cache
def feedback_themes() -> tuple[tuple[str, re.Pattern], ...]:
    """(theme, compiled pattern) for every row of the seed, matched case-insensitively (~*)."""
    with open(SEEDS_DIR / "feedback_themes.csv", newline="", encoding="utf-8") as f:
        return tuple(
            (row["theme"].strip(), re.compile(postgres_are_to_python(row["pattern"]), re.IGNORECASE))
            for row in csv.DictReader(f)
        )


def themes_of(comment: str | None) -> list[str]:
    """Every theme whose pattern matches the comment; none for a blank comment."""
    if comment is None or not comment.strip():
        return []
    return [theme for theme, pattern in feedback_themes() if pattern.search(comment)]


# --------------------------------------------------------------------------------------------
# Reading the landing folder
# --------------------------------------------------------------------------------------------


def current_files(landing_dir: str | Path) -> dict[tuple[str, str], tuple[date, Path]]:
    """{(extract, la_code): (extract_date, path)}: the latest-dated delivery of each QA extract."""
    latest: dict[tuple[str, str], tuple[date, Path]] = {}
    for path in sorted(Path(landing_dir).iterdir()):
        match = FILE_NAME.match(path.name)
        if not match or not path.is_file() or match["extract"].lower() not in QA_EXTRACTS:
            continue
        extract_date = datetime.strptime(match["extract_date"], "%Y%m%d").date()
        key = (match["extract"].lower(), match["la_code"])
        if key in latest and latest[key][0] == extract_date:
            raise ValueError(f"two deliveries of {key} dated {extract_date}: {latest[key][1].name}, {path.name}")
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


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_csv(path: Path) -> list[dict[str, object]]:
    text = decode_text(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    rows = []
    for cells in reader:
        if all(blank(cell) for cell in cells):
            continue
        rows.append({name: (None if blank(value) else value) for name, value in zip(header, cells)})
    return rows


def read_xlsx(path: Path, extract: str) -> list[dict[str, object]]:
    """The first sheet's rows under the first row that names every required column."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        needed = required_columns(extract)
        header: list[str | None] | None = None
        rows = []
        for cells in sheet.iter_rows(values_only=True):
            if header is None:
                names = [cell.strip().lower() if isinstance(cell, str) else None for cell in cells]
                if needed <= set(names):
                    header = names
                continue
            if all(blank(cell) for cell in cells):
                continue
            rows.append(
                {name: (None if blank(value) else value) for name, value in zip(header, cells) if name is not None}
            )
        if header is None:
            raise ValueError(f"{path.name}: no row names every required column {sorted(needed)}")
        return rows
    finally:
        workbook.close()


def as_text(value) -> str | None:
    """A cell as trimmed text: spreadsheets store ids like 1001 as numbers."""
    if blank(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value) -> date | None:
    """A date cell, or yyyy-mm-dd / dd/mm/yyyy text; blank is None."""
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            pass
    raise ValueError(f"not a yyyy-mm-dd or dd/mm/yyyy date: {value!r}")


def normalise_code(value) -> str | None:
    """Lower case, trimmed, each space and hyphen an underscore; blank is None."""
    text = as_text(value)
    if text is None:
        return None
    return text.lower().replace(" ", "_").replace("-", "_") or None


def parse_flag(value) -> bool | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = as_text(value).lower()
    if text in TRUE_FLAGS:
        return True
    if text in FALSE_FLAGS:
        return False
    raise ValueError(f"not a flag: {value!r}")


def parse_integer(value) -> int | None:
    if blank(value):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    if isinstance(value, int):
        return value
    return int(str(value).strip())


def typed_rows(extract: str, raw_rows: list[dict[str, object]], file_name: str) -> list[dict[str, object]]:
    """Each contract column of each row as its type; raises on a value the contract refuses."""
    columns = contract_columns(extract)
    rows = []
    for number, raw in enumerate(raw_rows, start=1):
        row: dict[str, object] = {}
        for name, column in columns.items():
            value = raw.get(name)
            kind = column["type"]
            try:
                if kind == "date":
                    parsed = parse_date(value)
                elif kind == "integer":
                    parsed = parse_integer(value)
                    if parsed is not None and not column.get("min", parsed) <= parsed <= column.get("max", parsed):
                        raise ValueError(f"{parsed} out of range")
                elif kind == "flag":
                    parsed = parse_flag(value)
                elif kind == "code":
                    parsed = normalise_code(value)
                    if parsed is not None and parsed not in column["codes"]:
                        raise ValueError(f"{value!r} is not one of {column['codes']}")
                else:
                    parsed = as_text(value)
            except ValueError as error:
                raise ValueError(f"{file_name} row {number} {name}: {error}") from None
            if parsed is None and column.get("required"):
                raise ValueError(f"{file_name} row {number} {name}: required and blank")
            row[name] = parsed
        # Free codes (EXTRACTS.md / the spec's "Common rules"): normalised like codes.
        for free_code in ("service", "theme"):
            if free_code in row and extract in ("case_file_audits", "complaints"):
                row[free_code] = normalise_code(row[free_code])
        rows.append(row)
    return rows


def load_landing(landing_dir: str | Path) -> dict[str, dict[str, tuple[date, list[dict]]]]:
    """{extract: {la_code: (extract_date, typed rows of the current delivery)}}."""
    loaded: dict[str, dict[str, tuple[date, list[dict]]]] = {extract: {} for extract in QA_EXTRACTS}
    for (extract, la_code), (extract_date, path) in current_files(landing_dir).items():
        raw = read_xlsx(path, extract) if path.suffix.lower() == ".xlsx" else read_csv(path)
        loaded[extract][la_code] = (extract_date, typed_rows(extract, raw, path.name))
    return loaded


# --------------------------------------------------------------------------------------------
# Periods, working days, pseudonyms
# --------------------------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    """Financial quarters are calendar quarters: Q1 April-June ... Q4 January-March."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_end(start: date) -> date:
    return add_months(start, 3) - timedelta(days=1)


def month_end(start: date) -> date:
    return add_months(start, 1) - timedelta(days=1)


def financial_year(day: date) -> str:
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def financial_quarter(day: date) -> str:
    """'Q1' (April-June) to 'Q4' (January-March), as the warehouse's date dimension labels them."""
    return {4: "Q1", 7: "Q2", 10: "Q3", 1: "Q4"}[quarter_start(day).month]


def reported_quarters(extract_date: date, history_quarters: int) -> set[date]:
    """Starts of the last `history_quarters` complete quarters ending on or before the date."""
    last = quarter_start(extract_date)
    if quarter_end(last) > extract_date:
        last = add_months(last, -3)
    return {add_months(last, -3 * back) for back in range(history_quarters)}


def period_columns(start: date, end: date) -> dict[str, object]:
    return {
        "period_start": start,
        "financial_year": financial_year(start),
        "financial_quarter": financial_quarter(start),
    }


@cache
def england_bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year))


def working_days_between(first: date, second: date) -> int:
    """Days after `first` up to and including `second` that are not weekends or bank holidays."""
    count = 0
    day = first + timedelta(days=1)
    while day <= second:
        if day.weekday() < 5 and day not in england_bank_holidays(day.year):
            count += 1
        day += timedelta(days=1)
    return count


def pseudonymise(la_code: str, identifier: str | None, salt: str = DEFAULT_SALT) -> str | None:
    """md5(salt | la_code | id), the documented pseudonymise contract; blank ids have no key."""
    if identifier is None or not identifier.strip(" "):
        return None
    return hashlib.md5(f"{salt}|{la_code.strip(' ')}|{identifier.strip(' ')}".encode()).hexdigest()


def percentage(numerator: int, denominator: int) -> Fraction | None:
    return None if denominator == 0 else Fraction(100 * numerator, denominator)


def mean(values: list[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


# --------------------------------------------------------------------------------------------
# Audits
# --------------------------------------------------------------------------------------------


def final_grade(audit: dict) -> str:
    return audit["moderated_grade"] or audit["overall_grade"]


def moderation_change(audit: dict) -> str | None:
    if audit["moderated_grade"] is None:
        return None
    before, after = GRADE_ORDER.index(audit["overall_grade"]), GRADE_ORDER.index(audit["moderated_grade"])
    return "up" if after > before else "down" if after < before else "none"


def followup_deadline(audit: dict) -> date:
    counted_from = audit["moderation_date"] if audit["moderated_grade"] is not None else audit["audit_date"]
    return counted_from + timedelta(days=FOLLOWUP_DEADLINE_DAYS)


def audit_tables(loaded, history_quarters: int) -> tuple[dict, dict, dict]:
    outcomes: dict[tuple, dict] = {}
    grades: dict[tuple, dict] = {}
    action_table: dict[tuple, dict] = {}
    for la_code, (extract_date, audits) in loaded["case_file_audits"].items():
        quarters = reported_quarters(extract_date, history_quarters)
        actions_by_audit: dict[str, list[dict]] = defaultdict(list)
        for action in loaded["audit_actions"].get(la_code, (None, []))[1]:
            actions_by_audit[action["audit_id"]].append(action)
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for audit in audits:
            start = quarter_start(audit["audit_date"])
            if start in quarters:
                groups[(la_code, quarter_end(start), audit["service"], audit["audit_type"])].append(audit)
        for key, group in groups.items():
            moderated = [a for a in group if a["moderated_grade"] is not None]
            changes = [moderation_change(a) for a in moderated]
            good = sum(final_grade(a) in ("outstanding", "good") for a in group)
            actions = [(a, action) for a in group for action in actions_by_audit[a["audit_id"]]]
            closed = sum(
                action["followup_date"] is not None and action["followup_date"] <= followup_deadline(a)
                for a, action in actions
            )
            outcomes[key] = {
                **period_columns(quarter_start(key[1]), key[1]),
                "audits_completed": len(group),
                "good_or_better": good,
                "good_or_better_percentage": percentage(good, len(group)),
                "audits_moderated": len(moderated),
                "moderated_up": changes.count("up"),
                "moderated_down": changes.count("down"),
                "moderated_unchanged": changes.count("none"),
                "average_days_to_moderation": mean([(a["moderation_date"] - a["audit_date"]).days for a in moderated]),
                "child_views_sought": sum(a["child_views_sought"] is True for a in group),
                "parent_views_sought": sum(a["parent_views_sought"] is True for a in group),
                "carer_views_sought": sum(a["carer_views_sought"] is True for a in group),
                "actions_set": len(actions),
                "loops_closed": closed,
                "loops_closed_percentage": percentage(closed, len(actions)),
            }
            for domain in (*DOMAINS, "overall"):
                values = [final_grade(a) if domain == "overall" else a[f"grade_{domain}"] for a in group]
                counts = {grade: values.count(grade) for grade in GRADE_ORDER}
                not_applicable = values.count(None)
                grades[(*key, domain)] = {
                    **period_columns(quarter_start(key[1]), key[1]),
                    "audits": len(group),
                    **counts,
                    "not_applicable": not_applicable,
                    "good_or_better_percentage": percentage(
                        counts["outstanding"] + counts["good"], len(group) - not_applicable
                    ),
                }
    for la_code, (extract_date, actions) in loaded["audit_actions"].items():
        quarters = reported_quarters(extract_date, history_quarters)
        audits = {a["audit_id"]: a for a in loaded["case_file_audits"].get(la_code, (None, []))[1]}
        groups = defaultdict(list)
        for action in actions:
            start = quarter_start(action["due_date"])
            audit = audits.get(action["audit_id"])
            if start in quarters:
                if audit is None:
                    raise ValueError(f"action {action['action_id']} of {la_code}: unknown audit {action['audit_id']}")
                groups[(la_code, quarter_end(start), audit["service"], audit["audit_type"])].append(action)
        for key, group in groups.items():
            on_time = sum(a["completed_date"] is not None and a["completed_date"] <= a["due_date"] for a in group)
            outcomes_of = [a["followup_outcome"] for a in group]
            action_table[key] = {
                **period_columns(quarter_start(key[1]), key[1]),
                "actions_due": len(group),
                "completed_on_time": on_time,
                "completed_late": sum(
                    a["completed_date"] is not None and a["completed_date"] > a["due_date"] for a in group
                ),
                "open_overdue": sum(a["completed_date"] is None for a in group),
                "on_time_percentage": percentage(on_time, len(group)),
                "followed_up": sum(a["followup_date"] is not None for a in group),
                "followup_completed": outcomes_of.count("completed"),
                "followup_partly_completed": outcomes_of.count("partly_completed"),
                "followup_not_completed": outcomes_of.count("not_completed"),
            }
    return outcomes, grades, action_table


# --------------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------------


def sentiment(rating: int | None) -> str:
    if rating is None:
        return "unrated"
    return "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"


def feedback_tables(loaded, history_quarters: int, salt: str) -> tuple[dict, dict, dict]:
    summary: dict[tuple, dict] = {}
    theme_table: dict[tuple, dict] = {}
    officers: dict[tuple, dict] = {}
    for la_code, (extract_date, rows) in loaded["feedback"].items():
        quarters = reported_quarters(extract_date, history_quarters)
        groups: dict[tuple, list[dict]] = defaultdict(list)
        # officer -> quarter start -> month start -> respondent -> response ids
        collected: dict[str, dict[date, dict[date, dict[str, set]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
        )
        for row in rows:
            start = quarter_start(row["collected_date"])
            if start not in quarters:
                continue
            groups[(la_code, quarter_end(start), row["respondent"], row["cohort"] or NOT_RECORDED)].append(row)
            if row["collected_by"] is not None:
                month = row["collected_date"].replace(day=1)
                collected[row["collected_by"]][start][month][row["respondent"]].add(row["response_id"])
        for key, group in groups.items():
            ratings = [r["rating"] for r in group if r["rating"] is not None]
            commented = [r for r in group if r["comment"] is not None and r["comment"].strip()]
            mentions: dict[str, list[str]] = defaultdict(list)
            with_theme = 0
            for r in commented:
                found = themes_of(r["comment"])
                with_theme += bool(found)
                for theme in found:
                    mentions[theme].append(sentiment(r["rating"]))
            summary[key] = {
                **period_columns(quarter_start(key[1]), key[1]),
                "responses": len({r["response_id"] for r in group}),
                "answers": len(group),
                "rated_answers": len(ratings),
                "average_rating": mean(ratings),
                "positive_percentage": percentage(sum(r >= 4 for r in ratings), len(ratings)),
                "comments": len(commented),
                "comments_with_theme": with_theme,
            }
            for theme, sentiments in mentions.items():
                theme_table[(*key, theme)] = {
                    **period_columns(quarter_start(key[1]), key[1]),
                    "mentions": len(sentiments),
                    **{s: sentiments.count(s) for s in ("positive", "negative", "neutral", "unrated")},
                }
        for officer, by_quarter in collected.items():
            officer_key = pseudonymise(la_code, officer, salt)
            for start, by_month in by_quarter.items():
                for month in (start, add_months(start, 1), add_months(start, 2)):
                    responses = by_month.get(month, {})
                    carers = len(responses.get("carer", ()))
                    parents = len(responses.get("birth_parent", ()))
                    officers[(la_code, month_end(month), officer_key)] = {
                        **period_columns(month, month_end(month)),
                        "collected_by": officer,  # for messages only: never published
                        "carer_responses": carers,
                        "birth_parent_responses": parents,
                        "minimum_met": carers >= FEEDBACK_MINIMUMS["carer"]
                        and parents >= FEEDBACK_MINIMUMS["birth_parent"],
                    }
    return summary, theme_table, officers


# --------------------------------------------------------------------------------------------
# Complaints, compliments and comments
# --------------------------------------------------------------------------------------------


def complaint_tables(loaded, history_quarters: int) -> tuple[dict, dict]:
    complaints: dict[tuple, dict] = {}
    themes: dict[tuple, dict] = {}
    for la_code, (extract_date, rows) in loaded["complaints"].items():
        quarters = reported_quarters(extract_date, history_quarters)
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for row in rows:
            start = quarter_start(row["received_date"])
            if start not in quarters:
                continue
            stage = row["stage"] if row["record_type"] == "complaint" else None
            groups[(la_code, quarter_end(start), row["service"], row["record_type"], stage)].append(row)
            theme_key = (la_code, quarter_end(start), row["service"], row["record_type"], row["theme"] or NOT_RECORDED)
            themes.setdefault(theme_key, {**period_columns(start, quarter_end(start)), "records": 0})
            themes[theme_key]["records"] += 1
        for key, group in groups.items():
            stage = key[4]
            within = within_extended = 0
            if key[3] == "complaint":
                standard, extended = COMPLAINT_TIMESCALES[stage]
                for row in group:
                    if row["responded_date"] is not None:
                        days = working_days_between(row["received_date"], row["responded_date"])
                        within += days <= standard
                        within_extended += days <= extended
            outcome = [r["outcome"] for r in group]
            decided = outcome.count("upheld") + outcome.count("partly_upheld") + outcome.count("not_upheld")
            complaints[key] = {
                **period_columns(quarter_start(key[1]), key[1]),
                "received": len(group),
                "responded": sum(r["responded_date"] is not None for r in group),
                "responded_within_timescale": within,
                "responded_within_extended_timescale": within_extended,
                "awaiting_response": sum(r["responded_date"] is None for r in group),
                "upheld": outcome.count("upheld"),
                "partly_upheld": outcome.count("partly_upheld"),
                "not_upheld": outcome.count("not_upheld"),
                "withdrawn": outcome.count("withdrawn"),
                "upheld_percentage": percentage(outcome.count("upheld") + outcome.count("partly_upheld"), decided),
                "advocacy_involved": sum(r["advocacy"] is True for r in group),
            }
    return complaints, themes


# --------------------------------------------------------------------------------------------
# Everything
# --------------------------------------------------------------------------------------------


def expected_quality_assurance(
    landing_dir: str | Path, history_quarters: int = HISTORY_QUARTERS, salt: str = DEFAULT_SALT
) -> dict[str, dict[tuple, dict]]:
    """Every row of the eight published QA tables, keyed by table name then grain (GRAINS)."""
    loaded = load_landing(landing_dir)
    outcomes, grades, actions = audit_tables(loaded, history_quarters)
    summary, themes, officers = feedback_tables(loaded, history_quarters, salt)
    complaints, complaint_themes = complaint_tables(loaded, history_quarters)
    return {
        "qa_audit_outcomes": outcomes,
        "qa_audit_grades": grades,
        "qa_audit_actions": actions,
        "qa_feedback_summary": summary,
        "qa_feedback_themes": themes,
        "qa_feedback_officer_minimum": officers,
        "qa_complaints": complaints,
        "qa_complaint_themes": complaint_themes,
    }


# --------------------------------------------------------------------------------------------
# The exception list (restricted_quality_assurance.qa_exceptions)
# --------------------------------------------------------------------------------------------


def nth_working_day_after(first: date, working_days: int) -> date:
    """The `working_days`-th day after `first` that is not a weekend or an England bank holiday."""
    day, counted = first, 0
    while counted < working_days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in england_bank_holidays(day.year):
            counted += 1
    return day


def expected_qa_exceptions(landing_dir: str | Path, salt: str = DEFAULT_SALT) -> dict[tuple, dict]:
    """{(la_code, measure_code, subject_key): row} for each audit action or complaint that is not in
    time in its authority's latest reported quarter (of the extract the measure counts):

    * audit_actions_on_time: actions due in the latest audit_actions quarter, of an audit in the
      current case_file_audits delivery, not completed on or before their due date; days late to
      the completion date, or to the actions' extract date when open.
    * audit_loops_closed: actions of audits in the latest case_file_audits quarter not followed up
      by the follow-up deadline; days late to the follow-up date, or to the actions' extract date
      when not followed up (never below 0: a deadline still to come is 0 days late).
    * complaints_in_timescale: complaints received in the latest complaints quarter and responded
      to in more working days than the stage's standard timescale; due on the last working day of
      the timescale, days late to the response date.

    Each row: period_start, period_end, subject_type, audit_key, case_type, case_key, service,
    owner_key, lateness, due_date, done_date, working_days_allowed, working_days_taken, days_late;
    keys pseudonymised with `salt`.
    """
    loaded = load_landing(landing_dir)
    listed: dict[tuple, dict] = {}

    def latest_quarter(extract_date: date) -> tuple[date, date]:
        (start,) = reported_quarters(extract_date, 1)
        return start, quarter_end(start)

    def action_row(la_code, quarter, audit, action, lateness, due, done, days_late) -> dict:
        return {
            "period_start": quarter[0],
            "period_end": quarter[1],
            "subject_type": "audit_action",
            "audit_key": pseudonymise(la_code, audit["audit_id"], salt),
            "case_type": audit["subject_type"],
            "case_key": pseudonymise(la_code, audit["subject_id"], salt),
            "service": audit["service"],
            "owner_key": pseudonymise(la_code, action["owner_id"], salt),
            "lateness": lateness,
            "due_date": due,
            "done_date": done,
            "working_days_allowed": None,
            "working_days_taken": None,
            "days_late": days_late,
        }

    for la_code, (actions_date, actions) in loaded["audit_actions"].items():
        audits_date, audit_rows = loaded["case_file_audits"].get(la_code, (None, []))
        audits = {audit["audit_id"]: audit for audit in audit_rows}
        action_quarter = latest_quarter(actions_date)
        audit_quarter = latest_quarter(audits_date) if audits_date else None
        for action in actions:
            audit = audits.get(action["audit_id"])
            if audit is None:  # the report counts only actions of audits in the current delivery
                continue
            key = (la_code, pseudonymise(la_code, action["action_id"], salt))
            due, completed = action["due_date"], action["completed_date"]
            if quarter_start(due) == action_quarter[0] and not (completed is not None and completed <= due):
                listed[(key[0], "audit_actions_on_time", key[1])] = action_row(
                    la_code,
                    action_quarter,
                    audit,
                    action,
                    "completed_late" if completed else "open_overdue",
                    due,
                    completed,
                    ((completed or actions_date) - due).days,
                )
            deadline, followed_up = followup_deadline(audit), action["followup_date"]
            if quarter_start(audit["audit_date"]) == audit_quarter[0] and not (
                followed_up is not None and followed_up <= deadline
            ):
                lateness = (
                    "followed_up_late"
                    if followed_up
                    else "not_followed_up"
                    if deadline < actions_date
                    else "follow_up_not_yet_due"
                )
                listed[(key[0], "audit_loops_closed", key[1])] = action_row(
                    la_code,
                    audit_quarter,
                    audit,
                    action,
                    lateness,
                    deadline,
                    followed_up,
                    max(((followed_up or actions_date) - deadline).days, 0),
                )

    for la_code, (extract_date, rows) in loaded["complaints"].items():
        quarter = latest_quarter(extract_date)
        for row in rows:
            if row["record_type"] != "complaint" or row["responded_date"] is None:
                continue
            if quarter_start(row["received_date"]) != quarter[0]:
                continue
            allowed = COMPLAINT_TIMESCALES[row["stage"]][0]
            taken = working_days_between(row["received_date"], row["responded_date"])
            if taken <= allowed:
                continue
            due = nth_working_day_after(row["received_date"], allowed)
            listed[(la_code, "complaints_in_timescale", pseudonymise(la_code, row["record_id"], salt))] = {
                "period_start": quarter[0],
                "period_end": quarter[1],
                "subject_type": "complaint",
                "audit_key": None,
                "case_type": None,
                "case_key": None,
                "service": row["service"],
                "owner_key": None,
                "lateness": "responded_late",
                "due_date": due,
                "done_date": row["responded_date"],
                "working_days_allowed": allowed,
                "working_days_taken": taken,
                "days_late": (row["responded_date"] - due).days,
            }
    return listed
