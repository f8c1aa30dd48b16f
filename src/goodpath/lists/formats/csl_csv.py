"""US Consolidated Screening List (trade.gov CSL) CSV -> ParsedList.

One CSV with a header row; each row is one party on one of the US government lists the
CSL merges (SDN, Entity List, DPL, UVL, MEU, ISN, CMIC...). Two layouts exist:

* 2022 and later: ``_id`` first, then the 2019 columns. ``_id`` is the row's id.
* 2019: no ``_id``; the id is derived as ``<list abbreviation>:<entity_number>``, or for
  rows without an entity number ``<abbreviation>:<16 hex of sha1(name|addresses|FR notice)>``
  so that it stays the same from one version of the list to the next.

Multi-valued columns are ``"; "``-separated. The ``ids`` items are ``Type, value[, country]``
in current files but ``[country, ]value, Type`` in older ones; the order is detected per
file. Items that are attributes rather than identifiers (Gender, secondary sanctions
risk, listing dates...) go to the remarks.

The CSL repeats an ``_id`` when one party sits on several lists (an OFAC entity number on
SDN and on the CAPTA or NS-MBS list): identical rows are merged, different rows are kept
as separate entities with ``#2``, ``#3``... appended to the id, and both are noted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from goodpath.lists.formats.ofac_csv import country_code, gc_paused, normalize_identifier, parse_dob, parse_remarks
from goodpath.lists.records import (
    ListFormatError,
    ParsedAddress,
    ParsedEntity,
    ParsedIdentifier,
    ParsedLink,
    ParsedList,
    ParsedName,
    ParsedSanction,
    file_sha256,
)

FORMAT = "csl-csv"
DEFAULT_DATASET = "us-csl"

SNIFF_BYTES = 8192
SNIFF_COLUMNS = {"source", "entity_number", "name", "alt_names"}
# Every column the parser reads; a file without one of them is a layout we do not know.
REQUIRED_COLUMNS = (
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "ids",
)
KNOWN_COLUMNS = {"_id", "source_information_url", *REQUIRED_COLUMNS}
SEPARATOR = "; "

SCHEMAS = {
    "individual": "Person",
    "vessel": "Vessel",
    "aircraft": "Airplane",
    "entity": "LegalEntity",
    "": "LegalEntity",
}
# "ids" items that describe the party rather than identify it: kept in the remarks.
ATTRIBUTE_PREFIXES = (
    "gender",
    "secondary sanctions risk",
    "additional sanctions information",
    "transactions prohibited",
    "executive order",
    "target type",
    "organization established date",
    "organization type",
    "listing date",
    "effective date",
    "purchase/sales for divestment date",
    "issuer name",
    "caatsa section",
    "ifca determination",
    "vessel year of build",
    "former vessel flag",
    "other vessel flag",
    "other vessel call sign",
    "other vessel type",
    "aircraft manufacture date",
    "aircraft model",
    "aircraft operator",
    "aircraft mode s transponder code",
    "previous aircraft tail number",
)
COUNTRY_SCHEMES = ("nationality of registration", "nationality country", "registration country")
# Words that only ever name the kind of an "ids" item, used to tell the item order.
_TYPE_WORDS = {"gender", "website", "email address", "passport", "tax id no.", "registration id", "national id no."}

_ISO2 = re.compile(r"[A-Z]{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARENTHESES = re.compile(r"\(([^()]+)\)")


@dataclass
class _Record:
    line: int  # first line of the record
    row: dict[str, str]
    values: tuple[str, ...]  # the raw fields, to compare rows exactly


def source_abbreviation(source: str) -> str:
    """The list's own abbreviation, in parentheses in its name: "Entity List (EL) - ..." -> "EL"."""
    match = _PARENTHESES.search(source)
    if match:
        abbreviation = match.group(1).strip()
        return abbreviation[: -len(" List")] if abbreviation.endswith(" List") else abbreviation
    return source.split(" - ")[0].strip() or "CSL"


