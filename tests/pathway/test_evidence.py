"""The evidence store (pathway/evidence.py): documents uploaded once, hashed, marked, versioned and
linked; the notice period of a relief recorded with a congress_notice document; the API, the CLI,
and property tests."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from goodpath.access.policy import Role, Viewer
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.pathway import evidence, proposals, timeline
from goodpath.pathway import relief as relief_life
from goodpath.pathway.models import EvidenceDocument, EvidenceLink, EvidenceVersion, PathwayProposal, PathwayRelief
from goodpath.pathway.workdays import notice_effective
from tests.pathway.conftest import (
    ANALYST,
    APPROVER,
    COMPANY,
    OTHER_COMPANY,
    add_company,
    determination,
    move,
    walk_to_monitoring,
)

CONFIDENTIAL = Viewer(Role.ANALYST, Classification.CONFIDENTIAL, "USA", 7, "analyst-conf")
PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 8, "partner")
PDF = b"%PDF-1.4 ICP manual of ACME, chapter 1"


def put(session, content=PDF, viewer=ANALYST, **kwargs) -> EvidenceVersion:
    fields = {"party_id": "acme", "kind": "icp_manual", "title": "ICP manual", "filename": "icp.pdf"} | kwargs
    version = evidence.upload(session, viewer, content=content, **fields)
    session.commit()
    return version


def counts(session) -> tuple:
    return tuple(session.scalar(select(func.count()).select_from(m))
                 for m in (EvidenceDocument, EvidenceVersion, EvidenceLink, AuditEntry))  # fmt: skip


# --- uploading ----------------------------------------------------------------------------------------


def test_upload_hashes_and_numbers_the_first_version(session, company):
    version = put(session, note="as received")
    assert (version.version, version.size, version.sha256) == (1, len(PDF), hashlib.sha256(PDF).hexdigest())
    assert version.media_type == "application/pdf" and version.already_stored is False
    document = session.get(EvidenceDocument, version.document_id)
    assert (document.kind, document.title, document.party_id, document.classification) == (
        "icp_manual", "ICP manual", "acme", "UNCLASSIFIED")  # fmt: skip
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.upload")).one()
    assert version.sha256 in entry.after and "content" not in json.loads(entry.after)  # the hash, not the bytes
    found = evidence.get_version_content(session, ANALYST, document.id, 1)
    assert (found["content"], found["sha256"], found["filename"]) == (PDF, version.sha256, "icp.pdf")


def test_the_same_bytes_are_stored_once(session, company):
    first = put(session)
    before = counts(session)
    again = put(session, title="another title", filename="copy.pdf")
    assert again.id == first.id and again.already_stored is True
    assert counts(session) == before  # nothing stored, nothing audited
    # another company's copy is another document (and a document of no company too)
    add_company(session, "other")
    assert put(session, party_id="other").id != first.id
    assert put(session, party_id=None, kind="other").id != first.id


def test_versions_follow_each_other_and_identical_latest_is_refused(session, company):
    first = put(session)
    second = put(session, b"revised manual", document_id=first.document_id, filename="icp-v2.pdf", kind=None,
                 title=None)  # fmt: skip
    assert (second.document_id, second.version) == (first.document_id, 2)
    before = counts(session)
    with pytest.raises(Refused, match="identical to version 2"):
        evidence.upload(session, ANALYST, document_id=first.document_id, filename="x.pdf", content=b"revised manual")
    session.rollback()
    assert counts(session) == before
    # going back to the first text is a new version (an explicit act)
    third = put(session, PDF, document_id=first.document_id, kind=None, title=None)
    assert third.version == 3
    shown = evidence.get_document(session, ANALYST, first.document_id)
    assert [v["version"] for v in shown["versions"]] == [1, 2, 3]
    with pytest.raises(GoodpathError, match="keeps its kind"):
        evidence.upload(session, ANALYST, document_id=first.document_id, kind="audit_report", filename="a",
                        content=b"z")  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"content": b""}, GoodpathError, "the file is empty"),
        ({"kind": "gossip"}, GoodpathError, "kind must be one of icp_manual, audit_report, determination, congress"),
        ({"title": " "}, GoodpathError, "a title is required"),
        ({"filename": "/"}, GoodpathError, "the file needs a name"),
        ({"classification": "TOP SECRET"}, GoodpathError, "classification must be one of"),
        ({"party_id": "nobody"}, NotFound, "no party 'nobody'"),
        ({"document_id": 999}, NotFound, "no document 999"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(session, company, fields, error, message):
    before = counts(session)
    with pytest.raises(error, match=message):
        evidence.upload(session, ANALYST, **({"party_id": "acme", "kind": "other", "title": "t", "filename": "f.txt",
                                              "content": b"x"} | fields))  # fmt: skip
    session.rollback()
    assert counts(session) == before


def test_over_25_mb_is_refused(session, company, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_BYTES", 10)
    with pytest.raises(GoodpathError, match="at most 0 MB may be uploaded"):
        put(session, b"x" * 11)
    assert evidence.MAX_BYTES == 10 and put(session, b"x" * 10).size == 10


def test_the_document_takes_the_highest_marking_of_its_versions(session, company):
    first = put(session)
    with pytest.raises(GoodpathError, match="above your clearance"):
        evidence.upload(session, CONFIDENTIAL, document_id=first.document_id, filename="s.pdf", content=b"s",
                        classification="SECRET")  # fmt: skip
    session.rollback()
    put(session, b"secret annex", document_id=first.document_id, classification="SECRET", kind=None, title=None)
    document = session.get(EvidenceDocument, first.document_id)
    assert document.classification == "SECRET"
    assert "evidence.document.classification" in session.scalars(select(AuditEntry.action)).all()
    # a CONFIDENTIAL reader sees neither the document nor its SECRET version
    assert evidence.list_documents(session, CONFIDENTIAL) == []
    with pytest.raises(NotFound):
        evidence.get_document(session, CONFIDENTIAL, first.document_id)
    with pytest.raises(NotFound):
        evidence.get_version_content(session, CONFIDENTIAL, first.document_id, 2)
    # the same bytes, as the CONFIDENTIAL analyst uploads them, are stored anew (the SECRET copy is not theirs)
    mine = put(session, b"secret annex", viewer=CONFIDENTIAL, kind="other", title="annex")
    assert mine.already_stored is False and mine.document_id != first.document_id
    listed = evidence.list_documents(session, ANALYST, party="acme")
    assert [(d["id"], d["versions"]) for d in listed] == [(first.document_id, 2), (mine.document_id, 1)]


def test_a_confidential_reader_sees_only_the_versions_it_may(session, company):
    doc = put(session, b"v1 confidential", classification="CONFIDENTIAL", kind="audit_report", title="audit")
    put(session, b"v2 for USA and CHN", document_id=doc.document_id, releasability="USA,CHN", kind=None, title=None)
    assert [v["version"] for v in evidence.get_document(session, CONFIDENTIAL, doc.document_id)["versions"]] == [1, 2]
    # the partner reads neither: the document is releasable to USA only
    with pytest.raises(NotFound):
        evidence.get_document(session, PARTNER, doc.document_id)


def test_a_company_officer_uploads_for_its_own_company_only(session, company):
    add_company(session, "x", share="ACME")
    session.commit()
    own = put(session, b"our ICP manual", viewer=COMPANY, party_id="acme")
    assert own.releasability == "ACME,USA" and own.originator == "ACME"
    assert evidence.get_document(session, ANALYST, own.document_id)["party_id"] == "acme"  # the host reads it
    with pytest.raises(NotFound, match="no party 'x'"):
        put(session, b"theirs", viewer=COMPANY, party_id="x")
    session.rollback()
    with pytest.raises(Refused, match="may upload only icp_manual, audit_report, disclosure, other"):
        put(session, b"notice", viewer=COMPANY, kind="congress_notice")
    session.rollback()
    with pytest.raises(GoodpathError, match="your own company"):
        put(session, b"nobody's", viewer=COMPANY, party_id=None)
    session.rollback()
    with pytest.raises(Refused, match="permission to upload evidence"):
        put(session, b"partner", viewer=PARTNER)
    session.rollback()
    # another company's officer does not see it, nor can add a version to it
    assert evidence.list_documents(session, OTHER_COMPANY) == []
    with pytest.raises(NotFound):
        evidence.upload(session, OTHER_COMPANY, document_id=own.document_id, filename="a", content=b"b")
    session.rollback()
    # an analyst's document for the company stays the analyst's organization's unless shared
    put(session, b"analyst note", kind="meeting_record", title="minutes")
    assert [d["id"] for d in evidence.list_documents(session, COMPANY)] == [own.document_id]
    second = put(session, b"our ICP manual v2", viewer=COMPANY, document_id=own.document_id, party_id=None, kind=None,
                 title=None)  # fmt: skip
    assert second.version == 2 and second.releasability == "ACME,USA"


# --- links ---------------------------------------------------------------------------------------------


def test_proposal_references_to_documents_are_checked_and_linked(session, company):
    v1 = put(session)
    v2 = put(session, b"second", document_id=v1.document_id, kind=None, title=None)
    minutes = put(session, b"minutes", kind="meeting_record", title="minutes")
    add_company(session, "other")
    theirs = put(session, b"theirs", party_id="other")
    before = counts(session)
    for bad, error in [("document:999", NotFound), (f"document:{v1.document_id}@v9", NotFound),
                       (f"document:{theirs.document_id}", GoodpathError),
                       ({"kind": "document", "id": "abc"}, GoodpathError)]:  # fmt: skip
        with pytest.raises(error):
            proposals.propose(session, ANALYST, "acme", to_stage="invited", rationale="r", evidence=[bad],
                              effective_on="2003-09-01")  # fmt: skip
        session.rollback()
        assert counts(session) == before
    proposal = proposals.propose(
        session, ANALYST, "acme", to_stage="invited", rationale="talks", effective_on="2003-09-01",
        evidence=[f"document:{v1.document_id}", f"document:{v1.document_id}@v1", "cable 03BEIJING1",
                  {"kind": "document", "id": minutes.document_id, "version": 1}],
    )  # fmt: skip
    session.commit()
    given = [e for e in proposal.evidence if e.get("given")]
    assert [(e["kind"], e.get("id"), e.get("version")) for e in given] == [
        ("document", v1.document_id, 2), ("document", v1.document_id, 1), ("reference", None, None),
        ("document", minutes.document_id, 1)]  # fmt: skip
    assert given[0]["sha256"] == v2.sha256 and "title" not in given[0]
    links = session.scalars(select(EvidenceLink).where(EvidenceLink.proposal_id == proposal.id)).all()
    assert sorted(link.version_id for link in links) == sorted([v1.id, v2.id, minutes.id])
    shown = evidence.get_document(session, ANALYST, v1.document_id)
    assert shown["versions"][1]["links"][0]["proposal_id"] == proposal.id
    view = timeline.pathway(session, ANALYST, "acme")
    entry = next(e for e in view["timeline"] if e["type"] == "proposal")
    assert {d["version_id"] for d in entry["documents"]} == {v1.id, v2.id, minutes.id}
    # the link route: a version to a proposal, once
    with pytest.raises(Refused, match="already linked"):
        evidence.link(session, ANALYST, v1.id, proposal_id=proposal.id)
    session.rollback()
    with pytest.raises(GoodpathError, match="another company's"):
        evidence.link(session, ANALYST, theirs.id, proposal_id=proposal.id)
    session.rollback()
    with pytest.raises(GoodpathError, match="one of proposal_id, relief_id"):
        evidence.link(session, ANALYST, v1.id)
    with pytest.raises(GoodpathError, match="record_notice"):
        evidence.link(session, ANALYST, v1.id, proposal_id=proposal.id, purpose="notice")
    with pytest.raises(Refused, match="permission to link"):
        evidence.link(session, COMPANY, v1.id, proposal_id=proposal.id)
    made = evidence.link(session, ANALYST, v1.id, proposal_id=proposal.id, purpose="publication")
    session.commit()
    assert made.purpose == "publication"
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.link")).all()


# --- the notice period of a relief --------------------------------------------------------------------


def grant(session, sanction, measure="import_ban", route="national_security_waiver", on="2005-08-01"):
    relief = {"sanction_id": sanction.id, "measure": measure, "route_code": route}
    proposal = proposals.propose(session, ANALYST, "acme", rationale="waiver", effective_on=on, relief=relief,
                                 evidence=[determination(session)])  # fmt: skip
    proposals.approve(session, APPROVER, proposal.id)
    session.commit()
    return session.scalars(select(PathwayRelief).where(PathwayRelief.proposal_id == proposal.id)).one()


def relief_snapshot(session, relief) -> tuple:
    session.refresh(relief)
    return relief.status, relief.notice_on, relief.notice_version_id, relief.effective_on, counts(session)


def test_a_relief_with_a_notice_route_waits_for_its_notice(session, missile_sanction):
    walk_to_monitoring(session)
    move(session, "recognized", "2005-07-01")
    relief = grant(session, missile_sanction)
    # granted, not in effect: the estimate is notice given on the approval day (45 working days)
    assert (relief.status, relief.effective_on, relief.notice_on) == ("awaiting_notice", date(2005, 10, 5), None)
    assert not relief_life.in_effect(relief, date(2030, 1, 1))
    assert (missile_sanction.id, "import_ban") in relief_life.relieved_measures(session, "acme")
    view = timeline.pathway(session, ANALYST, "acme")
    assert [(r["status"], r["in_effect"], r["notice_on"]) for r in view["reliefs"]] == [
        ("awaiting_notice", False, None)]  # fmt: skip

    notice = put(session, b"Letter to the Speaker and the SFRC chairman", party_id=None, kind="congress_notice",
                 title="Notice to Congress", filename="notice.pdf")  # fmt: skip
    manual = put(session)
    before = relief_snapshot(session, relief)
    for args, error, message in [
        (("2005-08-15", manual.id), GoodpathError, "must be a congress_notice document; document .* is a icp_manual"),
        (("2005-07-31", notice.id), Refused, r"before the relief was approved \(2005-08-01\)"),
        (((date.today() + timedelta(days=2)).isoformat(), notice.id), GoodpathError, "is in the future"),
        (("2005-08-15", 99999), NotFound, "no document version"),
        (("15/08/2005", notice.id), GoodpathError, "YYYY-MM-DD"),
    ]:
        with pytest.raises(error, match=message):
            relief_life.record_notice(session, ANALYST, relief.id, *args)
        session.rollback()
        assert relief_snapshot(session, relief) == before, args
    with pytest.raises(Refused, match="permission to record the notice"):
        relief_life.record_notice(session, COMPANY, relief.id, "2005-08-15", notice.id)
    session.rollback()

    recorded = relief_life.record_notice(session, ANALYST, relief.id, "2005-08-15", notice.id)
    session.commit()
    effective = notice_effective(date(2005, 8, 15), 45, "working_days")
    assert effective == date(2005, 10, 20)  # Labor Day and Columbus Day fall in the 45 working days
    assert (recorded.status, recorded.notice_on, recorded.notice_version_id, recorded.effective_on) == (
        "active", date(2005, 8, 15), notice.id, effective)  # fmt: skip
    assert not relief_life.in_effect(recorded, effective - timedelta(days=1))
    assert relief_life.in_effect(recorded, effective) and relief_life.in_effect(recorded)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "pathway.relief.notice")).one()
    assert json.loads(entry.before)["status"] == "awaiting_notice" and "2005-08-15" in entry.reason
    view = timeline.pathway(session, ANALYST, "acme")
    row = view["reliefs"][0]
    assert (row["in_effect"], row["notice_on"]) == (True, "2005-08-15")
    assert [(d["document_id"], d["purpose"]) for d in row["documents"]] == [(notice.document_id, "notice")]

    # recording again replaces the date and the document
    later = put(session, b"Corrected letter", party_id="acme", kind="congress_notice", title="corrected")
    again = relief_life.record_notice(session, ANALYST, relief.id, date(2005, 9, 1), later.id)
    session.commit()
    assert (again.notice_on, again.notice_version_id) == (date(2005, 9, 1), later.id)
    assert again.effective_on == notice_effective(date(2005, 9, 1), 45, "working_days")
    notices = session.scalars(select(EvidenceLink).where(EvidenceLink.relief_id == relief.id)).all()
    assert [(n.version_id, n.purpose) for n in notices] == [(later.id, "notice")]
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "evidence.unlink")).all()
    # a notice of another company is refused
    add_company(session, "other")
    theirs = put(session, b"their notice", party_id="other", kind="congress_notice", title="n")
    with pytest.raises(GoodpathError, match="another company's notice"):
        relief_life.record_notice(session, ANALYST, relief.id, "2005-09-02", theirs.id)


def test_a_relief_without_notice_is_active_at_once_and_takes_no_notice(session, missile_sanction):
    walk_to_monitoring(session)
    move(session, "recognized", "2005-07-01")
    relief = grant(session, missile_sanction, route="product_waiver")
    assert relief.status == "active" and relief_life.in_effect(relief, relief.effective_on)
    notice = put(session, b"letter", party_id=None, kind="congress_notice", title="n")
    with pytest.raises(Refused, match="requires no notice"):
        relief_life.record_notice(session, ANALYST, relief.id, "2005-08-15", notice.id)


# --- API ------------------------------------------------------------------------------------------------


def test_api_upload_versions_list_show_download_link_and_notice(session, missile_sanction):
    from fastapi.testclient import TestClient

    from goodpath.api import app
    from tests.factories import bearer_headers

    analyst = bearer_headers(session, "ana", "analyst")
    conf = bearer_headers(session, "conf", "analyst", "CONFIDENTIAL")
    officer = bearer_headers(session, "officer", "company_officer", "UNCLASSIFIED", "ACME", company="acme")
    partner = bearer_headers(session, "partner", "partner_officer", "CONFIDENTIAL", "CHN")
    client = TestClient(app)

    def upload(headers, content=b"%PDF manual", **form):
        data = {"party": "acme", "kind": "icp_manual", "title": "ICP manual"} | form
        return client.post("/evidence", data=data, files={"file": ("Manual ü.pdf", content, "application/pdf")},
                           headers=headers)  # fmt: skip

    assert upload({}).status_code == 401
    assert upload(partner).status_code == 403
    made = upload(analyst, note="from the company")
    assert made.status_code == 201, made.text
    body = made.json()
    doc_id, sha = body["document"]["id"], body["version"]["sha256"]
    assert body["already_stored"] is False and sha == hashlib.sha256(b"%PDF manual").hexdigest()
    again = upload(analyst)
    assert again.status_code == 200 and again.json()["already_stored"] and "already stored" in again.json()["message"]
    assert upload(analyst, kind="gossip").status_code == 422
    assert upload(analyst, content=b"").status_code == 422
    assert upload(officer, content=b"own", kind="congress_notice").status_code == 409
    assert upload(officer, content=b"own manual").status_code == 201
    assert upload(officer, content=b"not ours", party="p-unknown").status_code == 404

    url = f"/evidence/{doc_id}/versions"
    secret = client.post(url, data={"classification": "SECRET"}, files={"file": ("v2.pdf", b"secret v2")},
                         headers=analyst)  # fmt: skip
    assert secret.status_code == 201 and secret.json()["version"]["version"] == 2
    same = client.post(url, files={"file": ("v2.pdf", b"secret v2")}, headers=analyst)
    assert same.status_code == 409 and "identical to version 2" in same.json()["detail"]

    listed = client.get("/evidence", params={"party": "acme"}, headers=analyst).json()
    assert listed["total"] == 2
    assert client.get("/evidence", params={"kind": "nope"}, headers=analyst).status_code == 422
    conf_sees = [d["id"] for d in client.get("/evidence", headers=conf).json()["results"]]
    assert doc_id not in conf_sees and len(conf_sees) == 1  # the document is SECRET now; the company's is not
    assert client.get(f"/evidence/{doc_id}", headers=conf).status_code == 404
    shown = client.get(f"/evidence/{doc_id}", headers=analyst).json()
    assert [v["version"] for v in shown["versions"]] == [1, 2] and "content" not in shown["versions"][0]
    officer_sees = client.get("/evidence", headers=officer).json()["results"]
    assert [d["title"] for d in officer_sees] == ["ICP manual"] and officer_sees[0]["id"] != doc_id

    content = client.get(f"/evidence/{doc_id}/versions/1/content", headers=analyst)
    assert content.status_code == 200 and content.content == b"%PDF manual"
    assert content.headers["x-content-sha256"] == sha
    assert content.headers["content-type"] == "application/pdf"
    assert "attachment" in content.headers["content-disposition"] and "Manual%20%C3%BC.pdf" in content.headers[
        "content-disposition"]  # fmt: skip
    assert client.get(f"/evidence/{doc_id}/versions/9/content", headers=analyst).status_code == 404
    assert client.get(f"/evidence/{doc_id}/versions/1/content", headers=conf).status_code == 404

    walk_to_monitoring(session)
    move(session, "recognized", "2005-07-01")
    relief = grant(session, missile_sanction)
    notice = upload(analyst, content=b"notice letter", kind="congress_notice", title="Notice", party="")
    version_id = notice.json()["version"]["id"]
    linked = client.post(f"/evidence/versions/{version_id}/links", json={"relief_id": relief.id}, headers=analyst)
    assert linked.status_code == 201 and linked.json()["purpose"] == "supports"
    assert client.post(f"/evidence/versions/{version_id}/links", json={"relief_id": relief.id},
                       headers=officer).status_code == 403  # fmt: skip
    body = {"notice_on": "2005-08-15", "version_id": version_id}
    assert client.post(f"/pathway/reliefs/{relief.id}/notice", json=body, headers=officer).status_code == 403
    bad = client.post(f"/pathway/reliefs/{relief.id}/notice", json=body | {"version_id": body["version_id"] - 1},
                      headers=analyst)  # fmt: skip
    assert bad.status_code == 422 and "congress_notice" in bad.json()["detail"]
    recorded = client.post(f"/pathway/reliefs/{relief.id}/notice", json=body, headers=analyst)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["status"] == "active" and recorded.json()["effective_on"] == "2005-10-20"
    assert recorded.json()["in_effect"] is True
    view = client.get("/pathway/acme", headers=analyst).json()
    assert view["reliefs"][0]["notice_on"] == "2005-08-15" and len(view["reliefs"][0]["documents"]) == 2


# --- CLI ------------------------------------------------------------------------------------------------


def test_cli_upload_list_show_download_and_notice(session, missile_sanction, tmp_path):
    from typer.testing import CliRunner

    from goodpath.cli import app as cli

    runner = CliRunner()
    source = tmp_path / "notice.pdf"
    source.write_bytes(b"%PDF notice to Congress")
    args = ["pathway", "evidence", "upload", str(source), "--kind", "congress_notice", "--title", "Notice"]
    made = runner.invoke(cli, [*args, "--party", "acme", "--json"])
    assert made.exit_code == 0, made.output
    row = json.loads(made.stdout)
    assert row["version"] == 1 and row["sha256"] == hashlib.sha256(b"%PDF notice to Congress").hexdigest()
    again = runner.invoke(cli, [*args, "--party", "acme"])
    assert again.exit_code == 0 and "already stored" in again.output
    bad = runner.invoke(cli, [*args, "--party", "acme", "--kind", "gossip"])
    assert bad.exit_code == 1 and "kind must be one of" in bad.output
    source.write_bytes(b"%PDF notice, corrected")
    second = runner.invoke(cli, ["pathway", "evidence", "upload", str(source), "--document", str(row["document_id"])])
    assert second.exit_code == 0 and "version 2" in second.output, second.output
    listed = runner.invoke(cli, ["pathway", "evidence", "list", "--party", "acme", "--json"])
    assert [d["versions"] for d in json.loads(listed.stdout)] == [2]
    human = runner.invoke(cli, ["pathway", "evidence", "list"])
    assert "Notice" in human.output and "2 version(s)" in human.output
    shown = runner.invoke(cli, ["pathway", "evidence", "show", str(row["document_id"])])
    assert shown.exit_code == 0 and "v2: notice.pdf" in shown.output
    target = tmp_path / "out.pdf"
    got = runner.invoke(cli, ["pathway", "evidence", "download", str(row["document_id"]), "--version", "1", "-o",
                              str(target)])  # fmt: skip
    assert got.exit_code == 0 and target.read_bytes() == b"%PDF notice to Congress"
    assert runner.invoke(cli, ["pathway", "evidence", "show", "999"]).exit_code == 1

    walk_to_monitoring(session)
    move(session, "recognized", "2005-07-01")
    relief = grant(session, missile_sanction)
    noticed = runner.invoke(cli, ["pathway", "notice", str(relief.id), "--on", "2005-08-15", "--version",
                                  str(row["id"])])  # fmt: skip
    assert noticed.exit_code == 0, noticed.output
    assert "effective 2005-10-20" in noticed.output and "(in effect)" in noticed.output
    refused = runner.invoke(cli, ["pathway", "notice", str(relief.id), "--on", "2005-07-01", "--version",
                                  str(row["id"])])  # fmt: skip
    assert refused.exit_code == 1 and "before the relief was approved" in refused.output


# --- properties -------------------------------------------------------------------------------------------


def _empty(session) -> None:
    session.rollback()
    for model in (EvidenceLink, EvidenceVersion, EvidenceDocument):
        session.query(model).delete()
    session.commit()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contents=st.lists(st.binary(min_size=1, max_size=600), min_size=1, max_size=8))
def test_any_bytes_come_back_as_stored_and_versions_have_no_gaps(session, company, contents):
    _empty(session)
    first = put(session, contents[0], kind="other", title="t", filename="f.bin")
    stored = [contents[0]]
    for content in contents[1:]:
        try:
            put(session, content, document_id=first.document_id, kind=None, title=None, filename="f.bin")
            stored.append(content)
        except Refused:
            session.rollback()
            assert content == stored[-1]  # refused only when identical to the latest
    shown = evidence.get_document(session, ANALYST, first.document_id)
    assert [v["version"] for v in shown["versions"]] == list(range(1, len(stored) + 1))
    for number, content in enumerate(stored, start=1):
        found = evidence.get_version_content(session, ANALYST, first.document_id, number)
        assert found["content"] == content and found["sha256"] == hashlib.sha256(content).hexdigest()
        assert found["size"] == len(content)
    assert all(b != a for a, b in zip(stored, stored[1:], strict=False))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contents=st.lists(st.binary(min_size=1, max_size=64), min_size=1, max_size=10))
def test_uploading_the_same_bytes_again_never_stores_them_twice(session, company, contents):
    _empty(session)
    for content in contents:
        put(session, content, kind="other", title="t")
    assert session.scalar(select(func.count()).select_from(EvidenceVersion)) == len(set(contents))
    assert session.scalar(select(func.count(func.distinct(EvidenceVersion.sha256)))) == len(set(contents))


def test_a_proposal_pending_with_a_document_reference_keeps_its_evidence(session, missile_sanction):
    """A relief proposal naming a document: the reference is pinned to a version and linked."""
    walk_to_monitoring(session)
    move(session, "recognized", "2005-07-01")
    report = put(session, b"audit report 2005", kind="audit_report", title="Audit 2005")
    proposal = proposals.propose(session, ANALYST, "acme", rationale="waiver", effective_on="2005-08-01",
                                 relief={"sanction_id": missile_sanction.id, "measure": "import_ban",
                                         "route_code": "national_security_waiver"},
                                 evidence=[f"document:{report.document_id}"])  # fmt: skip
    session.commit()
    assert proposal.status == "pending"
    stored = session.get(PathwayProposal, proposal.id)
    assert stored.evidence[0] == {"kind": "document", "id": report.document_id, "version": 1, "version_id": report.id,
                                  "sha256": report.sha256, "given": True}  # fmt: skip


def test_nobody_stores_what_they_could_not_read_back(session, company):
    before = counts(session)
    with pytest.raises(GoodpathError, match="could not read this document back"):
        put(session, releasability="CHN")
    session.rollback()
    assert counts(session) == before
