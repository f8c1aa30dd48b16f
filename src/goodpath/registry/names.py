"""Name helpers shared by the importer, the registry search and (later) screening."""

from __future__ import annotations

from functools import lru_cache

from normality import normalize
from rigour.text.scripts import text_scripts


@lru_cache(maxsize=200_000)
def normalize_name(value: str) -> str:
    """Latin, lower case, punctuation removed: '中国北方工业公司' -> 'zhong guo bei fang gong ye gong si'."""
    return normalize(value, ascii=True) or value.casefold().strip()


@lru_cache(maxsize=200_000)
def name_script(value: str) -> str | None:
    """The script of a name ('Latin', 'Han', 'Cyrillic' ...); the non-Latin one when mixed."""
    scripts = text_scripts(value) - {"Common", "Inherited"}
    if not scripts:
        return None
    if len(scripts) > 1:
        scripts.discard("Latin")
    return sorted(scripts)[0]
