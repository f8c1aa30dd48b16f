"""``goodpath dispositions``, ``goodpath watch``, ``goodpath rescreen``, ``goodpath alerts``:
reviewing screening hits and the re-screening of watched names, from the command line."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from goodpath.access.operator import acting_with, local_viewer
from goodpath.access.policy import Permission
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.screening import dispositions, monitoring

REVIEW = Permission.REVIEW_SCREENING  # writes need it, as on the API

dispositions_app = typer.Typer(
    help="Dispositions of screening hits: true match or false positive.", no_args_is_help=True
)
watch_app = typer.Typer(help="Watched names, re-screened after every list import.", no_args_is_help=True)
alerts_app = typer.Typer(
    help="Re-screening alerts: new, changed or cleared hits of watched names.", no_args_is_help=True
)


@dispositions_app.command("add")
def add_disposition(
    name: str = typer.Argument(..., help="The name as screened."),
    entry: str = typer.Option(..., "--entry", help="The hit's list entry id (shown by goodpath screen)."),
    verdict: str = typer.Option(..., help="true_match or false_positive."),
    reason: str = typer.Option(..., help="Why the hit is, or is not, this party."),
    country: str | None = typer.Option(None, help="The country the name was screened with, if any."),
    party: str | None = typer.Option(None, help="The hit's registry party id (checked against the entry)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Record a verdict on a hit; a false positive stays suppressed until the list entry changes."""
    with user_errors(), session_scope() as session:
        recorded = dispositions.record(
            session, acting_with(REVIEW), name=name, country=country, party_id=party, entry_id=entry,
            verdict=verdict, reason=reason,
        )  # fmt: skip
        result = dispositions.to_dict(recorded, recorded.content_hash)
    if as_json:
        print_json(result)
        return
    console.print(
        f"disposition {result['id']}: {result['verdict']} for {result['name']!r} on entry {result['entry_id']} "
        f"({result['dataset']})",
        highlight=False,
    )


