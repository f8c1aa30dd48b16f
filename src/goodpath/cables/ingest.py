"""Cable ingestion: files, folders and zip archives parsed, stored with their classification,
their organizations linked to registry parties, and drafts found in their paragraphs.

Nothing stored is replaced by less. A new reference id is ``stored`` as version 1 of the cable. A
copy of a stored cable is compared by its content hash (``versions.content_hash``) with every
version of it: the same file again is ``unchanged``; a different one is kept as a
``pending_version`` (bytes, parsed record, parser warnings, who, when) and the stored cable, its
paragraphs, links and drafts stay exactly as they were until an analyst accepts the version
(``review.accept_version``). Every file is its own unit (a savepoint, or a session and commit of
its own): one bad file is ``refused`` with its reason and never stops or rolls back the others. A
cable classified above the ingesting user's clearance is refused: they could not read back what
they stored.
"""

from __future__ import annotations

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
from goodpath.access.records import get_readable, marking, readable, require
from goodpath.cables import drafts as drafting
from goodpath.cables import versions
from goodpath.cables.formats import decode
from goodpath.cables.linking import link_organizations
from goodpath.cables.models import CableDraft, CableLink, CableVersion, StoredCable
from goodpath.cables.parsed_cable import Cable, CableFormatError
from goodpath.cables.parser import parse_text
from goodpath.core import audit_log as audit
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import parse_date, to_dict
from goodpath.core.models import Classification
from goodpath.registry.models import Party

