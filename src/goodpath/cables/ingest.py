"""Cable ingestion: files, folders and zip archives parsed, stored with their classification,
their organizations linked to registry parties, and drafts found in their paragraphs.

Idempotent by reference id: the same parsed content again is ``unchanged``; different content
``updated`` (links and open drafts rebuilt, analysts' decisions kept). Every file is its own unit
(a savepoint, or a session and commit of its own): one bad file is ``refused`` with its reason
and never stops or rolls back the others. A cable classified above the ingesting user's clearance
is refused: they could not read back what they stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can_read, level
from goodpath.audit import service as audit
from goodpath.cables import drafts as drafting
from goodpath.cables.linking import link_organizations
from goodpath.cables.model import Cable, CableFormatError
from goodpath.cables.models import CableDraft, CableLink, StoredCable
from goodpath.cables.parser import parse_file
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.engagement.common import get_readable, marking, parse_date, readable, require, to_dict
from goodpath.registry.models import Party

_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_DTG = re.compile(r"^(\d{2})\d{4}Z ([A-Z]{3}) (\d{2})$")
# Portion markings as the parser reports them, to the classification they stand for.
_PORTION = {"U": "UNCLASSIFIED", "SBU": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET", "TS": "TOP SECRET"}
MAX_FILE_BYTES = 5 * 1024 * 1024  # a cable is a few kilobytes; anything this large is not one

Progress = Callable[[int, int, dict], None]


@dataclass
class _Item:
    name: str  # as reported: a path, or "archive.zip:member"
    read: Callable[[], bytes] | None  # None: refused before reading (``problem`` says why)
    problem: str | None = None
    path: Path | None = None  # a plain file (parsed in place); None for an archive member


# --- gathering the inputs ----------------------------------------------------------------------


def _hidden(parts: Iterable[str]) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _zip_items(path: Path) -> Iterator[_Item]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        yield _Item(str(path), None, f"not a readable zip archive ({exc})")
        return
    for member in sorted(members, key=lambda m: m.filename):
        name = f"{path}:{member.filename}"
        if _hidden(Path(member.filename).parts):
            continue
        if member.file_size > MAX_FILE_BYTES:
            yield _Item(name, None, f"{member.file_size} bytes: too large to be a cable")
            continue

        def read(member=member) -> bytes:
            with zipfile.ZipFile(path) as archive:
                return archive.read(member)

        yield _Item(name, read)


def gather(paths: Iterable[str | Path]) -> list[_Item]:
    """Files as given, folders expanded (recursively, sorted, hidden files skipped), zip archives
    opened; a path that does not exist is an item refused with that reason."""
    items: list[_Item] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = [p for p in sorted(path.rglob("*")) if p.is_file() and not _hidden(p.relative_to(path).parts)]
        elif path.is_file():
            files = [path]
        else:
            items.append(_Item(str(path), None, "no such file or folder"))
            continue
        for file in files:
            if file.suffix.lower() == ".zip" or zipfile.is_zipfile(file):
                items.extend(_zip_items(file))
            elif file.stat().st_size > MAX_FILE_BYTES:
                items.append(_Item(str(file), None, f"{file.stat().st_size} bytes: too large to be a cable"))
            else:
                items.append(_Item(str(file), file.read_bytes, path=file))
    return items


def parse_bytes(data: bytes, name: str) -> Cable:
    """The pure parser on bytes (e.g. a zip member or an upload); errors name ``name``."""
    suffix = Path(name.rsplit(":", 1)[-1]).suffix[:10]
    with tempfile.TemporaryDirectory(prefix="goodpath-cable-") as folder:
        temporary = Path(folder) / f"cable{suffix}"
        temporary.write_bytes(data)
        try:
            return parse_file(temporary)
        except CableFormatError as exc:
            raise CableFormatError(str(exc).replace(str(temporary), name)) from None


# --- storing one cable -------------------------------------------------------------------------


def classification_of(data: dict) -> str:
    """The cable's classification, raised to its highest paragraph marking; refused when absent,
    unknown or above SECRET (this system holds nothing above SECRET)."""
    stated = data.get("classification")
    if not stated:
        raise Refused("no classification found in the cable: it cannot be stored unmarked")
    levels = [stated] + [_PORTION.get(p.get("marking") or "", "UNCLASSIFIED") for p in data.get("paragraphs") or []]
    for value in levels:
        if value not in Classification.__members__:
            raise Refused(f"classified {value}: this system stores cables up to SECRET only")
    return max(levels, key=lambda v: Classification[v])


def _dated(data: dict) -> date | None:
    if data.get("created"):
        try:
            return datetime.fromisoformat(data["created"]).date()
        except ValueError:
            pass
    match = _DTG.match(data.get("date_time_group") or "")
    if match and match.group(2) in _MONTHS:
        try:
            return date(2000 + int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            return None
    return None


def _created(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def content_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _summary(cable: StoredCable) -> dict:
    """What the audit log keeps of a cable: everything but the text (the cable is stored itself)."""
    return to_dict(cable, exclude=("data", "text"))


def store(session: Session, viewer: Viewer, data: dict, source_name: str) -> dict:
    """Store (or update) one parsed cable with its links and drafts: the per-file result."""
    reference_id = data.get("reference_id")
    if not reference_id:
        raise Refused("no reference id (e.g. 07BEIJING1900) could be read: a cable is stored by its reference id")
    classification = classification_of(data)
    if level(classification) > viewer.clearance:
        raise Refused(f"classified {classification}, above your clearance ({viewer.clearance.name}): "
                      "you could not read it back")  # fmt: skip
    marks = marking(viewer, classification)
    digest = content_hash(data)
    existing = session.scalars(select(StoredCable).where(StoredCable.reference_id == reference_id)).first()
    if existing is not None and not can_read(viewer, existing):
        raise Refused(f"{reference_id} is already stored under a marking you cannot read or change")
    if existing is not None and existing.content_hash == digest:
        return {"reference_id": reference_id, "outcome": "unchanged", "reason": "same content as stored",
                "classification": existing.classification}  # fmt: skip
    values = {
        "date_time_group": data.get("date_time_group"), "created": _created(data.get("created")),
        "dated": _dated(data), "caveats": list(data.get("caveats") or []), "origin": data.get("origin"),
        "subject": data.get("subject"), "tags": list(data.get("tags") or []),
        "tag_index": "," + ",".join(data.get("tags") or []) + ",", "data": data,
        "text": "\n\n".join(p.get("text") or "" for p in data.get("paragraphs") or []),
        "content_hash": digest, "source_name": Path(source_name).name[:300] if source_name else None,
        "classification": classification,
    }  # fmt: skip
    if existing is None:
        cable = StoredCable(reference_id=reference_id, ingested_by=viewer.actor, **(marks | values))
        session.add(cable)
        before, outcome = None, "stored"
    else:
        cable, before, outcome = existing, _summary(existing), "updated"
        for key, value in values.items():
            setattr(cable, key, value)
        for table in (CableLink, CableDraft):  # the derived rows follow the cable's (new) marking
            for row in session.scalars(select(table).where(table.cable_id == cable.id)):
                row.classification = classification
    session.flush()
    links = link_organizations(session, viewer, cable)
    drafted = drafting.rebuild(session, cable, links)
    audit.record(
        session, actor=viewer.actor, action=f"cable.{'ingest' if outcome == 'stored' else 'update'}",
        target_type="cable", target_id=reference_id, before=before, after=_summary(cable),
        reason=f"from {cable.source_name}", classification=cable.classification, releasability=cable.releasability,
    )  # fmt: skip
    linked = sum(1 for link in links if link.status == "linked")
    result = {"reference_id": reference_id, "outcome": outcome, "reason": None, "classification": classification,
              "linked": linked, "unlinked": len(links) - linked, **drafted}  # fmt: skip
    if drafted["decided_no_longer_found"]:
        result["reason"] = (f"decided drafts {drafted['decided_no_longer_found']} no longer match the text; "
                            "kept as decided")  # fmt: skip
    return result


def _one(session: Session, viewer: Viewer, item: _Item) -> dict:
    if item.read is None:
        raise Refused(item.problem or "cannot be read")
    if item.path is not None:
        return store(session, viewer, parse_file(item.path).to_dict(), item.path.name)
    cable = parse_bytes(item.read(), item.name)
    return store(session, viewer, cable.to_dict(), Path(item.name.rsplit(":", 1)[-1]).name)


def _refused(item: _Item, exc: Exception) -> dict:
    reason = str(exc)
    if reason.startswith(item.name + ": "):
        reason = reason[len(item.name) + 2 :]  # the file is named in the result already
    return {"reference_id": None, "outcome": "refused", "reason": reason}


def ingest_paths(
    target: Session | Callable[[], Session],
    viewer: Viewer,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
) -> list[dict]:
    """Ingest every cable under ``paths``; one result per file: {file, reference_id, outcome
    (stored, updated, unchanged, refused), reason, ...}.

    ``target`` is a session (each file in a savepoint; the caller commits) or a session factory
    (each file in a session of its own, committed as soon as it is stored)."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    items = gather(paths)
    results = []
    for done, item in enumerate(items, start=1):
        results.append({"file": item.name} | _ingest_item(target, viewer, item))
        if progress is not None:
            progress(done, len(items), results[-1])
    return results


