"""Engagement pages: consultations (held against expected, suspension and resumption), pledges
(fulfilment needs evidence), the partner's enforcement actions (its officer's report form and the
transparency report of a period), cooperation projects and compliance programme (ICP)
assessments. Reads and writes go through the engagement services with the page's viewer; a
workflow button is shown only for a transition the record's status allows and the role may make.
Every create form carries the marking fields (web/marking_fields.py): the user's own organization
only, unless releasing the record to the other side of the channel is chosen.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodpath.access.policy import Permission, Role
from goodpath.core.api_types import RecordId, parse_id
from goodpath.core.errors import GoodpathError, NotFound, StaleRecord
from goodpath.core.models import utcnow
from goodpath.engagement import consultations, enforcement, icp, pledges, projects
from goodpath.registry import service as registry
from goodpath.web import marking_fields, review
from goodpath.web.cable_pages import forbidden, form_fields, not_found
from goodpath.web.labels import N_
from goodpath.web.pathway_pages import attempt, parse_day
from goodpath.web.rendering import Page, page

router = APIRouter(include_in_schema=False)

NOTICES = {
    "saved": N_("Saved."),
    "evidence": N_("The evidence is added."),
    "fulfilled": N_("The pledge is fulfilled."),
    "broken": N_("The pledge is marked broken."),
    "withdrawn": N_("The pledge is withdrawn."),
    "suspended": N_("Suspended."),
    "resumed": N_("Resumed."),
    "ended": N_("Ended."),
    "reported": N_("The enforcement action is recorded."),
    "created": N_("Created."),
    "scored": N_("The element is scored."),
    "finalized": N_("The assessment is final."),
}
CONSULTATION_FIELDS = ("title", "level", "counterpart", "cadence_months", "notes", "occurred_on")
PLEDGE_FIELDS = ("pledged_by", "pledged_to", "text", "made_on", "due_on", "owner", "party_id", "source")
PROJECT_FIELDS = ("title", "kind", "description", "proposed_by", "start_on", "end_on", "occurred_on")
ERRORS = {
    "needs_evidence": N_("A pledge can be fulfilled only with evidence: add it first, or give it in the form."),
    "needs_note": N_("Say how the pledge was broken."),
    "needs_cause": N_("Give the cause of the suspension."),
    "needs_text": N_("Write the evidence."),
    "not_allowed": N_("This step is not possible from the record's current status."),
    "invalid": N_("The form could not be saved. Check its fields."),
    "stale": N_(
        "Someone else changed this record since you opened the page: nothing was changed. The page shows "
        "it as it is now; check it and try again."
    ),
}


def _tabs(page: Page) -> list[tuple[str, str]]:
    if page.viewer.role is Role.COMPANY_OFFICER:
        return [("/ui/icp", N_("Compliance programme"))]
    return [("/ui/consultations", N_("Consultations")), ("/ui/pledges", N_("Pledges")),
            ("/ui/enforcement", N_("Enforcement actions")), ("/ui/projects", N_("Cooperation projects")),
            ("/ui/icp", N_("Compliance programmes"))]  # fmt: skip


def _render(page: Page, template: str, status_code: int = 200, **context) -> Response:
    query = page.request.query_params
    return page.render(template, status_code=status_code, tabs=_tabs(page), notice=NOTICES.get(query.get("done", "")),
                       error=ERRORS.get(query.get("error", "")), can_manage=page.can(Permission.MANAGE_ENGAGEMENT),
                       release_to=marking_fields.other_side(page.viewer), **context)  # fmt: skip


def _back(url: str, **params) -> RedirectResponse:
    anchor = ""
    if "#" in url:
        url, anchor = url.split("#", 1)
        anchor = "#" + anchor
    return RedirectResponse(f"{url}?{urlencode(params)}{anchor}", status_code=303)


def _error_code(exc: GoodpathError, default: str = "invalid") -> str:
    if isinstance(exc, StaleRecord):
        return "stale"
    text = str(exc)
    if "without evidence" in text:
        return "needs_evidence"
    if "note is required" in text:
        return "needs_note"
    if "cause" in text:
        return "needs_cause"
    if "evidence text" in text:
        return "needs_text"
    if "cannot go from" in text or "is " in text and ("not suspended" in text or "can only" in text):
        return "not_allowed"
    return default


def _day_error(form: dict[str, str], errors: dict[str, str], *keys: str) -> None:
    """A field-level error for each of ``keys`` typed but not a YYYY-MM-DD day."""
    for key in keys:
        if form.get(key) and parse_day(form[key]) is None:
            errors[key] = N_("Use a date such as 2007-09-01.")


def _required(form: dict[str, str], errors: dict[str, str], **messages: str) -> None:
    for key, message in messages.items():
        if not form.get(key):
            errors[key] = message


def _create(page: Page, action, *, marked: bool = False) -> tuple[object | None, dict[str, str]]:
    """Run a create in a savepoint: the record, or the service's refusal as the form's error (by the
    marking fields when it is about them and the form has them: ``marked``)."""
    record, error = attempt(page.session, action)
    if not error:
        return record, {}
    return record, marking_fields.place({"form": error}) if marked else {"form": error}


def _typed(fields: dict[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    """The form's fields as typed, with its marking fields."""
    return {k: (fields.get(k) or "").strip() for k in keys} | marking_fields.typed(fields)


