"""Indirect hits: a screened party that a listed or sanctioned party controls.

A party owned 50% or more by a listed party, or its subsidiary, sub-unit or successor, is
caught by the listing (OFAC's 50% rule; INKSNA-style sub-units). The graph of such
controlling links and the names of every controlled party are loaded with the screening
index, so reporting the path costs no database query; links and evidence go through the
access policy at query time, like names do.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, can_read
from goodpath.registry.datasets import ILLUSTRATIVE_DATASET
from goodpath.registry.models import ListEntry, OwnershipLink, Party, PartyName, Sanction
from goodpath.registry.service import CONTROL_SHARE, REACHING_RELATIONS
from goodpath.screening.index import IndexedName, ScreeningIndex
from goodpath.screening.match import Hit

# The registry's own record of engaged parties is not a listing, nor is an illustrative (fictional) party.
NOT_A_LISTING = frozenset({"goodpath-engagement", ILLUSTRATIVE_DATASET})
MAX_DEPTH = 6


@dataclass(frozen=True)
class Marking:
    """A row's marking and the company it belongs to (its ``party_id``; None for a link), for the
    access policy at query time."""

    classification: str
    releasability: str | None
    originator: str
    published: bool
    party_id: str | None = None


def _marking(row) -> Marking:
    return Marking(row.classification, row.releasability, row.originator, row.published,
                   getattr(row, "party_id", None))  # fmt: skip


@dataclass(frozen=True)
class Edge:
    parent_id: str
    relation: str
    share: float | None
    marking: Marking


@dataclass
class OwnershipGraph:
    owners: dict[str, list[Edge]] = field(default_factory=dict)  # child -> controlling links
    listed: dict[str, list[Marking]] = field(default_factory=dict)  # party -> what lists or sanctions it
    captions: dict[str, str] = field(default_factory=dict)
    names: ScreeningIndex | None = None  # names of every controlled party
    name_markings: dict[int, Marking] = field(default_factory=dict)

    def controllers(self, viewer: Viewer, party_id: str) -> list[tuple[str, list[dict]]]:
        """Listed or sanctioned parties whose measures reach ``party_id``, each with the
        shortest path (child first), over links the viewer may see."""
        found: list[tuple[str, list[dict]]] = []
        seen = {party_id}
        queue: deque[tuple[str, list[dict]]] = deque([(party_id, [])])
        while queue:
            current, path = queue.popleft()
            if len(path) >= MAX_DEPTH:
                continue
            for edge in self.owners.get(current, ()):
                if edge.parent_id in seen or not can_read(viewer, edge.marking):
                    continue
                seen.add(edge.parent_id)
                step = {
                    "party_id": edge.parent_id,
                    "caption": self.captions.get(edge.parent_id, edge.parent_id),
                    "relation": edge.relation,
                    "share": edge.share,
                }
                reached = [*path, step]
                if any(can_read(viewer, m) for m in self.listed.get(edge.parent_id, ())):
                    found.append((edge.parent_id, reached))
                queue.append((edge.parent_id, reached))
        return found


def _controls(link: OwnershipLink, today: date) -> bool:
    if link.valid_to is not None and link.valid_to < today:
        return False
    if link.relation in REACHING_RELATIONS:
        return True
    return link.relation == "owned" and link.share is not None and link.share >= CONTROL_SHARE


def build_graph(session: Session, weights_from: ScreeningIndex) -> OwnershipGraph:
    """The controlling links, who is listed or sanctioned, and the controlled parties' names."""
    graph = OwnershipGraph()
    today = date.today()
    relations = or_(OwnershipLink.relation.in_(REACHING_RELATIONS), OwnershipLink.relation == "owned")
    links = session.scalars(select(OwnershipLink).where(relations))
    for link in links:
        if _controls(link, today):
            edge = Edge(link.parent_id, link.relation, link.share, _marking(link))
            graph.owners.setdefault(link.child_id, []).append(edge)
    if not graph.owners:
        return graph
    for row in session.execute(
        select(
            ListEntry.party_id,
            ListEntry.classification,
            ListEntry.releasability,
            ListEntry.originator,
            ListEntry.published,
        ).where(ListEntry.status == "listed", ListEntry.dataset.not_in(NOT_A_LISTING))  # fmt: skip
    ):
        graph.listed.setdefault(row.party_id, []).append(_marking(row))
    for row in session.execute(
        select(
            Sanction.party_id, Sanction.classification, Sanction.releasability, Sanction.originator, Sanction.published
        ).where(Sanction.status == "active")  # fmt: skip
    ):
        graph.listed.setdefault(row.party_id, []).append(_marking(row))
    involved = set(graph.owners) | {e.parent_id for edges in graph.owners.values() for e in edges}
    graph.captions = dict(session.execute(select(Party.id, Party.caption).where(Party.id.in_(involved))).all())
    graph.names = ScreeningIndex(weights_from.vocabulary, weights_from=weights_from)
    rows = session.execute(
        select(PartyName.party_id, PartyName.value, PartyName.kind, Party.schema, Party.caption, Party.countries,
               PartyName.classification, PartyName.releasability, PartyName.originator, PartyName.published)
        .join(Party, Party.id == PartyName.party_id)
        .where(PartyName.party_id.in_(list(graph.owners)))
    )  # fmt: skip
    for row in rows:
        before = len(graph.names)
        graph.names.add(
            IndexedName(row.party_id, "", "registry", row.value, row.kind, row.schema, row.caption,
                        tuple(row.countries or ()))
        )  # fmt: skip
        if len(graph.names) > before:
            graph.name_markings[before] = _marking(row)
    return graph


def indirect_hits(graph: OwnershipGraph, viewer: Viewer, matched: list[Hit], limit: int) -> list[dict]:
    """For each matched party (best first) that listed parties control: one indirect hit per
    controller, carrying the matched party, its score and the ownership path."""
    out: dict[str, dict] = {}
    for hit in matched:
        for controller, path in graph.controllers(viewer, hit.party_id):
            if controller in out or controller == hit.party_id:
                continue
            out[controller] = {
                "party_id": controller,
                "caption": graph.captions.get(controller, controller),
                "score": hit.score,
                "via": {"party_id": hit.party_id, "caption": hit.caption, "matched_name": hit.matched_name},
                "path": path,
            }
    return sorted(out.values(), key=lambda h: (-h["score"], h["party_id"]))[:limit]
