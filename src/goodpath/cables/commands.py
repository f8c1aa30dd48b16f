"""``goodpath cables …``: the pure parser on files and folders (``parse``); ingestion, search and the
review of stored cables, their versions and their drafts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from goodpath.access.operator import local_viewer
from goodpath.cables import drafts as cable_drafts
from goodpath.cables import ingest as cable_ingest
from goodpath.cables import review as cable_review
from goodpath.cables.parsed_cable import Cable, CableFormatError
from goodpath.cables.parser import parse_file
from goodpath.core.cli_support import console, print_json, user_errors
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
    """Store cables, link their organizations, draft their pledges. A copy that differs from a stored
    cable is kept as a pending version (see `cables versions`); the same file again is unchanged.
    Exit status 1 when any file was refused."""
    viewer = local_viewer()
    with user_errors():
        if as_json:
            results = cable_ingest.ingest_paths(new_session, viewer, paths)
        else:
            with _progress_bar() as advance:
                results = cable_ingest.ingest_paths(new_session, viewer, paths, progress=advance)
    if as_json:
        print_json(results)
    else:
        table = Table(title="cables ingested")
        for column in ("file", "reference id", "outcome", "version", "links", "drafts", "reason"):
            table.add_column(column)
        for r in results:
            links = f"{r['linked']} linked, {r['unlinked']} not" if "linked" in r else ""
            table.add_row(r["file"], r["reference_id"] or "-", r["outcome"], str(r.get("version") or ""), links,
                          str(r.get("drafts", "")), r["reason"] or "")  # fmt: skip
        console.print(table, highlight=False, markup=False)
        outcomes = [r["outcome"] for r in results]
        console.print(", ".join(f"{outcomes.count(o)} {o}" for o in cable_ingest.OUTCOMES), highlight=False)
    if not results:
        sys.stderr.write("error: no files found\n")
    if not results or any(r["outcome"] == "refused" for r in results):
        raise typer.Exit(code=1)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int, dict], None]]:
    """A transient progress bar, advanced once per file or cable."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("working", total=None)

        def advance(done: int, total: int, result: dict) -> None:
            label = Path(result.get("file") or result.get("reference_id") or "").name[:40]
            bar.update(task, completed=done, total=total, description=label)

        yield advance


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
    kind: str | None = typer.Option(
        None, "--kind", help="proposal, offer, pledge, request, status, consultation, case or case_update."
    ),
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
    """Confirm a draft: creates the pledge, consultation or case it proposes, or records the status or case step
    (--set consultation_id=…, project_id=…, step=…), citing its cable and paragraph."""
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


# --- versions: list, accept, reparse ------------------------------------------------------------


@cables_app.command("versions")
def list_versions(reference_id: str, as_json: bool = JSON_OPTION) -> None:
    """A cable's versions: current, pending (a differing copy or a reparse, waiting for an analyst)
    and superseded, with what each would change against the current one."""
    with user_errors(), session_scope() as session:
        rows = cable_review.list_versions(session, local_viewer(), reference_id)
    if as_json:
        print_json(rows)
        return
    out = [f"{reference_id.strip().upper()}: {len(rows)} version(s)"]
    for v in rows:
        change = f" [{_change(v['diff'])}]" if v["diff"] else ""
        out.append(f"  {v['number']} {v['status']} ({v['origin']}) {(v['content_hash'] or 'no file kept')[:12]} "
                   f"{v['paragraph_count']} paragraphs{change}, {v['created_by']} {v['created_at'][:19]}"
                   f"{', ' + v['source_name'] if v['source_name'] else ''}")  # fmt: skip
        out.extend(f"      warning: {w}" for w in v["warnings"])
    console.print("\n".join(out), highlight=False, markup=False, soft_wrap=True)


def _change(diff: dict | None) -> str:
    if diff is None:
        return ""
    parts = [f"+{diff['paragraphs_added']} -{diff['paragraphs_removed']} ~{diff['paragraphs_changed']} paragraphs"]
    if diff["classification_after"] != diff["classification_before"]:
        parts.append(f"{diff['classification_before']} → {diff['classification_after']}")
    if diff["new_warnings"]:
        parts.append(f"{len(diff['new_warnings'])} new warning(s)")
    return ", ".join(parts)


@cables_app.command("accept-version")
def accept_version(
    reference_id: str,
    number: int = typer.Argument(..., min=1, help="The version to make current."),
    note: str | None = typer.Option(None, "--note", help="Why (kept in the audit log)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a version of a cable current: its paragraphs, links and drafts are derived from it again
    (decided drafts keep their decision; drafts it no longer yields are kept, flagged); the previous
    current version is superseded and stays readable."""
    with user_errors(), session_scope() as session:
        result = cable_review.accept_version(session, local_viewer(), reference_id, number, note=note)
    if as_json:
        print_json(result)
        return
    console.print(
        f"version {result['version']} of {result['reference_id']} is current ({result['paragraphs']} paragraphs, "
        f"{result['linked']} parties linked, {result['drafts']} new drafts, {result['drafts_flagged']} drafts no "
        f"longer in the text kept and flagged); version {result['superseded']} is superseded",
        highlight=False, markup=False,
    )  # fmt: skip


@cables_app.command("reparse")
def reparse(
    reference_ids: list[str] | None = typer.Argument(None, help="Cables to parse again (reference ids)."),
    all_cables: bool = typer.Option(False, "--all", help="Every stored cable."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Parse stored cables again from their current version's file with today's parser, keeping the
    old version: a result that holds at least as much becomes current; one with fewer paragraphs or
    organizations, new warnings or another classification waits as a pending version."""
    if not reference_ids and not all_cables:
        sys.stderr.write("error: name the cables to reparse, or give --all\n")
        raise typer.Exit(code=2)
    viewer = local_viewer()
    with user_errors():
        if as_json:
            results = cable_review.reparse(new_session, viewer, reference_ids or [], all_cables=all_cables)
        else:
            with _progress_bar() as advance:
                results = cable_review.reparse(new_session, viewer, reference_ids or [], all_cables=all_cables,
                                               progress=advance)  # fmt: skip
    if as_json:
        print_json(results)
    else:
        table = Table(title="cables reparsed")
        for column in ("reference id", "outcome", "version", "reason"):
            table.add_column(column)
        for r in results:
            table.add_row(r["reference_id"], r["outcome"], str(r.get("version") or ""), r.get("reason") or "")
        console.print(table, highlight=False, markup=False)
    if any(r["outcome"] == "refused" for r in results):
        raise typer.Exit(code=1)
