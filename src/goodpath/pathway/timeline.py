"""A company's pathway as it happened, and the funnel of all companies, from stored data only:
the stage history (``engagement_event`` rows of record type ``pathway``), the proposals with their
evidence references and decisions, and the reliefs. Everything is filtered by the access policy: a
record the viewer may not read counts as one that does not exist (a company whose pathway record is
hidden from the viewer shows as one not yet on the pathway), and a company officer reads its own
company's pathway alone (``policy.require_derived``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import mean, median

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, read_filter, require_derived
from goodpath.access.records import readable
from goodpath.core.fields import parse_date, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent
from goodpath.pathway import evidence, proposals
from goodpath.pathway import relief as relief_life
from goodpath.pathway import stages as catalogue
from goodpath.pathway.models import PathwayProposal, PathwayRelief, PathwayState
from goodpath.registry.datasets import illustrative_party_ids
from goodpath.registry.models import Party
from goodpath.registry.service import get_party, sanctions_of


def _events(session: Session, viewer: Viewer, party_ids=None) -> list[StatusEvent]:
    query = select(StatusEvent).where(StatusEvent.record_type == proposals.RECORD_TYPE,
                                          read_filter(viewer, StatusEvent))  # fmt: skip
    if party_ids is not None:
        query = query.where(StatusEvent.party_id.in_(party_ids))
    return list(session.scalars(query.order_by(StatusEvent.occurred_on, StatusEvent.id)))


def proposal_row(p: PathwayProposal) -> dict:
    return to_dict(p, exclude=("legal",)) | {"legal_route": ((p.legal or {}).get("route"))}


def pathway(session: Session, viewer: Viewer, party_id: str) -> dict:
    """The company's stage, reliefs, pending proposals, what it may do next, and its timeline."""
    party = get_party(session, viewer, party_id)
    require_derived(viewer, party.id, asked=party_id)
    stage, since = current_stage(session, viewer, party)
    reliefs = [to_dict(r) for r in session.scalars(
        readable(session, viewer, PathwayRelief).where(PathwayRelief.party_id == party.id).order_by(PathwayRelief.id)
    )]  # fmt: skip
    active = [r for r in reliefs if r["status"] in relief_life.IN_FORCE]  # granted (see "in_effect")
    open_measures = relief_life.active_sanction_measures(session, party.id, viewer)
    extent = None if not active else ("full" if {(r["sanction_id"], r["measure"]) for r in active} >= open_measures
                                       else "partial")  # fmt: skip
    rows = [proposal_row(p) for p in session.scalars(
        readable(session, viewer, PathwayProposal).where(PathwayProposal.party_id == party.id)
        .order_by(PathwayProposal.id)
    )]  # fmt: skip
    today = utcnow().date()
    for row in reliefs:
        row["in_effect"] = relief_life.row_in_effect(row, today)
    evidence.attach_documents(session, viewer, reliefs, rows)  # the documents linked to each
    data = catalogue.load()
    return {
        "party": {"id": party.id, "key": party.key, "caption": party.caption},
        "stage": stage,
        "since": since.isoformat() if since else None,
        "path": data.stages[stage]["path"],
        "relief": extent,
        "reliefs": reliefs,
        "reinstated": relief_life.reinstated(session, viewer, party.id),  # measures a snapback put back in force
        "pending": [r for r in rows if r["status"] == "pending"],
        "next": [t.as_dict() for t in data.from_stage(stage)],
        "timeline": company_timeline(session, viewer, party.id, rows),
    }


def current_stage(session: Session, viewer: Viewer, party: Party) -> tuple[str, date]:
    """The company's stage and since when, as far as the viewer may read: its pathway record, else (none,
    or one hidden from the viewer) the start of the pathway since its first sanction the viewer reads."""
    state = session.scalars(readable(session, viewer, PathwayState).where(PathwayState.party_id == party.id)).first()
    if state is not None:
        return state.stage, state.since
    today = utcnow().date()
    first = min((s.imposed_on for s in sanctions_of(session, viewer, party.id) if s.imposed_on), default=today)
    return catalogue.load().start, min(first, today)


