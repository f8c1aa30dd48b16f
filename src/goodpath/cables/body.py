"""The telegram body: numbered paragraphs with their markings, text joined, artifacts removed.

Hard line wraps are joined with a space; list items ("- ...", "1) ...") keep their own line;
blocks of one paragraph separated by a blank line are joined with a newline, or with a space
when the first block stops mid-sentence (a page or section break fell inside the sentence).
Section-break lines (``BEIJING 00001900 002 OF 002``), ``NNNN`` / ``End Cable Text`` trailers
and sub-headings are not paragraph text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from goodpath.cables.header import SECTION_BREAK
from goodpath.cables.parsed_cable import Paragraph

_PARA_START = re.compile(r"^(?:¶\s*)?(\d{1,3})\.\s+(?:\(([A-Z]{1,4}(?:/{1,2}[A-Z]{1,6})*)\)\s*)?(.*)$")
_TRAILER = re.compile(r"^(?:NNNN|#*\s*END (?:OF )?CABLE(?: TEXT)?\.?)$", re.IGNORECASE)
_TRAILER_FIRST = frozenset("NnEe#")
_RULE_FIRST = frozenset("-=_")
_RULE = re.compile(r"^\s*(?:-{3,}|={3,}|_{3,})\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_LIST_ITEM = re.compile(r"^(?:[-*•]\s|\(?\d{1,2}\)\s|\(?[a-z]\)\s)")
_SIGNATURE_LINE = re.compile(r"^[A-Z][A-Z'-]{1,}(?: [A-Z][A-Z'-]{1,}){0,2}$")
_SIGNATURE_TAIL = re.compile(r"(?<=[.!?\"”)])\s+([A-Z][A-Z'-]{2,})$")
_SENTENCE_END = re.compile(r"[.!?:;\"”')\]]$")
_BREAK_NUMBERS = re.compile(r"(\d{3}) OF (\d{3})\s*$")
_LEVEL = {"U": 0, "SBU": 0, "C": 1, "S": 2, "TS": 3}
_CLASS_LEVEL = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}


@dataclass
class Body:
    paragraphs: list[Paragraph] = field(default_factory=list)
    signature: str | None = None
    sections_seen: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    number: int | None
    marking: str | None
    blocks: list[list[str]] = field(default_factory=lambda: [[]])


def read_body(lines: list[str], classification: str | None, sections: int | None) -> Body:
    body = Body()
    lines = _strip_trailer(lines)
    lines = _drop_artifacts(lines, body)
    lines = _take_signature(lines, body)
    drafts = _split(lines)
    _correct_numbering(drafts, body)
    body.paragraphs = [Paragraph(d.number, d.marking, _join(d.blocks)) for d in drafts]
    body.paragraphs = [p for p in body.paragraphs if p.text or p.number is not None]
    _check(body, classification, sections)
    return body


def _strip_trailer(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        # A trailer starts with N, E or # (any case): the other lines need no regex.
        if line.lstrip()[:1] in _TRAILER_FIRST:
            if _TRAILER.match(line.strip()):
                return lines[:index]
    return lines


def _drop_artifacts(lines: list[str], body: Body) -> list[str]:
    kept = []
    stray = 0
    for line in lines:
        if " OF " not in line and "SIPDIS" not in line:
            kept.append(line)  # neither a section break nor a SIPDIS marker
            continue
        stripped = line.strip()
        if SECTION_BREAK.match(stripped):
            numbers = _BREAK_NUMBERS.search(stripped)
            if numbers:
                body.sections_seen.add(int(numbers.group(1)))
            continue
        if stripped == "SIPDIS":
            continue
        if stripped.startswith("SIPDIS "):  # the cablegate copies leak the marker into the text
            stray += 1
            line = stripped[len("SIPDIS ") :]
        kept.append(line)
    if stray:
        body.warnings.append(f"removed {stray} stray SIPDIS marker(s) from the body text (a copying artifact)")
    return kept


def _take_signature(lines: list[str], body: Body) -> list[str]:
    last = len(lines) - 1
    while last >= 0 and not lines[last].strip():
        last -= 1
    if last < 0:
        return lines
    line = lines[last].strip()
    if _SIGNATURE_LINE.match(line) and not _PARA_START.match(line) and len(line) <= 40:
        body.signature = line
        return lines[:last]
    tail = _SIGNATURE_TAIL.search(line)  # "... liked Oklahoma. RANDT": signed on the last text line
    if tail:
        body.signature = tail.group(1)
        return [*lines[:last], line[: tail.start()]]
    return lines


def _split(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    last_number = 0
    previous_blank = True
    count = len(lines)
    for index, raw in enumerate(lines):
        # Is ``raw == " ".join(raw.split())``? Known without splitting (this runs for every line of every
        # cable): single spaces only, none at the ends; spaces aside, whitespace is not printable.
        if raw.isprintable() and "  " not in raw and raw[:1] != " " and raw[-1:] != " ":
            line = raw
        else:
            line = " ".join(raw.split())
        if not line:
            if current is not None and current.blocks[-1]:
                current.blocks.append([])
            previous_blank = True
            continue
        # ``line`` and the next line (left-stripped) carry no leading blank: a rule starts with -, = or _,
        # a heading with #, a paragraph number with a digit or ¶; other lines skip those regexes.
        following = lines[index + 1].lstrip() if index + 1 < count else ""
        first = line[0]
        if (
            (first in _RULE_FIRST and _RULE.match(line))
            or (first == "#" and _MD_HEADING.match(line))
            or (following[:1] in _RULE_FIRST and _RULE.match(following) and len(line) < 100)
        ):
            current = None  # a sub-heading ends the paragraph; headings are not text
            previous_blank = True
            continue
        start = _PARA_START.match(line) if first == "¶" or first.isdecimal() else None
        if start and (previous_blank or start.group(2) or int(start.group(1)) == last_number + 1):
            last_number = int(start.group(1))
            current = _Draft(last_number, start.group(2))
            drafts.append(current)
            if start.group(3):
                current.blocks[-1].append(start.group(3))
        else:
            if current is None:
                current = _Draft(None, None)
                drafts.append(current)
            current.blocks[-1].append(line)
        previous_blank = False
    return drafts


_LIST_ITEM_FIRST = frozenset("-*•(0123456789")


def _is_list_item(line: str) -> bool:
    """``_LIST_ITEM.match(line)``, the regex tried only where an item can start (a bullet, a bracket, a
    digit, or a letter followed by ")"): most lines are running text and start otherwise."""
    if line[:1] in _LIST_ITEM_FIRST or line[1:2] == ")":
        return _LIST_ITEM.match(line) is not None
    return False


def _join(blocks: list[list[str]]) -> str:
    text = ""
    for block in blocks:
        if not block:
            continue
        joined = block[0]
        for line in block[1:]:
            joined += ("\n" if _is_list_item(line) else " ") + line
        if not text:
            text = joined
        else:
            glue = "\n" if _SENTENCE_END.search(text) or _is_list_item(joined) else " "
            text += glue + joined
    return text.strip()


def _correct_numbering(drafts: list[_Draft], body: Body) -> None:
    """Copies that rendered the ¶ sign as "1" print 11, 12, ... 19, 110 for 1, 2, ... 9, 10."""
    numbered = [d for d in drafts if d.number is not None]
    printed = [str(d.number) for d in numbered]
    if len(printed) < 2 or printed[0] == "1" or not all(p.startswith("1") and len(p) > 1 for p in printed):
        return
    corrected = [int(p[1:]) for p in printed]
    if corrected != list(range(1, len(corrected) + 1)):
        return
    for draft, number in zip(numbered, corrected, strict=True):
        draft.number = number
    body.warnings.append(
        f"paragraph numbers printed {printed[0]}-{printed[-1]} corrected to 1-{corrected[-1]}: "
        "the copy rendered the paragraph sign (¶) as a leading 1"
    )


def _check(body: Body, classification: str | None, sections: int | None) -> None:
    numbers = [p.number for p in body.paragraphs if p.number is not None]
    if numbers:
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        if missing:
            body.warnings.append(f"paragraph(s) {', '.join(map(str, missing))} missing from the numbering")
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            body.warnings.append(f"paragraph number(s) {', '.join(map(str, repeated))} printed more than once")
    else:
        body.warnings.append("no numbered paragraphs: the text is given as unnumbered paragraphs")
    level = _CLASS_LEVEL.get(classification or "")
    for paragraph in body.paragraphs:
        marking = (paragraph.marking or "").split("/")[0]
        if level is not None and _LEVEL.get(marking, -1) > level:
            body.warnings.append(
                f"paragraph {paragraph.number} is marked ({paragraph.marking}), above the cable's {classification}"
            )
    if sections and sections > 1:
        missing_sections = sorted(set(range(2, sections + 1)) - body.sections_seen)
        if missing_sections:
            body.warnings.append(
                f"section break(s) {', '.join(map(str, missing_sections))} of {sections} not found: "
                "the text may be incomplete"
            )
