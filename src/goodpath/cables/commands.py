"""``goodpath cables parse PATH…``: the pure parser on files and folders, as JSON or a summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from goodpath.cables.model import Cable, CableFormatError
from goodpath.cables.parser import parse_file

cables_app = typer.Typer(help="Diplomatic cables: parse (and later ingest) cable texts.", no_args_is_help=True)


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
