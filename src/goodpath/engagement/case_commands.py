"""``goodpath cases`` and ``goodpath enforcement``: alleged-violation cases of the working-level
channel, the partner's reported enforcement actions and the transparency report, from the
command line (as the local operator: an analyst, who records partner steps on its behalf)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError
from goodpath.core.fields import to_dict
from goodpath.engagement import case_metrics, cases, enforcement
from goodpath.engagement.interfaces import print_rows

cases_app = typer.Typer(
    help="Alleged export-control violation cases raised through the working-level channel.", no_args_is_help=True
)
enforcement_app = typer.Typer(
    help="The partner's reported enforcement actions and the transparency report.", no_args_is_help=True
)

JSON = typer.Option(False, "--json", help="Print as JSON.")
EXPORT = typer.Option(None, "--export", help="Write the list to FILE.csv or FILE.xlsx.")
ON = typer.Option(None, "--on", help="When it happened (YYYY-MM-DD; default today).")
NOTE = typer.Option(None, "--note", help="A note for the history.")
SOURCE = typer.Option(None, "--source", help='Citation, e.g. "07BEIJING1900 ¶15".')
CLASSIFICATION = typer.Option(None, "--classification", help="Default UNCLASSIFIED.")
RELEASABILITY = typer.Option(None, "--releasability", help="ALL or codes like USA,CHN.")

CASE_COLUMNS = ("id", "reference", "title", "raised_on", "status", "status_on", "destination", "outcome")
ACTION_COLUMNS = ("id", "reported_on", "kind", "reported_by", "case_id", "party_name", "detail_level", "taken_on",
                  "penalty_amount", "currency")  # fmt: skip


def _done(result: dict, as_json: bool, message: str) -> None:
    if as_json:
        print_json(result)
    else:
        console.print(message, highlight=False)


def _item(value: str) -> dict:
    """DESCRIPTION|CONTROL_ENTRY|QUANTITY (the last two optional)."""
    parts = [p.strip() for p in value.split("|")]
    if len(parts) > 3 or not parts[0]:
        raise GoodpathError(f"--item must look like DESCRIPTION|CONTROL_ENTRY|QUANTITY, not {value!r}")
    parts += [""] * (3 - len(parts))
    quantity: int | float | str | None = parts[2] or None
    if quantity and re.fullmatch(r"-?\d+", quantity):
        quantity = int(quantity)
    elif quantity and re.fullmatch(r"-?\d+\.\d+", quantity):
        quantity = float(quantity)
    return {"description": parts[0], "control_entry": parts[1] or None, "quantity": quantity}


def _party(value: str) -> dict:
    """ROLE:NAME[:COUNTRY[:PARTY_ID]]."""
    parts = [p.strip() for p in value.split(":")]
    if not 2 <= len(parts) <= 4:
        raise GoodpathError(f"--party must look like ROLE:NAME:COUNTRY:PARTY_ID (the last two optional), not {value!r}")
    parts += [""] * (4 - len(parts))
    return {"role": parts[0], "name": parts[1], "country": parts[2] or None, "party_id": parts[3] or None}


def _case_message(detail: dict) -> str:
    return f"case {detail['reference']} (id {detail['id']}): {detail['status']} on {detail['status_on']}"


# --- cases -------------------------------------------------------------------------------------


@cases_app.command("list")
def list_cases(
    status: str | None = typer.Option(None, help="Only cases in this status."),
    open_only: bool = typer.Option(False, "--open", help="Only open cases."),
    party: str | None = typer.Option(None, "--party", help="Only cases of this registry party."),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Cases, newest raised first."""
    with user_errors(), session_scope() as session:
        rows = cases.list_cases(session, local_viewer(), status=status, open_only=open_only, party_id=party)
        print_rows(rows, CASE_COLUMNS, title="cases", as_json=as_json, export_to=export_to)


