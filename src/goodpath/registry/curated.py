"""The curated data: the legal-authority catalogue and the engagement parties, as validated data.

Two hand-curated YAML files ship inside the package and are the truth a lawyer reviews:

- ``registry/data/authorities.yaml`` — legal authorities (measures, duration, relief paths
  with date-dependent congressional notice periods) and the mapping of every list
  programme code to an authority;
- ``demo/data/engagement.yaml`` — the engagement parties of the seed cables with their
  sourced sanction history.

This module only reads and validates them (pydantic v2, unknown keys rejected, codes
cross-checked); it never touches a database. Its classes are the shapes of those files, not
tables: :class:`CuratedParty`, :class:`CuratedSanction` and :class:`CuratedListEntry` are
what ``demo`` loads into the tables ``Party``, ``Sanction`` and ``ListEntry`` of
``registry.models``. Errors are :class:`CatalogueError`, whose message names the file and
the offending entry.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

__all__ = [
    "Authority",
    "Catalogue",
    "CatalogueError",
    "CatalogueFile",
    "CuratedListEntry",
    "CuratedParty",
    "CuratedSanction",
    "Duration",
    "EngagementData",
    "EngagementFile",
    "EngagementNote",
    "HistoryEvent",
    "Identifier",
    "InForce",
    "Measure",
    "Name",
    "Notice",
    "Ownership",
    "PartialRelief",
    "Period",
    "ProgramMapping",
    "Relief",
    "ReliefEvent",
    "RouteCondition",
    "authorities_path",
    "authority_for_program",
    "engagement_path",
    "load_authorities",
    "load_authorities_from",
    "load_engagement",
    "load_engagement_from",
    "normalize_program",
    "notice_period",
]

Verified = Literal["V", "K"]
NonEmpty = Annotated[str, Field(min_length=1)]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
AuthorityCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Precision = Literal["day", "month", "year"]

# libyaml when the wheel has it (it does on this platform): the catalogue loads 10x faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(ValueError):
    """A catalogue or engagement file is invalid. Names the file and the entry."""

    def __init__(self, path: str | Path, entry: str, problem: str):
        self.path = str(path)
        self.entry = entry
        self.problem = problem
        super().__init__(f"{self.path}: {entry}: {problem}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- authorities


class Measure(_Strict):
    """One separately relievable measure of an authority (e.g. ``import_ban``)."""

    code: Code
    description: NonEmpty
    verified: Verified
    note: str | None = None
    # Overrides the authority's duration for this measure (AECA 73 Category II: exactly 2 years).
    duration: Duration | None = None
    # The MTCR Annex item category the measure answers (AECA 73 / EAA 11B), where it depends on one.
    category: Literal["I", "II"] | None = None


class Duration(_Strict):
    type: Literal["fixed", "minimum", "indefinite", "order_specified"]
    years: int | None = Field(default=None, ge=0)
    months: int | None = Field(default=None, ge=0)
    note: NonEmpty
    verified: Verified

    @model_validator(mode="after")
    def _length(self) -> Duration:
        if self.type in ("fixed", "minimum") and not (self.years or self.months):
            raise ValueError(f"a {self.type} duration needs years or months")
        return self


Measure.model_rebuild()  # its per-measure duration refers to Duration, defined above


class Notice(_Strict):
    """A congressional notice / waiting-period rule, in force from ``effective_from`` to
    ``effective_to`` (inclusive; ``None`` = still in force)."""

    days: int = Field(gt=0)
    unit: Literal["days", "working_days"]
    effective_from: dt.date
    effective_to: dt.date | None = None
    to: list[NonEmpty] = Field(min_length=1)
    verified: Verified  # the length (days, unit)
    dates_verified: Verified  # the date range
    note: str | None = None

    @model_validator(mode="after")
    def _range(self) -> Notice:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


REGIMES = ("MTCR", "NSG", "AG", "CWC")
CONDITION_KINDS = ("party_country_member", "party_country_not_member", "item_category", "time_since_imposition",
                   "prior_event")  # fmt: skip


class RouteCondition(_Strict):
    """A condition a relief route applies under, as data, evaluated on the as-of date against the party's
    facts (pathway/eligibility.py): the party's country is (not) a member of a regime (regimes.yaml), the
    sanction's item category, the time since imposition, a prior event (certification, waiver) on record."""

    kind: Literal[CONDITION_KINDS]  # type: ignore[valid-type]
    regime: Literal[REGIMES] | None = None  # type: ignore[valid-type]
    categories: list[Literal["I", "II"]] = Field(default_factory=list)
    years: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)
    event: str | None = None  # prior_event: the event kind that must be on record
    text: NonEmpty  # what the law says, in words (shown when the condition fails or is unknown)
    citation: NonEmpty
    verified: Verified

    @model_validator(mode="after")
    def _complete(self) -> RouteCondition:
        if self.kind.startswith("party_country") and self.regime is None:
            raise ValueError(f"{self.kind} needs a regime ({', '.join(REGIMES)})")
        if self.kind == "item_category" and not self.categories:
            raise ValueError("item_category needs categories (I, II)")
        if self.kind == "time_since_imposition" and not (self.years or self.months):
            raise ValueError("time_since_imposition needs years or months")
        if self.kind == "prior_event" and not self.event:
            raise ValueError("prior_event needs an event kind")
        return self


