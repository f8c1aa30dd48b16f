"""Breach detection and snapback: the conditions of relief watched, breaches turned into snapback proposals.

``scan`` looks at every company with a pathway state (or the given ones) from the start of its
window (the earliest relief in force; else its entry into monitoring) up to a date, and records what
it finds as ``PathwayAlert`` rows, once each (unique per company, source and source record):

- ``breach``: a case of the company closed 'sanctioned', a confirmed screening hit of a disclosed
  counterparty, a new list entry under a nonproliferation programme for the company or a subsidiary
  (ownership links without an end date) -- when the relief in force carries the condition it breaches
  (or no relief is in force: the breach still blocks relief);
- ``review``: a new entry under an unrelated, mixed or unknown programme; a listing whose date cannot be
  told; a breach of a condition the relief in force does not carry; an overdue ICP audit or disclosure.

For a company with relief in force (active or awaiting notice) at a relief stage (stages.yaml), open
breaches open ONE snapback proposal, proposed by the system (``stages.system_viewer()``, actor
"system:pathway"), unless one is pending already; a second person with the approver role decides it.
No statute snaps back automatically (legal-rules.md): snapback is a revocation of relief under its
conditions. Everything is read as the hosting organization's fully cleared system; alerts take the
marking of the company's pathway state.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can, can_read
from goodpath.access.records import get_readable, readable, require
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import one_of, parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent, audited
from goodpath.engagement import disclosures
from goodpath.engagement.models import CaseParty, Disclosure, IcpAssessment, ViolationCase
from goodpath.pathway import conditions as catalogue_of_conditions
from goodpath.pathway import findings, proposals
from goodpath.pathway import relief as relief_life
from goodpath.pathway import stages as catalogue
from goodpath.pathway.models import PathwayAlert, PathwayProposal, PathwayRelief, PathwayState
from goodpath.registry.authorities import add_period
from goodpath.registry.models import ListEntry, Party
from goodpath.registry.service import get_party

SYSTEM_ACTOR = "system:pathway"
KINDS = ("breach", "review")
ALERT_STATUSES = ("open", "snapback_proposed", "snapped_back", "snapback_rejected", "snapback_withdrawn",
                  "dismissed", "escalated")  # fmt: skip
DECISIONS = ("dismiss", "escalate")


# --- scanning ---------------------------------------------------------------------------------------


def window_start(session: Session, party_id: str, reliefs: list[PathwayRelief]) -> date | None:
    """Since when breaches count: the earliest relief in force (its grant); else entry into the monitoring
    stage."""
    if reliefs:
        return min(min(r.status_on, r.effective_on) for r in reliefs)
    return catalogue.entered(session, party_id, catalogue.load().monitoring_stage)


def _early_findings(session: Session, party: Party, state: PathwayState, on: date) -> list[dict]:
    """Before monitoring and relief no condition binds the company yet: what is found since it stands
    on the pathway (e.g. a new listing while in dialogue) is for an analyst to review, not a breach."""
    early = []
    for finding in _findings(session, party, [], state.since, on, baseline=False):
        if finding["source"] == "condition":
            continue
        note = " (before monitoring: no condition binds the company yet)"
        early.append({**finding, "kind": "review", "detail": finding["detail"] + note})
    return early


def _attribute(condition: str, reliefs: list[PathwayRelief]) -> tuple[str, int | None, str]:
    """Breach or review: a breach when no relief is in force (it blocks relief) or a relief in force
    carries the condition; else a review (not a condition of the relief in force)."""
    if not reliefs:
        return "breach", None, ""
    for r in reliefs:
        if condition in catalogue_of_conditions.codes_of(r.conditions):
            return "breach", r.id, ""
    return "review", None, f" (not a condition of the relief in force: {condition})"


def _findings(
    session: Session, party: Party, reliefs: list[PathwayRelief], start: date, on: date, *, baseline: bool = True
) -> list[dict]:
    system = catalogue.system_viewer()
    out: list[dict] = []
    transfers = "no_transfers_to_countries_of_concern"
    cases = session.scalars(
        select(ViolationCase).where(
            ViolationCase.outcome == "sanctioned", ViolationCase.status_on >= start, ViolationCase.status_on <= on,
            or_(ViolationCase.party_id == party.id,
                ViolationCase.id.in_(select(CaseParty.case_id).where(CaseParty.party_id == party.id))),
        ).order_by(ViolationCase.id)
    ).unique()  # fmt: skip
    for case in cases:
        kind, relief_id, why = _attribute(transfers, reliefs)
        out.append(
            {
                "kind": kind,
                "source": "case",
                "source_ref": str(case.id),
                "condition": transfers,
                "relief_id": relief_id,
                "occurred_on": case.status_on,
                "detail": f"case {case.reference} closed 'sanctioned' on {case.status_on.isoformat()}{why}",
            }
        )
    for hit in disclosures.signals(session, system, party.id):
        confirmed = findings.parse_date_loose(hit.get("confirmed_on"))
        if confirmed is not None and (confirmed < start or confirmed > on):
            continue
        kind, relief_id, why = _attribute(transfers, reliefs)
        out.append({"kind": kind, "source": "screening_hit", "source_ref": f"{hit['disclosure_id']}:{hit['entry_id']}",
                    "condition": transfers, "relief_id": relief_id, "occurred_on": confirmed,
                    "detail": f"confirmed screening hit of disclosed counterparty {hit['counterparty']} "
                              f"({hit['counterparty_country']}) on {hit['caption']} (disclosure {hit['disclosure_id']})"
                              f"{why}"})  # fmt: skip
    listing = "no_new_nonproliferation_listing"
    for f in findings.list_entry_findings(session, party.id, start, on, baseline=baseline):
        whose = f"subsidiary {f['party_id']}" if f["subsidiary"] else "the company"
        detail = (f"new list entry {f['caption']} ({f['dataset']}, programme {f['program'] or 'none'}) of {whose}, "
                  f"{'listed' if f['dated_by'] == 'entry' else 'first seen in its list'} {f['listed_on']}: "
                  f"{f['class']} ({f['reason']})")  # fmt: skip
        kind, relief_id, why = _attribute(listing, reliefs) if f["breach"] else ("review", None, "")
        out.append({"kind": kind, "source": "list_entry", "source_ref": f"{f['entry_id']}:{f['program'] or ''}"[:200],
                    "condition": listing, "relief_id": relief_id, "occurred_on": date.fromisoformat(f["listed_on"]),
                    "detail": detail + why})  # fmt: skip
    for f in findings.recorded_sanction_findings(session, party.id, start, on):
        whose = f"subsidiary {f['party_id']}" if f["subsidiary"] else "the company"
        detail = (f"new sanction {f['sanction_id']} under {f['authority']} on {whose}, imposed {f['imposed_on']} "
                  f"({f['citation']}): {f['class']} ({f['reason']})")  # fmt: skip
        kind, relief_id, why = _attribute(listing, reliefs) if f["breach"] else ("review", None, "")
        out.append({"kind": kind, "source": "list_entry", "source_ref": f"sanction:{f['sanction_id']}",
                    "condition": listing, "relief_id": relief_id, "occurred_on": date.fromisoformat(f["imposed_on"]),
                    "detail": detail + why})  # fmt: skip
    out += _overdue(session, party, reliefs, start, on)
    return out


def _overdue(session: Session, party: Party, reliefs: list[PathwayRelief], start: date, on: date) -> list[dict]:
    """Conditions of the relief in force whose evidence is overdue: review alerts, never breaches."""
    out = []
    for code in sorted(set().union(*(catalogue_of_conditions.codes_of(r.conditions) for r in reliefs))):
        condition = catalogue_of_conditions.load().conditions.get(code)
        if condition is None or not condition.every_months:
            continue
        last = _last_evidence(session, party.id, condition.evidence, on)
        reference = max(last, start) if last else start
        due = add_period(reference, months=condition.every_months)
        if on <= due:
            continue
        relief = next((r for r in reliefs if code in catalogue_of_conditions.codes_of(r.conditions)), None)
        what = {"icp_assessment": "final ICP assessment", "disclosure": "disclosure"}.get(
            condition.evidence, condition.evidence
        )
        out.append({"kind": "review", "source": "condition", "source_ref": f"{code}:{due.isoformat()}",
                    "condition": code, "relief_id": relief.id if relief else None, "occurred_on": due,
                    "detail": f"{code} overdue: no {what} since {reference.isoformat()} "
                              f"(every {condition.every_months} months; due {due.isoformat()})"})  # fmt: skip
    return out


def _last_evidence(session: Session, party_id: str, evidence: str | None, on: date) -> date | None:
    if evidence == "icp_assessment":
        return session.scalars(
            select(IcpAssessment.assessed_on).where(IcpAssessment.party_id == party_id, IcpAssessment.status == "final",
                                                    IcpAssessment.assessed_on <= on)
            .order_by(IcpAssessment.assessed_on.desc()).limit(1)
        ).first()  # fmt: skip
    if evidence == "disclosure":
        made = dict(session.execute(
            select(StatusEvent.record_id, StatusEvent.occurred_on).where(
                StatusEvent.record_type == disclosures.SIGNAL.name, StatusEvent.party_id == party_id,
                StatusEvent.from_status.is_(None))
        ).all())  # fmt: skip
        days = [made.get(d.id) or d.created_at.date() for d in session.scalars(
            select(Disclosure).where(Disclosure.party_id == party_id))]  # fmt: skip
        days = [d for d in days if d <= on]
        return max(days) if days else None
    return None


def _record(session: Session, system: Viewer, party: Party, finding: dict) -> PathwayAlert | None:
    """The alert for a finding, once: None when it was recorded before (idempotent)."""
    existing = session.scalars(
        select(PathwayAlert.id).where(PathwayAlert.party_id == party.id, PathwayAlert.source == finding["source"],
                                      PathwayAlert.source_ref == finding["source_ref"])
    ).first()  # fmt: skip
    if existing is not None:
        return None
    marks = proposals._marks(session, system, party, None, None)
    alert = PathwayAlert(party_id=party.id, status="open", detected_at=utcnow(), **finding, **marks)
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:  # recorded meanwhile by a concurrent scan
        return None
    audited(session, system, f"pathway.alert.{alert.kind}", alert, reason=alert.detail)
    return alert


def _pending_snapback(session: Session, party_id: str) -> PathwayProposal | None:
    return session.scalars(
        select(PathwayProposal).where(PathwayProposal.party_id == party_id, PathwayProposal.kind == "snapback",
                                      PathwayProposal.status == "pending").order_by(PathwayProposal.id).limit(1)
    ).first()  # fmt: skip


def _link(session: Session, viewer: Viewer, alerts: Iterable[PathwayAlert], proposal: PathwayProposal) -> None:
    for alert in alerts:
        before = to_dict(alert)
        alert.status, alert.proposal_id = "snapback_proposed", proposal.id
        audited(session, viewer, "pathway.alert.snapback", alert, before=before, reason=f"proposal {proposal.id}")


def _propose_snapback(session: Session, viewer: Viewer, party: Party, alerts: list[PathwayAlert],
                      on: date) -> tuple[PathwayProposal, bool]:  # fmt: skip
    """The pending snapback proposal of the company (with the alerts linked to it), opened if needed."""
    pending = _pending_snapback(session, party.id)
    if pending is not None:
        _link(session, viewer, alerts, pending)
        return pending, False
    listed = "; ".join(f"[{a.source}] {a.detail}" for a in alerts)
    rationale = f"Breach of the conditions of relief ({len(alerts)}): {listed}"
    if len(rationale) > 4000:
        rationale = rationale[:3990] + " ..."
    evidence = [{"kind": "pathway_alert", "id": a.id, "source": a.source, "ref": a.source_ref} for a in alerts][:50]
    proposal = proposals.propose(session, viewer, party.id, to_stage=catalogue.load().snapback_stage,
                                 rationale=rationale, evidence=evidence, effective_on=on)  # fmt: skip
    _link(session, viewer, alerts, proposal)
    return proposal, True


def _sync(session: Session, system: Viewer, party_id: str) -> None:
    """Alerts whose snapback proposal was rejected or withdrawn say so (they are not proposed again)."""
    rows = session.execute(
        select(PathwayAlert, PathwayProposal.status)
        .join(PathwayProposal, PathwayProposal.id == PathwayAlert.proposal_id)
        .where(PathwayAlert.party_id == party_id, PathwayAlert.status == "snapback_proposed",
               PathwayProposal.status.in_(("rejected", "withdrawn")))
    ).all()  # fmt: skip
    for alert, status in rows:
        before = to_dict(alert)
        alert.status = f"snapback_{status}"
        audited(session, system, "pathway.alert.sync", alert, before=before, reason=f"snapback proposal {status}")


def has_relief_in_force(session: Session, state: PathwayState | None) -> bool:
    """The company stands at a stage with relief in force, and some relief of it is in force."""
    if state is None or state.stage not in catalogue.load().relief_stages:
        return False
    return bool(relief_life.reliefs_in_force(session, state.party_id))


def scan(session: Session, viewer: Viewer | None = None, party_ids: Iterable[str] | None = None,
         on: date | str | None = None) -> dict:  # fmt: skip
    """Find breaches and reviews for every company with a pathway state (or those given), record each
    once as an alert, and open one snapback proposal per company with relief in force and open
    breaches. ``viewer``: who asks (the answer lists what they may read; None: the system)."""
    on = parse_date(on, "on") or utcnow().date()
    system = catalogue.system_viewer()
    query = select(PathwayState).order_by(PathwayState.party_id)
    if party_ids is not None:
        query = query.where(PathwayState.party_id.in_(list(party_ids)))
    alerts: list[PathwayAlert] = []
    opened: list[PathwayProposal] = []
    problems: list[dict] = []
    states = list(session.scalars(query))
    for state in states:
        party = session.get(Party, state.party_id)
        reliefs = relief_life.reliefs_in_force(session, party.id)
        start = window_start(session, party.id, reliefs)
        if start is None:
            findings = _early_findings(session, party, state, on)
        else:
            findings = _findings(session, party, reliefs, start, on)
        for finding in findings:
            alert = _record(session, system, party, finding)
            if alert is not None:
                alerts.append(alert)
        _sync(session, system, party.id)
        if not has_relief_in_force(session, state):
            continue
        open_breaches = list(session.scalars(
            select(PathwayAlert).where(PathwayAlert.party_id == party.id, PathwayAlert.kind == "breach",
                                       PathwayAlert.status == "open").order_by(PathwayAlert.id)
        ))  # fmt: skip
        if not open_breaches:
            continue
        try:
            with session.begin_nested():
                proposal, new = _propose_snapback(session, system, party, open_breaches, max(on, state.since))
        except (Refused, GoodpathError) as exc:  # e.g. the evidence check disagrees: the alerts stay open
            problems.append({"party_id": party.id, "problem": str(exc), "state": state})
            continue
        if new:
            opened.append(proposal)
    return _answer(viewer, on, len(states), alerts, opened, problems)


def _answer(viewer, on, companies, alerts, opened, problems) -> dict:
    def visible(record) -> bool:
        return viewer is None or can_read(viewer, record)

    shown = [alert_row(a) for a in alerts if visible(a)]
    return {
        "on": on.isoformat(),
        "companies": companies,
        "counts": {
            "breach": sum(a["kind"] == "breach" for a in shown),
            "review": sum(a["kind"] == "review" for a in shown),
            "proposals": sum(1 for p in opened if visible(p)),
        },  # fmt: skip
        "alerts": shown,
        "proposals": [
            {
                "id": p.id,
                "party_id": p.party_id,
                "to_stage": p.to_stage,
                "status": p.status,
                "proposed_by": p.proposed_by,
            }
            for p in opened
            if visible(p)
        ],  # fmt: skip
        "problems": [{"party_id": p["party_id"], "problem": p["problem"]} for p in problems if visible(p["state"])],
    }


# --- triggers (follow-ups declared in goodpath.consequences): cheap when no company is on the pathway ----


def _on_pathway(session: Session, party_ids: Iterable[str] | None = None) -> list[str]:
    query = select(PathwayState.party_id)
    if party_ids is not None:
        ids = [p for p in set(party_ids) if p]
        if not ids:
            return []
        query = query.where(PathwayState.party_id.in_(ids))
    return list(session.scalars(query))


def after_case_closed(session: Session, case: ViolationCase) -> dict | None:
    """After a case is closed 'sanctioned': scan its parties that are on the pathway."""
    if case.outcome != "sanctioned":
        return None
    ids = {case.party_id, *session.scalars(select(CaseParty.party_id).where(CaseParty.case_id == case.id))}
    found = _on_pathway(session, ids)
    return scan(session, party_ids=found) if found else None


def after_rescreen(session: Session) -> dict | None:
    """After disclosed counterparties were re-screened: scan the pathway companies with confirmed hits."""
    found = list(session.scalars(
        select(PathwayState.party_id).distinct().join(Disclosure, Disclosure.party_id == PathwayState.party_id)
        .where(Disclosure.signal == "confirmed_hit")
    ))  # fmt: skip
    return scan(session, party_ids=found) if found else None


def after_hit_confirmed(session: Session, party_id: str) -> dict | None:
    found = _on_pathway(session, [party_id])
    return scan(session, party_ids=found) if found else None


def after_sanction_recorded(session: Session, party_id: str) -> dict | None:
    """After an analyst recorded a sanction or an event: scan the pathway companies whose group holds the
    party (the same scan as after a list import)."""
    on_pathway = _on_pathway(session)
    found = [c for c in on_pathway if c == party_id or party_id in findings.subsidiaries(session, c)]
    return scan(session, party_ids=found) if found else None


def after_list_import(session: Session, dataset: str, version: int) -> dict | None:
    """After a list import: scan the pathway companies whose (or whose subsidiaries') entries changed.
    Bounded by the (few) companies on the pathway, not by the size of the list."""
    on_pathway = _on_pathway(session)
    if not on_pathway:
        return None
    owners: dict[str, set[str]] = {}  # a party of a company's group -> the companies
    for company in on_pathway:
        for member in (company, *findings.subsidiaries(session, company)):
            owners.setdefault(member, set()).add(company)
    changed = session.scalars(
        select(ListEntry.party_id).distinct().where(
            ListEntry.dataset == dataset, ListEntry.last_changed_version == version,
            ListEntry.party_id.in_(list(owners)),
        )
    ).all()  # fmt: skip
    found = sorted({c for member in changed for c in owners[member]})
    return scan(session, party_ids=found) if found else None


# --- snapback applied (a follow-up of its approval: goodpath.consequences) ------------------------------


def close_alerts(session: Session, proposal: PathwayProposal) -> int:
    """The company's open breach alerts, and those of this snapback, are settled by it: snapped_back.
    Idempotent (alerts snapped back already are left as they are); returns how many it closed."""
    rows = session.scalars(
        select(PathwayAlert).where(
            PathwayAlert.party_id == proposal.party_id, PathwayAlert.status != "snapped_back",
            or_(PathwayAlert.proposal_id == proposal.id,
                (PathwayAlert.kind == "breach") & PathwayAlert.status.in_(("open", "snapback_proposed"))),
        ).order_by(PathwayAlert.id)
    ).all()  # fmt: skip
    system = catalogue.system_viewer()
    for alert in rows:
        before = to_dict(alert)
        alert.status = "snapped_back"
        alert.proposal_id = alert.proposal_id or proposal.id
        reason = f"proposal {proposal.id} approved by {proposal.decided_by}"
        audited(session, system, "pathway.alert.snapped_back", alert, before=before, reason=reason)
    return len(rows)


# --- reading and reviewing ----------------------------------------------------------------------------


def alert_row(alert: PathwayAlert) -> dict:
    return to_dict(alert)


def list_alerts(session: Session, viewer: Viewer, *, party: str | None = None, status: str | None = None,
                kind: str | None = None) -> list[dict]:  # fmt: skip
    """The alerts the viewer may read, newest first."""
    query = readable(session, viewer, PathwayAlert)
    if party:
        query = query.where(PathwayAlert.party_id == get_party(session, viewer, party).id)
    if status:
        query = query.where(PathwayAlert.status == one_of(status, ALERT_STATUSES, "status"))
    if kind:
        query = query.where(PathwayAlert.kind == one_of(kind, KINDS, "kind"))
    return [alert_row(a) for a in session.scalars(query.order_by(PathwayAlert.id.desc()))]


def get_alert(session: Session, viewer: Viewer, alert_id: int | str) -> PathwayAlert:
    try:
        number = int(alert_id)
    except (TypeError, ValueError):
        raise NotFound(f"no alert {alert_id!r}") from None
    return get_readable(session, viewer, PathwayAlert, number, "alert")


def review(session: Session, viewer: Viewer, alert_id: int | str, decision: str, note: str | None) -> dict:
    """An analyst or approver dismisses an open review alert, or escalates an open alert: a breach
    (opening a snapback proposal as that user when the company has relief in force). Note required."""
    if not can(viewer, Permission.PROPOSE_PATHWAY):  # an escalation proposes a snapback as its reviewer
        raise Refused("only an analyst or an approver may review pathway alerts")
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    decision = one_of(decision, DECISIONS, "decision")
    note = required_text(note, "a note saying why")
    alert = get_alert(session, viewer, alert_id)
    if alert.status != "open":
        raise Refused(f"alert {alert.id} is {alert.status}, not open")
    if decision == "dismiss" and alert.kind != "review":
        raise Refused(f"alert {alert.id} is a breach: it is not dismissed; its snapback proposal is decided instead")
    before = to_dict(alert)
    alert.status = "dismissed" if decision == "dismiss" else "escalated"
    alert.reviewed_by, alert.reviewed_at, alert.review_note = viewer.actor, utcnow(), note
    audited(session, viewer, f"pathway.alert.{decision}", alert, before=before, reason=note)
    proposal = None
    if decision == "escalate":
        party = session.get(Party, alert.party_id)
        state = proposals.state_of(session, party)
        if has_relief_in_force(session, state):
            proposal, _ = _propose_snapback(session, viewer, party, [alert], utcnow().date())
    row = alert_row(alert)
    row["snapback_proposal"] = proposal.id if proposal is not None else None
    return row
