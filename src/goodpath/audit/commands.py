"""``goodpath audit verify``."""

from __future__ import annotations

import typer

from goodpath.access.operator import local_viewer
from goodpath.access.policy import Permission
from goodpath.access.records import require
from goodpath.core import audit_log
from goodpath.core.cli_support import console, err_console, print_json, user_errors
from goodpath.core.db import session_scope

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Check the hash chain; exit 1 naming the first bad entry."""
    with user_errors():
        require(local_viewer(), Permission.VERIFY_AUDIT)  # as on the API
    with user_errors(), session_scope() as session:
        result = audit_log.verify(session)
    if as_json:
        print_json(result.to_dict())
    elif result.ok:
        console.print(f"audit chain intact: {result.checked} entries verified")
    else:
        err_console.print(f"[bold red]audit chain broken at entry {result.first_bad_seq}:[/] {result.problem}")
    if not result.ok:
        raise typer.Exit(1)
