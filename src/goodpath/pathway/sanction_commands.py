"""CLI: ``goodpath sanctions add PARTY ...`` and ``goodpath sanctions event SANCTION ...`` -- recording
what a notice imposes or announces (recorded_facts.py); ``goodpath sanctions show SANCTION``."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.markup import escape

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json
from goodpath.core.db import session_scope
from goodpath.pathway import recorded_facts
from goodpath.registry import sanction_records, service
from goodpath.registry.commands import refused_exit_2

sanctions_app = typer.Typer(help="Sanctions and their events, as the notices announce them.", no_args_is_help=True)
DAY = ["%Y-%m-%d"]


def _day(value: datetime | None):
    return value.date() if value else None


@sanctions_app.command("add")
def add(
    party: str = typer.Argument(..., help="Party id, key (e.g. cpmiec) or exact name."),
    authority: str = typer.Option(..., "--authority", help="Authority code of the catalogue (e.g. AECA73, INKSNA)."),
    imposed: datetime = typer.Option(..., "--imposed", formats=DAY, help="Effective date of the imposition."),
    measures: list[str] = typer.Option([], "--measure", help="A measure of the authority (default: all of them)."),
    category: str | None = typer.Option(None, "--category", help="MTCR item category I or II (AECA73, EAA11B)."),
    citation: str = typer.Option(..., "--citation", help="The notice, e.g. '68 FR 54930 (Sep 19 2003)'."),
    source: str | None = typer.Option(None, "--source", help="Address of the notice's text."),
    document: int | None = typer.Option(None, "--document", help="Evidence document (Federal Register) to link."),
    expires: datetime | None = typer.Option(None, "--expires", formats=DAY, help="End the notice sets, if any."),
    supersedes: int | None = typer.Option(None, "--supersedes", help="Correct this recorded sanction (a new version)."),
    note: str | None = typer.Option(None, "--note"),
    classification: str | None = typer.Option(None, "--classification", help="Default: the party's marking."),
    releasability: str | None = typer.Option(None, "--releasability"),
    as_json: bool = typer.Option(False, "--json", help="Print the stored sanction as JSON."),
) -> None:
    """Record a sanction a notice imposes (audited; refused, with the rule, when the law does not allow it)."""
    with refused_exit_2(), session_scope() as session:
        sanction = recorded_facts.record_sanction(
            session, local_viewer(), party, authority=authority, imposed=_day(imposed), measures=measures,
            category=category, citation=citation, source_url=source, document=document, expires=_day(expires),
            supersedes=supersedes, note=note, classification=classification, releasability=releasability,
        )  # fmt: skip
        out = service.sanction_dict(sanction)
    if as_json:
        print_json(out)
        return
    console.print(f"sanction {out['id']} recorded: {out['authority']} on {escape(out['party_id'])} from "
                  f"{out['imposed_on']} ({', '.join(out['measures'])})", highlight=False)  # fmt: skip


@sanctions_app.command("event")
def event(
    sanction: int = typer.Argument(..., help="The sanction's id."),
    kind: str = typer.Option(..., "--kind", help=f"One of {', '.join(sanction_records.EVENT_KINDS)}."),
    on: datetime = typer.Option(..., "--on", formats=DAY, help="The day it takes effect."),
    measures: list[str] = typer.Option([], "--measure", help="A measure it concerns (default: all of them)."),
    until: datetime | None = typer.Option(None, "--until", formats=DAY, help="Last day of a time-boxed waiver."),
    citation: str = typer.Option(..., "--citation", help="The notice, e.g. '59 FR 55523 (Nov 7 1994)'."),
    source: str | None = typer.Option(None, "--source", help="Address of the notice's text."),
    document: int | None = typer.Option(None, "--document", help="Evidence document (Federal Register) to link."),
    supersedes: int | None = typer.Option(None, "--supersedes", help="Correct this recorded event (a new version)."),
    note: str | None = typer.Option(None, "--note"),
    as_json: bool = typer.Option(False, "--json", help="Print the stored event as JSON."),
) -> None:
    """Record what a notice says happened to a sanction: a waiver, renewal, termination... (audited)."""
    with refused_exit_2(), session_scope() as session:
        stored = recorded_facts.record_event(
            session, local_viewer(), sanction, kind=kind, on=_day(on), measures=measures, until=_day(until),
            citation=citation, source_url=source, document=document, supersedes=supersedes, note=note,
        )  # fmt: skip
        out = service.event_dict(stored)
    if as_json:
        print_json(out)
        return
    console.print(f"event {out['id']} recorded: {out['kind']} of sanction {out['sanction_id']} from {out['on']}",
                  highlight=False)  # fmt: skip


@sanctions_app.command("show")
def show(
    sanction: int = typer.Argument(..., help="The sanction's id."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """A sanction with its recorded events."""
    with refused_exit_2(), session_scope() as session:
        viewer = local_viewer()
        found = sanction_records._sanction_of(session, viewer, sanction)
        events = [service.event_dict(e) for e in service.events_of(session, viewer, found.id)]
        out = {**service.sanction_dict(found), "recorded_events": events}
    if as_json:
        print_json(out)
        return
    console.print(f"sanction {out['id']}: {out['authority']} from {out['imposed_on']} ({out['imposed_precision']}); "
                  f"{escape(out['citation'] or '')}", highlight=False)  # fmt: skip
    for e in out["recorded_events"]:
        until = f" until {e['until']}" if e["until"] else ""
        scope = ", ".join(e["measures"]) or "all measures"
        console.print(f"  event {e['id']}: {e['kind']} from {e['on']}{until} ({scope}); {escape(e['citation'])}",
                      highlight=False)  # fmt: skip
