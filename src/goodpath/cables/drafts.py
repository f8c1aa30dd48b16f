"""Drafts: pledges, proposed consultations and requests found in a cable's paragraphs.

Detection is rule-based (phrases such as "pledged to", "would prepare", "resume … consultations",
"twice per year", "urged"), sentence by sentence; each draft cites the cable and paragraph
("07BEIJING5360 ¶5") and proposes the fields of the engagement record it would become. Nothing
drafted counts as a commitment until an analyst confirms it: ``confirm_draft`` then creates the
real pledge or consultation through the engagement workflows; ``discard_draft`` keeps the reason.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer
from goodpath.access.records import get_readable, readable, require
from goodpath.cables.models import CableDraft, CableLink, StoredCable
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.fields import required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import Workflow, audited
from goodpath.engagement import consultations, pledges

KINDS = ("pledge", "consultation", "request")
WORKFLOW = Workflow(
    "cable draft",
    {"draft": frozenset({"confirmed", "discarded"}), "confirmed": frozenset(), "discarded": frozenset()},
)

# (kind, rule name, pattern). A sentence becomes one draft, of the first kind that matches:
# a proposal to resume consultations is a consultation even when it is also "prepared to".
RULES: tuple[tuple[str, str, re.Pattern], ...] = (
    ("consultation", "resume consultations", re.compile(r"\bresum\w*\b[^.;]{0,80}?\bconsultations\b", re.I)),
    ("consultation", "twice a year", re.compile(r"\btwice (?:per|a) year\b", re.I)),
    ("pledge", "pledged to", re.compile(r"\bpledged to\b", re.I)),
    ("pledge", "will prepare", re.compile(r"\bwill prepare\b", re.I)),
    ("pledge", "would prepare", re.compile(r"\bwould prepare\b", re.I)),
    ("pledge", "agreed to", re.compile(r"\bagreed to\b", re.I)),
    ("pledge", "is prepared to", re.compile(r"\b(?:is|are) prepared to\b", re.I)),
    ("pledge", "stands ready to", re.compile(r"\bstands? ready to\b", re.I)),
    ("request", "urged", re.compile(r"\burged\b", re.I)),
    ("request", "asked", re.compile(r"\basked\b", re.I)),
    ("request", "invite", re.compile(r"\binvit(?:e|es|ed|ing)\b", re.I)),
)
# A sentence ends at . ! ? followed by space and a capital, or at a line break (list items);
# "U.S." and "A/S." style abbreviations are not ends.
_SENTENCE_END = re.compile(r"(?<![A-Z]\.[A-Z]\.)(?<!\b[A-Z]\.)(?<=[.!?])\s+(?=[A-Z\"“(])|\n+")
_US_SIDE = re.compile(r"\b(USG|U\.S\.|United States|Embassy|DCM|Ambassador|McNerney|Rood|we|our)\b", re.I)
_CN_SIDE = re.compile(r"\b(China|Chinese|PRC|MFA|Zhang|Cui|Beijing)\b")
_SUBJECT = re.compile(r"(?:^|,|\bthat\b|\band\b)\s*((?:the\s+)?[A-Z][\w./'-]*(?:\s+[A-Z][\w./'-]*){0,4})\s+\S*\s*$")
_LEVELS = (
    ("assistant_foreign_minister", re.compile(r"\bAssistant Foreign Minister|\bAFM\b")),
    ("director_general", re.compile(r"\bDirector General|\bDG\b")),
    ("working_level", re.compile(r"\bworking-level|\bworking level", re.I)),
)
PLEDGE_FIELDS = {"pledged_by", "pledged_to", "text", "made_on", "owner", "due_on", "round_id", "meeting_id",
                 "party_id", "share_with", "classification", "releasability"}  # fmt: skip
CONSULTATION_FIELDS = {"title", "level", "counterpart", "cadence_months", "notes", "occurred_on", "classification",
                       "releasability"}  # fmt: skip


def sentences(text: str) -> list[str]:
    return [s.strip(" -\t") for s in _SENTENCE_END.split(text or "") if s and s.strip(" -\t")]


def _side(phrase: str) -> str | None:
    if _US_SIDE.search(phrase):
        return "USG"
    if _CN_SIDE.search(phrase):
        return "PRC"
    return None


def _person(phrase: str, people: list[dict]) -> str | None:
    words = set(re.findall(r"[A-Z][\w'-]+", phrase))
    for person in people:
        if words & set((person.get("name") or "").split()[-1:] + (person.get("name") or "").split()[:1]):
            return person["name"]
    return None


def _actor(sentence: str, start: int, people: list[dict], speaker: str | None) -> str | None:
    """Who acts: the capitalized phrase just before the trigger ("Zhang pledged", "that the USG
    would prepare"), a surname widened to the full name the cable gives; "he"/"she" is the
    paragraph's last speaker; "we" is the writer's government."""
    match = _SUBJECT.search(sentence[:start].rstrip() + " x")
    before = sentence[:start].rstrip().split()
    pronoun = before[-1].lower() if before else ""
    if pronoun in {"he", "she"}:
        return speaker
    if pronoun in {"we", "our"}:
        return "USG"
    if not match:
        return None
    phrase = re.sub(r"^the\s+", "", match.group(1).strip(), flags=re.I)
    if phrase.lower() in {"he", "she", "they", "it", "this", "that", "these"}:
        return speaker if phrase.lower() in {"he", "she"} else None
    if phrase.lower() == "we":
        return "USG"
    return _person(phrase.split()[-1], people) or phrase


def _speaker(sentence: str, people: list[dict], current: str | None) -> str | None:
    """The person a sentence is about or attributed to ("Zhang further believed", "…, Zhang said")."""
    head = _person(sentence[:40], people)
    said = re.search(r",\s+(?:the\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s+(?:said|stated|added|claimed)\b", sentence)
    return head or (_person(said.group(1), people) if said else None) or current


def _date_of(cable: StoredCable) -> str | None:
    return cable.dated.isoformat() if cable.dated else None


def _counterpart(cable: StoredCable) -> str | None:
    codes = {c.get("code") for c in cable.data.get("countries") or []}
    return "CHN" if "CN" in codes or "CH" in (cable.tags or []) else None


def _parties_in(links: list[CableLink], sentence: str) -> list[str]:
    found = []
    for link in links:
        if link.party_id and any(form and form in sentence for form in [link.name, *link.forms]):
            found.append(link.party_id)
    return list(dict.fromkeys(found))


def _fields(kind: str, sentence: str, start: int, cable: StoredCable, links: list[CableLink],
            speaker: str | None) -> dict:  # fmt: skip
    people = cable.data.get("people") or []
    parties = _parties_in(links, sentence)
    if kind == "consultation":
        mentioned = sorted((m.start(), name) for name, rx in _LEVELS if (m := rx.search(sentence)))
        level = mentioned[0][1] if mentioned else "other"  # the level named first
        cadence = 6 if RULES[1][2].search(sentence) else None
        return {"title": f"Nonproliferation consultations ({cable.reference_id})", "level": level,
                "counterpart": _counterpart(cable), "cadence_months": cadence, "occurred_on": _date_of(cable),
                "notes": sentence}  # fmt: skip
    actor = _actor(sentence, start, people, speaker)
    side = _side(actor or "") or _side(sentence[:start])
    other = {"USG": "PRC", "PRC": "USG"}.get(side or "")
    result = {"text": sentence, "made_on": _date_of(cable), "parties": parties,
              "party_id": parties[0] if len(parties) == 1 else None}  # fmt: skip
    if kind == "pledge":
        return result | {"pledged_by": actor or side, "pledged_to": other, "owner": actor or side}
    return result | {"requested_by": actor or side, "requested_of": other}


def detect(cable: StoredCable, links: list[CableLink]) -> list[dict]:
    """Draft candidates of ``cable``: one per matching sentence, in paragraph order."""
    found = []
    for para in cable.data.get("paragraphs") or []:
        number, speaker = para.get("number"), None
        for sentence in sentences(para.get("text") or ""):
            speaker = _speaker(sentence, cable.data.get("people") or [], speaker)
            for kind, rule, pattern in RULES:
                match = pattern.search(sentence)
                if match:
                    found.append({
                        "kind": kind, "paragraph": number, "text": sentence, "rule": rule,
                        "fields": _fields(kind, sentence, match.start(), cable, links, speaker),
                        "source": f"{cable.reference_id} ¶{number}" if number is not None else cable.reference_id,
                    })  # fmt: skip
                    break
    return found


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
    for item in detect(cable, links):
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
    """Create the engagement record a draft proposes (``overrides`` replace proposed fields) and mark
    the draft confirmed with that record's type and id. A request has no record of its own: it can
    be confirmed ``as_kind="pledge"`` (the requested side's commitment) or discarded."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    draft = get(session, viewer, draft_id)
    WORKFLOW.check(draft.status, "confirmed")  # confirming twice is refused
    kind = as_kind or draft.kind
    if kind not in ("pledge", "consultation"):
        raise Refused(f"draft {draft.id} is a {draft.kind}: confirm it as a pledge or a consultation "
                      "(as_kind), or discard it")  # fmt: skip
    if kind == "pledge":
        values = _values(draft, PLEDGE_FIELDS, overrides)
        if draft.kind == "request":  # the requested side would be the one committing
            values.setdefault("pledged_by", (draft.fields or {}).get("requested_of"))
            values.setdefault("pledged_to", (draft.fields or {}).get("requested_by"))
        values.setdefault("text", draft.text)
        for field in ("pledged_by", "pledged_to"):
            if not values.get(field):
                raise GoodpathError(f"{field} could not be read from the sentence: give it to confirm draft {draft.id}")
        record = pledges.create(session, viewer, source=draft.source, **values)
    else:
        values = _values(draft, CONSULTATION_FIELDS, overrides)
        if not values.get("counterpart"):
            raise GoodpathError(f"counterpart could not be read from the cable: give it to confirm draft {draft.id}")
        record = consultations.create(session, viewer, source=draft.source, **values)
    before = to_dict(draft)
    draft.status, draft.decided_by, draft.decided_at = "confirmed", viewer.actor, utcnow()
    draft.confirmed_record_type, draft.confirmed_record_id = record.__tablename__, record.id
    audited(session, viewer, "cable_draft.confirm", draft, before=before)
    return draft


def discard_draft(session: Session, viewer: Viewer, draft_id: int, reason: str) -> CableDraft:
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    draft = get(session, viewer, draft_id)
    WORKFLOW.check(draft.status, "discarded")
    note = required_text(reason, "reason")
    before = to_dict(draft)
    draft.status, draft.decided_by, draft.decided_at, draft.decision_note = "discarded", viewer.actor, utcnow(), note
    audited(session, viewer, "cable_draft.discard", draft, before=before, reason=note)
    return draft
