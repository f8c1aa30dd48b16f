"""POST /lists/imports: the upload streamed to disk, the import run as a background job (202), its
status at GET /lists/imports/{id}, shared by the analysts, kept across a server restart."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from goodpath.api import app
from goodpath.core.models import utcnow
from goodpath.lists import import_jobs, service
from goodpath.lists.models import ListImportJob, ListVersion
from tests.factories import bearer_headers, entity, parsed


def ftm(count: int, start: int = 0, dataset: str = "jobs-test") -> bytes:
    rows = [{"id": f"j{i}", "schema": "Company", "datasets": [dataset], "properties": {"name": [f"Firm {i}"]}}
            for i in range(start, start + count)]  # fmt: skip
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


@pytest.fixture
def jobs_dir(tmp_path, monkeypatch):
    folder = tmp_path / "jobs"
    monkeypatch.setenv("GOODPATH_JOBS_DIR", str(folder))
    return folder


@pytest.fixture
def client(session, jobs_dir) -> TestClient:
    return TestClient(app, headers=bearer_headers(session, "analyst1"))


def upload(client, content: bytes, name: str = "firms.ftm.json", **params):
    return client.post("/lists/imports", files={"files": (name, io.BytesIO(content))}, params=params)


def wait(client, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/lists/imports/{job_id}").json()
        if body["status"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def test_an_upload_answers_202_at_once_and_imports_in_the_background(client, session, jobs_dir, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    real = service.import_list

    def held(*args, **kwargs):
        entered.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "import_list", held)
    try:
        started = upload(client, ftm(5))
        assert started.status_code == 202, started.text
        job = started.json()
        assert started.headers["location"] == f"/lists/imports/{job['id']}" == job["links"]["self"]
        assert (job["format"], job["filenames"], job["created_by"]) == ("ftm-json", ["firms.ftm.json"], "analyst1")
        assert entered.wait(30)  # the import is under way, off the request that started it
        assert client.get("/health").status_code == 200  # and the server answers meanwhile
        assert client.get(f"/lists/imports/{job['id']}").json()["status"] == "running"
        assert list((jobs_dir / "imports" / job["id"]).iterdir())  # the upload, on disk
    finally:
        release.set()
    done = wait(client, job["id"])
    assert done["status"] == "done", done
    assert done["result"] | {"notes": []} == {
        "dataset": "jobs-test", "version": 1, "entities": 5, "added": 5, "removed": 0, "changed": 0,
        "unchanged": 0, "noop": False, "notes": [],
    }  # fmt: skip
    assert session.scalar(select(func.count()).select_from(ListVersion)) == 1
    assert not (jobs_dir / "imports" / job["id"]).exists()  # the files go when the job ends


def test_analysts_share_the_jobs_others_may_not_see_them(client, session):
    job = wait(client, upload(client, ftm(2)).json()["id"])
    colleague = TestClient(app, headers=bearer_headers(session, "analyst2"))
    assert colleague.get(f"/lists/imports/{job['id']}").json()["created_by"] == "analyst1"
    assert [j["id"] for j in colleague.get("/lists/imports").json()] == [job["id"]]
    partner = TestClient(app, headers=bearer_headers(session, "partner1", role="partner_officer", organization="CHN"))
    assert partner.get(f"/lists/imports/{job['id']}").status_code == 403
    assert partner.get("/lists/imports").status_code == 403
    assert client.get("/lists/imports/" + "0" * 32).status_code == 404


def test_a_change_set_over_the_guard_is_refused_with_its_summary(client, session):
    assert wait(client, upload(client, ftm(150)).json()["id"])["status"] == "done"
    refused = wait(client, upload(client, ftm(10), name="cut.ftm.json").json()["id"])
    assert refused["status"] == "refused" and "delist 140 of 150" in refused["error"]
    assert refused["refusal"]["removed"] == 140 and refused["refusal"]["first_removed"][0]["caption"] == "Firm 10"
    assert refused["result"] is None
    assert session.scalar(select(func.count()).select_from(ListVersion)) == 1
    accepted = wait(client, upload(client, ftm(10), name="cut.ftm.json", accept_removals="true").json()["id"])
    assert accepted["status"] == "done" and accepted["result"]["removed"] == 140
    restored = wait(client, upload(client, ftm(150), restore="true").json()["id"])
    assert restored["status"] == "done" and restored["result"]["restored_from"] == 1


def test_bad_files_are_refused_naming_the_upload_and_leave_nothing(client, session, jobs_dir):
    unknown = upload(client, b"hello", name="notes.txt")
    assert unknown.status_code == 422 and "not a recognised list format" in unknown.json()["detail"]
    assert "notes.txt" in unknown.json()["detail"] and str(jobs_dir) not in unknown.json()["detail"]
    assert session.scalar(select(func.count()).select_from(ListImportJob)) == 0
    assert not any((jobs_dir / "imports").iterdir())
    cut = b'{"id": "x", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": "y", "sche'
    failed = wait(client, upload(client, cut, name="cut.ftm.json", format="ftm-json").json()["id"])
    assert failed["status"] == "failed" and failed["error"].startswith("cut.ftm.json: line 2")
    assert str(jobs_dir) not in failed["error"]
    two = client.post("/lists/imports", files=[("files", ("a.csv", b"x")), ("files", ("a.csv", b"y"))])
    assert two.status_code == 409 and "two uploaded files are named a.csv" in two.json()["detail"]
    assert not any((jobs_dir / "imports").iterdir())


def test_a_second_import_of_a_dataset_while_one_is_queued_is_refused_naming_it(client, session):
    other = ListImportJob(
        id="a" * 32, user_id=_user_id(session), created_by="analyst9", filenames=["consolidated.xml"],
        format="un-xml", dataset="un-sc", status="running",
        heartbeat_at=utcnow(), created_at=utcnow(),
    )  # fmt: skip
    session.add(other)
    session.commit()
    xml = b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2024-01-01"><INDIVIDUALS/></CONSOLIDATED_LIST>'
    second = upload(client, xml, name="consolidated.xml", format="un-xml")
    assert second.status_code == 409, second.text
    assert f"another import of un-sc (job {'a' * 32} by analyst9, started" in second.json()["detail"]


def _user_id(session) -> int:
    from goodpath.access.models import User

    return session.scalar(select(User.id).where(User.username == "analyst1"))


def test_job_state_survives_a_restart_and_a_dead_servers_job_is_interrupted(client, session, jobs_dir):
    done = wait(client, upload(client, ftm(3)).json()["id"])
    # What a server killed mid-import leaves: a running job, its stamp a few minutes old, its files.
    dead = ListImportJob(
        id="d" * 32, user_id=_user_id(session), created_by="analyst1", filenames=["x.ftm.json"], format="ftm-json",
        dataset=None, status="running", created_at=utcnow() - timedelta(minutes=10),
        heartbeat_at=utcnow() - timedelta(minutes=5),
    )  # fmt: skip
    session.add(dead)
    session.commit()
    (jobs_dir / "imports" / dead.id).mkdir(parents=True)
    (jobs_dir / "imports" / dead.id / "x.ftm.json").write_bytes(ftm(1))
    import_jobs._runner.live.clear()  # a new server process: it runs nothing yet
    after = TestClient(app, headers=client.headers)
    assert after.get(f"/lists/imports/{done['id']}").json() == done
    shown = after.get(f"/lists/imports/{dead.id}").json()
    assert shown["status"] == "interrupted" and "server stopped" in shown["error"]
    assert not (jobs_dir / "imports" / dead.id).exists()
    session.expire_all()
    assert session.get(ListImportJob, dead.id).status == "interrupted"


def test_a_job_imports_against_the_stored_version(db, session, jobs_dir):
    service.apply_parsed(session, parsed([entity("1", "ALPHA")]), dataset="jobs-test")
    session.commit()
    client = TestClient(app, headers=bearer_headers(session, "analyst1"))
    job = wait(client, upload(client, ftm(1)).json()["id"])
    assert job["status"] == "done" and job["result"]["version"] == 2  # compared with the stored version 1


def test_upload_folders_a_killed_server_left_are_swept_by_the_next_upload(client, session, jobs_dir):
    old, fresh = jobs_dir / "imports" / ("e" * 32), jobs_dir / "imports" / ("f" * 32)
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "sdn.csv").write_bytes(b"36,AEROCARIBBEAN AIRLINES\n")
    long_ago = time.time() - 3600
    for path in (old / "sdn.csv", old):
        os.utime(path, (long_ago, long_ago))
    assert wait(client, upload(client, ftm(1)).json()["id"])["status"] == "done"
    assert not old.exists()  # no job of its own, untouched for an hour: left by a killed server
    assert fresh.exists()  # maybe an upload still arriving: left alone
