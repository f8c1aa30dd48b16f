"""Company dialogue dossiers: one per engaged company, with the topics of the dialogue (business
model, ICP process, business with countries of concern, efforts on UN Security Council
resolutions), invitations to named senior officials with attendance conditions, and meeting
records (07BEIJING1900 ¶6, 07BEIJING5360 ¶3-5).

Every record of a dossier carries the company's ``party_id``: the company officer of that
company may read what is releasable to their organization (``share_with`` the company's code).
Invitations and meetings take the dossier's marking unless given their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can, read_filter
from goodpath.access.records import get_readable, history, marking, readable, require
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import one_of, parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent, Workflow, add_event, audited, check_version, transition
from goodpath.engagement.models import CompanyMeeting, Dossier, Invitation
from goodpath.registry.service import accepts_party_key, party_of

DOSSIER = Workflow(
    "dossier",
    {
        "proposed": frozenset({"invited", "closed"}),
        "invited": frozenset({"in_dialogue", "closed"}),
        "in_dialogue": frozenset({"paused", "closed"}),
        "paused": frozenset({"in_dialogue", "closed"}),
        "closed": frozenset(),
    },
)
INVITATION = Workflow(
    "invitation",
    {
        "draft": frozenset({"sent"}),
        "sent": frozenset({"accepted", "declined", "expired"}),
        "accepted": frozenset(),
        "declined": frozenset(),
        "expired": frozenset(),
    },
)
TOPIC_STATUSES = ("open", "discussed", "satisfied")
# The dialogue the seed cables ask of NORINCO (07BEIJING5360 ¶3).
DEFAULT_TOPICS = (
    "business model and strategic plan",
    "ICP process",
    "existing business with Iran and other countries of concern",
    "efforts on UN Security Council resolutions",
)
# Lists file many companies as LegalEntity (OFAC: no type given): CEIEC is one.
COMPANY_SCHEMATA = ("Company", "Organization", "LegalEntity")


def _marking_of(record) -> dict:
    return {"classification": record.classification, "releasability": record.releasability,
            "originator": record.originator, "published": record.published}  # fmt: skip


def _child_marking(viewer: Viewer, dossier: Dossier, classification, releasability, share_with) -> dict:
    """A record of the dossier: the dossier's own marking unless one is given."""
    if classification is None and releasability is None and not share_with:
        return _marking_of(dossier)
    return marking(viewer, classification, releasability, share_with=share_with)


def _topic(topic: str, status: str = "open", notes: str | None = None, source: str | None = None) -> dict:
    return {"topic": required_text(topic, "topic", 300), "status": one_of(status, TOPIC_STATUSES, "topic status"),
            "notes": (notes or "").strip() or None, "source": (source or "").strip() or None}  # fmt: skip


# --- dossiers ------------------------------------------------------------------------------


