"""The telegram header: routing, DTG, addressees, banner, E.O. line, TAGS, SUBJECT, REF, Classified By.

``read_header`` walks the lines until the body starts and returns the fields found, the index of
the first body line and warnings. A field printed twice with the same value (the doubled header
of web copies) is kept once; a second, different value is reported, never silently preferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

_PRECEDENCE = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_LEVELS = {
    "LIMITEDOFFICIALUSE": "UNCLASSIFIED",  # 1970s: unclassified, handled as LIMITED OFFICIAL USE (a caveat)
    "UNCLASSIFIED": "UNCLASSIFIED",
    "UNCLAS": "UNCLASSIFIED",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "SECRET": "SECRET",
    "TOP SECRET": "TOP SECRET",
}
_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()

# "O 210558Z MAR 07", "OO 2105...", "O R 121212Z MAR 75", "R 081535Z JUL 09 ZDS ZDK"; PlusD's "170856Z May 00".
DTG = re.compile(
    r"^(?:([ZOPR])(?: ?[ZOPR])? )?(\d{{6}}Z ?(?:{}) \d{{2}})(?:\s+\S.*)?$".format(
        "|".join(_MONTHS + [m.title() for m in _MONTHS])
    )
)
# The banner: the classification, letter-spaced or not, then optional section/station/caveats.
BANNER = re.compile(
    r"^(T ?O ?P S ?E ?C ?R ?E ?T|S E C R E T|C O N F I D E N T I A L|U N C L A S(?: S I F I E D)?|"
    r"L I M I T E D O F F I C I A L U S E|LIMITED OFFICIAL USE|"
    r"TOP SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|UNCLAS)(?=\s|$|/)(.*)$"
)
_SECTION = re.compile(r"\bSECTION (\d{1,3}) OF (\d{1,3})\b")
_STATION_NUMBER = re.compile(r"\b([A-Z][A-Z .'-]*?) (\d{6}|\d{4,5}(?=\s*$))\b")  # "BEIJING 001900", "ADANA 0398"
SECTION_BREAK = re.compile(r"^\s*[A-Z][A-Z .'/-]*? \d{8} \d{3}(?:\.\d)? OF \d{3}\s*$")
EO_LINE = re.compile(r"^E\.? ?O\.? ?\d{5}:?\s*(.*)$", re.IGNORECASE)
_LABEL = re.compile(
    r"^(TAGS|SUBJECT|SUBJ|REF|REFS|REFERENCE|REFERENCES|[Cc]lassified [Bb]y|CLASSIFIED BY|FM|TO|INFO)\b:?\s*(.*)$"
)
_ADDRESSEE = re.compile(
    r"^(?:[A-Z0-9]{4,7}/)?(.+?)(?:\s+(?:NIACT IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE|FLASH))?(?:\s+\d{1,5})?$"
)
_TAG_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # markdown link around a tag, e.g. [PREL](#)
_ROUTING = re.compile(r"^(?:VZCZC\S*|[OPRZ]{2} (?:R[A-Z]{4,5} ?)+|DE [A-Z]{5} #\S+.*|ZNY [A-Z ]+|ZNR [A-Z ]+|BT)$")
_REF_CONTINUED = re.compile(r"^\(?[A-Z]\)[ ]?(?:\d{2} )?[A-Z][A-Z .]+ \d+|^[A-Z]\. (?:\d{2} )?[A-Z][A-Z .]+ \d+\b")
_REF_ITEM = re.compile(r"(?:^|\s)([A-Z])[.)]\s+")
_FOUO = re.compile(r"\bFOR OFFICIAL USE ONLY\b|\bFOUO\b")
_TAG_SPLIT = re.compile(r"[\s,;]+")
_TAG_CODE = re.compile(r"[A-Za-z0-9_-]+")
_DECL_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_REASONS_LABEL = re.compile(r"\s*\b(?:for\s+)?reasons?\b:?\s*", re.IGNORECASE)
_KEPT_PERIOD = re.compile(r"(?:\b(?:Jr|Sr|Esq|Ph\.D)|\b[A-Z])\.$")
_REASON_SECTION = re.compile(r"\b(1\.\d)\b")
_REASON_LETTER = re.compile(r"(?<![A-Za-z])([a-hA-H])(?![A-Za-z])")
# First characters the line-start patterns can match at (lines are stripped): other lines skip them.
_ROUTING_FIRST = frozenset("VOPRZDB")
_DTG_FIRST = frozenset("ZOPR0123456789")
_BANNER_FIRST = frozenset("TSCUL")
_EO_FIRST = frozenset("Ee")
_LABEL_FIRST = frozenset("TSRCcFI")


@dataclass
class Header:
    fields: dict[str, object] = field(default_factory=dict)
    station: str | None = None  # from the banner, e.g. "BEIJING"
    number: int | None = None  # the cable's serial number, e.g. 1900
    signals: int = 0  # how many telegram header lines were recognized
    body_start: int = 0
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the lines read (merged header lines split)

    def set(self, name: str, value: object) -> None:
        old = self.fields.get(name)
        if old is None:
            self.fields[name] = value
        elif old != value:
            self.warnings.append(f"{name} printed twice with different values; kept {old!r}, ignored {value!r}")


def _unspace(word: str) -> str:
    # "S E C R E T" -> "SECRET"; "T O P S E C R E T" -> "TOPSECRET" -> handled below
    squeezed = word.replace(" ", "")
    return "TOP SECRET" if squeezed == "TOPSECRET" else squeezed


# Routing-desk lines of the older copies: "PAGE 01 ...", "ACTION EAP-00", "INFO LOG-00 NP-00 ...", "ORIGIN EUR-12".
_CODES = re.compile(r"^(?:[A-Z0-9]{1,6}-\d{2,3}\s*)+(?:/\d+[A-Z]?)?$")
_DESK_LINE = re.compile(r"^(?:ACTION|INFO|ORIGIN)\s+(?:[A-Z0-9]{1,6}-\d{2,3}\b.*)$")
# Header labels another label may follow on the same line (copies that merged the header's lines).
_MERGED_LABEL = re.compile(r"\s(?=(?:TAGS:?|SUBJECT:|SUBJ:|REF:|REFS:|Classified By:|CLASSIFIED BY:?)\s)")
_PAGE_FOOT = frozenset(["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET", "LIMITED OFFICIAL USE"])
_HINT_LINE = re.compile(r"^(?:E\.? ?O\.? ?\d{5}|TAGS\b|SUBJECT\b|SUBJ:)", re.IGNORECASE)


def _split_merged(lines: list[str], limit: int) -> list[str]:
    """E.O. and TAGS (or TAGS and SUBJECT, REF and Classified By) printed on one line become separate lines."""
    result: list[str] | None = None
    for index, line in enumerate(lines[:limit]):
        first = line[:1]
        parts = None
        if first == " ":
            stripped = line.lstrip()
            first = stripped[:1]
        else:
            stripped = line
        if first in "EeTR" and (EO_LINE.match(stripped) or stripped.startswith(("TAGS", "REF"))):
            parts = [part.strip() for part in _MERGED_LABEL.split(stripped) if part.strip()]
        elif first == "S" and stripped.startswith("SUBJ") and result is None:
            return lines  # the header ends with its SUBJECT: nothing merged before it
        if parts and len(parts) > 1:
            if result is None:
                result = list(lines[:index])
            result.extend(parts)
        elif result is not None:
            result.append(line)
    if result is None:
        return lines
    return [*result, *lines[limit:]]


def parse_banner(line: str) -> dict[str, object] | None:
    match = BANNER.match(line.strip())
    if not match:
        return None
    level = _LEVELS.get(_unspace(match.group(1)))
    rest = match.group(2).strip().lstrip("/").strip()
    result: dict[str, object] = {"classification": level}
    section = _SECTION.search(rest)
    if section:
        result["sections"] = int(section.group(2))
        rest = (rest[: section.start()] + rest[section.end() :]).strip()
    station = _STATION_NUMBER.search(rest)
    if station:
        result["station"] = station.group(1).strip()
        result["number"] = int(station.group(2))
        rest = (rest[: station.start()] + rest[station.end() :]).strip()
    words = rest.replace("//", " ").split()
    if "SIPDIS" in words:
        result["sipdis"] = True
        words = [w for w in words if w != "SIPDIS"]
    result["caveats"] = _caveats(" ".join(words))
    # A banner line must carry more than a bare word, or be the letter-spaced form.
    if not section and not station and " " not in match.group(1) and not result["caveats"]:
        return None
    return result


def _caveats(text: str) -> list[str]:
    caveats = []
    if ("FOUO" in text or "FOR OFFICIAL USE ONLY" in text) and _FOUO.search(text):
        caveats.append("FOR OFFICIAL USE ONLY")
        text = _FOUO.sub(" ", text)
    for word in text.split():
        if word in {"NOFORN", "SENSITIVE", "EXDIS", "NODIS", "LIMDIS", "ORCON", "NOCONTRACT", "PROPIN", "REL"}:
            caveats.append(word)
    return caveats


def _addressee(line: str) -> str:
    match = _ADDRESSEE.match(line.strip())
    return " ".join((match.group(1) if match else line).split())


def parse_tags(value: str) -> list[str]:
    value = _TAG_LINK.sub(r" \1 ", value)
    return [tag for tag in _TAG_SPLIT.split(value) if tag and _TAG_CODE.fullmatch(tag)]


def parse_declassify(value: str) -> tuple[str | None, str | None]:
    """``DECL: 03/21/2017`` -> ("2017-03-21", None); other instructions (``1.6X1``, ``N/A``) -> (None, note)."""
    match = _DECL_DATE.search(value)
    if not match:
        return None, None
    month, day, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat(), None
    except ValueError:
        return None, f"declassification date {match.group(0)!r} is not a valid date"


def parse_classified_by(text: str) -> tuple[str | None, dict[str, object] | None]:
    """``DCM David Sedney. Reasons 1.4 (b/d).`` -> ("DCM David Sedney", reasons)."""
    text = " ".join(text.split())
    match = _REASONS_LABEL.search(text)
    official, printed = (text[: match.start()], text[match.end() :]) if match else (text, "")
    official = official.strip(" ,;")
    # Keep the period of "Jr." / "Sr." / an initial; drop a sentence-final one.
    if official.endswith(".") and not _KEPT_PERIOD.search(official):
        official = official[:-1]
    printed = printed.strip().rstrip(".").strip()
    reasons = {"as_printed": printed, "normalized": normalize_reasons(printed)} if printed else None
    return (official or None), reasons


def normalize_reasons(printed: str) -> list[str]:
    """E.O. 12958 section 1.4 letters as ``1.4(b)``: from "1.4 (b/d)", "1.4 (B) and (D)", "1.4(b), (d)"."""
    result: list[str] = []
    parts = _REASON_SECTION.split(printed)
    for index in range(1, len(parts), 2):
        section, rest = parts[index], parts[index + 1]
        for letter in _REASON_LETTER.findall(rest):
            reason = f"{section}({letter.lower()})"
            if reason not in result:
                result.append(reason)
        if not _REASON_LETTER.search(rest) and section not in result:
            result.append(section)
    return result


def _continuation(lines: list[str], index: int) -> tuple[list[str], int]:
    """Lines after a label that belong to it: up to a blank line, another label or a banner."""
    taken = []
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            break
        first = line[0]
        if (
            (first in _LABEL_FIRST and _LABEL.match(line))
            or (first in _BANNER_FIRST and BANNER.match(line))
            or (first in _EO_FIRST and EO_LINE.match(line))
            or (first in _DTG_FIRST and DTG.match(line))
        ):
            break
        taken.append(line)
        index += 1
    return taken, index


def read_header(lines: list[str]) -> Header:
    header = Header()
    lines = _split_merged(lines, 400)
    header.lines = lines
    hint = -1  # the first E.O./TAGS/SUBJECT line near the top: unknown lines before it are routing noise
    for position, candidate in enumerate(lines[:400]):
        stripped = candidate.lstrip()
        if stripped[:1] in "EeTS" and _HINT_LINE.match(stripped):
            hint = position
            break
    index = 0
    seen_label = False  # once TAGS/SUBJECT/... are seen, a free-text line starts the body
    after_banner = False
    passing: list[str] = []
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            index += 1
            continue
        first = line[0]
        if first in _ROUTING_FIRST and _ROUTING.match(line):
            header.signals += 1
            index += 1
            continue
        dtg = DTG.match(line) if first in _DTG_FIRST else None
        if dtg:
            header.signals += 1
            if dtg.group(1):
                header.set("precedence", _PRECEDENCE[dtg.group(1)])
            header.set("date_time_group", dtg.group(2).upper())
            index += 1
            continue
        banner = parse_banner(line) if first in _BANNER_FIRST else None
        if banner and not seen_label or banner and lines_repeat_header(lines, index):
            header.signals += 1
            after_banner = True
            for key in ("classification", "sections", "caveats"):
                if key in banner:
                    header.set(key, banner[key])
            if banner.get("sipdis"):
                header.fields["sipdis"] = True
            if "station" in banner:
                header.station = header.station or str(banner["station"])
                header.number = header.number or int(banner["number"])  # type: ignore[arg-type]
            seen_label = False  # a repeated header starts over
            index += 1
            continue
        if line in _PAGE_FOOT:
            index += 1  # a page break inside the header: the classification printed at the page's foot
            continue
        if line == "SIPDIS":
            header.fields["sipdis"] = True
            header.signals += 1
            index += 1
            continue
        eo = EO_LINE.match(line) if first in _EO_FIRST else None
        if eo:
            header.signals += 1
            declassify, note = parse_declassify(eo.group(1))
            if declassify:
                header.set("declassify_on", declassify)
            if note:
                header.warnings.append(note)
            after_banner = False
            seen_label = True
            index += 1
            continue
        if first in "AIOP" and (_DESK_LINE.match(line) or line.startswith("PAGE ")):
            header.signals += 1  # the routing desk's block of an older copy: noise, with its code lines
            index += 1
            while index < len(lines) and _CODES.match(lines[index].strip()):
                index += 1
            continue
        label = _LABEL.match(line) if first in _LABEL_FIRST else None
        if label and (label.group(2) or label.group(1).upper() in {"TO", "INFO"} or ":" in line):
            name = label.group(1).upper()
            taken, end = _continuation(lines, index + 1)
            value = " ".join([label.group(2).strip(), *taken]).strip()
            header.signals += 1
            if name == "FM":
                header.set("from", _addressee(value))
            elif name in {"TO", "INFO"}:
                items = [label.group(2).strip(), *taken] if label.group(2).strip() else taken
                header.set(name.lower(), [_addressee(item) for item in items if item])
            elif name == "TAGS":
                header.set("tags", parse_tags(value))
                seen_label = True
            elif name in {"SUBJECT", "SUBJ"}:
                header.set("subject", " ".join(value.split()) or None)
                seen_label = True
            elif name.startswith("REF"):
                # Reference items continued after a blank line: "(D) HARARE 2221, (E) HARARE 2205".
                while True:
                    after = end
                    while after < len(lines) and not lines[after].strip():
                        after += 1
                    if after >= len(lines) or not _REF_CONTINUED.match(lines[after].strip()):
                        break
                    more, end = _continuation(lines, after)
                    value = " ".join([value, *more])
                header.set("references", _references(value))
                seen_label = True
            else:  # CLASSIFIED BY
                official, reasons = parse_classified_by(value)
                header.set("classified_by", official)
                if reasons:
                    header.set("reasons", reasons)
                seen_label = True
            index = end
            continue
        if after_banner and not seen_label:
            passing.append(line)  # between the banner and the E.O. line: "DEPT FOR ISN A/S ROOD"
            index += 1
            continue
        noise = header.signals and not seen_label and not header.fields.get("classification") and index < 40
        if index < hint or noise:
            index += 1  # unknown routing noise before the banner, or before the E.O./TAGS/SUBJECT lines
            continue
        break
    if passing:
        caveat_words = _caveats(" ".join(passing))
        text = " ".join(p for p in passing if not _caveats(p) or len(p.split()) > 3)
        if caveat_words and header.fields.get("caveats") is not None:
            header.fields["caveats"] = list(dict.fromkeys([*header.fields["caveats"], *caveat_words]))  # type: ignore[list-item]
        if text:
            header.set("passing_instructions", " ".join(text.split()))
    header.body_start = index
    return header


def lines_repeat_header(lines: list[str], index: int) -> bool:
    """A banner after TAGS/SUBJECT is a repeated header only if an E.O. or TAGS line follows closely."""
    window = [line.strip() for line in lines[index + 1 : index + 6]]
    return any(EO_LINE.match(line) or line.upper().startswith("TAGS") for line in window)


def _references(value: str) -> list[str]:
    value = " ".join(value.split()).rstrip(".")
    if not value:
        return []
    items = _REF_ITEM.split(" " + value)
    if len(items) >= 3:  # lettered list: "A. STATE 1234 B. BEIJING 567"
        return [item.strip(" ;,.") for item in items[2::2] if item.strip(" ;,.")]
    return [item.strip() for item in value.split(";") if item.strip()]
