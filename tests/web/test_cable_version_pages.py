"""The cable page's versions without a browser: a truncated upload is reported as a pending version,
the cable page shows it with what it would change, and accepting it takes a confirmation step that
only an analyst can pass."""

from __future__ import annotations

import re

from goodpath.web import i18n
from tests.cables.conftest import SEED_1900
from tests.web.test_cable_audit_pages import HTML, _logged_in

REF = "07BEIJING1900"


def _upload(client, token: str, name: str, data: bytes):
    return client.post("/ui/cables", data={"csrf_token": token}, files=[("files", (name, data))])


def test_a_truncated_upload_waits_as_a_pending_version_until_an_analyst_accepts_it(session):
    client, token = _logged_in(session, "analyst7", "analyst")
    raw = SEED_1900.read_bytes()
    assert "rec-outcome-stored" in _upload(client, token, "1900.txt", raw).text
    cut = _upload(client, token, "1900-cut.txt", raw[: int(len(raw) * 0.3)])
    assert cut.status_code == 200 and "rec-outcome-pending_version" in cut.text
    assert "kept as pending version 2" in cut.text and f"/ui/cables/{REF}#version-2" in cut.text

    page = client.get(f"/ui/cables/{REF}", headers=HTML).text
    assert page.count('data-testid="paragraph"') == 9  # the stored text is untouched
    assert page.count('data-testid="cable-version"') == 2
    assert "7 removed" in page and "section break(s) 2 of 2 not found" in page
    assert f'href="/ui/cables/{REF}/versions/2/accept"' in page

    review = client.get(f"/ui/cables/{REF}/versions/2/accept", headers=HTML)
    assert review.status_code == 200 and 'data-testid="version-accept-confirm"' in review.text
    assert review.text.count('data-testid="paragraph"') == 2
    assert client.post(f"/ui/cables/{REF}/versions/2/accept", data={"note": "x"}).status_code == 403  # no token
    assert client.get(f"/ui/cables/{REF}/versions/9/accept", headers=HTML).status_code == 404
    huge = client.get(f"/ui/cables/{REF}/versions/99999999999999999999/accept", headers=HTML)
    assert huge.status_code in (404, 422)  # never a 5xx

    partner, partner_token = _logged_in(session, "partner7", "partner_officer", clearance="SECRET",
                                        organization="USA")  # fmt: skip
    assert 'data-testid="version-accept"' not in partner.get(f"/ui/cables/{REF}", headers=HTML).text
    assert partner.get(f"/ui/cables/{REF}/versions/2/accept", headers=HTML).status_code == 403
    refused = partner.post(f"/ui/cables/{REF}/versions/2/accept", data={"csrf_token": partner_token})
    assert refused.status_code == 403

    accepted = client.post(f"/ui/cables/{REF}/versions/2/accept", data={"csrf_token": token, "note": "checked"},
                           follow_redirects=False)  # fmt: skip
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/ui/cables/{REF}?notice=accepted#versions"
    after = client.get(accepted.headers["location"], headers=HTML).text
    assert after.count('data-testid="paragraph"') == 2 and 'data-testid="notice"' in after
    assert 'data-testid="draft-stale"' in after  # the drafts of the lost paragraphs are kept, flagged
    again = client.post(f"/ui/cables/{REF}/versions/2/accept", data={"csrf_token": token})
    assert again.status_code == 409 and "already the current one" in again.text

    client.cookies.set(i18n.LANG_COOKIE, "zh_Hans")  # the same pages in Chinese
    chinese = _upload(client, token, "cut.txt", raw[: len(raw) // 2]).text
    assert "待接受的版本" in chinese and "已保留为待接受的第 3 版" in chinese
    page = client.get(f"/ui/cables/{REF}", headers=HTML).text
    assert "审阅并接受" in page and re.search(r"与当前版本相比：新增 \d+ 段", page)
    assert "第 1 版正文" in client.get(f"/ui/cables/{REF}/versions/1/accept", headers=HTML).text
