"""The parser's fast paths give exactly what the plain ways give (HTML without lxml, prefiltered regexes)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodpath.cables import extract, formats
from goodpath.cables.body import _LIST_ITEM, _is_list_item, _split
from goodpath.cables.parsed_cable import CableFormatError
from goodpath.cables.parser import _iso_created

from .conftest import HTML_1760


def _lxml_or_error(text: str):
    try:
        return formats._from_html_lxml(text)
    except CableFormatError as exc:
        return str(exc)


def _html_or_error(text: str):
    try:
        return formats._from_html(text)
    except CableFormatError as exc:
        return str(exc)


@pytest.fixture
def page() -> str:
    if not HTML_1760.exists():
        pytest.skip("shared cablegate page missing")
    return formats.decode(HTML_1760.read_bytes())


def test_cablegate_page_read_without_lxml_as_lxml_reads_it(page):
    fast = formats._from_cablegate_html(page)
    assert fast is not None, "the known cablegate layout should take the fast path"
    assert fast == formats._from_html_lxml(page)


EDITS = [
    ("<code><pre>C O N", "<code><!-- note --><pre>C O N"),  # a comment
    ("<code><pre>C O N", "<script>var a = '<pre>';</script><code><pre>C O N"),  # a script with content
    ("<table class='cable'>", "<table class='cable' title='x>"),  # an unterminated quoted value
    ("<table class='cable'>", "</body><table class='cable'>"),  # the body ended before the telegram
    ("<html lang='en'", "<html/><html lang='en'"),  # a second, self-closed html tag
    ("Li said he particularly", "Li &amp said he\tparticularly"),  # a bare entity, a tab
    ("Li said he particularly", "Li said he <b>particularly</b>"),  # other markup in the telegram
    ("Li said he particularly", "Li said &#150; he &apos; particularly &#x80;"),  # entities the parsers differ on
    ("<th>Origin</th>", "<th class='x'>Origin</th>"),  # another table layout
    ("<a id='par1' href='#par1'>", "<a id='par1' href='#par1' >"),  # an anchor with a trailing blank: still fast
]


@pytest.mark.parametrize(("old", "new"), EDITS)
def test_unusual_pages_read_as_lxml_reads_them(page, old, new):
    assert old in page
    edited = page.replace(old, new, 1)
    assert _html_or_error(edited) == _lxml_or_error(edited)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.sampled_from(
                ["<", ">", "'", '"', "&", "&amp;", "</pre>", "<pre>", "<!--", "</a>", "=", " ", "\t", "\r"]
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_damaged_pages_read_as_lxml_reads_them(page, damage):
    for where, piece in damage:
        position = int(where * len(page))
        page = page[:position] + piece + page[position:]
    assert _html_or_error(page) == _lxml_or_error(page)


# Forms start with a capital letter, as every gazetteer, country and title form does.
WORDS = ["NORINCO", "China", "Chinese", "MFA", "MFA Arms Control", "U.S.", "USG", "Zhang", "DG", "A/S", "PDAS"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*WORDS, " ", "/", "_", "é", "\n", ".", "9", "x"]), max_size=30))
def test_bounded_alternation_matches_as_the_plain_one(pieces):
    text = "".join(pieces)
    forms = sorted(set(WORDS), key=len, reverse=True)
    for before in (r"\w", r"\w/"):
        plain = re.compile(r"(?=[A-Z])(?<![{}])({})(?![\w])".format(before, "|".join(map(re.escape, forms))))
        fast = re.compile(rf"({extract._bounded(forms, before)})(?![\w])")
        assert [(m.span(), m.group(1)) for m in plain.finditer(text)] == [
            (m.span(), m.group(1)) for m in fast.finditer(text)
        ]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["Zhang", "Yan", "yan", "Li", " ", "/", "Mr", "a", "Ü", "\n", "Zhangs"]), max_size=20))
def test_given_name_search_finds_what_a_regex_search_finds(pieces):
    text = "".join(pieces)
    pattern = extract._given_name_pattern("Zhang")
    expected = pattern.search(text)
    found = extract._first_given_name(pattern, text, " Zhang")
    assert (found.span() if found else None) == (expected.span() if expected else None)


@given(st.text(alphabet=st.sampled_from(["a", " ", "\t", "\u00a0", "\u2028", "\x0b", "\u3000", "b"]), max_size=12))
def test_paragraph_lines_are_normalized_as_split_and_join_would(line):
    drafts = _split([line])  # the fast path keeps a line that is already normal as it is
    assert (drafts[0].blocks[0][0] if drafts else "") == " ".join(line.split())


@given(st.lists(st.sampled_from(["a", " ", "\t", "\u00a0", "\r", "\n", "\r\n"]), max_size=20).map("".join))
def test_split_lines_cleans_each_line(text):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert formats.split_lines(text) == [formats._clean_line(line) for line in lines]


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=60))
def test_control_character_count_agrees_with_the_regex(text):
    assert formats._count_control(text) == len(formats._CONTROL.findall(text))


CREATED_LIKE = r"\s?\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?\s?"


@given(st.from_regex(CREATED_LIKE, fullmatch=True) | st.text(max_size=25))
def test_created_dates_read_as_strptime_reads_them(value):
    def by_strptime(text):
        for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
            try:
                return datetime.strptime(text.strip(), layout).isoformat()
            except ValueError:
                continue
        return None

    assert _iso_created(value) == (by_strptime(value) if value else None)


ITEM_PIECES = ["-", "*", "•", "(", ")", "1", "12", "a", "B", " ", "\t", "x"]


@given(st.lists(st.sampled_from(ITEM_PIECES), max_size=8).map("".join))
def test_list_item_test_agrees_with_the_regex(line):
    assert _is_list_item(line) == (_LIST_ITEM.match(line) is not None)
