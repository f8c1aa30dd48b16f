"""Cable pages: the list and search of stored cables, the upload form, and one cable with its
paragraphs (each with its portion marking), its linked parties, the drafts found in it and its
versions; a pending version is accepted on a page of its own that shows what it would change
(the confirmation step).

Reads go through ``goodpath.cables.ingest`` with the page's viewer, so a cable above the viewer's
clearance (or not releasable to them) is absent from the list and "not found" at its address.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from goodpath.access import auth
from goodpath.access.deps import CSRF_FIELD, session_cookie
from goodpath.access.policy import PUBLIC, Permission, Role
from goodpath.cables import drafts, ingest, review
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Offset, RecordId
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.core.uploads import UploadTooLarge, read_upload, size_text
from goodpath.web import i18n
from goodpath.web.labels import N_
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
CLASSIFICATIONS = tuple(Classification.__members__)
PORTION_LEVEL = {"U": "UNCLASSIFIED", "SBU": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET"}
NOT_FOUND = N_("There is no such record, or you may not see it.")
TOO_LARGE = N_("The upload is too large: at most %(size)s.")
OUTCOMES = {
    "stored": N_("Stored"),
    "pending_version": N_("Pending version"),
    "unchanged": N_("Unchanged"),
    "refused": N_("Refused"),
}
VERSION_STATUSES = {"current": N_("Current"), "pending": N_("Pending"), "superseded": N_("Superseded")}
VERSION_ORIGINS = {"ingest": N_("ingested"), "reparse": N_("reparsed"), "migration": N_("kept from before versions")}


def form_fields(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


async def multipart_page(request: Request, session: Session = SESSION) -> tuple[Page, FormData]:
    """The page context of a multipart form post (a file upload) and its form.

    The API's CSRF check reads the token from a header or a URL-encoded body only; a plain HTML
    upload form is multipart, so its ``csrf_token`` field is checked here, against the session."""
    language = i18n.choose_language(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))
    form = await read_form(request, language, max_files=200, max_fields=50)
    cookie = session_cookie(request)
    viewer, expected = PUBLIC, None
    if cookie:
        try:
            viewer, expected = await run_in_threadpool(auth.viewer_for_session, session, cookie)
        except auth.AuthenticationFailed:
            viewer, expected = PUBLIC, None
    if viewer.role is Role.PUBLIC:
        raise PageError(401, N_("Please log in to see this page."), redirect="/login")
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected.encode()):
        raise PageError(403, N_("The form has expired. Please go back, reload the page and try again."))
    request.state.credential = "session"
    return Page(request, session, viewer, expected, language), form


async def read_form(request: Request, language: str, **limits) -> FormData:
    """The multipart form of an upload page; an upload over its limit (core/uploads.py) is a 413 page."""
    try:
        return await request.form(**limits)
    except UploadTooLarge as exc:
        raise too_large(language, exc) from None


async def read_file(upload: UploadFile, kind: str, language: str) -> bytes:
    """An uploaded file's content within its kind's limit (a 413 page past it), read off the event loop."""
    try:
        return await run_in_threadpool(read_upload, upload, kind)
    except UploadTooLarge as exc:
        raise too_large(language, exc) from None


def too_large(language: str, exc: UploadTooLarge) -> PageError:
    message = i18n.translations(language).gettext(TOO_LARGE) % {"size": size_text(exc.limit)}
    return PageError(413, message)


def not_found(page: Page) -> Response:
    return page.render("error.html", status_code=404, title=N_("Not found"), message=NOT_FOUND)


def forbidden(page: Page) -> Response:
    return page.render("error.html", status_code=403, title=N_("Not allowed"),
                       message=N_("Your role does not allow this."))  # fmt: skip


# --- the list, its search and the upload form ---------------------------------------------------


def _search_form(params) -> dict[str, str]:
    return {key: (params.get(key) or "").strip() for key in ("q", "tag", "from", "to", "classification")}


def _search(page: Page, form: dict[str, str]) -> tuple[list[dict], str | None]:
    try:
        rows = ingest.list_cables(
            page.session, page.viewer, q=form["q"] or None, tag=form["tag"] or None,
            date_from=form["from"] or None, date_to=form["to"] or None,
            classification=form["classification"] or None,
        )  # fmt: skip
    except GoodpathError:
        return [], N_("Check the search: dates are YYYY-MM-DD and a tag is a TAGS code such as PARM.")
    return rows, None


def _list_page(page: Page, form: dict[str, str], offset: int = 0, *, results=None, upload_error=None,
               status_code: int = 200) -> Response:  # fmt: skip
    rows, search_error = _search(page, form)
    offset = max(0, min(offset, max(len(rows) - 1, 0)))
    return page.render(
        "cables.html", status_code=422 if search_error else status_code, form=form,
        cables=rows[offset : offset + PAGE_SIZE], total=len(rows), offset=offset, page_size=PAGE_SIZE,
        classifications=CLASSIFICATIONS, search_error=search_error, results=results, upload_error=upload_error,
        can_upload=page.can(Permission.MANAGE_ENGAGEMENT), outcomes=OUTCOMES,
    )  # fmt: skip


@router.get("/ui/cables", response_class=HTMLResponse)
def cables_page(request: Request, offset: Offset = 0, page: Page = Depends(page)) -> Response:
    page.require_login()
    return _list_page(page, _search_form(request.query_params), offset)


@router.post("/ui/cables", response_class=HTMLResponse)
async def upload(context: tuple[Page, FormData] = Depends(multipart_page)) -> Response:
    page, form = context
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        return forbidden(page)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    empty = _search_form({})
    if not files:
        return _list_page(page, empty, upload_error=N_("Choose one or more cable files or zip archives."),
                          status_code=422)  # fmt: skip
    contents = [(upload_file.filename or "", await read_file(upload_file, "cables", page.language))
                for upload_file in files]  # fmt: skip
    results = await run_in_threadpool(ingest.ingest_upload, page.session, page.viewer, contents)
    page.session.commit()
    return _list_page(page, empty, results=results)


# --- one cable ----------------------------------------------------------------------------------


def _paragraphs(cable: dict) -> list[dict]:
    shown = []
    for para in cable["data"].get("paragraphs") or []:
        marking = para.get("marking")
        level = PORTION_LEVEL.get(marking or "", cable["classification"]) if marking else cable["classification"]
        shown.append({"number": para.get("number"), "text": para.get("text") or "", "classification": level})
    return shown


def _confirmed_link(draft: dict) -> str | None:
    kind, record_id = draft.get("confirmed_record_type"), draft.get("confirmed_record_id")
    if not record_id:
        return None
    if kind == "pledge":
        return f"/ui/pledges/{record_id}"
    if kind == "consultation":
        return f"/ui/consultations#consultation-{record_id}"
    if kind == "violation_case":
        return f"/ui/cases/{record_id}"
    return None


def _cable_page(page: Page, reference_id: str, *, notice=None, errors=None, typed=None,
                status_code: int = 200) -> Response:  # fmt: skip
    try:
        cable = ingest.detail(page.session, page.viewer, reference_id)
    except NotFound:
        return not_found(page)
    linked = [link for link in cable["links"] if link["status"] == "linked" and link["caption"]]
    unlinked = [link for link in cable["links"] if link not in linked]
    for draft in cable["drafts"]:
        draft["record_link"] = _confirmed_link(draft)
    versions = review.list_versions(page.session, page.viewer, reference_id)
    current = next((v for v in versions if v["status"] == "current"), None)
    return page.render(
        "cable.html", status_code=status_code, cable=cable, paragraphs=_paragraphs(cable), linked=linked,
        unlinked=unlinked, drafts=cable["drafts"], can_decide=page.can(Permission.MANAGE_ENGAGEMENT),
        notice=notice, errors=errors or {}, typed=typed or {}, versions=versions, current_version=current,
        version_statuses=VERSION_STATUSES, version_origins=VERSION_ORIGINS,
    )  # fmt: skip


@router.get("/ui/cables/{reference_id}", response_class=HTMLResponse)
def cable_page(reference_id: str, notice: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    notices = {
        "confirmed": N_("The draft is confirmed: the record is created."),
        "discarded": N_("The draft is discarded."),
        "accepted": N_("The version is accepted: the cable's text, links and drafts now come from it."),
    }
    return _cable_page(page, reference_id, notice=notices.get(notice))


def _draft_reference(page: Page, draft_id: int) -> str | None:
    found = [d for d in drafts.list_drafts(page.session, page.viewer) if d["id"] == draft_id]
    return found[0]["reference_id"] if found else None


@router.post("/ui/cables/drafts/{draft_id}/confirm", response_class=HTMLResponse)
async def confirm(draft_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        return forbidden(page)
    reference = _draft_reference(page, draft_id)
    if reference is None:
        return not_found(page)
    fields = form_fields(await request.body())
    overrides = {key: fields[key].strip() for key in ("pledged_by", "pledged_to", "counterpart", "consultation_id",
                                                      "project_id", "step")
                 if fields.get(key, "").strip()}  # fmt: skip
    draft = drafts.get(page.session, page.viewer, draft_id)
    as_kind = "pledge" if draft.kind == "request" else None
    if draft.kind == "consultation" or (draft.fields or {}).get("record") == "consultation":
        overrides = {k: v for k, v in overrides.items() if k == "counterpart"}
    elif draft.kind == "status":
        overrides = {k: v for k, v in overrides.items() if k in ("consultation_id", "project_id")}
    elif draft.kind == "case_update":
        overrides = {k: v for k, v in overrides.items() if k == "step"}
    elif draft.kind == "case":
        overrides = {}
    else:
        overrides = {k: v for k, v in overrides.items() if k in ("pledged_by", "pledged_to")}
    try:
        drafts.confirm_draft(page.session, page.viewer, draft_id, as_kind=as_kind, **overrides)
    except GoodpathError as exc:
        page.session.rollback()
        return _cable_page(page, reference, errors={draft_id: _confirm_error(exc)}, typed={draft_id: fields},
                           status_code=422)  # fmt: skip
    return RedirectResponse(f"/ui/cables/{reference}?notice=confirmed#draft-{draft_id}", status_code=303)


def _confirm_error(exc: GoodpathError) -> str:
    text = str(exc)
    if "pledged_by" in text or "pledged_to" in text:
        return N_("Say who pledged and to whom: the sentence does not tell.")
    if "counterpart" in text:
        return N_("Give the counterpart (a country code such as CHN).")
    if "confirmed" in text or "discarded" in text:
        return N_("This draft was already decided.")
    return N_("The draft could not be confirmed. Check its fields.")


@router.post("/ui/cables/drafts/{draft_id}/discard", response_class=HTMLResponse)
async def discard(draft_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        return forbidden(page)
    reference = _draft_reference(page, draft_id)
    if reference is None:
        return not_found(page)
    fields = form_fields(await request.body())
    reason = fields.get("reason", "").strip()
    if not reason:
        return _cable_page(page, reference, errors={draft_id: N_("Say why the draft is discarded.")},
                           typed={draft_id: fields}, status_code=422)  # fmt: skip
    try:
        drafts.discard_draft(page.session, page.viewer, draft_id, reason[:4000])
    except GoodpathError:
        page.session.rollback()
        return _cable_page(page, reference, errors={draft_id: N_("This draft was already decided.")},
                           status_code=409)  # fmt: skip
    return RedirectResponse(f"/ui/cables/{reference}?notice=discarded#draft-{draft_id}", status_code=303)


# --- versions: the confirmation step and the acceptance -----------------------------------------


@router.get("/ui/cables/{reference_id}/versions/{number}/accept", response_class=HTMLResponse)
def accept_version_page(reference_id: str, number: int, page: Page = Depends(page)) -> Response:
    """What accepting the version would change, and the form that does it."""
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        return forbidden(page)
    return _accept_page(page, reference_id, number)


def _accept_page(page: Page, reference_id: str, number: int, *, error=None, note: str = "",
                 status_code: int = 200) -> Response:  # fmt: skip
    if not 1 <= number < 2**31:
        return not_found(page)
    try:
        version = review.get_version(page.session, page.viewer, reference_id, number)
    except NotFound:
        return not_found(page)
    paragraphs = _paragraphs({"data": version["data"], "classification": version["classification"]})
    return page.render(
        "cable_version.html", status_code=status_code, version=version, paragraphs=paragraphs, error=error,
        note=note, version_statuses=VERSION_STATUSES, version_origins=VERSION_ORIGINS,
    )  # fmt: skip


@router.post("/ui/cables/{reference_id}/versions/{number}/accept", response_class=HTMLResponse)
async def accept_version(reference_id: str, number: int, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        return forbidden(page)
    if not 1 <= number < 2**31:
        return not_found(page)
    note = form_fields(await request.body()).get("note", "").strip()[:4000]
    try:
        result = await run_in_threadpool(review.accept_version, page.session, page.viewer, reference_id, number,
                                         note or None)  # fmt: skip
    except NotFound:
        page.session.rollback()
        return not_found(page)
    except Refused:
        page.session.rollback()
        return _accept_page(page, reference_id, number, error=N_("This version is already the current one."),
                            note=note, status_code=409)  # fmt: skip
    page.session.commit()
    return RedirectResponse(f"/ui/cables/{result['reference_id']}?notice=accepted#versions", status_code=303)
