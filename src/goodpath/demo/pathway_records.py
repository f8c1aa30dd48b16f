"""The demo pathway (data/pathway_records.yaml): the seed cables stored as evidence documents, the
engaged companies enrolled on the pathway and moved as far as the cables say, through the pathway's
own services (same rules, history and audit as any user's), then one breach-detection scan.

Loading is idempotent: a company already on the pathway is left where it is (users may have moved
it since), and a document whose bytes are stored already is not stored again.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.demo.engagement_records import _party_id, _viewer
from goodpath.pathway import breaches, evidence, proposals
from goodpath.pathway.models import PathwayState

RECORDS_PATH = Path(__file__).parent / "data" / "pathway_records.yaml"


def load_pathway(session: Session, actor: str, shared_dir: Path, path: Path = RECORDS_PATH) -> dict[str, int]:
    """Store the documents, enroll and move the companies not on the pathway yet, scan for breaches."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    viewer = _viewer(actor)
    added = {"documents": 0, "companies": 0, "steps": 0}
    documents: dict[str, int] = {}
    for spec in data.get("documents", []):
        documents[spec["key"]], new = _store_document(session, viewer, spec, shared_dir)
        added["documents"] += new
    for spec in data.get("companies", []):
        party_id = _party_id(session, spec["party"])
        if session.scalars(select(PathwayState.id).where(PathwayState.party_id == party_id)).first():
            continue
        proposals.enroll(session, viewer, party_id, on=spec["enrolled_on"], note=spec["enrolled_because"].strip())
        added["companies"] += 1
        for step in spec.get("steps", []):
            refs = [_document_ref(ref, documents) for ref in step.get("evidence", [])]
            proposals.propose(session, viewer, party_id, to_stage=step["to"], rationale=step["rationale"].strip(),
                              evidence=refs, effective_on=step["date"])  # fmt: skip
            added["steps"] += 1
    found = breaches.scan(session)["counts"]
    added["review alerts"], added["breach alerts"] = found["review"], found["breach"]
    return added


def _store_document(session: Session, viewer, spec: dict, shared_dir: Path) -> tuple[int, int]:
    """The document's id, and 1 when it was stored now (0 when its bytes were there already)."""
    file = shared_dir / spec["file"]
    if not file.is_file():
        raise FileNotFoundError(f"demo document {spec['key']}: {file} is missing")
    version = evidence.upload(
        session, viewer, party_id=None, kind=spec["kind"], title=spec["title"], filename=file.name,
        content=file.read_bytes(), media_type="text/plain", classification=spec.get("classification"),
        releasability=spec.get("releasability"), note=f"demo: {spec['file']} of the shared folder",
    )  # fmt: skip
    return version.document_id, 0 if version.already_stored else 1


def _document_ref(ref: str, documents: dict[str, int]) -> str:
    if ref.startswith("document:"):
        key = ref.removeprefix("document:")
        return f"document:{documents[key]}"
    return ref
