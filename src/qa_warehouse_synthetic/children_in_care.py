"""Deterministic synthetic children in care: the DfE SSDA903 tables and the local statutory visit
and plan extracts of one authority, coherent with each other and with its fostering register.

Volume: one child per CHILDREN_PER_HOUSEHOLD households (a quarter: 6,000 households give about
1,500 children), of whom about two thirds are looked after at the extract date, a fifth left care
during the history (a few to return) and the rest are care leavers aged 18 to 21.

Shape (DfE "children looked after in England"): ages 0-17 weighted to teenagers; periods of care
from weeks to over a decade, a few children leaving and returning within the year; placement moves
(a new episode, the ceasing one carrying REASON_PLACE_CHANGE) and changes of legal status without a
move (RNE L, same PLACE, provider, URN and postcode); about 70% of placements foster care (own
provision PR1 and agency PR4/PR5; kinship U1-U3), children's homes K2 (internal PR1 and external
PR4), placed with parents P1 and a few others. Each child's history is generated back to the start
of each period of care, but the files are a return (`_Generator.tables`): what an authority submits
for the 903 collection year holding the extract date, checked by DfE's own validator
(tests/test_dfe_acceptance.py): the year's children, the episodes open during it (a period open at
its start shows from its episode open then), its reviews, missing and social worker episodes.

Postcodes are real (ONS, via synthetic/postcodes.py): family homes and local placements in the
authority's districts, own-provision foster placements in the districts of the register's own
carers, some agency, residential and semi-independent placements far away (more than 20 miles);
none blank or unknown (DfE's validator flags them; tests/data_sets.py adds some for the warehouse).
K2 placements point by URN to the authority's homes; other registered placements carry their
provider's Ofsted URN, as DfE rule 218 wants.

Codes are valid for the 903 collection year each episode was last open in (the extract date's for
open episodes): Z1 before 2025/26, Z11-Z14 from it; H5 (valid to 2024/25) before 2024/25, K3 from
it; a placement open across such a change is recorded again with the new code (RECODED_PLACEMENTS).
SEX is 1/2 to 2023/24 and M/F from 2024/25. The files keep DfE's layouts: upper-case headers,
dd/mm/yyyy dates and no la_code column (files.py names and writes them).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Protocol

from qa_warehouse.periods import add_months
from qa_warehouse_synthetic import postcodes
from qa_warehouse_synthetic.files import CellValue, ExtractTable, contract_table
from qa_warehouse_synthetic.fostering import Household, Window

CHILDREN_PER_HOUSEHOLD = 0.25

# The DfE 903 tables in their published layouts (the files carry no la_code).
SSDA903_COLUMNS: dict[str, tuple[str, ...]] = {
    "ssda903_header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "ssda903_episodes": (
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
    ),
    "ssda903_reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "ssda903_uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "ssda903_oc2": (
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
    ),
    "ssda903_oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ssda903_ad1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "ssda903_placed_adoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "ssda903_prev_perm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "ssda903_missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "ssda903_sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}
# EXTRACTS.md: the local extracts (la_code first, as every non-903 extract).
LOCAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "child_visits": ("la_code", "visit_id", "child_id", "visit_date", "seen_alone"),
    "child_plans": ("la_code", "plan_id", "child_id", "plan_type", "start_date", "last_review_date", "next_due_date"),
}
EXTRACTS = (*SSDA903_COLUMNS, *LOCAL_COLUMNS)

FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
KINSHIP = ("U1", "U2", "U3")
LONG_TERM_FOSTER = ("U1", "U4")
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
REASONS_FOR_MOVING = {
    "CARPL": 35,
    "CREQB": 12,
    "CREQO": 10,
    "LAREQ": 8,
    "CHILD": 6,
    "CLOSE": 4,
    "ALLEG": 3,
    "STAND": 3,
    "APPRR": 2,
    "OTHER": 10,
}
ETHNICITY = {
    "WBRI": 66,
    "WOTH": 5,
    "WIRI": 1,
    "WROM": 1,
    "MWBC": 4,
    "MWBA": 2,
    "MWAS": 2,
    "MOTH": 4,
    "AIND": 1,
    "APKN": 2,
    "ABAN": 1,
    "AOTH": 2,
    "BCRB": 2,
    "BAFR": 3,
    "BOTH": 1,
    "CHNE": 1,
    "OOTH": 2,
    "NOBT": 1,
}
CATEGORY_OF_NEED = {"N1": 62, "N2": 3, "N3": 4, "N4": 8, "N5": 14, "N6": 2, "N7": 1, "N8": 6}
# Age at the extract date of children looked after (DfE: 5% under 1, 39% aged 10-15, 25% 16+).
AGE_BANDS = {(0, 0): 5, (1, 4): 13, (5, 9): 17, (10, 15): 39, (16, 17): 26}
# How long the current period of care has lasted, in days.
PERIOD_LENGTHS = {(14, 365): 30, (366, 912): 25, (913, 1825): 25, (1826, 5000): 20}
KIND_SHARES = {"in_care": 0.65, "left": 0.20, "care_leaver": 0.15}
REVIEW_CODES = {"PN1": 50, "PN2": 10, "PN3": 5, "PN4": 15, "PN5": 10, "PN6": 7, "PN7": 3}
# SW_REASON: why the child's social worker changed to this one (DfE's SW13STG1 list); FCONTA, first
# contact, is the first social worker's.
SW_REASONS = {
    "LEFTRL": 30,
    "MANAGE": 15,
    "ORGRST": 15,
    "CHCHAN": 20,
    "TSPROC": 8,
    "ABSENC": 5,
    "PCCHAN": 3,
    "OTHERS": 4,
}
SOCIAL_WORKERS = tuple(f"SW{n:04d}" for n in range(1, 401))
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


class Home(Protocol):
    """A children's home (synthetic/residential.py's authority_homes): its Ofsted URN and provision.
    A home may also say on which days it can hold children (`is_open(day)`); one that does not is
    taken to be open throughout. Read-only, as both kinds of home are frozen dataclasses."""

    @property
    def urn(self) -> str: ...

    @property
    def provision(self) -> str: ...  # internal or external


def home_is_open(home: Home, day: date) -> bool:
    is_open = getattr(home, "is_open", None)
    return True if is_open is None else bool(is_open(day))


@dataclass(frozen=True)
class SyntheticHome:
    urn: str
    provision: str


def collection_year(as_at: date) -> tuple[date, date]:
    """The 903 year (1 April - 31 March) holding `as_at`."""
    first = date(as_at.year if as_at.month >= 4 else as_at.year - 1, 4, 1)
    return first, date(first.year + 1, 3, 31)


def placement_codes(as_at: date) -> frozenset[str]:
    """PLACE codes valid in the collection year holding `as_at` (DfE changes them most years)."""
    year = collection_year(as_at)[0].year
    codes = {
        "A3",
        "A4",
        "A5",
        "A6",
        "K1",
        "K2",
        "P1",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
        *FOSTER,
    }
    codes |= {"H5", "P2"} if year <= 2024 else set()  # DfE's validator drops them from 2025/26
    codes |= {"K3"} if year >= 2024 else set()
    codes |= {"Z1"} if year < 2025 else {"Z11", "Z12", "Z13", "Z14"}
    return frozenset(codes)


# DfE retires a code from a collection year: a placement still open then is recorded again with
# its new code on the last day of the year before (RNE T, REASON_PLACE_CHANGE PLACE), so every
# episode keeps a code valid in the year it was last open.
RECODED_PLACEMENTS = ((date(2024, 3, 31), ("H5",), ("K3",)), (date(2025, 3, 31), ("Z1",), ("Z11", "Z12", "Z13", "Z14")))


def sex_code(sex: int, as_at: date) -> str:
    """SEX as DfE codes it in the collection year holding `as_at`: 1/2 to 2023/24, M/F from 2024/25
    (U, unknown, is DfE's too; the generator never needs it)."""
    if collection_year(as_at)[0].year >= 2024:
        return "M" if sex == 1 else "F"
    return str(sex)


def upn(rng: random.Random, la_code: str) -> str:
    """A UPN: check letter, LA code, school number, year and serial, the letter from DfE's weights."""
    digits = f"{la_code}{rng.randint(1000, 7999)}{rng.randint(5, 24):02d}{rng.randint(1, 999):03d}"
    return UPN_CHECK_LETTERS[sum(int(d) * w for d, w in zip(digits, range(2, 14))) % 23] + digits


@dataclass(frozen=True)
class Placement:
    place: str
    provider: str | None
    postcode: str | None
    urn: str | None = None


@dataclass
class Episode:
    decom: date
    rne: str
    ls: str
    cin: str
    placement: Placement
    home_post: str | None
    dec: date | None = None
    rec: str | None = None
    reason_place_change: str | None = None


@dataclass
class Period:
    start: date
    end: date | None  # None: looked after at the extract date
    episodes: list[Episode]


@dataclass
class AdoptionDecision:
    decided: date
    reversed_on: date | None = None
    reversal_reason: str | None = None
    matched: date | None = None


@dataclass
class Child:
    child_id: str
    sex: int
    dob: date
    ethnic: str
    upn: str
    uasc: bool
    periods: list[Period] = field(default_factory=list)
    adoption: AdoptionDecision | None = None
    mother: int | None = None
    mc_dob: date | None = None

    def birthday(self, age: int) -> date:
        return add_months(self.dob, 12 * age)

    def age_on(self, day: date) -> int:
        return day.year - self.dob.year - ((day.month, day.day) < (self.dob.month, self.dob.day))

    @property
    def episodes(self) -> list[Episode]:
        return [e for p in self.periods for e in p.episodes]

    def in_care_on(self, day: date) -> Period | None:
        return next((p for p in self.periods if p.start <= day and (p.end is None or day < p.end)), None)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


class _Places:
    """Where placements are: real postcodes near the authority (own carers' districts for own
    foster placements), far away, blank or not found; children's homes by URN."""

    def __init__(
        self,
        rng: random.Random,
        districts: tuple[str, ...],
        register: Sequence[Household],
        homes: Sequence[Home],
        as_at: date,
    ):
        self.rng = rng
        self.centres: dict[str, postcodes.Centroid] = {}
        self.local = tuple(d for d in districts if postcodes.district_postcodes(d))
        centre = postcodes.district_centre(self.local)
        self.far = tuple(
            d
            for d in FAR_DISTRICTS
            if postcodes.district_postcodes(d) and postcodes.miles_between(centre, postcodes.district_centre((d,))) > 40
        )
        approved = [h for h in register if h.status in ("approved", "on_hold")]
        self.carer_districts = {
            carer_type: tuple(
                sorted(
                    {
                        h.postcode_district
                        for h in approved
                        if h.carer_type == carer_type and h.postcode_district in self.local
                    }
                )
            )
            or self.local
            for carer_type in ("mainstream", "kinship")
        }
        self.as_at = as_at
        self.homes = list(homes)
        self.own_areas = postcodes.main_areas(self.local)
        self.home_postcodes = {
            home.urn: self.in_own_area()
            if home.provision == "internal"
            else self.postcode("near" if rng.random() < 0.5 else "far")
            for home in self.homes
        }
        # An external home's provider is private (PR4) or voluntary (PR5), the same for all its children.
        self.home_providers = {
            home.urn: "PR1" if home.provision == "internal" else rng.choice(("PR4", "PR4", "PR5"))
            for home in self.homes
        }
        # Ofsted URNs of the other registered providers (DfE rule 218 wants one for every placement but
        # P1, P3, R1, R2, R5, T0-T4 and Z1/Z11-Z14): the authority's fostering and adoption services,
        # a few agencies, supported accommodation, secure homes, family centres and schools.
        numbers = iter(rng.sample(range(1000000, 2999999), 40))
        self.own_fostering_urn = f"SC{next(numbers)}"
        self.provider_urns = {
            kind: tuple(f"SC{next(numbers)}" for _ in range(count))
            for kind, count in (("agency", 6), ("adoption", 2), ("supported", 5), ("secure", 2), ("other", 4))
        }
        self.no_parents = False  # set for a period under section 20 (V2): DfE rule 378, no P1 with V2

    def postcode(self, where: str, home: str | None = None) -> str | None:
        """A postcode `near` (the authority's districts) or `far` (more than 20 miles from `home`)."""
        if where == "far":
            home_centroid = postcodes.centroid(home)
            for _ in range(20):
                candidate = self.rng.choice(postcodes.district_postcodes(self.rng.choice(self.far)))
                if (
                    home_centroid is None
                    or postcodes.miles_between(home_centroid, postcodes.known_centroid(candidate)) > 20.5
                ):
                    return candidate
            raise RuntimeError("no far postcode found")  # FAR_DISTRICTS are all over 40 miles from the authority
        return self.in_district(self.local, home)

    def in_own_area(self, home: str | None = None) -> str:
        """A postcode near `home` inside the authority itself: DfE 1015 wants the authority's own
        provision (PR1), other than foster, adoption and K3 placements, in its own area."""
        for _ in range(50):
            candidate = self.in_district(self.local, home)
            if postcodes.area_of(candidate) in self.own_areas:
                return candidate
        raise RuntimeError("no postcode found in the authority's own area")

    def in_district(self, districts: tuple[str, ...], home: str | None = None) -> str:
        """A postcode in one of `districts`, preferring those within NEAR_MILES of `home` (children are
        placed near their family where a carer there can take them; counties are wider than 20 miles)."""
        home_centroid = postcodes.centroid(home)
        if home_centroid is not None:
            nearby = tuple(
                d for d in districts if postcodes.miles_between(home_centroid, self.centre_of(d)) <= NEAR_MILES
            )
            districts = nearby if nearby and self.rng.random() < 0.85 else districts
        return self.rng.choice(postcodes.district_postcodes(self.rng.choice(districts)))

    def centre_of(self, district: str) -> postcodes.Centroid:
        if district not in self.centres:
            self.centres[district] = postcodes.district_centre((district,))
        return self.centres[district]

    def recorded(self, postcode: str | None) -> str | None:
        """As a 903 return holds them: DfE derives the placement's LA, location and distance from the
        postcodes and flags a blank or unknown one (rules 169, 179, 392a-c), so an authority fixes them
        before submitting."""
        return postcode

    def home(self, urn: str) -> Home:
        return next(h for h in self.homes if h.urn == urn)

    def new(self, day: date, age: int, home_post: str | None, previous: Placement | None) -> Placement:
        # A placement starting on a recoding day (31 March) is open in the next year already,
        # unless that is after the extract date (an open episode's codes are the extract date's year).
        self.codes = placement_codes(min(day + timedelta(days=1), self.as_at))
        for _ in range(10):
            placement = self._draw(day, age, home_post)
            if placement.place not in self.codes:
                continue
            # P1's is the family home's, already as recorded; a children's home's is on its registration.
            if placement.place not in ("P1", "K2"):
                placement = replace(placement, postcode=self.recorded(placement.postcode))
            if previous is None or (placement.place, placement.postcode, placement.urn) != (
                previous.place,
                previous.postcode,
                previous.urn,
            ):
                return placement
        return placement

    def _draw(self, day: date, age: int, home_post: str | None) -> Placement:
        rng = self.rng
        if age < 1:
            weights = {"own_foster": 55, "agency_foster": 15, "kinship": 17, "parents": 6, "mother_and_baby": 7}
        elif age < 5:
            weights = {"own_foster": 48, "agency_foster": 18, "kinship": 20, "parents": 14}
        elif age < 11:
            weights = {"own_foster": 42, "agency_foster": 24, "kinship": 16, "parents": 12, "home": 5, "other": 1}
        elif age < 16:
            weights = {
                "own_foster": 28,
                "agency_foster": 28,
                "kinship": 10,
                "parents": 7,
                "home": 21,
                "secure": 1,
                "other": 5,
            }
        else:
            weights = {
                "own_foster": 18,
                "agency_foster": 20,
                "kinship": 6,
                "parents": 5,
                "home": 15,
                "semi_independent": 32,
                "other": 4,
            }
        kind = _weighted(rng, weights)
        if kind == "parents" and self.no_parents:
            kind = "kinship"
        urns = self.provider_urns
        if kind == "own_foster":
            return Placement(
                rng.choice(("U4", "U5", "U6", "U6", "U6")),
                "PR1",
                self.in_district(self.carer_districts["mainstream"], home_post),
                self.own_fostering_urn,
            )
        if kind == "agency_foster":
            return Placement(
                rng.choice(("U4", "U6", "U6")),
                rng.choice(("PR4", "PR4", "PR5")),
                self.postcode("far" if rng.random() < 0.3 else "near", home_post),
                rng.choice(urns["agency"]),
            )
        if kind == "kinship":
            return Placement(
                rng.choice(("U1", "U2", "U3", "U3")),
                "PR1",
                self.in_district(self.carer_districts["kinship"], home_post),
                self.own_fostering_urn,
            )
        if kind == "parents":
            return Placement("P1", "PR0", home_post or self.postcode("near"))
        if kind == "mother_and_baby":
            return Placement("R3", "PR4", self.postcode("near", home_post), rng.choice(urns["other"]))
        open_homes = [h for h in self.homes if home_is_open(h, day)] if kind == "home" else []
        if open_homes:
            home = rng.choice(open_homes)
            return Placement("K2", self.home_providers[home.urn], self.home_postcodes[home.urn], home.urn)
        if kind == "secure":
            return Placement("K1", "PR2", self.postcode("far", home_post), rng.choice(urns["secure"]))
        if kind == "semi_independent":
            place = "K3" if "K3" in self.codes else "H5"
            provider = rng.choice(("PR4", "PR5", "PR1"))
            if provider == "PR1":  # the authority's own supported accommodation is in its area
                supported_at: str | None = self.in_own_area(home_post)
            else:
                supported_at = self.postcode("far" if rng.random() < 0.25 else "near", home_post)
            return Placement(place, provider, supported_at, rng.choice(urns["supported"]))
        other = rng.choice(("R1", "R2", "S1", *sorted(self.codes & {"Z1", "Z11", "Z12", "Z13", "Z14"})))
        postcode = self.postcode("far" if rng.random() < 0.3 else "near", home_post)
        if other.startswith("Z"):  # an "other placement" has no provider (DfE rule 178)
            return Placement(other, None, postcode)
        return Placement(
            other, rng.choice(("PR3", "PR4", "PR5")), postcode, rng.choice(urns["other"]) if other == "S1" else None
        )


NEAR_MILES = 12
# Districts far from most authorities (Bristol, Manchester, Leeds), for placements out of area.
FAR_DISTRICTS = (
    "BS1",
    "BS2",
    "BS3",
    "BS4",
    "BS5",
    "BS6",
    "BS7",
    "M1",
    "M4",
    "M8",
    "M9",
    "M11",
    "M14",
    "M20",
    "LS1",
    "LS6",
    "LS7",
    "LS8",
    "LS9",
    "LS11",
)


def _own_homes(rng: random.Random, la_code: str) -> list[SyntheticHome]:
    numbers = rng.sample(range(100000, 999999), 12)
    return [SyntheticHome(f"SC{n}", "internal" if i < 4 else "external") for i, n in enumerate(sorted(numbers))]


class _Generator:
    def __init__(
        self,
        seed: int,
        la_code: str,
        districts: tuple[str, ...],
        register: Sequence[Household],
        window: Window,
        homes: Sequence[Home] | None,
    ):
        self.rng = random.Random(f"children_in_care:{seed}:{la_code}")
        self.la_code = la_code
        self.window = window
        self.as_at = window.as_at
        self.places = _Places(self.rng, districts, register, homes or _own_homes(self.rng, la_code), self.as_at)

    # --- children and their periods of care ------------------------------------------------------

    def child(self, child_id: str, kind: str) -> Child:
        rng, as_at = self.rng, self.as_at
        uasc = kind != "care_leaver" and rng.random() < 0.05
        if kind == "care_leaver":
            dob = as_at - timedelta(days=rng.randint(18 * 365 + 5, 21 * 365 + 300))
        elif uasc:
            dob = as_at - timedelta(days=rng.randint(14 * 365 + 30, 17 * 365 + 300))
        else:
            low, high = _weighted(rng, AGE_BANDS)
            dob = as_at - timedelta(days=rng.randint(low * 365 + 10, high * 365 + 360))
        sex = 1 if uasc and rng.random() < 0.92 else rng.choice((1, 1, 2, 2, 1))
        child = Child(child_id, sex, dob, _weighted(rng, ETHNICITY), upn(rng, self.la_code), uasc)
        if child.age_on(as_at) < 5 and rng.random() < 0.7:
            child.upn = "UN2"  # DfE's code for a child who has never attended school (under school age)
        if sex == 2 and child.age_on(as_at) >= 12:
            child.mother = 1 if rng.random() < 0.04 and child.age_on(as_at) >= 15 else 0
            if child.mother:
                child.mc_dob = as_at - timedelta(days=rng.randint(10, 300))
        family_home = self.places.postcode("near")
        # An unaccompanied child has no family home here: recorded blank (DfE 406).
        home_post = None if uasc else self.places.recorded(family_home)
        eighteenth = child.birthday(18)

        def earliest(day: date) -> date:
            return max(day, dob + timedelta(days=1))

        if kind == "care_leaver":
            start = earliest(child.birthday(rng.randint(6, 15)) + timedelta(days=rng.randint(0, 300)))
            self.period(child, start, eighteenth, home_post, "eighteen")
        elif kind == "left":
            if (as_at - dob).days < 120:  # old enough to have been in care and left
                child.dob = dob = as_at - timedelta(days=rng.randint(120, 360))
            # About as many leave in the last year as start (DfE), the rest earlier in the history.
            span = 365 if rng.random() < 0.55 else (as_at - self.window.events_from).days
            end = as_at - timedelta(days=rng.randint(1, span))
            end = min(end, eighteenth - timedelta(days=rng.randint(1, 60)))
            if end <= dob + timedelta(days=20):
                end = dob + timedelta(days=rng.randint(21, (as_at - dob).days - 1))
            start = earliest(end - timedelta(days=rng.randint(*_weighted(rng, PERIOD_LENGTHS))))
            if rng.random() < 0.1 and start > dob + timedelta(days=400):
                self.earlier_period(child, start, home_post)
            self.period(child, start, end, home_post, "left")
        else:
            start = earliest(as_at - timedelta(days=rng.randint(*_weighted(rng, PERIOD_LENGTHS))))
            if uasc:
                start = max(
                    start, child.birthday(13) + timedelta(days=rng.randint(0, 300)), as_at - timedelta(days=900)
                )
            draw = rng.random()
            if draw < 0.08 and child.age_on(as_at) >= 1:
                # Left care and came back within the year.
                start = earliest(as_at - timedelta(days=rng.randint(20, 250)))
                previous_end = start - timedelta(days=rng.randint(14, 100))
                previous_start = earliest(previous_end - timedelta(days=rng.randint(30, 500)))
                if previous_start < previous_end - timedelta(days=7):
                    self.period(child, previous_start, previous_end, home_post, "left")
            elif draw < 0.18 and start > dob + timedelta(days=500):
                self.earlier_period(child, start, home_post)
            self.period(child, start, None, home_post, "open")
        return child

    def earlier_period(self, child: Child, next_start: date, home_post: str | None) -> None:
        end = next_start - timedelta(days=self.rng.randint(60, 1500))
        start = max(end - timedelta(days=self.rng.randint(30, 700)), child.dob + timedelta(days=1))
        if start < end - timedelta(days=7):
            self.period(child, start, end, home_post, "left")

    def period(self, child: Child, start: date, end: date | None, home_post: str | None, ending: str) -> None:
        rng = self.rng
        stop = min(end or self.as_at + timedelta(days=1), child.birthday(18))
        adoption = (
            ending in ("open", "left")
            and child.age_on(start) <= 3
            and not child.periods
            and not child.uasc
            and (stop - start).days > 500
            and rng.random() < 0.35
        )
        statuses = self.legal_statuses(child, start, stop, adoption)
        self.places.no_parents = any(s == "V2" for _, s in statuses)
        placements = self.placements(child, start, stop, home_post, statuses if adoption else None)
        reversed_on = child.adoption.reversed_on if adoption and child.adoption else None
        if reversed_on and reversed_on < stop:  # the placement order is revoked: back to a care order
            statuses.append((reversed_on, "C2"))
        if not adoption:
            statuses = self.with_some_at_a_move(statuses, [d for d, _, _ in placements[1:]])
        if adoption and placements[-1][1].place in ADOPTION_PLACEMENTS:
            adopted = placements[-1][0] + timedelta(days=rng.randint(150, 400))
            if end is not None:  # a period that ends by a given day (a later period may follow it) ends by then
                adopted = min(adopted, end)
            if adopted < self.as_at:
                end, ending = adopted, "adopted"
            else:
                end, ending = None, "open"
            stop = min(end or self.as_at + timedelta(days=1), child.birthday(18))
        elif ending == "adopted":
            ending = "left"
        cin = "N8" if child.uasc else _weighted(rng, CATEGORY_OF_NEED)
        changes = sorted({d for d, _ in statuses if d < stop} | {d for d, _, _ in placements if d < stop})
        episodes: list[Episode] = []
        for day in changes:
            ls = [s for d, s in statuses if d <= day][-1]
            moved_on, placement, reason = [p for p in placements if p[0] <= day][-1]
            if not episodes:
                rne = "S"
            else:
                previous = episodes[-1]
                placement_changed = moved_on == day
                status_changed = ls != previous.ls
                if placement_changed and reason == "PLACE":
                    rne = "U" if status_changed else "T"
                else:
                    rne = "B" if placement_changed and status_changed else "P" if placement_changed else "L"
                previous.dec, previous.rec = day, "X1"
                if rne in ("P", "B", "T", "U"):
                    previous.reason_place_change = reason
            episodes.append(Episode(day, rne, ls, cin, placement, home_post))
        last = episodes[-1]
        if end is not None:
            last.dec = end
            last.rec = self.reason_ceased(child, last, ending)
        child.periods.append(Period(start, end, episodes))

    def legal_statuses(self, child: Child, start: date, stop: date, adoption: bool) -> list[tuple[date, str]]:
        rng = self.rng

        def after(day: date, low: int, high: int) -> date:
            return day + timedelta(days=rng.randint(low, high))

        if child.uasc:
            return [(start, "V2")]
        if adoption:
            care_order = after(start, 150, 300)
            placement_order = after(care_order, 1, 60)
            statuses = [(start, "C1"), (care_order, "C2"), (placement_order, "E1")]
            child.adoption = AdoptionDecision(placement_order)
            return statuses
        draw = rng.random()
        if child.age_on(start) >= 12 and draw < 0.03:
            return [(start, "J1")]  # remanded to local authority accommodation
        statuses = []
        if draw < 0.10:
            emergency = rng.choice(("L1", "L2"))  # police protection (72 hours at most) or an EPO (21 days)
            statuses.append((start, emergency))
            start = after(start, 1, 3 if emergency == "L1" else 8)
        if rng.random() < 0.5:
            statuses.append((start, "V2"))
            if rng.random() < 0.2:
                statuses.append((after(start, 30, 180), "C1"))
        else:
            statuses.append((start, "C1"))
        if statuses[-1][1] == "C1" and rng.random() < 0.85:
            statuses.append((after(statuses[-1][0], 120, 330), "C2"))
        return [(d, s) for d, s in statuses if d < stop or d == statuses[0][0]]

    def with_some_at_a_move(self, statuses: list[tuple[date, str]], moves: list[date]) -> list[tuple[date, str]]:
        """Move some changes of legal status to the day of a nearby move, as a court order often
        comes with one (RNE B: legal status and placement change together)."""
        snapped = statuses[:1]
        for index, (day, status) in enumerate(statuses[1:], start=1):
            following = statuses[index + 1][0] if index + 1 < len(statuses) else date.max
            near = [m for m in moves if abs((m - day).days) <= 60 and snapped[-1][0] < m < following]
            # Police protection and an EPO end when their law says, not at a move (DfE 361, 362).
            if near and snapped[-1][1] not in ("L1", "L2") and self.rng.random() < 0.4:
                day = min(near, key=lambda m: abs((m - day).days))
            snapped.append((day, status))
        return snapped

    def placements(
        self, child: Child, start: date, stop: date, home_post: str | None, adoption_statuses: list | None
    ) -> list[tuple[date, Placement, str | None]]:
        """(from, placement, the reason the previous placement ended) for each placement in a period."""
        rng, places = self.rng, self.places
        placements: list[tuple[date, Placement, str | None]] = []
        day, previous, reason = start, None, None
        while day < stop:
            placement = places.new(day, child.age_on(day), home_post, previous)
            placements.append((day, placement, reason))
            previous = placement
            if not placements[1:] and rng.random() < 0.25:
                length = rng.randint(3, 60)  # an emergency placement first
            else:
                length = rng.randint(*rng.choices(((30, 180), (181, 540), (541, 2500)), (22, 35, 43))[0])
            if placement.place in ("K2", "K3", "H5"):
                length = max(30, length * 3 // 4)  # children's homes see more moves
            if placement.urn in places.home_postcodes:  # the child moves on before the home closes
                while length > 1 and not home_is_open(places.home(placement.urn), day + timedelta(days=length - 1)):
                    length //= 2
            if (
                placement.place in ("U4", "U5", "U6")
                and length > 400
                and placement.place != "U4"
                and rng.random() < 0.3
            ):
                # The foster placement becomes long-term with the same carers: a new placement type only.
                changed = day + timedelta(days=rng.randint(180, 360))
                if changed < stop:
                    long_term = Placement(
                        "U4" if placement.place in ("U5", "U6") else placement.place,
                        placement.provider,
                        placement.postcode,
                        placement.urn,
                    )
                    placements.append((changed, long_term, "PLACE"))
                    previous = long_term
            for recoded_on, old, new in RECODED_PLACEMENTS:
                current_from, current, _ = placements[-1]
                if current.place in old and current_from < recoded_on < min(
                    day + timedelta(days=length), stop, self.as_at
                ):
                    placements.append((recoded_on, replace(current, place=rng.choice(new)), "PLACE"))
                    previous = placements[-1][1]
            day += timedelta(days=length)
            reason = _weighted(rng, REASONS_FOR_MOVING)
            day = max(day, placements[-1][0] + timedelta(days=1))
        if adoption_statuses:
            placement_order = adoption_statuses[-1][0]
            placements = [p for p in placements if p[0] <= placement_order] or placements[:1]
            decision = child.adoption
            if decision is None:  # legal_statuses made the decision with the statuses
                raise RuntimeError(f"child {child.child_id} has adoption statuses but no adoption decision")
            if rng.random() < 0.12:
                decision.reversed_on = placement_order + timedelta(days=rng.randint(100, 300))
                decision.reversal_reason = rng.choice(("RD1", "RD2", "RD3", "RD4"))
            else:
                placed = placement_order + timedelta(days=rng.randint(60, 240))
                if placed < stop:
                    decision.matched = placed - timedelta(days=rng.randint(14, 60))
                    adopters = places.postcode("far" if rng.random() < 0.3 else "near", home_post)
                    placements.append(
                        (
                            placed,
                            Placement(
                                "A6",
                                rng.choice(("PR1", "PR1", "PR2", "PR5")),
                                adopters,
                                rng.choice(places.provider_urns["adoption"]),
                            ),
                            "CARPL",
                        )
                    )
        return placements

    def reason_ceased(self, child: Child, last: Episode, ending: str) -> str:
        rng, place = self.rng, last.placement.place
        if ending == "adopted":
            return rng.choice(("E11", "E12"))
        if ending == "eighteen":
            if place in FOSTER and rng.random() < 0.4:
                return "E17"  # staying put with the foster carers
            return _weighted(rng, {"E5": 35, "E6": 15, "E8": 15, "E4A": 5, "E13": 5})
        if last.dec is None:  # period() sets the episode's end before asking why it ended
            raise ValueError(f"child {child.child_id}: the reason an episode ceased, asked before it ceased")
        age = child.age_on(last.dec)
        if place == "P1":
            return _weighted(rng, {"E4A": 70, "E41": 10, "E13": 10, "E8": 10})
        weights = {"E4A": 40, "E4B": 5, "E13": 10, "E41": 6, "E47": 6, "E48": 3, "E3": 2, "E8": 5}
        if place in KINSHIP:
            weights["E45"] = 30
        elif place in ("U4", "U5", "U6"):
            weights["E46"] = 6
        if age >= 16:
            weights.update({"E5": 12, "E6": 6, "E9": 1})
        return _weighted(rng, weights)

    # --- the tables ------------------------------------------------------------------------------

    def in_return(self, episode: Episode) -> bool:
        """An episode open at some time in the collection year holding the extract date."""
        return episode.dec is None or episode.dec >= collection_year(self.as_at)[0]

    def tables(self, children: list[Child]) -> dict[str, ExtractTable]:
        """The 903 return for the collection year holding the extract date, as it stands at that
        date: the children looked after during the year (and the year's care leavers, OC3), the
        episodes open during it, its reviews, missing episodes and social worker episodes. The local
        extracts (visits, plans) are of the same children, over the whole history window."""
        rows: dict[str, list[dict[str, CellValue]]] = {extract: [] for extract in EXTRACTS}
        year_start = collection_year(self.as_at)[0]
        for child in children:
            episodes = [e for e in child.episodes if self.in_return(e)]
            oc3 = self.oc3(child)
            left_on = episodes[-1].dec if episodes else None
            # DfE 625: a first child born while the girl was looked after (not after she left care).
            mother_in_care = child.mother if not (left_on and child.mc_dob and child.mc_dob > left_on) else 0
            if episodes or oc3:
                rows["ssda903_header"].append(
                    {
                        "CHILD": child.child_id,
                        "SEX": sex_code(child.sex, self.as_at),
                        "DOB": child.dob,
                        "ETHNIC": child.ethnic,
                        "UPN": child.upn,
                        # DfE 165: MOTHER for every girl looked after in the year, blank for the others.
                        "MOTHER": (mother_in_care or 0) if child.sex == 2 and episodes else None,
                        "MC_DOB": child.mc_dob if episodes and mother_in_care else None,
                    }
                )
            rows["ssda903_oc3"] += oc3
            if not (episodes or oc3):
                continue  # not in this year's return: nor in the local extracts, which join to it
            rows["child_visits"] += self.visits(child)
            rows["child_plans"] += self.plans(child)
            if not episodes:
                continue
            for e in episodes:
                rows["ssda903_episodes"].append(
                    {
                        "CHILD": child.child_id,
                        "DECOM": e.decom,
                        "RNE": e.rne,
                        "LS": e.ls,
                        "CIN": e.cin,
                        "PLACE": e.placement.place,
                        "PLACE_PROVIDER": e.placement.provider,
                        "DEC": e.dec,
                        "REC": e.rec,
                        "REASON_PLACE_CHANGE": e.reason_place_change,
                        "HOME_POST": e.home_post,
                        "PL_POST": e.placement.postcode,
                        "URN": e.placement.urn,
                    }
                )
            if child.uasc:
                eighteenth = child.birthday(18)
                rows["ssda903_uasc"].append(
                    {
                        "CHILD": child.child_id,
                        "SEX": sex_code(child.sex, self.as_at),
                        "DOB": child.dob,
                        "DUC": eighteenth if eighteenth <= self.as_at else None,
                    }
                )
            rows["ssda903_reviews"] += [r for r in self.reviews(child) if r["REVIEW"] >= year_start]
            rows["ssda903_missing"] += [r for r in self.missing(child) if r["MIS_START"] >= year_start]
            rows["ssda903_oc2"] += self.oc2(child)
            if any(e.rne == "S" and e.decom >= year_start for e in episodes):  # DfE 634: starters only
                rows["ssda903_prev_perm"] += self.prev_perm(child)
            # A child who started to be looked after in the year: their social workers since then (DfE
            # SW12 wants none to begin before the latest start of care in the return).
            latest_start = max((e.decom for e in episodes if e.rne == "S"), default=date.min)
            rows["ssda903_sw_episodes"] += [
                r
                for r in self.sw_episodes(child)
                if (r["SW_DEC"] is None or r["SW_DEC"] >= year_start) and r["SW_DECOM"] >= latest_start
            ]
            adoption_rows = self.adoption(child)
            rows["ssda903_placed_adoption"] += adoption_rows["placed"]
            rows["ssda903_ad1"] += adoption_rows["ad1"]
        self.number(rows["child_visits"], "visit_id", "CV", "visit_date")
        self.number(rows["child_plans"], "plan_id", "CP", "start_date")
        tables = {
            extract: ExtractTable(extract, list(columns), rows[extract]) for extract, columns in SSDA903_COLUMNS.items()
        }
        for extract in LOCAL_COLUMNS:
            tables[extract] = _local_table(extract, [{"la_code": self.la_code, **row} for row in rows[extract]])
        return tables

    def number(self, rows: list[dict], key: str, prefix: str, by: str) -> None:
        """Ids in date order from a random base, as a source system's sequence gives them."""
        base = self.rng.randint(100000, 400000)
        rows.sort(key=lambda row: (row[by], row["child_id"]))
        for n, row in enumerate(rows):
            row[key] = f"{prefix}{base + n}"
        rows.sort(key=lambda row: row[key])

    def reviews(self, child: Child) -> list[dict]:
        """At most 20 working days after entering care, then within 3 months, then every 6 months; some late."""
        rng, rows = self.rng, []
        for period in child.periods:
            end = min(period.end or self.as_at + timedelta(days=1), self.as_at + timedelta(days=1))
            late = rng.random() < 0.15  # a child whose reviews tend to run late
            # Within 20 working days (25 calendar days are within them even over Christmas), or late.
            day = period.start + timedelta(
                days=rng.randint(35, 50) if late and rng.random() < 0.5 else rng.randint(10, 25)
            )
            gap = (60, 88)
            while day < end:
                if day >= self.window.events_from:
                    code = "PN0" if child.age_on(day) < 4 else _weighted(rng, REVIEW_CODES)
                    rows.append({"CHILD": child.child_id, "DOB": child.dob, "REVIEW": day, "REVIEW_CODE": code})
                overdue = rng.random() < (0.35 if late else 0.05)
                day += timedelta(days=rng.randint(gap[1] + 5, gap[1] + 60) if overdue else rng.randint(*gap))
                gap = (150, 180)
        return rows

    def missing(self, child: Child) -> list[dict]:
        rng = self.rng
        rows: list[dict] = []
        if rng.random() > 0.25:
            return rows
        for period in child.periods:
            start = max(period.start, child.birthday(10), self.window.events_from)
            # The last day looked after: a period's end date is the day the child left.
            end = period.end - timedelta(days=1) if period.end else self.as_at
            if start >= end:
                continue
            span = (end - start).days
            starts = sorted(
                {start + timedelta(days=rng.randint(0, span)) for _ in range(rng.choice((1, 1, 2, 3, 5, 8)))}
            )
            for begin, following in zip(starts, [*starts[1:], None]):
                # Episodes one after another: back before (or on the day) the next one begins.
                latest = following - timedelta(days=1) if following else end
                back = min(begin + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 6))), max(begin, latest))
                # A return lists missing episodes that have ended: DfE's 575 and 577 flag one without
                # an end date (lac_validator 0.1.17 even while the child's placement is open).
                open_ = False
                rows.append(
                    {
                        "CHILD": child.child_id,
                        "DOB": child.dob,
                        "MISSING": rng.choice(("M", "M", "A")),
                        "MIS_START": begin,
                        "MIS_END": None if open_ else back,
                    }
                )
        rows.sort(key=lambda r: r["MIS_START"])
        return rows

    def oc2(self, child: Child) -> list[dict]:
        """Children looked after for 12 months or more at the collection year's 31 March (DfE's OC2
        cohort): looked after on 31 March in a period of care that began on or before 1 April, so on
        every day of the year (DfE's validator, rule 191, counts a child who came into care on 1 April).
        Before that day (a return made during the year), DfE's validator takes a child still
        looked after as looked after on 31 March, and so does the generator."""
        year_start, year_end = collection_year(self.as_at)
        period = child.in_care_on(min(year_end, self.as_at))
        if period is None or period.start > year_start:
            return []
        rng, age = self.rng, child.age_on(year_end)

        def flag(share: float) -> int:
            return 1 if rng.random() < share else 0

        misuse = flag(0.04) if age >= 10 else 0
        received = flag(0.6) if misuse else None
        # An SDQ for ages 4 to 16 at the year's start and those turning 4 in it (DfE 189, 197B).
        sdq_due = age >= 4 and child.age_on(year_start) < 17
        scored = sdq_due and rng.random() < 0.85
        return [
            {
                "CHILD": child.child_id,
                "DOB": child.dob,
                "SDQ_SCORE": min(40, max(0, int(rng.gauss(14, 7)))) if scored else None,
                "SDQ_REASON": None if scored or not sdq_due else rng.choice(("SDQ2", "SDQ4", "SDQ5")),
                "CONVICTED": flag(0.03) if age >= 10 else None,
                "HEALTH_CHECK": flag(0.88) if age < 5 else None,
                "IMMUNISATIONS": flag(0.85),
                "TEETH_CHECK": flag(0.78),
                "HEALTH_ASSESSMENT": flag(0.89),
                "SUBSTANCE_MISUSE": misuse,
                "INTERVENTION_RECEIVED": received,
                # DfE 158: whether one was offered is asked only when none was received.
                "INTERVENTION_OFFERED": flag(0.8) if misuse and not received else None,
            }
        ]

    def oc3(self, child: Child) -> list[dict]:
        """Care leavers whose 17th to 21st birthday falls in the collection year (up to the extract
        date), having left care aged 16 or over after a period that held their 16th birthday."""
        year_start = collection_year(self.as_at)[0]
        left = [
            p
            for p in child.periods
            # DfE 1011: care transferred to another authority (E3) ends with no care leaver information
            if p.end and p.start <= child.birthday(16) < p.end and p.episodes[-1].rec not in ("E11", "E12", "E2", "E3")
        ]
        if not left or left[-1] is not child.periods[-1]:  # back in care since: not a care leaver
            return []
        left_on = left[-1].end
        assert left_on is not None  # `left` holds only periods that ended
        birthdays = [child.birthday(age) for age in range(17, 22)]
        if not any(year_start <= b <= self.as_at and b >= left_on for b in birthdays):
            return []
        # DfE 1007 and 1016: a 17- or 18-year-old at the year's end is in the cohort only if they
        # left care before that birthday (the validator ages them at 31 March).
        age_at_year_end = child.age_on(collection_year(self.as_at)[1])
        if age_at_year_end in (17, 18) and left_on >= child.birthday(age_at_year_end):
            return []
        rng = self.rng
        in_touch = _weighted(rng, {"YES": 86, "NO": 4, "REFU": 3, "NREQ": 3, "RHOM": 3, "DIED": 1})
        if in_touch in ("NO", "REFU", "DIED", "RHOM"):  # DfE 132, 133, 153, 344: activity and accommodation 0
            return [{"CHILD": child.child_id, "DOB": child.dob, "IN_TOUCH": in_touch, "ACTIV": "0", "ACCOM": "0"}]
        activity = _weighted(
            rng, {"F1": 8, "P1": 2, "F2": 20, "P2": 5, "F4": 14, "P4": 6, "F5": 4, "P5": 2, "G4": 10, "G5": 24, "G6": 5}
        )
        places = {"B": 14, "D": 15, "E": 8, "K": 6, "T": 4, "U": 28, "V": 3, "W": 2, "X": 3, "Y": 5, "Z": 12}
        if age_at_year_end <= 17:  # DfE 3001: not with former foster carers around the 17th birthday
            del places["Z"]
        place = _weighted(rng, places)
        suitable = "2" if place in ("S", "V", "W", "X") or rng.random() < 0.1 else "1"
        return [
            {
                "CHILD": child.child_id,
                "DOB": child.dob,
                "IN_TOUCH": in_touch,
                "ACTIV": activity,
                "ACCOM": place + suitable,
            }
        ]

    def prev_perm(self, child: Child) -> list[dict]:
        starts = [p.start for p in child.periods if p.start >= self.window.events_from]
        if not starts:
            return []
        rng = self.rng
        adopted = [
            e.dec for e in child.episodes if e.rec in ("E11", "E12") and e.dec is not None and e.dec < starts[-1]
        ]
        if adopted:  # came back into care after an adoption order made here
            return [
                {
                    "CHILD": child.child_id,
                    "DOB": child.dob,
                    "PREV_PERM": "P1",
                    "LA_PERM": self.la_code,
                    "DATE_PERM": adopted[-1],
                }
            ]
        order = _weighted(rng, {"Z1": 90, "P1": 3, "P2": 4, "P3": 3})
        if order == "Z1" or starts[0] - child.dob < timedelta(days=400):
            return [{"CHILD": child.child_id, "DOB": child.dob, "PREV_PERM": "Z1", "LA_PERM": None, "DATE_PERM": None}]
        granted = child.dob + timedelta(days=rng.randint(200, (starts[0] - child.dob).days - 100))
        return [
            {
                "CHILD": child.child_id,
                "DOB": child.dob,
                "PREV_PERM": order,
                "LA_PERM": rng.choice((self.la_code, "201", "330", "886", "926")),
                "DATE_PERM": granted,
            }
        ]

    def sw_episodes(self, child: Child) -> list[dict]:
        """Each period of care's social workers, one after another (the next begins the day the last
        ends). The last of a period stays allocated after the child leaves care, until the day before
        a later period begins (DfE SW10, SW12, SW17). SW_REASON is why the social worker changed to
        this one: FCONTA (first contact) at the start of each period."""
        rng, rows = self.rng, []
        worker = None
        year_end = collection_year(self.as_at)[1]
        for index, period in enumerate(child.periods):
            following_period = child.periods[index + 1].start if index + 1 < len(child.periods) else None
            day, reason = period.start, "FCONTA"
            while True:
                following = day + timedelta(days=rng.randint(60, 600))
                if year_end - timedelta(days=5) <= following <= year_end:  # DfE SW11b: not in the year's last days
                    following -= timedelta(days=6)
                worker = rng.choice([w for w in SOCIAL_WORKERS if w != worker])
                if (period.end is not None and following >= period.end) or following > self.as_at:
                    finished = following_period - timedelta(days=1) if following_period else None
                else:
                    finished = following if following > day else day + timedelta(days=1)
                rows.append(
                    {
                        "CHILD": child.child_id,
                        "DOB": child.dob,
                        "SW_ID": worker,
                        "SW_DECOM": day,
                        "SW_DEC": finished,
                        "SW_REASON": reason,
                    }
                )
                if finished is None or finished == (following_period or date.max) - timedelta(days=1):
                    break
                day, reason = finished, _weighted(rng, SW_REASONS)
        return rows

    def adoption(self, child: Child) -> dict[str, list[dict]]:
        decision = child.adoption
        if decision is None or decision.decided > self.as_at:
            return {"placed": [], "ad1": []}
        rng = self.rng
        reversed_on = decision.reversed_on if decision.reversed_on and decision.reversed_on <= self.as_at else None
        if reversed_on and reversed_on < collection_year(self.as_at)[0]:  # DfE 118: reversed in an earlier year
            return {"placed": [], "ad1": []}
        # DfE 1003: the decision belongs to the period of care it was made in; a return whose first
        # start of care (RNE S) is later holds a later period, and not that decision.
        starts = [e.decom for e in child.episodes if e.rne == "S" and self.in_return(e)]
        if starts and decision.decided < min(starts):
            return {"placed": [], "ad1": []}
        placed = [
            {
                "CHILD": child.child_id,
                "DOB": child.dob,
                "DATE_PLACED": decision.decided,
                "DATE_PLACED_CEASED": reversed_on,
                "REASON_PLACED_CEASED": decision.reversal_reason if reversed_on else None,
            }
        ]
        adopted = [e for e in child.episodes if e.rec in ("E11", "E12") and self.in_return(e)]
        ad1 = []
        if adopted and decision.matched:
            couple = rng.random() < 0.85
            adopters = rng.choice(("MF", "MF", "MF", "MM", "FF")) if couple else rng.choice(("F1", "M1"))
            # LS_ADOPTR: L0 a single adopter (DfE 514); L11/L3 a married/unmarried couple; L12, L2 and
            # L4 same-sex couples (married, civil partners, unmarried; DfE 518).
            status = (
                "L0" if not couple else rng.choice(("L11", "L11", "L3") if adopters == "MF" else ("L12", "L2", "L4"))
            )
            ad1.append(
                {
                    "CHILD": child.child_id,
                    "DOB": child.dob,
                    "DATE_INT": decision.decided,
                    "DATE_MATCH": decision.matched,
                    "FOSTER_CARE": 0,
                    "NB_ADOPTR": 2 if couple else 1,
                    "SEX_ADOPTR": adopters,
                    "LS_ADOPTR": status,
                }
            )
        return {"placed": placed, "ad1": ad1}

    def visits(self, child: Child) -> list[dict]:
        """Statutory visits: within a week of each placement, then at most six weeks apart (three
        months in a long-term placement after its first year); some late."""
        rng, rows = self.rng, []
        for period in child.periods:
            placements = _placement_spans(period, self.as_at)
            for start, end, placement in placements:
                if end < self.window.events_from:
                    continue
                day = start + timedelta(days=rng.randint(1, 7))
                late_share = 0.1 if rng.random() < 0.8 else 0.4
                while day < end:
                    if self.window.events_from <= day <= self.as_at:
                        rows.append(
                            {
                                "child_id": child.child_id,
                                "visit_date": day,
                                "seen_alone": ("Y" if rng.random() < 0.75 else "N") if child.age_on(day) >= 4 else "N",
                            }
                        )
                    long_term = placement.place in LONG_TERM_FOSTER and (day - start).days >= 365
                    usual = (56, 91) if long_term else (20, 42)
                    late = rng.random() < late_share
                    day += timedelta(days=rng.randint(usual[1] + 1, usual[1] + 35) if late else rng.randint(*usual))
        return rows

    def plans(self, child: Child) -> list[dict]:
        """Current plans at the extract date: care and permanence plans while looked after, a PEP
        for school age, a pathway plan from 16 (kept for care leavers to 21); some overdue."""
        rng, as_at, rows = self.rng, self.as_at, []

        def plan(plan_type: str, start: date, cycle_days: int, overdue_share: float) -> None:
            if start > as_at:
                return
            if rng.random() < 0.08 and (as_at - start).days < cycle_days:
                rows.append(
                    {
                        "child_id": child.child_id,
                        "plan_type": plan_type,
                        "start_date": start,
                        "last_review_date": None,
                        "next_due_date": start + timedelta(days=cycle_days),
                    }
                )
                return
            overdue = rng.random() < overdue_share
            since = rng.randint(cycle_days + 1, cycle_days + 120) if overdue else rng.randint(0, cycle_days)
            reviewed = max(start, as_at - timedelta(days=since))
            rows.append(
                {
                    "child_id": child.child_id,
                    "plan_type": plan_type,
                    "start_date": start,
                    "last_review_date": reviewed if reviewed > start else None,
                    "next_due_date": reviewed + timedelta(days=cycle_days),
                }
            )

        current = child.in_care_on(as_at)
        age = child.age_on(as_at)
        if current is not None:
            plan("care_plan", current.start, 183, 0.1)
            if (as_at - current.start).days > 120:
                plan("permanence_plan", current.start + timedelta(days=rng.randint(100, 125)), 183, 0.12)
            if 4 <= age <= 17:
                plan("pep", max(current.start, child.birthday(4)) + timedelta(days=rng.randint(5, 20)), 122, 0.15)
        sixteenth = child.birthday(16)
        after_sixteen = [p for p in child.periods if (p.end or as_at + timedelta(days=1)) > sixteenth]
        if 16 <= age <= 21 and after_sixteen:
            started = max(sixteenth, after_sixteen[0].start)
            plan("pathway_plan", started + timedelta(days=rng.randint(10, 60)), 183, 0.15)
        return rows


