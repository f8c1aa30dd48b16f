"""A company's dossier page and its forms: the dialogue's status and topics, invitations to the
company's senior officials (drafted with their attendance conditions, sent, answered), and meetings
with the topics they covered. Every form calls the same service as ``goodpath dossiers`` (and the
API) with the page's viewer, and shows the service's refusal next to the form with what was typed.

Reading the page needs a login and a readable dossier (else "not found"); the forms are drawn for,
and accepted from, those who may manage engagement alone (analysts and approvers): anyone else who
reads the dossier gets the 403 page, and anyone who cannot read it the 404 page.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from goodpath.access.policy import Permission
from goodpath.core.api_types import RecordId
from goodpath.core.settings import hosting_organization
from goodpath.engagement import dossiers
from goodpath.engagement.models import Invitation
from goodpath.registry.models import Party
from goodpath.web import marking_fields, review
from goodpath.web.company_home import dossier_or_none, party_or_none, pathway_of
from goodpath.web.labels import LABELS, N_
from goodpath.web.pathway_pages import NOT_FOUND, attempt, see_other
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

# Codes these pages show that the shared label table may not name yet.
EXTRA_LABELS = {
    "draft": N_("Draft"),
    "sent": N_("Sent"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "expired": N_("Expired"),
    "proposed": N_("Proposed"),
    "invited": N_("Invited"),
    "in_dialogue": N_("In dialogue"),
    "paused": N_("Paused"),
    "closed": N_("Closed"),
    "open": N_("Open"),
    "discussed": N_("Discussed"),
    "satisfied": N_("Satisfied"),
    "meeting": N_("Meeting"),
    "invitation": N_("Invitation"),
    "dossier": N_("Dossier"),
}
for _code, _text in EXTRA_LABELS.items():
    LABELS.setdefault(_code, _text)

DONE = {
    "opened": N_("The dossier is opened (status proposed) with its topics."),
    "status": N_("The dossier's status is recorded."),
    "topic": N_("The topic is recorded."),
    "candidate": N_("The model candidate mark is recorded."),
    "invited": N_("The invitation is drafted. Mark it sent once it has gone out."),
    "sent": N_("The invitation is marked sent."),
    "accepted": N_("The company's acceptance is recorded."),
    "declined": N_("The company's refusal is recorded."),
    "expired": N_("The invitation is marked expired."),
    "meeting": N_("The meeting is recorded; the topics it covered are marked discussed."),
}
INVITATION_ACTIONS = {"sent": N_("Mark sent"), "accepted": N_("Record acceptance"),
                      "declined": N_("Record refusal"), "expired": N_("Mark expired")}  # fmt: skip


async def _fields(request: Request) -> dict[str, list[str]]:
    """A URL-encoded form's fields, every value of each (checkboxes repeat their name)."""
    return parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)


def _one(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0].strip()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _party(page: Page, party_id: str) -> tuple[Party, dict]:
    """The company and its dossier as the viewer may read them, or the 404 page."""
    page.require_login()
    party = party_or_none(page, party_id)
    dossier = dossier_or_none(page, party.id) if party else None
    if dossier is None:
        raise PageError(404, NOT_FOUND)
    return party, dossier


def _may_manage(page: Page) -> None:
    if not page.can(Permission.MANAGE_ENGAGEMENT):
        raise PageError(403, N_("Your role does not allow this."))


def _draw(page: Page, party: Party, dossier: dict, *, done: str = "", status_code: int = 200, form: str = "",
          values: dict | None = None, error: str | None = None) -> Response:  # fmt: skip
    """The dossier page; ``form`` names the form that was refused (``error``), ``values`` what was typed."""
    manage = page.can(Permission.MANAGE_ENGAGEMENT)
    record = dossiers.get_dossier(page.session, page.viewer, party.id)
    invitations = {i.id: i for i in record.invitations}
    return page.render(
        "dossier.html", status_code=status_code, party=party, dossier=dossier, pathway=pathway_of(page, party),
        dossier_manage=manage, dossier_done=DONE.get(done), dossier_form=form, dossier_values=values or {},
        dossier_error=error,
        next_statuses=_next_statuses(dossier["status"]) if manage else [],
        topic_statuses=dossiers.TOPIC_STATUSES,
        invitation_steps={i["id"]: _steps(invitations.get(i["id"])) for i in dossier["invitations"]} if manage else {},
        invitation_actions=INVITATION_ACTIONS,
        accepted=[i for i in dossier["invitations"] if i["status"] == "accepted"],
        late=dossiers.late_entries(page.session, page.viewer, record),
        dossier_marking={"classification": record.classification, "releasability": record.releasability},
        release_codes=_release_codes(page, record.releasability) if manage else [],
        classifications=marking_fields.CLASSIFICATIONS,
    )  # fmt: skip


