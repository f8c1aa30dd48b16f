"""Reports as marked PDFs (issue 23): the company dossier and the case file, read back with pypdf, in
English and Chinese, with the banner of the report's marking on every page, every font embedded, only what
the reader may read, the same bytes for the same input, and who may have them (CLI and API), audited.

One demo database for the module (SQLite): the seed cables' companies and the illustrative scenario, plus
a SECRET alias of the illustrative company that a CONFIDENTIAL analyst may not read and a SECRET case kept
from the partner."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.access import auth
from goodpath.access.operator import acting_viewer
from goodpath.api import app
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import get_engine, new_session, session_scope
from goodpath.core.errors import NotFound
from goodpath.core.migrate import upgrade
from goodpath.core.models import utcnow
from goodpath.demo import service as demo
from goodpath.demo.illustrative import load_story, party_key
from goodpath.demo.users import demo_password, ensure_demo_users
from goodpath.engagement import cases
from goodpath.registry.models import Party, PartyName
from goodpath.reports import case_file, common
from goodpath.reports import dossier as dossiers

AS_OF = utcnow().date()  # the scenario's records are dated relative to the day it is loaded
SECRET_ALIAS = "Xingyun Covert Procurement Bureau"
CHINESE_NAME = "星云精密仪器有限公司"
LOWER_ANALYST = "analyst-confidential"
SECRET_CASE = "WLC-REPORT-1"
SHARED_CASE = "ILLUSTRATIVE-2"  # the scenario's case, released to the partner (CHN)
EVIDENCE_SHA256 = "3a679cbae5618b6407cf5cc64c6b301cf3579be891bf499587465846d9c8fd16"  # the scenario's ICP manual


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'goodpath.db'}"
    upgrade(url)
    demo.load_engagement(lambda: new_session(url), "tester")
    with session_scope(url) as session:
        load_story(session)
    with session_scope(url) as session:
        ensure_demo_users(session, "tester")
        auth.create_user(session, LOWER_ANALYST, "a password long enough", "analyst", "CONFIDENTIAL", "USA",
                         actor="tester")  # fmt: skip
        party = session.scalars(select(Party).where(Party.key == party_key())).one()
        session.add(PartyName(party_id=party.id, value=SECRET_ALIAS, kind="alias", script="Latin",
                              normalized=SECRET_ALIAS.lower(), classification="SECRET", releasability="USA",
                              originator="USA"))  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOODPATH_DATABASE_URL", url)
        with session_scope(url) as session:  # a case kept from the partner: SECRET, for the USA only
            cases.raise_case(session, acting_viewer(session, "analyst"), reference=SECRET_CASE, title="Valves",
                             facts="Controlled valves to a missile programme", destination="IR",
                             items=[{"description": "corrosion-resistant valves", "control_entry": "ECCN 2B350"}],
                             parties=[{"role": "exporter", "name": "中国长城工业集团有限公司", "country": "CN"}],
                             classification="SECRET", releasability="USA", source="a test")  # fmt: skip
        yield url
    get_engine(url).dispose()


def _draw(url: str, username: str, party: str, language: str, audit: bool = False) -> common.Report:
    with session_scope(url) as session:
        return dossiers.dossier(session, acting_viewer(session, username), party, as_of=AS_OF, language=language,
                                audit=audit)  # fmt: skip


@pytest.fixture(scope="module")
def analyst_reports(demo_db) -> dict[str, common.Report]:
    return {language: _draw(demo_db, "analyst", party_key(), language) for language in ("en", "zh")}


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """The text without white space (a table cell may wrap a name anywhere)."""
    return "".join(text.split())


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use (descendant fonts included) -> whether its file is embedded."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                found[str(part["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_the_dossier_in_english_and_chinese_with_its_banner_on_every_page(analyst_reports):
    english, chinese = analyst_reports["en"], analyst_reports["zh"]
    for report in (english, chinese):
        pages = _pages(report.drawing.pdf)
        assert len(pages) >= 2
        assert report.drawing.banner == "SECRET//USA ONLY"  # the SECRET alias, released to the USA only
        for number, text in enumerate(pages, start=1):
            assert text.count("SECRET//USA ONLY") >= 2, f"page {number}: banner top and bottom"
            assert f"{number} / {len(pages)}" in text
        whole = _flat("\n".join(pages))
        assert CHINESE_NAME in whole and _flat(SECRET_ALIAS) in whole
        assert _flat("(S) " + SECRET_ALIAS) in whole and "(U)" in whole  # portion marks
        assert "nationalsecuritywaiver" in whole  # a relief route open as of the day
        assert EVIDENCE_SHA256 in whole  # the ICP manual's hash, whole
        fonts = _fonts(report.drawing.pdf)
        assert fonts and all(fonts.values()), fonts
        assert any("Noto-Sans-CJK" in name for name in fonts)
    english_text, chinese_text = (_flat("\n".join(_pages(r.drawing.pdf))) for r in (english, chinese))
    assert "Companydossier" in english_text and "Sanctionsandrelief" in english_text
    assert "公司档案" in chinese_text and "制裁与解除途径" in chinese_text and "Companydossier" not in chinese_text


def test_the_same_input_gives_the_same_bytes(demo_db, analyst_reports):
    again = _draw(demo_db, "analyst", party_key(), "en")
    assert again.drawing.pdf == analyst_reports["en"].drawing.pdf
    assert analyst_reports["en"].drawing.pdf != analyst_reports["zh"].drawing.pdf


def test_a_reader_below_a_records_marking_gets_the_report_without_it(demo_db, tmp_path):
    target = tmp_path / "lower.pdf"
    result = CliRunner().invoke(cli, ["--as", LOWER_ANALYST, "reports", "dossier", party_key(), "--as-of",
                                      AS_OF.isoformat(), "--lang", "zh", "-o", str(target)])  # fmt: skip
    assert result.exit_code == 0, result.output
    pages = _pages(target.read_bytes())
    whole = _flat("\n".join(pages))
    assert _flat(SECRET_ALIAS) not in whole and "Covert" not in whole and CHINESE_NAME in whole
    assert "SECRET" not in whole.replace("UNCLASSIFIED", "") and "(S)" not in whole
    assert all(text.count("UNCLASSIFIED//USA ONLY") >= 2 for text in pages)
    with session_scope(demo_db) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == common.AUDIT_ACTION)
                                .order_by(AuditEntry.seq.desc())).first()  # fmt: skip
        after = json.loads(entry.after)
        assert entry.actor == LOWER_ANALYST and after["marking"] == "UNCLASSIFIED//USA ONLY"
        assert entry.classification == "UNCLASSIFIED" and after["language"] == "zh"


def _client(username: str) -> TestClient:
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": demo_password(username)},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return client


def test_who_may_have_a_dossier_over_the_api(demo_db):
    url = f"/reports/dossier/{party_key()}?lang=zh&as_of={AS_OF.isoformat()}"
    assert TestClient(app).get(url).status_code == 401
    assert _client("partner").get(url).status_code == 403
    company = _client("company")
    assert company.get(url).status_code == 404  # another company's dossier does not exist for its officer
    own = company.get(f"/reports/dossier/norinco?as_of={AS_OF.isoformat()}")
    assert own.status_code == 200 and own.headers["content-type"] == "application/pdf"
    assert "中国北方工业公司" in _flat("\n".join(_pages(own.content)))
    assert _client("analyst").get(url.replace("lang=zh", "lang=fr")).status_code == 422
    auditor = _client("auditor").get(url)
    assert auditor.status_code == 200 and auditor.content[:5] == b"%PDF-"
    assert "attachment" in auditor.headers["content-disposition"]
    with session_scope(demo_db) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == common.AUDIT_ACTION)
                                .order_by(AuditEntry.seq.desc())).first()  # fmt: skip
        assert entry.actor == "auditor" and entry.classification == "SECRET" and entry.releasability == "USA"
        after = json.loads(entry.after)
        assert after["marking"] == "SECRET//USA ONLY" and after["sha256"] == hashlib.sha256(auditor.content).hexdigest()


def test_the_party_page_offers_the_dossier_to_those_who_may_have_it(demo_db):
    with session_scope(demo_db) as session:
        norinco = session.scalars(select(Party.id).where(Party.key == "norinco")).one()
        other = session.scalars(select(Party.id).where(Party.key == party_key())).one()
    analyst = _client("analyst")
    analyst.cookies.set("goodpath_lang", "zh_Hans")
    page = analyst.get(f"/ui/parties/{other}").text
    assert f'href="/reports/dossier/{other}?lang=zh"' in page and "公司档案（PDF）" in page
    assert 'data-testid="dossier-pdf"' not in _client("partner").get(f"/ui/parties/{norinco}").text
    assert 'data-testid="dossier-pdf"' in _client("company").get(f"/ui/parties/{norinco}").text


def test_the_case_file_with_its_history_parties_and_outcome(demo_db, tmp_path):
    target = tmp_path / "case.pdf"
    result = CliRunner().invoke(cli, ["--as", "partner", "reports", "case", SHARED_CASE, "--lang", "zh", "-o",
                                      str(target)])  # fmt: skip
    assert result.exit_code == 0, result.output
    pages = _pages(target.read_bytes())
    assert all(text.count("UNCLASSIFIED//REL TO CHN, USA") >= 2 for text in pages)
    whole = _flat("\n".join(pages))
    assert "案件卷宗" in whole and "伙伴方步骤" in whole and _flat("navigation-grade gyroscopes") in whole
    assert _flat("MTCR Category II Item 9.A.8") in whole and "已制裁" in whole  # the item and the outcome
    with session_scope(demo_db) as session:
        secret = case_file.case_file(session, acting_viewer(session, "analyst"), SECRET_CASE, audit=False)
        with pytest.raises(NotFound):  # not released to the partner: it does not exist for them
            case_file.case_file(session, acting_viewer(session, "partner"), SECRET_CASE, audit=False)
    text = _flat("\n".join(_pages(secret.drawing.pdf)))
    assert secret.drawing.banner == "SECRET//USA ONLY" and "中国长城工业集团有限公司" in text and "ECCN2B350" in text
    assert "Openasofthisdate." in text  # no outcome yet


def test_who_may_have_a_case_file_over_the_api(demo_db):
    url = f"/reports/cases/{SHARED_CASE}?as_of={AS_OF.isoformat()}"
    assert _client("company").get(url).status_code == 403
    assert _client("partner").get(f"/reports/cases/{SECRET_CASE}").status_code == 404
    analyst = _client("analyst").get(url)
    assert analyst.status_code == 200 and analyst.headers["content-type"] == "application/pdf"
    assert f"case-{SHARED_CASE}-{AS_OF.isoformat()}-en.pdf" in analyst.headers["content-disposition"]


def test_the_dossier_as_of_an_earlier_day_leaves_later_records_out(demo_db):
    with session_scope(demo_db) as session:
        analyst = acting_viewer(session, "analyst")
        party = dossiers.find_party(session, analyst, party_key())
        now = dossiers.dossier_context(session, analyst, party, AS_OF)
        recognized = next(s["on"] for s in now["timeline"] if s["type"] == "stage" and s["record"].to_status
                          == "recognized")  # fmt: skip
        then = dossiers.dossier_context(session, analyst, party, recognized)
        before = dossiers.dossier_context(session, analyst, party, date(2000, 1, 1))
    assert now["stage"] == "snapped_back" and then["stage"] == "recognized" and then["since"] == recognized
    assert {r.status for r in now["reliefs"]} == {"revoked"} and then["reliefs"] == []
    assert all(s["on"] <= recognized for s in then["timeline"]) and len(then["timeline"]) < len(now["timeline"])
    assert then["pathway_alerts"] == []
    assert all(a["occurred_on"] > recognized.isoformat() for a in now["pathway_alerts"])
    assert before["stage"] is None and before["timeline"] == [] and before["sanctions"] == []
