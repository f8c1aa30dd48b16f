"""The alleged-violation case pages: the list (filters: status, age), one case (facts, parties,
history, the workflow steps this user may take from its status, the partner's response; its parties,
each with the hits of its screening on entry, and items, added and removed while the case is open) and
the form that raises a case (its company becomes a party; released to the partner government only when
chosen). The services decide and refuse exactly as for the API and CLI: raising, closing and changing
parties and items need engagement.manage; the partner's steps need cases.respond (or an analyst
recording them on its behalf).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from goodpath.access.policy import Permission
from goodpath.core.api_types import RecordId, RecordKey
from goodpath.core.errors import NotFound
from goodpath.core.models import utcnow
from goodpath.engagement import cases
from goodpath.engagement.case_metrics import AGE_BUCKETS, age_bucket
from goodpath.registry import service as registry
from goodpath.web import marking_fields, review
from goodpath.web.labels import N_
from goodpath.web.pathway_pages import NOT_FOUND, attempt, form_fields, parse_day, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

CLASSIFICATIONS = marking_fields.CLASSIFICATIONS
FIELDS = ("reference", "title", "facts", "raised_on", "destination", "end_user", "party", "party_role", "partner",
          "source")  # fmt: skip
PARTY_FIELDS = ("role", "name", "country", "party_id")
ITEM_FIELDS = ("description", "control_entry", "quantity")
PARTNER_ACTIONS = {"acknowledged": N_("Acknowledge"), "under_investigation": N_("Open an investigation"),
                   "response_reported": N_("Report the response")}  # fmt: skip
DONE = {
    "raised": N_("The case is raised; its parties are screened and watched."),
    "acknowledged": N_("The case is acknowledged."),
    "under_investigation": N_("The investigation is recorded."),
    "response_reported": N_("The response is recorded."),
    "closed": N_("The outcome is recorded; the case is closed."),
    "party_added": N_("The party is added; it is screened and watched."),
    "party_removed": N_("The party is removed."),
    "item_added": N_("The item is added."),
    "item_removed": N_("The item is removed."),
}


def _age(case: dict, today: date) -> int:
    end = today if case["open"] else date.fromisoformat(case["status_on"])
    return max((end - date.fromisoformat(case["raised_on"])).days, 0)


@router.get("/ui/cases", response_class=HTMLResponse)
def case_list(status: str = "", age: str = "", done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _draw_list(page, status=status, age=age, done=done)


def _draw_list(page: Page, *, status: str = "", age: str = "", done: str = "", status_code: int = 200,
               form: dict | None = None, errors: dict | None = None, error: str | None = None) -> Response:  # fmt: skip
    today = utcnow().date()
    status = status if status in (*cases.CASE.statuses, "open") else ""
    age = age if age in {name for name, _, _ in AGE_BUCKETS} else ""
    rows = cases.list_cases(page.session, page.viewer, open_only=status == "open",
                            status=status if status and status != "open" else None)  # fmt: skip
    for row in rows:
        row["age_days"] = _age(row, today)
    if age:
        rows = [r for r in rows if age_bucket(r["age_days"]) == age]
    can_raise = page.can(Permission.MANAGE_ENGAGEMENT)
    return page.render(
        "cases.html", status_code=status_code, cases=rows, status=status, age=age, statuses=cases.CASE.statuses,
        buckets=[name for name, _, _ in AGE_BUCKETS], can_raise=can_raise, done=DONE.get(done),
        form=form or {"partner": marking_fields.PARTNER, "party_role": "exporter", **marking_fields.DEFAULTS},
        errors=errors or {}, error=error, raise_open=bool(errors or error), party_roles=cases.PARTY_ROLES,
    )  # fmt: skip


def _validate(form: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form["reference"]:
        errors["reference"] = N_("Enter a reference, such as WLC-2007-001.")
    elif not cases.REFERENCE.match(form["reference"].upper()):
        errors["reference"] = N_("3 to 40 letters, digits, '-', '.' or '/', such as WLC-2007-001.")
    if not form["title"]:
        errors["title"] = N_("Enter a title.")
    elif len(form["title"]) > 300:
        errors["title"] = N_("At most 300 characters.")
    if not form["facts"]:
        errors["facts"] = N_("Describe the facts of the case.")
    elif len(form["facts"]) > 4000:
        errors["facts"] = N_("At most 4000 characters.")
    if form["raised_on"]:
        day = parse_day(form["raised_on"])
        if day is None:
            errors["raised_on"] = N_("Use a date such as 2007-09-01.")
        elif day > utcnow().date():
            errors["raised_on"] = N_("The date cannot be in the future.")
    if form["destination"] and not (len(form["destination"]) == 2 and form["destination"].isalpha()):
        errors["destination"] = N_("Use a two-letter country code, such as CN or US.")
    if form["classification"] not in CLASSIFICATIONS:
        errors["classification"] = N_("Choose a classification from the list.")
    if form["release_to_partner"] and not form["partner"]:
        errors["partner"] = N_("Enter the partner government, such as CHN.")
    return errors


def _field_of(message: str) -> str:
    """Which field a service's refusal is about (the message names it), else the form."""
    text = message.lower()
    for prefix, field in (("a case with reference", "reference"), ("reference", "reference"), ("title", "title"),
                          ("facts", "facts"), ("raised_on", "raised_on"), ("destination", "destination"),
                          ("end_user", "end_user"), ("no party", "party"), ("classification", "classification"),
                          ("you cannot mark", "classification"), ("releasab", "partner"),
                          ("party 1", "party")):  # fmt: skip
        if text.startswith(prefix):
            return field
    return "form"


