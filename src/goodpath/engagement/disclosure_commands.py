"""``goodpath disclosures``: the companies' disclosures of business with countries of concern,
their counterparties screened, from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, user_errors
from goodpath.core.db import session_scope
from goodpath.core.fields import to_dict
from goodpath.engagement import disclosures
from goodpath.engagement.interfaces import (
    COMPANY_CLASSIFICATION,
    COMPANY_RELEASABILITY,
    EXPORT,
    JSON,
    SHARE_WITH,
    done,
    print_rows,
)

disclosures_app = typer.Typer(
    help="Companies' disclosures of business with countries of concern; counterparties screened.",
    no_args_is_help=True,
)

SOURCE = typer.Option(None, help='Citation, e.g. "07BEIJING5360 ¶3".')

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
    classification: str | None = COMPANY_CLASSIFICATION,
    releasability: str | None = COMPANY_RELEASABILITY,
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
    done(result, as_json, f"disclosure {result['id']}: {len(result['hits'])} hits, signal {result['signal']}")
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
