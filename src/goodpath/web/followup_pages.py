"""The administrator's page of the follow-up work after commits (``goodpath.consequences``): what is
pending, running or failed -- event, reaction, attempts, last error, next try -- and a button that
retries a failed one (or every failed one), which then runs right after the request. Administrators
alone (``followups.manage``, through ``access.followups``): payloads and errors name records of any
marking. The same as ``goodpath followups`` and ``GET /followups``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodpath.access import followups
from goodpath.access.policy import Permission
from goodpath.core.api_types import RecordId, parse_id
from goodpath.core.errors import NotFound, Refused
from goodpath.core.followup_runner import MAX_BACKOFF_SECONDS
from goodpath.core.settings import get_settings
from goodpath.web.cable_pages import forbidden
from goodpath.web.labels import N_
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100
# What happened (the events of goodpath.consequences) and what follows (its reactions), for people.
KINDS = {
    "list_imported": N_("A list was imported"),
    "watched_names_rescreened": N_("The watched names were re-screened"),
    "disclosures_rescreened": N_("The disclosed counterparties were re-screened"),
    "hit_confirmed": N_("A screening hit was confirmed"),
    "case_closed": N_("A case was closed"),
    "snapback_applied": N_("A snapback was approved"),
    "sanction_recorded": N_("A sanction or sanction event was recorded"),
}
REACTIONS = {
    "rescreen_watched_names": N_("Re-screen the watched names"),
    "breach_scan_of_listed_companies": N_("Breach scan of the companies the list names"),
    "refresh_disclosures": N_("Refresh the hits of disclosed counterparties"),
    "breach_scan_of_confirmed_hits": N_("Breach scan of the companies with confirmed hits"),
    "breach_scan_of_company": N_("Breach scan of the company"),
    "breach_scan_of_case_parties": N_("Breach scan of the case's parties"),
    "close_snapback_alerts": N_("Settle the company's breach alerts"),
    "breach_scan_of_recorded_sanction": N_("Breach scan of the companies whose group holds the sanctioned party"),
}
# The views of the page: which follow-ups each shows (as the API's status and include_done).
VIEWS = {
    "open": (N_("Pending, running and failed"), None, False),
    "failed": (N_("Failed"), "failed", False),
    "done": (N_("Done (latest)"), "done", False),
}
RETRIED = {
    "done": N_("Follow-up %(id)s was retried and is done."),
    "failed": N_("Follow-up %(id)s was retried and failed again: its error is shown below."),
    "pending": N_("Follow-up %(id)s was retried and will run again shortly."),
    "running": N_("Follow-up %(id)s was retried and is running."),
}
NOT_FAILED = N_("Only a failed follow-up can be retried: this one is no longer failed.")
NO_SUCH = N_("There is no such follow-up.")


def _brief(values: dict | None) -> str:
    """``key=value`` of a payload's plain values (not nested), as ``goodpath followups`` shows them."""
    out = []
    for key, value in (values or {}).items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value) or "-"
        if isinstance(value, str | int | float | bool) or value is None:
            out.append(f"{key}={value}")
    return " ".join(out)


@router.get("/ui/followups", response_class=HTMLResponse)
def followups_page(view: str = "open", retried: str = "", count: str = "", error: str = "",
                   page: Page = Depends(page)) -> Response:  # fmt: skip
    page.require_login()
    if not page.can(Permission.MANAGE_FOLLOWUPS):
        return forbidden(page)
    view = view if view in VIEWS else "open"
    _, status, include_done = VIEWS[view]
    listed = followups.listing(page.session, page.viewer, status=status, include_done=include_done, limit=PAGE_SIZE)
    for row in listed["results"]:
        # a message id of the catalogue, or None (the template shows the code, humanized and escaped)
        row["kind_name"], row["reaction_name"] = KINDS.get(row["kind"]), REACTIONS.get(row["reaction"] or "")
        row["brief"] = _brief(row["payload"])
    notice = None
    retried_id = parse_id(retried)
    if retried_id is not None:
        try:
            shown = followups.show(page.session, page.viewer, retried_id)
            notice = {"message": RETRIED.get(shown["status"], RETRIED["pending"]), "id": retried_id}
        except NotFound:
            notice = None
    settings = get_settings().followups
    retried_all = int(count) if count.isascii() and count.isdigit() and len(count) < 10 else None
    return page.render(
        "followups.html", view=view, views=[(code, name) for code, (name, _, _) in VIEWS.items()],
        followups=listed["results"], total=listed["total"], page_size=PAGE_SIZE,
        counts=followups.counts(page.session, page.viewer), notice=notice, retried_all=retried_all,
        error={"not_failed": NOT_FAILED}.get(error), attempts=settings.attempts, backoff=settings.backoff_seconds,
        max_backoff=MAX_BACKOFF_SECONDS // 60,
    )  # fmt: skip


@router.post("/ui/followups/retry", response_class=HTMLResponse)
def retry_all(page: Page = Depends(page)) -> Response:
    """Every failed follow-up is pending again; they run right after this request's commit."""
    page.require_login()
    if not page.can(Permission.MANAGE_FOLLOWUPS):
        return forbidden(page)
    retried = followups.retry_failed(page.session, page.viewer)
    return RedirectResponse(f"/ui/followups?count={retried['total']}", status_code=303)


@router.post("/ui/followups/{followup_id}/retry", response_class=HTMLResponse)
def retry_one(followup_id: RecordId, page: Page = Depends(page)) -> Response:
    """A failed follow-up is pending again; it runs right after this request's commit."""
    page.require_login()
    if not page.can(Permission.MANAGE_FOLLOWUPS):
        return forbidden(page)
    try:
        followups.retry(page.session, page.viewer, followup_id)
    except NotFound:
        raise PageError(404, NO_SUCH) from None
    except Refused:
        return RedirectResponse("/ui/followups?error=not_failed", status_code=303)
    return RedirectResponse(f"/ui/followups?retried={followup_id}", status_code=303)
