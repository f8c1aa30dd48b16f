"""Cable versions: nothing stored is replaced by less. A re-ingested copy that differs from the stored
cable is kept as a pending version for an analyst to accept; the same file again is a no-op;
accepting re-derives paragraphs, links and drafts without losing a decision or a draft; a reparse
keeps the old version. Service, API and CLI."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app
from goodpath.cables import drafts, ingest, review
from goodpath.cables.models import CableDraft, CableLink, CableVersion, StoredCable
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from goodpath.core.errors import NotFound, Refused
from goodpath.core.models import Classification
from tests.cables.test_ingest import CONFIDENTIAL_ANALYST
from tests.factories import OPERATOR, bearer_headers

REF = "07BEIJING1900"
PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.SECRET, "USA", 8, "partner")  # even cleared and releasable
AUDITOR = Viewer(Role.AUDITOR, Classification.SECRET, "USA", 9, "auditor")


def truncated(cable_files, tmp_path, share: float = 0.3, name: str = "1900-cut.txt"):
    raw = cable_files[REF].read_bytes()
    path = tmp_path / name
    path.write_bytes(raw[: int(len(raw) * share)])
    return path


def snapshot(session, reference_id: str = REF) -> dict:
    """What the stored cable holds now: its record, paragraphs, links and drafts."""
    session.expire_all()
    cable = session.scalars(select(StoredCable).where(StoredCable.reference_id == reference_id)).one()
    links = session.scalars(select(CableLink).where(CableLink.cable_id == cable.id).order_by(CableLink.id)).all()
    found = session.scalars(select(CableDraft).where(CableDraft.cable_id == cable.id).order_by(CableDraft.id)).all()
    return {
        "paragraphs": cable.data["paragraphs"], "text": cable.text, "hash": cable.content_hash,
        "classification": cable.classification, "source": cable.source_name,
        "links": [(link.id, link.name, link.status, link.party_id) for link in links],
        "drafts": [(d.id, d.kind, d.paragraph, d.text, d.status, d.stale_since_version) for d in found],
    }  # fmt: skip


@pytest.fixture
def stored(session, cable_files):
    result = ingest.ingest_paths(session, OPERATOR, [cable_files[REF]])[0]
    assert (result["outcome"], result["version"]) == ("stored", 1)
    session.commit()
    return result


def test_a_truncated_copy_is_a_pending_version_and_the_stored_cable_keeps_everything(session, stored, cable_files,
                                                                                   tmp_path):  # fmt: skip
    before = snapshot(session)
    assert (len(before["paragraphs"]), len(before["links"]), len(before["drafts"])) == (9, 9, 17)
    result = ingest.ingest_paths(session, OPERATOR, [truncated(cable_files, tmp_path)])[0]
    session.commit()
    assert result["outcome"] == "pending_version" and result["version"] == 2 and result["current_version"] == 1
    assert "section break(s) 2 of 2 not found" in " ".join(result["warnings"])
    assert result["diff"]["paragraphs_removed"] == 7 and "accept-version" in result["reason"]
    assert snapshot(session) == before  # not one paragraph, link or draft lost or changed
    version = session.scalars(select(CableVersion).where(CableVersion.number == 2)).one()
    assert (version.status, version.paragraph_count, version.origin) == ("pending", 2, "ingest")
    assert version.raw == truncated(cable_files, tmp_path).read_bytes() and version.created_by == OPERATOR.actor
    assert (version.classification, version.releasability) == ("SECRET", "USA")
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "cable")).all()
    assert actions == ["cable.ingest", "cable.version_pending"]


def test_a_changed_copy_with_as_many_paragraphs_is_pending_too(session, stored, cable_files, tmp_path):
    before = snapshot(session)
    changed = tmp_path / "1900-edited.txt"
    changed.write_text(cable_files[REF].read_text(encoding="utf-8").replace("immediately", "soon"), encoding="utf-8")
    result = ingest.ingest_paths(session, OPERATOR, [changed])[0]
    assert result["outcome"] == "pending_version" and result["diff"]["paragraphs_changed"] >= 1
    assert result["diff"]["paragraphs_removed"] == result["diff"]["paragraphs_added"] == 0
    assert snapshot(session) == before


def test_the_same_file_again_is_unchanged_whichever_version_it_matches(session, stored, cable_files, tmp_path):
    cut = truncated(cable_files, tmp_path)
    assert ingest.ingest_paths(session, OPERATOR, [cut])[0]["outcome"] == "pending_version"
    again = ingest.ingest_paths(session, OPERATOR, [cable_files[REF], cut])
    assert [(r["outcome"], r["version"]) for r in again] == [("unchanged", 1), ("unchanged", 2)]
    assert "pending" in again[1]["reason"]
    # Line endings are not content: the same cable with CRLF line ends is the same file.
    crlf = tmp_path / "1900-crlf.txt"
    crlf.write_bytes(cable_files[REF].read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert ingest.ingest_paths(session, OPERATOR, [crlf])[0]["outcome"] == "unchanged"
    assert session.scalar(select(func.count()).select_from(CableVersion)) == 2


def test_versions_are_listed_with_status_hash_paragraphs_warnings_and_who(session, stored, cable_files, tmp_path):
    ingest.ingest_paths(session, OPERATOR, [truncated(cable_files, tmp_path)])
    listed = review.list_versions(session, OPERATOR, REF.lower())
    assert [(v["number"], v["status"], v["paragraph_count"]) for v in listed] == [(1, "current", 9), (2, "pending", 2)]
    assert all(len(v["content_hash"]) == 64 and v["created_by"] == OPERATOR.actor for v in listed)
    assert listed[1]["diff"]["paragraphs_removed"] == 7 and listed[1]["diff"]["new_warnings"]
    assert listed[0]["diff"] is None  # the current version is what the others are compared with
    assert "raw" not in listed[0] and "data" not in listed[0]
    with pytest.raises(NotFound):
        review.list_versions(session, CONFIDENTIAL_ANALYST, REF)  # a SECRET cable: not there for them
    assert [v["number"] for v in review.list_versions(session, AUDITOR, REF)] == [1, 2]  # auditors read


def test_accepting_rederives_and_keeps_decisions_and_drafts_it_no_longer_yields(session, stored, cable_files,
                                                                                 tmp_path):  # fmt: skip
    open_drafts = drafts.list_drafts(session, OPERATOR, reference_id=REF)
    late = [next(d for d in open_drafts if d["paragraph"] == 4 and d["kind"] == "offer"),
            next(d for d in open_drafts if d["paragraph"] == 9 and d["kind"] == "offer")]  # fmt: skip
    drafts.confirm_draft(session, OPERATOR, late[0]["id"])
    drafts.discard_draft(session, OPERATOR, late[1]["id"], "general")
    ingest.ingest_paths(session, OPERATOR, [truncated(cable_files, tmp_path)])
    session.commit()
    before = snapshot(session)

    with pytest.raises(Refused):
        review.accept_version(session, PARTNER, REF, 2)
    with pytest.raises(NotFound):
        review.accept_version(session, CONFIDENTIAL_ANALYST, REF, 2)
    with pytest.raises(NotFound):
        review.accept_version(session, OPERATOR, REF, 9)
    with pytest.raises(Refused, match="already current"):
        review.accept_version(session, OPERATOR, REF, 1)

    result = review.accept_version(session, OPERATOR, REF, 2, note="the full copy was wrong")
    session.commit()
    assert (result["version"], result["superseded"]) == (2, 1)
    after = snapshot(session)
    assert len(after["paragraphs"]) == 2
    old_ids = {d[0] for d in before["drafts"]}
    assert old_ids <= {d[0] for d in after["drafts"]}  # no draft deleted
    by_id = {d[0]: d for d in after["drafts"]}
    assert by_id[late[0]["id"]][4] == "confirmed" and by_id[late[1]["id"]][4] == "discarded"
    stale = [d for d in after["drafts"] if d[5] == 2]
    assert {d[0] for d in after["drafts"] if d[2] >= 3} <= {d[0] for d in stale}  # paragraphs it no longer has
    assert {d[4] for d in stale} >= {"draft"} and result["drafts_flagged"] == len(stale)
    versions = {v["number"]: v for v in review.list_versions(session, OPERATOR, REF)}
    assert (versions[1]["status"], versions[2]["status"]) == ("superseded", "current")
    assert versions[2]["accepted_by"] == OPERATOR.actor and versions[1]["superseded_at"]
    assert len(review.get_version(session, OPERATOR, REF, 1)["data"]["paragraphs"]) == 9  # still readable
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "cable.version_accept")).one()
    assert entry.reason == "the full copy was wrong" and entry.actor == OPERATOR.actor

    # Back to version 1: its drafts are yielded again (not doubled, flags cleared); those only the cut
    # copy yielded (its last, cut sentence) are kept in turn, flagged as not in version 1.
    review.accept_version(session, OPERATOR, REF, 1)
    session.commit()
    back = snapshot(session)
    assert back["paragraphs"] == before["paragraphs"] and len(back["links"]) == len(before["links"])
    assert [d for d in back["drafts"] if d[0] in old_ids] == before["drafts"]
    assert all(d[5] == 1 for d in back["drafts"] if d[0] not in old_ids)


def test_reparse_keeps_the_old_version_and_a_reparse_yielding_less_waits_for_an_analyst(session, stored, monkeypatch):
    assert [r["outcome"] for r in review.reparse(session, OPERATOR, [REF])] == ["unchanged"]
    original = ingest.parse_bytes

    def better(data, name):  # a parser improvement that reads one more paragraph
        cable = original(data, name)
        cable.paragraphs.append(type(cable.paragraphs[0])(10, "S", "A tenth paragraph the old parser missed."))
        return cable

    monkeypatch.setattr(ingest, "parse_bytes", better)
    result = review.reparse(session, OPERATOR, all_cables=True)[0]
    assert (result["outcome"], result["version"]) == ("reparsed", 2)
    assert len(snapshot(session)["paragraphs"]) == 10
    assert [v["status"] for v in review.list_versions(session, OPERATOR, REF)] == ["superseded", "current"]

    def worse(data, name):  # a parser change that loses paragraphs
        cable = original(data, name)
        del cable.paragraphs[3:]
        return cable

    monkeypatch.setattr(ingest, "parse_bytes", worse)
    held = review.reparse(session, OPERATOR, [REF])[0]
    assert held["outcome"] == "pending_version" and held["version"] == 3 and "paragraphs 10 → 3" in held["reason"]
    assert len(snapshot(session)["paragraphs"]) == 10  # the current version stays
    assert review.reparse(session, OPERATOR, [REF])[0]["outcome"] == "unchanged"  # held already
    with pytest.raises(Refused):
        review.reparse(session, PARTNER, [REF])
    assert review.reparse(session, OPERATOR, ["07NOSUCH1"])[0]["outcome"] == "refused"
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("cable.%"))).all()
    assert actions.count("cable.reparse") == 1 and actions.count("cable.version_pending") == 1


def test_a_version_kept_without_its_file_gets_it_from_the_same_file(session, stored, cable_files):
    version = session.scalars(select(CableVersion)).one()
    version.raw, version.content_hash, version.origin = None, None, "migration"  # as migration 0008 leaves it
    session.commit()
    assert review.reparse(session, OPERATOR, [REF])[0]["outcome"] == "refused"  # nothing to reparse yet
    result = ingest.ingest_paths(session, OPERATOR, [cable_files[REF]])[0]
    assert (result["outcome"], result["version"]) == ("unchanged", 1)
    session.expire_all()
    version = session.scalars(select(CableVersion)).one()
    assert version.raw == cable_files[REF].read_bytes() and len(version.content_hash) == 64


def test_the_api_reports_pending_versions_lists_and_accepts_them(session, cable_files):
    client = TestClient(app)
    analyst = bearer_headers(session, "analyst1")
    partner = bearer_headers(session, "partner1", role="partner_officer", organization="USA")
    auditor = bearer_headers(session, "auditor1", role="auditor")
    raw = cable_files[REF].read_bytes()

    def upload(data: bytes):
        return client.post("/cables", headers=analyst, files=[("files", ("1900.txt", io.BytesIO(data)))])

    assert upload(raw).json()["stored"] == 1
    pending = upload(raw[: len(raw) // 3])
    assert pending.status_code == 201 and pending.json()["pending_version"] == 1
    assert pending.json()["results"][0]["outcome"] == "pending_version"
    listed = client.get(f"/cables/{REF}/versions", headers=auditor)
    assert listed.status_code == 200 and [v["status"] for v in listed.json()["results"]] == ["current", "pending"]
    assert client.get("/cables/07NOSUCH1/versions", headers=analyst).status_code == 404
    assert client.post(f"/cables/{REF}/versions/2/accept", headers=partner).status_code == 403
    assert client.post(f"/cables/{REF}/versions/2/accept", headers=auditor).status_code == 403
    assert client.post(f"/cables/{REF}/versions/7/accept", headers=analyst).status_code == 404
    assert client.post(f"/cables/{REF}/versions/0/accept", headers=analyst).status_code == 422
    accepted = client.post(f"/cables/{REF}/versions/2/accept", headers=analyst, json={"note": "checked"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["version"] == 2
    assert client.post(f"/cables/{REF}/versions/2/accept", headers=analyst).status_code == 409  # already current
    assert len(client.get(f"/cables/{REF}", headers=analyst).json()["data"]["paragraphs"]) == 2


def test_the_cli_ingests_lists_accepts_and_reparses(db, cable_files, tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["cables", "ingest", str(cable_files[REF])]).exit_code == 0
    cut = runner.invoke(cli, ["cables", "ingest", str(truncated(cable_files, tmp_path)), "--json"])
    assert cut.exit_code == 0, cut.output
    assert json.loads(cut.stdout)[0]["outcome"] == "pending_version"
    table = runner.invoke(cli, ["cables", "ingest", str(truncated(cable_files, tmp_path, 0.5, "half.txt"))])
    assert "pending_version" in table.stdout and "1 pending_version" in table.stdout
    listed = runner.invoke(cli, ["cables", "versions", REF, "--json"])
    assert [v["status"] for v in json.loads(listed.stdout)] == ["current", "pending", "pending"]
    shown = runner.invoke(cli, ["cables", "versions", REF])
    assert shown.exit_code == 0 and "pending" in shown.stdout and "section break" in shown.stdout
    accepted = runner.invoke(cli, ["cables", "accept-version", REF, "3"])
    assert accepted.exit_code == 0 and "version 3 of 07BEIJING1900 is current" in accepted.stdout
    assert runner.invoke(cli, ["cables", "accept-version", REF, "3"]).exit_code == 1
    reparsed = runner.invoke(cli, ["cables", "reparse", "--all", "--json"])
    assert reparsed.exit_code == 0 and json.loads(reparsed.stdout)[0]["outcome"] == "unchanged"
    assert runner.invoke(cli, ["cables", "reparse"]).exit_code != 0  # neither references nor --all


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0008_gives_every_stored_cable_its_version_1(backend, cable_files, tmp_path):
    from sqlalchemy import insert

    from goodpath.core.db import get_engine
    from goodpath.core.migrate import upgrade
    from tests.conftest import _postgres_schema_url

    urls = iter([f"sqlite:///{tmp_path / 'old.db'}"]) if backend == "sqlite" else _postgres_schema_url()
    for url in urls:
        upgrade(url, "0007")
        data = ingest.parse_bytes(cable_files[REF].read_bytes(), "1900.txt").to_dict()
        with get_engine(url).begin() as connection:
            connection.execute(insert(StoredCable.__table__).values(
                reference_id=REF, data=data, text="", content_hash=ingest.content_hash(data), caveats=[], tags=[],
                tag_index="", source_name="1900.txt", ingested_by="someone", ingested_at=func.now(),
                updated_at=func.now(), classification="SECRET", releasability="USA", originator="USA", published=False,
            ))  # fmt: skip
        upgrade(url, "0008")
        session = new_session(url)
        try:
            version = session.scalars(select(CableVersion)).one()
            assert (version.number, version.status, version.origin, version.raw) == (1, "current", "migration", None)
            assert version.data == data and version.paragraph_count == 9 and version.created_by == "someone"
            assert (version.classification, version.releasability) == ("SECRET", "USA")
            assert version.data_hash == ingest.content_hash(data) and version.warnings == data["warnings"]
        finally:
            session.close()
            get_engine(url).dispose()


def test_the_database_holds_one_current_version_per_cable(session, stored, cable_files, tmp_path):
    from sqlalchemy.exc import IntegrityError

    ingest.ingest_paths(session, OPERATOR, [truncated(cable_files, tmp_path)])
    session.commit()
    pending = session.scalars(select(CableVersion).where(CableVersion.status == "pending")).one()
    pending.status = "current"  # as a second analyst's accept racing the first would leave it
    with pytest.raises(IntegrityError):
        session.flush()
