"""The HTML pages: thin handlers over the same services as the API, through the same policy.

Every read takes the page's ``Viewer``; a record the viewer may not read is "not found",
exactly as in the API. Forms post back to the page that drew them, keep what was typed
when they are refused, and show each error next to its field.
"""

from __future__ import annotations

import importlib
import re
from datetime import date
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodpath.access import auth, followups
from goodpath.access.deps import clear_session_cookie, session_cookie, set_session_cookie
from goodpath.access.models import User
from goodpath.access.policy import PUBLIC, Permission, Role
from goodpath.access.records import readable
from goodpath.audit import reading
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Offset
from goodpath.core.errors import GoodpathError, NotFound
from goodpath.core.models import utcnow
from goodpath.engagement import cases, consultations, disclosures, pledges
from goodpath.engagement.case_metrics import open_by_age
from goodpath.pathway.models import PathwayProposal
from goodpath.registry import service as registry
from goodpath.screening import monitoring
from goodpath.screening import service as screening
from goodpath.web import i18n, sanction_pages
from goodpath.web.company_home import company_home, dossier_or_none, pathway_of
from goodpath.web.labels import N_
from goodpath.web.rendering import Page, page, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
SCHEMATA = ("Company", "Organization", "Person", "LegalEntity", "Vessel", "Airplane")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
NOT_FOUND = N_("There is no such record, or you may not see it.")
AWAITING_PARTNER = ("raised", "acknowledged", "under_investigation")


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other hosts, ``//x``, ``/\\x``) is the default."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target


# --- home, by role ----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(page: Page = Depends(page)) -> Response:
    role = page.viewer.role
    if role in (Role.ANALYST, Role.APPROVER):
        return page.render("home_official.html", **_official_queue(page))
    if role is Role.PARTNER_OFFICER:
        return page.render("home_partner.html", **_partner_queue(page))
    if role is Role.COMPANY_OFFICER:
        return page.render("home_company.html", **company_home(page))
    if role is Role.PUBLIC:
        return page.render("register.html", **_register(page))
    return page.render("home_other.html", **_other_home(page))


def _official_queue(page: Page) -> dict:
    session, viewer = page.session, page.viewer
    today = utcnow().date()
    open_cases = sorted(cases.list_cases(session, viewer, open_only=True), key=lambda c: (c["raised_on"], c["id"]))
    for case in open_cases:
        case["age_days"] = (today - date.fromisoformat(case["raised_on"])).days
    alerts = _alerts_to_triage(page)
    alert_records = monitoring.alert_records(session, viewer, [a["id"] for a in alerts["results"]])
    return {
        "ages": open_by_age(session, viewer, today),
        "open_cases": open_cases,
        "overdue_pledges": pledges.list_pledges(session, viewer, overdue=True, today=today),
        "overdue_consultations": consultations.list_consultations(session, viewer, overdue_only=True, today=today),
        "alerts": alerts,
        "alert_records": alert_records,
        "proposals": _pending_proposals(page),
    }


ALERTS_SHOWN = 10
TRIAGE_STATUSES = ("open", "escalated")  # an alert still to be dealt with (acknowledged ones are done)


def _alerts_to_triage(page: Page) -> dict:
    """The open and escalated alerts the viewer may read: their total and the newest few."""
    found = [monitoring.list_alerts(page.session, page.viewer, status=s, limit=ALERTS_SHOWN) for s in TRIAGE_STATUSES]
    newest = sorted((a for f in found for a in f["results"]), key=lambda a: a["id"], reverse=True)
    return {"total": sum(f["total"] for f in found), "results": newest[:ALERTS_SHOWN]}


def _pending_proposals(page: Page) -> list[dict]:
    query = readable(page.session, page.viewer, PathwayProposal).where(PathwayProposal.status == "pending")
    rows = []
    for proposal in page.session.scalars(query.order_by(PathwayProposal.proposed_at, PathwayProposal.id)):
        try:
            caption = registry.get_party(page.session, page.viewer, proposal.party_id).caption
        except NotFound:
            continue  # a proposal about a company the viewer may not see is not shown either
        rows.append({"record": proposal, "caption": caption})
    return rows


