"""Recording a sanction or its event with the notice behind it: the registry's recording
(registry/sanction_records.py) plus the check of the evidence document an analyst links (a Federal
Register publication or a determination in the evidence store, readable by the analyst, of that party
or of none). One service call for the CLI, the API and the party page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer
from goodpath.pathway import evidence as evidence_store
from goodpath.registry import sanction_records as records
from goodpath.registry.models import Party, Sanction, SanctionEvent

DOCUMENT_KINDS = evidence_store.DETERMINATION_KINDS  # federal_register, determination


def _document(session: Session, viewer: Viewer, document: int | str | None, party_id: str) -> int | None:
    if document is None or str(document).strip() == "":
        return None
    found = evidence_store.get_document_record(session, viewer, document)
    if found.kind not in DOCUMENT_KINDS:
        raise records.RecordError(f"document {found.id} is a {found.kind}; a sanction's source must be one of "
                                  f"{', '.join(DOCUMENT_KINDS)}")  # fmt: skip
    if found.party_id not in (None, party_id):
        raise records.RecordError(f"document {found.id} belongs to another party")
    return found.id


def record_sanction(session: Session, viewer: Viewer, party: str, *, document: int | str | None = None,
                    **fields) -> Sanction:  # fmt: skip
    """``sanction_records.add_sanction`` with its notice ``document`` checked first."""
    found = records._party_of(session, viewer, party)
    return records.add_sanction(session, viewer, found.id, document_id=_document(session, viewer, document, found.id),
                                **fields)  # fmt: skip


def record_event(session: Session, viewer: Viewer, sanction_id, *, document: int | str | None = None,
                 **fields) -> SanctionEvent:  # fmt: skip
    """``sanction_records.add_event`` with its notice ``document`` checked first."""
    sanction = records._sanction_of(session, viewer, sanction_id)
    document_id = _document(session, viewer, document, sanction.party_id)
    return records.add_event(session, viewer, sanction.id, document_id=document_id, **fields)


def record_party(session: Session, viewer: Viewer, name: str, **fields) -> Party:
    return records.add_party(session, viewer, name, **fields)
