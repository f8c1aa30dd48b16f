"""Enrolling a company: it stands at 'sanctioned' from its first sanction, with the reason as its first
event, once; only engagement managers may enroll."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from goodpath.core.errors import Refused
from goodpath.core.workflow import StatusEvent
from goodpath.pathway import proposals
from tests.pathway.conftest import ANALYST, COMPANY


def test_enroll_starts_the_timeline_once(session, company):
    state = proposals.enroll(session, ANALYST, "acme", on="2007-03-13", note="model candidate (07BEIJING1900 ¶6)")
    session.commit()
    assert state.stage == "sanctioned" and state.since == date(2003, 5, 9)  # since the first sanction
    events = session.scalars(select(StatusEvent).where(StatusEvent.record_type == "pathway")).all()
    assert [(e.to_status, e.note) for e in events] == [("sanctioned", "model candidate (07BEIJING1900 ¶6)")]
    with pytest.raises(Refused, match="on the pathway already"):
        proposals.enroll(session, ANALYST, "acme")


def test_enroll_needs_engagement_management(session, company):
    with pytest.raises(Exception, match="permission"):
        proposals.enroll(session, COMPANY, "acme")
    assert proposals.state_of(session, company) is None
