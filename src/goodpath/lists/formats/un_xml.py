"""UN Security Council consolidated list (XML) -> ParsedList.

The file is one ``<CONSOLIDATED_LIST dateGenerated=...>`` holding ``INDIVIDUALS/INDIVIDUAL``
and ``ENTITIES/ENTITY`` entries. Each entry becomes one ParsedEntity whose id is its
REFERENCE_NUMBER (e.g. "KPe.001"), the citation the UN itself uses; DATAID (the UN's
internal number) is kept as an identifier. An entry whose reference number is missing
or shared with another entry falls back to its DATAID.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from followthemoney.types import registry
from lxml import etree

from goodpath.lists.records import (
    ListFormatError,
    ParsedAddress,
    ParsedEntity,
    ParsedIdentifier,
    ParsedList,
    ParsedName,
    ParsedSanction,
    file_sha256,
    first_of_each,
)

FORMAT = "un-xml"
DEFAULT_DATASET = "un-sc"
LIST_NAME = "UN Security Council Consolidated List"

SNIFF_BYTES = 4096
_ROOT_START = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<CONSOLIDATED_LIST[\s>/]", re.S)

# (section, entry tag, FollowTheMoney schema); child tags are prefixed with the entry tag.
_SECTIONS = (
    ("INDIVIDUALS", "INDIVIDUAL", "Person"),
    ("ENTITIES", "ENTITY", "LegalEntity"),
)
_PERSON_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

# The UN marks alias quality; "Low" ones are the list's own weak aliases.
_ALIAS_KINDS = {"good": "alias", "a.k.a.": "alias", "low": "weak_alias", "f.k.a.": "former"}

# Placeholders the list uses where it has no value.
_NO_VALUE = {"na", "n/a", "unknown", "none"}

# The list writes some passport types in French or Spanish.
_DOCUMENT_SCHEMES = {"numéro de passeport": "Passport", "número de pasaporte": "Passport"}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\d{4}")
_MAX_YEAR_SPAN = 10  # FROM_YEAR/TO_YEAR ranges wider than this keep only their ends

# Script ranges used to guess the language of NAME_ORIGINAL_SCRIPT.
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
# Letters of Persian, Pashto and Urdu that Arabic does not use: such names are not "ara".
_NON_ARABIC_LETTERS = re.compile(r"[پچژگکیټډړږښګڼېۍےہھ]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Cyrillic letters Russian does not use (Ukrainian, Belarusian, Serbian, Kazakh...).
_NON_RUSSIAN_LETTERS = re.compile(r"[ІіЇїЄєҐґЎўЈјЉљЊњЋћЏџҚқҒғҢңӨөҮүҰұҺһ]")
_HAN = re.compile(r"[\u4E00-\u9FFF\u3400-\u4DBF]")
_KANA = re.compile(r"[\u3040-\u30FF]")
_HANGUL = re.compile(r"[\uAC00-\uD7AF\u1100-\u11FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def sniff(path: Path) -> bool:
    path = Path(path)
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    return bool(_ROOT_START.match(head.removeprefix(codecs.BOM_UTF8)))


def parse(path: Path) -> ParsedList:
    path = Path(path)
    root = _load(path)
    entries = _entries(path, root)
    if not entries:
        raise ListFormatError(path, f"line {root.sourceline}", "no INDIVIDUAL or ENTITY entries")
    shared_refs = _shared_references(entries)
    entities = [_entity(path, entry, shared_refs) for entry in entries]
    notes = []
    fallbacks = sum(1 for entry in entries if _usable_reference(entry, shared_refs) is None)
    if fallbacks:
        notes.append(f"{fallbacks} entries use DATAID as id (REFERENCE_NUMBER missing or shared)")
    return ParsedList(
        format=FORMAT,
        default_dataset=DEFAULT_DATASET,
        entities=entities,
        files=[file_sha256(path)],
        notes=notes,
        published=root.get("dateGenerated"),
    )


# --- reading -------------------------------------------------------------------------


def _load(path: Path) -> etree._Element:
    if not path.is_file():
        raise ListFormatError(path, "path", "expected a UN consolidated list XML file")
    # No entity expansion, no network: the file comes from outside.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        problem = re.sub(r",? line \d+, column \d+$", "", exc.msg or "malformed XML")
        raise ListFormatError(path, f"line {line}, column {column}", problem) from None
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(
            path, f"line {root.sourceline}", f"root element is <{root.tag}>, expected <CONSOLIDATED_LIST>"
        )
    return root


class _Entry:
    """One INDIVIDUAL or ENTITY element with its children grouped by tag."""

    def __init__(self, element: etree._Element, tag: str, schema: str, number: int):
        self.tag = tag
        self.schema = schema
        self.line = element.sourceline
        self.label = f"{tag} #{number} (line {element.sourceline})"
        self.children: dict[str, list[etree._Element]] = {}
        for child in element.iterchildren(etree.Element):
            self.children.setdefault(child.tag, []).append(child)

    def all(self, tag: str) -> list[etree._Element]:
        return self.children.get(tag, [])

    def text(self, tag: str) -> str | None:
        found = self.children.get(tag)
        return _text(found[0]) if found else None

    def values(self, tag: str) -> list[str]:
        """Texts of the VALUE children of every ``tag`` element (NATIONALITY, TITLE...)."""
        return [v for el in self.all(tag) for v in (_text(c) for c in el.iterchildren("VALUE")) if v]


def _entries(path: Path, root: etree._Element) -> list[_Entry]:
    entries = []
    for section, tag, schema in _SECTIONS:
        for number, element in enumerate(root.iterfind(f"{section}/{tag}"), start=1):
            entries.append(_Entry(element, tag, schema, number))
    return entries


def _shared_references(entries: list[_Entry]) -> set[str]:
    counts = Counter(entry.text("REFERENCE_NUMBER") for entry in entries)
    return {ref for ref, count in counts.items() if ref and count > 1}


def _usable_reference(entry: _Entry, shared_refs: set[str]) -> str | None:
    """The entry's REFERENCE_NUMBER if it can serve as its id (present and unique)."""
    reference = entry.text("REFERENCE_NUMBER")
    return reference if reference and reference not in shared_refs else None


