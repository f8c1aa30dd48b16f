"""The one access policy: who may read which record, and who may do what.

Every service, API route and web page asks here. Reads come in two forms that state the
same rule: ``can_read`` for one record, ``read_filter`` for a query (so that hidden
records are neither returned nor counted). A record a viewer may not read is, to that
viewer, a record that does not exist.

Views derived from a company's records (its pathway stage and timeline, its eligibility for
relief, its disclosure signals, its ICP evidence, the counts over them) follow one more rule,
``can_read_derived`` (``require_derived`` in services): they are computed from the records the
viewer may read alone, the public reads none of them, and a company officer reads its own
company's only (any other company's answers exactly like a party that does not exist).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, literal, or_, true

from goodpath.core.errors import NotFound
from goodpath.core.models import RELEASABLE_TO_ALL, Classification

# Records imported from public lists carry this originator: published list data.
LIST_ORIGINATOR = "LIST"


class Role(enum.StrEnum):
    ANALYST = "analyst"
    APPROVER = "approver"
    PARTNER_OFFICER = "partner_officer"
    COMPANY_OFFICER = "company_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"
    PUBLIC = "public"  # not logged in


class Permission(enum.StrEnum):
    IMPORT_LISTS = "lists.import"
    EDIT_REGISTRY = "registry.edit"
    MANAGE_USERS = "users.manage"
    VERIFY_AUDIT = "audit.verify"
    READ_AUDIT = "audit.read"
    REVIEW_SCREENING = "screening.review"  # dispositions, watched subjects, re-screening alerts
    MANAGE_ENGAGEMENT = "engagement.manage"  # consultations, pledges, cases, projects, dossiers, ICP
    RESPOND_CASES = "cases.respond"  # the partner government's side of the working-level channel
    SUBMIT_DISCLOSURES = "disclosures.submit"  # a company's own disclosures
    SCREEN_BATCH = "screening.batch"  # start batch screening jobs (a file of names, run on the server)
    DECIDE_PROPOSALS = "pathway.decide"  # approve or reject pathway proposals (the second person)
    PROPOSE_PATHWAY = "pathway.propose"  # propose pathway steps, relief and snapback; review pathway alerts
    MANAGE_FOLLOWUPS = "followups.manage"  # list follow-up work and retry failed ones (payloads name records)


_OFFICIAL = frozenset(
    {
        Permission.IMPORT_LISTS, Permission.EDIT_REGISTRY, Permission.VERIFY_AUDIT, Permission.REVIEW_SCREENING,
        Permission.MANAGE_ENGAGEMENT, Permission.SUBMIT_DISCLOSURES, Permission.SCREEN_BATCH,
        Permission.PROPOSE_PATHWAY,
    }
)  # fmt: skip
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ANALYST: _OFFICIAL,
    Role.APPROVER: _OFFICIAL | {Permission.DECIDE_PROPOSALS},
    Role.PARTNER_OFFICER: frozenset({Permission.RESPOND_CASES}),
    Role.COMPANY_OFFICER: frozenset({Permission.SUBMIT_DISCLOSURES}),
    Role.AUDITOR: frozenset({Permission.VERIFY_AUDIT, Permission.READ_AUDIT}),
    Role.ADMIN: frozenset(
        {Permission.MANAGE_USERS, Permission.MANAGE_FOLLOWUPS, Permission.VERIFY_AUDIT, Permission.READ_AUDIT}
    ),
    Role.PUBLIC: frozenset(),
}


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a logged-in user, or the anonymous public."""

    role: Role
    clearance: Classification = Classification.UNCLASSIFIED
    organization: str | None = None  # e.g. "USA", "CHN", or the company's code
    user_id: int | None = None
    username: str = "public"
    company_party_id: str | None = None  # company officers: the one company they act for

    @property
    def actor(self) -> str:
        """How the audit log names this viewer."""
        return self.username if self.user_id is not None else "public"


PUBLIC = Viewer(role=Role.PUBLIC)


def can(viewer: Viewer, permission: Permission) -> bool:
    return permission in PERMISSIONS[viewer.role]


