"""Screening review pages: every re-screening alert (paged, filtered) and one alert with its triage
(acknowledge with a note, escalate with a note), the dispositions of hits (filtered; one with its
decisions; reopening a suppressed false positive), and the watch list (add, stop watching, re-screen).

Every action calls the same service as the CLI (``screening/review_commands.py``) and the API
(``screening/review_views.py``) with the page's viewer, and shows the service's refusal next to the
form with what was typed. The services filter what the viewer may read; the forms are drawn, and
their posts accepted, only for holders of ``screening.review`` (as the API's routes require).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from goodpath.access.policy import Permission
from goodpath.access.records import readable
from goodpath.core.api_types import RecordId
from goodpath.core.errors import GoodpathError, NotFound
from goodpath.registry import service as registry
from goodpath.screening import dispositions, monitoring
from goodpath.screening.models import Disposition
from goodpath.web.cable_pages import forbidden
from goodpath.web.labels import LABELS, N_
from goodpath.web.pathway_pages import NOT_FOUND, attempt, form_fields, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
PARTY_MATCHES = 200  # a party filter's name resolves to at most this many parties

EXTRA_LABELS = {
    "escalated": N_("Escalated"),
    "reopened": N_("Reopened"),
    "manual": N_("Added by hand"),
    "engaged-company": N_("Engaged company"),
    "case-party": N_("Case party"),
    "disclosure-counterparty": N_("Disclosed counterparty"),
}
for _code, _text in EXTRA_LABELS.items():
    LABELS.setdefault(_code, _text)

DONE = {
    "acknowledged": N_("The alert is acknowledged."),
    "escalated": N_("The alert is escalated: it stays to be acknowledged, under Escalated."),
    "reopened": N_("The false positive is reopened: later screenings show the hit again."),
    "watched": N_("The name is watched: it is re-screened after every list import."),
    "stopped": N_("The name is not watched any more."),
}


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _offset(text: str) -> int:
    return _int(text) or 0


def _parties(page: Page, text: str) -> tuple[list[str] | None, list]:
    """The ids of the parties whose names match ``text`` (registry search), and the first few; the party
    whose key or id it is (what the party picker sends) comes first."""
    text = text.strip()
    if not text:
        return None, []
    _, rows = registry.search_parties(page.session, page.viewer, text, limit=PARTY_MATCHES, include_delisted=True)
    keyed = _keyed(page, text)
    if keyed is not None:
        rows = [keyed, *(p for p in rows if p.id != keyed.id)]
    return [p.id for p in rows], rows[:5]


def _keyed(page: Page, text: str):
    """The readable party whose key or id ``text`` is, or None."""
    try:
        return registry.get_party(page.session, page.viewer, text)
    except NotFound:
        return None


def _query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "", 0, False)})


# --- alerts -----------------------------------------------------------------------------------------


@router.get("/ui/alerts", response_class=HTMLResponse)
def alerts_page(
    status: str = "open", subject: str = "", party: str = "", mine: str = "", offset: str = "",
    page: Page = Depends(page),
) -> Response:  # fmt: skip
    page.require_login()
    status = status if status in (*monitoring.ALERT_STATUSES, "all") else "open"
    subject_id = _int(subject)
    party_ids, matched = _parties(page, party)
    start = _offset(offset)
    body = monitoring.list_alerts(
        page.session, page.viewer, status=None if status == "all" else status, subject_id=subject_id,
        party_ids=party_ids, assigned_to=page.viewer.username if mine else None, limit=PAGE_SIZE, offset=start,
    )  # fmt: skip
    records = monitoring.alert_records(page.session, page.viewer, [a["id"] for a in body["results"]])
    subjects = monitoring.list_subjects(page.session, page.viewer, include_inactive=True, limit=500)["results"]
    filters = {"status": status, "subject": str(subject_id or ""), "party": party.strip(), "mine": "1" if mine else ""}
    return page.render(
        "alerts.html", alerts=body["results"], total=body["total"], records=records, offset=start,
        page_size=PAGE_SIZE, statuses=monitoring.ALERT_STATUSES, subjects=subjects, filters=filters,
        matched=matched, party_unmatched=party_ids == [], query=_query(**filters),
        can_review=page.can(Permission.REVIEW_SCREENING),
    )  # fmt: skip


@router.get("/ui/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(alert_id: RecordId, done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _draw_alert(page, alert_id, done=done)


def _draw_alert(page: Page, alert_id: int, *, done: str = "", status_code: int = 200, error: str | None = None,
                form: dict | None = None, action: str = "") -> Response:  # fmt: skip
    try:
        alert = monitoring.get_alert(page.session, page.viewer, alert_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    record = monitoring.alert_records(page.session, page.viewer, [alert_id])[alert_id]
    return page.render(
        "alert.html", status_code=status_code, alert=alert, record=record, done=DONE.get(done), error=error,
        form=form or {}, action=action, can_review=page.can(Permission.REVIEW_SCREENING),
    )  # fmt: skip


@router.post("/ui/alerts/{alert_id}/{action}", response_class=HTMLResponse)
async def triage(alert_id: RecordId, action: str, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    actions = {"acknowledge": monitoring.acknowledge, "escalate": monitoring.escalate}
    if action not in actions:
        raise PageError(404, NOT_FOUND)
    if not page.can(Permission.REVIEW_SCREENING):
        return forbidden(page)
    try:
        monitoring.get_alert(page.session, page.viewer, alert_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    note = (await form_fields(request)).get("note", "")
    _, error = attempt(page.session, lambda: actions[action](page.session, page.viewer, alert_id, note))
    if error:
        return _draw_alert(page, alert_id, status_code=409, error=error, form={"note": note}, action=action)
    return see_other(f"/ui/alerts/{alert_id}", done="acknowledged" if action == "acknowledge" else "escalated")


# --- dispositions -----------------------------------------------------------------------------------


@router.get("/ui/dispositions", response_class=HTMLResponse)
def dispositions_page(
    verdict: str = "", name: str = "", country: str = "", party: str = "", in_force: str = "", offset: str = "",
    page: Page = Depends(page),
) -> Response:  # fmt: skip
    page.require_login()
    verdict = verdict if verdict in dispositions.SHOWN_VERDICTS else ""
    start = _offset(offset)
    filters = {"verdict": verdict, "name": name.strip(), "country": country.strip(), "party": party.strip(),
               "in_force": "1" if in_force else ""}  # fmt: skip
    party_ids, matched = _parties(page, party)
    body, error = {"total": 0, "results": []}, None
    if party_ids is None or party_ids:
        try:
            body = _page_dispositions(page, filters, party_ids, start)
        except GoodpathError as exc:
            error = str(exc)
    ids = [d["id"] for d in body["results"]]
    records = {d.id: d for d in page.session.scalars(readable(page.session, page.viewer, Disposition).where(
        Disposition.id.in_(ids)))} if ids else {}  # fmt: skip
    return page.render(
        "dispositions.html", records=records, rows=body["results"], total=body["total"], offset=start,
        page_size=PAGE_SIZE,
        verdicts=dispositions.SHOWN_VERDICTS, filters=filters, matched=matched, party_unmatched=party_ids == [],
        error=error, query=_query(**filters),
    )  # fmt: skip


def _page_dispositions(page: Page, filters: dict, party_ids: list[str] | None, start: int) -> dict:
    """One party (the search's best match) or none: the service filters by the hit's party."""
    kwargs = {"name": filters["name"] or None, "country": filters["country"] or None,
              "verdict": filters["verdict"] or None, "suppressing": bool(filters["in_force"])}  # fmt: skip
    if party_ids is None:
        return dispositions.page_dispositions(page.session, page.viewer, **kwargs, limit=PAGE_SIZE, offset=start)
    return dispositions.page_dispositions(
        page.session, page.viewer, **kwargs, party_id=party_ids[0], limit=PAGE_SIZE, offset=start
    )


@router.get("/ui/dispositions/{disposition_id}", response_class=HTMLResponse)
def disposition_page(disposition_id: RecordId, done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _draw_disposition(page, disposition_id, done=done)


def _draw_disposition(page: Page, disposition_id: int, *, done: str = "", status_code: int = 200,
                      error: str | None = None, form: dict | None = None) -> Response:  # fmt: skip
    try:
        found = dispositions.get_disposition(page.session, page.viewer, disposition_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    try:
        party = registry.get_party(page.session, page.viewer, found["party_id"])
    except NotFound:
        party = None
    return page.render(
        "disposition.html", status_code=status_code, d=found, record=page.session.get(Disposition, found["id"]),
        done=DONE.get(done), error=error, form=form or {}, party=party,
        can_review=page.can(Permission.REVIEW_SCREENING),
    )  # fmt: skip


@router.post("/ui/dispositions/{disposition_id}/reopen", response_class=HTMLResponse)
async def reopen(disposition_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.REVIEW_SCREENING):
        return forbidden(page)
    reason = (await form_fields(request)).get("reason", "")
    try:
        dispositions.get_disposition(page.session, page.viewer, disposition_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    done, error = attempt(page.session, lambda: dispositions.reopen(page.session, page.viewer, disposition_id, reason))
    if error:
        return _draw_disposition(page, disposition_id, status_code=409, error=error, form={"reason": reason})
    return see_other(f"/ui/dispositions/{done.id}", done="reopened")


# --- the watch list ---------------------------------------------------------------------------------

WATCH_FIELDS = ("name", "country", "schema", "party")
RESCREEN_COUNTS = ("subjects", "hits", "new", "changed", "cleared")


@router.get("/ui/watchlist", response_class=HTMLResponse)
def watchlist_page(
    request: Request, source: str = "", inactive: str = "", offset: str = "", done: str = "",
    page: Page = Depends(page),
) -> Response:  # fmt: skip
    page.require_login()
    counts = None
    if done == "rescreened":
        counts = {k: _offset(request.query_params.get(k, "")) for k in RESCREEN_COUNTS}
    return _draw_watchlist(page, source=source, inactive=bool(inactive), offset=_offset(offset), done=done,
                           rescreened=counts)  # fmt: skip


def _draw_watchlist(page: Page, *, source: str = "", inactive: bool = False, offset: int = 0, done: str = "",
                    status_code: int = 200, error: str | None = None, form: dict | None = None,
                    rescreened: dict | None = None, candidates: list | None = None) -> Response:  # fmt: skip
    source = source.strip() if monitoring.SOURCE_PATTERN.fullmatch(source.strip()) else ""
    body = monitoring.list_subjects(page.session, page.viewer, source=source or None, include_inactive=inactive,
                                    limit=PAGE_SIZE, offset=offset)  # fmt: skip
    filters = {"source": source, "inactive": "1" if inactive else ""}
    return page.render(
        "watchlist.html", status_code=status_code, subjects=body["results"], total=body["total"], offset=offset,
        page_size=PAGE_SIZE, filters=filters, query=_query(**filters), done=DONE.get(done), error=error,
        form=form or {}, schemata=monitoring.SCHEMATA, can_review=page.can(Permission.REVIEW_SCREENING),
        rescreened=rescreened, candidates=candidates or [], engaged=monitoring.ENGAGED_COMPANY,
    )  # fmt: skip


@router.post("/ui/watchlist", response_class=HTMLResponse)
async def watch(request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.REVIEW_SCREENING):
        return forbidden(page)
    fields = await form_fields(request)
    form = {k: fields.get(k, "").strip() for k in WATCH_FIELDS}
    form["party_id"] = fields.get("party_id", "").strip()
    party_id = form["party_id"] or None
    keyed = _keyed(page, form["party"]) if form["party"] and party_id is None else None
    if keyed is not None:  # a key or id (the party picker's suggestion)
        party_id = keyed.id
    if form["party"] and party_id is None:  # a name typed: it must name one party
        _, rows = registry.search_parties(page.session, page.viewer, form["party"], limit=10, include_delisted=True)
        if len(rows) == 1:  # (a key or id was looked up above: here only names are left)
            party_id = rows[0].id
        else:
            error = N_("No party has this name.") if not rows else N_("Several parties have this name: choose one.")
            return _draw_watchlist(page, status_code=422, error=error, form=form, candidates=rows)
    _, error = attempt(page.session, lambda: monitoring.watch(
        page.session, page.viewer, form["name"], country=form["country"] or None, schema=form["schema"] or None,
        party_id=party_id,
    ))  # fmt: skip
    if error:
        return _draw_watchlist(page, status_code=409, error=error, form=form)
    return see_other("/ui/watchlist", done="watched")


@router.post("/ui/watchlist/rescreen", response_class=HTMLResponse)
async def rescreen(page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.REVIEW_SCREENING):
        return forbidden(page)
    summary, error = attempt(page.session, lambda: monitoring.rescreen_all(page.session, page.viewer.actor))
    if error:
        return _draw_watchlist(page, status_code=409, error=error)
    counts = {"subjects": summary["subjects"], "hits": summary["hits"], **summary["alerts"]}
    return see_other("/ui/watchlist", done="rescreened", **{k: str(v) for k, v in counts.items()})


@router.post("/ui/watchlist/{subject_id}/stop", response_class=HTMLResponse)
async def stop_watching(subject_id: RecordId, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.REVIEW_SCREENING):
        return forbidden(page)
    try:
        monitoring.get_subject(page.session, page.viewer, subject_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    _, error = attempt(page.session, lambda: monitoring.unwatch(page.session, page.viewer, subject_id))
    if error:
        return _draw_watchlist(page, status_code=409, error=error)
    return see_other("/ui/watchlist", done="stopped")
