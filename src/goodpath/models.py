"""Imports every domain's models so that the metadata knows all tables."""

from goodpath.access.models import ApiToken, BrowserSession, LoginAttempt, User
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
    "ApiToken", "AuditEntry", "AuditHead", "BrowserSession", "LegalAuthority", "ListEntry", "ListVersion",
    "LoginAttempt", "OwnershipLink", "Party", "PartyAddress", "PartyIdentifier", "PartyName", "Sanction", "User",
]  # fmt: skip
