"""The two seed cables and the cablegate HTML page parse exactly: every field, every paragraph."""

from __future__ import annotations

from goodpath.cables import parse_file

REASONS_BD = {"normalized": ["1.4(b)", "1.4(d)"]}


def _fields(cable) -> dict:
    data = cable.to_dict()
    return {k: v for k, v in data.items() if k not in {"paragraphs", "organizations", "people", "countries"}}


def test_dict_has_exactly_the_issue_fields(cable_files):
    data = parse_file(cable_files["07BEIJING1900"]).to_dict()
    assert list(data) == [
        "reference_id", "date_time_group", "created", "classification", "caveats", "origin", "from", "to", "info",
        "precedence", "sipdis", "passing_instructions", "tags", "subject", "references", "classified_by", "reasons",
        "declassify_on", "sections", "signature", "warnings", "paragraphs", "organizations", "people", "countries",
    ]  # fmt: skip


def test_07beijing1900_raw_telegram_header(cable_files):
    cable = parse_file(cable_files["07BEIJING1900"])
    assert cable.source_format == "raw-telegram"
    assert _fields(cable) == {
        "reference_id": "07BEIJING1900",
        "date_time_group": "210558Z MAR 07",
        "created": None,
        "classification": "SECRET",
        "caveats": [],
        "origin": "AMEMBASSY BEIJING",
        "from": "AMEMBASSY BEIJING",
        "to": ["SECSTATE WASHDC"],
        "info": ["IRAN COLLECTIVE", "NSC WASHDC", "USMISSION USUN NEW YORK", "USMISSION UNVIE VIENNA"],
        "precedence": "IMMEDIATE",
        "sipdis": True,
        "passing_instructions": "DEPT FOR ISN A/S ROOD",
        "tags": ["PREL", "PARM", "ETTC", "CH", "IR"],
        "subject": "CHINA PREPARES RESUMED AND EXPANDED NONPROLIFERATION CONSULTATIONS",
        "references": None,
        "classified_by": "DCM David Sedney",
        "reasons": {"as_printed": "1.4 (b/d)", **REASONS_BD},
        "declassify_on": "2017-03-21",
        "sections": 2,
        "signature": "RANDT",
        "warnings": [
            "paragraph numbers printed 11-19 corrected to 1-9: the copy rendered the paragraph sign (¶) as a leading 1"
        ],
    }


def test_07beijing1900_paragraphs(cable_files):
    paragraphs = parse_file(cable_files["07BEIJING1900"]).paragraphs
    assert [(p.number, p.marking) for p in paragraphs] == [(n, "S") for n in range(1, 10)]
    first = paragraphs[0].text
    assert first.startswith("China is prepared to immediately resume and expand nonproliferation cooperation")
    # The summary's bullets keep their lines; the unnumbered block after them still belongs to paragraph 1.
    assert "Zhang's proposals include:\n- immediately resuming nonproliferation consultations" in first
    assert first.endswith("The DCM urged that China share more and more detailed information about Chinese "
                          "enforcement actions. END SUMMARY.")  # fmt: skip
    assert first.count("\n- ") == 5
    # Section break 002 OF 002 fell inside paragraph 4: removed, the sentence rejoined.
    assert paragraphs[3].text.endswith(
        "In such consultations, China is prepared to explain to United States officials in detail its recent "
        "efforts to improve its export controls."
    )
    # Paragraph 8 runs on after a blank line mid-sentence: it is still paragraph 8, one text.
    assert paragraphs[7].text == (
        "The decision to resume cooperation with the United States is controversial within the Chinese government "
        "and society, Zhang claimed. The MFA Arms Control Department, Zhang himself and his staff are frequently "
        "criticized because of American sanctions on Chinese companies, he said. The perception is that he and his "
        "staff act for the United States. Chinese companies and the public question the purpose of United States' "
        "nonproliferation policy that results in sanctions on China and doubt the need for China to cooperate with "
        "the United States on nonproliferation issues. Unilateral sanctions by the United States are wrong, "
        "counterproductive and only harden China's attitude against cooperation with the United States on "
        "nonproliferation issues, he said. But without such sanctions, much cooperation is possible, he argued."
    )
    assert paragraphs[8].text.endswith("the goal of stopping proliferation, he stressed.")
    for paragraph in paragraphs:  # no heading, break line, rule or signature inside the text
        assert "####" not in paragraph.text and "-----" not in paragraph.text
        assert "BEIJING 00001900" not in paragraph.text and "RANDT" not in paragraph.text


