"""Organizations a cable mentions, linked to registry parties through the screening engine.

Each organization is screened under its name and every form the cable writes it in
("NORINCO", "China North Industries Corporation"); the best hit at or above the screening
threshold links it (party, score, matched name), otherwise it is listed as unlinked.
"""

from __future__ import annotations

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer
from goodpath.cables.models import CableLink, StoredCable
from goodpath.screening.score import DEFAULT_THRESHOLD
from goodpath.screening.service import screen

TIED_HITS = 5  # hits looked at per name, for the tie-break


def best_hit(session: Session, viewer: Viewer, names: list[str], threshold: float = DEFAULT_THRESHOLD) -> dict | None:
    """The highest-scoring hit over all ``names``; among equal scores, the party whose caption or
    matched name reads most like the name as written ("China North Industries Corporation" is
    NORINCO, not "China North Industries Group Corporation Limited", though generic words tie them)."""
    best, best_key = None, None
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        for hit in screen(session, viewer, name, limit=TIED_HITS, threshold=threshold)["hits"]:
            key = (hit["score"], _literal_closeness(name, hit))
            if best_key is None or key > best_key:
                best, best_key = hit, key
    return best


def _literal_closeness(name: str, hit: dict) -> float:
    wanted = name.casefold()
    return max(fuzz.ratio(wanted, (hit.get(field) or "").casefold()) for field in ("caption", "matched_name"))


def link_organizations(
    session: Session, viewer: Viewer, cable: StoredCable, threshold: float = DEFAULT_THRESHOLD
) -> list[CableLink]:
    """One link row per extracted organization of ``cable`` (its old rows are replaced)."""
    for old in session.query(CableLink).filter(CableLink.cable_id == cable.id):
        session.delete(old)
    session.flush()
    links = []
    for org in cable.data.get("organizations") or []:
        forms = list(org.get("forms") or [])
        hit = best_hit(session, viewer, [org.get("name") or "", *forms], threshold)
        link = CableLink(
            cable_id=cable.id, name=(org.get("name") or "")[:300], kind=org.get("kind"), forms=forms,
            paragraphs=list(org.get("paragraphs") or []), party_id=hit["party_id"] if hit else None,
            score=round(float(hit["score"]), 4) if hit else None,
            matched_name=hit.get("matched_name") if hit else None, status="linked" if hit else "unlinked",
            classification=cable.classification, releasability=cable.releasability, originator=cable.originator,
            published=False,
        )  # fmt: skip
        session.add(link)
        links.append(link)
    session.flush()
    return links
