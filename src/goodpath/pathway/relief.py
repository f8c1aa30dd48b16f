"""A relief's whole life: granted, awaiting its notice, in effect, in force, revoked (and what a
snapback reinstated).

A relief (``PathwayRelief``) relieves one measure of one sanction of a company. It is granted when a
relief proposal is approved (``grant``, from ``proposals._apply``): ``active``, or ``awaiting_notice``
when its legal route requires notice to Congress. Recording the notice (``record_notice``: the date and
the ``congress_notice`` document) makes it ``active``; it takes effect once the notice period has run
from that date (``workdays.notice_effective``), never before the route's earliest date (e.g. a minimum
duration). ``in_effect`` answers whether a relief is in effect on a day.

A relief is in force (its measure relieved) while ``active`` or ``awaiting_notice`` (``IN_FORCE``,
``reliefs_in_force``, ``relieved_measures``). An approved snapback revokes exactly the reliefs in force
(``revoke_in_force``): their measures bind again (``reinstated``, ``in_force_again``).
Every change is audited in the caller's transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can, can_read, read_filter
from goodpath.access.records import get_readable
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import parse_date, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import audited
from goodpath.pathway import conditions as relief_conditions
from goodpath.pathway import evidence as evidence_store
from goodpath.pathway import workdays
from goodpath.pathway.models import EvidenceDocument, PathwayProposal, PathwayRelief
from goodpath.registry import sanction_records
from goodpath.registry.models import Sanction

IN_FORCE = ("active", "awaiting_notice")  # a relief's statuses while its measure is relieved


# --- granting ----------------------------------------------------------------------------------------


def notice_rule(proposal: PathwayProposal | None) -> dict | None:
    """The notice the relief's legal route requires ({days, unit, to, verified}), or None."""
    if proposal is None:
        return None
    return ((proposal.legal or {}).get("route") or {}).get("notice") or None


def _earliest(proposal: PathwayProposal) -> date | None:
    """The route's earliest effective date (e.g. after its notice period to Congress), if any."""
    return parse_date(((proposal.legal or {}).get("route") or {}).get("earliest_effective"), "earliest")


def grant(session: Session, viewer: Viewer, proposal: PathwayProposal, note: str) -> PathwayRelief:
    """The relief an approved relief proposal grants, from its effective date (not before the route's
    earliest); awaiting its notice when the route requires one, else active."""
    on = proposal.effective_on
    earliest = _earliest(proposal)
    relief = PathwayRelief(
        party_id=proposal.party_id, sanction_id=proposal.sanction_id, measure=proposal.measure,
        route_code=proposal.route_code, effective_on=max(on, earliest or on),
        conditions=relief_conditions.for_relief(proposal.conditions), status="active",
        status_on=on,
        proposal_id=proposal.id, classification=proposal.classification, releasability=proposal.releasability,
        originator=proposal.originator, published=False,
    )  # fmt: skip
    if notice_rule(proposal):  # in effect once its notice is recorded (record_notice)
        relief.status = "awaiting_notice"
    session.add(relief)
    session.flush()
    audited(session, viewer, "pathway.relief", relief, reason=note)
    if relief.status == "active":
        _write_event(session, viewer, relief, proposal)
    return relief


def _write_event(session: Session, viewer: Viewer, relief: PathwayRelief, proposal: PathwayProposal | None) -> None:
    """The sanction's event this relief makes (a waiver, termination...), from the day it takes effect:
    a measure's status has one source, its sanction's events (registry.sanction_records.relief_event)."""
    route = ((proposal.legal or {}).get("route") or {}) if proposal is not None else {}
    sanction_records.relief_event(
        session, viewer, relief_id=relief.id, sanction_id=relief.sanction_id, measure=relief.measure,
        route_kind=route.get("type") or "", route_code=relief.route_code, on=relief.effective_on,
        citation=f"pathway relief {relief.id} (proposal {relief.proposal_id}, route {relief.route_code})",
    )  # fmt: skip


