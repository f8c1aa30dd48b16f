"""FollowTheMoney JSON lines (OpenSanctions / yente exports) -> ParsedList.

Each non-blank line is one entity ``{"id", "schema", "properties", "datasets", ...}``.
Parties (LegalEntity and its descendants, Vessel, Airplane) become ParsedEntities;
the other entities only feed them: Address (via ``addressEntity``), Sanction (via
``entity``), Identification/Passport (via ``holder``) and the relationship schemata
(Ownership, Directorship, Family, ...) which become ParsedLinks.

Bookkeeping fields (first_seen, last_seen, last_change, caption) are not content and
are never read, so a re-export that only moves those dates gives equal content hashes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema
from normality import slugify

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
    first_of_each,
)

FORMAT = "ftm-json"
DEFAULT_DATASET = "ftm"  # only when neither the datasets nor the file name give one

SNIFF_BYTES = 1 << 20

# Schemata kept by name; other LegalEntity descendants (PublicBody...) become Organization.
PARTY_SCHEMATA = ("Company", "Organization", "Person", "LegalEntity", "Vessel", "Airplane")

# Name properties in the order their kinds rank: the first spelling seen wins.
NAME_PROPS = (("name", "alias"), ("alias", "alias"), ("previousName", "former"), ("weakAlias", "weak_alias"))
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "flag")
IDENTIFIER_PROPS = (
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "kppCode",
    "okpoCode",
    "taxNumber",
    "vatCode",
    "idNumber",
    "passportNumber",
    "leiCode",
    "swiftBic",
    "dunsCode",
    "permId",
    "uniqueEntityId",
    "imoNumber",
    "mmsi",
    "callSign",
)

# Relationship schema -> (property naming the party that carries the link,
#                         property naming the target, relation)
LINK_SCHEMATA = {
    "Ownership": ("asset", "owner", "owned_by"),
    "Directorship": ("director", "organization", "linked_to"),
    "Family": ("person", "relative", "linked_to"),
    "Associate": ("person", "associate", "linked_to"),
    "Membership": ("member", "organization", "linked_to"),
    "Employment": ("employee", "employer", "linked_to"),
    "UnknownLink": ("subject", "object", "linked_to"),
}

_OFAC_DETAILS = re.compile(r"sanctionssearch\.ofac\.treas\.gov/Details\.aspx\?id=(\d+)", re.I)
# OpenSanctions names entities of its us_ofac_sdn crawl "ofac-<entity number>".
_OFAC_REFERENT = re.compile(r"ofac-(\d+)")


@dataclass
class _Record:
    line: int
    id: str
    schema: Schema
    props: dict[str, list[str]]
    datasets: list[str] = field(default_factory=list)
    referents: list[str] = field(default_factory=list)

    def get(self, prop: str) -> list[str]:
        return self.props.get(prop, [])

    def first(self, prop: str) -> str | None:
        values = self.props.get(prop)
        return values[0] if values else None


class _Notes:
    """Counts of what the parser skipped or could not resolve, said in the change-set."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.lines: list[str] = []

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def render(self) -> list[str]:
        return [f"{what}: {n}" for what, n in self.counts.items()] + self.lines


def sniff(path: Path) -> bool:
    path = Path(path)
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    for raw in head.split(b"\n"):
        if raw.strip():
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):
                return False
            return isinstance(data, dict) and "schema" in data and "properties" in data
    return False


def parse(path: Path) -> ParsedList:
    path = Path(path)
    notes = _Notes()
    records = _read(path, notes)
    parties = {r.id: _party(r) for r in records.values() if _is_party(r.schema)}
    if not parties:
        raise ListFormatError(path, "line 1", "no party entities (LegalEntity, Vessel, Airplane)")
    _attach_addresses(records, parties, notes)
    _attach_sanctions(records, parties, notes)
    _attach_identifications(records, parties, notes)
    _attach_links(records, parties, notes)
    _set_link_keys(records, parties, notes)
    _count_unmapped(records, notes)
    return ParsedList(
        format=FORMAT,
        default_dataset=_default_dataset(path, [records[i] for i in parties]),
        entities=list(parties.values()),
        files=[file_sha256(path)],
        notes=notes.render(),
    )


