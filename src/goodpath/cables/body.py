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

from goodpath.cables.header import DTG, SECTION_BREAK, parse_banner
from goodpath.cables.parsed_cable import Paragraph

# A numbered paragraph's first line, in its printed forms: "1. text", "¶1. text", "1. (C) text", "1.(C) text",
# "(C) 1. text"; group 1/4 the number, 2/3 the portion marking, 5 the text.
_MARKING = r"[A-Z]{1,4}(?:/{1,2}[A-Z]{1,6})*"
_PARA_START = re.compile(
    r"^(?:¶\s*)?(\d{1,3})\.(?:\s+|(?=\())(?:\((" + _MARKING + r")\)\s*)?(.*)$"
    r"|^\((" + _MARKING + r")\)\s+(?:¶\s*)?(\d{1,3})\.\s+(.*)$"
)
_TRAILER = re.compile(r"^(?:NNNN|#*\s*END (?:OF )?CABLE(?: TEXT)?\.?)$", re.IGNORECASE)
_TRAILER_FIRST = frozenset("NnEe#")
_RULE_FIRST = frozenset("-=_")
_RULE = re.compile(r"^\s*(?:-{3,}|={3,}|_{3,})(?: +[-=_]+)*\s*$")  # cablegate splits long rules: "---- --"
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_LIST_ITEM = re.compile(r"^(?:[-*•]\s|\(?\d{1,2}\)\s|\(?[a-z]\)\s|\d{1,2}\.\s)")
# Page furniture of the older copies: "PAGE 02 HO CHI 00838 01 OF 03 170856Z", "PAGE 02  STATE  123456",
# and the classification printed alone at the foot and head of each page.
_PAGE_LINE = re.compile(r"^PAGE \d{2,3}\b")
_CLASSIFICATION_ALONE = frozenset(
    ["UNCLASSIFIED", "UNCLAS", "CONFIDENTIAL", "SECRET", "TOP SECRET", "LIMITED OFFICIAL USE",
     "U N C L A S S I F I E D", "C O N F I D E N T I A L", "S E C R E T", "L I M I T E D O F F I C I A L U S E"]
)  # fmt: skip
_CLASSIFICATION_SERIAL = re.compile(r"^(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s+[A-Z]{2,4}\d{3,6}$")
_RESTART_END = re.compile(r"^(?:E\.? ?O\.? ?\d{5}|TAGS\b|SUBJECT\b|SUBJ:)")
_REPEATED_HEADER = re.compile(r"^(?:SIPDIS|E\.? ?O\.? ?\d{5}|TAGS\b|SUBJECT\b|SUBJ:|REF\b|Classified By|CLASSIFIED BY)")
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
    heading: str | None = None


def read_body(lines: list[str], classification: str | None, sections: int | None) -> Body:
    body = Body()
    # Scanned by regexes rather than line by line (most lines are running text); each line is preceded by a
    # newline, so that the patterns start with a literal "\n" the regex engine can search for quickly.
    text = "\n" + "\n".join(lines)
    lines, text = _strip_trailer(lines, text)
    lines, text = _drop_artifacts(lines, body, text)
    signed = _take_signature(lines, body)
    if signed is not lines:
        text = None  # the last line changed: joined again when needed
    drafts = _split(signed, body, text)
    body.paragraphs = [Paragraph(d.number, d.marking, _join(d.blocks), d.heading) for d in drafts]
    body.paragraphs = [p for p in body.paragraphs if p.text or p.number is not None]
    _check(body, classification, sections)
    return body


_TRAILER_LINE = re.compile(r"(?i)\n[ \t]*(?:NNNN|#*[ \t]*END (?:OF )?CABLE(?: TEXT)?\.?)[ \t]*(?=\n|$)")


def _strip_trailer(lines: list[str], text: str) -> tuple[list[str], str]:
    match = _TRAILER_LINE.search(text)
    if not match:
        return lines, text
    return lines[: text.count("\n", 0, match.start())], text[: match.start()]


def _section_restart(lines: list[str], index: int) -> int:
    """Where the body resumes when a new section's header starts at ``index`` (its page-1 routing block, DTG
    or banner), or -1: the header runs to its SUBJECT (or TAGS, E.O.) line and that line's continuation."""
    end = min(len(lines), index + 90)
    found = -1
    for position in range(index + 1, end):
        stripped = lines[position].lstrip()
        if stripped[:1] in "ETS" and _RESTART_END.match(stripped):
            found = position
            if stripped.startswith("SUBJ"):
                break
        elif found >= 0 and stripped and not _REPEATED_HEADER.match(stripped):
            break
    if found < 0:
        return -1
    position = found + 1
    while position < len(lines) and lines[position].strip() and not _starts_paragraph(lines[position].strip()):
        position += 1  # the SUBJECT's continuation lines
    return position


