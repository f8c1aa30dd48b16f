"""Consultation tracks between two governments (e.g. the DG/AFM-level nonproliferation
consultations) and their rounds: status active ⇄ suspended (with its cause) → ended, rounds
planned and recorded as held or cancelled, the overdue flag against the planned cadence, and
rounds held vs. expected per year.

Everything dated is computed against a ``today`` parameter (default: the current UTC date), so
the flags and metrics are reproducible on constructed histories.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can_read
from goodpath.access.records import get_readable, history, marking, readable, require
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.fields import ORG_CODE, parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent, Workflow, add_event, audited, check_version, transition
from goodpath.engagement.models import Consultation, ConsultationRound

LEVELS = ("director_general", "assistant_foreign_minister", "vice_minister", "working_level", "small_group", "other")
RECORD = "consultation"
ROUND_RECORD = "consultation_round"
WORKFLOW = Workflow(
    RECORD,
    {"active": frozenset({"suspended", "ended"}), "suspended": frozenset({"active", "ended"}), "ended": frozenset()},
)
ROUND_WORKFLOW = Workflow(
    ROUND_RECORD, {"planned": frozenset({"held", "cancelled"}), "held": frozenset(), "cancelled": frozenset()}
)
MAX_CADENCE_MONTHS = 120


def _today(today: date | None) -> date:
    return today or utcnow().date()


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def counterpart_code(value: str | None) -> str:
    code = (value or "").strip().upper()
    if not ORG_CODE.match(code):
        raise GoodpathError(f"counterpart must be a government code like CHN, not {value!r}")
    return code


def _cadence(value: int | None) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CADENCE_MONTHS:
        raise GoodpathError(f"cadence_months must be a whole number of months from 1 to {MAX_CADENCE_MONTHS}")
    return value


def _level(value: str | None) -> str:
    text = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if text not in LEVELS:
        raise GoodpathError(f"level must be one of {', '.join(LEVELS)}, not {value!r}")
    return text


def participants_of(value, field: str = "participants") -> list[dict]:
    """``[{"side", "name", "title"}]``: side and name required, e.g. ``{"side": "CHN", "name": "Zhang Yan",
    "title": "Director-General, MFA Arms Control"}``."""
    out = []
    for i, item in enumerate(value or []):
        if not isinstance(item, dict):
            raise GoodpathError(f"{field}[{i}] must be an object with side, name and title")
        side = required_text(item.get("side"), f"{field}[{i}].side", 40).upper()
        name = required_text(item.get("name"), f"{field}[{i}].name", 200)
        title = (item.get("title") or "").strip() or None
        out.append({"side": side, "name": name, "title": title})
    return out


def _text_items(value, field: str) -> list[str]:
    items = [str(v).strip() for v in (value or [])]
    if any(not v for v in items):
        raise GoodpathError(f"{field} may not contain empty items")
    return items


# --- tracks ----------------------------------------------------------------------------------


def create(
    session: Session,
    viewer: Viewer,
    *,
    title: str,
    level: str,
    counterpart: str,
    cadence_months: int | None = None,
    notes: str | None = None,
    occurred_on: date | str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    source: str | None = None,
    demo_key: str | None = None,
) -> Consultation:
    """A new active track; ``occurred_on`` is when it started (may be in the past). Marked by default
    UNCLASSIFIED, releasable to the creator's organization and the counterpart."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    counterpart = counterpart_code(counterpart)
    started = parse_date(occurred_on, "occurred_on") or utcnow().date()
    record = Consultation(
        title=required_text(title, "title", 300), level=_level(level), counterpart=counterpart,
        cadence_months=_cadence(cadence_months), status="active", status_since=started,
        notes=(notes or "").strip() or None, created_by=viewer.actor, source=source, demo_key=demo_key,
        **marking(viewer, classification, releasability, share_with=[counterpart]),
    )  # fmt: skip
    session.add(record)
    session.flush()
    add_event(session, viewer, RECORD, record, None, "active", started, note="track started", source=source)
    audited(session, viewer, f"{RECORD}.create", record)
    return record


def get(session: Session, viewer: Viewer, consultation_id: int) -> Consultation:
    return get_readable(session, viewer, Consultation, consultation_id, "consultation")


