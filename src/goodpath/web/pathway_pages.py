"""The company pathway pages: the pathway of one company (stage, timeline, reliefs, evidence, alerts,
the legal eligibility, proposing and deciding) and the overview of all companies (the funnel).

Every read and write goes through the pathway services with the page's viewer, exactly as the API:
a company the viewer may not read is "not found"; the services decide who may propose, approve,
reject or withdraw (the two-person rule). A refused action is shown on the page with what was typed.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodpath.access import auth
from goodpath.access.deps import CSRF_FIELD, session_cookie
from goodpath.access.policy import Permission, Viewer
from goodpath.access.records import readable
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import RecordId, parse_id
from goodpath.core.errors import GoodpathError, NotFound
from goodpath.core.models import utcnow
from goodpath.pathway import breaches, eligibility, evidence, proposals, timeline
from goodpath.pathway import register as public_register
from goodpath.pathway import relief as relief_life
from goodpath.pathway import stages as catalogue
from goodpath.pathway.models import PathwayProposal, PathwayState
from goodpath.registry import service as registry
from goodpath.registry.models import Sanction
from goodpath.web import i18n, review
from goodpath.web.cable_pages import read_file, read_form
from goodpath.web.chart_pages import funnel_chart
from goodpath.web.labels import LABELS, N_
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NOT_FOUND = N_("There is no such record, or you may not see it.")

# Codes the pathway and case pages show that the shared label table does not name yet.
EXTRA_LABELS = {
    "awaiting_notice": N_("Awaiting notice"),
    "revoked": N_("Revoked"),
    "escalated": N_("Escalated"),
    "dismissed": N_("Dismissed"),
    "snapback_proposed": N_("Snapback proposed"),
    "snapback_rejected": N_("Snapback rejected"),
    "snapback_withdrawn": N_("Snapback withdrawn"),
    "breach": N_("Breach"),
    "review": N_("Review"),
    "declined": N_("Declined"),
    "resolved_by_consultation": N_("Resolved by consultation"),
    "icp_manual": N_("ICP manual"),
    "audit_report": N_("Audit report"),
    "determination": N_("Determination"),
    "congress_notice": N_("Notice to Congress"),
    "federal_register": N_("Federal Register notice"),
    "meeting_record": N_("Meeting record"),
    "disclosure": N_("Disclosure"),
    "other": N_("Other"),
    "exporter": N_("Exporter"),
    "broker": N_("Broker"),
    "end_user": N_("End user"),
    "consignee": N_("Consignee"),
    "manufacturer": N_("Manufacturer"),
    "waiver": N_("Waiver"),
    "termination": N_("Termination"),
    "rescission": N_("Rescission"),
    "delisting": N_("Delisting"),
    "expiry": N_("Expiry"),
    "exemption": N_("Exemption"),
    "licence": N_("Licence"),
    "rescinded": N_("Rescinded"),
    "unknown": N_("Unknown"),
    "no_licence_exceptions": N_("No licence exceptions"),
    "licence_review_policy": N_("Licence review policy"),
}
for _code, _text in EXTRA_LABELS.items():
    LABELS.setdefault(_code, _text)

DONE = {
    "proposed": N_("The proposal is recorded. A second person with the approver role must approve it."),
    "applied": N_("Done: this step needs no second approver and is applied."),
    "approved": N_("The proposal is approved and applied."),
    "rejected": N_("The proposal is rejected."),
    "withdrawn": N_("The proposal is withdrawn."),
    "uploaded": N_("The document is stored."),
    "already": N_("The same file is stored already: it was not stored again."),
    "dismissed": N_("The alert is dismissed."),
    "escalated": N_("The alert is escalated to a breach."),
    "enrolled": N_("The company is on the pathway now."),
    "notice": N_("The notice is recorded: the relief takes effect once the notice period has run."),
    "linked": N_("The document is linked to the proposal."),
}


# --- form helpers (shared with the case pages) --------------------------------------------------


async def form_fields(request: Request) -> dict[str, str]:
    """A URL-encoded form's fields (the first value of each), as typed."""
    return {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                         keep_blank_values=True).items()}  # fmt: skip


