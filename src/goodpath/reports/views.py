"""API: ``GET /reports/dossier/{party}`` and ``GET /reports/cases/{case}`` — the company dossier and the
case file as marked PDFs (issue 23).

The dossier: analysts, approvers and auditors; a company officer their own company's only (another is
404). The case file: analysts, approvers, auditors and partner officers (cases released to them). Other
roles 403. ``lang`` (en, zh) and ``as_of`` (default today). Every report drawn is audited."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from goodpath.access.deps import record_denial, require_login
from goodpath.access.policy import Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import Day, Key, RecordKey
from goodpath.reports import case_file, common
from goodpath.reports import dossier as dossiers

router = APIRouter(tags=["reports"])
PDF = {200: {"content": {"application/pdf": {}}, "description": "The report as a PDF"}}


def pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",  # classified content is never cached
    })  # fmt: skip


@router.get("/reports/dossier/{party}", response_class=Response, responses=PDF)
def dossier(
    party: Key,
    request: Request,
    lang: Literal["en", "zh"] = "en",
    as_of: Day | None = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> Response:
    """The company dossier of the party (id, key or name) as the viewer may read it, marked with the
    highest classification of its contents; audited."""
    _require(dossiers.require_reader, viewer, session, request, "reports.dossier")
    with invalid_as_422():
        report = dossiers.dossier(session, viewer, party, as_of=as_of, language=lang)
    return pdf_response(report.drawing.pdf, report.filename)


@router.get("/reports/cases/{case}", response_class=Response, responses=PDF)
def case(
    case: RecordKey,
    request: Request,
    lang: Literal["en", "zh"] = "en",
    as_of: Day | None = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> Response:
    """The case file of the case (id or reference) as the viewer may read it, marked with the highest
    classification of its contents; audited."""
    _require(case_file.require_reader, viewer, session, request, "reports.case")
    with invalid_as_422():
        report = case_file.case_file(session, viewer, case, as_of=as_of, language=lang)
    return pdf_response(report.drawing.pdf, report.filename)


def _require(check, viewer: Viewer, session: Session, request: Request, what: str) -> None:
    """403, logged and audited, for a role that may not have the report."""
    try:
        check(viewer)
    except common.NotAllowed as exc:
        record_denial(session, request, viewer, "access.denied", what)
        raise HTTPException(403, str(exc)) from None