def set_status(
    session: Session,
    viewer: Viewer,
    consultation_id: int,
    status: str,
    *,
    cause: str | None = None,
    offered_by: str | None = None,
    occurred_on: date | str | None = None,
    source: str | None = None,
    expected_version: int | None = None,
) -> Consultation:
    """Suspend (a cause is required), resume (optionally noting who offered it) or end a track;
    refused (``StaleRecord``) if it changed since ``expected_version`` was read."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    record = get(session, viewer, consultation_id)
    check_version(session, record, expected_version, RECORD)
    WORKFLOW.check(record.status, status)
    when = parse_date(occurred_on, "occurred_on")
    cause = (cause or "").strip() or None
    if status == "suspended":
        cause = required_text(cause, "cause (why the consultations are suspended)")
    note = cause
    if status == "active":
        offered_by = (offered_by or "").strip() or None
        note = "; ".join(x for x in (f"resumption offered by {offered_by}" if offered_by else None, cause) if x)
        cause = None  # no longer suspended: the suspension's cause stays in the history
    transition(session, viewer, WORKFLOW, record, status, occurred_on=when, note=note or None, source=source,
               date_field="status_since")  # fmt: skip
    record.status_cause = cause
    session.flush()
    return record


def suspend(session, viewer, consultation_id, *, cause, occurred_on=None, source=None) -> Consultation:
    return set_status(session, viewer, consultation_id, "suspended", cause=cause, occurred_on=occurred_on,
                      source=source)  # fmt: skip


def resume(session, viewer, consultation_id, *, offered_by=None, note=None, occurred_on=None, source=None):
    return set_status(session, viewer, consultation_id, "active", offered_by=offered_by, cause=note,
                      occurred_on=occurred_on, source=source)  # fmt: skip


def end(session, viewer, consultation_id, *, cause=None, occurred_on=None, source=None) -> Consultation:
    return set_status(session, viewer, consultation_id, "ended", cause=cause, occurred_on=occurred_on, source=source)


def status_on(session: Session, consultation_id: int, day: date) -> str | None:
    """The track's status on ``day`` from its history (None before it started)."""
    status = None
    for occurred, to_status in _events(session, consultation_id):
        if occurred > day:
            break
        status = to_status
    return status


def _events(session: Session, consultation_id: int) -> list[tuple[date, str]]:
    return [
        (occurred, status)
        for occurred, status in session.execute(
            select(StatusEvent.occurred_on, StatusEvent.to_status)
            .where(StatusEvent.record_type == RECORD, StatusEvent.record_id == consultation_id)
            .order_by(StatusEvent.occurred_on, StatusEvent.id)
        )
    ]


# --- rounds ----------------------------------------------------------------------------------


def plan_round(
    session: Session,
    viewer: Viewer,
    consultation_id: int,
    *,
    scheduled_on: date | str,
    place: str | None = None,
    agenda: list[str] | None = None,
    participants: list[dict] | None = None,
    occurred_on: date | str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    source: str | None = None,
    demo_key: str | None = None,
) -> ConsultationRound:
    """A planned round of a track that has not ended. ``occurred_on`` is when it was planned
    (default: today, or the scheduled date if that is earlier, so past rounds can be recorded)."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    track = get(session, viewer, consultation_id)
    scheduled = parse_date(scheduled_on, "scheduled_on")
    if scheduled is None:
        raise GoodpathError("scheduled_on is required")
    if track.status == "ended":
        raise Refused(f"consultation {track.id} has ended: no more rounds can be planned")
    planned_on = parse_date(occurred_on, "occurred_on") or min(scheduled, utcnow().date())
    # A round inherits the track's marking unless given one of its own.
    mark = (
        marking(viewer, classification, releasability, share_with=[track.counterpart])
        if classification or releasability
        else {k: getattr(track, k) for k in ("classification", "releasability", "originator", "published")}
    )
    record = ConsultationRound(
        consultation_id=track.id, scheduled_on=scheduled, status="planned", place=(place or "").strip() or None,
        agenda=_text_items(agenda, "agenda"), participants=participants_of(participants), created_by=viewer.actor,
        source=source, demo_key=demo_key, **mark,
    )  # fmt: skip
    track.rounds.append(record)  # keeps a loaded track's rounds current for its overdue flag
    session.flush()
    add_event(session, viewer, ROUND_RECORD, record, None, "planned", planned_on, source=source)
    audited(session, viewer, f"{ROUND_RECORD}.plan", record)
    return record


def get_round(session: Session, viewer: Viewer, round_id: int) -> ConsultationRound:
    return get_readable(session, viewer, ConsultationRound, round_id, "consultation round")


def record_round(
    session: Session,
    viewer: Viewer,
    round_id: int,
    *,
    held: bool = True,
    held_on: date | str | None = None,
    place: str | None = None,
    participants: list[dict] | None = None,
    agenda: list[str] | None = None,
    outcome: str | None = None,
    note: str | None = None,
    source: str | None = None,
    today: date | None = None,
) -> ConsultationRound:
    """Record a planned round as held (on ``held_on``, default its scheduled date; not in the future,
    and refused on a day the track was suspended or had ended) or as cancelled (with ``note``)."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    record = get_round(session, viewer, round_id)
    target = "held" if held else "cancelled"
    ROUND_WORKFLOW.check(record.status, target)
    if not held:
        transition(session, viewer, ROUND_WORKFLOW, record, "cancelled", note=(note or "").strip() or None,
                   source=source, date_field=None)  # fmt: skip
        return record
    day = parse_date(held_on, "held_on") or record.scheduled_on
    if day > _today(today):
        raise GoodpathError(f"held_on {day.isoformat()} is in the future: plan the round, record it once held")
    track_status = status_on(session, record.consultation_id, day)
    if track_status in ("suspended", "ended"):
        raise Refused(
            f"consultation {record.consultation_id} was {track_status} on {day.isoformat()}: "
            "a round cannot be held then (resume the consultations first)"
        )
    new_participants = participants_of(participants) if participants is not None else record.participants
    new_agenda = _text_items(agenda, "agenda") if agenda is not None else record.agenda
    transition(session, viewer, ROUND_WORKFLOW, record, "held", occurred_on=day, note=(note or "").strip() or None,
               source=source, date_field=None)  # fmt: skip
    record.held_on = day
    record.place = (place or "").strip() or record.place
    record.participants = new_participants
    record.agenda = new_agenda
    record.outcome = (outcome or "").strip() or record.outcome
    session.flush()
    audited(session, viewer, f"{ROUND_RECORD}.record", record)
    return record


