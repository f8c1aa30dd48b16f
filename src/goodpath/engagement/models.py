"""The engagement records of the seed cables: consultations and their rounds, pledges,
alleged-violation cases with their parties, the partner's enforcement actions, cooperation
projects, company dialogue dossiers (invitations, meetings, disclosures) and ICP assessments.

Every record carries the marking (``Marked``); ``party_id`` ties a record to a company's
dossier, which is what a company officer may read. ``source`` cites where a fact comes from
(e.g. "07BEIJING1900 ¶4"). Status changes of every workflow are kept in one history table
(``core.workflow.StatusEvent``): metrics (time to each step, held vs. planned) are computed from it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goodpath.core.models import Base, Marked, utcnow


class Stamped(Marked):
    """Who made a record and when, and the source it cites."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    source: Mapped[str | None] = mapped_column(Text)  # citation, e.g. "07BEIJING1900 ¶4"
    demo_key: Mapped[str | None] = mapped_column(String(80), unique=True)  # stable key of demo records


# --- consultations and pledges ----------------------------------------------------------------


class Consultation(Stamped, Base):
    """A standing consultation track between two governments (e.g. the DG/AFM-level
    nonproliferation consultations), with its planned cadence and status."""

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(40))  # see consultations.LEVELS
    counterpart: Mapped[str] = mapped_column(String(8))  # the partner government, e.g. CHN
    cadence_months: Mapped[int | None] = mapped_column(Integer)  # twice a year: 6
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, suspended, ended
    status_since: Mapped[date | None] = mapped_column(Date)
    status_cause: Mapped[str | None] = mapped_column(Text)  # why suspended or ended
    notes: Mapped[str | None] = mapped_column(Text)
    # optimistic concurrency (core.workflow): every UPDATE checks and bumps it
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    rounds: Mapped[list[ConsultationRound]] = relationship(order_by="ConsultationRound.scheduled_on")


class ConsultationRound(Stamped, Base):
    __tablename__ = "consultation_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    scheduled_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned, held, cancelled
    place: Mapped[str | None] = mapped_column(String(200))
    # [{"side": "USA", "name": "...", "title": "..."}]
    participants: Mapped[list] = mapped_column(JSON, default=list)
    agenda: Mapped[list] = mapped_column(JSON, default=list)  # list of items
    outcome: Mapped[str | None] = mapped_column(Text)


class Pledge(Stamped, Base):
    """Who pledged what to whom, in which meeting, with owner, due date and fulfilment."""

    __tablename__ = "pledge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_round.id", ondelete="SET NULL"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("company_meeting.id", ondelete="SET NULL"), index=True)
    made_on: Mapped[date] = mapped_column(Date)
    pledged_by: Mapped[str] = mapped_column(String(200))  # e.g. "MFA (PRC)", "USG"
    pledged_to: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))  # who must act on it
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, fulfilled, broken, withdrawn
    status_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # [{"text", "source", "recorded_by", "on"}]
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)
    # optimistic concurrency (core.workflow): every UPDATE checks and bumps it
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    __mapper_args__ = {"version_id_col": version}


# --- alleged-violation cases and the partner's enforcement -------------------------------------


class ViolationCase(Stamped, Base):
    """An alleged export-control violation raised through the working-level channel."""

    __tablename__ = "violation_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "WLC-2007-001"
    title: Mapped[str] = mapped_column(String(300))
    raised_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(40), default="raised")
    status_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(40))  # resolved_by_consultation, sanctioned, ...
    outcome_note: Mapped[str | None] = mapped_column(Text)
    destination: Mapped[str | None] = mapped_column(String(8))  # country code
    end_user: Mapped[str | None] = mapped_column(String(300))
    facts: Mapped[str] = mapped_column(Text)
    # [{"description", "control_entry" (e.g. "MTCR Item 2", "ECCN 9A004"), "quantity"}]
    items: Mapped[list] = mapped_column(JSON, default=list)
    partner_response: Mapped[str | None] = mapped_column(Text)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)
    # optimistic concurrency (core.workflow): every UPDATE checks and bumps it
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    parties: Mapped[list[CaseParty]] = relationship(order_by="CaseParty.id")


