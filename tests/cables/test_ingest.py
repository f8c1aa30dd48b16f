"""Cable ingestion: files, folders and zip archives stored with their classification, idempotent
by reference id, bad files refused with their reason and nothing else lost."""

from __future__ import annotations

import zipfile

import pytest
from sqlalchemy import func, select

from goodpath.access.policy import Role, Viewer
from goodpath.cables import ingest, review
from goodpath.cables.models import CableDraft, CableLink, StoredCable
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from goodpath.core.errors import NotFound, Refused
from goodpath.core.models import Classification
from goodpath.demo import service as demo
from tests.factories import OPERATOR

CONFIDENTIAL_ANALYST = Viewer(Role.ANALYST, Classification.CONFIDENTIAL, "USA", 7, "analyst-conf")
PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 8, "partner")


@pytest.fixture
def engagement_parties(db):
    """The curated parties of the seed cables (NORINCO, CGWIC, CEIEC, ...) as a screening list."""
    demo.load_engagement(lambda: new_session(db), "tester")


def outcomes(results: list[dict]) -> dict[str, str]:
    return {r["reference_id"] or r["file"]: r["outcome"] for r in results}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_files_are_stored_with_their_classification_and_fields(session, cable_files):
    results = ingest.ingest_paths(session, OPERATOR, list(cable_files.values()))
    session.commit()
    assert outcomes(results) == {"07BEIJING1900": "stored", "07BEIJING5360": "stored", "07BEIJING1760": "stored"}
    assert [r["file"] for r in results] == [str(p) for p in cable_files.values()]
    stored = {c.reference_id: c for c in session.scalars(select(StoredCable))}
    assert {ref: c.classification for ref, c in stored.items()} == {
        "07BEIJING1900": "SECRET", "07BEIJING5360": "SECRET", "07BEIJING1760": "CONFIDENTIAL",
    }  # fmt: skip
    c5360 = stored["07BEIJING5360"]
    assert (c5360.releasability, c5360.originator) == ("USA", "USA")
    assert c5360.date_time_group == "150929Z AUG 07"
    assert c5360.dated.isoformat() == "2007-08-15"
    assert stored["07BEIJING1900"].dated.isoformat() == "2007-03-21"  # from the DTG: no preamble date
    assert c5360.tags == ["PARM", "PREL", "ETTC", "MTCR", "CH"]
    assert c5360.source_name == cable_files["07BEIJING5360"].name
    assert c5360.data["paragraphs"][0]["number"] == 1
    assert "Zhang pledged to press NORINCO and CGWIC" in c5360.text
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "cable")).all()
    assert sorted(actions) == ["cable.ingest"] * 3


def test_a_folder_and_a_zip_give_the_same_cables(session, cable_files, tmp_path):
    folder = tmp_path / "cables"
    folder.mkdir()
    for path in cable_files.values():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / ".hidden.txt").write_text("ignored")
    from_folder = ingest.ingest_paths(session, OPERATOR, [folder])
    assert sorted(r["outcome"] for r in from_folder) == ["stored"] * 3

    archive = tmp_path / "cables.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in cable_files.values():
            z.write(path, f"inner/{path.name}")
        z.writestr("inner/notes.txt", "meeting notes, not a cable")
        z.writestr("__MACOSX/._junk", b"\x00\x01")
    from_zip = ingest.ingest_paths(session, OPERATOR, [archive])
    assert {r["file"]: r["outcome"] for r in from_zip} == {
        f"{archive}:inner/{cable_files['07BEIJING1760'].name}": "unchanged",
        f"{archive}:inner/{cable_files['07BEIJING1900'].name}": "unchanged",
        f"{archive}:inner/{cable_files['07BEIJING5360'].name}": "unchanged",
        f"{archive}:inner/notes.txt": "refused",
    }
    refused = next(r for r in from_zip if r["outcome"] == "refused")
    assert "not a cable" in refused["reason"] and "/tmp/goodpath-cable" not in refused["reason"]
    assert count(session, StoredCable) == 3


def test_ingesting_again_is_unchanged_and_changed_content_is_a_version_to_accept(session, cable_files, tmp_path):
    first = ingest.ingest_paths(session, OPERATOR, [cable_files["07BEIJING5360"]])
    again = ingest.ingest_paths(session, OPERATOR, [cable_files["07BEIJING5360"]])
    assert (first[0]["outcome"], again[0]["outcome"]) == ("stored", "unchanged")
    drafts_before = count(session, CableDraft)
    changed = tmp_path / "5360-corrected.txt"
    text = cable_files["07BEIJING5360"].read_text(encoding="utf-8")
    changed.write_text(text.replace("responded enthusiastically", "responded warmly"), encoding="utf-8")
    pending = ingest.ingest_paths(session, OPERATOR, [changed])
    assert (pending[0]["outcome"], pending[0]["version"]) == ("pending_version", 2)
    cable = session.scalars(select(StoredCable)).one()
    assert "responded enthusiastically" in cable.text  # not replaced until accepted
    review.accept_version(session, OPERATOR, "07BEIJING5360", 2)
    assert count(session, StoredCable) == 1
    assert "responded warmly" in cable.text and cable.source_name == "5360-corrected.txt"
    assert count(session, CableDraft) == drafts_before  # re-derived, not doubled
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "cable.version_accept")).all()


