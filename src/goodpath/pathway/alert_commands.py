"""CLI of breach detection: ``goodpath pathway scan``, ``goodpath pathway alerts`` and
``goodpath pathway review ALERT --dismiss|--escalate --note N``.

The ``pathway`` Typer group (commands.py) registers these functions as its commands."""

from __future__ import annotations

import typer
from rich.markup import escape

from goodpath.access.operator import acting_with, local_viewer
from goodpath.access.policy import Permission
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.pathway import breaches
from goodpath.pathway.acting import acting_viewer
from goodpath.registry.service import get_party

JSON = typer.Option(False, "--json", help="Print as JSON.")


def _print_alert(a: dict) -> None:
    proposal = f" (proposal {a['proposal_id']})" if a.get("proposal_id") else ""
    console.print(f"alert {a['id']} [{a['kind']}] {a['party_id']}: {a['status']}{proposal} — {escape(a['detail'])}",
                  highlight=False)  # fmt: skip


def scan(
    party: str | None = typer.Option(None, "--party", help="Scan this company only (id or key)."),
    on: str | None = typer.Option(None, "--on", help="As of this day (YYYY-MM-DD; default today)."),
    as_json: bool = JSON,
) -> None:
    """Look for breaches of relief conditions: record alerts, open snapback proposals."""
    with user_errors(), session_scope() as session:
        viewer = acting_with(Permission.MANAGE_ENGAGEMENT)  # as on the API
        party_ids = [get_party(session, viewer, party).id] if party else None
        result = breaches.scan(session, viewer, party_ids=party_ids, on=on)
    if as_json:
        print_json(result)
        return
    counts = result["counts"]
    console.print(f"scanned {result['companies']} compan(y/ies) as of {result['on']}: {counts['breach']} breach(es), "
                  f"{counts['review']} to review, {counts['proposals']} snapback proposal(s) opened",
                  highlight=False)  # fmt: skip
    for a in result["alerts"]:
        _print_alert(a)
    for p in result["proposals"]:
        console.print(f"snapback proposal {p['id']} for {p['party_id']}: {p['status']} (an approver decides it)",
                      highlight=False)  # fmt: skip
    for p in result["problems"]:
        console.print(f"[yellow]{p['party_id']}: {escape(p['problem'])}[/]", highlight=False)


def alerts(
    party: str | None = typer.Option(None, "--party", help="Party id or key."),
    status: str | None = typer.Option(None, "--status", help=", ".join(breaches.ALERT_STATUSES)),
    kind: str | None = typer.Option(None, "--kind", help="breach or review"),
    as_json: bool = JSON,
) -> None:
    """The breach and review alerts, newest first."""
    with user_errors(), session_scope() as session:
        rows = breaches.list_alerts(session, local_viewer(), party=party, status=status, kind=kind)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no alerts")
    for a in rows:
        _print_alert(a)


def review(
    alert: int = typer.Argument(..., help="Alert id."),
    dismiss: bool = typer.Option(False, "--dismiss", help="Dismiss a review alert."),
    escalate: bool = typer.Option(False, "--escalate", help="Escalate to a breach (snapback if relief in force)."),
    note: str = typer.Option(..., "--note", help="Why (required)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user of the users table."),
    as_json: bool = JSON,
) -> None:
    """Dismiss or escalate a pathway alert."""
    if dismiss == escalate:
        raise typer.BadParameter("give exactly one of --dismiss and --escalate")
    with user_errors(), session_scope() as session:
        decision = "dismiss" if dismiss else "escalate"
        row = breaches.review(session, acting_viewer(session, as_user), alert, decision, note)
    if as_json:
        print_json(row)
        return
    _print_alert(row)
    if row.get("snapback_proposal"):
        console.print(f"snapback proposal {row['snapback_proposal']} opened (an approver decides it)", highlight=False)
