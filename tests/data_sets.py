"""The data sets the end-to-end modules publish, by name: a module that declares one as its DATA_SET
shares that published warehouse with every other module declaring it (tests/conftest.py builds each
once per session). Sharing is what keeps the full suite short; a module that changes what is
published (a correction, a restatement, a failing build) builds its own warehouse instead.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.reference.quality_assurance import parse_date, read_csv
from tests.reference.residential import current_files


@dataclass(frozen=True)
class DataSet:
    """The generator's options for one published warehouse. End-to-end modules that declare the same
    DATA_SET share one warehouse, generated and published once per session on first use: their tests
    read it, or deliver files the gates refuse, and leave the publication as they found it."""

    name: str  # how the suite names it (the xdist group of the modules that share it)
    households: int
    years: int
    authorities: int
    seed: int
    as_at: dt.date = dt.date(2025, 3, 31)
    areas: tuple[str, ...] | None = None  # None: every area
    # Deliveries written beside the generated files (functions of the landing folder), e.g. an earlier one.
    extra_deliveries: tuple[Callable[[Path], Path | None], ...] = ()

    def generate(self, folder: Path) -> list[Path]:
        from qa_warehouse_synthetic import AREAS, generate_extracts

        written = generate_extracts(
            folder,
            households=self.households,
            years=self.years,
            authorities=self.authorities,
            seed=self.seed,
            as_at=self.as_at,
            areas=self.areas or AREAS,
        )
        changed = [deliver(folder) for deliver in self.extra_deliveries]
        return written + [path for path in changed if path is not None]


# An earlier childrens_homes delivery of the first authority, six months before: the inspections
# it reports are the history the current delivery (latest inspection only) no longer holds.
EARLIER = dt.date(2024, 9, 30)
EARLIER_LA = "885"
EARLIER_JUDGEMENT = {
    "outstanding": "good",
    "good": "requires_improvement",
    "requires_improvement": "inadequate",
    "inadequate": "requires_improvement",
}


def write_earlier_homes_delivery(landing: Path, la_code: str = EARLIER_LA, as_at: dt.date = EARLIER) -> Path:
    """The authority's childrens_homes as a delivery at `as_at` would have stated them: homes not
    yet applied for left out, later registrations and closures not yet made, and each home
    inspected since shown with the inspection before it (half-way from its registration to
    `as_at`, judged one step differently), which only this delivery reports."""
    current = current_files(landing)[("childrens_homes", la_code)][1]
    with current.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    rows = []
    for row in read_csv(current):
        application, registration, closure, inspected = (
            parse_date(row.get(c))
            for c in ("application_date", "registration_date", "closure_date", "last_inspection_date")
        )
        if application is not None and application > as_at:
            continue
        if closure is not None and closure > as_at:
            row.update(closure_date=None, registration_status="registered")
        if registration is not None and registration > as_at:
            row.update(
                registration_date=None,
                registration_status="applied",
                last_inspection_date=None,
                inspection_judgement=None,
                occupied_places="0",
            )
        elif inspected is not None and inspected > as_at:
            row.update(
                last_inspection_date=(registration + (as_at - registration) // 2).isoformat(),
                inspection_judgement=EARLIER_JUDGEMENT[row["inspection_judgement"]],
            )
        rows.append(row)
    path = landing / f"childrens_homes_{la_code}_{as_at:%Y%m%d}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([[("" if row.get(c) is None else row[c]) for c in header] for row in rows])
    return path


def unknown_postcodes(folder: Path) -> Path:
    """As real returns have: one open episode with no HOME_POST, one with a PL_POST the ONS
    directory does not know (both are not known, never near or far)."""
    path = sorted(folder.glob("903_episodes_*.csv"))[0]
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    open_episodes = [row for row in rows if not row["DEC"].strip()]
    open_episodes[0]["HOME_POST"] = ""
    open_episodes[1]["PL_POST"] = "ZZ9 9ZZ"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


# The hand-made 903 children of DFE_COUNTING (tests/test_children_in_care_dfe_counting.py), in the
# first authority's files, realistic under DfE's rules so that its validator holds neither: (child,
# [(DECOM, RNE, LS, PLACE, DEC, REC)], [(SW_ID, SW_DECOM, SW_DEC, SW_REASON)]). A disabled child
# (category of need N2) on short breaks (V3) who comes into care with the carer who gave the break,
# and one who leaves care for an agreed series of short breaks (V4) with the same carer: periods of
# care (short breaks left out) would count a start and a cease; DfE counts neither (RNE L, REC X1).
# DfE's rules shape them: a V3 episode is one break (RNE S, at most 17 days, 75 days a year: rules
# 365-367), so the break that ends in care starts just before the year; RNE S cannot follow X1 on
# the same day (388, 431), so care ends into V4 (one episode for the agreed series), never V3; RNE L
# keeps the placement, provider, placement postcode and URN (434); short breaks are not long-term
# fostering (384), so the carer is U6, whose URN rule 218 wants (the generated row's). Short breaks
# give no home postcode, nor a placement postcode unless RNE L carries one over: what is left is
# warnings only (214/398/420 for the URN and the V4's carried postcode, 169/179/392a-b for the
# into-care episode's missing one). Both have OC2 rows although neither is in DfE's OC2 cohort
# (looked after continuously for 12 months at 31 March, short breaks left out: 190/198 warn), and
# the social worker episodes DfE's SW rules want from each start of care (SW12STG2).
DFE_COUNTING_CHILDREN = (
    (
        "DFE_SB_INTO_CARE",
        [("25/03/2024", "S", "V3", "U6", "08/04/2024", "X1"), ("08/04/2024", "L", "C2", "U6", "", "")],
        [("SW0901", "25/03/2024", "", "FCONTA")],
    ),
    (
        "DFE_CARE_TO_SB",
        [("01/05/2022", "S", "C2", "U6", "15/09/2024", "X1"), ("15/09/2024", "L", "V4", "U6", "", "")],
        [("SW0902", "01/05/2022", "15/09/2024", "FCONTA"), ("SW0903", "15/09/2024", "", "CHCHAN")],
    ),
)
SHORT_BREAKS = ("V3", "V4")
DFE_COUNTING_DOB = "05/05/2012"


def rewrite_csv(path: Path, extra_rows: list[dict]) -> None:
    """Append rows to a 903 file, keeping its header (columns missing from a row are blank)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows + [{name: row.get(name, "") for name in fields} for row in extra_rows])


