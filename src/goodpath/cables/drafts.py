"""Drafts: proposals, offers, pledges, requests, status statements and cases found in a cable.

Detection reads sentence structure (``structure``: speech-act verbs, leads with list items,
conditions, actors resolved across the cable, summary restatements folded) and demarches
(``demarche``: an action request about a transfer drafts a ``case``; a cable citing one drafts a
``case_update``). Each draft cites the cable and paragraph ("07BEIJING5360 ¶5") and proposes the
fields of the record it would become. A draft of an act already recorded (an open pledge) or drafted
from another cable carries ``possible_duplicates`` naming that record, so an analyst decides once.
Nothing drafted counts until an analyst confirms it: ``confirm_draft`` creates the pledge,
consultation or case, or records the status or case step, through the engagement workflows;
``discard_draft`` keeps the reason.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, level
from goodpath.access.records import get_readable, readable, require
from goodpath.cables import demarche, structure
from goodpath.cables.models import CableDraft, CableLink, StoredCable
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.fields import required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import Workflow, audited
from goodpath.engagement import cases, consultations, pledges, projects
from goodpath.engagement.models import Consultation, Pledge, ViolationCase

KINDS = ("proposal", "offer", "pledge", "request", "status", "consultation", "case", "case_update")
WORKFLOW = Workflow(
    "cable draft",
    {"draft": frozenset({"confirmed", "discarded"}), "confirmed": frozenset(), "discarded": frozenset()},
)
_LEVELS = (
    ("assistant_foreign_minister", re.compile(r"\bAssistant Foreign Minister|\bAFM\b")),
    ("director_general", re.compile(r"\bDirector General|\bDG\b")),
    ("working_level", re.compile(r"\bworking-level|\bworking level", re.I)),
)
_CONSULTATIONS = re.compile(r"\bconsultations?\b|\btalks\b", re.I)
_TWICE_A_YEAR = re.compile(r"\btwice (?:per|a) year\b", re.I)
PLEDGE_FIELDS = {"pledged_by", "pledged_to", "text", "made_on", "owner", "due_on", "round_id", "meeting_id",
                 "party_id", "share_with", "classification", "releasability"}  # fmt: skip
CONSULTATION_FIELDS = {"title", "level", "counterpart", "cadence_months", "notes", "occurred_on", "classification",
                       "releasability"}  # fmt: skip
CASE_FIELDS = {"reference", "title", "facts", "raised_on", "destination", "end_user", "items", "parties",
               "classification", "releasability", "share_with_partner"}  # fmt: skip
DUPLICATE_AT = 0.6  # how alike two acts must read (structure.same_act) to be shown as possible duplicates


def sentences(text: str) -> list[str]:
    return structure.sentences(text)


def _date_of(cable: StoredCable) -> str | None:
    return cable.dated.isoformat() if cable.dated else None


def _government_code(label: str | None, data: dict) -> str | None:
    """An organization code (CHN) for a government label ("PRC", "China")."""
    if not label:
        return None
    for country in data.get("countries") or []:
        if label in (country.get("name"), structure._GOVERNMENT_LABELS.get(country.get("code"))):
            return demarche.ALPHA3.get(country["code"])
    return demarche.ALPHA3.get("CN") if label == "PRC" else None


def _parties_in(links: list[CableLink], text: str) -> list[str]:
    found = []
    for link in links:
        if link.party_id and any(form and form in text for form in [link.name, *link.forms]):
            found.append(link.party_id)
    return list(dict.fromkeys(found))


def _paragraph_text(data: dict, numbers: set) -> str:
    return " ".join(p.get("text") or "" for p in data.get("paragraphs") or [] if p.get("number") in numbers)


def _speech_fields(draft: structure.Draft, cable: StoredCable, links: list[CableLink]) -> dict:
    data = cable.data
    stated = " ".join([draft.text, *(r["text"] for r in draft.restated)])
    parties = _parties_in(links, stated)
    counterpart_side = structure.Cast(data).other(draft.side) if draft.side else None
    fields = {
        "actor": draft.actor, "side": draft.side, "speaker": draft.speaker, "addressee": draft.counterpart,
        "act": draft.act, "conditions": draft.conditions, "restated": draft.restated, "lead": draft.lead,
        "text": draft.text, "made_on": _date_of(cable), "parties": parties,
        "party_id": parties[0] if len(parties) == 1 else None,
    }  # fmt: skip
    if draft.kind == "status":
        subject = "consultation" if _CONSULTATIONS.search(draft.text) else "project"
        return fields | {"status": draft.status, "record": subject, "cause": draft.text}
    if draft.kind == "request":
        return fields | {"requested_by": draft.actor or draft.side, "requested_of": counterpart_side, "record": None}
    record = "consultation" if _CONSULTATIONS.search(draft.act or draft.text) else "pledge"
    fields |= {"record": record, "pledged_by": draft.actor or draft.side, "pledged_to": counterpart_side,
               "owner": draft.actor or draft.side}  # fmt: skip
    if record == "consultation":
        numbers = {draft.paragraph, *(r["paragraph"] for r in draft.restated)}
        mentioned = sorted((m.start(), name) for name, rx in _LEVELS if (m := rx.search(stated)))
        foreign = draft.side if draft.side != structure.US_LABEL else counterpart_side
        fields |= {
            "title": f"Nonproliferation consultations ({cable.reference_id})",
            "level": mentioned[0][1] if mentioned else "other",
            "counterpart": _government_code(foreign, data),
            "cadence_months": 6 if _TWICE_A_YEAR.search(_paragraph_text(data, numbers)) else None,
            "occurred_on": _date_of(cable), "notes": stated,
        }  # fmt: skip
    return fields


def _case_references(session: Session | None, data: dict) -> dict[str, str]:
    """The cited cables (REF lines) that drafted or opened a case: reference id -> the case's reference."""
    refs = demarche.reference_ids(data)
    if session is None or not refs:
        return {}
    found: dict[str, str] = {}
    for case in session.scalars(select(ViolationCase).where(ViolationCase.reference.in_(refs))):
        found[case.reference] = case.reference
    for ref in refs:
        if ref in found:
            continue
        case = session.scalars(select(ViolationCase).where(ViolationCase.source.like(f"{ref}%"))).first()
        if case is not None:
            found[ref] = case.reference
    drafted = session.execute(
        select(StoredCable.reference_id, CableDraft.fields)
        .join(CableDraft, CableDraft.cable_id == StoredCable.id)
        .where(StoredCable.reference_id.in_(refs), CableDraft.kind == "case", CableDraft.status != "discarded")
    )
    for ref, fields in drafted:
        found.setdefault(ref, (fields or {}).get("reference") or ref)
    return found


