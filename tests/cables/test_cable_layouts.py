"""Layout-agnostic reading (issue 24): real copies in their circulating layouts, every numbered paragraph.

The real copies are those of the evaluation set (bench/data/cables, provenance in its SOURCES.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goodpath.cables import CableFormatError, parse_file, parse_text

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "cables"
MANIFEST = {entry["reference_id"]: entry for entry in json.loads((DATA / "manifest.json").read_text())["cables"]}


def _real(reference_id: str):
    return parse_file(DATA / MANIFEST[reference_id]["file"])


def _numbers(cable) -> list[int]:
    return [p.number for p in cable.paragraphs if p.number is not None]


@pytest.mark.parametrize("reference_id", sorted(MANIFEST))
def test_every_real_copy_reads_as_its_truth(reference_id):
    entry = MANIFEST[reference_id]
    if entry["refused"]:
        with pytest.raises(CableFormatError) as error:
            _real(reference_id)
        # The error says what was looked for and where.
        assert "telegram header lines" in str(error.value) and entry["file"].split("/")[-1] in str(error.value)
        return
    cable = _real(reference_id)
    assert cable.reference_id == entry["reference_id"]
    assert cable.classification == entry["classification"]
    if entry["created"]:
        assert cable.created == entry["created"]
    if entry["tags"] is not None:
        assert cable.tags == entry["tags"]
    assert _numbers(cable) == entry["paragraphs"]


def test_saved_page_with_routing_blocks_and_page_breaks():
    cable = _real("00HOCHIMINHCITY838")
    assert cable.source_format == "web-archive"
    assert (cable.date_time_group, cable.created) == ("170856Z MAY 00", "2000-05-17T00:00:00")
    assert cable.origin == "Consulate Ho Chi Minh City"  # the page's header table, not the FM line
    assert cable.from_ == "AMCONSUL HO CHI MINH CITY" and cable.info == ["AMEMBASSY HANOI"]
    assert cable.subject == "AMERASIANS SHOW SIGNS OF ASSIMILATION INTO VIETNAMESE SOCIETY"
    text = "\n".join(p.text for p in cable.paragraphs)
    assert "PAGE 0" not in text and "UNCLASSIFIED" not in text and "LOG-00" not in text
    # Paragraph 1 runs on across the page break; "¶1987." (a year the page marked) is text, not a paragraph.
    assert "NO DIFFERENTLY THAN OTHER VIETNAMESE. END SUMMARY." in cable.paragraphs[0].text
    assert "HOMECOMING ACT IN 1987. AS REPORTED" in cable.paragraphs[2].text
    # A sub-heading is kept as the heading of the paragraph after it, not as a paragraph.
    assert cable.paragraphs[1].heading == '"CON LAI MY"'
    assert cable.paragraphs[4].heading == "AMERASIANS APPROVED BETWEEN JANUARY AND MARCH 2000"


def test_repeated_section_headers_do_not_break_the_paragraphs():
    cable = _real("00HARARE2271")
    assert _numbers(cable) == list(range(1, 12))
    assert cable.references == [
        "(A) 98 HARARE 7612, (B) 98 HARARE 5986, (C) HARARE 1609, (D) HARARE 2221,(E) HARARE 2205"]  # fmt: skip
    assert cable.lead is None  # the REF items continued after a blank line are header, not a lead
    text = "\n".join(p.text for p in cable.paragraphs)
    for leaked in ("PTQ834", "ACTION AID", "SECDEF WASHINGTON", "E.O. 12958", "ROME PLEASE PASS"):
        assert leaked not in text
    # Section 1's last paragraph continues after section 2's header.
    assert cable.paragraphs[2].text.endswith("WOMEN'S ORGANIZATIONS AND OTHER NON-GOVERNMENTAL ORGANIZATIONS).")
    assert cable.paragraphs[5].heading == "INCEPTION PHASE"
    assert cable.paragraphs[1].heading == "ZIMBABWE'S LAND REFORM AND RESETTLEMENT PROGRAM"


def test_eo_and_tags_on_one_line_and_classified_by_in_capitals():
    cable = _real("01DOHA1093")
    assert cable.tags == ["PREL", "PTER", "AF", "PA", "QA"]
    assert cable.declassify_on is None  # "DECL: 04/07/11" gives no four-digit year: not guessed
    assert cable.classified_by == "AMBASSADOR ELIZABETH MCKUNE"
    assert cable.reasons == {"as_printed": "1.5 (B) AND (D)", "normalized": ["1.5(b)", "1.5(d)"]}
    assert cable.references == ["STATE 61624", "DOHA 888", "DOHA 1036"]
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "S"), (2, "C"), (3, "C")]


def test_an_export_record_inside_the_routing_block():
    cable = _real("02BOGOTA1025")  # "DIRONDCP WASHDCid: 2446", "date: 2/4/2002 11:52", "----- header ends -----"
    assert (cable.reference_id, cable.created, cable.classification) == (
        "02BOGOTA1025", "2002-02-04T00:00:00", "CONFIDENTIAL")  # fmt: skip
    assert cable.info is not None and cable.info[-1] == "DIRONDCP WASHDC"
    assert cable.classified_by == "AMBASSADOR ANNE W. PATTERSON"
    assert cable.paragraphs[1].heading == "ATTACKS CONTINUE"
    assert "-- INSPECTION CHECKPOINTS" in cable.paragraphs[2].text


def test_a_wrapped_line_starting_with_a_number_is_not_a_paragraph():
    cable = _real("06NEWDELHI5237")  # "... on July\n¶24.  Khobargade stated ..."
    assert _numbers(cable) == [1, 2, 3, 4, 5, 6]
    assert "on July 24. Khobargade stated" in cable.paragraphs[1].text


SEED_TELEGRAM = """O 150929Z AUG 07
FM AMEMBASSY BEIJING
TO SECSTATE WASHDC IMMEDIATE 0808
S E C R E T BEIJING 005360