def add_held_round(session: Session, viewer: Viewer, consultation_id: int, *, held_on: date | str, **details):
    """A round recorded after the fact: planned for and held on ``held_on`` (the demo's past rounds).
    ``details``: place, participants, agenda, outcome, source, demo_key, classification, releasability."""
    plan_keys = {"classification", "releasability", "demo_key", "source"}
    planned = plan_round(session, viewer, consultation_id, scheduled_on=held_on, occurred_on=held_on,
                         **{k: v for k, v in details.items() if k in plan_keys})  # fmt: skip
    rest = {k: v for k, v in details.items() if k not in plan_keys - {"source"}}
    return record_round(session, viewer, planned.id, held=True, held_on=held_on, **rest)


# --- overdue and metrics -----------------------------------------------------------------------


def _rounds(track: Consultation, viewer: Viewer | None) -> list[ConsultationRound]:
    """The track's rounds, or those ``viewer`` may read: a flag or a count shown to a viewer is derived
    from the rounds they may read alone."""
    return [r for r in track.rounds if viewer is None or can_read(viewer, r)]


def last_held(track: Consultation, viewer: Viewer | None = None) -> date | None:
    days = [r.held_on for r in _rounds(track, viewer) if r.status == "held" and r.held_on is not None]
    return max(days) if days else None


def overdue(track: Consultation, today: date | None = None, viewer: Viewer | None = None) -> dict:
    """The cadence flag. An active track is overdue when its last held round (or, if later, the day
    it became active: a resumption restarts the clock) is more than ``cadence_months`` ago.
    A suspended track is never overdue but shows how long it has been suspended."""
    today = _today(today)
    held = last_held(track, viewer)
    out = {"overdue": False, "due_on": None, "due_since": None, "days_overdue": 0, "last_held_on": _iso(held),
           "suspended_since": None, "suspended_days": None}  # fmt: skip
    if track.status == "suspended":
        out["suspended_since"] = _iso(track.status_since)
        out["suspended_days"] = (today - track.status_since).days if track.status_since else None
        return out
    if track.status != "active" or not track.cadence_months:
        return out
    reference = max(d for d in (held, track.status_since) if d is not None) if (held or track.status_since) else None
    if reference is None:
        return out
    due = add_months(reference, track.cadence_months)
    out["due_on"] = due.isoformat()
    if today > due:
        out.update(overdue=True, due_since=due.isoformat(), days_overdue=(today - due).days)
    return out


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def active_periods(session: Session, consultation_id: int, today: date) -> list[tuple[date, date]]:
    """Half-open [from, to) periods the track was active, from its history, up to ``today`` inclusive."""
    periods, start = [], None
    for occurred, to_status in _events(session, consultation_id):
        if to_status == "active" and start is None:
            start = occurred
        elif to_status != "active" and start is not None:
            periods.append((start, occurred))
            start = None
    if start is not None:
        periods.append((start, today + timedelta(days=1)))
    return [(a, min(b, today + timedelta(days=1))) for a, b in periods if a <= today]


