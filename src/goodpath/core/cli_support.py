"""What every CLI command shares: JSON output, clear errors, the acting user."""

from __future__ import annotations

import getpass
import json
import os
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
from goodpath.core.settings import get_settings

console = Console()
err_console = Console(stderr=True)


def actor() -> str:
    # Until API authentication lands (access-control issue), the CLI acts as the OS user.
    return os.environ.get("GOODPATH_ACTOR") or f"cli:{getpass.getuser()}"


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into a one-line message and exit status 1."""
    try:
        yield
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
