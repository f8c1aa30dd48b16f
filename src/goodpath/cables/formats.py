"""Which of the circulating renderings a file is, and the telegram text inside it.

Three renderings are known: the raw telegram, the web-archive copy (an ``Identifier / Created /
Classification / Origin`` preamble, a title and tags, then the telegram) and the 2010 cablegate
HTML page (a header table, the telegram in ``<pre>`` blocks). Each is reduced to the telegram's
lines plus the metadata the wrapper printed, so one header/body parser serves all three.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from goodpath.cables.parsed_cable import CableFormatError

RAW = "raw-telegram"
WEB_ARCHIVE = "web-archive"
CABLEGATE_HTML = "cablegate-html"

# Labels of the web-archive preamble and of the cablegate header table, to our metadata keys.
_META_LABELS = {
    "identifier": "reference_id",
    "reference id": "reference_id",
    "created": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters text files do not contain
# The bytes that are not such control characters: deleting them from the Latin-1 bytes of a text leaves
# one byte per control character (counted without a regex scan; characters above U+00FF are dropped first).
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not _CONTROL.match(chr(b)))
_HTML_HINT = re.compile(r"<\s*(?:html|pre|table|body)\b", re.IGNORECASE)
# Where the telegram proper starts inside a web-archive copy.
_TELEGRAM_START = re.compile(
    r"^(?:VZCZC|[OPRZ]{1,2} \d{6}Z [A-Z]{3} \d{2}\b|FM |(?:[A-Z] ){4,}|UNCLAS|CONFIDENTIAL|SECRET)"
)


@dataclass
class Source:
    format: str
    lines: list[str]
    meta: dict[str, str] = field(default_factory=dict)  # reference_id, created, classification, origin, title, tags
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Bytes to text; binary data is refused rather than parsed as noise."""
    if not data.strip():
        raise CableFormatError("empty file: no cable text")
    if b"\x00" in data[:4096]:
        raise CableFormatError("binary data (NUL bytes): not a cable text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text


def _clean_line(line: str) -> str:
    # Web copies carry no-break spaces and trailing blanks; neither is meaningful.
    return line.replace("\u00a0", " ").replace("\t", " ").rstrip()


def _count_control(text: str) -> int:
    """``len(_CONTROL.findall(text))``."""
    return len(text.encode("latin-1", "ignore").translate(None, _NOT_CONTROL_BYTES))


def split_lines(text: str) -> list[str]:
    # _clean_line on every line; the replacements do not involve line ends, so they run once on the text.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", " ")
    return [line.rstrip() for line in text.split("\n")]


def unwrap(text: str) -> Source:
    """Detect the rendering of ``text`` and return the telegram inside it."""
    if not text or text.isspace():  # ``not text.strip()``, without copying the text
        raise CableFormatError("empty input: no cable text")
    binary = "binary data (control characters): not a cable text file"
    if _count_control(text[:4096]) > 8:
        raise CableFormatError(binary)
    if _HTML_HINT.search(text[:200_000]):
        # The page's ASCII-lowered UTF-8 bytes (read again by the fast path): a NUL or "<pre" is found in
        # them as in the text, each character being ASCII in both or in neither.
        encoded = text.encode("utf-8", "surrogatepass")
        lowered = encoded.lower()
        if b"\x00" in lowered:
            raise CableFormatError(binary)
        if b"<pre" in lowered:
            return _from_html(text, encoded=encoded, lowered=lowered)
    elif "\x00" in text:
        raise CableFormatError(binary)
    lines = split_lines(text)
    raw_lines = None
    if "\t" in text[:20_000]:  # tab-separated header tables: the cells are read before tabs become spaces
        raw_lines = text[:20_000].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _from_text(lines, raw_lines)


def _from_html(text: str, first_pre: int = 0, encoded: bytes | None = None, lowered: bytes | None = None) -> Source:
    fast = _from_cablegate_html(text, first_pre, encoded, lowered)
    if fast is not None:
        return fast
    return _from_html_lxml(text)


# The fast path reads pages of the known cablegate layout with a few regexes; anything it is not
# sure to read exactly as lxml would (other tags or markup inside the blocks, comments, scripts
# with content, unusual entities or characters, another table layout) goes to lxml instead.
_CABLE_TABLE = re.compile(
    r"<table class=(?:'cable'|\"cable\")>"
    r"((?:\s*<tr>(?:\s*<t[hd]>[^<]*(?:<a\b[^<>]*>[^<]*</a>[^<]*)?</t[hd]>)*\s*</tr>)*)\s*</table>"
)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<t[hd]>(.*?)</t[hd]>", re.DOTALL)
# Markup whose content an HTML parser does not read as elements, or reads specially (searched in the
# ASCII-lowered page): only an empty script, a plain title, the doctype and processing instructions pass.
# The same scan finds the <pre> and <table> tags, and the document's html/head/body tags: content after the end
# of the body, or a second body, is moved or dropped by the parser; so are the contents of select, svg, math,
# template and frame elements, which the fast path leaves to lxml too.
_MARKUP_OF_NOTE = re.compile(
    rb"<(?=[!?stxpnifmhb]|/[hb])"  # most tags (a, div, /a, /div ...) stop here
    rb"(?:[!?]|s(?:cript|tyle|elect|vg)|t(?:extarea|itle|able|emplate)|xmp|p(?:laintext|re)|no|i?frame|math"
    rb"|/?(?:html|head|body))"
)
_DOCUMENT_TAGS = (b"<html", b"<head", b"<body")
_DOCUMENT_ENDS = (b"</html", b"</body")
_HARMLESS_MARKUP = re.compile(rb"<script\b[^<>]*>[ \t\n\r]*</script>|<title>[^<&]*</title>|<!doctype\b|<\?")
# Every "<" of the page opens a well-formed tag, end tag, doctype or processing instruction (searched in the
# ASCII-lowered page): an unterminated tag or quoted value would make an HTML parser read the text after it
# as part of that tag, and so differently from the regexes. Names, blanks and values in their strict forms.
_BLANK = rb"[ \t\n\r]"
_ATTRIBUTES = (
    rb"(?:" + _BLANK + rb"++[a-z_:][a-z0-9_:.-]*+"
    rb"(?:" + _BLANK + rb"*+=" + _BLANK + rb"*+(?:\"[^\"]*+\"|'[^']*+'|[^ \t\n\r\"'<>=`]++))?+)*+" + _BLANK + rb"*+"
)
_WELL_FORMED = re.compile(
    rb"[^<]*+(?:(?:"
    rb"</[a-z][a-z0-9]*+" + _BLANK + rb"*+>"
    rb"|<[a-z][a-z0-9]*+" + _ATTRIBUTES + rb">"
    rb"|<(?:link|img|br|meta|hr|input|area|base|col|embed|param|source|track|wbr)\b" + _ATTRIBUTES + rb"/>"
    rb"|<!doctype(?:" + _BLANK + rb"++(?:[^ \t\n\r<>\"']++|\"[^\"]*+\"|'[^']*+'))*+" + _BLANK + rb"*+>"
    rb"|<\?[^<>]*+>"
    rb")[^<]*+)*+"
)
# Anchors are the only markup of the text blocks: <a id='par1' href='#par1'>¶</a>.
_ANCHOR = re.compile(r"<a(?:\s+[\w-]+(?:=(?:'[^'<>&]*'|\"[^\"<>&]*\"))?)*\s*>|</a>")
_ENTITY = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot));")
_NEWLINE_ENTITY = "&#x000A;"