# --- the notice period --------------------------------------------------------------------------------


def _number(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no {what} {value!r}") from None


def record_notice(
    session: Session, viewer: Viewer, relief_id: int | str, notice_on: date | str, version_id: int | str
) -> PathwayRelief:
    """Record when notice of a relief was given, and the ``congress_notice`` document that gave it: the
    relief becomes active and takes effect once the notice period has run from that date. Recording
    again replaces the date and the document."""
    if not can(viewer, Permission.MANAGE_ENGAGEMENT):
        raise Refused("you do not have permission to record the notice of a relief")
    relief = get_readable(session, viewer, PathwayRelief, _number(relief_id, "relief"), "relief")
    day = parse_date(notice_on, "notice_on")
    if day is None:
        raise GoodpathError("notice_on is required (the date notice was given, YYYY-MM-DD)")
    if relief.status not in ("awaiting_notice", "active"):
        raise Refused(f"relief {relief.id} is {relief.status}: its notice can no longer be recorded")
    proposal = session.get(PathwayProposal, relief.proposal_id) if relief.proposal_id is not None else None
    rule = notice_rule(proposal)
    if rule is None:
        raise Refused(f"relief {relief.id} (route {relief.route_code}) requires no notice")
    version = evidence_store.get_version_by_id(session, viewer, version_id)
    document = session.get(EvidenceDocument, version.document_id)
    if document.kind != evidence_store.NOTICE_KIND:
        raise GoodpathError(f"the notice must be a {evidence_store.NOTICE_KIND} document; document {document.id} "
                            f"is a {document.kind}")  # fmt: skip
    if version.party_id not in (None, relief.party_id):
        raise GoodpathError(f"document {document.id} is another company's notice")
    if day > utcnow().date():
        raise GoodpathError(f"notice_on {day.isoformat()} is in the future")
    approved_on = proposal.effective_on
    if day < approved_on:
        raise Refused(f"notice_on {day.isoformat()} is before the relief was approved ({approved_on.isoformat()})")
    effective = workdays.notice_effective(day, int(rule["days"]), rule["unit"])
    # Never before the route's earliest date (e.g. the end of a minimum duration): notice given on the
    # approval day would have made it effective then at the earliest.
    earliest = _earliest(proposal)
    effective = max(effective, earliest or effective)
    before = to_dict(relief)
    evidence_store.unlink_notices(session, viewer, relief)
    relief.notice_on, relief.notice_version_id, relief.effective_on = day, version.id, effective
    if relief.status == "awaiting_notice":
        relief.status = "active"
    unit = "working days" if rule["unit"] == "working_days" else "days"
    reason = (f"notice given {day.isoformat()} ({document.kind} document {document.id} version {version.version}): "
              f"{rule['days']} {unit}, effective {effective.isoformat()}")  # fmt: skip
    audited(session, viewer, "pathway.relief.notice", relief, before=before, reason=reason)
    evidence_store.link_notice(session, viewer, version, relief)
    _write_event(session, viewer, relief, proposal)
    return relief


# --- in effect, in force ------------------------------------------------------------------------------


def in_effect(relief: PathwayRelief, on: date | None = None) -> bool:
    """Whether the relief is in effect on ``on`` (default today): active and its effective date come."""
    on = on or utcnow().date()
    return relief.status == "active" and relief.effective_on is not None and relief.effective_on <= on


def row_in_effect(row: dict, on: date) -> bool:
    """``in_effect`` of a relief given as a row (``to_dict``): active and its effective date come."""
    effective = parse_date(row.get("effective_on"), "effective_on")
    return row.get("status") == "active" and effective is not None and effective <= on


def relief_dict(relief: PathwayRelief, today: date | None = None) -> dict:
    return to_dict(relief) | {"in_effect": in_effect(relief, today)}


def reliefs_in_force(session: Session, party_id: str) -> list[PathwayRelief]:
    """The company's reliefs in force (active or awaiting their notice), oldest first."""
    return list(session.scalars(
        select(PathwayRelief).where(PathwayRelief.party_id == party_id, PathwayRelief.status.in_(IN_FORCE))
        .order_by(PathwayRelief.id)
    ))  # fmt: skip


def relieved_measures(session: Session, party_id: str, in_effect_on: date | None = None) -> set[tuple[int, str]]:
    """The measures with relief granted (active or awaiting its notice); with ``in_effect_on``, only
    those whose relief is in effect on that day (notice run, effective date come)."""
    query = select(PathwayRelief.sanction_id, PathwayRelief.measure).where(PathwayRelief.party_id == party_id)
    if in_effect_on is None:
        query = query.where(PathwayRelief.status.in_(IN_FORCE))
    else:
        query = query.where(PathwayRelief.status == "active", PathwayRelief.effective_on <= in_effect_on)
    return {(s, m) for s, m in session.execute(query)}


def active_sanction_measures(session: Session, party_id: str, viewer: Viewer | None = None) -> set[tuple[int, str]]:
    """(sanction, measure) of the company's active sanctions: all of them, or those ``viewer`` may read."""
    query = select(Sanction).where(Sanction.party_id == party_id, Sanction.status == "active")
    if viewer is not None:
        query = query.where(read_filter(viewer, Sanction))
    return {(s.id, m) for s in session.scalars(query) for m in (s.measures or [])}


# --- revoked by a snapback, and what it reinstated ------------------------------------------------------


def revoke_in_force(session: Session, viewer: Viewer, party_id: str, on: date, note: str) -> list[int]:
    """Revoke exactly the company's reliefs in force (their measures bind again) as of ``on``: their ids."""
    revoked = []
    for relief in reliefs_in_force(session, party_id):
        before = to_dict(relief)
        relief.status, relief.status_on = "revoked", on
        audited(session, viewer, "pathway.relief.revoke", relief, before=before, reason=note)
        sanction_records.revoke_relief_event(session, viewer, relief.id, on)
        revoked.append(relief.id)
    return revoked


def reinstated(session: Session, viewer: Viewer | None, party_id: str) -> list[dict]:
    """Per sanction and measure, what each approved snapback reinstated: exactly the reliefs it revoked.
    ``in_force``: the measure binds again now (not relieved again since, its sanction still active)."""
    query = select(PathwayProposal).where(PathwayProposal.party_id == party_id, PathwayProposal.kind == "snapback",
                                          PathwayProposal.status == "approved")  # fmt: skip
    # relieved again since: as far as the viewer reads (a hidden relief is one that does not exist)
    relieved_now = {(r.sanction_id, r.measure) for r in reliefs_in_force(session, party_id)
                    if viewer is None or can_read(viewer, r)}  # fmt: skip
    out = []
    for proposal in session.scalars(query.order_by(PathwayProposal.id)):
        if viewer is not None and not can_read(viewer, proposal):
            continue
        for relief_id in proposal.revoked_reliefs or []:
            relief = session.get(PathwayRelief, relief_id)
            if relief is None or (viewer is not None and not can_read(viewer, relief)):
                continue
            sanction = session.get(Sanction, relief.sanction_id)
            if sanction is not None and viewer is not None and not can_read(viewer, sanction):
                continue  # a measure of a sanction the viewer may not read
            out.append({
                "sanction_id": relief.sanction_id, "measure": relief.measure, "relief_id": relief.id,
                "route_code": relief.route_code, "relieved_from": relief.effective_on.isoformat(),
                "reinstated_on": proposal.effective_on.isoformat(), "proposal_id": proposal.id,
                "in_force": (relief.sanction_id, relief.measure) not in relieved_now
                and sanction is not None and sanction.status == "active",
            })  # fmt: skip
    return out


def in_force_again(session: Session, party_id: str) -> set[tuple[int, str]]:
    """The (sanction, measure) pairs a snapback put back in force and that bind now."""
    return {(r["sanction_id"], r["measure"]) for r in reinstated(session, None, party_id) if r["in_force"]}