def dfe_counting_episodes(child: str, spells: list[tuple], template: dict) -> list[dict]:
    """A hand-made child's episodes from a generated episode row: the template's provider and URN;
    its postcodes except on a short break (V3, V4), and the placement postcode carried through RNE L
    (the same placement, rule 434)."""
    rows: list[dict] = []
    for decom, rne, ls, place, dec, rec in spells:
        pl_post = "" if ls in SHORT_BREAKS else template["PL_POST"]
        if rne == "L" and rows:
            pl_post = rows[-1]["PL_POST"]
        rows.append(
            {
                **template,
                "CHILD": child,
                "DECOM": decom,
                "RNE": rne,
                "LS": ls,
                "CIN": "N2",
                "PLACE": place,
                "PLACE_PROVIDER": "PR1",
                "DEC": dec,
                "REC": rec,
                "REASON_PLACE_CHANGE": "",
                "HOME_POST": "" if ls in SHORT_BREAKS else template["HOME_POST"],
                "PL_POST": pl_post,
                "URN": template["URN"],
            }
        )
    return rows


def dfe_counting_cases(folder: Path) -> Path:
    """The first authority gets DFE_COUNTING_CHILDREN (Header, Episodes, social worker episodes and
    OC2 rows, copied from a generated row of each file and changed); the second has never delivered
    child_visits or child_plans (their files are removed), so its visits and plans measures are not
    delivered."""
    authorities = sorted({path.name.split("_")[2] for path in folder.glob("903_header_*.csv")})
    first, second = authorities[0], authorities[-1]
    assert first != second, "two authorities are needed"
    for local in ("child_visits", "child_plans"):
        for path in folder.glob(f"{local}_{second}_*.csv"):
            path.unlink()

    def only(table: str) -> Path:
        (path,) = sorted(folder.glob(f"903_{table}_{first}_*.csv"))
        return path

    def template(path: Path) -> dict:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return next(csv.DictReader(f))

    header, episodes, sw_episodes, oc2 = only("header"), only("episodes"), only("sw_episodes"), only("oc2")
    header_row, episode_row, oc2_row = template(header), template(episodes), template(oc2)
    assert episode_row["URN"] and episode_row["PL_POST"], "the template episode gives the URN and postcodes"
    dob = DFE_COUNTING_DOB
    rewrite_csv(header, [{**header_row, "CHILD": child, "DOB": dob} for child, *_ in DFE_COUNTING_CHILDREN])
    rewrite_csv(
        episodes,
        [
            row
            for child, spells, _ in DFE_COUNTING_CHILDREN
            for row in dfe_counting_episodes(child, spells, episode_row)
        ],
    )
    rewrite_csv(
        sw_episodes,
        [
            {"CHILD": child, "DOB": dob, "SW_ID": sw_id, "SW_DECOM": start, "SW_DEC": end, "SW_REASON": reason}
            for child, _, social_workers in DFE_COUNTING_CHILDREN
            for sw_id, start, end, reason in social_workers
        ],
    )
    rewrite_csv(
        oc2,
        [
            {**oc2_row, "CHILD": child, "DOB": dob, "HEALTH_ASSESSMENT": "0", "TEETH_CHECK": "0"}
            for child, *_ in DFE_COUNTING_CHILDREN
        ],
    )
    return episodes


