"""Screening a name against every listed entity: candidates from the index, scored,
explained, filtered through the access policy, with a receipt of the list versions used."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, can_read
from goodpath.core.models import utcnow
from goodpath.lists.models import ListVersion
from goodpath.registry.datasets import ILLUSTRATIVE_DATASET
from goodpath.registry.models import ListEntry, OwnershipLink, Party, PartyMerge, PartyName, Sanction
from goodpath.screening import history
from goodpath.screening.dispositions import Suppressions, subject_key
from goodpath.screening.glossary import load_chinese_names
from goodpath.screening.index import IndexedName, ScreeningIndex, Vocabulary
from goodpath.screening.match import best_hits, make_query
from goodpath.screening.normalize import latinize
from goodpath.screening.ownership import OwnershipGraph, build_graph, indirect_hits
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
_cache: dict[str, tuple[tuple, ScreeningIndex, dict[int, _Marking], OwnershipGraph]] = {}


def _generation(session: Session) -> tuple:
    """Changes whenever the list versions (an import, a restore), the ownership links, the
    sanctions or the parties' merges (a merge, an undo) change: the index is then rebuilt."""
    rows = session.execute(select(ListVersion.id, ListVersion.source_hash, ListVersion.imported_at))
    links = session.execute(select(func.count(OwnershipLink.id), func.max(OwnershipLink.id))).one()
    sanctions = session.execute(
        select(Sanction.status, func.count(Sanction.id), func.max(Sanction.id)).group_by(Sanction.status)
    ).all()
    merges = session.execute(
        select(func.count(PartyMerge.id), func.max(PartyMerge.id), func.count(PartyMerge.undone_at))
    ).one()
    return (
        tuple(sorted((row[0], row[1], str(row[2])) for row in rows)),
        tuple(links),
        tuple(sorted((row[0], row[1], str(row[2])) for row in sanctions)),
        tuple(merges),
    )


def _cached(session: Session) -> tuple[tuple, ScreeningIndex, dict[int, _Marking], OwnershipGraph]:
    key = str(session.get_bind().url)
    generation = _generation(session)
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != generation:
            index, markings = build_index(session)
            cached = (generation, index, markings, build_graph(session, index))
            _cache[key] = cached
        return cached


def get_index(session: Session) -> tuple[ScreeningIndex, dict[int, _Marking]]:
    _stamp, index, markings, _graph = _cached(session)
    return index, markings


def get_ownership(session: Session) -> OwnershipGraph:
    """The controlling links and controlled parties' names, built with the index."""
    return _cached(session)[3]


def build_index(session: Session) -> tuple[ScreeningIndex, dict[int, _Marking]]:
    """Every name of every listed entry (delisted entries and illustrative parties are left out)."""
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
        .where(ListEntry.status == "listed", ListEntry.dataset != ILLUSTRATIVE_DATASET)  # fictional: never a hit
    )
    index = ScreeningIndex(Vocabulary.load())
    markings: dict[int, _Marking] = {}
    registered = _registered_names()
    given: set[tuple[str, str]] = set()
    for row in rows:
        names = [IndexedName(row[0], row[1], row[2], row[3], row[4], row[5], row[6], tuple(row[7] or ()))]
        for zh in registered.get(latinize(row[3]), ()):
            if (row[1], zh) not in given:  # the curated Chinese registered name of this entry
                given.add((row[1], zh))
                names.append(replace(names[0], value=zh, kind="registered_name", forms=[]))
        for name in names:
            before = len(index)
            index.add(name)
            if len(index) > before:
                markings[before] = _Marking(row[0], row[8], row[9], row[10], row[11])
    return index, markings


def _registered_names() -> dict[str, list[str]]:
    """Latin form of a listed English name -> the curated Chinese registered names for it."""
    out: dict[str, list[str]] = {}
    for entry in load_chinese_names():
        for ref in entry.list_refs:
            out.setdefault(latinize(ref.name), []).append(entry.zh)
    return out


def receipt(session: Session) -> dict:
    """The list versions a screening ran against, and when."""
    latest = session.execute(select(ListVersion.dataset, func.max(ListVersion.version)).group_by(ListVersion.dataset))
    return {"screened_at": utcnow().isoformat(), "lists": dict(sorted(latest.all()))}


_past_cache: dict[tuple, tuple[ScreeningIndex, dict[int, _Marking]]] = {}


def get_index_as_of(session: Session, versions: dict[str, int]) -> tuple[ScreeningIndex, dict[int, _Marking]]:
    """The index of the lists as they stood in the given versions (the last one asked is kept)."""
    key = (str(session.get_bind().url), _generation(session), tuple(sorted(versions.items())))
    with _lock:
        if key not in _past_cache:
            index = ScreeningIndex(Vocabulary.load())
            markings: dict[int, _Marking] = {}
            for past in history.names_as_of(session, versions):
                before = len(index)
                index.add(past.name)
                if len(index) > before:
                    e = past.entry
                    markings[before] = _Marking(
                        e.party_id, e.classification, e.releasability, e.originator, e.published
                    )
            _past_cache.clear()
            _past_cache[key] = (index, markings)
        return _past_cache[key]


