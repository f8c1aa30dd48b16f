"""``goodpath dossiers``: the dialogue with a company (its topics, invitations to its senior
officials, meetings), from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.fields import to_dict
from goodpath.engagement import dossiers
from goodpath.engagement.interfaces import (
    COMPANY_CLASSIFICATION,
    COMPANY_RELEASABILITY,
    EXPORT,
    JSON,
    SHARE_WITH,
    done,
    print_rows,
)

dossiers_app = typer.Typer(
    help="Company dialogue dossiers: topics, invitations to senior officials, meetings.", no_args_is_help=True
)

SOURCE = typer.Option(None, help='Citation, e.g. "07BEIJING5360 ¶3".')


@dossiers_app.command("list")
def dossiers_list(
    status: str | None = typer.Option(None, help=", ".join(dossiers.DOSSIER.statuses)),
    model_candidates: bool = typer.Option(False, "--model-candidates", help="Only model candidates."),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Dossiers: status, open topics, invitations, meetings."""
    with user_errors(), session_scope() as session:
        rows = dossiers.list_dossiers(session, local_viewer(), status=status,
                                      model_candidate=True if model_candidates else None)  # fmt: skip
        cols = ["party_id", "company", "status", "status_on", "model_candidate", "topics_open", "meetings",
                "last_meeting"]  # fmt: skip
        print_rows(rows, cols, title="dossiers", as_json=as_json, export_to=export_to)


@dossiers_app.command("show")
def dossiers_show(party: str = typer.Argument(..., help="The company's party id."), as_json: bool = JSON) -> None:
    """A dossier with its topics, invitations, meetings and history."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        result = dossiers.dossier_to_dict(session, viewer, dossiers.get_dossier(session, viewer, party))
    if as_json:
        print_json(result)
        return
    console.print(f"{result['company'] or party}: {result['status']} since {result['status_on']}"
                  + (" (model candidate)" if result["model_candidate"] else ""), highlight=False)  # fmt: skip
    print_rows(result["topics"], ["topic", "status", "notes", "source"], title="topics")
    print_rows(result["invitations"], ["id", "status", "status_on", "invitees", "conditions"], title="invitations")
    print_rows(result["meetings"], ["id", "held_on", "place", "topics", "summary"], title="meetings")
    print_rows(result["history"], ["on", "from", "to", "by", "note"], title="history")


@dossiers_app.command("open")
def dossiers_open(
    party: str = typer.Argument(..., help="The company's party id."),
    topic: list[str] = typer.Option([], "--topic", help="A topic (repeatable); default the four of 07BEIJING5360 ¶3."),
    model_candidate: bool = typer.Option(False, "--model-candidate", help="Proposed as a model of the good path."),
    on: str | None = typer.Option(None, "--on", help="YYYY-MM-DD; default today."),
    classification: str | None = COMPANY_CLASSIFICATION,
    releasability: str | None = COMPANY_RELEASABILITY,
    share_with: list[str] = SHARE_WITH,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Open a company's dialogue dossier (status proposed)."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        d = dossiers.open_dossier(session, viewer, party, topics=topic or None, model_candidate=model_candidate,
                                  occurred_on=on, classification=classification, releasability=releasability,
                                  share_with=share_with, source=source)  # fmt: skip
        result = dossiers.dossier_to_dict(session, viewer, d)
    done(result, as_json, f"dossier {result['id']} opened for {party} ({len(result['topics'])} topics)")


@dossiers_app.command("status")
def dossiers_status(
    party: str = typer.Argument(..., help="The company's party id."),
    status: str = typer.Argument(..., help=", ".join(dossiers.DOSSIER.statuses)),
    on: str | None = typer.Option(None, "--on", help="YYYY-MM-DD; default today."),
    note: str | None = typer.Option(None, help="Why (required to pause or close)."),
    source: str | None = SOURCE,
) -> None:
    """Move the dossier: proposed -> invited -> in_dialogue <-> paused -> closed."""
    with user_errors(), session_scope() as session:
        d = dossiers.set_status(session, local_viewer(), party, status, occurred_on=on, note=note, source=source)
        console.print(f"dossier of {party}: {d.status} since {d.status_on}", highlight=False)


@dossiers_app.command("topic")
def dossiers_topic(
    party: str = typer.Argument(..., help="The company's party id."),
    topic: str = typer.Argument(..., help="The topic (added if new)."),
    status: str = typer.Option("open", help=", ".join(dossiers.TOPIC_STATUSES)),
    notes: str | None = typer.Option(None),
    source: str | None = SOURCE,
) -> None:
    """Add a topic of the dialogue, or update its status and notes."""
    with user_errors(), session_scope() as session:
        dossiers.set_topic(session, local_viewer(), party, topic, status=status, notes=notes, source=source)
        console.print(f"topic {topic!r} of {party}: {status}", highlight=False)


@dossiers_app.command("invite")
def dossiers_invite(
    party: str = typer.Argument(..., help="The company's party id."),
    invitee: list[str] = typer.Option(..., "--invitee", help='"Name|Title" of a senior official (repeatable).'),
    condition: list[str] = typer.Option([], "--condition", help="An attendance condition (repeatable)."),
    purpose: str | None = typer.Option(None),
    issued_on: str | None = typer.Option(None, help="YYYY-MM-DD"),
    classification: str | None = COMPANY_CLASSIFICATION,
    releasability: str | None = COMPANY_RELEASABILITY,
    share_with: list[str] = SHARE_WITH,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Draft an invitation to named senior officials, with attendance conditions."""
    with user_errors(), session_scope() as session:
        inv = dossiers.invite(session, local_viewer(), party, invitees=invitee, conditions=condition, purpose=purpose,
                              issued_on=issued_on, classification=classification, releasability=releasability,
                              share_with=share_with, source=source)  # fmt: skip
        result = to_dict(inv)
    done(result, as_json, f"invitation {result['id']} drafted for {party}")


