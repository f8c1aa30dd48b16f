"""API: ``GET /reports/dossier/{party}`` — the company dossier as a marked PDF (issue 23).

Analysts, approvers and auditors; a company officer their own company's only (another is 404); other
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
from goodpath.core.api_types import Day, Key
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
    try:
        dossiers.require_reader(viewer)
    except dossiers.NotAllowed as exc:
        record_denial(session, request, viewer, "access.denied", "reports.dossier")
        raise HTTPException(403, str(exc)) from None
    with invalid_as_422():
        report = dossiers.dossier(session, viewer, party, as_of=as_of, language=lang)
    return pdf_response(report.drawing.pdf, report.filename)
