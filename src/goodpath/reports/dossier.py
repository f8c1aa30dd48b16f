"""The company dossier as a marked PDF: everything the viewer may read about one company as of a day.

Names in every script, list memberships, sanctions with their legal status and relief routes as of the
day (the pathway's eligibility rules, as the party and pathway pages show them), the pathway stage and
timeline with its approvals, ICP assessments with their scores and evidence, evidence documents with
their SHA-256, disclosures, screening hits and open alerts. Each part is read through the same services
and access rules as the pages; what the viewer may not read is simply not there, and the report's
marking is the highest of what is. Records dated after the as-of day are left out.

Who may: analysts, approvers and auditors; a company officer their own company's dossier only (any other
company does not exist for them); others are refused. Every report drawn is audited (``report.generated``)
with its marking, its hash and who asked, at the report's own marking.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from goodpath.access.policy import Role, Viewer
from goodpath.access.records import readable
from goodpath.core.errors import NotFound
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import disclosures, icp
from goodpath.pathway import breaches, eligibility, evidence, proposals, timeline
from goodpath.pathway.models import PathwayProposal, PathwayRelief, PathwayState
from goodpath.registry import service as registry
from goodpath.registry.datasets import illustrative_party_ids
from goodpath.registry.models import Party
from goodpath.reports.common import Report, on_or_before, record_report, require_role
from goodpath.reports.render import render
from goodpath.screening import monitoring

READERS = (Role.ANALYST, Role.APPROVER, Role.AUDITOR, Role.COMPANY_OFFICER)
OPEN_SCREENING_ALERTS = ("open", "escalated")
OPEN_PATHWAY_ALERTS = ("open", "snapback_proposed")
HITS_SHOWN = 50


def require_reader(viewer: Viewer) -> None:
    require_role(viewer, READERS, "a company dossier")


def find_party(session: Session, viewer: Viewer, text: str) -> Party:
    """The company by id, key or name, as the viewer may read it; a company officer's own company only."""
    require_reader(viewer)
    party = eligibility.resolve_party(session, viewer, text)
    if viewer.role is Role.COMPANY_OFFICER and party.id != viewer.company_party_id:
        raise NotFound(f"no party {text.strip()!r}")
    return party


def _sanctions(session: Session, viewer: Viewer, party: Party, profile: dict, as_of: date) -> list[dict]:
    """Each sanction the viewer reads with, per measure, its legal status and relief routes as of the day."""
    explanation = eligibility.explain(session, viewer, party.id, as_of=as_of)
    legal = {s["id"]: s for s in explanation["sanctions"]}
    rows = []
    for record in profile["sanctions"]:
        if not on_or_before(record.imposed_on, as_of):
            continue
        found = legal.get(record.id)
        measures = []
        for measure in (found or {}).get("measures", []):
            routes = [r for r in measure.get("routes", []) if r.get("state", "open") == "open"]
            measures.append({**measure, "open_routes": routes})
        rows.append({"record": record, "authority": profile["authorities"].get(record.authority_code),
                     "legal": found, "measures": measures})  # fmt: skip
    return rows


def _timeline(session: Session, viewer: Viewer, party: Party, as_of: date) -> list[dict]:
    """Stage changes and proposals (with who proposed and who approved) up to the day, in date order."""
    events = session.scalars(readable(session, viewer, StatusEvent).where(
        StatusEvent.record_type == proposals.RECORD_TYPE, StatusEvent.party_id == party.id,
        StatusEvent.occurred_on <= as_of).order_by(StatusEvent.occurred_on, StatusEvent.id))  # fmt: skip
    rows = [{"on": e.occurred_on, "type": "stage", "record": e, "order": (0, e.id)} for e in events]
    for p in session.scalars(readable(session, viewer, PathwayProposal).where(PathwayProposal.party_id == party.id)):
        on = p.effective_on or p.proposed_at.date()
        if on <= as_of:
            rows.append({"on": on, "type": "proposal", "record": p, "order": (-1, p.id)})
    return sorted(rows, key=lambda r: (r["on"], r["order"]))


def _stage_as_of(session: Session, viewer: Viewer, party: Party, steps: list[dict], as_of: date) -> tuple:
    """The company's stage on the day and since when: the last stage change the viewer reads up to the day,
    else (no change recorded) where the pathway starts, from its first sanction; None before that."""
    changes = [s["record"] for s in steps if s["type"] == "stage"]
    if changes:
        return changes[-1].to_status, changes[-1].occurred_on
    stage, since = timeline.current_stage(session, viewer, party)
    return (stage, since) if since is not None and since <= as_of else (None, None)


def dossier_context(session: Session, viewer: Viewer, party: Party, as_of: date) -> dict:
    """What the dossier shows, read as the viewer may read it."""
    profile = registry.party_profile(session, viewer, party)
    state = session.scalars(readable(session, viewer, PathwayState).where(PathwayState.party_id == party.id)).first()
    steps = _timeline(session, viewer, party, as_of)
    stage, since = _stage_as_of(session, viewer, party, steps, as_of)
    relief_query = readable(session, viewer, PathwayRelief).where(PathwayRelief.party_id == party.id)
    reliefs = [r for r in session.scalars(relief_query.order_by(PathwayRelief.id))
               if on_or_before(r.effective_on, as_of)]  # fmt: skip
    assessments = [icp.assessment_to_dict(session, viewer, icp.get_assessment(session, viewer, row["id"]))
                   for row in icp.list_assessments(session, viewer, party_id=party.id)
                   if on_or_before(row["assessed_on"], as_of)]  # fmt: skip
    documents = [d for d in evidence.list_documents(session, viewer, party=party.id)
                 if on_or_before(d["created_at"], as_of)]  # fmt: skip
    hits = [h for h in monitoring.alerts_of_party(session, viewer, party.id, limit=HITS_SHOWN)
            if on_or_before(h.created_at, as_of)]  # fmt: skip
    pathway_alerts = [a for a in breaches.list_alerts(session, viewer, party=party.id)
                      if a["status"] in OPEN_PATHWAY_ALERTS and on_or_before(a["occurred_on"], as_of)]  # fmt: skip
    return {
        "party": party,
        "illustrative": party.id in illustrative_party_ids(session),
        "names": profile["names"],
        "identifiers": profile["identifiers"],
        "entries": profile["entries"],
        "sanctions": _sanctions(session, viewer, party, profile, as_of),
        "stage": stage,
        "since": since,
        "state": state,
        "timeline": steps,
        "reliefs": reliefs,
        "assessments": assessments,
        "documents": documents,
        "disclosures": [
            d
            for d in disclosures.list_disclosures(session, viewer, party_id=party.id)
            if on_or_before(d["created_at"], as_of)
        ],  # fmt: skip
        "hits": hits,
        "open_hits": [h for h in hits if h.status in OPEN_SCREENING_ALERTS],
        "pathway_alerts": pathway_alerts,
    }


def dossier(session: Session, viewer: Viewer, party: str, *, as_of: date | None = None, language: str = "en",
            audit: bool = True) -> Report:  # fmt: skip
    """The company dossier of ``party`` (id, key or name) as a PDF, as the viewer may read it; audited."""
    found = find_party(session, viewer, party)
    day = as_of or utcnow().date()
    context = dossier_context(session, viewer, found, day)
    drawing = render("dossier.html", language=language, as_of=day, title=found.caption, **context)
    report = Report("dossier", found.key or found.id, found.caption, day, language, drawing)
    if audit:
        record_report(session, viewer, report, "party", found.id)
    return report
