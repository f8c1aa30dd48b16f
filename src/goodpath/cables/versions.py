"""Cable versions as records: their hashes, the version a copy matches, a new version's row, and what
a version would change against the current one (the diff summary an analyst decides on).

The content hash is SHA-256 of the file's bytes with line endings normalized to LF (CRLF and lone
CR): a copy that went through a mail client or a Windows editor is the same file, not a version to
review. Nothing else is normalized: the parser reads paragraph breaks, indentation and section
markers from the whitespace, so two files that differ in it can hold different cables.
"""

from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.cables.models import CableVersion, StoredCable
from goodpath.core import audit_log as audit
from goodpath.core.fields import to_dict
from goodpath.core.models import utcnow

STATUSES = ("current", "pending", "superseded")


def content_hash(raw: bytes) -> str:
    """The identity of a cable file: SHA-256 of its bytes, line endings as LF."""
    return hashlib.sha256(raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")).hexdigest()


def data_hash(data: dict) -> str:
    """The identity of a parsed record: SHA-256 of its canonical JSON."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def lock(session: Session, cable: StoredCable) -> None:
    """Hold the cable's row until the transaction ends (PostgreSQL; SQLite has one writer anyway), so
    that two versions are never numbered, accepted or reparsed at once; its versions are read afresh."""
    session.execute(select(StoredCable.id).where(StoredCable.id == cable.id).with_for_update())


def of_cable(session: Session, cable: StoredCable) -> list[CableVersion]:
    query = select(CableVersion).where(CableVersion.cable_id == cable.id).order_by(CableVersion.number)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def current(session: Session, cable: StoredCable) -> CableVersion | None:
    query = select(CableVersion).where(CableVersion.cable_id == cable.id, CableVersion.status == "current")
    return session.scalars(query.execution_options(populate_existing=True)).first()


def matching(versions: list[CableVersion], raw_hash: str, parsed_hash: str) -> CableVersion | None:
    """The stored version a copy is: the same file bytes; or, for a version kept without its file
    (migrated), the same parsed record."""
    for version in versions:
        if version.content_hash == raw_hash:
            return version
    for version in versions:
        if version.content_hash is None and version.data_hash == parsed_hash:
            return version
    return None


def add(
    session: Session,
    cable: StoredCable,
    *,
    status: str,
    origin: str,
    raw: bytes | None,
    data: dict,
    classification: str,
    source_name: str | None,
    actor: str,
) -> CableVersion:
    """A new version of ``cable`` (the next number), marked like the cable at ``classification``."""
    last = session.scalar(select(func.max(CableVersion.number)).where(CableVersion.cable_id == cable.id)) or 0
    now = utcnow()
    version = CableVersion(
        cable_id=cable.id, number=last + 1, status=status, origin=origin,
        content_hash=content_hash(raw) if raw is not None else None, data_hash=data_hash(data), raw=raw, data=data,
        paragraph_count=len(data.get("paragraphs") or []), warnings=list(data.get("warnings") or []),
        source_name=source_name, created_by=actor, created_at=now,
        accepted_by=actor if status == "current" else None, accepted_at=now if status == "current" else None,
        classification=classification, releasability=cable.releasability, originator=cable.originator,
        published=False,
    )  # fmt: skip
    session.add(version)
    session.flush()
    return version


# --- what a version would change ---------------------------------------------------------------


def _paragraphs(data: dict) -> dict[str, str]:
    keyed = {}
    for index, para in enumerate(data.get("paragraphs") or []):
        key = str(para.get("number")) if para.get("number") is not None else f"#{index}"
        keyed[key] = " ".join((para.get("text") or "").split())
    return keyed


def _kind(warning: str) -> str:
    """A warning without its numbers: "paragraph numbers printed 11-19 corrected to 1-9" and
    "… 11-12 corrected to 1-2" are the same kind of warning."""
    return re.sub(r"\d+", "#", warning)


def diff(old: dict, new: dict) -> dict:
    """What ``new`` would change against ``old`` (parsed records): paragraphs added, removed and
    changed (by number), warnings of a kind ``old`` has not, organizations and classification."""
    before, after = _paragraphs(old), _paragraphs(new)
    old_warnings = {_kind(w) for w in old.get("warnings") or []}
    return {
        "paragraphs_before": len(before),
        "paragraphs_after": len(after),
        "paragraphs_added": sum(1 for key in after if key not in before),
        "paragraphs_removed": sum(1 for key in before if key not in after),
        "paragraphs_changed": sum(1 for key, text in after.items() if key in before and before[key] != text),
        "organizations_before": len(old.get("organizations") or []),
        "organizations_after": len(new.get("organizations") or []),
        "new_warnings": [w for w in new.get("warnings") or [] if _kind(w) not in old_warnings],
        "classification_before": old.get("classification"),
        "classification_after": new.get("classification"),
    }


def shortfalls(change: dict) -> list[str]:
    """Why a re-derived record must wait for an analyst rather than become current by itself: it
    holds less than the current one, or warns of something the current one does not."""
    reasons = []
    if change["paragraphs_after"] < change["paragraphs_before"] or change["paragraphs_removed"]:
        reasons.append(f"paragraphs {change['paragraphs_before']} → {change['paragraphs_after']}, "
                       f"{change['paragraphs_removed']} gone")  # fmt: skip
    if change["organizations_after"] < change["organizations_before"]:
        reasons.append(f"organizations {change['organizations_before']} → {change['organizations_after']}")
    if change["new_warnings"]:  # the warning's first part: "section break(s) 2 of 2 not found"
        reasons.append("new warnings: " + "; ".join(w.split(":")[0] for w in change["new_warnings"]))
    if change["classification_after"] != change["classification_before"]:
        reasons.append(f"classification {change['classification_before']} → {change['classification_after']}")
    return reasons


def version_dict(version: CableVersion, against: CableVersion | None = None, *, with_data: bool = False) -> dict:
    """A version for output: never its bytes; its parsed record only when asked; ``diff`` against
    ``against`` (the current version) for any other version."""
    result = to_dict(version, exclude=("raw", "data", "cable_id"))
    result["has_file"] = version.raw is not None
    result["organization_count"] = len(version.data.get("organizations") or [])
    result["diff"] = diff(against.data, version.data) if against is not None and against.id != version.id else None
    if with_data:
        result["data"] = version.data
    return result


def audit_pending(session: Session, actor: str, cable: StoredCable, version: CableVersion, current: CableVersion,
                  reason: str) -> None:  # fmt: skip
    """Audit a version held as pending beside the current one (from an ingest or a reparse)."""
    audit.record(
        session, actor=actor, action="cable.version_pending", target_type="cable", target_id=cable.reference_id,
        after=version_dict(version, current), reason=reason,
        classification=version.classification, releasability=version.releasability,
    )  # fmt: skip