# The lines the body's clean-up acts on (page furniture, routing, banners, SIPDIS markers), found by one scan of
# the text: each line follows a newline, a literal the regex engine searches for quickly.
_ARTIFACT = re.compile(
    r"\n[ \t]*(?:PAGE \d{2,3}\b|[OPRZ]{1,2}(?: [OPRZ])? \d{6}Z|\d{6}Z [A-Za-z]{3} \d{2}\b|SIPDIS\b|"
    r"(?:UNCLAS|CONFIDENTIAL|SECRET|TOP SECRET|LIMITED OFFICIAL USE|U N C L A S|C O N F I D E N T I A L|"
    r"S E C R E T|T ?O ?P S E C R E T|L I M I T E D))"
)


def _artifact_marks(text: str) -> list[int]:
    """The offsets of the newlines before the lines ``_drop_artifacts`` must look at (``text`` starts with one)."""
    marks = [match.start() for match in _ARTIFACT.finditer(text)]
    position = text.find(" OF 0")  # section breaks: "BEIJING 00001900 002 OF 002"
    if position < 0:
        return marks
    found = set(marks)
    while position >= 0:
        found.add(text.rfind("\n", 0, position))
        position = text.find(" OF 0", position + 5)
    return sorted(found)


def _drop_artifacts(lines: list[str], body: Body, text: str | None = None) -> tuple[list[str], str | None]:
    if text is None:
        text = "\n" + "\n".join(lines)
    marks = _artifact_marks(text)
    if not marks:
        return lines, text
    kept: list[str] = []
    stray = 0
    done = 0  # lines before this index are decided
    count = len(lines)
    index = 0
    counted = 0  # text offset up to which newlines were counted into ``index``
    for position in marks:
        index += text.count("\n", counted, position)
        counted = position
        if index >= count:
            break
        if index < done:
            continue  # inside a repeated header already dropped
        kept.extend(lines[done:index])
        done = index + 1
        line = lines[index]
        stripped = line.strip()
        first = stripped[:1]
        restart = (
            (first == "P" and stripped.startswith("PAGE 01"))
            or (first in "OPRZ0123456789" and DTG.match(stripped) is not None)
            or (" OF " in stripped and "SECTION" in stripped and bool((parse_banner(stripped) or {}).get("sections")))
        )
        if restart:
            resume = _section_restart(lines, index)
            if resume > 0:
                done = resume  # a new section's whole header (routing, addressees, banner, E.O., TAGS, SUBJECT)
                continue
            if first not in "OPRZ0123456789":
                if first != "P":  # a section's banner: drop it and the repeated header lines after it
                    while done < count:
                        following = lines[done].strip()
                        if (
                            following
                            and not _REPEATED_HEADER.match(following)
                            and (_starts_paragraph(following) or not kept_header(following))
                        ):
                            break
                        done += 1
                    continue
            else:
                continue  # a DTG line inside the body: routing, not text
        if (
            stripped in _CLASSIFICATION_ALONE
            or (first == "P" and _PAGE_LINE.match(stripped))
            or (len(stripped) < 40 and _CLASSIFICATION_SERIAL.match(stripped))
        ):
            continue  # page furniture
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
    kept.extend(lines[done:])
    if stray:
        body.warnings.append(f"removed {stray} stray SIPDIS marker(s) from the body text (a copying artifact)")
    return kept, None


def kept_header(line: str) -> bool:
    """A continuation line of a repeated SUBJECT (upper case, short): still part of the repeated header."""
    return line.isupper() and len(line) < 80 and not line.endswith(".")


def _starts_paragraph(line: str) -> bool:
    return line[:1] in "¶(0123456789" and _PARA_START.match(line) is not None


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


@dataclass
class _Candidate:
    line: int  # index of the line in the body
    number: int
    printed: str  # the number as printed
    marking: str | None
    text: str
    weight: float


_CANDIDATE_LINE = re.compile(r"\n[ \t]*(?:(?:¶[ \t]*)?\d{1,3}\.|\()")


def _candidates(lines: list[str], text: str | None = None) -> list[_Candidate]:
    if text is None:
        text = "\n" + "\n".join(lines)
    found = []
    index = 0
    counted = 0  # text offset up to which newlines were counted into ``index``
    for match in _CANDIDATE_LINE.finditer(text):
        index += text.count("\n", counted, match.start())
        counted = match.start()
        line = lines[index].strip()
        start = _PARA_START.match(line)
        if not start:
            continue
        if start.group(1) is not None:
            printed, marking, rest = start.group(1), start.group(2), start.group(3)
        else:
            marking, printed, rest = start.group(4), start.group(5), start.group(6)
        previous_blank = index == 0 or not lines[index - 1].strip()
        weight = 1.0 + 0.6 * previous_blank + 0.6 * (marking is not None) + 0.3 * (line[0] == "¶")
        if not previous_blank and marking is None:
            weight -= 0.5  # a wrapped line that happens to start with a number ("July\n24. ...")
        found.append(_Candidate(index, int(printed), printed, marking, rest, weight))
    return found


