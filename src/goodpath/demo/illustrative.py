"""The illustrative scenario (data/illustrative_story.yaml): one fictional company that walks the whole
good path (invitation, dialogue, commitments, ICP assessment, 12 months of monitoring, recognition, a
waiver with its determination and notice to Congress, relief in effect) and then breaches it (a case
closed 'sanctioned', breach detection, snapback).

The company is held in the registry's ``goodpath-illustrative`` dataset (registry/datasets.py): pages
and register entries say "Illustrative scenario", screening never returns it, statistics leave it out
unless asked. Every record is written through the product's own services (the same evidence checks,
two-person rule, history and audit as any user's), dated relative to ``today``: a step ``months_ago``
(plus ``days``) before it, so that the monitoring period and the notice period have run.

Loading is idempotent: once the company exists, nothing is written again (users may have moved it).
``until`` stops before the first step into that stage (the browser test proposes the recognition).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Role, Viewer
from goodpath.core.errors import GoodpathError
from goodpath.core.models import PUBLIC_MARKING, Classification, utcnow
from goodpath.demo.engagement_records import DEMO_ORGANIZATION
from goodpath.engagement import cases, dossiers, icp, pledges
from goodpath.lists import service as lists
from goodpath.lists.records import dict_hash
from goodpath.pathway import breaches, evidence, proposals
from goodpath.pathway import relief as relief_life
from goodpath.pathway.models import PathwayRelief
from goodpath.registry import authorities
from goodpath.registry.authorities import add_period
from goodpath.registry.datasets import ILLUSTRATIVE_DATASET
from goodpath.registry.models import ListEntry, Party, PartyName, Sanction
from goodpath.registry.names import name_script, normalize_name

STORY_PATH = Path(__file__).parent / "data" / "illustrative_story.yaml"
SOURCE = "Illustrative scenario: fictional records, dated relative to the day the demo was loaded"
LATE = "illustrative scenario: recorded when the demo was loaded, dated as the scenario has it"

# Who acts (the demo users of demo/users.py): proposals by the analyst, decisions by the approver.
ACTORS = {
    "analyst": Viewer(Role.ANALYST, Classification.SECRET, DEMO_ORGANIZATION, 0, "analyst"),
    "approver": Viewer(Role.APPROVER, Classification.SECRET, DEMO_ORGANIZATION, 0, "approver"),
    "partner": Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 0, "partner"),
}


def story(path: Path = STORY_PATH) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def party_key(path: Path = STORY_PATH) -> str:
    return story(path)["party"]["key"]


def day_of(step: dict, today: date) -> date:
    """The step's date: ``months_ago`` months before ``today``, plus ``days``."""
    return add_period(today, months=-int(step["months_ago"]), days=int(step.get("days", 0)))


def load_story(
    session: Session, *, today: date | None = None, until: str | None = None, path: Path = STORY_PATH
) -> dict[str, int | str]:
    """Write the scenario unless its company exists; returns what was written (``steps``: how many)."""
    data = story(path)
    spec = data["party"]
    if session.scalars(select(Party.id).where(Party.key == spec["key"])).first() is not None:
        return {"outcome": "already loaded", "steps": 0}
    today = today or utcnow().date()
    authorities.sync(session, ACTORS["analyst"].actor)
    party_id = _party(session, spec, today)
    run = _Run(session, party_id, today)
    done = 0
    for step in data["steps"]:
        if until is not None and step.get("to") == until:
            break
        run.do(step)
        done += 1
    return {"outcome": "loaded", "party_id": party_id, "steps": done,
            "stage": proposals.current(session, session.get(Party, party_id))[0]}  # fmt: skip