def _split(text: str) -> list[str]:
    """A "; "-separated column -> its distinct non-empty items."""
    items: list[str] = []
    for item in text.split(SEPARATOR):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items


def _normalized(text: str) -> str:
    return " ".join(text.casefold().split())


def _derived_id(row: dict[str, str]) -> str:
    abbreviation = source_abbreviation(row["source"])
    if row["entity_number"]:
        return f"{abbreviation}:{row['entity_number']}"
    # No number: hash what identifies the row in every version of the list.
    key = "|".join(_normalized(row[c]) for c in ("name", "addresses", "federal_register_notice"))
    return f"{abbreviation}:{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


# ------------------------------------------------------------------------- reading


def _decode(path: Path, notes: list[str]) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        notes.append(f"{path.name} is not UTF-8 (byte {exc.start}); read as cp1252")
        return raw.decode("cp1252", errors="replace")


def _read_records(path: Path, notes: list[str]) -> tuple[list[str], list[_Record]]:
    reader = csv.reader(io.StringIO(_decode(path, notes), newline=""), strict=True)
    header: list[str] | None = None
    records: list[_Record] = []
    repeated_headers: list[int] = []
    start = 1
    try:
        for fields in reader:
            end = reader.line_num
            if not any(f.strip() for f in fields):
                start = end + 1
                continue
            if header is None:
                header = _check_header(path, [f.strip().lower() for f in fields], end, notes)
            elif len(fields) != len(header):
                raise ListFormatError(
                    path,
                    f"line {end}",
                    f"expected {len(header)} fields, found {len(fields)} (malformed row, or the file is cut short)",
                )
            else:
                row = dict(zip(header, (f.strip() for f in fields), strict=True))
                if row["source"].lower() == "source":
                    repeated_headers.append(start)
                else:
                    records.append(_Record(start, row, tuple(fields)))
            start = end + 1
    except csv.Error as exc:
        raise ListFormatError(
            path, f"line {reader.line_num}", f"malformed CSV ({exc}): unterminated quote or truncated file"
        ) from None
    if header is None:
        raise ListFormatError(path, "line 1", "the file is empty: no header row")
    if not records:
        # A list with no parties is never real; importing it would remove every entry.
        raise ListFormatError(path, f"line {reader.line_num}", "no data rows after the header")
    if repeated_headers:
        lines = ", ".join(str(n) for n in repeated_headers)
        notes.append(f"{len(repeated_headers)} repeated header rows skipped (line {lines})")
    return header, records


