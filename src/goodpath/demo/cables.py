"""The demo's cables: the two seed cables and the cablegate HTML example of the shared folder,
ingested through the cable service (parsed, stored at their marking, parties linked, drafts made).
Idempotent: an unchanged cable is reported as such and not stored again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from goodpath.cables.ingest import ingest_paths
from goodpath.demo.engagement_records import _viewer

CABLE_FILES = ("seeds/*.txt", "cables/*.html")  # the folders' README and SOURCES are not cables


def load_cables(session: Session, actor: str, shared_dir: Path) -> list[dict]:
    files = sorted(path for pattern in CABLE_FILES for path in shared_dir.glob(pattern))
    return ingest_paths(session, _viewer(actor), files)