def attempt(session: Session, action: Callable[[], object]) -> tuple[object | None, str | None]:
    """Run a service call in a savepoint: its result, or (None, why it was refused), nothing written."""
    try:
        with session.begin_nested():
            return action(), None
    except GoodpathError as exc:
        return None, str(exc)


def see_other(path: str, **query) -> RedirectResponse:
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, status_code=303)


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD day, or None (empty or malformed; the caller says which)."""
    text = (text or "").strip()
    if not DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- the overview ---------------------------------------------------------------------------------


@router.get("/ui/pathway", response_class=HTMLResponse)
def pathway_overview(page: Page = Depends(page)) -> Response:
    page.require_login()
    states = list(page.session.scalars(
        readable(page.session, page.viewer, PathwayState).order_by(PathwayState.since.desc())
    ))  # fmt: skip
    rows = []
    for state in states:
        try:
            party = registry.get_party(page.session, page.viewer, state.party_id)
        except NotFound:
            continue
        rows.append({"record": state, "party": party})
    return page.render(
        "pathway_overview.html",
        companies=rows,
        funnel=lambda: funnel_chart(page),
        stage_paths={k: v["path"] for k, v in catalogue.load().stages.items()},
    )


# --- one company ----------------------------------------------------------------------------------


@router.get("/ui/pathway/{party_id}", response_class=HTMLResponse)
def pathway_page(
    party_id: str, request: Request, as_of: str = "", done: str = "", page: Page = Depends(page)
) -> Response:
    page.require_login()
    return _draw(page, party_id, as_of=as_of, done=done)


def _draw(
    page: Page, party_id: str, *, as_of: str = "", done: str = "", status_code: int = 200, error: str | None = None,
    errors: dict | None = None, form: dict | None = None, section: str | None = None,
) -> Response:  # fmt: skip
    session, viewer = page.session, page.viewer
    try:
        party = registry.get_party(session, viewer, party_id)
        data = timeline.pathway(session, viewer, party.id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    errors = dict(errors or {})
    day = parse_day(as_of)
    if as_of and day is None:
        errors["as_of"] = N_("Use a date such as 2007-09-01.")
    explanation = eligibility.explain(session, viewer, party.id, as_of=day or utcnow().date())
    state = session.scalars(readable(session, viewer, PathwayState).where(
        PathwayState.party_id == party.id)).first()  # fmt: skip
    proposal_records = {p.id: p for p in session.scalars(readable(session, viewer, PathwayProposal).where(
        PathwayProposal.party_id == party.id))}  # fmt: skip
    sanctions = {s.id: s for s in registry.sanctions_of(session, viewer, party.id)}
    today = utcnow().date()
    documents = evidence.list_documents(session, viewer, party=party.id)
    documents += _linked_documents(session, viewer, data, {d["id"] for d in documents})
    alerts = breaches.list_alerts(session, viewer, party=party.id)
    stage_targets = [t for t in data["next"] if t["kind"] != "relief"]
    relief_options = _relief_options(explanation) if any(t["kind"] == "relief" for t in data["next"]) else []
    manage = page.can(Permission.MANAGE_ENGAGEMENT)
    # the determinations among each pending relief's documents the viewer may read
    determinations = {p["id"]: [d for d in p.get("documents", []) if d["kind"] in evidence.DETERMINATION_KINDS]
                      for p in data["pending"] if p["kind"] == "relief"}  # fmt: skip
    linkable = [d for d in documents if d["latest"]]
    return page.render(
        "pathway.html",
        status_code=status_code,
        party=party,
        data=data,
        state=state,
        proposal_records=proposal_records,
        sanctions=sanctions,
        reliefs=[_relief_row(r, sanctions, today) for r in data["reliefs"]],
        explanation=explanation,
        as_of=as_of if as_of else explanation["as_of"],
        documents=documents,
        determinations=determinations,
        linkable=linkable,
        notice_documents=[d for d in linkable if d["kind"] == evidence.NOTICE_KIND],
        determination_kinds=evidence.DETERMINATION_KINDS,
        can_link=manage,
        alerts=alerts,
        stage_targets=stage_targets,
        relief_options=relief_options,
        statement_stages=tuple(public_register.templates()),  # the stages that publish a statement
        can_propose=manage and page.can(Permission.PROPOSE_PATHWAY),
        can_review=manage and page.can(Permission.PROPOSE_PATHWAY),
        can_upload=page.can(Permission.SUBMIT_DISCLOSURES),
        upload_kinds=evidence.upload_kinds(viewer),
        is_approver=page.can(Permission.DECIDE_PROPOSALS),
        actor=viewer.actor,
        done=DONE.get(done),
        error=error,
        errors=errors,
        form=form or {},
        section=section,
        stage_descriptions={k: v.get("description", "") for k, v in catalogue.load().stages.items()},
    )


def _linked_documents(session: Session, viewer: Viewer, data: dict, listed: set[int]) -> list[dict]:
    """The documents the company's timeline links that are not filed under the company (e.g. a Federal
    Register notice), as list rows, so that the evidence section counts what the timeline shows."""
    wanted = sorted({d["document_id"] for e in data["timeline"] for d in e.get("documents") or ()} - listed)
    return [row for row in evidence.list_documents(session, viewer) if row["id"] in wanted] if wanted else []


def _relief_row(row: dict, sanctions: dict[int, Sanction], today: date) -> dict:
    sanction = sanctions.get(row["sanction_id"])
    return {**row, "authority": sanction.authority_code if sanction else None,
            "conditions_codes": [c.get("code") if isinstance(c, dict) else str(c) for c in row.get("conditions") or []],
            "future": bool(row.get("effective_on")) and row["effective_on"] > today.isoformat()}  # fmt: skip


def _relief_options(explanation: dict) -> list[dict]:
    """Every (sanction, measure, route) the rules allow as of the explanation's date."""
    out = []
    for sanction in explanation["sanctions"]:
        for measure in sanction["measures"]:
            if not measure["relief_possible"]:
                continue
            for route in measure["routes"]:
                if route.get("state", "open") != "open":
                    continue  # shown, not offered: a condition fails or is unconfirmed
                out.append({
                    "value": f"relief|{sanction['id']}|{measure['measure']}|{route['code']}",
                    "sanction_id": sanction["id"], "authority": sanction["authority"], "measure": measure["measure"],
                    "route": route["code"], "earliest": route["earliest_effective"], "notice": route["notice"],
                })  # fmt: skip
    return out


