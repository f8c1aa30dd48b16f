"""``goodpath identity ...``: one party per real-world entity — candidates, merge, undo, list."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json
from goodpath.core.db import session_scope
from goodpath.registry import identity, identity_service
from goodpath.registry.commands import refused_exit_2

app = typer.Typer(help="One party per real-world entity across lists: candidates, merges, undo.", no_args_is_help=True)


@app.command("candidates")
def candidates(
    min_score: float = typer.Option(
        identity_service.DEFAULT_MIN_SCORE, "--min-score", help="Show pairs scoring at least this (0..1)."
    ),
    party: str | None = typer.Option(None, "--party", help="Only the pairs of this party (id or key)."),
    limit: int = typer.Option(50, help="Show at most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Pairs of parties that may be one real-world entity, best first, with the features of each score."""
    with refused_exit_2(), session_scope() as session:
        found = identity_service.candidates(session, local_viewer(), min_score=min_score, party_id=party, limit=limit)
    rows = [c.to_dict() for c in found]
    if as_json:
        print_json({"min_score": min_score, "total": len(rows), "results": rows})
        return
    table = Table("score", "first", "second", "lists", "features", title=f"{len(rows)} candidates ≥ {min_score:g}")
    for r in rows:
        table.add_row(
            f"{r['score']:.3f}",
            escape(f"{r['captions'][0]} ({r['first']})"),
            escape(f"{r['captions'][1]} ({r['second']})"),
            escape(" | ".join(", ".join(side) or "recorded" for side in r["lists"])),
            ", ".join(f"{k} {v:g}" for k, v in r["features"].items()),
        )
    console.print(table)


@app.command("merge")
def merge(
    first: str = typer.Argument(..., help="The party to keep (id or key)."),
    second: str = typer.Argument(..., help="The party merged into it (id or key)."),
    reason: str = typer.Option(..., "--reason", help="Why these are one party (audited)."),
    as_json: bool = typer.Option(False, "--json", help="Print the merge as JSON."),
) -> None:
    """Merge two parties into one: its names, list entries, dispositions, watches, alerts, case parties
    and old id move to the kept party (the less restricted one when their markings differ)."""
    with refused_exit_2(), session_scope() as session:
        viewer = local_viewer()
        data = identity_service.merge(session, viewer, first, second, reason=reason)
    if as_json:
        print_json(data)
        return
    console.print(
        f"merge {data['id']}: {escape(data['merged'])} merged into {escape(data['kept'])} "
        f"({escape(data['kept_caption'] or '')}); undo with: goodpath identity undo {data['id']} --reason ...",
        highlight=False,
    )


@app.command("merge-above")
def merge_above(
    min_score: float = typer.Argument(
        ..., help=f"Merge the candidates scoring at least this (>= {identity_service.BULK_MERGE_FLOOR})."
    ),
    reason: str = typer.Option(..., "--reason", help="Why (audited with each merge and its score)."),
    as_json: bool = typer.Option(False, "--json", help="Print the merges as JSON."),
) -> None:
    """Merge every candidate pair at or above a high, benchmarked score; each merge undoable."""
    with refused_exit_2(), session_scope() as session:
        done = identity_service.merge_above(session, local_viewer(), min_score, reason=reason)
    if as_json:
        print_json({"merged": len(done), "results": done})
        return
    console.print(f"{len(done)} pairs merged (goodpath identity list; undo each with goodpath identity undo ID)")


@app.command("undo")
def undo(
    merge_id: int = typer.Argument(..., help="The merge's number (goodpath identity list)."),
    reason: str = typer.Option(..., "--reason", help="Why the merge is undone (audited)."),
    as_json: bool = typer.Option(False, "--json", help="Print the merge as JSON."),
) -> None:
    """Undo a merge: what it moved goes back to the merged party, which lives again."""
    with refused_exit_2(), session_scope() as session:
        data = identity_service.undo(session, local_viewer(), merge_id, reason=reason)
    if as_json:
        print_json(data)
        return
    console.print(f"merge {data['id']} undone: {escape(data['merged'])} is a party again", highlight=False)


@app.command("reject")
def reject(
    first: str = typer.Argument(..., help="A party (id or key)."),
    second: str = typer.Argument(..., help="The other party (id or key)."),
    reason: str = typer.Option(..., "--reason", help="Why these are two parties (audited)."),
) -> None:
    """Decide that a candidate pair is two parties: it is not shown again, nor merged by a shared key."""
    with refused_exit_2(), session_scope() as session:
        data = identity_service.reject(session, local_viewer(), first, second, reason=reason)
    console.print(f"decision {data['id']}: {data['parties'][0]} and {data['parties'][1]} are two parties")


@app.command("list")
def list_merges(
    include_undone: bool = typer.Option(True, "--include-undone/--active", help="Also the merges undone."),
    party: str | None = typer.Option(None, "--party", help="Only the merges of this party (id)."),
    limit: int = typer.Option(50, help="Show at most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """The merges, newest first."""
    with refused_exit_2(), session_scope() as session:
        total, rows = identity_service.merges(
            session, local_viewer(), include_undone=include_undone, party_id=party, limit=limit
        )
    if as_json:
        print_json({"total": total, "results": rows})
        return
    table = Table("id", "kept", "merged", "how", "by", "at", "undone", title=f"{total} merges")
    for r in rows:
        table.add_row(
            str(r["id"]),
            escape(f"{r['kept_caption'] or ''} ({r['kept']})"),
            escape(f"{r['merged_caption'] or ''} ({r['merged']})"),
            escape(r["method"] + (f" {r['key']}" if r["key"] else "")),
            escape(r["merged_by"]),
            r["merged_at"][:19],
            escape(f"{r['undone_at'][:19]} {r['undone_by']}") if r["undone_at"] else "",
        )
    console.print(table)


@app.command("reconcile")
def reconcile(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Compute the deterministic keys of every list entry and merge the parties sharing one (for lists
    imported before keys were kept; imports do this themselves)."""
    with refused_exit_2(), session_scope() as session:
        data = identity_service.reconcile_all(session, local_viewer())
    if as_json:
        print_json(data)
        return
    console.print(f"{data['keys']} keys of {data['entries']} entries; {data['merged']} parties merged; "
                  f"{data['shared_keys']} keys still shared by two parties")  # fmt: skip


@app.command("check")
def check(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Keys still held by two parties (the target: none), and the ambiguous keys left unmerged."""
    with refused_exit_2(), session_scope() as session:
        data = identity_service.check(session, local_viewer())
    if as_json:
        print_json(data)
        return
    console.print(f"{len(data['shared'])} keys shared by two parties; {data['ambiguous']} ambiguous keys")
    for group in data["shared"][:50]:
        console.print(f"  {escape(group['key'])}: {', '.join(group['parties'])}", highlight=False)
    if data["shared"]:
        raise typer.Exit(1)


__all__ = ["app", "identity"]