def _source(cable: StoredCable, number: int | None) -> str:
    return f"{cable.reference_id} ¶{number}" if number is not None else cable.reference_id


def detect(cable: StoredCable, links: list[CableLink], session: Session | None = None) -> list[dict]:
    """Draft candidates of ``cable``, in paragraph order: speech acts, then a case or case update."""
    data = cable.data or {}
    found = []
    for draft in structure.detect(data):
        found.append({"kind": draft.kind, "paragraph": draft.paragraph, "text": draft.text, "rule": draft.rule,
                      "fields": _speech_fields(draft, cable, links),
                      "source": _source(cable, draft.paragraph)})  # fmt: skip
    case = demarche.detect(data, _case_references(session, data))
    if case is not None:
        fields = case["fields"]
        for party in fields.get("parties") or []:
            ids = _parties_in(links, " ".join([party["name"], *party.get("aliases", [])]))
            party["party_id"] = ids[0] if len(ids) == 1 else None
        fields["raised_on"] = _date_of(cable)
        found.append({"kind": case["kind"], "paragraph": case["paragraph"], "text": case["text"][:4000],
                      "rule": case["rule"], "fields": fields, "source": _source(cable, case["paragraph"])})  # fmt: skip
    return found


def _may_cite(cable: StoredCable, record) -> bool:
    """Whether a record may be named in this cable's drafts: everyone who reads the drafts (the cable's
    readers) can read it: no higher classification, the same or a wider release."""
    if level(record.classification) > level(cable.classification):
        return False
    if record.releasability == "ALL":
        return True
    if cable.releasability == "ALL":
        return False

    def released_to(marked) -> set[str]:
        return {o.strip() for o in (marked.releasability or marked.originator or "").split(",") if o.strip()}

    return released_to(cable) <= released_to(record)


