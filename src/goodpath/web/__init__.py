"""The web UI: server-rendered pages (Jinja2, htmx) served by the API's own app.

``install(app)`` mounts the pages, the static files at ``/static`` and the HTML error
pages. Pages whose address the API also answers (``/parties``, ``/dossiers/...``) are
chosen by content negotiation: a browser asking for HTML (or an htmx request) gets the
page, which lives at ``/ui/<path>``; API clients (JSON, a bearer token) get the API as before.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from goodpath.core.api_support import validation_error
from goodpath.web import (
    admin_pages,
    audit_pages,
    cable_pages,
    case_pages,
    chart_pages,
    disclosure_pages,
    docs_page,
    dossier_pages,
    engagement_pages,
    evidence_pages,
    export_pages,
    followup_pages,
    identity_pages,
    pages,
    pathway_pages,
    sanction_pages,
    screening_pages,
    screening_review_pages,
    search_pages,
    work_pages,
)
from goodpath.web.labels import N_
from goodpath.web.rendering import STATIC_DIR, PageError, error_response

# API paths that also have a page: a browser's GET of one of these is served the page.
NEGOTIATED_PREFIXES = ("/parties", "/dossiers")
PAGE_PREFIX = "/ui"


def wants_page(scope: Scope) -> bool:
    """A browser navigation (Accept: text/html) or an htmx request, without an API token."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    path = scope["path"]
    if not any(path == p or path.startswith(p + "/") for p in NEGOTIATED_PREFIXES):
        return False
    headers = dict(scope["headers"])
    if headers.get(b"authorization", b"").lower().startswith(b"bearer "):
        return False
    return b"text/html" in headers.get(b"accept", b"") or headers.get(b"hx-request") == b"true"


class PageNegotiation:
    """Routes a browser's GET of a negotiated path to its page under ``/ui``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if wants_page(scope):
            raw = scope.get("raw_path") or scope["path"].encode()
            scope = {**scope, "path": PAGE_PREFIX + scope["path"], "raw_path": PAGE_PREFIX.encode() + raw}
        await self.app(scope, receive, send)


async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
    """A page's address or query out of bounds (an id too large, a letter for a number) is a page
    that does not exist; the API's routes answer their JSON 422."""
    route = request.scope.get("route")
    if route is not None and not getattr(route, "include_in_schema", True):
        return error_response(request, PageError(404, N_("There is no such record, or you may not see it.")))
    return await validation_error(request, exc)


def install(app: FastAPI) -> None:
    for module in (search_pages, pages, admin_pages, export_pages, cable_pages, audit_pages, screening_pages,
                   engagement_pages, pathway_pages, case_pages, chart_pages, evidence_pages, followup_pages,
                   docs_page, dossier_pages, disclosure_pages, screening_review_pages, work_pages,
                   identity_pages, sanction_pages):  # fmt: skip
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(PageError, error_response)
    app.add_exception_handler(RequestValidationError, invalid_input)
    app.add_middleware(PageNegotiation)
