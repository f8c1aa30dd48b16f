"""``goodpath dossiers``, ``goodpath disclosures``, ``goodpath icp``: the company dialogue, the
companies' disclosures with their screened counterparties, and ICP assessments."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.fields import to_dict
from goodpath.engagement import disclosures, dossiers, icp
from goodpath.engagement.interfaces import print_rows

dossiers_app = typer.Typer(
    help="Company dialogue dossiers: topics, invitations to senior officials, meetings.", no_args_is_help=True
)
disclosures_app = typer.Typer(
    help="Companies' disclosures of business with countries of concern; counterparties screened.",
    no_args_is_help=True,
)
icp_app = typer.Typer(help="ICP assessments against EU 2019/1318 and the BIS guidelines.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print as JSON.")
EXPORT = typer.Option(None, "--export", help="Write the list to FILE.csv or FILE.xlsx.")
SOURCE = typer.Option(None, help='Citation, e.g. "07BEIJING5360 ¶3".')
CLASSIFICATION = typer.Option(None, help="UNCLASSIFIED (default), CONFIDENTIAL or SECRET.")
RELEASABILITY = typer.Option(None, help="ALL or organization codes, e.g. USA,NORINCO.")
SHARE_WITH = typer.Option([], "--share-with", help="Also releasable to this organization (repeatable).")


def _done(result: dict, as_json: bool, text: str) -> None:
    if as_json:
        print_json(result)
    else:
        console.print(text, highlight=False)


# --- dossiers ------------------------------------------------------------------------------


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
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
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
    _done(result, as_json, f"dossier {result['id']} opened for {party} ({len(result['topics'])} topics)")


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
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
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
    _done(result, as_json, f"invitation {result['id']} drafted for {party}")


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
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
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
    _done(result, as_json, f"meeting {result['id']} of {party} on {result['held_on']} recorded")


# --- disclosures ---------------------------------------------------------------------------

DISCLOSURE_COLUMNS = ["id", "party_id", "counterparty", "counterparty_country", "items", "value", "currency",
                      "period_from", "period_to", "signal"]  # fmt: skip


@disclosures_app.command("list")
def disclosures_list(
    party: str | None = typer.Option(None, "--party", help="Only this company's disclosures."),
    signal: str | None = typer.Option(None, help=", ".join(disclosures.SIGNALS)),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Disclosures, newest first, with the screening signal of each counterparty."""
    with user_errors(), session_scope() as session:
        rows = disclosures.list_disclosures(session, local_viewer(), party_id=party, signal=signal)
        print_rows(rows, DISCLOSURE_COLUMNS, title="disclosures", as_json=as_json, export_to=export_to)


