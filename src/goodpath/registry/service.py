"""Registry reads: search, party detail, sanctions, ownership in both directions."""

from __future__ import annotations

import functools
import inspect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from goodpath.access.policy import Viewer, read_filter
from goodpath.access.records import get_readable
from goodpath.core.errors import NotFound
from goodpath.registry import identity
from goodpath.registry.datasets import is_illustrative
from goodpath.registry.models import (
    LegalAuthority,
    ListEntry,
    OwnershipLink,
    Party,
    PartyAddress,
    PartyIdentifier,
    PartyName,
    Sanction,
    SanctionEvent,
)
from goodpath.registry.names import normalize_name

# OFAC's 50 Percent Rule: an entity owned 50% or more, directly or indirectly, by
# blocked persons is itself blocked.
CONTROL_SHARE = 50.0
# Relations through which INKSNA-style measures reach a party regardless of share.
REACHING_RELATIONS = ("subsidiary", "sub_unit", "successor")


def search_parties(
    session: Session,
    viewer: Viewer,
    text: str,
    *,
    limit: int = 20,
    offset: int = 0,
    include_delisted: bool = False,
) -> tuple[int, list[Party]]:
    """Parties any of whose names the viewer may see contains every word of ``text`` (any script).

    Only visible names make a hit, so a classified alias never reveals itself through search."""
    words = normalize_name(text).split()
    if not words:
        return 0, []
    matching = select(PartyName.party_id).where(
        and_(*[PartyName.normalized.contains(word, autoescape=True) for word in words]),
        read_filter(viewer, PartyName),
    )
    if not include_delisted:
        # A name from a delisted list entry no longer makes a hit on its own.
        listed = select(ListEntry.id).where(ListEntry.status == "listed")
        matching = matching.where(or_(PartyName.entry_id.is_(None), PartyName.entry_id.in_(listed)))
    visible = select(Party.id).where(Party.id.in_(matching), read_filter(viewer, Party))
    total = session.scalar(select(func.count()).select_from(visible.subquery())) or 0
    parties = session.scalars(
        select(Party).where(Party.id.in_(visible)).order_by(Party.caption, Party.id).limit(limit).offset(offset)
    ).all()
    return total, list(parties)


def list_parties(session: Session, viewer: Viewer, *, limit: int = 20, offset: int = 0) -> tuple[int, list[Party]]:
    visible = read_filter(viewer, Party) & Party.merged_into.is_(None)  # merged parties live on in another
    total = session.scalar(select(func.count()).select_from(Party).where(visible)) or 0
    rows = session.scalars(select(Party).where(visible).order_by(Party.caption, Party.id).limit(limit).offset(offset))
    return total, list(rows)


def get_party(session: Session, viewer: Viewer, party_id: str) -> Party:
    """The party with this id or key (a merged party's id or key: the party it was merged into);
    NotFound alike whether it is absent or hidden."""
    return identity.resolve(session, viewer, party_id)


def _visible(session: Session, viewer: Viewer, model, *where, order=None) -> list:
    query = select(model).where(*where, read_filter(viewer, model))
    return list(session.scalars(query.order_by(order if order is not None else model.id)))


def list_entries_of(session: Session, viewer: Viewer, party_id: str) -> list[ListEntry]:
    entries = _visible(session, viewer, ListEntry, ListEntry.party_id == party_id)
    return sorted(entries, key=lambda e: (e.dataset, e.external_id))


def sanctions_of(session: Session, viewer: Viewer, party_id: str) -> list[Sanction]:
    sanctions = _visible(session, viewer, Sanction, Sanction.party_id == party_id)
    return sorted(sanctions, key=lambda s: (s.imposed_on is None, s.imposed_on or date.min, s.id))


def events_of(session: Session, viewer: Viewer, sanction_id: int) -> list[SanctionEvent]:
    """The recorded events of a sanction the viewer may read, oldest first (superseded ones included)."""
    return _visible(session, viewer, SanctionEvent, SanctionEvent.sanction_id == sanction_id)