def _party_or_404(page: Page, party_id: str):
    try:
        return registry.get_party(page.session, page.viewer, party_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None


# --- proposing and deciding -----------------------------------------------------------------------


@router.post("/ui/pathway/{party_id}/propose", response_class=HTMLResponse)
async def propose(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    party = _party_or_404(page, party_id)
    fields = await form_fields(request)
    form = {k: fields.get(k, "").strip() for k in ("target", "rationale", "evidence", "effective_on",
                                                   "statement_en", "statement_zh")}  # fmt: skip
    errors: dict[str, str] = {}
    if not form["target"]:
        errors["target"] = N_("Choose the stage or the relief to propose.")
    if not form["rationale"]:
        errors["rationale"] = N_("Say why: the rationale is required.")
    elif len(form["rationale"]) > 4000:
        errors["rationale"] = N_("At most 4000 characters.")
    effective = parse_day(form["effective_on"])
    if form["effective_on"] and effective is None:
        errors["effective_on"] = N_("Use a date such as 2007-09-01.")
    if bool(form["statement_en"]) != bool(form["statement_zh"]):
        errors["statement"] = N_("A public statement needs both its English and its Chinese text.")
    if errors:
        return _draw(page, party.id, status_code=422, errors=errors, form=form, section="propose")
    kwargs: dict = {"rationale": form["rationale"], "effective_on": effective,
                    "evidence": [line for line in form["evidence"].splitlines() if line.strip()]}  # fmt: skip
    parts = form["target"].split("|")
    if parts[0] == "relief" and len(parts) == 4:
        kwargs["relief"] = {"sanction_id": parts[1], "measure": parts[2], "route_code": parts[3]}
    elif parts[0] == "stage" and len(parts) == 2:
        kwargs["to_stage"] = parts[1]
    else:
        errors["target"] = N_("Choose the stage or the relief to propose.")
        return _draw(page, party.id, status_code=422, errors=errors, form=form, section="propose")
    if form["statement_en"]:
        kwargs["statement"] = {"en": form["statement_en"], "zh": form["statement_zh"]}
    proposal, error = attempt(page.session, lambda: proposals.propose(page.session, page.viewer, party.id, **kwargs))
    if error:
        return _draw(page, party.id, status_code=409, error=error, form=form, section="propose")
    done = "applied" if proposal.status == "approved" else "proposed"
    return see_other(f"/ui/pathway/{party.key or party.id}", done=done)


@router.post("/ui/pathway/{party_id}/proposals/{proposal_id}/{action}", response_class=HTMLResponse)
async def decide(
    party_id: str, proposal_id: RecordId, action: str, request: Request, page: Page = Depends(page)
) -> Response:
    page.require_login()
    party = _party_or_404(page, party_id)
    actions = {"approve": proposals.approve, "reject": proposals.reject, "withdraw": proposals.withdraw}
    if action not in actions:
        raise PageError(404, NOT_FOUND)
    fields = await form_fields(request)
    note = fields.get("note", "").strip()
    form = {f"note_{proposal_id}": note}
    if action == "reject" and not note:
        errors = {f"note_{proposal_id}": N_("Say why the proposal is rejected.")}
        return _draw(page, party.id, status_code=422, errors=errors, form=form, section=f"proposal-{proposal_id}")
    version = review.expected_version(fields)

    def act():
        return actions[action](page.session, page.viewer, proposal_id, note or None, expected_version=version)

    if not review.confirmed(fields):  # the review step: what will change, for whom; nothing written yet
        refused = review.refusal(page.session, act)
        if refused is None:
            return _decision_review(page, party, proposal_id, action, fields)
        error = str(refused)
    else:
        _, error = attempt(page.session, act)
    if error:
        return _draw(page, party.id, status_code=409, error=error, form=form, section=f"proposal-{proposal_id}")
    return see_other(f"/ui/pathway/{party.key or party.id}", done={"approve": "approved", "reject": "rejected",
                                                                   "withdraw": "withdrawn"}[action])  # fmt: skip


DECISION_TITLES = {
    "approve": N_("Approve proposal %(id)s?"),
    "reject": N_("Reject proposal %(id)s?"),
    "withdraw": N_("Withdraw proposal %(id)s?"),
}
DECISION_BUTTONS = {"approve": N_("Approve"), "reject": N_("Reject"), "withdraw": N_("Withdraw")}


def _decision_review(page: Page, party, proposal_id: int, action: str, fields: dict) -> Response:
    """The review page of a decision: the proposal's status, the company's stage, what follows."""
    try:
        proposal = proposals.get_proposal(page.session, page.viewer, proposal_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    new = {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}[action]
    changes = [review.Change(N_("Proposal status"), proposal.status, new)]
    details = [(N_("Company"), party.caption), (N_("Kind"), review.Code(proposal.kind))]
    consequences: list[str] = []
    if action == "approve":
        changes.append(review.Change(N_("Stage"), proposal.from_stage, proposal.to_stage))
        details.append((N_("Takes effect"), proposal.effective_on.isoformat()))
        if proposal.kind == "relief":
            details.append((N_("Relief"), f"{proposal.measure} · #{proposal.sanction_id} · {proposal.route_code}"))
            consequences.append(N_("The relief is granted: the measure no longer binds the company once in effect."))
        if proposal.kind == "snapback":
            consequences.append(N_("The reliefs in force are revoked: their measures bind the company again."))
            consequences += review.consequences_of("snapback_applied")
        if proposal.statement:
            consequences.append(N_("The public statement is published, in English and in Chinese."))
    details.append((N_("Decision note"), fields.get("note", "").strip()))
    key = party.key or party.id
    return review.review(
        page, action=f"/ui/pathway/{key}/proposals/{proposal.id}/{action}", fields=fields,
        title=DECISION_TITLES[action], title_args={"id": proposal.id}, record=proposal,
        record_name=f"{party.caption} · #{proposal.id}", back=f"/ui/pathway/{key}#proposal-{proposal.id}",
        changes=changes, details=details, consequences=consequences, button=DECISION_BUTTONS[action],
        danger=action != "approve",
    )  # fmt: skip


@router.post("/ui/pathway/{party_id}/enroll", response_class=HTMLResponse)
async def enroll(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    party = _party_or_404(page, party_id)
    note = (await form_fields(request)).get("note", "").strip()
    _, error = attempt(page.session, lambda: proposals.enroll(page.session, page.viewer, party.id, note=note or None))
    if error:
        return _draw(page, party.id, status_code=409, error=error)
    return see_other(f"/ui/pathway/{party.key or party.id}", done="enrolled")


# --- the notice of a relief, and linking a document to a proposal ---------------------------------


@router.post("/ui/pathway/{party_id}/reliefs/{relief_id}/notice", response_class=HTMLResponse)
async def record_notice(party_id: str, relief_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    party = _party_or_404(page, party_id)
    fields = await form_fields(request)
    day_key, version_key = f"notice_on_{relief_id}", f"notice_version_{relief_id}"
    form = {day_key: fields.get("notice_on", "").strip(), version_key: fields.get("version_id", "").strip()}
    errors: dict[str, str] = {}
    day = parse_day(form[day_key])
    if day is None:
        errors[day_key] = N_("Give the date notice was given, such as 2007-09-01.")
    if parse_id(form[version_key]) is None:
        errors[version_key] = N_("Choose the notice to Congress document.")
    section = f"relief-{relief_id}"
    if errors:
        return _draw(page, party.id, status_code=422, errors=errors, form=form, section=section)
    _, error = attempt(page.session, lambda: relief_life.record_notice(page.session, page.viewer, relief_id, day,
                                                                      parse_id(form[version_key])))  # fmt: skip
    if error:
        return _draw(page, party.id, status_code=409, error=error, form=form, section=section)
    return see_other(f"/ui/pathway/{party.key or party.id}", done="notice")


@router.post("/ui/pathway/{party_id}/links/{proposal_id}", response_class=HTMLResponse)
async def link_document(party_id: str, proposal_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    party = _party_or_404(page, party_id)
    key = f"link_version_{proposal_id}"
    form = {key: (await form_fields(request)).get("version_id", "").strip()}
    section = f"proposal-{proposal_id}"
    if parse_id(form[key]) is None:
        errors = {key: N_("Choose the document to link.")}
        return _draw(page, party.id, status_code=422, errors=errors, form=form, section=section)
    _, error = attempt(page.session, lambda: evidence.link(page.session, page.viewer, parse_id(form[key]),
                                                          proposal_id=proposal_id))  # fmt: skip
    if error:
        return _draw(page, party.id, status_code=409, error=error, form=form, section=section)
    return see_other(f"/ui/pathway/{party.key or party.id}", done="linked")


# --- alerts ---------------------------------------------------------------------------------------


@router.post("/ui/pathway/{party_id}/alerts/{alert_id}", response_class=HTMLResponse)
async def review_alert(party_id: str, alert_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    party = _party_or_404(page, party_id)
    fields = await form_fields(request)
    decision, note = fields.get("decision", ""), fields.get("note", "").strip()
    form = {f"alert_note_{alert_id}": note}
    if not note:
        errors = {f"alert_note_{alert_id}": N_("Say why: a note is required.")}
        return _draw(page, party.id, status_code=422, errors=errors, form=form, section=f"alert-{alert_id}")

    def act():
        return breaches.review(page.session, page.viewer, alert_id, decision, note)

    if not review.confirmed(fields):  # the review step first
        refused = review.refusal(page.session, act)
        if refused is None:
            return _alert_review(page, party, alert_id, decision, fields)
        error = str(refused)
    else:
        _, error = attempt(page.session, act)
    if error:
        return _draw(page, party.id, status_code=409, error=error, form=form, section=f"alert-{alert_id}")
    return see_other(f"/ui/pathway/{party.key or party.id}", done="dismissed" if decision == "dismiss" else "escalated")


def _alert_review(page: Page, party, alert_id: int, decision: str, fields: dict) -> Response:
    try:
        alert = breaches.get_alert(page.session, page.viewer, alert_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    escalate = decision == "escalate"
    key = party.key or party.id
    consequences = [N_("If the company has relief in force, a snapback is proposed in your name: an approver "
                       "decides it.")] if escalate else []  # fmt: skip
    return review.review(
        page, action=f"/ui/pathway/{key}/alerts/{alert.id}", fields=fields,
        title=N_("Escalate alert %(id)s to a breach?") if escalate else N_("Dismiss alert %(id)s?"),
        title_args={"id": alert.id}, record=alert, record_name=f"{party.caption} · #{alert.id}",
        back=f"/ui/pathway/{key}#alert-{alert.id}",
        changes=[review.Change(N_("Alert status"), alert.status, "escalated" if escalate else "dismissed")],
        details=[(N_("Company"), party.caption), (N_("Kind"), review.Code(alert.kind)),
                 (N_("Why"), fields.get("note", "").strip())],
        consequences=consequences, button=N_("Escalate") if escalate else N_("Dismiss"),
    )  # fmt: skip


# --- evidence upload (multipart) ------------------------------------------------------------------


async def _multipart_page(request: Request, session: Session) -> tuple[Page, dict]:
    """A multipart form's page context: the session cookie, and the CSRF token from the form itself
    (the shared check reads URL-encoded forms and headers only)."""
    cookie = session_cookie(request)
    language = i18n.choose_language(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))
    if not cookie:
        raise PageError(401, N_("Please log in again."))
    try:
        viewer, token = await run_in_threadpool(auth.viewer_for_session, session, cookie)
    except auth.AuthenticationFailed:
        raise PageError(401, N_("Please log in again.")) from None
    form = await read_form(request, language, max_files=1, max_fields=20)  # a 413 page past the upload limit
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), token.encode()):
        raise PageError(403, N_("The form has expired. Please go back, reload the page and try again."))
    request.state.credential = "session"
    return Page(request, session, viewer, token, language), form


@router.post("/ui/pathway/{party_id}/evidence", response_class=HTMLResponse)
async def upload_evidence(party_id: str, request: Request, session: Session = SESSION) -> Response:
    page, form = await _multipart_page(request, session)
    party = _party_or_404(page, party_id)
    fields = {"kind": str(form.get("kind") or "").strip(), "title": str(form.get("title") or "").strip(),
              "note": str(form.get("note") or "").strip()}  # fmt: skip
    upload = form.get("file")
    errors: dict[str, str] = {}
    if not fields["kind"]:
        errors["kind"] = N_("Choose the kind of document.")
    if not fields["title"]:
        errors["title"] = N_("Give the document a title.")
    content = b""
    if upload is None or isinstance(upload, str) or not upload.filename:
        errors["file"] = N_("Choose a file to upload.")
    else:
        content = await read_file(upload, "evidence", page.language)  # a 413 page past the limit
    if errors:
        return _draw(page, party.id, status_code=422, errors=errors, form=fields, section="evidence")
    version, error = attempt(session, lambda: evidence.upload(
        session, page.viewer, party_id=party.id, kind=fields["kind"], title=fields["title"], filename=upload.filename,
        content=content, media_type=upload.content_type, note=fields["note"] or None,
    ))  # fmt: skip
    if error:
        return _draw(page, party.id, status_code=409, error=error, form=fields, section="evidence")
    done = "already" if getattr(version, "already_stored", False) else "uploaded"
    return see_other(f"/ui/pathway/{party.key or party.id}", done=done)
