"""``goodpath screen-batch INPUT.csv --output OUT.csv``: screen a CSV of names, with a progress bar."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from goodpath.access.operator import acting_with
from goodpath.access.policy import Permission
from goodpath.core.cli_support import console, err_console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.screening.batch import BatchInputError, default_rejects_path, estimate_rows, read_header, run_batch
from goodpath.screening.score import DEFAULT_THRESHOLD


def screen_batch(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT.csv", help="CSV (UTF-8) with a header line: id,name and optionally country,schema."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the hits (CSV)."),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, min=0.0, max=1.0, help="Lowest score written (0..1); the default keeps false positives rare."
    ),
    limit: int = typer.Option(3, min=1, help="At most this many hits per row."),
    rejects: Path | None = typer.Option(
        None, help="Where to list malformed rows (line,id,reason). Default: OUTPUT.rejects.csv."
    ),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first malformed row; write nothing."),
    include_suppressed: bool = typer.Option(
        False, "--include-suppressed", help="Also write hits suppressed as false positives (column 'suppressed')."
    ),
    workers: int = typer.Option(2, min=1, help="Processes screening in parallel (1: in this process)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Screen every row of a CSV file: one output row per hit, in input order, best hit first."""
    with user_errors(), _batch_errors(), _sigterm_as_exit():
        read_header(input_path)  # a file that is not a usable CSV fails before the progress bar
        total = estimate_rows(input_path)
        columns = (
            TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("rows"), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        )  # fmt: skip
        with Progress(*columns, console=err_console, transient=as_json) as bar, session_scope() as session:
            task = bar.add_task("screening", total=total)
            summary = run_batch(
                session, acting_with(Permission.SCREEN_BATCH), input_path, output, threshold=threshold, limit=limit,
                rejects_path=rejects, strict=strict, workers=workers, include_suppressed=include_suppressed,
                progress=lambda done: bar.update(task, completed=done),
            )  # fmt: skip
            bar.update(task, completed=summary.rows, total=summary.rows)
    rejects_file = None if strict else (rejects or default_rejects_path(output))
    if as_json:
        print_json({**summary.to_dict(), "output": str(output), "rejects": str(rejects_file) if rejects_file else None})
        return
    rate = summary.rows / summary.seconds if summary.seconds else 0.0
    console.print(
        f"{summary.rows:,} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s): {summary.screened:,} screened, "
        f"{summary.hits:,} hits written to {output}",
        highlight=False,
    )
    if summary.rejected:
        console.print(
            f"[yellow]{summary.rejected:,} malformed rows skipped[/]: see {rejects_file} (line, id, reason)",
            highlight=False,
        )
    lists = ", ".join(f"{d} v{v}" for d, v in summary.receipt["lists"].items())
    console.print(f"screened {summary.receipt['screened_at']} against {lists or 'no lists'}", highlight=False)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """SIGTERM stops the run as Ctrl-C does, through its clean-up: no partial output is left behind."""

    def stop(signum: int, _frame) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _batch_errors() -> Iterator[None]:
    """Input errors quote the user's file: printed as plain text (no markup, no emoji codes)."""
    try:
        yield
    except BatchInputError as exc:
        err_console.print(Text.assemble(("error:", "bold red"), " ", str(exc)))
        raise typer.Exit(1) from None