# --- building ------------------------------------------------------------------------


def _entity(path: Path, entry: _Entry, shared_refs: set[str]) -> ParsedEntity:
    dataid = entry.text("DATAID")
    if not dataid:
        raise ListFormatError(path, entry.label, "missing DATAID")
    reference = entry.text("REFERENCE_NUMBER")
    names = _names(path, entry)
    if _usable_reference(entry, shared_refs):
        external_id, other = reference, ParsedIdentifier(scheme="UN DATAID", value=dataid)
    else:
        external_id = dataid
        other = ParsedIdentifier(scheme="UN Reference Number", value=reference) if reference else None
    identifiers = ([other] if other else []) + _documents(entry)
    return ParsedEntity(
        external_id=external_id,
        schema=entry.schema,
        names=names,
        addresses=_addresses(entry),
        identifiers=identifiers,
        countries=_unique(c for c in map(_country, entry.values("NATIONALITY")) if c),
        birth_dates=_birth_dates(entry),
        sanctions=[_sanction(entry, reference)],
        remarks=_remarks(entry),
        source_line=entry.line,
    )


def _names(path: Path, entry: _Entry) -> list[ParsedName]:
    if entry.tag == "INDIVIDUAL":
        primary = " ".join(p for p in (entry.text(tag) for tag in _PERSON_NAME_PARTS) if p)
    else:
        primary = entry.text("FIRST_NAME") or ""
    # CDe.003 names two companies in one FIRST_NAME, separated by ";".
    primary, *others = [part.strip() for part in primary.split(";") if part.strip()] or [""]
    if not primary:
        raise ListFormatError(path, entry.label, "no name (FIRST_NAME is empty)")
    names = [ParsedName(primary)] + [ParsedName(other, kind="alias") for other in others]
    for el in entry.all("NAME_ORIGINAL_SCRIPT"):
        if value := _text(el):
            names.append(ParsedName(value, kind="original_script", lang=script_language(value)))
    for el in entry.all(f"{entry.tag}_ALIAS"):
        quality = (_child_text(el, "QUALITY") or "").lower()
        kind = _ALIAS_KINDS.get(quality, "alias")
        # One ALIAS_NAME sometimes holds several spellings separated by ";".
        for value in (_child_text(el, "ALIAS_NAME") or "").split(";"):
            if value := value.strip():
                names.append(ParsedName(value, kind=kind))
    return _unique_names(names)


def _unique_names(names: list[ParsedName]) -> list[ParsedName]:
    """Keep the first occurrence of each spelling: the list repeats names across aliases."""
    return first_of_each(names, lambda n: n.value)