def _partner_queue(page: Page) -> dict:
    open_cases = cases.list_cases(page.session, page.viewer, open_only=True)
    waiting = sorted((c for c in open_cases if c["status"] in AWAITING_PARTNER), key=lambda c: c["raised_on"])
    today = utcnow().date()
    for case in waiting:
        case["age_days"] = (today - date.fromisoformat(case["raised_on"])).days
    return {"waiting": waiting, "tracks": consultations.list_consultations(page.session, page.viewer, today=today)}


DISCLOSURE_FIELDS = ("counterparty", "counterparty_country", "items", "value", "currency", "period_from", "period_to")


@router.post("/ui/disclosures", response_class=HTMLResponse)
async def disclose(request: Request, page: Page = Depends(page)) -> Response:
    """A company officer discloses business with a country of concern; the counterparty is screened at once."""
    page.require_login()
    if page.viewer.role is not Role.COMPANY_OFFICER or not page.can(Permission.SUBMIT_DISCLOSURES):
        return page.render("error.html", status_code=403, title=N_("Not allowed"),
                           message=N_("Your role does not allow this."))  # fmt: skip
    fields = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    form = {k: (fields.get(k) or [""])[0].strip() for k in DISCLOSURE_FIELDS}
    form["counterparty_country"] = form["counterparty_country"].upper()
    form["currency"] = form["currency"].upper()
    errors: dict[str, str] = {}
    if not form["counterparty"]:
        errors["counterparty"] = N_("Name the counterparty.")
    elif len(form["counterparty"]) > 500:
        errors["counterparty"] = N_("A name is at most 500 characters long.")
    if not COUNTRY.match(form["counterparty_country"]):
        errors["counterparty_country"] = N_("Use a two-letter country code, such as CN or US.")
    if not form["items"]:
        errors["items"] = N_("Describe the items or services.")
    value = None
    if form["value"]:
        try:
            value = float(form["value"].replace(",", ""))
            if value < 0 or value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        except ValueError:
            errors["value"] = N_("Write the value as a number of at least 0.")
        if not re.fullmatch(r"[A-Z]{3}", form["currency"]):
            errors["currency"] = N_("A value needs its currency, such as USD.")
    elif form["currency"] and not re.fullmatch(r"[A-Z]{3}", form["currency"]):
        errors["currency"] = N_("Use a three-letter currency code, such as USD.")
    days = {}
    for key in ("period_from", "period_to"):
        days[key] = _day(form[key])
        if form[key] and days[key] is None:
            errors[key] = N_("Use a date such as 2007-09-01.")
    if days["period_from"] and days["period_to"] and days["period_from"] > days["period_to"]:
        errors["period_to"] = N_("The period ends before it starts.")
    if not errors:
        try:
            with page.session.begin_nested():
                record = disclosures.add_disclosure(
                    page.session, page.viewer, page.viewer.company_party_id, counterparty=form["counterparty"],
                    counterparty_country=form["counterparty_country"], items=form["items"], value=value,
                    currency=form["currency"] or None, period_from=days["period_from"], period_to=days["period_to"],
                )  # fmt: skip
        except GoodpathError as exc:
            context = company_home(page, disclosure_form=form, disclosure_error=str(exc))
            return page.render("home_company.html", status_code=409, **context)
        return RedirectResponse(f"/?done=disclosed&disclosure={record.id}#disclosures", status_code=303)
    return page.render("home_company.html", status_code=422,
                       **company_home(page, disclosure_form=form, disclosure_errors=errors))  # fmt: skip