def _plain(fragment: str) -> str | None:
    """The text lxml's ``text_content()`` gives for a fragment of anchors, text and plain entities, else None."""
    # Entities are read between the tags (a tag inside "&#x00<a>0A;" must not make an entity of it).
    pieces = _ANCHOR.split(fragment) if "<" in fragment else [fragment]
    for index, piece in enumerate(pieces):
        if "<" in piece:
            return None  # other markup
        if "&" in piece:
            piece = piece.replace(_NEWLINE_ENTITY, "\n")
            if "&" in piece:
                if piece.count("&") != len(_ENTITY.findall(piece)):
                    return None  # a bare "&" or an entity the two parsers may read differently
                for match in _ENTITY.finditer(piece):
                    hexa, decimal, _name = match.groups()
                    code = int(hexa, 16) if hexa else int(decimal) if decimal else None
                    if code is not None and not (
                        code == 10 or 32 <= code < 127 or (160 <= code <= 0x10FFFF and chr(code).isprintable())
                    ):
                        return None
                piece = html.unescape(piece)
            pieces[index] = piece
    text = "".join(pieces)
    # Only printable characters and line ends: no tabs, carriage returns, controls, format characters.
    if not _printable_or_newline(text):
        return None
    return text


# ASCII is printable from space to tilde: deleting those bytes and newlines from the UTF-8 of a text leaves
# the other ASCII characters as themselves, and the non-ASCII characters whole (their bytes are all >= 0x80).
_PRINTABLE_ASCII_OR_NEWLINE = bytes([10, *range(32, 127)])


