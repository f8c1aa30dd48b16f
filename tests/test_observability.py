"""What the server tells its operators: request ids, Prometheus metrics (by route template, never a
screened name), /healthz and /readyz, and JSON access logs."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from goodpath import observability
from goodpath.api import app
from goodpath.core.telemetry import REGISTRY, JsonFormatter, request_id_of
from goodpath.lists import service as lists
from goodpath.screening import service as screening
from tests.factories import bearer_headers, entity, parsed

LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.7", 50000)  # TEST-NET-3: not this machine
SECRET_NAME = "Zyxwv Quasar Trading"  # a name screened in these tests: it must never reach metrics or logs


def _import(session, name: str = "ALPHA MISSILE TRADING") -> None:
    lists.apply_parsed(session, parsed([entity("1", name)]), dataset="observability-test")
    session.commit()


def test_every_answer_carries_a_request_id_and_a_plain_caller_id_is_kept():
    client = TestClient(app, client=LOCAL)
    made = client.get("/healthz")
    assert made.status_code == 200 and len(made.headers["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1"}).headers["X-Request-ID"] == "lb-7f3a.1"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"}).headers["X-Request-ID"]
    assert forged != "x\r\nSet-Cookie: a=b" and len(forged) == 32
    assert request_id_of([(b"x-request-id", b"a" * 65)]) != "a" * 65  # too long: replaced
    assert client.get("/no/such/page").headers["X-Request-ID"]  # errors too


def test_metrics_count_route_templates_and_never_a_screened_name(db, session):
    _import(session)
    headers = bearer_headers(session, "analyst1")
    client = TestClient(app, client=LOCAL)
    labels = {"method": "POST", "route": "/screen", "status": "200"}
    before = REGISTRY.get_sample_value("goodpath_http_requests_total", labels) or 0
    screenings = REGISTRY.get_sample_value("goodpath_screening_duration_seconds_count") or 0
    assert client.post("/screen", json={"name": SECRET_NAME}, headers=headers).status_code == 200
    client.get(f"/parties/{SECRET_NAME.replace(' ', '-')}", headers=headers)
    client.get(f"/random/{SECRET_NAME}")
    scraped = client.get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    body = scraped.text
    assert REGISTRY.get_sample_value("goodpath_http_requests_total", labels) == before + 1
    assert REGISTRY.get_sample_value("goodpath_screening_duration_seconds_count") == screenings + 1
    assert 'route="/parties/{party_id}"' in body and 'route="<unmatched>"' in body
    assert 'goodpath_list_age_seconds{dataset="observability-test"}' in body
    assert 'goodpath_screening_index{what="loaded"} 1.0' in body
    assert "goodpath_database_up 1.0" in body
    for part in SECRET_NAME.split():
        assert part.lower() not in body.lower()


def test_metrics_are_for_administrators_unless_scraped_from_this_machine(db, session):
    admin = bearer_headers(session, "admin1", "admin")
    analyst = bearer_headers(session, "analyst1")
    remote = TestClient(app, client=REMOTE)
    assert remote.get("/metrics").status_code == 401
    assert remote.get("/metrics", headers=analyst).status_code == 403
    assert remote.get("/metrics", headers=admin).status_code == 200
    assert TestClient(app, client=LOCAL).get("/metrics").status_code == 200


def test_ready_only_with_the_database_a_current_index_and_fresh_lists(db, session, monkeypatch):
    client = TestClient(app, client=REMOTE)  # health and readiness answer anyone
    assert client.get("/healthz").json()["status"] == "ok"
    empty = client.get("/readyz")
    assert empty.status_code == 503 and empty.json()["checks"]["lists"]["ok"] is False
    _import(session)
    screening.get_index(session)  # what `goodpath serve` warms at start
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert ready.json()["checks"]["screening_index"] == {"ok": True, "loaded": True, "current": True, "names": 1}
    _import(session, "BETA ROCKET PARTS")  # a new list version: the index is stale until rebuilt
    stale = client.get("/readyz").json()
    assert stale["ready"] is False and stale["checks"]["screening_index"]["current"] is False
    screening.get_index(session)
    monkeypatch.setenv("GOODPATH_MAX_LIST_AGE_DAYS", "0")  # every list is now too old
    old = client.get("/readyz")
    assert old.status_code == 503 and old.json()["checks"]["lists"]["older_than_limit"] == ["observability-test"]


def test_the_access_log_is_json_with_the_route_template_and_no_name(db, session, caplog):
    headers = bearer_headers(session, "analyst1")
    client = TestClient(app, client=LOCAL)
    with caplog.at_level(logging.INFO, logger="goodpath.access"):
        answer = client.post("/screen", json={"name": SECRET_NAME}, headers=headers)
        page = client.get("/screening", params={"name": SECRET_NAME}, follow_redirects=False)  # name in the query
    first, second = (json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "goodpath.access")
    assert first["request_id"] == answer.headers["X-Request-ID"] and first["user"] == "analyst1"
    assert (first["method"], first["route"], first["status"]) == ("POST", "/screen", 200)
    assert first["level"] == "info" and first["time"].endswith("+00:00") and first["duration_ms"] >= 0
    assert (second["route"], second["status"], second["user"]) == ("/screening", page.status_code, None)
    assert "zyxwv" not in json.dumps([first, second]).lower()


def test_tracing_is_off_by_default_and_spans_never_carry_the_query(monkeypatch):
    monkeypatch.delenv("GOODPATH_OTEL", raising=False)
    assert observability.install_tracing(FastAPI()) is False
    traced = FastAPI()

    @traced.get("/screening")
    def screening_page(name: str = "") -> dict:
        return {"length": len(name)}

    exporter = InMemorySpanExporter()
    monkeypatch.setenv("GOODPATH_OTEL", "1")
    assert observability.install_tracing(traced, exporter=exporter) is True
    assert TestClient(traced).get("/screening", params={"name": SECRET_NAME}).json() == {"length": 20}
    traced.state.tracer_provider.force_flush()
    spans = exporter.get_finished_spans()
    assert spans and any(s.attributes.get("http.route") == "/screening" for s in spans)
    for span in spans:
        assert "zyxwv" not in json.dumps(dict(span.attributes), default=str).lower(), span.name