def _release_codes(page: Page, releasability: str) -> list[str]:
    """Whom an invitation or a meeting may be released to besides the viewer's organization (``share_with``
    of ``goodpath dossiers invite|meeting``): the dossier's own (the company's code), and the partner
    government."""
    own = page.viewer.organization or hosting_organization()
    codes = [c.strip().upper() for c in (releasability or "").split(",")]
    codes = [c for c in codes if c and c not in (own, "ALL")]
    return codes + [c for c in (marking_fields.PARTNER,) if c not in codes and c != own]


def _marking(fields: dict[str, list[str]], values: dict) -> dict:
    """The record's own marking as chosen (``--classification``, ``--share-with``); nothing chosen: none,
    and the service marks it as the dossier is."""
    values["classification"] = _one(fields, "classification").upper()
    values["share_with"] = [c.strip().upper() for c in fields.get("share_with", []) if c.strip()]
    return {"classification": values["classification"] or None, "share_with": values["share_with"]}


def _marking_refused(page: Page, party: Party, form: str, values: dict, error: str) -> Response:
    """A refusal; one about the marking is shown by the classification field."""
    placed = marking_fields.place({"form": error})
    values["marking_errors"] = {k: v for k, v in placed.items() if k != "form"}
    return _refused(page, party, form, values, error)


def _next_statuses(current: str) -> list[str]:
    """The statuses the dossier may move to, in the workflow's order (closing last)."""
    allowed = dossiers.DOSSIER.transitions.get(current, frozenset())
    return [s for s in dossiers.DOSSIER.statuses if s in allowed]


def _steps(invitation: Invitation | None) -> list[str]:
    if invitation is None:
        return []
    allowed = dossiers.INVITATION.transitions.get(invitation.status, frozenset())
    return [s for s in INVITATION_ACTIONS if s in allowed]


def _refused(page: Page, party: Party, form: str, values: dict, error: str) -> Response:
    dossier = dossier_or_none(page, party.id)
    return _draw(page, party, dossier, status_code=409, form=form, values=values, error=error)


def _done(party: Party, done: str, anchor: str) -> Response:
    response = see_other(f"/ui/dossiers/{party.key or party.id}", done=done)
    response.headers["location"] += f"#{anchor}"
    return response


# --- the list, and opening a dossier --------------------------------------------------------------

OPEN_FIELDS = ("party", "topics", "model_candidate", "occurred_on", "classification", "share_with", "source")


@router.get("/ui/dossiers", response_class=HTMLResponse)
def dossier_list(status: str = "", candidates: bool = False, page: Page = Depends(page)) -> Response:
    page.require_login()
    return _draw_list(page, status=status, candidates=candidates)


def _draw_list(page: Page, *, status: str = "", candidates: bool = False, status_code: int = 200,
               form: dict | None = None, error: str | None = None) -> Response:  # fmt: skip
    status = status if status in dossiers.DOSSIER.statuses else ""
    rows = dossiers.list_dossiers(page.session, page.viewer, status=status or None,
                                  model_candidate=True if candidates else None)  # fmt: skip
    return page.render(
        "dossier_list.html", status_code=status_code, dossiers=rows, status=status, candidates=candidates,
        statuses=dossiers.DOSSIER.statuses, can_open=page.can(Permission.MANAGE_ENGAGEMENT),
        default_topics=dossiers.DEFAULT_TOPICS, form=form or {"classification": "UNCLASSIFIED"}, error=error,
        classifications=("UNCLASSIFIED", "CONFIDENTIAL", "SECRET"),
    )  # fmt: skip


