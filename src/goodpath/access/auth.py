"""Who is who: users, password logins, API tokens and browser sessions.

Plain functions over a session; the caller owns the transaction. User and token changes
go through the audit log, attributed to the acting user, and the ``goodpath.security`` log;
login attempts are kept in ``LoginAttempt`` for throttling, and failed or throttled ones are
audited too. No password, token or cookie value is ever logged, printed or stored as given.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import column, func, or_, select, table
from sqlalchemy.orm import Session

from goodpath.access import security_events
from goodpath.access.models import ApiToken, BrowserSession, LoginAttempt, User, aware
from goodpath.access.policy import Role, Viewer
from goodpath.core import audit_log as audit
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification, utcnow
from goodpath.core.settings import get_settings

MIN_PASSWORD_LENGTH = 12
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
TOKEN_PREFIX = "gp_"
MAX_TOKEN_DAYS = 365
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)  # a session's last-seen time is written at most this often

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
    security_events.emit("users.create", actor=actor, username=username, role=user.role, clearance=user.clearance)
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


# The registry's parties, known here only as the table a company officer's binding refers to.
_PARTY = table("party", column("id"), column("key"))


def _company_for(session: Session, role: Role, company: str | None) -> str | None:
    """The party id a user is bound to: required for company officers, refused for anyone else."""
    if role is not Role.COMPANY_OFFICER:
        if company:
            raise Refused(f"only a {Role.COMPANY_OFFICER.value} is bound to a company; {role.value} is not")
        return None
    if not company:
        raise Refused(f"a {Role.COMPANY_OFFICER.value} needs a company (the party id or key it acts for)")
    party_id = session.scalars(select(_PARTY.c.id).where(or_(_PARTY.c.id == company, _PARTY.c.key == company))).first()
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
    security_events.emit("users.disable", actor=actor, username=user.username)
    return user


def enable_user(session: Session, username: str, *, actor: str) -> User:
    """Let a disabled user log in again (their old tokens work again until they expire or are revoked)."""
    user = get_user(session, username)
    if not user.disabled:
        return user
    user.disabled = False
    session.flush()
    audit.record(session, actor=actor, action="users.enable", target_type="user", target_id=user.username,
                 before={"disabled": True}, after={"disabled": False})  # fmt: skip
    security_events.emit("users.enable", actor=actor, username=user.username)
    return user


def set_clearance(session: Session, username: str, clearance: str | Classification, *, actor: str) -> User:
    """Change what a user may read; it applies at their next request."""
    user = get_user(session, username)
    name = _valid_clearance(clearance)
    if name == user.clearance:
        return user
    before, user.clearance = user.clearance, name
    session.flush()
    audit.record(session, actor=actor, action="users.clearance", target_type="user", target_id=user.username,
                 before={"clearance": before}, after={"clearance": name})  # fmt: skip
    security_events.emit("users.clearance", actor=actor, username=user.username, before=before, after=name)
    return user


def set_organization(session: Session, username: str, organization: str, *, actor: str) -> User:
    """Change the organization a user reads for (releasability); it applies at their next request."""
    user = get_user(session, username)
    organization = (organization or "").strip()
    if not organization:
        raise Refused("an organization is required (e.g. USA, CHN, or the company's code)")
    if len(organization) > 40:
        raise Refused("an organization code is at most 40 characters long")
    if organization == user.organization:
        return user
    before, user.organization = user.organization, organization
    session.flush()
    audit.record(session, actor=actor, action="users.organization", target_type="user", target_id=user.username,
                 before={"organization": before}, after={"organization": organization})  # fmt: skip
    security_events.emit("users.organization", actor=actor, username=user.username, before=before,
                         after=organization)  # fmt: skip
    return user


def generate_password() -> str:
    """A new random password, comfortably longer than the minimum."""
    return secrets.token_urlsafe(18)


def reset_password(session: Session, username: str, *, actor: str) -> tuple[User, str]:
    """A new random password for ``username``: ``(user, password)``, the password to be shown once;
    the user's browser sessions end (whoever knew the old password is logged out)."""
    user = get_user(session, username)
    password = generate_password()
    user.password_hash = hash_password(password)
    ended = _end_sessions(session, user)
    session.flush()
    audit.record(session, actor=actor, action="users.reset_password", target_type="user", target_id=user.username,
                 after={"sessions_ended": ended})  # fmt: skip
    security_events.emit("users.reset_password", actor=actor, username=user.username, sessions_ended=ended)
    return user, password


