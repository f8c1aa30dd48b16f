"""User and token administration for administrators: the users (create, disable and enable, clearance,
organization, a new password shown once, ending a user's sessions) and their API tokens (list, create with
the token shown once, revoke).

Every action calls the same ``goodpath.access.auth`` function as ``goodpath users ...`` and
``goodpath tokens ...``, which checks the input and audits the change as the acting admin; a refusal is
shown next to its form with what was typed. Anyone without ``users.manage`` is refused (403), and the
refusal is recorded as every page's is.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from goodpath.access import auth
from goodpath.access.policy import Permission, Role
from goodpath.core.api_types import RecordId
from goodpath.core.errors import NotFound
from goodpath.core.models import Classification
from goodpath.web import review
from goodpath.web.labels import N_
from goodpath.web.pathway_pages import attempt, form_fields, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

NOT_FOUND = N_("There is no such record, or you may not see it.")
ROLES = tuple(r.value for r in Role if r is not Role.PUBLIC)
CLEARANCES = tuple(Classification.__members__)
CREATE_FIELDS = ("username", "display_name", "role", "clearance", "organization", "company", "password")
DONE = {
    "created": N_("The user is created."),
    "disabled": N_("The user is disabled: they cannot log in, and their tokens and sessions stop working."),
    "enabled": N_("The user is enabled again."),
    "clearance": N_("The clearance is changed; it applies at the user's next request."),
    "organization": N_("The organization is changed; it applies at the user's next request."),
    "sessions": N_("The user's browser sessions are ended."),
    "revoked": N_("The token is revoked: it stops working at once."),
}


def _admin(page: Page) -> None:
    page.require_login()
    if not page.can(Permission.MANAGE_USERS):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))


def _user(page: Page, username: str):
    try:
        return auth.get_user(page.session, username)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None


# --- the users ------------------------------------------------------------------------------------


@router.get("/ui/admin/users", response_class=HTMLResponse)
def users_page(done: str = "", page: Page = Depends(page)) -> Response:
    _admin(page)
    return _users(page, done=DONE.get(done))


def _users(page: Page, *, done: str | None = None, status_code: int = 200, form: dict | None = None,
           error: str | None = None, created: dict | None = None) -> Response:  # fmt: skip
    users = [auth.user_summary(u) for u in auth.list_users(page.session)]
    default = {"role": "analyst", "clearance": "UNCLASSIFIED", "organization": page.viewer.organization or ""}
    return page.render(
        "admin_users.html", status_code=status_code, users=users, roles=ROLES, clearances=CLEARANCES,
        form=form or default, error=error, done=done, created=created, create_open=bool(error),
    )  # fmt: skip


@router.post("/ui/admin/users", response_class=HTMLResponse)
async def create_user(request: Request, page: Page = Depends(page)) -> Response:
    _admin(page)
    fields = await form_fields(request)
    form = {k: (fields.get(k) or "").strip() for k in CREATE_FIELDS}
    password = fields.get("password") or ""
    generated = not password
    password = password or auth.generate_password()
    user, error = attempt(page.session, lambda: auth.create_user(
        page.session, form["username"], password, form["role"], form["clearance"], form["organization"],
        company_party_id=form["company"] or None, display_name=form["display_name"] or None, actor=page.viewer.actor,
    ))  # fmt: skip
    form.pop("password")
    if error:
        return _users(page, status_code=409, form=form, error=error)
    summary = auth.user_summary(user)
    # the password is shown on this answer only: goodpath keeps its hash alone
    return _user_page(page, summary["username"], done=DONE["created"],
                      new_password=password if generated else None)  # fmt: skip


# --- one user -------------------------------------------------------------------------------------


@router.get("/ui/admin/users/{username}", response_class=HTMLResponse)
def user_page(username: str, done: str = "", page: Page = Depends(page)) -> Response:
    _admin(page)
    return _user_page(page, username, done=DONE.get(done))


def _user_page(page: Page, username: str, *, done: str | None = None, status_code: int = 200,
               error: str | None = None, errors: dict | None = None, form: dict | None = None,
               new_password: str | None = None, new_token: str | None = None,
               token_form: dict | None = None, token_errors: dict | None = None) -> Response:  # fmt: skip
    user = _user(page, username)
    summary = auth.user_summary(user)
    tokens = [auth.token_summary(t, user) for t in auth.list_tokens(page.session, user.username)]
    return page.render(
        "admin_user.html", status_code=status_code, user=summary, tokens=tokens, roles=ROLES,
        clearances=CLEARANCES, sessions=auth.live_sessions(page.session, user.username), done=done, error=error,
        errors=errors or {}, form=form or {"clearance": summary["clearance"], "organization": summary["organization"]},
        new_password=new_password, own=user.id == page.viewer.user_id, new_token=new_token,
        token_form=token_form or {"name": "", "days": str(TOKEN_DAYS)}, token_errors=token_errors or {},
        max_token_days=auth.MAX_TOKEN_DAYS,
    )  # fmt: skip


def _action(page: Page, username: str, action, done: str, form: dict | None = None) -> Response:
    user = _user(page, username)
    _, error = attempt(page.session, action)
    if error:
        return _user_page(page, user.username, status_code=409, error=error, form=form)
    return see_other(f"/ui/admin/users/{user.username}", done=done)


@router.post("/ui/admin/users/{username}/disable", response_class=HTMLResponse)
async def disable_user(username: str, request: Request, page: Page = Depends(page)) -> Response:
    _admin(page)
    fields = await form_fields(request)
    if not review.confirmed(fields):  # the review step first (web/review.py)
        user = _user(page, username)
        consequences = [N_("They can no longer log in, and their tokens and sessions stop working.")]
        if user.username == page.viewer.actor:
            consequences.append(N_("This is your own account."))
        return review.review(
            page, action=f"/ui/admin/users/{user.username}/disable", fields=fields, title=N_("Disable %(user)s?"),
            title_args={"user": user.username}, record=user, record_name=user.username,
            back=f"/ui/admin/users/{user.username}", changes=[review.Change(N_("Status"), "active", "disabled")],
            details=[(N_("Role"), review.Code(user.role)), (N_("Organization"), user.organization)],
            consequences=consequences, visible_to=ADMIN_AUDIENCE, button=N_("Disable the user"),
        )  # fmt: skip
    return _action(page, username, lambda: auth.disable_user(page.session, username, actor=page.viewer.actor),
                   "disabled")  # fmt: skip


ADMIN_AUDIENCE = N_("Administrators, on the user pages and in the audit log.")


@router.post("/ui/admin/users/{username}/enable", response_class=HTMLResponse)
def enable_user(username: str, page: Page = Depends(page)) -> Response:
    _admin(page)
    return _action(page, username, lambda: auth.enable_user(page.session, username, actor=page.viewer.actor),
                   "enabled")  # fmt: skip


@router.post("/ui/admin/users/{username}/clearance", response_class=HTMLResponse)
async def set_clearance(username: str, request: Request, page: Page = Depends(page)) -> Response:
    _admin(page)
    form = {"clearance": (await form_fields(request)).get("clearance", "").strip()}
    return _action(page, username, lambda: auth.set_clearance(page.session, username, form["clearance"],
                                                              actor=page.viewer.actor), "clearance", form)  # fmt: skip


@router.post("/ui/admin/users/{username}/organization", response_class=HTMLResponse)
async def set_organization(username: str, request: Request, page: Page = Depends(page)) -> Response:
    _admin(page)
    form = {"organization": (await form_fields(request)).get("organization", "").strip()}

    def change():
        return auth.set_organization(page.session, username, form["organization"], actor=page.viewer.actor)

    return _action(page, username, change, "organization", form)


@router.post("/ui/admin/users/{username}/sessions", response_class=HTMLResponse)
def end_sessions(username: str, page: Page = Depends(page)) -> Response:
    _admin(page)
    return _action(page, username, lambda: auth.end_user_sessions(page.session, username, actor=page.viewer.actor),
                   "sessions")  # fmt: skip


@router.post("/ui/admin/users/{username}/password", response_class=HTMLResponse)
def reset_password(username: str, page: Page = Depends(page)) -> Response:
    """A new random password, shown on this answer only; the user's sessions end."""
    _admin(page)
    user = _user(page, username)
    result, error = attempt(page.session, lambda: auth.reset_password(page.session, user.username,
                                                                      actor=page.viewer.actor))  # fmt: skip
    if error:
        return _user_page(page, user.username, status_code=409, error=error)
    return _user_page(page, user.username, done=N_("A new password is set and the user's sessions are ended."),
                      new_password=result[1])  # fmt: skip


