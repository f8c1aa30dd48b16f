"""``goodpath pathway``: a company's pathway, proposals and their decisions, the funnel, and the legal
eligibility of relief. The CLI acts as the local operator (an analyst); ``--as USERNAME`` acts as a
real user of the users table instead, so that approving needs a second person with the approver role
on the command line too."""

from __future__ import annotations

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.pathway import alert_commands, proposals, timeline
from goodpath.pathway import stages as catalogue
from goodpath.pathway.acting import acting_viewer
from goodpath.pathway.eligibility_commands import eligibility
from goodpath.pathway.evidence_commands import evidence_app, notice
from goodpath.pathway.register_commands import recognition_register, stigma_list

pathway_app = typer.Typer(help="The good path and the bad path of sanctioned companies.", no_args_is_help=True)
pathway_app.command("eligibility")(eligibility)
pathway_app.command("scan")(alert_commands.scan)
pathway_app.command("alerts")(alert_commands.alerts)
pathway_app.command("review")(alert_commands.review)
pathway_app.add_typer(evidence_app, name="evidence")
pathway_app.command("notice")(notice)
pathway_app.command("register")(recognition_register)
pathway_app.command("stigma")(stigma_list)

JSON = typer.Option(False, "--json", help="Print as JSON.")
AS = typer.Option(None, "--as", help="Act as this user of the users table (approving needs an approver).")


def _print_proposal(row: dict, as_json: bool) -> None:
    if as_json:
        print_json(row)
        return
    what = row["to_stage"] if row["kind"] != "relief" else (
        f"relief of {row['measure']} (sanction {row['sanction_id']}) by {row['route_code']}")  # fmt: skip
    decided = f" by {row['decided_by']}" if row["decided_by"] else ""
    console.print(f"proposal {row['id']}: {row['from_stage']} -> {what} on {row['effective_on']}: "
                  f"{row['status']}{decided}", highlight=False)  # fmt: skip


@pathway_app.command("show")
def show(company: str = typer.Argument(..., help="Party id or key (e.g. norinco)."), as_json: bool = JSON) -> None:
    """The company's stage, reliefs, pending proposals, next steps and timeline."""
    with user_errors(), session_scope() as session:
        view = timeline.pathway(session, local_viewer(), company)
    if as_json:
        print_json(view)
        return
    relief = f" ({view['relief']} relief)" if view["relief"] else ""
    console.print(f"[bold]{view['party']['caption']}[/]: {view['stage']}{relief} since {view['since']} "
                  f"({view['path']} path)", highlight=False)  # fmt: skip
    for r in view["reliefs"]:
        console.print(f"  relief: sanction {r['sanction_id']} {r['measure']} by {r['route_code']} from "
                      f"{r['effective_on']}: {r['status']}", highlight=False)  # fmt: skip
    for p in view["pending"]:
        console.print(f"  pending proposal {p['id']}: {p['to_stage']} by {p['proposed_by']}", highlight=False)
    console.print("  next: " + (", ".join(f"{t['to']}{' (two people)' if t['second_approver'] else ''}"
                                          for t in view["next"]) or "none"), highlight=False)  # fmt: skip
    for e in view["timeline"]:
        if e["type"] == "stage":
            console.print(f"  {e['on']} {e['from'] or '-'} -> {e['to']} by {e['by']}", highlight=False)
        else:
            console.print(f"  {e['on']} proposal {e['id']} ({e['kind']}) -> {e['to']}: {e['status']}, proposed by "
                          f"{e['proposed_by']}{', decided by ' + e['decided_by'] if e['decided_by'] else ''}",
                          highlight=False)  # fmt: skip


@pathway_app.command("enroll")
def enroll(
    company: str = typer.Argument(..., help="Party id or key."),
    on: str | None = typer.Option(None, "--on", help="Since when (YYYY-MM-DD; default today)."),
    note: str | None = typer.Option(None, "--note", help="Why the company is put on the pathway."),
    as_user: str | None = AS,
) -> None:
    """Put a sanctioned company on the pathway (stage 'sanctioned'), so breach detection watches it."""
    with user_errors(), session_scope() as session:
        state = proposals.enroll(session, acting_viewer(session, as_user), company, on=on, note=note)
        console.print(f"{company} is on the pathway: {state.stage} since {state.since}", highlight=False)


