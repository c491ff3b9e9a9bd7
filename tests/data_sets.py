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
    # DfE's benchmark files (qa_warehouse_synthetic.benchmarks), once for the warehouse, for `years` years.
    benchmarks: bool = False
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
        if self.benchmarks:
            from qa_warehouse_synthetic.benchmarks import write_benchmark_files

            written += write_benchmark_files(folder, seed=self.seed, years=self.years, as_at=self.as_at)
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
# The commentary the first authority delivers on its quarterly performance report (the commentary
# extract): on measures and on sections, a quarter's and a year's, a section with no figures among
# them. The second authority delivers none. tests/test_quarterly_performance_report.py reads it.
COMMENTARY_LA = "885"
COMMENTARY_AS_AT = dt.date(2025, 4, 20)  # written after the quarter, for the committee's papers
COMMENTARY = (
    {
        "period": "2024/25 Q4",
        "measure_code": "re_referrals_12_months",
        "narrative": "Re-referrals rose after the front door review moved early help cases back to social care.",
        "action": "Audit 20 re-referrals with the early help service by June",
        "owner": "Head of Front Door",
        "author": "Performance lead",
    },
    {
        "period": "2024/25 q4",  # as typed: the case and spacing of a period do not matter
        "measure_code": "audits_good_or_better",
        "narrative": "Fewer audits were graded good: the new audit framework grades practice more strictly.",
        "action": "Moderate a sample of audits each month",
        "owner": "Principal Social Worker",
        "author": "Quality assurance manager",
    },
    {
        "period": "2024/25 Q3",
        "measure_code": "support_visits",
        "narrative": "Two supervising social worker vacancies delayed support visits in December.",
        "owner": "Fostering team manager",
        "author": "Fostering team manager",
    },
    {
        "period": "2024/25",
        "measure_code": "referrals",
        "narrative": "Referrals over the year were in line with the year before.",
        "author": "Performance lead",
    },
    {
        "period": "2024/25 Q4",
        "section": "child_protection",
        "narrative": "Children awaiting an initial conference are known to their social worker and safeguarded.",
        "action": "Weekly review of children awaiting a conference",
        "owner": "Child protection chairs' manager",
        "author": "Head of Safeguarding",
    },
    {
        "period": "2024/25 Q4",
        "section": "workforce",
        "narrative": "The workforce figures join the report when the new HR extract is in place.",
        "owner": "HR business partner",
        "author": "Performance lead",
    },
)


def write_commentary_delivery(landing: Path) -> Path:
    from qa_warehouse_synthetic.commentary import write_commentary

    return write_commentary(landing, COMMENTARY_LA, COMMENTARY_AS_AT, [dict(row) for row in COMMENTARY])


# Every area, two authorities, three years (a year's comparisons and twelve-month trends for every
# measure), and the first authority's commentary: Performance on a Page, the quarterly performance
# report and the public tables' disclosure control read it.
EVERY_AREA_THREE_YEARS = DataSet(
    "every_area_three_years",
    households=24,
    years=3,
    authorities=2,
    seed=7,
    extra_deliveries=(write_commentary_delivery,),
)
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


# Children in need: a hand-made census for two authorities (the synthetic generator has no census
# yet), one delivered as DfE's flat CSV and one as DfE's XML return, each child a case that pins one
# edge of DfE's definitions (docs/children-in-need-figures.md). Dates are relative to nothing: the
# extract date is CIN_AS_AT and the edges were counted on the calendar with England's bank holidays.
# The census is clean by DfE's CIN validator (the e2e test pins it: a held child would leave the figures
# while the reference, which knows nothing of holds, still counts it). So: an ICPC is recorded on its
# Section 47 enquiry, and at the episode (CINdetails) only when the plan follows no enquiry (2884, 2885);
# an enquiry's episode has an assessment (2991Q); a child over 5 without a UPN says why with UN2, not
# UN1 (8770Q). The only queries left are the ones cases exist for (B, I, Q: see the e2e test).
CIN_AS_AT = dt.date(2025, 3, 31)
CIN_CSV_LA = "885"
CIN_XML_LA = "886"


@dataclass(frozen=True)
class WrittenDataSet(DataSet):
    """A data set written by a function of the landing folder rather than by the generator."""

    writer: Callable[[Path], list[Path]] | None = None

    def generate(self, folder: Path) -> list[Path]:
        assert self.writer is not None
        return self.writer(folder)


def _d(text: str | None) -> str:
    return text or ""


