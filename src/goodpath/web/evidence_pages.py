"""Evidence document pages: the documents the viewer reads (filtered by company and kind), one document
with its versions (size, SHA-256, uploader, date, marking, download) and the proposals and reliefs it
supports, and the upload of a new document or a new version (a multipart form).

Everything goes through ``goodpath.pathway.evidence`` with the page's viewer: a document the viewer may
not read is "not found"; a company officer reads and uploads its own company's documents only, of the
kinds a company produces. A refused upload is shown on the page with what was typed.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from goodpath.access.policy import Permission, Role
from goodpath.access.records import readable
from goodpath.core.api_types import RecordId, parse_id
from goodpath.core.errors import NotFound
from goodpath.pathway import evidence
from goodpath.pathway.models import PathwayProposal, PathwayRelief
from goodpath.registry import service as registry
from goodpath.web import marking_fields
from goodpath.web.cable_pages import multipart_page, read_file
from goodpath.web.company_home import can_upload, company_home, upload_kinds
from goodpath.web.labels import N_
from goodpath.web.pathway_pages import DONE, attempt, form_fields, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

NOT_FOUND = N_("There is no such record, or you may not see it.")
FIELDS = ("party", "kind", "title", "note")


def _captions(page: Page, party_ids) -> dict[str, str]:
    out: dict[str, str] = {}
    for party_id in {p for p in party_ids if p}:
        try:
            out[party_id] = registry.get_party(page.session, page.viewer, party_id).caption
        except NotFound:
            continue
    return out


# --- the list ---------------------------------------------------------------------------------------


@router.get("/ui/evidence", response_class=HTMLResponse)
def evidence_list(party: str = "", kind: str = "", done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _list(page, party.strip(), kind.strip(), done=DONE.get(done))


def _list(page: Page, party: str, kind: str, *, done: str | None = None, status_code: int = 200,
          form: dict | None = None, errors: dict | None = None, error: str | None = None) -> Response:  # fmt: skip
    session, viewer = page.session, page.viewer
    every = evidence.list_documents(session, viewer)
    captions = _captions(page, [d["party_id"] for d in every])
    filter_errors: dict[str, str] = {}
    if kind and kind not in evidence.KINDS:
        filter_errors["filter_kind"], kind = N_("Choose a kind from the list."), ""
    try:
        rows = evidence.list_documents(session, viewer, party=party or None, kind=kind or None)
    except NotFound:
        filter_errors["filter_party"], rows = NOT_FOUND, []
    own = viewer.company_party_id if viewer.role is Role.COMPANY_OFFICER else None
    default_form = {"party": own or party, "kind": "", "title": "", "note": ""}
    return page.render(
        "evidence.html", status_code=status_code if not filter_errors else 422, documents=rows, captions=captions,
        party=party, kind=kind, kinds=evidence.KINDS, upload_kinds=upload_kinds(page), can_upload=can_upload(page),
        own=own, done=done, error=error, form=form or default_form, errors={**filter_errors, **(errors or {})},
        max_mb=evidence.MAX_BYTES // (1024 * 1024),
    )  # fmt: skip


# --- one document -----------------------------------------------------------------------------------


@router.get("/ui/evidence/{document_id}", response_class=HTMLResponse)
def document_page(document_id: RecordId, done: str = "", link_party: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _document(page, document_id, done=DONE.get(done) or LINK_DONE.get(done),
                     link_form={"link_party": link_party.strip()[:200]})  # fmt: skip


def _document(page: Page, document_id: int, *, done: str | None = None, status_code: int = 200,
              form: dict | None = None, errors: dict | None = None, error: str | None = None,
              link_form: dict | None = None, link_errors: dict | None = None,
              link_error: str | None = None) -> Response:  # fmt: skip
    session, viewer = page.session, page.viewer
    try:
        document = evidence.get_document(session, viewer, document_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    caption = _captions(page, [document["party_id"]]).get(document["party_id"])
    targets: dict[tuple[str, int], object] = {}
    for version in document["versions"]:
        for link in version["links"]:
            key = ("proposal", link["proposal_id"]) if link.get("proposal_id") else ("relief", link["relief_id"])
            model = PathwayProposal if key[0] == "proposal" else PathwayRelief
            targets[key] = session.get(model, key[1])
    uploadable = can_upload(page) and (viewer.role is not Role.COMPANY_OFFICER
                                       or document["kind"] in evidence.COMPANY_KINDS)  # fmt: skip
    return page.render(
        "evidence_document.html", status_code=status_code, document=document, caption=caption, targets=targets,
        can_upload=uploadable, done=done, error=error, form=form or {}, errors=errors or {},
        max_mb=evidence.MAX_BYTES // (1024 * 1024),
        linking=_linking(page, document, link_form or {}, link_errors or {}, link_error),
    )  # fmt: skip


# --- linking a version to a record ------------------------------------------------------------------

LINK_DONE = {"linked_record": N_("The document is linked to the record.")}


def _linking(page: Page, document: dict, form: dict, errors: dict, error: str | None) -> dict | None:
    """What the link form offers: the records the service links a document to (the proposals and reliefs of
    the document's company, or, for a document of no company, of the company picked), as the viewer reads
    them; None for a viewer who may not link."""
    if not page.can(Permission.MANAGE_ENGAGEMENT) or not document["versions"]:
        return None
    session, viewer = page.session, page.viewer
    errors = dict(errors)
    party = None
    party_ref = document["party_id"] or form.get("link_party", "")
    if party_ref:
        try:
            party = registry.get_party(session, viewer, party_ref)
        except NotFound:
            errors.setdefault("link_party", NOT_FOUND)
    records: list[dict] = []
    if party is not None:
        for model, kind in ((PathwayProposal, "proposal"), (PathwayRelief, "relief")):
            query = readable(session, viewer, model).where(model.party_id == party.id).order_by(model.id.desc())
            for record in session.scalars(query):
                records.append({"value": f"{kind}:{record.id}", "kind": kind, "record": record})
    return {"party": party, "records": records, "purposes": evidence.LINK_PURPOSES, "form": form, "errors": errors,
            "error": error, "fixed_party": bool(document["party_id"])}  # fmt: skip


@router.post("/ui/evidence/{document_id}/links", response_class=HTMLResponse)
async def link_document(document_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    """Link a version of the document to a proposal or a relief: ``evidence.link``, as the API and CLI."""
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))
    fields = await form_fields(request)
    form = {k: (fields.get(k) or "").strip() for k in ("link_party", "version_id", "target", "purpose")}
    errors: dict[str, str] = {}
    kind, _, number = form["target"].partition(":")
    if kind not in ("proposal", "relief") or parse_id(number) is None:
        errors["target"] = N_("Choose the record to link the document to.")
    if parse_id(form["version_id"]) is None:
        errors["version_id"] = N_("Choose the version to link.")
    if errors:
        return _document(page, document_id, status_code=422, link_form=form, link_errors=errors)
    target = {f"{kind}_id": parse_id(number)}
    _, error = attempt(page.session, lambda: evidence.link(page.session, page.viewer, parse_id(form["version_id"]),
                                                          purpose=form["purpose"] or "supports", **target))  # fmt: skip
    if error:
        return _document(page, document_id, status_code=409, link_form=form, link_error=error)
    return see_other(f"/ui/evidence/{document_id}", done="linked_record")


# --- uploading (multipart) --------------------------------------------------------------------------


async def _file(form: FormData, errors: dict[str, str], language: str) -> tuple[UploadFile | None, bytes]:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = N_("Choose a file to upload.")
        return None, b""
    content = await read_file(upload, "evidence", language)  # a 413 page past the limit
    if not content:
        errors["file"] = N_("The file is empty: there is nothing to store.")
    return upload, content


def _typed(form: FormData) -> dict[str, str]:
    return {k: str(form.get(k) or "").strip() for k in FIELDS}


@router.post("/ui/evidence", response_class=HTMLResponse)
async def upload_document(context: tuple[Page, FormData] = Depends(multipart_page)) -> Response:
    page, form = context
    fields = _typed(form) | marking_fields.typed(form)
    back = str(form.get("back") or "")
    if page.viewer.role is Role.COMPANY_OFFICER:
        fields["party"] = page.viewer.company_party_id or ""
    errors: dict[str, str] = {}
    if not can_upload(page):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))
    if fields["kind"] not in upload_kinds(page):
        errors["kind"] = N_("Choose the kind of document.")
    if not fields["title"]:
        errors["title"] = N_("Give the document a title.")
    elif len(fields["title"]) > 1000:
        errors["title"] = N_("At most 1000 characters.")
    upload, content = await _file(form, errors, page.language)
    redraw = _home_again if back == "home" else _list
    if errors:
        return redraw(page, "", "", status_code=422, form=fields, errors=errors)
    marks = marking_fields.read(page.viewer, form)
    if page.viewer.role is Role.COMPANY_OFFICER:  # its company and the hosting organization: the service's default
        marks["releasability"] = None
    version, error = attempt(page.session, lambda: evidence.upload(
        page.session, page.viewer, party_id=fields["party"] or None, kind=fields["kind"], title=fields["title"],
        filename=upload.filename, content=content, media_type=upload.content_type, note=fields["note"] or None,
        **marks,
    ))  # fmt: skip
    if error:
        return redraw(page, "", "", status_code=409, form=fields, error=error)
    done = "already" if getattr(version, "already_stored", False) else "uploaded"
    if back == "home":
        return see_other("/", done=done)
    return see_other(f"/ui/evidence/{version.document_id}", done=done)


def _home_again(page: Page, _party: str, _kind: str, *, status_code: int, form: dict, errors: dict | None = None,
                error: str | None = None) -> Response:  # fmt: skip
    return page.render("home_company.html", status_code=status_code,
                       **company_home(page, evidence_form=form, evidence_errors=errors or {},
                                       evidence_error=error))  # fmt: skip


@router.post("/ui/evidence/{document_id}/versions", response_class=HTMLResponse)
async def upload_version(document_id: RecordId, context: tuple[Page, FormData] = Depends(multipart_page)) -> Response:
    page, form = context
    fields = {"note": str(form.get("note") or "").strip()}
    errors: dict[str, str] = {}
    if not can_upload(page):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))
    upload, content = await _file(form, errors, page.language)
    if errors:
        return _document(page, document_id, status_code=422, form=fields, errors=errors)
    version, error = attempt(page.session, lambda: evidence.upload(
        page.session, page.viewer, document_id=document_id, filename=upload.filename, content=content,
        media_type=upload.content_type, note=fields["note"] or None,
    ))  # fmt: skip
    if error:
        if isinstance(error, str) and error.startswith("no document"):
            raise PageError(404, NOT_FOUND)
        return _document(page, document_id, status_code=409, form=fields, error=error)
    return see_other(f"/ui/evidence/{document_id}", done="uploaded")
