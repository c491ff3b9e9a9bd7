"""DfE's children in need census return (XML) as the flat, one-row-per-event CSV the loader reads.

A census XML then takes the CSV path of the cin_census contract (decode, header check, COPY, GX
gate), so a value in an element is judged by the same rules as the same value in the flat file the
sector's tools export. Each row keeps where it came from (line and element path), for every finding.

The XML is read with defusedxml's SAX parser, which refuses a DTD, an entity declaration and an
external reference by name, before anything is expanded (an entity bomb is an entity declaration).
What only XML can get wrong is found here: not well-formed, a root other than DfE's Message (or one
in a namespace), an element DfE's schema does not place there or places earlier, stray text between
elements, a Header/Source/LEA that is not the authority the file name declares.

The writer (`write_return`) is the reverse: flat rows back to DfE's layout, for DfE's CIN validator,
which reads only XML, and for the synthetic returns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_external_ges, feature_external_pes
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.sax import make_parser

from qa_warehouse.problems import Violation

# DfE's CIN census schema (CIN_schema_2024.xsd and the validator's tables), element by element: the
# children each element may hold, in the order the schema's sequences put them. Sex replaced
# GenderCurrent in 2024/25 (DfE's rule 4180); a return holds one or the other.
SEQUENCES: dict[str, tuple[str, ...]] = {
    "Message": ("Header", "Children"),
    "Header": ("CollectionDetails", "Source"),
    "CollectionDetails": ("Collection", "Year", "ReferenceDate"),
    "Source": ("SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"),
    "Children": ("Child",),
    "Child": ("ChildIdentifiers", "ChildCharacteristics", "CINdetails"),
    "ChildIdentifiers": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "GenderCurrent",
        "Sex",
        "PersonDeathDate",
    ),
    "ChildCharacteristics": ("Ethnicity", "Disabilities"),
    "Disabilities": ("Disability",),
    "CINdetails": (
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ReferralNFA",
        "ChildProtectionPlans",
    ),
    "Assessments": (
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
    ),
    "FactorsIdentifiedAtAssessment": ("AssessmentFactors",),
    "CINPlanDates": ("CINPlanStartDate", "CINPlanEndDate"),
    "Section47": ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"),
    "ChildProtectionPlans": (
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
    ),
    "Reviews": ("CPPreviewDate",),
}
# Elements that hold a list of values rather than one: their values are joined with commas.
LISTS = {"Disability": "Disabilities", "AssessmentFactors": "Factors"}
# The flat layout: the sector's event file (liia-tools' CIN flat file), plus Sex from 2024/25.
# Date and Type say which event a row is; the rest repeat the child's and the episode's details.
FLAT_COLUMNS = (
    "LAchildID",
    "Date",
    "Type",
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "ReferralNFA",
    "CINPlanStartDate",
    "CINPlanEndDate",
    "S47ActualStartDate",
    "InitialCPCtarget",
    "ICPCnotRequired",
    "AssessmentActualStartDate",
    "AssessmentInternalReviewDate",
    "AssessmentAuthorisationDate",
    "Factors",
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
    "UPN",
    "FormerUPN",
    "UPNunknown",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "GenderCurrent",
    "Sex",
    "PersonDeathDate",
    "Ethnicity",
    "Disabilities",
)
CHILD_BLOCKS = ("ChildIdentifiers", "ChildCharacteristics")
# Each block and the events it yields: the element whose date is the event (Type), in DfE's order.
EVENTS: dict[str, tuple[str, ...]] = {
    "CINdetails": ("CINreferralDate", "CINclosureDate"),
    "Assessments": ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
    "CINPlanDates": ("CINPlanStartDate", "CINPlanEndDate"),
    "Section47": ("S47ActualStartDate",),
    "ChildProtectionPlans": ("CPPstartDate", "CPPendDate"),
}


LISTED = ("Disability", "AssessmentFactors", "CPPreviewDate")  # leaves that repeat within their block


class ReturnAsCsv(NamedTuple):
    csv: bytes  # UTF-8, the flat header first; empty when the file is refused
    locations: list[str]  # where data row N's event came from (index N - 1): "line L, /Message/.../Element"
    violations: list[Violation]
    # where each value of data row N came from (index N - 1): lower-case flat column -> "line L, /Message/..."
    value_locations: list[dict[str, str]] = []


@dataclass
class _Block:
    """An element holding others, as read so far: its leaves' values (with their lines) and blocks."""

    name: str
    path: str
    line: int
    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    lists: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    blocks: list[_Block] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    last_position: int = -1

    def value(self, name: str) -> str:
        return self.values.get(name, ("", 0))[0]

    def flat(self) -> dict[str, str]:
        return {name: text for name, (text, _) in self.values.items()}

    def origins(self) -> dict[str, str]:
        """Each leaf value's element: "line L, /Message/.../Name"."""
        return {name: f"line {line}, {self.path}/{name}" for name, (_, line) in self.values.items()}

    def listed(self, block: str, leaf: str) -> str:
        return ",".join(text for b in self.blocks if b.name == block for text, _ in b.lists.get(leaf, []))