@dispositions_app.command("reopen")
def reopen_disposition(
    disposition_id: int = typer.Argument(..., help="The false positive's disposition id."),
    reason: str = typer.Option(..., help="Why the hit should be reviewed again."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Lift a suppressed false positive: later screenings show the hit again."""
    with user_errors(), session_scope() as session:
        reopened = dispositions.reopen(session, acting_with(REVIEW), disposition_id, reason)
        result = dispositions.to_dict(reopened, reopened.content_hash)
    if as_json:
        print_json(result)
        return
    console.print(
        f"disposition {disposition_id} reopened (disposition {result['id']}) for {result['name']!r} "
        f"on entry {result['entry_id']}",
        highlight=False,
    )


@dispositions_app.command("list")
def list_dispositions(
    name: str | None = typer.Option(None, help="Only this screened name (any word order)."),
    country: str | None = typer.Option(None, help="With --name: the country it was screened with."),
    entry: str | None = typer.Option(None, "--entry", help="Only this list entry."),
    verdict: str | None = typer.Option(None, help="true_match, false_positive or reopened."),
    limit: int = typer.Option(100, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Dispositions, newest first; stale ones were decided on a list entry that has changed since."""
    with user_errors(), session_scope() as session:
        rows = dispositions.list_dispositions(
            session, local_viewer(), name=name, country=country, entry_id=entry, verdict=verdict, limit=limit
        )
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "entry", "verdict", "reason", "by", "at", title=f"{len(rows)} dispositions")
    for r in rows:
        verdict_text = r["verdict"] + (" (stale)" if r["stale"] else "")
        table.add_row(
            str(r["id"]), escape(r["name"] + (f" [{r['country']}]" if r["country"] else "")),
            f"{r['dataset']} {r['entry_id']}", verdict_text, escape(r["reason"]), escape(r["decided_by"]),
            r["decided_at"][:19],
        )  # fmt: skip
    console.print(table)


@watch_app.command("add")
def watch_add(
    name: str = typer.Argument(..., help="The name to watch."),
    country: str | None = typer.Option(None, help="ISO country code (e.g. CN)."),
    schema: str | None = typer.Option(None, help=", ".join(monitoring.SCHEMATA)),
    party: str | None = typer.Option(None, help="The subject's own registry party id, if any."),
    source: str = typer.Option(monitoring.MANUAL, help="A label for who registered it (manual, ...)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Watch a name: it is re-screened after every list import."""
    with user_errors(), session_scope() as session:
        subject = monitoring.watch(
            session, acting_with(REVIEW), name, country=country, schema=schema, party_id=party, source=source
        )
        result = monitoring.subject_to_dict(subject)
    if as_json:
        print_json(result)
        return
    console.print(f"watching {result['name']!r} (subject {result['id']}, {result['source']})", highlight=False)


@watch_app.command("list")
def watch_list(
    source: str | None = typer.Option(None, help="Only subjects of this source (engaged-company, manual, ...)."),
    include_inactive: bool = typer.Option(False, help="Also subjects no longer watched."),
    limit: int = typer.Option(1000, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Watched names with their hits as last screened."""
    with user_errors(), session_scope() as session:
        body = monitoring.list_subjects(
            session, local_viewer(), source=source, include_inactive=include_inactive, limit=limit
        )
    if as_json:
        print_json(body)
        return
    table = Table("id", "name", "source", "last screened", "hits", title=f"{body['total']} watched names")
    for s in body["results"]:
        hits = "; ".join(f"{h['caption']} ({h['dataset']}, {h['score']:.2f})" for h in s["hits"][:3])
        more = f" … +{len(s['hits']) - 3}" if len(s["hits"]) > 3 else ""
        table.add_row(
            str(s["id"]), escape(s["name"] + (f" [{s['country']}]" if s["country"] else "")),
            s["source"] + ("" if s["active"] else " (inactive)"), (s["last_screened_at"] or "never")[:19],
            escape(hits + more),
        )  # fmt: skip
    console.print(table)


@watch_app.command("stop")
def watch_stop(
    subject_id: int = typer.Argument(..., help="The watched name's id (from watch list)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Stop re-screening a watched name (kept, inactive, with its alerts; watch add resumes it)."""
    with user_errors(), session_scope() as session:
        result = monitoring.unwatch(session, acting_with(REVIEW), subject_id)
    if as_json:
        print_json(result)
        return
    console.print(f"stopped watching {result['name']!r} (subject {result['id']})", highlight=False)


def rescreen(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Re-screen every watched name now (also runs after every list import)."""
    with user_errors(), session_scope() as session:
        viewer = acting_with(REVIEW)  # as on the API
        summary = monitoring.rescreen_all(session, viewer.actor)
    if as_json:
        print_json(summary)
        return
    print_rescreen(summary)


def print_rescreen(summary: dict) -> None:
    """One line for a re-screening summary."""
    console.print(monitoring.describe_rescreen(summary), highlight=False)


@alerts_app.command("list")
def alerts_list(
    status: str = typer.Option("open", help="open, escalated, acknowledged or all."),
    subject: int | None = typer.Option(None, help="Only this watched subject's alerts."),
    limit: int = typer.Option(100, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Re-screening alerts, newest first."""
    with user_errors(), session_scope() as session:
        body = monitoring.list_alerts(
            session, local_viewer(), status=None if status == "all" else status, subject_id=subject, limit=limit
        )
    if as_json:
        print_json(body)
        return
    table = Table("id", "kind", "watched name", "hit", "list", "score", "status", title=f"{body['total']} alerts")
    for a in body["results"]:
        score = f"{a['score']:.2f}" if a["score"] is not None else ""
        if a["kind"] == "changed" and a["previous"] and a["score"] is not None:
            score = f"{a['previous']['score']:.2f} → {score}"
        table.add_row(
            str(a["id"]), a["kind"], escape(a["subject"]["name"]), escape(f"{a['caption']} ({a['party_id']})"),
            f"{a['dataset']} {a['entry_id']}", score,
            a["status"] + (f" by {a['acknowledged_by']}" if a["acknowledged_by"] else ""),
        )  # fmt: skip
    console.print(table)


@alerts_app.command("ack")
def alerts_ack(
    alert_id: int = typer.Argument(..., help="The alert's id."),
    note: str | None = typer.Option(None, help="What was done about it."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Acknowledge an alert."""
    with user_errors(), session_scope() as session:
        result = monitoring.acknowledge(session, acting_with(REVIEW), alert_id, note=note)
    if as_json:
        print_json(result)
        return
    console.print(f"alert {alert_id} acknowledged", highlight=False)


@alerts_app.command("escalate")
def alerts_escalate(
    alert_id: int = typer.Argument(..., help="The alert's id."),
    note: str = typer.Option(..., help="Why, and for whom."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Escalate an open alert for a second look; it stays to be acknowledged."""
    with user_errors(), session_scope() as session:
        result = monitoring.escalate(session, acting_with(REVIEW), alert_id, note)
    if as_json:
        print_json(result)
        return
    console.print(f"alert {alert_id} escalated", highlight=False)
