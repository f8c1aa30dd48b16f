"""``goodpath cases``: alleged-violation cases of the working-level channel, from the command line
(as the local operator: an analyst, who records partner steps on its behalf)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError
from goodpath.engagement import case_metrics, cases
from goodpath.engagement.interfaces import (
    CLASSIFICATION,
    EXPORT,
    JSON,
    ON,
    RELEASABILITY,
    done,
    print_rows,
)

cases_app = typer.Typer(
    help="Alleged export-control violation cases raised through the working-level channel.", no_args_is_help=True
)

NOTE = typer.Option(None, "--note", help="A note for the history.")
SOURCE = typer.Option(None, "--source", help='Citation, e.g. "07BEIJING1900 ¶15".')

CASE_COLUMNS = ("id", "reference", "title", "raised_on", "status", "status_on", "destination", "outcome")


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
    done(detail, as_json, f"{_case_message(detail)}; {len(detail['parties'])} parties screened, {hits} hits")


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
    done(detail, as_json, f"{_case_message(detail)}; {added.name} added as {added.role}, {hits} hits")


@cases_app.command("remove-party")
def remove_party(
    case: str = typer.Argument(..., help="Case id or reference."),
    party: int = typer.Argument(..., help="The case party's id (see cases show --json)."),
    as_json: bool = JSON,
) -> None:
    """Remove a party from an open case (audited)."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        record = cases.get_case(session, viewer, case)
        removed = cases.remove_party(session, viewer, record.id, party)
        detail = cases.case_detail(session, viewer, record.id)
    done(detail, as_json, f"{_case_message(detail)}; {removed.name} ({removed.role}) removed")


@cases_app.command("add-item")
def add_item(
    case: str = typer.Argument(..., help="Case id or reference."),
    item: str = typer.Argument(..., help="DESCRIPTION|CONTROL_ENTRY|QUANTITY (the last two optional)."),
    as_json: bool = JSON,
) -> None:
    """Add an item to an open case."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        record = cases.get_case(session, viewer, case)
        cases.add_item(session, viewer, record.id, **_item(item))
        detail = cases.case_detail(session, viewer, record.id)
    done(detail, as_json, f"{_case_message(detail)}; {len(detail['items'])} items")


@cases_app.command("remove-item")
def remove_item(
    case: str = typer.Argument(..., help="Case id or reference."),
    number: int = typer.Argument(..., help="The item's number (1 for the first)."),
    as_json: bool = JSON,
) -> None:
    """Remove an item from an open case."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        record = cases.get_case(session, viewer, case)
        cases.remove_item(session, viewer, record.id, number)
        detail = cases.case_detail(session, viewer, record.id)
    done(detail, as_json, f"{_case_message(detail)}; {len(detail['items'])} items")


def _step(case: str, status: str, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        record = cases.get_case(session, viewer, case)
        cases.advance(session, viewer, record.id, status, **kwargs)
        detail = cases.case_detail(session, viewer, record.id)
    done(detail, as_json, _case_message(detail))


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
    include_illustrative: bool = typer.Option(
        False, "--include-illustrative", help="Count the illustrative (fictional) companies' cases too."
    ),
    as_json: bool = JSON,
) -> None:
    """Share of outcomes among closed cases, time to each step, open cases by age."""
    with user_errors(), session_scope() as session:
        result = case_metrics.metrics(session, local_viewer(), today=today, year=year,
                                      include_illustrative=include_illustrative)  # fmt: skip
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
