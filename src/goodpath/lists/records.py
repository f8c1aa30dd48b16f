"""What a list parser produces: plain records, independent of the database.

Every parser (one module per format under ``lists/formats/``) turns the files of one
list into a :class:`ParsedList`. The importer compares those records with what the
registry holds and applies the difference as one change-set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from goodpath.core.errors import MalformedInput

# Name kinds. A weak alias is one the list itself calls weak (OFAC "low quality" a.k.a.s
# kept in the remarks as ``a.k.a. 'X'``): indexed and searchable, but scored lower.
NAME_KINDS = ("primary", "alias", "weak_alias", "former", "original_script")

# Fields a format may not deliver in one file (e.g. an SDN without add.csv / alt.csv).
# The importer keeps the previous version's values for such fields instead of
# reading their absence as removal.
OPTIONAL_FIELDS = ("addresses", "aliases")


class ListFormatError(MalformedInput):
    """A list file is malformed or truncated. Names the file and where."""

    def __init__(self, path: str | Path, where: str, problem: str):
        self.path = str(path)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.path}: {where}: {problem}")


@dataclass
class ParsedName:
    value: str
    kind: str = "primary"  # one of NAME_KINDS
    lang: str | None = None  # ISO 639 code where the list says it, e.g. "zho"


@dataclass
class ParsedAddress:
    full: str  # one line, as the list gives it
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, lower case (FtM convention)
    remarks: str | None = None


@dataclass
class ParsedIdentifier:
    scheme: str  # e.g. "Passport", "Registration Number", "USCC", "IMO"
    value: str
    country: str | None = None  # ISO alpha-2 lower case
    note: str | None = None


@dataclass
class ParsedSanction:
    program: str  # the program code exactly as the list writes it, e.g. "NPWMD", "INKSNA"
    list_name: str | None = None  # e.g. "Specially Designated Nationals (SDN) - Treasury Department"
    start_date: str | None = None  # ISO date
    end_date: str | None = None  # ISO date
    citation: str | None = None  # Federal Register / list citation
    source_url: str | None = None
    remarks: str | None = None


@dataclass
class ParsedLink:
    """A relation stated by the list from this entity to another party."""

    relation: str  # "owned_by", "subsidiary_of", "sub_unit_of", "successor_of", "linked_to"
    target_id: str | None = None  # external id in the same dataset, when the list gives it
    target_name: str | None = None  # otherwise the name the list gives
    share: float | None = None  # percentage 0-100 where known
    start_date: str | None = None  # ISO date the relation began, where the list says
    end_date: str | None = None  # ISO date it ended: kept as history, never as control


@dataclass
class ParsedEntity:
    external_id: str  # unique within the dataset
    schema: str  # FollowTheMoney schema: Company, Organization, Person, LegalEntity, Vessel, Airplane
    names: list[ParsedName]
    addresses: list[ParsedAddress] = field(default_factory=list)
    identifiers: list[ParsedIdentifier] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # ISO alpha-2 lower case
    birth_dates: list[str] = field(default_factory=list)  # ISO, possibly partial ("1972")
    sanctions: list[ParsedSanction] = field(default_factory=list)
    links: list[ParsedLink] = field(default_factory=list)
    remarks: str | None = None
    # Deterministic key shared by entries of different lists that are the same party,
    # e.g. "ofac:9749" for SDN entity 9749 and the CSL row carrying entity_number 9749.
    link_key: str | None = None
    source_line: int | None = None  # line or element number in the source file

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.kind == "primary":
                return name.value
        return self.names[0].value if self.names else self.external_id

    def to_dict(self) -> dict:
        # Written out rather than dataclasses.asdict, which is ten times slower on a full list.
        # source_line is left out: where an entity sits in a file is not part of its content.
        return {
            "external_id": self.external_id,
            "schema": self.schema,
            "names": [dict(vars(n)) for n in self.names],
            "addresses": [dict(vars(a)) for a in self.addresses],
            "identifiers": [dict(vars(i)) for i in self.identifiers],
            "countries": list(self.countries),
            "birth_dates": list(self.birth_dates),
            "sanctions": [dict(vars(s)) for s in self.sanctions],
            "links": [dict(vars(lk)) for lk in self.links],
            "remarks": self.remarks,
            "link_key": self.link_key,
        }

    def content_hash(self) -> str:
        return dict_hash(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict) -> ParsedEntity:
        return cls(
            external_id=data["external_id"],
            schema=data["schema"],
            names=[ParsedName(**n) for n in data.get("names", [])],
            addresses=[ParsedAddress(**a) for a in data.get("addresses", [])],
            identifiers=[ParsedIdentifier(**i) for i in data.get("identifiers", [])],
            countries=list(data.get("countries", [])),
            birth_dates=list(data.get("birth_dates", [])),
            sanctions=[ParsedSanction(**s) for s in data.get("sanctions", [])],
            links=[ParsedLink(**lk) for lk in data.get("links", [])],
            remarks=data.get("remarks"),
            link_key=data.get("link_key"),
        )


def first_of_each(items: list, key: Callable) -> list:
    """Items in order, keeping the first of those that share a key (lists repeat names)."""
    seen: set = set()
    kept = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            kept.append(item)
    return kept


def dict_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class SourceFile:
    path: str
    sha256: str
    size: int


@dataclass
class ParsedList:
    format: str  # "ofac-csv", "un-xml", "csl-csv", "ftm-json"
    default_dataset: str  # dataset name used when the caller gives none
    entities: list[ParsedEntity]
    files: list[SourceFile]
    # Fields this file set cannot tell (see OPTIONAL_FIELDS): keep previous values.
    unknown_fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said in the change-set, e.g. merged duplicate ids
    published: str | None = None  # ISO date/time the list says it was generated, if it does

    @property
    def source_hash(self) -> str:
        return source_hash(self.files)


def source_hash(files: list[SourceFile]) -> str:
    """One hash over every file's name and content: equal hashes mean an unchanged list."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: Path(f.path).name):
        digest.update(Path(f.path).name.encode())
        digest.update(f.sha256.encode())
    return digest.hexdigest()


def file_sha256(path: str | Path) -> SourceFile:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return SourceFile(path=str(path), sha256=digest.hexdigest(), size=size)