def test_07beijing1900_extraction(cable_files):
    cable = parse_file(cable_files["07BEIJING1900"])
    orgs = {o["name"]: o["paragraphs"] for o in cable.organizations}
    assert orgs == {
        "Ministry of Foreign Affairs of China": [1, 6, 7],
        "Bureau of International Security and Nonproliferation": [1, 3],
        "MFA Arms Control and Disarmament Department": [1, 2, 5, 8],
        "U.S. Embassy Beijing": [1, 5],
        "UN Security Council": [2, 3],
        "Global Initiative to Combat Nuclear Terrorism": [3],
        "Great Wall Airlines": [4],
        "China Great Wall Industry Corporation": [6],
        "China National Electronics Import-Export Company": [6],
    }
    assert cable.people == [
        {"name": "David Sedney", "titles": ["DCM"], "paragraphs": [1, 2, 9]},
        {"name": "John Rood", "titles": ["A/S"], "paragraphs": [1, 3, 4, 9]},
        {"name": "Zhang Yan", "titles": ["DG"], "paragraphs": [1, 2, 3, 4, 5, 6, 8]},
        {"name": "Cui Tiankai", "titles": ["AFM"], "paragraphs": [4]},
    ]
    countries = {c["code"]: c["paragraphs"] for c in cable.countries}
    assert countries == {
        "CN": list(range(1, 10)),
        "US": [1, 2, 3, 4, 5, 7, 8, 9],
        "KP": [3],
        "IR": [3, 9],
    }


def test_07beijing5360_web_archive_header(cable_files):
    cable = parse_file(cable_files["07BEIJING5360"])
    assert cable.source_format == "web-archive"
    assert _fields(cable) == {
        "reference_id": "07BEIJING5360",
        "date_time_group": "150929Z AUG 07",
        "created": "2007-08-15T09:29:00",
        "classification": "SECRET",
        "caveats": [],
        "origin": "Embassy Beijing",
        "from": "AMEMBASSY BEIJING",
        "to": ["SECSTATE WASHDC"],
        "info": None,
        "precedence": "IMMEDIATE",
        "sipdis": False,
        "passing_instructions": None,
        "tags": ["PARM", "PREL", "ETTC", "MTCR", "CH"],
        "subject": "BILATERAL NONPROLIFERATION DIALOGUE: SMALL GROUP DISCUSSION OF A WAY FORWARD ON "
        "NONPROLIFERATION SANCTIONS",
        "references": None,
        "classified_by": "Political Minister Counselor Aubrey Carlson",
        "reasons": {"as_printed": "1.4 (B) and (D)", **REASONS_BD},
        "declassify_on": "2027-08-15",
        "sections": None,
        "signature": "RANDT",
        "warnings": [],  # the doubled header is identical: read once, nothing to report
    }


def test_07beijing5360_paragraphs(cable_files):
    paragraphs = parse_file(cable_files["07BEIJING5360"]).paragraphs
    assert [(p.number, p.marking) for p in paragraphs] == [(1, "S"), (2, "S"), (3, "S"), (4, "S"), (5, "S"), (6, "U")]
    assert paragraphs[0].text.startswith("Summary: In a small group meeting concluding bilateral nonproliferation "
                                         "talks August 13, ISN PDAS McNerney outlined")  # fmt: skip
    assert "dialogue with China North Industries Corporation (NORINCO) to establish" in paragraphs[0].text
    assert paragraphs[0].text.endswith("Zhang pledged to press NORINCO and CGWIC to work constructively with the "
                                       "USG. End Summary.")  # fmt: skip
    # Hard wraps joined, and the blank line inside 'a "bad / path"' does not split paragraph 2.
    assert (
        'Chinese companies can also continue on a "bad path" that would lead to continued U.S. sanctions and '
        "public stigma." in paragraphs[1].text
    )
    assert "\n" not in "".join(p.text for p in paragraphs)
    assert paragraphs[5].text == "PDAS McNerney cleared this cable."


def test_07beijing5360_extraction(cable_files):
    cable = parse_file(cable_files["07BEIJING5360"])
    orgs = {o["name"]: o["paragraphs"] for o in cable.organizations}
    assert orgs == {
        "Bureau of International Security and Nonproliferation": [1, 2],
        "China North Industries Corporation": [1, 3, 5],
        "MFA Arms Control and Disarmament Department": [1, 2],
        "China Great Wall Industry Corporation": [1, 5],
        "UN Security Council": [3],
        "University of Georgia": [3],
        "China Arms Control and Disarmament Agency": [3],
        "Ministry of Foreign Affairs of China": [5],
    }
    norinco = next(o for o in cable.organizations if o["name"] == "China North Industries Corporation")
    assert norinco["forms"] == ["China North Industries Corporation", "NORINCO"]
    assert cable.people == [
        {"name": "Patricia McNerney", "titles": ["PDAS"], "paragraphs": [1, 2, 3, 4, 5, 6]},
        {"name": "Zhang Yan", "titles": ["Director General", "DG"], "paragraphs": [1, 2, 5]},
    ]
    assert {c["code"]: c["paragraphs"] for c in cable.countries} == {
        "US": [1, 2, 3, 4, 5],
        "CN": [1, 2, 3, 4, 5],
        "IR": [3, 5],
        "KP": [5],
    }


