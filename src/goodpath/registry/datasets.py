"""The datasets the registry knows by name besides the imported lists."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from goodpath.registry.models import ListEntry, Party

# The engagement parties (companies on the pathway, their subsidiaries and the partner's agencies),
# held as a list of their own so that they have names and ids like any listed party. Its entries are
# not list memberships: screening, breach detection and disclosures leave them out of "listed".
ENGAGEMENT_DATASET = "goodpath-engagement"

# Illustrative parties: fictional companies that show a whole scenario (the demo's good path end to
# end). A party with an entry of this dataset is illustrative: pages and register entries say so,
# screening never returns it (it is not a listing), and statistics leave it out unless asked.
ILLUSTRATIVE_DATASET = "goodpath-illustrative"


def illustrative_parties() -> Select:
    """The ids of the illustrative parties, as a subquery (``Model.party_id.not_in(...)``)."""
    return select(ListEntry.party_id).where(ListEntry.dataset == ILLUSTRATIVE_DATASET)


def illustrative_party_ids(session: Session) -> set[str]:
    """The ids and keys of the illustrative parties (pages name a party by either)."""
    rows = session.execute(select(Party.id, Party.key).where(Party.id.in_(illustrative_parties())))
    return {value for row in rows for value in row if value}


def is_illustrative(session: Session, party_id: str | None) -> bool:
    return bool(party_id) and party_id in illustrative_party_ids(session)
