"""Diplomatic cables as structured records: a pure parser (no database) and its extractors.

``parse_text`` / ``parse_file`` return a :class:`Cable`; ``Cable.to_dict()`` is the JSON shape
printed by ``goodpath cables parse``.
"""

from goodpath.cables.parsed_cable import Cable, CableFormatError, Paragraph
from goodpath.cables.parser import parse_file, parse_text

__all__ = ["Cable", "CableFormatError", "Paragraph", "parse_file", "parse_text"]
