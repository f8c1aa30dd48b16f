"""Demo engagement records from the seed cables (data/engagement_records.yaml), written through
the workflows' own services, so they obey the same rules, history and audit as any user's.

Loading is idempotent: a record whose ``demo_key`` is already stored is left alone (with its
history), so a second ``demo load`` adds nothing and never undoes what users did since.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Role, Viewer
from goodpath.core.models import Classification
from goodpath.engagement import consultations, dossiers, pledges, projects
from goodpath.engagement.models import Consultation, ConsultationRound, CooperationProject, Dossier, Pledge
from goodpath.registry.models import Party

RECORDS_PATH = Path(__file__).parent / "data" / "engagement_records.yaml"
DEMO_ORGANIZATION = "USA"
DOSSIER_SHARING = {"norinco": ["NORINCO"], "cgwic": ["CGWIC"], "ceiec": ["CEIEC"]}  # the companies' own codes


def _viewer(actor: str) -> Viewer:
    """The records are entered by a US analyst (the cables are the US side's record)."""
    return Viewer(role=Role.ANALYST, clearance=Classification.SECRET, organization=DEMO_ORGANIZATION,
                  user_id=0, username=actor)  # fmt: skip


def _exists(session: Session, model, key: str) -> bool:
    return session.scalars(select(model.id).where(model.demo_key == key)).first() is not None


def _party_id(session: Session, key: str) -> str:
    party_id = session.scalars(select(Party.id).where(Party.key == key)).first()
    if party_id is None:
        raise LookupError(f"engagement party {key!r} is missing: load the engagement parties first")
    return party_id


def load_records(session: Session, actor: str, path: Path = RECORDS_PATH) -> dict[str, int]:
    """Write the records of ``path`` that are not stored yet; returns how many of each were added."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    viewer = _viewer(actor)
    added = {"consultations": 0, "rounds": 0, "pledges": 0, "projects": 0, "dossiers": 0, "invitations": 0}
    rounds: dict[str, int] = {}
    for spec in data.get("consultations", []):
        _load_consultation(session, viewer, spec, rounds, added)
    for spec in data.get("pledges", []):
        if _exists(session, Pledge, spec["key"]):
            continue
        _load_pledge(session, viewer, spec, rounds)
        added["pledges"] += 1
    for spec in data.get("projects", []):
        if _exists(session, CooperationProject, spec["key"]):
            continue
        _load_project(session, viewer, spec)
        added["projects"] += 1
    for spec in data.get("dossiers", []):
        if _exists(session, Dossier, spec["key"]):
            continue
        added["invitations"] += _load_dossier(session, viewer, spec)
        added["dossiers"] += 1
    return added


def _load_consultation(session: Session, viewer: Viewer, spec: dict, rounds: dict[str, int], added: dict) -> None:
    existing = session.scalars(select(Consultation).where(Consultation.demo_key == spec["key"])).first()
    if existing is not None:
        for round_spec in spec.get("rounds", []):
            stored = session.scalars(
                select(ConsultationRound.id).where(ConsultationRound.demo_key == round_spec["key"])
            ).first()
            if stored is not None:
                rounds[round_spec["key"]] = stored
        return
    history = spec.get("history", [])
    first_step = spec.get("started") or (history[0]["date"] if history else None)
    track = consultations.create(
        session, viewer, title=spec["title"], level=spec["level"], counterpart=spec["counterpart"],
        cadence_months=spec.get("cadence_months"), notes=spec.get("notes"), occurred_on=first_step,
        source=spec.get("source"), demo_key=spec["key"],
    )  # fmt: skip
    added["consultations"] += 1
    # Steps and rounds in date order: a round is only recorded while the track is active.
    steps = [(step["date"], 0, step) for step in history] + [(r["held_on"], 1, r) for r in spec.get("rounds", [])]
    for _, kind, step in sorted(steps, key=lambda s: (s[0], s[1])):
        if kind == 1:
            held = consultations.add_held_round(
                session, viewer, track.id, held_on=step["held_on"], place=step.get("place"),
                participants=step.get("participants"), agenda=step.get("agenda"), outcome=step.get("outcome"),
                source=step.get("source"), demo_key=step["key"],
            )  # fmt: skip
            rounds[step["key"]] = held.id
            added["rounds"] += 1
        elif step["to"] == "suspended":
            consultations.suspend(session, viewer, track.id, cause=step["cause"], occurred_on=step["date"],
                                  source=step.get("source"))  # fmt: skip
        else:
            consultations.resume(session, viewer, track.id, note=step.get("note"), occurred_on=step["date"],
                                 source=step.get("source"))  # fmt: skip


def _load_pledge(session: Session, viewer: Viewer, spec: dict, rounds: dict[str, int]) -> None:
    pledge = pledges.create(
        session, viewer, pledged_by=spec["pledged_by"], pledged_to=spec["pledged_to"], text=spec["text"],
        made_on=spec["made_on"], owner=spec.get("owner"), round_id=rounds.get(spec.get("round")),
        party_id=_party_id(session, spec["party"]) if spec.get("party") else None,
        source=spec.get("source"), demo_key=spec["key"],
    )  # fmt: skip
    done = spec.get("fulfilled")
    if done:
        pledges.fulfil(session, viewer, pledge.id, evidence=done["evidence"], evidence_source=done.get("source"),
                       occurred_on=done["date"], source=done.get("source"))  # fmt: skip


def _load_project(session: Session, viewer: Viewer, spec: dict) -> None:
    history = spec.get("history", [])
    proposed_on = spec.get("proposed_on") or (history[0]["date"] if history else None)
    project = projects.create(
        session, viewer, title=spec["title"], kind=spec["kind"], description=spec.get("description"),
        proposed_by=spec.get("proposed_by"), occurred_on=proposed_on, share_with=["CHN"],
        source=spec.get("source"), demo_key=spec["key"],
    )  # fmt: skip
    for step in history:
        if step.get("resume"):
            projects.resume(session, viewer, project.id, note=step.get("note"), occurred_on=step["date"],
                            source=step.get("source"))  # fmt: skip
        else:
            projects.suspend(session, viewer, project.id, cause=step["cause"], occurred_on=step["date"],
                             source=step.get("source"))  # fmt: skip


def _load_dossier(session: Session, viewer: Viewer, spec: dict) -> int:
    party_id = _party_id(session, spec["party"])
    dossiers.open_dossier(
        session, viewer, party_id, topics=spec.get("topics"), model_candidate=bool(spec.get("model_candidate")),
        occurred_on=spec.get("opened_on"), share_with=DOSSIER_SHARING.get(spec["party"], ()),
        source=spec.get("source"), demo_key=spec["key"],
    )  # fmt: skip
    for invitation in spec.get("invitations", []):
        dossiers.invite(
            session, viewer, party_id, invitees=invitation["invitees"], conditions=invitation.get("conditions", ()),
            purpose=invitation.get("purpose"), occurred_on=spec.get("opened_on"), source=invitation.get("source"),
            demo_key=invitation["key"],
        )  # fmt: skip
    return len(spec.get("invitations", []))
