"""Downloads of batch screening results, audited: the rows a file holds and the highest marking of
the parties it names (a hit on a SECRET record makes the download a SECRET one)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer
from goodpath.audit import exports
from goodpath.registry.models import Party

ID_CHUNK = 500


def record_download(session: Session, viewer: Viewer, job_id: str, which: str, path: Path) -> None:
    """Audit the download of a job's ``which`` file (``result``: its hits; ``rejects``: the caller's
    own malformed input rows, unmarked)."""
    rows, party_ids = 0, set()
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows += 1
            if which == "result" and row.get("entity_id"):
                party_ids.add(row["entity_id"])
    markings, ids = [], sorted(party_ids)
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        query = select(Party.classification, Party.releasability, Party.originator).where(Party.id.in_(chunk))
        markings.extend(session.execute(query).mappings())
    exports.record_export(
        session, viewer, what=f"GET /screen/batch/{job_id}/{which}", fmt="csv", rows=rows,
        marking=exports.highest_marking(markings, viewer.organization), target_type="screening_job",
        target_id=f"{job_id}/{which}",
    )  # fmt: skip
