"""Seed records for the pathway and case journeys (tests/browser/test_pathway_cases.py): a company
already recognized, so that relief of one of its measures can be proposed and approved (the SECRET
proposal hidden from a CONFIDENTIAL user is tested without a browser, in tests/web)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from goodpath.access.policy import Role, Viewer
from goodpath.core.models import Classification
from goodpath.core.workflow import add_event
from goodpath.pathway.models import PathwayState
from goodpath.registry.models import Party

RECOGNIZED_KEY = "poly_technologies"  # its Entity List and AECA sanctions have relief routes open today
SEEDER = Viewer(Role.ANALYST, Classification.SECRET, "USA", 0, "browser-test-seed")
MARKS = {"classification": "UNCLASSIFIED", "releasability": "USA", "originator": "USA", "published": False}


def _party(session, key: str) -> Party:
    return session.scalars(select(Party).where(Party.key == key)).one()


def _at_stage(session, party: Party, steps: list[tuple[str, date]], marks: dict) -> PathwayState:
    state = PathwayState(party_id=party.id, stage=steps[-1][0], since=steps[-1][1], **marks)
    session.add(state)
    session.flush()
    previous = None
    for stage, day in steps:
        add_event(session, SEEDER, "pathway", state, previous, stage, day, note="seeded for the browser tests")
        previous = stage
    return state


def seed_pathway(session) -> None:
    party = _party(session, RECOGNIZED_KEY)
    _at_stage(session, party, [("sanctioned", date(2013, 2, 5)), ("invited", date(2023, 3, 1)),
                               ("in_dialogue", date(2023, 6, 1)), ("commitments_made", date(2023, 9, 1)),
                               ("icp_established", date(2024, 1, 15)), ("monitoring", date(2024, 2, 1)),
                               ("recognized", date(2025, 3, 1))], MARKS)  # fmt: skip
