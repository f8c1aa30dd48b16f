"""The case pages without a browser: parties and items added and removed by those who manage cases
(screened on entry, hits shown), the company of the raise form as a party, the partner chosen or not,
and who may do and see what."""

from __future__ import annotations

import re

from tests.engagement.test_cases import LISTED, load_list
from tests.web.test_pathway_case_pages import HTML, _csrf, _login, _on_pathway, _party
from tests.web.test_search_pages import _party as _named_party


def _raise(client, token: str, reference: str, **fields):
    data = {"csrf_token": token, "reference": reference, "title": "Broker case", "facts": "Machine tools.",
            "classification": "UNCLASSIFIED", "partner": "CHN", **fields}  # fmt: skip
    return client.post("/ui/cases", data=data, follow_redirects=False)


def _case_id(response) -> str:
    return re.search(r"/ui/cases/(\d+)", response.headers["location"]).group(1)


def test_parties_and_items_are_added_screened_and_removed_on_the_case_page(session):
    load_list(session, LISTED)
    _party(session, "dalianco", "Dalian Machine Tool Co")
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst.get("/ui/cases", headers=HTML).text)
    raised = _raise(analyst, token, "WLC-2026-060", party="dalianco", party_role="broker", release_to_partner="1")
    assert raised.status_code == 303
    case = _case_id(raised)
    page = analyst.get(f"/ui/cases/{case}", headers=HTML).text
    assert 'data-testid="party-count">1<' in page and "Dalian Machine Tool Co" in page  # the company is a party
    assert "CHN, USA" in page
    added = analyst.post(f"/ui/cases/{case}/parties", follow_redirects=False,
                         data={"csrf_token": token, "role": "exporter", "name": LISTED, "country": "CN"})  # fmt: skip
    assert added.status_code == 303
    page = analyst.get(f"/ui/cases/{case}", headers=HTML).text
    assert 'data-testid="party-count">2<' in page and "1 hit" in page  # screened on entry, its hit shown
    bad = analyst.post(f"/ui/cases/{case}/parties", data={"csrf_token": token, "role": "pilot", "name": "X Co"})
    assert bad.status_code == 422 and "party 1 role" in bad.text and 'value="X Co"' in bad.text  # the service's error
    item = analyst.post(f"/ui/cases/{case}/items", follow_redirects=False, data={
        "csrf_token": token, "description": "flow-forming machine", "control_entry": "ECCN 2B009",
        "quantity": "1"})  # fmt: skip
    assert item.status_code == 303
    refused = analyst.post(f"/ui/cases/{case}/items", data={"csrf_token": token, "description": "x",
                                                           "control_entry": "??"})  # fmt: skip
    assert refused.status_code == 422 and "item 2 control_entry" in refused.text
    page = analyst.get(f"/ui/cases/{case}", headers=HTML).text
    assert 'data-testid="item-count">1<' in page and "ECCN 2B009" in page
    party_id = re.search(r"/parties/(\d+)/remove", page).group(1)
    removed = analyst.post(f"/ui/cases/{case}/parties/{party_id}/remove",
                           data={"csrf_token": token, "confirmed": "1"}, follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303
    assert analyst.post(f"/ui/cases/{case}/parties/{party_id}/remove", data={"csrf_token": token}).status_code == 404
    assert analyst.post(f"/ui/cases/{case}/items/1/remove", data={"csrf_token": token, "confirmed": "1"},
                        follow_redirects=False).status_code == 303  # fmt: skip
    page = analyst.get(f"/ui/cases/{case}", headers=HTML).text
    assert 'data-testid="party-count">1<' in page and 'data-testid="item-count">0<' in page


def test_wrong_roles_cannot_change_parties_or_items_and_partners_never_see_usa_only_cases(session):
    analyst = _login(session, "analyst2")
    token = _csrf(analyst.get("/ui/cases", headers=HTML).text)
    shared = _case_id(_raise(analyst, token, "WLC-2026-061", release_to_partner="1"))
    ours = _case_id(_raise(analyst, token, "WLC-2026-062"))  # the partner field typed, not chosen: USA only
    page = analyst.get(f"/ui/cases/{ours}", headers=HTML).text
    assert "<dd>USA</dd>" in page
    partner = _login(session, "partner2", role="partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    auditor = _login(session, "auditor2", role="auditor", clearance="SECRET")
    for client in (partner, auditor):
        own = _csrf(client.get("/ui/cases", headers=HTML).text)
        for case in (shared, ours):
            assert client.post(f"/ui/cases/{case}/parties", data={"csrf_token": own, "role": "broker",
                                                                   "name": "X Co"}).status_code == 403  # fmt: skip
            assert client.post(f"/ui/cases/{case}/items", data={"csrf_token": own,
                                                                 "description": "x"}).status_code == 403  # fmt: skip
            assert client.post(f"/ui/cases/{case}/items/1/remove", data={"csrf_token": own}).status_code == 403
        assert _raise(client, own, "WLC-2026-063").status_code == 403
    shown = partner.get(f"/ui/cases/{shared}", headers=HTML).text
    assert "Acknowledge" in shown and 'data-testid="add-party"' not in shown and "remove-party" not in shown
    assert partner.get(f"/ui/cases/{ours}", headers=HTML).status_code == 404
    assert partner.get("/ui/cases/WLC-2026-062", headers=HTML).status_code == 404
    listing = partner.get("/ui/cases", headers=HTML).text
    assert "WLC-2026-061" in listing and "WLC-2026-062" not in listing and "1 case<" in listing
    home = partner.get("/", headers=HTML).text  # the cases awaiting the partner: the shared one only
    assert "WLC-2026-061" in home and "WLC-2026-062" not in home
    assert "1 case<" in partner.get("/ui/cases?status=open", headers=HTML).text
    assert "2 cases<" in analyst.get("/ui/cases", headers=HTML).text
    # An analyst cannot see, nor change, a case it may not read.
    other = _login(session, "analyst3", clearance="UNCLASSIFIED", organization="GBR")
    own = _csrf(other.get("/ui/cases", headers=HTML).text)
    assert other.post(f"/ui/cases/{ours}/parties", data={"csrf_token": own, "role": "broker",
                                                         "name": "X Co"}).status_code == 404  # fmt: skip


def test_a_classification_above_the_clearance_is_refused_with_the_services_error(session):
    analyst = _login(session, "analyst4", clearance="CONFIDENTIAL")
    token = _csrf(analyst.get("/ui/cases", headers=HTML).text)
    refused = _raise(analyst, token, "WLC-2026-064", classification="SECRET")
    assert refused.status_code == 422 and "above your clearance" in refused.text
    assert 'value="WLC-2026-064"' in refused.text


def test_every_create_form_marks_for_the_users_organization_unless_released_to_the_partner(session):
    from goodpath.engagement.models import Consultation, CooperationProject, Pledge

    _party(session, "icpmark", "ICP Marked Company")
    session.commit()
    analyst = _login(session, "analyst5", clearance="CONFIDENTIAL")
    token = _csrf(analyst.get("/ui/consultations", headers=HTML).text)
    for path in ("/ui/consultations", "/ui/pledges", "/ui/projects", "/ui/enforcement", "/ui/icp", "/ui/cases"):
        page = analyst.get(path, headers=HTML).text
        assert 'data-testid="marking-classification"' in page and 'name="release_to_partner"' in page, path
        assert 'name="release_to_partner" value="1" data-testid="marking-release">' in page, path  # unchecked
    common = {"csrf_token": token, "classification": "CONFIDENTIAL"}
    assert analyst.post("/ui/consultations", follow_redirects=False, data=common | {
        "title": "Ours only", "level": "working_level", "counterpart": "CHN"}).status_code == 303  # fmt: skip
    assert analyst.post("/ui/consultations", follow_redirects=False, data=common | {
        "title": "Shared track", "level": "working_level", "counterpart": "CHN", "release_to_partner": "1"}).status_code == 303  # fmt: skip  # noqa: E501
    marks = {c.title: (c.classification, c.releasability) for c in session.query(Consultation)}
    assert marks == {"Ours only": ("CONFIDENTIAL", "USA"), "Shared track": ("CONFIDENTIAL", "CHN,USA")}
    assert analyst.post("/ui/pledges", follow_redirects=False, data=common | {
        "pledged_by": "CHN", "pledged_to": "USA", "text": "Tighten controls.", "release_to_partner": "1"}).status_code == 303  # fmt: skip  # noqa: E501
    assert analyst.post("/ui/projects", follow_redirects=False, data=common | {
        "title": "EXBS workshop", "kind": "exbs"}).status_code == 303  # fmt: skip
    session.expire_all()
    assert [(p.classification, p.releasability) for p in session.query(Pledge)] == [("CONFIDENTIAL", "CHN,USA")]
    assert [(p.classification, p.releasability) for p in session.query(CooperationProject)] == [("CONFIDENTIAL", "USA")]
    # Above the user's clearance: the service refuses, its error shown by the field, what was typed kept.
    refused = analyst.post("/ui/projects", data=common | {"classification": "SECRET", "title": "Too high",
                                                          "kind": "exbs"})  # fmt: skip
    assert refused.status_code == 422 and "above your clearance" in refused.text and 'value="Too high"' in refused.text
    assert 'id="classification-error"' in refused.text
    refused = analyst.post("/ui/icp", data=common | {"classification": "SECRET", "party_id": "icpmark",
                                                     "framework": "bis-ecg"})  # fmt: skip
    assert "above your clearance" in refused.text
    refused = analyst.post("/ui/enforcement", data=common | {
        "classification": "SECRET", "kind": "investigation", "reported_by": "MOFCOM", "party_name": "Dalian Co",
        "detail_level": "summary", "detail": "Opened.", "partner": "CHN"})  # fmt: skip
    assert refused.status_code == 422 and "above your clearance" in refused.text


def test_a_partner_officers_report_is_released_to_the_hosting_side_only_when_chosen(session):
    from goodpath.engagement.models import EnforcementAction

    partner = _login(session, "partner6", role="partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    token = _csrf(partner.get("/ui/enforcement", headers=HTML).text)
    assert "partner government (USA)" in partner.get("/ui/enforcement", headers=HTML).text
    data = {"csrf_token": token, "kind": "investigation", "reported_by": "MOFCOM", "detail_level": "summary",
            "detail": "Opened.", "partner": "CHN"}  # fmt: skip
    own = partner.post("/ui/enforcement", data=data | {"party_name": "Own Co"}, follow_redirects=False)
    shared = partner.post("/ui/enforcement", data=data | {"party_name": "Shared Co", "release_to_partner": "1"},
                          follow_redirects=False)  # fmt: skip
    assert own.status_code == shared.status_code == 303
    marks = {a.party_name: a.releasability for a in session.query(EnforcementAction)}
    assert marks == {"Own Co": "CHN", "Shared Co": "CHN,USA"}


def test_an_evidence_upload_is_marked_as_chosen_and_a_company_officer_chooses_the_classification_only(session):
    from goodpath.pathway.models import EvidenceVersion
    from tests.web.test_evidence_company_pages import _upload

    own = _party(session, "markev", "Marked Evidence Ltd")
    _on_pathway(session, own)
    session.commit()
    analyst = _login(session, "analyst7", clearance="CONFIDENTIAL")
    token = _csrf(analyst.get("/ui/evidence", headers=HTML).text)
    assert _upload(analyst, token, kind="audit_report", title="Ours", classification="CONFIDENTIAL",
                   content=b"ours").status_code == 303  # fmt: skip
    assert _upload(analyst, token, kind="audit_report", title="Shared", release_to_partner="1",
                   content=b"shared").status_code == 303  # fmt: skip
    refused = _upload(analyst, token, kind="audit_report", title="Too high", classification="SECRET", content=b"x")
    assert refused.status_code == 409 and "above your clearance" in refused.text
    marks = sorted((v.classification, v.releasability) for v in session.query(EvidenceVersion))
    assert marks == [("CONFIDENTIAL", "USA"), ("UNCLASSIFIED", "CHN,USA")]
    officer = _login(session, "officer7", role="company_officer", clearance="UNCLASSIFIED", organization="MARKEV",
                     company=own.id)  # fmt: skip
    home = officer.get("/", headers=HTML).text
    assert 'data-testid="marking-classification"' in home and 'name="release_to_partner"' not in home


def _suggested(client, field: str, typed: str) -> list[str]:
    """The values the party picker of ``field`` is offered for what was typed (its datalist options)."""
    options = client.get(f"/ui/parties/suggest?field={field}&{field}={typed}", headers=HTML).text
    return re.findall(r'<option value="([^"]+)"', options)


def test_the_case_forms_choose_their_party_with_the_picker(session):
    _named_party(session, "dalianco", "Dalian Machine Tool Co", ("大连机床集团",))
    session.commit()
    analyst = _login(session, "analyst1")
    listing = analyst.get("/ui/cases", headers=HTML).text
    assert 'hx-get="/ui/parties/suggest?field=party"' in listing and 'list="case-party-suggestions"' in listing
    [value] = _suggested(analyst, "party", "大连机床")
    assert value == "dalianco"
    token = _csrf(listing)
    case = _case_id(_raise(analyst, token, "WLC-2026-064", party=value, party_role="broker"))
    page = analyst.get(f"/ui/cases/{case}", headers=HTML).text
    assert 'data-testid="party-count">1<' in page  # the company picked is the case's party
    assert 'hx-get="/ui/parties/suggest?field=party_id"' in page and 'data-testid="party-registry"' in page
    added = analyst.post(f"/ui/cases/{case}/parties", follow_redirects=False,
                         data={"csrf_token": token, "role": "end_user", "name": "", "party_id": value})  # fmt: skip
    assert added.status_code == 303
    page = analyst.get(f"/ui/cases/{case}", headers=HTML).text
    assert 'data-testid="party-count">2<' in page and page.count("Dalian Machine Tool Co") >= 2
    refused = analyst.post(f"/ui/cases/{case}/parties", data={"csrf_token": token, "role": "end_user",
                                                              "party_id": "no-such-party"})  # fmt: skip
    assert refused.status_code == 422 and 'value="no-such-party"' in refused.text  # kept in the picker


def test_the_pledge_icp_and_evidence_forms_choose_their_company_with_the_picker(session):
    from goodpath.engagement.models import EnforcementAction, IcpAssessment, Pledge
    from goodpath.pathway.models import EvidenceDocument
    from tests.web.test_evidence_company_pages import _upload

    party = _named_party(session, "picked-co", "Picked Trading Co", ("选中贸易公司",))
    _on_pathway(session, party)
    session.commit()
    analyst = _login(session, "analyst8")
    token = _csrf(analyst.get("/ui/pledges", headers=HTML).text)
    for path, field in (("/ui/pledges", "party_id"), ("/ui/icp", "party_id"), ("/ui/evidence", "party"),
                        ("/ui/enforcement", "party_id")):  # fmt: skip
        assert f'hx-get="/ui/parties/suggest?field={field}"' in analyst.get(path, headers=HTML).text, path
    [value] = _suggested(analyst, "party_id", "选中贸易")
    assert analyst.post("/ui/pledges", follow_redirects=False, data={
        "csrf_token": token, "pledged_by": "CHN", "pledged_to": "USA", "text": "Screen every buyer.",
        "party_id": value}).status_code == 303  # fmt: skip
    assert analyst.post("/ui/icp", follow_redirects=False, data={
        "csrf_token": token, "party_id": value, "framework": "bis-ecg"}).status_code == 303  # fmt: skip
    assert _upload(analyst, token, party=value, kind="audit_report", title="Picked audit").status_code == 303
    action = {"csrf_token": token, "kind": "investigation", "reported_by": "MOFCOM", "detail_level": "summary",
              "detail": "Opened.", "partner": "CHN"}  # fmt: skip
    assert analyst.post("/ui/enforcement", data=action | {"party_id": value}, follow_redirects=False).status_code == 303
    unknown = analyst.post("/ui/enforcement", data=action | {"party_id": "no-such-co"})
    assert unknown.status_code == 422 and 'id="party_id-error"' in unknown.text and 'value="no-such-co"' in unknown.text
    session.expire_all()
    assert [a.party_id for a in session.query(EnforcementAction)] == [party.id]
    assert [p.party_id for p in session.query(Pledge)] == [party.id]
    assert [a.party_id for a in session.query(IcpAssessment)] == [party.id]
    assert [d.party_id for d in session.query(EvidenceDocument)] == [party.id]
