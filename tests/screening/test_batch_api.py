"""POST /screen/batch: a background job with progress, counts, errors and result downloads."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from goodpath.access.models import User
from goodpath.api import app
from goodpath.core.models import utcnow
from goodpath.lists import service as lists
from goodpath.screening.batch import run_batch
from goodpath.screening.batch_jobs import ScreeningJob
from tests.factories import OPERATOR, bearer_headers, entity, parsed

CSV = "id,name,country\n1,Banco Nacional de Cuba,\n2,,\n3,Poly Technologies,CN\n4,Nobody Such Trading,\n"


@pytest.fixture
def jobs_dir(tmp_path, monkeypatch):
    folder = tmp_path / "jobs"
    monkeypatch.setenv("GOODPATH_JOBS_DIR", str(folder))
    monkeypatch.setenv("GOODPATH_BATCH_WORKERS", "1")
    return folder


@pytest.fixture
def client(session, jobs_dir) -> TestClient:
    poly = entity("20", "POLY TECHNOLOGIES")
    poly.countries = ["cn"]
    lists.apply_parsed(session, parsed([entity("2", "BANCO NACIONAL DE CUBA"), poly]), dataset="batch-api")
    session.commit()
    return TestClient(app, headers=bearer_headers(session, "owner"))


def _upload(client, content: str | bytes = CSV, name="customers.csv", **params):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/screen/batch", files={"file": (name, io.BytesIO(data), "text/csv")}, params=params)


def _wait(client, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/screen/batch/{job_id}").json()
        if body["status"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_job_life_cycle(client, session, tmp_path, jobs_dir):
    started = _upload(client, threshold=0.8, limit=2)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] in ("queued", "running", "done") and len(job["id"]) == 32
    assert started.headers["location"] == f"/screen/batch/{job['id']}"
    assert job["params"] == {"threshold": 0.8, "limit": 2, "include_suppressed": False}
    assert job["progress"]["rows_total"] == 4 and job["filename"] == "customers.csv"

    done = _wait(client, job["id"])
    assert done["status"] == "done", done
    assert done["progress"] == {"rows_done": 4, "rows_total": 4}
    assert done["counts"] == {"rows": 4, "screened": 3, "hits": 2, "rejected": 1}
    assert done["errors"] == [{"line": 3, "id": "2", "reason": "empty name"}] and done["error"] is None
    assert done["receipt"]["lists"] == {"batch-api": 1}

    result = client.get(done["links"]["result"])
    assert result.status_code == 200 and result.headers["content-type"].startswith("text/csv")
    assert "customers.hits.csv" in result.headers["content-disposition"]
    rows = _csv(result.text)
    assert [(r["id"], r["rank"], r["caption"]) for r in rows] == [
        ("1", "1", "BANCO NACIONAL DE CUBA"), ("3", "1", "POLY TECHNOLOGIES"),
    ]  # fmt: skip
    # The same as the command line's runner on the same file.
    (tmp_path / "in.csv").write_text(CSV)
    run_batch(session, OPERATOR, tmp_path / "in.csv", tmp_path / "out.csv", threshold=0.8, limit=2, workers=1)
    assert result.content == (tmp_path / "out.csv").read_bytes()
    rejects = client.get(done["links"]["rejects"])
    assert rejects.status_code == 200 and _csv(rejects.text) == [{"line": "3", "id": "2", "reason": "empty name"}]
    assert [j["id"] for j in client.get("/screen/batch").json()] == [job["id"]]


def test_two_workers_in_the_server(client, monkeypatch):
    monkeypatch.setenv("GOODPATH_BATCH_WORKERS", "2")
    rows = "".join(f"r{n},{'Banco Nacional de Cuba' if n % 2 else 'Poly Technologies'},\n" for n in range(1200))
    done = _wait(client, _upload(client, "id,name,country\n" + rows).json()["id"])
    assert done["status"] == "done" and done["counts"]["hits"] == 1200
    ids = [r["id"] for r in _csv(client.get(done["links"]["result"]).text)]
    assert ids == [f"r{n}" for n in range(1200)]


def test_jobs_are_their_owners_alone(client, session):
    job = _wait(client, _upload(client).json()["id"])
    other = TestClient(app, headers=bearer_headers(session, "someone", role="auditor"))
    for path in ("", "/result", "/rejects"):
        response = other.get(f"/screen/batch/{job['id']}{path}")
        assert response.status_code == 404, path
        never = other.get(f"/screen/batch/{'0' * 32}{path}").json()["detail"]  # as if it never existed:
        assert response.json()["detail"].replace(job["id"], "X") == never.replace("0" * 32, "X")
    assert other.get("/screen/batch").json() == []
    anonymous = TestClient(app)
    assert anonymous.get(f"/screen/batch/{job['id']}").status_code == 401
    assert _upload(anonymous).status_code == 401


@pytest.mark.parametrize(
    "content, message",
    [
        ("id,label\n1,x\n", "no 'name' column"),
        (b"id,nom\xe9\n1,x\n", "not UTF-8"),
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet"),
    ],
)
def test_a_bad_upload_is_refused_and_leaves_nothing(client, jobs_dir, content, message):
    response = _upload(client, content, name="bad.csv")
    assert response.status_code == 422 and message in response.json()["detail"], response.text
    assert response.json()["detail"].startswith("bad.csv: ")
    assert client.get("/screen/batch").json() == []
    assert not jobs_dir.exists() or list(jobs_dir.iterdir()) == []


def test_bad_parameters_and_missing_file(client):
    assert _upload(client, threshold=1.5).status_code == 422
    assert _upload(client, limit=0).status_code == 422
    assert client.post("/screen/batch").status_code == 422


def test_a_failing_row_does_not_fail_the_job_and_include_suppressed_is_passed(client):
    text = "id,name,country\n1,Poly Technologies,China\n2,Poly Technologies,CN\n"
    done = _wait(client, _upload(client, text, include_suppressed="true").json()["id"])
    assert done["status"] == "done" and done["counts"]["rejected"] == 1
    assert "2-letter" in done["errors"][0]["reason"]
    rows = _csv(client.get(done["links"]["result"]).text)
    assert [(r["id"], r["suppressed"]) for r in rows] == [("2", "false")]


def _job(session, status: str, heartbeat_age: timedelta) -> ScreeningJob:
    owner = session.query(User).filter_by(username="owner").one()
    job = ScreeningJob(
        id="a" * 32, user_id=owner.id, created_by="owner", filename="x.csv", status=status, threshold=0.8,
        hit_limit=3, rows_total=10, rows_done=5, errors=[], created_at=utcnow() - heartbeat_age,
        heartbeat_at=utcnow() - heartbeat_age,
    )  # fmt: skip
    session.add(job)
    session.commit()
    return job


def test_a_job_left_running_by_a_dead_server_shows_as_interrupted(client, session):
    _job(session, "running", timedelta(minutes=5))
    body = client.get(f"/screen/batch/{'a' * 32}").json()
    assert body["status"] == "interrupted" and "start it again" in body["error"]
    assert body["progress"] == {"rows_done": 5, "rows_total": 10}
    session.expire_all()
    assert session.get(ScreeningJob, "a" * 32).status == "interrupted"  # recorded, not only shown
    assert client.get(f"/screen/batch/{'a' * 32}/result").status_code == 409


def test_a_running_job_has_no_result_yet(client, session):
    _job(session, "running", timedelta(seconds=1))  # another live server process is running it
    assert client.get(f"/screen/batch/{'a' * 32}").json()["status"] == "running"
    response = client.get(f"/screen/batch/{'a' * 32}/result")
    assert response.status_code == 409 and "running" in response.json()["detail"]