def _as_draft(kind: str, text: str, fields: dict) -> structure.Draft:
    return structure.Draft(kind if kind in structure.FAMILY else "pledge", None, text, "", actor=fields.get("actor"),
                           side=fields.get("side"), act=fields.get("act") or text)  # fmt: skip


def _duplicates(session: Session, cable: StoredCable, item: dict) -> list[dict]:
    """Open pledges and other cables' drafts that state the same act as ``item``."""
    if item["kind"] not in structure.FAMILY or item["kind"] in ("request", "status"):
        return []
    mine = _as_draft(item["kind"], item["text"], item["fields"])
    found = []
    fields = item["fields"]
    if fields.get("record") == "consultation" and fields.get("counterpart"):
        tracks = select(Consultation).where(
            Consultation.counterpart == fields["counterpart"],
            Consultation.level == fields.get("level"),
            Consultation.status != "ended",
        )
        for track in session.scalars(tracks):  # the track it would resume or restate
            if _may_cite(cable, track):
                found.append({"type": "consultation", "id": track.id, "source": track.source, "status": track.status,
                              "score": 1.0})  # fmt: skip
    for pledge in session.scalars(select(Pledge).where(Pledge.status == "open")):
        if not _may_cite(cable, pledge):
            continue
        other = structure.Draft("pledge", None, pledge.text, "", actor=pledge.pledged_by, side=None, act=pledge.text)
        score = structure.same_act(mine, other)
        if score >= DUPLICATE_AT:
            found.append({"type": "pledge", "id": pledge.id, "source": pledge.source, "score": round(score, 2)})
    others = session.execute(
        select(CableDraft, StoredCable.reference_id)
        .join(StoredCable, StoredCable.id == CableDraft.cable_id)
        .where(CableDraft.cable_id != cable.id, CableDraft.kind.in_(["proposal", "offer", "pledge", "consultation"]),
               CableDraft.status != "discarded")
    )  # fmt: skip
    for draft, _ref in others:
        if not _may_cite(cable, draft):
            continue
        score = structure.same_act(mine, _as_draft(draft.kind, draft.text, draft.fields or {}))
        if score >= DUPLICATE_AT:
            found.append({"type": "cable_draft", "id": draft.id, "source": draft.source, "status": draft.status,
                          "score": round(score, 2)})  # fmt: skip
    return sorted(found, key=lambda d: -d["score"])[:5]


def _key(kind: str, paragraph: int | None, text: str) -> tuple:
    return kind, paragraph, " ".join(text.split())


def rebuild(session: Session, cable: StoredCable, links: list[CableLink], version: int) -> dict:
    """Bring the cable's drafts in line with what its text (``version``) yields, deleting none.

    A draft the text still yields is kept (an open one with the fields proposed now); a new one is
    added; one the text no longer yields keeps its status and is flagged ``stale_since_version``, so
    an analyst's decisions and the open drafts of an earlier version are never lost."""
    existing = list(session.scalars(select(CableDraft).where(CableDraft.cable_id == cable.id).order_by(CableDraft.id)))
    pool: dict[tuple, list[CableDraft]] = {}
    for draft in existing:
        pool.setdefault(_key(draft.kind, draft.paragraph, draft.text), []).append(draft)
    made, kept, matched = 0, 0, set()
    for item in detect(cable, links, session):
        item["fields"]["possible_duplicates"] = _duplicates(session, cable, item)
        bucket = pool.get(_key(item["kind"], item["paragraph"], item["text"]))
        if bucket:
            draft = bucket.pop(0)
            matched.add(draft.id)
            draft.stale_since_version = None
            if draft.status == "draft":
                draft.fields, draft.rule, draft.source = item["fields"], item["rule"], item["source"]
                kept += 1
            continue
        session.add(CableDraft(**item, cable_id=cable.id, status="draft", classification=cable.classification,
                               releasability=cable.releasability, originator=cable.originator,
                               published=False))  # fmt: skip
        made += 1
    gone = [d for d in existing if d.id not in matched]
    for draft in gone:
        if draft.stale_since_version is None:
            draft.stale_since_version = version
    session.flush()
    return {
        "drafts": made, "drafts_kept": kept, "decided_kept": sum(1 for d in existing if d.status != "draft"),
        "decided_no_longer_found": [d.id for d in gone if d.status != "draft"],
        "drafts_flagged": len(gone),
    }  # fmt: skip


