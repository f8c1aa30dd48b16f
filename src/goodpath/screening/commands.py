"""``goodpath screen NAME``: screen one name against every imported list."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from goodpath.core.cli_support import console, local_viewer, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.screening import service
from goodpath.screening.score import DEFAULT_THRESHOLD


def screen(
    name: str = typer.Argument(..., help="The name to screen, in any script."),
    country: str | None = typer.Option(None, help="ISO country code (e.g. CN): raises or lowers scores."),
    schema: str | None = typer.Option(None, help="Company, Organization, Person, Vessel, Airplane, LegalEntity."),
    limit: int = typer.Option(10, help="Show at most this many hits."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, help="Lowest score shown (0..1)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Screen a name: explained hits, one per party, with the list versions used."""
    with user_errors(), session_scope() as session:
        result = service.screen(
            session, local_viewer(), name, country=country, schema=schema, limit=limit, threshold=threshold
        )
    if as_json:
        print_json(result)
        return
    table = Table("score", "party", "list", "matched name", "why", title=f"{len(result['hits'])} hits for {name!r}")
    for hit in result["hits"]:
        why = ", ".join(
            f"{k} {v:+.2f}" if k != "name_similarity" else f"name {v:.2f}" for k, v in hit["features"].items()
        )
        table.add_row(
            f"{hit['score']:.2f}", escape(f"{hit['caption']} ({hit['party_id']})"), hit["dataset"],
            escape(f"{hit['matched_name']} [{hit['name_kind']}]"), why,
        )  # fmt: skip
    console.print(table)
    lists = ", ".join(f"{d} v{v}" for d, v in result["receipt"]["lists"].items())
    console.print(f"screened {result['receipt']['screened_at']} against {lists}", highlight=False)