@accepts_party_key
def open_dossier(
    session: Session,
    viewer: Viewer,
    party_id: str,
    *,
    topics: Iterable[str | dict] | None = None,
    model_candidate: bool = False,
    occurred_on: date | str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    share_with: Iterable[str] = (),
    source: str | None = None,
    demo_key: str | None = None,
) -> Dossier:
    """Open the dialogue dossier of company ``party_id`` (status proposed). ``topics`` are names
    or {topic, status, notes, source}; by default the four topics of 07BEIJING5360 ¶3."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    party = party_of(session, viewer, party_id)
    if party.schema not in COMPANY_SCHEMATA:
        raise GoodpathError(f"a dossier is kept for a company; party {party_id!r} is a {party.schema}")
    opened_on = parse_date(occurred_on, "occurred_on") or utcnow().date()
    items = [_topic(**t) if isinstance(t, dict) else _topic(t) for t in (DEFAULT_TOPICS if topics is None else topics)]
    if len({t["topic"].lower() for t in items}) != len(items):
        raise GoodpathError("each topic may appear only once in a dossier")
    if session.scalars(select(Dossier.id).where(Dossier.party_id == party.id)).first() is not None:
        raise Refused(f"party {party_id!r} already has a dossier")
    dossier = Dossier(
        party_id=party.id, status="proposed", status_on=opened_on, topics=items, model_candidate=bool(model_candidate),
        created_by=viewer.actor, source=source, demo_key=demo_key,
        **marking(viewer, classification, releasability, share_with=share_with),
    )  # fmt: skip
    session.add(dossier)
    session.flush()
    add_event(session, viewer, DOSSIER.name, dossier, None, "proposed", opened_on, source=source)
    audited(session, viewer, "dossier.open", dossier)
    return dossier


@accepts_party_key
def get_dossier(session: Session, viewer: Viewer, party_id: str) -> Dossier:
    """The dossier of company ``party_id``, or NotFound (also when the viewer cannot read it)."""
    found = session.scalars(readable(session, viewer, Dossier).where(Dossier.party_id == party_id)).first()
    if found is None:
        raise NotFound(f"no dossier for party {party_id!r}")
    return found


@accepts_party_key
def set_status(
    session: Session,
    viewer: Viewer,
    party_id: str,
    status: str,
    *,
    occurred_on: date | str | None = None,
    note: str | None = None,
    source: str | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Move the dossier along proposed -> invited -> in_dialogue <-> paused -> closed; refused
    (``StaleRecord``) if it changed since ``expected_version`` was read."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    dossier = get_dossier(session, viewer, party_id)
    if status in ("paused", "closed") and not (note or "").strip():
        raise GoodpathError(f"a dossier {status} needs a note saying why")
    transition(session, viewer, DOSSIER, dossier, status, occurred_on=parse_date(occurred_on, "occurred_on"),
               note=note, source=source, expected_version=expected_version)  # fmt: skip
    return dossier


@accepts_party_key
def set_topic(
    session: Session,
    viewer: Viewer,
    party_id: str,
    topic: str,
    *,
    status: str = "open",
    notes: str | None = None,
    source: str | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Add a topic to the dialogue, or update the status and notes of one (matched ignoring case);
    refused (``StaleRecord``) if the dossier changed since ``expected_version`` was read."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    dossier = get_dossier(session, viewer, party_id)
    check_version(session, dossier, expected_version, "dossier")
    if dossier.status == "closed":
        raise Refused("the dossier is closed: its topics cannot change")
    item = _topic(topic, status, notes, source)
    before = to_dict(dossier)
    topics = [dict(t) for t in dossier.topics or []]
    for existing in topics:
        if existing["topic"].lower() == item["topic"].lower():
            # The name as first written stays; status always, notes and source when given.
            existing.update({k: v for k, v in item.items() if k == "status" or (k != "topic" and v is not None)})
            break
    else:
        topics.append(item)
    dossier.topics = topics  # a new list: JSON columns do not track changes in place
    audited(session, viewer, "dossier.topic", dossier, before=before)
    return dossier


@accepts_party_key
def set_model_candidate(
    session: Session, viewer: Viewer, party_id: str, candidate: bool, *, note: str | None = None,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Mark (or unmark) the company as a model candidate of the good path (07BEIJING1900 ¶6); refused
    (``StaleRecord``) if the dossier changed since ``expected_version`` was read."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    dossier = get_dossier(session, viewer, party_id)
    check_version(session, dossier, expected_version, "dossier")
    before = to_dict(dossier)
    dossier.model_candidate = bool(candidate)
    audited(session, viewer, "dossier.model_candidate", dossier, before=before, reason=note)
    return dossier


def list_dossiers(
    session: Session, viewer: Viewer, *, status: str | None = None, model_candidate: bool | None = None
) -> list[dict]:
    """The dossiers the viewer may read, one row each, by party."""
    query = readable(session, viewer, Dossier)
    if status is not None:
        query = query.where(Dossier.status == one_of(status, DOSSIER.statuses, "status"))
    if model_candidate is not None:
        query = query.where(Dossier.model_candidate.is_(model_candidate))
    rows = []
    for dossier in session.scalars(query.order_by(Dossier.party_id)):
        party = dossier_party(session, viewer, dossier)
        invitations = _readable_children(session, viewer, Invitation, dossier.id)
        meetings = _readable_children(session, viewer, CompanyMeeting, dossier.id)
        last = max((m.held_on for m in meetings), default=None)
        rows.append({
            "id": dossier.id, "party_id": dossier.party_id, "company": party, "status": dossier.status,
            "status_on": dossier.status_on.isoformat(), "model_candidate": dossier.model_candidate,
            "topics_open": sum(t["status"] == "open" for t in dossier.topics or []),
            "topics": len(dossier.topics or []), "invitations": len(invitations), "meetings": len(meetings),
            "last_meeting": last.isoformat() if last else None, "source": dossier.source,
        })  # fmt: skip
    return rows


def dossier_party(session: Session, viewer: Viewer, dossier: Dossier) -> str | None:
    """The company's name as the viewer may see it."""
    try:
        return party_of(session, viewer, dossier.party_id).caption
    except NotFound:
        return None


def _readable_children(session: Session, viewer: Viewer, model, dossier_id: int) -> list:
    query = readable(session, viewer, model).where(model.dossier_id == dossier_id)
    order = model.held_on if model is CompanyMeeting else model.id
    return list(session.scalars(query.order_by(order, model.id)))


