"""The case file as a marked PDF: one alleged export-control violation as the viewer may read it.

The case (facts, destination, end user, items), its parties with their screening hits, its history with
the partner's steps, the partner's enforcement actions, the outcome, and the sources of each. Read through
the same services and access rules as the case page; history and actions dated after the as-of day are
left out. Who may: analysts, approvers and auditors, and partner officers the cases released to them
(another case does not exist for them); company officers and others are refused. Audited.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from goodpath.access.policy import Role, Viewer
from goodpath.access.records import readable
from goodpath.core.errors import NotFound
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import cases
from goodpath.engagement.models import CaseParty, EnforcementAction
from goodpath.registry import service as registry
from goodpath.reports.common import Report, on_or_before, record_report, require_role
from goodpath.reports.render import render

READERS = (Role.ANALYST, Role.APPROVER, Role.AUDITOR, Role.PARTNER_OFFICER)


def require_reader(viewer: Viewer) -> None:
    require_role(viewer, READERS, "a case file")


def case_context(session: Session, viewer: Viewer, case_id: int | str, as_of: date) -> dict:
    """What the case file shows, read as the viewer may read it."""
    require_reader(viewer)
    case = cases.get_case(session, viewer, case_id)
    events = session.scalars(readable(session, viewer, StatusEvent).where(
        StatusEvent.record_type == cases.RECORD_TYPE, StatusEvent.record_id == case.id,
        StatusEvent.occurred_on <= as_of).order_by(StatusEvent.occurred_on, StatusEvent.id))  # fmt: skip
    parties = session.scalars(readable(session, viewer, CaseParty).where(CaseParty.case_id == case.id)
                              .order_by(CaseParty.id))  # fmt: skip
    actions = [a for a in session.scalars(readable(session, viewer, EnforcementAction).where(
        EnforcementAction.case_id == case.id).order_by(EnforcementAction.reported_on, EnforcementAction.id))
        if on_or_before(a.reported_on, as_of)]  # fmt: skip
    try:
        company = registry.party_of(session, viewer, case.party_id)
    except NotFound:  # a case about a company the viewer may not see: the case without its name
        company = None
    history = list(events)
    closed = case.outcome is not None and any(e.to_status == case.outcome for e in history)
    return {
        "case": case,
        "company": company,
        "history": history,
        "partner_steps": cases.PARTNER_STEPS,
        "parties": list(parties),
        "actions": actions,
        "outcome_shown": closed,  # the outcome as of the day: only once the case was closed by then
    }


def case_file(session: Session, viewer: Viewer, case_id: int | str, *, as_of: date | None = None,
              language: str = "en", audit: bool = True) -> Report:  # fmt: skip
    """The case file of ``case_id`` (id or reference) as a PDF, as the viewer may read it; audited."""
    day = as_of or utcnow().date()
    context = case_context(session, viewer, case_id, day)
    case = context["case"]
    drawing = render("case.html", language=language, as_of=day, title=case.reference, **context)
    report = Report("case", case.reference, f"{case.reference}: {case.title}", day, language, drawing)
    if audit:
        record_report(session, viewer, report, "case", str(case.id))
    return report