@pathway_app.command("propose")
def propose(
    company: str = typer.Argument(..., help="Party id or key."),
    to: str | None = typer.Option(None, "--to", help="The stage to go to (not needed for a relief)."),
    sanction: int | None = typer.Option(None, "--sanction", help="Relief: the sanction id."),
    measure: str | None = typer.Option(None, "--measure", help="Relief: the measure, e.g. import_ban."),
    route: str | None = typer.Option(None, "--route", help="Relief: the route, e.g. national_security_waiver."),
    rationale: str = typer.Option(..., "--rationale", help="Why (required)."),
    evidence: list[str] | None = typer.Option(None, "--evidence", help="An evidence reference (repeatable)."),
    on: str | None = typer.Option(None, "--on", help="Effective date (YYYY-MM-DD; default today)."),
    statement_en: str | None = typer.Option(None, "--statement-en", help="Public statement, English (and -zh)."),
    statement_zh: str | None = typer.Option(None, "--statement-zh", help="Public statement, Chinese (and -en)."),
    condition: list[str] | None = typer.Option(None, "--condition", help="Relief: a condition code (repeatable)."),
    as_user: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """Propose a step; it applies at once unless it needs a second approver."""
    relief = None
    if sanction is not None or measure or route:
        grant = catalogue.load().grant_stage
        if to not in (None, grant):
            raise typer.BadParameter(f"a relief goes to {grant}: leave out --to or give --to {grant}")
        relief = {"sanction_id": sanction, "measure": measure, "route_code": route}
    given = statement_en is not None or statement_zh is not None
    statement = {"en": statement_en or "", "zh": statement_zh or ""} if given else None
    with user_errors(), session_scope() as session:
        viewer = acting_viewer(session, as_user)
        proposal = proposals.propose(session, viewer, company, to_stage=to, relief=relief, rationale=rationale,
                                     evidence=evidence or [], effective_on=on, statement=statement,
                                     conditions=condition or None)  # fmt: skip
        row = timeline.proposal_row(proposal)
    _print_proposal(row, as_json)


@pathway_app.command("approve")
def approve(
    proposal: int = typer.Argument(..., help="Proposal id."),
    note: str | None = typer.Option(None, "--note", help="A note for the decision."),
    as_user: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """Approve and apply a pending proposal (an approver other than the proposer: use --as)."""
    with user_errors(), session_scope() as session:
        decided = proposals.approve(session, acting_viewer(session, as_user), proposal, note)
        row = timeline.proposal_row(decided)
    _print_proposal(row, as_json)


@pathway_app.command("reject")
def reject(
    proposal: int = typer.Argument(..., help="Proposal id."),
    note: str = typer.Option(..., "--note", help="Why it is rejected (required)."),
    as_user: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """Reject a pending proposal (an approver other than the proposer: use --as)."""
    with user_errors(), session_scope() as session:
        decided = proposals.reject(session, acting_viewer(session, as_user), proposal, note)
        row = timeline.proposal_row(decided)
    _print_proposal(row, as_json)


@pathway_app.command("withdraw")
def withdraw(
    proposal: int = typer.Argument(..., help="Proposal id."),
    note: str | None = typer.Option(None, "--note"),
    as_user: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """Withdraw a pending proposal (its proposer only)."""
    with user_errors(), session_scope() as session:
        decided = proposals.withdraw(session, acting_viewer(session, as_user), proposal, note)
        row = timeline.proposal_row(decided)
    _print_proposal(row, as_json)


@pathway_app.command("funnel")
def funnel(
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD"),
    include_illustrative: bool = typer.Option(
        False, "--include-illustrative", help="Count the illustrative (fictional) companies too."
    ),
    as_json: bool = JSON,
) -> None:
    """How many companies stand at each stage, and the days spent per stage (illustrative companies apart)."""
    with user_errors(), session_scope() as session:
        result = timeline.funnel(session, local_viewer(), today=today, include_illustrative=include_illustrative)
    if as_json:
        print_json(result)
        return
    console.print(f"companies on the pathway: {result['companies']} (days as of {result['today']})", highlight=False)
    for stage, count in result["at_stage"].items():
        d = result["days"][stage]
        console.print(f"  {stage}: {count} now; days per stay median {d['median_days']} / mean {d['mean_days']} "
                      f"({d['completed_stays']} completed)", highlight=False)  # fmt: skip
    apart = result["illustrative"]
    if apart["companies"] and not include_illustrative:
        where = ", ".join(f"{stage} {n}" for stage, n in apart["at_stage"].items() if n)
        console.print(f"illustrative scenario (fictional, not counted above): {where}", highlight=False)


__all__ = ["pathway_app"]
