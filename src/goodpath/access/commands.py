"""``goodpath users ...`` and ``goodpath tokens ...``: manage accounts and API tokens.

Passwords are read from stdin or a hidden prompt, never from the command line (where
shell history and ``ps`` would show them). As on the API, user administration is for admins
(``goodpath --as ADMIN users ...``); anyone may manage their own API tokens. Until an enabled admin
exists, ``users add --role admin`` may create the first one.
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access import auth
from goodpath.access.models import User
from goodpath.access.operator import acting_viewer
from goodpath.access.policy import Permission, Role, Viewer, can
from goodpath.core.cli_support import acting_username, console, err_console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.errors import NotFound, Refused

users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


def _administrator(session: Session, *, first_admin: bool = False) -> str:
    """The acting user's name if they may manage users (an admin; or, with ``first_admin``, anyone while
    no enabled admin exists), else Refused."""
    viewer = acting_viewer(session, acting_username())
    if can(viewer, Permission.MANAGE_USERS):
        return viewer.actor
    admins = select(User.id).where(User.role == Role.ADMIN.value, User.disabled.is_(False))
    if first_admin and session.scalars(admins).first() is None:
        return viewer.actor
    raise Refused(f"{viewer.username} may not manage users (administrators only): goodpath --as ADMIN users ...")


def _own_or_administrator(session: Session, username: str | None) -> Viewer:
    """The acting viewer, if ``username`` is theirs (or None) or they are an admin; else Refused."""
    viewer = acting_viewer(session, acting_username())
    if can(viewer, Permission.MANAGE_USERS) or username is None or auth.normalize_username(username) == viewer.username:
        return viewer
    raise Refused(f"{viewer.username} may manage their own tokens only (administrators: anyone's)")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise Refused("no password on stdin (one line expected)")
        return password
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add_user(
    username: str = typer.Argument(..., help="Login name: a-z, 0-9, dot, dash, underscore."),
    role: str = typer.Option(..., "--role", help="analyst, approver, partner_officer, company_officer, auditor, admin"),
    clearance: str = typer.Option(..., "--clearance", help="UNCLASSIFIED, CONFIDENTIAL or SECRET."),
    org: str = typer.Option(..., "--org", help="Organization code, e.g. USA, CHN, or the company's code."),
    company: str | None = typer.Option(None, "--company", help="Company officers: the party id or key."),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from one line of stdin."),
) -> None:
    """Create a user. The password is prompted for (twice, hidden) unless --password-stdin."""
    with user_errors():
        with session_scope() as session:
            acting = _administrator(session, first_admin=role.strip().lower() == Role.ADMIN.value)
        password = _read_password(password_stdin)
        with session_scope() as session:
            user = auth.create_user(session, username, password, role, clearance, org,
                                    company_party_id=company, display_name=name, actor=acting)  # fmt: skip
            summary = auth.user_summary(user)
    console.print(f"created user [bold]{escape(summary['username'])}[/] ({summary['role']}, {summary['clearance']})")


@users_app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """All users, enabled and disabled."""
    with user_errors(), session_scope() as session:
        _administrator(session)
        rows = [auth.user_summary(u) for u in auth.list_users(session)]
    if as_json:
        print_json(rows)
        return
    columns = ("username", "display_name", "role", "clearance", "organization", "company_party_id")
    table = Table("username", "name", "role", "clearance", "organization", "company", "status", title="users")
    for r in rows:
        status = "disabled" if r["disabled"] else "active"
        table.add_row(*(escape(r[k] or "") for k in columns), status)
    console.print(table)


@users_app.command("disable")
def disable_user(username: str = typer.Argument(..., help="The user to disable.")) -> None:
    """Stop a user logging in; their tokens and sessions stop working too."""
    with user_errors(), session_scope() as session:
        auth.disable_user(session, username, actor=_administrator(session))
    console.print(f"disabled user [bold]{escape(username)}[/]")


@users_app.command("enable")
def enable_user(username: str = typer.Argument(..., help="The user to enable.")) -> None:
    """Let a disabled user log in again (their unexpired, unrevoked tokens work again)."""
    with user_errors(), session_scope() as session:
        auth.enable_user(session, username, actor=_administrator(session))
    console.print(f"enabled user [bold]{escape(username)}[/]")


@users_app.command("set-clearance")
def set_clearance(
    username: str = typer.Argument(..., help="The user."),
    clearance: str = typer.Argument(..., help="UNCLASSIFIED, CONFIDENTIAL or SECRET."),
) -> None:
    """Change what a user may read; it applies at their next request."""
    with user_errors(), session_scope() as session:
        user = auth.set_clearance(session, username, clearance, actor=_administrator(session))
        summary = auth.user_summary(user)
    console.print(f"user [bold]{escape(summary['username'])}[/] is cleared {summary['clearance']}")


@users_app.command("set-organization")
def set_organization(
    username: str = typer.Argument(..., help="The user."),
    organization: str = typer.Argument(..., help="Organization code, e.g. USA, CHN, or the company's code."),
) -> None:
    """Change the organization a user reads for (releasability); it applies at their next request."""
    with user_errors(), session_scope() as session:
        user = auth.set_organization(session, username, organization, actor=_administrator(session))
        summary = auth.user_summary(user)
    console.print(f"user [bold]{escape(summary['username'])}[/] reads for {escape(summary['organization'])}")


@users_app.command("reset-password")
def reset_password(
    username: str = typer.Argument(..., help="The user."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Set a new random password, shown once; the user's browser sessions end."""
    with user_errors(), session_scope() as session:
        user, password = auth.reset_password(session, username, actor=_administrator(session))
        name = user.username
    warning = "this password is shown only once: pass it on now, it cannot be shown again"
    if as_json:
        print_json({"username": name, "password": password, "warning": warning})
        return
    console.print(f"new password for [bold]{escape(name)}[/]:")
    console.print(password, highlight=False, markup=False, soft_wrap=True)
    err_console.print(f"[bold yellow]warning:[/] {warning}")


