"""The pathway's stages and transitions, as data (``data/stages.yaml``), and the evidence checks
each transition names.

A transition says from which stages it leads where, its kind (``transition``, ``relief``,
``snapback``), the evidence it needs, which roles may propose it, and whether a second person
with the approver role must approve it. ``check_evidence`` runs a transition's checks for a
company as of a date and answers what was found (references) and what is missing (in words).

Breach checks (screening hits of disclosed counterparties, cases closed 'sanctioned') read as
the hosting organization's fully cleared system: a breach the proposer may not read still
blocks a grant; the explanation then counts it without naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Role, Viewer
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.models import Classification
from goodpath.core.settings import hosting_organization
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import disclosures
from goodpath.engagement.icp import icp_evidence
from goodpath.engagement.models import CaseParty, CompanyMeeting, Invitation, Pledge, ViolationCase
from goodpath.pathway import eligibility, findings
from goodpath.pathway import relief as relief_life
from goodpath.registry.authorities import add_period
from goodpath.registry.models import Party, Sanction

KINDS = ("transition", "relief", "snapback")
START = "sanctioned"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    to: str
    kind: str
    evidence: tuple[str, ...]
    propose: frozenset[str]
    second_approver: bool

    def as_dict(self) -> dict:
        return {"from": list(self.sources), "to": self.to, "kind": self.kind, "evidence": list(self.evidence),
                "propose": sorted(self.propose), "second_approver": self.second_approver}  # fmt: skip


@dataclass(frozen=True)
class Stages:
    stages: dict[str, dict]
    transitions: tuple[Transition, ...]
    settings: dict = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.stages)

    def find(self, current: str, target: str, kind: str | None = None) -> Transition:
        """The transition from ``current`` to ``target``, or Refused naming where one can go."""
        if target not in self.stages:
            raise GoodpathError(f"stage must be one of {', '.join(self.stages)}, not {target!r}")
        for t in self.transitions:
            if current in t.sources and t.to == target and (kind is None or t.kind == kind):
                return t
        options = ", ".join(sorted({t.to for t in self.transitions if current in t.sources})) or "none"
        raise Refused(f"a company at stage {current} cannot go to {target} (allowed from {current}: {options})")

    def from_stage(self, current: str) -> list[Transition]:
        return [t for t in self.transitions if current in t.sources]


def parse(data: dict) -> Stages:
    """Stages from their YAML form, checked: every transition names known stages, kinds, evidence, roles."""
    stages = dict(data["stages"])
    transitions = []
    for number, raw in enumerate(data["transitions"], start=1):
        sources = tuple(raw["from"] if isinstance(raw["from"], list) else [raw["from"]])
        unknown = [s for s in (*sources, raw["to"]) if s not in stages]
        if unknown:
            raise ValueError(f"transition {number}: unknown stages {unknown}")
        if raw["kind"] not in KINDS:
            raise ValueError(f"transition {number}: kind must be one of {KINDS}")
        bad = [e for e in raw.get("evidence", []) if e not in EVIDENCE]
        if bad:
            raise ValueError(f"transition {number}: unknown evidence {bad}")
        roles = frozenset(raw["propose"])
        if not roles <= {r.value for r in Role}:
            raise ValueError(f"transition {number}: unknown roles {sorted(roles)}")
        transitions.append(Transition(sources, raw["to"], raw["kind"], tuple(raw.get("evidence", [])), roles,
                                      bool(raw["second_approver"])))  # fmt: skip
    return Stages(stages, tuple(transitions), dict(data.get("settings", {})))


@cache
def load() -> Stages:
    text = resources.files("goodpath.pathway").joinpath("data/stages.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))


# --- evidence --------------------------------------------------------------------------------------


@dataclass
class Context:
    """What an evidence check needs: the company, its current stage and since when, the date."""

    session: Session
    viewer: Viewer
    party: Party
    stage: str
    since: date
    on: date
    relief: dict | None = None  # sanction_id, measure, route_code (relief proposals)


@dataclass
class Finding:
    ok: bool
    refs: list[dict] = field(default_factory=list)
    missing: str | None = None


def system_viewer() -> Viewer:
    """The hosting organization's fully cleared reader, for breach checks."""
    return Viewer(Role.ANALYST, max(Classification), hosting_organization(), 0, "system:pathway")


