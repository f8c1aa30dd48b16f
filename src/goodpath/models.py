"""Imports every domain's models so that the metadata knows all tables."""

from goodpath.access.models import ApiToken, BrowserSession, LoginAttempt, User
from goodpath.cables.models import CableDraft, CableLink, StoredCable
from goodpath.core.audit_log import AuditEntry, AuditHead
from goodpath.core.followups import Followup
from goodpath.core.work import WorkAssignment, WorkComment
from goodpath.core.workflow import StatusEvent
from goodpath.engagement.models import (
    CaseParty,
    CompanyMeeting,
    Consultation,
    ConsultationRound,
    CooperationProject,
    Disclosure,
    Dossier,
    EnforcementAction,
    IcpAssessment,
    IcpElementScore,
    Invitation,
    Pledge,
    ViolationCase,
)
from goodpath.lists.models import ListVersion
from goodpath.pathway.models import PathwayProposal, PathwayRelief, PathwayState
from goodpath.registry.models import (
    LegalAuthority,
    ListEntry,
    OwnershipLink,
    Party,
    PartyAddress,
    PartyIdentifier,
    PartyName,
    Sanction,
)
from goodpath.screening.batch_jobs import ScreeningJob
from goodpath.screening.models import Disposition, ScreenedSubject, ScreeningAlert

__all__ = [
    "CaseParty", "CompanyMeeting", "Consultation", "ConsultationRound", "CooperationProject", "Disclosure",
    "Dossier", "StatusEvent", "EnforcementAction", "IcpAssessment", "IcpElementScore", "Invitation", "Pledge",
    "ViolationCase",
    "CableDraft", "CableLink", "StoredCable",
    "PathwayProposal", "PathwayRelief", "PathwayState",
    "Followup", "WorkAssignment", "WorkComment",
    "ApiToken", "AuditEntry", "AuditHead", "BrowserSession", "Disposition", "LegalAuthority", "ListEntry",
    "ListVersion", "LoginAttempt", "OwnershipLink", "Party", "PartyAddress", "PartyIdentifier", "PartyName",
    "Sanction", "ScreenedSubject", "ScreeningAlert", "ScreeningJob", "User",
]  # fmt: skip
