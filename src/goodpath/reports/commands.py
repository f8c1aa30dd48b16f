"""``goodpath reports``: reports as marked PDFs (issue 23).

``goodpath [--as USER] reports dossier PARTY [--as-of DATE] [--lang en|zh] [-o FILE.pdf]`` draws the company
dossier as the acting user may read it (the operator account without ``--as``); the report is audited."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, user_errors
from goodpath.core.db import session_scope
from goodpath.reports import dossier as dossiers
from goodpath.reports.text import LANGUAGES

reports_app = typer.Typer(help="Reports as marked PDFs: the company dossier.", no_args_is_help=True)

AS_OF = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="As of this day (default today).")
LANG = typer.Option("en", "--lang", help="Language of the report: en or zh.")
OUT = typer.Option(None, "-o", "--output", help="Where to write the PDF (default: dossier-KEY-DATE-LANG.pdf).")


@reports_app.command("dossier")
def dossier(
    party: str = typer.Argument(..., help="Party id, key (e.g. norinco) or name."),
    as_of: datetime | None = AS_OF,
    lang: str = LANG,
    output: Path | None = OUT,
) -> None:
    """The company dossier as a marked PDF: names, lists, sanctions and relief, pathway, ICP, evidence,
    disclosures, screening hits and open alerts, as the acting user may read them."""
    if lang not in LANGUAGES:
        console.print(f"[bold red]error:[/] --lang must be one of {', '.join(LANGUAGES)}", highlight=False)
        raise typer.Exit(2)
    with user_errors(), session_scope() as session:
        report = dossiers.dossier(session, local_viewer(), party, as_of=as_of.date() if as_of else None,
                                  language=lang)  # fmt: skip
    target = output or Path(report.filename)
    drawing = report.drawing
    target.write_bytes(drawing.pdf)
    console.print(f"{escape(str(target))}: {escape(report.party.caption)}, {drawing.banner}, {len(drawing.pdf)} "
                  f"bytes, sha256 {drawing.sha256}", highlight=False)  # fmt: skip