def cin_child_events(child: str, sex: str, episodes: list[dict]) -> list[dict[str, str]]:
    """A child's flat event rows (DfE's element names) from its episodes: each episode a dict with
    referral, source, need, closure, reason, nfa, icpc (the episode's), and lists assessments
    (start, authorised, factors), s47 (start, icpc, not_required), cp_plans (start, end, initial,
    latest, previous, reviews) and cin_plans (start, end)."""
    base = {
        "LAchildID": child,
        "UPN": "",
        "UPNunknown": "UN2",
        "PersonBirthDate": "2015-06-01",
        "Sex": sex,
        "Ethnicity": "WBRI",
        "Disabilities": "NONE",
    }
    rows: list[dict[str, str]] = []
    for episode in episodes:
        details = {
            **base,
            "CINreferralDate": episode["referral"],
            "ReferralSource": _d(episode.get("source")),
            "PrimaryNeedCode": _d(episode.get("need")),
            "CINclosureDate": _d(episode.get("closure")),
            "ReasonForClosure": _d(episode.get("reason")),
            "DateOfInitialCPC": _d(episode.get("icpc")),
            "ReferralNFA": "true" if episode.get("nfa") else "false",
        }

        def row(event: str, when: str, **block: str) -> None:
            rows.append({**details, **block, "Type": event, "Date": when})

        row("CINreferralDate", episode["referral"])
        if episode.get("closure"):
            row("CINclosureDate", episode["closure"])
        for a in episode.get("assessments", []):
            block = {
                "AssessmentActualStartDate": a["start"],
                "AssessmentAuthorisationDate": _d(a.get("authorised")),
                "Factors": _d(a.get("factors")),
            }
            row("AssessmentActualStartDate", a["start"], **block)
            if a.get("authorised"):
                row("AssessmentAuthorisationDate", a["authorised"], **block)
        for p in episode.get("cin_plans", []):
            block = {"CINPlanStartDate": p["start"], "CINPlanEndDate": _d(p.get("end"))}
            row("CINPlanStartDate", p["start"], **block)
            if p.get("end"):
                row("CINPlanEndDate", p["end"], **block)
        for s in episode.get("s47", []):
            row(
                "S47ActualStartDate",
                s["start"],
                S47ActualStartDate=s["start"],
                DateOfInitialCPC=_d(s.get("icpc")),
                ICPCnotRequired="true" if s.get("not_required") else "false",
            )
        for p in episode.get("cp_plans", []):
            block = {
                "CPPstartDate": p["start"],
                "CPPendDate": _d(p.get("end")),
                "InitialCategoryOfAbuse": p["initial"],
                "LatestCategoryOfAbuse": p["latest"],
                "NumberOfPreviousCPP": str(p.get("previous", 0)),
            }
            row("CPPstartDate", p["start"], **block)
            if p.get("end"):
                row("CPPendDate", p["end"], **block)
            for review in p.get("reviews", []):
                row("CPPreviewDate", review, **block)
    return rows


