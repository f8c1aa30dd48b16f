"""CSV and Excel buttons of the list pages, without a browser: a download holds only the rows the viewer
may read, with the page's filters, through the API's export functions, and is audited."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from goodpath.api import app
from goodpath.core.audit_log import AuditEntry
from goodpath.engagement import cases, pledges
from goodpath.registry.models import Party
from tests.factories import OPERATOR, bearer_headers

HTML = {"Accept": "text/html"}


def _login(session, username: str, **user) -> TestClient:
    bearer_headers(session, username=username, **user)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return client


def _records(session) -> None:
    pledges.create(session, OPERATOR, pledged_by="CHN", pledged_to="USA", text="=HYPERLINK(\"x\") open pledge",
                   share_with=["CHN"])  # fmt: skip
    pledges.create(session, OPERATOR, pledged_by="CHN", pledged_to="USA", text="A SECRET pledge",
                   classification="SECRET")  # fmt: skip
    cases.raise_case(session, OPERATOR, reference="WLC-2024-960", title="Open case", facts="Facts.", partner="CHN")
    cases.raise_case(session, OPERATOR, reference="WLC-2024-961", title="Secret case", facts="Facts.", partner="CHN",
                     classification="SECRET")  # fmt: skip
    session.add(Party(id="psecret01", key="secret-one", schema="Company", caption="SECRET FRONT", countries=["cn"],
                      birth_dates=[], classification="SECRET", releasability="USA", originator="USA"))  # fmt: skip
    session.add(Party(id="popen01", key="open-one", schema="Company", caption="OPEN TRADING", countries=["cn"],
                      birth_dates=[], classification="UNCLASSIFIED", releasability="ALL",
                      originator="USA"))  # fmt: skip
    session.commit()


def _exports(session) -> list[dict]:
    session.expire_all()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.download").order_by(AuditEntry.seq))
    return [{"actor": e.actor, "classification": e.classification, **json.loads(e.after)} for e in rows]


def test_the_list_pages_carry_the_buttons_with_their_filters(session):
    client = _login(session, "analyst1", role="analyst")
    page = client.get("/ui/pledges?status=open&overdue=true", headers=HTML).text
    assert 'href="/ui/export/pledges?format=csv&amp;status=open&amp;overdue=true"' in page
    assert 'href="/ui/export/pledges?format=xlsx&amp;status=open&amp;overdue=true"' in page
    for path, name in (("/ui/consultations", "consultations"), ("/ui/projects", "projects"),
                       ("/ui/enforcement", "enforcement"), ("/parties", "parties")):  # fmt: skip
        assert f'href="/ui/export/{name}?format=csv' in client.get(path, headers=HTML).text, path
    assert "/ui/export/" not in TestClient(app).get("/parties", headers=HTML).text  # the public: no buttons


def test_a_download_holds_only_readable_rows_and_is_audited(session):
    _records(session)
    conf = _login(session, "conf1", role="analyst", clearance="CONFIDENTIAL")
    response = conf.get("/ui/export/pledges?format=csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="pledges.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["text"] for r in rows] == ['\'=HYPERLINK("x") open pledge']  # no formula, as the API's
    [entry] = _exports(session)
    assert entry["actor"] == "conf1" and entry["rows"] == 1 and entry["format"] == "csv"
    assert entry["what"] == "GET /ui/export/pledges?format=csv" and entry["classification"] == "UNCLASSIFIED"

    secret = _login(session, "secret1", role="analyst", clearance="SECRET")
    book = load_workbook(io.BytesIO(secret.get("/ui/export/cases?format=xlsx").content))
    references = sorted(row[1] for row in book.active.iter_rows(min_row=2, values_only=True))
    header = [c.value for c in book.active[1]]
    assert header[1] == "reference" and references == ["WLC-2024-960", "WLC-2024-961"]
    assert _exports(session)[-1]["classification"] == "SECRET" and _exports(session)[-1]["rows"] == 2
    open_only = conf.get("/ui/export/cases?format=csv&status=open").text
    assert "WLC-2024-960" in open_only and "WLC-2024-961" not in open_only

    parties = conf.get("/ui/export/parties?format=csv").text
    assert "OPEN TRADING" in parties and "SECRET FRONT" not in parties
    assert "SECRET FRONT" in secret.get("/ui/export/parties?format=csv").text


def test_the_audit_export_needs_the_audit_reader_and_refusals(session):
    _records(session)
    analyst = _login(session, "analyst1", role="analyst")
    assert analyst.get("/ui/export/audit?format=csv").status_code == 403
    auditor = _login(session, "auditor1", role="auditor", clearance="CONFIDENTIAL")
    text = auditor.get("/ui/export/audit?format=csv").text
    assert "users.create" in text and "Secret case" not in text  # SECRET entries are not exported
    assert 'href="/ui/export/audit?format=csv' in auditor.get("/ui/audit", headers=HTML).text
    assert auditor.get("/ui/export/nothing?format=csv", headers=HTML).status_code == 404
    assert auditor.get("/ui/export/audit?format=pdf", headers=HTML).status_code == 422
    bad = analyst.get("/ui/export/pledges?format=csv&status=bogus", headers=HTML)
    assert bad.status_code == 422 and re.search("status must be one of", bad.text)
    assert TestClient(app).get("/ui/export/pledges?format=csv", follow_redirects=False).status_code == 303


def test_the_case_dossier_and_disclosure_lists_export_only_readable_rows(session):
    from goodpath.engagement import disclosures, dossiers
    from tests.engagement.test_dossiers import NORINCO, OFFICER, add_parties

    _records(session)
    add_parties(session)
    dossiers.open_dossier(session, OPERATOR, NORINCO, share_with=["NORINCO"], occurred_on="2007-08-13")
    dossiers.open_dossier(session, OPERATOR, "p-cgwic", classification="SECRET", model_candidate=True)
    disclosures.add_disclosure(session, OFFICER, NORINCO, counterparty="Harmless Bakery Supplies",
                               counterparty_country="IR", items="flour")  # fmt: skip
    session.commit()
    conf = _login(session, "conf2", role="analyst", clearance="CONFIDENTIAL")
    for path, name in (("/ui/cases?status=open", "cases"), ("/ui/dossiers?status=invited", "dossiers"),
                       ("/ui/disclosures?review=to_review", "disclosures")):  # fmt: skip
        query = path.split("?")[1].replace("&", "&amp;")
        assert f'href="/ui/export/{name}?format=csv&amp;{query}"' in conf.get(path, headers=HTML).text, path

    rows = list(csv.DictReader(io.StringIO(conf.get("/ui/export/dossiers?format=csv").text)))
    assert [r["party_id"] for r in rows] == [NORINCO]  # the SECRET dossier is neither listed nor counted
    assert _exports(session)[-1]["rows"] == 1
    secret = _login(session, "secret2", role="analyst", clearance="SECRET")
    rows = list(csv.DictReader(io.StringIO(secret.get("/ui/export/dossiers?format=csv").text)))
    assert sorted(r["party_id"] for r in rows) == ["p-cgwic", NORINCO]
    candidates = secret.get("/ui/export/dossiers?format=csv&candidates=true").text
    assert "p-cgwic" in candidates and NORINCO not in candidates
    assert 'filename="dossiers.xlsx"' in secret.get("/ui/export/dossiers?format=xlsx").headers["content-disposition"]

    rows = list(csv.DictReader(io.StringIO(conf.get("/ui/export/disclosures?format=csv").text)))
    assert [r["counterparty"] for r in rows] == ["Harmless Bakery Supplies"]
    assert "Harmless" not in conf.get("/ui/export/disclosures?format=csv&review=to_review").text  # no hit to decide
    officer = _login(session, "officer2", role="company_officer", clearance="UNCLASSIFIED", organization="CGWIC",
                     company="p-cgwic")  # fmt: skip
    assert "Harmless" not in officer.get("/ui/export/disclosures?format=csv").text  # another company's
    assert list(csv.DictReader(io.StringIO(officer.get("/ui/export/dossiers?format=csv").text))) == []  # SECRET