@users_app.command("end-sessions")
def end_sessions(username: str = typer.Argument(..., help="The user.")) -> None:
    """End every browser session of a user (their API tokens are left alone)."""
    with user_errors(), session_scope() as session:
        ended = auth.end_user_sessions(session, username, actor=_administrator(session))
    console.print(f"ended {ended} browser session(s) of [bold]{escape(username)}[/]")


@tokens_app.command("create")
def create_token(
    username: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("cli", "--name", help="What the token is for."),
    days: int = typer.Option(30, "--days", help=f"Days until it expires (at most {auth.MAX_TOKEN_DAYS})."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Create an API token. It is shown once: goodpath keeps only its hash."""
    with user_errors(), session_scope() as session:
        acting = _own_or_administrator(session, username)
        token, plaintext = auth.create_token(session, auth.get_user(session, username), name, days, actor=acting.actor)
        summary = auth.token_summary(token)
    warning = "this token is shown only once: store it now, it cannot be shown again"
    if as_json:
        print_json({**summary, "token": plaintext, "warning": warning})
        return
    console.print(
        f"token {summary['id']} for {escape(summary['username'])}, expires {summary['expires_at']:%Y-%m-%d %H:%M} UTC:"
    )
    console.print(plaintext, highlight=False, markup=False, soft_wrap=True)
    err_console.print(f"[bold yellow]warning:[/] {warning}")


@tokens_app.command("revoke")
def revoke_token(token_id: int = typer.Argument(..., help="The token's id (from tokens list).")) -> None:
    """Revoke a token: it stops working at once."""
    with user_errors(), session_scope() as session:
        acting = _own_or_administrator(session, None)
        token = auth.get_token(session, token_id)
        if not can(acting, Permission.MANAGE_USERS) and token.user_id != acting.user_id:
            raise NotFound(f"no token {token_id}")  # others' tokens are not even said to exist, as on the API
        auth.revoke_token(session, token, actor=acting.actor)
    console.print(f"revoked token {token_id}")


@tokens_app.command("list")
def list_tokens(
    username: str | None = typer.Argument(None, help="Only this user's tokens."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Tokens by prefix, name and expiry (never the tokens themselves)."""
    with user_errors(), session_scope() as session:
        acting = _own_or_administrator(session, username)
        whose = username if can(acting, Permission.MANAGE_USERS) else acting.username
        rows = [auth.token_summary(t) for t in auth.list_tokens(session, whose)]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "user", "name", "prefix", "expires", "revoked", "last used", title="API tokens")
    for r in rows:
        table.add_row(str(r["id"]), escape(r["username"]), escape(r["name"]), r["prefix"] + "…",
                      _when(r["expires_at"]), _when(r["revoked_at"]), _when(r["last_used_at"]))  # fmt: skip
    console.print(table)


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""