def _addresses(entry: _Entry) -> list[ParsedAddress]:
    addresses = []
    for el in entry.all(f"{entry.tag}_ADDRESS"):
        street, city, region, postal, country = (
            _child_text(el, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
        )
        full = ", ".join(p for p in (street, city, region, postal, country) if p)
        if not full:  # the list writes empty address elements, or ones with only a NOTE
            continue
        addresses.append(
            ParsedAddress(
                full=full,
                street=street,
                city=city,
                postal_code=postal,
                region=region,
                country=_country(country),
                remarks=_child_text(el, "NOTE"),
            )
        )
    return addresses


def _birth_dates(entry: _Entry) -> list[str]:
    dates: list[str] = []
    for el in entry.all("INDIVIDUAL_DATE_OF_BIRTH"):
        if (date := _child_text(el, "DATE")) and _ISO_DATE.match(date):
            dates.append(date[:10])
        if (year := _child_text(el, "YEAR")) and _YEAR.fullmatch(year):
            dates.append(year)
        dates.extend(_year_range(_child_text(el, "FROM_YEAR"), _child_text(el, "TO_YEAR")))
    return _unique(dates)


def _year_range(start: str | None, end: str | None) -> list[str]:
    years = [y for y in (start, end) if y and _YEAR.fullmatch(y)]
    if len(years) < 2:
        return years
    low, high = sorted(int(y) for y in years)
    if high - low > _MAX_YEAR_SPAN:
        return [str(low), str(high)]
    return [str(y) for y in range(low, high + 1)]


def _documents(entry: _Entry) -> list[ParsedIdentifier]:
    identifiers = []
    for el in entry.all("INDIVIDUAL_DOCUMENT"):
        number = _child_text(el, "NUMBER")
        if not number:  # many documents only say "passport number unknown" in a NOTE
            continue
        kind = _child_text(el, "TYPE_OF_DOCUMENT") or "Document"
        issued = _child_text(el, "DATE_OF_ISSUE")
        note_parts = (
            _child_text(el, "TYPE_OF_DOCUMENT2"),
            f"issued {issued}" if issued else None,
            _child_text(el, "CITY_OF_ISSUE"),
            _child_text(el, "NOTE"),
        )
        country = _child_text(el, "ISSUING_COUNTRY") or _child_text(el, "COUNTRY_OF_ISSUE")
        identifiers.append(
            ParsedIdentifier(
                scheme=_DOCUMENT_SCHEMES.get(kind.lower(), kind),
                value=number,
                country=_country(country),
                note="; ".join(p for p in note_parts if p) or None,
            )
        )
    return identifiers


def _sanction(entry: _Entry, reference: str | None) -> ParsedSanction:
    listed_on = entry.text("LISTED_ON") or ""
    return ParsedSanction(
        program=entry.text("UN_LIST_TYPE") or "UN",
        list_name=LIST_NAME,
        # LISTED_ON is an xs:date and sometimes carries a zone ("2015-04-07-04:00").
        start_date=listed_on[:10] if _ISO_DATE.match(listed_on) else None,
        citation=reference,
    )


def _remarks(entry: _Entry) -> str | None:
    parts = []
    if titles := entry.values("TITLE"):
        parts.append("Title: " + "; ".join(titles))
    if designations := entry.values("DESIGNATION"):
        parts.append("Designation: " + "; ".join(designations))
    if comments := entry.text("COMMENTS1"):
        parts.append(comments)
    return "\n".join(parts) or None


# --- small helpers -------------------------------------------------------------------


def _text(element: etree._Element) -> str | None:
    """Element text with whitespace collapsed: the list wraps long values over lines."""
    return " ".join((element.text or "").split()) or None


def _child_text(element: etree._Element, tag: str) -> str | None:
    child = element.find(tag)
    return _text(child) if child is not None else None


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))


@lru_cache(maxsize=2048)
def _country(name: str | None) -> str | None:
    """Country name as the UN writes it -> ISO alpha-2 lower case (FtM codes)."""
    if not name or name.lower() in _NO_VALUE:
        return None
    return registry.country.clean_text(name)


def script_language(value: str) -> str | None:
    """Guess the ISO 639-3 language of a name written in a non-Latin script, or None.

    Only guesses where the script leaves little doubt; Arabic script written with
    Persian/Pashto/Urdu letters, or mixed scripts, stay None.
    """
    if _LATIN.search(value):
        return None
    if _ARABIC.search(value):
        return None if _NON_ARABIC_LETTERS.search(value) else "ara"
    if _CYRILLIC.search(value):
        return None if _NON_RUSSIAN_LETTERS.search(value) else "rus"
    if _HANGUL.search(value):
        return "kor"
    if _KANA.search(value):
        return "jpn"
    if _HAN.search(value):
        return "zho"
    return None