def _check_header(path: Path, header: list[str], line: int, notes: list[str]) -> list[str]:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ListFormatError(path, f"line {line}", f"header lacks the columns: {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise ListFormatError(path, f"line {line}", "header names a column twice")
    extra = [c for c in header if c not in KNOWN_COLUMNS]
    if extra:
        notes.append(f"columns not read: {', '.join(extra)}")
    return header


# ------------------------------------------------------------------------------ ids


def _is_type_word(part: str) -> bool:
    return part.endswith((":", " -")) or part.lower() in _TYPE_WORDS


def _ids_type_first(records: list[_Record]) -> bool:
    """True when "ids" items read "Type, value, country" (current), False for the older
    "country, value, Type"; decided by a vote over the whole file."""
    votes = 0
    for record in records:
        for item in _split(record.row["ids"]):
            parts = item.split(", ")
            if len(parts) < 2:
                continue
            long_item = len(parts) >= 3
            if _is_type_word(parts[0]) or long_item and _ISO2.fullmatch(parts[-1]):
                votes += 1
            if _is_type_word(parts[-1]) or long_item and _ISO2.fullmatch(parts[0]):
                votes -= 1
    return votes >= 0


@dataclass
class _Ids:
    identifiers: list[ParsedIdentifier]
    countries: list[str]
    remarks: list[str]


def _read_ids(text: str, type_first: bool) -> _Ids:
    result = _Ids([], [], [])
    for item in _split(text):
        parts = [p.strip() for p in item.split(", ")]
        if len(parts) < 2:
            result.remarks.append(f"ID: {item}")
            continue
        scheme, rest = (parts[0], parts[1:]) if type_first else (parts[-1], parts[:-1])
        country_part = (rest[-1] if type_first else rest[0]) if len(rest) >= 2 else ""
        country = country_code(country_part) if _ISO2.fullmatch(country_part) else None
        if country:
            rest = rest[:-1] if type_first else rest[1:]
        value = ", ".join(rest)
        key = scheme.rstrip(":- ").lower()
        if key.startswith(ATTRIBUTE_PREFIXES):
            result.remarks.append(f"{scheme.rstrip(':- ')}: {value}")
        elif key in COUNTRY_SCHEMES:
            code = country_code(value)
            if code and code not in result.countries:
                result.countries.append(code)
            if not code:
                result.remarks.append(f"{scheme}: {value}")
        else:
            scheme, value = normalize_identifier(scheme, value)
            identifier = ParsedIdentifier(scheme, value, country)
            if identifier not in result.identifiers:
                result.identifiers.append(identifier)
    return result


# ------------------------------------------------------------------------- entities


def _address(text: str) -> ParsedAddress:
    last = text.rsplit(",", 1)[-1].strip()
    country = country_code(last) if _ISO2.fullmatch(last) else None
    return ParsedAddress(full=text, country=country)


def _iso_date(value: str, label: str, remarks: list[str]) -> str | None:
    if not value:
        return None
    if _ISO_DATE.fullmatch(value):
        return value
    remarks.append(f"{label}: {value}")  # not a date we can read; keep the text
    return None


def _sanctions(row: dict[str, str], remarks: list[str]) -> list[ParsedSanction]:
    source = row["source"]
    conditions = "; ".join(
        f"{label}: {row[column]}"
        for label, column in (
            ("Standard order", "standard_order"),
            ("License requirement", "license_requirement"),
            ("License policy", "license_policy"),
        )
        if row[column]
    )
    start = _iso_date(row["start_date"], "Start date", remarks)
    end = _iso_date(row["end_date"], "End date", remarks)
    programs = _split(row["programs"]) or [source_abbreviation(source)]
    return [
        ParsedSanction(
            program=program,
            list_name=source,
            start_date=start,
            end_date=end,
            citation=row["federal_register_notice"] or None,
            source_url=row["source_list_url"] or None,
            remarks=conditions or None,
        )
        for program in programs
    ]


def _countries(row: dict[str, str], ids: _Ids) -> list[str]:
    countries: list[str] = []
    for text in _split(row["citizenships"]) + _split(row["nationalities"]) + _split(row["vessel_flag"]):
        code = country_code(text)
        if code and code not in countries:
            countries.append(code)
    return countries + [c for c in ids.countries if c not in countries]


def _entity(external_id: str, record: _Record, type_first: bool, unknown_types: dict[str, int]) -> ParsedEntity:
    row = record.row
    schema = SCHEMAS.get(row["type"].lower())
    if schema is None:
        unknown_types[row["type"]] = unknown_types.get(row["type"], 0) + 1
        schema = "LegalEntity"
    ids = _read_ids(row["ids"], type_first)
    remark_info = parse_remarks(row["remarks"])  # the OFAC "(Linked To: X)" clauses

    names = [ParsedName(row["name"], "primary")] if row["name"] else []
    for alias in _split(row["alt_names"]):
        if not any(n.value == alias for n in names):
            names.append(ParsedName(alias, "alias"))
    for name in remark_info.names:
        if not any(n.value == name.value for n in names):
            names.append(name)

    identifiers = [ParsedIdentifier("Call Sign", row["call_sign"])] if row["call_sign"] else []
    identifiers += [i for i in ids.identifiers if i not in identifiers]
    birth_dates: list[str] = []
    for text in _split(row["dates_of_birth"]):
        birth_dates += [d for d in parse_dob(text) if d not in birth_dates]
    links = list(remark_info.links)
    if row["vessel_owner"]:
        links.append(ParsedLink("owned_by", target_name=row["vessel_owner"]))

    remarks = [
        f"{label}: {row[column]}"
        for label, column in (
            ("Title", "title"),
            ("Remarks", "remarks"),
            ("Place of birth", "places_of_birth"),
            ("Vessel Type", "vessel_type"),
            ("Tonnage", "gross_tonnage"),
            ("GRT", "gross_registered_tonnage"),
            ("Vessel Flag", "vessel_flag"),
            ("Vessel Owner", "vessel_owner"),
        )
        if row[column]
    ]
    sanctions = _sanctions(row, remarks)
    remarks += ids.remarks
    number = row["entity_number"]
    return ParsedEntity(
        external_id=external_id,
        schema=schema,
        names=names,
        addresses=[_address(a) for a in _split(row["addresses"])],
        identifiers=identifiers,
        countries=_countries(row, ids),
        birth_dates=birth_dates,
        sanctions=sanctions,
        links=links,
        remarks="\n".join(remarks) or None,
        # OFAC's SDN and non-SDN lists share one entity-number space.
        link_key=f"ofac:{number}" if number and "Treasury Department" in row["source"] else None,
        source_line=record.line,
    )


def _assign_ids(records: list[_Record], notes: list[str]) -> list[tuple[str, _Record]]:
    """Give every record an external id: merge identical duplicates, number the others."""
    groups: dict[str, list[_Record]] = {}
    missing_id = 0
    for record in records:
        external_id = record.row.get("_id", "")
        if not external_id:
            if "_id" in record.row:
                missing_id += 1
            external_id = _derived_id(record.row)
        groups.setdefault(external_id, []).append(record)

    assigned: list[tuple[str, _Record]] = []
    merged: list[str] = []
    renamed: list[str] = []
    for external_id, group in groups.items():
        distinct: list[_Record] = []
        for record in group:
            if any(record.values == kept.values for kept in distinct):
                merged.append(external_id)
            else:
                distinct.append(record)
        # Sort by list so the numbering does not depend on the row order of the export.
        distinct.sort(key=lambda r: (r.row["source"], r.line))
        for number, record in enumerate(distinct, start=1):
            final_id = external_id if number == 1 else f"{external_id}#{number}"
            if number > 1:
                renamed.append(final_id)
            assigned.append((final_id, record))
    assigned.sort(key=lambda pair: pair[1].line)

    if missing_id:
        notes.append(f"{missing_id} rows without an _id: derived ids used")
    if merged:
        notes.append(
            f"{len(merged)} duplicate rows merged (identical to another row with the same id: {', '.join(merged)})"
        )
    if renamed:
        shared = len({i.split("#")[0] for i in renamed})
        notes.append(
            f"{shared} ids are carried by different rows; the {len(renamed)} extra rows are kept "
            f"as separate entities: {', '.join(renamed)}"
        )
    return assigned


def parse(path: Path) -> ParsedList:
    with gc_paused():
        return _parse(Path(path))


def _parse(path: Path) -> ParsedList:
    if not path.is_file():
        raise ListFormatError(path, "path", "not a file")
    notes: list[str] = []
    _header, records = _read_records(path, notes)
    type_first = _ids_type_first(records)
    unknown_types: dict[str, int] = {}
    entities = [
        _entity(external_id, record, type_first, unknown_types) for external_id, record in _assign_ids(records, notes)
    ]
    for kind, count in sorted(unknown_types.items()):
        notes.append(f"{count} rows of unknown type {kind!r} read as LegalEntity")
    return ParsedList(
        format=FORMAT,
        default_dataset=DEFAULT_DATASET,
        entities=entities,
        files=[file_sha256(path)],
        notes=notes,
        # The latest start_date is not a publication date; the CSV states none.
        published=None,
    )


def sniff(path: Path) -> bool:
    """A CSV file whose header names the CSL columns."""
    path = Path(path)
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    lines = head.decode("utf-8-sig", errors="replace").splitlines()
    if not lines:
        return False
    try:
        header = next(csv.reader([lines[0]]), [])
    except csv.Error:
        return False
    return SNIFF_COLUMNS <= {column.strip().lower() for column in header}
