"""The API over a small imported list: health, parties, sanctions, lists and change-sets."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from goodpath.api import app
from goodpath.lists import service
from tests.factories import bearer_headers, entity, parsed


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
