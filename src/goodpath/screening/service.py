"""Screening a name against every listed entity: candidates from the index, scored,
explained, filtered through the access policy, with a receipt of the list versions used."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, can_read
from goodpath.core.models import utcnow
from goodpath.lists.models import ListEntry, ListVersion
from goodpath.registry.models import Party, PartyName
from goodpath.screening.index import IndexedName, ScreeningIndex, Vocabulary
from goodpath.screening.match import best_hits, make_query
from goodpath.screening.score import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class _Marking:
    """The marking of an indexed name, for the policy check at query time."""

    party_id: str
    classification: str
    releasability: str | None
    originator: str
    published: bool


_lock = threading.Lock()
_cache: dict[str, tuple[tuple, ScreeningIndex, dict[int, _Marking]]] = {}


def _generation(session: Session) -> tuple:
    """Changes whenever the set of list versions changes (an import, a restore): the index is then rebuilt."""
    rows = session.execute(select(ListVersion.id, ListVersion.source_hash, ListVersion.imported_at))
    return tuple(sorted((row[0], row[1], str(row[2])) for row in rows))


def get_index(session: Session) -> tuple[ScreeningIndex, dict[int, _Marking]]:
    key = str(session.get_bind().url)
    generation = _generation(session)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == generation:
            return cached[1], cached[2]
        index, markings = build_index(session)
        _cache[key] = (generation, index, markings)
        return index, markings


def build_index(session: Session) -> tuple[ScreeningIndex, dict[int, _Marking]]:
    """Every name of every listed entry (delisted entries are left out)."""
    rows = session.execute(
        select(
            PartyName.party_id,
            PartyName.entry_id,
            ListEntry.dataset,
            PartyName.value,
            PartyName.kind,
            ListEntry.schema,
            Party.caption,
            Party.countries,
            PartyName.classification,
            PartyName.releasability,
            PartyName.originator,
            PartyName.published,
        )  # fmt: skip
        .join(ListEntry, ListEntry.id == PartyName.entry_id)
        .join(Party, Party.id == PartyName.party_id)
        .where(ListEntry.status == "listed")
    )
    index = ScreeningIndex(Vocabulary.load())
    markings: dict[int, _Marking] = {}
    for row in rows:
        before = len(index)
        index.add(IndexedName(row[0], row[1], row[2], row[3], row[4], row[5], row[6], tuple(row[7] or ())))
        if len(index) > before:
            markings[before] = _Marking(row[0], row[8], row[9], row[10], row[11])
    return index, markings


def receipt(session: Session) -> dict:
    """The list versions a screening ran against, and when."""
    latest = session.execute(select(ListVersion.dataset, func.max(ListVersion.version)).group_by(ListVersion.dataset))
    return {"screened_at": utcnow().isoformat(), "lists": dict(sorted(latest.all()))}


def screen(
    session: Session,
    viewer: Viewer,
    name: str,
    *,
    country: str | None = None,
    schema: str | None = None,
    limit: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict:
    """The best hits for ``name``, one per party, best first (ties by party id)."""
    index, markings = get_index(session)
    query = make_query(index, name, country, schema)
    hits = best_hits(index, query, limit=limit, threshold=threshold, readable=lambda n: can_read(viewer, markings[n]))
    return {
        "query": {"name": name, "country": query.country, "schema": schema, "threshold": threshold},
        "hits": [h.to_dict() for h in hits],
        "receipt": receipt(session),
    }