def _party(session: Session, spec: dict, today: date) -> str:
    """The fictional company, its names and its sanction, on one entry of the illustrative dataset."""
    entry_id = lists.entry_id_for(ILLUSTRATIVE_DATASET, spec["key"])
    party_id = lists.party_id_for(f"{ILLUSTRATIVE_DATASET}\x1f{spec['key']}")
    primary = next(n["value"] for n in spec["names"] if n["kind"] == "primary")
    marks = {**PUBLIC_MARKING, "originator": DEMO_ORGANIZATION}
    party = Party(id=party_id, key=spec["key"], schema=spec["schema"], caption=primary,
                  countries=list(spec["countries"]), birth_dates=[], notes=spec["note"].strip(), **marks)  # fmt: skip
    session.add(party)
    session.flush()
    content = {"illustrative": True, "key": spec["key"], "names": [n["value"] for n in spec["names"]]}
    session.add(
        ListEntry(
            id=entry_id, dataset=ILLUSTRATIVE_DATASET, external_id=spec["key"], party_id=party_id,
            schema=spec["schema"], caption=primary, status="listed", content_hash=dict_hash(content), data=content,
            first_version=1, last_changed_version=1, **marks,
        )
    )  # fmt: skip
    session.flush()
    rows = {**marks, "party_id": party_id, "entry_id": entry_id}
    for name in spec["names"]:
        session.add(PartyName(**rows, value=name["value"], kind=name["kind"], lang=name.get("lang"),
                              script=name_script(name["value"]), normalized=normalize_name(name["value"]),
                              source=SOURCE))  # fmt: skip
    s = spec["sanction"]
    imposed = day_of(s, today)
    session.add(
        Sanction(
            **rows, authority_code=s["authority"], program=s.get("program"), measures=list(s["measures"]),
            imposed_on=imposed, minimum_end=authorities.term_dates(s["authority"], imposed)[0], citation=s["citation"],
            status="active", status_date=imposed, verified=True, notes=s["note"].strip(), events=[],
        )
    )  # fmt: skip
    session.flush()
    return party_id