# --- tokens ---------------------------------------------------------------------------------------

TOKEN_DAYS = 30  # the default of ``goodpath tokens create --days``


@router.post("/ui/admin/users/{username}/tokens", response_class=HTMLResponse)
async def create_token(username: str, request: Request, page: Page = Depends(page)) -> Response:
    """A new API token for the user (``goodpath tokens create``), shown on this answer only."""
    _admin(page)
    user = _user(page, username)
    fields = await form_fields(request)
    form = {"name": (fields.get("name") or "").strip(), "days": (fields.get("days") or "").strip()}
    try:
        days = int(form["days"]) if form["days"] else TOKEN_DAYS
    except ValueError:
        return _user_page(page, user.username, status_code=409, token_form=form,
                          token_errors={"days": N_("A whole number of days, such as 30.")})  # fmt: skip
    result, error = attempt(page.session, lambda: auth.create_token(page.session, user, form["name"], days,
                                                                    actor=page.viewer.actor))  # fmt: skip
    if error:
        return _user_page(page, user.username, status_code=409, token_form=form, token_errors={"token": error})
    # the token is shown on this answer only: goodpath keeps its hash alone
    return _user_page(page, user.username, done=N_("The token is created."), new_token=result[1])


@router.post("/ui/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_token(token_id: RecordId, request: Request, page: Page = Depends(page)) -> Response:
    _admin(page)
    fields = await form_fields(request)
    try:
        token = auth.get_token(page.session, token_id)
    except NotFound:
        raise PageError(404, NOT_FOUND) from None
    username = token.user.username
    if not review.confirmed(fields) and token.revoked_at is None:  # the review step first (web/review.py)
        return review.review(
            page, action=f"/ui/admin/tokens/{token.id}/revoke", fields=fields, title=N_("Revoke this token?"),
            record=token.user, record_name=username, back=f"/ui/admin/users/{username}",
            changes=[review.Change(N_("Status"), "active", "revoked")],
            details=[(N_("Token"), f"{token.name} · {token.prefix}…")],
            consequences=[N_("It stops working at once: programs that use it are refused.")],
            visible_to=ADMIN_AUDIENCE, button=N_("Revoke"),
        )  # fmt: skip
    return _action(page, username, lambda: auth.revoke_token(page.session, token, actor=page.viewer.actor),
                   "revoked")  # fmt: skip
