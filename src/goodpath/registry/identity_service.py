"""The identity review as the CLI, the API and the pages call it: one call each, plain dictionaries out.

Candidates are computed per reader (what they may read of each party) and kept while nothing they
rest on changes (parties, names, identifiers, merges, decisions), so the review page stays quick."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can, read_filter
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.models import Base
from goodpath.registry import identity, identity_score
from goodpath.registry.models import (
    IdentityDecision,
    ListEntry,
    Party,
    PartyIdentifier,
    PartyMerge,
    PartyName,
)

DEFAULT_MIN_SCORE = identity_score.DEFAULT_MIN_SCORE
# The lowest score at which candidates may be merged in bulk (``merge_above``): bench/identity.py finds no
# false positive at 0.8 and above (identifiers off); bulk merges stay well above that, one by one below.
BULK_MERGE_FLOOR = 0.95
MAX_LIMIT = 1000

_lock = threading.Lock()
_cache: dict[tuple, tuple[tuple, list]] = {}


def _stamp(session: Session) -> tuple:
    """Changes when anything the candidates rest on changes."""
    parts = []
    for model, column in (
        (Party, Party.updated_at),
        (PartyName, PartyName.id),
        (PartyIdentifier, PartyIdentifier.id),
        (PartyMerge, PartyMerge.id),
        (IdentityDecision, IdentityDecision.id),
        (ListEntry, ListEntry.last_changed_version),
    ):
        parts.append(
            tuple(str(v) for v in session.execute(select(func.count(), func.max(column)).select_from(model)).one())
        )
    parts.append(session.scalar(select(func.count(PartyMerge.undone_at))))
    return tuple(parts)


def _viewer_key(viewer: Viewer) -> tuple:
    return (viewer.role, int(viewer.clearance), viewer.organization, viewer.company_party_id)


def _require_reader(viewer: Viewer) -> None:
    if not can(viewer, Permission.EDIT_REGISTRY):
        raise Refused("you do not have permission to review party identities (analysts)")


def candidates(
    session: Session,
    viewer: Viewer,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    party_id: str | None = None,
    limit: int = 50,
) -> list[identity_score.Candidate]:
    """Scored candidate pairs the viewer may read, best first (``party_id``: its pairs only)."""
    _require_reader(viewer)
    if not 0.0 <= min_score <= 1.0:
        raise GoodpathError("--min-score must be between 0 and 1")
    if not 1 <= limit <= MAX_LIMIT:
        raise GoodpathError(f"the limit must be between 1 and {MAX_LIMIT}")
    if party_id:
        party_id = identity.resolve(session, viewer, party_id).id
    key = (str(session.get_bind().url), _viewer_key(viewer), round(min_score, 6))
    stamp = _stamp(session)
    with _lock:
        cached = _cache.get(key)
    if cached is None or cached[0] != stamp:
        found = identity_score.candidates(session, viewer, min_score=min_score, limit=None)
        with _lock:
            if len(_cache) > 32:
                _cache.clear()
            _cache[key] = (stamp, found)
    else:
        found = cached[1]
    if party_id:
        found = [c for c in found if party_id in (c.first, c.second)]
    return found[:limit]


def merge(session: Session, viewer: Viewer, first: str, second: str, *, reason: str) -> dict:
    score = _score_of(session, viewer, first, second)
    record = identity.merge(session, viewer, first, second, reason=reason, score=score)
    return merge_dict(session, viewer, record)


def merge_above(session: Session, viewer: Viewer, min_score: float, *, reason: str, limit: int = 500) -> list[dict]:
    """Merge every candidate pair scoring ``min_score`` or more (at least BULK_MERGE_FLOOR), best first,
    each an audited, undoable merge of its own; pairs refused (markings, a party merged meanwhile) are
    left for review."""
    _require_reader(viewer)
    if not BULK_MERGE_FLOOR <= min_score <= 1.0:
        raise GoodpathError(
            f"bulk merges need a score of at least {BULK_MERGE_FLOOR} (benchmarked); merge below it one by one"
        )
    done = []
    for candidate in candidates(session, viewer, min_score=min_score, limit=min(limit, MAX_LIMIT)):
        # an earlier merge of this run may have made a pair of one list (A~X merged, then A~Y of X's list)
        profiles = identity_score.load_profiles_of(session, viewer, [candidate.first, candidate.second])
        if len(profiles) != 2 or not identity_score.comparable(*profiles.values()):
            continue
        try:
            with session.begin_nested():
                why = f"{reason} (score {candidate.score:.3f})"
                record = identity.merge(session, viewer, candidate.first, candidate.second, reason=why,
                                        score=candidate.score)  # fmt: skip
        except Refused:
            continue
        done.append(merge_dict(session, viewer, record))
    return done


def _score_of(session: Session, viewer: Viewer, first: str, second: str) -> float | None:
    """The pair's candidate score as the viewer sees it, recorded with the merge (None: not a candidate)."""
    try:
        a, b = identity.resolve(session, viewer, first).id, identity.resolve(session, viewer, second).id
    except GoodpathError:
        return None
    profiles = identity_score.load_profiles_of(session, viewer, [a, b])
    if a not in profiles or b not in profiles or a == b:
        return None
    return round(identity_score.explain(profiles[a], profiles[b])[0], 4)


