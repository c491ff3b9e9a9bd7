"""SSDA903 files in DfE's own layouts (upper-case headers, dd/mm/yyyy, no la_code column) load
through the qa_ingest DAG into raw and staging, and DfE's own validator checks the delivery as a
whole (docs/data-quality.md). A file that cannot be trusted (a key given twice) is quarantined
with the rule, the child and the row named, and nothing loaded or published changes; a row that
breaks a rule (ours or DfE's) holds its child: every row of that child in the delivery stays out
of staging, named with the rule, while the rest loads.

The file set is small and hand-made, and DfE's validator (ruleset lac2024_25) finds nothing in it:
four children of authority 885 as at 31 March 2025 (the 2024/25 collection year), one of them
placed in Z1 (valid until 2024/25).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from qa_warehouse import cli
from tests.published import current_loads, every_published_table

pytestmark = pytest.mark.integration
LA = "885"
AS_AT = date(2025, 3, 31)
STAFF = {  # the DfE columns of each 903 table, in file order (the layouts authorities export)
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ],
    "reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "uasc": ["CHILD", "SEX", "DOB", "DUC"],
    "oc2": [
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "ad1": ["CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"],
    "placed_adoption": ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
    "prev_perm": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "sw_episodes": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
}
LOCAL = {
    "child_visits": ["la_code", "visit_id", "child_id", "visit_date", "seen_alone"],
    "child_plans": ["la_code", "plan_id", "child_id", "plan_type", "start_date", "last_review_date", "next_due_date"],
}


def valid_tables() -> dict[str, list[list[str]]]:
    """Rows of every table, in file order; dates as DfE writes them (dd/mm/yyyy). DfE's validator
    flags none of them: UPNs, postcodes, URNs, previous permanence and social worker episodes as
    its 2024/25 rules require."""
    return {
        "header": [
            ["C1", "M", "14/02/2010", "WBRI", "A123456789012", "", ""],  # SEX M/F from 2024/25
            ["C2", "f", "03/07/2012", "mwbc", "A123456789013", "0", ""],  # codes in any case
            ["C3", "M", "01/08/2006", "BAFR", "A123456789014", "", ""],  # left care at 18 in September 2024
            ["C4", "F", "20/05/2019", "WBRI", "A123456789015", "0", ""],
        ],
        "episodes": [
            # C1: a foster placement, then a move to an agency foster carer (X1: a new episode the same day)
            ["C1", "10/05/2023", "S", "C2", "N1", "U4", "PR1", "01/02/2024", "X1", "CARPL", "NE1 4ST", "NE2 1AA", ""],
            ["C1", "01/02/2024", "P", "C2", "N1", "u6", "pr4", "", "", "", "ne1 4st", "DH1 3LE", "SC123457"],
            # C2: a children's home (K2) with its Ofsted URN
            ["C2", "01/06/2024", "S", "V2", "N4", "K2", "PR4", "", "", "", "NE6 5UT", "DH1 3LE", "sc123456"],
            # C3: looked after until 18, stayed with the carers
            [
                "C3",
                "10/01/2022",
                "S",
                "C2",
                "N1",
                "U6",
                "PR1",
                "01/09/2024",
                "E17",
                "",
                "NE1 4ST",
                "DH1 3LE",
                "SC123458",
            ],
            # C4: an "other" placement (Z1: valid up to 2024/25; no provider)
            ["C4", "01/11/2024", "S", "C1", "N1", "Z1", "", "", "", "", "NE1 4ST", "DH1 3LE", ""],
        ],
        "reviews": [
            ["C1", "14/02/2010", "01/08/2024", "PN1"],
            ["C2", "03/07/2012", "01/12/2024", "pn5"],
        ],
        "uasc": [],
        "oc2": [["C1", "14/02/2010", "12", "", "0", "", "1", "1", "1", "0", "", ""]],
        "oc3": [],
        "ad1": [],
        "placed_adoption": [],
        "prev_perm": [["C2", "03/07/2012", "P3", "885", "zz/10/2015"], ["C4", "20/05/2019", "Z1", "", ""]],
        "missing": [["C2", "03/07/2012", "M", "01/10/2024", "02/10/2024"]],
        "sw_episodes": [
            ["C1", "14/02/2010", "SW01", "10/05/2023", "", "FCONTA"],
            ["C2", "03/07/2012", "SW02", "01/06/2024", "", "FCONTA"],
            ["C3", "01/08/2006", "SW01", "10/01/2022", "01/09/2024", "FCONTA"],
            ["C4", "20/05/2019", "SW02", "01/11/2024", "", "FCONTA"],
        ],
        "child_visits": [
            [LA, "V1", "C1", "2025-03-01", "Y"],
            [LA, "V2", "C2", "20/02/2025", "N"],
        ],
        "child_plans": [
            [LA, "P1", "C1", "care_plan", "2023-05-20", "2024-11-20", "2025-05-20"],
            [LA, "P2", "C3", "Pathway Plan", "2024-02-01", "", "2025-04-01"],
        ],
    }


def file_name(table: str, as_at: date = AS_AT, la: str = LA) -> str:
    stem = f"903_{table}" if table in STAFF else table
    return f"{stem}_{la}_{as_at:%Y%m%d}.csv"


def write_table(
    folder: Path, table: str, rows: list[list[str]], as_at: date = AS_AT, line_ending: str = "\r\n", la: str = LA
) -> Path:
    path = folder / file_name(table, as_at, la)
    if table in LOCAL:  # the local extracts name their authority in a column
        rows = [[la, *row[1:]] for row in rows]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator=line_ending)
        writer.writerow(STAFF.get(table) or LOCAL[table])
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def baseline(module_warehouse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("valid903")
    for table, rows in valid_tables().items():
        write_table(folder, table, rows)
    assert cli.main(["run", "--landing", str(folder)]) == 0
    return every_published_table(module_warehouse), current_loads(module_warehouse)


def staged(warehouse, model: str, columns: str, order: str = "1") -> list[tuple]:
    return warehouse.query(f"select {columns} from staging.stg_children_in_care__{model} order by {order}")


def test_the_903_files_load_through_the_dag_into_staging(module_warehouse, baseline):
    extracts = {e for (e, _, _) in baseline[1]}
    assert {f"ssda903_{t}" for t in STAFF} | set(LOCAL) <= extracts
    # la_code comes from the file name; DfE's upper-case headers map to the contract's columns;
    # dd/mm/yyyy dates are dates; codes are upper-cased; postcodes normalised.
    episodes = staged(
        module_warehouse,
        "episodes",
        "la_code, decom, rne, ls, place, place_provider, dec, rec, home_post, pl_post, urn, source_row",
        "source_row",
    )
    assert episodes == [
        (LA, date(2023, 5, 10), "S", "C2", "U4", "PR1", date(2024, 2, 1), "X1", "NE1 4ST", "NE2 1AA", None, 1),
        (LA, date(2024, 2, 1), "P", "C2", "U6", "PR4", None, None, "NE1 4ST", "DH1 3LE", "SC123457", 2),
        (LA, date(2024, 6, 1), "S", "V2", "K2", "PR4", None, None, "NE6 5UT", "DH1 3LE", "SC123456", 3),
        (LA, date(2022, 1, 10), "S", "C2", "U6", "PR1", date(2024, 9, 1), "E17", "NE1 4ST", "DH1 3LE", "SC123458", 4),
        (LA, date(2024, 11, 1), "S", "C1", "Z1", None, None, None, "NE1 4ST", "DH1 3LE", None, 5),
    ]
    # DfE's validator checked the delivery and found nothing: nobody is held.
    assert module_warehouse.query("select ruleset, findings from raw.dfe_validations where la_code = %s", (LA,)) == [
        ("lac2024_25", 0)
    ]
    assert module_warehouse.query("select count(*) from raw.held_rows") == [(0,)]
    header = staged(module_warehouse, "header", "child_key, la_code, sex, dob, ethnic, extract_date", "dob")
    assert [(la, sex, dob, ethnic, as_at) for _, la, sex, dob, ethnic, as_at in header] == [
        (LA, "M", date(2006, 8, 1), "BAFR", AS_AT),
        (LA, "M", date(2010, 2, 14), "WBRI", AS_AT),
        (LA, "F", date(2012, 7, 3), "MWBC", AS_AT),
        (LA, "F", date(2019, 5, 20), "WBRI", AS_AT),
    ]
    # Ids never reach staging as themselves: each child has one pseudonymous key in every table.
    keys = {k for (k,) in module_warehouse.query("select child_key from staging.stg_children_in_care__header")}
    assert len(keys) == 4 and not keys & {"C1", "C2", "C3", "C4"}
    for model in ("episodes", "reviews", "oc2", "oc3", "missing", "sw_episodes", "child_visits", "child_plans"):
        assert {k for (k,) in staged(module_warehouse, model, "child_key")} <= keys, model
    (c1,) = {k for (k, dob) in staged(module_warehouse, "header", "child_key, dob") if dob == date(2010, 2, 14)}
    assert {k for (k,) in staged(module_warehouse, "child_visits", "child_key")} >= {c1}
    assert staged(module_warehouse, "reviews", "review_date, review_code") == [
        (date(2024, 8, 1), "PN1"),
        (date(2024, 12, 1), "PN5"),
    ]
    assert staged(module_warehouse, "child_plans", "plan_type, last_review_date", "plan_type") == [
        ("care_plan", date(2024, 11, 20)),
        ("pathway_plan", None),
    ]
    assert staged(module_warehouse, "prev_perm", "prev_perm, date_perm") == [("P3", "zz/10/2015"), ("Z1", None)]
    assert staged(module_warehouse, "missing", "missing, mis_start, mis_end") == [
        ("M", date(2024, 10, 1), date(2024, 10, 2))
    ]


def test_reporting_periods_are_the_last_36_months_and_the_903_years_to_the_extract_date(module_warehouse, baseline):
    periods = module_warehouse.query(
        "select period_type, period_start, period_end, financial_year from intermediate.int_children_in_care_reporting_periods"
        " where la_code = %s order by period_type, period_end",
        (LA,),
    )
    months = [p for p in periods if p[0] == "month"]
    assert [(p[1], p[2]) for p in months][-1] == (date(2025, 3, 1), date(2025, 3, 31))
    # children_in_care_history_months (dbt var, default 36): April 2022 to March 2025
    assert [(p[1], p[2]) for p in months][0] == (date(2022, 4, 1), date(2022, 4, 30))
    assert len(months) == 36 and {p[3] for p in months} == {"2022/23", "2023/24", "2024/25"}
    # C3's episode began in January 2022: the years 2022/23 to 2024/25 have data (at most 3).
    assert [p for p in periods if p[0] == "year"] == [
        ("year", date(2022, 4, 1), date(2023, 3, 31), "2022/23"),
        ("year", date(2023, 4, 1), date(2024, 3, 31), "2023/24"),
        ("year", date(2024, 4, 1), date(2025, 3, 31), "2024/25"),
    ]


def replace_row(table: str, index: int, **cells: str) -> list[list[str]]:
    rows = [list(r) for r in valid_tables()[table]]
    columns = STAFF.get(table) or LOCAL[table]
    for column, value in cells.items():
        rows[index][columns.index(column)] = value
    return rows


def episodes_plus(*extra: list[str]) -> list[list[str]]:
    return valid_tables()["episodes"] + [list(r) for r in extra]


# A file that cannot be trusted: (table, rows, rule, child, file rows); rows count from 1 after the header.
REFUSED = {
    "episode_given_twice": ("episodes", episodes_plus(valid_tables()["episodes"][0]), "key_unique", "C1", (1, 6)),
    "child_given_twice_in_the_header": (
        "header",
        valid_tables()["header"] + [["C3", "M", "01/08/2006", "BAFR", "A123456789014", "", ""]],
        "key_unique",
        "C3",
        (3, 5),
    ),
}
# A bad row: (table, rows, rule (dfe_<code> is DfE's validator's), child, file row).
HELD = {
    "place_not_a_code": ("episodes", replace_row("episodes", 2, PLACE="Q9"), "dfe_146", "C2", 3),
    "provider_for_an_other_placement": (
        "episodes",
        replace_row("episodes", 4, PLACE_PROVIDER="PR4"),
        "dfe_178",
        "C4",
        5,
    ),
    "ceased_without_a_reason": ("episodes", replace_row("episodes", 3, REC=""), "dfe_148", "C3", 4),
    "overlaps_the_last": (
        "episodes",
        episodes_plus(["C3", "01/03/2024", "P", "C2", "N1", "U4", "PR1", "", "", "", "NE1 4ST", "DH1 3LE", ""]),
        "dfe_501",
        "C3",
        6,
    ),
    "sex_not_a_code": ("header", replace_row("header", 1, SEX="3"), "dfe_101", "C2", 2),
    "review_participation_not_a_code": ("reviews", replace_row("reviews", 1, REVIEW_CODE="PN9"), "dfe_167", "C2", 2),
    "child_without_a_header": (
        "episodes",
        episodes_plus(["C9", "01/03/2025", "S", "V2", "N1", "U6", "PR1", "", "", "", "NE1 4ST", "DH1 3LE", ""]),
        "reference_resolves",
        "C9",
        6,
    ),
    "episode_before_birth": (
        "episodes",
        replace_row("episodes", 4, DECOM="01/01/2019"),
        "episode_not_before_birth",
        "C4",
        5,
    ),
    "ceased_on_no_such_day": ("episodes", replace_row("episodes", 3, DEC="31/09/2024"), "date_type", "C3", 4),
    "missing_ends_before_it_starts": (
        "missing",
        replace_row("missing", 0, MIS_END="30/09/2024"),
        "missing_end_not_before_start",
        "C2",
        1,
    ),
    "plan_reviewed_before_it_started": (
        "child_plans",
        replace_row("child_plans", 0, last_review_date="2023-01-01"),
        "review_not_before_start",
        "C1",
        1,
    ),
}
# Each held case is its own authority's delivery in the module's warehouse (ingested and gated, not
# built), so the cases neither meet each other nor touch authority 885's publication.
HELD_AUTHORITIES = dict(
    zip(sorted(HELD), ("812", "813", "815", "816", "821", "822", "823", "825", "826", "830", "831"))
)


def assert_quarantined(warehouse, path: Path, rule: str, child: str, rows: int | tuple[int, ...], baseline) -> None:
    rows = rows if isinstance(rows, tuple) else (rows,)
    ((errors, report_path),) = warehouse.query(
        "select errors, report_path from raw.load_log where file_name = %s and status = 'quarantined'"
        " order by load_id desc limit 1",
        (path.name,),
    )
    named = [e for e in errors if e["rule"] == rule]
    assert named, f"expected rule {rule}, got {sorted({e['rule'] for e in errors})}"
    assert {(e["subject"], e["row"]) for e in named} == {(child, row) for row in rows}, named
    report = Path(report_path).read_text(encoding="utf-8")
    assert all(f"row {row}, child {child}" in report for row in rows) and f"rule {rule}" in report, report
    published_before, loaded_before = baseline
    assert current_loads(warehouse) == loaded_before  # the current load of every extract is the accepted one
    assert every_published_table(warehouse) == published_before


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_903_file_that_cannot_be_trusted_is_quarantined_naming_rule_child_and_row(
    case, module_warehouse, baseline, tmp_path
):
    table, rows, rule, child, row = REFUSED[case]
    path = write_table(tmp_path, table, rows)
    assert cli.main(["run", "--landing", str(tmp_path)]) == cli.EXIT_QUARANTINED
    assert_quarantined(module_warehouse, path, rule, child, row, baseline)


def ingest_and_gate(folder: Path) -> None:
    """What qa_ingest does before the build: each extract's files, then the 903 deliveries through DfE's validator."""
    from qa_warehouse.load.contracts import load_order
    from qa_warehouse.load.ingest import ingest_extract
    from qa_warehouse.load.ssda903_delivery import gate_ssda903_deliveries

    for extract in load_order():
        ingest_extract(extract, folder)
    gate_ssda903_deliveries()


@pytest.mark.parametrize("case", sorted(HELD))
def test_a_903_row_breaking_a_rule_holds_its_child_in_every_file_of_the_delivery(
    case, module_warehouse, baseline, tmp_path
):
    table, rows, rule, child, row = HELD[case]
    la = HELD_AUTHORITIES[case]
    for name, valid in valid_tables().items():
        write_table(tmp_path, name, rows if name == table else valid, la=la)
    ingest_and_gate(tmp_path)

    findings = module_warehouse.query(
        "select i.subject, i.source_row, i.severity from raw.data_quality_issues i"
        " where i.la_code = %s and i.file_name = %s and i.rule = %s",
        (la, file_name(table, la=la), rule),
    )
    assert (child, row, "hold") in findings, findings
    held = module_warehouse.query(
        "select l.file_name, h.source_row, h.subject from raw.held_rows h join raw.load_log l using (load_id)"
        " where l.la_code = %s",
        (la,),
    )
    assert (file_name(table, la=la), row, child) in held
    if table in STAFF:  # a 903 finding holds the child's every row in every 903 file of the delivery
        expected = {
            (file_name(name, la=la), number, child)
            for name, valid in valid_tables().items()
            if name in STAFF
            for number, r in enumerate(rows if name == table else valid, start=1)
            if r[0] == child
        }
        assert expected <= set(held), sorted(expected - set(held))
    # The rest of the delivery loaded: every file is accepted, none refused.
    statuses = module_warehouse.query("select distinct status from raw.load_log where la_code = %s", (la,))
    assert statuses == [("accepted",)]


def test_z1_is_valid_in_2024_25_but_not_for_an_episode_open_in_2025_26(module_warehouse, baseline, tmp_path):
    # The baseline's episodes (as at 31 March 2025) hold C4's open Z1 episode and were accepted.
    # The same rows as at 30 April 2025 (collection year 2025/26, where Z11-Z14 replace Z1): DfE's
    # ruleset lac2025_26 faults C4's open Z1, and C4 is held.
    # (A new export: other line endings, so not the same bytes as the accepted file, which would be a duplicate.)
    path = write_table(tmp_path, "episodes", valid_tables()["episodes"], as_at=date(2025, 4, 30), line_ending="\n")
    ingest_and_gate(tmp_path)
    findings = module_warehouse.query(
        "select subject, source_row, severity from raw.data_quality_issues where file_name = %s and rule = 'dfe_146'",
        (path.name,),
    )
    assert findings == [("C4", 5, "hold")]
    assert module_warehouse.query(
        "select ruleset from raw.dfe_validations where la_code = %s and extract_date = %s", (LA, date(2025, 4, 30))
    ) == [("lac2025_26",)]


def test_in_2025_26_the_other_placement_is_z11_to_z14_and_the_periods_move_on(module_warehouse, baseline, tmp_path):
    # Runs last: it changes the current episodes. C4's open episode recoded Z1 -> z12 (any case).
    as_at = date(2025, 4, 30)
    write_table(tmp_path, "episodes", replace_row("episodes", 4, PLACE="z12"), as_at=as_at)
    cli.main(["run", "--landing", str(tmp_path)])  # still 4: the broken files above stay quarantined
    ((status,),) = module_warehouse.query(
        "select status from raw.load_log where file_name = %s order by load_id desc limit 1",
        (file_name("episodes", as_at),),
    )
    assert status == "accepted"
    from qa_warehouse.build.dbt import run_dbt

    run_dbt(["build", "--select", "+int_children_in_care_reporting_periods"])
    assert ("Z12", as_at) in staged(module_warehouse, "episodes", "place, extract_date")
    periods = module_warehouse.query(
        "select period_type, max(period_end) from intermediate.int_children_in_care_reporting_periods"
        " group by period_type order by 1"
    )
    assert periods == [("month", date(2025, 4, 30)), ("year", date(2025, 3, 31))]
