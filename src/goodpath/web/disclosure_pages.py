"""The analysts' disclosure review: the queue of the companies' disclosures (those with undecided
screening hits first; filters by company, signal and review state; paged), one disclosure with its
screening hits, and the decision on each hit (confirm it as a true match, or clear it as a false
positive, with a reason) through the same service calls as ``goodpath disclosures confirm|clear``.

A disclosure's signal is what the pathway engine reads: a confirmed hit is a breach signal, and the
company's pathway page shows the alert the breach scan raises. Every page shows only the disclosures
the viewer may read (another company's, or one not released to the viewer, is "not found"); the
decision forms are drawn for, and accepted from, those who may manage engagement alone.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from goodpath.access.policy import Permission
from goodpath.core.api_types import Offset, RecordId
from goodpath.core.errors import NotFound
from goodpath.engagement import disclosures
from goodpath.pathway import breaches
from goodpath.pathway.models import PathwayState
from goodpath.registry import service as registry
from goodpath.web.company_home import pathway_of
from goodpath.web.labels import LABELS, N_
from goodpath.web.pathway_pages import NOT_FOUND, attempt, form_fields, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
EXTRA_LABELS = {
    "possible_hit": N_("Possible hit"),
    "confirmed_hit": N_("Confirmed hit"),
    "cleared": N_("Cleared"),
    "none": N_("No hit"),
    "true_match": N_("True match"),
    "false_positive": N_("False positive"),
    "to_review": N_("To review"),
    "reviewed": N_("Reviewed"),
}
for _code, _text in EXTRA_LABELS.items():
    LABELS.setdefault(_code, _text)

DONE = {
    "true_match": N_("The hit is confirmed: the pathway engine reads it as a signal about the company."),
    "false_positive": N_("The hit is cleared as a false positive."),
}
SIGNAL_MEANING = {
    "none": N_("The counterparty matched no listed party: nothing for the pathway."),
    "possible_hit": N_("An analyst must decide each hit before the pathway engine reads it."),
    "confirmed_hit": N_("A confirmed hit is a signal for the pathway engine: for a company on the pathway it raises an "
                        "alert on the company's pathway page (a breach once the company is monitored or has relief, "
                        "with a snapback proposal if relief is in force; before that, a finding to review)."),
    "cleared": N_("Every hit was cleared as a false positive: nothing for the pathway."),
}  # fmt: skip


def _caption(page: Page, party_id: str) -> str | None:
    try:
        return registry.get_party(page.session, page.viewer, party_id).caption
    except NotFound:
        return None


# --- the queue ------------------------------------------------------------------------------------


@router.get("/ui/disclosures", response_class=HTMLResponse)
def disclosure_queue(company: str = "", signal: str = "", review: str = "", offset: Offset = 0,
                     page: Page = Depends(page)) -> Response:  # fmt: skip
    page.require_login()
    signal = signal if signal in disclosures.SIGNALS else ""
    review = review if review in disclosures.REVIEW_STATES else ""
    companies = [(p, _caption(page, p)) for p in disclosures.disclosing_companies(page.session, page.viewer)]
    companies = [(p, c) for p, c in companies if c is not None]
    company = company if company in {p for p, _ in companies} else ""
    queue = disclosures.review_queue(page.session, page.viewer, party_id=company or None, signal=signal or None,
                                     review=review or None, limit=PAGE_SIZE, offset=offset)  # fmt: skip
    names = dict(companies)
    for row in queue["results"]:
        row["company"] = names.get(row["party_id"])
    return page.render(
        "disclosures.html", queue=queue, companies=companies, company=company, signal=signal, review=review,
        signals=disclosures.SIGNALS, reviews=disclosures.REVIEW_STATES, offset=offset, page_size=PAGE_SIZE,
        can_decide=page.can(Permission.MANAGE_ENGAGEMENT),
    )  # fmt: skip


# --- one disclosure -------------------------------------------------------------------------------


@router.get("/ui/disclosures/{disclosure_id}", response_class=HTMLResponse)
def disclosure_page(disclosure_id: RecordId, done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _draw(page, disclosure_id, done=done)


def _draw(page: Page, disclosure_id: int, *, done: str = "", status_code: int = 200, entry: str = "",
          values: dict | None = None, error: str | None = None) -> Response:  # fmt: skip
    try:
        record = disclosures.get_disclosure(page.session, page.viewer, disclosure_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    detail = disclosures.disclosure_to_dict(page.session, page.viewer, record, with_history=True)
    party = None
    try:
        party = registry.get_party(page.session, page.viewer, record.party_id)
    except NotFound:
        pass
    signals = disclosures.signals(page.session, page.viewer, record.party_id) if party is not None else []
    stage = pathway_of(page, party)
    if stage is not None and not isinstance(stage["record"], PathwayState):
        stage = None  # not on the pathway: its stage is only where it would start
    alerts = _alerts_of(page, record.id, party.id) if stage is not None else []
    return page.render(
        "disclosure.html", status_code=status_code, disclosure=detail, record=record, party=party,
        unreviewed=disclosures.unreviewed(record), can_decide=page.can(Permission.MANAGE_ENGAGEMENT),
        meaning=SIGNAL_MEANING.get(record.signal), company_signals=signals, stage=stage, alerts=alerts,
        done=DONE.get(done), entry=entry, values=values or {}, error=error,
    )  # fmt: skip


def _alerts_of(page: Page, disclosure_id: int, party_id: str) -> list[dict]:
    """The pathway alerts the breach scan raised on this disclosure's confirmed hits."""
    try:
        rows = breaches.list_alerts(page.session, page.viewer, party=party_id)
    except NotFound:
        return []
    return [a for a in rows if a["source"] == "screening_hit" and a["source_ref"].startswith(f"{disclosure_id}:")]


@router.post("/ui/disclosures/{disclosure_id}/hits", response_class=HTMLResponse)
async def decide_hit(disclosure_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    try:
        record = disclosures.get_disclosure(page.session, page.viewer, disclosure_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        raise PageError(403, N_("Your role does not allow this."))
    fields = await form_fields(request)
    values = {k: fields.get(k, "").strip() for k in ("entry_id", "verdict", "reason", "source", "occurred_on")}
    decide = {"true_match": disclosures.confirm_hit, "false_positive": disclosures.clear_hit}.get(values["verdict"])
    if decide is None:
        return _draw(page, record.id, status_code=422, entry=values["entry_id"], values=values,
                     error=N_("Choose whether the hit is a true match or a false positive."))  # fmt: skip
    _, error = attempt(page.session, lambda: decide(
        page.session, page.viewer, record.id, values["entry_id"], values["reason"], source=values["source"] or None,
        occurred_on=values["occurred_on"] or None,
    ))  # fmt: skip
    if error:
        return _draw(page, record.id, status_code=409, entry=values["entry_id"], values=values, error=error)
    return see_other(f"/ui/disclosures/{record.id}", done=values["verdict"])
