"""Properties of breach detection and snapback over random sequences of relief grants, breaches,
scans and decisions on snapback proposals: no relief stays in force after an approved snapback, a
snapback reinstates exactly the measures relieved before it, and a company never has more than one
pending snapback proposal. Each example works on a fresh company of its own in one database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from goodpath.core.errors import Refused
from goodpath.pathway import breaches, proposals
from goodpath.pathway import relief as relief_life
from goodpath.pathway.models import PathwayProposal, PathwayRelief, PathwayState
from tests.pathway.conftest import (
    APPROVER,
    APPROVER2,
    add_company,
    add_hit,
    add_list_entry,
    add_sanctioned_case,
    grant_relief,
    walk_to_relief,
)

OPERATIONS = ("grant", "case", "hit", "entry", "unrelated_entry", "scan", "approve", "reject")
NUMBERS = itertools.count(1)


def _pending(session, party: str) -> list[PathwayProposal]:
    query = select(PathwayProposal).where(PathwayProposal.party_id == party, PathwayProposal.kind == "snapback")
    return list(session.scalars(query.where(PathwayProposal.status == "pending")))


def _in_force(session, party: str) -> dict[int, tuple[int, str]]:
    return {r.id: (r.sanction_id, r.measure) for r in relief_life.reliefs_in_force(session, party)}


def _stage(session, party: str) -> str:
    return session.scalars(select(PathwayState.stage).where(PathwayState.party_id == party)).one()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=10))
def test_random_sequences_keep_the_snapback_invariants(session, ops):
    number = next(NUMBERS)
    party = f"prop{number}"
    add_company(session, party)
    sanction = walk_to_relief(session, party)  # import_ban relieved from 2005-08-01
    measures = [m for m in sanction.measures if m != "import_ban"]
    day = date(2005, 9, 1)
    for step, op in enumerate(ops):
        day += timedelta(days=15)
        on = day.isoformat()
        pending = _pending(session, party)
        if op == "grant" and measures:
            try:
                grant_relief(session, sanction, measures[0], on=on, party=party)  # commits
                measures.pop(0)
            except Refused:  # e.g. a breach blocks further relief, or the company snapped back
                session.rollback()
        elif op == "case":
            add_sanctioned_case(session, party, closed_on=day, reference=f"P{number}-{step}")
        elif op == "hit":
            add_hit(session, party)
        elif op in ("entry", "unrelated_entry"):
            program = "NPWMD" if op == "entry" else "VENEZUELA-EO13850"
            add_list_entry(session, party, program=program, listed_on=on, external_id=f"{party}-{step}")
        elif op == "scan":
            breaches.scan(session, party_ids=[party], on=on)
        elif op == "approve" and pending:
            before = _in_force(session, party)
            proposals.approve(session, APPROVER2, pending[0].id, note="breach confirmed")
            session.flush()
            session.expire_all()
            assert sorted(pending[0].revoked_reliefs) == sorted(before)
            reinstated = {(r["sanction_id"], r["measure"]) for r in relief_life.reinstated(session, None, party)
                          if r["proposal_id"] == pending[0].id}  # fmt: skip
            assert reinstated == set(before.values())
        elif op == "reject" and pending:
            proposals.reject(session, APPROVER, pending[0].id, "not convinced")
        session.commit()
        # invariants after every step
        assert len(_pending(session, party)) <= 1
        approved = session.scalars(select(PathwayProposal).where(
            PathwayProposal.party_id == party, PathwayProposal.kind == "snapback",
            PathwayProposal.status == "approved")).all()  # fmt: skip
        if approved:
            assert _stage(session, party) == "snapped_back"
            assert _in_force(session, party) == {}
            revoked = {i for p in approved for i in p.revoked_reliefs}
            statuses = {r.id: r.status for r in session.scalars(select(PathwayRelief).where(
                PathwayRelief.party_id == party))}  # fmt: skip
            assert revoked == set(statuses) and set(statuses.values()) == {"revoked"}
            assert relief_life.in_force_again(session, party) == {
                (r["sanction_id"], r["measure"]) for r in relief_life.reinstated(session, None, party)
            }
