"""The identity review page (analysts): pairs of parties that may be one real-world entity, scored and
explained, each merged or rejected with a reason; the merges, each undoable. The same as
``goodpath identity ...`` and ``/identity/*`` (registry/identity_service.py does the work)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from goodpath.access.policy import Permission
from goodpath.core.api_types import RecordId
from goodpath.core.errors import NotFound
from goodpath.registry import identity_service
from goodpath.web.cable_pages import forbidden
from goodpath.web.labels import N_
from goodpath.web.pathway_pages import NOT_FOUND, attempt, form_fields, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SCORES = ("0.95", "0.9", "0.8", "0.7", "0.6")
DONE = {
    "merged": N_("The parties are merged: the second one's records, lists and id are now the first one's."),
    "rejected": N_("Recorded: these are two parties. The pair is not proposed again."),
    "undone": N_("The merge is undone: the merged party and its records are back."),
}
FEATURES = {
    "name": N_("Names alike"),
    "identifier": N_("A shared identifier"),
    "birth_date": N_("The same birth date"),
    "birth_year": N_("The same birth year"),
    "birth_date_conflict": N_("Different birth dates"),
    "country": N_("A shared country"),
    "country_conflict": N_("No country in common"),
}


def _min_score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return identity_service.DEFAULT_MIN_SCORE
    return value if 0.0 <= value <= 1.0 else identity_service.DEFAULT_MIN_SCORE


def _draw(page: Page, *, min_score: float, status_code: int = 200, error: str | None = None, done: str = "",
          form: dict | None = None) -> Response:  # fmt: skip
    found = identity_service.candidates(page.session, page.viewer, min_score=min_score, limit=PAGE_SIZE)
    total, merges = identity_service.merges(page.session, page.viewer, limit=PAGE_SIZE)
    return page.render(
        "identity.html", status_code=status_code, candidates=[c.to_dict() for c in found], merges=merges,
        merge_total=total, min_score=min_score, scores=SCORES, features=FEATURES, error=error,
        notice=DONE.get(done), form=form or {}, page_size=PAGE_SIZE,
    )  # fmt: skip


@router.get("/ui/identity", response_class=HTMLResponse)
def identity_page(min_score: str = "", done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.EDIT_REGISTRY):
        return forbidden(page)
    return _draw(page, min_score=_min_score(min_score), done=done)


@router.post("/ui/identity/merge", response_class=HTMLResponse)
async def merge(request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.EDIT_REGISTRY):
        return forbidden(page)
    form = await form_fields(request)
    first, second, reason = form.get("first", ""), form.get("second", ""), form.get("reason", "")
    _, error = attempt(page.session, lambda: identity_service.merge(page.session, page.viewer, first, second,
                                                                    reason=reason))  # fmt: skip
    if error:
        return _draw(page, min_score=_min_score(form.get("min_score", "")), status_code=409, error=error, form=form)
    return see_other("/ui/identity", done="merged", min_score=form.get("min_score"))


@router.post("/ui/identity/reject", response_class=HTMLResponse)
async def reject(request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.EDIT_REGISTRY):
        return forbidden(page)
    form = await form_fields(request)
    first, second, reason = form.get("first", ""), form.get("second", ""), form.get("reason", "")
    _, error = attempt(page.session, lambda: identity_service.reject(page.session, page.viewer, first, second,
                                                                     reason=reason))  # fmt: skip
    if error:
        return _draw(page, min_score=_min_score(form.get("min_score", "")), status_code=409, error=error, form=form)
    return see_other("/ui/identity", done="rejected", min_score=form.get("min_score"))


@router.post("/ui/identity/merges/{merge_id}/undo", response_class=HTMLResponse)
async def undo(merge_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.EDIT_REGISTRY):
        return forbidden(page)
    try:
        identity_service.get_merge(page.session, page.viewer, merge_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    reason = (await form_fields(request)).get("reason", "")
    _, error = attempt(page.session, lambda: identity_service.undo(page.session, page.viewer, merge_id, reason=reason))
    if error:
        return _draw(page, min_score=identity_service.DEFAULT_MIN_SCORE, status_code=409, error=error)
    return see_other("/ui/identity", done="undone")
