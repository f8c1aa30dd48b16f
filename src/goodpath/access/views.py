"""API routes for logging in and out and for a user's own API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access import auth
from goodpath.access.deps import (
    clear_session_cookie,
    current_viewer,
    require,
    require_login,
    session_cookie,
    set_session_cookie,
)
from goodpath.access.models import ApiToken, User
from goodpath.access.policy import Permission, Viewer, can
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Key, RecordId
from goodpath.core.errors import Refused

router = APIRouter(tags=["auth"])

_CREDENTIALS_SCHEMA = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {"username": {"type": "string"}, "password": {"type": "string", "format": "password"}},
}
# The login body is read by hand (JSON or a URL-encoded form), so describe it for /docs.
_LOGIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _CREDENTIALS_SCHEMA},
            "application/x-www-form-urlencoded": {"schema": _CREDENTIALS_SCHEMA},
        },
    }
}


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def __repr__(self) -> str:  # never show the password in a traceback or a log
        return f"Credentials(username={self.username!r}, password=***)"


async def login_credentials(request: Request) -> Credentials:
    """Username and password from a JSON body or a URL-encoded form."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            fields = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8")).items()}
        else:
            fields = await request.json()
    except ValueError:
        raise HTTPException(422, "send the username and password as JSON or as a form") from None
    username, password = (fields.get(k) if isinstance(fields, dict) else None for k in ("username", "password"))
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise HTTPException(422, "both username and password are required")
    return Credentials(username, password)


THROTTLED = {429: {"description": "Throttled: too many failed logins (wait Retry-After seconds)"}}


@router.post("/auth/login", openapi_extra=_LOGIN_BODY, responses=THROTTLED)
def login(
    request: Request,
    response: Response,
    credentials: Credentials = Depends(login_credentials),
    session: Session = SESSION,
) -> dict:
    """Log in with a password; sets the session cookie and returns the CSRF token to send back.

    Failed logins answer 401; repeated ones are throttled: 429 with ``Retry-After`` (seconds),
    whatever the password, until the delay is over."""
    client = request.client.host if request.client else "unknown"
    try:  # the attempt is recorded (and a refused one audited) even though the request fails
        viewer = auth.authenticate(session, credentials.username, credentials.password, client)
    except auth.TooManyAttempts as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after_seconds)}) from None
    except auth.AuthenticationFailed as exc:
        raise HTTPException(401, str(exc)) from None
    old_cookie = session_cookie(request)
    if old_cookie:  # a fresh session id at every login: no session fixation
        auth.end_browser_session(session, old_cookie)
    cookie_value, csrf_token = auth.create_browser_session(session, session.get(User, viewer.user_id))
    set_session_cookie(response, request, cookie_value)
    return {"username": viewer.username, "role": viewer.role.value, "csrf_token": csrf_token}


@router.post("/auth/logout")
def logout(
    request: Request,
    response: Response,
    viewer: Viewer = Depends(current_viewer),  # checks the CSRF token of a cookie session
    session: Session = SESSION,
) -> dict:
    cookie = session_cookie(request)
    if cookie:
        auth.end_browser_session(session, cookie)
    clear_session_cookie(response, request)
    return {"detail": "logged out"}


@router.get("/auth/me")
def me(viewer: Viewer = Depends(current_viewer)) -> dict:
    return {
        "username": viewer.username,
        "role": viewer.role.value,
        "clearance": viewer.clearance.name,
        "organization": viewer.organization,
        "company": viewer.company_party_id,
    }


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for")
    days: int = Field(30, ge=1, le=auth.MAX_TOKEN_DAYS, description="Days until it expires")