class CaseParty(Marked, Base):
    """A party of a case: linked to the registry when known, screened on entry."""

    __tablename__ = "case_party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("violation_case.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))  # exporter, broker, end_user, consignee, ...
    name: Mapped[str] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(8))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("screened_subject.id", ondelete="SET NULL"))
    hits: Mapped[list] = mapped_column(JSON, default=list)  # screening hits on entry
    screened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EnforcementAction(Stamped, Base):
    """An enforcement action the partner government reports (transparency)."""

    __tablename__ = "enforcement_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("violation_case.id", ondelete="SET NULL"), index=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)
    party_name: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(40))  # investigation, penalty, licence_denial, ...
    taken_on: Mapped[date | None] = mapped_column(Date)
    reported_on: Mapped[date] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(200))  # e.g. "MOFCOM"
    detail_level: Mapped[str] = mapped_column(String(20))  # none, summary, detailed
    detail: Mapped[str | None] = mapped_column(Text)
    penalty_amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))


# --- cooperation ---------------------------------------------------------------------------------


class CooperationProject(Stamped, Base):
    """EXBS and other projects, trainings (e.g. WMD commodity identification), exchanges."""

    __tablename__ = "cooperation_project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # exbs, training, exchange, other
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    status_on: Mapped[date] = mapped_column(Date)
    status_cause: Mapped[str | None] = mapped_column(Text)
    proposed_by: Mapped[str | None] = mapped_column(String(200))
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    participants: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    # optimistic concurrency (core.workflow): every UPDATE checks and bumps it
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    __mapper_args__ = {"version_id_col": version}


# --- company dialogue -----------------------------------------------------------------------------


class Dossier(Stamped, Base):
    """The dialogue with one company: topics (business model, ICP process, business with
    countries of concern, efforts on UN Security Council resolutions) and their state."""

    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # proposed, invited, in_dialogue, ...
    status_on: Mapped[date] = mapped_column(Date)
    topics: Mapped[list] = mapped_column(JSON, default=list)  # [{"topic", "status", "notes", "source"}]
    model_candidate: Mapped[bool] = mapped_column(default=False)  # proposed as a model of the good path
    # optimistic concurrency (core.workflow): every UPDATE checks and bumps it
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    invitations: Mapped[list[Invitation]] = relationship(order_by="Invitation.id")
    meetings: Mapped[list[CompanyMeeting]] = relationship(order_by="CompanyMeeting.held_on")


class Invitation(Stamped, Base):
    """An invitation to named senior officials of the company, with attendance conditions."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    invitees: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "title"}]
    conditions: Mapped[list] = mapped_column(JSON, default=list)  # e.g. "unaccompanied by outside advisors"
    purpose: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, sent, accepted, declined, ...
    status_on: Mapped[date] = mapped_column(Date)
    response: Mapped[str | None] = mapped_column(Text)


class CompanyMeeting(Stamped, Base):
    __tablename__ = "company_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[list] = mapped_column(JSON, default=list)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text)


class Disclosure(Stamped, Base):
    """A company's report of business with a country of concern; its counterparty is
    screened on entry and after every list import (a watched subject)."""

    __tablename__ = "disclosure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    counterparty: Mapped[str] = mapped_column(String(500))
    counterparty_country: Mapped[str] = mapped_column(String(8))
    items: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("screened_subject.id", ondelete="SET NULL"))
    hits: Mapped[list] = mapped_column(JSON, default=list)  # screening hits on entry / last re-screen
    screened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # none, possible_hit, confirmed_hit (a signal for the pathway engine), cleared
    signal: Mapped[str] = mapped_column(String(20), default="none")
    signal_note: Mapped[str | None] = mapped_column(Text)


# --- ICP assessment -------------------------------------------------------------------------------


class IcpAssessment(Stamped, Base):
    """An assessment of a company's internal compliance programme against one framework."""

    __tablename__ = "icp_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    framework: Mapped[str] = mapped_column(String(40))  # eu-2019-1318, bis-ecg
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, final
    score: Mapped[float | None] = mapped_column(Float)  # 0..1, set when final

    scores: Mapped[list[IcpElementScore]] = relationship(order_by="IcpElementScore.id")


class IcpElementScore(Marked, Base):
    __tablename__ = "icp_element_score"
    __table_args__ = (UniqueConstraint("assessment_id", "element", name="uq_icp_element_score_assessment_element"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("icp_assessment.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    element: Mapped[str] = mapped_column(String(40))  # the rubric's element code
    score: Mapped[int] = mapped_column(Integer)  # 0..rubric max
    evidence: Mapped[str] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(120))
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