def company_timeline(session: Session, viewer: Viewer, party_id: str, rows: list[dict] | None = None) -> list[dict]:
    """Stage changes and proposals (with their evidence and decisions) in date order."""
    require_derived(viewer, party_id)
    if rows is None:
        rows = [proposal_row(p) for p in session.scalars(
            readable(session, viewer, PathwayProposal).where(PathwayProposal.party_id == party_id)
        )]  # fmt: skip
    entries = [
        {"on": e.occurred_on.isoformat(), "type": "stage", "from": e.from_status, "to": e.to_status,
         "by": e.recorded_by, "note": e.note, "source": e.source}
        for e in _events(session, viewer, [party_id])
    ]  # fmt: skip
    for p in rows:
        entries.append({
            "on": p["effective_on"], "type": "proposal", "id": p["id"], "kind": p["kind"], "from": p["from_stage"],
            "to": p["to_stage"], "sanction_id": p["sanction_id"], "measure": p["measure"], "route": p["route_code"],
            "status": p["status"], "proposed_by": p["proposed_by"], "proposed_at": p["proposed_at"],
            "decided_by": p["decided_by"], "decided_at": p["decided_at"], "decision_note": p["decision_note"],
            "rationale": p["rationale"], "evidence": p["evidence"], "documents": p.get("documents", []),
        })  # fmt: skip
    order = {"proposal": 0, "stage": 1}
    return sorted(entries, key=lambda e: (e["on"], order[e["type"]], e.get("id") or 0))


def funnel(
    session: Session, viewer: Viewer, *, today: date | str | None = None, include_illustrative: bool = False
) -> dict:
    """How many companies stand at each stage, and the days spent in each stage: mean and median over
    completed stays (entered and left), with the current stays counted up to ``today`` apart.
    Illustrative (fictional) companies are counted apart (``illustrative``: per stage) and left out of
    the figures unless ``include_illustrative``."""
    today = parse_date(today, "today") or utcnow().date()
    states = list(session.scalars(readable(session, viewer, PathwayState)))
    fictional = {s.party_id for s in states} & illustrative_party_ids(session)
    illustrative = dict.fromkeys(catalogue.load().names, 0)
    for s in states:
        if s.party_id in fictional:
            illustrative[s.stage] = illustrative.get(s.stage, 0) + 1
    if not include_illustrative:
        states = [s for s in states if s.party_id not in fictional]
    counts = dict.fromkeys(catalogue.load().names, 0)
    for s in states:
        counts[s.stage] = counts.get(s.stage, 0) + 1
    by_party: dict[str, list[StatusEvent]] = defaultdict(list)
    for e in _events(session, viewer, [s.party_id for s in states]):
        by_party[e.party_id].append(e)
    done: dict[str, list[int]] = defaultdict(list)
    current: dict[str, list[int]] = defaultdict(list)
    for events in by_party.values():
        stays: list[tuple[str, date]] = []  # (stage, entered on); a further relief continues the stay
        for e in events:
            if not stays or stays[-1][0] != e.to_status:
                stays.append((e.to_status, e.occurred_on))
        for (stage, entered), nxt in zip(stays, [*stays[1:], None], strict=True):
            if nxt is None:
                current[stage].append((today - entered).days)
            else:
                done[stage].append((nxt[1] - entered).days)
    days = {}
    for stage in counts:
        stays = done.get(stage, [])
        days[stage] = {
            "completed_stays": len(stays),
            "mean_days": round(mean(stays), 1) if stays else None,
            "median_days": median(stays) if stays else None,
            "current_stays": len(current.get(stage, [])),
            "current_median_days": median(current[stage]) if current.get(stage) else None,
        }
    return {"today": today.isoformat(), "companies": len(states), "at_stage": counts, "days": days,
            "include_illustrative": include_illustrative,
            "illustrative": {"companies": len(fictional), "at_stage": illustrative}}  # fmt: skip
