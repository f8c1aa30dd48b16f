"""The parsed cable: plain data, with the JSON shape the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from goodpath.core.errors import GoodpathError


class CableFormatError(GoodpathError):
    """The input is not a cable we can read (empty, binary, or no telegram header at all)."""


@dataclass(frozen=True)
class Paragraph:
    number: int | None  # None: text outside the numbered paragraphs (unnumbered cables)
    marking: str | None  # the portion marking as printed, e.g. "S", "C", "SBU"; None when unmarked
    text: str
    heading: str | None = None  # the sub-heading printed just before the paragraph, e.g. "DCM Responds"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"number": self.number, "marking": self.marking, "text": self.text}
        if self.heading is not None:  # only when printed: records stored before headings were kept stay equal
            data["heading"] = self.heading
        return data


@dataclass
class Cable:
    reference_id: str | None = None
    date_time_group: str | None = None
    created: str | None = None
    classification: str | None = None
    caveats: list[str] | None = None
    origin: str | None = None
    from_: str | None = None
    to: list[str] | None = None
    info: list[str] | None = None
    precedence: str | None = None
    sipdis: bool = False
    passing_instructions: str | None = None
    tags: list[str] | None = None
    subject: str | None = None
    references: list[str] | None = None
    classified_by: str | None = None
    reasons: dict[str, Any] | None = None
    declassify_on: str | None = None
    sections: int | None = None
    signature: str | None = None
    warnings: list[str] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    countries: list[dict[str, Any]] = field(default_factory=list)
    # Not part of the JSON record: where the text came from (raw / web-archive / cablegate-html).
    source_format: str | None = None

    @property
    def lead(self) -> str | None:
        """Text before the first numbered paragraph (an unnumbered lead), when the cable numbers its paragraphs."""
        if not any(p.number is not None for p in self.paragraphs):
            return None
        lead = []
        for paragraph in self.paragraphs:
            if paragraph.number is not None:
                break
            lead.append(paragraph.text)
        return "\n".join(lead) or None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference_id": self.reference_id,
            "date_time_group": self.date_time_group,
            "created": self.created,
            "classification": self.classification,
            "caveats": self.caveats,
            "origin": self.origin,
            "from": self.from_,
            "to": self.to,
            "info": self.info,
            "precedence": self.precedence,
            "sipdis": self.sipdis,
            "passing_instructions": self.passing_instructions,
            "tags": self.tags,
            "subject": self.subject,
            "references": self.references,
            "classified_by": self.classified_by,
            "reasons": self.reasons,
            "declassify_on": self.declassify_on,
            "sections": self.sections,
            "signature": self.signature,
            "warnings": list(self.warnings),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "organizations": self.organizations,
            "people": self.people,
            "countries": self.countries,
        }
