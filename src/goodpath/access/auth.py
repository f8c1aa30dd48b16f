"""Who is who: users, password logins, API tokens and browser sessions.

Plain functions over a session; the caller owns the transaction. User and token changes
go through the audit log, attributed to the acting user; login attempts are kept in
``LoginAttempt`` for rate limiting. No password, token or cookie value is ever logged,
printed or stored as given.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from goodpath.access.models import ApiToken, BrowserSession, LoginAttempt, User, aware
from goodpath.access.policy import Role, Viewer
from goodpath.audit import service as audit
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification, utcnow
from goodpath.registry.models import Party

MIN_PASSWORD_LENGTH = 12
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
TOKEN_PREFIX = "gp_"
MAX_TOKEN_DAYS = 365
SESSION_LIFETIME = timedelta(hours=8)
# Rate limiting: failures within the window, per username and per client address.
ATTEMPT_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_CLIENT = 20

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a wrong name costs as much time as
# a wrong password and the response time does not tell which one it was.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AuthenticationFailed(GoodpathError):
    """Credentials were wrong, unknown, expired or revoked. The message never says whose."""


class TooManyAttempts(GoodpathError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after_seconds} seconds")
        self.retry_after_seconds = retry_after_seconds


WRONG_LOGIN = "wrong username or password"


# --- passwords -------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- users -----------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    return username.strip().lower()


def get_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == normalize_username(username))).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str | Role,
    clearance: str | Classification,
    organization: str,
    company_party_id: str | None = None,
    display_name: str | None = None,
    *,
    actor: str,
) -> User:
    """A new, enabled user. ``company_party_id`` may be a party id or key (company officers only)."""
    username = normalize_username(username)
    role = _valid_role(role)
    clearance_name = _valid_clearance(clearance)
    organization = (organization or "").strip()
    _check_username(session, username)
    _check_password(password)
    if not organization:
        raise Refused("an organization is required (e.g. USA, CHN, or the company's code)")
    party_id = _company_for(session, role, company_party_id)
    user = User(
        username=username,
        display_name=(display_name or "").strip() or username,
        role=role.value,
        clearance=clearance_name,
        organization=organization,
        company_party_id=party_id,
        password_hash=hash_password(password),
        disabled=False,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="users.create", target_type="user", target_id=username,
                 after=user_summary(user))  # fmt: skip
    return user


def _valid_role(role: str | Role) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = None
    if parsed is None or parsed is Role.PUBLIC:
        choices = ", ".join(r.value for r in Role if r is not Role.PUBLIC)
        raise Refused(f"unknown role {str(role)!r}; choose one of {choices}")
    return parsed


def _valid_clearance(clearance: str | Classification) -> str:
    name = clearance.name if isinstance(clearance, Classification) else str(clearance).strip().upper()
    if name not in Classification.__members__:
        raise Refused(f"unknown clearance {str(clearance)!r}; choose one of {', '.join(Classification.__members__)}")
    return name


def _check_username(session: Session, username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise Refused(f"username {username!r} is not allowed: 2 to 64 characters of a-z, 0-9, dot, dash or underscore")
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise Refused(f"a user named {username!r} already exists")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


def _company_for(session: Session, role: Role, company: str | None) -> str | None:
    """The party id a user is bound to: required for company officers, refused for anyone else."""
    if role is not Role.COMPANY_OFFICER:
        if company:
            raise Refused(f"only a {Role.COMPANY_OFFICER.value} is bound to a company; {role.value} is not")
        return None
    if not company:
        raise Refused(f"a {Role.COMPANY_OFFICER.value} needs a company (the party id or key it acts for)")
    party_id = session.scalars(select(Party.id).where(or_(Party.id == company, Party.key == company))).first()
    if party_id is None:
        raise Refused(f"no party {company!r} to bind the company officer to")
    return party_id


def disable_user(session: Session, username: str, *, actor: str) -> User:
    """Disabled users cannot log in, and their tokens and sessions stop working."""
    user = get_user(session, username)
    if user.disabled:
        return user
    user.disabled = True
    session.flush()
    audit.record(session, actor=actor, action="users.disable", target_type="user", target_id=user.username,
                 before={"disabled": False}, after={"disabled": True})  # fmt: skip
    return user


def user_summary(user: User) -> dict:
    """What may be shown about a user (never the password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "clearance": user.clearance,
        "organization": user.organization,
        "company_party_id": user.company_party_id,
        "disabled": user.disabled,
        "language": user.language,
        "created_at": aware(user.created_at).isoformat() if user.created_at else None,
    }


def viewer_of(user: User) -> Viewer:
    return Viewer(
        role=Role(user.role),
        clearance=Classification[user.clearance],
        organization=user.organization,
        user_id=user.id,
        username=user.username,
        company_party_id=user.company_party_id,
    )


# --- password login --------------------------------------------------------------------


def authenticate(session: Session, username: str, password: str, client: str) -> Viewer:
    """The viewer for a correct, enabled login; every attempt is recorded.

    Raises ``TooManyAttempts`` (even for the right password) while rate-limited, and
    ``AuthenticationFailed`` alike for an unknown name, a wrong password or a disabled
    user. The attempt is only flushed: commit even when this raises, or it is not counted.
    """
    username = normalize_username(username)[:64]
    client = (client or "unknown")[:64]
    now = utcnow()
    wait = _retry_after(session, username, client, now)
    if wait is not None:
        _record_attempt(session, username, client, now, success=False)
        raise TooManyAttempts(wait)
    user = session.scalars(select(User).where(User.username == username)).first()
    if not _password_matches(user, password) or user.disabled:
        _record_attempt(session, username, client, now, success=False)
        raise AuthenticationFailed(WRONG_LOGIN)
    _record_attempt(session, username, client, now, success=True)
    return viewer_of(user)


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        verify_password(_DUMMY_HASH, password)  # same cost as a real check
        return False
    if not verify_password(user.password_hash, password):
        return False
    if _hasher.check_needs_rehash(user.password_hash):  # parameters were raised since it was hashed
        user.password_hash = hash_password(password)
    return True