def level(classification: str | None) -> Classification:
    return Classification[classification or "UNCLASSIFIED"]


def _releasable(viewer: Viewer, releasability: str | None, originator: str | None) -> bool:
    if releasability == RELEASABLE_TO_ALL:
        return True
    if viewer.organization is None:
        return False
    if releasability is None:  # unmarked: its originating organization only
        return originator == viewer.organization
    return viewer.organization in releasability.split(",")  # canonical: "USA,CHN", no spaces


def can_read(viewer: Viewer, record) -> bool:
    """Whether ``viewer`` may see ``record`` (anything carrying the Marked columns).

    ``record.party_id`` (or ``record.id`` for a party) ties a record to a company for
    the company-officer rule; records without one are not a company's dossier."""
    if viewer.role is Role.PUBLIC:
        return bool(getattr(record, "published", False))
    if not marking_readable(viewer, record.classification, record.releasability, record.originator):
        return False
    if viewer.role is Role.COMPANY_OFFICER:
        # Their own company's dossier, public list data, and what is published for everyone.
        return (
            record.originator == LIST_ORIGINATOR
            or bool(getattr(record, "published", False))
            or _company_of(record) == viewer.company_party_id
        )
    return True


def marking_readable(viewer: Viewer, classification: str, releasability: str | None, originator: str | None) -> bool:
    """Clearance and releasability alone: for content shown apart from its record (audit entries)."""
    return level(classification) <= viewer.clearance and _releasable(viewer, releasability, originator)


def _company_of(record) -> str | None:
    """The company a record belongs to: its ``party_id``, a party's own id, else None. Markings
    carried apart from their rows (e.g. the screening index's) hold their row's ``party_id``, if any."""
    if hasattr(record, "party_id"):
        return record.party_id
    if getattr(type(record), "__tablename__", None) == "party":
        return record.id
    return None


def can_read_derived(viewer: Viewer, party_id: str | None) -> bool:
    """Whether ``viewer`` may read a view derived from company ``party_id``'s records (given that
    they may read the party itself): never the public, a company officer their own company's only,
    anyone else any company. The view itself is computed from the records the viewer may read alone
    (``read_filter``): a hidden record counts as one that does not exist, never as a fallback."""
    if viewer.role is Role.PUBLIC:
        return False
    if viewer.role is Role.COMPANY_OFFICER:
        return party_id is not None and party_id == viewer.company_party_id
    return True


def require_derived(viewer: Viewer, party_id: str | None, asked: str | None = None) -> None:
    """NotFound, worded exactly as for a party that does not exist (``no party 'asked'``), unless
    ``viewer`` may read views derived from the company's records (``can_read_derived``)."""
    if not can_read_derived(viewer, party_id):
        raise NotFound(f"no party {(asked if asked is not None else party_id)!r}")


def read_filter(viewer: Viewer, model) -> ColumnElement[bool]:
    """The same rule as can_read, as a WHERE clause over ``model``'s table."""
    if viewer.role is Role.PUBLIC:
        return model.published.is_(True) if hasattr(model, "published") else false()
    allowed = [c.name for c in Classification if c <= viewer.clearance]
    clauses = [model.classification.in_(allowed), _releasable_clause(viewer, model)]
    if viewer.role is Role.COMPANY_OFFICER:
        company_column = model.party_id if hasattr(model, "party_id") else (
            model.id if model.__tablename__ == "party" else None
        )  # fmt: skip
        own = company_column == viewer.company_party_id if company_column is not None else false()
        clauses.append(or_(model.originator == LIST_ORIGINATOR, model.published.is_(True), own))
    return clauses[0] & clauses[1] & (clauses[2] if len(clauses) > 2 else true())


def _releasable_clause(viewer: Viewer, model) -> ColumnElement[bool]:
    to_all = model.releasability == RELEASABLE_TO_ALL
    if viewer.organization is None:
        return to_all
    org = viewer.organization
    listed = (literal(",") + model.releasability + literal(",")).contains(f",{org},", autoescape=True)
    unmarked = model.releasability.is_(None) & (model.originator == org)
    return to_all | listed | unmarked
