"""Proposals on the pathway and the two-person rule.

``propose`` checks that the company may go from its stage to the proposed one (stages.yaml), that
the proposer holds the permission the transition names, and the evidence the transition names (refusing with what is
missing); a relief is checked against the legal rules (``eligibility.check_relief``). A transition
that needs no second approver applies at once (recorded as a proposal decided by its proposer);
anything granting or imposing something stays a pending proposal until a different user with the
approver role (``pathway.decide``) approves it. The proposer can withdraw it; an approver (not the
proposer) can reject it.

Deciding is an atomic conditional UPDATE (``... WHERE id = :id AND status = 'pending'``): of two
approvers racing on one proposal, only the one whose UPDATE changed the row applies the change;
the other is refused. Applying the change is again conditional on the company still being at the
proposal's stage, so two different proposals cannot both move it from the same stage.
Evidence is checked again at approval: a breach found after proposing blocks the grant.
Every change is audited in the caller's transaction; a refused action changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can
from goodpath.access.records import get_readable, marking, require
from goodpath.core import followups
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import add_event, audited, check_version
from goodpath.engagement.models import Dossier
from goodpath.pathway import conditions as relief_conditions
from goodpath.pathway import evidence as evidence_store
from goodpath.pathway import register as public_register
from goodpath.pathway import relief as relief_life
from goodpath.pathway import stages as catalogue
from goodpath.pathway.models import PathwayProposal, PathwayState
from goodpath.registry.models import Party, Sanction
from goodpath.registry.service import get_party

RECORD_TYPE = "pathway"
STATUSES = ("pending", "approved", "rejected", "withdrawn")
AUTO_NOTE = "applied at once: this transition needs no second approver"


# --- where a company stands ----------------------------------------------------------------------


def state_of(session: Session, party: Party) -> PathwayState | None:
    return session.scalars(select(PathwayState).where(PathwayState.party_id == party.id)).first()


def _start_date(session: Session, party: Party, on: date) -> date:
    first = session.scalars(
        select(Sanction.imposed_on).where(Sanction.party_id == party.id, Sanction.imposed_on.is_not(None))
        .order_by(Sanction.imposed_on).limit(1)
    ).first()  # fmt: skip
    return min(first, on) if first else on


def current(session: Session, party: Party) -> tuple[str, date | None]:
    """The company's stage and since when (a company never moved is 'sanctioned')."""
    state = state_of(session, party)
    if state is None:
        return catalogue.load().start, _start_date(session, party, utcnow().date())
    return state.stage, state.since


def _marks(session: Session, viewer: Viewer, party: Party, classification, releasability) -> dict:
    """Given markings; else the company's pathway's; else its dossier's (so its officer reads it); else
    the proposer's default (the host organization)."""
    if classification is not None or releasability is not None:
        return marking(viewer, classification, releasability)
    source = state_of(session, party) or session.scalars(select(Dossier).where(Dossier.party_id == party.id)).first()
    if source is None:
        return marking(viewer)
    return {"classification": source.classification, "releasability": source.releasability,
            "originator": source.originator, "published": False}  # fmt: skip


def _ensure_state(
    session: Session, viewer: Viewer, party: Party, marks: dict, on: date, note: str | None = None
) -> PathwayState:
    state = state_of(session, party)
    if state is None:
        start = catalogue.load().start
        state = PathwayState(party_id=party.id, stage=start, since=_start_date(session, party, on), **marks)
        session.add(state)
        session.flush()
        add_event(session, viewer, RECORD_TYPE, state, None, start, state.since,
                  note=note or "the pathway starts: the company is under sanctions")  # fmt: skip
        audited(session, viewer, "pathway.start", state)
    return state


# --- proposing ------------------------------------------------------------------------------------


def _clean_evidence(evidence: Iterable) -> list[dict]:
    out = []
    for number, item in enumerate(evidence or (), start=1):
        if isinstance(item, str):
            text = item.strip()
            if not text:
                continue
            item = evidence_store.parse_reference(text) or {"kind": "reference", "ref": text}
        if not isinstance(item, dict) or len(str(item)) > 2000:
            raise GoodpathError(f"evidence {number} must be a reference text or an object (at most 2000 characters)")
        out.append({**item, "given": True})
    if len(out) > 50:
        raise GoodpathError("at most 50 evidence references")
    return out


