"""``goodpath cables parse PATH…``: the pure parser on files and folders, as JSON or a summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from goodpath.cables import drafts as cable_drafts
from goodpath.cables import ingest as cable_ingest
from goodpath.cables.model import Cable, CableFormatError
from goodpath.cables.parser import parse_file
from goodpath.core.cli_support import console, local_viewer, print_json, user_errors
from goodpath.core.db import new_session, session_scope
from goodpath.core.errors import GoodpathError

cables_app = typer.Typer(help="Diplomatic cables: parse, ingest, search; review their drafts.", no_args_is_help=True)


def _files(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded (recursively, sorted, hidden files skipped)."""
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            result.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in p.parts)
            )
        else:
            result.append(path)
    return result


def _summary(path: Path, cable: Cable) -> str:
    lines = [
        f"{path}: {cable.reference_id or '(no reference id)'} [{cable.source_format}] "
        f"{cable.classification or '(unclassified?)'} {cable.date_time_group or ''}".rstrip(),
        f"  subject: {cable.subject or '-'}",
        f"  {len(cable.paragraphs)} paragraphs, {len(cable.organizations)} organizations, "
        f"{len(cable.people)} people, {len(cable.countries)} countries",
    ]
    lines.extend(f"  warning: {warning}" for warning in cable.warnings)
    return "\n".join(lines)