def _printable_or_newline(text: str) -> bool:
    """``text.replace("\\n", "").isprintable()``, asking Unicode about the non-ASCII characters only."""
    try:
        rest = text.encode("utf-8").translate(None, _PRINTABLE_ASCII_OR_NEWLINE)
    except UnicodeEncodeError:  # lone surrogates: the plain way
        return text.replace("\n", "").isprintable()
    return not rest or (min(rest) >= 0x80 and rest.decode("utf-8").isprintable())


def _pre_blocks(text: str, start: int) -> list[str]:
    """The content of the ``<pre>`` blocks, the first one at or after ``start``."""
    blocks = []
    start = text.find("<pre>", start)
    while start >= 0:
        end = text.find("</pre>", start + 5)
        if end < 0:
            return []
        blocks.append(text[start + 5 : end])
        start = text.find("<pre>", end + 6)
    return blocks


def _pre_blocks_encoded(encoded: bytes) -> list[str]:
    """``_pre_blocks(text, 0)`` read in the UTF-8 of the text (byte searches are faster); the same blocks."""
    blocks = []
    start = encoded.find(b"<pre>")
    while start >= 0:
        end = encoded.find(b"</pre>", start + 5)
        if end < 0:
            return []
        blocks.append(encoded[start + 5 : end].decode("utf-8", "surrogatepass"))
        start = encoded.find(b"<pre>", end + 6)
    return blocks


def _from_cablegate_html(
    text: str, first_pre: int = 0, encoded: bytes | None = None, lowered: bytes | None = None
) -> Source | None:
    """The page read without an HTML parser; None when it is not sure to be read exactly as lxml reads it.

    ``first_pre``: no ``<pre`` tag, in any case, starts before that position (the blocks are found from
    the start all the same: "<pre>" is such a tag). ``encoded``: the page's
    ``text.encode("utf-8", "surrogatepass")``, and ``lowered`` its ``.lower()``, when already made.
    """
    if encoded is None:
        encoded = text.encode("utf-8", "surrogatepass")
    if lowered is None:
        lowered = encoded.lower()  # bytes.lower() changes ASCII letters only
    pres = tables = 0
    last_content = -1  # where the last <pre> or <table> tag starts
    document_tags: list[bytes] = []
    first_end = len(lowered)  # where the first </html> or </body> starts
    for markup in _MARKUP_OF_NOTE.finditer(lowered):
        tag = markup.group()
        if tag == b"<pre" or tag == b"<table":
            pres += tag == b"<pre"
            tables += tag == b"<table"
            last_content = markup.start()
        elif tag in _DOCUMENT_TAGS:
            if tag in document_tags:
                return None
            document_tags.append(tag)
        elif tag in _DOCUMENT_ENDS:
            first_end = min(first_end, markup.start())
        elif tag == b"</head":
            continue
        elif not _HARMLESS_MARKUP.match(lowered, markup.start()):
            return None
    if first_end < last_content:
        return None
    raw_blocks = _pre_blocks_encoded(encoded)
    if not raw_blocks or len(raw_blocks) != pres or not _WELL_FORMED.fullmatch(lowered):
        return None
    blocks = []
    for raw_block in raw_blocks:
        block = _plain(raw_block)
        if block is None:
            return None
        blocks.append(block)
    if not any(block.strip() for block in blocks):
        return None  # the lxml path gives the error
    meta: dict[str, str] = {}
    if tables:
        table_start = text.find("<table class=")  # where the pattern's literal start is first printed
        table = _CABLE_TABLE.search(text, table_start) if table_start >= 0 else None
        if tables != 1 or table is None:
            return None
        rows = [[_plain(cell) for cell in _CELL.findall(row)] for row in _ROW.findall(table.group(1))]
        if any(cell is None for row in rows for cell in row):
            return None
        if len(rows) >= 2:
            labels = [cell.strip().lower() for cell in rows[0]]  # type: ignore[union-attr]
            values = [" ".join(cell.split()) for cell in rows[1]]  # type: ignore[union-attr]
            for label, value in zip(labels, values, strict=False):
                if label in _META_LABELS and value:
                    meta[_META_LABELS[label]] = value
    # ``split_lines`` without its replacements: _plain let no carriage return, tab or no-break space through.
    lines = [line.rstrip() for line in "\n\n".join(blocks).split("\n")]
    source = Source(CABLEGATE_HTML, _clean_head(lines, meta), meta)
    if not tables:
        source.warnings.append("HTML page without the cablegate header table: metadata read from the telegram only")
    return source


