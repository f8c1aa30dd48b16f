"""What breach detection reads about a company, below the detection itself (``breaches``) and the
evidence checks of the stages (``stages``), which both build on it: the company's group (the parties it
controls, down the ownership tree), the new list entries of the group and their class (a breach, or a
finding to review), and the review alerts a person escalated to a breach."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.lists.models import ListVersion
from goodpath.pathway import conditions as catalogue_of_conditions
from goodpath.pathway.models import PathwayAlert
from goodpath.registry.datasets import ENGAGEMENT_DATASET
from goodpath.registry.models import ListEntry, OwnershipLink, Sanction

# Relations that put the child under the company's control ("child is <relation> of parent").
CONTROL = ("subsidiary", "sub_unit", "owned", "successor")
MAX_DEPTH = 5


# --- the company's group and its list entries -------------------------------------------------------


def subsidiaries(session: Session, party_id: str) -> list[str]:
    """Parties the company controls (ownership links with no end date), down the ownership tree."""
    found: list[str] = []
    frontier, seen = [party_id], {party_id}
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        children = session.scalars(
            select(OwnershipLink.child_id).distinct().where(
                OwnershipLink.parent_id.in_(frontier), OwnershipLink.valid_to.is_(None),
                OwnershipLink.relation.in_(CONTROL),
            )
        ).all()  # fmt: skip
        frontier = [c for c in children if c not in seen]
        seen.update(frontier)
        found += frontier
    return found


def _version_dates(session: Session, pairs: set[tuple[str, int]]) -> dict[tuple[str, int], date]:
    out = {}
    for dataset, version in pairs:
        row = session.scalars(
            select(ListVersion).where(ListVersion.dataset == dataset, ListVersion.version == version)
        ).first()
        if row is None:
            continue
        out[(dataset, version)] = parse_date_loose(row.list_published_at) or row.imported_at.date()
    return out


def parse_date_loose(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def list_entry_findings(
    session: Session, party_id: str, since: date, until: date | None = None, *, baseline: bool = True
) -> list[dict]:
    """Each programme of each list entry of the company or a subsidiary listed on or after ``since``
    (and not after ``until``): its class (conditions.classify) and whether it is a breach. The listing
    date is the entry's own (its sanction's start date) when it has one, else its list version's; an
    entry dated only by the first import of its dataset cannot be told new: a review, not a breach
    (``baseline=False`` leaves such entries out). The curated engagement dataset is the registry's own
    sanction history, not a list: its entries are never findings (a new sanction is its own evidence)."""
    group = subsidiaries(session, party_id)
    entries = list(session.scalars(
        select(ListEntry).where(ListEntry.party_id.in_([party_id, *group]), ListEntry.dataset != ENGAGEMENT_DATASET)
        .order_by(ListEntry.id)
    ))  # fmt: skip
    versions = _version_dates(session, {(e.dataset, e.first_version) for e in entries})
    out = []
    for entry in entries:
        programs = (entry.data or {}).get("sanctions") or [{}]
        for sanction in programs:
            program = (sanction.get("program") or "").strip() or None
            listed_on, dated_by = parse_date_loose(sanction.get("start_date")), "entry"
            if listed_on is None:
                listed_on, dated_by = versions.get((entry.dataset, entry.first_version)), "list_version"
            if listed_on is None or listed_on < since or (until is not None and listed_on > until):
                continue
            if not baseline and dated_by == "list_version" and entry.first_version == 1:
                continue
            found = catalogue_of_conditions.classify(program, entry.dataset)
            reason = found.reason
            breach = found.breach
            if breach and dated_by == "list_version" and entry.first_version == 1:
                breach = False
                reason += "; dated only by the first import of its dataset: when it was listed is unknown"
            out.append({
                "entry_id": entry.id, "party_id": entry.party_id, "subsidiary": entry.party_id != party_id,
                "dataset": entry.dataset, "caption": entry.caption, "program": program, "class": found.kind,
                "authority": found.authority, "reason": reason, "listed_on": listed_on.isoformat(),
                "dated_by": dated_by, "breach": breach,
            })  # fmt: skip
    return out


def recorded_sanction_findings(session: Session, party_id: str, since: date, until: date | None = None) -> list[dict]:
    """Sanctions analysts recorded from notices (not list entries) on the company or a subsidiary, imposed
    on or after ``since`` (and not after ``until``): a new sanction under a nonproliferation authority is a
    breach of the no-new-listing condition, as a new list entry is; under another authority, a review."""
    group = subsidiaries(session, party_id)
    rows = session.scalars(
        select(Sanction).where(
            Sanction.party_id.in_([party_id, *group]), Sanction.origin == "analyst",
            Sanction.superseded_by_id.is_(None), Sanction.imposed_on >= since,
            *((Sanction.imposed_on <= until,) if until is not None else ()),
        ).order_by(Sanction.id)
    )  # fmt: skip
    out = []
    for sanction in rows:
        found = catalogue_of_conditions.classify_authority(sanction.authority_code)
        out.append({
            "sanction_id": sanction.id, "party_id": sanction.party_id, "subsidiary": sanction.party_id != party_id,
            "authority": sanction.authority_code, "class": found.kind, "reason": found.reason,
            "imposed_on": sanction.imposed_on.isoformat(), "citation": sanction.citation, "breach": found.breach,
        })  # fmt: skip
    return out


def nonproliferation_entries(session: Session, party_id: str, since: date, until: date | None = None) -> list[dict]:
    """The new nonproliferation list entries of the company or its subsidiaries: breaches -- and the
    nonproliferation sanctions analysts recorded from notices (``entry_id`` ``sanction:<id>``)."""
    listed = [f for f in list_entry_findings(session, party_id, since, until) if f["breach"]]
    recorded = [{"entry_id": f"sanction:{f['sanction_id']}", "party_id": f["party_id"], "program": f["authority"],
                 "listed_on": f["imposed_on"], "subsidiary": f["subsidiary"], "class": f["class"],
                 "reason": f["reason"], "breach": True}
                for f in recorded_sanction_findings(session, party_id, since, until) if f["breach"]]  # fmt: skip
    return listed + recorded


def escalated(session: Session, party_id: str, since: date, until: date | None = None) -> list[PathwayAlert]:
    """Review alerts a person escalated to a breach (dated by the escalation)."""
    rows = session.scalars(
        select(PathwayAlert).where(
            PathwayAlert.party_id == party_id, PathwayAlert.kind == "review",
            PathwayAlert.status.in_(("escalated", "snapback_proposed", "snapped_back")),
            PathwayAlert.reviewed_at.is_not(None),
        ).order_by(PathwayAlert.id)
    )  # fmt: skip
    return [a for a in rows if since <= _day(a.reviewed_at) and (until is None or _day(a.reviewed_at) <= until)]


def _day(value) -> date:
    return value.date() if hasattr(value, "date") else value