def _record_attempt(session: Session, username: str, client: str, at: datetime, *, success: bool) -> None:
    session.add(LoginAttempt(username=username, client=client, at=at, success=success))
    session.flush()


def _retry_after(session: Session, username: str, client: str, now: datetime) -> int | None:
    """Seconds until a login may be tried again, or None if it may be tried now.

    A username's failures count since its last successful login; a client's failures are
    never reset, so logging into one's own account does not unlock guessing at others."""
    since = now - ATTEMPT_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.success.is_(True))
    )
    user_since = max(since, aware(last_success)) if last_success is not None else since
    waits = [
        _wait_for(session, LoginAttempt.username == username, user_since, MAX_FAILURES_PER_USERNAME, now),
        _wait_for(session, LoginAttempt.client == client, since, MAX_FAILURES_PER_CLIENT, now),
    ]
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else None


def _wait_for(session: Session, who, since: datetime, limit: int, now: datetime) -> int | None:
    failures = list(
        session.scalars(
            select(LoginAttempt.at)
            .where(who, LoginAttempt.success.is_(False), LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        )
    )
    if len(failures) < limit:
        return None
    # Below the limit again once the limit-th most recent failure leaves the window.
    free_at = aware(failures[-1]) + ATTEMPT_WINDOW
    return max(1, math.ceil((free_at - now).total_seconds()))


# --- API tokens ------------------------------------------------------------------------


def create_token(session: Session, user: User, name: str, days: int = 30, *, actor: str | None = None) -> tuple:
    """A new token for ``user``: ``(ApiToken, plaintext)``. The plaintext exists only here."""
    name = (name or "").strip()
    if not name:
        raise Refused("a token needs a name (what it is for)")
    if not 0 <= days <= MAX_TOKEN_DAYS:
        raise Refused(f"a token lasts between 0 and {MAX_TOKEN_DAYS} days, not {days}")
    if user.disabled:
        raise Refused(f"user {user.username!r} is disabled")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=_digest(plaintext), prefix=plaintext[:8],
                     created_at=now, expires_at=now + timedelta(days=days))  # fmt: skip
    session.add(token)
    session.flush()
    audit.record(session, actor=actor or user.username, action="tokens.create", target_type="api_token",
                 target_id=str(token.id), after=token_summary(token, user))  # fmt: skip
    return token, plaintext


def get_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id}")
    return token


def revoke_token(session: Session, token: ApiToken, *, actor: str) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    session.flush()
    audit.record(session, actor=actor, action="tokens.revoke", target_type="api_token", target_id=str(token.id),
                 before={"revoked_at": None}, after={"revoked_at": token.revoked_at})  # fmt: skip
    return token


def list_tokens(session: Session, username: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).join(User).order_by(ApiToken.id)
    if username:
        query = query.where(User.username == get_user(session, username).username)
    return list(session.scalars(query))


def token_summary(token: ApiToken, user: User | None = None) -> dict:
    """What may be shown about a token: never the token nor its hash."""
    return {
        "id": token.id,
        "username": (user or token.user).username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": aware(token.created_at),
        "expires_at": aware(token.expires_at),
        "revoked_at": aware(token.revoked_at),
        "last_used_at": aware(token.last_used_at),
    }


def viewer_for_token(session: Session, plaintext: str) -> Viewer:
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(plaintext))).first()
    if token is None or token.user.disabled:
        raise AuthenticationFailed("invalid token")
    if token.revoked_at is not None:
        raise AuthenticationFailed("token revoked")
    now = utcnow()
    if aware(token.expires_at) <= now:
        raise AuthenticationFailed("token expired")
    # At most one write a minute per token: busy clients do not turn every read into a write.
    if token.last_used_at is None or now - aware(token.last_used_at) > timedelta(minutes=1):
        token.last_used_at = now
    return viewer_of(token.user)


# --- browser sessions ------------------------------------------------------------------


def create_browser_session(session: Session, user: User) -> tuple[str, str]:
    """A new login session: ``(cookie_value, csrf_token)``; only the cookie's hash is kept."""
    cookie_value = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(BrowserSession(user_id=user.id, session_hash=_digest(cookie_value), csrf_token=csrf_token,
                               created_at=now, expires_at=now + SESSION_LIFETIME))  # fmt: skip
    session.flush()
    return cookie_value, csrf_token


def _browser_session(session: Session, cookie_value: str) -> BrowserSession | None:
    return session.scalars(select(BrowserSession).where(BrowserSession.session_hash == _digest(cookie_value))).first()


def viewer_for_session(session: Session, cookie_value: str) -> tuple[Viewer, str]:
    """``(viewer, csrf_token)`` of a live session."""
    browser = _browser_session(session, cookie_value)
    if browser is None or browser.user.disabled:
        raise AuthenticationFailed("invalid session")
    if browser.revoked_at is not None:
        raise AuthenticationFailed("session ended")
    if aware(browser.expires_at) <= utcnow():
        raise AuthenticationFailed("session expired")
    return viewer_of(browser.user), browser.csrf_token


def end_browser_session(session: Session, cookie_value: str) -> None:
    browser = _browser_session(session, cookie_value)
    if browser is not None and browser.revoked_at is None:
        browser.revoked_at = utcnow()
        session.flush()