def _contact(c: Context) -> Finding:
    meetings = _meetings(c)
    invitations = list(c.session.scalars(
        select(Invitation.id).where(Invitation.party_id == c.party.id, Invitation.status == "accepted",
                                    Invitation.status_on <= c.on)
    ))  # fmt: skip
    refs = [{"kind": "meeting", "id": m} for m in meetings] + [{"kind": "invitation", "id": i} for i in invitations]
    return Finding(bool(refs), refs, None if refs else "an accepted invitation or a meeting with the company")


def _meetings(c: Context) -> list[int]:
    return list(c.session.scalars(
        select(CompanyMeeting.id).where(CompanyMeeting.party_id == c.party.id, CompanyMeeting.held_on <= c.on)
    ))  # fmt: skip


def _commitment(c: Context) -> Finding:
    pledges = list(c.session.scalars(
        select(Pledge.id).where(Pledge.party_id == c.party.id, Pledge.made_on <= c.on, Pledge.status != "withdrawn")
    ))  # fmt: skip
    refs = [{"kind": "pledge", "id": p} for p in pledges] + [{"kind": "meeting", "id": m} for m in _meetings(c)]
    return Finding(bool(refs), refs, None if refs else "a pledge by or for the company, or a meeting with it")


def icp_threshold() -> float:
    return float(load().settings.get("icp_threshold", 2 / 3))


def _icp(c: Context) -> Finding:
    found = icp_evidence(c.session, c.viewer, c.party.id, icp_threshold())
    refs = [
        {"kind": "icp_assessment", "id": f["assessment_id"], "framework": name, "score": f["score"],
         "assessed_on": f["assessed_on"]}
        for name, f in found["frameworks"].items() if f["meets_threshold"]
    ]  # fmt: skip
    if found["established"]:
        return Finding(True, refs)
    scores = ", ".join(f"{n} {f['score']:.2f}" for n, f in found["frameworks"].items()) or "none final"
    return Finding(False, [], f"a final ICP assessment scoring at least {icp_threshold():.2f} (latest: {scores})")


def _breaches(c: Context, since: date) -> tuple[list[dict], str | None]:
    """Confirmed hits of disclosed counterparties, cases closed 'sanctioned', new nonproliferation list
    entries of the company or its subsidiaries, and findings escalated to a breach, on or after ``since``."""
    system = system_viewer()
    hits = disclosures.signals(c.session, system, c.party.id)
    cases = list(c.session.scalars(
        select(ViolationCase.id).where(
            ViolationCase.outcome == "sanctioned", ViolationCase.status_on >= since, ViolationCase.status_on <= c.on,
            or_(ViolationCase.party_id == c.party.id,
                ViolationCase.id.in_(select(CaseParty.case_id).where(CaseParty.party_id == c.party.id))),
        ).distinct()
    ))  # fmt: skip
    listed = findings.nonproliferation_entries(c.session, c.party.id, since, c.on)
    escalated = findings.escalated(c.session, c.party.id, since, c.on)
    refs = [{"kind": "screening_hit", "disclosure_id": h["disclosure_id"], "entry_id": h["entry_id"]} for h in hits]
    refs += [{"kind": "case", "id": i} for i in cases]
    refs += [{"kind": "list_entry", "entry_id": e["entry_id"], "party_id": e["party_id"], "program": e["program"],
              "listed_on": e["listed_on"]} for e in listed]  # fmt: skip
    refs += [{"kind": "pathway_alert", "id": a.id, "escalated_by": a.reviewed_by} for a in escalated]
    if not refs:
        return [], None
    words = []
    if hits:
        words.append(f"{len(hits)} confirmed screening hit(s) among the company's disclosed counterparties")
    if cases:
        words.append(f"{len(cases)} case(s) of the company closed 'sanctioned' since {since.isoformat()}")
    if listed:
        words.append(f"{len(listed)} new nonproliferation list entr(y/ies) of the company or its subsidiaries "
                     f"since {since.isoformat()}")  # fmt: skip
    if escalated:
        words.append(f"{len(escalated)} finding(s) escalated to a breach since {since.isoformat()}")
    return refs, "; ".join(words)


def _entered(c: Context, stage: str) -> date | None:
    """When the company last entered ``stage`` (from the pathway history)."""
    return c.session.scalars(
        select(StatusEvent.occurred_on)
        .where(StatusEvent.record_type == "pathway", StatusEvent.party_id == c.party.id,
               StatusEvent.to_status == stage)
        .order_by(StatusEvent.occurred_on.desc(), StatusEvent.id.desc()).limit(1)
    ).first()  # fmt: skip


def monitoring_months() -> int:
    return int(load().settings.get("monitoring_months", 12))


