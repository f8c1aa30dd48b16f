"""Authorization matrix: the evidence store and the notice of a relief (see test_authorization_matrix.py).

Uploading needs the right to submit disclosures (analysts, approvers; a company officer for its own
company only); reading is for any logged-in user, filtered by the markings; linking and recording a
notice need engagement.manage. The probe documents are made once per world: who may see each is
written out below, not computed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from goodpath.core.db import session_scope
from goodpath.pathway.models import PathwayRelief
from goodpath.registry.models import Sanction
from tests.access.matrix_support import World

MANAGE = {"analyst", "analyst_conf", "approver"}
UPLOAD = MANAGE | {"company"}
USA_READERS = {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin"}
# probe document -> (made by, form fields, who sees it)
DOCUMENTS = {
    "u_usa": ("analyst", {"kind": "meeting_record", "title": "minutes"}, USA_READERS),
    "s_usa": (
        "analyst",
        {"kind": "audit_report", "title": "secret audit", "classification": "SECRET"},
        {"analyst", "approver", "auditor", "admin"},
    ),  # fmt: skip
    "c_usachn": (
        "analyst",
        {"kind": "other", "title": "shared", "classification": "CONFIDENTIAL", "releasability": "USA,CHN"},
        USA_READERS | {"partner"},
    ),  # fmt: skip
    "own_company": (
        "company",
        {"kind": "icp_manual", "title": "our ICP manual", "party": "own_company"},
        USA_READERS | {"company"},
    ),  # fmt: skip
    "other_company": (
        "analyst",
        {"kind": "icp_manual", "title": "their manual", "party": "other_company", "releasability": "USA,NORINCO"},
        USA_READERS,
    ),  # fmt: skip
}


def _status(user: str, allowed: set[str], ok: int) -> int:
    return ok if user in allowed else 401 if user == "public" else 403


def _upload(w: World, user: str, content: bytes, fields: dict):
    form = dict(fields)
    if "party" in form:
        form["party"] = w.party_ids[form["party"]]
    return w.call(user, "POST", "/evidence", data=form, files={"file": ("probe.txt", content, "text/plain")})


def _documents(w: World) -> dict:
    """The probe documents: name -> (document id, version id), made once per world."""
    made = getattr(w, "evidence_documents", None)
    if made is None:
        made = {}
        for name, (maker, fields, _) in DOCUMENTS.items():
            response = _upload(w, maker, f"probe document {name}".encode(), fields)
            assert response.status_code == 201, (name, response.text)
            made[name] = (response.json()["document"]["id"], response.json()["version"]["id"])
        w.evidence_documents = made
    return made


def _relief(w: World) -> int:
    """A relief (by a route without notice) of the probe company u_all, as the USA analyst would record it
    (UNCLASSIFIED, releasable to USA), stored directly once per world."""
    if not hasattr(w, "evidence_relief"):
        with session_scope() as session:
            party_id = w.party_ids["u_all"]
            sanction_id = session.scalars(select(Sanction.id).where(Sanction.party_id == party_id)).first()
            relief = PathwayRelief(
                party_id=party_id, sanction_id=sanction_id, measure="m", route_code="r", effective_on=date(2005, 1, 1),
                conditions=[], status="active", status_on=date(2005, 1, 1), classification="UNCLASSIFIED",
                releasability="USA", originator="USA",
            )  # fmt: skip
            session.add(relief)
            session.flush()
            w.evidence_relief = relief.id
    return w.evidence_relief


def check_upload(w: World, user: str) -> None:
    _documents(w)
    own = {"kind": "other", "title": f"by {user}", "party": "own_company"}
    response = _upload(w, user, f"upload by {user}".encode(), own if user == "company" else {**own, "party": "u_all"})
    assert response.status_code == _status(user, UPLOAD, 201), (user, response.text)
    if user in UPLOAD:
        again = _upload(w, user, f"upload by {user}".encode(), own if user == "company" else {**own, "party": "u_all"})
        assert again.status_code == 200 and again.json()["already_stored"], (user, again.text)
        # a company the user may not see does not exist for them
        hidden = "other_company" if user == "company" else "u_unmarked_chn"
        refused = _upload(w, user, b"hidden", {"kind": "other", "title": "x", "party": hidden})
        assert refused.status_code == 404, (user, refused.text)
    if user == "company":
        notice = _upload(w, user, b"notice", {"kind": "congress_notice", "title": "n", "party": "own_company"})
        assert notice.status_code == 409, notice.text


def check_new_version(w: World, user: str) -> None:
    made = _documents(w)
    for name, (_, _, sees) in DOCUMENTS.items():
        document_id = made[name][0]
        files = {"file": ("v.txt", f"version by {user} of {name}".encode(), "text/plain")}
        response = w.call(user, "POST", f"/evidence/{document_id}/versions", files=files)
        if user not in UPLOAD:
            expected = 401 if user == "public" else 403
        elif user not in sees:
            expected = 404
        else:
            expected = 201
        assert response.status_code == expected, (user, name, response.text)


def check_list(w: World, user: str) -> None:
    made = _documents(w)
    response = w.call(user, "GET", "/evidence")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        ids = {d["id"] for d in response.json()["results"]}
        probe_ids = {document_id for document_id, _ in made.values()}
        expected = {made[name][0] for name, (_, _, sees) in DOCUMENTS.items() if user in sees}
        assert ids & probe_ids == expected, user


def check_show(w: World, user: str) -> None:
    made = _documents(w)
    for name, (_, _, sees) in DOCUMENTS.items():
        response = w.call(user, "GET", f"/evidence/{made[name][0]}")
        expected = 401 if user == "public" else 200 if user in sees else 404
        assert response.status_code == expected, (user, name, response.text)
        if expected == 404:  # indistinguishable from a document that never existed
            never = w.call(user, "GET", "/evidence/999999").json()["detail"]
            assert response.json()["detail"].replace(str(made[name][0]), "X") == never.replace("999999", "X")


def check_download(w: World, user: str) -> None:
    made = _documents(w)
    for name, (_, _, sees) in DOCUMENTS.items():
        response = w.call(user, "GET", f"/evidence/{made[name][0]}/versions/1/content")
        expected = 401 if user == "public" else 200 if user in sees else 404
        assert response.status_code == expected, (user, name, response.text)
        if expected == 200:
            assert response.content == f"probe document {name}".encode()
            assert len(response.headers["x-content-sha256"]) == 64


def check_link(w: World, user: str) -> None:
    made = _documents(w)
    relief = _relief(w)
    for name in ("u_usa", "s_usa", "c_usachn"):
        version_id = made[name][1]
        response = w.call(
            user,
            "POST",
            f"/evidence/versions/{version_id}/links",
            json={"relief_id": relief, "purpose": "publication" if user == "approver" else "supports"},
        )
        if user not in MANAGE:
            assert response.status_code == (401 if user == "public" else 403), (user, response.text)
        elif user not in DOCUMENTS[name][2]:
            assert response.status_code == 404, (user, name, response.text)
        else:  # linked by the first writer, already linked for the next
            assert response.status_code in (201, 409), (user, name, response.text)


def check_notice(w: World, user: str) -> None:
    made = _documents(w)
    relief = _relief(w)
    response = w.call(user, "POST", f"/pathway/reliefs/{relief}/notice",
                      json={"notice_on": "2005-02-01", "version_id": made["u_usa"][1]})  # fmt: skip
    if user not in MANAGE:
        assert response.status_code == (401 if user == "public" else 403), (user, response.text)
    else:  # a relief without a notice route: refused, as it should be, after the access checks
        assert response.status_code == 409 and "requires no notice" in response.json()["detail"], response.text
        missing = w.call(user, "POST", "/pathway/reliefs/999999/notice",
                         json={"notice_on": "2005-02-01", "version_id": made["u_usa"][1]})  # fmt: skip
        assert missing.status_code == 404


CHECKS = {
    ("POST", "/evidence"): check_upload,
    ("POST", "/evidence/{document_id}/versions"): check_new_version,
    ("GET", "/evidence"): check_list,
    ("GET", "/evidence/{document_id}"): check_show,
    ("GET", "/evidence/{document_id}/versions/{version}/content"): check_download,
    ("POST", "/evidence/versions/{version_id}/links"): check_link,
    ("POST", "/pathway/reliefs/{relief_id}/notice"): check_notice,
}