E.O. 12958: DECL: 08/15/2027
TAGS: PARM PREL ETTC MTCR CH
SUBJECT: BILATERAL NONPROLIFERATION DIALOGUE: SMALL GROUP

Classified By: Political Minister Counselor Aubrey Carlson.
Reasons 1.4 (B) and (D).

1. (S) Summary: first paragraph.

2. (S) Second paragraph.
"""


@pytest.mark.parametrize(
    "preamble",
    [
        # A cablegate page saved as text: the labels one cell a line, then the values.
        "Viewing cable 07BEIJING5360\n\nReference ID\nCreated\nReleased\nClassification\nOrigin\n07BEIJING5360\n"
        "2007-08-15 09:29\n2011-08-30 01:44\nSECRET\nEmbassy Beijing\n",
        # Another order and a subset, tab-separated.
        "Origin\tClassification\tReference ID\tCreated\nEmbassy Beijing\tSECRET\t07BEIJING5360\t2007-08-15 09:29\n",
        # "Label: value" lines, markdown emphasis.
        "**Reference ID:** 07BEIJING5360\n**Created:** 2007-08-15 09:29\n**Classification:** SECRET//NOFORN\n",
        # A markdown table.
        "# 07BEIJING5360\n\n| Reference ID | Created | Classification | Origin |\n|---|---|---|---|\n"
        "| 07BEIJING5360 | 2007-08-15 09:29 | SECRET | Embassy Beijing |\n\n```\n",
        # Labels in one order, values printed in another: each value is recognized for what it is.
        "Created\nReference ID\nClassification\n07BEIJING5360\n2007-08-15 09:29\nSECRET\n",
    ],
)
def test_header_tables_in_any_layout(preamble):
    cable = parse_text(preamble + "\n" + SEED_TELEGRAM + ("```\n" if "```" in preamble else ""))
    assert (cable.reference_id, cable.created, cable.classification) == (
        "07BEIJING5360", "2007-08-15T09:29:00", "SECRET")  # fmt: skip
    assert cable.tags == ["PARM", "PREL", "ETTC", "MTCR", "CH"]
    expected = [(1, "Summary: first paragraph."), (2, "Second paragraph.")]
    assert [(p.number, p.text) for p in cable.paragraphs] == expected
    assert not any("header" in w and "not read" in w for w in cable.warnings)


def _telegram(body: str, header: str = "") -> str:
    return (
        "R 010101Z JAN 09\nFM AMEMBASSY PARIS\nTO SECSTATE WASHDC 0001\n"
        + (header or "C O N F I D E N T I A L PARIS 000123\n\nE.O. 12958: DECL: 01/01/2019\nTAGS: PREL FR\n"
           "SUBJECT: TEST\n\n")
        + body
    )  # fmt: skip


def test_paragraph_forms_and_lead():
    cable = parse_text(_telegram(
        "Text before the first paragraph.\n\n(C) 1. Marking first.\n\n2.(C) No blank after the period.\n"
        "3. (U) No blank line before it.\n\n¶4. Paragraph sign.\n"))  # fmt: skip
    assert [(p.number, p.marking, p.text) for p in cable.paragraphs] == [
        (None, None, "Text before the first paragraph."),
        (1, "C", "Marking first."),
        (2, "C", "No blank after the period."),
        (3, "U", "No blank line before it."),
        (4, None, "Paragraph sign."),
    ]
    assert cable.lead == "Text before the first paragraph."


def test_numbered_list_inside_a_paragraph_is_not_paragraphs():
    cable = parse_text(_telegram(
        "1. (C) Summary.\n\n2. (C) The points were:\n\n1. first point;\n2. second point;\n3. third point.\n\n"
        "3. (C) Next paragraph.\n\n4. (C) Last.\n"))  # fmt: skip
    assert _numbers(cable) == [1, 2, 3, 4]
    assert cable.paragraphs[1].text == "The points were:\n1. first point;\n2. second point;\n3. third point."


def test_old_telegram_with_desk_block_and_tags_without_colon():
    text = (
        "LIMITED OFFICIAL USE\n\nPAGE 01  STATE  123456\nORIGIN EUR-12\n\nINFO  OCT-01  ISO-00  CIAE-00  DODE-00\n"
        "      PM-03  H-01  INR-07\n\nDRAFTED BY EUR/RPM:JSMITH\nAPPROVED BY EUR:AHARTMAN\n"
        "                  ------------------012345 121515Z /44\nO R 121212Z MAR 75\nFM SECSTATE WASHDC\n"
        "TO AMEMBASSY LONDON IMMEDIATE\nINFO AMEMBASSY PARIS\nLIMITED OFFICIAL USE STATE 123456\n\n"
        "E.O. 11652: N/A\nTAGS PFOR, UK, US\nSUBJECT: CONSULTATIONS\n\n1. FIRST PARAGRAPH RUNS ON\n\n"
        "LIMITED OFFICIAL USE\n\nPAGE 02  STATE  123456\n\nACROSS THE PAGE.\n\n2. SECOND.\nKISSINGER\n"
    )
    cable = parse_text(text)
    assert (cable.reference_id, cable.date_time_group, cable.precedence) == ("75STATE123456", "121212Z MAR 75",
                                                                              "IMMEDIATE")  # fmt: skip
    assert cable.classification == "UNCLASSIFIED"  # LIMITED OFFICIAL USE: unclassified, with a handling caveat
    assert cable.tags == ["PFOR", "UK", "US"] and cable.to == ["AMEMBASSY LONDON"] and cable.info == ["AMEMBASSY PARIS"]
    assert [(p.number, p.text) for p in cable.paragraphs] == [(1, "FIRST PARAGRAPH RUNS ON ACROSS THE PAGE."),
                                                               (2, "SECOND.")]  # fmt: skip
    assert cable.signature == "KISSINGER"


def test_missing_fields_are_warnings_not_refusals():
    cable = parse_text("TAGS: PREL FR\nSUBJECT: A COPY WITHOUT ITS BANNER\n\n1. Text.\n\n2. More text.\n")
    assert cable.reference_id is None and cable.classification is None
    assert "no reference id found" in cable.warnings and "no classification found" in cable.warnings
    assert _numbers(cable) == [1, 2]


def test_a_file_without_any_telegram_is_refused_saying_what_was_looked_for():
    with pytest.raises(CableFormatError) as error:
        parse_text("Reference ID\nCreated\n07BEIJING5360\n2007-08-15 09:29\n", name="page.txt")
    message = str(error.value)
    assert message.startswith("page.txt: not a cable")
    for looked_for in ("DTG", "FM/TO", "classification banner", "E.O.", "TAGS", "SUBJECT"):
        assert looked_for in message


def test_plusd_page_saved_as_text():
    text = (
        "Canonical ID:\t1975STATE061234_b\nOriginal Classification:\tCONFIDENTIAL\n"
        "Current Classification:\tUNCLASSIFIED\nDate:\t1975 March 12, 00:00 (Wednesday)\nTAGS:\tPFOR, UK, US\n\n"
        "CONFIDENTIAL\n\nPAGE 01  STATE  061234\nORIGIN EUR-12\n\nINFO  OCT-01  ISO-00\n\nO R 121212Z MAR 75\n"
        "FM SECSTATE WASHDC\nTO AMEMBASSY LONDON IMMEDIATE\nC O N F I D E N T I A L STATE 061234\n\n"
        "E.O. 11652: GDS\nTAGS: PFOR, UK, US\nSUBJECT: CONSULTATIONS\n\n1. FIRST.\n\n2. SECOND.\nKISSINGER\n"
    )
    cable = parse_text(text)
    assert (cable.reference_id, cable.classification, cable.created) == (
        "1975STATE061234_b", "CONFIDENTIAL", "1975-03-12T00:00:00")  # fmt: skip
    assert cable.tags == ["PFOR", "UK", "US"] and _numbers(cable) == [1, 2]
    assert not [w for w in cable.warnings if "reference" in w]  # PlusD's id and the telegram's name one cable


def test_cablegate_page_saved_as_text_with_its_menus(cable_files):
    menus = (
        "Wikileaks\nBrowse latest releases\n2010/12/04\nBrowse by classification\nCONFIDENTIAL\nSECRET\nUNCLASSIFIED\n"
        "Viewing cable 07BEIJING1900, CHINA PREPARES RESUMED AND EXPANDED\nUnderstanding cables\n"
        "Every cable message consists of three parts:\nDiscussing cables\n"
        "Please mark messages with a hash containing the reference ID e.g. #07BEIJING1900.\n"
        "Reference ID\nCreated\nReleased\nClassification\nOrigin\n"
        "07BEIJING1900\n2007-03-21 05:58\n2011-08-30 01:44\nSECRET//NOFORN\nEmbassy Beijing\n"
    )
    cable = parse_text(menus + cable_files["07BEIJING1900"].read_text())
    # The menus' classification links and other text are not the header table's values.
    assert (cable.reference_id, cable.created, cable.classification, cable.origin) == (
        "07BEIJING1900", "2007-03-21T05:58:00", "SECRET", "Embassy Beijing")  # fmt: skip
    assert _numbers(cable) == list(range(1, 10))