def _check_date(on: date | str | None, since: date | None) -> date:
    day = parse_date(on, "effective_on") or utcnow().date()
    if day > utcnow().date():
        raise GoodpathError(f"effective_on {day.isoformat()} is in the future")
    if since is not None and day < since:
        raise Refused(f"{day.isoformat()} is before the company's current stage began ({since.isoformat()})")
    return day


def _relief_spec(session: Session, party: Party, relief: dict) -> dict:
    unknown = set(relief) - {"sanction_id", "measure", "route_code"}
    if unknown:
        raise GoodpathError(f"relief has unknown fields: {', '.join(sorted(unknown))}")
    missing = [k for k in ("sanction_id", "measure", "route_code") if not relief.get(k)]
    if missing:
        raise GoodpathError(f"a relief needs {', '.join(missing)} (which sanction, which measure, by which route)")
    try:
        sanction_id = int(relief["sanction_id"])
    except (TypeError, ValueError):
        raise GoodpathError(f"sanction_id must be a number, not {relief['sanction_id']!r}") from None
    sanction = session.get(Sanction, sanction_id)
    if sanction is None or sanction.party_id != party.id:
        raise NotFound(f"no sanction {sanction_id} of {party.caption}")
    measure = str(relief["measure"]).strip()
    if measure not in (sanction.measures or []):
        raise GoodpathError(f"sanction {sanction_id} has no measure {measure!r} "
                            f"(its measures: {', '.join(sanction.measures or []) or 'none'})")  # fmt: skip
    if (sanction.id, measure) in relief_life.relieved_measures(session, party.id):
        raise Refused(f"measure {measure} of sanction {sanction_id} is already relieved")
    return {"sanction_id": sanction.id, "measure": measure, "route_code": str(relief["route_code"]).strip()}


def propose(
    session: Session,
    viewer: Viewer,
    party_id: str,
    *,
    to_stage: str | None = None,
    relief: dict | None = None,
    rationale: str,
    evidence: Iterable = (),
    effective_on: date | str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    statement: dict | None = None,
    conditions: Iterable[str] | None = None,
) -> PathwayProposal:
    """Propose moving the company to ``to_stage`` (or a ``relief`` {sanction_id, measure, route_code}).
    Applied at once when no second approver is needed; otherwise a pending proposal."""
    party = get_party(session, viewer, party_id)
    rationale = required_text(rationale, "a rationale")
    stage, since = current(session, party)
    data = catalogue.load()
    if relief is not None:
        kind, to_stage = "relief", data.grant_stage
    elif not to_stage:
        raise GoodpathError("say where the company should go (to_stage) or which relief (sanction, measure, route)")
    else:
        kind = data.kind_into(to_stage)  # transition or snapback, as the catalogue's transitions into it
    if kind == "relief" and relief is None:
        raise GoodpathError("relief is proposed per sanction and measure: give sanction_id, measure and route_code")
    transition = data.find(stage, to_stage, kind)
    if not can(viewer, transition.propose):
        who = ", ".join(transition.proposers)
        raise Refused(f"a {viewer.role.value} may not propose {to_stage} (who may: {who})")
    text = public_register.clean_statement(statement, to_stage if kind != "relief" else None)
    on = _check_date(effective_on, since)
    spec = _relief_spec(session, party, relief) if relief is not None else {}
    if conditions is not None and relief is None:
        raise GoodpathError("conditions are attached to a relief: give them with a relief proposal")
    chosen = relief_conditions.validate(conditions) if relief is not None else None  # None: the defaults
    given, documents = evidence_store.resolve_references(session, viewer, party, _clean_evidence(evidence))
    _refuse_duplicate(session, party, to_stage, spec)
    context = catalogue.Context(session, viewer, party, stage, since or on, on, relief=spec or None)
    found = catalogue.check_evidence(transition, context)
    marks = _marks(session, viewer, party, classification, releasability)
    state = _ensure_state(session, viewer, party, marks, on)
    proposal = PathwayProposal(
        party_id=party.id, kind=kind, from_stage=stage, to_stage=to_stage, effective_on=on,
        sanction_id=spec.get("sanction_id"), measure=spec.get("measure"), route_code=spec.get("route_code"),
        rationale=rationale, evidence=given + found, legal=(context.relief or {}).get("legal"), status="pending",
        proposed_by=viewer.actor, proposed_at=utcnow(), **marks,
    )  # fmt: skip
    proposal.statement = text
    proposal.conditions = chosen
    session.add(proposal)
    session.flush()
    audited(session, viewer, "pathway.propose", proposal, reason=rationale)
    evidence_store.link_proposal(session, viewer, proposal, documents)
    if not transition.second_approver:
        _decide(session, viewer, proposal, "approved", AUTO_NOTE)
        _apply(session, viewer, state, proposal)
    return proposal


