"""The party page's forms to record a sanction and its events from a notice (issue 19), without a browser:
shown to analysts only; a recorded fact appears with its source and precision; a refusal comes back with
the rule and the values typed, nothing stored; a Federal Register document of the evidence store is linked."""

from __future__ import annotations

import re

from goodpath.registry.models import Sanction, SanctionEvent
from tests.web.test_pathway_case_pages import HTML, _csrf, _login, _party


def _federal_register(client, token: str, party: str) -> int:
    files = {"file": ("notice.txt", b"59 FR (Nov 7 1994), Public Notice 2111.", "text/plain")}
    fields = {"csrf_token": token, "party": party, "kind": "federal_register", "title": "Public Notice 2111"}
    stored = client.post("/ui/evidence", data=fields, files=files, follow_redirects=False)
    assert stored.status_code == 303, stored.text
    return int(re.search(r"/ui/evidence/(\d+)", stored.headers["location"]).group(1))


def test_an_analyst_records_a_sanction_and_its_waiver_on_the_party_page(session):
    _party(session, "cpmiec", "China Precision Machinery Import-Export Corporation")
    session.commit()
    analyst = _login(session, "analyst7")
    page = analyst.get("/ui/parties/cpmiec", headers=HTML).text
    assert 'data-testid="record-sanction"' in page
    token = _csrf(page)
    document = _federal_register(analyst, token, "cpmiec")
    assert f'<option value="{document}">' in analyst.get("/ui/parties/cpmiec", headers=HTML).text

    refused = analyst.post("/ui/parties/cpmiec/sanctions", data={
        "csrf_token": token, "authority": "AECA73", "imposed": "1989-01-01", "measures": "missile_contract_ban",
        "citation": "a notice"}, headers=HTML)  # fmt: skip
    assert refused.status_code == 200 and "before AECA73 took effect on 1990-11-05" in refused.text
    assert 'value="1989-01-01"' in refused.text  # the values typed come back
    session.expire_all()
    assert session.query(Sanction).count() == 0

    done = analyst.post("/ui/parties/cpmiec/sanctions", data={
        "csrf_token": token, "authority": "AECA73", "imposed": "1993-08-24", "category": "II",
        "measures": "missile_contract_ban missile_licence_denial", "citation": "Aug 24 1993 determination"},
        follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("done=sanction_recorded")
    session.expire_all()
    sanction = session.query(Sanction).one()
    assert sanction.origin == "analyst" and sanction.measures == ["missile_contract_ban", "missile_licence_denial"]
    waiver = analyst.post("/ui/parties/cpmiec/sanction-events", data={
        "csrf_token": token, "sanction": str(sanction.id), "kind": "waiver", "on": "1994-11-01",
        "citation": "59 FR (Nov 7 1994), Public Notice 2111", "document": str(document),
    }, follow_redirects=False)  # fmt: skip
    assert waiver.status_code == 303, waiver.text
    session.expire_all()
    event = session.query(SanctionEvent).one()
    assert event.document_id == document and event.kind == "waiver"
    shown = analyst.get("/ui/parties/cpmiec", headers=HTML).text
    assert 'data-testid="sanction-event"' in shown and "Public Notice 2111" in shown
    assert "recorded by an analyst" in shown


def test_only_analysts_see_and_use_the_forms(session):
    _party(session, "acme", "Acme Ltd")
    session.commit()
    auditor = _login(session, "auditor7", role="auditor")
    page = auditor.get("/ui/parties/acme", headers=HTML)
    assert page.status_code == 200 and 'data-testid="record-sanction"' not in page.text
    token = _csrf(page.text) if 'name="csrf_token"' in page.text else ""
    denied = auditor.post("/ui/parties/acme/sanctions", data={"csrf_token": token, "authority": "AECA73",
                                                             "imposed": "1995-01-01", "citation": "x"})  # fmt: skip
    assert denied.status_code == 403
    session.expire_all()
    assert session.query(Sanction).count() == 0