class _Refused(Exception):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


class _CensusHandler(ContentHandler):
    def __init__(self, file_name: str, la_code: str):
        super().__init__()
        self.file_name = file_name
        self.la_code = la_code
        self.stack: list[_Block] = []
        self.text: list[str] = []
        self.text_line = 0  # where the text being gathered began: stray text is named at its own line
        self.rows: list[dict[str, str]] = []
        self.locations: list[str] = []
        self.value_locations: list[dict[str, str]] = []
        self.violations: list[Violation] = []
        self.child_problems: list[tuple[str, str, str]] = []  # (rule, message, severity) in the Child read now
        self.locator = None

    def setDocumentLocator(self, locator):
        self.locator = locator

    def _line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def startElement(self, name, attrs):
        line = self._line()
        self._stray_text(line)
        if not self.stack:
            namespace = next((attrs[a] for a in attrs.getNames() if a == "xmlns" or a.startswith("xmlns:")), None)
            if name != "Message" or ":" in name or namespace is not None:
                raise _Refused(
                    "xml_root",
                    f"line {line}: the root element is <{name}>"
                    + (f" in namespace {namespace!r}" if namespace else "")
                    + "; DfE's CIN census return is a <Message> in no namespace",
                )
            self.stack.append(_Block(name, "/Message", line))
            return
        parent = self.stack[-1]
        parent.counts[name] = parent.counts.get(name, 0) + 1
        path = f"{parent.path}/{name}" + (f"[{parent.counts[name]}]" if name in SEQUENCES else "")
        allowed = SEQUENCES.get(parent.name, ())
        if name not in allowed:
            self._problem(
                "xml_unknown_element",
                f"line {line}, {path}: DfE's schema has no <{name}> inside <{parent.name}>; it is ignored",
                "warn",
            )
        else:
            # Against the previous sibling, not the furthest seen: one element out of place is one finding.
            position = allowed.index(name)
            if position < parent.last_position:
                self._problem(
                    "xml_element_order",
                    f"line {line}, {path}: <{name}> comes after <{allowed[parent.last_position]}>, but DfE's schema "
                    f"puts it before (order: {', '.join(allowed)})",
                    "hold",
                )
            parent.last_position = position
        self.stack.append(_Block(name, path, line))
        if name == "Child":
            self.child_problems = []

    def characters(self, content):
        if not self.text_line and content.strip():  # the first line of text that is not layout
            self.text_line = self._line() + content[: len(content) - len(content.lstrip())].count("\n")
        self.text.append(content)

    def endElement(self, name):
        block = self.stack.pop()
        text = "".join(self.text).strip()
        self.text = []
        if not self.stack:
            return
        parent = self.stack[-1]
        if name not in SEQUENCES:  # a leaf: a value of the block holding it
            self.text_line = 0  # its text was its value, not stray
            if name in LISTED:
                parent.lists.setdefault(name, []).append((text, block.line))
            elif name in SEQUENCES.get(parent.name, ()):
                parent.values[name] = (text, block.line)
            return
        self._stray_text(self._line(), text)
        if name == "Source" and block.value("LEA") not in ("", self.la_code):
            raise _Refused(
                "la_code_matches_file",
                f"line {block.values['LEA'][1]}, {block.path}/LEA: the return is authority {block.value('LEA')!r} "
                f"but the file name declares {self.la_code!r}",
            )
        if name == "Child":
            self._flatten(block)
        else:
            parent.blocks.append(block)

    def _flatten(self, child: _Block) -> None:
        """The child's events as flat rows, each with the child's and its episode's details."""
        details: dict[str, str] = {}
        origins: dict[str, str] = {}  # where each value was read: a finding on it names that element
        for block in child.blocks:
            if block.name in CHILD_BLOCKS:
                details.update(block.flat())
                origins.update(block.origins())
        details["Disabilities"] = ",".join(
            text
            for b in child.blocks
            if b.name == "ChildCharacteristics"
            for text, _ in _leaves(b, "Disabilities", "Disability")
        )
        origins.update(_list_origins(child, "ChildCharacteristics", "Disabilities", "Disabilities"))
        child_id = details.get("LAchildID", "")
        first_row = len(self.rows) + 1
        for episode in (b for b in child.blocks if b.name == "CINdetails"):
            episode_origins = {**origins, **episode.origins()}
            self._events(child_id, episode, {**details, **episode.flat()}, episode_origins)
            for block in episode.blocks:
                values = {**details, **episode.flat(), **block.flat()}
                block_origins = {**episode_origins, **block.origins()}
                if block.name == "Assessments":
                    values["Factors"] = block.listed("FactorsIdentifiedAtAssessment", "AssessmentFactors")
                    block_origins.update(_list_origins(block, "FactorsIdentifiedAtAssessment", None, "Factors"))
                if block.name == "Section47":
                    # the enquiry's own conference, blank while none is held: never the episode's
                    values["DateOfInitialCPC"] = block.value("DateOfInitialCPC")
                if block.name in EVENTS:
                    self._events(child_id, block, values, block_origins)
                if block.name == "ChildProtectionPlans":
                    for reviews in (b for b in block.blocks if b.name == "Reviews"):
                        for position, (when, line) in enumerate(reviews.lists.get("CPPreviewDate", []), start=1):
                            self._row(
                                child_id,
                                values,
                                block_origins,
                                "CPPreviewDate",
                                when,
                                f"line {line}, {reviews.path}/CPPreviewDate[{position}]",
                            )
        has_rows = len(self.rows) >= first_row
        if not any(b.name == "ChildIdentifiers" for b in child.blocks):
            self.child_problems.append(
                ("xml_missing_element", f"line {child.line}, {child.path}: no <ChildIdentifiers>", "hold")
            )
        for rule, message, severity in self.child_problems:
            # A child's finding holds its first row (the delivery gate then holds all of the child's rows);
            # a child with no event has no row to hold, so the finding is listed only.
            self.violations.append(
                Violation(
                    self.file_name,
                    rule,
                    message,
                    row=first_row if has_rows else None,
                    subject=child_id or None,
                    severity=severity if has_rows else "warn",
                    location=message.split(": ", 1)[0],
                )
            )
        self.child_problems = []

    def _events(self, child_id: str, block: _Block, values: dict[str, str], origins: dict[str, str]) -> None:
        for event in EVENTS[block.name]:
            when, line = block.values.get(event, ("", block.line))
            if when:
                self._row(child_id, values, origins, event, when, f"line {line}, {block.path}/{event}")

    def _row(
        self, child_id: str, values: Mapping[str, str], origins: Mapping[str, str], event: str, when: str, where: str
    ) -> None:
        self.rows.append(
            {**{c: values.get(c, "") for c in FLAT_COLUMNS}, "LAchildID": child_id, "Date": when, "Type": event}
        )
        self.locations.append(where)
        self.value_locations.append(
            {c.lower(): origins[c] for c in FLAT_COLUMNS if c in origins} | {"date": where, "type": where}
        )

    def _problem(self, rule: str, message: str, severity: str) -> None:
        if any(b.name == "Child" for b in self.stack):
            self.child_problems.append((rule, message, severity))  # named with the child once it is read
        else:
            self.violations.append(
                Violation(self.file_name, rule, message, severity="warn", location=message.split(": ", 1)[0])
            )

    def _stray_text(self, line: int, text: str | None = None) -> None:
        text = "".join(self.text).strip() if text is None else text
        self.text = []
        line, self.text_line = self.text_line or line, 0
        if text and self.stack:
            shown = text if len(text) <= 40 else text[:37] + "..."
            self._problem(
                "xml_stray_text",
                f"line {line}, {self.stack[-1].path}: text {shown!r} between elements is ignored",
                "warn",
            )


