"""Exports and downloads are audited: one entry per export with who, what, the row count and the
highest marking among what was taken (the entry itself carries that marking)."""

from __future__ import annotations

import io
import json
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app
from goodpath.audit.exports import highest_marking
from goodpath.audit.reading import entry_for
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.models import Classification
from goodpath.engagement import cases
from goodpath.lists import service as lists
from goodpath.pathway import evidence
from goodpath.registry.models import Party
from tests.factories import OPERATOR, bearer_headers, entity, parsed

pytestmark = pytest.mark.usefixtures("cheap_hashing")  # users are made per test; the hash is not what is probed
CONFIDENTIAL_AUDITOR = Viewer(Role.AUDITOR, Classification.CONFIDENTIAL, "USA", 0, "auditor-conf")


def _exports(session) -> list[dict]:
    session.expire_all()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.download").order_by(AuditEntry.seq))
    return [{"actor": e.actor, "target": (e.target_type, e.target_id), "after": json.loads(e.after),
             "marking": (e.classification, e.releasability)} for e in rows]  # fmt: skip


@pytest.fixture
def two_cases(session):
    cases.raise_case(session, OPERATOR, reference="WLC-2007-001", title="Transfer", facts="Items to Iran.")
    cases.raise_case(session, OPERATOR, reference="WLC-2007-002", title="Broker", facts="Machine tools.",
                     classification="CONFIDENTIAL", releasability="USA")  # fmt: skip
    session.commit()
    return session


def test_every_api_list_export_is_audited_with_its_rows_and_highest_marking(two_cases):
    client = TestClient(app, headers=bearer_headers(two_cases, "exporter"))
    assert client.get("/cases").status_code == 200
    assert _exports(two_cases) == []  # reading the list is not an export
    assert client.get("/cases", params={"format": "csv", "open": "true"}).status_code == 200
    assert client.get("/enforcement-actions", params={"format": "xlsx"}).status_code == 200
    assert _exports(two_cases) == [
        {"actor": "exporter", "target": ("export", "cases"), "marking": ("CONFIDENTIAL", "USA"),
         "after": {"what": "GET /cases?format=csv&open=true", "format": "csv", "rows": 2,
                   "marking": {"classification": "CONFIDENTIAL", "releasability": "USA"}}},
        {"actor": "exporter", "target": ("export", "enforcement-actions"), "marking": ("UNCLASSIFIED", "ALL"),
         "after": {"what": "GET /enforcement-actions?format=xlsx", "format": "xlsx", "rows": 0,
                   "marking": {"classification": "UNCLASSIFIED", "releasability": "ALL"}}},
    ]  # fmt: skip


def test_a_cli_export_is_audited(two_cases, tmp_path):
    out = tmp_path / "cases.xlsx"
    result = CliRunner().invoke(cli, ["cases", "list", "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    [entry] = _exports(two_cases)
    assert entry["after"]["what"] == "CLI export of cases to cases.xlsx" and entry["after"]["rows"] == 2
    assert entry["marking"] == ("CONFIDENTIAL", "USA") and entry["target"] == ("export", "cases")


def test_an_evidence_download_is_audited_with_the_version_marking(session):
    version = evidence.upload(session, OPERATOR, kind="meeting_record", title="Record of the meeting",
                              filename="record.txt", content=b"minutes", classification="SECRET",
                              releasability="USA")  # fmt: skip
    session.commit()
    client = TestClient(app, headers=bearer_headers(session, "reader"))
    assert client.get(f"/evidence/{version.document_id}/versions/1/content").content == b"minutes"
    [entry] = _exports(session)
    assert entry["actor"] == "reader" and entry["marking"] == ("SECRET", "USA")
    assert entry["target"] == ("evidence_version", f"{version.document_id}@v1")
    assert entry["after"]["rows"] == 1 and entry["after"]["format"] == "text/plain"
    # Auditors below the marking see that an entry is there, not what it says.
    stored = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.download")).one()
    assert entry_for(CONFIDENTIAL_AUDITOR, stored)["redacted"] is True


def test_a_batch_result_download_is_audited_with_the_highest_marking_of_the_parties_it_names(
    session, tmp_path, monkeypatch
):
    monkeypatch.setenv("GOODPATH_JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.setenv("GOODPATH_BATCH_WORKERS", "1")
    lists.apply_parsed(session, parsed([entity("1", "POLY TECHNOLOGIES"), entity("2", "ORCHID HARBOUR TRADING")]),
                       dataset="audit-test")  # fmt: skip
    orchid = session.scalars(select(Party).where(Party.caption == "ORCHID HARBOUR TRADING")).one()
    orchid.classification, orchid.releasability = "SECRET", "USA"  # what an analyst learnt of it: marked up
    session.commit()
    client = TestClient(app, headers=bearer_headers(session, "screener"))
    upload = b"id,name\n1,Poly Technologies\n2,Orchid Harbour Trading\n3,\n"
    job = client.post("/screen/batch", files={"file": ("names.csv", io.BytesIO(upload), "text/csv")}).json()
    deadline = time.monotonic() + 60
    while client.get(f"/screen/batch/{job['id']}").json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "ORCHID" in client.get(f"/screen/batch/{job['id']}/result").text
    assert client.get(f"/screen/batch/{job['id']}/rejects").status_code == 200
    result, rejects = _exports(session)
    assert result["target"] == ("screening_job", f"{job['id']}/result") and result["actor"] == "screener"
    assert result["after"]["rows"] == 2 and result["marking"] == ("SECRET", "USA")
    assert rejects["target"] == ("screening_job", f"{job['id']}/rejects") and rejects["after"]["rows"] == 1
    assert rejects["marking"] == ("UNCLASSIFIED", "ALL")


def test_the_highest_marking_of_rows():
    rows = [
        {"classification": "UNCLASSIFIED", "releasability": "ALL"},
        {"classification": "CONFIDENTIAL", "releasability": "CHN,USA"},
        {"classification": "UNCLASSIFIED", "releasability": None, "originator": "USA"},  # unmarked: its originator
        {"count": 3},  # a derived row without a marking
    ]
    assert highest_marking(rows, "USA").as_dict() == {"classification": "CONFIDENTIAL", "releasability": "USA"}
    assert highest_marking([], "USA").as_dict() == {"classification": "UNCLASSIFIED", "releasability": "ALL"}
    disjoint = [{"classification": "SECRET", "releasability": "GBR"}, {"classification": "U", "releasability": "CHN"}]
    assert highest_marking(disjoint, "USA").as_dict() == {"classification": "SECRET", "releasability": "USA"}