async def _manage(request: Request, page: Page) -> dict[str, str] | Response:
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        return forbidden(page)
    return form_fields(await request.body())


# --- consultations ------------------------------------------------------------------------------


@router.get("/ui/consultations", response_class=HTMLResponse)
def consultations_page(status: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _consultations(page, status)


def _consultations(page: Page, status: str = "", form: dict | None = None, errors: dict | None = None,
                   status_code: int = 200) -> Response:  # fmt: skip
    status = status if status in consultations.WORKFLOW.statuses else ""
    rows = consultations.list_consultations(page.session, page.viewer, status=status or None)
    for track in rows:
        track["moves"] = sorted(consultations.WORKFLOW.transitions.get(track["status"], ()))
        try:
            track["rounds"] = consultations.detail(page.session, page.viewer, track["id"])["rounds"]
        except NotFound:
            track["rounds"] = []
    return _render(page, "engagement_consultations.html", status_code=status_code, tracks=rows, status=status,
                   statuses=consultations.WORKFLOW.statuses, levels=consultations.LEVELS,
                   form=form or {"counterpart": "CHN", **marking_fields.DEFAULTS}, errors=errors or {})  # fmt: skip


@router.post("/ui/consultations", response_class=HTMLResponse)
async def create_consultation(request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    form = _typed(fields, CONSULTATION_FIELDS)
    form["counterpart"] = form["counterpart"].upper()
    errors: dict[str, str] = {}
    _required(form, errors, title=N_("Give the track a title."), level=N_("Choose the level."),
              counterpart=N_("Give the counterpart government, such as CHN."))  # fmt: skip
    if form["level"] and form["level"] not in consultations.LEVELS:
        errors["level"] = N_("Choose the level.")
    cadence = None
    if form["cadence_months"]:
        cadence = parse_id(form["cadence_months"]) or 0
        if not 1 <= cadence <= consultations.MAX_CADENCE_MONTHS:
            errors["cadence_months"] = N_("A whole number of months, such as 6.")
    _day_error(form, errors, "occurred_on")
    if not errors:
        record, errors = _create(page, lambda: consultations.create(
            page.session, page.viewer, title=form["title"], level=form["level"], counterpart=form["counterpart"],
            cadence_months=cadence, notes=form["notes"] or None, occurred_on=form["occurred_on"] or None,
            **marking_fields.read(page.viewer, fields, form["counterpart"]),
        ), marked=True)  # fmt: skip
        if not errors:
            return _back(f"/ui/consultations#consultation-{record.id}", done="created")
    return _consultations(page, form=form, errors=errors, status_code=422 if "form" not in errors else 409)


@router.post("/ui/consultations/{consultation_id}/status", response_class=HTMLResponse)
async def consultation_status(consultation_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    to = fields.get("status", "")
    anchor = f"/ui/consultations#consultation-{consultation_id}"

    def act():
        return consultations.set_status(page.session, page.viewer, consultation_id, to, cause=fields.get("cause"),
                                        offered_by=fields.get("offered_by"),
                                        expected_version=review.expected_version(fields))  # fmt: skip

    try:
        if to == "ended" and not review.confirmed(fields):  # final: the review step first
            record = consultations.get(page.session, page.viewer, consultation_id)
            refused = review.refusal(page.session, act)
            if refused is None:
                return _final_review(page, record, "ended", fields, f"/ui/consultations/{record.id}/status", anchor,
                                     N_("End these consultations?"), N_("End"))  # fmt: skip
            raise refused
        act()
    except NotFound:
        return not_found(page)
    except GoodpathError as exc:
        page.session.rollback()
        return _back(anchor, error=_error_code(exc))
    return _back(anchor, done={"suspended": "suspended", "active": "resumed", "ended": "ended"}.get(to, "saved"))


# --- pledges ------------------------------------------------------------------------------------


@router.get("/ui/pledges", response_class=HTMLResponse)
def pledges_page(status: str = "", overdue: bool = False, page: Page = Depends(page)) -> Response:
    page.require_login()
    return _pledges(page, status, overdue)


def _pledges(page: Page, status: str = "", overdue: bool = False, form: dict | None = None,
             errors: dict | None = None, status_code: int = 200) -> Response:  # fmt: skip
    status = status if status in pledges.WORKFLOW.statuses else ""
    rows = pledges.list_pledges(page.session, page.viewer, status=status or None, overdue=overdue)
    return _render(page, "pledges.html", status_code=status_code, pledges=rows, status=status, overdue=overdue,
                   statuses=pledges.WORKFLOW.statuses,
                   form=form or {"pledged_by": "CHN", "pledged_to": "USA", **marking_fields.DEFAULTS},
                   errors=errors or {})  # fmt: skip


@router.post("/ui/pledges", response_class=HTMLResponse)
async def create_pledge(request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    form = _typed(fields, PLEDGE_FIELDS)
    errors: dict[str, str] = {}
    _required(form, errors, pledged_by=N_("Say who made the pledge, such as CHN."),
              pledged_to=N_("Say to whom, such as USA."), text=N_("Write what was pledged."))  # fmt: skip
    _day_error(form, errors, "made_on", "due_on")
    made, due = parse_day(form["made_on"]), parse_day(form["due_on"])
    if made and due and due < made:
        errors["due_on"] = N_("The due date is before the pledge was made.")
    if not errors:
        record, errors = _create(page, lambda: pledges.create(
            page.session, page.viewer, pledged_by=form["pledged_by"], pledged_to=form["pledged_to"],
            text=form["text"], made_on=made, due_on=due, owner=form["owner"] or None,
            party_id=form["party_id"] or None, source=form["source"] or None,
            **marking_fields.read(page.viewer, fields, form["pledged_by"], form["pledged_to"]),
        ), marked=True)  # fmt: skip
        if errors and "no party" in errors.get("form", ""):
            errors = {"party_id": N_("There is no such record, or you may not see it.")}
        if not errors:
            return _back(f"/ui/pledges/{record.id}", done="created")
    return _pledges(page, form=form, errors=errors, status_code=422 if "form" not in errors else 409)


@router.get("/ui/pledges/{pledge_id}", response_class=HTMLResponse)
def pledge_page(pledge_id: RecordId, page: Page = Depends(page)) -> Response:
    page.require_login()
    return _pledge(page, pledge_id)


def _pledge(page: Page, pledge_id: int, status_code: int = 200, **extra) -> Response:
    """One pledge; ``extra``: a ``stale`` refusal to show and what was ``typed``, when a form is redrawn."""
    try:
        record = pledges.detail(page.session, page.viewer, pledge_id)
    except NotFound:
        return not_found(page)
    caption = None
    if record.get("party_id"):
        try:
            caption = registry.get_party(page.session, page.viewer, record["party_id"]).caption
        except NotFound:
            caption = None
    return _render(page, "pledge.html", status_code=status_code, pledge=record, party_caption=caption,
                   moves=sorted(pledges.WORKFLOW.transitions.get(record["status"], ())), **extra)  # fmt: skip


@router.post("/ui/pledges/{pledge_id}/evidence", response_class=HTMLResponse)
async def pledge_evidence(pledge_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    try:
        pledges.add_evidence(page.session, page.viewer, pledge_id, text=fields.get("text", ""),
                             source=fields.get("source") or None)  # fmt: skip
    except NotFound:
        return not_found(page)
    except GoodpathError as exc:
        page.session.rollback()
        return _back(f"/ui/pledges/{pledge_id}", error=_error_code(exc))
    return _back(f"/ui/pledges/{pledge_id}", done="evidence")


@router.post("/ui/pledges/{pledge_id}/status", response_class=HTMLResponse)
async def pledge_status(pledge_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    to = fields.get("status", "")
    version = review.expected_version(fields)

    def act():
        return pledges.set_status(page.session, page.viewer, pledge_id, to, note=fields.get("note"),
                                  evidence=fields.get("evidence"), evidence_source=fields.get("evidence_source"),
                                  expected_version=version)  # fmt: skip

    try:
        if to in REVIEWED_MOVES and not review.confirmed(fields):  # reviewed first: nothing written yet
            record = pledges.get(page.session, page.viewer, pledge_id)
            refused = review.refusal(page.session, act)
            if refused is None:
                return _pledge_review(page, record, to, fields)
            raise refused
        act()
    except NotFound:
        return not_found(page)
    except StaleRecord as exc:  # changed by someone else since the form was drawn: shown, what was typed kept
        page.session.rollback()
        return _pledge(page, pledge_id, status_code=409, stale=exc, typed=fields)
    except GoodpathError as exc:
        page.session.rollback()
        return _back(f"/ui/pledges/{pledge_id}", error=_error_code(exc))
    return _back(f"/ui/pledges/{pledge_id}", done=to if to in NOTICES else "saved")


REVIEWED_MOVES = ("withdrawn", "broken")  # irreversible: the review step first


def _final_review(
    page: Page, record, to: str, fields: dict, action: str, back: str, title: str, button: str
) -> Response:  # fmt: skip
    """The review of a step into a final status (a track ended, a project cancelled)."""
    return review.review(
        page, action=action, fields=fields, title=title, record=record,
        record_name=record.title, back=back, changes=[review.Change(N_("Status"), record.status, to)],
        details=[(N_("Cause"), (fields.get("cause") or "").strip())],
        consequences=[N_("The status is final: it cannot be changed again.")], button=button,
    )  # fmt: skip


def _pledge_review(page: Page, record, to: str, fields: dict) -> Response:
    return review.review(
        page, action=f"/ui/pledges/{record.id}/status", fields=fields,
        title=N_("Withdraw pledge %(id)s?") if to == "withdrawn" else N_("Mark pledge %(id)s broken?"),
        title_args={"id": record.id}, record=record, record_name=f"{record.pledged_by} → {record.pledged_to}",
        back=f"/ui/pledges/{record.id}", changes=[review.Change(N_("Status"), record.status, to)],
        details=[(N_("Pledge"), record.text), (N_("How it was broken"), (fields.get("note") or "").strip())],
        consequences=[N_("The pledge is final: it no longer counts as open or overdue.")],
        button=N_("Withdraw") if to == "withdrawn" else N_("Broken"),
    )  # fmt: skip


# --- enforcement actions ------------------------------------------------------------------------


def _can_report(page: Page) -> bool:
    return page.can(Permission.RESPOND_CASES) or page.can(Permission.MANAGE_ENGAGEMENT)


def _period(date_from: str, date_to: str) -> tuple[str, str]:
    today = utcnow().date()
    start = date_from.strip() or date(today.year, 1, 1).isoformat()
    return start, date_to.strip() or today.isoformat()


def _enforcement(page: Page, date_from: str = "", date_to: str = "", form=None, errors=None,
                 status_code: int = 200) -> Response:  # fmt: skip
    start, end = _period(date_from, date_to)
    period_error = None
    try:
        report = enforcement.transparency_report(page.session, page.viewer, start, end)
    except GoodpathError:
        period_error = N_("Give the period as two dates, the first not after the second.")
        report = None
    every = enforcement.list_actions(page.session, page.viewer)
    return _render(
        page, "engagement_enforcement.html", status_code=status_code, report=report, period={"from": start, "to": end},
        period_error=period_error, actions=list(reversed(every))[:100], total=len(every), can_report=_can_report(page),
        kinds=enforcement.KINDS, levels=enforcement.DETAIL_LEVELS,
        form=form or {"partner": "CHN", "detail_level": "summary", **marking_fields.DEFAULTS}, errors=errors or {},
    )  # fmt: skip


@router.get("/ui/enforcement", response_class=HTMLResponse)
def enforcement_page(request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    query = request.query_params
    return _enforcement(page, query.get("from", ""), query.get("to", ""))


@router.post("/ui/enforcement", response_class=HTMLResponse)
async def report_action(request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not _can_report(page):
        return forbidden(page)
    form = form_fields(await request.body())
    errors: dict[str, str] = {}
    if not form.get("reported_by", "").strip():
        errors["reported_by"] = N_("Name the reporting agency, such as MOFCOM.")
    if not (form.get("party_name", "").strip() or form.get("party_id", "").strip()):
        errors["party_name"] = N_("Name the party the action concerns.")
    if form.get("detail_level") != "none" and not form.get("detail", "").strip():
        errors["detail"] = N_("Give the detail the partner shared, or choose “No detail”.")
    amount = form.get("penalty_amount", "").strip()
    try:
        amount_value = float(amount) if amount else None
    except ValueError:
        errors["penalty_amount"] = N_("Write the amount as a number.")
        amount_value = None
    if not errors:
        try:
            enforcement.report_action(
                page.session, page.viewer, kind=form.get("kind", ""), reported_by=form["reported_by"],
                detail_level=form.get("detail_level", ""), taken_on=form.get("taken_on") or None,
                reported_on=form.get("reported_on") or None, detail=form.get("detail") or None,
                party_name=form.get("party_name") or None, party_id=form.get("party_id") or None,
                penalty_amount=amount_value, currency=(form.get("currency") or "").upper() or None,
                partner=form.get("partner") or "CHN",
                **marking_fields.read(page.viewer, form, form.get("partner") or "CHN"),
            )  # fmt: skip
        except NotFound:
            page.session.rollback()
            errors["party_id"] = N_("There is no such record, or you may not see it.")
        except GoodpathError as exc:
            page.session.rollback()
            errors = marking_fields.place({"form": str(exc)})
            if "form" in errors:
                errors["form"] = N_(
                    "The action could not be recorded: check the dates (not in the future, taken before reported) and the penalty."  # noqa: E501
                )
    if errors:
        return _enforcement(page, form=form, errors=errors, status_code=422)
    return _back("/ui/enforcement", done="reported")


# --- cooperation projects -----------------------------------------------------------------------


@router.get("/ui/projects", response_class=HTMLResponse)
def projects_page(page: Page = Depends(page)) -> Response:
    page.require_login()
    return _projects(page)


def _projects(page: Page, form: dict | None = None, errors: dict | None = None, status_code: int = 200) -> Response:
    rows = projects.list_projects(page.session, page.viewer)
    for project in rows:
        moves = set(projects.WORKFLOW.transitions.get(project["status"], ()))
        if project["status"] == "suspended":  # back only to where it was suspended from
            moves = {"resume", "cancelled"}
        project["moves"] = sorted(moves)
    return _render(page, "engagement_projects.html", status_code=status_code, projects=rows, kinds=projects.KINDS,
                   form=form or {}, errors=errors or {})  # fmt: skip


@router.post("/ui/projects", response_class=HTMLResponse)
async def create_project(request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    form = _typed(fields, PROJECT_FIELDS)
    errors: dict[str, str] = {}
    _required(form, errors, title=N_("Give the project a title."), kind=N_("Choose the kind of project."))
    if form["kind"] and form["kind"] not in projects.KINDS:
        errors["kind"] = N_("Choose the kind of project.")
    _day_error(form, errors, "start_on", "end_on", "occurred_on")
    start, end = parse_day(form["start_on"]), parse_day(form["end_on"])
    if start and end and end < start:
        errors["end_on"] = N_("The project ends before it starts.")
    if not errors:
        record, errors = _create(page, lambda: projects.create(
            page.session, page.viewer, title=form["title"], kind=form["kind"], description=form["description"] or None,
            proposed_by=form["proposed_by"] or None, start_on=start, end_on=end,
            occurred_on=form["occurred_on"] or None, **marking_fields.read(page.viewer, fields),
        ), marked=True)  # fmt: skip
        if not errors:
            return _back(f"/ui/projects#project-{record.id}", done="created")
    return _projects(page, form=form, errors=errors, status_code=422 if "form" not in errors else 409)


@router.post("/ui/projects/{project_id}/status", response_class=HTMLResponse)
async def project_status(project_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    to, anchor = fields.get("status", ""), f"/ui/projects#project-{project_id}"
    try:
        if to == "cancelled" and not review.confirmed(fields):  # final: the review step first
            record = projects.get(page.session, page.viewer, project_id)
            version = review.expected_version(fields)
            refused = review.refusal(page.session, lambda: projects.set_status(
                page.session, page.viewer, project_id, to, expected_version=version))  # fmt: skip
            if refused is None:
                return _final_review(page, record, "cancelled", fields, f"/ui/projects/{record.id}/status", anchor,
                                     N_("Cancel this project?"), N_("Cancel the project"))  # fmt: skip
            raise refused
        if to == "resume":
            projects.resume(page.session, page.viewer, project_id, expected_version=review.expected_version(fields))
        else:
            projects.set_status(page.session, page.viewer, project_id, to, cause=fields.get("cause"),
                                expected_version=review.expected_version(fields))  # fmt: skip
    except NotFound:
        return not_found(page)
    except GoodpathError as exc:
        page.session.rollback()
        return _back(anchor, error=_error_code(exc))
    return _back(anchor, done="suspended" if to == "suspended" else "resumed" if to == "resume" else "saved")


# --- compliance programme (ICP) assessments -----------------------------------------------------


@router.get("/ui/icp", response_class=HTMLResponse)
def icp_page(page: Page = Depends(page)) -> Response:
    """Every readable assessment; a company officer sees its own company's (the policy's filter)."""
    page.require_login()
    return _icp(page)


def _icp(page: Page, form: dict | None = None, errors: dict | None = None, status_code: int = 200,
         section: str | None = None) -> Response:  # fmt: skip
    own = page.viewer.company_party_id if page.viewer.role is Role.COMPANY_OFFICER else None
    rows = icp.list_assessments(page.session, page.viewer, party_id=own)
    captions: dict[str, str] = {}
    for row in rows:
        if row["party_id"] not in captions:
            try:
                captions[row["party_id"]] = registry.get_party(page.session, page.viewer, row["party_id"]).caption
            except NotFound:
                captions[row["party_id"]] = row["party_id"]
        try:
            record = icp.get_assessment(page.session, page.viewer, row["id"])
            row["detail"] = icp.assessment_to_dict(page.session, page.viewer, record)
        except NotFound:
            row["detail"] = None
    return _render(page, "engagement_icp.html", status_code=status_code, assessments=rows, captions=captions,
                   scale=icp.scale(), max_score=icp.MAX_SCORE, own=own, frameworks=icp.frameworks(),
                   elements={f: icp.rubric(f)[0]["elements"] for f in icp.frameworks()}, form=form or {},
                   errors=errors or {}, section=section)  # fmt: skip


@router.post("/ui/icp", response_class=HTMLResponse)
async def start_assessment(request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    form = _typed(fields, ("party_id", "framework", "assessed_on"))
    errors: dict[str, str] = {}
    _required(form, errors, party_id=N_("Name the company (its key or id)."), framework=N_("Choose the framework."))
    _day_error(form, errors, "assessed_on")
    if not errors:
        record, errors = _create(page, lambda: icp.start_assessment(
            page.session, page.viewer, form["party_id"], form["framework"], assessed_on=form["assessed_on"] or None,
            **marking_fields.read(page.viewer, fields),
        ), marked=True)  # fmt: skip
        if errors and "no party" in errors.get("form", ""):
            errors = {"party_id": N_("There is no such record, or you may not see it.")}
        if not errors:
            return _back(f"/ui/icp#assessment-{record.id}", done="created")
    return _icp(page, form=form, errors=errors, status_code=422 if "form" not in errors else 409, section="start")


@router.post("/ui/icp/{assessment_id}/scores", response_class=HTMLResponse)
async def score_element(assessment_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    keys = {k: f"{k}_{assessment_id}" for k in ("element", "score", "evidence")}
    form = {keys[k]: (fields.get(k) or "").strip() for k in keys}
    errors: dict[str, str] = {}
    _required(form, errors, **{keys["element"]: N_("Choose the element."), keys["score"]: N_("Choose the score."),
                               keys["evidence"]: N_("Give the evidence for the score: it is required.")})  # fmt: skip
    score = form[keys["score"]]
    if score and not (score.isascii() and score.isdigit() and int(score) <= icp.MAX_SCORE):
        errors[keys["score"]] = N_("Choose the score.")
    if not errors:
        drawn = dict(p.partition("=")[::2] for p in (fields.get("drawn") or "").split("|") if "=" in p)
        element = form[keys["element"]].upper()
        _, errors = _create(page, lambda: icp.score_element(
            page.session, page.viewer, assessment_id, element, int(form[keys["score"]]), form[keys["evidence"]],
            expected_stamp=drawn.get(element, "") if "drawn" in fields else None,
        ))  # fmt: skip
        if errors and errors["form"].startswith("no ICP assessment"):
            return not_found(page)
        if not errors:
            return _back(f"/ui/icp#assessment-{assessment_id}", done="scored")
    errors = {f"{k}" if k != "form" else f"form_{assessment_id}": v for k, v in errors.items()}
    return _icp(page, form=form, errors=errors, status_code=409 if f"form_{assessment_id}" in errors else 422,
                section=f"assessment-{assessment_id}")  # fmt: skip


@router.post("/ui/icp/{assessment_id}/finalize", response_class=HTMLResponse)
async def finalize_assessment(assessment_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    fields = await _manage(request, page)
    if isinstance(fields, Response):
        return fields
    _, errors = _create(page, lambda: icp.finalize(page.session, page.viewer, assessment_id,
                                                   note=(fields.get("note") or "").strip() or None))  # fmt: skip
    if errors and errors["form"].startswith("no ICP assessment"):
        return not_found(page)
    if not errors:
        return _back(f"/ui/icp#assessment-{assessment_id}", done="finalized")
    return _icp(page, errors={f"form_{assessment_id}": errors["form"]}, status_code=409,
                section=f"assessment-{assessment_id}")  # fmt: skip