# --- reading -------------------------------------------------------------------------


def _read(path: Path, notes: _Notes) -> dict[str, _Record]:
    if not path.is_file():
        raise ListFormatError(path, "path", "expected a FollowTheMoney JSON lines file")
    records: dict[str, _Record] = {}
    with open(path, "rb") as fh:
        # Split on "\n" only: JSON strings may hold U+2028 and other line separators.
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            record = _record(path, number, raw)
            if record.id in records:
                _merge(path, records[record.id], record)
                notes.count("lines merged into an earlier line with the same id")
            else:
                records[record.id] = record
    if not records:
        raise ListFormatError(path, "line 1", "no entities (empty file)")
    return records


def _record(path: Path, number: int, raw: bytes) -> _Record:
    where = f"line {number}"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ListFormatError(path, where, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ListFormatError(path, f"{where}, column {exc.colno}", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise ListFormatError(path, where, "invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ListFormatError(path, where, f"expected a JSON object, got {type(data).__name__}")
    entity_id, schema_name = data.get("id"), data.get("schema")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise ListFormatError(path, where, "entity has no id")
    if not isinstance(schema_name, str) or not schema_name:
        raise ListFormatError(path, where, f"entity {entity_id!r} has no schema")
    schema = model.get(schema_name)
    if schema is None:
        raise ListFormatError(path, where, f"entity {entity_id!r}: unknown schema {schema_name!r}")
    return _Record(
        line=number,
        id=entity_id,
        schema=schema,
        props=_properties(path, where, _field(data, "properties", {})),
        datasets=_strings(path, where, "datasets", _field(data, "datasets", [])),
        referents=_strings(path, where, "referents", _field(data, "referents", [])),
    )


def _field(data: dict, key: str, empty):
    """A top-level field; absent or null means empty."""
    value = data.get(key)
    return empty if value is None else value


def _properties(path: Path, where: str, props) -> dict[str, list[str]]:
    if not isinstance(props, dict):
        raise ListFormatError(path, where, "properties is not an object")
    cleaned = {}
    for name, values in props.items():
        if isinstance(values, str):  # hand-written files sometimes drop the list
            values = [values]
        values = _strings(path, where, f"property {name!r}", values)
        if values:
            cleaned[name] = values
    return cleaned


def _strings(path: Path, where: str, what: str, values) -> list[str]:
    if not isinstance(values, list):
        raise ListFormatError(path, where, f"{what} is not a list")
    out = []
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ListFormatError(path, where, f"{what} holds a {type(value).__name__}, expected text")
        if _has_surrogates(value):
            raise ListFormatError(path, where, f"{what} holds an unpaired surrogate (\\ud800-\\udfff)")
        if value := value.strip():
            out.append(value)
    return out


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _merge(path: Path, kept: _Record, other: _Record) -> None:
    """Two lines with one id are fragments of one entity (FtM convention): unite them."""
    try:
        kept.schema = model.common_schema(kept.schema, other.schema)
    except InvalidData as exc:
        raise ListFormatError(path, f"line {other.line}", f"entity {other.id!r}: {exc}") from None
    for name, values in other.props.items():
        kept.props[name] = _unique(kept.props.get(name, []) + values)
    kept.datasets = _unique(kept.datasets + other.datasets)
    kept.referents = _unique(kept.referents + other.referents)


# --- parties -------------------------------------------------------------------------


def _is_party(schema: Schema) -> bool:
    return schema.is_a("LegalEntity") or schema.name in ("Vessel", "Airplane")


def _party_schema(schema: Schema) -> str:
    return schema.name if schema.name in PARTY_SCHEMATA else "Organization"


def _party(record: _Record) -> ParsedEntity:
    return ParsedEntity(
        external_id=record.id,
        schema=_party_schema(record.schema),
        names=_names(record),
        addresses=[ParsedAddress(full=text) for text in record.get("address")],
        identifiers=[ParsedIdentifier(scheme=p, value=v) for p in IDENTIFIER_PROPS for v in record.get(p)],
        countries=_unique(c.lower() for prop in COUNTRY_PROPS for c in record.get(prop)),
        birth_dates=_unique(record.get("birthDate")),
        remarks=_remarks(record),
        source_line=record.line,
    )


def _names(record: _Record) -> list[ParsedName]:
    names: list[ParsedName] = []
    seen: set[str] = set()
    for prop, kind in NAME_PROPS:
        for value in record.get(prop):
            if value in seen:
                continue
            seen.add(value)
            names.append(ParsedName(value, kind=kind))
    if record.get("name"):
        names[0].kind = "primary"  # FtM has no primary name: take the first one given
    return names


def _remarks(record: _Record) -> str | None:
    parts = list(record.get("notes"))
    if positions := record.get("position"):
        parts.append("Position: " + "; ".join(positions))
    return "\n".join(parts) or None


def _address(record: _Record) -> ParsedAddress:
    street, city, postal = record.first("street"), record.first("city"), record.first("postalCode")
    country = record.first("country")
    full = record.first("full") or ", ".join(p for p in (street, city, postal, country) if p)
    return ParsedAddress(
        full=full,
        street=street,
        city=city,
        postal_code=postal,
        region=record.first("region"),
        country=country.lower() if country else None,
    )


def _attach_addresses(records: dict[str, _Record], parties: dict[str, ParsedEntity], notes: _Notes) -> None:
    used: set[str] = set()
    for party_id, party in parties.items():
        structured = []
        for ref in records[party_id].get("addressEntity"):
            target = records.get(ref)
            if target is None or not target.schema.is_a("Address"):
                notes.count("addressEntity references not in the file")
                continue
            used.add(ref)
            if (address := _address(target)).full:
                structured.append(address)
        # The same address often comes both as a string and as an Address entity.
        known = {a.full for a in structured}
        plain = [a for a in party.addresses if a.full not in known]
        party.addresses = _unique_addresses(structured + plain)
    orphans = sum(1 for r in records.values() if r.schema.is_a("Address") and r.id not in used)
    if orphans:
        notes.count("Address entities no party refers to (skipped)", orphans)


def _unique_addresses(addresses: list[ParsedAddress]) -> list[ParsedAddress]:
    return first_of_each(addresses, lambda a: a.full)


# --- sanctions, identifications, links ------------------------------------------------


def _sanction(record: _Record) -> ParsedSanction:
    program = (
        record.first("programId")
        or record.first("program")
        or record.first("authority")
        or (record.datasets[0] if record.datasets else "unspecified")
    )
    # A re-listed party carries several dates: the earliest is when the measure began.
    starts = record.get("startDate") or record.get("listingDate")
    ends = record.get("endDate")
    source_url = record.first("sourceUrl")
    return ParsedSanction(
        program=program,
        list_name="; ".join(record.get("authority")) or None,
        start_date=min(starts) if starts else None,
        end_date=max(ends) if ends else None,
        citation=record.first("programUrl") or source_url,
        source_url=source_url,
        remarks="; ".join(record.get("reason") + record.get("provisions")) or None,
    )


def _attach_sanctions(records: dict[str, _Record], parties: dict[str, ParsedEntity], notes: _Notes) -> None:
    for record in records.values():
        if not record.schema.is_a("Sanction"):
            continue
        for ref in record.get("entity"):
            if ref in parties:
                parties[ref].sanctions.append(_sanction(record))
            else:
                notes.count("Sanction entities whose party is not in the file (skipped)")


def _attach_identifications(records: dict[str, _Record], parties: dict[str, ParsedEntity], notes: _Notes) -> None:
    for record in records.values():
        if not record.schema.is_a("Identification"):
            continue
        number = record.first("number")
        holders = [h for h in record.get("holder") if h in parties]
        if not number or not holders:
            notes.count(f"{record.schema.name} entities without number or known holder (skipped)")
            continue
        country = record.first("country")
        identifier = ParsedIdentifier(
            scheme=record.first("type") or record.schema.name,
            value=number,
            country=country.lower() if country else None,
        )
        for holder in holders:
            parties[holder].identifiers.append(identifier)


def _share(record: _Record) -> float | None:
    """Ownership percentage as a float 0-100, or None if the list gives none usable."""
    text = (record.first("percentage") or "").rstrip("%").replace(",", ".").strip()
    try:
        share = float(text)
    except ValueError:
        return None
    return share if 0 <= share <= 100 else None


def _attach_links(records: dict[str, _Record], parties: dict[str, ParsedEntity], notes: _Notes) -> None:
    for record in records.values():
        spec = LINK_SCHEMATA.get(record.schema.name)
        if spec is None:
            continue
        source_prop, target_prop, relation = spec
        # Ended relations are kept with their dates: history for analysts, never current control.
        starts, ends = record.get("startDate"), record.get("endDate")
        if ends:
            notes.count(f"{record.schema.name} entities with an endDate (kept as history)")
        share = _share(record) if relation == "owned_by" else None
        for source in record.get(source_prop):
            if source not in parties:
                notes.count(f"{record.schema.name} entities whose {source_prop} is not a party in the file")
                continue
            for target in record.get(target_prop):
                if target not in records:
                    notes.count("link targets not in the file (kept as target ids)")
                link = ParsedLink(
                    relation=relation,
                    target_id=target,
                    share=share,
                    start_date=min(starts)[:10] if starts else None,
                    end_date=max(ends)[:10] if ends else None,
                )
                _add_link(parties[source], link)


def _add_link(party: ParsedEntity, link: ParsedLink) -> None:
    """One link per relation, target and period; a stated share wins over a link without one."""
    for existing in party.links:
        if (existing.relation, existing.target_id, existing.end_date) == (link.relation, link.target_id, link.end_date):
            if existing.share is None:
                existing.share = link.share
            return
    party.links.append(link)


def _ofac_numbers(record: _Record, sanctions: list[_Record]) -> set[int]:
    urls = record.get("sourceUrl") + [u for s in sanctions for u in s.get("sourceUrl")]
    numbers = {int(m.group(1)) for url in urls for m in _OFAC_DETAILS.finditer(url)}
    numbers |= {int(m.group(1)) for ref in record.referents if (m := _OFAC_REFERENT.fullmatch(ref))}
    return numbers


def _set_link_keys(records: dict[str, _Record], parties: dict[str, ParsedEntity], notes: _Notes) -> None:
    """link_key "ofac:N" from OFAC detail-page URLs and OpenSanctions "ofac-N" referents."""
    sanctions_of: dict[str, list[_Record]] = {}
    for record in records.values():
        if record.schema.is_a("Sanction"):
            for ref in record.get("entity"):
                sanctions_of.setdefault(ref, []).append(record)
    for party_id, party in parties.items():
        numbers = _ofac_numbers(records[party_id], sanctions_of.get(party_id, []))
        if not numbers:
            continue
        # OpenSanctions sometimes merges two SDN entries into one entity: keep the lowest.
        party.link_key = f"ofac:{min(numbers)}"
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in sorted(numbers))
            notes.lines.append(f"{party_id} matches OFAC entries {listed}: link_key {party.link_key}")


def _count_unmapped(records: dict[str, _Record], notes: _Notes) -> None:
    for record in records.values():
        schema = record.schema
        mapped = (
            _is_party(schema)
            or schema.name in LINK_SCHEMATA
            or any(schema.is_a(name) for name in ("Address", "Sanction", "Identification"))
        )
        if not mapped:
            notes.count(f"{schema.name} entities not mapped (skipped)")


# --- dataset -------------------------------------------------------------------------


def _default_dataset(path: Path, party_records: list[_Record]) -> str:
    datasets = {tuple(r.datasets) for r in party_records}
    if len(datasets) == 1 and len(only := next(iter(datasets))) == 1:
        return only[0].replace("_", "-")
    stem = path.name.split(".")[0]  # "yente_zala_entities.ftm.json" -> "yente_zala_entities"
    return slugify(stem, sep="-") or DEFAULT_DATASET


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))