def cin_cases(prefix: str) -> list[dict[str, str]]:
    """Every case, for one authority (ids prefixed), as flat rows."""
    c: list[tuple[str, str, list[dict]]] = [
        # Assessed in time, S47 and ICPC in time, a plan reviewed at exactly 3 then 6 months, a CIN plan.
        (
            "A",
            "M",
            [
                {
                    "referral": "2024-05-02",
                    "source": "1A",
                    "need": "N1",
                    "assessments": [{"start": "2024-05-03", "authorised": "2024-06-14", "factors": "2B,3A"}],
                    "s47": [{"start": "2024-05-10", "icpc": "2024-05-20"}],
                    "cp_plans": [
                        {
                            "start": "2024-05-20",
                            "initial": "NEG",
                            "latest": "EMO",
                            "reviews": ["2024-08-20", "2025-02-20"],
                        }
                    ],
                }
            ],
        ),
        # An NFA referral (closed RC7: RC8 means closed after an assessment, 8825Q), then a re-referral
        # within 12 months whose assessment is open past 45 working days.
        (
            "B",
            "F",
            [
                {"referral": "2024-04-15", "source": "2A", "closure": "2024-04-15", "reason": "RC7", "nfa": True},
                {
                    "referral": "2025-01-10",
                    "source": "2A",
                    "need": "N2",
                    "assessments": [{"start": "2025-01-13"}],
                },
            ],
        ),
        # Referred again exactly 12 months after the last referral: a re-referral (pinned).
        (
            "C",
            "M",
            [
                {
                    "referral": "2023-06-01",
                    "source": "3A",
                    "need": "N3",
                    "closure": "2023-09-01",
                    "reason": "RC1",
                    "assessments": [{"start": "2023-06-02", "authorised": "2023-07-14", "factors": "1C"}],
                },
                {"referral": "2024-06-01", "source": "3A", "need": "N3", "cin_plans": [{"start": "2024-07-01"}]},
            ],
        ),
        # Referred 12 months and a day after: not a re-referral.
        (
            "D",
            "F",
            [
                {"referral": "2023-05-31", "source": "5A", "closure": "2023-06-30", "reason": "RC7", "nfa": True},
                {"referral": "2024-06-01", "source": "5A", "need": "N4", "closure": "2024-12-01", "reason": "RC1"},
            ],
        ),
        # Assessment started Monday 2 December 2024, authorised on the 45th working day (6 Feb 2025, over Christmas).
        (
            "E",
            "M",
            [
                {
                    "referral": "2024-12-02",
                    "source": "1B",
                    "need": "N1",
                    "assessments": [{"start": "2024-12-02", "authorised": "2025-02-06", "factors": "2B"}],
                    "cin_plans": [{"start": "2025-02-10", "end": "2025-03-20"}],
                }
            ],
        ),
        # ... and one authorised on the 46th (7 Feb 2025): late. Its source and need are DfE's codes for
        # "unknown" and "not stated": a referral with further action must carry both (8866, 8610), so a
        # blank (`not_recorded`) need comes only from the NFA referrals of B and D.
        (
            "F",
            "F",
            [
                {
                    "referral": "2024-12-02",
                    "source": "10",
                    "need": "N0",
                    "assessments": [{"start": "2024-12-02", "authorised": "2025-02-07", "factors": "4A,2B"}],
                    "cin_plans": [{"start": "2025-02-10"}],
                }
            ],
        ),
        # Strategy discussion Thursday 12 Dec 2024; ICPC on the 15th working day (7 Jan 2025): in time.
        (
            "G",
            "M",
            [
                {
                    "referral": "2024-12-09",
                    "source": "5A",
                    "need": "N1",
                    "assessments": [{"start": "2024-12-09", "authorised": "2025-01-07", "factors": "2B"}],
                    "s47": [{"start": "2024-12-12", "icpc": "2025-01-07"}],
                    "cp_plans": [{"start": "2025-01-07", "initial": "PHY", "latest": "PHY", "previous": 1}],
                }
            ],
        ),
        # ... ICPC on the 16th working day (8 Jan 2025): late; a plan for the third time.
        (
            "H",
            "F",
            [
                {
                    "referral": "2024-12-09",
                    "source": "5A",
                    "need": "N1",
                    "assessments": [{"start": "2024-12-09", "authorised": "2025-01-07", "factors": "2B"}],
                    "s47": [{"start": "2024-12-12", "icpc": "2025-01-08"}],
                    "cp_plans": [{"start": "2025-01-08", "initial": "SAB", "latest": "MUL", "previous": 2}],
                }
            ],
        ),
        # Awaiting an ICPC at 31 March, beyond 15 working days (S47 3 March 2025, due 24 March).
        (
            "I",
            "M",
            [
                {
                    "referral": "2025-02-27",
                    "source": "6",
                    "need": "N1",
                    "assessments": [{"start": "2025-02-27"}],
                    "s47": [{"start": "2025-03-03"}],
                }
            ],
        ),
        # Awaiting an ICPC at 31 March, not yet due; and one whose ICPC is not required.
        (
            "J",
            "F",
            [
                {
                    "referral": "2025-03-24",
                    "source": "6",
                    "need": "N1",
                    "assessments": [{"start": "2025-03-24"}],
                    "s47": [{"start": "2025-03-25"}],
                }
            ],
        ),
        (
            "K",
            "M",
            [
                {
                    "referral": "2025-01-30",
                    "source": "7",
                    "need": "N5",
                    "assessments": [{"start": "2025-01-30", "authorised": "2025-02-21", "factors": "3A"}],
                    "s47": [{"start": "2025-02-03", "not_required": True}],
                }
            ],
        ),
        # A plan open 2 years and more, a second plan, reviewed in time every 6 months.
        (
            "L",
            "F",
            [
                {
                    "referral": "2022-12-01",
                    "source": "2B",
                    "need": "N1",
                    "s47": [{"start": "2022-12-15", "icpc": "2023-01-10"}],
                    "cp_plans": [
                        {
                            "start": "2023-01-10",
                            "initial": "NEG",
                            "latest": "NEG",
                            "previous": 1,
                            "reviews": ["2023-04-10", "2023-10-10", "2024-04-10", "2024-10-10"],
                        }
                    ],
                }
            ],
        ),
        # A plan that ceased after 2 years and more (the episode closed RC7: RC2, died, wants a date of
        # death, 8585Q); one that ceased sooner.
        (
            "M",
            "M",
            [
                {
                    "referral": "2022-10-01",
                    "source": "8",
                    "need": "N1",
                    "closure": "2024-11-20",
                    "reason": "RC7",
                    "cp_plans": [
                        {
                            "start": "2022-11-01",
                            "end": "2024-11-15",
                            "initial": "EMO",
                            "latest": "EMO",
                            "reviews": ["2023-02-01", "2023-08-01", "2024-02-01", "2024-08-01"],
                        }
                    ],
                }
            ],
        ),
        (
            "N",
            "F",
            [
                {
                    "referral": "2024-01-15",
                    "source": "9",
                    "need": "N2",
                    "cp_plans": [
                        {"start": "2024-02-01", "end": "2024-08-01", "initial": "NEG", "latest": "PHY", "reviews": []}
                    ],
                }
            ],
        ),
        # A first review a day after 3 months (late), and a plan never reviewed (overdue at 31 March). Both
        # plans follow a conference with no enquiry in the return: the ICPC is the episode's (2885).
        (
            "O",
            "M",
            [
                {
                    "referral": "2024-06-20",
                    "source": "10",
                    "need": "N6",
                    "icpc": "2024-07-01",
                    "cp_plans": [
                        {
                            "start": "2024-07-01",
                            "initial": "PHY",
                            "latest": "PHY",
                            "previous": 2,
                            "reviews": ["2024-10-02"],
                        }
                    ],
                }
            ],
        ),
        (
            "P",
            "F",
            [
                {
                    "referral": "2024-09-20",
                    "source": "4",
                    "need": "N7",
                    "icpc": "2024-10-01",
                    "cp_plans": [{"start": "2024-10-01", "initial": "MUL", "latest": "NEG", "reviews": []}],
                }
            ],
        ),
        # On a plan after one enquiry's conference, a second enquiry awaits its own: due on the extract
        # date itself (15 working days after 10 March 2025), so awaiting but not yet overdue.
        (
            "Q",
            "F",
            [
                {
                    "referral": "2024-10-20",
                    "source": "1C",
                    "need": "N1",
                    "assessments": [{"start": "2024-10-21", "authorised": "2024-11-05", "factors": "2B"}],
                    "s47": [{"start": "2024-10-22", "icpc": "2024-11-05"}, {"start": "2025-03-10"}],
                    "cp_plans": [{"start": "2024-11-05", "initial": "NEG", "latest": "NEG", "reviews": ["2025-02-05"]}],
                }
            ],
        ),
    ]
    rows = []
    for suffix, sex, episodes in c:
        rows.extend(cin_child_events(f"{prefix}{suffix}", sex, episodes))
    return rows


