"""Parties (FollowTheMoney schemata), their names, addresses, identifiers, ownership links, their
entries on the lists, sanctions, and the legal authorities those sanctions rest on."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goodpath.core.models import Base, Marked, utcnow

# The FollowTheMoney schemata a party may have.
PARTY_SCHEMATA = ("Company", "Organization", "Person", "LegalEntity", "Vessel", "Airplane")
SANCTION_STATUSES = ("active", "waived", "terminated", "expired", "delisted")
# Read "child is <relation> of parent".
RELATIONS = ("subsidiary", "sub_unit", "successor", "owned", "linked")


class Party(Marked, Base):
    __tablename__ = "party"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    # Stable key of a party entered by hand or from the demo data (e.g. "norinco").
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    schema: Mapped[str] = mapped_column(String(20))
    caption: Mapped[str] = mapped_column(String(500))
    countries: Mapped[list] = mapped_column(JSON, default=list)
    birth_dates: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Set when this party was merged into another (registry/identity.py): its id and key redirect there.
    merged_into: Mapped[str | None] = mapped_column(String(24), index=True)

    names: Mapped[list[PartyName]] = relationship(back_populates="party", order_by="PartyName.id")
    addresses: Mapped[list[PartyAddress]] = relationship(order_by="PartyAddress.id")
    identifiers: Mapped[list[PartyIdentifier]] = relationship(order_by="PartyIdentifier.id")
    sanctions: Mapped[list[Sanction]] = relationship(order_by="Sanction.id")


class PartyName(Marked, Base):
    __tablename__ = "party_name"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(500))  # in its own script, as the source gives it
    kind: Mapped[str] = mapped_column(String(20))  # primary, alias, weak_alias, former, original_script
    lang: Mapped[str | None] = mapped_column(String(8))
    script: Mapped[str | None] = mapped_column(String(20))  # e.g. Latin, Han, Cyrillic
    normalized: Mapped[str] = mapped_column(String(600), index=True)  # latinized, lower, for search
    source: Mapped[str | None] = mapped_column(Text)  # citation for names not from a list

    party: Mapped[Party] = relationship(back_populates="names")


class PartyAddress(Marked, Base):
    __tablename__ = "party_address"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), index=True)
    full: Mapped[str] = mapped_column(Text)
    street: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(8))
    remarks: Mapped[str | None] = mapped_column(Text)


class PartyIdentifier(Marked, Base):
    __tablename__ = "party_identifier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(120))
    value: Mapped[str] = mapped_column(String(300), index=True)
    country: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)


class OwnershipLink(Marked, Base):
    """``child`` is a <relation> of ``parent`` (owned by it with ``share`` percent, etc.)."""

    __tablename__ = "ownership_link"
    __table_args__ = (Index("ix_ownership_link_parent_child", "parent_id", "child_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    share: Mapped[float | None] = mapped_column(Float)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # ended links are history, not control
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), index=True)
    source: Mapped[str | None] = mapped_column(Text)


class LegalAuthority(Marked, Base):
    """Mirror of the catalogue in registry/data/authorities.yaml (the YAML is the truth)."""

    __tablename__ = "legal_authority"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)


class Sanction(Marked, Base):
    __tablename__ = "sanction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), index=True)
    authority_code: Mapped[str | None] = mapped_column(ForeignKey("legal_authority.code"), index=True)
    program: Mapped[str | None] = mapped_column(String(120))  # the list's own program code
    list_name: Mapped[str | None] = mapped_column(String(300))
    measures: Mapped[list] = mapped_column(JSON, default=list)
    imposed_on: Mapped[date | None] = mapped_column(Date)
    minimum_end: Mapped[date | None] = mapped_column(Date)  # earliest possible end
    expires_on: Mapped[date | None] = mapped_column(Date)
    citation: Mapped[str | None] = mapped_column(Text)  # Federal Register / list citation
    source_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_date: Mapped[date | None] = mapped_column(Date)
    verified: Mapped[bool] = mapped_column(default=True)  # False: from secondary sources, to confirm
    notes: Mapped[str | None] = mapped_column(Text)
    events: Mapped[list] = mapped_column(JSON, default=list)  # relief events: waivers, renewals, ...
    # How the imposition date is known: exact (the notice's or the list's start date), listed_by (an upper
    # bound: the first imported list version holding the entry), unknown (an unverified fact).
    imposed_precision: Mapped[str] = mapped_column(String(12), default="exact")
    category: Mapped[str | None] = mapped_column(String(4))  # MTCR Annex item category: I or II
    origin: Mapped[str | None] = mapped_column(String(20))  # analyst (recorded from a notice), list, curated
    document_id: Mapped[int | None] = mapped_column(Integer)  # the evidence document (e.g. the FR notice)
    recorded_by: Mapped[str | None] = mapped_column(String(120))
    supersedes_id: Mapped[int | None] = mapped_column(Integer)  # the record this one corrects
    superseded_by_id: Mapped[int | None] = mapped_column(Integer, index=True)  # set once: corrected by

    recorded_events: Mapped[list[SanctionEvent]] = relationship(order_by="SanctionEvent.id")


# What happened to a sanction, as a notice says (or as the pathway decided): the measure's status has one
# source, its events.
EVENT_KINDS = ("waiver", "renewal", "termination", "rescission", "expiry", "delisting")


class SanctionEvent(Marked, Base):
    """A waiver, renewal, termination, rescission, expiry or delisting of a sanction (all its measures, or
    those named), recorded by an analyst from its notice or written by the pathway when a relief takes
    effect. Never edited: a correction is a new event that supersedes it."""

    __tablename__ = "sanction_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanction.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(Date)
    measures: Mapped[list] = mapped_column(JSON, default=list)  # empty: every measure of the sanction
    until: Mapped[date | None] = mapped_column(Date)  # a time-boxed waiver's last day
    citation: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(20), default="analyst")  # analyst | pathway
    relief_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the pathway relief that wrote it
    revoked_on: Mapped[date | None] = mapped_column(Date)  # its relief revoked (snapback) from this day
    supersedes_id: Mapped[int | None] = mapped_column(Integer)
    superseded_by_id: Mapped[int | None] = mapped_column(Integer, index=True)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class ListEntry(Marked, Base):
    """One entity of one list, linked to the registry party it describes."""

    __tablename__ = "list_entry"
    __table_args__ = (UniqueConstraint("dataset", "external_id"),)

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(120), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    link_key: Mapped[str | None] = mapped_column(String(80), index=True)
    schema: Mapped[str] = mapped_column(String(20))
    caption: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="listed")  # listed | delisted
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)  # the parsed entity, as imported
    first_version: Mapped[int] = mapped_column(Integer)
    last_changed_version: Mapped[int] = mapped_column(Integer)
    delisted_version: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)


class PartyMerge(Marked, Base):
    """One party merged into another (the same real-world entity), and its undo (registry/identity.py).
    ``moved`` holds the rows moved, by "table.column", so that the undo restores exactly them."""

    __tablename__ = "party_merge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kept_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    merged_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # key (deterministic, at import) | analyst
    key: Mapped[str | None] = mapped_column(String(300))  # the deterministic key shared
    score: Mapped[float | None] = mapped_column(Float)  # the candidate's score when accepted
    reason: Mapped[str] = mapped_column(Text)
    merged_by: Mapped[str] = mapped_column(String(120))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    moved: Mapped[dict] = mapped_column(JSON, default=dict)
    before: Mapped[dict] = mapped_column(JSON, default=dict)  # the kept party's fields, watched hits
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(String(120))
    undo_reason: Mapped[str | None] = mapped_column(Text)
    audit_seq: Mapped[int | None] = mapped_column(Integer)


class IdentityDecision(Marked, Base):
    """An analyst's decision that two parties are distinct: their candidate pair is not shown again,
    and no import merges them by a shared key (party_a < party_b)."""

    __tablename__ = "identity_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_a: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    party_b: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))  # distinct
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_seq: Mapped[int | None] = mapped_column(Integer)


class EntryKey(Marked, Base):
    """A deterministic key of a list entry (``ofac:9749``, ``imo:9187629``, ``person:passport:ir:123456``):
    entries of different lists sharing one are the same party (registry/identity.py). ``scope`` is the
    list within the dataset: two entries of one list sharing a key make it ambiguous, never a merge."""

    __tablename__ = "entry_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    scope: Mapped[str] = mapped_column(String(300))
