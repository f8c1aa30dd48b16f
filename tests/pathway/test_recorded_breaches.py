"""New facts an analyst records trigger the same breach scan as an import (issue 19): a sanction recorded
from a notice under a nonproliferation authority, on a company with relief in force, is a breach of the
no-new-listing condition and opens one snapback proposal; under an unrelated authority it is a review."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from goodpath.pathway.models import PathwayAlert, PathwayProposal
from goodpath.registry import sanction_records
from tests.factories import run_followups
from tests.pathway.conftest import ANALYST, add_icp, walk_to_relief


@pytest.fixture
def relieved(session, company):
    sanction = walk_to_relief(session)
    add_icp(session, assessed_on=date(2007, 1, 1))
    session.commit()
    return sanction


def test_a_recorded_nonproliferation_sanction_is_a_breach_and_opens_a_snapback(session, relieved):
    recorded = sanction_records.add_sanction(session, ANALYST, "acme", authority="INKSNA", imposed="2007-01-10",
                                             citation="72 FR (2007), INKSNA sec. 3 (scenario)")  # fmt: skip
    session.commit()
    run_followups(session)
    session.expire_all()
    [breach] = session.scalars(select(PathwayAlert).where(PathwayAlert.party_id == "acme",
                                                          PathwayAlert.kind == "breach")).all()  # fmt: skip
    assert breach.source_ref == f"sanction:{recorded.id}" and breach.condition == "no_new_nonproliferation_listing"
    assert breach.status == "snapback_proposed"
    snapbacks = session.scalars(select(PathwayProposal).where(PathwayProposal.kind == "snapback")).all()
    assert len(snapbacks) == 1
    before = len(session.scalars(select(PathwayAlert)).all())
    run_followups(session)  # idempotent: nothing new
    assert len(session.scalars(select(PathwayAlert)).all()) == before


def test_a_recorded_sanction_under_an_unrelated_authority_is_a_review(session, relieved):
    sanction_records.add_sanction(session, ANALYST, "acme", authority="OFAC_VENEZUELA", imposed="2016-01-04",
                                  citation="EO 13692 designation (scenario)")  # fmt: skip
    session.commit()
    run_followups(session)
    session.expire_all()
    kinds = [a.kind for a in session.scalars(select(PathwayAlert).where(PathwayAlert.party_id == "acme"))]
    assert "breach" not in kinds
