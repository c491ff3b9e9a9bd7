"""Extract contracts: one YAML file per extract, the interface authorities build against.

Ingest, the GX gate, the synthetic generator and the docs all read these files; nothing else
lists an extract's columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import yaml

CONTRACTS_DIR = Path(__file__).parent
# libyaml's safe loader when PyYAML has it: DAG files parse the contracts, and the pure-Python one
# alone would take most of a DAG file's 0.2 s import budget.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# flag: PostgreSQL's boolean input reads Y/N, Yes/No, TRUE/FALSE, 1/0 in any case, as real exports vary.
# number: a decimal such as an FTE (0.6), read exactly (numeric, not float).
SQL_TYPES = {
    "text": "text",
    "code": "text",
    "date": "date",
    "integer": "integer",
    "number": "numeric",
    "flag": "boolean",
}
FILE_TYPES = ("csv", "xlsx", "xml")  # xml: DfE's CIN census return (load/ingest/cin_xml.py)
# <stem>_<la_code>_<yyyymmdd>.csv (EXTRACTS.md, "Delivery"): the stem is the extract's name, or its
# file_stem where the layout names files otherwise (903 files are 903_<table>_<la_code>_<yyyymmdd>.csv).
FILE_NAME = re.compile(
    r"^(?P<stem>[a-z0-9_]+?)_(?P<la_code>\d{3})_(?P<extract_date>\d{8})\.(?P<suffix>csv|xlsx|xml)$", re.I
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    codes: tuple[str, ...] = ()
    references: str | None = None  # "<extract>.<column>"
    not_after_extract_date: bool = False
    min: int | None = None
    max: int | None = None
    description: str = ""
    # A code list kept in the seed ssda903_codes (code_list column), valid by collection year;
    # `code_rule` names the gate rule (the DfE rule code where one exists).
    code_list: str | None = None
    code_rule: str = "allowed_codes"

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Rule:
    """A cross-column rule: rows matching `where` break it."""

    name: str
    description: str
    where: str
    columns: tuple[str, ...] = ()
    severity: str | None = None  # refuse_file, hold or warn; hold when not given (load/data_quality.py)


@dataclass(frozen=True)
class Contract:
    extract: str
    area: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = field(default=())
    file_types: tuple[str, ...] = ("csv",)  # xlsx: the first sheet of a workbook
    expected_every_days: int = 1  # how often a delivery is due (nightly by default): the freshness check
    file_stem: str = ""  # how the file name starts, when not with the extract's name
    # The layout has no la_code column (DfE 903 files): la_code is the one the file name declares.
    la_code_from_file_name: bool = False
    # SQL over the row (bare column names, _extract_date) giving the date whose 903 collection year
    # (1 April to 31 March) decides which codes of a code_list column are valid.
    code_year_date: str = "_extract_date"
    # The column naming whom a row is about (903: child): every gate failure reports it beside the row.
    subject: str | None = None
    # The table DfE's 903 validator knows this layout as (Header, Episodes, SWEpisodes...): its
    # files go through DfE's validator too (qa_warehouse.load.gate.dfe).
    dfe_table: str | None = None
    # The DfE collection whose validator checks this extract's deliveries as a whole return ("cin":
    # DfE's CIN validator, load/cin_delivery.py).
    dfe_collection: str | None = None

    @property
    def file_name_stem(self) -> str:
        return self.file_stem or self.extract

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def upstream_extracts(self) -> tuple[str, ...]:
        """Extracts this one references: they load first so references can resolve."""
        return tuple(sorted({c.references.split(".")[0] for c in self.columns if c.references}))


def _parse(path: Path) -> Contract:
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    columns = tuple(Column(**{**col, "codes": tuple(col.get("codes", ()))}) for col in doc["columns"])
    if columns[0].name != "la_code":
        raise ValueError(f"{path.name}: every extract has la_code first")
    rules = tuple(Rule(**{**r, "columns": tuple(r.get("columns", ()))}) for r in doc.get("rules", ()))
    file_types = tuple(doc.get("file_types", ("csv",)))
    if unknown := set(file_types) - set(FILE_TYPES):
        raise ValueError(f"{path.name}: file_types {sorted(unknown)} are not among {FILE_TYPES}")
    return Contract(
        doc["extract"],
        doc["area"],
        doc["description"].strip(),
        tuple(doc["key"]),
        columns,
        rules,
        file_types,
        int(doc.get("expected_every_days", 1)),
        str(doc.get("file_stem", "")).lower(),
        bool(doc.get("la_code_from_file_name", False)),
        doc.get("code_year_date", "_extract_date"),
        doc.get("subject"),
        doc.get("dfe_table"),
        doc.get("dfe_collection"),
    )


@cache
def all_contracts() -> dict[str, Contract]:
    return {c.extract: c for c in map(_parse, sorted(CONTRACTS_DIR.glob("*.yml")))}


@cache
def contracts_by_file_stem() -> dict[str, Contract]:
    return {c.file_name_stem: c for c in all_contracts().values()}


def get_contract(extract: str) -> Contract:
    try:
        return all_contracts()[extract]
    except KeyError:
        raise KeyError(f"no extract contract named {extract!r}; known: {', '.join(all_contracts())}") from None


@dataclass(frozen=True)
class LandingFile:
    path: Path
    extract: str
    la_code: str
    extract_date: date


def recognise(path: Path) -> LandingFile | None:
    """The extract, authority and as-at date a landing file's name declares, or None."""
    match = FILE_NAME.match(path.name)
    if match is None:
        return None
    contract = contracts_by_file_stem().get(match["stem"].lower())
    if contract is None or match["suffix"].lower() not in contract.file_types:
        return None
    raw = match["extract_date"]
    try:
        extract_date = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None
    return LandingFile(path, contract.extract, match["la_code"], extract_date)


def load_order() -> list[str]:
    """Extracts ordered so that every referenced extract loads before its referrers."""
    ordered: list[str] = []
    pending = dict(all_contracts())
    while pending:
        ready = [name for name, c in pending.items() if all(u in ordered for u in c.upstream_extracts)]
        if not ready:
            raise ValueError(f"extract contracts reference each other in a cycle: {sorted(pending)}")
        for name in sorted(ready):
            ordered.append(name)
            del pending[name]
    return ordered
