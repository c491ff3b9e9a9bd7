"""Synthetic landing files for tests, demos and benchmarks: realistic, deterministic, and
optionally carrying named defects for the gate to catch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from qa_warehouse.load.contracts import get_contract
from qa_warehouse_synthetic.children_in_care import children_in_care
from qa_warehouse_synthetic.children_in_need import (
    CIN_XML_DEFECTS,
    census_year_return,
    children_in_need_tables,
    damage_census_xml,
    write_census_xml,
)
from qa_warehouse_synthetic.children_in_need import EXTRACT as CIN_EXTRACT
from qa_warehouse_synthetic.defects import DEFECTS, Defect, resolve_defects
from qa_warehouse_synthetic.files import FILE_FORMATS, export_format, landing_file_name, write_extract, write_workbook
from qa_warehouse_synthetic.fostering import (
    AUTHORITIES,
    LA_CODES,
    fostering_authority,
    generate_fostering_extracts,
    history_window,
)
from qa_warehouse_synthetic.quality_assurance import WORKBOOK_TITLES, is_xlsx, quality_assurance_tables
from qa_warehouse_synthetic.recruitment import recruitment_tables
from qa_warehouse_synthetic.residential import authority_homes, residential_tables
from qa_warehouse_synthetic.workforce import workforce_tables

AREAS = (
    "fostering",
    "quality_assurance",
    "recruitment",
    "workforce",
    "residential",
    "children_in_care",
    "children_in_need",
)

__all__ = [
    "AREAS",
    "CIN_XML_DEFECTS",
    "DEFECTS",
    "Defect",
    "LA_CODES",
    "authority_homes",
    "census_year_return",
    "damage_census_xml",
    "generate_extracts",
    "generate_fostering_extracts",
    "landing_file_name",
]


def generate_extracts(
    out_dir: str | Path,
    *,
    households: int = 60,
    years: int = 2,
    authorities: int = 1,
    seed: int = 1,
    as_at: date = date(2025, 3, 31),
    defects: Iterable[str] = (),
    areas: Iterable[str] = AREAS,
) -> list[Path]:
    """Write one landing file per extract of the chosen `areas` per authority; return their
    paths, sorted. The same arguments always write byte-identical files (workbooks included).

    `households` is per authority; events cover `years` years before `as_at` (fostering events
    also the 13 months the first period looks back on). `defects` names entries of DEFECTS,
    applied to the first authority's files only. The fostering files do not depend on which
    other areas are generated; the workforce's staff are the register's supervising workers and
    the audits' team managers, plus others. Quality assurance extracts are CSV for the first authority; the
    second writes audits and feedback as .xlsx, the third all four (and so on, cycling). Recruitment
    (one row per enquiry) is CSV in each authority's file format, coherent with its register. Residential
    (childrens_homes from `authority_homes`, reg44_visits) is CSV in each authority's file format and
    independent of the households.
    Children in care are the DfE 903 tables (`903_<table>_<la>_<yyyymmdd>.csv`, dd/mm/yyyy dates)
    and child_visits and child_plans, one child per four households, placed with the register's
    carers where their placement says so, and in the authority's children's homes (the homes the
    residential extract lists) where it is a children's home.
    Children in need are the census extract (cin_census: DfE's flat event rows, every episode open in the
    history, as they stand at `as_at`), the 903's children among them (synthetic/children_in_need.py):
    DfE's XML return (`cin_census_<la>_<yyyymmdd>.xml`) for the first authority, the flat CSV for the
    second, and so on alternately.
    """
    chosen_defects = resolve_defects(defects)
    if households < 0 or years < 1:
        raise ValueError(f"need households >= 0 and years >= 1, got households={households}, years={years}")
    if not 1 <= authorities <= len(AUTHORITIES):
        raise ValueError(
            f"authorities must be 1 to {len(AUTHORITIES)} (LA codes {', '.join(LA_CODES)}), got {authorities}"
        )
    areas = tuple(dict.fromkeys(areas))
    if unknown := [a for a in areas if a not in AREAS]:
        raise ValueError(f"unknown area(s) {unknown}; valid areas: {', '.join(AREAS)}")
    for defect in chosen_defects:
        area = get_contract(defect.extract).area
        if area not in areas:
            raise ValueError(
                f"defect {defect.name!r} damages {defect.extract} ({area}), an area not generated here"
                f" ({', '.join(areas)}): use generate_extracts with areas including {area!r}"
            )
    window = history_window(as_at, years)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    paths = []
    for index, (la_code, districts) in enumerate(AUTHORITIES[:authorities]):
        # The register is always generated: QA audits households, and it costs little.
        register, fostering = fostering_authority(la_code, districts, households, seed, window)
        tables = dict(fostering) if "fostering" in areas else {}
        if "quality_assurance" in areas:
            tables.update(quality_assurance_tables(seed, la_code, index, register, window))
        if "recruitment" in areas:
            tables.update(recruitment_tables(seed, la_code, register, window, households))
        if "workforce" in areas:
            tables.update(workforce_tables(seed, la_code, register, window))
        if "residential" in areas:
            tables.update(residential_tables(seed, la_code, window))
        if "children_in_care" in areas or "children_in_need" in areas:
            # The census's looked after children are the 903's: its random stream is the same either way.
            care_tables, looked_after = children_in_care(
                seed, la_code, districts, register, window, households, authority_homes(seed, la_code, window.as_at)
            )
            if "children_in_care" in areas:
                tables.update(care_tables)
            if "children_in_need" in areas:
                tables.update(children_in_need_tables(seed, la_code, window, looked_after))
        if index == 0:
            for defect in chosen_defects:
                defect.apply(tables[defect.extract], as_at)
        file_format = FILE_FORMATS[index % len(FILE_FORMATS)]
        for table in tables.values():
            if table.extract == CIN_EXTRACT and index % 2 == 0:  # DfE's XML return, every other authority
                path = out_dir / landing_file_name(table.extract, la_code, as_at, "xml")
                paths.append(write_census_xml(table, path, la_code, as_at))
            elif is_xlsx(table.extract, index):
                path = out_dir / landing_file_name(table.extract, la_code, as_at, "xlsx")
                paths.append(write_workbook(table, path, WORKBOOK_TITLES[table.extract], as_at))
            else:
                path = out_dir / landing_file_name(table.extract, la_code, as_at)
                paths.append(write_extract(table, path, export_format(table.extract, file_format)))
    return sorted(paths)
