"""The audit log page: entries newest first, paged and filtered by actor, action and target, each
shown at the viewer's clearance exactly as the API does (``audit.reading.entry_for``: above it,
only the chain fields), and a button that verifies the hash chain over every entry."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from goodpath.access.policy import Permission
from goodpath.audit import reading
from goodpath.core import audit_log
from goodpath.core.api_types import Offset
from goodpath.web.cable_pages import forbidden, form_fields
from goodpath.web.rendering import Page, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
MAX_SHOWN_VALUE = 160


def _changes(before: dict | None, after: dict | None) -> list[dict]:
    """The fields an entry changed, as short readable lines (never the raw JSON)."""
    before, after = before or {}, after or {}
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new and before:
            continue
        rows.append({"key": key, "old": _short(old) if before else None, "new": _short(new)})
    return rows


def _short(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        text = ", ".join(_short(v) for v in value)
    elif isinstance(value, dict):
        text = "; ".join(f"{k}: {_short(v)}" for k, v in value.items())
    else:
        text = str(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


@router.get("/ui/audit", response_class=HTMLResponse)
def audit_page(actor: str = "", action: str = "", target: str = "", offset: Offset = 0,
               page: Page = Depends(page)) -> Response:  # fmt: skip
    page.require_login()
    if not page.can(Permission.READ_AUDIT):
        if page.can(Permission.VERIFY_AUDIT):  # officials may verify the chain without reading entries
            return page.render("audit.html", form=None, entries=[], total=0, offset=0, page_size=PAGE_SIZE,
                               result=None, can_verify=True, can_read=False)  # fmt: skip
        return forbidden(page)
    return _audit(page, {"actor": actor, "action": action, "target": target}, offset)


@router.post("/ui/audit/verify", response_class=HTMLResponse)
async def verify_chain(request: Request, page: Page = Depends(page)) -> Response:
    """The chain over every entry, whatever the viewer's clearance: hashes reveal no content."""
    page.require_login()
    if not page.can(Permission.VERIFY_AUDIT):
        return forbidden(page)
    result = audit_log.verify(page.session).to_dict()
    if not page.can(Permission.READ_AUDIT):  # may verify, may not read: the result alone
        return page.render("audit.html", form=None, entries=[], total=0, offset=0, page_size=PAGE_SIZE,
                           result=result, can_verify=True, can_read=False)  # fmt: skip
    fields = form_fields(await request.body())
    return _audit(page, {k: fields.get(k, "") for k in ("actor", "action", "target")}, 0, result)


def _audit(page: Page, form: dict[str, str], offset: int, result: dict | None = None) -> Response:
    form = {"actor": form["actor"].strip()[:120], "action": form["action"].strip()[:80],
            "target": form["target"].strip()[:120]}  # fmt: skip
    offset = max(0, offset)
    found = reading.entries(page.session, page.viewer, **form, limit=PAGE_SIZE, offset=offset)
    total, entries = found["total"], found["results"]
    for entry in entries:
        if not entry["redacted"]:
            entry["changes"] = _changes(entry["before"], entry["after"])
    return page.render(
        "audit.html", form=form, entries=entries, total=total, offset=offset, page_size=PAGE_SIZE, result=result,
        can_verify=page.can(Permission.VERIFY_AUDIT), can_read=True,
    )  # fmt: skip
