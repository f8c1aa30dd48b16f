"""Bad input is answered 4xx with one error shape, never 5xx: ids outside 1..2^63-1, digits that are
not ASCII, paging beyond its bounds; the spec declares the shape for every error of every operation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from goodpath.access.records import get_readable
from goodpath.api import app
from goodpath.cli import app as cli
from goodpath.core.errors import NotFound
from goodpath.engagement import cases
from goodpath.engagement.models import Pledge
from goodpath.lists import service
from tests.factories import OPERATOR, bearer_headers, entity, parsed

pytestmark = pytest.mark.usefixtures("cheap_hashing")  # users are made per test; the hash is not what is probed
TOO_BIG = 2**63  # one above the largest id both databases store
HUGE = 10**30


@pytest.fixture
def client(session) -> TestClient:
    service.apply_parsed(session, parsed([entity("1", "CHINA NORTH INDUSTRIES", "NORINCO")]))
    session.commit()
    return TestClient(app, headers=bearer_headers(session), raise_server_exceptions=False)


def assert_error_body(response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status, (response.request.url, body)
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"detail", "errors"}
    return body


OUT_OF_BOUNDS_READS = [
    "/cases/¹",  # a superscript digit: str.isdigit() says yes, int() says no
    "/cases/١٢",  # Arabic-Indic digits
    f"/cases/{TOO_BIG}",
    "/cases/0",
    f"/pledges/{TOO_BIG}",
    f"/pledges/{HUGE}",
    "/pledges/-1",
    f"/consultations/{TOO_BIG}",
    f"/projects/{HUGE}",
    f"/icp/assessments/{TOO_BIG}",
    f"/evidence/{TOO_BIG}",
    f"/evidence/1/versions/{TOO_BIG}/content",
    f"/public/statements/{TOO_BIG}",
    f"/lists/test-list/versions/{TOO_BIG}",
    f"/parties?offset={10**9 + 1}",
    f"/parties?offset={HUGE}",
    "/parties?limit=1001",
    f"/sanctions?offset={TOO_BIG}",
    f"/screen/alerts?subject_id={TOO_BIG}",
    f"/screen/subjects?offset={HUGE}",
    f"/screen/dispositions?limit={HUGE}",
    f"/enforcement-actions?case_id={TOO_BIG}",
    f"/consultations/metrics?consultation_id={HUGE}",
    f"/pledges?round_id={TOO_BIG}",
    "/parties/a%00b",  # a control character in a key
    "/pathway/" + "x" * 201,  # a key longer than any key
]
OUT_OF_BOUNDS_WRITES = [
    ("POST", f"/pledges/{TOO_BIG}/status", {"status": "fulfilled"}),
    ("POST", f"/cables/drafts/{TOO_BIG}/discard", {"reason": "no"}),
    ("POST", f"/screen/alerts/{TOO_BIG}/acknowledge", None),
    ("POST", f"/evidence/versions/{TOO_BIG}/links", {"proposal_id": 1}),
    ("POST", "/evidence/versions/1/links", {"proposal_id": TOO_BIG}),
    ("POST", "/pathway/reliefs/1/notice", {"notice_on": "2007-01-01", "version_id": HUGE}),
    (
        "POST",
        "/enforcement-actions",
        {"kind": "investigation", "reported_by": "MOFCOM", "detail_level": "none", "case_id": TOO_BIG},
    ),  # fmt: skip
    ("POST", "/cases/1/status", {"status": "acknowledged", "action_ids": [1, TOO_BIG]}),
    (
        "POST",
        "/pathway/norinco/proposals",
        {"rationale": "r", "relief": {"sanction_id": TOO_BIG, "measure": "m", "route_code": "r"}},
    ),  # fmt: skip
    ("DELETE", f"/auth/tokens/{TOO_BIG}", None),
    # days at the end of the calendar: what is computed from them (a notice period, the next round of
    # a cadence) would run past year 9999
    ("GET", "/pathway/norinco/eligibility?as_of=9999-12-31", None),
    ("GET", "/consultations/metrics?today=9999-12-31", None),
    ("GET", "/pledges?today=0001-01-01", None),
    ("GET", "/cables?from=9999-12-31", None),
    ("POST", "/consultations", {"title": "Late", "level": "working_level", "counterpart": "CHN", "cadence_months": 6,
                                "occurred_on": "9999-12-31"}),  # fmt: skip
    ("POST", "/pathway/reliefs/1/notice", {"notice_on": "9999-12-31", "version_id": 1}),
    # numbers no column holds: an item's quantity past 64 bits, an infinite penalty
    ("POST", "/cases", {"reference": "B-1", "title": "t", "facts": "f",
                        "items": [{"description": "d", "control_entry": "MTCR Category II Item 3", "quantity": HUGE}]}),
    ("POST", "/cases", '{"reference": "B-2", "title": "t", "facts": "f", "items": [{"description": "d", '
                       '"control_entry": "MTCR Category II Item 3", "quantity": Infinity}]}'),
    ("POST", "/enforcement-actions", '{"kind": "penalty", "reported_by": "MOFCOM", "detail_level": "summary", '
                                     '"detail": "d", "party_name": "x", "penalty_amount": 1e400, "currency": "CNY"}'),
]  # fmt: skip


def test_out_of_bounds_input_is_422(client):
    for path in OUT_OF_BOUNDS_READS:
        body = assert_error_body(client.get(path), 422)
        assert body["errors"] and all({"loc", "msg", "type"} == set(e) for e in body["errors"]), path
    for method, path, body in OUT_OF_BOUNDS_WRITES:
        raw = {"content": body, "headers": {"Content-Type": "application/json"}} if isinstance(body, str) else {}
        assert_error_body(client.request(method, path, **(raw or {"json": body})), 422)


NUL = [
    ("GET", "/parties?q=%00", None),
    ("GET", "/cables?q=a%00", None),
    ("GET", "/sanctions?party_id=%00", None),
    ("GET", "/evidence?party=%00", None),
    ("POST", "/pledges", {"pledged_by": "CHN", "pledged_to": "USA", "text": "a\x00b"}),
    ("POST", "/screen", {"name": "a\x00b"}),
    ("POST", "/screen/dispositions", {"name": "a", "entry_id": "\x00", "verdict": "false_positive", "reason": "r"}),
    ("POST", "/auth/login", {"username": "a\x00", "password": "x"}),
]


def test_a_nul_character_is_refused_on_both_databases(client, session):
    """PostgreSQL cannot store or compare text holding NUL (it answered 500); SQLite stored it."""
    for method, path, body in NUL:
        answer = assert_error_body(client.request(method, path, json=body), 422)
        assert answer["errors"][0]["type"] == "nul_character", (path, answer)
    assert client.post("/screen", data={"name": "a\x00"}).status_code == 422  # a form too
    # A multipart form's text is not read before the route: what PostgreSQL refuses is still a 422.
    upload = client.post("/evidence", data={"kind": "other", "title": "a\x00b"}, files={"file": ("a.txt", b"a")})
    stores_nul = session.get_bind().dialect.name == "sqlite"
    assert upload.status_code == (201 if stores_nul else 422), upload.text


def test_validation_errors_name_the_place_and_never_echo_the_input(client):
    secret = "do-not-echo-" + "9" * 40
    body = assert_error_body(client.get(f"/pledges/{secret}"), 422)
    message = "Input should be a valid integer, unable to parse string as an integer"
    assert body["errors"] == [{"loc": ["path", "pledge_id"], "msg": message, "type": "int_parsing"}]
    assert body["detail"].startswith("path.pledge_id: Input should be a valid integer")
    assert secret not in str(body)


def test_every_error_has_the_same_shape(client):
    assert_error_body(client.get("/pledges/424242"), 404)  # NotFound
    assert_error_body(client.get("/no/such/route"), 404)  # the router's own 404
    assert_error_body(client.put("/cases"), 405)
    assert_error_body(client.post("/screen", content=b"{not json", headers={"Content-Type": "application/json"}), 422)
    unauthorized = client.get("/cases", headers={"Authorization": "Bearer not-a-token"})
    assert assert_error_body(unauthorized, 401) == {"detail": "invalid token"}
    assert unauthorized.headers["WWW-Authenticate"] == "Bearer"
    assert_error_body(client.get("/audit/entries"), 403)  # analysts verify the chain, auditors read it


def test_pages_draw_a_not_found_page_for_an_id_out_of_bounds(client):
    for path in (f"/ui/pledges/{TOO_BIG}", "/ui/cases/¹", f"/ui/evidence/{HUGE}", f"/ui/parties?offset={HUGE}"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/html"), path
        assert "There is no such record" in response.text


def test_a_form_id_in_other_digits_is_refused_on_the_page(client):
    party_id = client.get("/parties", params={"q": "norinco"}).json()["results"][0]["id"]
    for digits in ("²", "١", str(TOO_BIG)):
        response = client.post(f"/ui/pathway/{party_id}/links/1", data={"version_id": digits},
                               headers={"Accept": "text/html"})  # fmt: skip
        assert response.status_code == 422 and response.headers["content-type"].startswith("text/html"), digits


def test_the_spec_declares_the_error_shape_for_every_error_answer(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and set(schemas["ErrorBody"]["properties"]) == {"detail", "errors"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
            if path not in ("/health", "/healthz", "/readyz"):
                assert {"401", "403", "404"} <= set(errors), (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in errors, (method, path)
            for answer in errors.values():
                assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    uploads = {(m, p) for p, ops in spec["paths"].items() for m, o in ops.items()
               if "multipart/form-data" in o.get("requestBody", {}).get("content", {})}  # fmt: skip
    assert {("post", "/lists/imports"), ("post", "/cables"), ("post", "/screen/batch")} <= uploads
    assert all("413" in spec["paths"][p][m]["responses"] for m, p in uploads)  # past the upload limit
    assert "429" in spec["paths"]["/auth/login"]["post"]["responses"]  # throttled logins
    pledge = spec["paths"]["/pledges/{pledge_id}"]["get"]["parameters"][0]["schema"]
    assert (pledge["minimum"], pledge["maximum"]) == (1, 2**63 - 1)
    offset = next(p for p in spec["paths"]["/parties"]["get"]["parameters"] if p["name"] == "offset")["schema"]
    assert offset["maximum"] == 10**9


def test_services_and_the_cli_answer_not_found_for_ids_out_of_bounds(session):
    for key in ("¹", "١٢", str(TOO_BIG), str(HUGE), "0"):
        with pytest.raises(NotFound):
            cases.get_case(session, OPERATOR, key)
    for number in (TOO_BIG, HUGE, 0, -1):
        with pytest.raises(NotFound):
            get_readable(session, OPERATOR, Pledge, number, "pledge")
    for key in ("¹", str(HUGE)):
        shown = CliRunner().invoke(cli, ["cases", "show", key])
        assert shown.exit_code == 1 and "no case" in shown.output, shown.output
