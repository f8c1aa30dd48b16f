"""Every upload route has a size limit (settings), checked by the declared length before the body is read,
as the body streams in, and file by file; too large is 413 with one message, and nothing is left behind:
no job, no folder, no stored record -- also when the client goes away half-way."""

from __future__ import annotations

import io
import json

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from goodpath.api import app
from goodpath.cables.models import StoredCable
from goodpath.lists.models import ListImportJob
from goodpath.pathway.models import EvidenceDocument
from goodpath.screening.batch_jobs import ScreeningJob
from tests.factories import bearer_headers
from tests.lists.import_support import wait_for_import
from tests.web.test_pathway_case_pages import HTML, _csrf, _login, _party

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # limits of the web layer: one database
KB = 1024
SMALL = 8 * KB  # every limit, in these tests (the settings are in MB)
BIG = b"x" * (3 * SMALL)  # one file over the limit; the request stays under the route's allowance
HUGE = 2 * 1024 * KB  # a declared length over any route's allowance at these limits


@pytest.fixture(autouse=True)
def small_limits(monkeypatch, tmp_path):
    for kind in ("lists", "cables", "evidence", "batch"):
        monkeypatch.setenv(f"GOODPATH_UPLOAD_{kind.upper()}_MB", str(SMALL / (1024 * 1024)))
    monkeypatch.setenv("GOODPATH_JOBS_DIR", str(tmp_path / "jobs"))
    return tmp_path / "jobs"


def left_behind(session, jobs_dir) -> dict:
    session.expire_all()
    return {
        "files": sorted(str(p.relative_to(jobs_dir)) for p in jobs_dir.rglob("*") if p != jobs_dir / "imports"),
        "rows": [session.scalar(select(func.count()).select_from(m))
                 for m in (ListImportJob, ScreeningJob, StoredCable, EvidenceDocument)],
    }  # fmt: skip


NOTHING = {"files": [], "rows": [0, 0, 0, 0]}

API_UPLOADS = [
    ("/lists/imports", "files", "the files of a list import"),
    ("/cables", "files", "a cable file or zip archive"),
    ("/evidence", "file", "an evidence document"),
    ("/evidence/1/versions", "file", "an evidence document"),
    ("/screen/batch", "file", "a batch screening file"),
]
EVIDENCE_FORM = {"kind": "icp_manual", "title": "Manual"}


@pytest.mark.parametrize(("path", "field", "what"), API_UPLOADS, ids=[p for p, _, _ in API_UPLOADS])
def test_a_file_over_its_routes_limit_is_413_and_leaves_nothing(session, small_limits, path, field, what):
    client = TestClient(app, headers=bearer_headers(session, "analyst1"))
    data = EVIDENCE_FORM if path == "/evidence" else None
    response = client.post(path, files={field: ("big.csv", io.BytesIO(BIG))}, data=data)
    assert response.status_code == 413, response.text
    assert response.json()["detail"] == f"the upload is too large: at most 8 KB for {what}"
    assert left_behind(session, small_limits) == NOTHING


@pytest.mark.parametrize("path", [p for p, _, _ in API_UPLOADS] + ["/ui/cables", "/ui/screening/batch"])
def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(session, path):
    client = TestClient(app, headers=bearer_headers(session, "analyst1"))
    read = []

    def body():
        read.append(1)
        yield b"--b\r\n"

    response = client.post(path, content=body(), headers={"Content-Type": "multipart/form-data; boundary=b",
                                                            "Content-Length": str(HUGE)})  # fmt: skip
    assert response.status_code == 413 and "upload is too large" in response.text
    assert read in ([], [1])  # at most the first chunk was pulled by the client; the server read none of it


def call_app(session, path: str, chunks, *, then_disconnect: bool = False) -> tuple[list[dict], list[int]]:
    """The ASGI app itself, fed a multipart body chunk by chunk without a Content-Length (as a chunked
    upload), then the end of the body or the client's disconnect. The messages sent back, and the sizes
    of the chunks the app read."""
    token = bearer_headers(session, "analyst1")["Authorization"]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=b"),
                    (b"authorization", token.encode())],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip
    pending, read, sent = iter(chunks), [], []

    async def receive():
        chunk = next(pending, None)
        if chunk is None:
            return {"type": "http.disconnect"} if then_disconnect else {"type": "http.request", "body": b""}
        read.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    async def call():
        try:
            await app(scope, receive, send)
        except Exception:  # noqa: BLE001 - whatever the app does with a gone client, nothing may stay
            pass

    anyio.run(call)
    return sent, read


