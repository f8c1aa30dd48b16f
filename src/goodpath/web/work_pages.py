"""Work on records in the pages: "My work" (``/ui/worklist``: what is assigned to me, overdue first), a
record's work (``/ui/worklist/<type>/<id>``), and the work panel (``_work_panel.html``: assignee, due
date, overdue flag, threaded comments with their portion marks, the assign and comment forms) that
the case, pledge, pathway (proposals) and alert pages include by calling ``work_panel(type, id)``.

Every action calls the same service as ``goodpath work`` and ``/worklist/...`` (``access.work``) and shows
its refusal next to the form, with what was typed kept. A record the viewer may not read is a page
that does not exist (404); forms a role may not use are neither shown nor accepted (403).
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import pass_context

from goodpath.access import work
from goodpath.access.policy import PUBLIC, Role
from goodpath.core.api_types import RecordId, parse_id
from goodpath.core.db import session_scope
from goodpath.core.errors import NotFound
from goodpath.web.cable_pages import forbidden
from goodpath.web.labels import N_
from goodpath.web.pathway_pages import NOT_FOUND, attempt, form_fields
from goodpath.web.rendering import ENV, Page, PageError, page

router = APIRouter(include_in_schema=False)

TYPE_NAMES = {"case": N_("Case"), "alert": N_("Alert"), "pledge": N_("Pledge"), "proposal": N_("Proposal")}
DONE = {
    "assigned": N_("The assignment is saved."),
    "unassigned": N_("The assignment is ended: nobody is assigned."),
    "commented": N_("The comment is added."),
}
ASSIGN_FIELDS = ("assignee", "due_on", "note")
COMMENT_FIELDS = ("body", "parent_id", "classification", "releasability")


def record_link(record_type: str, record_id: int, party_id: str | None = None) -> str:
    """Where a record with work is shown: its own page."""
    if record_type == "case":
        return f"/ui/cases/{record_id}"
    if record_type == "pledge":
        return f"/ui/pledges/{record_id}"
    if record_type == "alert":
        return f"/ui/alerts/{record_id}"
    if record_type == "proposal" and party_id:
        return f"/ui/pathway/{party_id}#proposal-{record_id}"
    return f"/ui/worklist/{record_type}/{record_id}"


def _safe_next(value: str, fallback: str) -> str:
    """A path of this site to go back to (never another host)."""
    parts = urlsplit(value or "")
    if parts.scheme or parts.netloc or not value.startswith("/ui/") or "\\" in value:
        return fallback
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- the panel, drawn inside other pages -------------------------------------------------------------


@pass_context
def work_panel(context, record_type: str, record_id: int) -> dict | None:
    """The work on a record for the panel of the page being drawn (None if the viewer may not read the
    record, or is not logged in), read in the page's own session."""
    viewer = context.get("viewer") or PUBLIC
    if viewer.role in (Role.PUBLIC, Role.COMPANY_OFFICER) or record_id is None:
        return None
    with _reading(context) as session:
        try:
            data = work.work_on(session, viewer, record_type, int(record_id))
        except (NotFound, ValueError):
            return None
    data["next"] = context.get("path") or "/ui/worklist"
    return _with_tree(data)


def _reading(context):
    """The session of the page being drawn (``Page.render`` passes it); a page drawn without one reads in
    a session of its own."""
    session = context.get("page_session")
    return contextlib.nullcontext(session) if session is not None else session_scope()


def _with_tree(data: dict) -> dict:
    """The comments as a tree (``children``) for the template's recursive loop; a reply whose parent the
    viewer may not see starts a thread of its own."""
    by_id = {c["id"]: {**c, "children": []} for c in data["comments"]}
    roots = []
    for c in by_id.values():
        parent = by_id.get(c["parent_id"])
        (parent["children"] if parent is not None else roots).append(c)
    data["tree"] = roots
    return data


@pass_context
def work_summary(context) -> dict | None:
    """How much is assigned to the viewer, and how much of it is overdue (for the home page)."""
    viewer = context.get("viewer") or PUBLIC
    if viewer.role is Role.PUBLIC:
        return None
    with _reading(context) as session:
        mine = work.my_work(session, viewer)
    return {"total": mine["total"], "overdue": mine["overdue"]}


ENV.globals.update(work_panel=work_panel, work_summary=work_summary, work_type_names=TYPE_NAMES)


# --- my work -----------------------------------------------------------------------------------------


