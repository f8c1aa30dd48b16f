"""``goodpath parties ...``: search, show and record (``add``) registry parties."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape
from rich.table import Table

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.registry import sanction_records, service

app = typer.Typer(help="Registry of sanctioned parties.", no_args_is_help=True)


@app.command("search")
def search(
    text: str = typer.Argument(..., help="Words of a name, in any script."),
    limit: int = typer.Option(20, help="Show at most this many."),
    include_delisted: bool = typer.Option(False, help="Also match names only delisted entries carry."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Find parties whose names contain every word given."""
    with user_errors(), session_scope() as session:
        total, parties = service.search_parties(
            session, local_viewer(), text, limit=limit, include_delisted=include_delisted
        )
        rows = [service.party_summary(p) for p in parties]
    if as_json:
        print_json({"total": total, "results": rows})
        return
    table = Table("id", "schema", "name", "countries", title=f"{total} parties match {text!r}")
    for r in rows:
        table.add_row(r["id"], r["schema"], r["caption"], ", ".join(r["countries"]))
    console.print(table)


@app.command("show")
def show(
    party_id: str = typer.Argument(..., help="Party id (from search) or key (e.g. norinco)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """A party with its names, list entries, sanctions and ownership."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        detail = service.party_detail(session, viewer, service.get_party(session, viewer, party_id))
    if as_json:
        print_json(detail)
        return
    say = lambda text: console.print(escape(text), highlight=False)  # noqa: E731 - names may hold [brackets]
    console.print(f"[bold]{escape(detail['caption'])}[/] ({detail['schema']}, {detail['id']})")
    for n in detail["names"]:
        say(f"  name      [{n['kind']}] {n['value']}" + (f" ({n['lang']})" if n["lang"] else ""))
    for e in detail["list_entries"]:
        say(f"  list      {e['dataset']} {e['external_id']} — {e['status']}")
    for s in detail["sanctions"]:
        say(
            f"  sanction  {s['authority'] or '?'} {s['program'] or ''} since {s['imposed_on'] or '?'}"
            f" — {s['status']}; {s['citation'] or ''}"
        )
    for o in detail["owners"]:
        say(f"  {_relation(o)} {o['caption']} ({o['party_id']}){_period(o)}")
    for h in detail["holdings"]:
        say(f"  holds     {h['caption']} ({h['party_id']}): {_relation(h)} this party{_period(h)}")


_RELATION_WORDS = {"owned": "owned {share}by", "subsidiary": "subsidiary of", "sub_unit": "sub-unit of",
                   "successor": "successor of", "linked": "linked to"}  # fmt: skip


def _relation(link: dict) -> str:
    share = f"{link['share']:g}% " if link["share"] else ""
    return _RELATION_WORDS.get(link["relation"], link["relation"]).format(share=share)


def _period(link: dict) -> str:
    if not (link["valid_from"] or link["valid_to"]):
        return ""
    return f" [{link['valid_from'] or '…'} – {link['valid_to'] or 'now'}]"


@contextmanager
def refused_exit_2() -> Iterator[None]:
    """Bad input of a recording command exits with status 2 (nothing stored), its message printed."""
    try:
        with user_errors():
            yield
    except typer.Exit as exc:
        if exc.exit_code == 1:
            raise typer.Exit(2) from None
        raise


@app.command("add")
def add(
    name: str = typer.Argument(..., help="The party's name as the notice gives it."),
    schema: str = typer.Option(..., "--schema", help=f"One of {', '.join(sanction_records.SCHEMATA)}."),
    country: str = typer.Option(..., "--country", help="Two-letter ISO country code (e.g. CN)."),
    key: str | None = typer.Option(None, "--key", help="A stable key (e.g. cpmiec) to name the party by."),
    names: list[str] = typer.Option([], "--name", help="Another name, LANG:TEXT (e.g. zh:中国精密机械进出口总公司)."),
    note: str | None = typer.Option(None, "--note", help="A note (e.g. where the name comes from)."),
    classification: str | None = typer.Option(None, "--classification", help="Default UNCLASSIFIED."),
    releasability: str | None = typer.Option(None, "--releasability", help="ALL or organization codes."),
    as_json: bool = typer.Option(False, "--json", help="Print the stored party as JSON."),
) -> None:
    """Record a party a notice names (audited)."""
    with refused_exit_2(), session_scope() as session:
        viewer = local_viewer()
        party = sanction_records.add_party(session, viewer, name, schema=schema, country=country, key=key, names=names,
                                           note=note, classification=classification,
                                           releasability=releasability)  # fmt: skip
        detail = service.party_detail(session, viewer, party)
    if as_json:
        print_json(detail)
        return
    console.print(f"party {escape(detail['id'])} recorded: {escape(detail['caption'])}", highlight=False)