# --- reading and deciding -----------------------------------------------------------------------


def draft_dict(draft: CableDraft, reference_id: str | None = None) -> dict:
    return to_dict(draft) | ({"reference_id": reference_id} if reference_id else {})


def get(session: Session, viewer: Viewer, draft_id: int) -> CableDraft:
    return get_readable(session, viewer, CableDraft, draft_id, "cable draft")


def list_drafts(
    session: Session, viewer: Viewer, *, status: str | None = None, kind: str | None = None,
    reference_id: str | None = None,
) -> list[dict]:  # fmt: skip
    if status is not None and status not in WORKFLOW.statuses:
        raise GoodpathError(f"status must be one of {', '.join(WORKFLOW.statuses)}, not {status!r}")
    if kind is not None and kind not in KINDS:
        raise GoodpathError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    query = (
        readable(session, viewer, CableDraft)
        .add_columns(StoredCable.reference_id)
        .join(StoredCable, StoredCable.id == CableDraft.cable_id)
        .order_by(StoredCable.reference_id, CableDraft.paragraph, CableDraft.id)
    )
    if status:
        query = query.where(CableDraft.status == status)
    if kind:
        query = query.where(CableDraft.kind == kind)
    if reference_id:
        query = query.where(StoredCable.reference_id == reference_id.strip().upper())
    return [draft_dict(draft, ref) for draft, ref in session.execute(query)]


def _values(draft: CableDraft, allowed: set[str], overrides: dict) -> dict:
    unknown = sorted(set(overrides) - allowed)
    if unknown:
        raise GoodpathError(f"a {draft.kind} draft has no field(s) {', '.join(unknown)}; "
                            f"allowed: {', '.join(sorted(allowed))}")  # fmt: skip
    proposed = {k: v for k, v in (draft.fields or {}).items() if k in allowed}
    # Derived from the cable: by default as classified as the cable it comes from.
    proposed.setdefault("classification", draft.classification)
    return proposed | {k: v for k, v in overrides.items() if v is not None}