class Relief(_Strict):
    code: Code
    kind: Literal["waiver", "termination", "rescission", "exemption", "delisting", "expiry", "licence"]
    who: NonEmpty
    conditions: NonEmpty
    notice: list[Notice] = Field(default_factory=list)
    verified: Verified
    note: str | None = None
    # The conditions the route applies under (all must hold); a failed one closes the route.
    applies_if: list[RouteCondition] = Field(default_factory=list)
    # Whether this relief must wait for the end of the minimum duration. None: only the
    # paths that end a sanction (termination, rescission, exemption, delisting, expiry) wait.
    after_minimum_duration: bool | None = None

    @model_validator(mode="after")
    def _no_overlap(self) -> Relief:
        rules = sorted(self.notice, key=lambda n: n.effective_from)
        for before, after in zip(rules, rules[1:], strict=False):
            if before.effective_to is None or before.effective_to >= after.effective_from:
                raise ValueError(
                    f"notice rules overlap: {before.effective_from}..{before.effective_to or 'open'}"
                    f" and {after.effective_from}.."
                )
        return self

    def notice_on(self, on: dt.date) -> Notice | None:
        """The notice rule in force on ``on``, or None."""
        return next((n for n in self.notice if n.in_force(on)), None)


class PartialRelief(_Strict):
    allowed: bool
    note: NonEmpty
    verified: Verified


class HistoryEvent(_Strict):
    """A change in an authority's life: enacted, renamed, amended, lapsed, continued, repealed, recodified."""

    day: dt.date
    event: Literal["enacted", "signed", "renamed", "amended", "lapsed", "continued", "reauthorized", "repealed",
                   "recodified", "published"]  # fmt: skip
    title: str | None = None  # the name it bears from this day (renamed, enacted)
    citation: NonEmpty
    source: NonEmpty
    verified: Verified
    note: str | None = None