def _list_origins(block: _Block, holder: str, leaf_holder: str | None, column: str) -> dict[str, str]:
    """Where a listed value (a child's disabilities, an assessment's factors) was read: its holder element."""
    holders = [b for b in block.blocks if b.name == holder]
    if leaf_holder is not None:
        holders = [inner for b in holders for inner in b.blocks if inner.name == leaf_holder]
    return {column: f"line {holders[0].line}, {holders[0].path}"} if holders else {}


def _leaves(block: _Block, holder: str, leaf: str) -> list[tuple[str, int]]:
    return [item for b in block.blocks if b.name == holder for item in b.lists.get(leaf, [])]


def _safe_parser(handler: ContentHandler, *, forbid_dtd: bool = True):
    parser = make_parser()
    parser.forbid_dtd = forbid_dtd  # defusedxml allows a DTD by default; DfE's return declares none
    parser.forbid_entities = True  # an entity bomb is refused at its first declaration, never expanded
    parser.forbid_external = True
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(handler)
    return parser


def read_return(data: bytes, file_name: str, la_code: str) -> ReturnAsCsv:
    """The census return as flat CSV bytes, each row's origin, and what only XML can get wrong."""
    handler = _CensusHandler(file_name, la_code)
    try:
        _safe_parser(handler).parse(io.BytesIO(data))
    except _Refused as refused:
        message = str(refused)
        return ReturnAsCsv(b"", [], [Violation(file_name, refused.rule, message, location=message.split(": ", 1)[0])])
    except DefusedXmlException as forbidden:
        return ReturnAsCsv(b"", [], [_forbidden(data, file_name, forbidden, handler._line())])
    except SAXParseException as error:
        where = f"line {error.getLineNumber()}, column {error.getColumnNumber()}"
        message = f"{where}: not well-formed XML ({error.getMessage()})"
        return ReturnAsCsv(b"", [], [Violation(file_name, "xml_malformed", message, location=where)])
    if not handler.rows:
        handler.violations.append(Violation(file_name, "xml_no_events", "the return holds no child with a dated event"))
    out = io.StringIO()
    writer = csv.DictWriter(out, FLAT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(handler.rows)
    return ReturnAsCsv(out.getvalue().encode("utf-8"), handler.locations, handler.violations, handler.value_locations)


class _StopAtRoot(Exception):
    pass


class _PrologHandler(ContentHandler):
    """Reads only the prolog (the DTD): stops at the root element, before any content."""

    def __init__(self):
        super().__init__()
        self.locator = None

    def setDocumentLocator(self, locator):
        self.locator = locator

    def startElement(self, name, attrs):
        raise _StopAtRoot


def _forbidden(data: bytes, file_name: str, forbidden: DefusedXmlException, line: int) -> Violation:
    """What the refused declaration is, by name. A DTD is refused at its start; read again with DTDs
    allowed but entities still refused, an entity declared in it is named (refused as it is declared,
    so never expanded nor fetched), else the DTD itself is."""
    if isinstance(forbidden, DTDForbidden):
        prolog = _PrologHandler()
        try:
            _safe_parser(prolog, forbid_dtd=False).parse(io.BytesIO(data))
        except EntitiesForbidden as entity:
            forbidden = entity
            line = prolog.locator.getLineNumber() if prolog.locator else line
        except (_StopAtRoot, SAXParseException, DefusedXmlException):
            pass
    where = f"line {line}"
    if isinstance(forbidden, EntitiesForbidden) and (forbidden.sysid or forbidden.pubid):
        reference = forbidden.sysid or forbidden.pubid
        rule = "xml_external_reference"
        message = f"declares entity {forbidden.name!r} as the external resource {reference!r}; refused, never fetched"
    elif isinstance(forbidden, EntitiesForbidden):
        rule = "xml_entity"
        message = (
            f"declares entity {forbidden.name!r}; refused, never expanded (an entity bomb is built of these; "
            "DfE's return declares none)"
        )
    elif isinstance(forbidden, DTDForbidden):
        rule = "xml_dtd"
        message = f"declares a DTD (<!DOCTYPE {forbidden.name}>); refused unread (DfE's return declares none)"
    else:
        rule = "xml_forbidden"
        message = f"{forbidden}; refused unread"
    return Violation(file_name, rule, f"{where}: {message}", location=where)


def with_locations(violations: list[Violation], returned: ReturnAsCsv) -> list[Violation]:
    """Add where in the XML each finding on a data row is, for the person fixing the return: the element
    of the value it names (a bad CINreferralDate is its own element, whichever event row repeats it),
    else the element of the row's event."""

    def where(v: Violation) -> str | None:
        if v.row is None or v.location is not None or not 0 < v.row <= len(returned.locations):
            return v.location
        values = returned.value_locations[v.row - 1] if v.row <= len(returned.value_locations) else {}
        return values.get(v.column or "") or returned.locations[v.row - 1]

    return [replace(v, location=where(v)) for v in violations]


# The writer ------------------------------------------------------------------------------------------
_BY_LOWER = {c.lower(): c for c in FLAT_COLUMNS}
_EPISODE_EVENTS = {event: block for block, events in EVENTS.items() for event in events}
_EPISODE_EVENTS["CPPreviewDate"] = "ChildProtectionPlans"
# What identifies a block of an episode among its rows: the date of its first event.
_BLOCK_KEY = {
    "Assessments": "AssessmentActualStartDate",
    "CINPlanDates": "CINPlanStartDate",
    "Section47": "S47ActualStartDate",
    "ChildProtectionPlans": "CPPstartDate",
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"  # DfE's rules 2885 and 8740 read only 1 and 0
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def write_return(
    rows: Iterable[Mapping], la_code: str, collection_year: int, serial_no: int = 1, software: str = "qa-warehouse"
) -> bytes:
    """Flat event rows (DfE's element names, in any case) as DfE's census XML for 1 April to 31 March of
    `collection_year` (the year the census period ends)."""
    children: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        flat = {_BY_LOWER[k.lower()]: _text(v) for k, v in row.items() if k.lower() in _BY_LOWER}
        children.setdefault(flat.get("LAchildID", ""), []).append(flat)
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n')
    out.write(
        _element(
            "Header",
            _element(
                "CollectionDetails",
                _leaf("Collection", "CIN")
                + _leaf("Year", str(collection_year))
                + _leaf("ReferenceDate", f"{collection_year}-03-31"),
            )
            + _element(
                "Source",
                _leaf("SourceLevel", "L")
                + _leaf("LEA", la_code)
                + _leaf("SoftwareCode", software)
                + _leaf("Release", "1")
                + _leaf("SerialNo", f"{serial_no:03d}")
                + _leaf("DateTime", f"{collection_year}-05-01T00:00:00"),
            ),
        )
    )
    out.write("<Children>\n")
    for child_rows in children.values():
        out.write(_child(child_rows))
    out.write("</Children>\n</Message>\n")
    return out.getvalue().encode("utf-8")


def _child(rows: list[dict[str, str]]) -> str:
    first = rows[0]
    identifiers = "".join(_leaf(name, first.get(name, "")) for name in SEQUENCES["ChildIdentifiers"])
    disabilities = [d for d in first.get("Disabilities", "").split(",") if d]
    characteristics = _leaf("Ethnicity", first.get("Ethnicity", "")) + (
        _element("Disabilities", "".join(_leaf("Disability", d) for d in disabilities)) if disabilities else ""
    )
    episodes: dict[str, list[dict[str, str]]] = {}
    for row in sorted(rows, key=lambda r: r.get("CINreferralDate", "")):
        episodes.setdefault(row.get("CINreferralDate", ""), []).append(row)
    body = _element("ChildIdentifiers", identifiers) + _element("ChildCharacteristics", characteristics)
    body += "".join(_episode(episode_rows) for episode_rows in episodes.values())
    return _element("Child", body)


def _episode(rows: list[dict[str, str]]) -> str:
    referral = next((r for r in rows if r["Type"] == "CINreferralDate"), rows[0])
    blocks: dict[str, dict[str, list[dict[str, str]]]] = {name: {} for name in _BLOCK_KEY}
    for row in rows:
        block = _EPISODE_EVENTS.get(row["Type"])
        if block in _BLOCK_KEY:
            blocks[block].setdefault(row.get(_BLOCK_KEY[block], ""), []).append(row)

    def leaves(source: Mapping[str, str], names: Iterable[str]) -> str:
        return "".join(_leaf(name, source.get(name, "")) for name in names)

    parts = {
        "Assessments": "".join(
            _element(
                "Assessments",
                leaves(group[0], SEQUENCES["Assessments"][:3])
                + (
                    _element("FactorsIdentifiedAtAssessment", "".join(_leaf("AssessmentFactors", f) for f in factors))
                    if (factors := [f for f in group[0].get("Factors", "").split(",") if f])
                    else ""
                ),
            )
            for group in blocks["Assessments"].values()
        ),
        "CINPlanDates": "".join(
            _element("CINPlanDates", leaves(_merged(group), SEQUENCES["CINPlanDates"]))
            for group in blocks["CINPlanDates"].values()
        ),
        "Section47": "".join(
            _element("Section47", leaves(group[0], SEQUENCES["Section47"])) for group in blocks["Section47"].values()
        ),
        "ChildProtectionPlans": "".join(
            _element(
                "ChildProtectionPlans",
                leaves(_merged(group), SEQUENCES["ChildProtectionPlans"][:5])
                + (
                    _element("Reviews", "".join(_leaf("CPPreviewDate", d) for d in reviews))
                    if (reviews := sorted(r["Date"] for r in group if r["Type"] == "CPPreviewDate"))
                    else ""
                ),
            )
            for group in blocks["ChildProtectionPlans"].values()
        ),
    }
    body = "".join(
        parts[name] if name in parts else _leaf(name, referral.get(name, "")) for name in SEQUENCES["CINdetails"]
    )
    return _element("CINdetails", body)


def _merged(rows: list[dict[str, str]], prefer: Mapping[str, str] | None = None) -> dict[str, str]:
    """The block's values across its event rows (a plan's end date is on its end row), `prefer` first."""
    merged: dict[str, str] = {}
    for row in ([dict(prefer)] if prefer else []) + rows:
        for name, value in row.items():
            if value and not merged.get(name):
                merged[name] = value
    return merged


def _leaf(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>\n" if text else ""


def _element(name: str, body: str) -> str:  # one element a line, so a finding's line points at it
    return f"<{name}>\n{body}</{name}>\n"


def in_census_year(row: Mapping[str, str], first_day: str) -> bool:
    """Whether a flat row (lower-case columns, dates yyyy-mm-dd) belongs in the return of the census year
    starting `first_day` (1 April), as DfE scopes the census: episodes open during the year, and of each
    what the year holds (assessments open or authorised in it, enquiries started in it, whose conference
    fell in it or that still await one, plans open in it, the year's reviews). A running extract holds
    years of history: DfE's validator is given only the year it judges."""

    def on_or_after(column: str) -> bool:
        return (row.get(column) or "") >= first_day

    def open_or_ended_in_year(column: str) -> bool:
        return not row.get(column) or on_or_after(column)

    if not open_or_ended_in_year("cinclosuredate"):
        return False
    event = row.get("type", "")
    if event.startswith("Assessment"):
        return open_or_ended_in_year("assessmentauthorisationdate")
    if event.startswith("CINPlan"):
        return open_or_ended_in_year("cinplanenddate")
    if event == "S47ActualStartDate":
        awaiting = not row.get("dateofinitialcpc") and row.get("icpcnotrequired") not in ("1", "true")
        return on_or_after("s47actualstartdate") or on_or_after("dateofinitialcpc") or awaiting
    if event in ("CPPstartDate", "CPPendDate"):
        return open_or_ended_in_year("cppenddate")
    if event == "CPPreviewDate":
        return open_or_ended_in_year("cppenddate") and on_or_after("date")
    return True
