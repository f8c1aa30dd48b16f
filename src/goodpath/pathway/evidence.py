"""The evidence store: documents (ICP manuals, audit reports, the notice to Congress, the Federal
Register publication, meeting records ...) uploaded once, hashed (SHA-256), marked, versioned, and
linked to the proposals and reliefs they support (the notice of a relief: ``relief.record_notice``).

Uploading: analysts and approvers (engagement.manage) for any company or none; a company officer
for its own company only, and only its own kinds of document (ICP manual, audit report, disclosure,
other). Bytes the caller can already read as a version of the same company are not stored twice:
the existing version is answered (``already_stored``). A new version of a document is numbered
after the last one (1..n, no gaps) and refused when it is identical to the latest. A version is
marked by its uploader (never above their clearance); its document's classification is raised to
the highest of its versions'. Everything is read through the access policy: a document or version
the caller may not read does not exist for them. Every change is audited in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterable
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Role, Viewer, can, can_read, level
from goodpath.access.records import get_readable, marking, readable
from goodpath.core import audit_log as audit
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import canonical_releasability, required_text, to_dict
from goodpath.core.models import RELEASABLE_TO_ALL, utcnow
from goodpath.core.settings import hosting_organization
from goodpath.core.workflow import audited
from goodpath.pathway.models import EvidenceDocument, EvidenceLink, EvidenceVersion, PathwayProposal, PathwayRelief
from goodpath.registry.models import Party
from goodpath.registry.service import get_party

KINDS = ("icp_manual", "audit_report", "determination", "congress_notice", "federal_register", "meeting_record",
         "disclosure", "other")  # fmt: skip
# What records the determination a relief route requires (the decision itself, or its publication).
DETERMINATION_KINDS = ("determination", "federal_register")
COMPANY_KINDS = ("icp_manual", "audit_report", "disclosure", "other")  # what a company officer may upload
PURPOSES = ("supports", "notice", "publication")
LINK_PURPOSES = ("supports", "publication")  # "notice" is recorded with record_notice
MAX_BYTES = 25 * 1024 * 1024
NOTICE_KIND = "congress_notice"
REFERENCE = re.compile(r"^document:(\d+)(?:@v(\d+))?$", re.IGNORECASE)
DEFAULT_MEDIA_TYPE = "application/octet-stream"

# --- who may upload, and how it is marked -----------------------------------------------------------


def _require_uploader(viewer: Viewer) -> None:
    if can(viewer, Permission.MANAGE_ENGAGEMENT):
        return
    if viewer.role is Role.COMPANY_OFFICER and can(viewer, Permission.SUBMIT_DISCLOSURES):
        return
    raise Refused("you do not have permission to upload evidence")


def upload_kinds(viewer: Viewer) -> tuple[str, ...]:
    """The kinds of document ``viewer`` may upload: a company officer its company's own kinds, others all."""
    return COMPANY_KINDS if viewer.role is Role.COMPANY_OFFICER else KINDS


def _check_company(viewer: Viewer, party_id: str | None, kind: str) -> None:
    """A company officer uploads for its own company only (another company does not exist for them),
    and only the kinds a company produces."""
    if viewer.role is not Role.COMPANY_OFFICER:
        return
    if party_id is None:
        raise GoodpathError("say which company the document is of (party): your own company")
    if party_id != viewer.company_party_id:
        raise NotFound(f"no party {party_id!r}")
    if kind not in COMPANY_KINDS:
        raise Refused(f"a company officer may upload only {', '.join(COMPANY_KINDS)}, not {kind}")


def _marks(viewer: Viewer, classification: str | None, releasability: str | None, default: str | None) -> dict:
    """The version's marking: as given, else releasable as ``default`` (the document's), else to the
    uploader's organization; a company officer's own documents are releasable to the company and to
    the hosting organization (as its disclosures are)."""
    if viewer.role is Role.COMPANY_OFFICER:
        company_org = viewer.organization or viewer.company_party_id
        fallback = default or ",".join([company_org, hosting_organization()])
        return {**marking(viewer, classification, None),
                "releasability": canonical_releasability(releasability or fallback, [])}  # fmt: skip
    return marking(viewer, classification, releasability if releasability is not None else default)


# --- uploading --------------------------------------------------------------------------------------


