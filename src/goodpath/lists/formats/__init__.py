"""List formats: one module per format, each exposing FORMAT, DEFAULT_DATASET,
``sniff(path) -> bool`` and ``parse(path) -> ParsedList``.

``path`` may be a file or a folder holding a list's files (an OFAC folder with
sdn.csv, add.csv, alt.csv, sdn_comments.csv).
"""

from __future__ import annotations

from pathlib import Path

from goodpath.lists.formats import csl_csv, ftm_json, ofac_csv, un_xml
from goodpath.lists.records import ListFormatError, ParsedList, SourceFile, file_sha256

FORMATS = {module.FORMAT: module for module in (ofac_csv, un_xml, csl_csv, ftm_json)}


def detect(path: str | Path) -> str:
    """Name the format of a list file or folder, or raise ListFormatError."""
    path = Path(path)
    for name, module in FORMATS.items():
        if module.sniff(path):
            return name
    raise ListFormatError(path, "format", f"not a recognised list format (expected one of: {', '.join(FORMATS)})")


def resolve(path: str | Path, fmt: str | None) -> str:
    """Check the path exists and name its format (the one given, or the one detected)."""
    path = Path(path)
    if not path.exists():
        raise ListFormatError(path, "path", "no such file or folder")
    if fmt is None:
        return detect(path)
    if fmt not in FORMATS:
        raise ListFormatError(path, "format", f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
    return fmt


def source_files(path: str | Path, fmt: str) -> list[SourceFile]:
    """The files an import of ``path`` would read, hashed, without parsing them."""
    module = FORMATS[fmt]
    paths = module.source_files(Path(path)) if hasattr(module, "source_files") else [Path(path)]
    return [file_sha256(p) for p in paths]


def parse(path: str | Path, fmt: str | None = None) -> ParsedList:
    fmt = resolve(path, fmt)
    return FORMATS[fmt].parse(Path(path))
