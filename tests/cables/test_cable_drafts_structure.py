"""Drafting by structure and cases from demarches, on parsed cables (no database).

The seeds are judged against the analyst's record list (tests/data/cable_drafts/seeds_expected.json),
with the bench's matching; the rules themselves are exercised on sentences of the tuning cables'
kind and on the real demarche copies in tests/data/cable_drafts/demarches/."""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

import pytest

from goodpath.cables import demarche, ingest, structure
from goodpath.core.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
SHARED = get_settings().shared_dir
DEMARCHES = ROOT / "tests" / "data" / "cable_drafts" / "demarches"
SEEDS = {"07BEIJING1900": SHARED / "seeds" / "000_6a1cbc83fd7c25d4.txt",
         "07BEIJING5360": SHARED / "seeds" / "001_bedb6463c994f4a0.txt"}  # fmt: skip


def _bench():
    spec = importlib.util.spec_from_file_location("cable_drafts_bench", ROOT / "bench" / "cable_drafts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def seed(reference_id: str) -> dict:
    return ingest.parse_bytes(SEEDS[reference_id].read_bytes(), SEEDS[reference_id].name).to_dict()


def cable(*paragraphs: str, people=(), countries=(), **header) -> dict:
    """A parsed cable of numbered paragraphs, as ``Cable.to_dict()`` gives it."""
    return {"paragraphs": [{"number": n, "marking": None, "text": t} for n, t in enumerate(paragraphs, start=1)],
            "people": list(people), "countries": list(countries), "organizations": [], **header}  # fmt: skip


def telegram(path: Path, reference_id: str) -> dict:
    """A demarche copy read into paragraphs by their printed numbers ("1. (U) …"), with its subject and
    REF lines: the drafting is tested apart from the reader, which is another part of the tree."""
    text = path.read_text("utf-8")
    subject = re.search(r"SUBJECT:\s*(.*?)\n\s*(?:\n|REF|Classified)", text, re.S).group(1)
    refs = re.findall(r"^(?:REF:\s*)?(?:[A-Z]\.\s+)?((?:\d\d\s+)?[A-Z]+\s*\d+)\s*$", text, re.M)
    body = text[re.search(r"^1\.\s", text, re.M).start() :]
    paragraphs = [re.sub(r"\s*\n\s*", " ", m.group(2)).strip()
                  for m in re.finditer(r"^(\d+)\.\s+(.*?)(?=^\d+\.\s|\Z)", body, re.S | re.M)]  # fmt: skip
    paragraphs = [re.sub(r"^\((?:U|C|S|SBU|S/REL [A-Z ,]+|S/NF)\)\s*", "", p) for p in paragraphs]
    return cable(*paragraphs, reference_id=reference_id, subject=" ".join(subject.split()), references=refs)


# --- the seeds, judged record by record ------------------------------------------------------


def test_the_seeds_meet_the_targets_against_the_analysts_records():
    bench = _bench()
    expected = json.loads((ROOT / "tests/data/cable_drafts/seeds_expected.json").read_text("utf-8"))["records"]
    drafted = {ref: [d.to_dict() for d in structure.detect(seed(ref))] for ref in SEEDS}
    result = bench.evaluate(expected, drafted)
    assert result["recall"] >= 0.9, result["missed"]
    assert result["precision"] >= 0.75, result["unmatched_drafts"]
    # what the issue found missing: the incentive structure, Zhang's listed proposals, the commitment
    # to pass the invitation to A/S Rood, the conditions the US may attach
    for record in ("5360-incentive-structure", "1900-sanctioned-companies-dialogue", "1900-pass-invitation-to-rood",
                   "5360-attach-conditions"):  # fmt: skip
        assert record not in result["missed"]


def test_a_lead_gives_one_draft_per_item_with_the_leads_actor():
    listed = [d for d in structure.detect(seed("07BEIJING1900")) if d.lead]
    assert len(listed) == 5
    assert {(d.kind, d.actor, d.side, d.paragraph) for d in listed} == {("proposal", "Zhang Yan", "PRC", 1)}
    assert listed[3].text.startswith("initiating a dialogue about specific Chinese companies")
    # the body paragraphs restating them are folded in, not drafted again
    assert [r["paragraph"] for r in listed[3].restated] == [6]


def test_an_incentive_structure_is_one_proposal_with_its_conditions():
    drafts = structure.detect(seed("07BEIJING5360"))
    incentive = next(d for d in drafts if "outlined a U.S. proposal" in d.text)
    assert (incentive.kind, incentive.actor, incentive.side) == ("proposal", "Patricia McNerney", "USG")
    joined = " ".join(incentive.conditions)
    assert '"good path"' in joined and '"bad path"' in joined and "benefits" in joined
    attach = next(d for d in drafts if "attach conditions" in d.text)
    assert attach.actor == "Zhang Yan" and attach.conditions == [
        "in the event that these companies re-engage in proliferation activities"
    ]


def test_actors_are_resolved_across_the_cable():
    people = [{"name": "Zhang Yan", "titles": ["DG"]}, {"name": "David Sedney", "titles": ["DCM"]}]
    data = cable(
        "MFA Director General Zhang Yan met the DCM. Zhang proposed a new working group on export controls.",
        "He also offered to host the next round of talks. The DCM welcomed this and said he would convey the "
        "invitation to Washington. MFA is prepared to share its enforcement records.",
        people=people, countries=[{"code": "CN", "name": "China", "paragraphs": [1, 2]}],
    )  # fmt: skip
    found = [(d.kind, d.actor, d.side) for d in structure.detect(data)]
    assert found == [("proposal", "Zhang Yan", "PRC"), ("offer", "Zhang Yan", "PRC"),  # "Zhang", "He"
                     ("pledge", "David Sedney", "USG"), ("offer", "PRC", "PRC")]  # "the DCM … he"; "MFA"  # fmt: skip


@pytest.mark.parametrize(
    "sentence",
    [
        "Contracting Parties are encouraged to nominate candidates for President.",  # passive: no one acts
        "Highlights included the proposed Yucca Mountain repository.",  # an adjective
        "Msnoff suggested that a long term commitment to a TCF formula would be a tall order.",  # a view
        "One study suggests that most countries have lost a third of their labor force.",  # no actor
        "Mission will continue working with Washington to push key Member States.",  # the writer's follow-up
        "The Parties agreed to seven Open-ended Working Group topics.",  # agreed to a noun
        "Zhang did not offer any assurances.",  # negated
        "MFA Arms Control DG Zhang asked to meet the DCM March 13 to discuss renewal of cooperation.",  # a meeting
    ],
)
def test_sentences_that_commit_no_one_draft_nothing(sentence):
    data = cable(sentence, people=[{"name": "Zhang Yan", "titles": ["DG"]}])
    assert structure.detect(data) == []


def test_status_statements_need_a_process_and_name_who_changed_it():
    data = cable("The talks were suspended last year by China after the sanctions, he said. The weather was "
                 "cancelled.", countries=[{"code": "CN", "name": "China", "paragraphs": [1]}])  # fmt: skip
    (status,) = structure.detect(data)
    assert (status.kind, status.status, status.side) == ("status", "suspended", "PRC")


# --- demarches ----------------------------------------------------------------------------------


def test_reference_lines_become_reference_ids():
    data = {"reference_id": "08STATE64254",
            "references": ["06 BEIJING 2983", "STATE 14066", "BEIJING 000189", "BEIJING5237",
                           "MAY 18 2007 - ZARING - JOHNSON E-MAIL", "U.S.-PROVIDED NON-PAPER 06-05-08"]}  # fmt: skip
    assert demarche.reference_ids(data) == ["06BEIJING2983", "08STATE14066", "08BEIJING189", "08BEIJING5237"]


def test_a_demarche_on_a_transfer_drafts_a_case_with_parties_items_and_partner():
    data = telegram(DEMARCHES / "08STATE64254.txt", "08STATE64254")
    found = demarche.detect(data)
    assert found["kind"] == "case"
    fields = found["fields"]
    roles = {p["name"]: p["role"] for p in fields["parties"]}
    assert roles == {"Dalian Sunny Industries": "supplier", "Shahid Bakeri Industrial Group": "end_user"}
    assert {p["name"]: p["aliases"] for p in fields["parties"]}["Dalian Sunny Industries"] == ["LIMMT"]
    assert [(i["description"], i["control_entry"]) for i in fields["items"]] == [
        ("graphite cylinders", "MTCR"), ("tungsten powder", "MTCR"),
        ("tungsten copper alloy ingots", None),  # the cable claims no list for them
    ]  # fmt: skip
    assert (fields["partner"], fields["partner_country"]) == ("CHN", "CN")
    assert "08STATE14066" in fields["references"] and "06BEIJING2983" in fields["references"]
    assert any("urged China to provide the United States with information" in r for r in fields["requests"])


def test_a_cable_citing_a_case_cable_drafts_an_update_of_that_case():
    data = telegram(DEMARCHES / "08STATE64254.txt", "08STATE64254")
    update = demarche.detect(data, {"08STATE14066": "08STATE14066"})
    assert update["kind"] == "case_update"
    assert (update["fields"]["case_reference"], update["fields"]["step"]) == ("08STATE14066", "under_investigation")
    answer = telegram(DEMARCHES / "08BEIJING3039.txt", "08BEIJING3039")
    assert demarche.detect(answer) is None  # reports a demarche's answer; the demarche is not known here
    update = demarche.detect(answer, {"08STATE83144"})
    assert (update["kind"], update["fields"]["step"]) == ("case_update", "acknowledged")  # will share the information
    assert {"vacuum pumps", "carbon fiber"} <= {i["description"] for i in update["fields"]["items"]}


def test_a_shipment_demarche_names_the_vessel_and_the_goods_and_leaves_out_redacted_names():
    data = telegram(DEMARCHES / "07STATE159388.txt", "07STATE159388")
    fields = demarche.detect(data)["fields"]
    assert [p["name"] for p in fields["parties"]] == ["M/V Matin"]
    assert [i["description"] for i in fields["items"]] == ["suspected munitions"]
    redacted = cable("This is an action request. Please see paragraph 2.",
                     "We have information that the Chinese firm xxxxxxxxxxxx shipped gyroscopes controlled by the "
                     "Missile Technology Control Regime (MTCR) to Iran's Shahid Hemmat Industrial Group (SHIG) "
                     "through Golden Star Trading Company.", reference_id="09STATE1")  # fmt: skip
    fields = demarche.detect(redacted)["fields"]
    assert {p["name"]: p["role"] for p in fields["parties"]} == {
        "Shahid Hemmat Industrial Group": "end_user",
        "Golden Star Trading Company": "intermediary",
    }
    assert [(i["description"], i["control_entry"]) for i in fields["items"]] == [("gyroscopes", "MTCR")]


@pytest.mark.parametrize(
    ("sentence", "parties", "item"),
    [
        ("The United States has information that China-based Dalian Eastern Metals Co., Ltd. recently shipped 20 tons "
         "of maraging steel controlled by the Nuclear Suppliers Group (NSG) to Iran's Kalaye Electric Company through "
         "the Malaysian intermediary Best Trading Sdn Bhd.",
         {"Dalian Eastern Metals Co., Ltd.": "supplier", "Kalaye Electric Company": "end_user",
          "Best Trading Sdn Bhd.": "intermediary"},
         ("maraging steel", "NSG", "20 tons")),
        ("We have information that Beijing-based Sinotech Instruments Corporation offered to supply gyroscopes (MTCR "
         "Category II Item 9.A.8) to Syria's Scientific Studies and Research Center (SSRC).",
         {"Sinotech Instruments Corporation": "supplier", "Scientific Studies and Research Center": "end_user"},
         ("gyroscopes", "MTCR Category II Item 9.A.8", None)),
        ("According to our information, the Hong Kong firm Golden Eagle Limited is brokering the sale of carbon fiber "
         "by Jiangsu Hengshen Fibre Co. to Pakistan's National Development Complex.",
         {"Golden Eagle Limited": "intermediary", "Jiangsu Hengshen Fibre Co.": "supplier",
          "National Development Complex": "end_user"},
         ("carbon fiber", None, None)),
        ("Iran's Aerospace Industries Organization (AIO) is attempting to procure aluminum powder from Chinese "
         "businessman Li Fangwei (a.k.a. Karl Lee).",
         {"Aerospace Industries Organization": "buyer", "Li Fangwei": "supplier"},
         ("aluminum powder", None, None)),
    ],
)  # fmt: skip
def test_the_usual_demarche_phrasings_give_roles_items_and_control_entries(sentence, parties, item):
    asked = "We request that you investigate this transfer and report the response."
    data = cable("This is an action request. Please see paragraph 3.", sentence, asked, reference_id="09STATE1")
    fields = demarche.detect(data)["fields"]
    assert {p["name"]: p["role"] for p in fields["parties"]} == parties
    assert [(i["description"], i["control_entry"], i["quantity"]) for i in fields["items"]] == [item]
    assert fields["requests"] == [asked]
    if "Chin" in sentence:  # the supplier's country named: the government asked to act
        assert fields["partner"] == "CHN"


def test_a_sanctions_notice_is_not_a_case_and_a_transfer_demarche_by_subject_is():
    notice = cable("This is an action request. Embassy Beijing please see paragraph 5.",
                   "We have raised with the Chinese government our concerns about Zibo Chemet Equipment Company's "
                   "transfers of glass-lined chemical processing equipment to Iran.",
                   subject="IRAN AND SYRIA NONPROLIFERATION ACT -- NOTIFICATION OF SANCTIONS AGAINST THREE CHINESE "
                           "ENTITIES", reference_id="06STATE203803")  # fmt: skip
    assert demarche.detect(notice) is None
    subject = "DEMARCHE ON IMPENDING CONVENTIONAL ARMS TRANSFER"
    by_subject = cable("ACTION REQUEST: Department requests the Embassy present this demarche.", subject=subject,
                       reference_id="07STATE159388")  # fmt: skip
    found = demarche.detect(by_subject)
    assert found["kind"] == "case" and found["fields"]["title"] == subject