class _Run:
    """The steps of the scenario, each one service call (or a few) of the product."""

    def __init__(self, session: Session, party_id: str, today: date) -> None:
        self.session, self.party_id, self.today = session, party_id, today
        self.keys: dict[str, int] = {}  # step key -> record id (invitation, meeting, document, case ...)

    def do(self, step: dict) -> None:
        getattr(self, f"_{step['do']}")(step, ACTORS[step.get("as", "analyst")])

    def _on(self, step: dict) -> date:
        return day_of(step, self.today)

    def _enroll(self, step: dict, viewer: Viewer) -> None:
        proposals.enroll(self.session, viewer, self.party_id, on=self._on(step), note=step["note"])

    def _open_dossier(self, step: dict, viewer: Viewer) -> None:
        dossiers.open_dossier(self.session, viewer, self.party_id, model_candidate=bool(step.get("model_candidate")),
                              occurred_on=self._on(step), share_with=["CHN"], source=SOURCE)  # fmt: skip

    def _invite(self, step: dict, viewer: Viewer) -> None:
        invitation = dossiers.invite(
            self.session, viewer, self.party_id, invitees=step["invitees"], conditions=step.get("conditions", ()),
            purpose=step.get("purpose"), occurred_on=self._on(step), source=SOURCE,
        )  # fmt: skip
        self.keys[step["key"]] = invitation.id

    def _invitation_status(self, step: dict, viewer: Viewer) -> None:
        dossiers.set_invitation_status(self.session, viewer, self.keys[step["invitation"]], step["status"],
                                       occurred_on=self._on(step), response=step.get("response"),
                                       source=SOURCE)  # fmt: skip

    def _meeting(self, step: dict, viewer: Viewer) -> None:
        meeting = dossiers.record_meeting(
            self.session, viewer, self.party_id, held_on=self._on(step), summary=step["summary"].strip(),
            place=step.get("place"), participants=step.get("participants", ()), topics=step.get("topics", ()),
            invitation_id=self.keys.get(step.get("invitation")), source=SOURCE, reason=LATE,
        )  # fmt: skip
        self.keys[step["key"]] = meeting.id

    def _pledge(self, step: dict, viewer: Viewer) -> None:
        made = self._on(step)
        pledge = pledges.create(
            self.session, viewer, pledged_by=step["pledged_by"], pledged_to=step["pledged_to"],
            text=step["text"].strip(), made_on=made, owner=step.get("owner"),
            due_on=add_period(made, months=int(step.get("due_months", 6))), party_id=self.party_id,
            share_with=["CHN"], source=SOURCE,
        )  # fmt: skip
        self.keys[step["key"]] = pledge.id
        done = step.get("fulfilled")
        if done:
            pledges.fulfil(self.session, viewer, pledge.id, evidence=done["evidence"], occurred_on=self._on(done),
                           source=SOURCE)  # fmt: skip

    def _document(self, step: dict, viewer: Viewer) -> None:
        version = evidence.upload(
            self.session, viewer, party_id=self.party_id, kind=step["kind"], title=step["title"],
            filename=f"{step['key'].replace('_', '-')}-illustrative.txt", content=step["text"].encode("utf-8"),
            media_type="text/plain", note=SOURCE,
        )  # fmt: skip
        self.keys[f"document:{step['key']}"] = version.document_id
        self.keys[f"version:{step['key']}"] = version.id

    def _icp(self, step: dict, viewer: Viewer) -> None:
        on = self._on(step)
        assessment = icp.start_assessment(self.session, viewer, self.party_id, step["framework"], assessed_on=on,
                                          share_with=["CHN"], source=SOURCE)  # fmt: skip
        best = set(step.get("best", ()))
        for code in icp.element_codes(step["framework"]):
            score = icp.MAX_SCORE if code in best else int(step["score"])
            icp.score_element(self.session, viewer, assessment.id, code, score, step["evidence"])
        icp.finalize(self.session, viewer, assessment.id, occurred_on=on, source=SOURCE)

    def _evidence(self, refs: list[str]) -> list[str]:
        return [f"document:{self.keys[ref]}" if ref.startswith("document:") else ref for ref in refs]

    def _propose(self, step: dict, viewer: Viewer) -> None:
        relief = None
        if step.get("relief"):
            sanction = self.session.scalars(select(Sanction).where(Sanction.party_id == self.party_id)).one()
            relief = {"sanction_id": sanction.id, "measure": step["relief"]["measure"],
                      "route_code": step["relief"]["route"]}  # fmt: skip
        proposal = proposals.propose(
            self.session, viewer, self.party_id, to_stage=step.get("to"), relief=relief,
            rationale=step["rationale"], evidence=self._evidence(step.get("evidence", [])),
            effective_on=self._on(step), conditions=step.get("conditions"),
        )  # fmt: skip
        if proposal.status == "pending":
            proposals.approve(self.session, ACTORS["approver"], proposal.id, note=step.get("approve"))

    def _relief(self) -> PathwayRelief:
        return self.session.scalars(
            select(PathwayRelief).where(PathwayRelief.party_id == self.party_id).order_by(PathwayRelief.id.desc())
        ).first()  # fmt: skip

    def _notice(self, step: dict, viewer: Viewer) -> None:
        relief_life.record_notice(self.session, viewer, self._relief().id, self._on(step),
                                  self.keys[f"version:{step['document']}"])  # fmt: skip

    def _publication(self, step: dict, viewer: Viewer) -> None:
        evidence.link(self.session, viewer, self.keys[f"version:{step['document']}"], relief_id=self._relief().id,
                      purpose="publication")  # fmt: skip

    def _case(self, step: dict, viewer: Viewer) -> None:
        case = cases.raise_case(
            self.session, viewer, reference=step["reference"], title=step["title"], facts=step["facts"].strip(),
            raised_on=self._on(step), destination=step.get("destination"), items=step.get("items"),
            party_id=self.party_id, partner="CHN", source=SOURCE,
        )  # fmt: skip
        self.keys[f"case:{step['key']}"] = case.id

    def _case_step(self, step: dict, viewer: Viewer) -> None:
        case_id, on = self.keys[f"case:{step['case']}"], self._on(step)
        kind = step["step"]
        if kind == "respond":
            cases.respond(self.session, viewer, case_id, response=step["response"], occurred_on=on, source=SOURCE)
        elif kind == "close":
            cases.close(self.session, viewer, case_id, outcome=step["outcome"], note=step["note"], occurred_on=on,
                        source=SOURCE)  # fmt: skip
        else:
            getattr(cases, kind)(self.session, viewer, case_id, occurred_on=on, source=SOURCE)

    def _scan(self, step: dict, viewer: Viewer) -> None:
        """Breach detection as of the step's date: it opens the snapback proposal; the approver approves it."""
        found = breaches.scan(self.session, party_ids=[self.party_id], on=self._on(step))
        if not found["proposals"]:
            raise GoodpathError(f"illustrative scenario: breach detection opened no snapback ({found['problems']})")
        for opened in found["proposals"]:
            proposals.approve(self.session, ACTORS["approver"], opened["id"], note=step.get("approve"))