def _monitoring_clean(c: Context) -> Finding:
    start = c.since if c.stage == "monitoring" else _entered(c, "monitoring")
    months = monitoring_months()
    if start is None:
        return Finding(False, [], f"a monitoring period of {months} months (the company was never in monitoring)")
    due = add_period(start, months=months)
    problems = []
    if c.on < due:
        problems.append(f"{months} months in monitoring (since {start.isoformat()}: not before {due.isoformat()})")
    refs, breach = _breaches(c, start)
    if breach:
        problems.append(f"no breach during monitoring, but there are {breach}")
    refs = [{"kind": "monitoring", "since": start.isoformat(), "months": months}] if not problems else refs
    return Finding(not problems, refs, "; ".join(problems) or None)


def _no_breach(c: Context) -> Finding:
    start = _entered(c, "monitoring") or c.since
    refs, breach = _breaches(c, start)
    return Finding(not breach, [] if not breach else refs, f"no breach, but there are {breach}" if breach else None)


def _breach(c: Context) -> Finding:
    start = _entered(c, "relief_granted") or c.since
    refs, breach = _breaches(c, start)
    if breach:
        return Finding(True, refs)
    return Finding(False, [], f"a breach since relief was granted on {start.isoformat()} (a confirmed screening "
                              "hit of a disclosed counterparty or a case closed 'sanctioned')")  # fmt: skip


def _legal_relief(c: Context) -> Finding:
    r = c.relief or {}
    answer = eligibility.check_relief(c.session, c.viewer, c.party.id, r.get("sanction_id"), r.get("measure"),
                                      r.get("route_code"), c.on)  # fmt: skip
    ref = {"kind": "eligibility", "sanction_id": r.get("sanction_id"), "measure": r.get("measure"),
           "route": r.get("route_code"), "as_of": c.on.isoformat()}  # fmt: skip
    c.relief = {**r, "legal": answer}
    return Finding(True, [ref])


def _full_relief(c: Context) -> Finding:
    """Every measure of every active sanction relieved, and each relief in effect (its notice run)."""
    wanted = relief_life.active_sanction_measures(c.session, c.party.id)
    granted = relief_life.relieved_measures(c.session, c.party.id)
    effective = relief_life.relieved_measures(c.session, c.party.id, in_effect_on=c.on)
    if wanted <= effective:
        return Finding(True, [{"kind": "relief", "sanction_id": s, "measure": m} for s, m in sorted(wanted)])

    def names(pairs) -> str:
        return ", ".join(f"sanction {s} {m}" for s, m in sorted(pairs))

    problems = []
    if wanted - granted:
        problems.append(f"not yet relieved: {names(wanted - granted)}")
    if (wanted & granted) - effective:
        problems.append(f"relieved but not in effect on {c.on.isoformat()} (notice to record or to run): "
                        f"{names((wanted & granted) - effective)}")  # fmt: skip
    return Finding(False, [], f"relief in effect for every measure of every active sanction ({'; '.join(problems)})")


def _new_sanction(c: Context) -> Finding:
    rows = list(c.session.scalars(
        select(Sanction.id).where(Sanction.party_id == c.party.id, Sanction.imposed_on >= c.since,
                                  Sanction.imposed_on <= c.on)
    ))  # fmt: skip
    if rows:
        return Finding(True, [{"kind": "sanction", "id": i} for i in rows])
    return Finding(False, [], f"a sanction on the company imposed since {c.since.isoformat()}")


EVIDENCE: dict[str, Callable[[Context], Finding]] = {
    "contact": _contact,
    "commitment": _commitment,
    "icp_established": _icp,
    "monitoring_clean": _monitoring_clean,
    "no_breach": _no_breach,
    "breach": _breach,
    "legal_relief": _legal_relief,
    "full_relief": _full_relief,
    "new_sanction": _new_sanction,
}


def check_evidence(transition: Transition, context: Context) -> list[dict]:
    """The references found for each piece of evidence, or Refused naming everything missing.
    The legal check runs last and only when everything else is there (its refusal explains itself)."""
    refs: list[dict] = []
    missing: list[str] = []
    for name in transition.evidence:
        if name == "legal_relief":
            continue
        finding = EVIDENCE[name](context)
        refs += finding.refs
        if not finding.ok:
            missing.append(finding.missing or name)
    if missing:
        raise Refused(f"{context.party.caption} cannot go to {transition.to} on {context.on.isoformat()}: "
                      f"missing {'; '.join(missing)}")  # fmt: skip
    if "legal_relief" in transition.evidence:
        refs += EVIDENCE["legal_relief"](context).refs
    return refs