@disclosures_app.command("add")
def disclosures_add(
    party: str = typer.Argument(..., help="The disclosing company's party id."),
    counterparty: str = typer.Option(..., help="Who the business was with."),
    country: str = typer.Option(..., "--country", help="The counterparty's country (two letters, e.g. IR)."),
    items: str = typer.Option(..., help="What was traded."),
    value: float | None = typer.Option(None),
    currency: str | None = typer.Option(None, help="ISO 4217, e.g. USD."),
    period_from: str | None = typer.Option(None, "--from", help="YYYY-MM-DD"),
    period_to: str | None = typer.Option(None, "--to", help="YYYY-MM-DD"),
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
    share_with: list[str] = SHARE_WITH,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Record a disclosure on the company's behalf; the counterparty is screened and watched."""
    with user_errors(), session_scope() as session:
        d = disclosures.add_disclosure(
            session, local_viewer(), party, counterparty=counterparty, counterparty_country=country, items=items,
            value=value, currency=currency, period_from=period_from, period_to=period_to,
            classification=classification, releasability=releasability, share_with=share_with, source=source,
        )  # fmt: skip
        result = to_dict(d)
    _done(result, as_json, f"disclosure {result['id']}: {len(result['hits'])} hits, signal {result['signal']}")
    if not as_json:
        print_rows(result["hits"], ["entry_id", "caption", "dataset", "score"], title="hits")


def _decide(verb: str, disclosure: int, entry: str, reason: str, source: str | None) -> None:
    with user_errors(), session_scope() as session:
        decide = disclosures.confirm_hit if verb == "confirm" else disclosures.clear_hit
        d = decide(session, local_viewer(), disclosure, entry, reason, source=source)
        console.print(f"disclosure {d.id}: signal {d.signal}", highlight=False)


@disclosures_app.command("confirm")
def disclosures_confirm(
    disclosure: int = typer.Argument(..., help="The disclosure id."),
    entry: str = typer.Argument(..., help="The hit's list entry id."),
    reason: str = typer.Option(..., help="Why the counterparty is the listed party."),
    source: str | None = SOURCE,
) -> None:
    """Confirm a hit as a true match: a signal for the pathway engine."""
    _decide("confirm", disclosure, entry, reason, source)


@disclosures_app.command("clear")
def disclosures_clear(
    disclosure: int = typer.Argument(..., help="The disclosure id."),
    entry: str = typer.Argument(..., help="The hit's list entry id."),
    reason: str = typer.Option(..., help="Why the counterparty is not the listed party."),
    source: str | None = SOURCE,
) -> None:
    """Clear a hit as a false positive."""
    _decide("clear", disclosure, entry, reason, source)


@disclosures_app.command("signals")
def disclosures_signals(
    party: str = typer.Argument(..., help="The company's party id."),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Confirmed hits of a company's disclosures (what the pathway engine reads)."""
    with user_errors(), session_scope() as session:
        rows = disclosures.signals(session, local_viewer(), party)
        cols = ["disclosure_id", "counterparty", "counterparty_country", "caption", "dataset", "reason",
                "still_listed"]  # fmt: skip
        print_rows(rows, cols, title="signals", as_json=as_json, export_to=export_to)


# --- ICP -------------------------------------------------------------------------------------


@icp_app.command("rubric")
def icp_rubric(
    framework: str | None = typer.Option(None, help="eu-2019-1318 or bis-ecg; default both."),
    as_json: bool = JSON,
) -> None:
    """The frameworks' elements, with citations and guidance questions."""
    with user_errors():
        frameworks = icp.rubric(framework)
    if as_json:
        print_json(frameworks)
        return
    for fw in frameworks:
        console.print(f"[bold]{fw['framework']}[/]: {fw['title']}\n{fw['citation']}", highlight=False)
        print_rows(fw["elements"], ["code", "title", "citation"], title=fw["framework"])


@icp_app.command("start")
def icp_start(
    party: str = typer.Argument(..., help="The company's party id."),
    framework: str = typer.Option(..., help="eu-2019-1318 or bis-ecg."),
    assessed_on: str | None = typer.Option(None, "--on", help="YYYY-MM-DD; default today."),
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
    share_with: list[str] = SHARE_WITH,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Start a draft assessment, with you as assessor."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        a = icp.start_assessment(session, viewer, party, framework, assessed_on=assessed_on,
                                 classification=classification, releasability=releasability,
                                 share_with=share_with, source=source)  # fmt: skip
        result = icp.assessment_to_dict(session, viewer, a)
    _done(result, as_json, f"ICP assessment {result['id']} started ({framework}): score {', '.join(result['missing'])}")


@icp_app.command("score")
def icp_score(
    assessment: int = typer.Argument(..., help="The assessment id."),
    element: str = typer.Argument(..., help="The element code, e.g. EU-4."),
    score: int = typer.Argument(..., help="0 absent, 1 initial, 2 established, 3 effective."),
    evidence: str = typer.Option(..., help="What shows it (required)."),
) -> None:
    """Score one element with evidence; re-scoring replaces it."""
    with user_errors(), session_scope() as session:
        s = icp.score_element(session, local_viewer(), assessment, element, score, evidence)
        console.print(f"assessment {assessment}: {s.element} = {s.score} ({icp.scale()[s.score]})", highlight=False)


@icp_app.command("finalize")
def icp_finalize(
    assessment: int = typer.Argument(..., help="The assessment id."),
    on: str | None = typer.Option(None, "--on", help="YYYY-MM-DD; default today."),
    note: str | None = typer.Option(None),
) -> None:
    """Finalize (every element scored); the score is sum / (3 x elements)."""
    with user_errors(), session_scope() as session:
        a = icp.finalize(session, local_viewer(), assessment, occurred_on=on, note=note)
        console.print(f"assessment {a.id} final: score {a.score:.2f}", highlight=False)


@icp_app.command("list")
def icp_list(
    party: str | None = typer.Argument(None, help="The company's party id; default all."),
    framework: str | None = typer.Option(None),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Assessments over time, newest first, with per-element scores."""
    with user_errors(), session_scope() as session:
        rows = icp.list_assessments(session, local_viewer(), party_id=party, framework=framework)
        cols = ["id", "party_id", "framework", "assessed_on", "assessor", "status", "score", "elements"]
        print_rows(rows, cols, title="ICP assessments", as_json=as_json, export_to=export_to)


@icp_app.command("show")
def icp_show(assessment: int = typer.Argument(..., help="The assessment id."), as_json: bool = JSON) -> None:
    """One assessment with its element scores and evidence."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        result = icp.assessment_to_dict(session, viewer, icp.get_assessment(session, viewer, assessment))
    if as_json:
        print_json(result)
        return
    console.print(f"assessment {result['id']} of {result['party_id']} ({result['framework']}, {result['assessed_on']}):"
                  f" {result['status']}, score {result['score']}", highlight=False)  # fmt: skip
    print_rows(result["scores"], ["element", "title", "score", "label", "evidence", "assessor"], title="scores")
    if result["missing"]:
        console.print(f"not yet scored: {', '.join(result['missing'])}", highlight=False)


@icp_app.command("evidence")
def icp_evidence(
    party: str = typer.Argument(..., help="The company's party id."),
    threshold: float = typer.Option(icp.DEFAULT_THRESHOLD, help="Score (0..1) that counts as established."),
    as_json: bool = JSON,
) -> None:
    """The latest final score per framework and whether the ICP counts as established."""
    with user_errors(), session_scope() as session:
        result = icp.icp_evidence(session, local_viewer(), party, threshold=threshold)
    if as_json:
        print_json(result)
        return
    rows = [{"framework": fw, **v} for fw, v in result["frameworks"].items()]
    print_rows(rows, ["framework", "assessment_id", "assessed_on", "score", "meets_threshold"], title="ICP evidence")
    console.print(f"ICP established: {'yes' if result['established'] else 'no'}", highlight=False)