@router.post("/auth/tokens", status_code=201)
def create_token(
    body: TokenRequest,
    request: Request,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """A new API token for yourself. The token is in this response only; keep it safe."""
    if request.state.credential == "token":  # a leaked token must not mint itself successors
        raise HTTPException(403, "create tokens from a login session, not with another token")
    user = session.get(User, viewer.user_id)
    try:
        token, plaintext = auth.create_token(session, user, body.name, body.days, actor=viewer.actor)
    except Refused as exc:
        raise HTTPException(409, str(exc)) from None
    return {"id": token.id, "token": plaintext, "expires_at": token.expires_at}


@router.delete("/auth/tokens/{token_id}")
def revoke_token(token_id: RecordId, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """Revoke one of your tokens (an admin: anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != viewer.user_id and not can(viewer, Permission.MANAGE_USERS)):
        raise HTTPException(404, f"no token {token_id}")  # others' tokens are not even said to exist
    auth.revoke_token(session, token, actor=viewer.actor)
    return {"id": token.id, "revoked_at": token.revoked_at}


# --- user administration: administrators only (users.manage) -------------------------------------

manage_users = require(Permission.MANAGE_USERS)


class ClearanceRequest(BaseModel):
    clearance: str = Field(max_length=40, description="UNCLASSIFIED, CONFIDENTIAL or SECRET")


class OrganizationRequest(BaseModel):
    organization: str = Field(max_length=200, description="Organization code, e.g. USA, CHN, or the company's code")


class NewUserRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64, description="Login name: a-z, 0-9, dot, dash, underscore")
    role: str = Field(max_length=40, description="analyst, approver, partner_officer, company_officer, auditor, admin")
    clearance: str = Field(max_length=40, description="UNCLASSIFIED, CONFIDENTIAL or SECRET")
    organization: str = Field(max_length=200, description="Organization code, e.g. USA, CHN, or the company's code")
    company: str | None = Field(None, max_length=200, description="Company officers: the party id or key")
    display_name: str | None = Field(None, max_length=200)


@router.get("/users")
def list_users(viewer: Viewer = Depends(manage_users), session: Session = SESSION) -> list[dict]:
    """Every account, enabled and disabled (never a password or its hash)."""
    return [auth.user_summary(user) for user in auth.list_users(session)]


@router.post("/users", status_code=201)
def create_user(
    body: NewUserRequest, request: Request, viewer: Viewer = Depends(manage_users), session: Session = SESSION
) -> dict:
    """A new, enabled user with a random password, in this response only. From a login session only,
    as for password resets: a leaked token must not mint accounts with known passwords."""
    if request.state.credential == "token":
        raise HTTPException(403, "create users from a login session, not with a token")
    password = auth.generate_password()
    user = auth.create_user(
        session, body.username, password, body.role, body.clearance, body.organization,
        company_party_id=body.company, display_name=body.display_name, actor=viewer.actor,
    )  # fmt: skip
    return {**auth.user_summary(user), "password": password}


@router.post("/users/{username}/disable")
def disable_user(username: Key, viewer: Viewer = Depends(manage_users), session: Session = SESSION) -> dict:
    """Stop a user: they cannot log in, and their tokens and browser sessions stop working."""
    return auth.user_summary(auth.disable_user(session, username, actor=viewer.actor))


@router.post("/users/{username}/enable")
def enable_user(username: Key, viewer: Viewer = Depends(manage_users), session: Session = SESSION) -> dict:
    """Let a disabled user log in again (their unexpired, unrevoked tokens work again)."""
    return auth.user_summary(auth.enable_user(session, username, actor=viewer.actor))


@router.post("/users/{username}/clearance")
def set_clearance(
    username: Key, body: ClearanceRequest, viewer: Viewer = Depends(manage_users), session: Session = SESSION
) -> dict:
    """Change what a user may read; it applies at their next request."""
    return auth.user_summary(auth.set_clearance(session, username, body.clearance, actor=viewer.actor))


@router.post("/users/{username}/organization")
def set_organization(
    username: Key, body: OrganizationRequest, viewer: Viewer = Depends(manage_users), session: Session = SESSION
) -> dict:
    """Change the organization a user reads for (releasability); it applies at their next request."""
    return auth.user_summary(auth.set_organization(session, username, body.organization, actor=viewer.actor))


@router.post("/users/{username}/password")
def reset_password(
    username: Key, request: Request, viewer: Viewer = Depends(manage_users), session: Session = SESSION
) -> dict:
    """A new random password, in this response only; the user's browser sessions end. From a login
    session only: a leaked token must not turn itself into someone's password."""
    if request.state.credential == "token":
        raise HTTPException(403, "reset passwords from a login session, not with a token")
    user, password = auth.reset_password(session, username, actor=viewer.actor)
    return {"username": user.username, "password": password}


@router.post("/users/{username}/sessions/end")
def end_sessions(username: Key, viewer: Viewer = Depends(manage_users), session: Session = SESSION) -> dict:
    """End every browser session of a user (their API tokens are left alone)."""
    return {"username": username, "sessions_ended": auth.end_user_sessions(session, username, actor=viewer.actor)}