PART = b'--b\r\nContent-Disposition: form-data; name="files"; filename="sdn.csv"\r\n\r\n'


def test_a_chunked_upload_is_cut_off_once_it_passes_the_limit(session, small_limits):
    sent, read = call_app(session, "/lists/imports", [PART, *[b"x" * (64 * KB)] * 1000])
    assert sent[0]["status"] == 413 and b"at most 8 KB" in sent[1]["body"]
    assert len(read) < 100  # the server stopped reading once past its allowance
    assert left_behind(session, small_limits) == NOTHING


def test_a_client_going_away_half_way_leaves_nothing(session, small_limits):
    sent, read = call_app(session, "/lists/imports", [PART, b'36,"AERO-CARIBBEAN","-0-"'], then_disconnect=True)
    assert len(read) == 2 and not any(m.get("status") == 202 for m in sent)
    assert left_behind(session, small_limits) == NOTHING


def test_a_file_within_the_limit_goes_through(session, small_limits):
    client = TestClient(app, headers=bearer_headers(session, "analyst1"))
    row = {"id": "w1", "schema": "Company", "datasets": ["limits"], "properties": {"name": ["Small Firm"]}}
    started = client.post("/lists/imports", files={"files": ("ok.ftm.json", json.dumps(row).encode() + b"\n")})
    assert wait_for_import(client, started)["status"] == "done"


# --- the web pages: the same limits, drawn as a page -----------------------------------------------

WEB_UPLOADS = [
    ("/ui/cables", "files", {}),
    ("/ui/evidence", "file", {"kind": "icp_manual", "title": "Manual", "party": "limitco"}),
    ("/ui/evidence/1/versions", "file", {}),
    ("/ui/screening/batch", "file", {}),
    ("/ui/pathway/limitco/evidence", "file", {"kind": "icp_manual", "title": "Manual"}),
]


@pytest.mark.parametrize(("path", "field", "fields"), WEB_UPLOADS, ids=[p for p, _, _ in WEB_UPLOADS])
def test_a_page_upload_over_the_limit_is_a_413_page(session, small_limits, path, field, fields):
    _party(session, "limitco", "Limit Company Ltd")
    session.commit()
    client = _login(session, "analyst1")
    token = _csrf(client.get("/ui/cables", headers=HTML).text)
    response = client.post(path, data={"csrf_token": token, **fields}, files={field: ("big.csv", io.BytesIO(BIG))},
                           headers=HTML, follow_redirects=False)  # fmt: skip
    assert response.status_code == 413, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "The upload is too large: at most 8 KB." in response.text
    assert left_behind(session, small_limits) == NOTHING


def test_a_workbook_within_the_limit_becomes_the_jobs_csv(session, small_limits, monkeypatch):
    from openpyxl import Workbook

    from goodpath.screening import batch_jobs

    monkeypatch.setattr(batch_jobs, "submit", lambda *args: None)  # the job itself is not the point here
    book, data = Workbook(), io.BytesIO()
    book.active.append(["id", "name"])
    book.active.append([1, "Banco Nacional de Cuba"])
    book.save(data)
    client = _login(session, "analyst1")
    token = _csrf(client.get("/ui/cables", headers=HTML).text)
    response = client.post("/ui/screening/batch", data={"csrf_token": token}, headers=HTML, follow_redirects=False,
                           files={"file": ("customers.xlsx", data.getvalue())})  # fmt: skip
    assert response.status_code == 303, response.text[:300]
    job_id = response.headers["location"].rsplit("/", 1)[-1]
    assert sorted(p.name for p in (small_limits / job_id).iterdir()) == ["input.csv"]
    assert (small_limits / job_id / "input.csv").read_text().splitlines() == ["id,name", "1,Banco Nacional de Cuba"]