class InForce(_Strict):
    """When an authority took effect (``since``) and ended (``until``, None = still in force), with its
    source, and its history (renames keep the sanctions imposed under the old name)."""

    since: dt.date
    until: dt.date | None = None
    source: list[NonEmpty] = Field(min_length=1)
    verified: Verified
    note: str | None = None
    history: list[HistoryEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> InForce:
        if self.until is not None and self.until < self.since:
            raise ValueError("until is before since")
        days = [h.day for h in self.history]
        if days != sorted(days):
            raise ValueError("history must be in date order")
        if days and days[0] < self.since:
            raise ValueError(f"history starts {days[0]} before the authority took effect ({self.since})")
        return self

    def on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


class Authority(_Strict):
    code: AuthorityCode
    title: NonEmpty
    kind: Literal["statute", "executive_order", "regulation", "list", "un_regime"]
    agency: NonEmpty
    jurisdiction: Annotated[str, Field(pattern=r"^[a-z]{2}$")]
    generic: bool = False  # a catch-all used where no specific authority is encoded
    citations: list[NonEmpty] = Field(min_length=1)
    measures: list[Measure] = Field(min_length=1)
    duration: Duration
    relief: list[Relief] = Field(default_factory=list)
    partial_relief: PartialRelief
    scope_note: str | None = None
    sources: list[NonEmpty] = Field(min_length=1)
    verified: Verified  # identity and citations
    note: str | None = None
    in_force: InForce

    @model_validator(mode="after")
    def _unique_codes(self) -> Authority:
        _unique([m.code for m in self.measures], "measure")
        _unique([r.code for r in self.relief], "relief")
        return self

    @property
    def measure_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.measures)

    def measure(self, code: str) -> Measure | None:
        return next((m for m in self.measures if m.code == code), None)

    def relief_path(self, code: str) -> Relief | None:
        return next((r for r in self.relief if r.code == code), None)

    def exists_on(self, day: dt.date) -> bool:
        """Whether the authority had taken effect (and not ended) on ``day``."""
        return self.in_force.on(day)

    def title_on(self, day: dt.date) -> str:
        """The authority's name on ``day`` (the Iran Nonproliferation Act of 2000 before its renames)."""
        named = [h.title for h in self.in_force.history if h.title and h.day <= day]
        return named[-1] if named else self.title


class ProgramMapping(_Strict):
    """A list programme code (as written in the list) and the authority it rests on."""

    program: NonEmpty
    authority: AuthorityCode
    lists: list[NonEmpty] = Field(min_length=1)
    note: str | None = None
    aliases: list[NonEmpty] = Field(default_factory=list)
    # The day the programme took effect, where later than its authority's (e.g. IFCA within OFAC_IRAN);
    # None: the authority's date (``Catalogue.program_since``).
    since: dt.date | None = None
    since_source: str | None = None


class CatalogueFile(_Strict):
    """The shape of authorities.yaml (top-level keys starting with ``_`` hold YAML anchors)."""

    schema_version: Literal[1]
    reviewed: dt.date
    authorities: list[Authority] = Field(min_length=1)
    programs: list[ProgramMapping] = Field(min_length=1)


def normalize_program(code: str) -> str:
    """Lookup form of a programme code: trimmed, inner whitespace collapsed, case-folded."""
    return re.sub(r"\s+", " ", code.strip()).casefold()


class Catalogue(_Strict):
    """The validated catalogue: authorities by code, programme mappings by code."""

    reviewed: dt.date
    authorities: dict[str, Authority]
    programs: dict[str, ProgramMapping]
    _index: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        for mapping in self.programs.values():
            for code in (mapping.program, *mapping.aliases):
                self._index[normalize_program(code)] = mapping.program

    def program(self, code: str, dataset: str | None = None) -> ProgramMapping | None:
        """The mapping for a programme code (case-insensitive, trimmed).

        UN regimes are keyed ``UN:<UN_LIST_TYPE>`` because "DPRK", "Iran" and "CAR" are
        also OFAC tags; pass ``dataset`` starting with ``un`` (e.g. ``un-sc``) to look a
        bare UN_LIST_TYPE up as a UN regime.
        """
        if not code or not code.strip():
            return None
        if dataset and dataset.casefold().startswith("un") and not code.strip().upper().startswith("UN:"):
            code = f"UN:{code.strip()}"
        key = self._index.get(normalize_program(code))
        return self.programs[key] if key else None

    def program_since(self, code: str | None, dataset: str | None = None) -> dt.date | None:
        """The day a programme took effect: its own date, else its authority's; None when unmapped."""
        mapping = self.program(code, dataset) if code else None
        if mapping is None:
            return None
        return mapping.since or self.authorities[mapping.authority].in_force.since

    def authority_for_program(self, code: str, dataset: str | None = None) -> Authority | None:
        mapping = self.program(code, dataset)
        return self.authorities[mapping.authority] if mapping else None

    def notice_period(self, authority_code: str, relief_code: str, on: dt.date) -> Notice | None:
        """The notice rule in force on ``on`` for that relief path, or None (no such
        authority, relief path, or no rule in force that day)."""
        authority = self.authorities.get(authority_code)
        relief = authority.relief_path(relief_code) if authority else None
        return relief.notice_on(on) if relief else None


