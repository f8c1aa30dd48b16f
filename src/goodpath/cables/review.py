"""An analyst's review of a cable's versions: list them, read one, accept one, and re-derive stored
cables with the current parser.

Only ``accept_version`` and ``reparse`` change what a cable holds, and both keep the version they
replace (superseded, readable). ``reparse`` reads the current version's file again: a result that
holds at least as much (no paragraph or organization lost, no new parser warning, the same
classification) becomes current by itself, as a parser improvement should; anything else waits as a
pending version for an analyst, like a re-ingested copy. Both are audited. Reads go through the
policy: a version is seen only by who can read the cable and the version's own marking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can_read, level, read_filter
from goodpath.access.records import readable, require
from goodpath.cables import ingest, versions
from goodpath.cables.models import CableVersion, StoredCable
from goodpath.core import audit_log as audit
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import utcnow


def _version(session: Session, viewer: Viewer, cable: StoredCable, number: int) -> CableVersion:
    query = select(CableVersion).where(CableVersion.cable_id == cable.id, CableVersion.number == number)
    found = session.scalars(query.execution_options(populate_existing=True)).first()
    if found is None or not can_read(viewer, found):
        raise NotFound(f"no version {number} of cable {cable.reference_id}")
    return found


def list_versions(session: Session, viewer: Viewer, reference_id: str) -> list[dict]:
    """The versions of a cable the viewer may read, oldest first, each but the current one with its
    diff summary against the current one."""
    cable = ingest.get(session, viewer, reference_id)
    rows = list(
        session.scalars(
            readable(session, viewer, CableVersion)
            .where(CableVersion.cable_id == cable.id)
            .order_by(CableVersion.number)
        )
    )
    current = versions.current(session, cable)
    return [versions.version_dict(v, current) for v in rows]


def get_version(session: Session, viewer: Viewer, reference_id: str, number: int) -> dict:
    """One version with its parsed record and its diff summary against the current version."""
    cable = ingest.get(session, viewer, reference_id)
    version = _version(session, viewer, cable, number)
    return versions.version_dict(version, versions.current(session, cable), with_data=True) | {
        "reference_id": cable.reference_id
    }


def accept_version(session: Session, viewer: Viewer, reference_id: str, number: int, note: str | None = None) -> dict:
    """Make version ``number`` current (a pending one, or a superseded one to go back): the cable's
    paragraphs, links and drafts are derived from it again; the previous current one is superseded."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    cable = ingest.get(session, viewer, reference_id)
    versions.lock(session, cable)
    version = _version(session, viewer, cable, number)
    if version.status == "current":
        raise Refused(f"version {number} of {cable.reference_id} is already current")
    reason = (note or "").strip()[:4000] or None
    return _make_current(session, viewer, cable, version, "cable.version_accept", reason)


def _make_current(session: Session, viewer: Viewer, cable: StoredCable, version: CableVersion, action: str,
                  reason: str | None) -> dict:  # fmt: skip
    previous = versions.current(session, cable)
    before = ingest.summary(cable) | {"version": previous.number if previous else None}
    now = utcnow()
    if previous is not None:
        previous.status, previous.superseded_at = "superseded", now
        session.flush()  # before the new one is current: one current version at any moment
    version.status, version.accepted_by, version.accepted_at, version.superseded_at = "current", viewer.actor, now, None
    derived = ingest.apply(session, viewer, cable, version)
    audit.record(
        session, actor=viewer.actor, action=action, target_type="cable", target_id=cable.reference_id,
        before=before, after=ingest.summary(cable) | {"version": version.number}, reason=reason,
        classification=cable.classification, releasability=cable.releasability,
    )  # fmt: skip
    return {"reference_id": cable.reference_id, "outcome": "accepted", "version": version.number,
            "superseded": previous.number if previous else None, "paragraphs": version.paragraph_count,
            "reason": reason, "classification": cable.classification, **derived}  # fmt: skip


# --- reparse -----------------------------------------------------------------------------------


def reparse(
    target: Session | Callable[[], Session],
    viewer: Viewer,
    references: Iterable[str] = (),
    *,
    all_cables: bool = False,
    progress: Callable[[int, int, dict], None] | None = None,
) -> list[dict]:
    """Parse the named cables (or every readable one) again from their current version's file; one
    result per cable: unchanged, reparsed (a new current version), pending_version (held for an
    analyst: it holds less or warns more) or refused. ``target`` as for ``ingest.ingest_paths``."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    wanted = [r.strip().upper() for r in references if r and r.strip()]
    if all_cables:
        wanted = _all_readable(target, viewer)
    elif not wanted:
        raise GoodpathError("name the cables to reparse, or reparse all of them")
    results = []
    for done, reference_id in enumerate(wanted, start=1):
        results.append(ingest.in_unit(
            target, lambda session, ref=reference_id: _reparse_one(session, viewer, ref),
            lambda exc, ref=reference_id: {"reference_id": ref, "outcome": "refused", "reason": str(exc)},
        ))  # fmt: skip
        if progress is not None:
            progress(done, len(wanted), results[-1])
    return results


def _all_readable(target: Session | Callable[[], Session], viewer: Viewer) -> list[str]:
    query = select(StoredCable.reference_id).where(read_filter(viewer, StoredCable)).order_by(StoredCable.reference_id)
    if isinstance(target, Session):
        return list(target.scalars(query))
    with target() as session:
        return list(session.scalars(query))


def _reparse_one(session: Session, viewer: Viewer, reference_id: str) -> dict:
    cable = ingest.get(session, viewer, reference_id)
    versions.lock(session, cable)
    current = versions.current(session, cable)
    if current is None or current.raw is None:
        raise Refused(f"version {current.number if current else '?'} of {cable.reference_id} was stored without its "
                      "file (before versions were kept): ingest the file again, then reparse")  # fmt: skip
    data = ingest.parse_bytes(current.raw, current.source_name or f"{cable.reference_id}.txt").to_dict()
    if data.get("reference_id") != cable.reference_id:
        raise Refused(f"the parser now reads the reference id {data.get('reference_id')!r} from this file")
    classification = ingest.classification_of(data)
    if level(classification) > viewer.clearance:
        raise Refused(f"the parser now reads it as {classification}, above your clearance")
    parsed_hash = versions.data_hash(data)
    same = next((v for v in versions.of_cable(session, cable)
                 if v.data_hash == parsed_hash and v.content_hash == current.content_hash), None)  # fmt: skip
    if same is not None:
        return {"reference_id": cable.reference_id, "outcome": "unchanged", "version": same.number,
                "reason": f"the parser reads the same as version {same.number} ({same.status})"}  # fmt: skip
    change = versions.diff(current.data, data)
    held = versions.shortfalls(change)
    version = versions.add(session, cable, status="pending", origin="reparse", raw=current.raw, data=data,
                           classification=classification, source_name=current.source_name,
                           actor=viewer.actor)  # fmt: skip
    if held:
        why = "; ".join(held)
        versions.audit_pending(session, viewer.actor, cable, version, current, f"reparse: {why}")
        return {"reference_id": cable.reference_id, "outcome": "pending_version", "version": version.number,
                "current_version": current.number, "diff": change,
                "reason": f"the parser now reads less or warns more ({why}): held as pending version "
                          f"{version.number} for an analyst; version {current.number} stays current"}  # fmt: skip
    result = _make_current(session, viewer, cable, version, "cable.reparse",
                           f"reparsed from version {current.number}'s file")  # fmt: skip
    return result | {"outcome": "reparsed", "diff": change}