def _company_party(page: Page, key: str, role: str) -> list[dict]:
    """The company typed on the form as the case's first party (its registry caption and country);
    none when the viewer cannot see such a party (the service then answers "no party")."""
    if not key:
        return []
    try:
        party = registry.get_party(page.session, page.viewer, key)
    except NotFound:
        return []
    countries = [c.strip().upper() for c in party.countries or () if len(c.strip()) == 2 and c.strip().isalpha()]
    return [{"role": role or "exporter", "name": party.caption, "party_id": party.id,
             "country": countries[0] if len(countries) == 1 else None}]  # fmt: skip


@router.post("/ui/cases", response_class=HTMLResponse)
async def raise_case(request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))
    fields = await form_fields(request)
    form = {k: fields.get(k, "").strip() for k in FIELDS} | marking_fields.typed(fields)
    form["destination"] = form["destination"].upper()
    form["partner"] = form["partner"].upper()
    errors = _validate(form)
    if errors:
        return _draw_list(page, status_code=422, form=form, errors=errors)
    # Released to the partner government only when the form says so: else the raiser's organization only.
    partner = form["partner"] if marking_fields.releases(fields) else ""
    case, error = attempt(page.session, lambda: cases.raise_case(
        page.session, page.viewer, reference=form["reference"], title=form["title"], facts=form["facts"],
        raised_on=form["raised_on"] or None, destination=form["destination"] or None,
        end_user=form["end_user"] or None, party_id=form["party"] or None, partner=partner,
        parties=_company_party(page, form["party"], form["party_role"]),
        classification=form["classification"], source=form["source"] or None,
    ))  # fmt: skip
    if error:
        field = _field_of(error)
        if field == "form":
            return _draw_list(page, status_code=409, form=form, error=error)
        return _draw_list(page, status_code=422, form=form, errors={field: error})
    return see_other(f"/ui/cases/{case.id}", done="raised")


# --- one case -------------------------------------------------------------------------------------