@router.post("/ui/dossiers", response_class=HTMLResponse)
async def open_dossier(request: Request, page: Page = Depends(page)) -> Response:
    page.require_login()
    _may_manage(page)
    fields = await _fields(request)
    form = {k: _one(fields, k) for k in OPEN_FIELDS}
    topics = _lines(form["topics"]) or None
    shared = [code.strip().upper() for code in form["share_with"].split(",") if code.strip()]
    record, error = attempt(page.session, lambda: dossiers.open_dossier(
        page.session, page.viewer, form["party"], topics=topics, model_candidate=form["model_candidate"] == "yes",
        occurred_on=form["occurred_on"] or None, classification=form["classification"] or None,
        share_with=shared, source=form["source"] or None,
    ))  # fmt: skip
    if error:
        return _draw_list(page, status_code=409, form=form, error=error)
    party = page.session.get(Party, record.party_id)
    return see_other(f"/ui/dossiers/{party.key or party.id}", done="opened")


# --- the page -------------------------------------------------------------------------------------


@router.get("/ui/dossiers/{party_id}", response_class=HTMLResponse)
def dossier_page(party_id: str, done: str = "", page: Page = Depends(page)) -> Response:
    party, dossier = _party(page, party_id)
    return _draw(page, party, dossier, done=done)


# --- the dossier itself ---------------------------------------------------------------------------


