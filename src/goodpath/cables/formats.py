"""Which of the circulating renderings a file is, and the telegram text inside it.

Three renderings are known: the raw telegram, the web-archive copy (an ``Identifier / Created /
Classification / Origin`` preamble, a title and tags, then the telegram) and the 2010 cablegate
HTML page (a header table, the telegram in ``<pre>`` blocks). Each is reduced to the telegram's
lines plus the metadata the wrapper printed, so one header/body parser serves all three.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from goodpath.cables.model import CableFormatError

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


def split_lines(text: str) -> list[str]:
    return [_clean_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def unwrap(text: str) -> Source:
    """Detect the rendering of ``text`` and return the telegram inside it."""
    if not text.strip():
        raise CableFormatError("empty input: no cable text")
    if len(_CONTROL.findall(text, 0, 4096)) > 8 or "\x00" in text:
        raise CableFormatError("binary data (control characters): not a cable text file")
    if _HTML_HINT.search(text[:200_000]) and "<pre" in text.lower():
        return _from_html(text)
    lines = split_lines(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if re.match(r"(?i)^identifier\b", first):
        return _from_web_archive(lines)
    return Source(RAW, lines)


def _from_html(text: str) -> Source:
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
    source = Source(CABLEGATE_HTML, split_lines("\n\n".join(blocks)), meta)
    if table is None:
        source.warnings.append("HTML page without the cablegate header table: metadata read from the telegram only")
    return source


def _from_web_archive(lines: list[str]) -> Source:
    meta: dict[str, str] = {}
    index = 0
    labels: list[str] = []
    # Preamble labels either stand alone (values follow in the same order) or carry their value inline.
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            index += 1
            continue
        key, _, value = line.partition(":")
        if key.strip().lower() in _META_LABELS:
            if value.strip():
                meta[_META_LABELS[key.strip().lower()]] = value.strip()
            else:
                labels.append(_META_LABELS[key.strip().lower()])
            index += 1
            continue
        break
    for label in labels:
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index >= len(lines):
            break
        meta[label] = lines[index].strip()
        index += 1
    warnings: list[str] = []
    # Title and tags of the page, then the telegram.
    while index < len(lines) and not _TELEGRAM_START.match(lines[index].strip()):
        line = lines[index].strip()
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "cable title":
            title = value.strip()
            if not title:  # the title sits on the next non-empty line
                index += 1
                while index < len(lines) and not lines[index].strip():
                    index += 1
                title = lines[index].strip() if index < len(lines) else ""
            if title:
                meta["title"] = " ".join(title.split())
        elif sep and key.strip().lower() == "tags":
            meta["tags"] = " ".join(value.split())
        index += 1
    if index >= len(lines):
        warnings.append("web-archive preamble without a telegram after it")
    return Source(WEB_ARCHIVE, lines[index:], meta, warnings)