def _filename(value: str | None) -> str:
    text = (value or "").strip()
    # The last part of a path, whichever the client's separators (never a path on our side).
    text = PureWindowsPath(PurePosixPath(text).name).name.strip()
    if not text:
        raise GoodpathError("the file needs a name")
    if len(text) > 300:
        raise GoodpathError("the file name is longer than 300 characters")
    return text


def _media_type(value: str | None, filename: str) -> str:
    text = (value or "").strip().lower()
    if not text or text == DEFAULT_MEDIA_TYPE:
        text = mimetypes.guess_type(filename)[0] or DEFAULT_MEDIA_TYPE
    if len(text) > 120 or not re.fullmatch(r"[\w.+-]+/[\w.+-]+(;.*)?", text):
        raise GoodpathError(f"media type must look like type/subtype (e.g. application/pdf), not {value!r}")
    return text


def _content(content: bytes | bytearray | memoryview | None) -> bytes:
    data = bytes(content or b"")
    if not data:
        raise GoodpathError("the file is empty: there is nothing to store")
    if len(data) > MAX_BYTES:
        raise GoodpathError(f"the file is {len(data) / (1024 * 1024):.1f} MB: at most {MAX_BYTES // (1024 * 1024)} MB "
                            "may be uploaded")  # fmt: skip
    return data


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _optional_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > 4000:
        raise GoodpathError("note is longer than 4000 characters")
    return text or None


def _kind(kind: str | None) -> str:
    text = (kind or "").strip().lower()
    if text not in KINDS:
        raise GoodpathError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return text


def _party_id(session: Session, viewer: Viewer, party: str | None) -> str | None:
    text = (party or "").strip() if isinstance(party, str) or party is None else str(party)
    if not text:
        return None
    if viewer.role is Role.COMPANY_OFFICER and text != viewer.company_party_id:
        # Their own company by id or key; any other company does not exist for them.
        own = session.get(Party, viewer.company_party_id) if viewer.company_party_id else None
        if own is None or text != own.key:
            raise NotFound(f"no party {text!r}")
    return get_party(session, viewer, text).id


def upload(
    session: Session,
    viewer: Viewer,
    *,
    party_id: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    filename: str,
    content: bytes,
    media_type: str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    document_id: int | str | None = None,
    note: str | None = None,
) -> EvidenceVersion:
    """Store a document's bytes: a new document (``kind``, ``title``, optional ``party_id``, id or key)
    or a new version of ``document_id``. Bytes already stored as a version the caller reads (same
    company) are answered with that version, its ``already_stored`` attribute True."""
    _require_uploader(viewer)
    data = _content(content)
    name = _filename(filename)
    media = _media_type(media_type, name)
    note = _optional_note(note)
    digest = sha256(data)
    if document_id is not None:
        document = get_document_record(session, viewer, document_id)
        if party_id not in (None, "") and _party_id(session, viewer, party_id) != document.party_id:
            raise GoodpathError(f"document {document.id} is of {document.party_id or 'no company'}: "
                                "a new version stays with its document's company")  # fmt: skip
        if kind not in (None, "") and _kind(kind) != document.kind:
            raise GoodpathError(f"document {document.id} is a {document.kind}: a new version keeps its kind")
        _check_company(viewer, document.party_id, document.kind)
        latest = _latest(session, document.id)
        if latest is not None and latest.sha256 == digest:
            raise Refused(f"the file is identical to version {latest.version} of document {document.id}: "
                          "nothing new to store")  # fmt: skip
        number = (latest.version if latest else 0) + 1
        marks = _marks(viewer, classification, releasability, document.releasability)
        _readable_back(viewer, document.party_id, marks)
    else:
        kind = _kind(kind)
        title = required_text(title, "a title", 1000)
        party = _party_id(session, viewer, party_id)
        _check_company(viewer, party, kind)
        existing = _same_bytes(session, viewer, party, digest)
        if existing is not None:
            existing.already_stored = True
            return existing
        marks = _marks(viewer, classification, releasability, None)
        _readable_back(viewer, party, marks)
        document = EvidenceDocument(party_id=party, kind=kind, title=title, created_by=viewer.actor,
                                    created_at=utcnow(), **marks)  # fmt: skip
        session.add(document)
        session.flush()
        audited(session, viewer, "evidence.document", document)
        number = 1
    version = EvidenceVersion(
        document_id=document.id, party_id=document.party_id, version=number, filename=name, media_type=media,
        size=len(data), sha256=digest, content=data, note=note, uploaded_by=viewer.actor, uploaded_at=utcnow(),
        **marks,
    )  # fmt: skip
    session.add(version)
    session.flush()
    _audit(session, viewer, "evidence.upload", version, reason=note)
    _raise_marking(session, viewer, document, version)
    version.already_stored = False
    return version