@router.get("/ui/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: RecordKey, done: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    return _draw_case(page, case_id, done=done)


def _draw_case(page: Page, case_id: str, *, done: str = "", status_code: int = 200, error: str | None = None,
               errors: dict | None = None, form: dict | None = None) -> Response:  # fmt: skip
    try:
        detail = cases.case_detail(page.session, page.viewer, case_id)
        record = cases.get_case(page.session, page.viewer, detail["id"])
    except (NotFound, ValueError):
        raise PageError(404, NOT_FOUND) from None
    allowed = cases.CASE.transitions.get(detail["status"], frozenset())
    respond = page.can(Permission.RESPOND_CASES) or page.can(Permission.MANAGE_ENGAGEMENT)
    partner_steps = [s for s in cases.PARTNER_STEPS if s in allowed] if respond else []
    outcomes = [o for o in cases.OUTCOMES if o in allowed] if page.can(Permission.MANAGE_ENGAGEMENT) else []
    detail["age_days"] = _age(detail, utcnow().date())
    editable = detail["open"] and page.can(Permission.MANAGE_ENGAGEMENT)
    return page.render(
        "case.html", status_code=status_code, case=detail, record=record, partner_steps=partner_steps,
        partner_actions=PARTNER_ACTIONS, outcomes=outcomes, on_behalf=not page.can(Permission.RESPOND_CASES),
        done=DONE.get(done), error=error, errors=errors or {}, form=form or {}, editable=editable,
        party_roles=cases.PARTY_ROLES,
    )  # fmt: skip


@router.post("/ui/cases/{case_id}/step", response_class=HTMLResponse)
async def case_step(case_id: RecordKey, request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    try:
        case = cases.get_case(page.session, page.viewer, case_id)
    except (NotFound, ValueError):
        raise PageError(404, NOT_FOUND) from None
    fields = await form_fields(request)
    form = {k: fields.get(k, "").strip() for k in ("step", "note", "response", "outcome", "occurred_on")}
    step = form["step"]
    errors: dict[str, str] = {}
    if step == "response_reported" and not form["response"]:
        errors["response"] = N_("Enter the partner's response.")
    if step == "closed":
        if form["outcome"] not in cases.OUTCOMES:
            errors["outcome"] = N_("Choose the outcome.")
        if not form["note"]:
            errors["close_note"] = N_("Say why the case is closed this way.")
    if form["occurred_on"] and parse_day(form["occurred_on"]) is None:
        errors["occurred_on"] = N_("Use a date such as 2007-09-01.")
    if step not in (*cases.PARTNER_STEPS, "closed"):
        errors["form"] = N_("Choose a step.")
    if errors:
        return _draw_case(page, str(case.id), status_code=422, errors=errors, form=form)
    version = review.expected_version(fields)

    def act():
        return cases.advance(
            page.session, page.viewer, case.id, step, note=form["note"] or None, response=form["response"] or None,
            outcome=form["outcome"] or None, occurred_on=form["occurred_on"] or None, expected_version=version,
        )  # fmt: skip

    if step == "closed" and not review.confirmed(fields):  # closing is reviewed first: nothing written yet
        refused = review.refusal(page.session, act)
        if refused is None:
            return _close_review(page, case, form, fields)
        error = str(refused)
    else:
        _, error = attempt(page.session, act)
    if error:
        return _draw_case(page, str(case.id), status_code=409, error=error, form=form)
    return see_other(f"/ui/cases/{case.id}", done=step)


def _close_review(page: Page, case, form: dict, fields: dict) -> Response:
    """What recording the outcome changes: the case's status, for whom, and what follows."""
    consequences = [N_("The case is closed: no further step can be recorded on it.")]
    if form["outcome"] == "sanctioned":
        consequences += review.consequences_of("case_closed")
    return review.review(
        page, action=f"/ui/cases/{case.id}/step", fields=fields, title=N_("Close case %(ref)s?"),
        title_args={"ref": case.reference}, record=case, record_name=case.reference, back=f"/ui/cases/{case.id}",
        changes=[review.Change(N_("Status"), case.status, form["outcome"])],
        details=[(N_("Case"), case.title), (N_("Why this outcome"), form["note"]),
                 (N_("Occurred on"), form["occurred_on"])],
        consequences=consequences, button=N_("Record the outcome"),
    )  # fmt: skip


# --- parties and items ----------------------------------------------------------------------------


def _managed_case(page: Page, case_id: str):
    """The case, for a user who manages cases: 403 for any other role (before reading it), 404 when
    the user cannot read it."""
    page.require_login()
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))
    try:
        return cases.get_case(page.session, page.viewer, case_id)
    except (NotFound, ValueError):
        raise PageError(404, NOT_FOUND) from None


def _quantity(text: str) -> int | float | str | None:
    """As the CLI reads a quantity: a whole or decimal number, else the text (e.g. '1 unit')."""
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


@router.post("/ui/cases/{case_id}/parties", response_class=HTMLResponse)
async def add_party(case_id: RecordKey, request: Request, page: Page = Depends(page)) -> Response:
    case = _managed_case(page, case_id)
    fields = await form_fields(request)
    form = {f"party_{k}": fields.get(k, "").strip() for k in PARTY_FIELDS}
    name = form["party_name"]
    if not name and form["party_party_id"]:  # a registry party named by its key: its caption
        try:
            name = registry.get_party(page.session, page.viewer, form["party_party_id"]).caption
        except NotFound:
            name = ""
    _, error = attempt(page.session, lambda: cases.add_party(
        page.session, page.viewer, case.id, role=form["party_role"], name=name,
        country=form["party_country"] or None, party_id=form["party_party_id"] or None,
    ))  # fmt: skip
    if error:
        return _draw_case(page, str(case.id), status_code=409 if error.startswith("case ") else 422,
                          errors={"party": error}, form=form)  # fmt: skip
    return see_other(f"/ui/cases/{case.id}", done="party_added")


