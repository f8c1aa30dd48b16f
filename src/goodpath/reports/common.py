"""What every report shares: who may have one, the drawn report, its audit entry, the as-of filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from goodpath.access.policy import Role, Viewer
from goodpath.core import audit_log
from goodpath.core.errors import Refused
from goodpath.reports.render import Rendered

AUDIT_ACTION = "report.generated"


class NotAllowed(Refused):
    """The viewer's role may not have this report (the API answers 403)."""


def require_role(viewer: Viewer, roles: tuple[Role, ...], what: str) -> None:
    if viewer.role not in roles:
        raise NotAllowed(f"a {viewer.role.value.replace('_', ' ')} may not have {what}")


def on_or_before(value, day: date) -> bool:
    """Whether a record dated ``value`` (a date, a moment or its ISO text; None: undated) is on or before
    ``day``."""
    if value is None or value == "":
        return True
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:10] <= day.isoformat()


@dataclass(frozen=True)
class Report:
    """A drawn report: what it is about (``kind``, e.g. dossier; ``slug``, e.g. the party's key), as of
    when, in which language."""

    kind: str
    slug: str
    caption: str
    as_of: date
    language: str
    drawing: Rendered

    @property
    def filename(self) -> str:
        slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in self.slug)
        return f"{self.kind}-{slug}-{self.as_of.isoformat()}-{self.language}.pdf"


def record_report(session: Session, viewer: Viewer, report: Report, target_type: str, target_id: str) -> None:
    """One audit entry per report drawn: who asked, for what, its marking and hash, at that marking (so
    only those cleared for the report see that it was drawn)."""
    drawing = report.drawing
    audit_log.record(
        session, actor=viewer.actor, action=AUDIT_ACTION, target_type=target_type, target_id=target_id,
        after={"report": report.kind, "language": report.language, "as_of": report.as_of.isoformat(),
               "marking": drawing.banner, "sha256": drawing.sha256, "bytes": len(drawing.pdf),
               "records": drawing.records},
        classification=drawing.classification, releasability=drawing.releasability,
    )  # fmt: skip
