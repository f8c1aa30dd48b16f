"""``goodpath enforcement``: the partner's reported enforcement actions and the transparency
report, from the command line (as the local operator: an analyst, who records actions on the
partner's behalf)."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.fields import to_dict
from goodpath.engagement import cases, enforcement
from goodpath.engagement.interfaces import (
    CLASSIFICATION,
    EXPORT,
    JSON,
    RELEASABILITY,
    done,
    print_rows,
)

enforcement_app = typer.Typer(
    help="The partner's reported enforcement actions and the transparency report.", no_args_is_help=True
)

SOURCE = typer.Option(None, "--source", help='Citation, e.g. "07BEIJING1900 ¶15".')

ACTION_COLUMNS = ("id", "reported_on", "kind", "reported_by", "case_id", "party_name", "detail_level", "taken_on",
                  "penalty_amount", "currency")  # fmt: skip


@enforcement_app.command("list")
def list_actions(
    case: int | None = typer.Option(None, "--case", help="Only actions on this case id."),
    party: str | None = typer.Option(None, "--party", help="Only actions on this registry party."),
    kind: str | None = typer.Option(None, help=", ".join(enforcement.KINDS)),
    date_from: str | None = typer.Option(None, "--from", help="Reported on or after (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Reported on or before (YYYY-MM-DD)."),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """The partner's reported enforcement actions, by date reported."""
    with user_errors(), session_scope() as session:
        rows = enforcement.list_actions(session, local_viewer(), case_id=case, party_id=party, kind=kind,
                                        date_from=date_from, date_to=date_to)  # fmt: skip
        print_rows(rows, ACTION_COLUMNS, title="enforcement actions", as_json=as_json, export_to=export_to)


@enforcement_app.command("report")
def report_action(
    kind: str = typer.Option(..., help=", ".join(enforcement.KINDS)),
    reported_by: str = typer.Option(..., "--reported-by", help="The reporting agency, e.g. MOFCOM."),
    detail_level: str = typer.Option(..., "--detail-level", help=", ".join(enforcement.DETAIL_LEVELS)),
    reported_on: str | None = typer.Option(None, "--reported-on", help="YYYY-MM-DD; default today."),
    taken_on: str | None = typer.Option(None, "--taken-on", help="When the action was taken (YYYY-MM-DD)."),
    detail: str | None = typer.Option(None, help="What the partner said about it."),
    case: str | None = typer.Option(None, "--case", help="The case (id or reference) it concerns."),
    party: str | None = typer.Option(None, "--party", help="The registry party it concerns."),
    party_name: str | None = typer.Option(None, "--party-name", help="The party's name, if not in the registry."),
    amount: float | None = typer.Option(None, "--amount", help="Penalty amount."),
    currency: str | None = typer.Option(None, help="Penalty currency, e.g. CNY."),
    partner: str = typer.Option("CHN", help="The partner government."),
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Record an enforcement action the partner reported (it moves no case by itself)."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        case_id = cases.get_case(session, viewer, case).id if case else None
        action = enforcement.report_action(
            session, viewer, kind=kind, reported_by=reported_by, detail_level=detail_level, reported_on=reported_on,
            taken_on=taken_on, detail=detail, case_id=case_id, party_id=party, party_name=party_name,
            penalty_amount=amount, currency=currency, partner=partner, classification=classification,
            releasability=releasability, source=source,
        )  # fmt: skip
        result = to_dict(action)
    done(result, as_json, f"enforcement action {result['id']}: {result['kind']} reported {result['reported_on']} "
                           f"by {result['reported_by']}")  # fmt: skip


@enforcement_app.command("transparency")
def transparency(
    date_from: str = typer.Option(..., "--from", help="Period start (YYYY-MM-DD)."),
    date_to: str = typer.Option(..., "--to", help="Period end (YYYY-MM-DD), inclusive."),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """The transparency report of a period: counts by kind and detail level, linked cases, actions."""
    with user_errors(), session_scope() as session:
        report = enforcement.transparency_report(session, local_viewer(), date_from, date_to)
    summary = {k: v for k, v in report.items() if k != "actions"}
    if export_to is not None:  # the export is the report's list of actions
        with user_errors():
            print_rows(report["actions"], ACTION_COLUMNS, title="enforcement actions", export_to=export_to)
        return
    if as_json:
        print_json(report)
        return

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    console.print(f"enforcement actions reported {summary['from']} to {summary['to']}: {summary['total']}",
                  highlight=False)  # fmt: skip
    console.print("  by kind: " + ", ".join(f"{k} {v}" for k, v in summary["by_kind"].items()), highlight=False)
    console.print("  by detail level: " + ", ".join(f"{k} {v}" for k, v in summary["by_detail_level"].items()),
                  highlight=False)  # fmt: skip
    console.print(f"  with detail: {summary['with_detail']} ({share(summary['share_with_detail'])}); linked to "
                  f"cases: {summary['linked_to_cases']}, not linked: {summary['not_linked_to_cases']}",
                  highlight=False)  # fmt: skip
    console.print(f"  cases raised in the period: {summary['cases_raised']}, with an action reported: "
                  f"{summary['cases_raised_with_action']} ({share(summary['share_of_cases_with_action'])})",
                  highlight=False)  # fmt: skip
    print_rows(report["actions"], ACTION_COLUMNS, title="actions")
