"""Property tests: arbitrary text never crashes; a generated cable round-trips."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodpath.cables import Cable, CableFormatError, parse_text

HEADER_BITS = [
    "O 210558Z MAR 07", "FM AMEMBASSY BEIJING", "TO RUEHC/SECSTATE WASHDC IMMEDIATE 5977", "INFO", "SIPDIS",
    "S E C R E T SECTION 01 OF 02 BEIJING 001900", "E.O. 12958: DECL: 13/45/2017", "TAGS: [PREL](#)", "SUBJECT:",
    "Classified By: Reasons", "BEIJING 00001900 002 OF 002", "11. (S)", "1. (C)", "NNNN", "RANDT", "Identifier",
    "Created", "<pre>", "<table class='cable'>", "¶", "REF: A. B.", "-----", "#### x", "", " ",
]  # fmt: skip


def _parse_or_clean_error(text: str) -> None:
    try:
        cable = parse_text(text)
    except CableFormatError as exc:
        assert str(exc)
        return
    assert isinstance(cable, Cable)
    cable.to_dict()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_crashes(text):
    _parse_or_clean_error(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(HEADER_BITS), st.text(max_size=30)), max_size=40))
def test_header_like_noise_never_crashes(lines):
    _parse_or_clean_error("\n".join(lines))


STATIONS = ["BEIJING", "TOKYO", "NEW DELHI", "MOSCOW", "STATE"]
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
LEVELS = {"UNCLASSIFIED": "UNCLAS", "CONFIDENTIAL": "C O N F I D E N T I A L", "SECRET": "S E C R E T"}
MARKS = {"UNCLASSIFIED": ["U", "SBU"], "CONFIDENTIAL": ["U", "C"], "SECRET": ["U", "C", "S"]}
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
TAG = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=5)


@st.composite
def cables(draw):
    level = draw(st.sampled_from(sorted(LEVELS)))
    station = draw(st.sampled_from(STATIONS))
    number = draw(st.integers(1, 999_999))
    day, hour, minute = draw(st.integers(1, 28)), draw(st.integers(0, 23)), draw(st.integers(0, 59))
    month, year = draw(st.sampled_from(MONTHS)), draw(st.integers(0, 99))
    dtg = f"{day:02d}{hour:02d}{minute:02d}Z {month} {year:02d}"
    tags = draw(st.lists(TAG, min_size=1, max_size=6))
    subject = " ".join(w.upper() for w in draw(st.lists(WORD, min_size=1, max_size=12)))
    paragraphs = []
    for index in range(1, draw(st.integers(1, 12)) + 1):
        marking = draw(st.one_of(st.none(), st.sampled_from(MARKS[level])))
        words = draw(st.lists(WORD, min_size=1, max_size=40))
        paragraphs.append((index, marking, " ".join(words).capitalize() + "."))
    return level, station, number, dtg, tags, subject, paragraphs


def _render(level, station, number, dtg, tags, subject, paragraphs, width):
    lines = [f"R {dtg}", f"FM AMEMBASSY {station}", "TO SECSTATE WASHDC ROUTINE 0001", ""]
    lines += [f"{LEVELS[level]} {station} {number:06d}", "", "E.O. 12958: DECL: 01/02/2030"]
    lines += [f"TAGS: {' '.join(tags)}", f"SUBJECT: {subject}", ""]
    for index, marking, text in paragraphs:
        prefix = f"{index}. " + (f"({marking}) " if marking else "")
        # Hard-wrap the paragraph as telegrams do; the parser must join it back.
        words, line = (prefix + text).split(" "), ""
        for word in words:
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines += [line, ""]
    return "\n".join(lines)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(cables(), st.integers(40, 120))
def test_generated_cable_round_trips(generated, width):
    level, station, number, dtg, tags, subject, paragraphs = generated
    cable = parse_text(_render(level, station, number, dtg, tags, subject, paragraphs, width))
    assert cable.reference_id == f"{dtg[-2:]}{station.replace(' ', '')}{number}"
    assert cable.date_time_group == dtg and cable.precedence == "ROUTINE"
    assert cable.classification == level and cable.caveats == []
    assert cable.tags == tags and cable.subject == subject
    assert cable.declassify_on == "2030-01-02" and cable.sections is None
    assert [(p.number, p.marking, p.text) for p in cable.paragraphs] == paragraphs
    assert cable.warnings == []