@cables_app.command("parse")
def parse(
    paths: list[Path] = typer.Argument(..., help="Cable files or folders (raw, web-archive or cablegate HTML)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object for one file, JSON lines for several."),
) -> None:
    """Parse cables without storing them: header fields, paragraphs, organizations, people, countries."""
    files = _files(paths)
    failed = 0
    for path in files:
        try:
            if not path.exists():
                raise CableFormatError(f"{path}: no such file or folder")
            cable = parse_file(path)
        except CableFormatError as exc:
            failed += 1
            message = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
            sys.stderr.write(f"error: {message}\n")
            continue
        if as_json and len(files) == 1:
            sys.stdout.write(json.dumps(cable.to_dict(), ensure_ascii=False, indent=2) + "\n")
        elif as_json:
            sys.stdout.write(json.dumps(cable.to_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(_summary(path, cable) + "\n")
    if not files:
        sys.stderr.write("error: no files found\n")
    if failed or not files:
        raise typer.Exit(code=1)


# --- ingestion and review: stored cables, their links and drafts --------------------------------

JSON_OPTION = typer.Option(False, "--json", help="Print as JSON.")


@cables_app.command("ingest")
def ingest(
    paths: list[Path] = typer.Argument(..., help="Cable files, folders or zip archives."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Store cables (idempotent by reference id), link their organizations, draft their pledges.
    Exit status 1 when any file was refused."""
    viewer = local_viewer()
    with user_errors():
        if as_json:
            results = cable_ingest.ingest_paths(new_session, viewer, paths)
        else:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("ingesting", total=None)

                def advance(done: int, total: int, result: dict) -> None:
                    bar.update(task, completed=done, total=total, description=Path(result["file"]).name[:40])

                results = cable_ingest.ingest_paths(new_session, viewer, paths, progress=advance)
    if as_json:
        print_json(results)
    else:
        table = Table(title="cables ingested")
        for column in ("file", "reference id", "outcome", "links", "drafts", "reason"):
            table.add_column(column)
        for r in results:
            links = f"{r['linked']} linked, {r['unlinked']} not" if "linked" in r else ""
            table.add_row(r["file"], r["reference_id"] or "-", r["outcome"], links, str(r.get("drafts", "")),
                          r["reason"] or "")  # fmt: skip
        console.print(table, highlight=False)
        outcomes = [r["outcome"] for r in results]
        summary = ", ".join(f"{outcomes.count(o)} {o}" for o in ("stored", "updated", "unchanged", "refused"))
        console.print(summary, highlight=False)
    if not results:
        sys.stderr.write("error: no files found\n")
    if not results or any(r["outcome"] == "refused" for r in results):
        raise typer.Exit(code=1)


@cables_app.command("list")
def list_cables(
    q: str | None = typer.Option(None, "--q", help="Words that must all occur in the subject or text."),
    tag: str | None = typer.Option(None, "--tag", help="A TAGS code, e.g. PARM."),
    date_from: str | None = typer.Option(None, "--from", help="From this day (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="To this day (YYYY-MM-DD), inclusive."),
    classification: str | None = typer.Option(None, "--classification", help="UNCLASSIFIED, CONFIDENTIAL, SECRET."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Stored cables, newest first."""
    with user_errors(), session_scope() as session:
        rows = cable_ingest.list_cables(session, local_viewer(), q=q, tag=tag, date_from=date_from, date_to=date_to,
                                        classification=classification)  # fmt: skip
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} cables")
    for column in ("reference id", "date", "classification", "tags", "subject"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["reference_id"], r["dated"] or "", r["classification"], " ".join(r["tags"] or []),
                      r["subject"] or "")  # fmt: skip
    console.print(table, highlight=False)


@cables_app.command("show")
def show(reference_id: str, as_json: bool = JSON_OPTION) -> None:
    """A stored cable with its linked organizations and its drafts."""
    with user_errors(), session_scope() as session:
        detail = cable_ingest.detail(session, local_viewer(), reference_id)
    if as_json:
        print_json(detail)
        return
    out = [f"{detail['reference_id']} {detail['classification']} {detail['date_time_group'] or ''} "
           f"({detail['origin'] or '-'})", f"  subject: {detail['subject'] or '-'}",
           f"  tags: {' '.join(detail['tags'] or []) or '-'}"]  # fmt: skip
    for link in detail["links"]:
        target = f"→ {link['caption'] or link['party_id']} ({link['score']}, {link['matched_name']})"
        out.append(f"  org {link['name']}: {target if link['status'] == 'linked' else 'unlinked'}")
    for d in detail["drafts"]:
        out.append(f"  draft {d['id']} [{d['kind']}, {d['status']}] {d['source']}: {d['text']}")
    console.print("\n".join(out), highlight=False, markup=False)


@cables_app.command("drafts")
def list_drafts(
    status: str | None = typer.Option(None, "--status", help="draft, confirmed or discarded."),
    kind: str | None = typer.Option(None, "--kind", help="pledge, consultation or request."),
    reference_id: str | None = typer.Option(None, "--cable", help="Only this cable's drafts."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Drafts found in the cables, to confirm or discard."""
    with user_errors(), session_scope() as session:
        rows = cable_drafts.list_drafts(session, local_viewer(), status=status, kind=kind, reference_id=reference_id)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} drafts")
    for column in ("id", "kind", "status", "source", "text"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["kind"], r["status"], r["source"], r["text"])
    console.print(table, highlight=False)


@cables_app.command("confirm")
def confirm(
    draft_id: int,
    as_kind: str | None = typer.Option(None, "--as", help="Record a request as: pledge or consultation."),
    field: list[str] | None = typer.Option(None, "--set", help="FIELD=VALUE replacing a proposed value (repeatable)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Confirm a draft: creates the pledge or consultation it proposes, citing its cable and paragraph."""
    with user_errors(), session_scope() as session:
        overrides = {}
        for item in field or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise GoodpathError(f"--set must look like FIELD=VALUE, not {item!r}")
            overrides[key.strip()] = int(value) if key.strip() in {"cadence_months", "round_id", "meeting_id"} \
                and value.strip().isdigit() else value  # fmt: skip
        draft = cable_drafts.confirm_draft(session, local_viewer(), draft_id, as_kind=as_kind, **overrides)
        result = cable_drafts.draft_dict(draft)
    if as_json:
        print_json(result)
    else:
        console.print(f"draft {draft_id} confirmed: {result['confirmed_record_type']} "
                      f"{result['confirmed_record_id']} ({result['source']})", highlight=False)  # fmt: skip


@cables_app.command("discard")
def discard(
    draft_id: int,
    reason: str = typer.Option(..., "--reason", help="Why it is not an engagement record."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Discard a draft, with the reason."""
    with user_errors(), session_scope() as session:
        result = cable_drafts.draft_dict(cable_drafts.discard_draft(session, local_viewer(), draft_id, reason))
    if as_json:
        print_json(result)
    else:
        console.print(f"draft {draft_id} discarded: {reason}", highlight=False, markup=False)