def confirm_draft(session: Session, viewer: Viewer, draft_id: int, *, as_kind: str | None = None, **overrides):
    """Create the record a draft proposes (``overrides`` replace proposed fields) and mark the draft
    confirmed with that record's type and id.

    - a proposal, offer or pledge: a pledge, or a consultation when it proposes consultations
      (``as_kind`` chooses); a request has no record of its own: ``as_kind="pledge"`` records the
      requested side's commitment;
    - a status statement: the suspension, resumption or end of the consultation (``consultation_id``)
      or project (``project_id``) it is about;
    - a case: the case, its parties screened and watched (``cases.raise_case``); it is shared with
      the partner government only when ``share_with_partner`` is given;
    - a case update: the partner's step on the cited case (acknowledged, under_investigation,
      response_reported; ``step`` overrides), with the steps before it it implies."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    draft = get(session, viewer, draft_id)
    WORKFLOW.check(draft.status, "confirmed")  # confirming twice is refused
    if draft.kind == "case":
        record = _confirm_case(session, viewer, draft, overrides)
    elif draft.kind == "case_update":
        record = _confirm_case_update(session, viewer, draft, overrides)
    elif draft.kind == "status" and as_kind is None:
        record = _confirm_status(session, viewer, draft, overrides)
    else:
        record = _confirm_record(session, viewer, draft, as_kind, overrides)
    before = to_dict(draft)
    draft.status, draft.decided_by, draft.decided_at = "confirmed", viewer.actor, utcnow()
    draft.confirmed_record_type, draft.confirmed_record_id = record.__tablename__, record.id
    audited(session, viewer, "cable_draft.confirm", draft, before=before)
    return draft


def _confirm_record(session: Session, viewer: Viewer, draft: CableDraft, as_kind: str | None, overrides: dict):
    fields = draft.fields or {}
    if draft.kind == "request" and as_kind is None:
        raise Refused(f"draft {draft.id} is a request: confirm it as a pledge or a consultation (as_kind), "
                      "or discard it")  # fmt: skip
    kind = as_kind or ("consultation" if draft.kind == "consultation" else fields.get("record") or "pledge")
    if kind not in ("pledge", "consultation"):
        raise Refused(f"draft {draft.id} is a {draft.kind}: confirm it as a pledge or a consultation (as_kind), "
                      "or discard it")  # fmt: skip
    if kind == "pledge":
        values = _values(draft, PLEDGE_FIELDS, overrides)
        if draft.kind == "request":  # the requested side would be the one committing
            values["pledged_by"] = overrides.get("pledged_by") or fields.get("requested_of")
            values["pledged_to"] = overrides.get("pledged_to") or fields.get("requested_by")
        values.setdefault("text", draft.text)
        for field in ("pledged_by", "pledged_to"):
            if not values.get(field):
                raise GoodpathError(f"{field} could not be read from the sentence: give it to confirm draft {draft.id}")
        return pledges.create(session, viewer, source=draft.source, **values)
    values = _values(draft, CONSULTATION_FIELDS, overrides)
    values.setdefault("title", f"Consultations ({draft.source})")
    values.setdefault("notes", draft.text)
    if not values.get("counterpart"):
        raise GoodpathError(f"counterpart could not be read from the cable: give it to confirm draft {draft.id}")
    return consultations.create(session, viewer, source=draft.source, **values)


def _confirm_status(session: Session, viewer: Viewer, draft: CableDraft, overrides: dict):
    fields = draft.fields or {}
    unknown = sorted(set(overrides) - {"consultation_id", "project_id", "status", "occurred_on"})
    if unknown:
        raise GoodpathError(f"a status draft has no field(s) {', '.join(unknown)}; "
                            "give consultation_id or project_id (and status, occurred_on)")  # fmt: skip
    status = overrides.get("status") or fields.get("status")
    occurred_on = overrides.get("occurred_on")
    cause = draft.text
    if overrides.get("consultation_id") is not None:
        track = int(overrides["consultation_id"])
        if status == "suspended":
            return consultations.suspend(session, viewer, track, cause=cause, occurred_on=occurred_on,
                                         source=draft.source)  # fmt: skip
        if status == "resumed":
            return consultations.resume(session, viewer, track, offered_by=fields.get("side"), note=cause,
                                        occurred_on=occurred_on, source=draft.source)  # fmt: skip
        if status == "ended":
            return consultations.end(session, viewer, track, cause=cause, occurred_on=occurred_on, source=draft.source)
    elif overrides.get("project_id") is not None:
        project = int(overrides["project_id"])
        if status == "suspended":
            return projects.suspend(session, viewer, project, cause=cause, occurred_on=occurred_on, source=draft.source)
        if status == "resumed":
            return projects.resume(session, viewer, project, note=cause, occurred_on=occurred_on, source=draft.source)
    else:
        raise GoodpathError(f"say which consultation (consultation_id) or project (project_id) draft {draft.id} "
                            "is about")  # fmt: skip
    raise GoodpathError(f"status must be suspended, resumed or ended (a project: suspended or resumed), "
                        f"not {status!r}")  # fmt: skip


def _confirm_case(session: Session, viewer: Viewer, draft: CableDraft, overrides: dict):
    fields = draft.fields or {}
    unknown = sorted(set(overrides) - CASE_FIELDS)
    if unknown:
        raise GoodpathError(f"a case draft has no field(s) {', '.join(unknown)}; allowed: "
                            f"{', '.join(sorted(CASE_FIELDS))}")  # fmt: skip
    parties = overrides.get("parties")
    if parties is None:
        parties = [{"role": demarche.CASE_ROLES.get(p.get("role"), "other"), "name": p["name"],
                    "party_id": p.get("party_id")} for p in fields.get("parties") or []]  # fmt: skip
    items = overrides.get("items")
    if items is None:
        items = [{key: i.get(key) for key in ("description", "control_entry", "quantity")}
                 for i in fields.get("items") or []]  # fmt: skip
    share = str(overrides.get("share_with_partner") or "").strip().lower() in ("1", "true", "yes")
    return cases.raise_case(
        session, viewer, reference=overrides.get("reference") or fields.get("reference") or draft.source.split()[0],
        title=overrides.get("title") or fields.get("title") or draft.text[:300],
        facts=overrides.get("facts") or fields.get("facts") or draft.text,
        raised_on=overrides.get("raised_on") or fields.get("raised_on"), destination=overrides.get("destination"),
        end_user=overrides.get("end_user") or next((p["name"] for p in fields.get("parties") or []
                                                    if p.get("role") == "end_user"), None),
        items=items, parties=parties, partner=(fields.get("partner") or "") if share else "",
        classification=overrides.get("classification") or draft.classification,
        releasability=overrides.get("releasability") or draft.releasability, source=draft.source,
    )  # fmt: skip


def _confirm_case_update(session: Session, viewer: Viewer, draft: CableDraft, overrides: dict):
    fields = draft.fields or {}
    unknown = sorted(set(overrides) - {"case_id", "step", "occurred_on", "note"})
    if unknown:
        raise GoodpathError(f"a case update has no field(s) {', '.join(unknown)}; give step (acknowledged, "
                            "under_investigation, response_reported), case_id, occurred_on or note")  # fmt: skip
    target = overrides.get("step") or fields.get("step")
    if target not in cases.PARTNER_STEPS:
        raise GoodpathError(f"the cable does not say which step the partner took: give step, one of "
                            f"{', '.join(cases.PARTNER_STEPS)}")  # fmt: skip
    reference = overrides.get("case_id") or fields.get("case_reference")
    try:
        case = cases.get_case(session, viewer, reference)
    except GoodpathError as exc:
        raise GoodpathError(f"no case {reference} yet: confirm the case drafted from {fields.get('cites')} first, "
                            "or give case_id") from exc  # fmt: skip
    note = overrides.get("note") or fields.get("note") or draft.text
    occurred_on = overrides.get("occurred_on") or (draft.fields or {}).get("made_on")
    order = list(cases.PARTNER_STEPS)
    if case.status not in ("raised", *order) or (
        case.status in order and order.index(case.status) >= order.index(target)
    ):
        raise Refused(f"case {case.reference} is {case.status}: the step {target} is behind it")
    done = order.index(case.status) + 1 if case.status in order else 0
    for step in order[done : order.index(target) + 1]:
        said = note if step == target else f"implied by: {note}"[:4000]
        if step == "acknowledged":
            cases.acknowledge(session, viewer, case.id, note=said, source=draft.source, occurred_on=occurred_on)
        elif step == "under_investigation":
            cases.investigate(session, viewer, case.id, note=said, source=draft.source, occurred_on=occurred_on)
        else:
            cases.respond(session, viewer, case.id, response=note, source=draft.source, occurred_on=occurred_on)
    return case


def discard_draft(session: Session, viewer: Viewer, draft_id: int, reason: str) -> CableDraft:
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    draft = get(session, viewer, draft_id)
    WORKFLOW.check(draft.status, "discarded")
    note = required_text(reason, "reason")
    before = to_dict(draft)
    draft.status, draft.decided_by, draft.decided_at, draft.decision_note = "discarded", viewer.actor, utcnow(), note
    audited(session, viewer, "cable_draft.discard", draft, before=before, reason=note)
    return draft