def _refuse_duplicate(session: Session, party: Party, to_stage: str, spec: dict) -> None:
    query = select(PathwayProposal.id).where(
        PathwayProposal.party_id == party.id, PathwayProposal.status == "pending", PathwayProposal.to_stage == to_stage
    )
    if spec:
        query = query.where(PathwayProposal.sanction_id == spec["sanction_id"])
        query = query.where(PathwayProposal.measure == spec["measure"])
    existing = session.scalars(query).first()
    if existing is not None:
        raise Refused(f"proposal {existing} for the same change is already pending")


def enroll(session: Session, viewer: Viewer, party_id: str, *, on: date | str | None = None,
           note: str | None = None) -> PathwayState:  # fmt: skip
    """Put a sanctioned company on the pathway (stage 'sanctioned') without moving it, so that its
    timeline starts and breach detection watches it; a company already on it is refused."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    party = get_party(session, viewer, party_id)
    if state_of(session, party) is not None:
        raise Refused(f"{party.caption} is on the pathway already")
    day = _check_date(on, None)
    marks = _marks(session, viewer, party, None, None)
    return _ensure_state(session, viewer, party, marks, day, note=(note or "").strip() or None)


# --- deciding -------------------------------------------------------------------------------------


def get_proposal(session: Session, viewer: Viewer, proposal_id: int | str) -> PathwayProposal:
    try:
        number = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound(f"no proposal {proposal_id!r}") from None
    return get_readable(session, viewer, PathwayProposal, number, "proposal")


def _pending(proposal: PathwayProposal) -> None:
    if proposal.status != "pending":
        raise Refused(f"proposal {proposal.id} is {proposal.status}, not pending")


def _decide(session: Session, viewer: Viewer, proposal: PathwayProposal, status: str, note: str | None) -> None:
    """The atomic decision: only one caller turns a pending proposal into ``status``."""
    before = to_dict(proposal)
    result = session.execute(
        update(PathwayProposal)
        .where(PathwayProposal.id == proposal.id, PathwayProposal.status == "pending")
        .values(
            status=status,
            decided_by=viewer.actor,
            decided_at=utcnow(),
            decision_note=note,
            version=PathwayProposal.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Refused(f"proposal {proposal.id} was decided by someone else meanwhile")
    session.refresh(proposal)
    audited(session, viewer, _DECISION_ACTIONS[status], proposal, before=before, reason=note)


_DECISION_ACTIONS = {"approved": "pathway.approve", "rejected": "pathway.reject", "withdrawn": "pathway.withdraw"}


def approve(
    session: Session, viewer: Viewer, proposal_id: int | str, note: str | None = None, *,
    expected_version: int | None = None,
) -> PathwayProposal:  # fmt: skip
    """Approve and apply a pending proposal: only a user with the approver role, never its proposer;
    refused (``StaleRecord``) if it changed since ``expected_version`` was read."""
    if not can(viewer, Permission.DECIDE_PROPOSALS):
        raise Refused("only a user with the approver role may approve a proposal")
    proposal = get_proposal(session, viewer, proposal_id)
    check_version(session, proposal, expected_version, "proposal")
    _pending(proposal)
    if proposal.proposed_by == viewer.actor:
        raise Refused(f"you proposed {proposal.id}: a second person with the approver role must approve it")
    party = session.get(Party, proposal.party_id)
    state = state_of(session, party)
    stage, since = current(session, party)
    if stage != proposal.from_stage:
        raise Refused(f"{party.caption} is now at {stage}, not {proposal.from_stage} as proposed: propose again")
    if since is not None and proposal.effective_on < since:  # it left that stage and came back since
        raise Refused(f"{party.caption} entered {stage} again on {since.isoformat()}, after proposal {proposal.id} "
                      f"(effective {proposal.effective_on.isoformat()}): propose again")  # fmt: skip
    transition = catalogue.load().find(stage, proposal.to_stage, proposal.kind)
    spec = ({"sanction_id": proposal.sanction_id, "measure": proposal.measure, "route_code": proposal.route_code}
            if proposal.kind == "relief" else None)  # fmt: skip
    if spec and (proposal.sanction_id, proposal.measure) in relief_life.relieved_measures(session, party.id):
        raise Refused(f"measure {proposal.measure} of sanction {proposal.sanction_id} is already relieved")
    context = catalogue.Context(session, viewer, party, stage, since, proposal.effective_on, relief=spec)
    catalogue.check_evidence(transition, context)  # the world may have changed since the proposal
    if spec:
        _require_determination(session, proposal)
    with session.begin_nested():
        _decide(session, viewer, proposal, "approved", (note or "").strip() or None)
        _apply(session, viewer, state, proposal)
    return proposal


def _require_determination(session: Session, proposal: PathwayProposal) -> None:
    """A relief other than a sanction's own expiry rests on a decision (a waiver determination, a
    termination, a delisting): its document must be linked to the proposal before it is approved."""
    route = (proposal.legal or {}).get("route") or {}
    if route.get("type") == "expiry" or evidence_store.determinations_of(session, proposal.id):
        return
    needs = "; ".join(route.get("requires") or []) or "the route's determination"
    raise Refused(f"relief by {proposal.route_code} needs its determination on record: link a "
                  f"{' or '.join(evidence_store.DETERMINATION_KINDS)} document to proposal {proposal.id} "
                  f"(the route requires: {needs})")  # fmt: skip


def reject(
    session: Session, viewer: Viewer, proposal_id: int | str, note: str | None, *,
    expected_version: int | None = None,
) -> PathwayProposal:  # fmt: skip
    """Reject a pending proposal (an approver other than the proposer), saying why."""
    if not can(viewer, Permission.DECIDE_PROPOSALS):
        raise Refused("only a user with the approver role may reject a proposal")
    note = required_text(note, "a note saying why the proposal is rejected")
    proposal = get_proposal(session, viewer, proposal_id)
    check_version(session, proposal, expected_version, "proposal")
    _pending(proposal)
    if proposal.proposed_by == viewer.actor:
        raise Refused(f"you proposed {proposal.id}: withdraw it instead of rejecting it")
    _decide(session, viewer, proposal, "rejected", note)
    return proposal


def withdraw(
    session: Session, viewer: Viewer, proposal_id: int | str, note: str | None = None, *,
    expected_version: int | None = None,
) -> PathwayProposal:  # fmt: skip
    """Withdraw a pending proposal: its proposer only."""
    proposal = get_proposal(session, viewer, proposal_id)
    check_version(session, proposal, expected_version, "proposal")
    _pending(proposal)
    if proposal.proposed_by != viewer.actor:
        raise Refused(f"only its proposer ({proposal.proposed_by}) may withdraw proposal {proposal.id}")
    _decide(session, viewer, proposal, "withdrawn", (note or "").strip() or None)
    return proposal


# --- applying -------------------------------------------------------------------------------------


def _apply(session: Session, viewer: Viewer, state: PathwayState, proposal: PathwayProposal) -> None:
    """Move the company (conditionally on its stage), record the event, the relief or its revocation."""
    before = to_dict(state)
    on = proposal.effective_on
    values = {"stage": proposal.to_stage}
    if proposal.to_stage != proposal.from_stage:
        values["since"] = on
    result = session.execute(
        update(PathwayState)
        .where(PathwayState.id == state.id, PathwayState.stage == proposal.from_stage)
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Refused(f"the company is no longer at {proposal.from_stage}: proposal {proposal.id} cannot apply")
    session.refresh(state)
    approved_by = "" if proposal.decided_by == proposal.proposed_by else f", approved by {proposal.decided_by}"
    note = f"{proposal.rationale} (proposed by {proposal.proposed_by}{approved_by})"
    event = add_event(session, viewer, RECORD_TYPE, state, proposal.from_stage, proposal.to_stage, on,
                      note=note, source=f"proposal {proposal.id}")  # fmt: skip
    proposal.event_id = event.id
    if proposal.kind == "relief":
        relief_life.grant(session, viewer, proposal, note)
    if proposal.kind == "snapback":  # exactly the reliefs in force are revoked: their measures bind again
        proposal.revoked_reliefs = relief_life.revoke_in_force(session, viewer, state.party_id, on, note)
        # Its breach alerts are settled by it (goodpath.consequences).
        followups.record(session, "snapback_applied", {"proposal_id": proposal.id, "party_id": state.party_id},
                         actor=viewer.actor)  # fmt: skip
    audited(session, viewer, "pathway.stage", state, before=before, reason=note)
    public_register.publish_for(session, viewer, proposal)