def dossier_to_dict(session: Session, viewer: Viewer, dossier: Dossier) -> dict:
    """The dossier with its readable invitations, meetings and history."""
    return {
        **to_dict(dossier), "company": dossier_party(session, viewer, dossier),
        "invitations": [to_dict(i) for i in _readable_children(session, viewer, Invitation, dossier.id)],
        "meetings": [to_dict(m) for m in _readable_children(session, viewer, CompanyMeeting, dossier.id)],
        "history": history(session, viewer, DOSSIER.name, dossier.id),
    }  # fmt: skip


# --- invitations ---------------------------------------------------------------------------


def _invitees(invitees: Iterable[dict | str]) -> list[dict]:
    out = []
    for item in invitees or ():
        if isinstance(item, str):  # "Name|Title" from the command line
            name, _, title = item.partition("|")
            item = {"name": name, "title": title}
        name = (item.get("name") or "").strip()
        if not name:
            raise GoodpathError("every invitee needs a name")
        out.append({"name": name[:200], "title": (item.get("title") or "").strip()[:200] or None})
    if not out:
        raise GoodpathError("an invitation names at least one senior official (invitees)")
    return out


@accepts_party_key
def invite(
    session: Session,
    viewer: Viewer,
    party_id: str,
    *,
    invitees: Iterable[dict | str],
    conditions: Iterable[str] = (),
    purpose: str | None = None,
    issued_on: date | str | None = None,
    occurred_on: date | str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    share_with: Iterable[str] = (),
    source: str | None = None,
    demo_key: str | None = None,
) -> Invitation:
    """Draft an invitation to named senior officials of the company, with attendance conditions
    (e.g. "unaccompanied by outside advisors", 07BEIJING5360 ¶3)."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    dossier = get_dossier(session, viewer, party_id)
    if dossier.status == "closed":
        raise Refused("the dossier is closed: no new invitations")
    people = _invitees(invitees)
    conditions = [c.strip() for c in conditions or () if c and c.strip()]
    issued = parse_date(issued_on, "issued_on")
    # When it was drafted: given, else when it was issued, else today.
    today = parse_date(occurred_on, "occurred_on") or issued or utcnow().date()
    invitation = Invitation(
        dossier_id=dossier.id, party_id=dossier.party_id, invitees=people, conditions=conditions,
        purpose=(purpose or "").strip() or None, issued_on=issued, status="draft", status_on=today,
        created_by=viewer.actor, source=source, demo_key=demo_key,
        **_child_marking(viewer, dossier, classification, releasability, share_with),
    )  # fmt: skip
    session.add(invitation)
    session.flush()
    add_event(session, viewer, INVITATION.name, invitation, None, "draft", today, source=source)
    audited(session, viewer, "invitation.draft", invitation)
    return invitation


def set_invitation_status(
    session: Session,
    viewer: Viewer,
    invitation_id: int,
    status: str,
    *,
    occurred_on: date | str | None = None,
    response: str | None = None,
    source: str | None = None,
) -> Invitation:
    """draft -> sent -> accepted | declined | expired. Accepting or declining needs the date
    of the company's response."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    invitation = get_readable(session, viewer, Invitation, invitation_id, "invitation")
    on = parse_date(occurred_on, "occurred_on")
    INVITATION.check(invitation.status, status)
    if status in ("accepted", "declined") and on is None:
        raise GoodpathError(f"an invitation {status} needs the date of the response (occurred_on)")
    text = (response or "").strip() or None
    transition(session, viewer, INVITATION, invitation, status, occurred_on=on, note=text, source=source)
    if status == "sent" and invitation.issued_on is None:
        invitation.issued_on = invitation.status_on
    if text is not None:
        invitation.response = text
    session.flush()
    return invitation


# --- meetings ------------------------------------------------------------------------------


