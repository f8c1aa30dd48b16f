"""The party page's forms for analysts to record what a notice imposes or announces: a sanction under an
authority of the catalogue, and an event of one of the party's sanctions (waiver, renewal, termination...),
each with its citation and, optionally, the Federal Register document of the evidence store. One service
call each (pathway/recorded_facts.py, as the CLI and the API); audited there. A refusal comes back to the
party page with the rule that refused it and the values typed; nothing is stored."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from goodpath.access.policy import Permission
from goodpath.access.records import readable
from goodpath.core.errors import NotFound
from goodpath.pathway import recorded_facts
from goodpath.pathway.models import EvidenceDocument
from goodpath.registry import sanction_records
from goodpath.registry import service as registry
from goodpath.registry.curated import load_authorities
from goodpath.registry.models import Sanction
from goodpath.web.labels import N_
from goodpath.web.pathway_pages import attempt, form_fields, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

SANCTION_FIELDS = ("authority", "imposed", "measures", "category", "citation", "source", "document", "expires")
EVENT_FIELDS = ("sanction", "kind", "on", "measures", "until", "citation", "source", "document")


def forms(page: Page, party, query) -> dict | None:
    """What the party page's recording forms need (None for a viewer who may not record), with the values
    and the refusal of a form sent back (``query``: the page's query parameters)."""
    if not page.can(Permission.EDIT_REGISTRY):
        return None
    catalogue = load_authorities()
    documents = session_documents(page, party.id)
    sent = query.get("form")
    values = {k: query.get(k, "") for k in {*SANCTION_FIELDS, *EVENT_FIELDS}} if sent else {}
    authorities = [{"code": a.code, "title": a.title, "since": a.in_force.since.isoformat()}
                   for a in catalogue.authorities.values()]  # fmt: skip
    return {
        "authorities": authorities,
        "kinds": sanction_records.EVENT_KINDS,
        "documents": documents,
        "sent": sent,
        "values": values,
        "error": query.get("error") if sent else None,
    }


def session_documents(page: Page, party_id: str) -> list[EvidenceDocument]:
    """Federal Register publications and determinations the viewer may read, of this party or of none."""
    query = readable(page.session, page.viewer, EvidenceDocument).where(
        EvidenceDocument.kind.in_(recorded_facts.DOCUMENT_KINDS),
        (EvidenceDocument.party_id == party_id) | EvidenceDocument.party_id.is_(None),
    )
    return list(page.session.scalars(query.order_by(EvidenceDocument.id.desc()).limit(200)))


def _measures(text: str) -> list[str]:
    return [m for m in text.replace(",", " ").split() if m]


def _party(page: Page, party_id: str):
    page.require_login()
    if not page.can(Permission.EDIT_REGISTRY):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))
    try:
        return registry.get_party(page.session, page.viewer, party_id)
    except NotFound:
        raise PageError(404, N_("There is no such record, or you may not see it.")) from None


def _back(party, form: str, fields: dict, error: str | None = None, done: str | None = None) -> Response:
    path = f"/ui/parties/{party.key or party.id}"
    if error:
        return see_other(path, form=form, error=error, **{k: v for k, v in fields.items() if v})
    return see_other(path, done=done)


@router.post("/ui/parties/{party_id}/sanctions", response_class=HTMLResponse)
async def record_sanction(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    party = _party(page, party_id)
    sent = await form_fields(request)
    fields = {k: (sent.get(k) or "").strip() for k in SANCTION_FIELDS}
    stored, error = attempt(page.session, lambda: recorded_facts.record_sanction(
        page.session, page.viewer, party.id, authority=fields["authority"], imposed=fields["imposed"] or None,
        measures=_measures(fields["measures"]), category=fields["category"] or None, citation=fields["citation"],
        source_url=fields["source"] or None, document=fields["document"] or None, expires=fields["expires"] or None,
    ))  # fmt: skip
    return _back(party, "sanction", fields, error, done="sanction_recorded")


@router.post("/ui/parties/{party_id}/sanction-events", response_class=HTMLResponse)
async def record_event(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    party = _party(page, party_id)
    sent = await form_fields(request)
    fields = {k: (sent.get(k) or "").strip() for k in EVENT_FIELDS}
    mine = set(page.session.scalars(select(Sanction.id).where(Sanction.party_id == party.id)))
    if not fields["sanction"].isdigit() or int(fields["sanction"]) not in mine:
        return _back(party, "event", fields, error=N_("Choose one of this party's sanctions."))
    stored, error = attempt(page.session, lambda: recorded_facts.record_event(
        page.session, page.viewer, int(fields["sanction"]), kind=fields["kind"], on=fields["on"] or None,
        measures=_measures(fields["measures"]), until=fields["until"] or None, citation=fields["citation"],
        source_url=fields["source"] or None, document=fields["document"] or None,
    ))  # fmt: skip
    return _back(party, "event", fields, error, done="event_recorded")