@router.post("/ui/dossiers/{party_id}/status", response_class=HTMLResponse)
async def dossier_status(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    party, _ = _party(page, party_id)
    _may_manage(page)
    fields = await _fields(request)
    values = {k: _one(fields, k) for k in ("status", "occurred_on", "note", "source")}

    def act():
        return dossiers.set_status(
            page.session, page.viewer, party.id, values["status"], occurred_on=values["occurred_on"] or None,
            note=values["note"] or None, source=values["source"] or None,
            expected_version=review.expected_version({"version": _one(fields, "version")}),
        )  # fmt: skip

    final = values["status"] in dossiers.DOSSIER.statuses and not dossiers.DOSSIER.transitions[values["status"]]
    if final and not review.confirmed({"confirmed": _one(fields, "confirmed")}):  # closing: reviewed first
        refused = review.refusal(page.session, act)
        if refused is None:
            return _close_review(page, party, values, {k: _one(fields, k) for k in fields})
        error = str(refused)
    else:
        _, error = attempt(page.session, act)
    if error:
        return _refused(page, party, "status", values, error)
    return _done(party, "status", "dossier")


def _close_review(page: Page, party: Party, values: dict, fields: dict) -> Response:
    """What closing the dossier changes: its status, for whom, and that it is final."""
    record = dossiers.get_dossier(page.session, page.viewer, party.id)
    return review.review(
        page, action=f"/ui/dossiers/{party.key or party.id}/status", fields=fields,
        title=N_("Close the dossier of %(name)s?"), title_args={"name": party.caption}, record=record,
        record_name=party.caption, back=f"/ui/dossiers/{party.key or party.id}#dossier",
        changes=[review.Change(N_("Status"), record.status, values["status"])],
        details=[(N_("Note"), values["note"]), (N_("Source"), values["source"]),
                 (N_("Occurred on"), values["occurred_on"])],
        consequences=[N_("The dossier is closed: its status cannot be changed again.")],
        button=N_("Close the dossier"),
    )  # fmt: skip


@router.post("/ui/dossiers/{party_id}/topics", response_class=HTMLResponse)
async def dossier_topic(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    party, _ = _party(page, party_id)
    _may_manage(page)
    fields = await _fields(request)
    values = {k: _one(fields, k) for k in ("topic", "status", "notes", "source")}
    _, error = attempt(page.session, lambda: dossiers.set_topic(
        page.session, page.viewer, party.id, values["topic"], status=values["status"] or "open",
        notes=values["notes"] or None, source=values["source"] or None,
        expected_version=review.expected_version({"version": _one(fields, "version")}),
    ))  # fmt: skip
    if error:
        return _refused(page, party, "topic", values, error)
    return _done(party, "topic", "topics")


@router.post("/ui/dossiers/{party_id}/model-candidate", response_class=HTMLResponse)
async def dossier_candidate(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    party, _ = _party(page, party_id)
    _may_manage(page)
    fields = await _fields(request)
    values = {k: _one(fields, k) for k in ("candidate", "note")}
    _, error = attempt(page.session, lambda: dossiers.set_model_candidate(
        page.session, page.viewer, party.id, values["candidate"] == "yes", note=values["note"] or None,
        expected_version=review.expected_version({"version": _one(fields, "version")}),
    ))  # fmt: skip
    if error:
        return _refused(page, party, "candidate", values, error)
    return _done(party, "candidate", "dossier")


# --- invitations ----------------------------------------------------------------------------------


@router.post("/ui/dossiers/{party_id}/invitations", response_class=HTMLResponse)
async def invite(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    party, _ = _party(page, party_id)
    _may_manage(page)
    fields = await _fields(request)
    values = {k: _one(fields, k) for k in ("invitees", "conditions", "purpose", "issued_on", "occurred_on", "source")}
    chosen = _marking(fields, values)
    _, error = attempt(page.session, lambda: dossiers.invite(
        page.session, page.viewer, party.id, invitees=_lines(values["invitees"]),
        conditions=_lines(values["conditions"]), purpose=values["purpose"] or None,
        issued_on=values["issued_on"] or None, occurred_on=values["occurred_on"] or None,
        source=values["source"] or None, **chosen,
    ))  # fmt: skip
    if error:
        return _marking_refused(page, party, "invite", values, error)
    return _done(party, "invited", "invitations")


@router.post("/ui/dossiers/{party_id}/invitations/{invitation_id}/status", response_class=HTMLResponse)
async def invitation_status(party_id: str, invitation_id: RecordId, request: Request,
                            page: Page = Depends(page)) -> Response:  # fmt: skip
    party, dossier = _party(page, party_id)
    if not any(i["id"] == invitation_id for i in dossier["invitations"]):
        raise PageError(404, NOT_FOUND)  # not an invitation of this dossier the viewer may read
    _may_manage(page)
    fields = await _fields(request)
    values = {k: _one(fields, k) for k in ("status", "occurred_on", "response", "source")}
    _, error = attempt(page.session, lambda: dossiers.set_invitation_status(
        page.session, page.viewer, invitation_id, values["status"], occurred_on=values["occurred_on"] or None,
        response=values["response"] or None, source=values["source"] or None,
    ))  # fmt: skip
    if error:
        return _refused(page, party, f"invitation-{invitation_id}", values, error)
    return _done(party, values["status"], f"invitation-{invitation_id}")


# --- meetings -------------------------------------------------------------------------------------


@router.post("/ui/dossiers/{party_id}/meetings", response_class=HTMLResponse)
async def meeting(party_id: str, request: Request, page: Page = Depends(page)) -> Response:
    party, _ = _party(page, party_id)
    _may_manage(page)
    fields = await _fields(request)
    values = {k: _one(fields, k) for k in ("held_on", "place", "participants", "other_topics", "invitation",
                                           "summary", "source", "reason")}  # fmt: skip
    chosen = [t.strip() for t in fields.get("topic", []) if t.strip()]
    values["topics"] = chosen
    topics = chosen + [t for t in _lines(values["other_topics"]) if t.lower() not in {c.lower() for c in chosen}]
    marked = _marking(fields, values)
    invitation_id = int(values["invitation"]) if values["invitation"].isdigit() else None
    if values["invitation"] and invitation_id is None:
        return _refused(page, party, "meeting", values, N_("Choose the invitation from the list."))
    _, error = attempt(page.session, lambda: dossiers.record_meeting(
        page.session, page.viewer, party.id, held_on=values["held_on"], summary=values["summary"],
        place=values["place"] or None, participants=_lines(values["participants"]), topics=topics,
        invitation_id=invitation_id, source=values["source"] or None, reason=values["reason"] or None, **marked,
    ))  # fmt: skip
    if error:
        return _marking_refused(page, party, "meeting", values, error)
    return _done(party, "meeting", "meetings")
