"""The pathway of each engaged company: where it stands (``PathwayState``), what is proposed and
decided (``PathwayProposal``: the two-person rule), and what relief is in force (``PathwayRelief``).

Every record carries the marking (``Marked``) and the company's ``party_id``: they take the
marking of the company's dialogue dossier when there is one (so the company officer of that
company reads its own pathway), else the proposer's default (releasable to the host organization).
Stage changes are kept in the engagement history table (``engagement_event``, record type
``pathway``), from which the timeline and the funnel are computed.

Around them: the evidence store (``EvidenceDocument`` with hashed ``EvidenceVersion`` rows, linked to
proposals and reliefs by ``EvidenceLink``), the alerts of breach detection (``PathwayAlert``: a breach
opens a snapback proposal, an unrelated finding waits for review), and the public recognition
register and stigma list (``PublicStatement``, bilingual, published to the public role).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from goodpath.core.models import Base, Marked, utcnow


class PathwayState(Marked, Base):
    """Where one company stands on the pathway, and since when."""

    __tablename__ = "pathway_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), unique=True)
    stage: Mapped[str] = mapped_column(String(40))  # a stage of data/stages.yaml
    since: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PathwayProposal(Marked, Base):
    """A proposed stage change, relief or snapback, and its decision."""

    __tablename__ = "pathway_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # transition, relief, snapback
    from_stage: Mapped[str] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    effective_on: Mapped[date] = mapped_column(Date)  # when the change takes effect once approved
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanction.id", ondelete="SET NULL"), index=True)
    measure: Mapped[str | None] = mapped_column(String(80))
    route_code: Mapped[str | None] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    # [{"kind", "id"|"ref", ...}]: references given by the proposer and found by the evidence checks
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    legal: Mapped[dict | None] = mapped_column(JSON)  # the eligibility answer a relief rests on
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending, approved, ...
    proposed_by: Mapped[str] = mapped_column(String(120))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_event.id", ondelete="SET NULL"))
    # recognition, stigma, snapback: the public statement to publish on approval {"en", "zh"}
    statement: Mapped[dict | None] = mapped_column(JSON)
    # relief: the conditions it will carry; snapback: the ids of the reliefs it revoked
    conditions: Mapped[list | None] = mapped_column(JSON)
    revoked_reliefs: Mapped[list | None] = mapped_column(JSON)
    # optimistic concurrency (core.workflow): every UPDATE checks and bumps it
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class PathwayRelief(Marked, Base):
    """Relief in force (or revoked) for one measure of one sanction of a company."""

    __tablename__ = "pathway_relief"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanction.id", ondelete="CASCADE"), index=True)
    measure: Mapped[str] = mapped_column(String(80))
    route_code: Mapped[str] = mapped_column(String(40))
    effective_on: Mapped[date] = mapped_column(Date)
    conditions: Mapped[list] = mapped_column(JSON, default=list)  # [{"code", ...}] of data/conditions
    # awaiting_notice (granted; its notice period has not been recorded as run), active, revoked
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_on: Mapped[date] = mapped_column(Date)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_proposal.id", ondelete="SET NULL"))
    notice_on: Mapped[date | None] = mapped_column(Date)  # the recorded date notice was given
    notice_version_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_version.id", ondelete="SET NULL"))


class EvidenceDocument(Marked, Base):
    """A document (ICP manual, audit report, notice to Congress, Federal Register publication, meeting
    record ...) with its versions; the marking is the highest of its versions'."""

    __tablename__ = "evidence_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvidenceVersion(Marked, Base):
    """One uploaded version of a document: its bytes, their SHA-256, who uploaded it and when."""

    __tablename__ = "evidence_version"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("evidence_document.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvidenceLink(Base):
    """A document version supporting a proposal or a relief (``purpose``: supports, notice, publication)."""

    __tablename__ = "evidence_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("evidence_version.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_proposal.id", ondelete="CASCADE"), index=True)
    relief_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_relief.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20), default="supports")
    linked_by: Mapped[str] = mapped_column(String(120))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PathwayAlert(Marked, Base):
    """What breach detection found for a company: a ``breach`` (opens a snapback proposal when relief is
    in force) or a finding to ``review`` (e.g. a list entry under an unrelated program)."""

    __tablename__ = "pathway_alert"
    __table_args__ = (UniqueConstraint("party_id", "source", "source_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # breach, review
    source: Mapped[str] = mapped_column(String(40))  # case, screening_hit, list_entry, condition
    source_ref: Mapped[str] = mapped_column(String(200))  # the source record, e.g. case id, entry id
    condition: Mapped[str | None] = mapped_column(String(60))  # the relief condition it breaches
    relief_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_relief.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date | None] = mapped_column(Date)  # when the breach happened, when known
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open, snapback_proposed, ...
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_proposal.id", ondelete="SET NULL"))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)


class PublicStatement(Marked, Base):
    """An entry of the public recognition register or of the stigma list, in English and Chinese."""

    __tablename__ = "public_statement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    register: Mapped[str] = mapped_column(String(20), index=True)  # recognition, stigma
    kind: Mapped[str] = mapped_column(String(20))  # the stage it records: recognized, public_stigma, snapped_back
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_proposal.id", ondelete="SET NULL"))
    published_by: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="current")  # current, superseded, withdrawn
    status_on: Mapped[date | None] = mapped_column(Date)
