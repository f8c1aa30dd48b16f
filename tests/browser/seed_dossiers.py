"""Seed records for the dossier and disclosure journeys (tests/browser/test_dossier_disclosure_jobs.py):
one listed party, so that a company officer's disclosure of business with it is screened as a hit."""

from __future__ import annotations

from goodpath.lists import service as lists
from tests.factories import entity, parsed

LISTED_NAME = "KALAYE ELECTRIC COMPANY"  # an Iranian entity on the nonproliferation lists
LISTED_DATASET = "browser-test-list"


def seed_listed(session) -> None:
    lists.apply_parsed(session, parsed([entity("KEC-1", LISTED_NAME)]), dataset=LISTED_DATASET)