def _from_html_lxml(text: str) -> Source:
    try:
        parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True)
        root = lxml_html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise CableFormatError(f"unreadable HTML: {exc}") from exc
    meta: dict[str, str] = {}
    table = root.find(".//table[@class='cable']")
    if table is not None:
        rows = table.findall(".//tr")
        if len(rows) >= 2:
            labels = [cell.text_content().strip().lower() for cell in rows[0]]
            values = [" ".join(cell.text_content().split()) for cell in rows[1]]
            for label, value in zip(labels, values, strict=False):
                if label in _META_LABELS and value:
                    meta[_META_LABELS[label]] = value
    # Each <pre> is one part of the telegram (routing, then the text); entities are decoded by lxml.
    blocks = [pre.text_content() for pre in root.iter("pre")]
    if not any(block.strip() for block in blocks):
        raise CableFormatError("HTML page without a telegram (<pre> block)")
    source = Source(CABLEGATE_HTML, _clean_head(split_lines("\n\n".join(blocks)), meta), meta)
    if table is None:
        source.warnings.append("HTML page without the cablegate header table: metadata read from the telegram only")
    return source


def _from_web_archive(lines: list[str]) -> Source:
    """Kept for callers of the old name: any text copy is now read by ``_from_text``."""
    return _from_text(lines)


# ---------------------------------------------------------------------------------------------------
# Text copies: whatever precedes the telegram (a saved page's header table, one cell a line or
# tab-separated, labels first then values; "Label: value" lines; a markdown table; a bare list of
# values) is read as metadata; the telegram starts at its first header line.

# The labels of the circulating copies' header tables, to our metadata keys (lower case, no colon).
_PREAMBLE_LABELS = {
    **_META_LABELS,
    "refid": "reference_id",
    "ref id": "reference_id",
    "canonical id": "reference_id",
    "cable id": "reference_id",
    "date": "created",
    "date created": "created",
    "release date": "released",
    "original classification": "classification",
    "cable title": "title",
    "title": "title",
    "tags": "tags",
}
# A line where the telegram itself starts (checked on stripped lines, case-sensitive).
_TELEGRAM_LINE = re.compile(
    r"^(?:VZCZC|[OPRZ]{1,2}(?: [OPRZ])? \d{6}Z [A-Z]{3} \d{2}\b|\d{6}Z [A-Za-z]{3} \d{2}$|FM |PAGE 01\b|"
    r"DE [A-Z]{4,5} #|E\.? ?O\.? ?\d{5}|TAGS\b|SUBJECT:|SUBJ:|This record is a partial extract|"
    r"(?:[A-Z] ){4,}[A-Z]\b|(?:UNCLAS(?:SIFIED)?|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\b.*\b\d{4,6}\s*$)"
)
_CLASSIFICATION_LINES = frozenset(["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET", "LIMITED OFFICIAL USE"])
_REFERENCE_VALUE = re.compile(r"^(?:19|20)?\d{2}[A-Z][A-Z0-9]*\d+(?:_[a-z])?$")
_DATE_VALUE = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2})?|"
    r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}(?: \d{2}:\d{2})?|"
    r"\d{4} [A-Z][a-z]+ \d{1,2}, \d{2}:\d{2}(?: \([A-Za-z]+\))?)$"  # PlusD: "1975 March 12, 00:00 (Wednesday)"
)
_CLASSIFICATION_VALUE = re.compile(
    r"^(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP SECRET|LIMITED OFFICIAL USE)(?://?[A-Z /]+)?$", re.IGNORECASE
)
_MARKDOWN_NOISE = re.compile(r"^[#>*\s]+|[*_`]+")
_PARTIAL = (
    "This record is a partial extract of the original cable. The full text of the original cable is not available."
)
# A classification banner glued to the end of the line before it (copies that lost a line break).
_GLUED_BANNER = re.compile(
    r"(?<=\S)(?=(?:C O N F I D E N T I A L|S E C R E T|U N C L A S|UNCLAS|CONFIDENTIAL|SECRET)"
    r"(?: SECTION \d{1,3} OF \d{1,3})? [A-Z][A-Z .'-]* \d{4,6}\b)"
)
_GLUED_ID = re.compile(r"(?<=[A-Za-z])(?=id: \d+$)")
_EXPORT_FIELD = re.compile(r"^(id|date|refid|origin|classification|destination|header):\s*(.*)$")
_EXPORT_KEYS = {"refid": "reference_id", "date": "created", "origin": "origin", "classification": "classification"}
_HEADER_ENDS = re.compile(r"^-+ header ends -+$")
_FENCE = re.compile(r"^(?:```|~~~)\w*$")
# Whether the header region needs de-gluing or has lines to take out (checked once on the joined region).
_GLUE_WORDS = ("UNCLAS", "CONFIDENTIAL", "SECRET", "C O N F I D", "S E C R E T", "U N C L A S")