def event_dict(e: SanctionEvent) -> dict:
    return {
        "id": e.id, "sanction_id": e.sanction_id, "kind": e.kind, "on": e.effective_on.isoformat(),
        "measures": list(e.measures or ()), "until": e.until.isoformat() if e.until else None,
        "citation": e.citation, "source_url": e.source_url, "document_id": e.document_id, "origin": e.origin,
        "relief_id": e.relief_id, "revoked_on": e.revoked_on.isoformat() if e.revoked_on else None,
        "supersedes": e.supersedes_id, "superseded_by": e.superseded_by_id, "recorded_by": e.recorded_by,
        "recorded_at": e.recorded_at.isoformat() if e.recorded_at else None, "note": e.note,
        "classification": e.classification,
    }  # fmt: skip


def list_sanctions(
    session: Session,
    viewer: Viewer,
    *,
    party_id: str | None = None,
    authority: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Sanction]]:
    query = select(Sanction).where(read_filter(viewer, Sanction))
    if party_id:
        query = query.where(Sanction.party_id == party_id)
    if authority:
        query = query.where(Sanction.authority_code == authority)
    if status:
        query = query.where(Sanction.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return total, list(session.scalars(query.order_by(Sanction.id).limit(limit).offset(offset)))


def _visible_links(session: Session, viewer: Viewer, *where) -> list[OwnershipLink]:
    """Links the viewer may see whose both ends the viewer may see."""
    parent, child = aliased(Party), aliased(Party)
    query = (
        select(OwnershipLink)
        .join(parent, OwnershipLink.parent_id == parent.id)
        .join(child, OwnershipLink.child_id == child.id)
        .where(*where, read_filter(viewer, OwnershipLink), read_filter(viewer, parent), read_filter(viewer, child))
        .order_by(OwnershipLink.id)
    )
    return list(session.scalars(query))


def direct_links(session: Session, viewer: Viewer, party_id: str) -> dict[str, list[OwnershipLink]]:
    """Links where the party is the parent (its holdings) and where it is the child (its owners)."""
    return {
        "holdings": _visible_links(session, viewer, OwnershipLink.parent_id == party_id),
        "owners": _visible_links(session, viewer, OwnershipLink.child_id == party_id),
    }


def party_profile(session: Session, viewer: Viewer, party: Party) -> dict:
    """What the viewer may read of a party's page: names, addresses, identifiers, list entries, sanctions
    with their authorities, owners and holdings with the captions of the parties at their other ends."""
    sanctions = sanctions_of(session, viewer, party.id)
    codes = {s.authority_code for s in sanctions if s.authority_code}
    authorities = _visible(session, viewer, LegalAuthority, LegalAuthority.code.in_(codes), order=LegalAuthority.code)
    links = direct_links(session, viewer, party.id)
    related = {lk.parent_id for lk in links["owners"]} | {lk.child_id for lk in links["holdings"]}
    captions = session.execute(select(Party.id, Party.caption).where(Party.id.in_(related), read_filter(viewer, Party)))
    ids = [s.id for s in sanctions]
    events: dict[int, list[SanctionEvent]] = {}
    for event in _visible(session, viewer, SanctionEvent, SanctionEvent.sanction_id.in_(ids)) if ids else []:
        events.setdefault(event.sanction_id, []).append(event)
    return {
        "sanction_events": events,
        "names": _visible(session, viewer, PartyName, PartyName.party_id == party.id),
        "addresses": _visible(session, viewer, PartyAddress, PartyAddress.party_id == party.id),
        "identifiers": _visible(session, viewer, PartyIdentifier, PartyIdentifier.party_id == party.id),
        "entries": list_entries_of(session, viewer, party.id),
        "merged_ids": identity.merged_ids_of(session, viewer, party.id),  # parties merged into this one
        "sanctions": sanctions,
        "authorities": {a.code: a for a in authorities},
        "owners": links["owners"],
        "holdings": links["holdings"],
        "captions": dict(captions.all()),
    }


@dataclass
class ReachStep:
    party_id: str
    relation: str
    share: float | None


@dataclass
class Reach:
    """A party reached from a start party through ownership, with the path taken."""

    party_id: str
    path: list[ReachStep]
    effective_share: float | None  # product of shares along the path, where all are known


def _reaches(link: OwnershipLink, today: date) -> bool:
    if link.valid_to is not None and link.valid_to < today:
        return False
    if link.relation in REACHING_RELATIONS:
        return True
    return link.relation == "owned" and link.share is not None and link.share >= CONTROL_SHARE


def controlled_by(session: Session, viewer: Viewer, party_id: str, max_depth: int = 6) -> list[Reach]:
    """Parties that measures on ``party_id`` reach: subsidiaries, sub-units, successors,
    and entities it owns 50% or more of, directly or through others it so controls.
    Walks only links the viewer may see, so the answer reveals nothing hidden."""
    return _walk(session, viewer, party_id, downward=True, max_depth=max_depth)


def controllers_of(session: Session, viewer: Viewer, party_id: str, max_depth: int = 6) -> list[Reach]:
    """Parties whose measures reach ``party_id`` (the other direction of controlled_by)."""
    return _walk(session, viewer, party_id, downward=False, max_depth=max_depth)


def _walk(session: Session, viewer: Viewer, start: str, *, downward: bool, max_depth: int) -> list[Reach]:
    found: dict[str, Reach] = {}
    today = date.today()
    queue: deque[tuple[str, list[ReachStep], float | None]] = deque([(start, [], 100.0)])
    while queue:
        current, path, share = queue.popleft()
        if len(path) >= max_depth:
            continue
        column = OwnershipLink.parent_id if downward else OwnershipLink.child_id
        for link in _visible_links(session, viewer, column == current):
            if not _reaches(link, today):
                continue
            nxt = link.child_id if downward else link.parent_id
            if nxt == start or nxt in found:
                continue  # first (shortest) path wins; cycles stop here
            step = ReachStep(nxt, link.relation, link.share)
            eff = share * link.share / 100.0 if share is not None and link.share is not None else None
            found[nxt] = Reach(nxt, [*path, step], eff)
            queue.append((nxt, [*path, step], eff))
    return list(found.values())


# --- plain dictionaries for the API and the CLI ------------------------------------------


def party_summary(party: Party) -> dict:
    return {
        "id": party.id,
        "key": party.key,
        "schema": party.schema,
        "caption": party.caption,
        "countries": party.countries,
        "classification": party.classification,
    }


def sanction_dict(s: Sanction) -> dict:
    return {
        "id": s.id,
        "party_id": s.party_id,
        "authority": s.authority_code,
        "program": s.program,
        "list_name": s.list_name,
        "measures": s.measures,
        "imposed_on": s.imposed_on.isoformat() if s.imposed_on else None,
        "minimum_end": s.minimum_end.isoformat() if s.minimum_end else None,
        "expires_on": s.expires_on.isoformat() if s.expires_on else None,
        "citation": s.citation,
        "source_url": s.source_url,
        "status": s.status,
        "status_date": s.status_date.isoformat() if s.status_date else None,
        "verified": s.verified,
        "notes": s.notes,
        "events": s.events,
        "from_list_entry": s.entry_id,
        "classification": s.classification,
        "imposed_precision": s.imposed_precision or ("unknown" if s.imposed_on is None else "exact"),
        "category": s.category,
        "origin": s.origin or ("list" if s.entry_id else None),
        "document_id": s.document_id,
        "recorded_by": s.recorded_by,
        "supersedes": s.supersedes_id,
        "superseded_by": s.superseded_by_id,
    }


def _link_dict(link: OwnershipLink, other: str, captions: dict[str, str]) -> dict:
    return {
        "party_id": other,
        "caption": captions.get(other),
        "relation": link.relation,
        "share": link.share,
        "valid_from": link.valid_from.isoformat() if link.valid_from else None,
        "valid_to": link.valid_to.isoformat() if link.valid_to else None,
        "source": link.source,
    }


def _reach_dict(reach: Reach, captions: dict[str, str]) -> dict:
    return {
        "party_id": reach.party_id,
        "caption": captions.get(reach.party_id),
        "effective_share": reach.effective_share,
        "path": [{"party_id": s.party_id, "relation": s.relation, "share": s.share} for s in reach.path],
    }


def party_detail(session: Session, viewer: Viewer, party: Party) -> dict:
    """Everything about a party that the viewer may see (``party`` must be visible)."""
    links = direct_links(session, viewer, party.id)
    controllers, controlled = controllers_of(session, viewer, party.id), controlled_by(session, viewer, party.id)
    related = {lk.parent_id for lk in links["owners"]} | {lk.child_id for lk in links["holdings"]}
    related |= {r.party_id for r in controllers + controlled}
    captions = dict(session.execute(select(Party.id, Party.caption).where(Party.id.in_(related))).all())
    return {
        **party_summary(party),
        "illustrative": is_illustrative(session, party.id),  # a fictional party (registry/datasets.py)
        "releasability": party.releasability,
        "birth_dates": party.birth_dates,
        "notes": party.notes,
        "names": [
            {"value": n.value, "kind": n.kind, "lang": n.lang, "script": n.script, "source": n.source}
            for n in _visible(session, viewer, PartyName, PartyName.party_id == party.id)
        ],
        "addresses": [
            {"full": a.full, "city": a.city, "country": a.country, "remarks": a.remarks}
            for a in _visible(session, viewer, PartyAddress, PartyAddress.party_id == party.id)
        ],
        "identifiers": [
            {"scheme": i.scheme, "value": i.value, "country": i.country, "note": i.note}
            for i in _visible(session, viewer, PartyIdentifier, PartyIdentifier.party_id == party.id)
        ],
        "list_entries": [
            {
                "id": e.id,
                "dataset": e.dataset,
                "external_id": e.external_id,
                "status": e.status,
                "first_version": e.first_version,
                "last_changed_version": e.last_changed_version,
                "delisted_version": e.delisted_version,
            }
            for e in list_entries_of(session, viewer, party.id)
        ],  # fmt: skip
        "lists": sorted({e.dataset for e in list_entries_of(session, viewer, party.id)}),
        "merged_ids": identity.merged_ids_of(session, viewer, party.id),  # old ids that redirect here
        "sanctions": [sanction_dict(s) for s in sanctions_of(session, viewer, party.id)],
        "owners": [_link_dict(link, link.parent_id, captions) for link in links["owners"]],
        "holdings": [_link_dict(link, link.child_id, captions) for link in links["holdings"]],
        "controlled_by": [_reach_dict(r, captions) for r in controllers],
        "controls": [_reach_dict(r, captions) for r in controlled],
    }


def party_of(session: Session, viewer: Viewer, party_id: str | None) -> Party | None:
    """The registry party ``party_id`` (None stays None), or NotFound when the viewer cannot see it."""
    if party_id is None:
        return None
    party = get_readable(session, viewer, Party, party_id, "party")
    return identity.resolve(session, viewer, party.id) if party.merged_into else party


def accepts_party_key(service: Callable) -> Callable:
    """Let ``service``'s ``party_id`` be a party's key too (``norinco``), as the registry's routes
    do: the key becomes the id before the service runs, and every access check stays the service's.
    Only the key of a party the viewer may read becomes its id: any other stays as typed, so that what
    the service answers (its "not found") names no hidden party's id."""
    signature = inspect.signature(service)

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        value = bound.arguments.get("party_id")
        if isinstance(value, str) and value:
            session, viewer = bound.arguments["session"], bound.arguments["viewer"]
            found = session.scalars(select(Party.id).where(Party.key == value, read_filter(viewer, Party))).first()
            try:  # a merged party's id or key: the party it was merged into
                found = identity.resolve(session, viewer, found or value).id
            except NotFound:
                pass
            bound.arguments["party_id"] = found or value
        return service(*bound.args, **bound.kwargs)

    return wrapper