@router.post("/ui/cases/{case_id}/parties/{party_id}/remove", response_class=HTMLResponse)
async def remove_party(
    case_id: RecordKey, party_id: RecordId, request: Request, page: Page = Depends(page)
) -> Response:
    case = _managed_case(page, case_id)
    fields = await form_fields(request)

    def act():
        return cases.remove_party(page.session, page.viewer, case.id, party_id)

    if not review.confirmed(fields):  # removing is reviewed first: nothing written yet
        refused = review.refusal(page.session, act)
        error = str(refused) if refused else None
        if refused is None:
            row = next(p for p in cases.get_case(page.session, page.viewer, case.id).parties if p.id == party_id)
            return review.review(
                page, action=f"/ui/cases/{case.id}/parties/{party_id}/remove", fields=fields,
                title=N_("Remove %(name)s from case %(ref)s?"), title_args={"name": row.name, "ref": case.reference},
                record=row, record_name=row.name, back=f"/ui/cases/{case.id}",
                details=[(N_("Case"), case.title), (N_("Party"), row.name), (N_("Role"), review.Code(row.role)),
                         (N_("Country"), row.country)],
                consequences=[N_("The party and its screening hits leave the case (the audit log keeps what it "
                                 "was); its name stays on the watch list.")],
                button=N_("Remove the party"),
            )  # fmt: skip
    else:
        _, error = attempt(page.session, act)
    if error:
        if error.startswith("no party"):
            raise PageError(404, NOT_FOUND)
        return _draw_case(page, str(case.id), status_code=409, error=error)
    return see_other(f"/ui/cases/{case.id}", done="party_removed")


@router.post("/ui/cases/{case_id}/items", response_class=HTMLResponse)
async def add_item(case_id: RecordKey, request: Request, page: Page = Depends(page)) -> Response:
    case = _managed_case(page, case_id)
    fields = await form_fields(request)
    form = {f"item_{k}": fields.get(k, "").strip() for k in ITEM_FIELDS}
    _, error = attempt(page.session, lambda: cases.add_item(
        page.session, page.viewer, case.id, description=form["item_description"],
        control_entry=form["item_control_entry"] or None, quantity=_quantity(form["item_quantity"]),
    ))  # fmt: skip
    if error:
        return _draw_case(page, str(case.id), status_code=409 if error.startswith("case ") else 422,
                          errors={"item": error}, form=form)  # fmt: skip
    return see_other(f"/ui/cases/{case.id}", done="item_added")


@router.post("/ui/cases/{case_id}/items/{number}/remove", response_class=HTMLResponse)
async def remove_item(case_id: RecordKey, number: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    case = _managed_case(page, case_id)
    fields = await form_fields(request)

    def act():
        return cases.remove_item(page.session, page.viewer, case.id, number)

    if not review.confirmed(fields):  # removing is reviewed first: nothing written yet
        refused = review.refusal(page.session, act)
        error = str(refused) if refused else None
        if refused is None:
            item = (cases.get_case(page.session, page.viewer, case.id).items or [])[number - 1]
            return review.review(
                page, action=f"/ui/cases/{case.id}/items/{number}/remove", fields=fields,
                title=N_("Remove item %(number)s from case %(ref)s?"),
                title_args={"number": number, "ref": case.reference}, record=case, record_name=case.reference,
                back=f"/ui/cases/{case.id}",
                details=[(N_("Case"), case.title), (N_("Item"), item.get("description")),
                         (N_("Control entry"), item.get("control_entry")), (N_("Quantity"), item.get("quantity"))],
                consequences=[N_("The item leaves the case; the items after it move up one number.")],
                button=N_("Remove the item"),
            )  # fmt: skip
    else:
        _, error = attempt(page.session, act)
    if error:
        if error.startswith("no item"):
            raise PageError(404, NOT_FOUND)
        return _draw_case(page, str(case.id), status_code=409, error=error)
    return see_other(f"/ui/cases/{case.id}", done="item_removed")