_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_DTG = re.compile(r"^(\d{2})\d{4}Z ([A-Z]{3}) (\d{2})$")
# Portion markings as the parser reports them, to the classification they stand for.
_PORTION = {"U": "UNCLASSIFIED", "SBU": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET", "TS": "TOP SECRET"}
MAX_FILE_BYTES = 5 * 1024 * 1024  # a cable is a few kilobytes; anything this large is not one

Progress = Callable[[int, int, dict], None]
OUTCOMES = ("stored", "pending_version", "unchanged", "refused")


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
    """The pure parser on bytes (a file, a zip member, an upload or a stored version); errors name ``name``."""
    try:
        text = decode(data)
    except CableFormatError as exc:
        raise CableFormatError(f"{name}: {exc}") from None
    return parse_text(text, name=name)


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


def _has_message(data: dict) -> bool:
    """Whether a parsed record holds more than a telegram header: a subject, a paragraph or a lead."""
    paragraphs = data.get("paragraphs") or []
    return bool(data.get("subject") or data.get("lead") or any((p.get("text") or "").strip() for p in paragraphs))


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
    """The hash of a parsed record (the cable row's ``content_hash``: its current version's)."""
    return versions.data_hash(data)


def summary(cable: StoredCable) -> dict:
    """What the audit log keeps of a cable: everything but the text (the cable is stored itself)."""
    return to_dict(cable, exclude=("data", "text"))


def _values(data: dict, classification: str, source_name: str | None) -> dict:
    """The cable row's columns, read from a parsed record."""
    return {
        "date_time_group": data.get("date_time_group"), "created": _created(data.get("created")),
        "dated": _dated(data), "caveats": list(data.get("caveats") or []), "origin": data.get("origin"),
        "subject": data.get("subject"), "tags": list(data.get("tags") or []),
        "tag_index": "," + ",".join(data.get("tags") or []) + ",", "data": data,
        "text": "\n\n".join(p.get("text") or "" for p in data.get("paragraphs") or []),
        "content_hash": content_hash(data), "source_name": source_name, "classification": classification,
    }  # fmt: skip


def apply(session: Session, viewer: Viewer, cable: StoredCable, version: CableVersion) -> dict:
    """Derive the cable row, its links and its drafts from ``version`` (now current). Decided drafts
    keep their decision; drafts the text no longer yields are kept and flagged, never deleted."""
    for key, value in _values(version.data, version.classification, version.source_name).items():
        setattr(cable, key, value)
    for table in (CableLink, CableDraft):  # the derived rows follow the cable's (new) marking
        for derived in session.scalars(select(table).where(table.cable_id == cable.id)):
            derived.classification = cable.classification
    session.flush()
    links = link_organizations(session, viewer, cable)
    drafted = drafting.rebuild(session, cable, links, version.number)
    linked = sum(1 for link in links if link.status == "linked")
    return {"linked": linked, "unlinked": len(links) - linked, **drafted}


def _source(source_name: str | None) -> str | None:
    return Path(source_name).name[:300] if source_name else None


def store(session: Session, viewer: Viewer, data: dict, source_name: str, raw: bytes | None = None) -> dict:
    """Store one parsed cable (``raw``: the file it was read from): a new cable, the same file as a
    stored version (unchanged), or a pending version of a stored cable. The per-file result."""
    reference_id = data.get("reference_id")
    if not reference_id:
        raise Refused("no reference id (e.g. 07BEIJING1900) could be read: a cable is stored by its reference id")
    classification = classification_of(data)
    if level(classification) > viewer.clearance:
        raise Refused(f"classified {classification}, above your clearance ({viewer.clearance.name}): "
                      "you could not read it back")  # fmt: skip
    existing = session.scalars(select(StoredCable).where(StoredCable.reference_id == reference_id)).first()
    if existing is None:
        if not _has_message(data):
            # A copy cut off within its header cannot start a cable: whatever its last line says (a
            # serial cut short reads as another cable's reference id) is not to be trusted. (A cut copy
            # of a stored cable is kept as a pending version, never applied.)
            raise Refused("the copy holds a telegram header but no subject and no text: it is cut short or not "
                          "a cable's full text; nothing is stored")  # fmt: skip
        return _store_new(session, viewer, data, classification, _source(source_name), raw)
    if not can_read(viewer, existing):
        raise Refused(f"{reference_id} is already stored under a marking you cannot read or change")
    versions.lock(session, existing)
    known = versions.of_cable(session, existing)
    raw_hash = versions.content_hash(raw) if raw is not None else None
    same = versions.matching(known, raw_hash, versions.data_hash(data))
    if same is not None:
        if same.raw is None and raw is not None:  # a version kept without its file: this is the file
            same.raw, same.content_hash = raw, raw_hash
            audit.record(
                session, actor=viewer.actor, action="cable.version_file", target_type="cable",
                target_id=reference_id, after={"version": same.number, "content_hash": raw_hash},
                reason=f"the file of version {same.number}, from {_source(source_name)}",
                classification=same.classification, releasability=same.releasability,
            )  # fmt: skip
        return {"reference_id": reference_id, "outcome": "unchanged", "version": same.number,
                "reason": f"same content as version {same.number} ({same.status})",
                "classification": existing.classification}  # fmt: skip
    return _store_pending(session, viewer, existing, known, data, classification, _source(source_name), raw)


def _store_new(session, viewer, data, classification, source_name, raw) -> dict:
    cable = StoredCable(reference_id=data["reference_id"], ingested_by=viewer.actor,
                        **(marking(viewer, classification) | _values(data, classification, source_name)))  # fmt: skip
    session.add(cable)
    session.flush()
    version = versions.add(session, cable, status="current", origin="ingest", raw=raw, data=data,
                           classification=classification, source_name=source_name, actor=viewer.actor)  # fmt: skip
    derived = apply(session, viewer, cable, version)
    audit.record(
        session, actor=viewer.actor, action="cable.ingest", target_type="cable", target_id=cable.reference_id,
        after=summary(cable) | {"version": 1}, reason=f"from {source_name}", classification=cable.classification,
        releasability=cable.releasability,
    )  # fmt: skip
    return {"reference_id": cable.reference_id, "outcome": "stored", "version": 1, "reason": None,
            "classification": classification, **derived}  # fmt: skip


def _store_pending(session, viewer, cable, known, data, classification, source_name, raw) -> dict:
    current = next(v for v in known if v.status == "current")
    version = versions.add(session, cable, status="pending", origin="ingest", raw=raw, data=data,
                           classification=classification, source_name=source_name, actor=viewer.actor)  # fmt: skip
    change = versions.diff(current.data, data)
    why = versions.shortfalls(change)
    reason = (f"differs from current version {current.number}{' (' + '; '.join(why) + ')' if why else ''}: "
              f"kept as pending version {version.number}, the stored cable unchanged; to accept it: "
              f"goodpath cables accept-version {cable.reference_id} {version.number}")  # fmt: skip
    versions.audit_pending(session, viewer.actor, cable, version, current, f"from {source_name}")
    return {"reference_id": cable.reference_id, "outcome": "pending_version", "version": version.number,
            "current_version": current.number, "reason": reason, "classification": classification,
            "paragraphs": version.paragraph_count, "warnings": version.warnings, "diff": change}  # fmt: skip


def _one(session: Session, viewer: Viewer, item: _Item) -> dict:
    if item.read is None:
        raise Refused(item.problem or "cannot be read")
    raw = item.read()
    cable = parse_bytes(raw, item.name)
    source = item.path.name if item.path is not None else Path(item.name.rsplit(":", 1)[-1]).name
    return store(session, viewer, cable.to_dict(), source, raw=raw)


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
    (stored, pending_version, unchanged, refused), version, reason, ...}.

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
    return in_unit(target, lambda session: _one(session, viewer, item), lambda exc: _refused(item, exc))


def in_unit(
    target: Session | Callable[[], Session], work: Callable[[Session], dict], refused: Callable[[Exception], dict]
) -> dict:
    """``work`` in a savepoint of ``target`` (a session) or in a session of its own, committed
    (``target`` a session factory). Any failure is the unit's result: it never stops the next."""
    if isinstance(target, Session):
        try:
            with target.begin_nested():
                return work(target)
        except Exception as exc:  # noqa: BLE001
            return refused(exc if isinstance(exc, GoodpathError) else _unexpected(exc))
    with target() as session:
        try:
            result = work(session)
            session.commit()
            return result
        except Exception as exc:  # noqa: BLE001
            session.rollback()
            return refused(exc if isinstance(exc, GoodpathError) else _unexpected(exc))


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