def undo(session: Session, viewer: Viewer, merge_id: int, *, reason: str) -> dict:
    record = identity.undo(session, viewer, merge_id, reason=reason)
    return merge_dict(session, viewer, record)


def reject(session: Session, viewer: Viewer, first: str, second: str, *, reason: str) -> dict:
    score = _score_of(session, viewer, first, second)
    decision = identity.reject(session, viewer, first, second, reason=reason, score=score)
    return {
        "id": decision.id,
        "parties": [decision.party_a, decision.party_b],
        "decision": decision.decision,
        "reason": decision.reason,
        "score": decision.score,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at.isoformat(),
    }


def merge_dict(session: Session, viewer: Viewer, record: PartyMerge) -> dict:
    captions = identity.captions_for(session, viewer, [record.kept_id, record.merged_id])
    return identity.merge_dict(record, captions)


def merges(
    session: Session,
    viewer: Viewer,
    *,
    include_undone: bool = True,
    party_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    _require_reader(viewer)
    total, rows = identity.list_merges(
        session, viewer, include_undone=include_undone, party_id=party_id, limit=limit, offset=offset
    )
    captions = identity.captions_for(session, viewer, [i for r in rows for i in (r.kept_id, r.merged_id)])
    return total, [identity.merge_dict(r, captions) for r in rows]


def get_merge(session: Session, viewer: Viewer, merge_id: int) -> dict:
    _require_reader(viewer)
    return merge_dict(session, viewer, identity.get_merge(session, viewer, merge_id))


def _aggregate_datasets(session: Session) -> set[str]:
    """Datasets imported from an aggregate of lists (the CSL), from the list versions' formats."""
    table = Base.metadata.tables.get("list_version")
    if table is None:
        return set()
    rows = session.execute(select(table.c.dataset).where(table.c.format == "csl-csv").distinct())
    return {r[0] for r in rows}


def reconcile_all(session: Session, viewer: Viewer, *, actor: str | None = None) -> dict:
    """(Re)compute every list entry's keys and merge the parties sharing one."""
    if viewer is not None and not (can(viewer, Permission.IMPORT_LISTS) and can(viewer, Permission.EDIT_REGISTRY)):
        raise Refused("you do not have permission to import lists and edit the registry")
    aggregate = _aggregate_datasets(session)
    by_dataset: dict[str, list[tuple[str, dict]]] = {}
    for entry_id, dataset, data in session.execute(select(ListEntry.id, ListEntry.dataset, ListEntry.data)):
        by_dataset.setdefault(dataset, []).append((entry_id, data or {}))
    keys, written = set(), 0
    for dataset, entries in sorted(by_dataset.items()):
        written += identity.store_keys(session, dataset, entries, aggregate=dataset in aggregate)
        for _entry, data in entries:
            keys |= identity.entity_keys(dataset, data)
    merged = identity.reconcile(session, keys, actor=actor or (viewer.actor if viewer else "system"))
    return {
        "entries": sum(map(len, by_dataset.values())),
        "keys": written,
        "merged": len(merged),
        "shared_keys": len(identity.shared_keys(session)),
    }


def check(session: Session, viewer: Viewer) -> dict:
    """Keys held by two live parties (none is the target) and how many keys are ambiguous."""
    _require_reader(viewer)
    groups = identity.key_groups(session)
    shared = identity.shared_keys(session)
    held = {i for g in shared for i in g.parties}
    visible = set(session.scalars(select(Party.id).where(Party.id.in_(held), read_filter(viewer, Party))))
    return {
        "shared": [{"key": g.key, "parties": [p for p in g.parties if p in visible]} for g in shared],
        "ambiguous": sum(1 for g in groups if g.ambiguous),
    }
