"""``goodpath screen NAME``: screen one name against every imported list."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.screening import service
from goodpath.screening.score import DEFAULT_THRESHOLD


def screen(
    name: str = typer.Argument(..., help="The name to screen, in any script."),
    country: str | None = typer.Option(None, help="ISO country code (e.g. CN): raises or lowers scores."),
    schema: str | None = typer.Option(None, help="Company, Organization, Person, Vessel, Airplane, LegalEntity."),
    limit: int = typer.Option(10, help="Show at most this many hits."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, help="Lowest score shown (0..1)."),
    include_suppressed: bool = typer.Option(False, help="Also show hits suppressed as known false positives."),
    as_of: datetime | None = typer.Option(
        None, formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="Screen against the list versions imported by then (UTC)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Screen a name: explained hits, one per party, with the list versions used."""
    with user_errors(), session_scope() as session:
        result = service.screen(
            session, local_viewer(), name, country=country, schema=schema, limit=limit, threshold=threshold,
            include_suppressed=include_suppressed, as_of=as_of,
        )  # fmt: skip
    if as_json:
        print_json(result)
        return
    table = Table(
        "score", "party", "list", "matched name", "why", "disposition", title=f"{len(result['hits'])} hits for {name!r}"
    )
    for hit in result["hits"]:
        why = ", ".join(
            f"{k} {v:+.2f}" if k != "name_similarity" else f"name {v:.2f}" for k, v in hit["features"].items()
        )
        table.add_row(
            f"{hit['score']:.2f}", escape(f"{hit['caption']} ({hit['party_id']})"),
            f"{hit['dataset']}\nentry {hit['entry_id']}",
            escape(f"{hit['matched_name']} [{hit['name_kind']}]"), why, _disposition(hit["disposition"]),
        )  # fmt: skip
    console.print(table)
    if result["indirect_hits"]:
        console.print(_indirect_table(result["indirect_hits"]))
    if result["suppressed"]:
        shown = "shown" if include_suppressed else "left out (--include-suppressed shows them)"
        console.print(f"{result['suppressed']} known false positive(s) {shown}", highlight=False)
    stamp = result["receipt"]
    lists = ", ".join(f"{d} v{v}" for d, v in stamp["lists"].items()) or "no list (none imported by then)"
    as_of = f" as of {stamp['as_of']}" if "as_of" in stamp else ""
    console.print(f"screened {stamp['screened_at']}{as_of} against {lists}", highlight=False)


def _disposition(prior: dict | None) -> str:
    if prior is None:
        return ""
    stale = " (stale: the list entry changed since)" if prior["stale"] else ""
    return escape(f"{prior['verdict']}{stale} by {prior['decided_by']}: {prior['reason']}")


def _indirect_table(hits: list[dict]) -> Table:
    """Listed parties that control a matched party, with the ownership path (owner first)."""
    table = Table("score", "listed party", "controls", "path", title=f"{len(hits)} indirect hits (ownership)")
    for hit in hits:
        path = " -> ".join([*(_step(step) for step in reversed(hit["path"])), hit["via"]["caption"]])
        table.add_row(
            f"{hit['score']:.2f}", escape(f"{hit['caption']} ({hit['party_id']})"),
            escape(f"{hit['via']['caption']} as {hit['via']['matched_name']!r}"), escape(path),
        )  # fmt: skip
    return table


def _step(step: dict) -> str:
    share = "" if step["share"] is None else f" {step['share']:g}%"
    return f"{step['caption']} ({step['relation']}{share})"