def _ingest_item(target: Session | Callable[[], Session], viewer: Viewer, item: _Item) -> dict:
    # Any failure of one file is that file's result: it must never stop the files after it.
    if isinstance(target, Session):
        try:
            with target.begin_nested():
                return _one(target, viewer, item)
        except Exception as exc:  # noqa: BLE001
            return _refused(item, exc if isinstance(exc, GoodpathError) else _unexpected(exc))
    with target() as session:
        try:
            result = _one(session, viewer, item)
            session.commit()
            return result
        except Exception as exc:  # noqa: BLE001
            session.rollback()
            return _refused(item, exc if isinstance(exc, GoodpathError) else _unexpected(exc))


def _unexpected(exc: Exception) -> GoodpathError:
    return GoodpathError(f"could not be stored ({exc.__class__.__name__}: {str(exc).splitlines()[0][:300]})")


def ingest_upload(session: Session, viewer: Viewer, files: list[tuple[str, bytes]]) -> list[dict]:
    """Uploaded files (name, content), each a cable or a zip of cables, in savepoints of ``session``."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    with tempfile.TemporaryDirectory(prefix="goodpath-upload-") as folder:
        paths = []
        for index, (name, content) in enumerate(files):
            safe = Path(name or "").name or f"upload-{index}"
            place = Path(folder) / str(index)
            place.mkdir()
            (place / safe).write_bytes(content)
            paths.append(place / safe)
        results = ingest_paths(session, viewer, paths)
    for result in results:  # name the uploaded file, not the server's temporary folder
        result["file"] = re.sub(rf"^{re.escape(folder)}/\d+/", "", result["file"])
        if result.get("reason"):
            result["reason"] = result["reason"].replace(folder + "/", "")
    return results


# --- reading -----------------------------------------------------------------------------------


def row(cable: StoredCable) -> dict:
    return to_dict(cable, exclude=("data", "text", "tag_index"))


def list_cables(
    session: Session,
    viewer: Viewer,
    *,
    q: str | None = None,
    tag: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    classification: str | None = None,
    limit: int = 500,
) -> list[dict]:
    """Readable cables, newest first. ``q``: every word must occur in the subject or the text
    (any case); ``tag``: a TAGS code; dates: the cable's day, inclusive."""
    query = readable(session, viewer, StoredCable)
    for word in (q or "").split():
        pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(StoredCable.subject).like(pattern, escape="\\"),
                                func.lower(StoredCable.text).like(pattern, escape="\\")))  # fmt: skip
    if tag and tag.strip():
        code = tag.strip().upper()
        if not re.fullmatch(r"[A-Z0-9_-]{1,20}", code):
            raise GoodpathError(f"tag must be a TAGS code such as PARM, not {tag!r}")
        query = query.where(StoredCable.tag_index.like(f"%,{code},%"))
    start, end = parse_date(date_from, "from"), parse_date(date_to, "to")
    if start is not None:
        query = query.where(StoredCable.dated >= start)
    if end is not None:
        query = query.where(StoredCable.dated <= end)
    if classification:
        value = classification.strip().upper()
        if value not in Classification.__members__:
            raise GoodpathError(
                f"classification must be one of {', '.join(Classification.__members__)}, not {classification!r}"
            )
        query = query.where(StoredCable.classification == value)
    query = query.order_by(StoredCable.dated.desc(), StoredCable.reference_id).limit(limit)
    return [row(c) for c in session.scalars(query)]


