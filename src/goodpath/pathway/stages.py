"""The pathway's stages and transitions, as data (``data/stages.yaml``), and the evidence checks
each transition names.

A stage has its path (start, good, bad), its English and Chinese labels, and what the code reads from
it as properties (``relief``: relief stays in force there; ``monitoring``: the monitoring period runs
from entry into it); the catalogue (``load()``) answers them (``start``, ``relief_stages``,
``monitoring_stage``, ``grant_stage``, ``snapback_stage``, ``label``), so that no stage is named in code.
A transition says from which stages it leads where, its kind (``transition``, ``relief``,
``snapback``), the evidence it needs, the permission whose holders may propose it, and whether a
second person with the approver role must approve it. ``check_evidence`` runs a transition's checks
for a company as of a date and answers what was found (references) and what is missing (in words).

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

from goodpath.access.policy import PERMISSIONS, Permission, Role, Viewer
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
PATHS = ("start", "good", "bad")
LANGS = ("en", "zh")  # a stage's label: English and Simplified Chinese


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    to: str
    kind: str
    evidence: tuple[str, ...]
    propose: Permission  # its holders may propose it
    second_approver: bool

    @property
    def proposers(self) -> list[str]:
        """The roles that may propose it: those holding its permission."""
        return sorted(role.value for role, held in PERMISSIONS.items() if self.propose in held)

    def as_dict(self) -> dict:
        return {"from": list(self.sources), "to": self.to, "kind": self.kind, "evidence": list(self.evidence),
                "propose": self.proposers, "second_approver": self.second_approver}  # fmt: skip


@dataclass(frozen=True)
class Stages:
    stages: dict[str, dict]
    transitions: tuple[Transition, ...]
    settings: dict = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.stages)

    @property
    def start(self) -> str:
        """Where every company begins (the stage on the ``start`` path)."""
        return next(name for name, stage in self.stages.items() if stage["path"] == "start")

    @property
    def relief_stages(self) -> tuple[str, ...]:
        """The stages at which relief stays in force (``relief: true``)."""
        return tuple(name for name, stage in self.stages.items() if stage.get("relief"))

    @property
    def monitoring_stage(self) -> str | None:
        """The stage from whose entry the monitoring period runs (``monitoring: true``)."""
        return next((name for name, stage in self.stages.items() if stage.get("monitoring")), None)

    @property
    def grant_stage(self) -> str | None:
        """Where a relief leads (the stage every ``relief`` transition goes to)."""
        return next((t.to for t in self.transitions if t.kind == "relief"), None)

    @property
    def snapback_stage(self) -> str | None:
        """Where a snapback leads (the stage every ``snapback`` transition goes to)."""
        return next((t.to for t in self.transitions if t.kind == "snapback"), None)

    def kind_into(self, stage: str) -> str:
        """The kind of the transitions into ``stage`` (``transition`` for a stage none leads to)."""
        return next((t.kind for t in self.transitions if t.to == stage), "transition")

    def label(self, stage: str, language: str = "en") -> str | None:
        """The stage's name in ``language`` (``en``, ``zh``; ``zh_Hans`` is ``zh``), None for no stage."""
        spec = self.stages.get(stage)
        if spec is None:
            return None
        return spec["label"].get(language.split("_")[0]) or spec["label"]["en"]

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


def _permission(number: int, value) -> Permission:
    try:
        return Permission(value)
    except (TypeError, ValueError):
        raise ValueError(f"transition {number}: propose names the permission whose roles may propose it "
                         f"(one of {', '.join(p.value for p in Permission)}), not {value!r}") from None  # fmt: skip


def parse(data: dict) -> Stages:
    """Stages from their YAML form, checked: every transition names known stages, kinds, evidence and
    permission, the transitions into a stage are of one kind, relief and snapback each lead to one stage;
    every stage has a path and its English and Chinese labels, one stage is the start, one at most the
    monitoring stage."""
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
        permission = _permission(number, raw["propose"])
        transitions.append(Transition(sources, raw["to"], raw["kind"], tuple(raw.get("evidence", [])), permission,
                                      bool(raw["second_approver"])))  # fmt: skip
    for stage in stages:
        kinds = sorted({t.kind for t in transitions if t.to == stage})
        if len(kinds) > 1:
            raise ValueError(f"stage {stage}: the transitions into it are of one kind, not {kinds}")
    for kind in ("relief", "snapback"):
        targets = sorted({t.to for t in transitions if t.kind == kind})
        if len(targets) > 1:
            raise ValueError(f"every {kind} transition leads to one stage, not to {targets}")
    for name, spec in stages.items():
        if not isinstance(spec, dict) or spec.get("path") not in PATHS:
            raise ValueError(f"stage {name}: path must be one of {PATHS}")
        label = spec.get("label")
        if not isinstance(label, dict) or not all(isinstance(label.get(k), str) and label[k].strip() for k in LANGS):
            raise ValueError(f"stage {name}: label needs its English and Chinese names {{en: ..., zh: ...}}")
    if sum(spec["path"] == "start" for spec in stages.values()) != 1:
        raise ValueError("exactly one stage is on the start path")
    if sum(bool(spec.get("monitoring")) for spec in stages.values()) > 1:
        raise ValueError("one stage at most is the monitoring stage")
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


def entered(session: Session, party_id: str, stage: str | None) -> date | None:
    """When the company last entered ``stage`` (from the pathway history)."""
    return session.scalars(
        select(StatusEvent.occurred_on)
        .where(StatusEvent.record_type == "pathway", StatusEvent.party_id == party_id,
               StatusEvent.to_status == stage)
        .order_by(StatusEvent.occurred_on.desc(), StatusEvent.id.desc()).limit(1)
    ).first()  # fmt: skip


def _entered(c: Context, stage: str | None) -> date | None:
    return entered(c.session, c.party.id, stage)


def monitoring_months() -> int:
    return int(load().settings.get("monitoring_months", 12))


def _monitoring_clean(c: Context) -> Finding:
    stage = load().monitoring_stage
    start = c.since if c.stage == stage else _entered(c, stage)
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
    start = _entered(c, load().monitoring_stage) or c.since
    refs, breach = _breaches(c, start)
    return Finding(not breach, [] if not breach else refs, f"no breach, but there are {breach}" if breach else None)


def _breach(c: Context) -> Finding:
    start = _entered(c, load().grant_stage) or c.since
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