def _chain(candidates: list[_Candidate], numbers: list[int]) -> tuple[float, list[int]]:
    """The best run of paragraph numbers: increasing, by one (a small gap costs), starting near 1."""
    count = len(candidates)
    if not count:
        return 0.0, []
    best = [0.0] * count
    back = [-1] * count
    by_number: dict[int, list[int]] = {}  # number -> the candidates printed with it so far
    for j in range(count):
        number = numbers[j]
        weight = candidates[j].weight
        best[j] = weight + (1.0 if number == 1 else -0.6 * min(number - 1, 10))
        for step in (1, 2, 3):
            for i in by_number.get(number - step, ()):
                score = best[i] + weight - 1.2 * (step - 1)
                if score > best[j]:
                    best[j], back[j] = score, i
        by_number.setdefault(number, []).append(j)
    end = max(range(count), key=lambda k: best[k])
    chosen = []
    while end >= 0:
        chosen.append(end)
        end = back[end]
    return best[chosen[0]], chosen[::-1]


def _with_strong(candidates: list[_Candidate], chosen: list[int]) -> list[int]:
    """Paragraphs the run left out that are printed as paragraphs beyond doubt (a blank line before, a
    marking or a paragraph sign) and keep the numbers increasing: excerpts skip paragraphs."""
    taken = set(chosen)
    strong = [k for k, c in enumerate(candidates) if c.weight >= 1.9 and k not in taken]
    if not strong:
        return chosen
    result = sorted(chosen)
    for k in strong:
        before = [candidates[i].number for i in result if i < k]
        after = [candidates[i].number for i in result if i > k]
        if (not before or candidates[k].number > before[-1]) and (not after or candidates[k].number < after[0]):
            result = sorted([*result, k])
    return result


def _heading_alone(lines: list[str], index: int, starts: dict) -> bool:
    """A short line between blank lines, not ending a sentence, right before a numbered paragraph."""
    if index == 0 or lines[index - 1].strip() or _SENTENCE_END.search(lines[index].rstrip()):
        return False
    position = index + 1
    while position < len(lines) and not lines[position].strip():
        position += 1
    return position in starts and position > index + 1


def _split(lines: list[str], body: Body | None = None, text: str | None = None) -> list[_Draft]:
    candidates = _candidates(lines, text)
    score, chosen = _chain(candidates, [c.number for c in candidates])
    # Copies that rendered the ¶ sign as "1" print 11, 12, ... 19, 110 for 1, 2, ... 9, 10.
    first = candidates[chosen[0]].printed if chosen else ""
    ones = [c for c in candidates if len(c.printed) > 1 and c.printed.startswith("1")] if first[:1] == "1" else []
    if len(ones) >= 2 and first != "1":
        stripped_score, stripped = _chain(ones, [int(c.printed[1:]) for c in ones])
        if stripped_score > score and int(ones[stripped[0]].printed[1:]) == 1:
            printed = [ones[k].printed for k in stripped]
            for k in stripped:
                ones[k].number = int(ones[k].printed[1:])
            candidates, chosen = ones, stripped
            (body or Body()).warnings.append(
                f"paragraph numbers printed {printed[0]}-{printed[-1]} corrected to 1-{ones[stripped[-1]].number}: "
                "the copy rendered the paragraph sign (¶) as a leading 1"
            )
    chosen = _with_strong(candidates, chosen)
    starts = {candidates[k].line: candidates[k] for k in chosen}
    drafts: list[_Draft] = []
    current: _Draft | None = None
    heading: str | None = None
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
            continue
        start = starts.get(index)
        if start is not None:
            current = _Draft(start.number, start.marking, heading=heading)
            heading = None
            drafts.append(current)
            if start.text:
                current.blocks[-1].append(start.text)
            continue
        # ``line`` and the next line (left-stripped) carry no leading blank: a rule starts with -, = or _,
        # a heading with #; other lines skip those regexes.
        following = lines[index + 1] if index + 1 < count else ""
        if following[:1] == " ":
            following = following.lstrip()
        first = line[0]
        if first in _RULE_FIRST and _RULE.match(line):
            current = None  # a rule ends the paragraph; it is not text
            continue
        if (
            (first == "#" and _MD_HEADING.match(line))
            or (following[:1] in _RULE_FIRST and _RULE.match(following) and len(line) < 100)
            or (len(line) < 80 and not following and _heading_alone(lines, index, starts))
        ):
            current = None  # a sub-heading ends the paragraph; it heads the next one
            text = line.lstrip("#").strip().strip("*").strip()
            heading = f"{heading} {text}" if heading and not _SENTENCE_END.search(heading) else text
            continue
        if current is None:
            current = _Draft(None, None, heading=heading)
            heading = None
            drafts.append(current)
        if first == "¶":  # a paragraph sign the copy put before something else ("¶1987.", "¶B.")
            line = line[1:].lstrip() or line
        current.blocks[-1].append(line)
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
            # A list item keeps its line; a wrapped line that merely starts with a number ("July\n24. ...") not.
            item = _is_list_item(line) and not (line[0].isdecimal() and not _SENTENCE_END.search(joined))
            joined += ("\n" if item else " ") + line
        if not text:
            text = joined
        else:
            glue = "\n" if _SENTENCE_END.search(text) or _is_list_item(joined) else " "
            text += glue + joined
    return text.strip()


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