def _day(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _other_home(page: Page) -> dict:
    """An auditor's home: the audit log in brief and the chain check; an administrator's: the users and the
    follow-up work (how much is pending or failed, a link to its page)."""
    out: dict = {"audit": None, "users": None, "followups": None}
    if page.can(Permission.READ_AUDIT) or page.can(Permission.VERIFY_AUDIT):
        latest = reading.entries(page.session, page.viewer, limit=8)
        can_read_entries = page.can(Permission.READ_AUDIT)
        out["audit"] = {
            "total": latest["total"], "can_read": can_read_entries, "can_verify": page.can(Permission.VERIFY_AUDIT),
            "latest": latest["results"] if can_read_entries else [],
        }  # fmt: skip
    if page.can(Permission.MANAGE_USERS):
        out["users"] = [auth.user_summary(user) for user in auth.list_users(page.session)]
    if page.can(Permission.MANAGE_FOLLOWUPS):
        out["followups"] = followups.counts(page.session, page.viewer)
    return out


# --- the public recognition register ----------------------------------------------------------


@router.get("/register", response_class=HTMLResponse)
def register_page(page: Page = Depends(page)) -> Response:
    return page.render("register.html", **_register(page))


def _register(page: Page) -> dict:
    """The recognition register and the stigma list, read lazily from ``goodpath.pathway.register``:
    until that service is there (or if it fails), the page says there are no entries yet."""
    try:
        module = importlib.import_module("goodpath.pathway.register")
    except ImportError:
        return {"recognition": [], "stigma": [], "available": False}
    lists = {}
    for which in ("recognition", "stigma"):
        try:
            lists[which] = list(module.register(page.session, page.viewer, which))
        except (GoodpathError, TypeError, ValueError, AttributeError):
            lists[which] = []
    try:  # earlier entries (withdrawn or superseded), so that every public step stays readable
        everything = [e for which in ("recognition", "stigma")
                      for e in module.register(page.session, page.viewer, which, include_past=True)]  # fmt: skip
        lists["past"] = sorted((e for e in everything if e.status != "current"),
                               key=lambda e: (e.published_on, e.id), reverse=True)  # fmt: skip
    except (GoodpathError, TypeError, ValueError, AttributeError):
        lists["past"] = []
    return {**lists, "available": True}


# --- logging in and out -----------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", page: Page = Depends(page)) -> Response:
    if page.logged_in:
        return RedirectResponse(safe_next(next), status_code=303)
    return page.render("login.html", next=safe_next(next), username="", errors={})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session=SESSION) -> Response:
    """Not through ``page``: a stale session cookie must not stand in the way of logging in."""
    fields = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    # the password check (Argon2) and the database work block: off the event loop
    return await run_in_threadpool(_login, request, session, fields)


def _login(request: Request, session: Session, fields: dict[str, str]) -> Response:
    username, password = fields.get("username", "").strip(), fields.get("password", "")
    target = safe_next(fields.get("next"))
    language = i18n.choose_language(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))
    errors: dict[str, str] = {}
    retry_after = None
    if not username:
        errors["username"] = N_("Enter your username.")
    if not password:
        errors["password"] = N_("Enter your password.")
    if not errors:
        client = request.client.host if request.client else "unknown"
        try:  # the attempt is recorded (and a refused one audited) in a transaction of its own
            viewer = auth.authenticate(session, username, password, client)
        except auth.TooManyAttempts as exc:
            errors["form"] = N_("Too many failed logins. Try again in %(seconds)s seconds.")
            errors["seconds"] = str(exc.retry_after_seconds)
            retry_after = exc.retry_after_seconds
        except auth.AuthenticationFailed:
            errors["form"] = N_("Wrong username or password.")
    if errors:
        response = render(request, "login.html", viewer=PUBLIC, csrf_token=None, language=language,
                          status_code=429 if retry_after else 422, next=target, username=username,
                          errors=errors)  # fmt: skip
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response
    old_cookie = session_cookie(request)
    if old_cookie:  # a fresh session at every login: no session fixation
        auth.end_browser_session(session, old_cookie)
    user = session.get(User, viewer.user_id)
    cookie_value, _ = auth.create_browser_session(session, user)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, cookie_value)
    if i18n.LANG_COOKIE not in request.cookies and user.language in i18n.LANGUAGES:
        _set_language_cookie(response, request, user.language)
    return response