def _glue_hint(joined: str) -> bool:
    """Whether the header region needs de-gluing: the partial-extract notice, a banner glued to a word, an id."""
    if "not available." in joined or "id: " in joined:
        return True
    for word in _GLUE_WORDS:
        position = joined.find(word)
        while position > 0:
            if not joined[position - 1].isspace():
                return True
            position = joined.find(word, position + 1)
    return False


_HEAD_NOISE = re.compile(
    r"\n[ \t]*(?:```|~~~|-+ header ends|(?:id|date|refid|origin|classification|destination|header):)"
)


def _value_kind(value: str) -> str:
    if _REFERENCE_VALUE.match(value):
        return "reference_id"
    if _DATE_VALUE.match(value):
        return "created"
    if _CLASSIFICATION_VALUE.match(value):
        return "classification"
    return "other"


def _cells(raw: str) -> list[str]:
    """A line's cells: markdown table cells, tab-separated cells, or the line itself."""
    line = raw.strip()
    if line.startswith("|") and line.endswith("|") and len(line) > 1:
        return [cell.strip() for cell in line[1:-1].split("|")]
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t") if cell.strip()]
    return [line]


def _label(cell: str) -> str | None:
    key = _MARKDOWN_NOISE.sub("", cell).strip().rstrip(":").strip().lower()
    return _PREAMBLE_LABELS.get(key)


def _read_preamble(raw_lines: list[str]) -> dict[str, str]:
    """Metadata printed before the telegram, in any of the copies' layouts."""
    meta: dict[str, str] = {}
    pending: list[str] = []  # labels printed before their values
    pairs: list[tuple[str | None, str]] = []
    for raw in raw_lines:
        cells = [c for c in _cells(raw) if c]
        if not cells or all(set(c) <= set("-:| ") for c in cells):
            continue  # blank line or a markdown table rule
        labels = [_label(c) for c in cells]
        if all(labels):
            pending.extend(labels)  # type: ignore[arg-type]
            continue
        if len(cells) == 1:
            text = _MARKDOWN_NOISE.sub("", cells[0]).strip() if cells[0][:1] in "#*>" else cells[0]
            key, sep, value = text.partition(":")
            label = _label(key) if sep else None
            if label and not pending:
                if value.strip():
                    pairs.append((label, value.strip()))
                else:
                    pending.append(label)  # "Cable title:" with its value on the next line
                continue
            if pending:
                pairs.append((pending.pop(0), text))
            else:
                pairs.append((None, text))
            continue
        if len(cells) == 2 and labels[0] and not labels[1]:
            pairs.append((labels[0], cells[1]))
            continue
        for cell in cells:
            pairs.append((pending.pop(0) if pending else None, cell))
    labelled = any(label is not None for label, _value in pairs)
    for label, value in pairs:
        value = " ".join(value.split())
        if label is None and labelled:
            continue  # the page's other text (menus, notes): only a bare list of values is read without labels
        kind = _value_kind(value)
        if label in {"reference_id", "created", "classification"} and kind != label and kind != "other":
            label = kind  # a table printed in another order than its labels: the value says what it is
        if label is None:
            label = kind if kind != "other" else ("origin" if _ORIGIN.match(value) else "title")
        if label in {"reference_id", "created", "classification"} and kind != label:
            continue  # not a value of that kind (a page's other text)
        if value and label not in meta:
            meta[label] = value
    return meta