@cases_app.command("show")
def show_case(case: str = typer.Argument(..., help="Case id or reference."), as_json: bool = JSON) -> None:
    """A case with its parties (and screening hits), history and enforcement actions."""
    with user_errors(), session_scope() as session:
        detail = cases.case_detail(session, local_viewer(), case)
    if as_json:
        print_json(detail)
        return
    console.print(f"[bold]{detail['reference']}[/] {detail['title']}: {detail['status']} since {detail['status_on']}"
                  f" (raised {detail['raised_on']}, to {detail['destination'] or '?'}, end user "
                  f"{detail['end_user'] or '?'})", highlight=False)  # fmt: skip
    console.print(f"  facts: {detail['facts']}", highlight=False)
    for item in detail["items"]:
        console.print(f"  item: {item['description']} [{item['control_entry'] or '-'}] x {item['quantity'] or '?'}",
                      highlight=False)  # fmt: skip
    for p in detail["parties"]:
        hits = ", ".join(f"{h['caption']} ({h['dataset']}, {h['score']:.2f})" for h in p["hits"]) or "no hits"
        console.print(f"  {p['role']}: {p['name']} [{p['country'] or '-'}] - {hits}", highlight=False)
    if detail["partner_response"]:
        console.print(f"  partner response: {detail['partner_response']}", highlight=False)
    if detail["outcome"]:
        console.print(f"  outcome: {detail['outcome']}: {detail['outcome_note']}", highlight=False)
    for h in detail["history"]:
        console.print(f"  {h['on']} {h['from'] or '-'} -> {h['to']} by {h['by']} {h['note'] or ''} "
                      f"{h['source'] or ''}", highlight=False)  # fmt: skip
    for a in detail["actions"]:
        console.print(f"  action {a['id']}: {a['kind']} reported {a['reported_on']} by {a['reported_by']}",
                      highlight=False)  # fmt: skip


@cases_app.command("raise")
def raise_case(
    reference: str = typer.Argument(..., help="Unique reference, e.g. WLC-2007-001."),
    title: str = typer.Option(..., help="A short title."),
    facts: str = typer.Option(..., help="The facts alleged."),
    raised_on: str | None = typer.Option(None, "--raised-on", help="YYYY-MM-DD; default today."),
    destination: str | None = typer.Option(None, help="Destination country (two letters, e.g. IR)."),
    end_user: str | None = typer.Option(None, "--end-user", help="The end user."),
    item: list[str] | None = typer.Option(None, "--item", help="DESCRIPTION|CONTROL_ENTRY|QUANTITY (repeatable)."),
    party: list[str] | None = typer.Option(
        None, "--party", help="ROLE:NAME:COUNTRY:PARTY_ID (repeatable); each is screened and watched."
    ),
    company: str | None = typer.Option(None, "--company", help="The main company's registry party id."),
    partner: str = typer.Option("CHN", help="The partner government the case is released to."),
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Raise a case; its parties are screened now and re-screened after every list import."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        case = cases.raise_case(
            session, viewer, reference=reference, title=title, facts=facts, raised_on=raised_on,
            destination=destination, end_user=end_user, items=[_item(i) for i in item or ()],
            parties=[_party(p) for p in party or ()], party_id=company, partner=partner,
            classification=classification, releasability=releasability, source=source,
        )  # fmt: skip
        detail = cases.case_detail(session, viewer, case.id)
    hits = sum(len(p["hits"]) for p in detail["parties"])
    _done(detail, as_json, f"{_case_message(detail)}; {len(detail['parties'])} parties screened, {hits} hits")