# --------------------------------------------------------------------------- engagement


class Period(_Strict):
    years: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)


class Name(_Strict):
    value: NonEmpty
    kind: Literal["primary", "alias", "weak_alias", "former", "original_script"]
    lang: Annotated[str, Field(pattern=r"^[a-z]{3}$")] | None = None
    source: NonEmpty
    note: str | None = None


class Identifier(_Strict):
    scheme: NonEmpty
    value: NonEmpty
    country: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = None
    source: NonEmpty


class CuratedListEntry(_Strict):
    """A link from a party to a row of an imported list."""

    dataset: Literal["us-ofac-sdn", "us-csl"]
    external_id: NonEmpty  # OFAC ent_num; CSL `_id` (= ent_num for SDN-derived rows)
    link_key: NonEmpty  # e.g. "ofac:9749", "csl:75ba2855..."
    listed_name: NonEmpty
    program: str | None = None
    files: list[NonEmpty] = Field(min_length=1)
    note: str | None = None


class Ownership(_Strict):
    parent: Key
    relation: Literal["subsidiary", "sub_unit", "successor", "owned_by"]
    share: float | None = Field(default=None, gt=0, le=100)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: NonEmpty
    verified: Verified
    note: str | None = None


class ReliefEvent(_Strict):
    kind: Literal["waiver", "renewal", "rescission", "delisting", "expiry", "licence", "termination", "exemption"]
    date: dt.date | None = None  # effective date
    date_precision: Precision = "day"
    determined: dt.date | None = None
    scope: list[Code] = Field(default_factory=list)  # measure codes of the sanction's authority
    duration: Period | None = None
    until: dt.date | None = None
    citation: str | None = None
    source: NonEmpty
    verified: Verified
    note: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> ReliefEvent:
        if self.date is None and not self.note:
            raise ValueError("a relief event without a date needs a note")
        return self


