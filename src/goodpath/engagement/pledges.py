"""Commitments and pledges: who pledged what to whom, in which meeting (a consultation round or a
company meeting), with owner, due date and the evidence of fulfilment.

Workflow: open → fulfilled (only with evidence) | broken (with a note) | withdrawn. Evidence can
be added while a pledge is open. Overdue = open and past its due date (against ``today``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer
from goodpath.access.records import get_readable, history, marking, readable, require
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.fields import parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import Workflow, add_event, audited, check_version, last_event_date, transition
from goodpath.engagement.models import CompanyMeeting, Consultation, ConsultationRound, Pledge
from goodpath.registry.service import accepts_party_key, party_of

RECORD = "pledge"
WORKFLOW = Workflow(
    RECORD,
    {
        "open": frozenset({"fulfilled", "broken", "withdrawn"}),
        "fulfilled": frozenset(),
        "broken": frozenset(),
        "withdrawn": frozenset(),
    },  # fmt: skip
)


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _optional(value: str | None, field: str, max_length: int = 200) -> str | None:
    text = (value or "").strip()
    if len(text) > max_length:
        raise GoodpathError(f"{field} is longer than {max_length} characters")
    return text or None


@accepts_party_key
def create(
    session: Session,
    viewer: Viewer,
    *,
    pledged_by: str,
    pledged_to: str,
    text: str,
    made_on: date | str | None = None,
    owner: str | None = None,
    due_on: date | str | None = None,
    round_id: int | None = None,
    meeting_id: int | None = None,
    party_id: str | None = None,
    share_with: list[str] | tuple[str, ...] = (),
    classification: str | None = None,
    releasability: str | None = None,
    source: str | None = None,
    demo_key: str | None = None,
) -> Pledge:
    """An open pledge. A pledge made in a consultation round is shared with that round's
    counterpart by default; ``party_id`` is the company it concerns (its officer may read it)."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    made = parse_date(made_on, "made_on") or utcnow().date()
    due = parse_date(due_on, "due_on")
    if due is not None and due < made:
        raise GoodpathError(f"due_on {due.isoformat()} is before made_on {made.isoformat()}")
    shared = list(share_with)
    if round_id is not None:
        meeting_round = get_readable(session, viewer, ConsultationRound, round_id, "consultation round")
        shared.append(session.get(Consultation, meeting_round.consultation_id).counterpart)
    if meeting_id is not None:
        get_readable(session, viewer, CompanyMeeting, meeting_id, "company meeting")
    party = party_of(session, viewer, party_id)
    record = Pledge(
        pledged_by=required_text(pledged_by, "pledged_by", 200),
        pledged_to=required_text(pledged_to, "pledged_to", 200), text=required_text(text, "text"), made_on=made,
        owner=_optional(owner, "owner"), due_on=due,
        round_id=round_id, meeting_id=meeting_id, party_id=party.id if party else None, status="open",
        status_on=made, evidence=[], created_by=viewer.actor, source=source, demo_key=demo_key,
        **marking(viewer, classification, releasability, share_with=shared),
    )  # fmt: skip
    session.add(record)
    session.flush()
    add_event(session, viewer, RECORD, record, None, "open", made, note="pledged", source=source)
    audited(session, viewer, f"{RECORD}.create", record)
    return record


def get(session: Session, viewer: Viewer, pledge_id: int) -> Pledge:
    return get_readable(session, viewer, Pledge, pledge_id, "pledge")


