"""OFAC legacy SDN CSV files -> ParsedList.

OFAC publishes the SDN list as four header-less CSV files that share the entry number
``ent_num``:

* ``sdn.csv``: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
  Tonnage, GRT, Vess_flag, Vess_owner, Remarks
* ``add.csv``: ent_num, add_num, address, city/state/zip, country, add_remarks
* ``alt.csv``: ent_num, alt_num, alt_type, alt_name, alt_remarks
* ``sdn_comments.csv``: ent_num, continuation of a Remarks field cut at 1000 characters

Empty values are written ``-0-`` (with a trailing space), every text value is quoted,
the text is cp1252 and modern files end with a 0x1A byte. ``parse`` takes the folder or
the sdn.csv file itself (then its sibling files are used when present). Without add.csv
or alt.csv the list cannot say what the addresses or aliases are, so those fields are
reported in ``unknown_fields`` and the importer keeps the previous values.

The Remarks field is a ``;``-separated list of clauses (``DOB 18 Sep 1972``,
``nationality China``, ``Passport X (Country)``, ``a.k.a. 'X'``, ``Linked To: NAME``...).
:func:`parse_remarks` reads what it recognises and never fails; the remarks text itself is
always kept whole, so nothing the parser does not understand is lost.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from followthemoney.types import registry

from goodpath.lists.records import (
    ListFormatError,
    ParsedAddress,
    ParsedEntity,
    ParsedIdentifier,
    ParsedLink,
    ParsedList,
    ParsedName,
    ParsedSanction,
    SourceFile,
    file_sha256,
)

FORMAT = "ofac-csv"
DEFAULT_DATASET = "us-ofac-sdn"
LIST_NAME = "Specially Designated Nationals (SDN) - Treasury Department"

SDN_FILE = "sdn.csv"
ADD_FILE = "add.csv"
ALT_FILE = "alt.csv"
COMMENTS_FILE = "sdn_comments.csv"
SDN_WIDTH, ADD_WIDTH, ALT_WIDTH, COMMENTS_WIDTH = 12, 6, 5, 2

SNIFF_BYTES = 4096
EMPTY_MARK = "-0-"
# What is left of the "-0- " marker when a file is cut inside it; OFAC never writes an
# unquoted empty value either, so all three at the very end of a file mean a cut.
_CUT_MARKS = ("", "-", "-0")
EOF_CHAR = "\x1a"

SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "LegalEntity"}
# alt.csv alt_type -> name kind ("nka" = now known as: a current alias).
ALT_KINDS = {"aka": "alias", "fka": "former", "nka": "alias"}
# Remarks a.k.a. forms: OFAC keeps its weak ("low quality") a.k.a.s only in the remarks.
REMARK_NAME_KINDS = {"a": "weak_alias", "f": "former", "n": "weak_alias"}

_FALLBACK_ERRORS = "goodpath-latin1"


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; read them as Latin-1 rather than fail the list.
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_FALLBACK_ERRORS, _latin1_fallback)


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """Country name or code -> ISO 3166-1 alpha-2 lower case, or None if unknown."""
    text = text.strip()
    if not text or len(text) > 100:
        return None
    code = registry.country.clean_text(text)
    return code.lower() if code else None


def _value(text: str) -> str:
    text = text.strip()
    return "" if text == EMPTY_MARK else text


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors=_FALLBACK_ERRORS)
    return raw.decode("cp1252", errors=_FALLBACK_ERRORS)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a list is parsed.

    Parsing allocates about a million small objects and no reference cycles; with the
    collector on, it rescans the growing heap over and over (a third of the parse time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _find_file(folder: Path, name: str) -> Path | None:
    """The file called ``name`` in ``folder``, ignoring case (OFAC also ships SDN.CSV)."""
    exact = folder / name
    if exact.is_file():
        return exact
    try:
        for child in folder.iterdir():
            if child.name.lower() == name and child.is_file():
                return child
    except OSError:
        return None
    return None


# ------------------------------------------------------------------------- reading


@dataclass
class _Row:
    line: int  # first line of the record
    end_line: int
    fields: list[str]


@dataclass
class _Table:
    path: Path
    rows: list[_Row]
    # The last record has no line break or 0x1A after it and its last field is a cut
    # "-0- " marker: the file may have been cut there.
    cut_tail: bool = False


def _read_table(path: Path, width: int) -> _Table:
    text = _decode(path.read_bytes())
    body = text.rstrip("\r\n")
    ended_with_eof_char = body.endswith(EOF_CHAR)
    if ended_with_eof_char:
        text = body[: -len(EOF_CHAR)]
    terminated = ended_with_eof_char or text.endswith(("\n", "\r"))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    start = 1
    try:
        for fields in reader:
            end = reader.line_num
            if fields:
                if len(fields) != width:
                    raise ListFormatError(
                        path,
                        f"line {end}",
                        f"expected {width} fields, found {len(fields)} (malformed row, or the file is cut short)",
                    )
                rows.append(_Row(start, end, fields))
            start = end + 1
    except csv.Error as exc:
        raise ListFormatError(
            path, f"line {reader.line_num}", f"malformed CSV ({exc}): unterminated quote or truncated file"
        ) from None
    cut_tail = bool(rows) and not terminated and rows[-1].fields[-1].strip() in _CUT_MARKS
    return _Table(path, rows, cut_tail)


def _ent_num(table: _Table, row: _Row) -> str:
    ent_num = row.fields[0].strip()
    if not (ent_num.isascii() and ent_num.isdigit()):
        raise ListFormatError(table.path, f"line {row.end_line}", f"ent_num {ent_num!r} is not a number")
    return str(int(ent_num))


def _check_cut_tail(table: _Table, last_ent_num: int, notes: list[str]) -> None:
    """Refuse a companion file that ends inside its last record, unless nothing can follow.

    Companion files are sorted by ent_num; when the damaged last record belongs to the
    highest entry of sdn.csv no rows can be missing after it, so only the end marker was
    lost (the 2019 add.csv ends "...,-0"). Anything else is a cut file.
    """
    if not table.cut_tail:
        return
    row = table.rows[-1]
    if int(_ent_num(table, row)) == last_ent_num and row.fields[-1].strip() != "":
        row.fields[-1] = EMPTY_MARK  # what the cut marker stood for
        notes.append(
            f"{table.path.name} line {row.end_line}: the file ends inside the '-0- ' empty marker; "
            f"the row is kept because it belongs to the last SDN entry ({last_ent_num}), so no rows can be missing"
        )
        return
    raise ListFormatError(table.path, f"line {row.end_line}", "the file ends inside a value: it is truncated")


# ------------------------------------------------------------------------- remarks


@dataclass
class RemarksInfo:
    """What :func:`parse_remarks` recognised in one Remarks text."""

    names: list[ParsedName] = field(default_factory=list)
    identifiers: list[ParsedIdentifier] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    links: list[ParsedLink] = field(default_factory=list)


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_AKA = re.compile(r"([afn])\.k\.a\.,?\s*'(.+)'\W*$", re.I)
_AKA_ANYWHERE = re.compile(r"\b([afn])\.k\.a\.,?\s*'([^']+)'", re.I)
_COUNTRY = re.compile(r"(?:nationality of registration|nationality|citizen)\s+(.+)$", re.I)
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.)\s+", re.I)
_DIGITAL_CURRENCY = re.compile(r"Digital Currency Address\s*-\s*([A-Za-z0-9]+)\s+(\S+)$")
_DATE_TEXT = re.compile(r"(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\.?\s+)?(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_YEAR_RANGE = re.compile(r"(\d{4})\s*-\s*(\d{4})")
_RANGE = re.compile(r"(.+?)\s+to\s+(.+)", re.I)
# A final "." ends OFAC remarks, unless the last word is an abbreviation that owns it
# ("Linked To: PERSIAN GULF PETROCHEMICAL INDUSTRY CO.").
# The abbreviation must start a word, so that "Email Address x@y.co." still loses its ".".
_ABBREVIATION_END = re.compile(
    r"(?:^|(?<=\s))(?:(?:[A-Za-z]\.){2,}|(?:CO|INC|LTD|LTDA|CORP|CIA|JR|SR|CV|SA|LLC|PLC|BHD|ST|NO)\.)$", re.I
)

# Identifier kinds OFAC writes as "<scheme> <value> (<country>)".
_ID_SCHEMES = (
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Tail Number",
    "Unified Social Credit Code (USCC)",
    "Economic Register Number (CBLS)",
    "Vessel Registration Identification",
    "Business Registration Document #",
    "Central Registration System Number",
    "Business Registration Number",
    "Commercial Registry Number",
    "Chamber of Commerce Number",
    "Government Gazette Number",
    "Public Registration Number",
    "Stateless Person Passport",
    "Travel Document Number",
    "Identification Number",
    "Birth Certificate Number",
    "Electoral Registry No.",
    "Matricula Mercantil No",
    "Folio Mercantil No.",
    "Registration Number",
    "Legal Entity Number",
    "Diplomatic Passport",
    "Driver's License No.",
    "Trade License No.",
    "Italian Fiscal Code",
    "Personal ID Card",
    "National ID No.",
    "Registration ID",
    "D-U-N-S Number",
    "Company Number",
    "Business Number",
    "Email Address",
    "Telephone Number",
    "Telephone No.",
    "Phone Number",
    "Fax Number",
    "Phone No.",
    "Fax No.",
    "V.A.T. Number",
    "Cedula No.",
    "Tax ID No.",
    "SWIFT/BIC",
    "Telephone",
    "BIK (RU)",
    "C.R. No.",
    "C.U.R.P.",
    "C.U.I.T.",
    "LE Number",
    "Passport",
    "Website",
    "US FEIN",
    "License",
    "R.F.C.",
    "D.N.I.",
    "NIT #",
    "RUC #",
    "RIF #",
    "ISIN",
    "MMSI",
    "IMO",
    "RFC",
    "SSN",
    "Fax",
)
# Scheme candidates by first word, longest first ("Passport" must not take "Passport No."):
# a dict lookup is much faster than one big alternation regex.
_SCHEMES_BY_FIRST_WORD: dict[str, list[str]] = {}
for _scheme in sorted(_ID_SCHEMES, key=len, reverse=True):
    _SCHEMES_BY_FIRST_WORD.setdefault(_scheme.split(" ", 1)[0], []).append(_scheme)
# Other "<something> No./Number/ID/#" identifiers, e.g. "Kuwaiti National ID No. 2810205".
_GENERIC_ID = re.compile(
    r"(?P<scheme>[A-Z][\w.'/&-]*(?:\s+[\w.'/&()-]+){0,5}?\s+(?:No\.?|Number|ID|#))\s+(?P<rest>\S*\d.*)$"
)
_ID_REST = re.compile(
    r"(?P<value>.+?)(?:\s+\((?P<paren>[^()]+)\))?"
    r"(?P<note>\s+(?:issued|expires|expiration date|issue date|valid)\b.*)?$",
    re.I | re.S,
)
_PROGRAM_SEPARATOR = re.compile(r"\]\s*\[")
_IMO_VALUE = re.compile(r"IMO\s*(\d+)$")
_SCHEME_ALIASES = {"Unified Social Credit Code (USCC)": "USCC"}


def normalize_identifier(scheme: str, value: str) -> tuple[str, str]:
    """Spell schemes the same way in every list (OFAC, CSL): USCC, IMO..."""
    scheme = scheme.strip().rstrip(":-").strip()
    value = value.strip()
    scheme = _SCHEME_ALIASES.get(scheme, scheme)
    imo = _IMO_VALUE.match(value)
    if imo and scheme in ("Vessel Registration Identification", "Identification Number", "IMO"):
        return "IMO", imo.group(1)
    if imo and scheme == "Company Number":
        return "IMO Company Number", imo.group(1)
    return scheme, value


def _date_parts(text: str) -> tuple[int, int | None, int | None] | None:
    text = text.strip()
    match = _DATE_ISO.fullmatch(text)
    if match:
        year, month, day = match.groups()
        return int(year), int(month) if month else None, int(day) if day else None
    match = _DATE_TEXT.fullmatch(text)
    if not match:
        return None
    day, month_name, year = match.groups()
    month = _MONTHS.get(month_name.lower()) if month_name else None
    if month_name and month is None:
        return None
    return int(year), month, int(day) if day and month else None


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}"
    if day is not None:
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            pass  # e.g. "31 Feb": keep what is certain, the month
    return f"{year:04d}-{month:02d}"


def parse_dob(text: str) -> list[str]:
    """``18 Sep 1972`` / ``Sep 1972`` / ``1972`` / ``circa 1960`` / ranges -> ISO (partial)."""
    text = _CIRCA.sub("", text.strip()).strip()
    match = _RANGE.fullmatch(text) or _YEAR_RANGE.fullmatch(text)
    if match:
        first, last = _date_parts(match.group(1)), _date_parts(match.group(2))
        if first is None or last is None:
            return []
        if first == last or first[:2] == last[:2] and first[1] is not None:
            value = _iso(first[0], first[1], first[2] if first == last else None)
            return [value] if value else []
        if 0 <= last[0] - first[0] <= 10:
            # A span of years: any of them may match, so list each one.
            return [y for y in (_iso(year, None, None) for year in range(first[0], last[0] + 1)) if y]
        return [y for y in (_iso(first[0], None, None), _iso(last[0], None, None)) if y]
    parts = _date_parts(text)
    value = _iso(*parts) if parts else None
    return [value] if value else []


def _strip_final_period(text: str) -> str:
    # Only the tail can hold the abbreviation; searching the whole text is slow.
    if text.endswith(".") and not _ABBREVIATION_END.search(text[-40:]):
        return text[:-1]
    return text


def _known_scheme(body: str) -> tuple[str, str] | None:
    for scheme in _SCHEMES_BY_FIRST_WORD.get(body.split(" ", 1)[0], ()):
        if body.startswith(scheme) and body[len(scheme) : len(scheme) + 1].isspace():
            rest = body[len(scheme) :].strip()
            if rest:
                return scheme, rest
    return None


def _generic_scheme(body: str) -> tuple[str, str] | None:
    if not ("No" in body or "Number" in body or "ID" in body or "#" in body):
        return None  # spares the regex for the many clauses that cannot match
    match = _GENERIC_ID.match(body)
    return (match.group("scheme"), match.group("rest")) if match else None


def _identifier(clause: str) -> ParsedIdentifier | None:
    body = clause[5:] if clause.startswith("alt. ") else clause
    if body.startswith("Digital Currency Address"):
        match = _DIGITAL_CURRENCY.match(body)
        if match:
            return ParsedIdentifier(f"Digital Currency Address - {match.group(1)}", match.group(2))
    found = _known_scheme(body) or _generic_scheme(body)
    if not found:
        return None
    rest = _ID_REST.match(found[1])
    if not rest:
        return None
    value, paren, note = rest.group("value"), rest.group("paren"), rest.group("note")
    country = country_code(paren) if paren else None
    notes = [part.strip() for part in (paren if paren and not country else None, note) if part]
    scheme, value = normalize_identifier(found[0], value)
    if not value:
        return None
    return ParsedIdentifier(scheme, value, country, "; ".join(notes) or None)


def _linked_target(clause: str) -> str:
    # The CSL wraps the clause in parentheses: "(Linked To: X (ABBR))"; OFAC does not.
    clause = clause.strip()
    if clause.startswith("(") and clause.endswith(")"):
        clause = clause[1:-1]
    return clause.partition("Linked To:")[2].strip()


def _add_unique(items: list, item) -> None:
    if item not in items:
        items.append(item)


def _read_clause(clause: str, info: RemarksInfo) -> None:
    # Cheap prefix tests pick the reader; most clauses are DOB, Linked To, a.k.a. or an id.
    body = clause[5:] if clause.startswith("alt. ") else clause
    if body[1:6].lower() == ".k.a.":
        match = _AKA.match(body)
        if match:
            name = match.group(2).strip()
            if name:
                _add_unique(info.names, ParsedName(name, REMARK_NAME_KINDS[match.group(1).lower()]))
            return
    elif "Linked To:" in body[:12]:
        target = _linked_target(body)
        if target:
            _add_unique(info.links, ParsedLink("linked_to", target_name=target))
        return
    elif body.startswith("DOB "):
        for value in parse_dob(body[4:]):
            _add_unique(info.birth_dates, value)
        return
    elif body[:12].lower().startswith(("nationality ", "citizen ")):
        match = _COUNTRY.match(body)
        if match:
            code = country_code(match.group(1))
            if code:
                _add_unique(info.countries, code)
            return
    identifier = _identifier(clause)
    if identifier:
        _add_unique(info.identifiers, identifier)
        return
    if ".k.a." in clause:
        # An a.k.a. inside a clause of another shape, e.g. "(a.k.a. 'X')".
        for kind, name in _AKA_ANYWHERE.findall(clause):
            if name.strip():
                _add_unique(info.names, ParsedName(name.strip(), REMARK_NAME_KINDS[kind.lower()]))


def parse_remarks(text: str) -> RemarksInfo:
    """Read the clauses of an OFAC Remarks text. Never raises on any input."""
    info = RemarksInfo()
    for clause in _strip_final_period(text.strip()).split(";"):
        clause = clause.strip()
        if clause:
            _read_clause(clause, info)
    return info


# ------------------------------------------------------------------------ entities


def split_programs(text: str) -> list[str]:
    """``NPWMD] [IFSR`` -> ["NPWMD", "IFSR"]: OFAC joins programs with "] [" in one field."""
    programs: list[str] = []
    for part in _PROGRAM_SEPARATOR.split(text):
        program = part.strip().strip("[]").strip()
        if program and program not in programs:
            programs.append(program)
    return programs


@dataclass
class _Entry:
    row: _Row
    remarks: str  # raw Remarks field plus any sdn_comments.csv continuation
    addresses: list[ParsedAddress] = field(default_factory=list)
    aliases: list[ParsedName] = field(default_factory=list)


def _address(fields: list[str]) -> ParsedAddress | None:
    street, city, country, remarks = (_value(v) for v in fields[2:6])
    full = ", ".join(part for part in (street, city, country) if part)
    if not full:
        return None
    return ParsedAddress(
        full=full,
        street=street or None,
        city=city or None,
        country=country_code(country) if country else None,
        remarks=remarks or None,
    )


def _alias(fields: list[str]) -> ParsedName | None:
    alt_type, name, remarks = _value(fields[2]).lower(), _value(fields[3]), _value(fields[4]).lower()
    if not name:
        return None
    if "weak" in alt_type or "weak" in remarks:
        return ParsedName(name, "weak_alias")
    return ParsedName(name, ALT_KINDS.get(alt_type.replace(".", ""), "alias"))


def _vessel_details(call_sign: str, vess_type: str, tonnage: str, grt: str, flag: str, owner: str) -> list[str]:
    labelled = (
        ("Call Sign", call_sign),
        ("Vessel Type", vess_type),
        ("Tonnage", tonnage),
        ("GRT", grt),
        ("Vessel Flag", flag),
        ("Vessel Owner", owner),
    )
    return [f"{label}: {value}" for label, value in labelled if value]


# "Listing Date (EO 14024 Directive 2): 24 Feb 2022", "Effective Date (CMIC): 03 Jun 2021" in the remarks.
_REMARK_DATE = re.compile(
    r"\b(Listing|Effective|Designation) Date \(([^)]{1,80})\):\s*(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})", re.I
)


def remark_dates(remarks: str | None) -> list[tuple[str, str]]:
    """The (label, ISO date) pairs of the listing / effective dates OFAC writes in an entry's remarks."""
    out = []
    for _kind, label, day, month_name, year in _REMARK_DATE.findall(remarks or ""):
        month = _MONTHS.get(month_name.lower())
        if month and 1 <= int(day) <= 31:
            try:
                out.append((label, date(int(year), month, int(day)).isoformat()))
            except ValueError:
                continue
    return out


def _sanctions(programs: list[str], remarks: str | None) -> list[ParsedSanction]:
    """One sanction per programme, dated where the remarks date it: a label naming the programme's order
    (e.g. "EO 14024" for RUSSIA-EO14024), or the one date of an entry under one programme. The earliest
    date a programme gets is its start (the entry was listed under it by then)."""
    dates = remark_dates(remarks)
    out = []
    for program in programs:
        digits = re.findall(r"\d{4,5}", program)
        mine = [d for label, d in dates if digits and any(n in label for n in digits)]
        if not mine and len(programs) == 1 and dates:
            mine = [d for _, d in dates]
        out.append(ParsedSanction(program, list_name=LIST_NAME, start_date=min(mine) if mine else None))
    return out


def _build_entity(ent_num: str, entry: _Entry, unknown_types: dict[str, int]) -> ParsedEntity:
    fields = [_value(v) for v in entry.row.fields]
    name, sdn_type, programs, title = fields[1:5]
    call_sign, vess_type, tonnage, grt, flag, owner = fields[5:11]
    schema = SCHEMAS.get(sdn_type.lower())
    if schema is None:
        unknown_types[sdn_type] = unknown_types.get(sdn_type, 0) + 1
        schema = "LegalEntity"
    remarks = entry.remarks.strip()
    info = parse_remarks(remarks)

    names = [ParsedName(name, "primary")] if name else []
    for alias in entry.aliases + info.names:
        if not any(existing.value == alias.value for existing in names):
            names.append(alias)
    identifiers = [ParsedIdentifier("Call Sign", call_sign)] if call_sign else []
    identifiers += [i for i in info.identifiers if i not in identifiers]
    countries = list(info.countries)
    flag_code = country_code(flag) if flag else None
    if flag_code and flag_code not in countries:
        countries.append(flag_code)
    links = list(info.links)
    if owner:
        links.append(ParsedLink("owned_by", target_name=owner))

    remark_parts = ([f"Title: {title}"] if title else []) + _vessel_details(
        call_sign, vess_type, tonnage, grt, flag, owner
    )
    if remarks:
        remark_parts.append(remarks)

    return ParsedEntity(
        external_id=ent_num,
        schema=schema,
        names=names,
        addresses=entry.addresses,
        identifiers=identifiers,
        countries=countries,
        birth_dates=info.birth_dates,
        sanctions=_sanctions(split_programs(programs), remarks),
        links=links,
        remarks="\n".join(remark_parts) or None,
        link_key=f"ofac:{ent_num}",
        source_line=entry.row.line,
    )


# ------------------------------------------------------------------------- the files


def _locate(path: Path) -> tuple[Path, dict[str, Path | None]]:
    """The sdn.csv to read and the companion files next to it (None when absent)."""
    if path.is_dir():
        sdn = _find_file(path, SDN_FILE)
        if sdn is None:
            raise ListFormatError(path, "folder", f"no {SDN_FILE} in this folder")
    elif path.is_file():
        sdn = path
    else:
        raise ListFormatError(path, "path", "no such file or folder")
    companions: dict[str, Path | None] = dict.fromkeys((ADD_FILE, ALT_FILE, COMMENTS_FILE))
    # Siblings belong to this sdn.csv only when it carries OFAC's own name; a renamed
    # file (e.g. sdn_2024-05-03.csv) may sit next to companions of another version.
    if sdn.name.lower() == SDN_FILE:
        for name in companions:
            companions[name] = _find_file(sdn.parent, name)
    return sdn, companions


def _read_sdn(path: Path) -> dict[str, _Entry]:
    table = _read_table(path, SDN_WIDTH)
    if not table.rows:
        raise ListFormatError(path, "line 1", "no SDN entries: the file is empty")
    if table.cut_tail:
        row = table.rows[-1]
        raise ListFormatError(path, f"line {row.end_line}", "the file ends inside a value: it is truncated")
    entries: dict[str, _Entry] = {}
    for row in table.rows:
        ent_num = _ent_num(table, row)
        if ent_num in entries:
            first = entries[ent_num].row.line
            raise ListFormatError(path, f"line {row.end_line}", f"duplicate ent_num {ent_num} (first on line {first})")
        # Kept unstripped: a continuation in sdn_comments.csv may follow a cut at a space.
        remarks = row.fields[11] if _value(row.fields[11]) else ""
        entries[ent_num] = _Entry(row, remarks)
    return entries


def _summary(ids: list[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _read_companion(path: Path, width: int, entries: dict[str, _Entry], notes: list[str]):
    """Yield (entry, fields) for each row of a companion file; note rows for unknown entries."""
    table = _read_table(path, width)
    _check_cut_tail(table, max(int(k) for k in entries), notes)
    orphans: list[str] = []
    for row in table.rows:
        ent_num = _ent_num(table, row)
        entry = entries.get(ent_num)
        if entry is None:
            orphans.append(ent_num)
            continue
        yield entry, row.fields
    if orphans:
        notes.append(f"{path.name}: {len(orphans)} rows for ent_nums not in {SDN_FILE} ignored ({_summary(orphans)})")


def _cut_remarks(entries: dict[str, _Entry]) -> int:
    # OFAC ends every remark with "."; one that does not was cut at 1000 characters.
    return sum(1 for e in entries.values() if e.remarks.strip() and not e.remarks.strip().endswith("."))


def parse(path: Path) -> ParsedList:
    with gc_paused():
        return _parse(Path(path))


def _parse(path: Path) -> ParsedList:
    sdn_path, companions = _locate(path)
    entries = _read_sdn(sdn_path)
    files: list[SourceFile] = [file_sha256(sdn_path)]
    notes: list[str] = []
    unknown_fields: list[str] = []

    comments = companions[COMMENTS_FILE]
    if comments is not None:
        files.append(file_sha256(comments))
        for entry, fields in _read_companion(comments, COMMENTS_WIDTH, entries, notes):
            # The continuation picks up mid-word where the 1000-character field stopped.
            entry.remarks += fields[1] if _value(fields[1]) else ""
    else:
        cut = _cut_remarks(entries)
        notes.append(
            f"{COMMENTS_FILE} not present"
            + (f": {cut} remarks end without OFAC's closing '.' and may continue there" if cut else "")
        )

    add = companions[ADD_FILE]
    if add is not None:
        files.append(file_sha256(add))
        for entry, fields in _read_companion(add, ADD_WIDTH, entries, notes):
            address = _address(fields)
            if address is not None and address not in entry.addresses:
                entry.addresses.append(address)
    else:
        unknown_fields.append("addresses")
        notes.append(f"{ADD_FILE} not present: addresses unknown in this version (previous addresses kept)")

    alt = companions[ALT_FILE]
    if alt is not None:
        files.append(file_sha256(alt))
        for entry, fields in _read_companion(alt, ALT_WIDTH, entries, notes):
            alias = _alias(fields)
            if alias is not None and alias not in entry.aliases:
                entry.aliases.append(alias)
    else:
        unknown_fields.append("aliases")
        notes.append(
            f"{ALT_FILE} not present: aliases unknown in this version (previous aliases kept; "
            "weak a.k.a.s in the remarks are still read)"
        )

    unknown_types: dict[str, int] = {}
    entities = [_build_entity(ent_num, entry, unknown_types) for ent_num, entry in entries.items()]
    for sdn_type, count in sorted(unknown_types.items()):
        notes.append(f"{count} entries of unknown SDN_Type {sdn_type!r} read as LegalEntity")
    return ParsedList(
        format=FORMAT,
        default_dataset=DEFAULT_DATASET,
        entities=entities,
        files=files,
        unknown_fields=unknown_fields,
        notes=notes,
    )


def sniff(path: Path) -> bool:
    """A folder holding sdn.csv, or a file whose first row looks like an SDN row."""
    path = Path(path)
    try:
        if path.is_dir():
            return _find_file(path, SDN_FILE) is not None
        if not path.is_file():
            return False
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    lines = _decode(head).splitlines()
    if not lines:
        return False
    try:
        first = next(csv.reader([lines[0]], strict=True), [])
    except csv.Error:
        return False
    return len(first) == SDN_WIDTH and first[0].strip().isascii() and first[0].strip().isdigit()


def source_files(path: Path) -> list[Path]:
    """The files parse() would read: sdn.csv and the companions present beside it."""
    sdn, companions = _locate(path)
    return [sdn, *(p for p in companions.values() if p is not None)]
