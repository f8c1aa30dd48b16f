"""The company officer's home, and the pieces of a company's pages it shares with the other pages:
the party, its dossier and its pathway stage as the viewer may see them, and who may upload evidence."""

from __future__ import annotations

from goodpath.access.policy import Permission, Role
from goodpath.access.records import readable
from goodpath.core.errors import GoodpathError, NotFound
from goodpath.engagement import disclosures, dossiers, icp
from goodpath.pathway import evidence
from goodpath.pathway.models import PathwayState
from goodpath.pathway.timeline import pathway
from goodpath.registry import service as registry
from goodpath.registry.models import Party
from goodpath.web.labels import N_
from goodpath.web.rendering import Page


def upload_kinds(page: Page) -> tuple[str, ...]:
    return evidence.COMPANY_KINDS if page.viewer.role is Role.COMPANY_OFFICER else evidence.KINDS


def can_upload(page: Page) -> bool:
    return page.can(Permission.MANAGE_ENGAGEMENT) or (
        page.viewer.role is Role.COMPANY_OFFICER and page.can(Permission.SUBMIT_DISCLOSURES)
    )


HOME_DONE = {
    "disclosed": N_("The disclosure is recorded and its counterparty screened."),
    "uploaded": N_("The document is stored."),
    "already": N_("The same file is stored already: it was not stored again."),
}


def company_home(page: Page, *, evidence_form: dict | None = None, evidence_errors: dict | None = None,
                  evidence_error: str | None = None, disclosure_form: dict | None = None,
                  disclosure_errors: dict | None = None, disclosure_error: str | None = None) -> dict:  # fmt: skip
    """The company officer's own company: dossier, pathway stage, ICP assessments, disclosures (with the
    screening result of each) and evidence documents, and the forms to disclose and to upload."""
    session, viewer = page.session, page.viewer
    party_id = viewer.company_party_id
    party = party_or_none(page, party_id)
    own: dict = {"assessments": [], "disclosures": [], "documents": []}
    if party is not None:
        own["assessments"] = [icp.assessment_to_dict(session, viewer, icp.get_assessment(session, viewer, row["id"]))
                              for row in icp.list_assessments(session, viewer, party_id=party.id)]  # fmt: skip
        own["disclosures"] = disclosures.list_disclosures(session, viewer, party_id=party.id)[:20]
        own["documents"] = evidence.list_documents(session, viewer, party=party.id)
    query = page.request.query_params
    shown = query.get("disclosure", "")
    return {
        "party": party, "dossier": dossier_or_none(page, party_id), "pathway": pathway_of(page, party), **own,
        "done": HOME_DONE.get(query.get("done", "")), "screened": next(
            (d for d in own["disclosures"] if str(d["id"]) == shown), None),
        "can_disclose": party is not None and page.can(Permission.SUBMIT_DISCLOSURES),
        "can_upload": party is not None and can_upload(page), "upload_kinds": upload_kinds(page),
        "max_mb": evidence.MAX_BYTES // (1024 * 1024), "icp_max": icp.MAX_SCORE,
        "evidence_form": evidence_form or {}, "evidence_errors": evidence_errors or {},
        "evidence_error": evidence_error, "disclosure_form": disclosure_form or {},
        "disclosure_errors": disclosure_errors or {}, "disclosure_error": disclosure_error,
    }  # fmt: skip


def party_or_none(page: Page, party_id: str | None) -> Party | None:
    if not party_id:
        return None
    try:
        return registry.get_party(page.session, page.viewer, party_id)
    except NotFound:
        return None


def dossier_or_none(page: Page, party_id: str | None) -> dict | None:
    if not party_id:
        return None
    try:
        record = dossiers.get_dossier(page.session, page.viewer, party_id)
    except NotFound:
        return None
    return dossiers.dossier_to_dict(page.session, page.viewer, record)


def pathway_of(page: Page, party: Party | None) -> dict | None:
    """The company's pathway stage, when the pathway service can tell (None otherwise)."""
    if party is None:
        return None
    try:
        data = pathway(page.session, page.viewer, party.id)
    except (NotFound, GoodpathError, KeyError, LookupError):
        return None
    state = page.session.scalars(
        readable(page.session, page.viewer, PathwayState).where(PathwayState.party_id == party.id)
    ).first()
    return {**data, "record": state or party}
