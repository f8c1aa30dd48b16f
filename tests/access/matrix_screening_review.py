"""Authorization matrix: the screening-review routes beyond the first ones (see test_authorization_matrix.py):
escalating an alert, reopening a suppressed false positive, no longer watching a name.

Each needs the screening.review permission (an analyst or an approver); the public is asked to log in (401),
everyone else is refused before anything is looked up (403). Each user acts on a record of its own, made by
the USA analyst (UNCLASSIFIED, releasable to the USA: every reviewer may read it)."""

from __future__ import annotations

from goodpath.lists import service as lists
from tests.access.matrix_support import CAN_REVIEW_SCREENING, World


def _status(user: str, ok: int) -> int:
    return ok if user in CAN_REVIEW_SCREENING else 401 if user == "public" else 403


def _label(user: str, what: str) -> str:
    return f"matrix-{what}-{user.replace('_', '-')}"


def check_escalate_alert(w: World, user: str) -> None:
    subject = w.call("analyst", "POST", "/screen/subjects", json={"name": "Listed Trading Co",
                                                                   "source": _label(user, "esc")})  # fmt: skip
    w.call("analyst", "POST", "/screen/rescreen")
    alerts = w.call("analyst", "GET", "/screen/alerts", params={"subject_id": subject.json()["id"]}).json()
    url = f"/screen/alerts/{alerts['results'][0]['id']}/escalate"
    response = w.call(user, "POST", url, json={"note": "for the desk officer"})
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in CAN_REVIEW_SCREENING:
        assert w.call(user, "POST", url, json={"note": "again"}).status_code == 409  # escalated already
        assert w.call(user, "POST", url, json={"note": " "}).status_code == 409  # no longer open comes first
        missing = w.call(user, "POST", "/screen/alerts/999999/escalate", json={"note": "x"})
        assert missing.status_code == 404, (user, missing.text)


def check_reopen_disposition(w: World, user: str) -> None:
    made = w.call("analyst", "POST", "/screen/dispositions", json={
        "name": f"Listed Trading reopen {user}", "entry_id": lists.entry_id_for("probe-list", "1"),
        "verdict": "false_positive", "reason": "matrix",
    })  # fmt: skip
    assert made.status_code == 201, made.text
    url = f"/screen/dispositions/{made.json()['id']}/reopen"
    response = w.call(user, "POST", url, json={"reason": "look again"})
    assert response.status_code == _status(user, 201), (user, response.text)
    if user in CAN_REVIEW_SCREENING:
        assert response.json()["verdict"] == "reopened"
        assert w.call(user, "POST", url, json={"reason": "again"}).status_code == 409  # suppresses nothing now
        missing = w.call(user, "POST", "/screen/dispositions/999999/reopen", json={"reason": "x"})
        assert missing.status_code == 404, (user, missing.text)


def check_unwatch_subject(w: World, user: str) -> None:
    made = w.call("analyst", "POST", "/screen/subjects", json={"name": f"Unwatched by {user}"})
    assert made.status_code == 201, made.text
    url = f"/screen/subjects/{made.json()['id']}/unwatch"
    response = w.call(user, "POST", url)
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in CAN_REVIEW_SCREENING:
        assert response.json()["active"] is False
        assert w.call(user, "POST", url).status_code == 409  # not watched any more
        assert w.call(user, "POST", "/screen/subjects/999999/unwatch").status_code == 404


CHECKS = {
    ("POST", "/screen/alerts/{alert_id}/escalate"): check_escalate_alert,
    ("POST", "/screen/dispositions/{disposition_id}/reopen"): check_reopen_disposition,
    ("POST", "/screen/subjects/{subject_id}/unwatch"): check_unwatch_subject,
}
