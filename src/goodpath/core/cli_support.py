"""What every CLI command shares: JSON output, clear errors, the acting user."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from goodpath.core import followup_runner
from goodpath.core.errors import GoodpathError
from goodpath.core.settings import get_settings, operator_username

console = Console()
err_console = Console(stderr=True)


_acting_as: str | None = None  # ``goodpath --as USER``, for the command being run


def act_as(username: str | None) -> None:
    """Set (or, with None, clear) the user the command line acts as (``goodpath --as USER``)."""
    global _acting_as
    _acting_as = (username or "").strip().lower() or None


def acting_username() -> str:
    """The user this command acts as: ``--as USER``, else the configured operator (``GOODPATH_OPERATOR``).
    ``goodpath.access.operator.local_viewer`` checks that the account exists and is enabled."""
    return _acting_as or operator_username()


def actor() -> str:
    """How the audit log names the acting user: the username of ``acting_username``."""
    return acting_username()


class ActingUserRefused(GoodpathError):
    """The user named by ``--as`` (or the operator account) is unknown or disabled: exit status 2."""


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into a one-line message and exit status 1 (2 for an unknown or disabled
    acting user)."""
    try:
        yield
    except ActingUserRefused as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, emoji=False)
        raise typer.Exit(2) from None
    except GoodpathError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, emoji=False)
        raise typer.Exit(1) from None
    except OperationalError as exc:
        where = get_settings().database_url.split("@")[-1]
        err_console.print(
            f"[bold red]error:[/] cannot use the database at {escape(where)}: {escape(str(exc.orig))}", highlight=False
        )
        raise typer.Exit(1) from None


def run_followups() -> list[dict]:
    """Run the follow-ups that are due -- this process's own, and any a killed process left -- and warn
    about those that failed (tried again later; ``goodpath followups``). One cheap query when none is due."""
    if not followup_runner.any_due():
        return []
    try:
        outcomes = followup_runner.run_due()
    except SQLAlchemyError as exc:  # e.g. the database is busy: they wait for the next process or the server
        err_console.print(f"[yellow]warning:[/] follow-ups left for later ({exc.__class__.__name__})", highlight=False)
        return []
    failing = [o for o in outcomes if o["status"] in ("pending", "failed")]
    if failing:
        what = ", ".join(f"{o['id']} {o['reaction'] or o['kind']} ({o['status']}: {o['error']})" for o in failing)
        err_console.print(f"[yellow]warning:[/] follow-up work did not complete: {escape(what)} (goodpath followups)",
                          highlight=False)  # fmt: skip
    return outcomes