def _end_sessions(session: Session, user: User) -> int:
    now = utcnow()
    live = session.scalars(select(BrowserSession).where(BrowserSession.user_id == user.id,
                                                        BrowserSession.revoked_at.is_(None))).all()  # fmt: skip
    for browser in live:
        browser.revoked_at = now
    return len(live)


def end_user_sessions(session: Session, username: str, *, actor: str) -> int:
    """End every browser session of ``username`` (their API tokens are left alone); how many ended."""
    user = get_user(session, username)
    ended = _end_sessions(session, user)
    session.flush()
    audit.record(session, actor=actor, action="users.end_sessions", target_type="user", target_id=user.username,
                 after={"sessions_ended": ended})  # fmt: skip
    security_events.emit("users.end_sessions", actor=actor, username=user.username, sessions_ended=ended)
    return ended


def live_sessions(session: Session, username: str) -> int:
    """How many browser sessions of ``username`` are not ended (expired ones included until they are)."""
    user = get_user(session, username)
    now = utcnow()
    rows = session.scalars(select(BrowserSession).where(BrowserSession.user_id == user.id,
                                                        BrowserSession.revoked_at.is_(None))).all()  # fmt: skip
    return sum(1 for b in rows if aware(b.expires_at) > now)


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

    Raises ``TooManyAttempts`` (unchecked, even for the right password) while throttled, and
    ``AuthenticationFailed`` alike for an unknown name, a wrong password or a disabled user.
    Attempts, and the audit entries of failed and throttled ones, are committed in a
    transaction of their own (the request that fails is rolled back): ``session`` must hold
    no uncommitted writes here."""
    username = normalize_username(username)[:64]
    client = (client or "unknown")[:64]
    now = utcnow()
    wait = retry_after(session, username, client, now)
    if wait is not None:
        _note_attempt(session, username, client, now, outcome="throttled", retry_after=wait)
        raise TooManyAttempts(wait)
    user = session.scalars(select(User).where(User.username == username)).first()
    if not _password_matches(user, password) or user.disabled:
        reason = "unknown user" if user is None else "disabled user" if user.disabled else "wrong password"
        _note_attempt(session, username, client, now, outcome="failed", reason=reason)
        raise AuthenticationFailed(WRONG_LOGIN)
    _note_attempt(session, username, client, now, outcome="success")
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


def _note_attempt(session: Session, username: str, client: str, at: datetime, *, outcome: str, **details) -> None:
    """The attempt, and for a refused one its audit entry, in a transaction of their own."""
    if outcome == "success":
        security_events.emit("auth.login", username=username, client=client)
    with security_events.apart(session) as own:
        own.add(LoginAttempt(username=username, client=client, at=at, success=outcome == "success",
                             throttled=outcome == "throttled"))  # fmt: skip
        if outcome != "success":
            # A throttled client hammering the login is audited once a minute per account (and always logged).
            security_events.audited(own, actor="public", action=f"auth.login_{outcome}", target_type="login",
                                    target_id=username, level=logging.WARNING,
                                    quiet_seconds=60 if outcome == "throttled" else None,
                                    username=username, client=client, **details)  # fmt: skip


def retry_after(session: Session, username: str, client: str, now: datetime | None = None) -> int | None:
    """Seconds until ``client`` may try a password for ``username`` again, or None if it may now.

    Three counts of recent failures, each with a delay that starts after some free failures and
    doubles with every further one (see ``AccessSettings``): the (account, client) pair's, since
    that pair's last success; the client's across all accounts, never reset (logging into one's
    own account does not unlock guessing at others'); and the account's across all clients, since
    its last success — capped low, and not applied to a client that logged into the account
    recently, so that failures elsewhere never keep the owner out for long."""
    limits = get_settings().access
    now = now or utcnow()
    window_start = now - timedelta(minutes=limits.login_window_minutes)
    pair = (LoginAttempt.username == username, LoginAttempt.client == client)
    account = (LoginAttempt.username == username,)
    base, cap = limits.login_base_delay_seconds, limits.login_max_delay_seconds
    waits = [
        _wait(session, pair, _since(session, pair, window_start), limits.login_free_failures, base, cap, now),
        _wait(session, (LoginAttempt.client == client,), window_start, limits.login_client_free_failures, base, cap,
              now),
    ]  # fmt: skip
    if not _known_client(session, username, client, now - timedelta(days=limits.login_known_client_days)):
        since = _since(session, account, window_start)
        waits.append(_wait(session, account, since, limits.login_account_free_failures, base,
                           limits.login_account_max_delay_seconds, now))  # fmt: skip
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else None


def _since(session: Session, who: tuple, window_start: datetime) -> datetime:
    """The window's start, or the last success of ``who`` if later."""
    last = session.scalar(select(func.max(LoginAttempt.at)).where(*who, LoginAttempt.success.is_(True)))
    return max(window_start, aware(last)) if last is not None else window_start


def _known_client(session: Session, username: str, client: str, since: datetime) -> bool:
    query = select(LoginAttempt.id).where(LoginAttempt.username == username, LoginAttempt.client == client,
                                          LoginAttempt.success.is_(True), LoginAttempt.at > since)  # fmt: skip
    return session.scalars(query.limit(1)).first() is not None


def _wait(session: Session, who: tuple, since: datetime, free: int, base: int, cap: int, now: datetime) -> int | None:
    failures, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            *who, LoginAttempt.success.is_(False), LoginAttempt.throttled.is_(False), LoginAttempt.at > since
        )
    ).one()
    if failures <= free:
        return None
    delay = min(cap, base * 2 ** min(failures - free - 1, 30))
    seconds = math.ceil((aware(last) + timedelta(seconds=delay) - now).total_seconds())
    return seconds if seconds > 0 else None


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
    security_events.emit("tokens.create", actor=actor or user.username, token_id=token.id, prefix=token.prefix,
                         username=user.username, expires_at=token.expires_at.isoformat())  # fmt: skip
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
    security_events.emit("tokens.revoke", actor=actor, token_id=token.id, prefix=token.prefix)
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