_ORIGIN = re.compile(
    r"^(?:Embassy|Consulate|Mission|US Interests Section|USUN|US Mission|Secretary of State|US Office|"
    r"American Institute|REO|Department of State)\b"
)


def _split_glued(lines: list[str]) -> list[str]:
    """Lines a copy glued together: the partial-extract notice, a banner after an addressee, an export's id."""
    result: list[str] = []
    for line in lines:
        if "not available" in line and _PARTIAL in line:
            before, _, after = line.partition(_PARTIAL)
            result.extend(part for part in (before, after) if part.strip())
            continue
        if (
            len(line) > 20
            and ("UNCLAS" in line or "SECRET" in line or "CONFIDENTIAL" in line or " E " in line or " E C" in line)
            and line.lstrip()[:1] not in "0123456789¶("
            and _GLUED_BANNER.search(line)
        ):
            match = _GLUED_BANNER.search(line)
            if match and match.start() > 0:
                result.extend((line[: match.start()], line[match.start() :]))
                continue
        if "id: " in line and _GLUED_ID.search(line):
            match = _GLUED_ID.search(line)
            result.extend((line[: match.start()], line[match.start() :]))  # type: ignore[union-attr]
            continue
        result.append(line)
    return result


def _from_text(lines: list[str], raw_lines: list[str] | None = None) -> Source:
    """A text copy: metadata before the telegram, then the telegram's lines (the header region de-glued)."""
    start = 0
    count = len(lines)
    first_text = True  # an older telegram's first line can be its classification printed alone
    while start < count:
        stripped = lines[start].strip()
        if _TELEGRAM_LINE.match(stripped) or (first_text and stripped in _CLASSIFICATION_LINES):
            break
        first_text = first_text and not stripped
        start += 1
    if start == count:
        start = 0  # no header line at all: the whole text is given to the parser (which refuses it)
    meta = _read_preamble((raw_lines or lines)[:start]) if start else {}
    source = Source(RAW, _clean_head(lines[start:] if start else lines, meta), meta)
    source.format = WEB_ARCHIVE if meta else RAW
    _warn_unread(source, lines, start, meta)
    return _close_fence(source)


def _clean_head(lines: list[str], meta: dict[str, str]) -> list[str]:
    """The telegram's header region de-glued (lines a copy ran together split, an export's record fields and
    code fences taken out, the fields kept in ``meta``); the lines themselves when there is nothing to do."""
    head = lines[:150]
    joined = "\n".join(head)
    if _glue_hint(joined):
        head = _split_glued(head)
    elif not _HEAD_NOISE.search("\n" + joined):  # the usual case: nothing to take out of the header region
        return lines
    kept: list[str] = []
    for line in head:
        stripped = line.strip()
        if _FENCE.match(stripped) or _HEADER_ENDS.match(stripped):
            continue
        export = _EXPORT_FIELD.match(stripped)
        if export:  # an export's record fields (id, date, refid ...) printed inside the routing block
            key = _EXPORT_KEYS.get(export.group(1))
            if key and export.group(2) and key not in meta:
                meta[key] = " ".join(export.group(2).split())
            continue
        kept.append(line)
    return [*kept, *lines[150:]]


def _warn_unread(source: Source, lines: list[str], start: int, meta: dict[str, str]) -> None:
    if start and not meta:
        unread = sum(1 for line in lines[:start] if line.strip())
        if unread:
            source.warnings.append(f"{unread} line(s) before the telegram were not read as a header table")


def _close_fence(source: Source) -> Source:
    """A markdown copy's closing code fence is not telegram text."""
    tail = source.lines[-4:]
    if any("```" in line or "~~~" in line for line in tail):
        source.lines = [line for line in source.lines if not _FENCE.match(line.strip())]
    return source
