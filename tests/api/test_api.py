"""The API over a small imported list: health, parties, sanctions, lists and change-sets."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from goodpath.api import app
from goodpath.core.audit_log import AuditEntry
from goodpath.lists import service
from tests.factories import bearer_headers, entity, parsed
from tests.lists.import_support import wait_for_import


@pytest.fixture
def client(session) -> TestClient:
    service.apply_parsed(session, parsed([entity("1", "CHINA NORTH INDUSTRIES", "NORINCO"), entity("2", "BETA")]))
    service.apply_parsed(session, parsed([entity("1", "CHINA NORTH INDUSTRIES", "NORINCO"), entity("3", "GAMMA")]))
    session.commit()
    return TestClient(app, headers=bearer_headers(session))


def test_health(client):
    assert client.get("/health").json()["status"] == "ok"


def test_anonymous_callers_see_no_unpublished_record(client):
    anonymous = TestClient(app)
    assert anonymous.get("/parties").json()["total"] == 0
    assert anonymous.get("/lists").json() == []


def test_openapi_lists_every_route(client):
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/health", "/parties", "/parties/{party_id}", "/sanctions", "/lists",
            "/lists/{dataset}/versions/{version}"} <= paths  # fmt: skip


def test_search_and_show_a_party(client):
    found = client.get("/parties", params={"q": "norinco"}).json()
    assert found["total"] == 1
    party = client.get(f"/parties/{found['results'][0]['id']}").json()
    assert {n["value"] for n in party["names"]} == {"CHINA NORTH INDUSTRIES", "NORINCO"}
    assert party["sanctions"][0]["authority"] == "EO13382"
    assert party["list_entries"][0]["status"] == "listed"


def test_unknown_party_is_404_with_a_message(client):
    response = client.get("/parties/nope")
    assert response.status_code == 404 and "nope" in response.json()["detail"]


def test_lists_and_changeset(client):
    datasets = client.get("/lists").json()
    assert datasets[0]["dataset"] == "test-list" and datasets[0]["version"] == 2
    assert datasets[0]["delisted"] == 1
    v2 = client.get("/lists/test-list/versions/2").json()
    assert {(c["external_id"], c["change"]) for c in v2["changeset"]} == {("3", "added"), ("2", "removed")}
    assert client.get("/lists/test-list/versions/9").status_code == 404


def test_sanctions_filter_by_status(client):
    delisted = client.get("/sanctions", params={"status": "delisted"}).json()
    assert delisted["total"] == 1


def test_an_upload_import_is_attributed_to_the_logged_in_user(client, session, shared_data):
    with open(shared_data / "opensanctions" / "yente_t1_entities.ftm.json", "rb") as fh:
        job = wait_for_import(client, client.post("/lists/imports", files={"files": ("t1.ftm.json", fh)}))
    assert job["status"] == "done", job
    assert job["result"]["dataset"] == "eu-fsf" and job["result"]["added"] == 6
    entries = client.get("/audit/verify").json()
    assert entries["ok"] is True
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (last.action, last.actor) == ("lists.import", "analyst1")


def test_a_malformed_upload_is_refused_and_changes_nothing(client, session):
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    cut = b'{"id": "x", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": "y", "sche'
    response = client.post("/lists/imports", params={"format": "ftm-json"}, files={"files": ("cut.ftm.json", cut)})
    job = wait_for_import(client, response)
    assert job["status"] == "failed"
    assert job["error"].startswith("cut.ftm.json: line 2") and "/tmp" not in job["error"]
    unknown = client.post("/lists/imports", files={"files": ("notes.txt", b"hello")})
    assert unknown.status_code == 422 and "not a recognised list format" in unknown.json()["detail"]
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