# Every area, two authorities, two years, and the earlier homes delivery the residential history
# needs (the second authority sends its audits and feedback as workbooks): the workforce, residential
# and QA exception list modules read it.
EVERY_AREA_TWO_AUTHORITIES = DataSet(
    "every_area_two_authorities",
    households=40,
    years=2,
    authorities=2,
    seed=1,
    extra_deliveries=(write_earlier_homes_delivery,),
)
# Fostering alone, three authorities in the three export styles (UTF-8/ISO, BOM/CRLF/dd-mm-yyyy, cp1252).
FOSTERING_THREE_EXPORT_STYLES = DataSet(
    "fostering_three_export_styles", households=60, years=2, authorities=3, seed=7, areas=("fostering",)
)
# Every area, two authorities, three years (a year's comparisons and twelve-month trends for every
# measure): Performance on a Page and the public tables' disclosure control read it.
EVERY_AREA_THREE_YEARS = DataSet("every_area_three_years", households=24, years=3, authorities=2, seed=7)
# Every area (the children's homes the placements point to), two authorities, three years, 200
# households (one child per four: enough care leavers and 16 year olds for every measure to have
# children in and out), and two open episodes whose postcodes are not known: both children in care modules.
CHILDREN_IN_CARE_EVERY_AREA = DataSet(
    "children_in_care_every_area", households=200, years=3, authorities=2, seed=1, extra_deliveries=(unknown_postcodes,)
)
# Every area, three authorities in three file styles (QA: all CSV; audits and feedback as XLSX; all
# four as XLSX. Recruitment: UTF-8; BOM and dd/mm/yyyy; cp1252 with trailing blank rows): the
# quality assurance and recruitment modules read it.
EVERY_AREA_THREE_AUTHORITIES = DataSet("every_area_three_authorities", households=60, years=2, authorities=3, seed=1)
# Children in care alone, two authorities, two years, with hand-made cases (dfe_counting_cases):
# short breaks around a period of care, OC2 rows outside DfE's cohort, and an authority that never
# delivered child_visits or child_plans. tests/test_children_in_care_dfe_counting.py reads it.
CHILDREN_IN_CARE_DFE_COUNTING = DataSet(
    "children_in_care_dfe_counting",
    households=60,
    years=2,
    authorities=2,
    seed=3,
    areas=("children_in_care",),
    extra_deliveries=(dfe_counting_cases,),
)
