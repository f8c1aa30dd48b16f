"""API routes of the evidence store and of the notice period of a relief.

Uploading (multipart) needs the right to submit disclosures at least: analysts and approvers upload
for any company, a company officer for its own company only (the service decides the finer rules).
Reads: any logged-in user, filtered by the documents' and versions' markings (a document the user may
not read does not exist for them). Linking and recording a notice need engagement.manage."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.audit import exports
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, Day, RecordId, VersionNumber
from goodpath.core.fields import to_dict
from goodpath.core.uploads import read_upload
from goodpath.pathway import evidence
from goodpath.pathway import relief as relief_life

router = APIRouter(tags=["evidence"])
manage = require(Permission.MANAGE_ENGAGEMENT)
uploader = require(Permission.SUBMIT_DISCLOSURES)  # analysts, approvers, company officers


class NoticeRequest(BaseModel):
    notice_on: Day = Field(description="The day notice was given (YYYY-MM-DD)")
    version_id: BodyId = Field(description="The congress_notice document version that gave it")


class LinkRequest(BaseModel):
    proposal_id: BodyId | None = None
    relief_id: BodyId | None = None
    purpose: str = Field("supports", max_length=20, description="supports or publication")


async def _read(upload: UploadFile) -> bytes:
    """The document, within its limit (413 past it), read off the event loop."""
    return await run_in_threadpool(read_upload, upload, "evidence")


def _uploaded(session: Session, viewer: Viewer, version, response: Response) -> dict:
    already = bool(getattr(version, "already_stored", False))
    if already:
        response.status_code = 200
    document = evidence.get_document(session, viewer, version.document_id)
    message = (
        f"already stored as document {version.document_id} version {version.version}: not stored again"
        if already
        else f"stored as document {version.document_id} version {version.version}"
    )
    return {"already_stored": already, "message": message, "version": evidence.version_dict(version),
            "document": document}  # fmt: skip


@router.post("/evidence", status_code=201)
async def upload_document(
    response: Response,
    file: UploadFile = File(..., description="The document (at most 25 MB)"),
    kind: str = Form(..., max_length=40, description=", ".join(evidence.KINDS)),
    title: str = Form(..., max_length=1000),
    party: str | None = Form(None, max_length=100, description="The company (id or key); none for general"),
    classification: str | None = Form(None, max_length=20),
    releasability: str | None = Form(None, max_length=400),
    note: str | None = Form(None, max_length=4000),
    viewer: Viewer = Depends(uploader),
    session: Session = SESSION,
) -> dict:
    """Store a new document (201), or answer the version that already holds the same bytes (200)."""
    data = await _read(file)
    with invalid_as_422():
        version = evidence.upload(
            session, viewer, party_id=party, kind=kind, title=title, filename=file.filename or "",
            content=data, media_type=file.content_type, classification=classification,
            releasability=releasability, note=note,
        )  # fmt: skip
        return _uploaded(session, viewer, version, response)


@router.post("/evidence/{document_id}/versions", status_code=201)
async def upload_version(
    document_id: RecordId,
    response: Response,
    file: UploadFile = File(..., description="The new version (at most 25 MB)"),
    classification: str | None = Form(None, max_length=20),
    releasability: str | None = Form(None, max_length=400),
    note: str | None = Form(None, max_length=4000),
    viewer: Viewer = Depends(uploader),
    session: Session = SESSION,
) -> dict:
    """A new version of the document (409 when identical to its latest)."""
    data = await _read(file)
    with invalid_as_422():
        version = evidence.upload(
            session, viewer, document_id=document_id, filename=file.filename or "", content=data,
            media_type=file.content_type, classification=classification, releasability=releasability, note=note,
        )  # fmt: skip
        return _uploaded(session, viewer, version, response)


@router.get("/evidence")
def list_documents(
    party: str | None = Query(None, max_length=100),
    kind: str | None = Query(None, max_length=40),
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    with invalid_as_422():
        rows = evidence.list_documents(session, viewer, party=party, kind=kind)
    return {"results": rows, "total": len(rows)}


@router.get("/evidence/{document_id}")
def show_document(document_id: RecordId, viewer: Viewer = Depends(require_login), session: Session = SESSION):
    """The document with its readable versions and their links."""
    return evidence.get_document(session, viewer, document_id)


def content_disposition(filename: str) -> str:
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/evidence/{document_id}/versions/{version}/content",
    response_class=Response,
    responses={200: {"description": "The version's bytes, in its own media type",
                     "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}},
)  # fmt: skip
def download(
    document_id: RecordId, version: VersionNumber, viewer: Viewer = Depends(require_login), session: Session = SESSION
) -> Response:
    """The version's bytes, with its SHA-256 in X-Content-SHA256 (the download is audited, with its marking)."""
    with invalid_as_422():
        found = evidence.get_version_content(session, viewer, document_id, version)
    exports.record_export(
        session, viewer, what=f"GET /evidence/{document_id}/versions/{version}/content", fmt=found["media_type"],
        rows=1, marking=exports.highest_marking([found], viewer.organization), target_type="evidence_version",
        target_id=f"{found['document_id']}@v{found['version']}",
    )  # fmt: skip
    headers = {"Content-Disposition": content_disposition(found["filename"]), "X-Content-SHA256": found["sha256"]}
    return Response(found["content"], media_type=found["media_type"], headers=headers)


@router.post("/pathway/reliefs/{relief_id}/notice")
def record_notice(
    relief_id: RecordId, body: NoticeRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    """Record when notice of the relief was given and the document: it takes effect once the period has run."""
    with invalid_as_422():
        relief = relief_life.record_notice(session, viewer, relief_id, body.notice_on, body.version_id)
        return relief_life.relief_dict(relief)


@router.post("/evidence/versions/{version_id}/links", status_code=201)
def link_version(
    version_id: RecordId, body: LinkRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    """Link a document version to a proposal or a relief it supports."""
    with invalid_as_422():
        row = evidence.link(session, viewer, version_id, proposal_id=body.proposal_id, relief_id=body.relief_id,
                            purpose=body.purpose)  # fmt: skip
        return to_dict(row)