def session_lifetime() -> timedelta:
    """How long a browser session lasts at most, used or not (``GOODPATH_SESSION_HOURS``)."""
    return timedelta(hours=get_settings().access.session_hours)


def create_browser_session(session: Session, user: User) -> tuple[str, str]:
    """A new login session: ``(cookie_value, csrf_token)``; only the cookie's hash is kept."""
    cookie_value = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(BrowserSession(user_id=user.id, session_hash=_digest(cookie_value), csrf_token=csrf_token,
                               created_at=now, expires_at=now + session_lifetime(), last_seen_at=now))  # fmt: skip
    session.flush()
    return cookie_value, csrf_token


def _browser_session(session: Session, cookie_value: str) -> BrowserSession | None:
    return session.scalars(select(BrowserSession).where(BrowserSession.session_hash == _digest(cookie_value))).first()


def viewer_for_session(session: Session, cookie_value: str) -> tuple[Viewer, str]:
    """``(viewer, csrf_token)`` of a live session; notes its use (at most one write a minute).

    A session ends at its absolute expiry, and before that once unused for the idle timeout
    (``GOODPATH_SESSION_IDLE_MINUTES``)."""
    browser = _browser_session(session, cookie_value)
    if browser is None or browser.user.disabled:
        raise AuthenticationFailed("invalid session")
    if browser.revoked_at is not None:
        raise AuthenticationFailed("session ended")
    now = utcnow()
    if aware(browser.expires_at) <= now:
        raise AuthenticationFailed("session expired")
    last_seen = aware(browser.last_seen_at or browser.created_at)
    if now - last_seen >= timedelta(minutes=get_settings().access.session_idle_minutes):
        raise AuthenticationFailed("session idle too long")
    if now - last_seen >= SESSION_TOUCH_INTERVAL:
        browser.last_seen_at = now
    return viewer_of(browser.user), browser.csrf_token


def end_browser_session(session: Session, cookie_value: str) -> None:
    browser = _browser_session(session, cookie_value)
    if browser is not None and browser.revoked_at is None:
        browser.revoked_at = utcnow()
        session.flush()
        security_events.emit("auth.session_end", username=browser.user.username, session_id=browser.id)