def write_children_in_need_census(folder: Path) -> list[Path]:
    """The two authorities' census deliveries as at CIN_AS_AT: flat CSV for one, XML for the other."""
    from qa_warehouse.load.ingest.cin_xml import FLAT_COLUMNS, write_return

    folder.mkdir(parents=True, exist_ok=True)
    stamp = CIN_AS_AT.strftime("%Y%m%d")
    flat = folder / f"cin_census_{CIN_CSV_LA}_{stamp}.csv"
    with flat.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FLAT_COLUMNS)
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in FLAT_COLUMNS} for row in cin_cases("CSV"))
    xml = folder / f"cin_census_{CIN_XML_LA}_{stamp}.xml"
    xml.write_bytes(write_return(cin_cases("XML"), CIN_XML_LA, collection_year=CIN_AS_AT.year))
    return [flat, xml]


# Children in need alone: the hand-made census above. tests/test_children_in_need_end_to_end.py reads it.
CHILDREN_IN_NEED_HAND_MADE = WrittenDataSet(
    "children_in_need_hand_made",
    households=0,
    years=0,
    authorities=2,
    seed=0,
    as_at=CIN_AS_AT,
    areas=("children_in_need",),
    writer=write_children_in_need_census,
)
# Children in care and in need, two authorities, two years, with DfE's benchmark files (every
# authority, region and England, three published years, and the statistical neighbours list):
# tests/test_benchmarks_end_to_end.py reads it.
BENCHMARKS = DataSet(
    "benchmarks",
    households=40,
    years=2,
    authorities=2,
    seed=5,
    areas=("children_in_care", "children_in_need"),
    benchmarks=True,
)