@router.get("/ui/worklist", response_class=HTMLResponse)
def my_work(done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    mine = work.my_work(page.session, page.viewer, include_done=done == "1")
    for row in mine["results"]:
        row["link"] = record_link(row["record_type"], row["record_id"], row["party_id"])
    return page.render("work.html", mine=mine, include_done=done == "1")


# --- one record's work, and its forms ----------------------------------------------------------------


def _record(page: Page, record_type: str, record_id: int) -> dict:
    try:
        data = work.work_on(page.session, page.viewer, record_type, record_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    return data


@router.get("/ui/worklist/{record_type}/{record_id}", response_class=HTMLResponse)
def record_work(record_type: str, record_id: RecordId, done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _draw(page, _record(page, record_type, record_id), done=DONE.get(done))


def _draw(page: Page, data: dict, *, status_code: int = 200, done: str | None = None, errors: dict | None = None,
          form: dict | None = None) -> Response:  # fmt: skip
    data["next"] = record_link(data["record_type"], data["record_id"], data["party_id"])
    return page.render("work_record.html", status_code=status_code, work=_with_tree(data), done=done,
                       work_errors=errors or {}, work_form=form or {}, type_name=TYPE_NAMES[data["record_type"]],
                       back=data["next"])  # fmt: skip


def _field_of(message: str, fields: tuple[str, ...], default: str) -> str:
    """Which field a service's refusal is about (its message begins with the field's name)."""
    text = message.lower()
    for prefix, field in (("assignee", "assignee"), ("due_on", "due_on"), ("note", "note"),
                          ("comment", "body"), ("classification", "classification"),
                          ("you cannot mark", "classification"), ("releasab", "releasability"),
                          ("no comment", "parent_id")):  # fmt: skip
        if text.startswith(prefix) and field in fields:
            return field
    return default


async def _action(request: Request, page: Page, record_type: str, record_id: int, fields: tuple[str, ...]):
    page.require_login()
    data = _record(page, record_type, record_id)  # 404 before anything else
    if not data["may_work"]:
        return data, None, forbidden(page)
    typed = await form_fields(request)
    form = {k: typed.get(k, "").strip() for k in (*fields, "next")}
    return data, form, None


@router.post("/ui/worklist/{record_type}/{record_id}/assign", response_class=HTMLResponse)
async def assign(record_type: str, record_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    data, form, refused = await _action(request, page, record_type, record_id, ASSIGN_FIELDS)
    if refused is not None:
        return refused
    _, error = attempt(page.session, lambda: work.assign(
        page.session, page.viewer, record_type, record_id, form["assignee"], form["due_on"] or None,
        form["note"] or None,
    ))  # fmt: skip
    if error:
        field = _field_of(error, ASSIGN_FIELDS, "assign")
        return _draw(page, _record(page, record_type, record_id), status_code=422, errors={field: error},
                     form={**form, "form": "assign"})  # fmt: skip
    return _back(form["next"], data, "assigned")


@router.post("/ui/worklist/{record_type}/{record_id}/unassign", response_class=HTMLResponse)
async def unassign(record_type: str, record_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    data, form, refused = await _action(request, page, record_type, record_id, ())
    if refused is not None:
        return refused
    _, error = attempt(page.session, lambda: work.unassign(page.session, page.viewer, record_type, record_id))
    if error:
        return _draw(page, _record(page, record_type, record_id), status_code=422, errors={"assign": error},
                     form={"form": "assign"})  # fmt: skip
    return _back(form["next"], data, "unassigned")


@router.post("/ui/worklist/{record_type}/{record_id}/comments", response_class=HTMLResponse)
async def comment(record_type: str, record_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    data, form, refused = await _action(request, page, record_type, record_id, COMMENT_FIELDS)
    if refused is not None:
        return refused
    parent_id = parse_id(form["parent_id"]) if form["parent_id"] else None
    if form["parent_id"] and parent_id is None:
        error = f"no comment {form['parent_id']!r} on this {record_type}"
    else:
        _, error = attempt(page.session, lambda: work.comment(
            page.session, page.viewer, record_type, record_id, form["body"],
            classification=form["classification"] or None, releasability=form["releasability"] or None,
            parent_id=parent_id,
        ))  # fmt: skip
    if error:
        field = _field_of(error, COMMENT_FIELDS, "comment")
        return _draw(page, _record(page, record_type, record_id), status_code=422, errors={field: error},
                     form={**form, "form": "reply" if form["parent_id"] else "comment"})  # fmt: skip
    return _back(form["next"], data, "commented")


def _back(next_path: str, data: dict, done: str) -> RedirectResponse:
    fallback = f"/ui/worklist/{data['record_type']}/{data['record_id']}"
    target = _safe_next(next_path, fallback)
    path, _, fragment = target.partition("#")
    separator = "&" if "?" in path else "?"
    anchor = fragment or f"work-{data['record_type']}-{data['record_id']}"
    return RedirectResponse(f"{path}{separator}work_done={done}#{anchor}", status_code=303)