def test_07beijing1760_cablegate_html_header(cable_files):
    cable = parse_file(cable_files["07BEIJING1760"])
    assert cable.source_format == "cablegate-html"
    assert _fields(cable) == {
        "reference_id": "07BEIJING1760",
        "date_time_group": "151024Z MAR 07",
        "created": "2007-03-15T10:10:00",
        "classification": "CONFIDENTIAL",
        "caveats": [],
        "origin": "Embassy Beijing",
        "from": "AMEMBASSY BEIJING",
        "to": ["SECSTATE WASHDC"],
        "info": ["CHINA POSTS COLLECTIVE", "NSC WASHDC"],
        "precedence": "IMMEDIATE",
        "sipdis": True,
        "passing_instructions": None,
        "tags": ["PGOV", "PREL", "ECON", "SOCI", "CH"],
        "subject": "FIFTH GENERATION STAR LI KEQIANG DISCUSSES DOMESTIC CHALLENGES, TRADE RELATIONS WITH AMBASSADOR",
        "references": ["SHENYANG 26"],
        "classified_by": "Ambassador Clark T. Randt, Jr.",
        "reasons": {"as_printed": "1.4 (b) and (d)", **REASONS_BD},
        "declassify_on": "2032-03-15",
        "sections": 4,
        "signature": "RANDT",
        "warnings": ["removed 1 stray SIPDIS marker(s) from the body text (a copying artifact)"],
    }


def test_07beijing1760_paragraphs(cable_files):
    paragraphs = parse_file(cable_files["07BEIJING1760"]).paragraphs
    assert [(p.number, p.marking) for p in paragraphs] == [(n, "C") for n in range(1, 17)]
    texts = [p.text for p in paragraphs]
    assert texts[0].startswith("Liaoning Party Secretary Li Keqiang, a front runner for elevation to the Politburo")
    assert texts[0].endswith("are most important. End Summary.")
    # Entities decoded, anchors' ¶ sign gone, SIPDIS leak removed, breaks 002-004 removed and rejoined.
    assert "despite brisk economic growth of 12.8 percent in 2006, Liaoning’s income gaps remain severe." in texts[2]
    assert "The Central Government provided a great deal of support for this program" in texts[4]
    assert "in the last round of Six-Party Talks, noting that, above all, Liaoning residents" in texts[9]
    assert texts[3].startswith("GDP figures are “man-made” and therefore unreliable, Li said.")
    assert (
        "three figures:\n1) electricity consumption, which was up 10 percent in Liaoning last year;\n2) volume"
        in texts[3]
    )
    assert texts[14].endswith("there may be a signing ceremony to finalize the deal, Li said.")
    assert texts[15].endswith("Li said he particularly liked Oklahoma.")  # signature RANDT split off
    assert not any("¶" in t or "BEIJING 00001760" in t or "SIPDIS" in t or "-----" in t for t in texts)
    assert "Bio Info" not in texts[14] and "Summary\n" not in texts[0]


def test_07beijing1760_extraction(cable_files):
    cable = parse_file(cable_files["07BEIJING1760"])
    assert {o["name"]: (o["source"], o["paragraphs"]) for o in cable.organizations} == {
        "National People's Congress": ("gazetteer", [1, 2, 9]),
        "World Trade Organization": ("gazetteer", [11, 14]),
        "Intel Corporation": ("gazetteer", [15]),
        "Politburo Standing Committee": ("pattern", [16]),
    }
    assert cable.people == [
        {"name": "Clark T. Randt", "titles": ["Ambassador"], "paragraphs": [1, 2, 6, 10, 11, 13, 15, 16]},
        {"name": "Li Keqiang", "titles": ["Party Secretary"], "paragraphs": list(range(1, 17))},
        {"name": "Hu Jintao", "titles": ["President"], "paragraphs": [1, 2, 16]},
        {"name": "Wen Jiabao", "titles": ["Premier"], "paragraphs": [2, 5]},
    ]
    assert {c["code"]: c["paragraphs"] for c in cable.countries} == {
        "US": [1, 10, 11, 13, 14, 15, 16],
        "CN": [1, 2, 3, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        "KP": [1, 10],
    }
