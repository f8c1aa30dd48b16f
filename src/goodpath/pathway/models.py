"""The pathway of each engaged company: where it stands (``PathwayState``), what is proposed and
decided (``PathwayProposal``: the two-person rule), and what relief is in force (``PathwayRelief``).

Every record carries the marking (``Marked``) and the company's ``party_id``: they take the
marking of the company's dialogue dossier when there is one (so the company officer of that
company reads its own pathway), else the proposer's default (releasable to the host organization).
Stage changes are kept in the engagement history table (``engagement_event``, record type
``pathway``), from which the timeline and the funnel are computed.

Not here yet (a later session's work): the evidence document store (uploaded, hashed, versioned
documents linked to transitions; ``evidence`` holds references only), notice dates and the notice
period after which a relief becomes effective, and the conditions of a relief with automatic
snapback proposals on a breach (``conditions`` is stored but not yet enforced).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
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


class PathwayRelief(Marked, Base):
    """Relief in force (or revoked) for one measure of one sanction of a company."""

    __tablename__ = "pathway_relief"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanction.id", ondelete="CASCADE"), index=True)
    measure: Mapped[str] = mapped_column(String(80))
    route_code: Mapped[str] = mapped_column(String(40))
    effective_on: Mapped[date] = mapped_column(Date)
    conditions: Mapped[list] = mapped_column(JSON, default=list)  # not yet enforced (later session)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, revoked
    status_on: Mapped[date] = mapped_column(Date)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_proposal.id", ondelete="SET NULL"))
