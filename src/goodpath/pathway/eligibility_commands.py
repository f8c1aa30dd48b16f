"""CLI: ``goodpath pathway eligibility COMPANY [--as-of DATE] [--json]``.

The ``pathway`` Typer group (commands.py) registers this function as its ``eligibility`` command."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.markup import escape

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.pathway.eligibility import explain

UNITS = {"working_days": "working days", "days": "days"}


def eligibility(
    company: str = typer.Argument(..., help="Party id, key (e.g. norinco) or name."),
    as_of: datetime | None = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="Date (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print the explanation as JSON."),
) -> None:
    """Whether relief is possible, per sanction and measure, by which routes, and from when."""
    with user_errors(), session_scope() as session:
        result = explain(session, local_viewer(), company, as_of=as_of.date() if as_of else None)
    if as_json:
        print_json(result)
        return
    _print(result)


def _print(result: dict) -> None:
    party = result["party"]
    out = console.print
    out(f"[bold]{escape(party['caption'])}[/] ({party['key'] or party['id']}) — eligibility as of {result['as_of']}")
    if not result["sanctions"]:
        out("no sanction in force or on record by that date")
    for s in result["sanctions"]:
        program = f" [{escape(s['program'])}]" if s["program"] else ""
        precision = "" if s.get("imposed_precision", "exact") == "exact" else f" ({s['imposed_precision']})"
        out(
            f"\n[bold]{s['authority']}{program}[/] sanction {s['id']}, imposed {s['imposed_on'] or '?'}{precision}: "
            f"{s['status']}"
        )
        if s.get("authority_title"):
            out(f"  [dim]{escape(s['authority_title'])}[/]", highlight=False)
        for m in s["measures"]:
            verdict = "[green]relief possible[/]" if m["relief_possible"] else "[red]no relief[/]"
            out(f"  • {m['measure']} ({m['status']}): {verdict}")
            for r in m["routes"]:
                flag = "" if r["verified"] else " [yellow](unverified)[/]"
                state = r.get("state", "open")
                if state == "not_open":
                    out(f"      – [red]not open[/] {r['type']} {r['code']}: {escape(r['why'])}", highlight=False)
                    continue
                label = "[green]open[/]" if state == "open" else "[yellow]open if[/]"
                out(f"      – {label} {r['type']} {r['code']} by {escape(r['who'])}; earliest "
                    f"{r['earliest_effective']}{flag}")  # fmt: skip
                if state == "open_if":
                    out(f"        {escape(r['why'])}", highlight=False)
                if r["notice"]:
                    n = r["notice"]
                    out(f"        notice: {n['days']} {UNITS[n['unit']]} to {escape(', '.join(n['to']))}")
                for need in r["requires"]:
                    out(f"        requires: {escape(need)}", highlight=False)
            for reason in m["reasons"]:
                style = "yellow" if reason.startswith("unverified:") else "dim"
                out(f"      [{style}]{escape(reason)}[/]", highlight=False)
            if m["citations"]:
                out(f"      [dim]cites: {escape('; '.join(m['citations']))}[/]", highlight=False)
    if result["unverified"]:
        out("\n[yellow]unverified facts applied:[/]")
        for flag in result["unverified"]:
            out(f"  - {escape(flag)}", highlight=False)
