"""Two approvers racing on one proposal yield exactly one transition, on PostgreSQL: each in its
own session and thread, released together by a barrier; the decision is a conditional UPDATE."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from goodpath.core.errors import Refused
from goodpath.core.workflow import StatusEvent
from goodpath.pathway import proposals
from goodpath.pathway.models import PathwayProposal, PathwayState
from tests.pathway.conftest import ANALYST, APPROVER, APPROVER2, add_company, walk_to_monitoring


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_approvers_racing_give_exactly_one_transition(db):
    with new_session(db) as setup:
        add_company(setup)
        setup.commit()
        walk_to_monitoring(setup)
        proposal_id = proposals.propose(setup, ANALYST, "acme", to_stage="recognized", rationale="a clean year",
                                        effective_on="2005-07-01").id  # fmt: skip
        setup.commit()
        events_before = setup.scalar(select(func.count()).select_from(StatusEvent))

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(approver) -> None:
        with new_session(db) as session:
            session.get(PathwayProposal, proposal_id)  # both read it pending before either decides
            barrier.wait(timeout=30)
            try:
                proposals.approve(session, approver, proposal_id, note=f"by {approver.username}")
                session.commit()
                outcomes[approver.username] = "approved"
            except Refused as exc:
                session.rollback()
                outcomes[approver.username] = f"refused: {exc}"

    threads = [threading.Thread(target=decide, args=(a,)) for a in (APPROVER, APPROVER2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["approved", "refused"], outcomes
    loser = next(v for v in outcomes.values() if v.startswith("refused"))
    assert "decided by someone else meanwhile" in loser or "not pending" in loser

    with new_session(db) as check:
        proposal = check.get(PathwayProposal, proposal_id)
        winner = next(name for name, v in outcomes.items() if v == "approved")
        assert (proposal.status, proposal.decided_by) == ("approved", winner)
        assert check.scalars(select(PathwayState.stage)).one() == "recognized"
        assert check.scalar(select(func.count()).select_from(StatusEvent)) == events_before + 1
        approvals = check.scalars(select(AuditEntry.actor).where(AuditEntry.action == "pathway.approve",
                                                                 AuditEntry.target_id == str(proposal_id)))  # fmt: skip
        assert list(approvals) == [winner]
        stage_changes = check.scalars(select(AuditEntry).where(AuditEntry.action == "pathway.stage")).all()
        assert sum(1 for a in stage_changes if '"recognized"' in (a.after or "")) == 1
