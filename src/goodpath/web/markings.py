"""Classification banners and portion markings, as classified systems show them.

A page's banner carries the highest classification of what the page shows and the
releasability common to all of it. Every record a template shows goes through
``PageMarks.portion``, which both prints the portion marking and raises the banner, so the
banner can never be lower than a portion on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from goodpath.core.models import RELEASABLE_TO_ALL, Classification

PORTION_LETTER = {Classification.UNCLASSIFIED: "U", Classification.CONFIDENTIAL: "C", Classification.SECRET: "S"}
CSS_CLASS = {
    Classification.UNCLASSIFIED: "unclassified",
    Classification.CONFIDENTIAL: "confidential",
    Classification.SECRET: "secret",
}


def classification_of(value) -> Classification:
    if isinstance(value, Classification):
        return value
    try:
        return Classification[str(value or "UNCLASSIFIED").strip().upper()]
    except KeyError:  # an unknown marking is treated as the most restrictive one
        return Classification.SECRET


def releasable_to(releasability: str | None, originator: str | None) -> frozenset[str] | None:
    """The organizations a record is releasable to; None means everyone."""
    if releasability == RELEASABLE_TO_ALL:
        return None
    if releasability is None:
        return frozenset({originator or "USA"})
    return frozenset(code for code in releasability.split(",") if code)


@dataclass
class PageMarks:
    """The marking of everything one page shows."""

    highest: Classification = Classification.UNCLASSIFIED
    releasable: frozenset[str] | None = None  # None: releasable to all
    shown: int = field(default=0)

    def add(self, classification=None, releasability: str | None = RELEASABLE_TO_ALL, originator=None) -> str:
        """Count a shown record's marking in; returns its portion letter (U, C or S)."""
        level = classification_of(classification)
        self.highest = max(self.highest, level)
        orgs = releasable_to(releasability, originator)
        if orgs is not None:
            self.releasable = orgs if self.releasable is None else self.releasable & orgs
        self.shown += 1
        return PORTION_LETTER[level]

    def add_record(self, record) -> str:
        """A record (an ORM row or a dict) carrying classification/releasability/originator."""
        get = record.get if isinstance(record, dict) else lambda key, default=None: getattr(record, key, default)
        return self.add(get("classification"), get("releasability", RELEASABLE_TO_ALL), get("originator"))

    @property
    def css_class(self) -> str:
        return CSS_CLASS[self.highest]

    @property
    def banner(self) -> str:
        """E.g. ``UNCLASSIFIED``, ``CONFIDENTIAL//REL TO CHN, USA``, ``SECRET//USA ONLY``."""
        text = self.highest.name
        if self.releasable is None:
            return text
        if not self.releasable:
            return f"{text}//NOT RELEASABLE TOGETHER"
        if len(self.releasable) == 1:
            return f"{text}//{next(iter(self.releasable))} ONLY"
        return f"{text}//REL TO {', '.join(sorted(self.releasable))}"