def get(session: Session, viewer: Viewer, reference_id: str) -> StoredCable:
    ref = (reference_id or "").strip().upper()
    cable_id = session.scalars(select(StoredCable.id).where(StoredCable.reference_id == ref)).first()
    if cable_id is None:
        raise NotFound(f"no cable {reference_id!r}")
    return _readable(session, viewer, cable_id, reference_id)


def _readable(session: Session, viewer: Viewer, cable_id: int, reference_id: str) -> StoredCable:
    try:
        return get_readable(session, viewer, StoredCable, cable_id, "cable")
    except NotFound:
        raise NotFound(f"no cable {reference_id!r}") from None  # same words as a cable that never was


def link_dict(session: Session, viewer: Viewer, link: CableLink) -> dict:
    party = session.get(Party, link.party_id) if link.party_id else None
    shown = party if party is not None and can_read(viewer, party) else None
    return to_dict(link) | {"party_key": shown.key if shown else None, "caption": shown.caption if shown else None}


def detail(session: Session, viewer: Viewer, reference_id: str) -> dict:
    """A cable with its parsed record, its links and its drafts."""
    cable = get(session, viewer, reference_id)
    links = session.scalars(
        readable(session, viewer, CableLink).where(CableLink.cable_id == cable.id).order_by(CableLink.id)
    )
    found = session.scalars(
        readable(session, viewer, CableDraft)
        .where(CableDraft.cable_id == cable.id)
        .order_by(CableDraft.paragraph, CableDraft.id)
    )
    return row(cable) | {
        "data": cable.data,
        "links": [link_dict(session, viewer, link) for link in links],
        "drafts": [drafting.draft_dict(d) for d in found],
    }
