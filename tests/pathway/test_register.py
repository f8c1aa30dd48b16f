"""The public recognition register and the stigma list: published (in English and Chinese) only when a
second person with the approver role approves a recognition, a public stigma or a snapback; a company
has one current entry at most, the one of its last published decision; the public reads them without
logging in and sees nothing else of the pathway."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from goodpath.access.policy import PUBLIC
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.workflow import StatusEvent
from goodpath.pathway import proposals, register, stages
from goodpath.pathway.models import PathwayProposal, PathwayState, PublicStatement
from goodpath.registry.models import Party, PartyName
from goodpath.registry.names import normalize_name
from tests.pathway.conftest import (
    ANALYST,
    APPROVER,
    APPROVER2,
    add_company,
    add_sanctioned_case,
    move,
    walk_to_monitoring,
)

SIMPLIFIED = "中国艾克米工业公司"
TRADITIONAL = "中國艾克米工業公司"


def add_names(session, party_id: str = "acme") -> None:
    """English and Chinese names; a SECRET Chinese name must never be published."""
    public = {"classification": "UNCLASSIFIED", "releasability": "ALL", "originator": "USA"}
    rows = [("ACME Corporation", "primary", "eng", public), ("艾克米", "alias", "zho", public),
            (TRADITIONAL, "original_script", "zho", public), (SIMPLIFIED, "original_script", "zho", public),
            ("秘密艾克米", "original_script", "zho", {**public, "classification": "SECRET"})]  # fmt: skip
    for value, kind, lang, marks in rows:
        session.add(PartyName(party_id=party_id, value=value, kind=kind, lang=lang,
                              normalized=normalize_name(value), **marks))  # fmt: skip
    session.commit()


def entries(session, party_id: str = "acme") -> list[PublicStatement]:
    session.expire_all()
    query = select(PublicStatement).where(PublicStatement.party_id == party_id).order_by(PublicStatement.id)
    return list(session.scalars(query))


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def propose(session, to_stage: str, on: str, viewer=ANALYST, party="acme", **kwargs) -> PathwayProposal:
    proposal = proposals.propose(session, viewer, party, to_stage=to_stage, rationale=f"secret reasons for {to_stage}",
                                 effective_on=on, **kwargs)  # fmt: skip
    session.commit()
    return proposal


# --- publishing on approval ------------------------------------------------------------------------


def test_an_approved_recognition_publishes_both_texts_and_the_chinese_name(session, company):
    add_names(session)
    walk_to_monitoring(session)
    proposal = propose(session, "recognized", "2005-07-01")
    assert proposal.status == "pending" and entries(session) == []  # nothing while pending
    proposals.approve(session, APPROVER, proposal.id, note="agreed")
    session.commit()
    (entry,) = entries(session)
    assert (entry.register, entry.kind, entry.status, entry.published_on, entry.published_by, entry.proposal_id) == (
        "recognition", "recognized", "current", date(2005, 7, 1), "approver1", proposal.id)  # fmt: skip
    assert (entry.classification, entry.releasability, entry.published) == ("UNCLASSIFIED", "ALL", True)
    # the Chinese name: public, original script, Simplified before Traditional; never the SECRET one
    assert (entry.name_en, entry.name_zh) == ("ACME Corp", SIMPLIFIED)
    assert entry.text_en.startswith("The United States Government recognizes ACME Corp for ending transfers")
    assert "internal compliance program" in entry.text_en and "monitoring period without breach" in entry.text_en
    assert "July 1, 2005" in entry.text_en
    assert entry.text_zh.startswith(f"美国政府认可{SIMPLIFIED}已停止转让") and "2005年7月1日" in entry.text_zh
    assert "秘密" not in entry.text_zh + (entry.name_zh or "")
    assert "register.publish" in actions(session)
    assert [e.id for e in register.register(session, PUBLIC, "recognition")] == [entry.id]
    assert register.register(session, PUBLIC, "stigma") == []
    assert register.statement(session, PUBLIC, entry.id).id == entry.id


def test_nothing_is_published_while_pending_nor_when_rejected_or_withdrawn(session, company):
    walk_to_monitoring(session)
    rejected = propose(session, "recognized", "2005-07-01")
    proposals.reject(session, APPROVER, rejected.id, "not yet")
    session.commit()
    withdrawn = propose(session, "recognized", "2005-07-01")
    proposals.withdraw(session, ANALYST, withdrawn.id)
    session.commit()
    own = propose(session, "recognized", "2005-07-01", viewer=APPROVER)
    with pytest.raises(Refused, match="second person"):
        proposals.approve(session, APPROVER, own.id)
    session.rollback()
    assert entries(session) == []
    assert not any(a.startswith("register.") for a in actions(session))


def test_a_custom_statement_overrides_the_template_and_half_a_statement_is_refused(session, company):
    add_names(session)
    walk_to_monitoring(session)
    before = session.scalar(select(func.count()).select_from(PathwayProposal))
    for statement, message in [
        ({"en": "Recognized."}, "missing zh"),
        ({"zh": "认可。"}, "missing en"),
        ({"en": "Recognized.", "zh": "   "}, "missing zh"),
        ({"en": "x" * 4001, "zh": "认可。"}, "longer than 4000"),
        ({"en": "a", "zh": "b", "fr": "c"}, "not fr"),
    ]:
        with pytest.raises(GoodpathError, match=message):
            proposals.propose(session, ANALYST, "acme", to_stage="recognized", rationale="r",
                              effective_on="2005-07-01", statement=statement)  # fmt: skip
        session.rollback()
    assert session.scalar(select(func.count()).select_from(PathwayProposal)) == before
    add_company(session, "bolt")
    session.commit()
    with pytest.raises(GoodpathError, match="published only on recognized, public_stigma, snapped_back"):
        proposals.propose(session, ANALYST, "bolt", to_stage="invited", rationale="r", effective_on="2004-01-01",
                          statement={"en": "Invited.", "zh": "已邀请。"})  # fmt: skip
    session.rollback()
    proposal = propose(session, "recognized", "2005-07-01",
                       statement={"en": "  ACME is recognized.  ", "zh": "艾克米获得认可。"})  # fmt: skip
    assert proposal.statement == {"en": "ACME is recognized.", "zh": "艾克米获得认可。"}
    proposals.approve(session, APPROVER2, proposal.id)
    session.commit()
    (entry,) = entries(session)
    assert (entry.text_en, entry.text_zh, entry.name_zh) == ("ACME is recognized.", "艾克米获得认可。", SIMPLIFIED)


def test_a_public_stigma_goes_to_the_stigma_list_with_the_english_name_when_there_is_no_chinese_one(session, company):
    move(session, "continued_sanctions", "2004-01-01")
    proposal = propose(session, "public_stigma", "2004-03-01")
    assert entries(session) == []
    proposals.approve(session, APPROVER2, proposal.id)
    session.commit()
    (entry,) = entries(session)
    assert (entry.register, entry.kind, entry.published_by, entry.name_zh) == (
        "stigma", "public_stigma", "approver2", None)  # fmt: skip
    assert "The sanctions imposed on ACME Corp remain in force." in entry.text_en
    assert entry.text_zh.startswith("美国政府声明：ACME Corp拒绝参与或未能推进") and "制裁继续有效" in entry.text_zh
    assert [e.id for e in register.register(session, PUBLIC, "stigma")] == [entry.id]


def test_snapback_withdraws_the_recognition_and_a_new_recognition_supersedes_the_stigma(session, missile_sanction):
    add_names(session)
    walk_to_monitoring(session)
    move(session, "recognized", "2005-07-01")
    relief = {"sanction_id": missile_sanction.id, "measure": "import_ban", "route_code": "national_security_waiver"}
    move(session, "relief_granted", "2005-08-01", relief=relief)
    (recognition,) = entries(session)  # relief publishes nothing
    add_sanctioned_case(session, closed_on=date(2005, 12, 1))  # the breach
    session.commit()
    snapback = move(session, "snapped_back", "2006-01-01")
    recognition, stigma = entries(session)
    assert (recognition.status, recognition.status_on) == ("withdrawn", date(2006, 1, 1))
    assert (stigma.register, stigma.kind, stigma.status, stigma.proposal_id) == (
        "stigma", "snapped_back", "current", snapback.id)  # fmt: skip
    assert "breached the conditions" in stigma.text_en and "January 1, 2006" in stigma.text_en
    assert f"{SIMPLIFIED}违反了" in stigma.text_zh and "2006年1月1日" in stigma.text_zh
    assert register.register(session, PUBLIC, "recognition") == []
    assert [e.status for e in register.register(session, PUBLIC, "recognition", include_past=True)] == ["withdrawn"]
    assert "register.withdrawn" in actions(session)
    # back on the good path: a new monitoring year without breach, and a new recognition
    for stage, on in [("invited", "2006-02-01"), ("in_dialogue", "2006-02-02"), ("commitments_made", "2006-02-03"),
                      ("icp_established", "2006-02-04"), ("monitoring", "2006-03-01"),
                      ("recognized", "2007-03-01")]:  # fmt: skip
        move(session, stage, on)
    old, stigma, renewed = entries(session)
    assert (old.status, stigma.status, stigma.status_on, renewed.status, renewed.kind) == (
        "withdrawn", "superseded", date(2007, 3, 1), "current", "recognized")  # fmt: skip
    assert register.register(session, PUBLIC, "stigma") == []
    assert [e.id for e in register.register(session, PUBLIC, "recognition")] == [renewed.id]
    assert [e.status for e in register.register(session, PUBLIC, "recognition", include_past=True)] == [
        "current", "withdrawn"]  # fmt: skip
    assert "register.superseded" in actions(session)


def test_an_unpublished_statement_does_not_exist_for_the_public(session, company):
    draft = PublicStatement(
        party_id="acme", register="stigma", kind="public_stigma", name_en="ACME Corp", text_en="draft",
        text_zh="草稿", published_on=date(2004, 1, 1), published_by="x", classification="UNCLASSIFIED",
        releasability="USA", originator="USA", published=False,
    )  # fmt: skip
    session.add(draft)
    session.commit()
    assert register.register(session, PUBLIC, "stigma") == []
    with pytest.raises(NotFound):
        register.statement(session, PUBLIC, draft.id)
    with pytest.raises(NotFound):
        register.statement(session, ANALYST, draft.id)  # not published: not a public statement at all
    with pytest.raises(GoodpathError, match="register must be one of"):
        register.register(session, PUBLIC, "heroes")


# --- API and CLI -------------------------------------------------------------------------------------


def test_the_public_reads_the_register_without_logging_in_and_nothing_else_of_the_pathway(session, company):
    from fastapi.testclient import TestClient

    from goodpath.api import app as api
    from tests.factories import bearer_headers

    add_names(session)
    boss = bearer_headers(session, "boss", "approver")
    boss2 = bearer_headers(session, "boss2", "approver")
    walk_to_monitoring(session)
    client = TestClient(api)
    body = {"to_stage": "recognized", "rationale": "zzconfidential rationale", "effective_on": "2005-07-01"}
    half = client.post("/pathway/acme/proposals", json={**body, "statement": {"en": "Recognized."}}, headers=boss)
    assert half.status_code == 422 and "missing zh" in half.json()["detail"], half.text
    made = client.post("/pathway/acme/proposals", headers=boss,
                       json={**body, "statement": {"en": "ACME is recognized.", "zh": "艾克米获得认可。"}})  # fmt: skip
    assert made.status_code == 201 and made.json()["statement"]["zh"] == "艾克米获得认可。", made.text
    assert client.get("/public/register").json()["entries"] == []  # pending: nothing published
    approved = client.post(f"/pathway/proposals/{made.json()['id']}/approve", json={}, headers=boss2)
    assert approved.status_code == 200, approved.text

    english = client.get("/public/register")  # no credentials: the public role
    assert english.status_code == 200
    (row,) = english.json()["entries"]
    assert (row["lang"], row["name"], row["text"], row["name_zh"], row["text_zh"]) == (
        "en", "ACME Corp", "ACME is recognized.", SIMPLIFIED, "艾克米获得认可。")  # fmt: skip
    assert "published_by" not in row and "proposal_id" not in row  # the public sees the statement, not who
    assert "zzconfidential" not in english.text
    chinese = client.get("/public/register", params={"lang": "zh"}).json()
    assert (chinese["entries"][0]["name"], chinese["entries"][0]["text"]) == (SIMPLIFIED, "艾克米获得认可。")
    assert chinese["entries"][0]["text_en"] == "ACME is recognized."
    assert client.get("/public/register", params={"lang": "fr"}).status_code == 422
    assert client.get("/public/stigma").json()["entries"] == []
    one = client.get(f"/public/statements/{row['id']}", params={"lang": "zh"})
    assert one.status_code == 200 and one.json()["text"] == "艾克米获得认可。"
    assert client.get("/public/statements/999999").status_code == 404
    logged_in = client.get("/public/register", headers=boss).json()["entries"][0]
    assert logged_in["published_by"] == "boss2"
    # the pathway itself is not public: its records are unpublished
    assert client.get("/pathway/acme").status_code == 401
    assert client.get("/pathway/funnel").status_code == 401
    for model in (PathwayState, PathwayProposal, StatusEvent):
        assert session.scalars(select(model).where(model.published.is_(True))).all() == []


def test_cli_register_and_stigma_in_english_and_chinese(session, company):
    from typer.testing import CliRunner

    from goodpath.cli import app as cli

    add_names(session)
    walk_to_monitoring(session)
    runner = CliRunner()
    half = runner.invoke(cli, ["pathway", "propose", "acme", "--to", "recognized", "--rationale", "r",
                               "--on", "2005-07-01", "--statement-zh", "认可。"])  # fmt: skip
    assert half.exit_code == 1 and "missing en" in half.output, half.output
    move(session, "recognized", "2005-07-01")
    zh = runner.invoke(cli, ["pathway", "register", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "认可名录" in zh.output and SIMPLIFIED in zh.output and "美国政府认可" in zh.output
    assert "The United States Government recognizes" in zh.output  # both texts, Chinese first
    assert zh.output.index("美国政府认可") < zh.output.index("The United States Government recognizes")
    data = json.loads(runner.invoke(cli, ["pathway", "register", "--json"]).stdout)
    assert (data["count"], data["entries"][0]["name_zh"], data["lang"]) == (1, SIMPLIFIED, "en")
    stigma = runner.invoke(cli, ["pathway", "stigma"])
    assert stigma.exit_code == 0 and "Stigma list" in stigma.output and "0 entries (current)" in stigma.output
    assert runner.invoke(cli, ["pathway", "register", "--lang", "fr"]).exit_code != 0


# --- the property: one current entry at most, the last published decision's ------------------------

PUBLISHING = ("recognized", "public_stigma", "snapped_back")


def permissive() -> stages.Stages:
    """The real stages, with every publishing step allowed from anywhere without evidence (two people)."""
    data = stages.load()
    steps = [
        {"from": list(data.stages), "to": to, "kind": "snapback" if to == "snapped_back" else "transition",
         "evidence": [], "propose": "pathway.propose", "second_approver": True}
        for to in PUBLISHING
    ]  # fmt: skip
    return stages.parse({"stages": data.stages, "transitions": steps, "settings": data.settings})


STEP = st.tuples(st.sampled_from(["acme", "bolt"]), st.sampled_from(PUBLISHING),
                 st.sampled_from(["approve", "approve", "approve", "reject", "withdraw"]), st.booleans(),
                 st.integers(0, 90), st.booleans())  # fmt: skip


def check_register(session, last: dict[str, tuple]) -> None:
    session.expire_all()
    public = register.register(session, PUBLIC, "recognition") + register.register(session, PUBLIC, "stigma")
    for party in ("acme", "bolt"):
        rows = entries(session, party)
        current = [e for e in rows if e.status == "current"]
        assert len(current) <= 1, [(e.kind, e.status) for e in rows]
        approved = session.scalar(select(func.count()).select_from(PathwayProposal).where(
            PathwayProposal.party_id == party, PathwayProposal.status == "approved"))  # fmt: skip
        assert len(rows) == approved  # one entry per approved decision, nothing else
        assert all(e.status != "withdrawn" or e.register == "recognition" for e in rows)
        if party not in last:
            assert rows == []
            continue
        to_stage, proposal_id, statement = last[party]
        (entry,) = current
        assert (entry.kind, entry.proposal_id) == (to_stage, proposal_id)
        assert entry.register == register.register_of(to_stage)
        if statement:
            assert (entry.text_en, entry.text_zh) == (statement["en"], statement["zh"])
        assert [e.id for e in public if e.party_id == party] == [entry.id]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_a_company_has_at_most_one_current_entry_and_it_is_its_last_published_decision(session, steps):
    session.rollback()
    for model in (PublicStatement, PathwayProposal, PathwayState, StatusEvent, AuditEntry):
        session.query(model).delete()
    for party in ("acme", "bolt"):
        if session.get(Party, party) is None:
            add_company(session, party)
    session.commit()
    catalogue = permissive()
    last: dict[str, tuple] = {}
    day = date(2003, 9, 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stages, "load", lambda: catalogue)
        for party, target, decision, second, step, custom in steps:
            day += timedelta(days=step)
            statement = {"en": f"Custom {target} of {party}.", "zh": f"{party}的自定义声明。"} if custom else None
            proposal = proposals.propose(session, ANALYST, party, to_stage=target, rationale="r", effective_on=day,
                                         statement=statement)  # fmt: skip
            if decision == "approve":
                proposals.approve(session, APPROVER2 if second else APPROVER, proposal.id)
                last[party] = (target, proposal.id, statement)
            elif decision == "reject":
                proposals.reject(session, APPROVER, proposal.id, "no")
            else:
                proposals.withdraw(session, ANALYST, proposal.id)
            session.commit()
            check_register(session, last)