def _readable_back(viewer: Viewer, party_id: str | None, marks: dict) -> None:
    """Nobody stores what they could not read back (e.g. released only to another organization)."""
    if not can_read(viewer, EvidenceVersion(party_id=party_id, **marks)):
        raise GoodpathError("you could not read this document back: release it to your own organization too")


def _latest(session: Session, document_id: int) -> EvidenceVersion | None:
    return session.scalars(
        select(EvidenceVersion).where(EvidenceVersion.document_id == document_id)
        .order_by(EvidenceVersion.version.desc()).limit(1)
    ).first()  # fmt: skip


def _same_bytes(session: Session, viewer: Viewer, party_id: str | None, digest: str) -> EvidenceVersion | None:
    """A version with these bytes the caller reads, of the same company, in a document it reads."""
    same_party = EvidenceVersion.party_id == party_id if party_id else EvidenceVersion.party_id.is_(None)
    candidates = session.scalars(
        readable(session, viewer, EvidenceVersion).where(EvidenceVersion.sha256 == digest, same_party)
        .order_by(EvidenceVersion.id)
    )  # fmt: skip
    for version in candidates:
        document = session.get(EvidenceDocument, version.document_id)
        if document is not None and can_read(viewer, document):
            return version
    return None


def _raise_marking(session: Session, viewer: Viewer, document: EvidenceDocument, version: EvidenceVersion) -> None:
    """The document's classification is the highest of its versions'."""
    if level(version.classification) <= level(document.classification):
        return
    before = to_dict(document)
    document.classification = version.classification
    audited(session, viewer, "evidence.document.classification", document, before=before,
            reason=f"raised to its version {version.version}'s {version.classification}")  # fmt: skip


def _audit(session: Session, viewer: Viewer, action: str, version: EvidenceVersion, *, reason=None) -> None:
    """As ``audited``, without the bytes (the hash stands for them)."""
    session.flush()
    audit.record(
        session, actor=viewer.actor, action=action, target_type=version.__tablename__, target_id=str(version.id),
        after=to_dict(version, exclude=("content",)), reason=reason, classification=version.classification,
        releasability=version.releasability,
    )  # fmt: skip


# --- reading ----------------------------------------------------------------------------------------


