"""ICP assessment: a company's internal compliance programme scored against a framework's
elements (EU Recommendation 2019/1318: 7 core elements; BIS Export Compliance Guidelines
2017: 8 elements), each with evidence and assessor. The rubric is data (data/icp_rubric.yaml)
with citations; see ../shared/legal-rules.md section 3.

An assessment starts as a draft; each element is scored 0-3 with evidence (re-scoring replaces
the score, audited); it is finalized only when every element is scored, and then its score is
sum / (3 x elements) in [0, 1] and it never changes. The latest final score per framework is the
pathway engine's "ICP established" evidence (``icp_evidence``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, read_filter, require_derived
from goodpath.access.records import get_readable, history, marking, readable, require
from goodpath.core.errors import GoodpathError, Refused, StaleRecord
from goodpath.core.fields import one_of, parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import Workflow, add_event, audited, transition
from goodpath.engagement.models import IcpAssessment, IcpElementScore
from goodpath.registry.service import accepts_party_key, get_party, party_of

ASSESSMENT = Workflow("icp_assessment", {"draft": frozenset({"final"}), "final": frozenset()})
MAX_SCORE = 3
DEFAULT_THRESHOLD = 2 / 3  # on average "established" (2 of 3) on every element


@cache
def _rubric() -> dict:
    text = resources.files("goodpath.engagement").joinpath("data/icp_rubric.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def frameworks() -> tuple[str, ...]:
    return tuple(_rubric()["frameworks"])


def scale() -> dict[int, str]:
    return {int(k): v for k, v in _rubric()["scale"].items()}


def rubric(framework: str | None = None) -> list[dict]:
    """The frameworks (or one), each with its citation and elements (code, title, citation, questions)."""
    data = _rubric()["frameworks"]
    codes = [one_of(framework, data, "framework")] if framework else list(data)
    return [{"framework": code, **data[code]} for code in codes]


def element_codes(framework: str) -> list[str]:
    return [e["code"] for e in _rubric()["frameworks"][framework]["elements"]]


def _element_titles(framework: str) -> dict[str, str]:
    return {e["code"]: e["title"] for e in _rubric()["frameworks"][framework]["elements"]}


# --- the workflow ------------------------------------------------------------------------------


@accepts_party_key
def start_assessment(
    session: Session,
    viewer: Viewer,
    party_id: str,
    framework: str,
    *,
    assessed_on: date | str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    share_with: Iterable[str] = (),
    source: str | None = None,
    demo_key: str | None = None,
) -> IcpAssessment:
    """A draft assessment of the company's ICP against ``framework``, with the viewer as assessor."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    party = party_of(session, viewer, party_id)
    framework = one_of(framework, frameworks(), "framework")
    on = parse_date(assessed_on, "assessed_on") or utcnow().date()
    assessment = IcpAssessment(
        party_id=party.id, framework=framework, assessed_on=on, assessor=viewer.actor, status="draft",
        created_by=viewer.actor, source=source, demo_key=demo_key,
        **marking(viewer, classification, releasability, share_with=share_with),
    )  # fmt: skip
    session.add(assessment)
    session.flush()
    add_event(session, viewer, ASSESSMENT.name, assessment, None, "draft", on, source=source)
    audited(session, viewer, "icp_assessment.start", assessment)
    return assessment


def get_assessment(session: Session, viewer: Viewer, assessment_id: int) -> IcpAssessment:
    return get_readable(session, viewer, IcpAssessment, assessment_id, "ICP assessment")