def track_metrics(session: Session, track: Consultation, today: date, viewer: Viewer | None = None) -> list[dict]:
    """Per year: rounds held, rounds scheduled (stored plans), and rounds expected by the cadence
    while the track was active (active months / cadence months)."""
    periods = active_periods(session, track.id, today)
    rounds = _rounds(track, viewer)
    held = [r.held_on for r in rounds if r.status == "held" and r.held_on and r.held_on <= today]
    scheduled = [r.scheduled_on for r in rounds]
    years = {d.year for d in held + scheduled} | {y for a, b in periods for y in range(a.year, b.year + 1)}
    years = {y for y in years if y <= today.year}
    out = []
    for year in sorted(years):
        first, after = date(year, 1, 1), date(year + 1, 1, 1)
        active_days = sum(max(0, (min(b, after) - max(a, first)).days) for a, b in periods)
        expected = active_days / 365.25 * 12 / track.cadence_months if track.cadence_months else None
        out.append({
            "year": year, "held": sum(1 for d in held if d.year == year),
            "scheduled": sum(1 for d in scheduled if d.year == year), "active_days": active_days,
            "expected": round(expected, 1) if expected is not None else None,
        })  # fmt: skip
    return out


def metrics(
    session: Session,
    viewer: Viewer,
    *,
    consultation_id: int | None = None,
    counterpart: str | None = None,
    today: date | None = None,
) -> dict:
    """Rounds held vs. expected per year, per readable track and in total."""
    today = _today(today)
    tracks = (
        [get(session, viewer, consultation_id)]
        if consultation_id is not None
        else _query(session, viewer, counterpart=counterpart)
    )
    per_track, totals = [], {}
    for track in tracks:
        years = track_metrics(session, track, today, viewer)
        per_track.append({"id": track.id, "title": track.title, "level": track.level, "status": track.status,
                          "cadence_months": track.cadence_months, "years": years})  # fmt: skip
        for row in years:
            total = totals.setdefault(row["year"], {"year": row["year"], "held": 0, "scheduled": 0, "expected": 0.0})
            total["held"] += row["held"]
            total["scheduled"] += row["scheduled"]
            total["expected"] = round(total["expected"] + (row["expected"] or 0.0), 1)
    return {"today": today.isoformat(), "tracks": per_track, "years": [totals[y] for y in sorted(totals)]}


# --- reading -----------------------------------------------------------------------------------


def _query(session, viewer, *, status=None, counterpart=None, level=None) -> list[Consultation]:
    query = readable(session, viewer, Consultation).order_by(Consultation.id)
    if status:
        query = query.where(Consultation.status == status)
    if counterpart:
        query = query.where(Consultation.counterpart == counterpart.strip().upper())
    if level:
        query = query.where(Consultation.level == _level(level))
    return list(session.scalars(query))


def row(track: Consultation, today: date | None = None, viewer: Viewer | None = None) -> dict:
    flag = overdue(track, today, viewer)
    keys = ("last_held_on", "overdue", "due_on", "due_since", "days_overdue", "suspended_since", "suspended_days")
    return to_dict(track) | {k: flag[k] for k in keys}


def list_consultations(
    session: Session,
    viewer: Viewer,
    *,
    status: str | None = None,
    counterpart: str | None = None,
    level: str | None = None,
    overdue_only: bool = False,
    today: date | None = None,
) -> list[dict]:
    """Readable tracks with their overdue flag."""
    if status is not None and status not in WORKFLOW.statuses:
        raise GoodpathError(f"status must be one of {', '.join(WORKFLOW.statuses)}, not {status!r}")
    rows = [row(t, today, viewer) for t in _query(session, viewer, status=status, counterpart=counterpart,
                                                  level=level)]  # fmt: skip
    return [r for r in rows if r["overdue"]] if overdue_only else rows


def round_dict(record: ConsultationRound) -> dict:
    return to_dict(record)


def detail(session: Session, viewer: Viewer, consultation_id: int, today: date | None = None) -> dict:
    """A track with its readable rounds (and each round's history) and its own history."""
    track = get(session, viewer, consultation_id)
    rounds = session.scalars(
        readable(session, viewer, ConsultationRound)
        .where(ConsultationRound.consultation_id == track.id)
        .order_by(ConsultationRound.scheduled_on, ConsultationRound.id)
    )
    return row(track, today, viewer) | {
        "rounds": [round_dict(r) | {"history": history(session, viewer, ROUND_RECORD, r.id)} for r in rounds],
        "history": history(session, viewer, RECORD, track.id),
    }