def _number(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no {what} {value!r}") from None


def get_document_record(session: Session, viewer: Viewer, document_id: int | str) -> EvidenceDocument:
    return get_readable(session, viewer, EvidenceDocument, _number(document_id, "document"), "document")


def _versions(session: Session, viewer: Viewer, document_ids: Iterable[int]) -> list[EvidenceVersion]:
    ids = list(document_ids)
    if not ids:
        return []
    return list(session.scalars(
        readable(session, viewer, EvidenceVersion).where(EvidenceVersion.document_id.in_(ids))
        .order_by(EvidenceVersion.document_id, EvidenceVersion.version)
    ))  # fmt: skip


def version_dict(version: EvidenceVersion) -> dict:
    return to_dict(version, exclude=("content",))


def document_dict(document: EvidenceDocument) -> dict:
    return to_dict(document)


def list_documents(session: Session, viewer: Viewer, party: str | None = None, kind: str | None = None) -> list[dict]:
    """The documents the caller reads (of ``party``, id or key; of ``kind``), each with its readable
    versions' count and latest readable version."""
    query = readable(session, viewer, EvidenceDocument)
    if party not in (None, ""):
        query = query.where(EvidenceDocument.party_id == get_party(session, viewer, party).id)
    if kind not in (None, ""):
        query = query.where(EvidenceDocument.kind == _kind(kind))
    documents = list(session.scalars(query.order_by(EvidenceDocument.id)))
    by_document: dict[int, list[EvidenceVersion]] = {}
    for version in _versions(session, viewer, [d.id for d in documents]):
        by_document.setdefault(version.document_id, []).append(version)
    rows = []
    for document in documents:
        versions = by_document.get(document.id, [])
        rows.append(document_dict(document) | {
            "versions": len(versions), "latest": version_dict(versions[-1]) if versions else None,
        })  # fmt: skip
    return rows


def get_document(session: Session, viewer: Viewer, document_id: int | str) -> dict:
    """The document with its readable versions, each with its links to proposals and reliefs the
    caller reads."""
    document = get_document_record(session, viewer, document_id)
    versions = _versions(session, viewer, [document.id])
    links = _links_of(session, viewer, [v.id for v in versions])
    return document_dict(document) | {
        "versions": [version_dict(v) | {"links": links.get(v.id, [])} for v in versions],
    }


def get_version(session: Session, viewer: Viewer, document_id: int | str, version: int | str) -> EvidenceVersion:
    document = get_document_record(session, viewer, document_id)
    number = _number(version, "version")
    found = session.scalars(
        select(EvidenceVersion).where(EvidenceVersion.document_id == document.id, EvidenceVersion.version == number)
    ).first()
    if found is None or not can_read(viewer, found):
        raise NotFound(f"no version {version!r} of document {document.id}")
    return found


def get_version_content(session: Session, viewer: Viewer, document_id: int | str, version: int | str | None = None):
    """The bytes of a version (default: the latest the caller reads), with its filename, media type
    and SHA-256 (checked against the stored bytes)."""
    if version is None:
        document = get_document_record(session, viewer, document_id)
        versions = _versions(session, viewer, [document.id])
        if not versions:
            raise NotFound(f"no version of document {document.id}")
        found = versions[-1]
    else:
        found = get_version(session, viewer, document_id, version)
    content = bytes(found.content)
    if sha256(content) != found.sha256:
        raise Refused(f"the stored bytes of document {found.document_id} version {found.version} do not match "
                      "their SHA-256: the store is damaged, tell the operator")  # fmt: skip
    return {"content": content, "filename": found.filename, "media_type": found.media_type, "sha256": found.sha256,
            "size": found.size, "document_id": found.document_id, "version": found.version,
            "classification": found.classification, "releasability": found.releasability,
            "originator": found.originator}  # fmt: skip


def _links_of(session: Session, viewer: Viewer, version_ids: list[int]) -> dict[int, list[dict]]:
    """Links of these versions to proposals and reliefs the caller reads."""
    out: dict[int, list[dict]] = {}
    if not version_ids:
        return out
    for link in session.scalars(
        select(EvidenceLink).where(EvidenceLink.version_id.in_(version_ids)).order_by(EvidenceLink.id)
    ):
        target = (session.get(PathwayProposal, link.proposal_id) if link.proposal_id is not None
                  else session.get(PathwayRelief, link.relief_id))  # fmt: skip
        if target is None or not can_read(viewer, target):
            continue
        out.setdefault(link.version_id, []).append(to_dict(link))
    return out


def documents_linked(
    session: Session, viewer: Viewer, *, proposal_ids: Iterable[int] = (), relief_ids: Iterable[int] = ()
) -> dict[tuple[str, int], list[dict]]:
    """The readable document versions linked to each proposal (``("proposal", id)``) and relief
    (``("relief", id)``): the timeline shows them."""
    proposal_ids, relief_ids = list(proposal_ids), list(relief_ids)
    out: dict[tuple[str, int], list[dict]] = {}
    if not proposal_ids and not relief_ids:
        return out
    query = (
        select(EvidenceLink, EvidenceVersion, EvidenceDocument)
        .join(EvidenceVersion, EvidenceVersion.id == EvidenceLink.version_id)
        .join(EvidenceDocument, EvidenceDocument.id == EvidenceVersion.document_id)
        .order_by(EvidenceLink.id)
    )
    clauses = []
    if proposal_ids:
        clauses.append(EvidenceLink.proposal_id.in_(proposal_ids))
    if relief_ids:
        clauses.append(EvidenceLink.relief_id.in_(relief_ids))
    for link, version, document in session.execute(query.where(or_(*clauses))):
        if not (can_read(viewer, version) and can_read(viewer, document)):
            continue
        key = ("proposal", link.proposal_id) if link.proposal_id is not None else ("relief", link.relief_id)
        out.setdefault(key, []).append({
            "document_id": document.id, "kind": document.kind, "title": document.title, "version": version.version,
            "version_id": version.id, "filename": version.filename, "sha256": version.sha256,
            "purpose": link.purpose, "linked_by": link.linked_by, "linked_at": link.linked_at.isoformat(),
        })  # fmt: skip
    return out


def attach_documents(session: Session, viewer: Viewer, reliefs: list[dict], proposals: list[dict]) -> None:
    """Decorate the timeline's relief and proposal rows (dicts) in place: the linked documents of each."""
    linked = documents_linked(session, viewer, proposal_ids=[p["id"] for p in proposals],
                              relief_ids=[r["id"] for r in reliefs])  # fmt: skip
    for row in reliefs:
        row["documents"] = linked.get(("relief", row["id"]), [])
    for row in proposals:
        row["documents"] = linked.get(("proposal", row["id"]), [])


# --- linking ----------------------------------------------------------------------------------------


def parse_reference(text: str) -> dict | None:
    """``document:12`` or ``document:12@v2`` as ``{"kind": "document", "id": 12, "version": 2|None}``;
    anything else None (a plain reference)."""
    found = REFERENCE.match(text.strip())
    if found is None:
        return None
    return {"kind": "document", "id": int(found[1]), "version": int(found[2]) if found[2] else None}


def _version_of_reference(session: Session, viewer: Viewer, item: dict, number: int) -> EvidenceVersion:
    document_id, version = item.get("id"), item.get("version")
    if isinstance(document_id, bool) or not isinstance(document_id, int | str) or not str(document_id).isdigit():
        raise GoodpathError(f"evidence {number}: a document reference needs the document's id (a number)")
    if version is not None and (isinstance(version, bool) or not str(version).isdigit()):
        raise GoodpathError(f"evidence {number}: a document's version must be a number, not {version!r}")
    if version is not None:
        return get_version(session, viewer, document_id, version)
    document = get_document_record(session, viewer, document_id)
    versions = _versions(session, viewer, [document.id])
    if not versions:
        raise NotFound(f"no version of document {document.id}")
    return versions[-1]


def resolve_references(
    session: Session, viewer: Viewer, party: Party, items: list[dict]
) -> tuple[list[dict], list[int]]:
    """The proposal's evidence with its document references checked (they exist, the proposer reads
    them, they are of the company or of none; default the latest readable version) and pinned to a
    version; and the ids of those versions, to link. Other references pass unchanged."""
    out, version_ids = [], []
    for number, item in enumerate(items, start=1):
        if item.get("kind") != "document":
            out.append(item)
            continue
        version = _version_of_reference(session, viewer, item, number)
        if version.party_id not in (None, party.id):
            raise GoodpathError(f"evidence {number}: document {version.document_id} is another company's")
        out.append({"kind": "document", "id": version.document_id, "version": version.version,
                    "version_id": version.id, "sha256": version.sha256, "given": True})  # fmt: skip
        if version.id not in version_ids:
            version_ids.append(version.id)
    return out, version_ids


def determinations_of(session: Session, proposal_id: int) -> list[dict]:
    """The determination documents linked to a proposal: [{document_id, version, kind, sha256}]."""
    rows = session.execute(
        select(EvidenceDocument.id, EvidenceVersion.version, EvidenceDocument.kind, EvidenceVersion.sha256)
        .select_from(EvidenceLink)
        .join(EvidenceVersion, EvidenceVersion.id == EvidenceLink.version_id)
        .join(EvidenceDocument, EvidenceDocument.id == EvidenceVersion.document_id)
        .where(EvidenceLink.proposal_id == proposal_id, EvidenceDocument.kind.in_(DETERMINATION_KINDS))
    )  # fmt: skip
    return [{"document_id": d, "version": v, "kind": k, "sha256": h} for d, v, k, h in rows]


def link_proposal(session: Session, viewer: Viewer, proposal: PathwayProposal, version_ids: Iterable[int]) -> None:
    """Link the versions a proposal names as its evidence (already checked by ``resolve_references``)."""
    for version_id in version_ids:
        version = session.get(EvidenceVersion, version_id)
        _add_link(session, viewer, version, proposal, "supports")


def _require_manager(viewer: Viewer, what: str) -> None:
    if not can(viewer, Permission.MANAGE_ENGAGEMENT):
        raise Refused(f"you do not have permission to {what}")


def get_version_by_id(session: Session, viewer: Viewer, version_id: int | str) -> EvidenceVersion:
    version = get_readable(session, viewer, EvidenceVersion, _number(version_id, "document version"),
                           "document version")  # fmt: skip
    document = session.get(EvidenceDocument, version.document_id)
    if document is None or not can_read(viewer, document):
        raise NotFound(f"no document version {version_id!r}")
    return version


def link(
    session: Session,
    viewer: Viewer,
    version_id: int | str,
    *,
    proposal_id: int | str | None = None,
    relief_id: int | str | None = None,
    purpose: str = "supports",
) -> EvidenceLink:
    """Link a document version to a proposal or a relief (of the same company, or a document of none)."""
    _require_manager(viewer, "link evidence")
    purpose = (purpose or "supports").strip().lower()
    if purpose not in LINK_PURPOSES:
        extra = " (a notice is recorded on the relief: record_notice)" if purpose == "notice" else ""
        raise GoodpathError(f"purpose must be one of {', '.join(LINK_PURPOSES)}, not {purpose!r}{extra}")
    if (proposal_id is None) == (relief_id is None):
        raise GoodpathError("link the document to a proposal or to a relief (one of proposal_id, relief_id)")
    version = get_version_by_id(session, viewer, version_id)
    if proposal_id is not None:
        target = get_readable(session, viewer, PathwayProposal, _number(proposal_id, "proposal"), "proposal")
    else:
        target = get_readable(session, viewer, PathwayRelief, _number(relief_id, "relief"), "relief")
    if version.party_id not in (None, target.party_id):
        raise GoodpathError(f"document {version.document_id} is another company's than {target.party_id}'s")
    return _add_link(session, viewer, version, target, purpose)


def _add_link(session: Session, viewer: Viewer, version: EvidenceVersion, target, purpose: str) -> EvidenceLink:
    column = EvidenceLink.proposal_id if isinstance(target, PathwayProposal) else EvidenceLink.relief_id
    what = "proposal" if isinstance(target, PathwayProposal) else "relief"
    existing = session.scalars(
        select(EvidenceLink).where(EvidenceLink.version_id == version.id, column == target.id,
                                   EvidenceLink.purpose == purpose)
    ).first()  # fmt: skip
    if existing is not None:
        raise Refused(f"document {version.document_id} version {version.version} is already linked to {what} "
                      f"{target.id} ({purpose})")  # fmt: skip
    row = EvidenceLink(version_id=version.id, purpose=purpose, linked_by=viewer.actor, linked_at=utcnow(),
                       **{column.key: target.id})  # fmt: skip
    session.add(row)
    session.flush()
    _audit_link(session, viewer, "evidence.link", row, version, target)
    return row


def _narrowest(a: str | None, b: str | None) -> str | None:
    """Releasable only to whom both markings release to (``ALL`` is no restriction)."""
    if a == RELEASABLE_TO_ALL:
        return b
    if b == RELEASABLE_TO_ALL:
        return a
    if a is None or b is None:
        return a if b is None else b
    common = sorted(set(a.split(",")) & set(b.split(",")))
    return ",".join(common) or a


def _audit_link(session: Session, viewer: Viewer, action: str, row: EvidenceLink, version, target, *,
                removed: bool = False) -> None:  # fmt: skip
    """A link has no marking of its own: its audit entry takes the stricter of its version's and its
    target's."""
    session.flush()
    classification = max(level(version.classification), level(target.classification)).name
    audit.record(
        session, actor=viewer.actor, action=action, target_type=row.__tablename__, target_id=str(row.id),
        before=to_dict(row) if removed else None, after=None if removed else to_dict(row),
        classification=classification, releasability=_narrowest(version.releasability, target.releasability),
    )  # fmt: skip


# --- the notice link of a relief (relief.record_notice) -----------------------------------------------


def unlink_notices(session: Session, viewer: Viewer, relief: PathwayRelief) -> None:
    """Remove the relief's notice links (audited): a notice recorded again replaces them."""
    previous = session.scalars(
        select(EvidenceLink).where(EvidenceLink.relief_id == relief.id, EvidenceLink.purpose == "notice")
    ).all()
    for old in previous:
        old_version = session.get(EvidenceVersion, old.version_id)
        _audit_link(session, viewer, "evidence.unlink", old, old_version, relief, removed=True)
        session.delete(old)
    session.flush()


def link_notice(session: Session, viewer: Viewer, version: EvidenceVersion, relief: PathwayRelief) -> EvidenceLink:
    """Link the document version that gave the relief's notice."""
    return _add_link(session, viewer, version, relief, "notice")


__all__ = [
    "KINDS",
    "MAX_BYTES",
    "attach_documents",
    "get_document",
    "get_version_content",
    "link",
    "list_documents",
    "parse_reference",
    "resolve_references",
    "upload",
]