class CuratedSanction(_Strict):
    key: Key
    authority: AuthorityCode
    program: str | None = None
    measures: list[Code] = Field(default_factory=list)  # empty only when the source does not say
    imposed: dt.date | None = None  # date of effect
    imposed_precision: Precision = "day"
    determined: dt.date | None = None
    citation: NonEmpty
    source: NonEmpty
    status: Literal["active", "waived", "terminated", "expired", "delisted", "unknown"]
    status_as_of: dt.date | None = None
    ended: dt.date | None = None
    ended_precision: Precision = "day"
    minimum_duration: Period | None = None
    expiry: dt.date | None = None
    list_entry: str | None = None  # link_key of one of the party's list_entries
    verified: Verified
    note: str | None = None
    relief_events: list[ReliefEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CuratedSanction:
        if self.verified == "K" and not self.note:
            raise ValueError("verified K needs a note saying what is unconfirmed")
        if self.imposed is None and not self.note:
            raise ValueError("a sanction without an imposition date needs a note")
        if not self.measures and not self.note:
            raise ValueError("a sanction without measures needs a note saying why")
        if self.imposed and self.ended and self.ended < self.imposed:
            raise ValueError("ended is before imposed")
        _unique(self.measures, "measure")
        return self


class CuratedParty(_Strict):
    key: Key
    schema_: Literal["Company", "Organization", "Person", "LegalEntity"] = Field(alias="schema")
    names: list[Name] = Field(min_length=1)
    countries: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(default_factory=list)
    birth_date: dt.date | None = None
    identifiers: list[Identifier] = Field(default_factory=list)
    list_entries: list[CuratedListEntry] = Field(default_factory=list)
    ownership: list[Ownership] = Field(default_factory=list)
    sanctions: list[CuratedSanction] = Field(default_factory=list)
    note: str | None = None
    sources: list[NonEmpty] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> CuratedParty:
        if sum(n.kind == "primary" for n in self.names) != 1:
            raise ValueError("exactly one name must be primary")
        _unique([s.key for s in self.sanctions], "sanction key")
        keys = {e.link_key for e in self.list_entries}
        for s in self.sanctions:
            if s.list_entry and s.list_entry not in keys:
                raise ValueError(f"sanction {s.key}: list_entry {s.list_entry!r} is not among list_entries")
        return self

    @property
    def primary_name(self) -> str:
        return next(n.value for n in self.names if n.kind == "primary")


class EngagementNote(_Strict):
    key: Key
    cable: NonEmpty  # e.g. "07BEIJING1900"
    paragraph: NonEmpty  # e.g. "6"
    date: dt.date
    original_marking: NonEmpty
    parties: list[Key] = Field(min_length=1)
    text: NonEmpty
    source: NonEmpty


class EngagementFile(_Strict):
    schema_version: Literal[1]
    classification: Literal["UNCLASSIFIED"]
    releasability: NonEmpty
    parties: list[CuratedParty] = Field(min_length=1)
    engagement_notes: list[EngagementNote] = Field(default_factory=list)


class EngagementData(_Strict):
    classification: str
    releasability: str
    parties: dict[str, CuratedParty]
    engagement_notes: list[EngagementNote]

    def sanctions(self) -> list[tuple[CuratedParty, CuratedSanction]]:
        return [(p, s) for p in self.parties.values() for s in p.sanctions]


# --------------------------------------------------------------------------- loading


def authorities_path() -> Path:
    return Path(str(resources.files("goodpath") / "registry" / "data" / "authorities.yaml"))


def engagement_path() -> Path:
    return Path(str(resources.files("goodpath") / "demo" / "data" / "engagement.yaml"))


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what} {v!r}")
        seen.add(v)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        raise CatalogueError(path, "(file)", f"cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(path, "(file)", f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(path, "(file)", "top level must be a mapping")
    # Top-level keys starting with "_" only hold YAML anchors shared by entries.
    return {k: v for k, v in data.items() if not str(k).startswith("_")}


_ID_FIELDS = ("code", "key", "program", "link_key", "value", "parent")


def _where(data: Any, loc: tuple) -> str:
    """A readable path to the offending entry, naming list items by their code/key."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            ident = next((f"{f}={node[f]!r}" for f in _ID_FIELDS if isinstance(node, dict) and node.get(f)), None)
            parts[-1:] = [f"{parts[-1] if parts else ''}[{step}]" + (f" ({ident})" if ident else "")]
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _validate(model: type[BaseModel], data: dict, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [(_where(data, tuple(err["loc"])), err["msg"]) for err in exc.errors()]
        (entry, problem), others = problems[0], problems[1:]
        if others:
            problem += f" (+{len(others)} more: {'; '.join(f'{e}: {m}' for e, m in others[:3])})"
        raise CatalogueError(path, entry, problem) from exc


def load_authorities_from(path: str | Path) -> Catalogue:
    """Read and validate an authorities file (uncached; for tests and tooling)."""
    path = Path(path)
    parsed: CatalogueFile = _validate(CatalogueFile, _read_yaml(path), path)
    authorities: dict[str, Authority] = {}
    for i, authority in enumerate(parsed.authorities):
        if authority.code in authorities:
            raise CatalogueError(path, f"authorities[{i}] (code={authority.code!r})", "duplicate authority code")
        authorities[authority.code] = authority
    programs: dict[str, ProgramMapping] = {}
    seen: dict[str, str] = {}
    for i, mapping in enumerate(parsed.programs):
        where = f"programs[{i}] (program={mapping.program!r})"
        if mapping.authority not in authorities:
            raise CatalogueError(path, where, f"unknown authority {mapping.authority!r}")
        if mapping.since is not None:
            if mapping.since < authorities[mapping.authority].in_force.since:
                raise CatalogueError(path, where, f"since {mapping.since} is before its authority took effect")
            if not mapping.since_source:
                raise CatalogueError(path, where, "since needs since_source")
        for code in (mapping.program, *mapping.aliases):
            norm = normalize_program(code)
            if norm in seen:
                raise CatalogueError(path, where, f"programme code {code!r} already maps via {seen[norm]!r}")
            seen[norm] = mapping.program
        programs[mapping.program] = mapping
    return Catalogue(reviewed=parsed.reviewed, authorities=authorities, programs=programs)


def load_engagement_from(path: str | Path, catalogue: Catalogue | None = None) -> EngagementData:
    """Read and validate an engagement file against a catalogue (uncached)."""
    path = Path(path)
    catalogue = catalogue or load_authorities()
    parsed: EngagementFile = _validate(EngagementFile, _read_yaml(path), path)
    parties: dict[str, CuratedParty] = {}
    for i, party in enumerate(parsed.parties):
        if party.key in parties:
            raise CatalogueError(path, f"parties[{i}] (key={party.key!r})", "duplicate party key")
        parties[party.key] = party
    for i, party in enumerate(parsed.parties):
        here = f"parties[{i}] (key={party.key!r})"
        for j, link in enumerate(party.ownership):
            if link.parent not in parties:
                raise CatalogueError(path, f"{here}.ownership[{j}]", f"unknown parent party {link.parent!r}")
            if link.parent == party.key:
                raise CatalogueError(path, f"{here}.ownership[{j}]", "a party cannot own itself")
        for j, sanction in enumerate(party.sanctions):
            where = f"{here}.sanctions[{j}] (key={sanction.key!r})"
            authority = catalogue.authorities.get(sanction.authority)
            if authority is None:
                raise CatalogueError(path, where, f"unknown authority {sanction.authority!r}")
            unknown = [m for m in sanction.measures if m not in authority.measure_codes]
            if unknown:
                raise CatalogueError(path, where, f"measures {unknown} are not measures of {authority.code}")
            if sanction.imposed and sanction.imposed < authority.in_force.since:
                raise CatalogueError(path, where, f"imposed {sanction.imposed} before {authority.code} took effect "
                                                  f"({authority.in_force.since})")  # fmt: skip
            if sanction.program:
                mapping = catalogue.program(sanction.program)
                if mapping is None:
                    raise CatalogueError(path, where, f"unknown programme {sanction.program!r}")
                if mapping.authority != authority.code:
                    raise CatalogueError(
                        path, where, f"programme {sanction.program!r} maps to {mapping.authority}, not {authority.code}"
                    )
            for k, event in enumerate(sanction.relief_events):
                stray = [m for m in event.scope if m not in sanction.measures]
                if stray:
                    raise CatalogueError(
                        path,
                        f"{where}.relief_events[{k}]",
                        f"scope {stray} are not measures of this sanction ({authority.code})",
                    )
    for i, note in enumerate(parsed.engagement_notes):
        unknown = [p for p in note.parties if p not in parties]
        if unknown:
            raise CatalogueError(path, f"engagement_notes[{i}] (key={note.key!r})", f"unknown parties {unknown}")
    return EngagementData(
        classification=parsed.classification,
        releasability=parsed.releasability,
        parties=parties,
        engagement_notes=list(parsed.engagement_notes),
    )


@cache
def load_authorities() -> Catalogue:
    """The packaged authorities catalogue (validated once, then cached)."""
    return load_authorities_from(authorities_path())


@cache
def load_engagement() -> EngagementData:
    """The packaged engagement parties, cross-checked against the catalogue (cached)."""
    return load_engagement_from(engagement_path(), load_authorities())


def authority_for_program(code: str, dataset: str | None = None) -> Authority | None:
    """The authority a list programme code rests on (packaged catalogue), or None."""
    return load_authorities().authority_for_program(code, dataset)


def notice_period(authority_code: str, relief_code: str, on: dt.date) -> Notice | None:
    """The notice rule in force on ``on`` for an authority's relief path (packaged catalogue)."""
    return load_authorities().notice_period(authority_code, relief_code, on)
