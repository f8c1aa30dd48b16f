"""ICP assessment: the rubric as data with citations, scoring with evidence, finalizing only
when complete, immutable final assessments, and the pathway engine's evidence."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.engagement import icp
from goodpath.engagement.models import IcpAssessment, IcpElementScore
from tests.engagement.test_dossiers import NORINCO, OFFICER, OTHER_OFFICER, PARTNER, add_parties
from tests.factories import OPERATOR, bearer_headers

EU = [f"EU-{n}" for n in range(1, 8)]
BIS = [f"BIS-{n}" for n in range(1, 9)]


@pytest.fixture
def parties(session):
    add_parties(session)
    return session


def _complete(session, framework: str, scores: list[int], on: str = "2030-01-01", viewer=OPERATOR, **kwargs):
    a = icp.start_assessment(session, viewer, NORINCO, framework, assessed_on=on, share_with=["NORINCO"], **kwargs)
    for code, score in zip(icp.element_codes(framework), scores, strict=True):
        icp.score_element(session, viewer, a.id, code, score, f"seen {code}")
    icp.finalize(session, viewer, a.id, occurred_on=on)
    session.commit()
    return a


def test_the_rubric_has_the_seven_eu_and_eight_bis_elements_with_citations():
    eu, bis = icp.rubric("eu-2019-1318")[0], icp.rubric("bis-ecg")[0]
    assert [e["code"] for e in eu["elements"]] == EU and [e["code"] for e in bis["elements"]] == BIS
    assert "2019/1318" in eu["citation"] and "OJ L 205, 5.8.2019" in eu["citation"]
    assert "January 2017" in bis["citation"] and "legal-rules.md" in bis["citation"]
    assert eu["elements"][3]["title"] == "Transaction screening process and procedures"
    assert bis["elements"][6]["title"] == "Handling export violations and taking corrective actions"
    for element in eu["elements"] + bis["elements"]:
        assert element["citation"] and element["questions"], element["code"]
    assert icp.scale() == {0: "absent", 1: "initial", 2: "established", 3: "effective"}
    with pytest.raises(GoodpathError, match="framework must be one of"):
        icp.rubric("iso-37301")


def test_scoring_without_evidence_is_refused_and_changes_nothing(parties):
    session = parties
    a = icp.start_assessment(session, OPERATOR, NORINCO, "eu-2019-1318", assessed_on="2030-01-01")
    session.commit()
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    for element, score, evidence, message in [
        ("EU-1", 2, "  ", "evidence for EU-1 is required"),
        ("EU-1", 4, "x", "score must be a whole number from 0 to 3"),
        ("EU-1", True, "x", "score must be a whole number"),
        ("BIS-1", 2, "x", "element of eu-2019-1318 must be one of"),
    ]:
        with pytest.raises(GoodpathError, match=message):
            icp.score_element(session, OPERATOR, a.id, element, score, evidence)
        session.rollback()
    assert session.scalar(select(func.count()).select_from(IcpElementScore)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_rescoring_replaces_the_score_with_an_audit_entry(parties):
    session = parties
    a = icp.start_assessment(session, OPERATOR, NORINCO, "bis-ecg")
    icp.score_element(session, OPERATOR, a.id, "bis-2", 1, "no annual risk review")
    session.commit()
    icp.score_element(session, OPERATOR, a.id, "BIS-2", 3, "annual review minutes 2030")
    session.commit()
    rows = session.scalars(select(IcpElementScore).where(IcpElementScore.assessment_id == a.id)).all()
    assert [(r.element, r.score, r.evidence) for r in rows] == [("BIS-2", 3, "annual review minutes 2030")]
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "icp_element.rescore"
    assert json.loads(entry.before)["score"] == 1 and json.loads(entry.after)["score"] == 3


def test_finalize_needs_every_element_and_then_the_assessment_is_immutable(parties):
    session = parties
    a = icp.start_assessment(session, OPERATOR, NORINCO, "eu-2019-1318")
    for code in EU[:5]:
        icp.score_element(session, OPERATOR, a.id, code, 2, "documented")
    session.commit()
    with pytest.raises(Refused, match="not complete: score EU-6, EU-7 first"):
        icp.finalize(session, OPERATOR, a.id)
    session.rollback()
    assert (a.status, a.score) == ("draft", None)
    icp.score_element(session, OPERATOR, a.id, "EU-6", 3, "records kept")
    icp.score_element(session, OPERATOR, a.id, "EU-7", 1, "no IT access control")
    icp.finalize(session, OPERATOR, a.id)
    session.commit()
    assert a.status == "final" and a.score == round((5 * 2 + 3 + 1) / 21, 4)
    with pytest.raises(Refused, match="final: its scores cannot change"):
        icp.score_element(session, OPERATOR, a.id, "EU-7", 3, "fixed")
    with pytest.raises(Refused, match="none: it is final"):
        icp.finalize(session, OPERATOR, a.id)
    session.rollback()
    assert session.get(IcpAssessment, a.id).score == round(14 / 21, 4)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scores=st.lists(st.integers(0, 3), min_size=8, max_size=8))
def test_the_final_score_is_the_share_of_the_maximum(parties, scores):
    session = parties
    a = _complete(session, "bis-ecg", scores)
    assert a.score == round(sum(scores) / 24, 4) and 0 <= a.score <= 1


def test_assessments_over_time_and_the_evidence_for_the_pathway(parties):
    session = parties
    old = _complete(session, "eu-2019-1318", [1] * 7, on="2028-01-01", source="x ¶1")
    new = _complete(session, "eu-2019-1318", [3, 3, 2, 2, 2, 2, 2], on="2030-01-01")
    bis = _complete(session, "bis-ecg", [1] * 8, on="2029-06-01")
    draft = icp.start_assessment(session, OPERATOR, NORINCO, "bis-ecg", assessed_on="2031-01-01")
    session.commit()
    listed = icp.list_assessments(session, OPERATOR, party_id=NORINCO)
    assert [r["id"] for r in listed] == [draft.id, new.id, bis.id, old.id]  # newest first
    assert listed[1]["elements"]["EU-1"] == 3 and listed[0]["missing"] == BIS
    evidence = icp.icp_evidence(session, OPERATOR, NORINCO, threshold=0.7)
    assert evidence["frameworks"]["eu-2019-1318"]["assessment_id"] == new.id  # the latest final one
    assert evidence["frameworks"]["eu-2019-1318"]["meets_threshold"] is True  # 16/21 = 0.76
    assert evidence["frameworks"]["bis-ecg"] == {"assessment_id": bis.id, "assessed_on": "2029-06-01",
                                                 "assessor": OPERATOR.actor, "score": round(8 / 24, 4),
                                                 "meets_threshold": False, "source": None}  # fmt: skip
    assert evidence["established"] is True
    assert icp.icp_evidence(session, OPERATOR, NORINCO, threshold=0.8)["established"] is False
    with pytest.raises(GoodpathError, match="threshold must be between 0 and 1"):
        icp.icp_evidence(session, OPERATOR, NORINCO, threshold=2)


def test_company_officers_read_their_own_assessments_only_and_cannot_assess(parties):
    session = parties
    a = _complete(session, "bis-ecg", [2] * 8)
    assert [r["id"] for r in icp.list_assessments(session, OFFICER)] == [a.id]
    assert icp.assessment_to_dict(session, OFFICER, icp.get_assessment(session, OFFICER, a.id))["scores"]
    assert icp.list_assessments(session, OTHER_OFFICER) == []
    with pytest.raises(NotFound):
        icp.get_assessment(session, OTHER_OFFICER, a.id)
    with pytest.raises(NotFound):
        icp.get_assessment(session, PARTNER, a.id)
    with pytest.raises(Refused, match="permission"):
        icp.start_assessment(session, OFFICER, NORINCO, "bis-ecg")


# --- CLI and API ---------------------------------------------------------------------------------


def test_cli_rubric_start_score_finalize_and_evidence(parties, tmp_path):
    runner = CliRunner()
    rubric = runner.invoke(cli, ["icp", "rubric", "--framework", "bis-ecg", "--json"])
    assert rubric.exit_code == 0 and len(json.loads(rubric.output)[0]["elements"]) == 8
    started = runner.invoke(cli, ["icp", "start", NORINCO, "--framework", "eu-2019-1318", "--json"])
    assert started.exit_code == 0, started.output
    aid = str(json.loads(started.output)["id"])
    refused = runner.invoke(cli, ["icp", "score", aid, "EU-1", "2", "--evidence", " "])
    assert refused.exit_code == 1 and "evidence for EU-1 is required" in refused.output
    incomplete = runner.invoke(cli, ["icp", "finalize", aid])
    assert incomplete.exit_code == 1 and "EU-1, EU-2" in incomplete.output
    for code in EU:
        assert runner.invoke(cli, ["icp", "score", aid, code, "3", "--evidence", "manual"]).exit_code == 0
    assert runner.invoke(cli, ["icp", "finalize", aid]).exit_code == 0
    shown = json.loads(runner.invoke(cli, ["icp", "show", aid, "--json"]).output)
    assert shown["score"] == 1.0 and len(shown["scores"]) == 7
    evidence = json.loads(runner.invoke(cli, ["icp", "evidence", NORINCO, "--json"]).output)
    assert evidence["established"] is True
    out = tmp_path / "icp.csv"
    assert runner.invoke(cli, ["icp", "list", NORINCO, "--export", str(out)]).exit_code == 0
    assert out.read_text().startswith("id,party_id,framework")


def test_api_icp_routes(parties):
    session = parties
    analyst = bearer_headers(session)
    officer = bearer_headers(session, "officer1", "company_officer", "UNCLASSIFIED", "NORINCO", company=NORINCO)
    client = TestClient(api)
    assert len(client.get("/icp/rubric", headers=officer).json()) == 2
    r = client.post("/icp/assessments", json={"party_id": NORINCO, "framework": "bis-ecg",
                                              "share_with": ["NORINCO"]}, headers=analyst)  # fmt: skip
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    body = {"element": "BIS-1", "score": 2, "evidence": ""}
    assert client.post(f"/icp/assessments/{aid}/scores", json=body, headers=analyst).status_code == 422
    assert client.post(f"/icp/assessments/{aid}/scores", json=body, headers=officer).status_code == 403
    r = client.post(f"/icp/assessments/{aid}/finalize", json={}, headers=analyst)
    assert r.status_code == 409 and "BIS-1" in r.json()["detail"]
    body["evidence"] = "statement signed"
    assert client.post(f"/icp/assessments/{aid}/scores", json=body, headers=analyst).status_code == 200
    assert client.get(f"/icp/assessments/{aid}", headers=officer).json()["scores"][0]["score"] == 2
    listed = client.get("/icp/assessments", params={"party_id": NORINCO}, headers=officer).json()
    assert [r["id"] for r in listed["results"]] == [aid] and listed["total"] == 1
    assert client.get(f"/icp/evidence/{NORINCO}", headers=officer).json()["established"] is False
