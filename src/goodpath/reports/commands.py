"""``goodpath reports``: reports as marked PDFs (issue 23).

``goodpath [--as USER] reports dossier PARTY [--as-of DATE] [--lang en|zh] [-o FILE.pdf]`` draws the company
dossier, ``reports case ID`` the case file, as the acting user may read them (the operator account without
``--as``); every report is audited."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, user_errors
from goodpath.core.db import session_scope
from goodpath.reports import case_file
from goodpath.reports import dossier as dossiers
from goodpath.reports.common import Report
from goodpath.reports.text import LANGUAGES

reports_app = typer.Typer(help="Reports as marked PDFs: the company dossier and the case file.", no_args_is_help=True)

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
    _check(lang)
    with user_errors(), session_scope() as session:
        report = dossiers.dossier(session, local_viewer(), party, as_of=as_of.date() if as_of else None,
                                  language=lang)  # fmt: skip
    _write(report, output)


@reports_app.command("case")
def case(
    case_id: str = typer.Argument(..., metavar="ID", help="Case id or reference (e.g. WLC-2007-001)."),
    as_of: datetime | None = AS_OF,
    lang: str = LANG,
    output: Path | None = OUT,
) -> None:
    """The case file as a marked PDF: facts, items, parties and their hits, history with the partner's
    steps, enforcement actions and outcome, with sources, as the acting user may read them."""
    _check(lang)
    with user_errors(), session_scope() as session:
        report = case_file.case_file(session, local_viewer(), case_id, as_of=as_of.date() if as_of else None,
                                     language=lang)  # fmt: skip
    _write(report, output)


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        console.print(f"[bold red]error:[/] --lang must be one of {', '.join(LANGUAGES)}", highlight=False)
        raise typer.Exit(2)


def _write(report: Report, output: Path | None) -> None:
    target = output or Path(report.filename)
    drawing = report.drawing
    target.write_bytes(drawing.pdf)
    console.print(f"{escape(str(target))}: {escape(report.caption)}, {drawing.banner}, {len(drawing.pdf)} "
                  f"bytes, sha256 {drawing.sha256}", highlight=False)  # fmt: skip
