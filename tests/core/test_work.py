"""The work kernel (core/work.py): the overdue rule, a comment's marking never above its record's,
threads, and the audit entry of every assignment, reassignment and comment, marked as the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from goodpath.core import work
from goodpath.core.audit_log import AuditEntry, verify
from goodpath.core.errors import GoodpathError
from goodpath.engagement.models import ViolationCase


@dataclass
class Record:
    classification: str
    releasability: str | None
    originator: str = "USA"


@dataclass
class Note:
    id: int
    parent_id: int | None


def test_overdue_is_before_today():
    today = date(2026, 12, 7)
    assert work.is_overdue(date(2026, 12, 6), today)
    assert not work.is_overdue(date(2026, 12, 7), today)
    assert not work.is_overdue(None, today)


@pytest.mark.parametrize(
    ("record", "classification", "releasability", "allowed"),
    [
        (Record("CONFIDENTIAL", "CHN,USA"), "CONFIDENTIAL", "USA", True),
        (Record("CONFIDENTIAL", "CHN,USA"), "UNCLASSIFIED", "CHN,USA", True),
        (Record("CONFIDENTIAL", "CHN,USA"), "SECRET", "USA", False),  # above the record
        (Record("CONFIDENTIAL", "CHN,USA"), "CONFIDENTIAL", "ALL", False),  # wider than the record
        (Record("CONFIDENTIAL", "CHN,USA"), "CONFIDENTIAL", "GBR,USA", False),
        (Record("UNCLASSIFIED", "ALL"), "UNCLASSIFIED", "ALL", True),
        (Record("UNCLASSIFIED", None), "UNCLASSIFIED", "USA", True),  # unmarked: its originator only
        (Record("UNCLASSIFIED", None), "UNCLASSIFIED", "CHN,USA", False),
    ],
)
def test_a_comment_is_marked_at_most_as_its_record(record, classification, releasability, allowed):
    if allowed:
        work.check_comment_marking(record, classification, releasability, "USA")
    else:
        with pytest.raises(GoodpathError, match="classification|releasability"):
            work.check_comment_marking(record, classification, releasability, "USA")


def test_thread_puts_replies_after_what_they_answer():
    notes = [Note(1, None), Note(2, None), Note(3, 1), Note(4, 3), Note(5, 1), Note(6, 99)]
    assert [(n.id, depth) for n, depth in work.thread(notes)] == [(1, 0), (3, 1), (4, 2), (5, 1), (2, 0), (6, 0)]


def _case(session, classification="CONFIDENTIAL", releasability="CHN,USA") -> ViolationCase:
    case = ViolationCase(reference="WLC-T-1", title="Valves", raised_on=date(2026, 1, 5), status="raised",
                         status_on=date(2026, 1, 5), facts="f", created_by="t", classification=classification,
                         releasability=releasability, originator="USA")  # fmt: skip
    session.add(case)
    session.flush()
    return case


def test_assignment_reassignment_and_comment_are_audited_with_the_records_marking(session):
    case = _case(session)
    first = work.assign(session, "approver1", "case", case, "analyst1", date(2026, 2, 1), "look at it")
    assert (first.classification, first.releasability, first.originator) == ("CONFIDENTIAL", "CHN,USA", "USA")
    again = work.assign(session, "approver1", "case", case, "analyst2", None)
    assert again.id == first.id and again.assignee == "analyst2" and again.due_on is None
    marking = {"classification": "UNCLASSIFIED", "releasability": "USA", "originator": "USA"}
    note = work.add_comment(session, "analyst2", "case", case, "  on it  ", marking)
    reply = work.add_comment(session, "approver1", "case", case, "thanks", marking, parent=note)
    assert note.body == "on it" and reply.parent_id == note.id
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("work.%")).order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["work.assigned", "work.reassigned", "work.commented", "work.commented"]
    assert {(e.target_type, e.target_id, e.classification, e.releasability) for e in entries} == {
        ("violation_case", str(case.id), "CONFIDENTIAL", "CHN,USA")
    }
    assert '"assignee":"analyst1"' in entries[1].before and '"assignee":"analyst2"' in entries[1].after
    assert verify(session).ok


def test_a_comment_is_refused_empty_too_long_or_above_its_record(session):
    case = _case(session, "UNCLASSIFIED", "USA")
    marking = {"classification": "UNCLASSIFIED", "releasability": "USA", "originator": "USA"}
    with pytest.raises(GoodpathError, match="comment is required"):
        work.add_comment(session, "a", "case", case, "  ", marking)
    with pytest.raises(GoodpathError, match="longer than"):
        work.add_comment(session, "a", "case", case, "x" * (work.COMMENT_MAX + 1), marking)
    with pytest.raises(GoodpathError, match="classification"):
        work.add_comment(session, "a", "case", case, "x", {**marking, "classification": "SECRET"})
    assert session.scalars(select(work.WorkComment)).all() == []
