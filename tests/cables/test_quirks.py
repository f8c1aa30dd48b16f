"""Variations real copies show, on small synthetic telegrams."""

from __future__ import annotations

import pytest

from goodpath.cables import CableFormatError, parse_file, parse_text
from goodpath.cables.header import normalize_reasons

HEAD = """O 010101Z JAN 08
FM AMEMBASSY TOKYO
TO RUEHC/SECSTATE WASHDC PRIORITY 1234
{banner}

E.O. 12958: DECL: 01/01/2018
TAGS: PREL, PARM
SUBJECT: TEST CABLE

Classified By: Ambassador J. Thomas Schieffer for reasons 1.4(b), (d) and (e)

"""


def _cable(body: str, banner: str = "C O N F I D E N T I A L TOKYO 000042") -> str:
    return HEAD.format(banner=banner) + body


def test_unmarked_paragraphs_and_trailers():
    cable = parse_text(_cable("1. First point.\n\n2. Second point.\nSCHIEFFER\n\nNNNN\nEnd Cable Text\n"))
    assert [(p.number, p.marking, p.text) for p in cable.paragraphs] == [
        (1, None, "First point."),
        (2, None, "Second point."),
    ]
    assert cable.signature == "SCHIEFFER"
    assert cable.reference_id == "08TOKYO42"
    assert cable.precedence == "IMMEDIATE"  # the DTG's O, not the addressee's PRIORITY
    assert cable.classified_by == "Ambassador J. Thomas Schieffer"
    assert cable.reasons == {"as_printed": "1.4(b), (d) and (e)", "normalized": ["1.4(b)", "1.4(d)", "1.4(e)"]}


def test_marking_above_classification_is_reported():
    cable = parse_text(_cable("1. (C) Fine.\n\n2. (S/NF) Too high.\n"))
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C"), (2, "S/NF")]
    assert "paragraph 2 is marked (S/NF), above the cable's CONFIDENTIAL" in cable.warnings


def test_numbering_artifact_detected_beyond_nine():
    body = "".join(f"1{n}. (C) Point {n}.\n\n" for n in range(1, 12))
    cable = parse_text(_cable(body))
    assert [p.number for p in cable.paragraphs] == list(range(1, 12))
    assert cable.warnings == [
        "paragraph numbers printed 11-111 corrected to 1-11: the copy rendered the paragraph sign (¶) as a leading 1"
    ]


def test_paragraphs_from_eleven_with_a_first_paragraph_are_not_corrected():
    cable = parse_text(_cable("1. (C) One.\n\n11. (C) Eleven.\n"))
    assert [p.number for p in cable.paragraphs] == [1, 11]
    assert any("missing from the numbering" in w for w in cable.warnings)


def test_banner_caveats_and_sipdis():
    cable = parse_text(_cable("1. (C) Text.\n", banner="C O N F I D E N T I A L SECTION 01 OF 02 TOKYO 000042 NOFORN"))
    assert cable.caveats == ["NOFORN"] and cable.sections == 2
    assert "section break(s) 2 of 2 not found: the text may be incomplete" in cable.warnings
    cable = parse_text(_cable("1. (SBU) Text.\n", banner="UNCLAS SECTION 01 OF 01 TOKYO 000042 SENSITIVE SIPDIS"))
    assert (cable.classification, cable.caveats, cable.sipdis) == ("UNCLASSIFIED", ["SENSITIVE"], True)


def test_doubled_header_with_a_different_value_is_reported():
    text = _cable("E.O. 12958: DECL: 01/01/2019\nTAGS: PREL\nSUBJECT: OTHER\n\n1. (C) Text.\n")
    text = text.replace("Classified By", "C O N F I D E N T I A L TOKYO 000042\n\nClassified By", 1)
    cable = parse_text(text)
    assert cable.subject == "TEST CABLE"
    assert any(w.startswith("subject printed twice with different values") for w in cable.warnings)


def test_partly_readable_cable_gives_fields_and_warnings():
    cable = parse_text("SUBJECT: A LOST HEADER\nTAGS: PREL\n\n1. Only text survived.\n")
    assert cable.subject == "A LOST HEADER" and cable.tags == ["PREL"]
    assert cable.classification is None and cable.caveats is None and cable.reference_id is None
    assert "no reference id found" in cable.warnings and "no classification found" in cable.warnings


def test_references_lettered_list():
    ref = "SUBJECT: TEST CABLE\nREF: A. STATE 1234 B. TOKYO 99\n"
    text = _cable("1. (C) Text.\n").replace("SUBJECT: TEST CABLE\n", ref)
    assert parse_text(text).references == ["STATE 1234", "TOKYO 99"]


@pytest.mark.parametrize(
    ("printed", "normalized"),
    [
        ("1.4 (b/d)", ["1.4(b)", "1.4(d)"]),
        ("1.4 (B) and (D)", ["1.4(b)", "1.4(d)"]),
        ("1.4 b and d", ["1.4(b)", "1.4(d)"]),
        ("1.4(c) and 1.5(d)", ["1.4(c)", "1.5(d)"]),
        ("1.4", ["1.4"]),
    ],
)
def test_reasons_normalized(printed, normalized):
    assert normalize_reasons(printed) == normalized


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"Just some notes about lunch.\nNothing official here.\n", "not a cable"),
        (b"<html><body><pre></pre></body></html>", "without a telegram"),
    ],
)
def test_malformed_input_is_a_clear_error(tmp_path, data, message):
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    with pytest.raises(CableFormatError, match=message) as error:
        parse_file(path)
    assert str(path) in str(error.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CableFormatError, match="cannot read"):
        parse_file(tmp_path / "absent.txt")
