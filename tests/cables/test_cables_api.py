"""The cables API: upload (files and zip archives), search, one cable with links and drafts, and
decisions on drafts; reads filtered by the cables' classification."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient

from goodpath.api import app
from tests.factories import bearer_headers


def _upload(client, headers, *files: tuple[str, bytes]):
    return client.post("/cables", headers=headers, files=[("files", (name, io.BytesIO(data))) for name, data in files])


def test_upload_search_show_and_decide(session, cable_files):
    client = TestClient(app)
    analyst = bearer_headers(session, "analyst1")
    conf = bearer_headers(session, "analyst2", clearance="CONFIDENTIAL")
    auditor = bearer_headers(session, "auditor1", role="auditor")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a/1900.txt", cable_files["07BEIJING1900"].read_bytes())
        z.writestr("a/readme.txt", "not a cable")
    uploads = [("5360.txt", cable_files["07BEIJING5360"].read_bytes()), ("cables.zip", archive.getvalue()),
               ("1760.html", cable_files["07BEIJING1760"].read_bytes())]  # fmt: skip
    response = _upload(client, analyst, *uploads)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["stored"], body["refused"]) == (3, 1)
    assert [r["file"] for r in body["results"]] == ["5360.txt", "cables.zip:a/1900.txt", "cables.zip:a/readme.txt",
                                                    "1760.html"]  # fmt: skip
    assert "goodpath-upload" not in response.text  # no server paths in the answer
    again = _upload(client, analyst, ("copy.txt", cable_files["07BEIJING5360"].read_bytes())).json()
    assert again["results"][0]["outcome"] == "unchanged"
    assert _upload(client, auditor, ("x.txt", b"x")).status_code == 403
    assert _upload(client, {}, ("x.txt", b"x")).status_code == 401
    refused = _upload(client, conf, ("s.txt", cable_files["07BEIJING1900"].read_bytes())).json()["results"][0]
    assert refused["outcome"] == "refused" and "above your clearance" in refused["reason"]

    listed = client.get("/cables", headers=analyst, params={"q": "nonpaper"}).json()
    assert [c["reference_id"] for c in listed["results"]] == ["07BEIJING5360"]
    by_tag = client.get("/cables", headers=analyst, params={"tag": "IR", "from": "2007-01-01", "to": "2007-12-31"})
    assert [c["reference_id"] for c in by_tag.json()["results"]] == ["07BEIJING1900"]
    assert client.get("/cables", headers=analyst, params={"classification": "COSMIC"}).status_code == 422
    assert [c["reference_id"] for c in client.get("/cables", headers=conf).json()["results"]] == ["07BEIJING1760"]
    assert client.get("/cables", headers={}).status_code == 401

    hidden = client.get("/cables/07BEIJING5360", headers=conf)
    never = client.get("/cables/07NOWHERE1", headers=conf)
    assert (hidden.status_code, never.status_code) == (404, 404)
    assert hidden.json()["detail"].replace("07BEIJING5360", "X") == never.json()["detail"].replace("07NOWHERE1", "X")
    cable = client.get("/cables/07BEIJING5360", headers=analyst).json()
    assert cable["data"]["paragraphs"][3]["number"] == 4 and cable["links"]
    draft = next(d for d in cable["drafts"] if "would prepare for China a nonpaper" in d["text"])

    confirmed = client.post(f"/cables/drafts/{draft['id']}/confirm", headers=analyst, json={"fields": {"owner": "ISN"}})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed_record_type"] == "pledge"
    pledge = client.get(f"/pledges/{confirmed.json()['confirmed_record_id']}", headers=analyst).json()
    assert (pledge["source"], pledge["owner"]) == ("07BEIJING5360 ¶4", "ISN")
    assert client.post(f"/cables/drafts/{draft['id']}/confirm", headers=analyst).status_code == 409
    other = next(d for d in cable["drafts"] if d["status"] == "draft" and d["kind"] == "request")
    assert client.post(f"/cables/drafts/{other['id']}/confirm", headers=analyst,
                       json={"as_kind": "pledge", "fields": {"due_on": "soon"}}).status_code == 422  # fmt: skip
    assert client.post(f"/cables/drafts/{other['id']}/discard", headers=conf, json={"reason": "x"}).status_code == 404
    discarded = client.post(f"/cables/drafts/{other['id']}/discard", headers=analyst, json={"reason": "general"})
    assert discarded.status_code == 200 and discarded.json()["status"] == "discarded"
    drafts = client.get("/cables/drafts", headers=analyst, params={"status": "discarded"}).json()
    assert [d["id"] for d in drafts["results"]] == [other["id"]]
    assert client.get("/cables/drafts", headers=conf, params={"status": "discarded"}).json()["total"] == 0
