"""CLI: ``goodpath pathway evidence upload|list|show|download`` (the evidence store) and
``goodpath pathway notice RELIEF_ID --on DATE --version VERSION_ID`` (the notice of a relief).

The ``pathway`` Typer group (commands.py) registers ``evidence_app`` as its ``evidence`` group and
``notice`` as its ``notice`` command. The CLI acts as the local operator (an analyst)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError
from goodpath.pathway import evidence
from goodpath.pathway import relief as relief_life

evidence_app = typer.Typer(help="The evidence store: documents, their versions and links.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print as JSON.")


def _out(text: str) -> None:
    console.print(text, highlight=False)


@evidence_app.command("upload")
def upload(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The document's file."),
    party: str | None = typer.Option(None, "--party", help="The company (id or key); none for general."),
    kind: str | None = typer.Option(None, "--kind", help=f"One of {', '.join(evidence.KINDS)}."),
    title: str | None = typer.Option(None, "--title", help="The document's title."),
    document: int | None = typer.Option(None, "--document", help="Store as a new version of this document."),
    classification: str | None = typer.Option(None, "--classification", help="e.g. CONFIDENTIAL"),
    releasability: str | None = typer.Option(None, "--releasability", help="ALL or organization codes, e.g. USA"),
    note: str | None = typer.Option(None, "--note"),
    as_json: bool = JSON,
) -> None:
    """Store a document (or a new version of one), hashed; the same bytes are never stored twice."""
    with user_errors(), session_scope() as session:
        if file.stat().st_size > evidence.MAX_BYTES:
            raise GoodpathError(f"{file.name} is larger than {evidence.MAX_BYTES // (1024 * 1024)} MB")
        viewer = local_viewer()
        version = evidence.upload(
            session, viewer, party_id=party, kind=kind, title=title, filename=file.name, content=file.read_bytes(),
            classification=classification, releasability=releasability, document_id=document, note=note,
        )  # fmt: skip
        already = bool(getattr(version, "already_stored", False))
        row = evidence.version_dict(version) | {"already_stored": already}
    if as_json:
        print_json(row)
        return
    where = f"document {row['document_id']} version {row['version']}"
    _out(f"already stored as {where}: not stored again" if already else f"stored as {where}")
    _out(f"  sha256 {row['sha256']}, {row['size']} bytes, {row['classification']}")


@evidence_app.command("list")
def list_documents(
    party: str | None = typer.Option(None, "--party", help="Party id or key."),
    kind: str | None = typer.Option(None, "--kind"),
    as_json: bool = JSON,
) -> None:
    """The documents, with their latest version."""
    with user_errors(), session_scope() as session:
        rows = evidence.list_documents(session, local_viewer(), party=party, kind=kind)
    if as_json:
        print_json(rows)
        return
    if not rows:
        _out("no documents")
    for d in rows:
        latest = d["latest"]
        tail = f"v{latest['version']} {escape(latest['filename'])} sha256 {latest['sha256'][:12]}" if latest else "-"
        _out(f"{d['id']}: [{d['kind']}] {escape(d['title'])} ({d['party_id'] or 'no company'}, "
             f"{d['classification']}): {d['versions']} version(s), latest {tail}")  # fmt: skip


@evidence_app.command("show")
def show(document: int = typer.Argument(..., help="Document id."), as_json: bool = JSON) -> None:
    """A document with its versions and links."""
    with user_errors(), session_scope() as session:
        row = evidence.get_document(session, local_viewer(), document)
    if as_json:
        print_json(row)
        return
    _out(f"[bold]{escape(row['title'])}[/] (document {row['id']}, {row['kind']}, {row['party_id'] or 'no company'}, "
         f"{row['classification']})")  # fmt: skip
    for v in row["versions"]:
        _out(f"  v{v['version']}: {escape(v['filename'])} ({v['media_type']}, {v['size']} bytes) sha256 "
             f"{v['sha256']} by {v['uploaded_by']} {v['uploaded_at']} [{v['classification']}]")  # fmt: skip
        for link in v["links"]:
            target = f"proposal {link['proposal_id']}" if link["proposal_id"] else f"relief {link['relief_id']}"
            _out(f"      {link['purpose']}: {target}")


@evidence_app.command("download")
def download(
    document: int = typer.Argument(..., help="Document id."),
    version: int | None = typer.Option(None, "--version", help="Version number (default the latest)."),
    output: Path = typer.Option(..., "-o", "--output", dir_okay=False, help="Where to write the file."),
) -> None:
    """Write a version's bytes to a file (its SHA-256 is checked)."""
    with user_errors(), session_scope() as session:
        found = evidence.get_version_content(session, local_viewer(), document, version)
    output.write_bytes(found["content"])
    _out(f"wrote {output} ({found['size']} bytes, document {found['document_id']} version {found['version']}, "
         f"sha256 {found['sha256']})")  # fmt: skip


def notice(
    relief: int = typer.Argument(..., help="Relief id."),
    on: str = typer.Option(..., "--on", help="The day notice was given (YYYY-MM-DD)."),
    version: int = typer.Option(..., "--version", help="The congress_notice document version id."),
    as_json: bool = JSON,
) -> None:
    """Record when notice of a relief was given: it takes effect once the notice period has run."""
    with user_errors(), session_scope() as session:
        row = relief_life.relief_dict(relief_life.record_notice(session, local_viewer(), relief, on, version))
    if as_json:
        print_json(row)
        return
    state = "in effect" if row["in_effect"] else "not yet in effect"
    _out(f"relief {row['id']}: notice given {row['notice_on']}; {row['status']}, effective {row['effective_on']} "
         f"({state})")  # fmt: skip
