"""Imports every domain's models so that the metadata knows all tables."""

from goodpath.audit.models import AuditEntry, AuditHead
from goodpath.lists.models import ListEntry, ListVersion
from goodpath.registry.models import (
    LegalAuthority,
    OwnershipLink,
    Party,
    PartyAddress,
    PartyIdentifier,
    PartyName,
    Sanction,
)

__all__ = [
    "AuditEntry", "AuditHead", "LegalAuthority", "ListEntry", "ListVersion", "OwnershipLink",
    "Party", "PartyAddress", "PartyIdentifier", "PartyName", "Sanction",
]  # fmt: skip