@dossiers_app.command("invitation-status")
def dossiers_invitation_status(
    invitation: int = typer.Argument(..., help="The invitation id."),
    status: str = typer.Argument(..., help=", ".join(dossiers.INVITATION.statuses)),
    on: str | None = typer.Option(None, "--on", help="YYYY-MM-DD; required to accept or decline."),
    response: str | None = typer.Option(None, help="The company's response."),
    source: str | None = SOURCE,
) -> None:
    """draft -> sent -> accepted | declined | expired."""
    with user_errors(), session_scope() as session:
        inv = dossiers.set_invitation_status(session, local_viewer(), invitation, status, occurred_on=on,
                                             response=response, source=source)  # fmt: skip
        console.print(f"invitation {inv.id}: {inv.status} on {inv.status_on}", highlight=False)


@dossiers_app.command("meeting")
def dossiers_meeting(
    party: str = typer.Argument(..., help="The company's party id."),
    held_on: str = typer.Option(..., "--held-on", help="YYYY-MM-DD"),
    summary: str = typer.Option(..., help="What was said and agreed."),
    place: str | None = typer.Option(None),
    participant: list[str] = typer.Option([], "--participant", help="A participant (repeatable)."),
    topic: list[str] = typer.Option([], "--topic", help="A topic covered (repeatable)."),
    invitation: int | None = typer.Option(None, "--invitation", help="The accepted invitation it answers."),
    classification: str | None = COMPANY_CLASSIFICATION,
    releasability: str | None = COMPANY_RELEASABILITY,
    share_with: list[str] = SHARE_WITH,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Record a meeting with the company."""
    with user_errors(), session_scope() as session:
        m = dossiers.record_meeting(
            session, local_viewer(), party, held_on=held_on, summary=summary, place=place, participants=participant,
            topics=topic, invitation_id=invitation, classification=classification, releasability=releasability,
            share_with=share_with, source=source,
        )  # fmt: skip
        result = to_dict(m)
    done(result, as_json, f"meeting {result['id']} of {party} on {result['held_on']} recorded")