@router.post("/logout")
def logout(request: Request, page: Page = Depends(page)) -> Response:
    """Ends the session (the CSRF token of the form was checked by ``page``)."""
    cookie = session_cookie(request)
    if cookie:
        auth.end_browser_session(page.session, cookie)
    response = RedirectResponse("/login?logged_out=1", status_code=303)
    clear_session_cookie(response, request)
    return response


# --- language ---------------------------------------------------------------------------------


@router.post("/language")
async def switch_language(request: Request, page: Page = Depends(page)) -> Response:
    fields = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    language = fields.get("language", "")
    target = safe_next(fields.get("next"))
    response = RedirectResponse(target, status_code=303)
    if language not in i18n.LANGUAGES:
        return response
    _set_language_cookie(response, request, language)
    if page.logged_in:  # remembered for the user's next login, on any browser
        user = page.session.get(User, page.viewer.user_id)
        if user is not None and user.language != language:
            user.language = language
    return response


def _set_language_cookie(response: Response, request: Request, language: str) -> None:
    response.set_cookie(i18n.LANG_COOKIE, language, max_age=365 * 24 * 3600, path="/", samesite="lax",
                        secure=request.url.scheme == "https")  # fmt: skip


# --- parties ----------------------------------------------------------------------------------


@router.get("/ui/parties", response_class=HTMLResponse)
def parties(q: str = "", offset: Offset = 0, include_delisted: bool = False, page: Page = Depends(page)) -> Response:
    q, offset = q.strip(), max(offset, 0)
    if q:
        total, rows = registry.search_parties(page.session, page.viewer, q, limit=PAGE_SIZE, offset=offset,
                                              include_delisted=include_delisted)  # fmt: skip
    else:
        total, rows = registry.list_parties(page.session, page.viewer, limit=PAGE_SIZE, offset=offset)
    return page.render("parties.html", q=q, total=total, parties=rows, offset=offset, page_size=PAGE_SIZE,
                       include_delisted=include_delisted)  # fmt: skip


@router.get("/ui/parties/{party_id}", response_class=HTMLResponse)
def party_page(party_id: str, page: Page = Depends(page)) -> Response:
    session, viewer = page.session, page.viewer
    try:
        party = registry.get_party(session, viewer, party_id)
    except NotFound:
        return _not_found(page)
    return page.render(
        "party.html",
        party=party,
        **registry.party_profile(session, viewer, party),
        pathway=pathway_of(page, party),
        dossier_visible=dossier_or_none(page, party.id) is not None,
        hits=monitoring.alerts_of_party(session, viewer, party.id, limit=20),
        record_forms=sanction_pages.forms(page, party, page.request.query_params),
    )


def _not_found(page: Page) -> Response:
    return page.render("error.html", status_code=404, title=N_("Not found"), message=NOT_FOUND)


# --- screening --------------------------------------------------------------------------------


@router.get("/screening", response_class=HTMLResponse)
def screening_page(
    request: Request, name: str | None = None, country: str = "", schema: str = "", page: Page = Depends(page)
) -> Response:
    page.require_login()
    form = {"name": (name or "").strip(), "country": country.strip().upper(), "schema": schema.strip()}
    errors: dict[str, str] = {}
    result = None
    if name is not None:  # the form was sent
        if not form["name"]:
            errors["name"] = N_("Enter a name to screen.")
        elif len(form["name"]) > 500:
            errors["name"] = N_("A name is at most 500 characters long.")
        if form["country"] and not COUNTRY.match(form["country"]):
            errors["country"] = N_("Use a two-letter country code, such as CN or US.")
        if form["schema"] and form["schema"] not in SCHEMATA:
            errors["schema"] = N_("Choose a type from the list.")
        if not errors:
            result = screening.screen(page.session, page.viewer, form["name"], country=form["country"] or None,
                                      schema=form["schema"] or None, limit=10)  # fmt: skip
            for hit in result["hits"]:
                hit["record"] = screening.marked_record(page.session, hit)
    status = 422 if errors else 200
    return page.render("screening.html", status_code=status, form=form, errors=errors, result=result,
                       schemata=SCHEMATA)  # fmt: skip