_party_names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def party_names(index: ScreeningIndex) -> dict[str, list[int]]:
    """The indexed names of each party, by number (built once per index): a party merged from
    several lists holds the names of every list entry it has."""
    with _lock:
        found = _party_names.get(index)
        if found is None or sum(map(len, found.values())) != len(index):
            found = {}
            for number, name in enumerate(index.names):
                found.setdefault(name.party_id, []).append(number)
            _party_names[index] = found
        return found


def party_lists(index: ScreeningIndex, party_id: str, readable) -> tuple[list[str], list[str]]:
    """The lists (datasets) and list entries of a party that its readable names come from, sorted."""
    datasets, entries = set(), set()
    for number in party_names(index).get(party_id, ()):
        if readable(number):
            name = index.names[number]
            datasets.add(name.dataset)
            entries.add(name.entry_id)
    return sorted(datasets), sorted(entries)


def party_suppression(suppressions: Suppressions, key: str, entries: list[str]) -> tuple[bool, dict | None]:
    """Whether a hit on a party is suppressed for the subject ``key`` and its prior disposition: a
    disposition made on any of the party's list entries applies to the party once, the latest
    one deciding."""
    latest = None
    for entry_id in entries:
        prior = suppressions.prior(key, entry_id)
        if prior is not None and (latest is None or (prior["decided_at"] or "", prior["id"]) > (
            latest[1]["decided_at"] or "", latest[1]["id"])):  # fmt: skip
            latest = (entry_id, prior)
    if latest is None:
        return False, None
    return suppressions.is_suppressed(key, latest[0]), latest[1]


def marked_record(session: Session, hit: dict) -> ListEntry | Party | None:
    """The stored record whose marking a hit carries (its list entry, else its party), for a portion mark."""
    return session.get(ListEntry, hit["entry_id"]) or session.get(Party, hit["party_id"])


def screen(
    session: Session,
    viewer: Viewer,
    name: str,
    *,
    country: str | None = None,
    schema: str | None = None,
    limit: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
    include_suppressed: bool = False,
    as_of: datetime | None = None,
) -> dict:
    """The best hits for ``name``, one per party, best first (ties by party id).

    Each hit carries the viewer's prior ``disposition`` of it (or None); hits suppressed as
    false positives are left out (and counted in ``suppressed``) unless ``include_suppressed``.
    With ``as_of``, the name is screened against the list versions imported by then, and the
    receipt names them (ownership links are not versioned, so no indirect hits then)."""
    if as_of is None:
        index, markings = get_index(session)
        stamp = receipt(session)
    else:
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        versions = history.versions_as_of(session, as_of)
        index, markings = get_index_as_of(session, versions)
        stamp = {"screened_at": utcnow().isoformat(), "as_of": as_of.isoformat(), "lists": versions}
    query = make_query(index, name, country, schema)
    key = subject_key(name, country)
    suppressions = Suppressions.load(session, viewer, keys=[key])
    # Room for the hits a suppression may take out, so that ``limit`` hits are still shown.
    wanted = limit if include_suppressed else limit + len(suppressions)
    hits = best_hits(index, query, limit=wanted, threshold=threshold, readable=lambda n: can_read(viewer, markings[n]))
    shown, kept, suppressed = [], [], 0
    for hit in hits:
        if len(shown) == limit:
            break
        lists, entries = party_lists(index, hit.party_id, lambda n: can_read(viewer, markings[n]))
        is_suppressed, prior = party_suppression(suppressions, key, entries or [hit.entry_id])
        if is_suppressed:
            suppressed += 1
            if not include_suppressed:
                continue
        else:
            kept.append(hit)
        shown.append({**hit.to_dict(), "lists": lists, "entries": entries, "disposition": prior})
    indirect = [] if as_of else _indirect(session, viewer, query, kept, limit=limit, threshold=threshold)
    return {
        "query": {"name": name, "country": query.country, "schema": schema, "threshold": threshold},
        "hits": shown,
        "indirect_hits": indirect,
        "suppressed": suppressed,
        "receipt": stamp,
    }


def _indirect(session: Session, viewer: Viewer, query, direct: list, *, limit: int, threshold: float) -> list[dict]:
    """Listed parties that control a party the name matches (directly listed or not)."""
    graph = get_ownership(session)
    if graph.names is None:
        return []
    readable = lambda n: can_read(viewer, graph.name_markings[n])  # noqa: E731
    related = best_hits(graph.names, query, limit=limit, threshold=threshold, readable=readable)
    matched = sorted([*direct, *related], key=lambda h: (-h.score, h.party_id))
    return indirect_hits(graph, viewer, matched, limit)


def index_state(session: Session) -> dict:
    """Whether this process holds a screening index for the session's database, and whether it is
    current (built from the list versions, links, sanctions and merges stored now); ``names``: its size."""
    with _lock:
        cached = _cache.get(str(session.get_bind().url))
    if cached is None:
        return {"loaded": False, "current": False, "names": 0}
    return {"loaded": True, "current": cached[0] == _generation(session), "names": len(cached[1])}