@accepts_party_key
def record_meeting(
    session: Session,
    viewer: Viewer,
    party_id: str,
    *,
    held_on: date | str,
    summary: str,
    place: str | None = None,
    participants: Iterable[dict | str] = (),
    topics: Iterable[str] = (),
    invitation_id: int | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    share_with: Iterable[str] = (),
    source: str | None = None,
    demo_key: str | None = None,
    reason: str | None = None,
) -> CompanyMeeting:
    """Record a meeting with the company. A meeting on an invitation needs the invitation
    accepted. Dossier topics the meeting covered that were still open become discussed.
    ``reason``: why it is recorded now (e.g. recorded late, from a cable), kept in its audit entry."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    dossier = get_dossier(session, viewer, party_id)
    held = parse_date(held_on, "held_on")
    if held is None:
        raise GoodpathError("held_on is required")
    summary = required_text(summary, "summary", 20000)
    if invitation_id is not None:
        invitation = get_readable(session, viewer, Invitation, invitation_id, "invitation")
        if invitation.dossier_id != dossier.id:
            raise GoodpathError(f"invitation {invitation_id} is not an invitation of this dossier")
        if invitation.status != "accepted":
            raise Refused(f"invitation {invitation_id} is {invitation.status}, not accepted: no meeting on it")
    people = [
        {"name": p.strip()} if isinstance(p, str) else {k: v for k, v in p.items() if v not in (None, "")}
        for p in participants or ()
    ]
    covered = [t.strip() for t in topics or () if t and t.strip()]
    meeting = CompanyMeeting(
        dossier_id=dossier.id, party_id=dossier.party_id, invitation_id=invitation_id, held_on=held,
        place=(place or "").strip() or None, participants=people, topics=covered, summary=summary,
        created_by=viewer.actor, source=source, demo_key=demo_key,
        **_child_marking(viewer, dossier, classification, releasability, share_with),
    )  # fmt: skip
    session.add(meeting)
    session.flush()
    audited(session, viewer, "company_meeting.record", meeting, reason=(reason or "").strip() or None)
    wanted = {t.lower() for t in covered}
    if any(t["topic"].lower() in wanted and t["status"] == "open" for t in dossier.topics or []):
        before = to_dict(dossier)
        dossier.topics = [
            t | {"status": "discussed"} if t["topic"].lower() in wanted and t["status"] == "open" else t
            for t in dossier.topics
        ]
        audited(session, viewer, "dossier.topic", dossier, before=before, reason=f"meeting {meeting.id}")
    return meeting


def late_entries(session: Session, viewer: Viewer, dossier: Dossier) -> list[dict]:
    """What was recorded after the day it happened (backdated), newest recording first: meetings
    recorded after they were held, and steps of the dossier and of its invitations recorded after
    their date. Each row: kind, id, on (when it happened), recorded_at, by, days (how late), reason
    (a meeting's: from its audit entry; a step's: its note) and source. Only what the viewer may read,
    and only for officials and auditors: who recorded what late and why is the record-keeping of the
    government side, not the company's (nor the partner's) business."""
    if not (can(viewer, Permission.MANAGE_ENGAGEMENT) or can(viewer, Permission.READ_AUDIT)):
        return []
    rows: list[dict] = []
    meetings = {m.id: m for m in _readable_children(session, viewer, CompanyMeeting, dossier.id)}
    reasons = {
        int(e.target_id): e.reason
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "company_meeting.record",
                                     AuditEntry.target_id.in_([str(i) for i in meetings]))
        )
    }  # fmt: skip
    for meeting in meetings.values():
        recorded = _aware(meeting.created_at)
        if recorded.date() > meeting.held_on:
            rows.append({"kind": "meeting", "id": meeting.id, "on": meeting.held_on, "recorded_at": recorded,
                         "by": meeting.created_by, "days": (recorded.date() - meeting.held_on).days,
                         "reason": reasons.get(meeting.id), "source": meeting.source, "to": None})  # fmt: skip
    invitation_ids = [i.id for i in _readable_children(session, viewer, Invitation, dossier.id)]
    steps = (
        select(StatusEvent)
        .where(read_filter(viewer, StatusEvent))
        .where(
            ((StatusEvent.record_type == INVITATION.name) & StatusEvent.record_id.in_(invitation_ids))
            | ((StatusEvent.record_type == DOSSIER.name) & (StatusEvent.record_id == dossier.id))
        )
    )
    for event in session.scalars(steps):
        recorded = _aware(event.recorded_at)
        if recorded.date() > event.occurred_on:
            rows.append({"kind": event.record_type, "id": event.record_id, "on": event.occurred_on,
                         "recorded_at": recorded, "by": event.recorded_by,
                         "days": (recorded.date() - event.occurred_on).days, "reason": event.note,
                         "source": event.source, "to": event.to_status})  # fmt: skip
    return sorted(rows, key=lambda r: (r["recorded_at"], r["kind"], r["id"]), reverse=True)


def _aware(value: datetime) -> datetime:
    # SQLite gives back naive datetimes: they were stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@accepts_party_key
def meetings(session: Session, viewer: Viewer, party_id: str | None = None) -> list[dict]:
    """Meeting records the viewer may read, oldest first."""
    query = readable(session, viewer, CompanyMeeting)
    if party_id is not None:
        query = query.where(CompanyMeeting.party_id == party_id)
    return [to_dict(m) for m in session.scalars(query.order_by(CompanyMeeting.held_on, CompanyMeeting.id))]


@accepts_party_key
def invitations(session: Session, viewer: Viewer, party_id: str | None = None) -> list[dict]:
    query = readable(session, viewer, Invitation)
    if party_id is not None:
        query = query.where(Invitation.party_id == party_id)
    return [to_dict(i) for i in session.scalars(query.order_by(Invitation.id))]
