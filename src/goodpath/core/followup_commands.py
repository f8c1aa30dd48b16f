"""``goodpath followups``: the follow-up work after commits (core/followups.py) -- what is pending or
failed, run it now, retry a failed one."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from goodpath.core import followup_runner
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.followups import to_dict

followups_app = typer.Typer(
    help="Follow-up work after commits (re-screening, breach scans): pending, failed, run, retry.",
    invoke_without_command=True,
)


@followups_app.callback()
def show(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="Also the latest done ones."),
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many (the latest)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Pending, running and failed follow-ups, oldest first (this command runs none of them)."""
    if ctx.invoked_subcommand is not None:
        return
    with user_errors(), session_scope() as session:
        rows = [to_dict(r) for r in followup_runner.listing(session, include_done=all_, limit=limit)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no follow-up is pending or failed" + ("" if all_ else " (--all: the done ones too)"))
        return
    table = Table("id", "what", "of", "status", "tries", "caused by", "updated", "last error / result")
    for r in rows:
        what = f"→ {r['reaction']}" if r["reaction"] else r["kind"]
        note = r["last_error"] if r["status"] != "done" else _brief(r["result"])
        table.add_row(
            str(r["id"]), what, escape(_brief(r["payload"])), r["status"], str(r["attempts"]), escape(r["caused_by"]),
            (r["updated_at"] or "")[:19].replace("T", " "), escape((note or "")[:200]),
        )  # fmt: skip
    console.print(table)


def _brief(values: dict | None) -> str:
    """``key=value`` of a payload's or result's plain values and lists of names (not ids, not nested)."""
    out = []
    for key, value in (values or {}).items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value) or "-"
        if isinstance(value, str | int | float | bool) or value is None:
            out.append(f"{key}={value}")
    return " ".join(out)


@followups_app.command("run")
def run(as_json: bool = typer.Option(False, "--json", help="Print each one's outcome as JSON.")) -> None:
    """Run the due follow-ups now (every goodpath command also does, and the server in the background)."""
    with user_errors():
        outcomes = followup_runner.run_due()
        with session_scope() as session:
            followup_runner.purge(session)
    _report(outcomes, as_json)


@followups_app.command("retry")
def retry(
    followup_id: int = typer.Argument(..., min=1, max=2**63 - 1, help="A failed follow-up's id."),
    as_json: bool = typer.Option(False, "--json", help="Print each one's outcome as JSON."),
) -> None:
    """Try a failed follow-up again (its attempts start over), now."""
    with user_errors():
        with session_scope() as session:
            followup_runner.retry(session, followup_id)
        outcomes = followup_runner.run_due()
    _report(outcomes, as_json)


def _report(outcomes: list[dict], as_json: bool) -> None:
    if as_json:
        print_json(outcomes)
        return
    if not outcomes:
        console.print("no follow-up was due")
    for o in outcomes:
        what = f"{o['kind']}" + (f" → {o['reaction']}" if o["reaction"] else "")
        detail = o["error"] or _brief(o["result"])[:200]
        console.print(f"  {o['id']:>6}  {escape(what)}: {o['status']}  {escape(detail or '')}", highlight=False)