def test_bad_files_are_refused_with_their_reason_and_nothing_else_is_lost(session, cable_files, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    prose = tmp_path / "prose.txt"
    prose.write_text("Dear colleagues,\nplease find the minutes attached.\n")
    broken_zip = tmp_path / "broken.zip"
    broken_zip.write_bytes(b"PK\x03\x04 truncated")
    paths = [empty, cable_files["07BEIJING1900"], binary, tmp_path / "missing.txt", prose, broken_zip,
             cable_files["07BEIJING1760"]]  # fmt: skip
    results = ingest.ingest_paths(session, OPERATOR, paths)
    session.commit()
    by_file = {r["file"]: r for r in results}
    assert [r["outcome"] for r in results] == ["refused", "stored", "refused", "refused", "refused", "refused",
                                               "stored"]  # fmt: skip
    assert all(r["reason"] for r in results if r["outcome"] == "refused")
    assert "no such file" in by_file[str(tmp_path / "missing.txt")]["reason"]
    assert "zip" in by_file[str(broken_zip)]["reason"]
    assert "not a cable" in by_file[str(prose)]["reason"]
    assert {c for c in session.scalars(select(StoredCable.reference_id))} == {"07BEIJING1900", "07BEIJING1760"}


def test_unmarked_and_top_secret_cables_are_refused(session, cable_files, tmp_path):
    text = cable_files["07BEIJING1900"].read_text(encoding="utf-8")
    top = tmp_path / "ts.txt"
    top.write_text(text.replace("S E C R E T SECTION", "T O P S E C R E T SECTION"), encoding="utf-8")
    results = ingest.ingest_paths(session, OPERATOR, [top])
    assert results[0]["outcome"] == "refused"
    assert "SECRET only" in results[0]["reason"]
    with pytest.raises(Refused, match="no classification"):
        ingest.store(session, OPERATOR, {"reference_id": "07X1", "classification": None, "paragraphs": []}, "x")
    assert count(session, StoredCable) == 0


def test_a_paragraph_marked_above_the_banner_raises_the_cable(session):
    data = {"reference_id": "07TEST1", "classification": "CONFIDENTIAL", "paragraphs": [
        {"number": 1, "marking": "C", "text": "a"}, {"number": 2, "marking": "S", "text": "b"}]}  # fmt: skip
    assert ingest.classification_of(data) == "SECRET"


def test_a_cable_above_the_ingesting_users_clearance_is_refused(session, cable_files):
    results = ingest.ingest_paths(session, CONFIDENTIAL_ANALYST, list(cable_files.values()))
    assert outcomes(results) == {
        str(cable_files["07BEIJING1900"]): "refused", str(cable_files["07BEIJING5360"]): "refused",
        "07BEIJING1760": "stored",
    }  # fmt: skip
    assert all("above your clearance" in r["reason"] for r in results if r["outcome"] == "refused")


def test_access_follows_the_cables_classification(session, cable_files):
    ingest.ingest_paths(session, OPERATOR, list(cable_files.values()))
    session.commit()
    seen = {c["reference_id"] for c in ingest.list_cables(session, CONFIDENTIAL_ANALYST)}
    assert seen == {"07BEIJING1760"}
    with pytest.raises(NotFound) as hidden:
        ingest.detail(session, CONFIDENTIAL_ANALYST, "07BEIJING5360")
    with pytest.raises(NotFound) as never:
        ingest.detail(session, CONFIDENTIAL_ANALYST, "07NOWHERE1")
    assert str(hidden.value).replace("07BEIJING5360", "X") == str(never.value).replace("07NOWHERE1", "X")
    assert ingest.list_cables(session, PARTNER) == []  # releasable to USA only
    shown = ingest.detail(session, CONFIDENTIAL_ANALYST, "07beijing1760")
    assert all(link["classification"] == "CONFIDENTIAL" for link in shown["links"])
    assert count(session, CableLink) > 0


def test_list_filters_by_text_tag_date_and_classification(session, cable_files):
    ingest.ingest_paths(session, OPERATOR, list(cable_files.values()))

    def refs(**kwargs) -> list[str]:
        return [c["reference_id"] for c in ingest.list_cables(session, OPERATOR, **kwargs)]

    assert refs() == ["07BEIJING5360", "07BEIJING1900", "07BEIJING1760"]  # newest first
    assert refs(q="nonpaper") == ["07BEIJING5360"]
    assert refs(q="zhang NONPROLIFERATION") == ["07BEIJING5360", "07BEIJING1900"]
    assert refs(q="Zhang twice") == ["07BEIJING1900"]
    assert refs(q="Liaoning") == ["07BEIJING1760"]
    assert refs(tag="mtcr") == ["07BEIJING5360"]
    assert refs(tag="IR") == ["07BEIJING1900"]
    assert refs(date_from="2007-03-20", date_to="2007-03-31") == ["07BEIJING1900"]
    assert refs(classification="confidential") == ["07BEIJING1760"]
    with pytest.raises(Exception, match="classification must be one of"):
        refs(classification="COSMIC")
    with pytest.raises(Exception, match="from must be a date"):
        refs(date_from="March 2007")