def score_stamp(scored_at: datetime | None) -> str:
    """An element's score as a form read it: when it was scored (UTC), or "" when it was not."""
    if scored_at is None:
        return ""
    return (scored_at if scored_at.tzinfo else scored_at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def score_element(
    session: Session, viewer: Viewer, assessment_id: int, element: str, score: int, evidence: str,
    *, expected_stamp: str | None = None,
) -> IcpElementScore:  # fmt: skip
    """Score one element 0-3 with its evidence (required); re-scoring replaces the element's score.
    ``expected_stamp``: the element's ``score_stamp`` as the form or request read it ("" if unscored);
    refused (``StaleRecord``) if someone scored the element since, naming who, when and what."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    assessment = get_assessment(session, viewer, assessment_id)
    if assessment.status != "draft":
        raise Refused(f"ICP assessment {assessment_id} is {assessment.status}: its scores cannot change")
    element = (element or "").strip().upper()
    one_of(element, element_codes(assessment.framework), f"element of {assessment.framework}")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE:
        names = ", ".join(f"{k} {v}" for k, v in scale().items())
        raise GoodpathError(f"score must be a whole number from 0 to {MAX_SCORE} ({names}), not {score!r}")
    evidence = required_text(evidence, f"evidence for {element}", 20000)
    of_assessment = IcpElementScore.assessment_id == assessment.id
    existing = session.scalars(select(IcpElementScore).where(of_assessment, IcpElementScore.element == element)).first()
    if expected_stamp is not None and score_stamp(existing.scored_at if existing else None) != expected_stamp:
        raise _rescored_meanwhile(existing, element)
    before = to_dict(existing) if existing is not None else None
    if existing is None:
        existing = IcpElementScore(
            assessment_id=assessment.id, party_id=assessment.party_id, element=element,
            classification=assessment.classification, releasability=assessment.releasability,
            originator=assessment.originator, published=assessment.published,
        )  # fmt: skip
        session.add(existing)
    existing.score, existing.evidence, existing.assessor, existing.scored_at = score, evidence, viewer.actor, utcnow()
    action = "icp_element.rescore" if before else "icp_element.score"
    audited(session, viewer, action, existing, before=before)
    return existing


def _rescored_meanwhile(existing: IcpElementScore | None, element: str) -> StaleRecord:
    if existing is None:  # unscored now, though the form read a score: cannot happen while scores stay
        return StaleRecord(f"element {element} changed since this form was drawn: nothing was changed",
                           record_type="ICP element", record_id=element)  # fmt: skip
    when = score_stamp(existing.scored_at)[:16].replace("T", " ")
    return StaleRecord(
        f"element {element} was scored {existing.score} ({scale()[existing.score]}) by {existing.assessor} on "
        f"{when} UTC since this form was drawn: nothing was changed; the page shows that score now",
        record_type="ICP element", record_id=element, changed_by=existing.assessor, changed_at=when,
        changes=[{"field": "score", "to": existing.score}, {"field": "evidence", "to": existing.evidence}],
    )  # fmt: skip


def missing_elements(session: Session, assessment: IcpAssessment) -> list[str]:
    scored = set(session.scalars(select(IcpElementScore.element).where(IcpElementScore.assessment_id == assessment.id)))
    return [code for code in element_codes(assessment.framework) if code not in scored]


def finalize(
    session: Session,
    viewer: Viewer,
    assessment_id: int,
    *,
    occurred_on: date | str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> IcpAssessment:
    """Close the assessment with its score in [0, 1]: only when every element is scored."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    assessment = get_assessment(session, viewer, assessment_id)
    ASSESSMENT.check(assessment.status, "final")
    missing = missing_elements(session, assessment)
    if missing:
        raise Refused(f"ICP assessment {assessment_id} is not complete: score {', '.join(missing)} first")
    scores = list(session.scalars(select(IcpElementScore.score).where(IcpElementScore.assessment_id == assessment.id)))
    assessment.score = round(sum(scores) / (MAX_SCORE * len(scores)), 4)
    on = parse_date(occurred_on, "occurred_on")  # past assessments (demo data) are dated as they happened
    transition(session, viewer, ASSESSMENT, assessment, "final", occurred_on=on, note=note, source=source,
               date_field=None)  # fmt: skip
    return assessment


# --- reading -----------------------------------------------------------------------------------


def assessment_to_dict(session: Session, viewer: Viewer, assessment: IcpAssessment) -> dict:
    titles = _element_titles(assessment.framework)
    rows = session.scalars(
        select(IcpElementScore).where(
            IcpElementScore.assessment_id == assessment.id, read_filter(viewer, IcpElementScore)
        )
    )
    by_element = {s.element: s for s in rows}
    order = element_codes(assessment.framework)
    return {
        **to_dict(assessment),
        "scores": [
            {"element": code, "title": titles[code], "score": s.score, "label": scale()[s.score],
             "evidence": s.evidence, "assessor": s.assessor, "scored_at": s.scored_at.isoformat(),
             "stamp": score_stamp(s.scored_at)}
            for code in order if (s := by_element.get(code)) is not None
        ],
        "missing": [code for code in order if code not in by_element],
        "history": history(session, viewer, ASSESSMENT.name, assessment.id),
    }  # fmt: skip


@accepts_party_key
def list_assessments(
    session: Session, viewer: Viewer, *, party_id: str | None = None, framework: str | None = None
) -> list[dict]:
    """A company's (or every readable) assessments over time, newest first, with element scores."""
    query = readable(session, viewer, IcpAssessment)
    if party_id is not None:
        query = query.where(IcpAssessment.party_id == party_id)
    if framework is not None:
        query = query.where(IcpAssessment.framework == one_of(framework, frameworks(), "framework"))
    rows = session.scalars(query.order_by(IcpAssessment.assessed_on.desc(), IcpAssessment.id.desc()))
    out = []
    for a in rows:
        full = assessment_to_dict(session, viewer, a)
        out.append({
            "id": a.id, "party_id": a.party_id, "framework": a.framework, "assessed_on": a.assessed_on.isoformat(),
            "assessor": a.assessor, "status": a.status, "score": a.score,
            "elements": {s["element"]: s["score"] for s in full["scores"]}, "missing": full["missing"],
            "source": a.source,
        })  # fmt: skip
    return out


def icp_evidence(session: Session, viewer: Viewer, party_id: str, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """The latest final score per framework and whether it meets ``threshold``: the pathway
    engine's "ICP established" evidence. ``established`` is true when any framework's latest meets it.
    A view derived from the assessments the viewer may read; a company officer's own company's alone."""
    if not 0 <= threshold <= 1:
        raise GoodpathError(f"threshold must be between 0 and 1, not {threshold!r}")
    party = get_party(session, viewer, party_id)
    require_derived(viewer, party.id, asked=party_id)
    query = (
        readable(session, viewer, IcpAssessment)
        .where(IcpAssessment.party_id == party.id, IcpAssessment.status == "final")
        .order_by(IcpAssessment.assessed_on.desc(), IcpAssessment.id.desc())
    )
    latest: dict[str, dict] = {}
    for a in session.scalars(query):
        if a.framework not in latest:
            latest[a.framework] = {
                "assessment_id": a.id, "assessed_on": a.assessed_on.isoformat(), "assessor": a.assessor,
                "score": a.score, "meets_threshold": a.score >= threshold - 1e-9, "source": a.source,
            }  # fmt: skip
    return {
        "party_id": party.id, "threshold": threshold, "frameworks": latest,
        "established": any(f["meets_threshold"] for f in latest.values()),
    }  # fmt: skip