@cases_app.command("add-party")
def add_party(
    case: str = typer.Argument(..., help="Case id or reference."),
    party: str = typer.Argument(..., help="ROLE:NAME:COUNTRY:PARTY_ID (the last two optional)."),
    as_json: bool = JSON,
) -> None:
    """Add a party to an open case; it is screened now and watched like those raised with the case."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        record = cases.get_case(session, viewer, case)
        added = cases.add_party(session, viewer, record.id, **_party(party))
        detail = cases.case_detail(session, viewer, record.id)
        hits = len(added.hits or [])
    _done(detail, as_json, f"{_case_message(detail)}; {added.name} added as {added.role}, {hits} hits")


def _step(case: str, status: str, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        record = cases.get_case(session, viewer, case)
        cases.advance(session, viewer, record.id, status, **kwargs)
        detail = cases.case_detail(session, viewer, record.id)
    _done(detail, as_json, _case_message(detail))


CASE_ARG = typer.Argument(..., help="Case id or reference.")


@cases_app.command("acknowledge")
def acknowledge(case: str = CASE_ARG, on: str | None = ON, note: str | None = NOTE, source: str | None = SOURCE,
                as_json: bool = JSON) -> None:  # fmt: skip
    """Record that the partner acknowledged the case (on its behalf)."""
    _step(case, "acknowledged", as_json, occurred_on=on, note=note, source=source)


@cases_app.command("investigate")
def investigate(case: str = CASE_ARG, on: str | None = ON, note: str | None = NOTE, source: str | None = SOURCE,
                as_json: bool = JSON) -> None:  # fmt: skip
    """Record that the partner opened its investigation (on its behalf)."""
    _step(case, "under_investigation", as_json, occurred_on=on, note=note, source=source)


@cases_app.command("respond")
def respond(
    case: str = CASE_ARG,
    response: str = typer.Option(..., help="The partner's response."),
    action: list[int] | None = typer.Option(None, "--action", help="An enforcement action it cites (repeatable)."),
    on: str | None = ON,
    note: str | None = NOTE,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Record the partner's response (on its behalf)."""
    _step(case, "response_reported", as_json, response=response, action_ids=action or [], occurred_on=on, note=note,
          source=source)  # fmt: skip


@cases_app.command("close")
def close(
    case: str = CASE_ARG,
    outcome: str | None = typer.Option(None, help=", ".join(cases.OUTCOMES) + " (required)."),
    note: str | None = typer.Option(None, "--note", help="Why the case closes this way (required)."),
    on: str | None = ON,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Record the outcome; refused without an outcome or a note."""
    _step(case, "closed", as_json, outcome=outcome, note=note, occurred_on=on, source=source)


@cases_app.command("metrics")
def metrics(
    today: str | None = typer.Option(None, "--today", help="Age open cases against this day (YYYY-MM-DD)."),
    year: int | None = typer.Option(None, "--year", help="Outcome shares of cases closed in this year."),
    as_json: bool = JSON,
) -> None:
    """Share of outcomes among closed cases, time to each step, open cases by age."""
    with user_errors(), session_scope() as session:
        result = case_metrics.metrics(session, local_viewer(), today=today, year=year)
    if as_json:
        print_json(result)
        return
    outcomes = result["outcomes"]
    console.print(f"closed cases{' in ' + str(year) if year else ''}: {outcomes['closed']}", highlight=False)
    for name, count in outcomes["counts"].items():
        share = outcomes["shares"][name]
        console.print(f"  {name}: {count} ({'-' if share is None else f'{share:.0%}'})", highlight=False)
    console.print("days from raising to each step (median / mean, cases):", highlight=False)
    for step, t in result["time_to_step"].items():
        if not t["cases"]:
            console.print(f"  {step}: no case has reached it", highlight=False)
            continue
        console.print(f"  {step}: {t['median_days']} / {t['mean_days']} ({t['cases']})", highlight=False)
    ages = result["open_by_age"]
    buckets = ", ".join(f"{k}: {v}" for k, v in ages["buckets"].items())
    console.print(f"open cases on {ages['today']}: {ages['open']} (days old: {buckets})", highlight=False)


# --- enforcement ---------------------------------------------------------------------------------


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
    _done(result, as_json, f"enforcement action {result['id']}: {result['kind']} reported {result['reported_on']} "
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