def _placement_spans(period: Period, as_at: date) -> list[tuple[date, date, Placement]]:
    """(start, end, placement) for each run of episodes in one placement, as DfE counts placements."""
    spans: list[list] = []
    for episode in period.episodes:
        if spans and spans[-1][2] == episode.placement:
            spans[-1][1] = episode.dec
        else:
            spans.append([episode.decom, episode.dec, episode.placement])
    return [
        (start, min(end or as_at + timedelta(days=1), as_at + timedelta(days=1)), placement)
        for start, end, placement in spans
    ]


def _local_table(extract: str, rows: list[dict[str, CellValue]]) -> ExtractTable:
    """The local extract checked against its contract once the contract exists (the ingest work
    adds it); until then laid out as EXTRACTS.md lists its columns."""
    from qa_warehouse.load.contracts import all_contracts

    if extract in all_contracts():
        return contract_table(extract, rows)
    return ExtractTable(extract, list(LOCAL_COLUMNS[extract]), rows)


def children_in_care_tables(
    seed: int,
    la_code: str,
    districts: tuple[str, ...],
    register: Sequence[Household],
    window: Window,
    households: int,
    homes: Sequence[Home] | None = None,
) -> dict[str, ExtractTable]:
    """The 11 DfE 903 tables and child_visits and child_plans of one authority, keyed by extract.

    `households` sets the volume (CHILDREN_PER_HOUSEHOLD); `register` is the authority's fostering
    register (own foster placements are in its carers' districts); `homes` its children's homes
    (anything with .urn and .provision 'internal'/'external'), or None for generated SC URNs.
    """
    return children_in_care(seed, la_code, districts, register, window, households, homes)[0]


def children_in_care(
    seed: int,
    la_code: str,
    districts: tuple[str, ...],
    register: Sequence[Household],
    window: Window,
    households: int,
    homes: Sequence[Home] | None = None,
) -> tuple[dict[str, ExtractTable], list[Child]]:
    """children_in_care_tables' tables and the children they are of, every period of care in their
    histories (the children in need census opens an episode for each)."""
    generator = _Generator(seed, la_code, districts, register, window, homes)
    rng = generator.rng
    count = round(households * CHILDREN_PER_HOUSEHOLD)
    kinds = _allocate_kinds(rng, count)
    ids = sorted(rng.sample(range(100000, 999999), count))
    children = [generator.child(str(child_id), kind) for child_id, kind in zip(ids, kinds)]
    return generator.tables(children), children


def _allocate_kinds(rng: random.Random, count: int) -> list[str]:
    from qa_warehouse_synthetic.fostering import _allocate

    return _allocate(rng, count, KIND_SHARES)