def add_evidence(
    session: Session,
    viewer: Viewer,
    pledge_id: int,
    *,
    text: str,
    source: str | None = None,
    occurred_on: date | str | None = None,
) -> Pledge:
    """Add a piece of evidence (what shows the pledge kept, and where it is from) to an open pledge."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    record = get(session, viewer, pledge_id)
    if record.status != "open":
        raise Refused(f"pledge {record.id} is {record.status}: evidence can only be added while it is open")
    entry = {
        "text": required_text(text, "evidence text"),
        "source": _optional(source, "evidence source", 500),
        "recorded_by": viewer.actor,
        "on": (parse_date(occurred_on, "occurred_on") or utcnow().date()).isoformat(),
    }
    before = to_dict(record)
    record.evidence = [*record.evidence, entry]  # a new list: JSON columns track assignment, not mutation
    audited(session, viewer, f"{RECORD}.evidence", record, before=before)
    return record


def set_status(
    session: Session,
    viewer: Viewer,
    pledge_id: int,
    status: str,
    *,
    note: str | None = None,
    evidence: str | None = None,
    evidence_source: str | None = None,
    occurred_on: date | str | None = None,
    source: str | None = None,
    expected_version: int | None = None,
) -> Pledge:
    """Fulfil (needs evidence: recorded before, or given here as ``evidence``), break (needs a
    note saying how it was broken) or withdraw an open pledge. ``expected_version``: refused
    (``StaleRecord``) if the pledge changed since that version was read."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    record = get(session, viewer, pledge_id)
    check_version(session, record, expected_version, RECORD)
    WORKFLOW.check(record.status, status)
    when = parse_date(occurred_on, "occurred_on")
    note = (note or "").strip() or None
    evidence = (evidence or "").strip() or None
    if status == "fulfilled" and not record.evidence and not evidence:
        raise Refused(f"pledge {record.id} cannot be fulfilled without evidence: add evidence of its fulfilment")
    if status == "broken" and not note:
        raise GoodpathError("a note is required to mark a pledge broken (how it was broken)")
    last = last_event_date(session, RECORD, record.id)
    if when is not None and last is not None and when < last:  # checked here too: before evidence is written
        raise Refused(f"{when.isoformat()} is before the pledge's last step ({last.isoformat()})")
    if evidence is not None:
        add_evidence(session, viewer, record.id, text=evidence, source=evidence_source, occurred_on=when)
    transition(session, viewer, WORKFLOW, record, status, occurred_on=when, note=note, source=source)
    return record


def fulfil(session, viewer, pledge_id, **kwargs) -> Pledge:
    return set_status(session, viewer, pledge_id, "fulfilled", **kwargs)


def break_(session, viewer, pledge_id, *, note, **kwargs) -> Pledge:
    return set_status(session, viewer, pledge_id, "broken", note=note, **kwargs)


def withdraw(session, viewer, pledge_id, **kwargs) -> Pledge:
    return set_status(session, viewer, pledge_id, "withdrawn", **kwargs)


def is_overdue(record: Pledge, today: date | None = None) -> bool:
    return record.status == "open" and record.due_on is not None and record.due_on < _today(today)


def row(record: Pledge, today: date | None = None) -> dict:
    today = _today(today)
    late = is_overdue(record, today)
    return to_dict(record) | {"overdue": late, "days_overdue": (today - record.due_on).days if late else 0}


@accepts_party_key
def list_pledges(
    session: Session,
    viewer: Viewer,
    *,
    status: str | None = None,
    overdue: bool = False,
    owner: str | None = None,
    party_id: str | None = None,
    round_id: int | None = None,
    today: date | None = None,
) -> list[dict]:
    """Readable pledges; ``overdue`` keeps the open ones past their due date; ``owner`` matches
    part of the owner's name, any case."""
    if status is not None and status not in WORKFLOW.statuses:
        raise GoodpathError(f"status must be one of {', '.join(WORKFLOW.statuses)}, not {status!r}")
    today = _today(today)
    query = readable(session, viewer, Pledge).order_by(Pledge.made_on, Pledge.id)
    if status:
        query = query.where(Pledge.status == status)
    if overdue:
        query = query.where(Pledge.status == "open", Pledge.due_on.is_not(None), Pledge.due_on < today)
    if owner:
        pattern = owner.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Pledge.owner.ilike(f"%{pattern}%", escape="\\"))
    if party_id:
        query = query.where(Pledge.party_id == party_id)
    if round_id is not None:
        query = query.where(Pledge.round_id == round_id)
    return [row(p, today) for p in session.scalars(query)]


def detail(session: Session, viewer: Viewer, pledge_id: int, today: date | None = None) -> dict:
    record = get(session, viewer, pledge_id)
    return row(record, today) | {"history": history(session, viewer, RECORD, record.id)}
